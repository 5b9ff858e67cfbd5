//! The `weft` binary: see `weft --help`.

fn main() {
    std::process::exit(weft::cli::main());
}
