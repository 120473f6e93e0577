//! Touch: every finger on the screen, with ids and phases.

use glam::Vec2;
use serde::{Deserialize, Serialize};

/// Where a touch is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TouchPhase {
    /// The finger went down.
    Started,
    /// The finger moved.
    Moved,
    /// The finger went up.
    Ended,
    /// The system took the touch away (a gesture, a palm).
    Cancelled,
}

/// One finger.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Touch {
    /// The platform's id for this finger, stable from start to end.
    pub id: u64,
    /// Where it is now, in window pixels.
    pub position: Vec2,
    /// Where it went down, in window pixels.
    pub start: Vec2,
    /// Its latest phase.
    pub phase: TouchPhase,
}

/// Every touch this frame, stored on the world as a resource.
#[derive(Clone, Debug, Default)]
pub struct Touches {
    // Sorted by id: deterministic iteration.
    active: Vec<Touch>,
    ended: Vec<Touch>,
    started: Vec<u64>,
}

impl Touches {
    /// Applies one touch event.
    pub fn apply(&mut self, id: u64, phase: TouchPhase, position: Vec2) {
        let index = self.active.binary_search_by_key(&id, |t| t.id);
        match (phase, index) {
            (TouchPhase::Started, Ok(i)) => {
                self.active[i] = Touch {
                    id,
                    position,
                    start: position,
                    phase,
                }
            }
            (TouchPhase::Started, Err(i)) => {
                self.active.insert(
                    i,
                    Touch {
                        id,
                        position,
                        start: position,
                        phase,
                    },
                );
                self.started.push(id);
            }
            (TouchPhase::Moved, Ok(i)) => {
                self.active[i].position = position;
                self.active[i].phase = phase;
            }
            (TouchPhase::Ended | TouchPhase::Cancelled, Ok(i)) => {
                let mut touch = self.active.remove(i);
                touch.position = position;
                touch.phase = phase;
                self.ended.push(touch);
            }
            // A move or end for a finger we never saw start: nothing to update.
            (_, Err(_)) => {}
        }
    }

    /// The fingers on the screen, by id.
    pub fn active(&self) -> &[Touch] {
        &self.active
    }

    /// The finger with this id, if it is on the screen.
    pub fn get(&self, id: u64) -> Option<&Touch> {
        self.active
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &self.active[i])
    }

    /// True when the finger `id` went down this frame.
    pub fn just_started(&self, id: u64) -> bool {
        self.started.contains(&id)
    }

    /// The fingers that went up or were cancelled this frame, with their last position.
    pub fn just_ended(&self) -> &[Touch] {
        &self.ended
    }

    /// Starts a new frame.
    pub fn end_frame(&mut self) {
        self.ended.clear();
        self.started.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touch_lifecycle() {
        let mut t = Touches::default();
        t.apply(7, TouchPhase::Started, Vec2::new(1.0, 2.0));
        t.apply(3, TouchPhase::Started, Vec2::new(5.0, 5.0));
        assert_eq!(t.active().iter().map(|t| t.id).collect::<Vec<_>>(), [3, 7]);
        assert!(t.just_started(7));
        t.end_frame();
        t.apply(7, TouchPhase::Moved, Vec2::new(4.0, 2.0));
        assert_eq!(t.get(7).unwrap().start, Vec2::new(1.0, 2.0));
        assert_eq!(t.get(7).unwrap().position, Vec2::new(4.0, 2.0));
        t.apply(7, TouchPhase::Ended, Vec2::new(4.0, 3.0));
        assert!(t.get(7).is_none());
        assert_eq!(t.just_ended()[0].position, Vec2::new(4.0, 3.0));
        t.apply(99, TouchPhase::Moved, Vec2::ZERO); // unknown finger: ignored
        assert_eq!(t.active().len(), 1);
    }
}
