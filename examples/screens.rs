//! Regenerates the screen pictures of `assets/screens/`: the TUI over real
//! runs of a few lessons, each written as `NAME.svg` and `NAME.txt`; and the
//! README's text capture (between `<!-- screen NAME -->` and
//! `<!-- /screen -->`). The test suite checks that all of them are current.
//!
//! ```text
//! cargo run --example screens
//! ```

#[path = "screens/render.rs"]
mod render;

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/screens");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("error: {}: {e}", dir.display());
        std::process::exit(1);
    }
    let mut failed = false;
    for screen in &render::SCREENS {
        let drawn = match render::draw(screen) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: {}: {e}", screen.name);
                failed = true;
                continue;
            }
        };
        let moment = match screen.at {
            render::At::Deadlock => "at its deadlock",
            render::At::End => "at its end",
        };
        let title = format!(
            "weft: {} {moment}, {}x{}",
            drawn.scenario, screen.width, screen.height
        );
        for (ext, content) in [
            ("svg", render::svg(&drawn.buffer, &title)),
            ("txt", render::text(&drawn.buffer)),
        ] {
            let path = dir.join(format!("{}.{ext}", screen.name));
            match std::fs::write(&path, content) {
                Ok(()) => println!("wrote {}", path.display()),
                Err(e) => {
                    eprintln!("error: {}: {e}", path.display());
                    failed = true;
                }
            }
        }
    }
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    match std::fs::read_to_string(&readme) {
        Ok(text) => {
            let new = render::with_captures(&text, |name| {
                let screen = render::SCREENS.iter().find(|s| s.name == name)?;
                render::draw(screen).ok().map(|d| render::text(&d.buffer))
            });
            if new != text {
                match std::fs::write(&readme, new) {
                    Ok(()) => println!("wrote {}", readme.display()),
                    Err(e) => {
                        eprintln!("error: {}: {e}", readme.display());
                        failed = true;
                    }
                }
            }
        }
        Err(e) => {
            eprintln!("error: {}: {e}", readme.display());
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
