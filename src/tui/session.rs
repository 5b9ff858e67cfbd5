//! One open run: its trace and lane histories as they stream in, the world
//! at the cursor, playback, and be-the-scheduler bookkeeping. Changed only
//! through `App::update`. Imports the event contract and the trace.

use crossbeam_channel::{Receiver, TryRecvError};

use crate::event::{Catalog, Event, EventKind, TaskId};
use crate::trace::follow::{Following, Update};
use crate::trace::{Trace, World};

use super::lanes::Lanes;
use super::view_state::ViewState;
use super::RunRequest;

/// Playback speeds, in ticks per second; the last one plays to the end at once.
pub const SPEEDS: [u32; 12] = [
    1, 2, 3, 5, 10, 20, 50, 100, 1000, 10_000, 100_000, 1_000_000,
];

/// The speed a session starts at (an index into [`SPEEDS`]): 5 ticks/s.
pub const DEFAULT_SPEED: usize = 3;

/// At most this many engine events are taken in per pump, so input stays responsive.
const PUMP_BUDGET: usize = 200_000;

/// Be-the-scheduler mode: the choices made so far and the one awaited.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scheduler {
    /// The index (among `Choice` events) of the choice the user must make, with
    /// the step of its event, once playback has reached it.
    pub awaiting: Option<(usize, usize)>,
}

/// A run being watched.
#[derive(Debug)]
pub struct Session {
    /// How it was started (None for a recorded trace).
    pub req: Option<RunRequest>,
    /// The events so far.
    pub trace: Trace,
    /// Per-lane histories of the same events.
    pub lanes: Lanes,
    rx: Option<Receiver<Event>>,
    /// A trace followed as another process writes it.
    feed: Option<Following>,
    /// Following a trace: the cursor stays at the newest event, until the
    /// user pauses or moves it; playing up to the newest follows again.
    pub follow_head: bool,
    /// The world at the cursor.
    pub world: World,
    /// Cursor, scroll, focus, zoom, selection.
    pub view: ViewState,
    /// Playback runs.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    debt: f64,
    /// While playing between events: the tick shown, later than the
    /// cursor's last event (time passes with nothing happening).
    play_tick: Option<u64>,
    /// Be-the-scheduler mode, when on.
    pub sched: Option<Scheduler>,
    /// Where to put the cursor once a restarted run has streamed that far.
    pub resume_at: Option<usize>,
    /// A one-line message for the footer.
    pub message: Option<String>,
    /// The newest followed event's nanoseconds and when it came: a live
    /// run's clock goes on between events (a long compute records none).
    head_seen: Option<(u64, std::time::Instant)>,
}

impl Session {
    /// A session over a run that streams its events from `rx`.
    pub fn new(catalog: Catalog, rx: Option<Receiver<Event>>, req: Option<RunRequest>) -> Session {
        let lanes = Lanes::new(&catalog);
        let trace = Trace::new(catalog);
        let world = trace.world_at(0);
        Session {
            req,
            trace,
            lanes,
            rx,
            feed: None,
            follow_head: false,
            world,
            view: ViewState::default(),
            playing: false,
            speed: DEFAULT_SPEED,
            debt: 0.0,
            play_tick: None,
            head_seen: None,
            sched: None,
            resume_at: None,
            message: None,
        }
    }

    /// A session over a finished trace.
    pub fn from_trace(trace: Trace) -> Session {
        let mut s = Session::new(trace.catalog.clone(), None, None);
        for e in trace.events() {
            s.lanes.push(s.lanes.len(), e);
        }
        s.trace = trace;
        s
    }

    /// A session over a trace another process is writing, following it:
    /// `catalog` is its header's (as [`Tail::open`] gives it).
    ///
    /// [`Tail::open`]: crate::trace::follow::Tail::open
    pub fn following(catalog: Catalog, feed: Following) -> Session {
        let mut s = Session::new(catalog, None, None);
        s.feed = Some(feed);
        s.follow_head = true;
        s.playing = true;
        s
    }

