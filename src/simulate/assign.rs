//! `rtctl simulate assign`: one `key<TAB>ADDR:PORT` line per key, as the gateway routes it.
//! Keys the gateway does not hash (empty on nginx/HAProxy) take round-robin turns in file order;
//! a key with no available target prints `-`.

use std::io::{Read, Write};
use std::path::Path;

use crate::cli::{AssignArgs, AssignGateway};
use crate::error::{Error, Result};
use crate::simulate::gateway::{Algorithm, GatewaySpec, Target};
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

/// Build the spec from the flags.
pub fn spec(args: &AssignArgs) -> Result<GatewaySpec> {
    let targets = args
        .targets
        .iter()
        .map(|t| parse_target(t).map_err(|m| Error::flag("--target", m)))
        .collect::<Result<Vec<_>>>()?;
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
        algorithm: args.gateway.algorithm(),
        targets,
        slots: args.slots,
        down,
    })
}

pub fn run(args: &AssignArgs, out: &mut dyn Write) -> Result<()> {
    let spec = spec(args)?;
    let mut router = Router::new(&spec, "--target")?;
    let data = read_keys(&args.keys)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    assign_all(&mut router, &spec, &data, &mut w).map_err(Error::stdout)?;
    w.flush().map_err(Error::stdout)
}

/// Route every line of `data`; pure apart from the writer.
pub fn assign_all(
    router: &mut Router,
    spec: &GatewaySpec,
    data: &[u8],
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    if data.is_empty() {
        return Ok(());
    }
    for line in data.split(|&b| b == b'\n') {
        let key = line.strip_suffix(b"\r").unwrap_or(line);
        w.write_all(key)?;
        w.write_all(b"\t")?;
        match router.route(key) {
            Some(i) => w.write_all(spec.targets[i].addr.as_bytes())?,
            None => w.write_all(b"-")?,
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}

fn read_keys(path: &Path) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    let res = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut data)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut data))
    };
    res.map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(data)
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
