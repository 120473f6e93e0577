//! Spot lights on lavapipe: the cone lights a disk on the floor, full inside the inner angle
//! and dark past the outer one, and the shadowed spot light's map puts a caster's shadow in
//! that disk (absent with `RendererConfig::spot_shadows` off or the light's `shadows` off).
//! Golden image: tolerance and updating in `support/golden.rs`. Without an adapter the tests
//! are skipped, unless `LAYERW_REQUIRE_GPU=1` makes that a failure.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::glam::{Quat, UVec2, Vec3, Vec4};
use layerw_engine::gpu::Image;
use layerw_engine::render::{MaterialParams, PointLight, SpotCone};

#[path = "support/gpu.rs"]
mod support;

#[path = "support/golden.rs"]
mod golden;
use golden::check_golden;

#[path = "support/scene.rs"]
mod scene;
use scene::{Scene, mean};

/// A dark scene (no sun, a dim sky) with a floor, a sphere hanging over it, and a spot light
/// straight above shining down with a 25 to 30 degree cone (the shadows as asked).
fn lamp(shadows: bool) -> Scene {
    let mut scene = Scene::new(Vec3::new(0.0, 5.0, 6.0), Vec3::new(0.0, 0.0, 0.5));
    scene.sun.intensity = 0.0;
    scene.sun.shadows = false;
    scene.ambient = (Vec3::splat(0.01), Vec3::splat(0.005));
    scene.floor(20.0);
    let white = scene.material(MaterialParams {
        base_color: Vec4::new(0.9, 0.9, 0.9, 1.0),
        ..Default::default()
    });
    scene.draw_scaled(
        scene.sphere,
        white,
        false,
        Vec3::new(0.0, 1.5, 0.0),
        Quat::IDENTITY,
        1.2,
    );
    scene.lights.push(PointLight {
        position: Vec3::new(0.0, 4.0, 0.0),
        color: Vec3::new(1.0, 0.9, 0.7),
        intensity: 60.0,
        range: 10.0,
        cone: Some(SpotCone {
            direction: Vec3::NEG_Y,
            inner_angle: 25f32.to_radians(),
            outer_angle: 30f32.to_radians(),
            shadows,
        }),
    });
    scene
}

fn brightness(image: &Image, scene: &Scene, at: Vec3) -> f32 {
    mean(image, scene.pixel(at), 2).dot(Vec3::ONE)
}

#[test]
fn a_spot_light_lights_its_cone_and_its_shadow_falls_inside() {
    let mut lit = lamp(false);
    let Some(unshadowed) = lit.render(false) else {
        return;
    };
    let mut shadowed_scene = lamp(true);
    let shadowed = shadowed_scene.render(false).unwrap();
    let scene = lamp(true);
    // The cone reaches tan(25 deg) x 4 = 1.87 m fully and tan(30 deg) x 4 = 2.31 m at all.
    let inside = Vec3::new(1.4, 0.0, 0.8);
    let outside = Vec3::new(2.8, 0.0, 0.8);
    // The sphere's shadow straight below it, seen past its front.
    let under = Vec3::new(0.0, 0.0, 0.5);
    let (a, b) = (
        brightness(&unshadowed, &scene, inside),
        brightness(&unshadowed, &scene, outside),
    );
    assert!(a > 0.8 && a > b * 4.0, "inside {a}, outside {b}");
    // Without a shadow map the floor under the sphere is lit like the rest of the disk...
    let open = brightness(&unshadowed, &scene, under);
    assert!(open > a * 0.7, "under {open} vs inside {a}");
    // ... and with it, the sphere's shadow darkens it while the rest of the disk stays lit.
    let dark = brightness(&shadowed, &scene, under);
    assert!(dark < open * 0.4, "shadowed {dark} vs open {open}");
    let still = brightness(&shadowed, &scene, inside);
    assert!((still - a).abs() < 0.1, "{still} vs {a}");
}

#[test]
fn the_spot_light_shadow_matches_the_golden_image() {
    let mut scene = lamp(true);
    scene.size = UVec2::new(320, 200);
    let Some(image) = scene.render(true) else {
        return;
    };
    check_golden("spot_light", &image);
}
