//! Skinned meshes drawn with their material's surface on lavapipe, as static ones are
//! (`gpu_materials.rs`): alpha-masked ones cut (and their shadows too), blended ones mixed
//! over what is behind them, back to front (merged with the blended instanced batches) and
//! after the sky, casting no shadow, double-sided ones lit from behind; each shown against
//! the same frame without it, plus a golden image of them together (tolerance and updating:
//! `support/golden.rs`). The skinned plane is cut in two
//! joints (`Scene::skinned_plane`), so every draw goes through the skinned vertex stages.
//! Without an adapter the tests are skipped, unless `LAYERW_REQUIRE_GPU=1` makes that a
//! failure.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::glam::{Mat4, Quat, UVec2, Vec2, Vec3, Vec4};
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

/// Both joints turning the plane to face +Z: the flat plane, posed through the skin.
fn flat_facing_camera() -> [Mat4; 2] {
    [Mat4::from_quat(FACING_CAMERA); 2]
}

/// The test texture on a skinned quad facing the camera, with `mode`: where to look for each
/// quadrant.
fn masked_quad(mode: AlphaMode) -> (Scene, [(u32, u32); 4]) {
    let mut scene = Scene::new(Vec3::new(0.0, 0.0, 2.0), Vec3::ZERO);
    let material = scene.material(MaterialParams {
        alpha_mode: mode,
        ..Default::default()
    });
    let plane = scene.skinned_plane();
    scene.draw_skinned(plane, material, true, Mat4::IDENTITY, &flat_facing_camera());
    let quadrants = [(-0.25, 0.25), (0.25, 0.25), (-0.25, -0.25), (0.25, -0.25)]
        .map(|(x, y)| scene.pixel(Vec3::new(x, y, 0.0)));
    (scene, quadrants)
}

#[test]
fn masked_skinned_surfaces_are_cut_where_alpha_is_below_the_cutoff() {
    let (mut opaque, at) = masked_quad(AlphaMode::Opaque);
    let Some(opaque) = opaque.render(false) else {
        return;
    };
    let (mut masked, _) = masked_quad(AlphaMode::Mask);
    let masked = masked.render(false).unwrap();
    // Opaque: the transparent quadrants are drawn (green and blue texels).
    let (green, blue) = (rgb(&opaque, at[1]), rgb(&opaque, at[2]));
    assert!(green.y > 0.3 && blue.z > 0.3, "{green} {blue}");
    // Masked: the opaque quadrants are the same, the transparent ones show the sky behind.
    for q in [0, 3] {
        assert!((rgb(&opaque, at[q]) - rgb(&masked, at[q])).length() < 0.02);
    }
    for q in [1, 2] {
        let behind = rgb(&masked, at[q]);
        assert!(
            (behind - rgb(&opaque, at[q])).length() > 0.2,
            "quadrant {q}: {behind} vs {}",
            rgb(&opaque, at[q])
        );
    }
    // The sky above the horizon is bluish (below it, the ground's colour).
    let sky = rgb(&masked, at[1]);
    assert!(sky.z > sky.x, "not the sky: {sky}");
}

/// A skinned roof (textured, double-sided) with `mode` over a floor, the sun straight above,
/// seen from under the roof's edge: the floor under the roof, and its four quadrants' pixels.
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
    let plane = scene.skinned_plane();
    let world = Mat4::from_scale_rotation_translation(
        Vec3::splat(2.0),
        Quat::IDENTITY,
        Vec3::new(0.0, 1.5, 0.0),
    );
    scene.draw_skinned(plane, material, true, world, &[Mat4::IDENTITY; 2]);
    // The plane's V runs along +Z: the red (top) texels are at -Z.
    let quadrants = [(-0.5, -0.5), (0.5, -0.5), (-0.5, 0.5), (0.5, 0.5)]
        .map(|(x, z)| scene.pixel(Vec3::new(x, 0.0, z)));
    (scene, quadrants)
}

