//! `baosong`: no arguments opens the window; a subcommand runs headless (see `cli`).
//!
//! Release builds on Windows are GUI-subsystem programs, so no console window flashes up when a
//! clerk starts the app; the subcommands attach to the console they were typed in.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    baosong::cli::main()
}
