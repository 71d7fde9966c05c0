//! Device ids: generated in the guide's `<type>_<8 hex>` format, or read from a file.

use std::io::BufRead;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};

/// The guide's device types (`getDeviceType()`).
pub const DEVICE_TYPES: [&str; 6] = [
    "tablet-ios",
    "mobile-ios",
    "android",
    "pc-win",
    "mac",
    "pc-linux",
];

/// `n` ids `<type>_<8 lowercase hex>` (the first UUID segment, as the guide's
/// `generateDeviceId()` makes them), deterministic for a seed.
pub fn generate(n: usize, seed: u64) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let t = DEVICE_TYPES[rng.random_range(0..DEVICE_TYPES.len())];
            format!("{t}_{:08x}", rng.random::<u32>())
        })
        .collect()
}

/// Is this a device id the gateways hash identically? 1–50 characters of RFC 3986 unreserved
/// `[A-Za-z0-9._~-]`: Kong percent-decodes the query while nginx and HAProxy hash raw bytes, so
/// any other character can route differently through different gateways.
/// The one rule of [`crate::device_id`].
pub fn check_id(id: &str) -> std::result::Result<(), String> {
    id.parse::<crate::device_id::DeviceId>().map(drop)
}

/// Read ids, one per line; blank lines and `#` comments are skipped; each id is checked.
pub fn read_file(path: &Path) -> Result<Vec<String>> {
    let file = std::fs::File::open(path).map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| Error::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        let id = line.trim();
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        check_id(id).map_err(|message| Error::BadLine {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        })?;
        out.push(id.to_string());
    }
    if out.is_empty() {
        return Err(Error::BadLine {
            path: path.to_path_buf(),
            line: 0,
            message: "expected at least one device id".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_guide_format_and_are_seeded() {
        let a = generate(1000, 7);
        assert_eq!(a, generate(1000, 7));
        assert_ne!(a, generate(1000, 8));
        for id in &a {
            let (t, hex) = id.rsplit_once('_').unwrap();
            assert!(DEVICE_TYPES.contains(&t), "{id}");
            assert_eq!(hex.len(), 8);
            assert!(hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            check_id(id).unwrap();
        }
    }

    #[test]
    fn bad_ids_are_explained() {
        assert!(check_id("").unwrap_err().contains("1 to 50"));
        assert!(check_id(&"a".repeat(51)).unwrap_err().contains("1 to 50"));
        assert!(check_id("a b").unwrap_err().contains("' '"));
        assert!(check_id("a,b").unwrap_err().contains("','"));
        check_id("tablet-ios_a1b2c3d4").unwrap();
    }
}
