// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestBase} from "../utils/TestBase.sol";
import {Vm} from "../utils/Vm.sol";
import {IPoseidonT3} from "../utils/RegistryFixture.sol";
import {RegistryEvents} from "../utils/RegistryEvents.sol";
import {PayoutModel} from "../utils/PayoutModel.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {ContestRegistry} from "../../src/ContestRegistry.sol";
import {IContestRegistry, IContestRegistryEvents} from "../../src/IContestRegistry.sol";
import {ContestParams, ContestView, EntryStatus, EntryView, Phase} from "../../src/ContestTypes.sol";

/// @notice The state `RegistryHandler` keeps while it drives a registry — the contests' terms,
///         the reference model of each (ranking, calls, forfeits, awards, bond pool), the ghost
///         books — and the checks made against it: the registry's events as they happen, and
///         each contest's outcome after `settleAndDrain` (`checkOutcome`). The actions are in
///         `RegistryHandler.sol`.
abstract contract RegistryHandlerBase is TestBase, RegistryEvents {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant TESTSET_TAG = 0x007a6b636f6e746573742f746573747365742f7631;
    uint256 internal constant MODEL_TAG = 0x7a6b636f6e746573742f6d6f64656c2f7631;
    uint256 internal constant ROOT_TAG = 0x7a6b636f6e746573742f746573747365742d726f6f742f7631;
    uint32 internal constant SHARDS = 2;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_CONTESTS = 2;
    uint32 internal constant N = 16;
    uint32 internal constant MIN_CORRECT = 4;
    /// @notice Forfeits "as anyone" in `settleAndDrain` (and sometimes in `forfeit`); owed nothing
    ///         ever, so a credit to the forfeiter stays in the registry and fails the drain check.
    address public constant KEEPER = address(0x0E000);

    ContestRegistry public immutable registry;
    MockVerifier public immutable verifier;
    address internal immutable _poseidon;

    constructor(ContestRegistry registry_, MockVerifier verifier_, address poseidon_) {
        registry = registry_;
        verifier = verifier_;
        _poseidon = poseidon_;
    }

    address[] public organisers;
    address[] public competitors;
    /// @dev Who enters contests: the competitors, then the organisers.
    address[] internal _players;
    uint256[] public contestIds;
    mapping(address => uint256) internal _commitment;
    uint256[] internal _testSet;
    uint256 internal _testSetCommitment;
    /// @dev A lying organiser's contests (one in four) commit to `_lieCommitment`: `_testSet`
    ///      posted with its first chunk (2 elements) claiming `WRONG`, the rest chained from it,
    ///      so the final check passes and only a challenge of chunk 0 tells (PROTOCOL §14.3).
    uint256 internal constant WRONG = 12_345;
    uint256 internal _lieCommitment;
    uint256 internal _lieState;
    mapping(uint256 => bool) internal _lying;
    /// @dev A successful challenge's challenger and reward, per contest.
    mapping(uint256 => address) internal _challenger;
    mapping(uint256 => uint256) internal _reward;
    /// @dev A sharded contest's test set: shard `s` is `_shardSet[3s .. 3s+3)` (8 rows: 128
    ///      features in 2 elements, 8 labels in 1), committed under `_shardRoot`.
    uint256[] internal _shardSet;
    uint256 internal _shardRoot;
    mapping(uint256 => bool) internal _sharded;
    /// @dev Per sharded entry: the shards proved (bit `s`) and the sum of their counts.
    mapping(uint256 => mapping(address => uint256)) internal _shardMask;
    mapping(uint256 => mapping(address => uint256)) internal _shardSum;

    // Ghost books.
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    mapping(uint256 => mapping(address => uint256)) public ghostWithdrawnBy;
    mapping(uint256 => mapping(address => uint256)) public ghostBondPaid;
    bool public ghostSecondWithdrawSucceeded;
    mapping(bytes32 => uint256) public calls;

    /// @dev A contest's fixed terms, copied at creation.
    struct Terms {
        address organiser;
        uint256 prize;
        uint256 bond;
        uint64 proofDeadline;
        uint64 proofWindow; // proofDeadline - testSetDeadline
        uint64 revealWindow;
        uint16[] payoutBps;
    }

    /// @dev The reference model of one contest, built from the handler's own actions only.
    struct Model {
        uint64 commits; // commit sequence numbers handed out (replacements included)
        uint256 committers; // distinct committed players
        bool testSetRevealed;
        uint64 proofEnds; // the registry's, checked against the reveal's time at the reveal
        address[] qualified; // accepted ranked proofs, in acceptance order
        uint256 scored; // accepted proofs below the threshold
        uint256 called; // WinnerCalled seen
        uint256 forfeits; // ModelForfeited seen
        uint256 forfeitCalls; // forfeit() calls (rounds ended)
        uint256 awards; // PrizeAwarded seen
        uint256 awarded; // their total
        uint256 poolEvents; // BondPoolAwarded seen
        bool settled; // ContestSettled seen
    }

    mapping(uint256 => Terms) internal _terms;
    mapping(uint256 => Model) internal _model;
    mapping(uint256 => mapping(address => PayoutModel.Entry)) internal _entry;
    mapping(uint256 => mapping(address => bool)) internal _called;
    mapping(uint256 => mapping(address => bool)) internal _revealed;
    mapping(uint256 => mapping(address => bool)) internal _forfeited;
    mapping(uint256 => mapping(address => bool)) internal _scored;
    /// @notice Winner of each place, as `PrizeAwarded` announced it.
    mapping(uint256 => mapping(uint256 => address)) public awardedTo;
    /// @dev Each `BondPoolAwarded` of a contest, in order.
    mapping(uint256 => mapping(uint256 => address)) internal _poolTo;
    mapping(uint256 => mapping(uint256 => uint256)) internal _poolAmount;
    /// @dev The entries a `forfeit` call in progress expects `ModelForfeited` for, and how many.
    mapping(uint256 => mapping(address => bool)) internal _expectForfeit;
    uint256 internal _pendingForfeits;

    /// @notice After `settleAndDrain`: the places announced equal the reference model's, every
    ///         forfeit called the next entry, and each actor withdrew exactly what the rules give
    ///         it (bond, places, remainder, forfeited bonds; in a default, bond plus an equal share).
    function checkOutcome(uint256 id) external view {
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        if (!m.testSetRevealed) {
            _checkDefault(id, t);
            return;
        }
        address[] memory ranked = _ranked(id);
        bool[] memory forfeited = new bool[](ranked.length);
        for (uint256 i = 0; i < ranked.length; ++i) {
            forfeited[i] = _forfeited[id][ranked[i]];
        }
        PayoutModel.Outcome memory o =
            PayoutModel.places(ranked, forfeited, t.payoutBps, t.prize, t.organiser, _pool(id), m.scored);
        assertEq(m.awards, o.winners.length, "model: places filled");
        for (uint256 j = 0; j < o.winners.length; ++j) {
            assertEq(awardedTo[id][j], o.winners[j], "model: winner of place j");
        }
        uint256 shouldCall = t.payoutBps.length + m.forfeits;
        if (shouldCall > ranked.length) shouldCall = ranked.length;
        assertEq(m.called, shouldCall, "model: each round calls as many as places are left");
        _checkDues(id, o);
    }

    // ------------------------------------------------------------------ for the invariants

    function contestCount() external view returns (uint256) {
        return contestIds.length;
    }

    function actorCount() external view returns (uint256) {
        return organisers.length + competitors.length;
    }

    function actor(uint256 i) external view returns (address) {
        return _actor(i);
    }

    function competitorCount() external view returns (uint256) {
        return competitors.length;
    }

    function organiserOf(uint256 id) external view returns (address) {
        return _terms[id].organiser;
    }

    /// @notice The prize the contest was created with (a challenger's reward comes out of the
    ///         registry's `prize`).
    function prizeOf(uint256 id) external view returns (uint256) {
        return _terms[id].prize;
    }

    /// @dev Everything a proof could change: the ranking, the books, the entry.
    function _fingerprint(uint256 id, address c) internal view returns (bytes32) {
        (address[] memory who, uint256[] memory correct, uint256[] memory seq) = registry.ranking(id);
        ContestView memory v = registry.contest(id);
        EntryView memory e = registry.entry(id, c);
        return keccak256(
            abi.encode(who, correct, seq, v.qualifiers, v.provers, v.held, v.phase, e, address(registry).balance)
        );
    }

    /// @dev Checks the registry's events since `vm.recordLogs()` against the model.
    function _checkLogs() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(registry)) continue;
            bytes32 t = l.topics[0];
            if (t == WinnerCalled.selector) _onWinnerCalled(l);
            else if (t == ModelForfeited.selector) _onForfeited(l);
            else if (t == PrizeAwarded.selector) _onPrizeAwarded(l);
            else if (t == BondPoolAwarded.selector) _onPoolAwarded(l);
            else if (t == ContestSettled.selector) _onSettled(l);
            else assertTrue(t != ProofAccepted.selector, "unexpected ProofAccepted");
        }
        assertEq(_pendingForfeits, 0, "forfeit: a called entry not forfeited");
    }

    /// @dev The next entry in the model's ranking: the first `K` at the common deadline
    ///      `proofEnds + revealWindow` when the ranking closes, then, in each later round, as many
    ///      as were forfeited, with one fresh deadline.
    function _onWinnerCalled(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        address who = address(uint160(uint256(l.topics[2])));
        (uint256 position, uint256 deadline) = abi.decode(l.data, (uint256, uint256));
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        address[] memory ranked = _ranked(id);
        uint256 ranks = t.payoutBps.length;
        assertEq(position, m.called, "WinnerCalled: position = entries called so far");
        assertTrue(position < ranked.length, "WinnerCalled: beyond the ranking");
        assertEq(who, ranked[position], "WinnerCalled: next entry in the model's ranking");
        if (position < ranks) {
            assertEq(deadline, uint256(m.proofEnds) + t.revealWindow, "WinnerCalled: first round's deadline");
        } else {
            assertLt(position, ranks + m.forfeits, "WinnerCalled: one call per forfeited place");
            assertEq(deadline, block.timestamp + t.revealWindow, "WinnerCalled: fresh round");
        }
        m.called += 1;
        _called[id][who] = true;
    }

    function _onForfeited(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        address who = address(uint160(uint256(l.topics[2])));
        (uint256 revealDeadline, uint256 bond) = abi.decode(l.data, (uint256, uint256));
        assertTrue(_expectForfeit[id][who], "ModelForfeited: an entry that was not called and unrevealed");
        assertTrue(_called[id][who], "ModelForfeited: entry was called");
        assertTrue(block.timestamp > revealDeadline, "ModelForfeited: inside the window");
        assertEq(bond, _terms[id].bond, "ModelForfeited: bond");
        _expectForfeit[id][who] = false;
        _pendingForfeits -= 1;
        _forfeited[id][who] = true;
        _model[id].forfeits += 1;
    }

    /// @dev Recorded; checked against the model when the contest settles (same transaction).
    function _onPoolAwarded(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        Model storage m = _model[id];
        assertTrue(!m.settled, "BondPoolAwarded after ContestSettled");
        _poolTo[id][m.poolEvents] = address(uint160(uint256(l.topics[2])));
        _poolAmount[id][m.poolEvents] = abi.decode(l.data, (uint256));
        m.poolEvents += 1;
    }

    /// @dev Place `j` goes to the `j`-th non-forfeited entry in ranking order, once every better
    ///      entry is resolved, places in order, `prize * payoutBps[j] / 10_000` each.
    function _onPrizeAwarded(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        address winner = address(uint160(uint256(l.topics[2])));
        (uint256 place, uint256 amount) = abi.decode(l.data, (uint256, uint256));
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        assertTrue(!m.settled, "PrizeAwarded after ContestSettled");
        address[] memory ranked = _ranked(id);
        uint256 j;
        uint256 i;
        for (; i < ranked.length && ranked[i] != winner; ++i) {
            address a = ranked[i];
            assertTrue(_revealed[id][a] || _forfeited[id][a], "PrizeAwarded: a better entry is undecided");
            if (!_forfeited[id][a]) ++j;
        }
        assertTrue(i < ranked.length, "PrizeAwarded: winner not in the ranking");
        assertTrue(_called[id][winner] && _revealed[id][winner], "PrizeAwarded: winner not called and revealed");
        assertEq(place, j, "PrizeAwarded: place = non-forfeited entries ranked above");
        assertEq(place, m.awards, "PrizeAwarded: places in order");
        assertTrue(place < t.payoutBps.length, "PrizeAwarded: beyond the paid ranks");
        assertEq(amount, t.prize * t.payoutBps[place] / BPS, "PrizeAwarded: amount = prize * payoutBps[place]");
        awardedTo[id][place] = winner;
        m.awards += 1;
        m.awarded += amount;
    }

    /// @dev Once, when every place is decided: the remainder to place 0's winner (or the organiser).
    function _onSettled(Vm.Log memory l) internal {
        uint256 id = uint256(l.topics[1]);
        (uint256 winnersPaid, uint256 remainder, address to) = abi.decode(l.data, (uint256, uint256, address));
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        assertTrue(!m.settled, "ContestSettled twice");
        assertEq(winnersPaid, m.awards, "ContestSettled: winners paid");
        assertEq(remainder, t.prize - m.awarded, "ContestSettled: remainder");
        assertEq(to, m.awards > 0 ? awardedTo[id][0] : t.organiser, "ContestSettled: remainder to first place");
        _checkPoolEvents(id);
        if (m.awards < t.payoutBps.length) {
            address[] memory ranked = _ranked(id);
            for (uint256 i = 0; i < ranked.length; ++i) {
                assertTrue(
                    _revealed[id][ranked[i]] || _forfeited[id][ranked[i]], "ContestSettled: an entry is undecided"
                );
            }
        }
        m.settled = true;
    }

    /// @dev The pool at settlement: each paid place `p >= 1` its share (events only for
    ///      non-zero ones), then place 0 the rest; with no place paid, one event for the scored
    ///      entries (to 0), or for the organiser when there is none; no event for an empty pool.
    function _checkPoolEvents(uint256 id) internal view {
        Model storage m = _model[id];
        Terms storage t = _terms[id];
        uint256 pool = _pool(id);
        assertEq(registry.contest(id).bondPool, pool, "bondPool == the model's pool");
        uint256 k;
        if (pool != 0) {
            if (m.awards > 0) {
                uint256 rest = pool;
                for (uint256 p = 1; p < m.awards; ++p) {
                    uint256 share = pool * t.payoutBps[p] / BPS;
                    rest -= share;
                    if (share == 0) continue;
                    assertEq(_poolTo[id][k], awardedTo[id][p], "BondPoolAwarded: place p's winner");
                    assertEq(_poolAmount[id][k], share, "BondPoolAwarded: pool * payoutBps[p]");
                    ++k;
                }
                assertEq(_poolTo[id][k], awardedTo[id][0], "BondPoolAwarded: first place");
                assertEq(_poolAmount[id][k], rest, "BondPoolAwarded: first place takes the rest");
            } else {
                address to = m.scored > 0 ? address(0) : t.organiser;
                assertEq(_poolTo[id][k], to, "BondPoolAwarded: the scored entries, else the organiser");
                assertEq(_poolAmount[id][k], pool, "BondPoolAwarded: the whole pool");
            }
            ++k;
        }
        assertEq(m.poolEvents, k, "BondPoolAwarded: one per credit");
    }

    /// @dev The model's bond pool once the proof window is over and every round decided.
    function _pool(uint256 id) internal view returns (uint256) {
        Model storage m = _model[id];
        return PayoutModel.bondPool(_terms[id].bond, m.committers, m.qualified.length + m.scored, m.forfeits);
    }

    /// @dev Each actor withdrew exactly what the model gives it; the scored entries' equal shares
    ///      of an unpaid pool add up to it, one of them (the first claimer) with the rounding.
    function _checkDues(uint256 id, PayoutModel.Outcome memory o) internal view {
        Terms storage t = _terms[id];
        Model storage m = _model[id];
        bool anyProver = m.qualified.length + m.scored > 0;
        uint256 dust = o.scored > 0 ? o.pool % o.scored : 0;
        uint256 dustTaken;
        for (uint256 a = 0; a < organisers.length + competitors.length; ++a) {
            address who = _actor(a);
            PayoutModel.Account memory acc = PayoutModel.Account(
                _entry[id][who].seq != 0,
                _scored[id][who] || _isQualified(id, who),
                _scored[id][who],
                _forfeited[id][who]
            );
            uint256 due = PayoutModel.due(o, who, t.organiser, t.bond, acc, anyProver, false);
            uint256 got = ghostWithdrawnBy[id][who];
            if (acc.scored && dust > 0 && got == due + dust) {
                dustTaken += 1;
                continue;
            }
            assertEq(got, due, "model: withdrawn == due");
        }
        if (dust > 0) assertEq(dustTaken, 1, "model: the rounding taken once");
    }

    function _isQualified(uint256 id, address who) internal view returns (bool) {
        address[] storage q = _model[id].qualified;
        for (uint256 i = 0; i < q.length; ++i) {
            if (q[i] == who) return true;
        }
        return false;
    }

    /// @dev A default: each committer took its bond and an equal share (the last one the rounding).
    function _checkDefault(uint256 id, Terms storage t) internal view {
        uint256 n = organisers.length + competitors.length;
        uint256 committers;
        uint256 total;
        for (uint256 a = 0; a < n; ++a) {
            address who = _actor(a);
            if (_entry[id][who].seq != 0) ++committers;
            total += ghostWithdrawnBy[id][who];
        }
        // A successful challenge took its reward out of the prize first.
        uint256 reward = _reward[id];
        uint256 prize = t.prize - reward;
        if (committers == 0) {
            uint256 back = ghostWithdrawnBy[id][t.organiser];
            uint256 own = _challenger[id] == t.organiser ? reward : 0;
            assertEq(back, prize + own, "default: prize (less a reward) back to the organiser");
            assertEq(total, t.prize, "default: the whole prize paid out");
            return;
        }
        uint256 share = prize / committers;
        uint256 lastShare = prize - share * (committers - 1);
        for (uint256 a = 0; a < n; ++a) {
            address who = _actor(a);
            uint256 got = ghostWithdrawnBy[id][who];
            if (who == _challenger[id]) got -= reward;
            if (_entry[id][who].seq == 0) {
                assertEq(got, 0, "default: non-committer paid");
            } else {
                assertTrue(got == t.bond + share || got == t.bond + lastShare, "default: bond + equal share");
            }
        }
        assertEq(total, committers * t.bond + t.prize, "default: prize and bonds paid out");
    }

    /// @dev The model's ranking of the accepted proofs.
    function _ranked(uint256 id) internal view returns (address[] memory) {
        address[] storage q = _model[id].qualified;
        PayoutModel.Entry[] memory es = new PayoutModel.Entry[](q.length);
        for (uint256 i = 0; i < q.length; ++i) {
            es[i] = _entry[id][q[i]];
        }
        return PayoutModel.rank(es);
    }

    /// @dev Whether the registry has closed the ranking: closing calls an entry or settles.
    function _closed(uint256 id) internal view returns (bool) {
        return _model[id].called > 0 || _model[id].settled;
    }

    /// @dev The current reveal round's deadline: the first round's if the ranking is not closed.
    function _roundDeadline(uint256 id) internal view returns (uint256) {
        if (!_closed(id)) return uint256(_model[id].proofEnds) + _terms[id].revealWindow;
        return registry.contest(id).roundDeadline;
    }

    function _actor(uint256 i) internal view returns (address) {
        i %= organisers.length + competitors.length;
        return i < organisers.length ? organisers[i] : competitors[i - organisers.length];
    }

    /// @dev A player whose entry (as the registry's view reports it) has `status`, chosen by
    ///      `seed` among those that do.
    function _pick(uint256 id, EntryStatus status, uint256 seed) internal view returns (address, bool) {
        uint256 n = _players.length;
        for (uint256 k = 0; k < n; ++k) {
            address c = _players[(seed % n + k) % n];
            if (registry.entry(id, c).status == status) return (c, true);
        }
        return (address(0), false);
    }

    /// @dev Shard `s` of the sharded test set.
    function _shard(uint256 s) internal view returns (uint256[] memory elems) {
        elems = new uint256[](3);
        for (uint256 i = 0; i < 3; ++i) {
            elems[i] = _shardSet[3 * s + i];
        }
    }

    /// @dev A player's "packed model and salt".
    function _modelElems(address c) internal pure returns (uint256[] memory model) {
        model = new uint256[](3);
        model[0] = uint160(c);
        model[1] = uint256(keccak256(abi.encode("weights", c))) >> 8;
        model[2] = uint256(keccak256(abi.encode("salt", c))) % P;
    }

    /// @dev The chain's state after `elems` from `TESTSET_TAG`, before the length (a claim).
    function _claim(uint256[] memory elems) internal view returns (uint256) {
        return _absorbed(TESTSET_TAG, elems);
    }

    /// @dev The chain's state after `elems` from `h`.
    function _absorbed(uint256 h, uint256[] memory elems) internal view returns (uint256) {
        for (uint256 i = 0; i < elems.length; ++i) {
            h = IPoseidonT3(_poseidon).hash([h, elems[i]]);
        }
        return h;
    }

    function _chain(uint256 tag, uint256[] memory elems) internal view returns (uint256 h) {
        h = tag;
        for (uint256 i = 0; i < elems.length; ++i) {
            h = IPoseidonT3(_poseidon).hash([h, elems[i]]);
        }
        h = IPoseidonT3(_poseidon).hash([h, elems.length]);
    }
}
