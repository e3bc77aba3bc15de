//! Known chains (`--chain`): the chain id a node must report and the block explorer that
//! shows its transactions. Presets carry no RPC URL: the user names the node (`--rpc-url`), and
//! the preset refuses a node on another chain.

use std::fmt;
use std::str::FromStr;

/// A chain `contest-cli` knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainPreset {
    /// A local anvil (chain id 31337), no explorer.
    Anvil,
    /// Ethereum's Sepolia testnet.
    Sepolia,
    /// Base's Sepolia testnet.
    BaseSepolia,
}

impl ChainPreset {
    /// Every preset, for help texts.
    pub const ALL: [ChainPreset; 3] = [Self::Anvil, Self::Sepolia, Self::BaseSepolia];

    /// The chain id (EIP-155) its nodes report.
    pub fn chain_id(self) -> u64 {
        match self {
            Self::Anvil => 31_337,
            Self::Sepolia => 11_155_111,
            Self::BaseSepolia => 84_532,
        }
    }

    /// Its block explorer, if any.
    pub fn explorer(self) -> Option<&'static str> {
        match self {
            Self::Anvil => None,
            Self::Sepolia => Some("https://sepolia.etherscan.io"),
            Self::BaseSepolia => Some("https://sepolia.basescan.org"),
        }
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Anvil => "anvil",
            Self::Sepolia => "sepolia",
            Self::BaseSepolia => "base-sepolia",
        }
    }
}

impl fmt::Display for ChainPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ChainPreset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
                format!("unknown chain {s:?}: expected one of {}", names.join(", "))
            })
    }
}

/// `--max-fee-gwei` (a decimal number of gwei, up to 9 decimals) in wei, exactly.
pub fn parse_gwei(s: &str) -> Result<u128, String> {
    let bad = || format!("invalid fee {s:?}: expected gwei such as 30 or 1.5");
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 9
        || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let int: u128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let frac_wei: u128 = format!("{frac:0<9}").parse().map_err(|_| bad())?;
    let wei = int
        .checked_mul(1_000_000_000)
        .and_then(|w| w.checked_add(frac_wei))
        .ok_or_else(bad)?;
    if wei == 0 {
        return Err(format!("invalid fee {s:?}: the cap must be above zero"));
    }
    Ok(wei)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_round_trip_and_unknown_names_list_the_known_ones() {
        for p in ChainPreset::ALL {
            assert_eq!(p.name().parse::<ChainPreset>(), Ok(p));
        }
        let err = "mainnet".parse::<ChainPreset>().unwrap_err();
        assert!(err.contains("anvil, sepolia, base-sepolia"), "{err}");
        assert_eq!(ChainPreset::BaseSepolia.chain_id(), 84_532);
    }

    #[test]
    fn gwei_parses_exactly_and_refuses_junk() {
        assert_eq!(parse_gwei("30"), Ok(30_000_000_000));
        assert_eq!(parse_gwei("1.5"), Ok(1_500_000_000));
        assert_eq!(parse_gwei("0.000000001"), Ok(1));
        assert_eq!(parse_gwei(".5"), Ok(500_000_000));
        for bad in ["", ".", "1.0000000001", "-1", "1e9", "0", "abc", "1.2.3"] {
            assert!(parse_gwei(bad).is_err(), "{bad:?}");
        }
    }
}
