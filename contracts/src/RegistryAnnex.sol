// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {Phase, EntryStatus} from "./ContestTypes.sol";
import {PoseidonChain} from "./PoseidonChain.sol";
import {RegistryBase} from "./RegistryBase.sol";
import {TestSetLayout} from "./TestSetLayout.sol";

/// @title RegistryAnnex
/// @notice Functions of `ContestRegistry` whose code lives here: the registry forwards their
///         calls unchanged by DELEGATECALL, so they run on the registry's storage, with its
///         balance and its `msg.sender` (see `RegistryBase`). The registry creates this contract in
///         its own constructor, so its code is fixed by the registry's creation code: auditing
///         the registry's creation code audits it, and an auditor of a deployed registry
///         compares the code at its annex address (`CREATE(registry, 1)`) with this contract's
///         runtime too. Called directly (not through the registry) it works on its own storage,
///         where no contest can exist (creating one is not among its functions): every function
///         reverts with `ContestNotFound`.
contract RegistryAnnex is RegistryBase {
    constructor(address poseidonT3) RegistryBase(poseidonT3) {}

    /// @notice `IContestRegistry.fixVerifier`, run by DELEGATECALL from the registry.
    /// @dev No external call: not guarded against reentry.
    function fixVerifier(
        uint256 contestId,
        address verifier,
        bytes32 vkDigest,
        bytes32 srsDigest,
        bytes32[2] calldata transcriptHash
    ) external {
        Config storage cfg = _existing(contestId);
        if (msg.sender != cfg.organiser) revert NotOrganiser(contestId, msg.sender, cfg.organiser);
        if (!cfg.verifierPending) revert VerifierAlreadyFixed(contestId);
        Ceremony storage c = _ceremony[contestId];
        // After the last contribution, so the transcript the keys come from can hold them all.
        if (block.timestamp <= c.deadline) revert CeremonyOpen(contestId, c.deadline, block.timestamp);
        // Competitors get the minimum commit window to audit the verifier and commit.
        uint256 left = cfg.commitDeadline > block.timestamp ? cfg.commitDeadline - block.timestamp : 0;
        if (left < MIN_COMMIT_WINDOW) revert WindowOutOfRange(0, left, MIN_COMMIT_WINDOW, MAX_WINDOW);
        if (verifier.code.length == 0) revert VerifierHasNoCode(verifier);

        bytes32 codeHash = verifier.codehash;
        cfg.verifier = verifier;
        cfg.vkDigest = vkDigest;
        cfg.srsDigest = srsDigest;
        cfg.verifierCodeHash = codeHash;
        cfg.verifierPending = false;
        c.fixedAt = uint64(block.timestamp);
        c.transcriptHash = transcriptHash;
        emit VerifierFixed(contestId, verifier, codeHash, vkDigest, srsDigest, transcriptHash, c.contributions);
    }

    /// @notice `IContestRegistry.submitModelProof`, run by DELEGATECALL from the registry.
    function submitModelProof(uint256 contestId, bytes calldata proof) external nonReentrant {
        _existing(contestId);
        Columns storage cols = _columns[contestId];
        if (cols.model == address(0)) revert NoSharedColumns(contestId);
        _beforeProofEnds(contestId, _progress[contestId]);
        Entry storage e = _entries[contestId][msg.sender];
        if (e.status == EntryStatus.None) revert NotCommitted(contestId, msg.sender);
        if (e.status != EntryStatus.Committed) revert AlreadyProved(contestId, msg.sender, e.correct);
        uint256 commitment = e.commitment;
        // `T` and `correct` are binding only in a model proof: the registry names them 0.
        _verifyWith(contestId, cols.model, cols.modelCodeHash, commitment, 0, 0, proof);
        if (proof.length < POINT) revert ProofRejected(contestId, msg.sender, 0);
        _opened[contestId][_modelKey(msg.sender, commitment, proof[:POINT])] = true;
        emit ModelColumnOpened(contestId, msg.sender, commitment, keccak256(proof[:POINT]));
    }

    /// @notice `IContestRegistry.submitTestSetProof`, run by DELEGATECALL from the registry.
    function submitTestSetProof(uint256 contestId, uint256 shard, bytes calldata proof) external nonReentrant {
        Config storage cfg = _existing(contestId);
        Columns storage cols = _columns[contestId];
        if (cols.testSet == address(0)) revert NoSharedColumns(contestId);
        Progress storage pr = _progress[contestId];
        if (pr.proofEnds == 0) revert TestSetNotRevealed(contestId);
        _beforeProofEnds(contestId, pr);
        uint256 shards = cfg.shards;
        if (shard >= shards) revert ShardOutOfRange(contestId, shard, shards);
        uint256 ts = shards == 1 ? cfg.testSetCommitment : _shardCommitment[contestId][shard];
        // `C` and `correct` are binding only in a test-set proof: the registry names them 0.
        _verifyWith(contestId, cols.testSet, cols.testSetCodeHash, 0, ts, 0, proof);
        if (proof.length < POINT) revert ProofRejected(contestId, msg.sender, 0);
        _opened[contestId][_rowsKey(shard, ts, proof[:POINT])] = true;
        emit TestSetColumnOpened(contestId, shard, msg.sender, keccak256(proof[:POINT]));
    }

    /// @dev Reverts once the proof window is over (a window not yet open does not count).
    function _beforeProofEnds(uint256 contestId, Progress storage pr) private view {
        uint256 ends = pr.proofEnds;
        if (ends != 0 && block.timestamp > ends) revert ProofWindowClosed(contestId, ends, block.timestamp);
    }

    /// @notice `IContestRegistry.challengeTestSet`, run by DELEGATECALL from the registry.
    function challengeTestSet(
        uint256 contestId,
        uint256 chunk,
        uint256 start,
        uint256 stateBefore,
        uint256 stateAfter,
        uint256[] calldata elems
    ) external nonReentrant {
        (Config storage cfg, Progress storage pr) =
            _posted(contestId, chunk, keccak256(abi.encodePacked(start, stateBefore, stateAfter, elems)));
        // A T committing to a set that does not decode must not be revealed: the organiser
        // defaults instead of taking the prize back after nobody could prove (PROTOCOL §4). Else
        // the chain (the elements are canonical: checked when posted).
        uint256 malformed = _malformed(cfg, start, elems);
        uint256 computed;
        if (malformed == TestSetLayout.ALL_DECODE) {
            (computed,) = PoseidonChain.absorb(_poseidon, stateBefore, start, elems);
            if (computed == stateAfter) revert ChunkChecksOut(contestId, chunk, stateAfter);
        }

        // The organiser defaults as if it had never revealed (`_phase`, `_lazyClaim`). No proof
        // was accepted yet (they wait for the window's end), so nothing else is undone.
        pr.testSetFaulted = true;
        pr.proofEnds = 0;
        pr.challengeEnds = 0;
        uint256 reward = cfg.prize * CHALLENGE_REWARD_BPS / BPS;
        cfg.prize -= reward;
        _credit[contestId][msg.sender] += reward;
        emit TestSetChallenged(contestId, chunk, msg.sender, malformed, computed, stateAfter, reward);
    }

    /// @dev The contest, in its challenge window, whose chunk `chunk` was posted as `posted`
    ///      (`keccak256(start, stateBefore, stateAfter, elems)`).
    function _posted(uint256 contestId, uint256 chunk, bytes32 posted)
        private
        view
        returns (Config storage cfg, Progress storage pr)
    {
        cfg = _existing(contestId);
        pr = _progress[contestId];
        Phase ph = _phase(cfg, pr);
        if (ph != Phase.TestSetChallenge) revert ChallengeClosed(contestId, ph);
        if (chunk >= pr.testSetChunks || posted != _testSetChunk[contestId][chunk]) {
            revert NotThePostedChunk(contestId, chunk);
        }
    }

    /// @dev `TestSetLayout.check` of a chunk from element `start`, against its shard's layout
    ///      from the shard's first element (PROTOCOL §14.1); the index it names is the whole set's.
    function _malformed(Config storage cfg, uint256 start, uint256[] calldata elems) private view returns (uint256) {
        TestSetLayout.Layout memory l = _layout(cfg);
        uint256 base = start - start % TestSetLayout.length(l);
        uint256 malformed = TestSetLayout.check(l, start - base, elems);
        return malformed == TestSetLayout.ALL_DECODE ? malformed : malformed + base;
    }

    /// @notice `IContestRegistry.revealModel`, run by DELEGATECALL from the registry.
    function revealModel(uint256 contestId, uint256[] calldata elems, bool last) external nonReentrant {
        (Config storage cfg, Progress storage pr) = _afterProofDeadline(contestId);
        Entry storage e = _calledInWindow(contestId, msg.sender);
        // The final chunk holds at least the salt, so the state before it is known here.
        if (elems.length == 0) revert EmptyChunk();

        uint256 start = e.revealCount;
        uint256 h = start == 0 ? PoseidonChain.MODEL_TAG : e.revealHash;
        if (!last) {
            (uint256 hNext, uint256 next) = PoseidonChain.absorb(_poseidon, h, start, elems);
            e.revealHash = hNext;
            // forge-lint: disable-next-line(unsafe-typecast) -- 2^32 elements cost > 2^44 gas
            e.revealCount = uint32(next);
            emit ModelChunkRevealed(contestId, msg.sender, start, elems);
            return;
        }
        (uint256 fingerprint, uint256 hNew, uint256 count) = _absorbFinalChunk(h, start, elems);
        uint256 computed = PoseidonChain.finish(_poseidon, hNew, count);
        if (computed != e.commitment) revert CommitmentMismatch(e.commitment, computed, count);

        e.revealHash = hNew;
        // forge-lint: disable-next-line(unsafe-typecast) -- 2^32 elements cost > 2^44 gas
        e.revealCount = uint32(count);
        e.bondSettled = true;
        emit ModelChunkRevealed(contestId, msg.sender, start, elems);
        if (_disqualifiedAsCopy(contestId, e, fingerprint, cfg.bond)) {
            // Like a forfeit: the bond goes to the pool; the next entries are called when the
            // round ends.
            e.status = EntryStatus.Disqualified;
            pr.forfeits += 1;
        } else {
            e.status = EntryStatus.Revealed;
            _credit[contestId][msg.sender] += cfg.bond;
            emit ModelRevealed(contestId, msg.sender, count, cfg.bond);
        }
        _advance(contestId, cfg, pr);
    }

    /// @dev Whether the sender's entry `e`, revealing `fingerprint`, is a copy (then
    ///      `ModelDisqualified`): another address revealed the same fingerprint from an earlier
    ///      commitment, or in this very contest (one model under several addresses is paid one
    ///      place: whichever reveals first). Otherwise records the entry as the fingerprint's
    ///      original if it is the first, or committed earlier than the recorded one.
    function _disqualifiedAsCopy(uint256 contestId, Entry storage e, uint256 fingerprint, uint256 bond)
        private
        returns (bool)
    {
        Original storage o = _originals[fingerprint];
        address owner = o.owner;
        if (
            owner != address(0) && owner != msg.sender
                && (o.committedAt < e.committedAt || o.contestId == contestId)
        ) {
            emit ModelDisqualified(contestId, msg.sender, fingerprint, owner, o.contestId, o.committedAt, bond);
            return true;
        }
        if (owner == address(0) || e.committedAt < o.committedAt) {
            // forge-lint: disable-next-line(unsafe-typecast) -- a contest costs > 2^18 gas: < 2^32 exist
            _originals[fingerprint] = Original(msg.sender, e.committedAt, uint32(contestId));
        }
        return false;
    }

    /// @dev Absorbs a model reveal's final chunk (non-empty, its last element the salt) into
    ///      `(h, start)`: the fingerprint is the chain's state before the salt, the same for every
    ///      salt (PROTOCOL §5); then the state and count after the salt.
    function _absorbFinalChunk(uint256 h, uint256 start, uint256[] calldata elems)
        private
        view
        returns (uint256 fingerprint, uint256 hNew, uint256 count)
    {
        uint256 salt = elems.length - 1;
        (fingerprint, count) = PoseidonChain.absorb(_poseidon, h, start, elems[:salt]);
        (hNew, count) = PoseidonChain.absorb(_poseidon, fingerprint, count, elems[salt:]);
    }

    /// @notice `IContestRegistry.restartTestSetReveal`, run by DELEGATECALL from the registry.
    function restartTestSetReveal(uint256 contestId) external nonReentrant {
        (, Progress storage pr) = _testSetRevealer(contestId);
        uint256 discarded = pr.testSetCount;
        pr.testSetCount = 0;
        pr.testSetHash = 0;
        // Chunks from the discarded attempt are past the count, so never challengeable.
        pr.testSetChunks = 0;
        emit TestSetRevealRestarted(contestId, discarded);
    }

    /// @notice `IContestRegistry.contributeToCeremony`, run by DELEGATECALL from the registry.
    /// @dev No external call: not guarded against reentry.
    function contributeToCeremony(uint256 contestId, bytes32[2] calldata contributionHash) external {
        Config storage cfg = _existing(contestId);
        Ceremony storage c = _ceremony[contestId];
        if (!cfg.verifierPending || block.timestamp > c.deadline) {
            revert CeremonyClosed(contestId, c.deadline, block.timestamp);
        }
        uint32 index = c.contributions;
        bytes32 log = keccak256(abi.encodePacked(c.log, msg.sender, contributionHash[0], contributionHash[1]));
        c.contributions = index + 1;
        c.log = log;
        emit CeremonyContribution(contestId, msg.sender, index, contributionHash, log);
    }

    /// @notice `IContestRegistry.restartModelReveal`, run by DELEGATECALL from the registry.
    function restartModelReveal(uint256 contestId) external nonReentrant {
        _afterProofDeadline(contestId);
        Entry storage e = _calledInWindow(contestId, msg.sender);
        uint256 discarded = e.revealCount;
        e.revealCount = 0;
        e.revealHash = 0;
        emit ModelRevealRestarted(contestId, msg.sender, discarded);
    }

    /// @notice `IContestRegistry.forfeit`, run by DELEGATECALL from the registry.
    function forfeit(uint256 contestId) external nonReentrant {
        (Config storage cfg, Progress storage pr) = _afterProofDeadline(contestId);
        if (pr.settled) revert NothingToForfeit(contestId);
        uint64 deadline = pr.roundDeadline;
        if (block.timestamp <= deadline) revert RevealWindowOpen(contestId, deadline, block.timestamp);

        // Every entry of the round that did not reveal, together: one transaction per round, so
        // K non-revealing sybils ahead of an honest entry cost it one round, not K.
        uint256 bond = cfg.bond;
        address stop = pr.nextToCall;
        address cur = pr.settleCursor;
        uint256 lost;
        while (cur != stop) {
            Entry storage e = _entries[contestId][cur];
            if (e.status == EntryStatus.Called) {
                e.status = EntryStatus.Forfeited;
                e.bondSettled = true;
                ++lost;
                emit ModelForfeited(contestId, cur, deadline, bond);
            }
            cur = e.next;
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- at most `qualifiers`, a uint32
        pr.forfeits += uint32(lost);
        _advance(contestId, cfg, pr);
        if (!pr.settled) {
            _callRound(contestId, pr, cfg.payoutBps.length - pr.paidCount, uint64(block.timestamp) + cfg.revealWindow);
        }
    }
}
