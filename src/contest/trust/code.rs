//! The audit's code checks (`registry_code`, `registry_annex`, `poseidon_code`): the code at the
//! registry's address, at its annex's and at its Poseidon library's against what this binary
//! deploys.

use super::{check, hex32, keccak, Check};
use crate::chain::registry::Registry;
use crate::chain::types::Addr;
use crate::contest::Result;

/// The registry's and its Poseidon library's code against what this binary deploys.
pub(super) async fn registry_checks(registry: &Registry) -> Result<Vec<Check>> {
    let client = registry.client();
    let here = client.code(registry.address().0).await?;
    let poseidon = match registry.poseidon().await {
        Ok(p) => p,
        Err(e) => {
            return Ok(vec![check(
                "registry_code",
                false,
                format!(
                    "{} does not answer poseidon(): not a zkcontest registry ({e})",
                    registry.address()
                ),
            )])
        }
    };
    let genuine = Registry::genuine_runtime(client, poseidon).await;
    let registry_check = match genuine {
        Ok(g) if g == here => check(
            "registry_code",
            true,
            format!(
                "{}'s {} bytes of code are this release's ContestRegistry with PoseidonT3 at {poseidon}",
                registry.address(),
                here.len()
            ),
        ),
        Ok(g) => check(
            "registry_code",
            false,
            format!(
                "{} holds {} bytes of code (keccak {}), not this release's ContestRegistry ({} \
                 bytes, keccak {})",
                registry.address(),
                here.len(),
                hex32(&keccak(&here)),
                g.len(),
                hex32(&keccak(&g))
            ),
        ),
        Err(e) => check(
            "registry_code",
            false,
            format!("this release's ContestRegistry cannot be constructed with PoseidonT3 at {poseidon}: {e}"),
        ),
    };
    // The registry runs nine of its functions in the code at CREATE(registry, 1), whatever it is:
    // a genuine registry's constructor put its annex there, but a crafted creation code could
    // leave the genuine registry runtime and something else at that address.
    let annex = registry.annex_address();
    let annex_code = client.code(annex.0).await?;
    let annex_check = match Registry::genuine_annex_runtime(client, poseidon).await {
        Ok(want) => check(
            "registry_annex",
            want == annex_code,
            format!(
                "the annex at {annex} (run by DELEGATECALL): {} bytes of code, {} this release's \
                 RegistryAnnex with PoseidonT3 at {poseidon}",
                annex_code.len(),
                if want == annex_code { "exactly" } else { "NOT" }
            ),
        ),
        Err(e) => check(
            "registry_annex",
            false,
            format!("this release's RegistryAnnex cannot be constructed with PoseidonT3 at {poseidon}: {e}"),
        ),
    };
    let code = client.code(poseidon.0).await?;
    let want = Registry::genuine_poseidon_runtime(client).await?;
    let here = masked_library_code(&code, poseidon);
    let same = here.is_some() && here == masked_library_code(&want, None);
    let poseidon_check = check(
        "poseidon_code",
        same,
        format!(
            "PoseidonT3 at {poseidon}: {} bytes of code, {} npm poseidon-solidity's PoseidonT3 \
             as this release deploys it",
            code.len(),
            if same { "exactly" } else { "NOT" }
        ),
    );
    Ok(vec![registry_check, annex_check, poseidon_check])
}

/// A Solidity library's runtime code with its embedded own address (bytes 1..21, after the
/// PUSH20 of the call guard) blanked; `None` if the code does not start with that guard or, with
/// `at`, if the embedded address is not `at`.
fn masked_library_code(code: &[u8], at: impl Into<Option<Addr>>) -> Option<Vec<u8>> {
    const PUSH20: u8 = 0x73;
    if code.len() < 21 || code[0] != PUSH20 {
        return None;
    }
    if let Some(at) = at.into() {
        if code[1..21] != at.0 {
            return None;
        }
    }
    let mut masked = code.to_vec();
    masked[1..21].fill(0);
    Some(masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_code_is_compared_without_its_own_address() {
        let at = Addr([0x11; 20]);
        let mut code = vec![0x73];
        code.extend_from_slice(&at.0);
        code.extend_from_slice(&[0x30, 0x14, 0x60]);
        let mut template = vec![0x73];
        template.extend_from_slice(&[0; 20]);
        template.extend_from_slice(&[0x30, 0x14, 0x60]);
        assert_eq!(
            masked_library_code(&code, at),
            masked_library_code(&template, None)
        );
        // Deployed elsewhere (its guard names another address): not this library instance.
        assert_eq!(masked_library_code(&code, Addr([0x22; 20])), None);
        // A different body.
        let mut other = code.clone();
        other[22] ^= 1;
        assert_ne!(
            masked_library_code(&other, at),
            masked_library_code(&template, None)
        );
        // No call guard at all.
        assert_eq!(masked_library_code(&[0x60, 0x80], None), None);
    }
}
