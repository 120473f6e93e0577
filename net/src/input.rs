//! Players' inputs on the wire: an [`ActionState`] per fixed tick, the same bits on both ends.

use layerw_engine::platform::{Action, ActionState, ActionValue};

use crate::bits::{BitError, BitReader, BitWriter};

/// A player's input for the current fixed tick, on the entity that player controls.
///
/// On the server the [`ServerPlugin`](crate::server::ServerPlugin) writes it every tick from
/// the inputs the client sent; on the client the [`ClientPlugin`](crate::client::ClientPlugin)
/// writes the local player's input (and, when replaying after a correction, the input of the
/// tick being replayed). The game's FixedUpdate systems read it instead of the
/// `ActionState<A>` resource, so the same systems run on the server and in prediction.
#[derive(Clone, Debug, PartialEq)]
pub struct PlayerInput<A: Action>(pub ActionState<A>);

impl<A: Action> Default for PlayerInput<A> {
    fn default() -> Self {
        PlayerInput(ActionState::default())
    }
}

/// Writes `state` (pressed flags and values; the "just" flags are derived on decoding) into
/// `out`, replacing its contents.
///
/// Each action costs one bit when idle, else a pressed bit and its two values as `f32`s:
/// inputs are a few actions, and exact values keep prediction exact.
pub fn encode_input<A: Action>(state: &ActionState<A>, out: &mut Vec<u8>) {
    let mut writer = BitWriter::with_capacity(8 * A::ALL.len() + 1);
    for &action in A::ALL {
        let value = state.get(action);
        let idle = !value.pressed && value.value == glam::Vec2::ZERO;
        writer.write_bool(!idle);
        if !idle {
            writer.write_bool(value.pressed);
            writer.write_bits(u64::from(value.value.x.to_bits()), 32);
            writer.write_bits(u64::from(value.value.y.to_bits()), 32);
        }
    }
    out.clear();
    out.extend_from_slice(writer.finish());
}

/// Reads an input written by [`encode_input`]; `previous` (the tick before's input) gives the
/// just-pressed and just-released flags. Non-finite values read as zero.
///
/// # Errors
/// A [`BitError`] when the bytes are short or too long for `A`'s actions.
pub fn decode_input<A: Action>(
    bytes: &[u8],
    previous: &ActionState<A>,
) -> Result<ActionState<A>, BitError> {
    let mut reader = BitReader::new(bytes);
    let mut state = ActionState::<A>::default();
    for &action in A::ALL {
        let was = previous.get(action).pressed;
        let mut value = ActionValue::default();
        if reader.read_bool()? {
            value.pressed = reader.read_bool()?;
            let x = f32::from_bits(reader.read_bits(32)? as u32);
            let y = f32::from_bits(reader.read_bits(32)? as u32);
            let finite = |v: f32| if v.is_finite() { v } else { 0.0 };
            value.value = glam::Vec2::new(finite(x), finite(y));
        }
        value.just_pressed = value.pressed && !was;
        value.just_released = was && !value.pressed;
        state.set(action, value);
    }
    reader.finish()?;
    Ok(state)
}
