//! The Render stage's extraction: the visible meshes, the camera and the lights of the world,
//! packed into the [`RenderQueue`] (instances grouped by mesh in the Render-tier arena).

use glam::{Mat4, Vec3};
use layerw_components::{
    Camera, DrawPasses, GlobalTransform, MaterialIndex, MaterialTextures, MeshRef,
    PointLightSource, Projection, SpotLightSource, Sun, Transform, Visibility,
};
use layerw_engine::platform::{KeyCode, Keyboard, Window};
use layerw_engine::render::{
    CameraView, DirectionalLight, Materials, PointLight, RenderQueue, SpotCone, StatsOverlay,
    Surface,
};
use layerw_engine::schedule::System;

/// The sun as the renderer and culling see it: shining along its entity's -Z.
pub fn sun_light(transform: &Transform, sun: &Sun) -> DirectionalLight {
    DirectionalLight {
        direction: transform.rotation * Vec3::NEG_Z,
        color: sun.color,
        intensity: sun.intensity,
        shadows: sun.shadows,
    }
}

/// The camera's view and projection at an aspect ratio (projection depth 0..1, y up).
pub fn camera_view(transform: &Transform, camera: &Camera, aspect: f32) -> CameraView {
    use glam::camera::rh::proj::directx;
    let world = Mat4::from_rotation_translation(transform.rotation, transform.translation);
    let projection = match camera.projection {
        Projection::Perspective { fov_y } => {
            directx::perspective(fov_y, aspect, camera.near, camera.far)
        }
        Projection::Orthographic { height } => {
            let (h, w) = (height / 2.0, height * aspect / 2.0);
            directx::orthographic(-w, w, -h, h, camera.near, camera.far)
        }
    };
    CameraView {
        view: world.inverse(),
        projection,
        position: transform.translation,
    }
}

/// Extracts what to draw into the [`RenderQueue`] resource: every entity with a
/// [`Transform`] (its [`GlobalTransform`] when it has one) and a [`MeshRef`] that is in a pass
/// (its [`DrawPasses`], written by culling; absent: every pass) and not
/// [`Visibility::Hidden`] (its [`MaterialIndex`], 0 if absent; its [`MaterialTextures`]; the
/// largest scale component, as instances scale uniformly), the first [`Camera`] (aspect from
/// the [`Window`]'s internal resolution), the first [`Sun`], every [`PointLightSource`] and every [`SpotLightSource`].
///
/// Instances are packed in parallel straight from the ECS columns into the Render-tier arena,
/// reading the transforms of the entities in a pass only, in query order within each batch
/// (the same result on any thread count). When the world tracks changes of [`Transform`],
/// [`GlobalTransform`] and [`MaterialIndex`] (`ExtractPlugin` turns tracking on), archetypes
/// that did not change since the previous frame are packed once and then copied, not packed
/// again.
pub fn extract_render() -> System {
    let mut kept = crate::extract::KeptInstances::default();
    System::new("layerw::extract_render", move |ctx| {
        let aspect = ctx.try_resource::<Window>().map_or(16.0 / 9.0, |w| {
            let r = w.internal_resolution().as_vec2();
            r.x / r.y
        });
        // Only when some material is blended, masked or double-sided are the entities'
        // materials read to tell their surfaces apart.
        let surfaces = ctx.try_resource::<Materials>().ok().and_then(|m| {
            let surfaces = m.surfaces();
            surfaces
                .iter()
                .any(|s| *s != Surface::OPAQUE)
                .then_some(surfaces)
        });
        let mut queue = ctx.resource_mut::<RenderQueue>();
        // The camera first: blended instances are sorted from it.
        queue.camera = ctx
            .query::<(&Transform, &Camera)>()
            .iter()
            .next()
            .map(|(t, c)| camera_view(t, c, aspect));
        let unchanged = |i: usize, a: &hecs::Archetype| {
            crate::extract::packed_columns_unchanged(
                a,
                [
                    ctx.archetype_changed::<Transform>(i),
                    ctx.archetype_changed::<GlobalTransform>(i),
                    ctx.archetype_changed::<MaterialIndex>(i),
                ],
            )
        };
        crate::extract::pack_visible(
            ctx.archetypes(),
            surfaces.as_deref(),
            &mut queue,
            &mut kept,
            unchanged,
        );
        if let Some((t, sun)) = ctx.query::<(&Transform, &Sun)>().iter().next() {
            queue.sun = sun_light(t, sun);
        }
        queue.point_lights.clear();
        queue
            .point_lights
            .extend(
                ctx.query::<(&Transform, &PointLightSource)>()
                    .iter()
                    .map(|(t, l)| PointLight {
                        position: t.translation,
                        color: l.color,
                        intensity: l.intensity,
                        range: l.range,
                        cone: None,
                    }),
            );
        queue
            .point_lights
            .extend(
                ctx.query::<(&Transform, &SpotLightSource)>()
                    .iter()
                    .map(|(t, l)| PointLight {
                        position: t.translation,
                        color: l.color,
                        intensity: l.intensity,
                        range: l.range,
                        cone: Some(SpotCone {
                            direction: t.rotation * Vec3::NEG_Z,
                            inner_angle: l.inner_angle,
                            outer_angle: l.outer_angle,
                            shadows: l.shadows,
                        }),
                    }),
            );
    })
    .reads::<Transform>()
    .reads::<GlobalTransform>()
    .reads::<MeshRef>()
    .reads::<MaterialIndex>()
    .reads::<MaterialTextures>()
    .reads::<Visibility>()
    .reads::<DrawPasses>()
    .reads::<Camera>()
    .reads::<Sun>()
    .reads::<PointLightSource>()
    .reads::<SpotLightSource>()
    .reads_resource::<Window>()
    .reads_resource::<Materials>()
    .writes_resource::<RenderQueue>()
}

