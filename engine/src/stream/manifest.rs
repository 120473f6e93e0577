//! A content pack's manifest, in memory: what every mesh, texture, material and world cell is
//! and where each level's bytes lie. Its byte format and checks are in `pack.rs`
//! (docs/pack-format.md).

use core::ops::Range;

use glam::{IVec2, Quat, Vec3, Vec4};

use crate::lod::LodBounds;
use crate::render::{AlphaMode, TextureTransform};

use super::pack_anim::PackAnimation;
use super::scene_items::{PackCamera, PackLight};

/// Where one level's bytes lie in a blob file, and how to check them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredLevel {
    /// Offset of the level's stored (compressed) bytes in its blob file (the asset's
    /// `coarse_blob` for level 0, its `blob` for the others).
    pub offset: u64,
    /// Stored (compressed) length.
    pub stored_len: u32,
    /// Length once decompressed: what the level costs in memory, and the decompressor's cap.
    pub raw_len: u32,
    /// CRC-32 of the stored bytes.
    pub crc32: u32,
}

impl StoredLevel {
    /// The level's byte range in its blob file.
    pub fn range(&self) -> Range<u64> {
        self.offset..self.offset + u64::from(self.stored_len)
    }
}

/// One level of a mesh's LOD chain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeshLevel {
    /// Where its bytes are.
    pub stored: StoredLevel,
    /// Object-space geometric error against the finest level (0 for the finest).
    pub error: f32,
    /// Triangles.
    pub triangles: u32,
}

/// A mesh of the pack: its LOD chain, levels coarse to fine. The coarsest level lies in a
/// coarse blob, next to the coarsest levels of the assets added before and after it (one read
/// fetches the coarse levels of many assets); levels 1.. lie back to back in `blob`, so
/// "every level from 1 up to k" is one contiguous byte range.
#[derive(Clone, Debug, PartialEq)]
pub struct PackMesh {
    /// The blob file holding its coarsest level (level 0), an index into
    /// [`PackManifest::blobs`].
    pub coarse_blob: u32,
    /// The blob file holding levels 1.. (an index into [`PackManifest::blobs`]); equal to
    /// `coarse_blob` when the mesh has one level.
    pub blob: u32,
    /// Levels, coarse to fine.
    pub levels: Vec<MeshLevel>,
    /// Bounds of the finest level.
    pub bounds: LodBounds,
}

/// One mip level of a texture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextureLevel {
    /// Where its bytes are (RGBA8 rows once decompressed: `raw_len == width * height * 4`).
    pub stored: StoredLevel,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// A texture of the pack: its mip chain coarse to fine (the last level is the full size). The
/// smallest mip lies in a coarse blob (as [`PackMesh`]'s coarsest level); the others lie back
/// to back in `blob`.
#[derive(Clone, Debug, PartialEq)]
pub struct PackTexture {
    /// The blob file holding its smallest mip (level 0).
    pub coarse_blob: u32,
    /// The blob file holding mips 1..; equal to `coarse_blob` when there is one mip.
    pub blob: u32,
    /// Mip levels, coarse (smallest) to fine (largest).
    pub levels: Vec<TextureLevel>,
    /// Colour (sRGB) rather than linear data (normal maps, roughness).
    pub srgb: bool,
    /// Marked critical by its author: its full size may be up to [`MAX_CRITICAL_TEXTURE_SIZE`]
    /// rather than [`MAX_TEXTURE_SIZE`].
    pub critical: bool,
}

/// The largest texture edge a pack stores.
pub const MAX_TEXTURE_SIZE: u32 = 1024;
/// The largest texture edge for textures marked critical.
pub const MAX_CRITICAL_TEXTURE_SIZE: u32 = 2048;

/// A material of the pack: the engine's metallic-roughness parameters, how alpha is used, and
/// optional texture maps (indices into [`PackManifest::textures`]), each sampled through its
/// own UV transform ([`PackMaterial::transforms`]). The default is glTF's default material:
/// white, fully metallic, fully rough, opaque, one-sided, no textures.
#[derive(Clone, Debug, PartialEq)]
pub struct PackMaterial {
    /// Linear base colour and alpha.
    pub base_color: Vec4,
    /// Emitted radiance (before `emissive_strength`).
    pub emissive: Vec3,
    /// 0 dielectric to 1 metal.
    pub metallic: f32,
    /// Perceptual roughness.
    pub roughness: f32,
    /// Base colour texture (sRGB; its alpha multiplies `base_color`'s).
    pub base_color_texture: Option<u32>,
    /// Tangent-space normal map.
    pub normal_texture: Option<u32>,
    /// Green: roughness, blue: metallic (linear), multiplied with the factors.
    pub metallic_roughness_texture: Option<u32>,
    /// Red: ambient occlusion (linear).
    pub occlusion_texture: Option<u32>,
    /// Emission (sRGB), multiplied with `emissive`.
    pub emissive_texture: Option<u32>,
    /// Scales the normal map's X and Y (glTF's `normalTexture.scale`; 1 by default).
    pub normal_scale: f32,
    /// How much the occlusion map darkens: 0 none, 1 fully (glTF's `occlusionTexture.strength`).
    pub occlusion_strength: f32,
    /// Multiplies `emissive` (`KHR_materials_emissive_strength`; 1 by default).
    pub emissive_strength: f32,
    /// How alpha is used.
    pub alpha_mode: AlphaMode,
    /// With [`AlphaMode::Mask`]: the least alpha drawn (0.5 by default).
    pub alpha_cutoff: f32,
    /// Both faces are drawn; else back faces are culled.
    pub double_sided: bool,
    /// Each map's UV transform (`KHR_texture_transform`).
    pub transforms: MaterialTransforms,
}

