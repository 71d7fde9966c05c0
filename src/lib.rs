//! rtctl: tooling for real-time (Socket.IO) notification fleets.
//!
//! Pure modules (`plan`, `simulate`, `output`, `fleet`, `units`) hold the logic; this file only
//! dispatches, and I/O stays at the edges.

pub mod cli;
pub mod engine;
pub mod error;
pub mod fleet;
pub mod gen;
pub mod output;
pub mod plan;
pub mod redis_schema;
pub mod resolve;
pub mod serve;
pub mod simulate;
pub mod units;

use std::io::Write;

use cli::{Cli, Command, SimulateCommand};
use error::{Error, Result};
use output::Style;

/// Logs go to stderr; `-v` raises the level, `RUST_LOG` overrides it.
pub fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Run one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let style = Style::detect(cli.color);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Plan(args) => {
            let report = plan::run(&args)?;
            output::emit(&report, cli.output, &style, &mut out)
        }
        Command::Simulate(SimulateCommand::Nat(args)) => {
            let report = simulate::nat::run(&args)?;
            output::emit(&report, cli.output, &style, &mut out)
        }
        Command::Simulate(SimulateCommand::Assign(args)) => {
            simulate::assign::run(&args, cli.output == cli::OutputFormat::Json, &mut out)
        }
        Command::Generate(args) => {
            for path in gen::write_all(&args.out_dir)? {
                writeln!(out, "{}", path.display()).map_err(Error::stdout)?;
            }
            Ok(())
        }
    }
}
