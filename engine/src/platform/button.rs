//! The pressed / just-pressed / just-released state machine shared by keys, mouse buttons and
//! gamepad buttons.

use std::collections::BTreeSet;

/// Which buttons of type `T` are held, went down this frame, or went up this frame.
///
/// A press and a release of the same button in one frame (a tap shorter than a frame) leaves it
/// both just pressed and just released, and not held: the tap is never lost.
///
/// # Example
/// ```
/// use layerw_engine::platform::ButtonInput;
///
/// let mut buttons = ButtonInput::<u8>::default();
/// buttons.press(1);
/// buttons.release(1);
/// assert!(buttons.just_pressed(1) && buttons.just_released(1) && !buttons.pressed(1));
/// buttons.end_frame();
/// assert!(!buttons.just_pressed(1) && !buttons.just_released(1));
/// ```
#[derive(Clone, Debug)]
pub struct ButtonInput<T: Ord + Copy> {
    // Ordered sets: iteration order is deterministic (replays, 1 vs N threads).
    pressed: BTreeSet<T>,
    just_pressed: BTreeSet<T>,
    just_released: BTreeSet<T>,
}

impl<T: Ord + Copy> Default for ButtonInput<T> {
    fn default() -> Self {
        ButtonInput {
            pressed: BTreeSet::new(),
            just_pressed: BTreeSet::new(),
            just_released: BTreeSet::new(),
        }
    }
}

impl<T: Ord + Copy> ButtonInput<T> {
    /// Records `button` going down. A repeat (already held) is not a new press.
    pub fn press(&mut self, button: T) {
        if self.pressed.insert(button) {
            self.just_pressed.insert(button);
        }
    }

    /// Records `button` going up. Releasing a button that is not held does nothing.
    pub fn release(&mut self, button: T) {
        if self.pressed.remove(&button) {
            self.just_released.insert(button);
        }
    }

    /// Releases every held button.
    pub fn release_all(&mut self) {
        let held = core::mem::take(&mut self.pressed);
        self.just_released.extend(held);
    }

    /// True while `button` is held.
    pub fn pressed(&self, button: T) -> bool {
        self.pressed.contains(&button)
    }

    /// True in the frame `button` went down.
    pub fn just_pressed(&self, button: T) -> bool {
        self.just_pressed.contains(&button)
    }

    /// True in the frame `button` went up.
    pub fn just_released(&self, button: T) -> bool {
        self.just_released.contains(&button)
    }

    /// Every held button, in order.
    pub fn iter_pressed(&self) -> impl Iterator<Item = T> + '_ {
        self.pressed.iter().copied()
    }

    /// Every button released this frame, in order.
    pub fn iter_just_released(&self) -> impl Iterator<Item = T> + '_ {
        self.just_released.iter().copied()
    }

    /// Starts a new frame: forgets the presses and releases of the last one.
    pub fn end_frame(&mut self) {
        self.just_pressed.clear();
        self.just_released.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_machine() {
        let mut b = ButtonInput::<u8>::default();
        b.press(3);
        assert!(b.pressed(3) && b.just_pressed(3) && !b.just_released(3));
        b.end_frame();
        b.press(3); // key repeat
        assert!(b.pressed(3) && !b.just_pressed(3));
        b.end_frame();
        b.release(3);
        assert!(!b.pressed(3) && b.just_released(3));
        b.release(3);
        b.end_frame();
        assert!(!b.just_released(3));
        b.release(9); // never pressed
        assert!(!b.just_released(9));
    }

    #[test]
    fn release_all_reports_releases() {
        let mut b = ButtonInput::<u8>::default();
        b.press(1);
        b.press(2);
        b.end_frame();
        b.release_all();
        assert_eq!(b.iter_pressed().count(), 0);
        assert!(b.just_released(1) && b.just_released(2));
    }
}
