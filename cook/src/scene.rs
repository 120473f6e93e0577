//! A glTF/GLB scene read for a content pack: its node hierarchy flattened to world transforms,
//! its triangle primitives as meshes, its metallic-roughness materials (every map, alpha
//! modes, double-sided, emissive strength, texture transforms) and their PNG textures, its
//! punctual lights and cameras, its skins, skinned meshes and animations.

use std::collections::HashMap;
use std::path::Path;

use glam::{Mat4, Quat, Vec3};
use layerw_engine::anim::Clip;
use layerw_engine::render::{Mesh, SkinnedMesh, TextureImage};
use layerw_engine::stream::{
    PackCamera, PackClip, PackEntity, PackLight, PackMaterial, PackSkinnedEntity, PackSkinnedMesh,
    PackWriter,
};
use rayon::prelude::*;

use crate::scene_anim::read_clips;
use crate::scene_items::{read_camera, read_light};
use crate::scene_material::read_material;
use crate::scene_skin::{SceneSkin, read_skins};
use crate::scene_skinned::read_skin_attributes;
use crate::source::{MeshParts, load_buffers, parse_gltf, read_capped, read_uri};
use crate::{ChainOptions, CookError, generate_chain};

/// The eight bytes every PNG file starts with.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// A mesh of a [`Scene`]: one triangle primitive of a glTF mesh, in the mesh's own space.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneMesh {
    /// The glTF mesh's index.
    pub gltf_mesh: usize,
    /// The primitive's index within that mesh.
    pub primitive: usize,
    /// Its vertices and triangles (missing normals computed, tangents from the UVs).
    pub mesh: Mesh,
}

/// A skinned mesh of a [`Scene`]: one triangle primitive of a glTF mesh drawn by a node with
/// a skin, in bind pose, with its vertices' joints (the skin's skeleton's) and weights.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneSkinnedMesh {
    /// The glTF mesh's index.
    pub gltf_mesh: usize,
    /// The primitive's index within that mesh.
    pub primitive: usize,
    /// Index into [`Scene::skins`].
    pub skin: u32,
    /// Its vertices, triangles, joints and weights.
    pub mesh: SkinnedMesh,
}

/// A texture of a [`Scene`]: a decoded glTF image, in the role a material gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneTexture {
    /// The glTF image's index.
    pub gltf_image: usize,
    /// Colour (a base colour texture) rather than linear data (a normal map).
    pub srgb: bool,
    /// Its pixels, full size (the pack writer caps the size and builds the mips).
    pub image: TextureImage,
}

/// A glTF/GLB scene read for a content pack ([`load_scene`]).
///
/// Only what its entities use is kept: meshes, materials and textures are listed in the order
/// entities first use them, each once however many nodes share it. Indices inside
/// [`Scene::materials`] (textures) and [`Scene::entities`] (meshes, materials) are into this
/// scene's own lists; [`Scene::write_pack`] maps them to the pack's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    /// One per triangle primitive used by a node.
    pub meshes: Vec<SceneMesh>,
    /// One per (image, role) used by a material.
    pub textures: Vec<SceneTexture>,
    /// The materials primitives use; a primitive without one gets glTF's default material
    /// (white, fully metallic, fully rough).
    pub materials: Vec<PackMaterial>,
    /// One per (node without a skin, triangle primitive): world transform, static.
    pub entities: Vec<PackEntity>,
    /// One per (mesh, primitive, skin) drawn by a node with a skin.
    pub skinned_meshes: Vec<SceneSkinnedMesh>,
    /// One per (node with a skin, triangle primitive): the mesh an index into
    /// [`Scene::skinned_meshes`], the material into [`Scene::materials`], placed at the world
    /// transform of the node the skin's root joints hang from.
    pub skinned_entities: Vec<PackSkinnedEntity>,
    /// One per node with a `KHR_lights_punctual` light, at the node's world transform.
    pub lights: Vec<PackLight>,
    /// One per node with a camera, at the node's world transform.
    pub cameras: Vec<PackCamera>,
    /// One per glTF animation, in file order: its translation, rotation and scale channels,
    /// each channel's joint the index of the node it drives ([`Scene::write_pack`] writes
    /// each retargeted to every skin whose joints it drives).
    pub clips: Vec<Clip>,
    /// One per glTF skin, in file order: its skeleton.
    pub skins: Vec<SceneSkin>,
}

