//! What the renderer draws: mesh and material references, visibility, the camera and lights.

use glam::Vec3;
pub use layerw_engine::lod::LodHandle;
pub use layerw_engine::render::{MeshHandle, TextureSetHandle};

/// The mesh an entity is drawn with (with its [`Transform`](crate::Transform)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeshRef(pub MeshHandle);

/// The index of an entity's material in the renderer's material table (0 when absent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaterialIndex(pub u16);

/// The texture maps an entity is drawn with (absent: untextured), from the
/// `TextureAssets` resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaterialTextures(pub TextureSetHandle);

/// Whether an entity is drawn (absent means visible).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Visibility {
    /// Drawn.
    #[default]
    Visible,
    /// Not drawn.
    Hidden,
}

/// The passes that draw an entity this frame, written by the Culling stage: a bit set of
/// `PASS_MAIN` (the camera sees it) and `PASS_SHADOW` (it casts a shadow in the sun's view).
/// Absent: drawn in both (no culling).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawPasses(pub u8);

/// An entity drawn from a LOD chain (from the `LodAssets` resource): each frame the Lod
/// stage picks a level and sets the entity's [`MeshRef`] to that level's mesh. Spawn it with
/// a `MeshRef` (any level: the first frame replaces it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LodMesh {
    /// The chain.
    pub chain: LodHandle,
    /// The level chosen last (0 is the coarsest); [`LodMesh::NO_LEVEL`] before the first.
    pub level: u8,
}

impl LodMesh {
    /// No level chosen yet.
    pub const NO_LEVEL: u8 = u8::MAX;

    /// An entity drawn from `chain`, no level chosen yet.
    pub fn new(chain: LodHandle) -> LodMesh {
        LodMesh {
            chain,
            level: LodMesh::NO_LEVEL,
        }
    }
}

/// Marks an entity whose transform does not change: culling keeps it in a spatial index
/// (a BVH) instead of testing it every frame. After moving one anyway, remove its
/// `CullIndexed` component (the culling system adds it back with the new bounds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Static;

/// Added by culling to [`Static`] entities it has put in its spatial index.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CullIndexed;

/// How a camera projects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Projection {
    /// Perspective with a vertical field of view in radians.
    Perspective {
        /// Vertical field of view, radians.
        fov_y: f32,
    },
    /// Orthographic, showing `height` world units vertically.
    Orthographic {
        /// Visible height in world units.
        height: f32,
    },
}

/// A camera: its entity's [`Transform`](crate::Transform) places it (looking down its -Z).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    /// The projection.
    pub projection: Projection,
    /// Near plane distance.
    pub near: f32,
    /// Far plane distance.
    pub far: f32,
}

impl Default for Camera {
    /// 60 degree perspective, 0.1 to 1000.
    fn default() -> Self {
        Camera {
            projection: Projection::Perspective {
                fov_y: 60f32.to_radians(),
            },
            near: 0.1,
            far: 1000.0,
        }
    }
}

/// The sun: a directional light along its entity's forward (-Z) axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sun {
    /// Linear colour.
    pub color: Vec3,
    /// Intensity.
    pub intensity: f32,
    /// Whether it casts shadows.
    pub shadows: bool,
}

/// A point light at its entity's position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointLightSource {
    /// Linear colour.
    pub color: Vec3,
    /// Intensity (radiance at 1 m).
    pub intensity: f32,
    /// Where its light reaches zero.
    pub range: f32,
}

/// A spot light at its entity's position, shining along its forward (-Z) axis: full inside
/// `inner_angle` of it, fading to nothing at `outer_angle`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpotLightSource {
    /// Linear colour.
    pub color: Vec3,
    /// Intensity (radiance at 1 m on its axis).
    pub intensity: f32,
    /// Where its light reaches zero.
    pub range: f32,
    /// Radians from the axis where the light starts to fade.
    pub inner_angle: f32,
    /// Radians from the axis where it is gone (below 90 degrees).
    pub outer_angle: f32,
    /// Casts shadows (the first such spot light of a frame gets a shadow map).
    pub shadows: bool,
}

/// Drives its camera entity like a free-flying spectator (the `fly_camera` system): WASD to
/// move, Q/E down/up, Shift to hurry, the mouse to look while the right button is held or the
/// cursor is grabbed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlyCamera {
    /// Metres per second.
    pub speed: f32,
    /// Radians per unit of mouse motion.
    pub sensitivity: f32,
    /// Heading, radians (0 looks down -Z).
    pub yaw: f32,
    /// Elevation, radians, kept within ±89 degrees.
    pub pitch: f32,
}

impl Default for FlyCamera {
    fn default() -> Self {
        FlyCamera {
            speed: 8.0,
            sensitivity: 0.003,
            yaw: 0.0,
            pitch: 0.0,
        }
    }
}

/// Orbits its camera entity around a target (the `orbit_camera` system): drag with the left
/// button to turn, the wheel to zoom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrbitCamera {
    /// The point looked at.
    pub target: Vec3,
    /// Distance from the target.
    pub distance: f32,
    /// Heading, radians.
    pub yaw: f32,
    /// Elevation, radians, kept within ±89 degrees.
    pub pitch: f32,
    /// Radians per unit of mouse motion.
    pub sensitivity: f32,
    /// Fraction of the distance one wheel line zooms.
    pub zoom_step: f32,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        OrbitCamera {
            target: Vec3::ZERO,
            distance: 10.0,
            yaw: 0.0,
            pitch: 0.4,
            sensitivity: 0.005,
            zoom_step: 0.1,
        }
    }
}
