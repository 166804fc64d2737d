use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    normcode::cli::run(normcode::cli::Cli::parse())
}
