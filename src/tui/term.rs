//! The terminal and the event loop: raw mode and the alternate screen behind
//! a guard that restores them on every exit path (quit, Ctrl-C, a signal
//! from outside, error, panic), an input thread, and one loop that selects
//! over input, engine events and a tick, and draws at most every ~16 ms.
//! Imports nothing of weft but the UI.

use std::io::{self, stdout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{never, select, unbounded, Receiver};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event as TermEvent};
use crossterm::execute;

use super::app::App;
use super::keymap::{self, Action};
use super::layout;

/// The shortest time between two frames.
const FRAME: Duration = Duration::from_millis(16);

/// While playing, the loop wakes this often to move the cursor.
const TICK: Duration = Duration::from_millis(16);

/// Raw mode, the alternate screen and the mouse, put back when dropped.
pub struct TermGuard {
    mouse: bool,
}

impl TermGuard {
    /// Takes the terminal over and installs a panic hook that restores it.
    pub fn enter(mouse: bool) -> io::Result<(TermGuard, ratatui::DefaultTerminal)> {
        let terminal = ratatui::try_init()?;
        let guard = TermGuard { mouse };
        if mouse {
            execute!(stdout(), EnableMouseCapture)?;
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore(mouse);
            previous(info);
        }));
        Ok((guard, terminal))
    }
}

impl Drop for TermGuard {
    fn drop(&mut self) {
        restore(self.mouse);
    }
}

/// Puts the terminal back as it was (safe to call more than once).
pub fn restore(mouse: bool) {
    if mouse {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    let _ = ratatui::try_restore();
    let _ = execute!(stdout(), crossterm::cursor::Show);
}

/// Reads terminal input on its own thread into a channel, until told to stop.
struct Input {
    rx: Receiver<TermEvent>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Input {
    fn spawn() -> Input {
        let (tx, rx) = unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match crossterm::event::poll(Duration::from_millis(50)) {
                    Ok(true) => match crossterm::event::read() {
                        Ok(ev) => {
                            if tx.send(ev).is_err() {
                                return;
                            }
                        }
                        Err(_) => return,
                    },
                    Ok(false) => {}
                    Err(_) => return,
                }
            }
        });
        Input {
            rx,
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            // Wait for the thread only while it is polling (it checks the flag
            // every 50 ms); a thread stuck on a vanished terminal is left behind.
            let deadline = Instant::now() + Duration::from_millis(200);
            while !h.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if h.is_finished() {
                let _ = h.join();
            }
        }
    }
}

/// The signals that end the TUI: each is caught so that the loop can quit
/// and restore the terminal instead of dying in raw mode.
#[cfg(unix)]
const ENDING_SIGNALS: [i32; 4] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
];

/// The number of the last ending signal caught (0: none). Signals are
/// process-wide, so this is too.
fn caught() -> &'static Arc<AtomicUsize> {
    static CAUGHT: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    CAUGHT.get_or_init(|| {
        let flag = Arc::new(AtomicUsize::new(0));
        #[cfg(unix)]
        for sig in ENDING_SIGNALS {
            let _ = signal_hook::flag::register_usize(sig, Arc::clone(&flag), sig as usize);
        }
        flag
    })
}

/// The signal that ended the TUI, if one did: the command then exits with
/// 128 + its number, as a shell expects of a program a signal stopped.
pub fn ending_signal() -> Option<i32> {
    match caught().load(Ordering::Relaxed) {
        0 => None,
        n => Some(n as i32),
    }
}

/// Runs the app in the terminal until it quits.
pub fn run_loop(app: &mut App<'_>, mouse: bool) -> io::Result<()> {
    let term_flag = caught();
    let (guard, mut terminal) = TermGuard::enter(mouse)?;
    let size = terminal.size()?;
    app.update(Action::Resize {
        width: size.width,
        height: size.height,
    });
    let input = Input::spawn();
    let result = event_loop(app, &mut terminal, &input, term_flag);
    drop(input);
    drop(guard);
    result
}

fn event_loop(
    app: &mut App<'_>,
    terminal: &mut ratatui::DefaultTerminal,
    input: &Input,
    term_flag: &AtomicUsize,
) -> io::Result<()> {
    let truecolor = takes_24_bit_colour();
    let mut last_tick = Instant::now();
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;
    loop {
        let engine = app
            .session
            .as_ref()
            .and_then(|s| s.receiver().cloned())
            .unwrap_or_else(never);
        let wait = if dirty { FRAME } else { TICK * 4 };
        select! {
            recv(input.rx) -> ev => {
                if let Ok(ev) = ev {
                    handle_input(app, &ev);
                }
                while let Ok(ev) = input.rx.try_recv() {
                    handle_input(app, &ev);
                }
                dirty = true;
            }
            recv(engine) -> ev => {
                if let Ok(ev) = ev {
                    app.update(Action::Engine(ev));
                }
                dirty = true;
            }
            default(wait) => {}
        }
        dirty |= busy(app);
        app.update(Action::Pump);
        let now = Instant::now();
        app.update(Action::Tick(now - last_tick));
        last_tick = now;
        if term_flag.load(Ordering::Relaxed) != 0 {
            app.quit = true;
        }
        if app.quit {
            return Ok(());
        }
        dirty |= busy(app);
        if dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal.draw(|f| {
                layout::draw(f, app);
                if !truecolor {
                    to_palette(f.buffer_mut());
                }
            })?;
            last_draw = Some(Instant::now());
            dirty = false;
            crash_test();
        }
    }
}

/// Whether the terminal says it takes 24-bit colour (`COLORTERM=truecolor`
/// or `24bit`); others get the nearest colours of the 256-colour palette.
fn takes_24_bit_colour() -> bool {
    std::env::var("COLORTERM").is_ok_and(|v| v == "truecolor" || v == "24bit")
}

/// Replaces every 24-bit colour of a frame by its nearest of the 256.
fn to_palette(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        cell.fg = super::theme::to_256(cell.fg);
        cell.bg = super::theme::to_256(cell.bg);
    }
}

/// Whether the session is playing or receiving, so the screen changes by itself.
fn busy(app: &App<'_>) -> bool {
    app.session
        .as_ref()
        .is_some_and(|s| s.playing || s.streaming() || s.resume_at.is_some())
}

fn handle_input(app: &mut App<'_>, ev: &TermEvent) {
    if let Some(action) = keymap::map(ev, app.mode()) {
        app.update(action);
    }
}

/// `WEFT_CRASH_TEST=panic` makes the TUI panic after its first frame, so
/// that the tests can check that a panic leaves the terminal as it found it.
fn crash_test() {
    static ASKED: OnceLock<bool> = OnceLock::new();
    if *ASKED.get_or_init(|| std::env::var_os("WEFT_CRASH_TEST").is_some_and(|v| v == "panic")) {
        panic!("WEFT_CRASH_TEST=panic: a deliberate panic after the first frame");
    }
}
