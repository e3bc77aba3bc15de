// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {TestBase} from "../utils/TestBase.sol";
import {IPoseidonT3} from "../utils/RegistryFixture.sol";
import {ContestRegistry} from "../../src/ContestRegistry.sol";
import {ContestParams, EntryStatus, Phase} from "../../src/ContestTypes.sol";

/// @notice Drives a registry through random create / commit / reveal / prove / forfeit /
///         withdraw sequences and time warps, and keeps the ghost books the invariants check.
/// @dev Organisers and competitors are disjoint fixed actors, so every wei the registry owes is
///      owed to an actor the invariants can enumerate. The verifier accepts every proof: the
///      money rules are under test here, not the proof system.
contract RegistryHandler is TestBase {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant TESTSET_TAG = 0x007a6b636f6e746573742f746573747365742f7631;
    uint256 internal constant MODEL_TAG = 0x7a6b636f6e746573742f6d6f64656c2f7631;
    uint256 internal constant MAX_CONTESTS = 2;
    uint32 internal constant N = 16;

    ContestRegistry public immutable registry;
    address public immutable verifier;
    address internal immutable _poseidon;

    address[] public organisers;
    address[] public competitors;
    uint256[] public contestIds;
    mapping(address => uint256) internal _commitment;
    uint256[] internal _testSet;
    uint256 internal _testSetCommitment;

    // Ghost books.
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    mapping(uint256 => mapping(address => uint256)) public ghostWithdrawnBy;
    mapping(uint256 => mapping(address => uint256)) public ghostBondPaid;
    bool public ghostSecondWithdrawSucceeded;
    mapping(bytes32 => uint256) public calls;

    constructor(ContestRegistry registry_, address verifier_, address poseidon_) {
        registry = registry_;
        verifier = verifier_;
        _poseidon = poseidon_;
        for (uint256 i = 0; i < 2; ++i) {
            organisers.push(address(uint160(0x0A000 + i)));
        }
        for (uint256 i = 0; i < 4; ++i) {
            address c = address(uint160(0x0C000 + i));
            competitors.push(c);
            _commitment[c] = _chain(MODEL_TAG, _model(c));
        }
        _testSet = [uint256(3), 1, 4, 1, 5];
        _testSetCommitment = _chain(TESTSET_TAG, _testSet);
    }

    // ------------------------------------------------------------------ actions

    function createContest(uint256 seed, uint256 prize, uint256 bond, uint256 ranks) external {
        // A second contest only now and then: each new one takes over most later actions.
        if (contestIds.length >= MAX_CONTESTS || (contestIds.length > 0 && seed % 8 != 0)) return;
        address organiser = organisers[seed % organisers.length];
        prize = bound(prize, 1, 100 ether);
        ranks = bound(ranks, 1, 3);
        ContestParams memory p;
        p.specHash = keccak256(abi.encode(seed));
        p.verifier = verifier;
        p.testSetCommitment = _testSetCommitment;
        p.testSetSize = N;
        p.minCorrect = 4;
        p.payoutBps = new uint16[](ranks);
        uint256 left = 10_000;
        for (uint256 i = 0; i + 1 < ranks; ++i) {
            uint256 share = bound(uint256(keccak256(abi.encode(seed, i))), 1, left - (ranks - 1 - i));
            p.payoutBps[i] = uint16(share);
            left -= share;
        }
        p.payoutBps[ranks - 1] = uint16(left);
        p.commitBond = bound(bond, 0, 3 ether);
        uint256 step = 1 hours + (seed >> 8) % 3 hours;
        p.commitDeadline = uint64(block.timestamp + step);
        p.testSetDeadline = uint64(block.timestamp + 2 * step);
        p.proofDeadline = uint64(block.timestamp + 3 * step);
        p.revealWindow = uint64(step);

        vm.deal(organiser, prize);
        vm.prank(organiser);
        uint256 id = registry.createContest{value: prize}(p);
        contestIds.push(id);
        ghostDeposited += prize;
        calls["create"]++;
    }

    function commitModel(uint256 who, uint256 which) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.Commit) return;
        address c = competitors[who % competitors.length];
        bool first = registry.entry(id, c).status == EntryStatus.None;
        uint256 value = first ? registry.contest(id).params.commitBond : 0;
        vm.deal(c, value);
        vm.prank(c);
        registry.commitModel{value: value}(id, _commitment[c]);
        ghostDeposited += value;
        ghostBondPaid[id][c] += value;
        calls["commit"]++;
    }

    function revealTestSet(uint256 which, uint256 cut) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.TestSetReveal) return;
        address organiser = registry.contest(id).organiser;
        cut = bound(cut, 1, _testSet.length);
        uint256[] memory first = new uint256[](cut);
        uint256[] memory rest = new uint256[](_testSet.length - cut);
        for (uint256 i = 0; i < _testSet.length; ++i) {
            if (i < cut) first[i] = _testSet[i];
            else rest[i - cut] = _testSet[i];
        }
        vm.startPrank(organiser);
        if (rest.length == 0) {
            registry.revealTestSet(id, first, true);
        } else {
            registry.revealTestSet(id, first, false);
            registry.revealTestSet(id, rest, true);
        }
        vm.stopPrank();
        calls["revealTestSet"]++;
    }

    /// @dev Proves for up to `1 + who % 4` committed competitors at once (a proof phase is short
    ///      in a 32-call run), each with its own `correct` drawn from `correct`.
    function submitProof(uint256 who, uint256 which, uint256 correct) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.Proof) return;
        uint256 count = 1 + who % 4;
        for (uint256 k = 0; k < count; ++k) {
            (address c, bool found) = _pick(id, EntryStatus.Committed, who % 4 + k);
            if (!found) return;
            uint256 score = bound(uint256(keccak256(abi.encode(correct, k))), 4, N);
            vm.prank(c);
            registry.submitProof(id, score, hex"01");
            calls["submitProof"]++;
        }
    }

    /// @dev Reveals the models of up to `1 + who % 3` called competitors, in one chunk or two.
    function revealModel(uint256 who, uint256 which, bool chunked) external {
        (uint256 id, bool ok) = _contest(which);
        uint256 count = 1 + who % 3;
        for (uint256 k = 0; k < count; ++k) {
            if (!ok || registry.phase(id) != Phase.ModelReveal) return;
            (address c, bool found) = _pick(id, EntryStatus.Called, who % 4 + k);
            if (!found || block.timestamp > registry.entry(id, c).revealDeadline) return;
            uint256[] memory model = _model(c);
            vm.startPrank(c);
            if (chunked) {
                uint256[] memory head = new uint256[](1);
                head[0] = model[0];
                uint256[] memory tail = new uint256[](2);
                tail[0] = model[1];
                tail[1] = model[2];
                registry.revealModel(id, head, false);
                registry.revealModel(id, tail, true);
            } else {
                registry.revealModel(id, model, true);
            }
            vm.stopPrank();
            calls["revealModel"]++;
        }
    }

    function forfeit(uint256 who, uint256 which) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok || registry.phase(id) != Phase.ModelReveal) return;
        (address c, bool found) = _pick(id, EntryStatus.Called, who);
        if (!found || block.timestamp <= registry.entry(id, c).revealDeadline) return;
        registry.forfeit(id, c);
        calls["forfeit"]++;
    }

    function withdraw(uint256 who, uint256 which) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok) return;
        address a = _actor(who);
        if (registry.owed(id, a) == 0) {
            vm.prank(a);
            (bool paid,) = address(registry).call(abi.encodeCall(registry.withdraw, (id)));
            if (paid) ghostSecondWithdrawSucceeded = true; // paid although nothing was owed
            return;
        }
        vm.prank(a);
        uint256 amount = registry.withdraw(id);
        ghostWithdrawn += amount;
        ghostWithdrawnBy[id][a] += amount;
        // Straight away, a second withdrawal must find nothing.
        vm.prank(a);
        (bool again,) = address(registry).call(abi.encodeCall(registry.withdraw, (id)));
        if (again) ghostSecondWithdrawSucceeded = true;
        calls["withdraw"]++;
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 1 hours));
        calls["warp"]++;
    }

    /// @dev Jumps to just after the deadline that ends one contest's current phase (commit, test
    ///      set, proof, or the earliest open reveal window), so short runs reach the late phases.
    function warpPastNextDeadline(uint256 which, uint256 extra) external {
        (uint256 id, bool ok) = _contest(which);
        if (!ok) return;
        ContestParams memory p = registry.contest(id).params;
        Phase ph = registry.phase(id);
        uint256 to;
        if (ph == Phase.Commit) {
            to = p.commitDeadline;
        } else if (ph == Phase.TestSetReveal) {
            to = p.testSetDeadline;
        } else if (ph == Phase.Proof) {
            to = p.proofDeadline;
        } else if (ph == Phase.ModelReveal) {
            (address c, bool found) = _pick(id, EntryStatus.Called, extra);
            if (!found) return;
            to = registry.entry(id, c).revealDeadline;
        } else {
            return;
        }
        vm.warp(to + 1 + bound(extra, 0, 10 minutes));
        calls["warpPastNextDeadline"]++;
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

    function _actor(uint256 i) internal view returns (address) {
        i %= organisers.length + competitors.length;
        return i < organisers.length ? organisers[i] : competitors[i - organisers.length];
    }

    /// @dev A competitor whose entry (as the registry's view reports it) has `status`, chosen by
    ///      `seed` among those that do.
    function _pick(uint256 id, EntryStatus status, uint256 seed) internal view returns (address, bool) {
        uint256 n = competitors.length;
        for (uint256 k = 0; k < n; ++k) {
            address c = competitors[(seed % n + k) % n];
            if (registry.entry(id, c).status == status) return (c, true);
        }
        return (address(0), false);
    }

    /// @dev A competitor's "packed model and salt".
    function _model(address c) internal pure returns (uint256[] memory model) {
        model = new uint256[](3);
        model[0] = uint160(c);
        model[1] = uint256(keccak256(abi.encode("weights", c))) >> 8;
        model[2] = uint256(keccak256(abi.encode("salt", c))) % P;
    }

    function _contest(uint256 which) internal view returns (uint256 id, bool ok) {
        uint256 n = contestIds.length;
        if (n == 0) return (0, false);
        // Mostly the newest contest, so one contest gets through all its phases in a short run.
        return (contestIds[which % 4 == 0 ? (which >> 2) % n : n - 1], true);
    }

    function _chain(uint256 tag, uint256[] memory elems) internal view returns (uint256 h) {
        h = tag;
        for (uint256 i = 0; i < elems.length; ++i) {
            h = IPoseidonT3(_poseidon).hash([h, elems[i]]);
        }
        h = IPoseidonT3(_poseidon).hash([h, elems.length]);
    }
}
