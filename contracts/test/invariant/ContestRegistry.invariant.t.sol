// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {RegistryFixture} from "../utils/RegistryFixture.sol";
import {RegistryHandler} from "./RegistryHandler.sol";
import {ContestView, EntryStatus, Phase} from "../../src/ContestTypes.sol";

/// @dev The shape forge reads from `targetSelectors()`.
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}

/// @notice Money invariants over random contest lifecycles (see `RegistryHandler`). The handler
///         only makes calls the rules allow, so any revert is a failure too (e.g. a `withdraw`
///         that reverts although `owed()` reported a balance), and it checks every payout event
///         against its reference model as it happens. After each run, `afterInvariant` decides
///         every contest and drains the registry (liveness), then compares what each account
///         withdrew with what the rules give it.
/// forge-config: default.invariant.fail-on-revert = true
/// forge-config: default.invariant.runs = 128
/// forge-config: default.invariant.depth = 64
contract ContestRegistryInvariantTest is RegistryFixture {
    RegistryHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new RegistryHandler(registry, verifier, poseidon);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        // Every reveal, forfeit or withdrawal also closes the ranking implicitly.
        bytes4[] memory s = new bytes4[](11);
        s[0] = RegistryHandler.createContest.selector;
        s[1] = RegistryHandler.commitModel.selector;
        s[2] = RegistryHandler.revealTestSet.selector;
        s[3] = RegistryHandler.submitProof.selector;
        s[4] = RegistryHandler.revealModel.selector;
        s[5] = RegistryHandler.forfeit.selector;
        s[6] = RegistryHandler.withdraw.selector;
        s[7] = RegistryHandler.warp.selector;
        s[8] = RegistryHandler.advance.selector;
        s[9] = RegistryHandler.closeRanking.selector;
        s[10] = RegistryHandler.challengeTestSet.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), s);
    }

    /// @notice The registry holds exactly what its contests hold, which is everything ever
    ///         deposited minus everything withdrawn.
    function invariant_BalanceEqualsHeldAndBooks() public view {
        uint256 held;
        for (uint256 i = 0; i < handler.contestCount(); ++i) {
            held += registry.contest(handler.contestIds(i)).held;
        }
        assertEq(address(registry).balance, held, "balance == sum held");
        assertEq(held, handler.ghostDeposited() - handler.ghostWithdrawn(), "held == deposited - withdrawn");
    }

    /// @notice Every contest can pay what it owes; once its outcome is final it owes everything
    ///         it holds (up to the < committers wei of a default split not yet claimed by its last
    ///         claimer). One exception to "owed <= held": when nobody was paid, the scored entries
    ///         share the pool and its rounding (`pool % scored`) goes to the first to claim, so
    ///         until one has, each of them is shown it (`owed` is what a withdrawal now would pay).
    function invariant_OwedCoveredAndNothingStuck() public view {
        for (uint256 i = 0; i < handler.contestCount(); ++i) {
            uint256 id = handler.contestIds(i);
            ContestView memory v = registry.contest(id);
            uint256 owed;
            for (uint256 a = 0; a < handler.actorCount(); ++a) {
                owed += registry.owed(id, handler.actor(a));
            }
            uint256 scored = v.provers - v.qualifiers;
            uint256 slack = v.winnersPaid == 0 && scored > 1 ? (scored - 1) * (v.bondPool % scored) : 0;
            assertLe(owed, v.held + slack, "owed <= held");
            if (v.phase == Phase.Settled) assertGe(owed, v.held, "settled: all held is owed");
            if (v.phase == Phase.TestSetMissed) assertLe(v.held - owed, v.committers, "default: only dust unowed");
        }
    }

    /// @notice Nothing beyond a competitor's own bond is paid or owed before its model is
    ///         revealed (the organiser's default is one exception: then the prize is shared; a
    ///         scored entry's share of an unpaid bond pool the other). Every actor but the
    ///         contest's own organiser (who is owed refunds, and the pool when nobody was paid or
    ///         scored; `afterInvariant` checks its exact due) counts as a competitor here.
    function invariant_NoPayoutBeforeModelReveal() public view {
        for (uint256 i = 0; i < handler.contestCount(); ++i) {
            uint256 id = handler.contestIds(i);
            if (registry.phase(id) == Phase.TestSetMissed) continue;
            for (uint256 c = 0; c < handler.actorCount(); ++c) {
                address who = handler.actor(c);
                if (who == handler.organiserOf(id)) continue;
                EntryStatus s = registry.entry(id, who).status;
                if (s == EntryStatus.Revealed) continue;
                uint256 pool = s == EntryStatus.Scored ? registry.contest(id).bondPool : 0;
                assertLe(
                    handler.ghostWithdrawnBy(id, who) + registry.owed(id, who),
                    handler.ghostBondPaid(id, who) + pool,
                    "unrevealed: at most the bond (a scored entry: and the pool)"
                );
            }
        }
    }

    /// @notice A withdrawal empties the account's balance: an immediate second one never pays,
    ///         and no competitor ever takes out more than its bond plus the prize and the pool.
    function invariant_NobodyWithdrawsTwice() public view {
        assertTrue(!handler.ghostSecondWithdrawSucceeded(), "second withdrawal paid");
        for (uint256 i = 0; i < handler.contestCount(); ++i) {
            uint256 id = handler.contestIds(i);
            ContestView memory v = registry.contest(id);
            for (uint256 c = 0; c < handler.actorCount(); ++c) {
                address who = handler.actor(c);
                if (who == handler.organiserOf(id)) continue;
                assertLe(
                    handler.ghostWithdrawnBy(id, who),
                    handler.ghostBondPaid(id, who) + handler.prizeOf(id) + v.bondPool,
                    "<= bond + prize + pool"
                );
            }
        }
    }

    /// @notice Liveness, after each run: once every deadline has passed and every reveal round
    ///         has been ended by one `forfeit` (by an outsider), every contest is decided
    ///         (`Settled`, or `TestSetMissed` for a default) and, once everyone `owed()` shows a
    ///         balance for has withdrawn, the registry holds exactly nothing: no rounding dust
    ///         (a default's last claimer takes it, and every committer claims; an unpaid pool's
    ///         first claimer takes its rounding), no prize, bond or pool locked. Each account
    ///         withdrew exactly its due under the reference model.
    function afterInvariant() public {
        handler.settleAndDrain();
        assertEq(address(registry).balance, 0, "liveness: registry drained to 0 wei");
        assertEq(handler.ghostWithdrawn(), handler.ghostDeposited(), "liveness: everything deposited paid out");
        for (uint256 i = 0; i < handler.contestCount(); ++i) {
            uint256 id = handler.contestIds(i);
            ContestView memory v = registry.contest(id);
            assertTrue(v.phase == Phase.Settled || v.phase == Phase.TestSetMissed, "liveness: contest decided");
            assertEq(v.held, 0, "liveness: contest holds nothing");
            for (uint256 a = 0; a < handler.actorCount(); ++a) {
                assertEq(registry.owed(id, handler.actor(a)), 0, "liveness: nothing left owed");
            }
            assertEq(registry.owed(id, handler.KEEPER()), 0, "the forfeiter is owed nothing");
            handler.checkOutcome(id);
        }
    }
}
