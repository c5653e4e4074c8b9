//! `baosong`: no arguments opens the window; a subcommand runs headless (see `cli`).

fn main() -> std::process::ExitCode {
    baosong::cli::main()
}
