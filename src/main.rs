use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = rtctl::cli::Cli::parse();
    rtctl::init_tracing(cli.verbose);
    match rtctl::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rtctl: error: {e}");
            e.to_exit_code()
        }
    }
}
