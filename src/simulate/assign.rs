//! `rtctl simulate assign`: one `key<TAB>ADDR:PORT` line per key, as the gateway routes it.
//! Keys the gateway does not hash (empty on nginx/HAProxy) take round-robin turns in file order;
//! a key with no available target prints `-`.

use std::io::{BufRead, Write};

use crate::cli::{AssignArgs, AssignGateway};
use crate::error::{Error, Result};
use crate::fleet::Fleet;
use crate::gateway::{Algorithm, GatewaySpec, Target};
use crate::simulate::Router;

impl AssignGateway {
    pub fn algorithm(self) -> Algorithm {
        match self {
            AssignGateway::Kong => Algorithm::Kong,
            AssignGateway::NginxConsistent => Algorithm::NginxConsistent,
            AssignGateway::NginxHash => Algorithm::NginxHash,
            AssignGateway::HaproxyConsistent => Algorithm::HaproxyConsistent,
            AssignGateway::HaproxyMap => Algorithm::HaproxyMap,
        }
    }
}

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

/// Build the spec from the fleet file (if any) and the flags, which win.
pub fn spec(args: &AssignArgs) -> Result<GatewaySpec> {
    let fleet = args.fleet.as_deref().map(Fleet::load).transpose()?;
    let from_fleet = fleet.as_ref().map(Fleet::gateway_spec);
    let targets = if args.targets.is_empty() {
        from_fleet
            .as_ref()
            .map(|s| s.targets.clone())
            .unwrap_or_default()
    } else {
        args.targets
            .iter()
            .map(|t| parse_target(t).map_err(|m| Error::flag("--target", m)))
            .collect::<Result<Vec<_>>>()?
    };
    let algorithm = match (args.gateway, &from_fleet) {
        (Some(g), _) => g.algorithm(),
        (None, Some(s)) => s.algorithm,
        (None, None) => return Err(Error::flag("--gateway", "required without a fleet file")),
    };
    let slots = args
        .slots
        .or(from_fleet.as_ref().map(|s| s.slots))
        .unwrap_or(crate::fleet::DEFAULT_SLOTS);
    let mut down = Vec::new();
    for d in &args.down {
        let i = targets.iter().position(|t| &t.addr == d).ok_or_else(|| {
            Error::flag(
                "--down",
                format!("{d:?} is not one of the --target addresses"),
            )
        })?;
        down.push(i);
    }
    Ok(GatewaySpec {
        algorithm,
        targets,
        slots,
        down,
    })
}

/// Route the keys file; `json` writes JSON Lines `{"key":…,"target":…}` instead of
/// `key<TAB>ADDR:PORT` (`target` is null when no target is available).
pub fn run(args: &AssignArgs, json: bool, out: &mut dyn Write) -> Result<()> {
    let spec = spec(args)?;
    let mut router = Router::new(&spec, "--target")?;
    let read_err = |source| Error::ReadFile {
        path: args.keys.clone(),
        source,
    };
    let input: Box<dyn BufRead> = if args.keys.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(&args.keys).map_err(read_err)?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, f))
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    assign_all(&mut router, &spec, input, json, &mut w).map_err(|e| match e {
        Failure::Read(e) => read_err(e),
        Failure::Write(e) => Error::stdout(e),
    })?;
    w.flush().map_err(Error::stdout)
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
