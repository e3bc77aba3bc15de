// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {ContestParams} from "../../src/ContestTypes.sol";

/// @notice Copies of `IContestRegistry`'s events so tests can `emit` them for `vm.expectEmit`
///         (solc 0.8.19 cannot emit an event of another contract by qualified name). A copy that
///         drifts from the interface changes its topic and makes the event tests fail.
abstract contract RegistryEvents {
    /// @notice A contest was created with `prize` in escrow. `verifierCodeHash` is the verifier's
    ///         EXTCODEHASH at creation, which every later proof is checked against; with
    ///         `params.vkDigest` and `params.srsDigest` it is what an audit compares.
    event ContestCreated(
        uint256 indexed contestId,
        address indexed organiser,
        uint256 prize,
        ContestParams params,
        bytes32 verifierCodeHash
    );
    /// @notice A ceremony contest's ceremony takes contributions until `ceremonyDeadline`.
    event CeremonyOpened(uint256 indexed contestId, uint256 ceremonyDeadline);
    /// @notice `contributor` announced contribution number `index`; `log` is the running digest.
    event CeremonyContribution(
        uint256 indexed contestId, address indexed contributor, uint256 index, bytes32[2] contributionHash, bytes32 log
    );
    /// @notice The organiser fixed a ceremony contest's verifier.
    event VerifierFixed(
        uint256 indexed contestId,
        address verifier,
        bytes32 verifierCodeHash,
        bytes32 vkDigest,
        bytes32 srsDigest,
        bytes32[2] transcriptHash,
        uint256 contributions
    );
    /// @notice `competitor` committed to `commitment` (`replaced`: it replaced its earlier
    ///         commitment, no new bond). `commitSeq` orders ties; `committers` counts addresses.
    event ModelCommitted(
        uint256 indexed contestId,
        address indexed competitor,
        uint256 commitment,
        uint256 commitSeq,
        uint256 bond,
        bool replaced,
        uint256 committers
    );
    /// @notice Chunk `chunk` (elements from `start`) was posted with the claim `stateAfter`.
    event TestSetChunkRevealed(
        uint256 indexed contestId, uint256 chunk, uint256 start, uint256 stateAfter, uint256[] elems
    );
    /// @notice The final claim finished to `T`: challenges until `challengeEnds`, proofs after it
    ///         until `proofEnds`.
    event TestSetRevealed(
        uint256 indexed contestId, uint256 count, uint256 testSetCommitment, uint256 challengeEnds, uint256 proofEnds
    );
    /// @notice A challenge of chunk `chunk` succeeded: the organiser defaulted.
    event TestSetChallenged(
        uint256 indexed contestId,
        uint256 chunk,
        address challenger,
        uint256 malformed,
        uint256 computed,
        uint256 claimed,
        uint256 reward
    );
    /// @notice The organiser discarded a partial test-set reveal of `discarded` elements.
    event TestSetRevealRestarted(uint256 indexed contestId, uint256 discarded);
    /// @notice `competitor`'s proof of `correct` was accepted. `ranked`: `correct >= minCorrect`,
    ///         so the entry entered the ranking (`qualifiers` ranked entries now); otherwise it is
    ///         scored only and its bond is returned after the proof window. `provers` counts every
    ///         accepted proof, ranked or not. The position in the ranking is not emitted (finding
    ///         it would cost a walk); `ranking(contestId)` lists it.
    event ProofAccepted(
        uint256 indexed contestId,
        address indexed competitor,
        uint256 correct,
        bool ranked,
        uint256 qualifiers,
        uint256 provers
    );
    /// @notice One shard of a sharded entry's proofs was accepted.
    event ColumnVerifiersFixed(
        uint256 indexed contestId,
        address modelVerifier,
        bytes32 modelCodeHash,
        address testSetVerifier,
        bytes32 testSetCodeHash
    );
    event ModelColumnOpened(
        uint256 indexed contestId, address indexed competitor, uint256 commitment, bytes32 column
    );
    event TestSetColumnOpened(uint256 indexed contestId, uint256 indexed shard, address indexed by, bytes32 column);
    event ShardProofAccepted(
        uint256 indexed contestId, address indexed competitor, uint256 shard, uint256 correct, uint256 shardsProved
    );
    /// @notice `competitor`, at 0-based position `position` of the final ranking, was called to
    ///         reveal its model by `revealDeadline`.
    event WinnerCalled(
        uint256 indexed contestId, address indexed competitor, uint256 position, uint256 revealDeadline
    );
    /// @notice A chunk of `competitor`'s model, elements `start ..`, was absorbed.
    event ModelChunkRevealed(uint256 indexed contestId, address indexed competitor, uint256 start, uint256[] elems);
    /// @notice `competitor`'s `count` model elements hashed to its commitment; `bondReturned` was
    ///         credited to it.
    event ModelRevealed(uint256 indexed contestId, address indexed competitor, uint256 count, uint256 bondReturned);
    /// @notice `competitor` discarded a partial model reveal of `discarded` elements.
    event ModelRevealRestarted(uint256 indexed contestId, address indexed competitor, uint256 discarded);
    /// @notice `competitor` revealed a copy of `owner`'s model (see IContestRegistry).
    event ModelDisqualified(
        uint256 indexed contestId,
        address indexed competitor,
        uint256 fingerprint,
        address owner,
        uint256 originalContest,
        uint256 originalCommittedAt,
        uint256 bond
    );
    /// @notice `competitor` missed its `revealDeadline`; its `bond` went to the contest's bond
    ///         pool (see `BondPoolAwarded`), never to the organiser.
    event ModelForfeited(uint256 indexed contestId, address indexed competitor, uint256 revealDeadline, uint256 bond);
    /// @notice At settlement, `amount` of the bond pool (bonds of entries that never proved, once
    ///         at least one entry proved, plus bonds of called entries that never revealed) was
    ///         credited to `to`: each paid place its payout share, the first place the rest. When
    ///         nobody was paid, `to` is `address(0)` and `amount` is split equally among the
    ///         scored entries (claimed by `withdraw`; the first to claim also takes the rounding);
    ///         only when there is none either does the organiser get it (then `to` is the
    ///         organiser).
    event BondPoolAwarded(uint256 indexed contestId, address indexed to, uint256 amount);
    /// @notice `winner` was credited `amount` as paid rank `place` (0 = first prize).
    event PrizeAwarded(uint256 indexed contestId, address indexed winner, uint256 place, uint256 amount);
    /// @notice Every prize of the contest is decided: `winnersPaid` ranks were paid and the
    ///         undistributed `remainder` (unfilled ranks and rounding) went to `remainderTo`
    ///         (the first-placed winner, or the organiser if nobody was paid).
    event ContestSettled(uint256 indexed contestId, uint256 winnersPaid, uint256 remainder, address remainderTo);
    /// @notice `account` withdrew `amount` from the contest's balance.
    event Withdrawn(uint256 indexed contestId, address indexed account, uint256 amount);
}
