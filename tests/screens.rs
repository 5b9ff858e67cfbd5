//! The screen pictures of `cargo run --example screens`: the same code draws
//! ABBA at its deadlock and writes it as SVG and text; the SVG must be well
//! formed and show what the screen shows. (The committed pictures are not
//! compared: the screen changes often.)

use crate::screens_render as render;

/// The names of the elements, checking that each one opened is closed in
/// order; panics with the position of the first that is not.
fn elements(svg: &str) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find('<') {
        let after = &rest[at + 1..];
        let end = after.find('>').expect("every tag ends");
        let tag = &after[..end];
        assert!(!tag.contains('<'), "a '<' inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name), "closing </{name}>");
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '/')
                .collect();
            seen.push(name.clone());
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &after[end + 1..];
    }
    assert!(open.is_empty(), "never closed: {open:?}");
    seen
}

/// The text content of every `<text>` element, unescaped.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            body.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn the_abba_picture_is_well_formed_svg_of_the_deadlock() {
    let screen = render::SCREENS
        .iter()
        .find(|s| s.name == "abba_120x40")
        .expect("the README's picture");
    let drawn = render::draw(screen).expect("ABBA draws");
    assert_eq!(drawn.scenario, "ABBA deadlock");
    let svg = render::svg(&drawn.buffer, "weft: ABBA & <friends>");
    assert!(svg.starts_with("<svg "), "{}", &svg[..80]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("<title>weft: ABBA &amp; &lt;friends&gt;</title>"));
    let names = elements(&svg);
    assert_eq!(names[0], "svg");
    let text_count = names.iter().filter(|n| *n == "text").count();
    assert!(text_count > 100, "{text_count} runs of text");
    assert_eq!(svg.matches("</text>").count(), text_count);
    let shown = texts(&svg);
    assert!(
        shown.iter().any(|t| t.contains("ABBA deadlock")),
        "the name"
    );
    assert!(shown.iter().any(|t| t.trim() == "DEADLOCK"), "the badge");
    assert!(
        shown.iter().any(|t| t.contains("-[B]->")),
        "the cycle, with its '>' escaped in the file"
    );
    assert!(!svg.contains("->"), "every '>' of the text is escaped");
    // The badge keeps its colours: dark text on vermillion.
    let badge = svg
        .lines()
        .find(|l| l.starts_with("<text") && l.contains("> DEADLOCK </text>"))
        .expect("the badge's run");
    assert!(badge.contains("fill=\"#000000\""), "{badge}");
    assert!(svg.contains("fill=\"#d55e00\""), "a vermillion background");

    let text = render::text(&drawn.buffer);
    assert_eq!(text.lines().count(), 40);
    assert!(text.lines().all(|l| l.chars().count() <= 120));
    assert!(text.lines().next().unwrap().contains("ABBA deadlock"));
    assert!(text.lines().next().unwrap().ends_with("DEADLOCK"));
}

#[test]
fn every_picture_draws() {
    for screen in &render::SCREENS {
        let drawn = render::draw(screen).unwrap_or_else(|e| panic!("{}: {e}", screen.name));
        let a = drawn.buffer.area;
        assert_eq!((a.width, a.height), (screen.width, screen.height));
        assert!(
            !render::text(&drawn.buffer).contains("Terminal too small"),
            "{}",
            screen.name
        );
    }
}

/// The pictures in `assets/screens/` and the README's capture are those of
/// the screen as it is now: `cargo run --example screens` rewrites them.
#[test]
fn the_committed_pictures_and_the_readme_capture_are_current() {
    let root = env!("CARGO_MANIFEST_DIR");
    let hint = "run `cargo run --example screens` to redraw them";
    for screen in &render::SCREENS {
        let drawn = render::draw(screen).unwrap();
        let text = render::text(&drawn.buffer);
        let path = format!("{root}/assets/screens/{}.txt", screen.name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == text, "{path} is out of date: {hint}");
    }
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    assert!(readme.contains("<!-- screen abba_120x40 -->"));
    let redrawn = render::with_captures(&readme, |name| {
        let screen = render::SCREENS.iter().find(|s| s.name == name)?;
        render::draw(screen).ok().map(|d| render::text(&d.buffer))
    });
    assert!(
        redrawn == readme,
        "README.md's capture is out of date: {hint}"
    );
}
