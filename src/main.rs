/// jemalloc: less memory per idle connection of `rtctl serve` than the system allocator
/// (BENCHMARKS.md, "Memory per connection").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = rtctl::cli::Cli::parse_ordered();
    let server = matches!(cli.command, rtctl::cli::Command::Serve(_));
    // `top` draws on the terminal: log lines (its own or a library's) would garble the screen.
    let tui = matches!(&cli.command, rtctl::cli::Command::Top(a) if !a.once)
        && std::io::IsTerminal::is_terminal(&std::io::stdout());
    if !tui {
        rtctl::init_tracing(cli.verbose, server);
    }
    match rtctl::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`rtctl … | head -1`) is not an error: end quietly, as
        // Unix tools do, so `set -o pipefail` scripts keep working.
        Err(rtctl::error::Error::Output { target, source })
            if target == "stdout" && source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rtctl: error: {e}");
            e.to_exit_code()
        }
    }
}
