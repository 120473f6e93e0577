//! Layer-W: a data-oriented 3D game engine for the web and the desktop.
//!
//! Games are components (plain data, [`components`]) and systems (functions over queries,
//! [`systems`]) run by a fixed [`Schedule`](engine::schedule::Schedule) over a
//! [`World`](engine::ecs::World) whose archetype tables live in walloc's Entity tier.
//!
//! With the default `walloc-global` feature this crate installs [`walloc`] as the process's
//! global allocator, so every byte the program allocates is counted in a tier, the same natively
//! and on wasm.
//!
//! # Example
//! ```
//! use layerw::prelude::*;
//!
//! let mut world = World::new();
//! for i in 0..100 {
//!     world.spawn((Position(Vec3::ZERO), Velocity(Vec3::new(i as f32, 0.0, 0.0))));
//! }
//! let mut schedule = Schedule::new();
//! schedule.add_system(Stage::Update, integrate_velocity());
//! schedule.run_frame(&mut world, 1.0 / 60.0);
//! assert!(walloc::stats().tier(Tier::Entity).used > 0 || !walloc::is_global_allocator());
//! ```
#![warn(missing_docs)]

#[cfg(feature = "audio")]
pub use layerw_audio as audio;
pub use layerw_components as components;
pub use layerw_engine as engine;
pub use layerw_engine::platform;
pub use layerw_engine::walloc;
pub use layerw_net as net;
pub use layerw_systems as systems;

#[cfg(feature = "walloc-global")]
#[global_allocator]
static ALLOC: walloc::WallocGlobal = walloc::WallocGlobal;

/// The names a game needs most, in one import.
///
/// # Example
/// A headless app from the default set, a derived action set and a system over it:
/// ```
/// use layerw::prelude::*;
///
/// #[derive(Action, Clone, Copy, Debug, PartialEq, Eq, Hash)]
/// enum Play {
///     Jump,
///     GrabCursor,
/// }
///
/// #[derive(Default)]
/// struct Jumps(u32);
///
/// fn jump(actions: Res<ActionState<Play>>, mut jumps: ResMut<Jumps>) {
///     if actions.just_pressed(Play::Jump) {
///         jumps.0 += 1;
///     }
/// }
///
/// let mut app = App::new();
/// app.add_plugin(HeadlessPlugins::default())
///     .add_plugin(InputPlugin {
///         bindings: ActionMap::new().with(Play::Jump, Binding::Key(KeyCode::Space)),
///     })
///     .insert_resource(Jumps::default())
///     .add_system(Stage::Update, jump);
/// app.push_event(InputEvent::key_pressed(KeyCode::Space));
/// app.run_headless(HeadlessRun::frames(3));
/// assert_eq!(app.world().resource::<Jumps>().0, 1);
/// assert_eq!(Play::GrabCursor.name(), "grab_cursor");
/// ```
pub mod prelude {
    pub use glam::{Mat4, Quat, UVec2, Vec2, Vec3, Vec4};
    #[cfg(feature = "audio")]
    pub use layerw_audio::{
        Audio, AudioEmitter, AudioError, AudioListener, AudioOutput, AudioPlugin, AudioStart,
        AudioState, Bus, PlaySound, Playback, Sound,
    };
    pub use layerw_components::{AngularVelocity, Position, Rotation, Transform, Velocity};
    pub use layerw_engine::app::{
        App, AppExit, HeadlessRun, Plugin, RunError, RunReport, StopReason, Timestep,
    };
    pub use layerw_engine::asset::{AssetPlugin, AssetServer, Assets, Handle, LoadState};
    pub use layerw_engine::ecs::{
        CommandBuffer, Entity, EventCursor, Events, With, Without, World,
    };
    pub use layerw_engine::logging::LogPlugin;
    pub use layerw_engine::platform::{
        Action, ActionMap, ActionState, Binding, FramePacing, GamepadAxis, GamepadButton, Gamepads,
        InputEvent, InputPlugin, Journal, KeyCode, Keyboard, Mouse, MouseButton, Stick, Touches,
        Window, WindowConfig, WindowEvent, WindowPlugin, WindowRequest,
    };
    pub use layerw_engine::schedule::{
        Access, Commands, Delta, EventReader, EventWriter, ExecutorKind, FixedTime,
        IntoSystemConfig, Local, NextState, Query, Res, ResMut, Rollback, Schedule, ScheduleError,
        Stage, State, StateTransition, System, SystemContext, Time, in_state, not, resource_exists,
    };
    pub use layerw_engine::walloc::{self, Tier};
    pub use layerw_net::client::{ClientPlugin, Interpolated, NetClient, Predicted};
    pub use layerw_net::input::PlayerInput;
    pub use layerw_net::replication::{NetId, Replicated, Replication};
    pub use layerw_net::server::{
        ClientConnected, ClientDisconnected, ClientExpired, Controlled, NetServer, ServerPlugin,
    };
    pub use layerw_net::stats::NetStats;
    pub use layerw_systems::{
        CullPlugin, DefaultPlugins, DiagnosticsPlugin, ExtractPlugin, FrameTimes, HeadlessPlugins,
        LodPlugin, ShadowBounds, UiPlugin, integrate_velocity, memory_report, spin, sync_transform,
    };
    #[cfg(all(feature = "gpu", not(target_os = "wasi")))]
    pub use layerw_systems::{RenderPlugin, RenderUnavailable};
}

/// README's examples, compiled and run as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
