// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @title TestSetLayout
/// @notice Decoding of a packed test set (docs/PROTOCOL.md §3–4) against its layout: `rows`
///         rows of `features` values in `0 ..= span` (stream X), then `rows` labels in
///         `0 ..= classes - 1` (stream y), each stream packed `b` bits a value, `⌊248 / b⌋` to an
///         element, least significant first. Internal functions only: compiled into the registry.
library TestSetLayout {
    /// @notice Bits of packed values per field element (PROTOCOL §3).
    uint256 internal constant PACKED_BITS = 248;
    /// @notice `check`'s answer when every element decodes.
    uint256 internal constant ALL_DECODE = type(uint256).max;

    /// @notice A test set's layout, as the registry stores it.
    struct Layout {
        uint256 rows;
        uint256 features;
        uint256 span;
        uint256 classes;
    }

    /// @dev A packed stream: values `<= span`, `b` bits each, `per` to an element; `values` of
    ///      them in `elements` elements from element `first`. `lanes`, `add` and `carries` check
    ///      every value of an element at once (`decodes`).
    struct Stream {
        uint256 span;
        uint256 b;
        uint256 per;
        uint256 values;
        uint256 first;
        uint256 elements;
        uint256 lanes;
        uint256 add;
        uint256 carries;
    }

    /// @notice Elements of the packed test set: `⌈N·F / per_X⌉ + ⌈N / per_y⌉`.
    function length(Layout memory l) internal pure returns (uint256) {
        return stream(l, 0, false).elements + stream(l, 1, false).elements;
    }

    /// @notice The index (in the whole test set, `elems` starting at element `start`) of the
    ///         first element that is not the packing of in-range values of its stream — a value
    ///         past its span, a bit past the element's last value, or an element past the end —
    ///         or `ALL_DECODE`.
    function check(Layout memory l, uint256 start, uint256[] calldata elems) internal pure returns (uint256) {
        Stream memory x = stream(l, 0, true);
        Stream memory y = stream(l, 1, true);
        y.first = x.elements;
        for (uint256 i = 0; i < elems.length; ++i) {
            uint256 j = start + i;
            Stream memory st = j < y.first ? x : y;
            if (!decodes(elems[i], st, j - st.first)) return j;
        }
        return ALL_DECODE;
    }

    /// @dev Bits per packed value of a stream whose offset values lie in `0 ..= span`: the
    ///      smallest `b >= 1` with `span < 2^b` (PROTOCOL §3).
    function width(uint256 span) private pure returns (uint256 b) {
        b = 1;
        while (span >> b != 0) ++b;
    }

    /// @dev Stream X (`which == 0`: `N·F` features) or y (`N` labels). `masks`: also compute
    ///      `lanes`, `add` and `carries`.
    function stream(Layout memory l, uint256 which, bool masks) private pure returns (Stream memory st) {
        st.span = which == 0 ? l.span : l.classes - 1;
        st.values = which == 0 ? l.rows * l.features : l.rows;
        st.b = width(st.span);
        st.per = PACKED_BITS / st.b;
        st.elements = (st.values + st.per - 1) / st.per;
        if (!masks) return st;
        // One bit at the bottom of every even value slot 0, 2, 4, … below `per`.
        uint256 r;
        for (uint256 i = 0; i < st.per; i += 2) {
            // forge-lint: disable-next-line(incorrect-shift) -- bit `b·i` set, as meant
            r |= 1 << (st.b * i);
        }
        // forge-lint: disable-next-line(incorrect-shift) -- 2^b − 1, as meant
        uint256 full = (1 << st.b) - 1;
        st.lanes = full * r;
        st.add = (full - st.span) * r;
        st.carries = r << st.b;
    }

    /// @dev Whether `e`, element `k` of stream `st`, holds its values (`per`, fewer in the last
    ///      element), each `<= span`, and nothing above them. All values at once: the even slots
    ///      and (shifted down) the odd ones are masked apart so that each value has an empty slot
    ///      above it; adding `2^b - 1 - span` to every value carries into that slot exactly when
    ///      the value exceeds `span`.
    function decodes(uint256 e, Stream memory st, uint256 k) private pure returns (bool) {
        if (k >= st.elements) return false;
        unchecked {
            uint256 b = st.b;
            uint256 n = k + 1 == st.elements ? st.values - k * st.per : st.per;
            if (e >> (b * n) != 0) return false;
            uint256 even = e & st.lanes;
            uint256 odd = (e >> b) & st.lanes;
            return ((even + st.add) | (odd + st.add)) & st.carries == 0;
        }
    }
}
