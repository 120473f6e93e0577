//! Material surfaces on lavapipe: alpha-masked surfaces (and their shadows), blended ones
//! sorted back to front, double-sided ones, the texture transform and emissive strength, each
//! shown against the same frame without it, plus a golden image of all of them together
//! (tolerance and updating: `support/golden.rs`). Without an adapter the tests are skipped,
//! unless `LAYERW_REQUIRE_GPU=1` makes that a failure.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::glam::{Quat, UVec2, Vec2, Vec3, Vec4};
use layerw_engine::gpu::Image;
use layerw_engine::render::{AlphaMode, MaterialParams, TextureTransform};

#[path = "support/gpu.rs"]
mod support;

#[path = "support/golden.rs"]
mod golden;
use golden::check_golden;

#[path = "support/scene.rs"]
mod scene;
use scene::{FACING_CAMERA, Scene, mean, rgb};

/// The test texture on a quad facing the camera, with `mode`: where to look for each quadrant.
fn masked_quad(mode: AlphaMode) -> (Scene, [(u32, u32); 4]) {
    let mut scene = Scene::new(Vec3::new(0.0, 0.0, 2.0), Vec3::ZERO);
    let material = scene.material(MaterialParams {
        alpha_mode: mode,
        ..Default::default()
    });
    scene.draw(scene.plane, material, true, Vec3::ZERO, FACING_CAMERA);
    let quadrants = [(-0.25, 0.25), (0.25, 0.25), (-0.25, -0.25), (0.25, -0.25)]
        .map(|(x, y)| scene.pixel(Vec3::new(x, y, 0.0)));
    (scene, quadrants)
}

#[test]
fn masked_surfaces_are_cut_where_alpha_is_below_the_cutoff() {
    let (mut opaque, at) = masked_quad(AlphaMode::Opaque);
    let Some(opaque) = opaque.render(false) else {
        return;
    };
    let (mut masked, _) = masked_quad(AlphaMode::Mask);
    let masked = masked.render(false).unwrap();
    // Opaque: the transparent quadrants are drawn (green and blue texels).
    assert!(rgb(&opaque, at[1]).y > 0.3 && rgb(&opaque, at[2]).z > 0.3);
    // Masked: the opaque quadrants are the same, the transparent ones show the sky behind.
    for q in [0, 3] {
        assert!((rgb(&opaque, at[q]) - rgb(&masked, at[q])).length() < 0.02);
    }
    for q in [1, 2] {
        let sky = rgb(&masked, at[q]);
        assert!(
            (sky - rgb(&opaque, at[q])).length() > 0.2,
            "quadrant {q}: {sky} vs {}",
            rgb(&opaque, at[q])
        );
    }
    // The sky above the horizon is bluish.
    let sky = rgb(&masked, at[1]);
    assert!(sky.z > sky.x, "not the sky: {sky}");
}

/// A masked roof over a floor, the sun straight above, seen from under the roof's edge:
/// the floor under the roof, and its four quadrants' pixels.
fn roof(mode: AlphaMode) -> (Scene, [(u32, u32); 4]) {
    let mut scene = Scene::new(Vec3::new(0.0, 0.6, 3.0), Vec3::new(0.0, 0.0, 0.0));
    scene.sun.direction = Vec3::new(0.0, -1.0, 0.0001);
    scene.floor(8.0);
    let material = scene.material(MaterialParams {
        alpha_mode: mode,
        double_sided: true,
        ..Default::default()
    });
    // The roof at y = 1.5, 2 units across: its texture's quadrants cast a 2x2 pattern.
    scene.draw_scaled(
        scene.plane,
        material,
        true,
        Vec3::new(0.0, 1.5, 0.0),
        Quat::IDENTITY,
        2.0,
    );
    // The plane's V runs along +Z: the red (top) texels are at -Z.
    let quadrants = [(-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5), (0.5, 0.5)]
        .map(|(x, z)| scene.pixel(Vec3::new(x, 0.0, z)));
    (scene, quadrants)
}

#[test]
fn masked_casters_let_light_through_their_holes() {
    let (mut opaque, at) = roof(AlphaMode::Opaque);
    let Some(opaque) = opaque.render(false) else {
        return;
    };
    let (mut masked, _) = roof(AlphaMode::Mask);
    let masked = masked.render(false).unwrap();
    let brightness = |image: &Image, q: usize| mean(image, at[q], 2).dot(Vec3::ONE);
    // Under the opaque roof the whole floor is in shadow; under the masked one the
    // transparent quadrants (1 and 2) are lit and the opaque ones (0 and 3) still shaded.
    for q in [1, 2] {
        assert!(
            brightness(&masked, q) > brightness(&opaque, q) * 1.5,
            "quadrant {q}: {} vs {}",
            brightness(&masked, q),
            brightness(&opaque, q)
        );
    }
    for q in [0, 3] {
        assert!(
            (brightness(&masked, q) - brightness(&opaque, q)).abs() < 0.1,
            "quadrant {q}: {} vs {}",
            brightness(&masked, q),
            brightness(&opaque, q)
        );
    }
}

