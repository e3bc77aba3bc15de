#!/usr/bin/env python3
"""Mutation testing of the registry (contracts/src/ContestRegistry.sol, RegistryBase.sol, RegistryAnnex.sol, and TestSetLayout.sol, compiled into them): are the tests good enough to notice?

Applies, one at a time, each mutation in MUTANTS (an exact old -> new text replacement, checked
to occur exactly once in today's source) to a COPY of contracts/, runs `forge test` on the test
suites that should notice it, and fails (exit 1) naming every survivor with its diff unless
every mutant is killed. contracts/src is never edited.

The copy lives in a temporary directory laid out like the repository (<tmp>/contracts, with
<tmp>/scripts and <tmp>/tools symlinked to the real ones), so foundry.toml's relative paths
(`solc = "../scripts/solc"`, the `../tools/node_modules` remapping, fs_permissions) resolve
unchanged and PoseidonT3 compiles to the very bytecode the registry pins. The copy's
foundry.toml turns the optimizer off for everything but PoseidonT3 (which keeps its own
1,000,000-run settings, so its pinned code hash still matches): solc-js then compiles
ContestRegistry.sol in ~4 s instead of ~13 s, and a mutant's behaviour does not depend on the
optimizer. Only GasBench (gas figures) does, so it is left out.

First the copy is built and the unmutated copy must pass every suite a mutant uses (else a
broken copy would "kill" everything). Then each mutant runs only its own suites, with
--fail-fast and without invariant shrinking: one failing test is all it takes.

Usage:
  scripts/mutate.py                 # CI: every mutant, its own suites, fail fast (~8 min)
  scripts/mutate.py --full          # every suite but GasBench, no fail-fast, and list every
                                    # test that kills each mutant (slow: ~20 min)
  scripts/mutate.py --only NAME...  # just these mutants
  scripts/mutate.py --list          # print the mutants and exit
  scripts/mutate.py --keep          # keep the temporary copy (its path is printed)

Exit: 0 every mutant killed; 1 a mutant survived; 2 the tool itself failed (a mutation that no
longer applies exactly once, a mutant that does not compile, a failing baseline).
"""

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORGE = os.path.join(ROOT, "tools", "node_modules", ".bin", "forge")
TARGET = "src/ContestRegistry.sol"
# The registry's other halves: its storage layout and shared rules, and the code it runs by
# DELEGATECALL (RegistryAnnex, created by the registry's constructor).
BASE = "src/RegistryBase.sol"
ANNEX = "src/RegistryAnnex.sol"
# The registry's test-set decoding, compiled into it (an internal library).
LAYOUT = "src/TestSetLayout.sol"

# The test files (under contracts/test) a mutant may be run against.
SUITES = {
    "setup": "ContestRegistry.setup.t.sol",
    "proof": "ContestRegistry.proof.t.sol",
    "payout": "ContestRegistry.payout.t.sol",
    "economics": "ContestRegistry.economics.t.sol",
    "places": "ContestRegistry.places.t.sol",
    "trust": "ContestRegistry.trust.t.sol",
    "ceremony": "ContestRegistry.ceremony.t.sol",
    "copies": "ContestRegistry.copies.t.sol",
    "challenge": "ContestRegistry.challenge.t.sol",
    "shards": "ContestRegistry.shards.t.sol",
    "columns": "ContestRegistry.columns.t.sol",
    "invariant": "invariant/ContestRegistry.invariant.t.sol",
    "poseidon": "PoseidonChain.t.sol",
}
# GasBench.t.sol asserts gas figures of the optimized build: never run on the unoptimized copy.

# The copy's foundry.toml: optimizer off, except for PoseidonT3 (each must apply exactly once).
TOML_EDITS = [
    ("\noptimizer = true\n", "\noptimizer = false\n"),
    (
        '{ name = "poseidon", optimizer_runs = 1000000 }',
        '{ name = "poseidon", optimizer = true, optimizer_runs = 1000000 }',
    ),
    (
        'PoseidonT3.sol", optimizer_runs = 1000000 }',
        'PoseidonT3.sol", optimizer = true, optimizer_runs = 1000000 }',
    ),
]


@dataclass
class Mutant:
    name: str
    what: str
    old: str
    new: str
    # Suites that must kill it, the one expected to kill it first.
    suites: list = field(default_factory=list)
    # The file (under contracts/) it mutates.
    path: str = TARGET


