//! `rtctl simulate assign`: one `key<TAB>ADDR:PORT` line per key, as the gateway routes it.
//! Keys the gateway does not hash (empty on nginx/HAProxy) take round-robin turns in file order;
//! a key with no available target prints `-`. The flags and the keys file are read at the
//! edge (`cli_adapter.rs`, `simulate_assign`).

use std::io::{BufRead, Write};

use crate::gateway::{GatewaySpec, Target};
use crate::simulate::Router;

/// Parse `ADDR:PORT[,weight=W][,id=N]`.
pub fn parse_target(s: &str) -> std::result::Result<Target, String> {
    let mut parts = s.split(',');
    let addr = parts.next().unwrap_or("").trim().to_string();
    if addr.is_empty() {
        return Err(format!("{s:?}: expected ADDR:PORT[,weight=W][,id=N]"));
    }
    let mut t = Target {
        addr,
        weight: None,
        id: None,
    };
    for p in parts {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| format!("{s:?}: option {p:?} is not weight=W or id=N"))?;
        let n: u32 = v
            .trim()
            .parse()
            .map_err(|_| format!("{s:?}: {k}={v:?} is not a whole number"))?;
        match k.trim() {
            "weight" => t.weight = Some(n),
            "id" => t.id = Some(n),
            other => {
                return Err(format!(
                    "{s:?}: unknown option {other:?} (expected weight or id)"
                ))
            }
        }
    }
    Ok(t)
}

/// Which side of a streaming copy failed.
pub enum Failure {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Route every line of `input` in constant memory; pure apart from the reader and writer.
pub fn assign_all(
    router: &mut Router,
    spec: &GatewaySpec,
    mut input: impl BufRead,
    json: bool,
    w: &mut dyn Write,
) -> std::result::Result<(), Failure> {
    let mut line = Vec::with_capacity(128);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(Failure::Read)? == 0 {
            return Ok(());
        }
        let key = line.strip_suffix(b"\n").unwrap_or(&line);
        let key = key.strip_suffix(b"\r").unwrap_or(key);
        let routed = router.route(key).map(|i| spec.targets[i].addr.as_str());
        if json {
            let line = serde_json::json!({"key": String::from_utf8_lossy(key), "target": routed});
            writeln!(w, "{line}").map_err(Failure::Write)?;
            continue;
        }
        let target = routed.map_or(&b"-"[..], str::as_bytes);
        (|| {
            w.write_all(key)?;
            w.write_all(b"\t")?;
            w.write_all(target)?;
            w.write_all(b"\n")
        })()
        .map_err(Failure::Write)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_with_options() {
        let t = parse_target("10.0.0.1:3000,weight=50,id=7").unwrap();
        assert_eq!(t.addr, "10.0.0.1:3000");
        assert_eq!((t.weight, t.id), (Some(50), Some(7)));
        assert!(parse_target("10.0.0.1:3000,w=1")
            .unwrap_err()
            .contains("unknown option"));
        assert!(parse_target("10.0.0.1:3000,weight=x")
            .unwrap_err()
            .contains("whole number"));
        assert!(parse_target("").is_err());
    }
}