#[test]
fn masked_skinned_casters_let_light_through_their_holes_and_blended_ones_cast_none() {
    let (mut opaque, at) = roof(AlphaMode::Opaque);
    let Some(opaque) = opaque.render(false) else {
        return;
    };
    let masked = roof(AlphaMode::Mask).0.render(false).unwrap();
    let blended = roof(AlphaMode::Blend).0.render(false).unwrap();
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
    // A blended roof casts no shadow: even under its opaque texels the floor is lit as under
    // the masked roof's holes.
    for q in 0..4 {
        assert!(
            brightness(&blended, q) > brightness(&opaque, q) * 1.5,
            "quadrant {q}: {} vs {}",
            brightness(&blended, q),
            brightness(&opaque, q)
        );
    }
}

/// Which of the two panes are skinned (the others instanced).
#[derive(Clone, Copy)]
struct Skinned {
    blue: bool,
    red: bool,
}

const BOTH_SKINNED: Skinned = Skinned {
    blue: true,
    red: true,
};

/// Two blended quads overlapping in the middle, red behind and blue in front, listed in the
/// wrong order (front first), before a green wall (or the sky only, without it). The pixel of
/// the overlap.
fn panes(blue_alpha: f32, wall: bool, skinned: Skinned) -> (Scene, (u32, u32)) {
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
    let plane = scene.skinned_plane();
    for (material, at, is_skinned) in [
        (blue, Vec3::new(0.25, 0.0, 0.5), skinned.blue),
        (red, Vec3::new(-0.25, 0.0, 0.0), skinned.red),
    ] {
        if is_skinned {
            let world = Mat4::from_translation(at);
            scene.draw_skinned(plane, material, false, world, &flat_facing_camera());
        } else {
            scene.draw(scene.plane, material, false, at, FACING_CAMERA);
        }
    }
    if wall {
        let green = scene.material(MaterialParams {
            base_color: Vec4::new(0.0, 1.0, 0.0, 1.0),
            ..Default::default()
        });
        scene.draw_scaled(
            scene.plane,
            green,
            false,
            Vec3::new(0.0, 0.0, -1.0),
            FACING_CAMERA,
            4.0,
        );
    }
    let overlap = scene.pixel(Vec3::new(0.0, 0.0, 0.5));
    (scene, overlap)
}

/// Blue over (red over green) at the overlap: blue keeps half, red and green a quarter each.
/// Drawn in the listed order, red would end on top with half; drawn opaque, blue alone.
fn assert_blue_over_red_over_green(both: Vec3) {
    assert!(
        both.z > both.x * 1.3 && both.z > both.y * 1.3,
        "the front pane is not on top: {both}"
    );
    assert!(
        both.x > 0.1 && both.y > 0.1,
        "what is behind does not show: {both}"
    );
}

#[test]
fn blended_skinned_surfaces_mix_back_to_front_over_what_is_behind() {
    let (mut scene, overlap) = panes(0.5, true, BOTH_SKINNED);
    let Some(image) = scene.render(false) else {
        return;
    };
    assert_blue_over_red_over_green(rgb(&image, overlap));
    // Blended surfaces leave the depth: the wall behind the front pane alone shows through.
    let wall_behind_blue = scene.pixel(Vec3::new(0.6, 0.0, 0.5));
    let c = rgb(&image, wall_behind_blue);
    assert!(c.y > 0.1 && c.z > 0.1 && c.x < 0.05, "{c}");
    // An opaque front pane hides everything behind it.
    let (mut solid, overlap) = panes(1.0, false, BOTH_SKINNED);
    let solid = rgb(&solid.render(false).unwrap(), overlap);
    assert!(solid.x < 0.1 && solid.y < 0.1 && solid.z > 0.5, "{solid}");
}

#[test]
fn blended_skinned_surfaces_are_drawn_over_the_sky() {
    let (mut glass, overlap) = panes(0.5, false, BOTH_SKINNED);
    let Some(glass) = glass.render(false) else {
        return;
    };
    let mut empty = Scene::new(Vec3::new(0.0, 0.0, 4.0), Vec3::ZERO);
    let sky = rgb(&empty.render(false).unwrap(), overlap);
    let both = rgb(&glass, overlap);
    // The sky shows through both panes, tinted: blue added, green dimmed. Drawn before the
    // sky, the panes would be painted over.
    assert!(both.z > sky.z + 0.05, "{sky} -> {both}");
    assert!(both.y < sky.y * 0.75, "{sky} -> {both}");
    assert!(
        both.x > 0.2 && both.y > 0.02,
        "the red pane and the sky do not show: {both}"
    );
}

