// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IContestRegistry} from "./IContestRegistry.sol";
import {
    CeremonyView, ContestParams, ContestView, EntryStatus, EntryView, OriginalView, Phase
} from "./ContestTypes.sol";
import {PoseidonChain} from "./PoseidonChain.sol";
import {RegistryAnnex} from "./RegistryAnnex.sol";
import {RegistryBase} from "./RegistryBase.sol";
import {TestSetLayout} from "./TestSetLayout.sol";

/// @title ContestRegistry
/// @notice Every zkcontest contest on this chain: escrow, commit–reveal, ranking, payouts.
///         Interface documentation (NatSpec) is on `IContestRegistry`; the rules are in
///         contracts/README.md; the storage layout and the money flow on `RegistryBase`.
/// @dev Nine functions (the ceremony's contributions and verifier, the test set's challenge and
///      restart, a model reveal and its restart, forfeits, model and test-set proofs of shared
///      columns) run in `RegistryAnnex`, which this
///      contract creates in its constructor and DELEGATECALLs with the call's own calldata:
///      the whole would exceed EIP-170's 24,576 bytes of code.
contract ContestRegistry is RegistryBase, IContestRegistry {
    /// @inheritdoc IContestRegistry
    uint256 public constant override VERIFIER_GAS_LIMIT = VERIFIER_GAS;
    /// @inheritdoc IContestRegistry
    /// @dev Pinned by `test/ContestRegistry.trust.t.sol` against the forge artifact, so a change
    ///      of PoseidonT3's compiler settings (or of the package) fails the tests, not a deploy.
    bytes32 public constant override POSEIDON_T3_CODEHASH =
        0x65122cf0c080135c61d910f794191c7363b5996784e8c254b8254ecbabcaa6f7;

    /// @dev A library's runtime code starts with PUSH20 <its own address> (call protection).
    uint256 private constant PUSH20 = 0x73;


    /// @param poseidonT3 the deployed npm `poseidon-solidity` `PoseidonT3` library, deployed
    ///        from this build's creation code. Checked on the spot: the known vector `P(1, 2)`
    ///        first (the plainer errors for the plain mistakes: no code, another hash function),
    ///        then the code itself, which must be `POSEIDON_T3_CODEHASH` once its own embedded
    ///        address is masked out.
    constructor(address poseidonT3) RegistryBase(poseidonT3) {
        uint256 got = PoseidonChain.hash2(poseidonT3, 1, 2);
        if (got != PoseidonChain.HASH_1_2) revert PoseidonMismatch(poseidonT3, got);
        (bool selfAddressed, bytes32 maskedHash) = _maskedLibraryCodeHash(poseidonT3);
        if (!selfAddressed || maskedHash != POSEIDON_T3_CODEHASH) {
            revert PoseidonCodeMismatch(poseidonT3, maskedHash);
        }
        // The first contract a contract creates lands at CREATE(this, nonce 1): `_annexed` finds
        // it there, so the runtime code holds no deployment-dependent address.
        assert(address(new RegistryAnnex(poseidonT3)) == _annexAddress());
    }

    /// @inheritdoc IContestRegistry
    function createContest(ContestParams calldata p) external payable nonReentrant returns (uint256 contestId) {
        if (p.verifier.code.length == 0) revert VerifierHasNoCode(p.verifier);
        contestId = _create(p, block.timestamp);
    }

    /// @inheritdoc IContestRegistry
    function createSharedContest(ContestParams calldata p, address modelVerifier, address testSetVerifier)
        external
        payable
        nonReentrant
        returns (uint256 contestId)
    {
        if (p.verifier.code.length == 0) revert VerifierHasNoCode(p.verifier);
        if (modelVerifier.code.length == 0) revert VerifierHasNoCode(modelVerifier);
        bytes32 testSetHash;
        if (testSetVerifier != address(0)) {
            if (testSetVerifier.code.length == 0) revert VerifierHasNoCode(testSetVerifier);
            testSetHash = testSetVerifier.codehash;
        }
        contestId = _create(p, block.timestamp);
        bytes32 modelHash = modelVerifier.codehash;
        _columns[contestId] = Columns(modelVerifier, testSetVerifier, modelHash, testSetHash);
        _config[contestId].sharedColumns = true;
        emit ColumnVerifiersFixed(contestId, modelVerifier, modelHash, testSetVerifier, testSetHash);
    }

    /// @inheritdoc IContestRegistry
    function createCeremonyContest(ContestParams calldata p, uint64 ceremonyDeadline)
        external
        payable
        nonReentrant
        returns (uint256 contestId)
    {
        if (p.verifier != address(0) || p.vkDigest != 0 || p.srsDigest != 0) revert CeremonyVerifierPreset(p.verifier);
        uint256 window = ceremonyDeadline > block.timestamp ? ceremonyDeadline - block.timestamp : 0;
        _checkWindow(4, window, MIN_CEREMONY_WINDOW);
        contestId = _create(p, ceremonyDeadline);
        _config[contestId].verifierPending = true;
        _ceremony[contestId].deadline = ceremonyDeadline;
        emit CeremonyOpened(contestId, ceremonyDeadline);
    }

    /// @dev Records a contest (a ceremony contest's commit window opens at `opensAt`, its
    ///      ceremony's deadline; a plain one's now). The caller checked the verifier.
    function _create(ContestParams calldata p, uint256 opensAt) private returns (uint256 contestId) {
        _validate(p, opensAt);
        if (msg.value == 0) revert NoPrize();

        contestId = ++_contestCount;
        Config storage cfg = _config[contestId];
        cfg.organiser = msg.sender;
        cfg.commitDeadline = p.commitDeadline;
        cfg.verifier = p.verifier;
        cfg.testSetDeadline = p.testSetDeadline;
        cfg.proofDeadline = p.proofDeadline;
        cfg.revealWindow = p.revealWindow;
        cfg.testSetSize = p.testSetSize;
        cfg.minCorrect = p.minCorrect;
        cfg.features = p.features;
        cfg.classes = p.classes;
        cfg.featureSpan = p.featureSpan;
        cfg.shards = p.shards;
        cfg.createdBlock = uint64(block.number);
        cfg.specHash = p.specHash;
        cfg.vkDigest = p.vkDigest;
        cfg.srsDigest = p.srsDigest;
        // A ceremony contest has no verifier yet (0 rather than the hash of an empty account).
        bytes32 codeHash = p.verifier == address(0) ? bytes32(0) : p.verifier.codehash;
        cfg.verifierCodeHash = codeHash;
        cfg.testSetCommitment = p.testSetCommitment;
        cfg.prize = msg.value;
        cfg.bond = p.commitBond;
        cfg.payoutBps = p.payoutBps;
        // forge-lint: disable-next-line(unsafe-typecast) -- msg.value < ETH supply < 2^96
        _progress[contestId].held = uint96(msg.value);
        emit ContestCreated(contestId, msg.sender, msg.value, p, codeHash);
    }

    /// @inheritdoc IContestRegistry
    function revealTestSet(uint256 contestId, uint256[] calldata elems, uint256 stateAfter, bool last)
        external
        nonReentrant
    {
        (Config storage cfg, Progress storage pr) = _testSetRevealer(contestId);
        if (elems.length == 0 && !last) revert EmptyChunk();
        if (elems.length > MAX_TESTSET_CHUNK) revert ChunkTooLong(elems.length, MAX_TESTSET_CHUNK);

        uint256 start = pr.testSetCount;
        uint256 perShard = TestSetLayout.length(_layout(cfg));
        // Canonical elements and claim only (cheap here; the chain and the decoding are left to
        // challenges).
        uint256 count = PoseidonChain.checkField(start, elems);
        if (count > perShard * cfg.shards || (last && count != perShard * cfg.shards)) {
            revert TestSetLengthMismatch(perShard * cfg.shards, count);
        }
        _recordChunk(contestId, pr, start, perShard, stateAfter, elems);
        if (cfg.shards > 1 && elems.length != 0 && count % perShard == 0) {
            // The shard's last element: `T_s` from its claimed state, folded into the root.
            uint256 ts = PoseidonChain.finish(_poseidon, stateAfter, perShard);
            _shardCommitment[contestId][start / perShard] = ts;
            pr.shardRoot =
                PoseidonChain.hash2(_poseidon, start < perShard ? PoseidonChain.TESTSET_ROOT_TAG : pr.shardRoot, ts);
        }
        if (last) {
            uint256 computed = cfg.shards == 1
                ? PoseidonChain.finish(_poseidon, stateAfter, count)
                : PoseidonChain.finish(_poseidon, pr.shardRoot, cfg.shards);
            if (computed != cfg.testSetCommitment) {
                revert CommitmentMismatch(cfg.testSetCommitment, computed, count);
            }
            // The window is as long as the organiser promised, from now: a reveal at the last
            // second of `testSetDeadline` cannot shorten it, an early one ends it early. Its
            // first quarter is for challenges, before any proof (and score) is public.
            uint64 window = cfg.proofDeadline - cfg.testSetDeadline;
            pr.challengeEnds = uint64(block.timestamp) + window / 4;
            pr.proofEnds = uint64(block.timestamp) + window;
        }
        pr.testSetHash = stateAfter;
        // forge-lint: disable-next-line(unsafe-typecast) -- 2^32 elements cost > 2^44 gas
        pr.testSetCount = uint32(count);
        if (last) emit TestSetRevealed(contestId, count, cfg.testSetCommitment, pr.challengeEnds, pr.proofEnds);
    }

    /// @dev The chain itself is claimed, not computed (PROTOCOL §14.3): one word per chunk keeps
    ///      what a challenge must match, the state before it being the previous claim (the tag
    ///      at a shard's first element: each shard of `perShard` elements is its own chain,
    ///      PROTOCOL §14.1, so a chunk lies within one).
    function _recordChunk(
        uint256 contestId,
        Progress storage pr,
        uint256 start,
        uint256 perShard,
        uint256 stateAfter,
        uint256[] calldata elems
    ) private {
        // A claim `>= p` would pass the final check (PoseidonT3 reduces its inputs) while no
        // client can read it as a field element.
        if (stateAfter >= PoseidonChain.FIELD_MODULUS) revert ClaimNotInField(stateAfter);
        uint256 offset = start % perShard;
        if (offset + elems.length > perShard) revert ChunkCrossesShard(start, elems.length, perShard);
        uint256 stateBefore = offset == 0 && elems.length != 0 ? PoseidonChain.TESTSET_TAG : pr.testSetHash;
        uint32 chunk = pr.testSetChunks;
        _testSetChunk[contestId][chunk] = keccak256(abi.encodePacked(start, stateBefore, stateAfter, elems));
        pr.testSetChunks = chunk + 1;
        emit TestSetChunkRevealed(contestId, chunk, start, stateAfter, elems);
    }

    /// @inheritdoc IContestRegistry
    function commitModel(uint256 contestId, uint256 commitment) external payable nonReentrant {
        Config storage cfg = _existing(contestId);
        if (block.timestamp > cfg.commitDeadline) {
            revert CommitPhaseOver(contestId, cfg.commitDeadline, block.timestamp);
        }
        // A ceremony contest takes commitments only once its verifier is known.
        if (cfg.verifierPending) revert VerifierNotFixed(contestId);
        if (commitment >= PoseidonChain.FIELD_MODULUS) revert CommitmentNotInField(commitment);

        Progress storage pr = _progress[contestId];
        Entry storage e = _entries[contestId][msg.sender];
        bool replaced = e.status != EntryStatus.None;
        uint256 expected = replaced ? 0 : cfg.bond;
        if (msg.value != expected) revert WrongBond(msg.value, expected);
        if (!replaced) {
            e.status = EntryStatus.Committed;
            pr.committers += 1;
            // forge-lint: disable-next-line(unsafe-typecast) -- msg.value < ETH supply < 2^96
            pr.held += uint96(msg.value);
        }
        uint32 seq = ++pr.commitSeq;
        e.seq = seq;
        e.commitment = commitment;
        e.committedAt = uint64(block.timestamp);
        emit ModelCommitted(contestId, msg.sender, commitment, seq, cfg.bond, replaced, pr.committers);
    }

    /// @inheritdoc IContestRegistry
    function submitProof(uint256 contestId, uint256 correct, bytes calldata proof, address rankHint)
        external
        nonReentrant
    {
        _submit(contestId, 0, correct, proof, rankHint);
    }

    /// @inheritdoc IContestRegistry
    function submitShardProof(uint256 contestId, uint256 shard, uint256 correct, bytes calldata proof, address rankHint)
        external
        nonReentrant
    {
        _submit(contestId, shard, correct, proof, rankHint);
    }

    /// @dev One shard's proof (the whole test set's for a one-shard contest); the entry is ranked
    ///      or scored with the sum of its shards' counts once all are in (PROTOCOL §14.1).
    function _submit(uint256 contestId, uint256 shard, uint256 correct, bytes calldata proof, address rankHint)
        private
    {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        if (pr.proofEnds == 0) revert TestSetNotRevealed(contestId);
        if (block.timestamp > pr.proofEnds) {
            revert ProofWindowClosed(contestId, pr.proofEnds, block.timestamp);
        }
        if (block.timestamp <= pr.challengeEnds) {
            revert ChallengeWindowOpen(contestId, pr.challengeEnds, block.timestamp);
        }
        Entry storage e = _entries[contestId][msg.sender];
        if (e.status == EntryStatus.None) revert NotCommitted(contestId, msg.sender);
        if (e.status != EntryStatus.Committed) revert AlreadyProved(contestId, msg.sender, e.correct);
        uint256 shards = cfg.shards;
        if (shard >= shards) revert ShardOutOfRange(contestId, shard, shards);
        if (correct > cfg.testSetSize / shards) revert CorrectExceedsTestSetSize(correct, cfg.testSetSize / shards);
        // (With one shard the entry's status tells: `AlreadyProved`.)
        if (shards > 1 && _shardCorrect[contestId][msg.sender][shard] != 0) {
            revert ShardAlreadyProved(contestId, msg.sender, shard);
        }
        // The registry supplies every instance but `correct`: a shard is proved against the `T_s`
        // the reveal computed, never one the prover names.
        uint256 ts = shards == 1 ? cfg.testSetCommitment : _shardCommitment[contestId][shard];
        if (cfg.sharedColumns) _checkColumns(contestId, _columns[contestId], e.commitment, shard, ts, proof);
        _verifyWith(contestId, cfg.verifier, cfg.verifierCodeHash, e.commitment, ts, correct, proof);
        _score(contestId, cfg, shard, correct, rankHint);
    }

    /// @dev Books the sender's accepted proof of `correct` rows of `shard`; with its last shard
    ///      the entry is ranked or scored.
    function _score(uint256 contestId, Config storage cfg, uint256 shard, uint256 correct, address rankHint) private {
        Progress storage pr = _progress[contestId];
        Entry storage e = _entries[contestId][msg.sender];
        uint256 shards = cfg.shards;
        // forge-lint: disable-next-line(unsafe-typecast) -- each shard's correct <= N / M: the sum <= N
        uint32 c = e.correct + uint32(correct);
        uint32 done = e.shardsProved + 1;
        e.correct = c;
        e.shardsProved = done;
        if (shards > 1) {
            _shardCorrect[contestId][msg.sender][shard] = correct + 1;
            emit ShardProofAccepted(contestId, msg.sender, shard, correct, done);
            // Scored or ranked only with every shard in; missing one at the deadline, the entry
            // is one that never proved.
            if (done < shards) return;
        }
        pr.provers += 1;
        // Below the threshold the entry is scored, not ranked: it proved, so its bond comes back
        // after the proof window (an entry that never proves loses it to the pool).
        bool ranked = c >= cfg.minCorrect;
        if (ranked) {
            // Before the status changes: the sender cannot be its own hint.
            _insert(contestId, pr, msg.sender, c, e.seq, rankHint);
            e.status = EntryStatus.Qualified;
            pr.qualifiers += 1;
        } else {
            e.status = EntryStatus.Scored;
        }
        emit ProofAccepted(contestId, msg.sender, c, ranked, pr.qualifiers, pr.provers);
    }

    /// @dev In a contest with shared columns (PROTOCOL §14.2.1) a shard proof's `C` (and with a
    ///      test-set verifier its `T_s`) is binding only: what ties the shard to the committed
    ///      model is its first point, which must be the model column the sender's model proof
    ///      opened to `commitment`; and its second, the rows column a test-set proof opened to
    ///      `ts`. Equal points over one domain are equal columns (KZG binding).
    function _checkColumns(
        uint256 contestId,
        Columns storage cols,
        uint256 commitment,
        uint256 shard,
        uint256 ts,
        bytes calldata proof
    ) private view {
        if (proof.length < 2 * POINT) revert ColumnNotOpened(contestId, 0, bytes32(0));
        if (!_opened[contestId][_modelKey(msg.sender, commitment, proof[:POINT])]) {
            revert ColumnNotOpened(contestId, 0, keccak256(proof[:POINT]));
        }
        if (cols.testSet != address(0) && !_opened[contestId][_rowsKey(shard, ts, proof[POINT:2 * POINT])]) {
            revert ColumnNotOpened(contestId, 1, keccak256(proof[POINT:2 * POINT]));
        }
    }

    /// @inheritdoc IContestRegistry
    function revealModel(uint256 contestId, uint256[] calldata elems, bool last) external {
        (contestId, elems, last); // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    function closeRanking(uint256 contestId) external nonReentrant {
        _existing(contestId);
        if (_progress[contestId].rankingClosed) revert RankingAlreadyClosed(contestId);
        _afterProofDeadline(contestId); // checks the deadline, then closes
    }

    /// @inheritdoc IContestRegistry
    function withdraw(uint256 contestId) external nonReentrant returns (uint256 amount) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        if (!pr.rankingClosed && pr.proofEnds != 0 && block.timestamp > pr.proofEnds) {
            _closeRanking(contestId, cfg, pr);
        }
        Entry storage e = _entries[contestId][msg.sender];
        (uint256 lazy, uint256 claims) = _lazyClaim(cfg, pr, e, msg.sender);
        amount = _credit[contestId][msg.sender] + lazy;
        if (amount == 0) revert NothingToWithdraw(contestId, msg.sender);

        _credit[contestId][msg.sender] = 0;
        if (claims & CLAIM_BOND != 0) e.bondSettled = true;
        if (claims & CLAIM_DEFAULT_SHARE != 0) pr.defaultClaims += 1;
        if (claims & CLAIM_REFUND != 0) pr.prizeRefundClaimed = true;
        if (claims & CLAIM_POOL_SHARE != 0) {
            e.poolClaimed = true;
            pr.poolClaims += 1;
        }
        // forge-lint: disable-next-line(unsafe-typecast) -- amount <= held (what is owed is held)
        pr.held -= uint96(amount);
        emit Withdrawn(contestId, msg.sender, amount);

        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }

    /// @inheritdoc IContestRegistry
    function poseidon() external view returns (address) {
        return _poseidon;
    }

    /// @inheritdoc IContestRegistry
    function contestCount() external view returns (uint256) {
        return _contestCount;
    }

    /// @inheritdoc IContestRegistry
    function phase(uint256 contestId) public view returns (Phase) {
        Config storage cfg = _config[contestId];
        if (cfg.organiser == address(0)) return Phase.None;
        return _phase(cfg, _progress[contestId]);
    }

    /// @inheritdoc IContestRegistry
    function contest(uint256 contestId) external view returns (ContestView memory v) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        v.organiser = cfg.organiser;
        ContestParams memory p = v.params;
        p.specHash = cfg.specHash;
        p.verifier = cfg.verifier;
        p.vkDigest = cfg.vkDigest;
        p.srsDigest = cfg.srsDigest;
        p.testSetCommitment = cfg.testSetCommitment;
        p.testSetSize = cfg.testSetSize;
        p.minCorrect = cfg.minCorrect;
        p.features = cfg.features;
        p.featureSpan = cfg.featureSpan;
        p.classes = cfg.classes;
        p.shards = cfg.shards;
        p.payoutBps = cfg.payoutBps;
        p.commitBond = cfg.bond;
        p.commitDeadline = cfg.commitDeadline;
        p.testSetDeadline = cfg.testSetDeadline;
        p.proofDeadline = cfg.proofDeadline;
        p.revealWindow = cfg.revealWindow;
        v.prize = cfg.prize;
        v.phase = _phase(cfg, pr);
        v.held = pr.held;
        v.testSetRevealedCount = pr.testSetCount;
        v.testSetRevealed = pr.proofEnds != 0;
        v.proofEnds = pr.proofEnds;
        v.challengeEnds = pr.challengeEnds;
        v.committers = pr.committers;
        v.qualifiers = pr.qualifiers;
        v.provers = pr.provers;
        v.winnersPaid = pr.paidCount;
        v.prizePaid = pr.paidTotal;
        v.createdBlock = cfg.createdBlock;
        v.verifierCodeHash = cfg.verifierCodeHash;
        v.bondPool = _bondPool(cfg, pr);
        v.roundDeadline = pr.roundDeadline;
    }

    /// @inheritdoc IContestRegistry
    function ceremony(uint256 contestId) external view returns (CeremonyView memory v) {
        _existing(contestId);
        Ceremony storage c = _ceremony[contestId];
        v.deadline = c.deadline;
        v.contributions = c.contributions;
        v.log = c.log;
        v.fixedAt = c.fixedAt;
        v.transcriptHash = c.transcriptHash;
    }

    /// @inheritdoc IContestRegistry
    function entry(uint256 contestId, address competitor) external view returns (EntryView memory v) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        Entry storage e = _entries[contestId][competitor];
        v.status = e.status;
        v.commitment = e.commitment;
        v.commitSeq = e.seq;
        v.correct = e.correct;
        v.revealDeadline = e.revealDeadline;
        v.revealedCount = e.revealCount;
        v.committedAt = e.committedAt;
        v.shardsProved = e.shardsProved;
        // Before anyone closes the ranking, show the first ranks as the calls they will get.
        if (
            e.status == EntryStatus.Qualified && !pr.rankingClosed && block.timestamp > pr.proofEnds
                && _position(contestId, pr, competitor) < cfg.payoutBps.length
        ) {
            v.status = EntryStatus.Called;
            v.revealDeadline = uint256(pr.proofEnds) + cfg.revealWindow;
        }
    }

    /// @inheritdoc IContestRegistry
    function columnVerifiers(uint256 contestId)
        external
        view
        returns (address modelVerifier, bytes32 modelCodeHash, address testSetVerifier, bytes32 testSetCodeHash)
    {
        _existing(contestId);
        Columns storage c = _columns[contestId];
        return (c.model, c.modelCodeHash, c.testSet, c.testSetCodeHash);
    }

    /// @inheritdoc IContestRegistry
    function columnOpened(uint256 contestId, bytes32 key) external view returns (bool) {
        return _opened[contestId][key];
    }

    /// @inheritdoc IContestRegistry
    function shardInfo(uint256 contestId, uint256 index, address competitor)
        external
        view
        returns (uint256 testSetCommitment, bool proved, uint256 correct)
    {
        Config storage cfg = _existing(contestId);
        if (cfg.shards == 1) {
            Entry storage e = _entries[contestId][competitor];
            return (index == 0 ? cfg.testSetCommitment : 0, e.shardsProved != 0, e.correct);
        }
        uint256 c = _shardCorrect[contestId][competitor][index];
        return (_shardCommitment[contestId][index], c != 0, c == 0 ? 0 : c - 1);
    }

    /// @inheritdoc IContestRegistry
    function original(uint256 fingerprint) external view returns (OriginalView memory v) {
        Original storage o = _originals[fingerprint];
        v.owner = o.owner;
        v.contestId = o.contestId;
        v.committedAt = o.committedAt;
    }

    /// @inheritdoc IContestRegistry
    function ranking(uint256 contestId)
        external
        view
        returns (address[] memory competitors, uint256[] memory correct, uint256[] memory commitSeq)
    {
        _existing(contestId);
        Progress storage pr = _progress[contestId];
        competitors = new address[](pr.qualifiers);
        correct = new uint256[](pr.qualifiers);
        commitSeq = new uint256[](pr.qualifiers);
        address cur = pr.head;
        for (uint256 i = 0; cur != address(0); ++i) {
            Entry storage e = _entries[contestId][cur];
            competitors[i] = cur;
            correct[i] = e.correct;
            commitSeq[i] = e.seq;
            cur = e.next;
        }
    }

    /// @inheritdoc IContestRegistry
    function owed(uint256 contestId, address account) external view returns (uint256 amount) {
        Config storage cfg = _existing(contestId);
        Progress storage pr = _progress[contestId];
        (uint256 lazy,) = _lazyClaim(cfg, pr, _entries[contestId][account], account);
        amount = _credit[contestId][account] + lazy;
        // Closing a ranking that nobody entered refunds the organiser (see `_closeRanking`).
        bool closable = !pr.rankingClosed && pr.proofEnds != 0 && block.timestamp > pr.proofEnds;
        if (closable && pr.head == address(0) && account == cfg.organiser) amount += cfg.prize;
    }

    // ================================================================== in RegistryAnnex

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.fixVerifier` on this storage.
    function fixVerifier(
        uint256 contestId,
        address verifier,
        bytes32 vkDigest,
        bytes32 srsDigest,
        bytes32[2] calldata transcriptHash
    ) external {
        (contestId, verifier, vkDigest, srsDigest, transcriptHash); // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.challengeTestSet` on this storage.
    function challengeTestSet(
        uint256 contestId,
        uint256 chunk,
        uint256 start,
        uint256 stateBefore,
        uint256 stateAfter,
        uint256[] calldata elems
    ) external {
        (contestId, chunk, start, stateBefore, stateAfter, elems); // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.restartTestSetReveal` on this storage.
    function restartTestSetReveal(uint256 contestId) external {
        contestId; // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.contributeToCeremony` on this storage.
    function contributeToCeremony(uint256 contestId, bytes32[2] calldata contributionHash) external {
        (contestId, contributionHash); // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.restartModelReveal` on this storage.
    function restartModelReveal(uint256 contestId) external {
        contestId; // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.submitModelProof` on this storage.
    function submitModelProof(uint256 contestId, bytes calldata proof) external {
        (contestId, proof); // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.submitTestSetProof` on this storage.
    function submitTestSetProof(uint256 contestId, uint256 shard, bytes calldata proof) external {
        (contestId, shard, proof); // forwarded as they came, by `_annexed`
        _annexed();
    }

    /// @inheritdoc IContestRegistry
    /// @dev Runs `RegistryAnnex.forfeit` on this storage.
    function forfeit(uint256 contestId) external {
        contestId; // forwarded as they came, by `_annexed`
        _annexed();
    }

    // ================================================================== internals

    /// @dev keccak-256 of `lib`'s runtime code with bytes 1..20 zeroed if the code starts with
    ///      PUSH20 `lib` (a deployed library's call protection; the compiler's artifact has zeros
    ///      there), else of the code as is; `selfAddressed` tells which. Constructor only, so it
    ///      lives in the creation code. Uses memory above the free pointer without advancing it.
    function _maskedLibraryCodeHash(address lib) private view returns (bool selfAddressed, bytes32 h) {
        assembly ("memory-safe") {
            let a := and(lib, 0xffffffffffffffffffffffffffffffffffffffff) // high bits not assumed clean
            let size := extcodesize(a)
            let ptr := mload(0x40)
            mstore(ptr, 0) // code shorter than a word: the head compared below is zero-padded
            extcodecopy(a, ptr, 0, size)
            // Bytes 0..20 of the code: PUSH20 then the embedded address.
            selfAddressed := eq(shr(88, mload(ptr)), or(shl(160, PUSH20), a))
            if selfAddressed {
                mstore(ptr, and(mload(ptr), not(shl(88, 0xffffffffffffffffffffffffffffffffffffffff))))
            }
            h := keccak256(ptr, size)
        }
    }

    /// @dev Where the constructor created `RegistryAnnex`: `CREATE(address(this), 1)`, the RLP
    ///      of `[address(this), 1]` hashed.
    function _annexAddress() private view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), address(this), bytes1(0x01))))));
    }

    /// @dev Runs the current call's calldata in `RegistryAnnex` by DELEGATECALL and returns (or
    ///      reverts) with what it returned: the annex's function of the same selector runs on
    ///      this contract's storage, balance and `msg.sender`. Never returns to the caller.
    function _annexed() private {
        address annex = _annexAddress();
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), annex, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
