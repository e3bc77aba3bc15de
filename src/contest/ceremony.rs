//! A contest's own powers-of-tau ceremony on chain (docs/PROTOCOL.md §12.5): contributors
//! record their contribution hashes with the registry before the ceremony's deadline; the
//! organiser then builds the keys from the final transcript and fixes the verifier; the audit
//! matches the transcript's contributions against the records.
//!
//! The registry cannot check a contribution (the transcript is megabytes of curve points), so a
//! record is an announcement: "the address that sent this made the contribution with this hash,
//! before the ceremony closed". Anyone can record anything, so a record that is missing from
//! the transcript proves nothing by itself (it may be spam); what matters to an auditor is the
//! other direction: a verified transcript that contains a contribution recorded by an address
//! the auditor trusts — above all its own — was made with a secret nobody else knows.

use std::path::Path;

use serde::Serialize;

use super::trust::{check, AuditRequest, Check, SrsProvenance};
use super::{ContestError, Result};
use crate::chain::registry::Registry;
use crate::chain::types::{Addr, Blake2b, CeremonyInfo, CeremonyRecord, Phase, Tx};
use crate::prover::ptau::ceremony::{
    list_contributions, verify_ceremony, verify_ceremony_cached, CeremonyReport,
};

/// One contribution of a transcript, with who recorded it on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchedContribution {
    /// 1-based position in the transcript.
    pub index: u32,
    /// The name recorded in the transcript; may be empty.
    pub name: String,
    /// Its contribution (response) hash, hex.
    pub contribution_hash: String,
    /// A beacon contribution.
    pub beacon: bool,
    /// The addresses that recorded this hash on chain (usually one; none for a contribution
    /// that was never announced).
    pub recorded_by: Vec<Addr>,
    /// Recorded by an address the auditor trusts.
    pub trusted: bool,
}

/// A transcript's contributions against the records of a contest's ceremony.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CeremonyMatch {
    /// The transcript's contributions, oldest first.
    pub contributions: Vec<MatchedContribution>,
    /// Records whose hash is in no contribution of the transcript (left out by whoever built
    /// the final file, or hashes of nothing).
    pub missing: Vec<CeremonyRecord>,
}

impl CeremonyMatch {
    /// Whether a contribution recorded by a trusted address is in the transcript.
    pub fn includes_trusted(&self) -> bool {
        self.contributions.iter().any(|c| c.trusted)
    }
}

/// Matches the transcript's contributions (from `verify_ceremony`) with the on-chain records;
/// `trusted` are the addresses whose records the auditor trusts.
pub fn match_records(
    report: &CeremonyReport,
    records: &[CeremonyRecord],
    trusted: &[Addr],
) -> CeremonyMatch {
    let contributions = report
        .contributions
        .iter()
        .map(|c| {
            let hash = Blake2b::from_hex(&c.contribution_hash);
            let recorded_by: Vec<Addr> = records
                .iter()
                .filter(|r| hash == Some(r.contribution_hash))
                .map(|r| r.contributor)
                .collect();
            let trusted = recorded_by.iter().any(|a| trusted.contains(a));
            MatchedContribution {
                index: c.index,
                name: c.name.clone(),
                contribution_hash: c.contribution_hash.clone(),
                beacon: c.beacon,
                recorded_by,
                trusted,
            }
        })
        .collect::<Vec<_>>();
    let in_file: Vec<Option<Blake2b>> = report
        .contributions
        .iter()
        .map(|c| Blake2b::from_hex(&c.contribution_hash))
        .collect();
    let missing = records
        .iter()
        .filter(|r| !in_file.contains(&Some(r.contribution_hash)))
        .cloned()
        .collect();
    CeremonyMatch {
        contributions,
        missing,
    }
}