impl Default for PackMaterial {
    fn default() -> Self {
        PackMaterial {
            base_color: Vec4::ONE,
            emissive: Vec3::ZERO,
            metallic: 1.0,
            roughness: 1.0,
            base_color_texture: None,
            normal_texture: None,
            metallic_roughness_texture: None,
            occlusion_texture: None,
            emissive_texture: None,
            normal_scale: 1.0,
            occlusion_strength: 1.0,
            emissive_strength: 1.0,
            alpha_mode: AlphaMode::Opaque,
            alpha_cutoff: 0.5,
            double_sided: false,
            transforms: MaterialTransforms::default(),
        }
    }
}

/// The UV transform of each of a material's texture maps (identity by default).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MaterialTransforms {
    /// The base colour map's.
    pub base_color: TextureTransform,
    /// The normal map's.
    pub normal: TextureTransform,
    /// The metallic-roughness map's.
    pub metallic_roughness: TextureTransform,
    /// The occlusion map's.
    pub occlusion: TextureTransform,
    /// The emissive map's.
    pub emissive: TextureTransform,
}

impl MaterialTransforms {
    /// The five transforms in the pack's order: base colour, normal, metallic-roughness,
    /// occlusion, emissive.
    pub fn to_array(&self) -> [TextureTransform; 5] {
        [
            self.base_color,
            self.normal,
            self.metallic_roughness,
            self.occlusion,
            self.emissive,
        ]
    }

    /// The inverse of [`MaterialTransforms::to_array`].
    pub fn from_array(t: [TextureTransform; 5]) -> Self {
        MaterialTransforms {
            base_color: t[0],
            normal: t[1],
            metallic_roughness: t[2],
            occlusion: t[3],
            emissive: t[4],
        }
    }
}

/// One entity placed in a world cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PackEntity {
    /// Its mesh (an index into [`PackManifest::meshes`]).
    pub mesh: u32,
    /// Its material (an index into [`PackManifest::materials`]).
    pub material: u32,
    /// World-space translation.
    pub translation: Vec3,
    /// Orientation, a unit quaternion.
    pub rotation: Quat,
    /// Per-axis scale.
    pub scale: Vec3,
    /// Never moves (joins the culling BVH of statics).
    pub is_static: bool,
}

/// A square world cell on the XZ plane: the entities whose translation lies in
/// `[coord * cell_size, (coord + 1) * cell_size)` on X and Z.
#[derive(Clone, Debug, PartialEq)]
pub struct PackCell {
    /// The cell's coordinates (X, Z) in cells.
    pub coord: IVec2,
    /// Its entities.
    pub entities: Vec<PackEntity>,
}

/// A blob file of the pack: levels of meshes and textures (coarse blobs: only the coarsest
/// level of each asset, back to back in the order the assets were added).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobFile {
    /// Its file name next to the manifest (letters, digits, `-`, `_`, `.`; no folders).
    pub name: String,
    /// Its length in bytes.
    pub len: u64,
}

/// A content pack's manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct PackManifest {
    /// Blob files.
    pub blobs: Vec<BlobFile>,
    /// Meshes.
    pub meshes: Vec<PackMesh>,
    /// Textures.
    pub textures: Vec<PackTexture>,
    /// Materials.
    pub materials: Vec<PackMaterial>,
    /// The edge of a world cell in metres (positive, finite).
    pub cell_size: f32,
    /// World cells with their entities.
    pub cells: Vec<PackCell>,
    /// Punctual lights (`KHR_lights_punctual`), placed in the world.
    pub lights: Vec<PackLight>,
    /// Cameras, placed in the world.
    pub cameras: Vec<PackCamera>,
    /// Skins, clips, skinned meshes and skinned entities (format version 4).
    pub animation: PackAnimation,
}