MUTANTS = [
    Mutant(
        "payout-order-reversed",
        "place j is paid the share of place K-1-j",
        "uint256 amount = cfg.prize * cfg.payoutBps[place] / BPS;",
        "uint256 amount = cfg.prize * cfg.payoutBps[ranks - 1 - place] / BPS;",
        ["places", "payout"],
        BASE,
    ),
    Mutant(
        "commit-deadline-off-by-one",
        "no commit in the commit deadline's own second",
        "if (block.timestamp > cfg.commitDeadline) {\n            revert CommitPhaseOver",
        "if (block.timestamp >= cfg.commitDeadline) {\n            revert CommitPhaseOver",
        ["setup"],
    ),
    Mutant(
        "test-set-deadline-off-by-one",
        "no test-set reveal in the test-set deadline's own second",
        "|| block.timestamp > cfg.testSetDeadline) {\n            revert TestSetRevealClosed",
        "|| block.timestamp >= cfg.testSetDeadline) {\n            revert TestSetRevealClosed",
        ["setup"],
        BASE,
    ),
    Mutant(
        "test-set-opens-at-commit-deadline",
        "the test set may be posted in the commit deadline's own second, while commits are open",
        "if (block.timestamp <= cfg.commitDeadline || block.timestamp > cfg.testSetDeadline)",
        "if (block.timestamp < cfg.commitDeadline || block.timestamp > cfg.testSetDeadline)",
        ["setup"],
        BASE,
    ),
    Mutant(
        "proof-deadline-off-by-one",
        "no proof in the proof window's own last second",
        "if (block.timestamp > pr.proofEnds) {\n            revert ProofWindowClosed",
        "if (block.timestamp >= pr.proofEnds) {\n            revert ProofWindowClosed",
        ["proof"],
    ),
    Mutant(
        "ranking-final-at-proof-deadline",
        "the ranking can be closed in the proof window's last second, while proofs are open",
        "if (block.timestamp <= pr.proofEnds) {\n            revert RankingNotFinal",
        "if (block.timestamp < pr.proofEnds) {\n            revert RankingNotFinal",
        ["payout"],
        BASE,
    ),
    Mutant(
        "reveal-deadline-off-by-one",
        "no model reveal in the reveal deadline's own second",
        "if (block.timestamp > e.revealDeadline) {\n            revert RevealWindowClosed",
        "if (block.timestamp >= e.revealDeadline) {\n            revert RevealWindowClosed",
        ["payout"],
        BASE,
    ),
    Mutant(
        "forfeit-inside-reveal-window",
        "a reveal round can be ended in its deadline's own second",
        "if (block.timestamp <= deadline) revert RevealWindowOpen",
        "if (block.timestamp < deadline) revert RevealWindowOpen",
        ["payout"],
        ANNEX,
    ),
    Mutant(
        "prize-credit-skipped",
        "a place is announced and counted as paid but never credited",
        "                _credit[contestId][cur] += amount;\n",
        "",
        ["payout", "places"],
        BASE,
    ),
    Mutant(
        "forfeit-calls-no-next-entry",
        "ending a round never calls the next entries (the prize is locked)",
        "        if (!pr.settled) {\n            _callRound(",
        "        if (false) {\n            _callRound(",
        ["payout", "places"],
        ANNEX,
    ),
    Mutant(
        "forfeited-bond-to-forfeiter",
        "a forfeited bond is also credited to whoever calls forfeit",
        "                ++lost;\n",
        "                ++lost;\n                _credit[contestId][msg.sender] += bond;\n",
        ["economics", "places"],
        ANNEX,
    ),
    Mutant(
        "forfeited-bond-to-competitor",
        "the forfeited bond goes back to the competitor that forfeited, not to the pool",
        "                ++lost;\n",
        "                _credit[contestId][cur] += bond;\n",
        ["economics", "payout"],
        ANNEX,
    ),
    Mutant(
        "bond-not-returned-on-reveal",
        "a revealed entry's bond is never returned",
        "        _credit[contestId][msg.sender] += cfg.bond;\n",
        "",
        ["payout", "places"],
        ANNEX,
    ),
    Mutant(
        "remainder-to-organiser",
        "the remainder goes to the organiser instead of the first-placed winner",
        "address to = paid > 0 ? pr.winners[0] : cfg.organiser;",
        "address to = cfg.organiser;",
        ["payout", "places"],
        BASE,
    ),
    Mutant(
        "min-correct-check-removed",
        "proofs below the threshold are ranked (and can be paid)",
        "bool ranked = c >= cfg.minCorrect;",
        "bool ranked = true;",
        ["proof"],
    ),
    Mutant(
        "correct-above-n-check-removed",
        "a proof may claim more correct answers than the test set has",
        "        if (correct > cfg.testSetSize / shards) revert CorrectExceedsTestSetSize(correct, cfg.testSetSize / shards);\n",
        "",
        ["proof"],
    ),
    Mutant(
        "withdraw-reentrancy-guard-removed",
        "withdraw can be re-entered from the payment",
        "function withdraw(uint256 contestId) external nonReentrant returns",
        "function withdraw(uint256 contestId) external returns",
        ["payout"],
    ),
    Mutant(
        "verifier-gas-check-removed",
        "a submitter with too little gas gets a spurious rejection instead of an error",
        "        if (gasleft() < VERIFIER_GAS + VERIFIER_GAS_MARGIN) {\n"
        "            revert InsufficientGasForVerifier(gasleft(), VERIFIER_GAS + VERIFIER_GAS_MARGIN);\n"
        "        }\n",
        "",
        ["proof"],
        BASE,
    ),
    Mutant(
        "verifier-codehash-check-removed",
        "submitProof calls a verifier whose code changed (or vanished) since creation",
        "        if (current != codeHash) revert VerifierCodeChanged(contestId, verifier, codeHash, current);\n",
        "",
        ["trust"],
        BASE,
    ),
    Mutant(
        "poseidon-code-check-removed",
        "the constructor accepts any contract that answers P(1, 2)",
        "        if (!selfAddressed || maskedHash != POSEIDON_T3_CODEHASH) {\n"
        "            revert PoseidonCodeMismatch(poseidonT3, maskedHash);\n"
        "        }\n",
        "",
        ["trust"],
    ),
    Mutant(
        "tie-break-reversed",
        "ties on correct go to the later commit",
        "(n.correct == correct && n.seq > seq)",
        "(n.correct == correct && n.seq < seq)",
        ["proof", "places"],
        BASE,
    ),
    Mutant(
        "verifier-gas-uncapped",
        "the verifier gets all remaining gas instead of VERIFIER_GAS_LIMIT",
        "staticcall(VERIFIER_GAS, verifier,",
        "staticcall(gas(), verifier,",
        ["proof"],
        BASE,
    ),
    # ---- shared columns (PROTOCOL §14.2.1)
    Mutant(
        "model-column-not-compared",
        "a shard proof's model column is not compared: any weights prove a shard",
        "        if (!_opened[contestId][_modelKey(msg.sender, commitment, proof[:POINT])]) {\n",
        "        if (false) {\n",
        ["columns"],
    ),
    Mutant(
        "rows-column-not-compared",
        "a shard proof's rows column is not compared: any rows prove a shard",
        "        if (cols.testSet != address(0) && !_opened[contestId][_rowsKey(shard, ts, proof[POINT:2 * POINT])]) {\n",
        "        if (false) {\n",
        ["columns"],
    ),
    Mutant(
        "rows-column-read-at-the-model-point",
        "the rows column is read from the shard proof's first point (the model's)",
        "_rowsKey(shard, ts, proof[POINT:2 * POINT])]",
        "_rowsKey(shard, ts, proof[:POINT])]",
        ["columns"],
    ),
    Mutant(
        "model-key-without-sender",
        "an opened model column serves every address with the same commitment",
        "return keccak256(abi.encodePacked(who, commitment, point));",
        "return keccak256(abi.encodePacked(commitment, point));",
        ["columns"],
        BASE,
    ),
    Mutant(
        "model-key-without-commitment",
        "a model column opened to a replaced commitment still serves the new one",
        "return keccak256(abi.encodePacked(who, commitment, point));",
        "return keccak256(abi.encodePacked(who, point));",
        ["columns"],
        BASE,
    ),
    Mutant(
        "rows-key-without-shard",
        "a rows column opened for one shard serves every shard",
        "return keccak256(abi.encodePacked(shard, ts, point));",
        "return keccak256(abi.encodePacked(point));",
        ["columns"],
        BASE,
    ),
    Mutant(
        "model-proof-without-commitment",
        "the model verifier is not given the sender's commitment",
        "_verifyWith(contestId, cols.model, cols.modelCodeHash, commitment, 0, 0, proof);",
        "_verifyWith(contestId, cols.model, cols.modelCodeHash, 0, 0, 0, proof);",
        ["columns"],
        ANNEX,
    ),
    Mutant(
        "test-set-proof-without-ts",
        "the test-set verifier is not given the shard's T_s",
        "_verifyWith(contestId, cols.testSet, cols.testSetCodeHash, 0, ts, 0, proof);",
        "_verifyWith(contestId, cols.testSet, cols.testSetCodeHash, 0, 0, 0, proof);",
        ["columns"],
        ANNEX,
    ),
    Mutant(
        "model-verifier-code-not-pinned",
        "a model verifier whose code changed after creation still opens columns",
        "_verifyWith(contestId, cols.model, cols.modelCodeHash,",
        "_verifyWith(contestId, cols.model, cols.model.codehash,",
        ["columns"],
        ANNEX,
    ),
    Mutant(
        "test-set-proof-after-the-window",
        "test-set proofs are accepted after the proof window",
        "        if (pr.proofEnds == 0) revert TestSetNotRevealed(contestId);\n        _beforeProofEnds(contestId, pr);\n",
        "        if (pr.proofEnds == 0) revert TestSetNotRevealed(contestId);\n",
        ["columns"],
        ANNEX,
    ),
    Mutant(
        "test-set-verifier-without-code",
        "createSharedContest accepts a test-set verifier without code",
        "            if (testSetVerifier.code.length == 0) revert VerifierHasNoCode(testSetVerifier);\n",
        "",
        ["columns"],
    ),
    Mutant(
        "zero-bond-check-removed",
        "a contest with a zero bond is accepted (free sybils)",
        "        if (p.commitBond == 0) revert ZeroBond();\n",
        "",
        ["setup"],
        BASE,
    ),
    Mutant(
        "reveal-window-minimum-removed",
        "a 1-second reveal window is accepted (every called winner forfeits)",
        "_checkWindow(3, p.revealWindow, MIN_REVEAL_WINDOW);",
        "_checkWindow(3, p.revealWindow, 0);",
        ["setup"],
        BASE,
    ),
    # ---- the economic rules R1-R7 (contracts/README.md)
    Mutant(
        "scored-bond-not-returned",
        "R1: a below-threshold (scored) entry never gets its bond back",
        "s == EntryStatus.Scored || (s == EntryStatus.Committed",
        "(s == EntryStatus.Committed",
        ["economics", "payout"],
        BASE,
    ),
    Mutant(
        "provers-not-counted",
        "R1/R2: accepted proofs are not counted as provers (their bonds are pooled as non-provers')",
        "        pr.provers += 1;\n",
        "",
        ["economics", "proof"],
    ),
    Mutant(
        "non-prover-bond-refunded",
        "R2: an entry that never proved gets its bond back although somebody proved",
        "(s == EntryStatus.Committed && pr.provers == 0)",
        "s == EntryStatus.Committed",
        ["economics", "payout"],
        BASE,
    ),
    Mutant(
        "non-prover-bond-not-pooled",
        "R2: bonds of entries that never proved are neither refunded nor pooled (locked)",
        "        if (pr.provers != 0 && block.timestamp > pr.proofEnds) lost += pr.committers - pr.provers;\n",
        "",
        ["economics", "payout"],
        BASE,
    ),
    Mutant(
        "forfeited-bonds-not-pooled",
        "R3: forfeited bonds never reach the pool (locked)",
        "        pr.forfeits += uint32(lost);\n",
        "",
        ["economics", "payout"],
        ANNEX,
    ),
    Mutant(
        "pool-place-share-to-organiser",
        "R3/R4: paid places' shares of the bond pool are credited to the organiser",
        "_credit[contestId][w] += share;",
        "_credit[contestId][cfg.organiser] += share;",
        ["economics", "places"],
        BASE,
    ),
    Mutant(
        "pool-rest-to-organiser",
        "R3/R4: the pool's rest is credited to the organiser instead of the first place",
        "_credit[contestId][to] += rest;",
        "_credit[contestId][cfg.organiser] += rest;",
        ["economics", "places"],
        BASE,
    ),
    Mutant(
        "pool-split-equally-among-places",
        "R4: the pool is split equally among paid places instead of by payoutBps",
        "uint256 share = pool * cfg.payoutBps[p] / BPS;",
        "uint256 share = pool / paid;",
        ["economics", "places"],
        BASE,
    ),
    Mutant(
        "pool-to-scored-without-scored",
        "R4: with nobody paid and nobody scored the pool goes to nobody (locked), not the organiser",
        "} else if (pr.provers == pr.qualifiers) {",
        "} else if (false) {",
        ["economics", "payout"],
        BASE,
    ),
    Mutant(
        "pool-share-rounding-lost",
        "R4: the equal split's rounding goes to nobody (locked)",
        "            if (pr.poolClaims == 0) share += pool - share * n;\n",
        "",
        ["economics"],
        BASE,
    ),
    Mutant(
        "pool-share-for-any-entry",
        "R4: any entry (unproved, forfeited) claims an equal share of an unpaid pool, not only scored ones",
        "if (s == EntryStatus.Scored && !e.poolClaimed",
        "if (s != EntryStatus.None && !e.poolClaimed",
        ["economics", "places"],
        BASE,
    ),
    Mutant(
        "proof-window-from-test-set-deadline",
        "R5: the proof window ends at proofDeadline, not a full window after the actual reveal",
        "pr.proofEnds = uint64(block.timestamp) + window;",
        "pr.proofEnds = cfg.proofDeadline;",
        ["proof"],
    ),
    Mutant(
        "first-round-from-proof-deadline",
        "R5/R6: the first reveal round ends revealWindow after proofDeadline, not after proofEnds",
        "pr.proofEnds + cfg.revealWindow);",
        "cfg.proofDeadline + cfg.revealWindow);",
        ["proof", "payout"],
        BASE,
    ),
    Mutant(
        "forfeit-one-entry-per-round",
        "R6: a forfeit ends only one called entry, not the whole round",
        "                emit ModelForfeited(contestId, cur, deadline, bond);\n",
        "                emit ModelForfeited(contestId, cur, deadline, bond);\n                break;\n",
        ["economics", "places"],
        ANNEX,
    ),
    Mutant(
        "next-round-calls-k-not-unfilled",
        "R6: a new round calls K entries instead of the places left unfilled",
        "_callRound(contestId, pr, cfg.payoutBps.length - pr.paidCount,",
        "_callRound(contestId, pr, cfg.payoutBps.length,",
        ["places", "invariant"],
        ANNEX,
    ),
    Mutant(
        "hint-check-skipped",
        "R7: any address is accepted as rank hint (an entry can be linked after a worse one)",
        "            if (h.status != EntryStatus.Qualified || h.correct < correct || (h.correct == correct && h.seq > seq)) {\n"
        "                revert BadRankHint(contestId, hint);\n"
        "            }\n",
        "",
        ["proof"],
        BASE,
    ),
    Mutant(
        "hint-rank-check-inverted",
        "R7: a hint must rank below the new entry instead of above",
        "h.correct < correct || (h.correct == correct && h.seq > seq)",
        "h.correct > correct || (h.correct == correct && h.seq < seq)",
        ["proof"],
        BASE,
    ),
    Mutant(
        "hint-ranked-check-skipped",
        "R7: an unranked entry (scored, unproved, another contest's) is accepted as hint",
        "h.status != EntryStatus.Qualified || ",
        "",
        ["proof"],
        BASE,
    ),
    Mutant(
        "stale-hint-not-walked",
        "R7: the entry is inserted right after its hint without walking past better entries",
        "        while (cur != address(0)) {\n            Entry storage n",
        "        while (hint == address(0) && cur != address(0)) {\n            Entry storage n",
        ["proof"],
        BASE,
    ),
    Mutant(
        "ceremony-commit-before-fix",
        "C1: a ceremony contest takes commitments before its verifier is fixed",
        "        // A ceremony contest takes commitments only once its verifier is known.\n"
        "        if (cfg.verifierPending) revert VerifierNotFixed(contestId);\n",
        "",
        ["ceremony"],
    ),
    Mutant(
        "ceremony-fix-during-ceremony",
        "C2: the verifier may be fixed while contributions are still taken",
        "if (block.timestamp <= c.deadline) revert CeremonyOpen",
        "if (block.timestamp < c.deadline) revert CeremonyOpen",
        ["ceremony"],
        ANNEX,
    ),
    Mutant(
        "ceremony-fix-twice",
        "C3: a fixed verifier can be replaced",
        "        if (!cfg.verifierPending) revert VerifierAlreadyFixed(contestId);\n",
        "",
        ["ceremony"],
        ANNEX,
    ),
    Mutant(
        "ceremony-fix-by-anyone",
        "C4: anyone may fix a ceremony contest's verifier",
        "        if (msg.sender != cfg.organiser) revert NotOrganiser(contestId, msg.sender, cfg.organiser);\n"
        "        if (!cfg.verifierPending)",
        "        if (!cfg.verifierPending)",
        ["ceremony"],
        ANNEX,
    ),
    Mutant(
        "ceremony-fix-no-commit-window",
        "C5: the verifier may be fixed with less than the minimum commit window left",
        "if (left < MIN_COMMIT_WINDOW) revert",
        "if (left < 1) revert",
        ["ceremony"],
        ANNEX,
    ),
    Mutant(
        "ceremony-contribution-after-deadline",
        "C6: contributions are taken after the ceremony's deadline",
        "if (!cfg.verifierPending || block.timestamp > c.deadline) {",
        "if (!cfg.verifierPending) {",
        ["ceremony"],
        ANNEX,
    ),
    Mutant(
        "ceremony-log-drops-contributor",
        "C7: the running log does not bind who contributed",
        "abi.encodePacked(c.log, msg.sender, contributionHash[0]",
        "abi.encodePacked(c.log, contributionHash[0]",
        ["ceremony"],
        ANNEX,
    ),
    Mutant(
        "ceremony-testset-before-fix",
        "C8: the organiser may post the test set of a contest whose verifier was never fixed",
        "        if (cfg.verifierPending) revert VerifierNotFixed(contestId);\n        if (pr.proofEnds != 0 ||",
        "        if (pr.proofEnds != 0 ||",
        ["ceremony"],
        BASE,
    ),
    Mutant(
        "decode-skipped",
        "the revealed test set is not decoded (a malformed preimage of T reveals)",
        "if (!decodes(elems[i], st, j - st.first)) return j;",
        "if (!decodes(elems[i], st, j - st.first) && false) return j;",
        ["setup"],
        LAYOUT,
    ),
    Mutant(
        "decode-range-off-by-one",
        "a value one past the span decodes",
        "st.add = (full - st.span) * r;",
        "st.add = (full - st.span - (st.span < full ? 1 : 0)) * r;",
        ["setup"],
        LAYOUT,
    ),
    Mutant(
        "decode-odd-values-unchecked",
        "only the even value slots are range-checked",
        "return ((even + st.add) | (odd + st.add)) & st.carries == 0;",
        "return (even + st.add) & st.carries == 0 && odd >= 0;",
        ["setup"],
        LAYOUT,
    ),
    Mutant(
        "decode-padding-unchecked",
        "bits past an element's last value are not checked",
        "if (e >> (b * n) != 0) return false;",
        "if (e >> (b * st.per) != 0) return false;",
        ["setup"],
        LAYOUT,
    ),
    Mutant(
        "testset-length-unchecked",
        "a test set shorter than its layout reveals",
        "if (count > perShard * cfg.shards || (last && count != perShard * cfg.shards)) {",
        "if (count > perShard * cfg.shards) {",
        ["setup"],
    ),
    Mutant(
        "layout-classes-unchecked",
        "a contest with one class is accepted",
        "if (p.features == 0 || p.classes < 2) revert",
        "if (p.features == 0 || p.classes < 1) revert",
        ["setup"],
        BASE,
    ),
    Mutant(
        "copy-not-disqualified",
        "a copy's reveal is accepted as an original",
        "if (_disqualifiedAsCopy(contestId, e, fingerprint, cfg.bond)) {",
        "if (_disqualifiedAsCopy(contestId, e, fingerprint, cfg.bond) && false) {",
        ["copies"],
        ANNEX,
    ),
    Mutant(
        "copy-fingerprint-with-salt",
        "the fingerprint includes the salt (every copy looks new)",
        "if (_disqualifiedAsCopy(contestId, e, fingerprint, cfg.bond)) {",
        "if (_disqualifiedAsCopy(contestId, e, hNew, cfg.bond)) {",
        ["copies"],
        ANNEX,
    ),
    Mutant(
        "copy-same-second-disqualified",
        "a commitment in the same second as the original's counts as a copy",
        "&& (o.committedAt < e.committedAt || o.contestId == contestId)",
        "&& (o.committedAt <= e.committedAt || o.contestId == contestId)",
        ["copies"],
        ANNEX,
    ),
    Mutant(
        "copy-same-contest-ignored",
        "one model under two addresses of one contest is paid twice when the later copy reveals first",
        "&& (o.committedAt < e.committedAt || o.contestId == contestId)",
        "&& (o.committedAt < e.committedAt)",
        ["copies"],
        ANNEX,
    ),
    Mutant(
        "copy-original-never-updated",
        "an earlier commitment revealed later does not become the original",
        "if (owner == address(0) || e.committedAt < o.committedAt) {",
        "if (owner == address(0)) {",
        ["copies"],
        ANNEX,
    ),
    Mutant(
        "copy-bond-not-to-pool",
        "a disqualified copy's bond is lost to nobody (not counted in the pool)",
        "e.status = EntryStatus.Disqualified;\n            pr.forfeits += 1;",
        "e.status = EntryStatus.Disqualified;\n            pr.forfeits += 0;",
        ["copies"],
        ANNEX,
    ),
    Mutant(
        "copy-replacement-keeps-old-time",
        "a replaced commitment keeps the first commitment's time (a copy can be backdated)",
        "e.committedAt = uint64(block.timestamp);",
        "if (!replaced) e.committedAt = uint64(block.timestamp);",
        ["copies"],
    ),
    # The optimistic test-set reveal (PROTOCOL §14.3). (An element past the test set's end is
    # not a mutant any more: the reveal's final count check refuses it before any challenge, so
    # TestSetLayout's `k >= st.elements` cannot be reached from the registry.)
    Mutant(
        "proofs-during-challenge-window",
        "a proof is accepted in the challenge window's last second",
        "if (block.timestamp <= pr.challengeEnds) {",
        "if (block.timestamp < pr.challengeEnds) {",
        ["challenge"],
    ),
    Mutant(
        "challenge-window-whole-proof-window",
        "the challenge window is not the proof window's first quarter",
        "pr.challengeEnds = uint64(block.timestamp) + window / 4;",
        "pr.challengeEnds = uint64(block.timestamp) + window / 2;",
        ["setup"],
    ),
    Mutant(
        "claim-field-unchecked",
        "a claim >= p, which PoseidonT3 reduces silently, is taken",
        "        if (stateAfter >= PoseidonChain.FIELD_MODULUS) revert ClaimNotInField(stateAfter);\n",
        "",
        ["challenge"],
    ),
    Mutant(
        "challenge-chain-not-recomputed",
        "a chunk whose claimed state is wrong cannot be challenged",
        "if (computed == stateAfter) revert ChunkChecksOut",
        "if (computed == stateAfter || true) revert ChunkChecksOut",
        ["challenge"],
        ANNEX,
    ),
    Mutant(
        "challenge-malformed-ignored",
        "a chunk holding an element that does not decode cannot be challenged",
        "if (malformed == TestSetLayout.ALL_DECODE) {",
        "if (malformed == TestSetLayout.ALL_DECODE || true) {",
        ["setup"],
        ANNEX,
    ),
    Mutant(
        "challenge-record-unchecked",
        "a challenge may name data other than the posted chunk",
        "if (chunk >= pr.testSetChunks || posted != _testSetChunk[contestId][chunk]) {",
        "if (chunk >= pr.testSetChunks) {",
        ["challenge"],
        ANNEX,
    ),
    Mutant(
        "restart-keeps-chunks",
        "chunks discarded by a restart can still be challenged",
        "        pr.testSetChunks = 0;\n",
        "",
        ["challenge"],
        ANNEX,
    ),
    Mutant(
        "challenge-reward-not-deducted",
        "the challenger's reward is paid on top of the prize (more owed than held)",
        "        cfg.prize -= reward;\n",
        "",
        ["challenge"],
        ANNEX,
    ),
    Mutant(
        "faulted-contest-revealable-again",
        "an organiser whose test set was successfully challenged may reveal again",
        "if (pr.proofEnds != 0 || pr.testSetFaulted) revert TestSetAlreadyRevealed",
        "if (pr.proofEnds != 0) revert TestSetAlreadyRevealed",
        ["challenge"],
        BASE,
    ),
    Mutant(
        "faulted-phase-not-missed",
        "a successfully challenged contest is back in the test-set phase until its deadline",
        "block.timestamp <= cfg.testSetDeadline && !pr.testSetFaulted ? Phase.TestSetReveal",
        "block.timestamp <= cfg.testSetDeadline ? Phase.TestSetReveal",
        ["challenge"],
        BASE,
    ),
    Mutant(
        "faulted-default-split-waits",
        "after a successful challenge the committers wait for the test-set deadline",
        "&& !cfg.verifierPending && !pr.testSetFaulted) return (0, 0);",
        "&& !cfg.verifierPending) return (0, 0);",
        ["challenge"],
        BASE,
    ),
    # Sharded test sets (PROTOCOL §14.1).
    Mutant(
        "shard-count-unvalidated",
        "a shard count that does not divide the rows is accepted",
        "if (p.shards == 0 || p.testSetSize % p.shards != 0)",
        "if (p.shards == 0)",
        ["shards"],
        BASE,
    ),
    Mutant(
        "shard-chain-not-restarted",
        "a shard's chain continues from the previous shard's claim instead of the tag",
        "offset == 0 && elems.length != 0 ? PoseidonChain.TESTSET_TAG : pr.testSetHash",
        "start == 0 ? PoseidonChain.TESTSET_TAG : pr.testSetHash",
        ["shards"],
    ),
    Mutant(
        "shard-chunk-may-cross",
        "a chunk may span two shards",
        "        if (offset + elems.length > perShard) revert ChunkCrossesShard(start, elems.length, perShard);\n",
        "",
        ["shards"],
    ),
    Mutant(
        "shard-root-not-checked",
        "a sharded set's final check is the flat chain's, not the root of the shards",
        ": PoseidonChain.finish(_poseidon, pr.shardRoot, cfg.shards);",
        ": PoseidonChain.finish(_poseidon, stateAfter, count);",
        ["shards"],
    ),
    Mutant(
        "shard-commitment-not-recorded",
        "a shard's commitment is not the one its chunks end in (the shard before's)",
        "_shardCommitment[contestId][start / perShard] = ts;",
        "_shardCommitment[contestId][start / perShard + 1] = ts;",
        ["shards"],
    ),
    Mutant(
        "shard-proved-against-t",
        "every shard is proved against T, not the registry's T_s",
        "uint256 ts = shards == 1 ? cfg.testSetCommitment : _shardCommitment[contestId][shard];",
        "uint256 ts = cfg.testSetCommitment;",
        ["shards"],
    ),
    Mutant(
        "shard-proved-twice",
        "one shard's proof may be submitted twice (its count summed twice)",
        "if (shards > 1 && _shardCorrect[contestId][msg.sender][shard] != 0) {",
        "if (false) {",
        ["shards"],
    ),
    Mutant(
        "shard-out-of-range",
        "a shard past the last may be proved (against commitment 0)",
        "        if (shard >= shards) revert ShardOutOfRange(contestId, shard, shards);\n",
        "",
        ["shards"],
    ),
    Mutant(
        "shard-partial-entry-ranked",
        "an entry is ranked before all its shards are in",
        "            if (done < shards) return;\n",
        "",
        ["shards"],
    ),
    Mutant(
        "shard-counted-as-prover",
        "each shard proof counts its entry among the provers (a part-way entry keeps its bond)",
        "            if (done < shards) return;\n",
        "            pr.provers += 1;\n            if (done < shards) return;\n",
        ["shards", "invariant"],
    ),
    Mutant(
        "shard-decoded-from-set-start",
        "a challenged chunk is decoded from the whole set's start, not its shard's",
        "uint256 base = start - start % TestSetLayout.length(l);",
        "uint256 base = 0;",
        ["shards"],
        ANNEX,
    ),
]