    /// Whether the trace shown is still being written (and followed).
    pub fn live(&self) -> bool {
        self.feed.is_some()
    }

    /// The catalog of the run.
    pub fn catalog(&self) -> &Catalog {
        &self.trace.catalog
    }

    /// The engine is still sending events, or the followed trace is
    /// still being written.
    pub fn streaming(&self) -> bool {
        self.rx.is_some() || self.feed.is_some()
    }

    /// Replaces the run with a new one, keeping the view.
    pub fn replace_run(&mut self, catalog: Catalog, rx: Receiver<Event>) {
        self.lanes = Lanes::new(&catalog);
        self.trace = Trace::new(catalog);
        self.rx = Some(rx);
        self.view.cursor = 0;
        self.world = self.trace.world_at(0);
        self.debt = 0.0;
        self.play_tick = None;
    }

    /// The channel the engine sends on, while it does.
    pub fn receiver(&self) -> Option<&Receiver<Event>> {
        self.rx.as_ref()
    }

    /// Takes in one event of the run.
    pub fn accept(&mut self, e: Event) {
        self.lanes.push(self.trace.len(), &e);
        self.trace.push(e);
    }

    /// Takes in what the engine has sent, without ever blocking it.
    pub fn pump(&mut self) {
        if let Some(rx) = &self.rx {
            let mut taken = 0;
            let mut done = false;
            while taken < PUMP_BUDGET {
                match rx.try_recv() {
                    Ok(e) => {
                        self.lanes.push(self.trace.len(), &e);
                        self.trace.push(e);
                        taken += 1;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        done = true;
                        break;
                    }
                }
            }
            if done {
                self.rx = None;
            }
        }
        self.pump_feed();
        if let Some(at) = self.resume_at {
            if self.trace.len() >= at || !self.streaming() {
                self.resume_at = None;
                self.set_cursor(at);
            }
        }
    }

    /// Takes in what the followed trace has gained; keeps the cursor at the
    /// newest event while following it.
    fn pump_feed(&mut self) {
        let Some(feed) = &self.feed else {
            return;
        };
        let mut taken = 0;
        let mut done = false;
        while taken < PUMP_BUDGET {
            match feed.rx.try_recv() {
                Ok(Update::Event(e, ns)) => {
                    if let Some(ns) = ns {
                        self.head_seen = Some((ns, std::time::Instant::now()));
                    }
                    self.lanes.push(self.trace.len(), &e);
                    self.trace.push_at(e, ns);
                    taken += 1;
                }
                Ok(Update::Declare(d)) => {
                    if let Err(m) = self.trace.declare(d) {
                        self.message = Some(format!("the trace stops here: {m}"));
                        done = true;
                        break;
                    }
                    self.lanes.grow(&self.trace.catalog);
                    self.world.grow(&self.trace.catalog);
                }
                Ok(Update::Bad { line, message }) => {
                    self.message = Some(format!("the trace stops at line {line}: {message}"));
                    done = true;
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    done = true;
                    break;
                }
            }
        }
        if self.follow_head {
            self.set_cursor(self.trace.len());
            // The run's time passes while nothing is recorded: the tick
            // shown is the run's now.
            if let (Some((ns, at)), Some(tick_ns)) = (self.head_seen, self.catalog().tick_ns()) {
                let now = ns.saturating_add(at.elapsed().as_nanos() as u64) / tick_ns.max(1);
                if now > self.world.tick && !done {
                    self.play_tick = Some(now);
                }
            }
        }
        if done {
            // The trace is whole: what is left is a replay.
            self.feed = None;
            self.follow_head = false;
            self.playing = false;
        }
    }

    /// Moves the cursor (clamped to the trace) and refreshes the world.
    pub fn set_cursor(&mut self, step: usize) {
        self.play_tick = None;
        self.view.pan = None;
        let step = step.min(self.trace.len());
        if step != self.world.step || step != self.view.cursor {
            self.view.cursor = step;
            self.world = self.trace.world_at(step);
        }
    }