/// What [`Scene::write_pack`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackSummary {
    /// Meshes (LOD chains).
    pub meshes: u32,
    /// Mesh levels, all meshes together.
    pub mesh_levels: u32,
    /// Triangles of the finest levels, all meshes together.
    pub finest_triangles: u64,
    /// Textures.
    pub textures: u32,
    /// Materials.
    pub materials: u32,
    /// Entities.
    pub entities: u32,
    /// Lights.
    pub lights: u32,
    /// Cameras.
    pub cameras: u32,
    /// Skins.
    pub skins: u32,
    /// Clips (one per glTF animation and skin it drives).
    pub clips: u32,
    /// Skinned meshes.
    pub skinned_meshes: u32,
    /// Skinned entities.
    pub skinned_entities: u32,
}

impl Scene {
    /// Writes the scene into a pack: each mesh's LOD chain ([`generate_chain`] with
    /// `options`; the chains are generated in parallel), each texture (the writer caps its
    /// size and builds its mips), the materials and the entities, with this scene's indices
    /// mapped to the pack's (the writer may already hold other assets).
    pub fn write_pack(
        &self,
        options: &ChainOptions,
        writer: &mut PackWriter,
    ) -> Result<PackSummary, CookError> {
        let chains = self
            .meshes
            .par_iter()
            .map(|m| generate_chain(&m.mesh, options))
            .collect::<Result<Vec<_>, _>>()?;
        let mut summary = PackSummary::default();
        let mut meshes = Vec::with_capacity(chains.len());
        for chain in &chains {
            meshes.push(writer.add_mesh(chain)?);
            summary.meshes += 1;
            summary.mesh_levels += chain.level_count() as u32;
            summary.finest_triangles += chain.finest().triangles() as u64;
        }
        let mut textures = Vec::with_capacity(self.textures.len());
        for texture in &self.textures {
            textures.push(writer.add_texture(&texture.image, texture.srgb, false)?);
            summary.textures += 1;
        }
        let texture = |t: Option<u32>| t.map(|t| textures[t as usize]);
        let mut materials = Vec::with_capacity(self.materials.len());
        for material in &self.materials {
            materials.push(writer.add_material(PackMaterial {
                base_color_texture: texture(material.base_color_texture),
                normal_texture: texture(material.normal_texture),
                metallic_roughness_texture: texture(material.metallic_roughness_texture),
                occlusion_texture: texture(material.occlusion_texture),
                emissive_texture: texture(material.emissive_texture),
                ..material.clone()
            })?);
            summary.materials += 1;
        }
        for entity in &self.entities {
            writer.add_entity(PackEntity {
                mesh: meshes[entity.mesh as usize],
                material: materials[entity.material as usize],
                ..*entity
            })?;
            summary.entities += 1;
        }
        for light in &self.lights {
            writer.add_light(*light)?;
            summary.lights += 1;
        }
        for camera in &self.cameras {
            writer.add_camera(*camera)?;
            summary.cameras += 1;
        }
        self.write_animation(writer, &materials, &mut summary)?;
        Ok(summary)
    }

    /// Writes the skins, the clips retargeted to each skin they drive, the skinned meshes and
    /// their entities (`materials` maps this scene's materials to the pack's).
    fn write_animation(
        &self,
        writer: &mut PackWriter,
        materials: &[u32],
        summary: &mut PackSummary,
    ) -> Result<(), CookError> {
        let mut skins = Vec::with_capacity(self.skins.len());
        for skin in &self.skins {
            skins.push(writer.add_skin(skin.skeleton.clone())?);
            summary.skins += 1;
        }
        for clip in &self.clips {
            for (skin, &pack_skin) in self.skins.iter().zip(&skins) {
                let retargeted = clip.retarget(|node| skin.joint_of(node as usize));
                if !retargeted.channels().is_empty() {
                    writer.add_clip(PackClip {
                        skin: pack_skin,
                        clip: retargeted,
                    })?;
                    summary.clips += 1;
                }
            }
        }
        let mut meshes = Vec::with_capacity(self.skinned_meshes.len());
        for skinned in &self.skinned_meshes {
            meshes.push(writer.add_skinned_mesh(PackSkinnedMesh {
                skin: skins[skinned.skin as usize],
                mesh: skinned.mesh.clone(),
            })?);
            summary.skinned_meshes += 1;
        }
        for entity in &self.skinned_entities {
            writer.add_skinned_entity(PackSkinnedEntity {
                mesh: meshes[entity.mesh as usize],
                material: materials[entity.material as usize],
                ..*entity
            })?;
            summary.skinned_entities += 1;
        }
        Ok(())
    }
}

