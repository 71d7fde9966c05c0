use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rtctl::cli::Cli::parse();
    let server = matches!(cli.command, rtctl::cli::Command::Serve(_));
    rtctl::init_tracing(cli.verbose, server);
    match rtctl::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rtctl: error: {e}");
            e.to_exit_code()
        }
    }
}
