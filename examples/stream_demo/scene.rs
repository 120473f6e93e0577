//! stream_demo's scene: a fixed camera over a small generated world streamed from a content
//! pack (any [`StreamIo`]: files, HTTP, the browser's fetch), a sun, and the stats overlay with
//! the streamer's "stream:" line; and a frame hook that takes screenshots when the view is
//! first drawn at its coarsest levels and when streaming is complete.
//!
//! Tests include this file (`tests/stream_nginx.rs`), so it depends on nothing in `main.rs`.

use std::path::PathBuf;

use layerw::components::{Camera, Projection, Sun, Transform};
use layerw::engine::gpu::Screenshot;
use layerw::engine::render::StatsOverlay;
use layerw::engine::stream::{StreamIo, StreamSettings, Streamer};
use layerw::prelude::*;
use layerw::systems::{CellRadii, DefaultPlugins, StreamPlugin, StreamedCell};

/// The internal resolution (the web page's canvas has the same size, for pixel comparisons).
pub const RESOLUTION: UVec2 = UVec2::new(640, 360);
/// The streamer's budget: the whole demo world fits, so nothing is evicted and the final
/// frame is the same however the bytes came.
pub const BUDGET: u64 = 256 << 20;
/// Frames that end complete before the complete screenshot is asked for (the wants of a
/// level that just arrived count from the next frame).
pub const COMPLETE_FRAMES_BEFORE_SCREENSHOT: u32 = 3;

/// The camera's height and its distance from the world's centre.
const CAMERA_HEIGHT: f32 = 26.0;
const CAMERA_DISTANCE: f32 = 70.0;

/// The camera: above the world's south edge, looking north over several cells.
pub fn camera_transform() -> Transform {
    camera_on_circle(0.0)
}

/// The camera `angle` radians round the world's centre (0: the fixed camera), looking at it.
fn camera_on_circle(angle: f32) -> Transform {
    let eye = Vec3::new(
        CAMERA_DISTANCE * angle.sin(),
        CAMERA_HEIGHT,
        CAMERA_DISTANCE * angle.cos(),
    );
    Transform::from_translation(eye).looking_at(Vec3::ZERO)
}

/// A slow flight round the world's centre; a resource (see [`fly_over`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flight {
    /// How fast the camera circles.
    pub radians_per_second: f32,
}

/// Makes the camera circle the world's centre at `radians_per_second` (from the fixed
/// camera's place), so other sides of the world come into view and stream in.
pub fn fly_over(app: &mut App, radians_per_second: f32) {
    app.insert_resource(Flight { radians_per_second })
        .add_system(Stage::Update, fly);
}

/// Moves the camera along its [`Flight`].
fn fly(
    mut cameras: Query<(&mut Transform, &Camera)>,
    flight: Res<Flight>,
    delta: Delta,
    mut angle: Local<f32>,
) {
    *angle += flight.radians_per_second * delta.seconds();
    for (transform, _) in cameras.iter() {
        *transform = camera_on_circle(*angle);
    }
}

/// The demo's app streaming the pack behind `io`: the default plugins at [`RESOLUTION`], the
/// [`StreamPlugin`] with every cell of the demo world in range, the camera, the sun, and the
/// stats overlay (`overlay`: shown from the start; F3 toggles it).
pub fn app(io: impl StreamIo + 'static, overlay: bool) -> App {
    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            title: "Layer-W stream demo".into(),
            size: RESOLUTION,
            internal_resolution: RESOLUTION,
            ..WindowConfig::default()
        },
        ..DefaultPlugins::default()
    });
    app.add_plugin(
        StreamPlugin::new(io, StreamSettings::new(BUDGET)).with_cells(CellRadii {
            load: 400.0,
            unload: 500.0,
        }),
    );
    // Font pixels at 1:1, so the stream line fits the 640 px frame.
    app.insert_resource(StatsOverlay {
        visible: overlay,
        scale: 1,
    });
    app.insert_resource(DemoProgress::default());
    let world = app.world_mut();
    world.spawn((
        camera_transform(),
        Camera {
            projection: Projection::Perspective {
                fov_y: 50f32.to_radians(),
            },
            near: 0.5,
            far: 400.0,
        },
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.4, -0.7, -0.5).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.96, 0.9),
            intensity: 3.0,
            shadows: true,
        },
    ));
    app
}

/// Where streaming stands, counted by [`watch`] at the end of each frame; a resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoProgress {
    /// Entities spawned from the pack's cells.
    pub entities: u32,
    /// Frames that ended with every cell spawned and every wanted asset at least at its
    /// coarsest level.
    pub ready_frames: u32,
    /// Frames in a row that ended with streaming complete.
    pub complete_frames: u32,
    /// The frame the ready screenshot was asked for in (it is the next frame).
    pub ready_frame: Option<u64>,
    /// The frame the complete screenshot was asked for in.
    pub complete_frame: Option<u64>,
    /// Frames seen.
    pub frames: u64,
}

/// Screenshots and the end of a run, for [`watch`].
#[derive(Clone, Debug, Default)]
pub struct Shots {
    /// The first frame drawn once every cell is spawned and everything wanted has its coarsest
    /// level (the coarse view; finer levels are still on their way when the link is slow).
    pub ready: Option<PathBuf>,
    /// A frame drawn once streaming is complete (every wanted level resident).
    pub complete: Option<PathBuf>,
    /// Send [`AppExit`] this many frames after the complete screenshot was asked for.
    pub exit_after_complete: Option<u32>,
}

/// A frame hook (add it after the default plugins, so it runs after the renderer's): keeps
/// [`DemoProgress`], asks for the screenshots of `shots` and ends the run when asked to.
pub fn watch(mut shots: Shots) -> impl FnMut(&mut World) + 'static {
    move |world| {
        let entities = world.query::<&StreamedCell>().iter().count() as u32;
        let (ready, complete) = {
            let Ok(streamer) = world.try_resource::<Streamer>() else {
                return;
            };
            let progress = streamer.progress();
            let cells = streamer.manifest().map_or(0, |m| m.cells.len()) as u32;
            let ready = entities > 0
                && progress.cells_loaded == cells
                && progress.scheduler.wanted_bytes > 0
                && progress.view_ready();
            (ready, ready && progress.complete())
        };
        let mut request = None;
        let mut exit = false;
        {
            let mut demo = world.resource_mut::<DemoProgress>();
            demo.frames += 1;
            demo.entities = entities;
            // Two ready frames: the cells' wants reach the streamer the frame after they spawn.
            demo.ready_frames = if ready { demo.ready_frames + 1 } else { 0 };
            demo.complete_frames = if complete {
                demo.complete_frames + 1
            } else {
                0
            };
            if demo.ready_frames == 2 && demo.ready_frame.is_none() {
                demo.ready_frame = Some(demo.frames);
                request = shots.ready.take();
            }
            // A ready screenshot asked for in this frame goes first; this one waits a frame.
            if demo.complete_frames >= COMPLETE_FRAMES_BEFORE_SCREENSHOT
                && demo.complete_frame.is_none()
                && request.is_none()
            {
                demo.complete_frame = Some(demo.frames);
                request = shots.complete.take();
            }
            if let (Some(at), Some(after)) = (demo.complete_frame, shots.exit_after_complete) {
                exit = demo.frames >= at + u64::from(after);
            }
        }
        if let Some(path) = request {
            world.insert_resource(Screenshot { path });
        }
        if exit {
            world.resource_mut::<Events<AppExit>>().send(AppExit);
        }
    }
}