/// Reads the default scene of a `.gltf` or `.glb` file (the first scene when none is marked
/// default, every root node when there are no scenes).
///
/// Every node with a mesh gives one static entity per triangle primitive, placed at the node's
/// world transform (parent transforms applied, decomposed into translation, rotation and scale;
/// a shear is lost); every node with a `KHR_lights_punctual` light or a camera gives a
/// [`PackLight`] or [`PackCamera`] there (scale dropped). Materials keep the
/// metallic-roughness and emissive factors, the base colour and emissive (sRGB) and the
/// metallic-roughness, normal and occlusion (linear) maps with the normal scale and occlusion
/// strength, the alpha mode and cutoff, double-sided, `KHR_materials_emissive_strength` and
/// each map's `KHR_texture_transform`. A map read from a UV set other than `TEXCOORD_0` is a
/// [`CookError::Unsupported`]; images must be PNG (others are a
/// [`CookError::UnsupportedImage`]). Buffers and images are read with [`load_gltf`]'s checks:
/// files only below the glTF file's folder, files and buffers at most
/// [`MAX_GLTF_BYTES`](crate::MAX_GLTF_BYTES).
///
/// [`load_gltf`]: crate::load_gltf
pub fn load_scene(path: impl AsRef<Path>) -> Result<Scene, CookError> {
    let path = path.as_ref();
    let bytes = read_capped(path, path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    Inputs::new(&bytes, path, Some(base))?.read()
}

/// [`load_scene`] of a glTF or GLB file's bytes, with no folder: buffers and images can only
/// be in the GLB binary chunk or `data:` URIs (any file URI is a [`CookError::UnsafeUri`]).
pub fn load_scene_bytes(bytes: &[u8]) -> Result<Scene, CookError> {
    Inputs::new(bytes, Path::new("<bytes>"), None)?.read()
}

/// A parsed glTF file with its buffers: what reading a scene needs.
struct Inputs<'a> {
    gltf: gltf::Gltf,
    buffers: Vec<Vec<u8>>,
    path: &'a Path,
    base: Option<&'a Path>,
}

/// The scene's lists built so far, and what is in them.
#[derive(Default)]
struct Lists {
    scene: Scene,
    /// (glTF mesh, primitive) -> index into `scene.meshes`.
    mesh_index: HashMap<(usize, usize), u32>,
    /// (glTF mesh, primitive, scene skin) -> index into `scene.skinned_meshes`.
    skinned_index: HashMap<(usize, usize, u32), u32>,
    /// Each node's world transform (`None`: not in the scene).
    world: Vec<Option<Mat4>>,
    /// glTF material (`None`: the default) -> index into `scene.materials`.
    material_index: HashMap<Option<usize>, u32>,
    /// (glTF image, sRGB) -> index into `scene.textures`.
    texture_index: HashMap<(usize, bool), u32>,
}

impl<'a> Inputs<'a> {
    fn new(bytes: &[u8], path: &'a Path, base: Option<&'a Path>) -> Result<Self, CookError> {
        let gltf = parse_gltf(bytes).map_err(|message| CookError::Gltf {
            path: path.to_owned(),
            message,
        })?;
        let buffers = load_buffers(&gltf, path, base)?;
        Ok(Inputs {
            gltf,
            buffers,
            path,
            base,
        })
    }

    fn fail(&self, message: String) -> CookError {
        CookError::Gltf {
            path: self.path.to_owned(),
            message,
        }
    }

