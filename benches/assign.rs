//! Throughput of the gateway models and of `simulate nat`, side by side in one run.
//!
//! `cargo bench --bench assign` (release build). Prints keys/s per core for each algorithm
//! over 10 targets and 10,000,000 keys, and the time of a 1,000,000-device `simulate nat` run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use clap::Parser;
use rtctl::cli::{Cli, Command, SimulateCommand};
use rtctl::simulate::gateway::{build, Algorithm, GatewaySpec, Pick, Target};

const KEYS: usize = 10_000_000;
const RUNS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // Keys as the guide makes them: "<type>_<8 hex>", ~17 bytes, contiguous in one buffer.
    let ids = rtctl::simulate::ids::generate(KEYS, 42);
    let keys: Vec<&[u8]> = ids.iter().map(|s| s.as_bytes()).collect();
    let targets: Vec<Target> = (1..=10)
        .map(|i| Target {
            addr: format!("10.0.0.{i}:3000"),
            weight: None,
            id: Some(i),
        })
        .collect();
    println!("{KEYS} keys over 10 targets, median of {RUNS} runs, one thread:");
    let mut base = None;
    for alg in [
        Algorithm::Kong,
        Algorithm::NginxConsistent,
        Algorithm::NginxHash,
        Algorithm::HaproxyConsistent,
        Algorithm::HaproxyMap,
    ] {
        let spec = GatewaySpec {
            algorithm: alg,
            targets: targets.clone(),
            slots: 10_000,
            down: vec![],
        };
        let bal = build(&spec).expect("valid spec");
        let times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let mut acc = 0usize;
                for k in &keys {
                    if let Pick::Target(i) = bal.pick(black_box(k)) {
                        acc = acc.wrapping_add(i);
                    }
                }
                black_box(acc);
                start.elapsed()
            })
            .collect();
        let t = median(times);
        let rate = KEYS as f64 / t.as_secs_f64();
        let ratio = *base.get_or_insert(rate) / rate;
        println!(
            "  {:<20} {:>8.1} M keys/s  ({:.2}× Kong's time)",
            alg.name(),
            rate / 1e6,
            ratio
        );
    }
    drop(keys);
    drop(ids);

    // A 1,000,000-device NAT simulation, generating ids, through the library entry point.
    let cli = Cli::parse_from([
        "rtctl",
        "simulate",
        "nat",
        "--devices",
        "1000000",
        "-o",
        "json",
    ]);
    let Command::Simulate(SimulateCommand::Nat(args)) = cli.command else {
        unreachable!()
    };
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let r = rtctl::cli_adapter::simulate_nat(&args).expect("simulation runs");
            black_box(r);
            start.elapsed()
        })
        .collect();
    println!(
        "simulate nat, 1,000,000 devices (polling+upgrade: 3 requests each): {:.3} s (median of {RUNS})",
        median(times).as_secs_f64()
    );
}