/// Two blended quads in front of a green wall, overlapping in the middle: red behind, blue
/// in front, listed in the wrong order (front first). The pixel of the overlap.
fn panes(blue_alpha: f32) -> (Scene, (u32, u32)) {
    let mut scene = Scene::new(Vec3::new(0.0, 0.0, 4.0), Vec3::ZERO);
    scene.sun.shadows = false;
    let glass = |scene: &mut Scene, color: Vec3, alpha: f32| {
        scene.material(MaterialParams {
            base_color: color.extend(alpha),
            alpha_mode: AlphaMode::Blend,
            ..Default::default()
        })
    };
    let blue = glass(&mut scene, Vec3::new(0.0, 0.0, 1.0), blue_alpha);
    let red = glass(&mut scene, Vec3::new(1.0, 0.0, 0.0), 0.5);
    let green = scene.material(MaterialParams {
        base_color: Vec4::new(0.0, 1.0, 0.0, 1.0),
        ..Default::default()
    });
    scene.draw(
        scene.plane,
        blue,
        false,
        Vec3::new(0.25, 0.0, 0.5),
        FACING_CAMERA,
    );
    scene.draw(
        scene.plane,
        red,
        false,
        Vec3::new(-0.25, 0.0, 0.0),
        FACING_CAMERA,
    );
    scene.draw_scaled(
        scene.plane,
        green,
        false,
        Vec3::new(0.0, 0.0, -1.0),
        FACING_CAMERA,
        4.0,
    );
    let overlap = scene.pixel(Vec3::new(0.0, 0.0, 0.5));
    (scene, overlap)
}

#[test]
fn blended_surfaces_are_drawn_back_to_front_over_the_opaque_ones() {
    let (mut scene, overlap) = panes(0.5);
    let Some(image) = scene.render(false) else {
        return;
    };
    let both = rgb(&image, overlap);
    // Blue over (red over green): blue keeps half, red and green a quarter each. Drawn in
    // the listed order, red would end on top with half.
    assert!(
        both.z > both.x * 1.3 && both.z > both.y * 1.3,
        "the front pane is not on top: {both}"
    );
    assert!(
        both.x > 0.1 && both.y > 0.1,
        "what is behind does not show: {both}"
    );
    // Blended surfaces leave the depth: the wall behind the front pane alone shows through.
    let wall_behind_blue = scene.pixel(Vec3::new(0.6, 0.0, 0.5));
    let c = rgb(&image, wall_behind_blue);
    assert!(c.y > 0.1 && c.z > 0.1 && c.x < 0.05, "{c}");
    // An opaque front pane hides everything behind it.
    let (mut solid, overlap) = panes(1.0);
    let solid = rgb(&solid.render(false).unwrap(), overlap);
    assert!(solid.x < 0.1 && solid.y < 0.1 && solid.z > 0.5, "{solid}");
}

/// A quad seen from behind (its front faces away from the camera).
fn back_face(double_sided: bool) -> (Scene, (u32, u32)) {
    let mut scene = Scene::new(Vec3::new(0.0, 0.0, -2.0), Vec3::ZERO);
    scene.sun.direction = Vec3::new(0.2, -0.3, 1.0);
    let material = scene.material(MaterialParams {
        base_color: Vec4::new(1.0, 0.8, 0.2, 1.0),
        double_sided,
        ..Default::default()
    });
    scene.draw(scene.plane, material, false, Vec3::ZERO, FACING_CAMERA);
    let centre = scene.pixel(Vec3::ZERO);
    (scene, centre)
}

#[test]
fn double_sided_surfaces_show_their_back_faces_lit() {
    let (mut single, centre) = back_face(false);
    let Some(single) = single.render(false) else {
        return;
    };
    let (mut double, _) = back_face(true);
    let double = double.render(false).unwrap();
    let sky = rgb(&single, centre);
    let back = rgb(&double, centre);
    assert!(sky.z > sky.x, "a single-sided back face is culled: {sky}");
    // Lit through the normal turned to the camera, with the sun behind the camera: yellow.
    assert!((back - sky).length() > 0.3, "{sky} -> {back}");
    assert!(back.x > 0.5 && back.x > back.z * 1.2, "{back}");
}

