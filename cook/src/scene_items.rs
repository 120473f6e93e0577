//! The lights (`KHR_lights_punctual`) and cameras of a glTF scene's nodes, placed at the
//! nodes' world transforms.

use glam::{Mat4, Quat, Vec3};
use layerw_engine::stream::{PackCamera, PackLight, PackLightKind, PackProjection};

/// A node's world translation and rotation (its scale dropped: lights and cameras have none).
/// `None` when the transform is not finite.
fn placement(world: Mat4) -> Option<(Vec3, Quat)> {
    let (_, rotation, translation) = world.to_scale_rotation_translation();
    if !translation.is_finite() {
        return None;
    }
    let rotation = if rotation.is_finite() {
        rotation.normalize()
    } else {
        Quat::IDENTITY
    };
    Some((translation, rotation))
}

/// The light of a node, at its world transform. `Err` names what is wrong.
pub(crate) fn read_light(
    light: &gltf::khr_lights_punctual::Light<'_>,
    world: Mat4,
) -> Result<PackLight, String> {
    let (translation, rotation) =
        placement(world).ok_or_else(|| "its world transform is not finite".to_owned())?;
    let kind = match light.kind() {
        gltf::khr_lights_punctual::Kind::Directional => PackLightKind::Directional,
        gltf::khr_lights_punctual::Kind::Point => PackLightKind::Point,
        gltf::khr_lights_punctual::Kind::Spot {
            inner_cone_angle,
            outer_cone_angle,
        } => PackLightKind::Spot {
            inner_cone: inner_cone_angle,
            outer_cone: outer_cone_angle,
        },
    };
    Ok(PackLight {
        kind,
        color: Vec3::from_array(light.color()),
        intensity: light.intensity(),
        range: light.range(),
        translation,
        rotation,
    })
}

/// The camera of a node, at its world transform.
pub(crate) fn read_camera(camera: &gltf::Camera<'_>, world: Mat4) -> Result<PackCamera, String> {
    let (translation, rotation) =
        placement(world).ok_or_else(|| "its world transform is not finite".to_owned())?;
    let projection = match camera.projection() {
        gltf::camera::Projection::Perspective(p) => PackProjection::Perspective {
            y_fov: p.yfov(),
            aspect_ratio: p.aspect_ratio(),
            z_near: p.znear(),
            z_far: p.zfar(),
        },
        gltf::camera::Projection::Orthographic(o) => PackProjection::Orthographic {
            x_mag: o.xmag(),
            y_mag: o.ymag(),
            z_near: o.znear(),
            z_far: o.zfar(),
        },
    };
    Ok(PackCamera {
        projection,
        translation,
        rotation,
    })
}
