//! Starting runs from the app: restart (same or new seed) and
//! be-the-scheduler mode (record choices, stop at each, replay the user's
//! pick). Runs go through the [`Engine`](super::Engine) trait; imports the
//! event contract only.

use super::app::{App, Scheduler};
use super::RunRequest;

impl App<'_> {
    pub(super) fn restart(&mut self, new_seed: bool) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(mut req) = s.req.clone() else {
            s.message = Some("a recorded trace cannot be restarted".into());
            return;
        };
        if new_seed {
            req.seed = Some(random_seed(req.seed));
            req.schedule.clear();
        }
        // A restarted run opens paused, as a new one does: space starts it.
        if self.start_run(req, None) {
            if let Some(s) = self.session.as_mut() {
                s.playing = false;
            }
        }
    }

    /// Starts `req` in the open session, keeping the view; the cursor goes
    /// back to `keep` once the new run has streamed that far. False when the
    /// engine refused (the message says why).
    fn start_run(&mut self, req: RunRequest, keep: Option<usize>) -> bool {
        let Some(s) = self.session.as_mut() else {
            return false;
        };
        match self.engine.start(&req) {
            Ok((catalog, rx)) => {
                s.replace_run(catalog, rx);
                s.req = Some(req);
                s.resume_at = keep;
                if let Some(sched) = &mut s.sched {
                    sched.awaiting = None;
                }
                true
            }
            Err(text) => {
                s.message = Some(text.lines().next().unwrap_or("cannot start").to_string());
                false
            }
        }
    }

    pub(super) fn toggle_scheduler(&mut self) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.sched.take().is_some() {
            s.message = Some("scheduler mode off".into());
            return;
        }
        let Some(req) = s.req.clone() else {
            s.message = Some("a recorded trace cannot be rescheduled".into());
            return;
        };
        s.sched = Some(Scheduler::default());
        let cursor = s.view.cursor;
        let mut req = req;
        let k = s.lanes.choice_steps.partition_point(|&c| c < cursor);
        req.schedule = s.chosen_prefix(k);
        if !req.record_choices || req.schedule.len() < k {
            req.record_choices = true;
            self.start_run(req, Some(cursor));
        } else if let Some(s) = self.session.as_mut() {
            s.req = Some(req);
        }
        if let Some(s) = self.session.as_mut() {
            s.playing = true;
            s.message = Some("be the scheduler: playback stops at each choice".into());
        }
    }

    pub(super) fn pick(&mut self, n: u8) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some((k, step)) = s.sched.as_ref().and_then(|x| x.awaiting) else {
            return;
        };
        let Some(&pick) = s
            .awaited_options()
            .and_then(|o| o.get(usize::from(n).wrapping_sub(1)))
        else {
            s.message = Some(format!("no option {n}"));
            return;
        };
        let Some(mut req) = s.req.clone() else {
            return;
        };
        req.schedule = s.chosen_prefix(k);
        req.schedule.push(pick);
        req.record_choices = true;
        if self.start_run(req, Some(step)) {
            if let Some(s) = self.session.as_mut() {
                s.playing = true;
            }
        }
    }
}

fn random_seed(old: Option<u64>) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = nanos ^ old.unwrap_or(0).rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 33)
}
