//! What every view reads: the [`Scene`] (the world at the cursor, the view
//! state, the lane histories and the wait-for graph, derived once per
//! frame) and the [`Panel`] ids. Views import this and the theme, not the
//! layout or the app.

use crate::analysis::{wait_chains, WaitChain};
use crate::event::{Catalog, ResourceId};
use crate::trace::{Trace, World};

use super::lanes::Lanes;
use super::panels::Kind;
use super::session::Session;
use super::view_state::ViewState;
use super::Theme;

/// The panels that can take the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Panel {
    /// Lanes over time.
    Timeline,
    /// The panel of one kind of resource.
    Resource(Kind),
    /// The wait-for graph.
    Waits,
    /// The tasks' scripts.
    Scripts,
    /// The event log.
    Log,
    /// The lesson, variables, figures and checks.
    Info,
}

/// Everything a view reads: the world at the cursor, the view state, and
/// what is derived from them once per frame.
pub struct Scene<'a> {
    /// The names behind the ids.
    pub catalog: &'a Catalog,
    /// The world at the cursor.
    pub world: &'a World,
    /// The tick shown: the world's, or later while playback passes through
    /// ticks in which nothing happens.
    pub tick: u64,
    /// Cursor, focus, zoom, selection.
    pub view: &'a ViewState,
    /// The events.
    pub trace: &'a Trace,
    /// The lane histories.
    pub lanes: &'a Lanes,
    /// Colours.
    pub theme: Theme,
    /// The wait-for graph at the cursor, as chains.
    pub chains: Vec<WaitChain>,
    /// Per task: in a wait-for cycle at the cursor.
    pub task_in_cycle: Vec<bool>,
    /// Per resource: a deadlock waits on it.
    pub res_in_deadlock: Vec<bool>,
}

impl<'a> Scene<'a> {
    /// The scene of a session.
    pub fn new(s: &'a Session, theme: Theme) -> Scene<'a> {
        let chains = wait_chains(s.catalog(), &s.world);
        let mut task_in_cycle = vec![false; s.world.tasks.len()];
        let mut res_in_deadlock = vec![false; s.catalog().resources.len()];
        let reported = s.world.deadlocks.iter().flat_map(|d| &d.edges);
        let found = chains
            .iter()
            .filter(|c| c.is_deadlock())
            .flat_map(|c| &c.edges);
        for e in found.chain(reported) {
            if let Some(t) = task_in_cycle.get_mut(e.task.index()) {
                *t = true;
            }
            if let Some(l) = e
                .waits_for
                .resource()
                .and_then(|r| res_in_deadlock.get_mut(r.index()))
            {
                *l = true;
            }
        }
        Scene {
            catalog: s.catalog(),
            world: &s.world,
            tick: s.tick(),
            view: &s.view,
            trace: &s.trace,
            lanes: &s.lanes,
            theme,
            chains,
            task_in_cycle,
            res_in_deadlock,
        }
    }

    /// Whether a deadlock waits on a resource.
    pub fn in_deadlock(&self, r: ResourceId) -> bool {
        self.res_in_deadlock
            .get(r.index())
            .copied()
            .unwrap_or(false)
    }

    /// In a real program's trace, where `task`'s wait at the cursor was
    /// made (the place of its waiting call), when it is blocked.
    pub fn wait_site(&self, task: crate::event::TaskId) -> Option<&'a str> {
        let marks = self.lanes.tasks.get(task.index())?;
        let shown = marks.partition_point(|m| m.step < self.view.cursor);
        let m = marks[..shown].last()?;
        if !matches!(m.value, crate::event::TaskState::Blocked { .. }) {
            return None;
        }
        self.trace.wait_site(m.step)
    }

    /// Whether a panel has the focus.
    pub fn focused(&self, p: Panel) -> bool {
        self.view.focus == p
    }
}
