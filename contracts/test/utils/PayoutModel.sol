// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice A plain reference model of who gets what (contracts/README.md, "Rules chosen" R1–R7,
///         "Remainder"), written without the registry's linked list, cursors and lazy claims, so
///         that tests can check every `PrizeAwarded`, `BondPoolAwarded` and `ContestSettled`, and
///         every account's withdrawals, against it.
/// @dev Rules modelled: ranked entries (`correct >= minCorrect`) are ordered by `correct` (more
///      first), ties by the lower commit sequence number; forfeited entries drop out; the `j`-th
///      non-forfeited entry in ranking order takes place `j` (`j < payoutBps.length`) and
///      `prize * payoutBps[j] / 10_000`; what is left (unfilled places and rounding) goes to place
///      0's winner, or to the organiser if no place is filled. The bond pool is
///      `bond * (forfeits + (committers - provers if anybody proved))`; each paid place `p >= 1`
///      gets `pool * payoutBps[p] / 10_000`, place 0 the rest; with no place filled the scored
///      entries share it equally (the first claimer takes the rounding), or, with none, the
///      organiser takes it. Bonds come back to every entry that proved (or to every committer if
///      nobody proved) unless it was forfeited.
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
        uint256 pool;
        /// @dev The pool's share of each place (place 0: the rest), when a place is filled.
        uint256[] poolAmounts;
        /// @dev When no place is filled: the scored entries sharing the pool (0: the organiser
        ///      takes it).
        uint256 scored;
    }

    /// @dev One account's entry in a contest whose test set was revealed.
    struct Account {
        bool committed;
        bool proved; // an accepted proof, ranked or scored
        bool scored; // proved below `minCorrect`
        bool forfeited;
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

    /// @dev The bond pool once the proof window is over and every round is decided.
    function bondPool(uint256 bond, uint256 committers, uint256 provers, uint256 forfeits)
        internal
        pure
        returns (uint256)
    {
        uint256 lost = forfeits;
        if (provers > 0) lost += committers - provers;
        return lost * bond;
    }

    /// @dev Final places once every called entry is resolved; `forfeited[i]` is about `ranked[i]`.
    ///      `pool` is `bondPool(...)`, `scored` the number of scored entries.
    function places(
        address[] memory ranked,
        bool[] memory forfeited,
        uint16[] memory payoutBps,
        uint256 prize,
        address organiser,
        uint256 pool,
        uint256 scored
    ) internal pure returns (Outcome memory o) {
        uint256 ranks = payoutBps.length;
        uint256 filled;
        for (uint256 i = 0; i < ranked.length; ++i) {
            if (!forfeited[i]) ++filled;
        }
        if (filled > ranks) filled = ranks;
        o.winners = new address[](filled);
        o.amounts = new uint256[](filled);
        o.poolAmounts = new uint256[](filled);
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
        o.pool = pool;
        if (filled > 0) {
            uint256 rest = pool;
            for (uint256 p = 1; p < filled; ++p) {
                o.poolAmounts[p] = pool * payoutBps[p] / BPS;
                rest -= o.poolAmounts[p];
            }
            o.poolAmounts[0] = rest;
        } else {
            o.scored = scored;
        }
    }

    /// @dev What `account` is due once everything is decided: its bond back if it proved (or if
    ///      nobody proved) and was not forfeited, its places' prize and pool shares, the remainder
    ///      if it is `o.remainderTo`, its equal share of the pool if nobody was paid and it is
    ///      scored (`firstPoolClaimer`: plus the rounding), the pool if it is the organiser and
    ///      nobody was paid or scored.
    function due(
        Outcome memory o,
        address account,
        address organiser,
        uint256 bond,
        Account memory a,
        bool anyProver,
        bool firstPoolClaimer
    ) internal pure returns (uint256 amount) {
        if (a.committed && !a.forfeited && (a.proved || !anyProver)) amount += bond;
        for (uint256 j = 0; j < o.winners.length; ++j) {
            if (o.winners[j] == account) amount += o.amounts[j] + o.poolAmounts[j];
        }
        if (account == o.remainderTo) amount += o.remainder;
        if (o.winners.length == 0) {
            if (o.scored > 0 && a.scored) {
                amount += o.pool / o.scored;
                if (firstPoolClaimer) amount += o.pool % o.scored;
            } else if (o.scored == 0 && account == organiser) {
                amount += o.pool;
            }
        }
    }
}
