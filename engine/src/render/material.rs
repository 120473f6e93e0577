//! Material options beyond the metallic-roughness factors: how alpha is used and how texture
//! coordinates are transformed (glTF's `alphaMode`/`alphaCutoff` and `KHR_texture_transform`).

use glam::{Mat3, Vec2};

use super::MaterialParams;

/// How a material's alpha (base colour alpha times the base colour texture's) is used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AlphaMode {
    /// Alpha is ignored: the surface is fully opaque.
    #[default]
    Opaque,
    /// The surface is drawn where alpha is at least the material's cutoff and discarded
    /// elsewhere (foliage, fences).
    Mask,
    /// The surface is blended over what is behind it by alpha (glass, smoke).
    Blend,
}

/// A texture coordinate transform (`KHR_texture_transform`): the UV a map is sampled at is
/// `offset + rotate(rotation) * (scale * uv)`, read from UV set `tex_coord`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextureTransform {
    /// Added last, in UV units.
    pub offset: Vec2,
    /// Radians, counter-clockwise in UV space (so clockwise on an image whose V runs down).
    pub rotation: f32,
    /// Applied first, per axis.
    pub scale: Vec2,
    /// Which UV set the map reads (0: `TEXCOORD_0`).
    pub tex_coord: u32,
}

impl TextureTransform {
    /// No change: UV set 0 as it is.
    pub const IDENTITY: TextureTransform = TextureTransform {
        offset: Vec2::ZERO,
        rotation: 0.0,
        scale: Vec2::ONE,
        tex_coord: 0,
    };

    /// The transform as a 3x3 matrix on homogeneous UVs (`(u, v, 1)`), in the order the
    /// extension defines: translation * rotation * scale.
    pub fn matrix(&self) -> Mat3 {
        let (sin, cos) = self.rotation.sin_cos();
        // Column-major; the rotation is the extension's, which turns +U towards -V.
        Mat3::from_cols_array(&[
            cos * self.scale.x,
            -sin * self.scale.x,
            0.0,
            sin * self.scale.y,
            cos * self.scale.y,
            0.0,
            self.offset.x,
            self.offset.y,
            1.0,
        ])
    }

    /// Where `uv` lands under the transform.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::glam::Vec2;
    /// use layerw_engine::render::TextureTransform;
    ///
    /// let tiled = TextureTransform { scale: Vec2::splat(2.0), ..TextureTransform::IDENTITY };
    /// assert_eq!(tiled.apply(Vec2::new(0.25, 0.5)), Vec2::new(0.5, 1.0));
    /// ```
    pub fn apply(&self, uv: Vec2) -> Vec2 {
        self.matrix().transform_point2(uv)
    }

    /// Whether the transform leaves UV set 0 as it is.
    pub fn is_identity(&self) -> bool {
        *self == Self::IDENTITY
    }

    /// Whether every number is finite.
    pub fn is_finite(&self) -> bool {
        self.offset.is_finite() && self.rotation.is_finite() && self.scale.is_finite()
    }
}

impl Default for TextureTransform {
    fn default() -> Self {
        Self::IDENTITY
    }
}

/// How a batch's surfaces are drawn, from its material's alpha mode and sidedness: what picks
/// its pipelines (culling, alpha test, blending) and its place in the frame (blended batches
/// after every other, back to front, casting no shadow).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Surface(u8);

impl Surface {
    /// Opaque and single-sided: the default, and the fastest (back faces culled, no alpha).
    pub const OPAQUE: Surface = Surface(0);
    const DOUBLE_SIDED: u8 = 1;
    const MASKED: u8 = 2;
    const BLENDED: u8 = 4;
    /// How many distinct surfaces there are (bits below this).
    pub const COUNT: usize = 8;

    /// The surface of an alpha mode and sidedness.
    pub const fn new(alpha_mode: AlphaMode, double_sided: bool) -> Surface {
        let alpha = match alpha_mode {
            AlphaMode::Opaque => 0,
            AlphaMode::Mask => Self::MASKED,
            AlphaMode::Blend => Self::BLENDED,
        };
        Surface(alpha | if double_sided { Self::DOUBLE_SIDED } else { 0 })
    }

    /// The surface a material's instances are drawn as.
    ///
    /// # Example
    /// ```
    /// use layerw_engine::render::{AlphaMode, MaterialParams, Surface};
    ///
    /// let glass = MaterialParams { alpha_mode: AlphaMode::Blend, ..Default::default() };
    /// assert!(Surface::of(&glass).is_blended());
    /// assert_eq!(Surface::of(&MaterialParams::default()), Surface::OPAQUE);
    /// ```
    pub fn of(material: &MaterialParams) -> Surface {
        Surface::new(material.alpha_mode, material.double_sided)
    }

    /// Its alpha mode.
    pub const fn alpha_mode(self) -> AlphaMode {
        if self.0 & Self::BLENDED != 0 {
            AlphaMode::Blend
        } else if self.0 & Self::MASKED != 0 {
            AlphaMode::Mask
        } else {
            AlphaMode::Opaque
        }
    }

    /// Whether back faces are drawn too.
    pub const fn double_sided(self) -> bool {
        self.0 & Self::DOUBLE_SIDED != 0
    }

    /// Whether it is blended over what is behind it (drawn last, sorted back to front).
    pub const fn is_blended(self) -> bool {
        self.0 & Self::BLENDED != 0
    }

    /// A dense index below [`Surface::COUNT`] (pipeline tables).
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_follows_the_extension() {
        // KHR_texture_transform: rotation by +90 degrees maps (1, 0) to (0, -1).
        let quarter = TextureTransform {
            rotation: core::f32::consts::FRAC_PI_2,
            ..TextureTransform::IDENTITY
        };
        let turned = quarter.apply(Vec2::X);
        assert!((turned - Vec2::new(0.0, -1.0)).length() < 1e-6, "{turned}");
        let full = TextureTransform {
            offset: Vec2::new(0.5, 0.25),
            rotation: core::f32::consts::FRAC_PI_2,
            scale: Vec2::new(2.0, 3.0),
            tex_coord: 1,
        };
        // scale (2, 3) -> (2, 3); rotate -> (3, -2); offset -> (3.5, -1.75).
        let moved = full.apply(Vec2::ONE);
        assert!((moved - Vec2::new(3.5, -1.75)).length() < 1e-5, "{moved}");
    }
}
