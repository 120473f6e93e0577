//! The headless runner: N frames with no window and no GPU (also on wasm32-wasip1 under
//! wasmtime), exit on request, and real time clamped against stalls.

use layerw_engine::app::{App, AppExit, HeadlessRun, StopReason};
use layerw_engine::schedule::{FixedTime, Stage, System, Time};

struct Counter(u64);

#[test]
fn runs_a_fixed_number_of_frames_at_a_fixed_timestep() {
    let mut app = App::new();
    app.insert_resource(Counter(0))
        .insert_resource(FixedTime::new(1.0 / 30.0))
        .add_system(
            Stage::FixedUpdate,
            System::new("tick", |ctx| ctx.resource_mut::<Counter>().0 += 1)
                .writes_resource::<Counter>(),
        );
    let report = app.run_headless(HeadlessRun::frames(120));
    assert_eq!(report.frames, 120);
    assert_eq!(report.reason, StopReason::FrameLimit);
    assert!((report.simulated_seconds - 2.0).abs() < 1e-9);
    let time = app.world().resource::<Time>();
    assert_eq!(time.frame(), 120);
    drop(time);
    // 2 s of frames at a 30 Hz fixed step: 60 steps, whatever the frame rate.
    assert_eq!(app.world().resource::<Counter>().0, 60);
}

#[test]
fn stops_when_a_system_asks() {
    let mut app = App::new();
    app.insert_resource(Counter(0)).add_system(
        Stage::Update,
        System::new("quit_at_five", |ctx| {
            let mut c = ctx.resource_mut::<Counter>();
            c.0 += 1;
            if c.0 == 5 {
                ctx.send_event(AppExit).unwrap();
            }
        })
        .writes_resource::<Counter>()
        .sends_events::<AppExit>(),
    );
    let report = app.run_headless(HeadlessRun {
        frames: Some(1000),
        ..HeadlessRun::frames(0)
    });
    assert_eq!(report.reason, StopReason::ExitRequested);
    assert_eq!(report.frames, 5);
    // A second run starts fresh: an exit from the last run does not stop it.
    let report = app.run_headless(HeadlessRun::frames(3));
    assert_eq!((report.frames, report.reason), (3, StopReason::FrameLimit));
}

#[test]
#[cfg(not(target_family = "wasm"))]
fn real_time_is_clamped_so_a_stall_is_one_long_frame() {
    use layerw_engine::app::Timestep;
    use std::sync::atomic::{AtomicU64, Ordering};

    static FRAMES: AtomicU64 = AtomicU64::new(0);
    let mut app = App::new();
    app.add_system(
        Stage::Update,
        System::new("stall", |_| {
            FRAMES.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }),
    );
    let report = app.run_headless(HeadlessRun {
        frames: Some(4),
        timestep: Timestep::Real { max_seconds: 0.005 },
        max_fps: None,
    });
    assert_eq!(FRAMES.load(Ordering::Relaxed), 4);
    // Each frame after the first stalled 20 ms, but no delta exceeds the clamp.
    assert!(report.simulated_seconds <= 4.0 * 0.005 + 1e-12);
    assert!(report.simulated_seconds >= 3.0 * 0.005 - 1e-12);
}
