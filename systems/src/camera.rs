//! Ready-made camera controllers: a free-flying camera and an orbit camera.

use glam::{EulerRot, Quat, Vec3};
use layerw_components::{FlyCamera, OrbitCamera, Transform};
use layerw_engine::platform::{KeyCode, Keyboard, Mouse, MouseButton};
use layerw_engine::schedule::System;

const PITCH_LIMIT: f32 = 89.0 * core::f32::consts::PI / 180.0;

/// Moves every entity with a [`FlyCamera`] and a [`Transform`] (Update stage).
pub fn fly_camera() -> System {
    System::new("fly_camera", |ctx| {
        let keyboard = ctx.resource::<Keyboard>();
        let mouse = ctx.resource::<Mouse>();
        let dt = ctx.delta_seconds() as f32;
        let key = |k| if keyboard.pressed(k) { 1.0 } else { 0.0 };
        let wish = Vec3::new(
            key(KeyCode::KeyD) - key(KeyCode::KeyA),
            key(KeyCode::KeyE) - key(KeyCode::KeyQ),
            key(KeyCode::KeyS) - key(KeyCode::KeyW),
        );
        let hurry = if keyboard.pressed(KeyCode::ShiftLeft) {
            4.0
        } else {
            1.0
        };
        let looking = mouse.pressed(MouseButton::Right) || mouse.grabbed();
        for (transform, fly) in ctx.query::<(&mut Transform, &mut FlyCamera)>().iter() {
            if looking {
                fly.yaw -= mouse.motion().x * fly.sensitivity;
                fly.pitch = (fly.pitch - mouse.motion().y * fly.sensitivity)
                    .clamp(-PITCH_LIMIT, PITCH_LIMIT);
            }
            transform.rotation = Quat::from_euler(EulerRot::YXZ, fly.yaw, fly.pitch, 0.0);
            let step = transform.rotation * wish.normalize_or_zero() * fly.speed * hurry * dt;
            transform.translation += step;
        }
    })
    .reads_resource::<Keyboard>()
    .reads_resource::<Mouse>()
    .writes::<Transform>()
    .writes::<FlyCamera>()
}

/// Places every entity with an [`OrbitCamera`] and a [`Transform`] on its orbit (Update
/// stage).
pub fn orbit_camera() -> System {
    System::new("orbit_camera", |ctx| {
        let mouse = ctx.resource::<Mouse>();
        for (transform, orbit) in ctx.query::<(&mut Transform, &mut OrbitCamera)>().iter() {
            if mouse.pressed(MouseButton::Left) {
                orbit.yaw -= mouse.motion().x * orbit.sensitivity;
                orbit.pitch = (orbit.pitch + mouse.motion().y * orbit.sensitivity)
                    .clamp(-PITCH_LIMIT, PITCH_LIMIT);
            }
            let zoom = (1.0 - orbit.zoom_step).powf(mouse.wheel().y);
            orbit.distance = (orbit.distance * zoom).clamp(0.1, 1e5);
            let offset = Quat::from_euler(EulerRot::YXZ, orbit.yaw, -orbit.pitch, 0.0)
                * Vec3::Z
                * orbit.distance;
            *transform = Transform {
                translation: orbit.target + offset,
                ..*transform
            }
            .looking_at(orbit.target);
        }
    })
    .reads_resource::<Mouse>()
    .writes::<Transform>()
    .writes::<OrbitCamera>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerw_engine::app::App;
    use layerw_engine::platform::{ButtonState, InputEvent};
    use layerw_engine::schedule::Stage;

    #[test]
    fn fly_camera_moves_forward_and_turns() {
        let mut app = App::new();
        app.add_system(Stage::Update, fly_camera());
        let cam = app
            .world_mut()
            .spawn((Transform::IDENTITY, FlyCamera::default()));
        app.push_event(InputEvent::key_pressed(KeyCode::KeyW));
        for _ in 0..10 {
            app.update(0.1);
        }
        let t = *app.world().get::<Transform>(cam).unwrap();
        assert!(
            (t.translation - Vec3::new(0.0, 0.0, -8.0)).length() < 1e-4,
            "{}",
            t.translation
        );
        // Look: right button held, mouse moves right -> turn right (yaw decreases).
        app.push_event(InputEvent::MouseButton {
            button: MouseButton::Right,
            state: ButtonState::Pressed,
        });
        app.push_event(InputEvent::MouseMotion(glam::Vec2::new(100.0, 0.0)));
        app.update(0.0);
        let fly = *app.world().get::<FlyCamera>(cam).unwrap();
        assert!((fly.yaw + 0.3).abs() < 1e-6);
        let forward = app.world().get::<Transform>(cam).unwrap().rotation * Vec3::NEG_Z;
        assert!(forward.x > 0.2, "turned right: {forward}");
    }

    #[test]
    fn orbit_camera_looks_at_its_target_and_zooms() {
        let mut app = App::new();
        app.add_system(Stage::Update, orbit_camera());
        let target = Vec3::new(1.0, 2.0, 3.0);
        let cam = app.world_mut().spawn((
            Transform::IDENTITY,
            OrbitCamera {
                target,
                ..OrbitCamera::default()
            },
        ));
        app.update(0.016);
        let t = *app.world().get::<Transform>(cam).unwrap();
        assert!((t.translation.distance(target) - 10.0).abs() < 1e-4);
        let forward = t.rotation * Vec3::NEG_Z;
        assert!(forward.dot((target - t.translation).normalize()) > 0.9999);
        app.push_event(InputEvent::MouseWheel(glam::Vec2::new(0.0, 2.0)));
        app.update(0.016);
        let t = *app.world().get::<Transform>(cam).unwrap();
        assert!((t.translation.distance(target) - 8.1).abs() < 1e-3);
    }
}
