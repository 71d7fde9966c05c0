//! One device id type and one rule, for everything that names a device: the node's handshake
//! and publish API, tokens, `simulate`'s id files, the gateway model.
//!
//! A device id is 1–50 characters of RFC 3986 *unreserved* `[A-Za-z0-9._~-]`: the set every
//! gateway hashes identically. Kong percent-decodes the query before hashing while nginx and
//! HAProxy hash its raw bytes, so any other character (`:` included, which a query may carry
//! raw or as `%3A`) could send one device to different nodes through different gateways.
//! Department and node ids follow the same rule ([`check`]). No imports from `serve` or
//! `simulate`: both depend on this.

use std::fmt;
use std::str::FromStr;

/// Longest id, in characters (the guide's `device_id VARCHAR(50)`).
pub const MAX_LEN: usize = 50;

/// The allowed characters, as error messages name them.
pub const ALLOWED: &str = "[A-Za-z0-9._~-]";

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-')
}

/// Check an id against the rule; `what` names the field in the error (`"device id"`,
/// `"header x-device-id"`, `"target.department"`). Devices, departments and API key names.
pub fn check(what: &str, id: &str) -> Result<(), String> {
    check_in(what, id, &[], ALLOWED, " (RFC 3986 unreserved: Kong percent-decodes the query, nginx and HAProxy hash raw bytes, so any other character could route differently per gateway)")
}

/// Node ids: the same rule plus `:`, since a node's id defaults to its listen address
/// (`127.0.0.1:3000`) and no gateway hashes it.
pub fn check_node_id(what: &str, id: &str) -> Result<(), String> {
    check_in(what, id, &[':'], "[A-Za-z0-9._~:-]", "")
}

fn check_in(what: &str, id: &str, extra: &[char], set: &str, why: &str) -> Result<(), String> {
    let n = id.chars().count();
    if n == 0 || n > MAX_LEN {
        return Err(format!("{what} must be 1 to {MAX_LEN} characters, got {n}"));
    }
    if let Some(c) = id.chars().find(|c| !(allowed(*c) || extra.contains(c))) {
        return Err(format!("{what} {id:?} contains {c:?}; allowed: {set}{why}"));
    }
    Ok(())
}

/// A valid device id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(String);

impl DeviceId {
    /// Check `id`, naming `what` in the error.
    pub fn parse_as(what: &str, id: &str) -> Result<DeviceId, String> {
        check(what, id)?;
        Ok(DeviceId(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl FromStr for DeviceId {
    type Err = String;
    fn from_str(s: &str) -> Result<DeviceId, String> {
        DeviceId::parse_as("device id", s)
    }
}

impl TryFrom<String> for DeviceId {
    type Error = String;
    fn try_from(s: String) -> Result<DeviceId, String> {
        check("device id", &s)?;
        Ok(DeviceId(s))
    }
}

impl TryFrom<&str> for DeviceId {
    type Error = String;
    fn try_from(s: &str) -> Result<DeviceId, String> {
        s.parse()
    }
}

impl From<DeviceId> for String {
    fn from(d: DeviceId) -> String {
        d.0
    }
}

impl AsRef<str> for DeviceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for DeviceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for DeviceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DeviceId, D::Error> {
        let s = String::deserialize(d)?;
        DeviceId::try_from(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_rule_and_its_messages() {
        for ok in ["tablet-ios_a1b2c3d4", "a", "A.b~c_d-9", &"x".repeat(50)] {
            assert_eq!(ok.parse::<DeviceId>().unwrap().as_str(), ok);
        }
        let e = "".parse::<DeviceId>().unwrap_err();
        assert!(e.contains("device id must be 1 to 50"), "{e}");
        assert!("x"
            .repeat(51)
            .parse::<DeviceId>()
            .unwrap_err()
            .contains("got 51"));
        for (bad, c) in [
            ("a:b", "':'"),
            ("a b", "' '"),
            ("a,b", "','"),
            ("é", "'é'"),
            ("a%3A", "'%'"),
        ] {
            let e = check("header x-device-id", bad).unwrap_err();
            assert!(e.starts_with("header x-device-id "), "{e}");
            assert!(e.contains(c) && e.contains(ALLOWED), "{e}");
        }
        let e = serde_json::from_str::<DeviceId>("\"a:b\"").unwrap_err();
        assert!(
            e.to_string().contains("device id \"a:b\" contains ':'"),
            "{e}"
        );
        let d: DeviceId = serde_json::from_str("\"pc-win_00ff\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"pc-win_00ff\"");
        check_node_id("--node-id", "127.0.0.1:3000").unwrap();
        let e = check_node_id("--node-id", "a b").unwrap_err();
        assert!(e.contains("[A-Za-z0-9._~:-]"), "{e}");
    }

    fn balancers() -> Vec<Box<dyn crate::gateway::Balancer>> {
        use crate::gateway::{build, Algorithm, GatewaySpec, Target};
        let targets: Vec<Target> = (1..=3)
            .map(|i| Target::new(format!("10.0.0.{i}:3000")))
            .collect();
        [
            Algorithm::Kong,
            Algorithm::NginxConsistent,
            Algorithm::NginxHash,
            Algorithm::HaproxyConsistent,
            Algorithm::HaproxyMap,
        ]
        .into_iter()
        .map(|a| build(&GatewaySpec::new(a, targets.clone())).unwrap())
        .collect()
    }

    proptest! {
        #[test]
        fn valid_ids_round_trip(id in "[A-Za-z0-9._~-]{1,50}") {
            let d: DeviceId = id.parse().unwrap();
            prop_assert_eq!(d.as_str(), id.as_str());
            prop_assert_eq!(&d.to_string(), &id);
            let j = serde_json::to_string(&d).unwrap();
            prop_assert_eq!(serde_json::from_str::<DeviceId>(&j).unwrap(), d.clone());
            prop_assert_eq!(DeviceId::try_from(id.clone()).unwrap(), d);
        }

        /// What makes the rule gateway-safe: a valid id is its own percent-decoding, so Kong
        /// (which hashes the decoded query) and nginx / HAProxy (raw bytes) hash the same bytes,
        /// and every gateway model hashes it to a target.
        #[test]
        fn valid_ids_hash_the_same_on_every_gateway(id in "[A-Za-z0-9._~-]{1,50}") {
            let d: DeviceId = id.parse().unwrap();
            let decoded = crate::engine::query::percent_decode(d.as_str());
            prop_assert_eq!(decoded.as_ref(), d.as_str());
            for b in balancers() {
                let raw = b.pick(d.as_str().as_bytes());
                prop_assert!(raw.target().is_some(), "{:?}", raw);
                prop_assert_eq!(raw, b.pick(decoded.as_bytes()));
            }
        }

        #[test]
        fn anything_else_is_refused(id in "\\PC{0,60}") {
            let valid = (1..=50).contains(&id.chars().count()) && id.chars().all(allowed);
            prop_assert_eq!(id.parse::<DeviceId>().is_ok(), valid);
        }
    }
}
