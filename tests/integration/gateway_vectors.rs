//! Golden vectors: every key of every scenario in
//! `shared/fixtures/gateway-vectors/public.json` (produced by the real Kong, nginx and
//! HAProxy) must land on the same target in rtctl's gateway models.

use std::fs;
use std::path::Path;

use rtctl::simulate::gateway::{build, Algorithm, GatewaySpec, Pick, Target};
use serde_json::Value;

const SCENARIOS: usize = 16;
const KEYS_PER_SCENARIO: usize = 2500;

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/gateway-vectors/public.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: bad JSON: {e}", path.display()))
}

fn str_field<'a>(v: &'a Value, field: &str, scenario: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{scenario}: missing string field {field:?}"))
}

/// Lines of a config block (`upstream` / `backend`).
fn lines<'a>(config: &'a Value, field: &str, scenario: &str) -> Vec<&'a str> {
    config[field]
        .as_array()
        .unwrap_or_else(|| panic!("{scenario}: config.{field} is not an array"))
        .iter()
        .map(|l| l.as_str().expect("config lines are strings").trim())
        .collect()
}

/// True when `text` mentions `addr` as a whole address (not as a prefix of a longer one).
fn mentions(text: &str, addr: &str) -> bool {
    text.match_indices(addr).any(|(i, _)| {
        !text[i + addr.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// Kong: `config.targets` + `slots`; `state` says which target is unavailable
/// (present, in `down`) or removed (already absent from `targets`).
fn kong_spec(name: &str, config: &Value) -> GatewaySpec {
    let targets: Vec<Target> = config["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: config.targets is not an array"))
        .iter()
        .map(|t| Target {
            addr: str_field(t, "target", name).to_owned(),
            weight: t["weight"].as_u64().map(|w| w as u32),
            id: None,
        })
        .collect();
    let slots = config["slots"]
        .as_u64()
        .unwrap_or_else(|| panic!("{name}: config.slots missing")) as u32;
    let state = str_field(config, "state", name);
    let marks_down = state.contains("unavailable") || state.contains("unhealthy");
    let down: Vec<usize> = if marks_down {
        (0..targets.len())
            .filter(|&i| mentions(state, &targets[i].addr))
            .collect()
    } else {
        Vec::new()
    };
    if marks_down {
        assert_eq!(
            down.len(),
            1,
            "{name}: cannot tell the down target from {state:?}"
        );
    }
    if state.contains("removed") {
        assert!(
            targets.iter().all(|t| !mentions(state, &t.addr)),
            "{name}: a removed target is still listed"
        );
    }
    GatewaySpec {
        algorithm: Algorithm::Kong,
        targets,
        slots,
        down,
    }
}

/// nginx: `hash $key [consistent];` or `ip_hash;`, then `server ADDR [weight=N] [down];`.
fn nginx_spec(name: &str, config: &Value) -> GatewaySpec {
    let mut algorithm = None;
    let mut targets = Vec::new();
    let mut down = Vec::new();
    for line in lines(config, "upstream", name) {
        let body = line
            .strip_suffix(';')
            .unwrap_or_else(|| panic!("{name}: line without ';': {line:?}"));
        let words: Vec<&str> = body.split_whitespace().collect();
        match words.as_slice() {
            ["hash", _key] => algorithm = Some(Algorithm::NginxHash),
            ["hash", _key, "consistent"] => algorithm = Some(Algorithm::NginxConsistent),
            ["ip_hash"] => algorithm = Some(Algorithm::NginxIpHash),
            ["server", addr, params @ ..] => {
                let mut target = Target::new(*addr);
                for p in params {
                    if let Some(w) = p.strip_prefix("weight=") {
                        target.weight = Some(w.parse().expect("numeric weight"));
                    } else if *p == "down" {
                        down.push(targets.len());
                    } else {
                        panic!("{name}: unsupported server parameter {p:?}");
                    }
                }
                targets.push(target);
            }
            _ => panic!("{name}: unsupported upstream line {line:?}"),
        }
    }
    GatewaySpec {
        algorithm: algorithm.unwrap_or_else(|| panic!("{name}: no hash directive")),
        targets,
        slots: GatewaySpec::DEFAULT_SLOTS,
        down,
    }
}

/// HAProxy: `hash-type consistent` (or none: map-based), then
/// `server NAME ADDR [id N] [weight N] [disabled]`.
fn haproxy_spec(name: &str, config: &Value) -> GatewaySpec {
    let mut algorithm = Algorithm::HaproxyMap;
    let mut targets = Vec::new();
    let mut down = Vec::new();
    for line in lines(config, "backend", name) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["balance", ..] => {}
            ["hash-type", "consistent"] => algorithm = Algorithm::HaproxyConsistent,
            ["hash-type", "map-based"] => algorithm = Algorithm::HaproxyMap,
            ["server", _server_name, addr, params @ ..] => {
                let mut target = Target::new(*addr);
                let mut rest = params.iter();
                while let Some(&p) = rest.next() {
                    let mut number = || -> u32 {
                        rest.next()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or_else(|| panic!("{name}: {p:?} needs a number"))
                    };
                    match p {
                        "id" => target.id = Some(number()),
                        "weight" => target.weight = Some(number()),
                        "disabled" => down.push(targets.len()),
                        _ => panic!("{name}: unsupported server keyword {p:?}"),
                    }
                }
                targets.push(target);
            }
            _ => panic!("{name}: unsupported backend line {line:?}"),
        }
    }
    GatewaySpec {
        algorithm,
        targets,
        slots: GatewaySpec::DEFAULT_SLOTS,
        down,
    }
}

fn spec_for(scenario: &Value) -> (String, GatewaySpec) {
    let name = str_field(scenario, "scenario", "?").to_owned();
    let config = &scenario["config"];
    let spec = match str_field(scenario, "gateway", &name) {
        "kong" => kong_spec(&name, config),
        "nginx" => nginx_spec(&name, config),
        "haproxy" => haproxy_spec(&name, config),
        other => panic!("{name}: unknown gateway {other:?}"),
    };
    (name, spec)
}

#[test]
fn gateway_models_match_real_gateways() {
    let fixture = fixture();
    let scenarios = fixture["scenarios"]
        .as_array()
        .expect("`scenarios` is an array");
    assert_eq!(scenarios.len(), SCENARIOS, "scenario count");

    let mut failures = Vec::new();
    for scenario in scenarios {
        let (name, spec) = spec_for(scenario);
        let balancer = build(&spec).unwrap_or_else(|e| panic!("{name}: build failed: {e}"));
        let map = scenario["map"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: `map` is not an object"));
        assert_eq!(map.len(), KEYS_PER_SCENARIO, "{name}: key count");
        assert_eq!(
            scenario["n_keys"].as_u64(),
            Some(KEYS_PER_SCENARIO as u64),
            "{name}: n_keys"
        );

        let mut mismatches = Vec::new();
        for (key, expected) in map {
            let expected = expected.as_str().expect("map values are addresses");
            let want = spec
                .targets
                .iter()
                .position(|t| t.addr == expected)
                .unwrap_or_else(|| panic!("{name}: {expected} is not a configured target"));
            let got = balancer.pick(key.as_bytes());
            if got != Pick::Target(want) {
                let got = match got {
                    Pick::Target(i) => spec.targets[i].addr.clone(),
                    other => format!("{other:?}"),
                };
                mismatches.push(format!("key {key:?}: expected {expected}, got {got}"));
            }
        }
        if !mismatches.is_empty() {
            failures.push(format!(
                "{name} ({}): {} of {} keys mismatch, e.g.\n    {}",
                spec.algorithm,
                mismatches.len(),
                map.len(),
                mismatches[..mismatches.len().min(5)].join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "gateway models disagree with the real gateways:\n  {}",
        failures.join("\n  ")
    );
}
