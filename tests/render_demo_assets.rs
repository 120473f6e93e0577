//! render_demo's assets at run time on the GPU (lavapipe in CI): the demo's own scene and
//! systems (`examples/render_demo/scene.rs`, included here) load the LOD chain and the floor's
//! texture from the repository's files, the U key unloads the chain and L loads it again,
//! and `GpuResidency` goes down by exactly the chain's meshes and back up to the same figures;
//! the overlay's asset line says so. Keys are pushed on the input queue by a frame hook, as a
//! runner would. Without an adapter the test is skipped unless `LAYERW_REQUIRE_GPU=1`.
#![cfg(all(feature = "gpu", feature = "window", not(target_family = "wasm")))]

#[path = "../engine/tests/support/gpu.rs"]
mod support;

#[allow(dead_code)] // The example's items the test does not use (its capture hook).
#[path = "../examples/render_demo/scene.rs"]
mod scene;

use std::cell::RefCell;
use std::rc::Rc;

use layerw::engine::gpu::GpuResidency;
use layerw::engine::lod::LodAssets;
use layerw::engine::platform::InputQueue;
use layerw::engine::render::OverlayLines;
use layerw::prelude::*;

/// Where the script is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for the files; then U is pressed.
    Loading,
    /// U was pressed; the next frame unloads.
    Unloading,
    /// U released, L pressed; waiting for the chain to be loaded again.
    Reloading,
    /// Done; the app was asked to exit.
    Done,
}

/// What the script saw at each step.
#[derive(Debug)]
struct Seen {
    step: Step,
    loaded: Option<(GpuResidency, usize)>,
    unloaded: Option<(GpuResidency, usize)>,
    reloaded: Option<(GpuResidency, usize)>,
    unloaded_line: String,
    reloaded_line: String,
    handles_differ: bool,
}

fn chain_spheres(world: &World) -> usize {
    world.query::<&scene::ChainSphere>().iter().count()
}

fn asset_line(world: &World) -> String {
    world
        .try_resource::<OverlayLines>()
        .ok()
        .and_then(|lines| {
            lines
                .iter()
                .find(|l| l.starts_with("assets:"))
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

fn press(world: &mut World, events: &[InputEvent]) {
    let mut queue = world.resource_mut::<InputQueue>();
    for event in events {
        queue.push(0.0, event.clone());
    }
}

#[test]
fn render_demo_unloads_and_reloads_its_lod_chain_on_the_gpu() {
    let mut app = scene::app(scene::asset_root());
    let unavailable = app
        .world()
        .try_resource::<RenderUnavailable>()
        .map(|why| why.0.clone());
    if support::or_skip(unavailable.map_or(Ok(()), Err)).is_none() {
        return;
    }
    let seen = Rc::new(RefCell::new(Seen {
        step: Step::Loading,
        loaded: None,
        unloaded: None,
        reloaded: None,
        unloaded_line: String::new(),
        reloaded_line: String::new(),
        handles_differ: false,
    }));
    let script = seen.clone();
    let mut first_chain = None;
    // After the renderer's hook: the residency read is this frame's.
    app.add_frame_hook(move |world| {
        let mut seen = script.borrow_mut();
        let (chain, row_spawned, floor_spawned) = {
            let demo = world.resource::<scene::DemoAssets>();
            assert!(demo.failure.is_none(), "a load failed: {:?}", demo.failure);
            (demo.chain, demo.row_spawned, demo.floor_spawned)
        };
        let state = world.resource::<LodAssets>().load_state(chain);
        let residency = world.try_resource::<GpuResidency>().map(|r| *r).ok();
        let done = world.resource::<AssetServer>().progress().is_done();
        match seen.step {
            Step::Loading if done && row_spawned && floor_spawned => {
                seen.loaded = Some((residency.expect("published"), chain_spheres(world)));
                first_chain = Some(chain);
                press(world, &[InputEvent::key_pressed(scene::UNLOAD_KEY)]);
                seen.step = Step::Unloading;
            }
            Step::Unloading => {
                assert_eq!(state, LoadState::Unloaded, "U unloaded the chain");
                seen.unloaded = Some((residency.expect("published"), chain_spheres(world)));
                seen.unloaded_line = asset_line(world);
                press(
                    world,
                    &[
                        InputEvent::key_released(scene::UNLOAD_KEY),
                        InputEvent::key_pressed(scene::LOAD_KEY),
                    ],
                );
                seen.step = Step::Reloading;
            }
            Step::Reloading if state == LoadState::Loaded && row_spawned => {
                seen.reloaded = Some((residency.expect("published"), chain_spheres(world)));
                seen.reloaded_line = asset_line(world);
                seen.handles_differ = first_chain != Some(chain);
                seen.step = Step::Done;
                world.resource_mut::<Events<AppExit>>().send(AppExit);
            }
            _ => {}
        }
    });
    // Frames run flat out while the IO thread reads; the limit only stops a broken run.
    app.set_headless(HeadlessRun::frames(100_000));
    let report = app.run().unwrap();
    let seen = seen.borrow();
    assert_eq!(
        seen.step,
        Step::Done,
        "the script finished: {seen:?} ({report:?})"
    );
    let (loaded, loaded_spheres) = seen.loaded.unwrap();
    let (unloaded, unloaded_spheres) = seen.unloaded.unwrap();
    let (reloaded, reloaded_spheres) = seen.reloaded.unwrap();
    // The row's 14 spheres go and come back.
    assert_eq!(
        (loaded_spheres, unloaded_spheres, reloaded_spheres),
        (14, 0, 14)
    );
    // Unloading frees exactly the chain's level meshes: the four meshes made in code (sphere,
    // cube, floor, glass pane) stay, and so does the floor's texture.
    assert_eq!(unloaded.meshes, 4, "{unloaded:?}");
    assert!(loaded.meshes > unloaded.meshes, "{loaded:?} {unloaded:?}");
    assert!(
        loaded.mesh_bytes > unloaded.mesh_bytes,
        "{loaded:?} {unloaded:?}"
    );
    assert_eq!(
        (unloaded.textures, unloaded.texture_bytes),
        (loaded.textures, loaded.texture_bytes)
    );
    assert_eq!(loaded.textures, 1, "the checker");
    // Loading again brings the same meshes back, under a new handle.
    assert_eq!(reloaded, loaded);
    assert!(seen.handles_differ, "the reloaded chain has a new handle");
    assert!(
        seen.unloaded_line.starts_with("assets: chain unloaded"),
        "{}",
        seen.unloaded_line
    );
    assert!(
        seen.reloaded_line
            .starts_with("assets: chain loaded (3 loaded, 0 failed, 0 pending"),
        "{}",
        seen.reloaded_line
    );
}