    fn read(&self) -> Result<Scene, CookError> {
        let mut lists = Lists::default();
        lists.scene.clips = read_clips(&self.gltf, &self.buffers).map_err(|e| self.fail(e))?;
        lists.scene.skins = read_skins(&self.gltf, &self.buffers).map_err(|e| self.fail(e))?;
        let placed = self.world_transforms()?;
        lists.world = vec![None; self.gltf.nodes().count()];
        for &(node, world) in &placed {
            lists.world[node] = Some(world);
        }
        for (node, world) in placed {
            lists.add_node(self, node, world)?;
        }
        if lists.scene.entities.is_empty() && lists.scene.skinned_entities.is_empty() {
            return Err(self.fail("the scene has no node with a triangle mesh".to_owned()));
        }
        Ok(lists.scene)
    }

    /// Every node of the scene with its world transform, parents before children. A node
    /// reached twice (a cycle, or a node with two parents) is refused: glTF's hierarchy is a
    /// tree, and a cycle would never end.
    fn world_transforms(&self) -> Result<Vec<(usize, Mat4)>, CookError> {
        let root = self.gltf.document.as_json();
        let roots: Vec<usize> = match self
            .gltf
            .default_scene()
            .or_else(|| self.gltf.scenes().next())
        {
            Some(scene) => scene.nodes().map(|n| n.index()).collect(),
            None => {
                let mut is_child = vec![false; root.nodes.len()];
                for node in &root.nodes {
                    for child in node.children.iter().flatten() {
                        // In range: the document was validated.
                        is_child[child.value()] = true;
                    }
                }
                (0..root.nodes.len()).filter(|&n| !is_child[n]).collect()
            }
        };
        let nodes: Vec<gltf::Node<'_>> = self.gltf.nodes().collect();
        let mut seen = vec![false; nodes.len()];
        let mut stack: Vec<(usize, Mat4)> = roots
            .into_iter()
            .rev()
            .map(|n| (n, Mat4::IDENTITY))
            .collect();
        let mut placed = Vec::new();
        while let Some((index, parent)) = stack.pop() {
            if std::mem::replace(&mut seen[index], true) {
                return Err(self.fail(format!(
                    "node {index} is reached twice: the node hierarchy must be a tree"
                )));
            }
            let node = &nodes[index];
            let local = Mat4::from_cols_array_2d(&node.transform().matrix());
            let world = parent * local;
            placed.push((index, world));
            let children: Vec<usize> = node.children().map(|c| c.index()).collect();
            stack.extend(children.into_iter().rev().map(|c| (c, world)));
        }
        Ok(placed)
    }

    /// Reads and decodes one image. Read from the JSON, not through `gltf::Image::source`,
    /// which panics on an image with neither a URI nor a buffer view, or a buffer view without
    /// a MIME type (gltf 1.4.1 does not validate either).
    fn decode_image(&self, gltf_image: usize) -> Result<TextureImage, CookError> {
        let root = self.gltf.document.as_json();
        let image = &root.images[gltf_image];
        let mime = image.mime_type.as_ref().map(|m| m.0.as_str());
        let bytes: Vec<u8> = match (&image.buffer_view, &image.uri) {
            (Some(view), _) => {
                // The index is in range (validated); the range inside the buffer is not.
                let view = &root.buffer_views[view.value()];
                let buffer = &self.buffers[view.buffer.value()];
                let start = view.byte_offset.map_or(0, |o| o.0) as usize;
                let end = start.checked_add(view.byte_length.0 as usize);
                match end.and_then(|end| buffer.get(start..end)) {
                    Some(bytes) => bytes.to_vec(),
                    None => {
                        return Err(self.fail(format!(
                            "image {gltf_image}: its buffer view ({} bytes at {start}) is past \
                             the end of its buffer of {} bytes",
                            view.byte_length.0,
                            buffer.len()
                        )));
                    }
                }
            }
            (None, Some(uri)) => read_uri(uri, self.path, self.base)?,
            (None, None) => {
                return Err(self.fail(format!(
                    "image {gltf_image} has neither a URI nor a buffer view"
                )));
            }
        };
        if !bytes.starts_with(&PNG_SIGNATURE) {
            return Err(CookError::UnsupportedImage {
                path: self.path.to_owned(),
                image: gltf_image,
                format: image_format(&bytes, mime),
            });
        }
        TextureImage::decode_png(&bytes).map_err(|error| CookError::Image {
            path: self.path.to_owned(),
            image: gltf_image,
            error,
        })
    }
}