    /// The tick shown: the cursor's, or while playing through ticks in
    /// which nothing happens, the tick playback has reached.
    pub fn tick(&self) -> u64 {
        self.play_tick
            .unwrap_or(self.world.tick)
            .max(self.world.tick)
    }

    /// To the end of the tick of the next event (finishing the cursor's
    /// tick when it is in the middle of one).
    pub fn tick_forward(&mut self) {
        if let Some(&next) = self.lanes.ticks.get(self.view.cursor) {
            let to = self.lanes.step_after_tick(next);
            self.set_cursor(to);
        }
    }

    /// To the end of the tick before the cursor's.
    pub fn tick_back(&mut self) {
        let to = self.lanes.step_before_tick(self.world.tick);
        self.set_cursor(to);
    }

    /// Advances playback by `secs` seconds of wall time, a whole tick at a
    /// time at [`SPEEDS`] ticks per second: the cursor goes to the end of
    /// the tick reached (finishing the cursor's tick first when a step left
    /// it in the middle of one), through ticks in which nothing happens.
    /// Stops at a deadlock and at a choice awaited in scheduler mode.
    pub fn advance(&mut self, secs: f64) {
        if !self.playing || self.resume_at.is_some() || self.follow_head {
            return;
        }
        let speed = f64::from(SPEEDS[self.speed.min(SPEEDS.len() - 1)]);
        self.debt = (self.debt + secs * speed).min(speed.max(1.0));
        let n = self.debt.floor() as u64;
        if n == 0 {
            return;
        }
        self.debt -= n as f64;
        let from = self.view.cursor;
        let now = self.tick();
        let mid_tick = self.lanes.step_after_tick(now) > from;
        let last = self.trace.last().tick;
        let target = if mid_tick { now + n - 1 } else { now + n }.min(last);
        let mut to = self.lanes.step_after_tick(target);
        let mut stopped = false;
        if let Some(&d) = self.lanes.deadlock_steps.iter().find(|&&d| d > from) {
            if d <= to {
                to = d;
                stopped = true;
                self.playing = false;
                self.message = Some("deadlock: playback paused (space continues)".into());
            }
        }
        if let Some((k, step)) = self.next_open_choice(from) {
            if step <= to {
                to = step;
                stopped = true;
                self.playing = false;
                if let Some(s) = &mut self.sched {
                    s.awaiting = Some((k, step));
                }
            }
        }
        self.set_cursor(to);
        if !stopped && target > self.world.tick {
            self.play_tick = Some(target);
        }
        if to == self.trace.len() && target >= last && !self.streaming() {
            self.playing = false;
        }
        // Playing a followed trace up to its newest event follows it again.
        if self.live() && self.playing && self.view.cursor == self.trace.len() {
            self.follow_head = true;
            self.play_tick = None;
        }
    }

    /// In scheduler mode: the first choice at or after `from` that the
    /// schedule does not fix yet, as (choice index, step).
    pub fn next_open_choice(&self, from: usize) -> Option<(usize, usize)> {
        self.sched.as_ref()?;
        let fixed = self.req.as_ref().map_or(0, |r| r.schedule.len());
        let steps = &self.lanes.choice_steps;
        let k = steps.partition_point(|&s| s < from).max(fixed);
        steps.get(k).map(|&s| (k, s))
    }

    /// The options of the choice awaited in scheduler mode.
    pub fn awaited_options(&self) -> Option<&[TaskId]> {
        let (_, step) = self.sched.as_ref()?.awaiting?;
        match &self.trace.events().get(step)?.kind {
            EventKind::Choice { options, .. } => Some(options),
            _ => None,
        }
    }

    /// The tasks chosen at the first `k` choices of this run.
    pub fn chosen_prefix(&self, k: usize) -> Vec<TaskId> {
        let events = self.trace.events();
        self.lanes
            .choice_steps
            .iter()
            .take(k)
            .filter_map(|&s| match &events.get(s)?.kind {
                EventKind::Choice { chosen, .. } => Some(*chosen),
                _ => None,
            })
            .collect()
    }
}
