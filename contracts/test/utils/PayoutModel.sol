// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice A plain reference model of who gets which place (contracts/README.md, "Ranking",
///         "Paid ranks and move-ups", "Remainder"), written without the registry's linked list
///         and cursors, so that tests can check every `PrizeAwarded` and `ContestSettled`
///         against it.
/// @dev Rules modelled: qualified entries are ranked by `correct` (more first), ties by the lower
///      commit sequence number; forfeited entries drop out; the `j`-th non-forfeited entry in
///      ranking order takes place `j` (`j < payoutBps.length`) and `prize * payoutBps[j] / 10_000`;
///      what is left (unfilled places and rounding) goes to place 0's winner, or to the organiser
///      if no place is filled.
library PayoutModel {
    uint256 internal constant BPS = 10_000;

    struct Entry {
        address who;
        uint256 correct;
        uint256 seq;
    }

    struct Outcome {
        address[] winners; // by place
        uint256[] amounts; // by place
        uint256 remainder;
        address remainderTo;
    }

    /// @dev Whether `a` ranks before `b`.
    function better(Entry memory a, Entry memory b) internal pure returns (bool) {
        return a.correct > b.correct || (a.correct == b.correct && a.seq < b.seq);
    }

    /// @dev The entries' addresses best first (selection sort: a few entries, and obviously right).
    function rank(Entry[] memory entries) internal pure returns (address[] memory ranked) {
        uint256 n = entries.length;
        ranked = new address[](n);
        bool[] memory taken = new bool[](n);
        for (uint256 r = 0; r < n; ++r) {
            uint256 best = n;
            for (uint256 i = 0; i < n; ++i) {
                if (taken[i]) continue;
                if (best == n || better(entries[i], entries[best])) best = i;
            }
            taken[best] = true;
            ranked[r] = entries[best].who;
        }
    }

    /// @dev Final places once every called entry is resolved; `forfeited[i]` is about `ranked[i]`.
    function places(
        address[] memory ranked,
        bool[] memory forfeited,
        uint16[] memory payoutBps,
        uint256 prize,
        address organiser
    ) internal pure returns (Outcome memory o) {
        uint256 ranks = payoutBps.length;
        uint256 filled;
        for (uint256 i = 0; i < ranked.length; ++i) {
            if (!forfeited[i]) ++filled;
        }
        if (filled > ranks) filled = ranks;
        o.winners = new address[](filled);
        o.amounts = new uint256[](filled);
        uint256 j;
        uint256 paid;
        for (uint256 i = 0; i < ranked.length && j < filled; ++i) {
            if (forfeited[i]) continue;
            o.winners[j] = ranked[i];
            o.amounts[j] = prize * payoutBps[j] / BPS;
            paid += o.amounts[j];
            ++j;
        }
        o.remainder = prize - paid;
        o.remainderTo = filled > 0 ? o.winners[0] : organiser;
    }

    /// @dev What `account` is due from a contest whose test set was revealed, once everything is
    ///      decided: its bond back unless it forfeited, forfeited bonds if it is the organiser, its
    ///      places' shares and the remainder if it is `o.remainderTo`. `committed` and
    ///      `forfeitedSelf` describe `account`'s own entry; `forfeits` counts forfeited entries.
    function due(
        Outcome memory o,
        address account,
        address organiser,
        uint256 bond,
        bool committed,
        bool forfeitedSelf,
        uint256 forfeits
    ) internal pure returns (uint256 amount) {
        if (committed && !forfeitedSelf) amount += bond;
        if (account == organiser) amount += forfeits * bond;
        for (uint256 j = 0; j < o.winners.length; ++j) {
            if (o.winners[j] == account) amount += o.amounts[j];
        }
        if (account == o.remainderTo) amount += o.remainder;
    }
}