impl Lists {
    /// The entities of one node: one per triangle primitive of its mesh.
    fn add_node(&mut self, inputs: &Inputs<'_>, node: usize, world: Mat4) -> Result<(), CookError> {
        let Some(gltf_node) = inputs.gltf.nodes().nth(node) else {
            return Ok(());
        };
        if let Some(light) = gltf_node.light() {
            let light = read_light(&light, world)
                .map_err(|e| inputs.fail(format!("node {node}'s light: {e}")))?;
            self.scene.lights.push(light);
        }
        if let Some(camera) = gltf_node.camera() {
            let camera = read_camera(&camera, world)
                .map_err(|e| inputs.fail(format!("node {node}'s camera: {e}")))?;
            self.scene.cameras.push(camera);
        }
        let Some(mesh) = gltf_node.mesh() else {
            return Ok(());
        };
        if let Some(skin) = gltf_node.skin() {
            return self.add_skinned_node(inputs, node, &mesh, skin.index());
        }
        let (translation, rotation, scale) = placement(inputs, node, world)?;
        let mesh_index = mesh.index();
        for primitive in mesh.primitives() {
            if primitive.mode() != gltf::mesh::Mode::Triangles {
                continue;
            }
            let mesh = self.mesh(inputs, mesh_index, &primitive)?;
            let material = self.material(inputs, &primitive.material())?;
            self.scene.entities.push(PackEntity {
                mesh,
                material,
                translation,
                rotation,
                scale,
                is_static: true,
            });
        }
        Ok(())
    }

    /// The skinned entities of a node with skin `gltf_skin`: one per triangle primitive,
    /// placed where the skin's root joints hang (glTF ignores the node's own transform).
    fn add_skinned_node(
        &mut self,
        inputs: &Inputs<'_>,
        node: usize,
        mesh: &gltf::Mesh<'_>,
        gltf_skin: usize,
    ) -> Result<(), CookError> {
        let skin = self
            .scene
            .skins
            .iter()
            .position(|s| s.gltf_skin == gltf_skin)
            .ok_or_else(|| inputs.fail(format!("node {node}'s skin {gltf_skin} was not read")))?
            as u32;
        let space = match self.scene.skins[skin as usize].root_parent {
            None => Mat4::IDENTITY,
            Some(parent) => self.world[parent].ok_or_else(|| {
                inputs.fail(format!(
                    "skin {gltf_skin}'s joints hang from node {parent}, which is not in the scene"
                ))
            })?,
        };
        let (translation, rotation, scale) = placement(inputs, node, space)?;
        for primitive in mesh.primitives() {
            if primitive.mode() != gltf::mesh::Mode::Triangles {
                continue;
            }
            let key = (mesh.index(), primitive.index(), skin);
            let index = match self.skinned_index.get(&key) {
                Some(&index) => index,
                None => {
                    let skinned = self.skinned_mesh(inputs, &primitive, key)?;
                    let index = self.scene.skinned_meshes.len() as u32;
                    self.scene.skinned_meshes.push(skinned);
                    self.skinned_index.insert(key, index);
                    index
                }
            };
            let material = self.material(inputs, &primitive.material())?;
            self.scene.skinned_entities.push(PackSkinnedEntity {
                mesh: index,
                material,
                translation,
                rotation,
                scale,
            });
        }
        Ok(())
    }

    /// Reads a skinned primitive: its mesh as a static one's, then its joints and weights.
    fn skinned_mesh(
        &self,
        inputs: &Inputs<'_>,
        primitive: &gltf::Primitive<'_>,
        (gltf_mesh, index, skin): (usize, usize, u32),
    ) -> Result<SceneSkinnedMesh, CookError> {
        let fail = |e: String| inputs.fail(format!("mesh {gltf_mesh} primitive {index}: {e}"));
        let mut parts = MeshParts::default();
        let mesh = parts
            .append(primitive, &inputs.buffers)
            .and_then(|()| parts.into_mesh())
            .map_err(fail)?;
        let scene_skin = &self.scene.skins[skin as usize];
        let (joints, weights) =
            read_skin_attributes(primitive, &inputs.buffers, scene_skin, mesh.positions.len())
                .map_err(fail)?;
        let mesh = SkinnedMesh {
            mesh,
            joints,
            weights,
        };
        mesh.validate(scene_skin.skeleton.joint_count())
            .map_err(|e| fail(e.to_string()))?;
        Ok(SceneSkinnedMesh {
            gltf_mesh,
            primitive: index,
            skin,
            mesh,
        })
    }

