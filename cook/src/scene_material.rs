//! A glTF metallic-roughness material read into a content pack material: factors, the five
//! texture maps, alpha mode and cutoff, double-sided, `KHR_materials_emissive_strength` and
//! each map's `KHR_texture_transform`.

use std::path::Path;

use glam::{Vec2, Vec3, Vec4};
use gltf::json::Value;
use layerw_engine::render::{AlphaMode, TextureTransform};
use layerw_engine::stream::{MaterialTransforms, PackMaterial};

use crate::CookError;

/// A map's role: the texture's colour space and the name errors use.
#[derive(Clone, Copy)]
enum Map {
    BaseColor,
    MetallicRoughness,
    Normal,
    Occlusion,
    Emissive,
}

impl Map {
    fn name(self) -> &'static str {
        match self {
            Map::BaseColor => "base colour",
            Map::MetallicRoughness => "metallic-roughness",
            Map::Normal => "normal",
            Map::Occlusion => "occlusion",
            Map::Emissive => "emissive",
        }
    }

    /// Colour maps are sRGB, data maps linear.
    fn srgb(self) -> bool {
        matches!(self, Map::BaseColor | Map::Emissive)
    }
}

/// Reads `material` (`None` index: glTF's default material). `texture(image, srgb)` returns
/// the scene's index of a glTF image in a colour space, decoding it the first time.
pub(crate) fn read_material(
    material: &gltf::Material<'_>,
    path: &Path,
    mut texture: impl FnMut(usize, bool) -> Result<u32, CookError>,
) -> Result<PackMaterial, CookError> {
    let name = match material.index() {
        Some(i) => format!("material {i}"),
        None => "the default material".to_owned(),
    };
    let fail = |message: String| CookError::Gltf {
        path: path.to_owned(),
        message: format!("{name}: {message}"),
    };
    let mut pack = PackMaterial::default();
    let mut transforms = MaterialTransforms::default();
    let mut map = |role: Map,
                   image: usize,
                   tex_coord: u32,
                   transform: Option<TextureTransform>|
     -> Result<(u32, TextureTransform), CookError> {
        let transform = transform.unwrap_or(TextureTransform {
            tex_coord,
            ..TextureTransform::IDENTITY
        });
        if transform.tex_coord != 0 {
            return Err(CookError::Unsupported {
                path: path.to_owned(),
                feature: format!(
                    "{name}'s {} map reads TEXCOORD_{} (meshes carry TEXCOORD_0 only)",
                    role.name(),
                    transform.tex_coord
                ),
            });
        }
        if !transform.is_finite() {
            return Err(fail(format!(
                "the {} map's texture transform is not finite",
                role.name()
            )));
        }
        Ok((texture(image, role.srgb())?, transform))
    };

    let pbr = material.pbr_metallic_roughness();
    if let Some(info) = pbr.base_color_texture() {
        let (t, transform) = map(
            Map::BaseColor,
            info.texture().source().index(),
            info.tex_coord(),
            info_transform(&info),
        )?;
        pack.base_color_texture = Some(t);
        transforms.base_color = transform;
    }
    if let Some(info) = pbr.metallic_roughness_texture() {
        let (t, transform) = map(
            Map::MetallicRoughness,
            info.texture().source().index(),
            info.tex_coord(),
            info_transform(&info),
        )?;
        pack.metallic_roughness_texture = Some(t);
        transforms.metallic_roughness = transform;
    }
    if let Some(info) = material.emissive_texture() {
        let (t, transform) = map(
            Map::Emissive,
            info.texture().source().index(),
            info.tex_coord(),
            info_transform(&info),
        )?;
        pack.emissive_texture = Some(t);
        transforms.emissive = transform;
    }
    if let Some(normal) = material.normal_texture() {
        let transform = json_transform(
            texture_transform_json(normal.extensions()),
            normal.tex_coord(),
        )
        .map_err(&fail)?;
        let (t, transform) = map(
            Map::Normal,
            normal.texture().source().index(),
            normal.tex_coord(),
            transform,
        )?;
        pack.normal_texture = Some(t);
        pack.normal_scale = normal.scale();
        transforms.normal = transform;
    }
    if let Some(occlusion) = material.occlusion_texture() {
        let transform = json_transform(
            texture_transform_json(occlusion.extensions()),
            occlusion.tex_coord(),
        )
        .map_err(&fail)?;
        let (t, transform) = map(
            Map::Occlusion,
            occlusion.texture().source().index(),
            occlusion.tex_coord(),
            transform,
        )?;
        pack.occlusion_texture = Some(t);
        pack.occlusion_strength = occlusion.strength();
        transforms.occlusion = transform;
    }
    pack.transforms = transforms;
    pack.base_color = Vec4::from_array(pbr.base_color_factor());
    pack.emissive = Vec3::from_array(material.emissive_factor());
    pack.metallic = pbr.metallic_factor();
    pack.roughness = pbr.roughness_factor();
    pack.emissive_strength = material.emissive_strength().unwrap_or(1.0);
    pack.alpha_mode = match material.alpha_mode() {
        gltf::material::AlphaMode::Opaque => AlphaMode::Opaque,
        gltf::material::AlphaMode::Mask => AlphaMode::Mask,
        gltf::material::AlphaMode::Blend => AlphaMode::Blend,
    };
    pack.alpha_cutoff = material.alpha_cutoff().unwrap_or(0.5);
    pack.double_sided = material.double_sided();
    let finite = pack.base_color.is_finite()
        && pack.emissive.is_finite()
        && pack.metallic.is_finite()
        && pack.roughness.is_finite()
        && pack.normal_scale.is_finite()
        && pack.occlusion_strength.is_finite()
        && pack.emissive_strength.is_finite()
        && pack.alpha_cutoff.is_finite();
    if !finite {
        return Err(fail("a factor is not finite".to_owned()));
    }
    if pack.emissive_strength < 0.0 {
        return Err(fail(format!(
            "negative emissive strength {}",
            pack.emissive_strength
        )));
    }
    Ok(pack)
}