def log(msg=""):
    print(msg, file=sys.stderr, flush=True)


def match_path(suites):
    files = sorted({SUITES[s] for s in suites})
    return "test/" + (files[0] if len(files) == 1 else "{" + ",".join(files) + "}")


def make_copy(keep):
    """The temporary copy; returns (tmp dir, copy's contracts dir) or raises SystemExit(2)."""
    tmp = tempfile.mkdtemp(prefix="zkcontest-mutants.")
    if keep:
        log(f"copy kept at {tmp}/contracts")
    os.symlink(os.path.join(ROOT, "scripts"), os.path.join(tmp, "scripts"))
    os.symlink(os.path.join(ROOT, "tools"), os.path.join(tmp, "tools"))
    dst = os.path.join(tmp, "contracts")
    shutil.copytree(
        os.path.join(ROOT, "contracts"), dst, symlinks=True, ignore=shutil.ignore_patterns("out", "cache")
    )
    toml = os.path.join(dst, "foundry.toml")
    with open(toml) as f:
        text = f.read()
    for old, new in TOML_EDITS:
        if text.count(old) != 1:
            shutil.rmtree(tmp, ignore_errors=True)
            log(f"mutate: contracts/foundry.toml changed: {old.strip()!r} does not occur exactly once;")
            log("        update TOML_EDITS in scripts/mutate.py")
            raise SystemExit(2)
        text = text.replace(old, new)
    with open(toml, "w") as f:
        f.write(text)
    return tmp, dst