/// Shows and hides the frame-stats overlay when `key` is pressed (Update stage): toggles the
/// world's [`StatsOverlay`] resource (insert one, shown or hidden, to start with).
pub fn toggle_stats_overlay(key: KeyCode) -> System {
    System::new("layerw::toggle_stats_overlay", move |ctx| {
        let pressed = ctx
            .try_resource::<Keyboard>()
            .is_ok_and(|k| k.just_pressed(key));
        if pressed && let Ok(mut overlay) = ctx.try_resource_mut::<StatsOverlay>() {
            overlay.toggle();
        }
    })
    .reads_resource::<Keyboard>()
    .writes_resource::<StatsOverlay>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Quat;
    use layerw_engine::ecs::World;
    use layerw_engine::schedule::{Schedule, Stage};

    #[test]
    fn camera_looks_down_its_negative_z() {
        let t = Transform::from_translation(Vec3::new(0.0, 0.0, 5.0));
        let view = camera_view(&t, &Camera::default(), 1.0);
        let clip = view.projection * view.view * Vec3::ZERO.extend(1.0);
        let ndc = clip.truncate() / clip.w;
        assert!(ndc.x.abs() < 1e-6 && ndc.y.abs() < 1e-6 && (0.0..1.0).contains(&ndc.z));
        let t = Transform::from_rotation(Quat::from_rotation_y(core::f32::consts::FRAC_PI_2));
        let view = camera_view(&t, &Camera::default(), 1.0);
        // Turned left: a point on -X is straight ahead.
        let clip = view.projection * view.view * Vec3::new(-5.0, 0.0, 0.0).extend(1.0);
        assert!((clip.x / clip.w).abs() < 1e-5 && clip.w > 0.0);
    }

    #[test]
    fn hidden_entities_are_not_extracted() {
        let mut world = World::new();
        world.insert_resource(RenderQueue::new());
        let mesh = |i| {
            // Handles come from a renderer; a test builds them through a mesh pool of one.
            layerw_engine::render::MeshHandle::for_tests(i)
        };
        world.spawn((Transform::IDENTITY, MeshRef(mesh(1)), MaterialIndex(3)));
        world.spawn((Transform::IDENTITY, MeshRef(mesh(1)), Visibility::Hidden));
        world.spawn((Transform::IDENTITY, MeshRef(mesh(2))));
        world.spawn((Transform::IDENTITY, Camera::default()));
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Render, extract_render());
        schedule.run_frame(&mut world, 0.016);
        let queue = world.resource::<RenderQueue>();
        assert_eq!(queue.instance_count(), 2);
        assert_eq!(queue.batches.len(), 2);
        assert!(queue.camera.is_some());
        queue.with_frame(|f| assert_eq!(f.unwrap().instances[0].material(), 3));
    }

    #[test]
    fn lights_and_material_surfaces_are_extracted() {
        use layerw_engine::render::{AlphaMode, MaterialParams};
        let mut world = World::new();
        world.insert_resource(RenderQueue::new());
        let mut materials = Materials::default();
        let glass = MaterialParams {
            alpha_mode: AlphaMode::Blend,
            ..Default::default()
        };
        materials
            .set(vec![MaterialParams::default(), glass])
            .unwrap();
        world.insert_resource(materials);
        let mesh = layerw_engine::render::MeshHandle::for_tests(1);
        world.spawn((Transform::IDENTITY, MeshRef(mesh)));
        world.spawn((Transform::IDENTITY, MeshRef(mesh), MaterialIndex(1)));
        world.spawn((Transform::IDENTITY, Camera::default()));
        let down = Quat::from_rotation_x(-core::f32::consts::FRAC_PI_2);
        world.spawn((
            Transform::from_rotation(down),
            SpotLightSource {
                color: Vec3::ONE,
                intensity: 2.0,
                range: 5.0,
                inner_angle: 0.3,
                outer_angle: 0.4,
                shadows: true,
            },
        ));
        world.spawn((
            Transform::IDENTITY,
            PointLightSource {
                color: Vec3::ONE,
                intensity: 1.0,
                range: 3.0,
            },
        ));
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Render, extract_render());
        schedule.run_frame(&mut world, 0.016);
        let queue = world.resource::<RenderQueue>();
        // The blended instance is its own batch, after the opaque one.
        let surfaces: Vec<Surface> = queue.batches.iter().map(|b| b.surface).collect();
        assert_eq!(surfaces, [Surface::OPAQUE, Surface::of(&glass)]);
        assert_eq!(queue.point_lights.len(), 2);
        let spot = queue.point_lights.iter().find_map(|l| l.cone).unwrap();
        assert!(
            (spot.direction - Vec3::NEG_Y).length() < 1e-5,
            "{}",
            spot.direction
        );
        assert!(spot.shadows && spot.outer_angle == 0.4);
    }

    #[test]
    fn the_stats_overlay_toggles_on_its_key() {
        use layerw_engine::app::App;
        use layerw_engine::platform::{ButtonState, InputEvent};
        let mut app = App::new();
        app.insert_resource(StatsOverlay::default());
        app.add_system(Stage::Update, toggle_stats_overlay(KeyCode::F3));
        let key = |state| InputEvent::Key {
            code: KeyCode::F3,
            state,
            logical: layerw_engine::platform::LogicalKey::Unidentified,
            repeat: false,
        };
        let visible = |app: &App| app.world().resource::<StatsOverlay>().visible;
        app.update(1.0 / 60.0);
        assert!(visible(&app), "no key, no change");
        app.push_event(key(ButtonState::Pressed));
        app.update(1.0 / 60.0);
        assert!(!visible(&app));
        app.update(1.0 / 60.0);
        assert!(!visible(&app), "held, not pressed again");
        app.push_event(key(ButtonState::Released));
        app.push_event(key(ButtonState::Pressed));
        app.update(1.0 / 60.0);
        assert!(visible(&app));
    }
}