/// A texture info's `KHR_texture_transform`, its `texCoord` overriding the info's.
fn info_transform(info: &gltf::texture::Info<'_>) -> Option<TextureTransform> {
    let t = info.texture_transform()?;
    Some(TextureTransform {
        offset: Vec2::from_array(t.offset()),
        rotation: t.rotation(),
        scale: Vec2::from_array(t.scale()),
        tex_coord: t.tex_coord().unwrap_or(info.tex_coord()),
    })
}

/// The `KHR_texture_transform` object among a map's other extensions.
fn texture_transform_json<'a, M>(extensions: Option<&'a M>) -> Option<&'a Value>
where
    &'a M: IntoIterator<Item = (&'a String, &'a Value)>,
{
    extensions?
        .into_iter()
        .find_map(|(key, value)| (key == "KHR_texture_transform").then_some(value))
}

/// `KHR_texture_transform` read from a normal or occlusion map's extension JSON (the gltf
/// crate types it on plain texture infos only). Missing properties take the extension's
/// defaults; a property of the wrong type is an error.
fn json_transform(ext: Option<&Value>, tex_coord: u32) -> Result<Option<TextureTransform>, String> {
    let Some(ext) = ext else {
        return Ok(None);
    };
    let wrong = |what: &str| format!("KHR_texture_transform: {what} is malformed");
    let ext = ext.as_object().ok_or_else(|| wrong("the extension"))?;
    let pair = |key: &str, default: Vec2| -> Result<Vec2, String> {
        match ext.get(key) {
            None => Ok(default),
            Some(Value::Array(a)) if a.len() == 2 => {
                let x = a[0].as_f64().ok_or_else(|| wrong(key))?;
                let y = a[1].as_f64().ok_or_else(|| wrong(key))?;
                Ok(Vec2::new(x as f32, y as f32))
            }
            Some(_) => Err(wrong(key)),
        }
    };
    let rotation = match ext.get("rotation") {
        None => 0.0,
        Some(v) => v.as_f64().ok_or_else(|| wrong("rotation"))? as f32,
    };
    let tex_coord = match ext.get("texCoord") {
        None => tex_coord,
        Some(v) => v
            .as_u64()
            .and_then(|t| u32::try_from(t).ok())
            .ok_or_else(|| wrong("texCoord"))?,
    };
    Ok(Some(TextureTransform {
        offset: pair("offset", Vec2::ZERO)?,
        rotation,
        scale: pair("scale", Vec2::ONE)?,
        tex_coord,
    }))
}