/// Records the contribution with hash `hash` (default: `ptau`'s latest) in contest `id`'s
/// ceremony. Refuses a hash that is not in the file, a contest without a ceremony or whose
/// ceremony is closed, and a hash this sender already recorded. The file's points are not
/// verified here (the contributor just made it, and every audit verifies the final one).
pub async fn record(
    registry: &Registry,
    id: u64,
    ptau: &Path,
    hash: Option<Blake2b>,
) -> Result<(CeremonyRecord, Tx)> {
    let info = registry.ceremony(id).await?;
    let contest = registry.contest(id).await?;
    if info.deadline == 0 || contest.phase != Phase::Ceremony || info.fixed_at != 0 {
        return Err(ContestError::WrongPhase {
            action: "recording a ceremony contribution",
            phase: contest.phase,
            detail: if info.deadline == 0 {
                "the contest was created with a finished SRS and has no ceremony".into()
            } else {
                format!("its ceremony closed at {}", info.deadline)
            },
        });
    }
    let hashes: Vec<Option<Blake2b>> = list_contributions(ptau)
        .map_err(ContestError::input)?
        .iter()
        .map(|c| Blake2b::from_hex(&c.contribution_hash))
        .collect();
    let hash =
        match hash {
            Some(h) if hashes.contains(&Some(h)) => h,
            Some(h) => {
                return Err(ContestError::Input(format!(
                    "contribution hash {} is not one of the {} contributions in {}",
                    h.hex(),
                    hashes.len(),
                    ptau.display()
                )))
            }
            // The latest contribution: the one its maker just added.
            None => hashes.last().copied().flatten().ok_or_else(|| {
                ContestError::input("the transcript's last contribution has no hash")
            })?,
        };
    let me = Addr(registry.client().address());
    let already = registry
        .ceremony_records(id)
        .await?
        .into_iter()
        .any(|r| r.contributor == me && r.contribution_hash == hash);
    if already {
        return Err(ContestError::Input(format!(
            "{me} already recorded contribution {} in contest {id}",
            hash.hex()
        )));
    }
    let tx = registry.contribute_to_ceremony(id, &hash).await?;
    Ok((
        CeremonyRecord {
            index: info.contributions,
            contributor: me,
            contribution_hash: hash,
        },
        tx,
    ))
}

/// Checks that the organiser may fix contest `id`'s verifier from `ptau` now: the ceremony is
/// over, the verifier not fixed, and the transcript verifies. Returns the verification report and
/// the match against the records (contributions left out are the caller's to report).
pub async fn check_final_transcript(
    registry: &Registry,
    id: u64,
    ptau: &Path,
) -> Result<(CeremonyReport, CeremonyMatch)> {
    let info = registry.ceremony(id).await?;
    let contest = registry.contest(id).await?;
    if info.deadline == 0 || info.fixed_at != 0 {
        return Err(ContestError::WrongPhase {
            action: "fixing the verifier",
            phase: contest.phase,
            detail: if info.deadline == 0 {
                "the contest has no ceremony: its verifier was fixed at creation".into()
            } else {
                format!("its verifier was fixed at {}", info.fixed_at)
            },
        });
    }
    let (_, now) = registry.head().await?;
    if now <= info.deadline {
        return Err(ContestError::WrongPhase {
            action: "fixing the verifier",
            phase: contest.phase,
            detail: format!(
                "the ceremony takes contributions until {} (the chain's time is {now})",
                info.deadline
            ),
        });
    }
    let records = registry.ceremony_records(id).await?;
    let report = verify_ceremony(ptau).map_err(ContestError::input)?;
    if !report.holds() {
        return Err(ContestError::Input(format!(
            "{} does not verify: {}",
            ptau.display(),
            report.problem_lines().join("; ")
        )));
    }
    let matched = match_records(&report, &records, &[]);
    Ok((report, matched))
}