#[test]
fn blended_skinned_draws_and_blended_batches_are_merged_back_to_front() {
    // A skinned pane behind an instanced one, then in front of one: either way the front
    // pane ends on top (drawn as two lists, the skinned pane would always be).
    for skinned in [
        Skinned {
            blue: false,
            red: true,
        },
        Skinned {
            blue: true,
            red: false,
        },
    ] {
        let (mut scene, overlap) = panes(0.5, true, skinned);
        let Some(image) = scene.render(false) else {
            return;
        };
        assert_blue_over_red_over_green(rgb(&image, overlap));
    }
}

/// A skinned quad seen from behind (its front faces away from the camera).
fn back_face(double_sided: bool) -> (Scene, (u32, u32)) {
    let mut scene = Scene::new(Vec3::new(0.0, 0.0, -2.0), Vec3::ZERO);
    scene.sun.direction = Vec3::new(0.2, -0.3, 1.0);
    let material = scene.material(MaterialParams {
        base_color: Vec4::new(1.0, 0.8, 0.2, 1.0),
        double_sided,
        ..Default::default()
    });
    let plane = scene.skinned_plane();
    scene.draw_skinned(
        plane,
        material,
        false,
        Mat4::IDENTITY,
        &flat_facing_camera(),
    );
    let centre = scene.pixel(Vec3::ZERO);
    (scene, centre)
}

#[test]
fn double_sided_skinned_surfaces_show_their_back_faces_lit() {
    let (mut single, centre) = back_face(false);
    let Some(single) = single.render(false) else {
        return;
    };
    let double = back_face(true).0.render(false).unwrap();
    let sky = rgb(&single, centre);
    let back = rgb(&double, centre);
    assert!(sky.z > sky.x, "a single-sided back face is culled: {sky}");
    // Lit through the normal turned to the camera, with the sun behind the camera: yellow.
    assert!((back - sky).length() > 0.3, "{sky} -> {back}");
    assert!(back.x > 0.5 && back.x > back.z * 1.2, "{back}");
}

#[test]
fn skinned_surfaces_match_the_golden_image() {
    let mut scene = Scene::new(Vec3::new(2.0, 2.2, 4.5), Vec3::new(0.0, 0.6, 0.0));
    scene.size = UVec2::new(256, 160);
    scene.sun.intensity = 2.0;
    scene.floor(10.0);
    let plane = scene.skinned_plane();
    // Joint 1 folds its half of the plane 50 degrees about the cut (the bind pose's Z axis),
    // and both turn it to face the camera: a folding screen.
    let folded = [
        Mat4::from_quat(FACING_CAMERA),
        Mat4::from_quat(FACING_CAMERA) * Mat4::from_rotation_z(50f32.to_radians()),
    ];
    // A masked, double-sided fence (the test texture twice across) casting its pattern.
    let fence = scene.material(MaterialParams {
        alpha_mode: AlphaMode::Mask,
        double_sided: true,
        texture_transform: TextureTransform {
            scale: Vec2::splat(2.0),
            ..TextureTransform::IDENTITY
        },
        ..Default::default()
    });
    let world = Mat4::from_scale_rotation_translation(
        Vec3::splat(1.6),
        Quat::IDENTITY,
        Vec3::new(-1.0, 0.8, -0.8),
    );
    scene.draw_skinned(plane, fence, true, world, &folded);
    // A red cube behind an amber glass screen, and a cyan one in front of it.
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
    for (material, at) in [
        (cyan, Vec3::new(0.8, 0.6, 0.5)),
        (amber, Vec3::new(1.2, 0.7, 0.0)),
    ] {
        scene.draw_skinned(plane, material, false, Mat4::from_translation(at), &folded);
    }
    let Some(image) = scene.render(true) else {
        return;
    };
    check_golden("skinned_surfaces", &image);
}