    /// The scene index of a primitive's mesh, read the first time it is used.
    fn mesh(
        &mut self,
        inputs: &Inputs<'_>,
        gltf_mesh: usize,
        primitive: &gltf::Primitive<'_>,
    ) -> Result<u32, CookError> {
        let key = (gltf_mesh, primitive.index());
        if let Some(&index) = self.mesh_index.get(&key) {
            return Ok(index);
        }
        let mut parts = MeshParts::default();
        let read = parts
            .append(primitive, &inputs.buffers)
            .and_then(|()| parts.into_mesh());
        let mesh = read.map_err(|e| {
            inputs.fail(format!(
                "mesh {gltf_mesh} primitive {}: {e}",
                primitive.index()
            ))
        })?;
        let index = self.scene.meshes.len() as u32;
        self.scene.meshes.push(SceneMesh {
            gltf_mesh,
            primitive: primitive.index(),
            mesh,
        });
        self.mesh_index.insert(key, index);
        Ok(index)
    }

    /// The scene index of a material, read the first time it is used.
    fn material(
        &mut self,
        inputs: &Inputs<'_>,
        material: &gltf::Material<'_>,
    ) -> Result<u32, CookError> {
        let key = material.index();
        if let Some(&index) = self.material_index.get(&key) {
            return Ok(index);
        }
        let pack_material = read_material(material, inputs.path, |image, srgb| {
            self.texture(inputs, image, srgb)
        })?;
        let index = self.scene.materials.len() as u32;
        self.scene.materials.push(pack_material);
        self.material_index.insert(key, index);
        Ok(index)
    }

    /// The scene index of an image in a role (colour or linear), decoded the first time.
    fn texture(
        &mut self,
        inputs: &Inputs<'_>,
        gltf_image: usize,
        srgb: bool,
    ) -> Result<u32, CookError> {
        if let Some(&index) = self.texture_index.get(&(gltf_image, srgb)) {
            return Ok(index);
        }
        // The same image in the other role is decoded already: its pixels do not change.
        let decoded = self
            .texture_index
            .get(&(gltf_image, !srgb))
            .map(|&i| self.scene.textures[i as usize].image.clone());
        let image = match decoded {
            Some(image) => image,
            None => inputs.decode_image(gltf_image)?,
        };
        let index = self.scene.textures.len() as u32;
        self.scene.textures.push(SceneTexture {
            gltf_image,
            srgb,
            image,
        });
        self.texture_index.insert((gltf_image, srgb), index);
        Ok(index)
    }
}

/// A node's entity placement from a world transform: translation, unit rotation, scale
/// (a shear is lost). A zero scale leaves no rotation to recover: the identity is used (the
/// entity is invisible either way).
fn placement(
    inputs: &Inputs<'_>,
    node: usize,
    world: Mat4,
) -> Result<(Vec3, Quat, Vec3), CookError> {
    let (scale, rotation, translation) = world.to_scale_rotation_translation();
    if !(scale.is_finite() && translation.is_finite()) {
        return Err(inputs.fail(format!(
            "node {node}: its world transform is not finite ({world:?})"
        )));
    }
    let rotation = if rotation.is_finite() {
        rotation.normalize()
    } else {
        Quat::IDENTITY
    };
    Ok((translation, rotation, scale))
}

/// What a non-PNG image is, for the error: its MIME type when the file gives one, else a guess
/// from its first bytes.
fn image_format(bytes: &[u8], mime: Option<&str>) -> String {
    if let Some(mime) = mime {
        return mime.to_owned();
    }
    let guess = if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "JPEG"
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "WebP"
    } else if bytes.starts_with(b"\xabKTX 20\xbb") {
        "KTX2"
    } else {
        "unknown"
    };
    guess.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_formats_are_named() {
        assert_eq!(image_format(&[0xff, 0xd8, 0xff, 0xe0], None), "JPEG");
        assert_eq!(image_format(b"RIFF\0\0\0\0WEBPVP8 ", None), "WebP");
        assert_eq!(image_format(b"GIF89a", None), "unknown");
        assert_eq!(image_format(b"GIF89a", Some("image/gif")), "image/gif");
    }
}