/// A ceremony contest's checks: the records' digest, the transcript the organiser recorded,
/// and the provenance of that transcript (`None` when the SRS given is not a `.ptau`).
pub(super) async fn ceremony_checks(
    req: &AuditRequest<'_>,
    ceremony: &CeremonyInfo,
    loaded: &SrsProvenance,
) -> Result<(Vec<Check>, Option<SrsProvenance>)> {
    let mut checks = Vec::new();
    let records = match req.registry.ceremony_records(req.contest_id).await {
        Ok(r) => {
            checks.push(check(
                "ceremony_log",
                true,
                format!(
                    "{} contributions recorded; their events hash to the registry's digest",
                    r.len()
                ),
            ));
            r
        }
        Err(e) => {
            checks.push(check("ceremony_log", false, e.to_string()));
            Vec::new()
        }
    };
    let (file, blake2b) = match loaded {
        SrsProvenance::PublicCeremony { file, blake2b, .. }
        | SrsProvenance::UnrecognisedPtau { file, blake2b, .. } => (file.clone(), blake2b.clone()),
        other => {
            let file = match other {
                SrsProvenance::UnsafeDevelopment { file } | SrsProvenance::Unknown { file } => {
                    file.display().to_string()
                }
                _ => String::new(),
            };
            checks.push(check(
                "ceremony_transcript",
                false,
                format!(
                    "{file} is not a powers-of-tau file: pass the ceremony's final .ptau with \
                     --srs (its blake2b-512 is recorded as {})",
                    ceremony.transcript_hash.hex()
                ),
            ));
            return Ok((checks, None));
        }
    };
    checks.push(check(
        "ceremony_transcript",
        blake2b == ceremony.transcript_hash.hex(),
        format!(
            "{} has blake2b-512 {blake2b}; the organiser recorded {} when fixing the verifier",
            file.display(),
            ceremony.transcript_hash.hex()
        ),
    ));
    let report =
        verify_ceremony_cached(&file, &blake2b, req.keys_dir).map_err(ContestError::input)?;
    let matched = match_records(&report, &records, req.trusted_contributors);
    let recognised = match loaded {
        SrsProvenance::PublicCeremony { ceremony, .. } => Some(ceremony.clone()),
        _ => None,
    };
    let provenance = SrsProvenance::ContestCeremony {
        file,
        blake2b,
        verified: report.holds(),
        problems: report.problem_lines(),
        recognised,
        contributions: matched.contributions,
        missing: matched.missing,
    };
    Ok((checks, Some(provenance)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prover::ptau::ceremony::ContributionCheck;

    fn h(b: u8) -> Blake2b {
        Blake2b([b; 64])
    }

    fn contribution(index: u32, hash: Blake2b) -> ContributionCheck {
        ContributionCheck {
            index,
            name: format!("c{index}"),
            contribution_hash: hash.hex(),
            beacon: false,
            verified: true,
        }
    }

    fn rec(index: u64, who: u8, hash: Blake2b) -> CeremonyRecord {
        CeremonyRecord {
            index,
            contributor: Addr([who; 20]),
            contribution_hash: hash,
        }
    }

    fn report(hashes: &[Blake2b]) -> CeremonyReport {
        CeremonyReport {
            power: 8,
            ceremony_power: 8,
            contributions: hashes
                .iter()
                .enumerate()
                .map(|(i, h)| contribution(i as u32 + 1, *h))
                .collect(),
            problems: Vec::new(),
        }
    }

    #[test]
    fn a_contribution_recorded_by_a_trusted_address_is_found() {
        let file = report(&[h(1), h(2), h(3)]);
        let records = [rec(0, 0xa, h(1)), rec(1, 0xb, h(3))];
        let m = match_records(&file, &records, &[Addr([0xb; 20])]);
        assert!(m.includes_trusted());
        assert_eq!(m.contributions[0].recorded_by, vec![Addr([0xa; 20])]);
        assert!(!m.contributions[0].trusted, "0xa is not trusted");
        assert!(m.contributions[1].recorded_by.is_empty(), "never announced");
        assert!(m.contributions[2].trusted);
        assert!(m.missing.is_empty());
    }

    /// The organiser left the competitor's contribution out of the final file: nothing the
    /// competitor trusts is in it, and its record is listed as missing.
    #[test]
    fn a_left_out_contribution_is_missing_and_trusts_nothing() {
        let file = report(&[h(1), h(2)]);
        let records = [rec(0, 0xa, h(1)), rec(1, 0xc, h(9))];
        let me = Addr([0xc; 20]);
        let m = match_records(&file, &records, &[me]);
        assert!(!m.includes_trusted());
        assert_eq!(m.missing, vec![records[1].clone()]);
    }

    /// Somebody else recording my hash does not make it trusted, and recording somebody
    /// else's hash under my address is what a trusted record means (I vouch for it).
    #[test]
    fn trust_follows_the_recording_address() {
        let file = report(&[h(1)]);
        let records = [rec(0, 0xe, h(1))];
        assert!(!match_records(&file, &records, &[Addr([0xc; 20])]).includes_trusted());
        assert!(match_records(&file, &records, &[Addr([0xe; 20])]).includes_trusted());
        // No records at all: nothing trusted, nothing missing.
        let m = match_records(&file, &[], &[Addr([0xe; 20])]);
        assert!(!m.includes_trusted() && m.missing.is_empty());
    }

    #[test]
    fn blake2b_hex_reads_snarkjs_layout() {
        let hex = h(0xab).hex();
        let lines: Vec<String> = hex
            .as_bytes()
            .chunks(32)
            .map(|c| format!("\t\t{}\n", std::str::from_utf8(c).expect("ascii")))
            .collect();
        assert_eq!(Blake2b::from_hex(&lines.concat()), Some(h(0xab)));
        assert_eq!(Blake2b::from_hex(&format!("0x{hex}")), Some(h(0xab)));
        assert_eq!(Blake2b::from_hex("abcd"), None);
    }
}
