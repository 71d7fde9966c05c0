//! Human sizes (`30KB`, `16GiB`) and their display. Pure.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A size in bytes. Parses `B`, `KB`/`MB`/`GB`/`TB` (powers of 1000, as the guide uses them) and
/// `KiB`/`MiB`/`GiB`/`TiB` (powers of 1024); a bare number is bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub u64);

impl Bytes {
    pub fn as_f64(self) -> f64 {
        self.0 as f64
    }
}

impl FromStr for Bytes {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let expected = "expected a size such as 30KB, 12GB, 16GiB or 512 (bytes)";
        if num.is_empty() {
            return Err(format!("{s:?}: {expected}"));
        }
        let value: f64 = num.parse().map_err(|_| format!("{s:?}: {expected}"))?;
        let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "kb" | "k" => 1e3,
            "mb" | "m" => 1e6,
            "gb" | "g" => 1e9,
            "tb" | "t" => 1e12,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
            _ => return Err(format!("{s:?}: unknown unit {unit:?}; {expected}")),
        };
        let bytes = value * mult;
        if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
            return Err(format!("{s:?}: out of range"));
        }
        Ok(Bytes(bytes.round() as u64))
    }
}

impl fmt::Display for Bytes {
    /// Decimal units, up to three significant decimals: `30 KB`, `12 GB`, `1.5 MB`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0 as f64;
        let (div, unit) = if v >= 1e12 {
            (1e12, "TB")
        } else if v >= 1e9 {
            (1e9, "GB")
        } else if v >= 1e6 {
            (1e6, "MB")
        } else if v >= 1e3 {
            (1e3, "KB")
        } else {
            (1.0, "B")
        };
        let x = v / div;
        let s = format!("{x:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{s} {unit}")
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Bytes(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_and_binary_units() {
        assert_eq!("30KB".parse::<Bytes>().unwrap(), Bytes(30_000));
        assert_eq!("12 GB".parse::<Bytes>().unwrap(), Bytes(12_000_000_000));
        assert_eq!("16GiB".parse::<Bytes>().unwrap(), Bytes(16 << 30));
        assert_eq!("1.5kib".parse::<Bytes>().unwrap(), Bytes(1536));
        assert_eq!("512".parse::<Bytes>().unwrap(), Bytes(512));
    }

    #[test]
    fn rejects_garbage_with_the_expected_form() {
        for bad in ["", "KB", "12 parsecs", "1.2.3GB", "-5KB"] {
            let err = bad.parse::<Bytes>().unwrap_err();
            assert!(err.contains("expected a size"), "{bad}: {err}");
        }
    }

    #[test]
    fn displays_decimal_units() {
        assert_eq!(Bytes(30_000).to_string(), "30 KB");
        assert_eq!(Bytes(12_000_000_000).to_string(), "12 GB");
        assert_eq!(Bytes(1_500_000).to_string(), "1.5 MB");
        assert_eq!(Bytes(999).to_string(), "999 B");
    }
}
