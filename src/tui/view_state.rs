//! The view state: cursor, focus, zoom, selection, scroll positions and
//! the log filter; what the views need besides the world.

use std::collections::BTreeMap;

use crate::event::TaskId;

use super::scene::Panel;

/// The zoom a session starts at (an index into the timeline's zoom levels).
pub const DEFAULT_ZOOM: usize = 1;

/// What the views need besides the world: cursor, focus, zoom, selection
/// and scroll positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewState {
    /// Events applied: the world shown is the one after this many.
    pub cursor: usize,
    /// The panel that gets ↑/↓.
    pub focus: Panel,
    /// Index into the timeline's `ZOOMS`.
    pub zoom: usize,
    /// One lane per CPU instead of per task.
    pub cpu_lanes: bool,
    /// The selected task (lane and script highlighted).
    pub selected: Option<TaskId>,
    /// The timeline's first tick, when panned away from the cursor
    /// (None: the timeline follows the cursor).
    pub pan: Option<u64>,
    /// The lane under the lane cursor (a row of the timeline).
    pub lane_cursor: usize,
    /// First row shown of each scrolled panel (resource panels, waits).
    pub scroll: BTreeMap<Panel, usize>,
    /// Events the log is scrolled back from the cursor.
    pub log_back: usize,
    /// The log filter.
    pub filter: String,
    /// The lesson panel replaces the panels under the timeline.
    pub info: bool,
    /// The filter is being typed.
    pub filtering: bool,
}

impl ViewState {
    /// The first row shown of a panel.
    pub fn scroll_of(&self, p: Panel) -> usize {
        self.scroll.get(&p).copied().unwrap_or(0)
    }
}

impl Default for ViewState {
    fn default() -> ViewState {
        ViewState {
            cursor: 0,
            focus: Panel::Timeline,
            zoom: DEFAULT_ZOOM,
            cpu_lanes: false,
            selected: None,
            pan: None,
            lane_cursor: 0,
            scroll: BTreeMap::new(),
            log_back: 0,
            filter: String::new(),
            info: false,
            filtering: false,
        }
    }
}