#[test]
fn the_texture_transform_moves_the_maps() {
    let quad = |transform: TextureTransform| {
        let mut scene = Scene::new(Vec3::new(0.0, 0.0, 2.0), Vec3::ZERO);
        scene.sun.shadows = false;
        let material = scene.material(MaterialParams {
            texture_transform: transform,
            ..Default::default()
        });
        scene.draw(scene.plane, material, true, Vec3::ZERO, FACING_CAMERA);
        let top_left = scene.pixel(Vec3::new(-0.25, 0.25, 0.0));
        (scene, top_left)
    };
    let (mut plain, top_left) = quad(TextureTransform::IDENTITY);
    let Some(plain) = plain.render(false) else {
        return;
    };
    // Shifted half a texture down in V: the top left shows the bottom left's blue.
    let (mut moved, _) = quad(TextureTransform {
        offset: Vec2::new(0.0, 0.5),
        ..TextureTransform::IDENTITY
    });
    let moved = moved.render(false).unwrap();
    let (a, b) = (rgb(&plain, top_left), rgb(&moved, top_left));
    assert!(a.x > 0.5 && a.z < 0.1, "{a}");
    assert!(b.z > 0.5 && b.x < 0.1, "{b}");
}

#[test]
fn emissive_strength_brightens_the_emission() {
    let glow = |strength: f32| {
        let mut scene = Scene::new(Vec3::new(0.0, 0.0, 2.0), Vec3::ZERO);
        scene.sun.intensity = 0.0;
        let material = scene.material(MaterialParams {
            base_color: Vec4::new(0.0, 0.0, 0.0, 1.0),
            emissive: Vec3::new(0.1, 0.05, 0.0),
            emissive_strength: strength,
            ..Default::default()
        });
        scene.draw(scene.sphere, material, false, Vec3::ZERO, Quat::IDENTITY);
        let centre = scene.pixel(Vec3::ZERO);
        (scene, centre)
    };
    let (mut dim, centre) = glow(1.0);
    let Some(dim) = dim.render(false) else {
        return;
    };
    let bright = glow(4.0).0.render(false).unwrap();
    let (a, b) = (rgb(&dim, centre), rgb(&bright, centre));
    assert!(b.x > a.x * 1.5 && b.x > 0.3, "{a} -> {b}");
}

#[test]
fn material_surfaces_match_the_golden_image() {
    let mut scene = Scene::new(Vec3::new(2.5, 2.2, 4.5), Vec3::new(0.0, 0.6, 0.0));
    scene.size = UVec2::new(384, 256);
    scene.floor(10.0);
    // A masked, double-sided fence casting its pattern.
    let fence = scene.material(MaterialParams {
        alpha_mode: AlphaMode::Mask,
        double_sided: true,
        texture_transform: TextureTransform {
            scale: Vec2::splat(2.0),
            ..TextureTransform::IDENTITY
        },
        ..Default::default()
    });
    scene.draw_scaled(
        scene.plane,
        fence,
        true,
        Vec3::new(-1.2, 0.75, -0.5),
        FACING_CAMERA,
        1.5,
    );
    // Two glass panes and a cube behind them.
    let glass = |scene: &mut Scene, color: Vec4| {
        scene.material(MaterialParams {
            base_color: color,
            roughness: 0.1,
            alpha_mode: AlphaMode::Blend,
            double_sided: true,
            ..Default::default()
        })
    };
    let cyan = glass(&mut scene, Vec4::new(0.2, 0.8, 1.0, 0.35));
    let amber = glass(&mut scene, Vec4::new(1.0, 0.6, 0.1, 0.5));
    let red = scene.material(MaterialParams {
        base_color: Vec4::new(0.8, 0.1, 0.1, 1.0),
        ..Default::default()
    });
    scene.draw(
        scene.cube,
        red,
        false,
        Vec3::new(1.0, 0.5, -1.2),
        Quat::IDENTITY,
    );
    scene.draw(
        scene.plane,
        cyan,
        false,
        Vec3::new(0.8, 0.6, 0.4),
        FACING_CAMERA,
    );
    scene.draw(
        scene.plane,
        amber,
        false,
        Vec3::new(1.3, 0.7, 0.0),
        FACING_CAMERA,
    );
    // An emissive sphere.
    let lamp = scene.material(MaterialParams {
        base_color: Vec4::new(0.1, 0.1, 0.1, 1.0),
        emissive: Vec3::new(0.5, 0.2, 0.04),
        emissive_strength: 2.0,
        ..Default::default()
    });
    scene.draw_scaled(
        scene.sphere,
        lamp,
        false,
        Vec3::new(-0.2, 0.3, 1.2),
        Quat::IDENTITY,
        0.6,
    );
    let Some(image) = scene.render(true) else {
        return;
    };
    check_golden("materials", &image);
}
