//! The `weft` binary: see `weft --help`.

// `weft check` clones and drops millions of small simulator states: with
// mimalloc that takes about a quarter less time than with the system
// allocator (measured on the philosophers).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A panic is a bug in weft: its message is printed by the panic hook
    // (after the TUI, if any, restored the terminal), and the exit code is 1.
    let code = std::panic::catch_unwind(weft::cli::main).unwrap_or(1);
    std::process::exit(code);
}
