//! The `weft` binary: see `weft --help`.

fn main() {
    // A panic is a bug in weft: its message is printed by the panic hook
    // (after the TUI, if any, restored the terminal), and the exit code is 1.
    let code = std::panic::catch_unwind(weft::cli::main).unwrap_or(1);
    std::process::exit(code);
}