def run_forge(cwd, suites, fail_fast):
    """Runs forge test on `suites`; returns (status, failed tests, seconds, stderr tail).
    status: "pass", "fail" (some test failed), or "error" (no test results: compile error...)."""
    cmd = [FORGE, "test", "--threads", "1", "--json", "--match-path", match_path(suites)]
    if fail_fast:
        cmd.append("--fail-fast")
    env = dict(os.environ)
    env["FOUNDRY_INVARIANT_SHRINK_RUN_LIMIT"] = "0"  # one failing sequence is enough
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    failed = []
    results = None
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                results = json.loads(line)
            except json.JSONDecodeError:
                continue
    if results is None:
        return "error", [], seconds, (proc.stderr + proc.stdout)[-3000:]
    for suite, body in results.items():
        for test, r in body.get("test_results", {}).items():
            if r.get("status") == "Failure":
                contract = suite.split(":")[-1]
                reason = r.get("reason") or ""
                failed.append(f"{contract}.{test}" + (f": {reason[:160]}" if reason else ""))
    if failed:
        return "fail", failed, seconds, ""
    if proc.returncode != 0:
        return "error", [], seconds, (proc.stderr + proc.stdout)[-3000:]
    return "pass", [], seconds, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="every suite, no fail-fast; list every killing test")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutants")
    ap.add_argument("--list", action="store_true", help="print the mutants and exit")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = ap.parse_args()

    mutants = MUTANTS
    if args.only:
        unknown = set(args.only) - {m.name for m in MUTANTS}
        if unknown:
            log(f"mutate: unknown mutant(s): {', '.join(sorted(unknown))}")
            return 2
        mutants = [m for m in MUTANTS if m.name in args.only]
    if args.list:
        for m in mutants:
            print(f"{m.name:36} {','.join(m.suites):16} {m.what}")
        return 0

    pristine = {}
    for path in sorted({m.path for m in mutants}):
        with open(os.path.join(ROOT, "contracts", path)) as f:
            pristine[path] = f.read()
    bad = [f"{m.name} ({m.path})" for m in mutants if pristine[m.path].count(m.old) != 1]
    if bad:
        log("mutate: these mutations no longer apply exactly once to their file under contracts/")
        log("        (update MUTANTS in scripts/mutate.py with the contract): " + ", ".join(bad))
        return 2

    total_start = time.monotonic()
    tmp, copy = make_copy(args.keep)
    try:
        log("==> forge build (the copy, optimizer off but for PoseidonT3)")
        start = time.monotonic()
        build = subprocess.run([FORGE, "build"], cwd=copy, capture_output=True, text=True)
        log(f"    ({time.monotonic() - start:.0f} s)")
        if build.returncode != 0:
            log("mutate: the copy does not build\n" + (build.stderr + build.stdout)[-3000:])
            return 2
        # The trust suite pins PoseidonT3's code hash: it proves the copy built it right.
        used = sorted(SUITES) if args.full else sorted({s for m in mutants for s in m.suites} | {"trust"})
        log(f"==> baseline: unmutated copy, suites {', '.join(used)}")
        status, failed, secs, err = run_forge(copy, used, fail_fast=False)
        log(f"    {status} ({secs:.0f} s)")
        if status != "pass":
            log("mutate: the unmutated copy does not pass; fix that first")
            for t in failed:
                log(f"    FAIL {t}")
            if err:
                log(err)
            return 2

        survivors = []
        errors = []
        for i, m in enumerate(mutants, 1):
            target = os.path.join(copy, m.path)
            mutated = pristine[m.path].replace(m.old, m.new, 1)
            with open(target, "w") as f:
                f.write(mutated)
            suites = sorted(SUITES) if args.full else m.suites
            status, failed, secs, err = run_forge(copy, suites, fail_fast=not args.full)
            head = f"[{i}/{len(mutants)}] {m.name} ({secs:.0f} s)"
            if status == "fail":
                log(f"{head}: killed by {failed[0]}")
                for t in failed[1:]:
                    log(f"        also {t}")
            elif status == "pass":
                log(f"{head}: SURVIVED ({m.what}); suites: {', '.join(suites)}")
                survivors.append((m, mutated))
            else:
                log(f"{head}: ERROR (does the mutant compile?)\n{err}")
                errors.append(m.name)
            with open(target, "w") as f:
                f.write(pristine[m.path])

        elapsed = time.monotonic() - total_start
        killed = len(mutants) - len(survivors) - len(errors)
        log(f"\nmutate: {killed} of {len(mutants)} mutants killed in {elapsed:.0f} s")
        for m, mutated in survivors:
            log(f"\nSURVIVOR {m.name}: {m.what}")
            diff = difflib.unified_diff(
                pristine[m.path].splitlines(True),
                mutated.splitlines(True),
                "a/contracts/" + m.path,
                "b/contracts/" + m.path,
            )
            sys.stderr.writelines(diff)
        if errors:
            log("mutate: mutants that did not run: " + ", ".join(errors))
            return 2
        return 1 if survivors else 0
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
