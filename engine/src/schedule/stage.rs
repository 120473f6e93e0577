//! The fixed list of stages every frame runs through.

use core::fmt;

/// A stage of the frame. Stages run in the order of [`Stage::ALL`], every frame.
///
/// [`FixedUpdate`](Stage::FixedUpdate) belongs to the update phase: it runs zero or more times
/// per frame at a fixed timestep (see [`FixedTime`](super::FixedTime)), right before
/// [`Update`](Stage::Update).
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// Platform input is turned into the frame's input state and actions.
    Input = 0,
    /// Network messages received since the last frame are applied.
    NetReceive = 1,
    /// Simulation at a fixed timestep: 0..n steps per frame.
    FixedUpdate = 2,
    /// The game's per-frame systems.
    Update = 3,
    /// Level-of-detail selection.
    Lod = 4,
    /// Making wanted LOD levels resident within the memory budget.
    Streaming = 5,
    /// Visibility culling.
    Culling = 6,
    /// Building and submitting the frame's draws.
    Render = 7,
    /// Network messages (snapshots, inputs) sent for this frame.
    NetSend = 8,
}

impl Stage {
    /// The number of stages.
    pub const COUNT: usize = 9;

    /// Every stage, in execution order.
    pub const ALL: [Stage; Stage::COUNT] = [
        Stage::Input,
        Stage::NetReceive,
        Stage::FixedUpdate,
        Stage::Update,
        Stage::Lod,
        Stage::Streaming,
        Stage::Culling,
        Stage::Render,
        Stage::NetSend,
    ];

    /// The position of the stage in [`Stage::ALL`] (0..9).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The stage at position `index` of [`Stage::ALL`], if any.
    pub const fn from_index(index: usize) -> Option<Stage> {
        if index < Stage::COUNT {
            Some(Stage::ALL[index])
        } else {
            None
        }
    }

    /// Snake-case name, as used in tracing spans.
    pub const fn name(self) -> &'static str {
        match self {
            Stage::Input => "input",
            Stage::NetReceive => "net_receive",
            Stage::FixedUpdate => "fixed_update",
            Stage::Update => "update",
            Stage::Lod => "lod",
            Stage::Streaming => "streaming",
            Stage::Culling => "culling",
            Stage::Render => "render",
            Stage::NetSend => "net_send",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_index_agree() {
        for (i, stage) in Stage::ALL.iter().enumerate() {
            assert_eq!(stage.index(), i);
            assert_eq!(Stage::from_index(i), Some(*stage));
        }
        assert!(Stage::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Stage::from_index(Stage::COUNT), None);
    }
}
