//! The resource panels: one per kind of resource the scenario declares,
//! each a [`Table`] built from the world at the cursor, plus the waits
//! panel. A kind's panel is a function from the scene to its table; the
//! layout asks [`present`] which kinds to place.
//! Imports the event contract, the trace and the analysis.

pub mod barriers;
pub mod conditions;
pub mod events;
pub mod locks;
pub mod pools;
pub mod queues;
pub mod rwlocks;
pub mod semaphores;
pub mod table;
pub mod waits;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::event::{Catalog, ResourceId, ResourceInfo, TaskId, WaitOn};

use super::scene::{Panel, Scene};
use super::theme::StateKind;
pub use table::{Table, TableCell};

/// The kinds of resource that have a panel, in the order panels are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Mutexes and rlocks.
    Locks,
    /// Rwlocks.
    RwLocks,
    /// Semaphores.
    Semaphores,
    /// Conditions.
    Conditions,
    /// Events.
    Events,
    /// Barriers.
    Barriers,
    /// Queues.
    Queues,
    /// Pools.
    Pools,
}

impl Kind {
    /// Every kind, in placing order.
    pub const ALL: [Kind; 8] = [
        Kind::Locks,
        Kind::RwLocks,
        Kind::Semaphores,
        Kind::Conditions,
        Kind::Events,
        Kind::Barriers,
        Kind::Queues,
        Kind::Pools,
    ];

    /// Whether a resource of the catalog is of this kind.
    pub fn holds(self, r: &ResourceInfo) -> bool {
        match self {
            Kind::Locks => r.is_lock(),
            Kind::RwLocks => r.kind == "rwlock",
            Kind::Semaphores => r.kind == "semaphore",
            Kind::Conditions => r.kind == "condition",
            Kind::Events => r.kind == "event",
            Kind::Barriers => r.kind == "barrier",
            Kind::Queues => r.is_queue(),
            Kind::Pools => r.kind == "pool",
        }
    }

    /// The panel's table at the scene's cursor.
    pub fn table(self, sc: &Scene<'_>) -> Table {
        let mut t = match self {
            Kind::Locks => locks::table(sc),
            Kind::RwLocks => rwlocks::table(sc),
            Kind::Semaphores => semaphores::table(sc),
            Kind::Conditions => conditions::table(sc),
            Kind::Events => events::table(sc),
            Kind::Barriers => barriers::table(sc),
            Kind::Queues => queues::table(sc),
            Kind::Pools => pools::table(sc),
        };
        t.alert = of_kind(sc.catalog, self).any(|(r, _)| sc.in_deadlock(r));
        t
    }
}

/// The kinds the catalog has resources of, in placing order.
pub fn present(cat: &Catalog) -> Vec<Kind> {
    Kind::ALL
        .into_iter()
        .filter(|k| cat.resources.iter().any(|r| k.holds(r)))
        .collect()
}

/// The resources of one kind, with their ids.
pub fn of_kind(cat: &Catalog, kind: Kind) -> impl Iterator<Item = (ResourceId, &ResourceInfo)> {
    cat.resources
        .iter()
        .enumerate()
        .filter(move |(_, r)| kind.holds(r))
        .map(|(i, r)| (ResourceId(i as u32), r))
}

/// The rows a kind's panel wants inside its border.
pub fn rows_wanted(cat: &Catalog, kind: Kind) -> usize {
    1 + of_kind(cat, kind).count().max(1)
}

/// Task names joined by commas, `-` for none.
pub fn names(cat: &Catalog, tasks: impl IntoIterator<Item = TaskId>) -> String {
    let v: Vec<&str> = tasks.into_iter().map(|t| cat.task_name(t)).collect();
    if v.is_empty() {
        "-".to_string()
    } else {
        v.join(", ")
    }
}

/// The tasks blocked on `r` whose wait `want` picks, first first, as a cell.
pub fn waiters_cell(sc: &Scene<'_>, r: ResourceId, want: impl Fn(WaitOn) -> bool) -> TableCell {
    let tasks = sc
        .world
        .waiters(r)
        .iter()
        .filter(|w| want(w.on))
        .map(|w| w.task);
    let style = if sc.in_deadlock(r) {
        sc.theme.error()
    } else {
        sc.theme.state(StateKind::Blocked)
    };
    TableCell::styled(names(sc.catalog, tasks), style)
}

/// A resource's name as the first cell, in the error colour when a
/// deadlock waits on it.
pub fn name_cell(sc: &Scene<'_>, r: ResourceId, info: &ResourceInfo) -> TableCell {
    let style = if sc.in_deadlock(r) {
        sc.theme.error()
    } else {
        sc.theme.title()
    };
    TableCell::styled(info.name.clone(), style)
}

/// A holder's cell: running colour when someone holds it, dim when free.
pub fn holder_cell(sc: &Scene<'_>, text: String, held: bool) -> TableCell {
    let style = if held {
        sc.theme.state(StateKind::Running)
    } else {
        sc.theme.dim()
    };
    TableCell::styled(text, style)
}

/// The panel of one kind of resource.
pub struct ResourcePanelView<'a> {
    /// What to draw.
    pub scene: &'a Scene<'a>,
    /// Which kind.
    pub kind: Kind,
}

impl Widget for &ResourcePanelView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let sc = self.scene;
        let panel = Panel::Resource(self.kind);
        self.kind.table(sc).render(
            area,
            buf,
            sc.theme,
            sc.focused(panel),
            sc.view.scroll_of(panel),
        );
    }
}
