//! Writing a content pack: meshes, textures, materials and placed entities in, a checked
//! manifest and blob files out ([`PackWriter`]). Each asset's levels are compressed on their
//! own; its coarsest level goes to a coarse blob, after the coarsest level of the asset added
//! before it, and its other levels coarse to fine, back to back, to an ordinary blob.

use std::collections::BTreeMap;
#[cfg(not(target_family = "wasm"))]
use std::io::Write;
#[cfg(not(target_family = "wasm"))]
use std::path::{Path, PathBuf};

use super::level::EncodedLevel;
use super::manifest::{
    BlobFile, MeshLevel, PackCell, PackEntity, PackManifest, PackMaterial, PackMesh, PackTexture,
    TextureLevel,
};
use super::pack::{
    MAX_BLOBS, MAX_CAMERAS, MAX_CELLS, MAX_ENTITIES, MAX_LIGHTS, MAX_MATERIALS,
    MAX_MESH_LEVEL_RAW_LEN, MAX_MESHES, MAX_TEXTURE_LEVEL_RAW_LEN, MAX_TEXTURES, cell_of,
};
use super::pack_anim::{
    MAX_CLIPS, MAX_SKIN_JOINTS, MAX_SKINNED_ENTITIES, MAX_SKINNED_MESHES, MAX_SKINS, PackAnimation,
    PackClip, PackSkinnedEntity, PackSkinnedMesh,
};
use super::pack_check::{check_camera, check_light, check_material};
use super::pack_error::{AssetKind, PackError};
use super::scene_items::{PackCamera, PackLight};
use crate::anim::Skeleton;
use crate::lod::{LodChain, encode_level};
use crate::render::{MAX_SOURCE_TEXTURE_SIZE, TextureImage};

/// The manifest's file name in a pack's folder (or next to its blobs on a web server).
pub const MANIFEST_FILE: &str = "manifest.lwpk";
/// The blob size past which [`PackWriter::in_memory`] starts a new blob.
pub const DEFAULT_BLOB_LIMIT: u64 = 64 << 20;

/// A finished pack.
#[derive(Clone, Debug, PartialEq)]
pub struct PackBytes {
    /// The manifest (checked with [`PackManifest::validate`]).
    pub manifest: PackManifest,
    /// Its bytes, [`PackManifest::to_bytes`]: the content of [`MANIFEST_FILE`].
    pub manifest_bytes: Vec<u8>,
    /// In memory, each blob file's bytes (in the order of [`PackManifest::blobs`]); empty when
    /// the writer wrote them to a folder.
    pub blobs: Vec<Vec<u8>>,
}

/// The two kinds of blob file a writer appends to at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BlobKind {
    /// Coarsest levels only (`coarse-NNNNN.bin`).
    Coarse = 0,
    /// Levels 1.. of each asset (`blob-NNNNN.bin`).
    Fine = 1,
}

/// Where blob bytes go: in memory, every blob by its index; in a folder, the open file of each
/// kind.
enum Sink {
    Memory(Vec<Vec<u8>>),
    #[cfg(not(target_family = "wasm"))]
    Dir {
        dir: PathBuf,
        files: [Option<std::io::BufWriter<std::fs::File>>; 2],
    },
}

/// Builds a content pack: add assets, then entities that use them, then [`PackWriter::finish`].
///
/// Output is deterministic: the same calls in the same order give the same bytes.
///
/// # Example
/// ```
/// use layerw_engine::glam::{Quat, Vec3, Vec4};
/// use layerw_engine::lod::{LodChain, LodLevel};
/// use layerw_engine::render::Mesh;
/// use layerw_engine::stream::{PackEntity, PackMaterial, PackWriter, decode_mesh_level};
///
/// let mut writer = PackWriter::in_memory(32.0).unwrap();
/// let chain = LodChain::new(vec![
///     LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.1),
///     LodLevel::new(Mesh::sphere(1.0, 32, 16), 0.0),
/// ])
/// .unwrap();
/// let mesh = writer.add_mesh(&chain).unwrap();
/// let material = writer
///     .add_material(PackMaterial {
///         base_color: Vec4::ONE,
///         emissive: Vec3::ZERO,
///         metallic: 0.0,
///         roughness: 0.5,
///         base_color_texture: None,
///         normal_texture: None,
///         ..PackMaterial::default()
///     })
///     .unwrap();
/// writer
///     .add_entity(PackEntity {
///         mesh,
///         material,
///         translation: Vec3::new(40.0, 0.0, -3.0),
///         rotation: Quat::IDENTITY,
///         scale: Vec3::ONE,
///         is_static: true,
///     })
///     .unwrap();
/// let pack = writer.finish().unwrap();
/// assert_eq!(pack.manifest.cells[0].coord.to_array(), [1, -1]);
/// let mesh = &pack.manifest.meshes[0];
/// let coarse = &mesh.levels[0];
/// let range = coarse.stored.range();
/// let bytes = &pack.blobs[mesh.coarse_blob as usize][range.start as usize..range.end as usize];
/// assert_eq!(decode_mesh_level(coarse, bytes).unwrap(), chain.levels()[0].mesh);
/// ```
pub struct PackWriter {
    cell_size: f32,
    blob_limit: u64,
    sink: Sink,
    blobs: Vec<BlobFile>,
    /// The blob each kind appends to now (an index into `blobs`).
    current: [Option<usize>; 2],
    meshes: Vec<PackMesh>,
    textures: Vec<PackTexture>,
    materials: Vec<PackMaterial>,
    lights: Vec<PackLight>,
    cameras: Vec<PackCamera>,
    animation: PackAnimation,
    cells: BTreeMap<[i32; 2], Vec<PackEntity>>,
    entities: u32,
}

impl PackWriter {
    /// Holds blobs in memory (tests, small packs), starting a new blob past
    /// [`DEFAULT_BLOB_LIMIT`] bytes. Fails when `cell_size` is not positive and finite.
    pub fn in_memory(cell_size: f32) -> Result<PackWriter, PackError> {
        PackWriter::in_memory_with_blob_limit(cell_size, DEFAULT_BLOB_LIMIT)
    }

    /// Like [`PackWriter::in_memory`], a new blob starting once the current one holds
    /// something and the next asset would take it past `blob_limit` bytes (an asset larger
    /// than the limit gets a blob of its own).
    pub fn in_memory_with_blob_limit(
        cell_size: f32,
        blob_limit: u64,
    ) -> Result<PackWriter, PackError> {
        PackWriter::new(cell_size, blob_limit, Sink::Memory(Vec::new()))
    }

    /// Streams blob files into `dir` (created if missing) as assets are added, so a large
    /// world never sits in memory; a new blob file starts once the current one holds
    /// something and the next asset would take it past `blob_limit` bytes. Coarse blobs (each
    /// asset's coarsest level) are named `coarse-NNNNN.bin`, the others `blob-NNNNN.bin`
    /// (`NNNNN` the index in [`PackManifest::blobs`]); [`PackWriter::finish`] writes
    /// [`MANIFEST_FILE`]. Native only.
    #[cfg(not(target_family = "wasm"))]
    pub fn to_dir(dir: &Path, cell_size: f32, blob_limit: u64) -> Result<PackWriter, PackError> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
        PackWriter::new(
            cell_size,
            blob_limit,
            Sink::Dir {
                dir: dir.to_path_buf(),
                files: [None, None],
            },
        )
    }

    fn new(cell_size: f32, blob_limit: u64, sink: Sink) -> Result<PackWriter, PackError> {
        if !(cell_size.is_finite() && cell_size > 0.0) {
            return Err(PackError::InvalidCellSize { cell_size });
        }
        Ok(PackWriter {
            cell_size,
            blob_limit,
            sink,
            blobs: Vec::new(),
            current: [None; 2],
            meshes: Vec::new(),
            textures: Vec::new(),
            materials: Vec::new(),
            lights: Vec::new(),
            cameras: Vec::new(),
            animation: PackAnimation::default(),
            cells: BTreeMap::new(),
            entities: 0,
        })
    }

    /// Adds a mesh's LOD chain, levels coarse to fine; returns its index in
    /// [`PackManifest::meshes`]. Fails when a level's encoding is over
    /// [`MAX_MESH_LEVEL_RAW_LEN`](super::MAX_MESH_LEVEL_RAW_LEN), when there are
    /// [`MAX_MESHES`](super::MAX_MESHES) already, or when writing the blob fails.
    pub fn add_mesh(&mut self, chain: &LodChain) -> Result<u32, PackError> {
        let index = next_index("meshes", self.meshes.len(), MAX_MESHES)?;
        let encoded = chain
            .levels()
            .iter()
            .map(|l| EncodedLevel::compress(&encode_level(&l.mesh), MAX_MESH_LEVEL_RAW_LEN))
            .collect::<Result<Vec<_>, _>>()?;
        let (coarse_blob, blob, stored) = self.write_asset(AssetKind::Mesh, index, &encoded)?;
        let levels = chain
            .levels()
            .iter()
            .zip(stored)
            .map(|(l, stored)| MeshLevel {
                stored,
                error: l.error,
                // LodChain::new checked the index count fits in u32.
                triangles: l.triangles() as u32,
            })
            .collect();
        self.meshes.push(PackMesh {
            coarse_blob,
            blob,
            levels,
            bounds: chain.finest().bounds,
        });
        Ok(index)
    }

    /// Adds a texture: downscales it past [`MAX_TEXTURE_SIZE`](super::MAX_TEXTURE_SIZE)
    /// ([`MAX_CRITICAL_TEXTURE_SIZE`](super::MAX_CRITICAL_TEXTURE_SIZE) when `critical`),
    /// builds its mip chain ([`TextureImage::mip_chain`]) and stores it coarse (1x1) to fine;
    /// returns its index in [`PackManifest::textures`]. Fails on an inconsistent image
    /// ([`PackError::InvalidImage`]), past [`MAX_TEXTURES`](super::MAX_TEXTURES), or when
    /// writing the blob fails.
    pub fn add_texture(
        &mut self,
        image: &TextureImage,
        srgb: bool,
        critical: bool,
    ) -> Result<u32, PackError> {
        let index = next_index("textures", self.textures.len(), MAX_TEXTURES)?;
        let (w, h) = (image.width, image.height);
        let consistent = w > 0
            && h > 0
            && w <= MAX_SOURCE_TEXTURE_SIZE
            && h <= MAX_SOURCE_TEXTURE_SIZE
            && image.pixels.len() as u64 == u64::from(w) * u64::from(h) * 4;
        if !consistent {
            return Err(PackError::InvalidImage {
                width: w,
                height: h,
                bytes: image.pixels.len() as u64,
            });
        }
        let mut mips = image.mip_chain(critical);
        mips.reverse();
        let encoded = mips
            .iter()
            .map(|m| EncodedLevel::compress(&m.pixels, MAX_TEXTURE_LEVEL_RAW_LEN))
            .collect::<Result<Vec<_>, _>>()?;
        let (coarse_blob, blob, stored) = self.write_asset(AssetKind::Texture, index, &encoded)?;
        let levels = mips
            .iter()
            .zip(stored)
            .map(|(m, stored)| TextureLevel {
                stored,
                width: m.width,
                height: m.height,
            })
            .collect();
        self.textures.push(PackTexture {
            coarse_blob,
            blob,
            levels,
            srgb,
            critical,
        });
        Ok(index)
    }

    /// Adds a material; returns its index in [`PackManifest::materials`]. Its textures must
    /// have been added; its parameters must be finite.
    pub fn add_material(&mut self, material: PackMaterial) -> Result<u32, PackError> {
        let index = next_index("materials", self.materials.len(), MAX_MATERIALS)?;
        check_material(index, &material, self.textures.len())?;
        self.materials.push(material);
        Ok(index)
    }

    /// Adds a punctual light; returns its index in [`PackManifest::lights`]. Its numbers must
    /// be finite and in range ([`PackManifest::validate`]).
    pub fn add_light(&mut self, light: PackLight) -> Result<u32, PackError> {
        let index = next_index("lights", self.lights.len(), MAX_LIGHTS)?;
        check_light(index, &light)?;
        self.lights.push(light);
        Ok(index)
    }

    /// Adds a skin; returns its index in [`PackAnimation::skins`].
    pub fn add_skin(&mut self, skeleton: Skeleton) -> Result<u32, PackError> {
        let index = next_index("skins", self.animation.skins.len(), MAX_SKINS)?;
        if skeleton.joint_count() > MAX_SKIN_JOINTS as usize {
            return Err(PackError::TooMany {
                what: "skin joints",
                count: skeleton.joint_count() as u64,
                max: u64::from(MAX_SKIN_JOINTS),
            });
        }
        self.animation.skins.push(skeleton);
        Ok(index)
    }

    /// Adds a clip retargeted to a skin added before; returns its index in
    /// [`PackAnimation::clips`].
    pub fn add_clip(&mut self, clip: PackClip) -> Result<u32, PackError> {
        let index = next_index("clips", self.animation.clips.len(), MAX_CLIPS)?;
        self.animation.clips.push(clip);
        Ok(index)
    }

    /// Adds a skinned mesh bound to a skin added before (checked with
    /// [`SkinnedMesh::validate`](crate::render::SkinnedMesh::validate) against it); returns
    /// its index in [`PackAnimation::skinned_meshes`].
    pub fn add_skinned_mesh(&mut self, mesh: PackSkinnedMesh) -> Result<u32, PackError> {
        let index = next_index(
            "skinned meshes",
            self.animation.skinned_meshes.len(),
            MAX_SKINNED_MESHES,
        )?;
        let joints = self
            .animation
            .skins
            .get(mesh.skin as usize)
            .map(Skeleton::joint_count)
            .ok_or(PackError::IndexOutOfRange {
                what: "skinned mesh skin",
                index: mesh.skin,
                len: self.animation.skins.len() as u64,
            })?;
        mesh.mesh
            .validate(joints)
            .map_err(|error| PackError::InvalidSkinnedMesh { mesh: index, error })?;
        self.animation.skinned_meshes.push(mesh);
        Ok(index)
    }

    /// Adds an entity drawing a skinned mesh (its references are checked by
    /// [`PackWriter::finish`]).
    pub fn add_skinned_entity(&mut self, entity: PackSkinnedEntity) -> Result<(), PackError> {
        next_index(
            "skinned entities",
            self.animation.skinned_entities.len(),
            MAX_SKINNED_ENTITIES,
        )?;
        self.animation.skinned_entities.push(entity);
        Ok(())
    }

    /// Adds a camera; returns its index in [`PackManifest::cameras`]. Its numbers must be
    /// finite and in range ([`PackManifest::validate`]).
    pub fn add_camera(&mut self, camera: PackCamera) -> Result<u32, PackError> {
        let index = next_index("cameras", self.cameras.len(), MAX_CAMERAS)?;
        check_camera(index, &camera)?;
        self.cameras.push(camera);
        Ok(index)
    }

    /// Bytes written to the blobs so far (stored, compressed levels), all blob files
    /// together: how a generator knows when a pack has reached its size.
    pub fn blob_bytes(&self) -> u64 {
        self.blobs.iter().map(|b| b.len).sum()
    }

    /// Places the entity in the cell its translation falls in ([`cell_of`](super::cell_of)).
    /// Its mesh and material must have been added, its transform must be finite.
    pub fn add_entity(&mut self, entity: PackEntity) -> Result<(), PackError> {
        let e = &entity;
        for (what, index, len) in [
            ("entity mesh", e.mesh, self.meshes.len()),
            ("entity material", e.material, self.materials.len()),
        ] {
            if index as usize >= len {
                return Err(PackError::IndexOutOfRange {
                    what,
                    index,
                    len: len as u64,
                });
            }
        }
        if !(e.translation.is_finite() && e.rotation.is_finite() && e.scale.is_finite()) {
            return Err(PackError::NonFinite {
                what: "entity transform",
                index: self.entities,
            });
        }
        let coord =
            cell_of(e.translation, self.cell_size).ok_or_else(|| PackError::OutsideWorld {
                position: e.translation.to_array(),
                cell_size: self.cell_size,
            })?;
        next_index("entities", self.entities as usize, MAX_ENTITIES)?;
        let key = coord.to_array();
        if !self.cells.contains_key(&key) {
            next_index("cells", self.cells.len(), MAX_CELLS)?;
        }
        self.cells.entry(key).or_default().push(entity);
        self.entities += 1;
        Ok(())
    }

    /// Finishes: the manifest (cells sorted by coordinate, checked with
    /// [`PackManifest::validate`]), its bytes, and in memory the blobs' bytes. A writer made
    /// with [`PackWriter::to_dir`] flushes its last blob, writes [`MANIFEST_FILE`] and returns
    /// empty `blobs`.
    pub fn finish(self) -> Result<PackBytes, PackError> {
        let manifest = PackManifest {
            blobs: self.blobs,
            meshes: self.meshes,
            textures: self.textures,
            materials: self.materials,
            lights: self.lights,
            cameras: self.cameras,
            animation: self.animation,
            cell_size: self.cell_size,
            cells: self
                .cells
                .into_iter()
                .map(|([x, z], entities)| PackCell {
                    coord: glam::IVec2::new(x, z),
                    entities,
                })
                .collect(),
        };
        manifest.validate()?;
        let manifest_bytes = manifest.to_bytes();
        #[cfg_attr(
            target_family = "wasm",
            expect(
                clippy::infallible_destructuring_match,
                reason = "the web has no folder sink, the same match serves both"
            )
        )]
        let blobs = match self.sink {
            Sink::Memory(blobs) => blobs,
            #[cfg(not(target_family = "wasm"))]
            Sink::Dir { dir, files } => {
                for file in files.into_iter().flatten() {
                    finish_file(file, &dir)?;
                }
                let path = dir.join(MANIFEST_FILE);
                std::fs::write(&path, &manifest_bytes).map_err(|e| io_error(&path, &e))?;
                Vec::new()
            }
        };
        Ok(PackBytes {
            manifest,
            manifest_bytes,
            blobs,
        })
    }

    /// Writes one asset's coarsest level at the end of the current coarse blob and its other
    /// levels back to back, coarse to fine, in the current blob (each kind starting a new blob
    /// when the bytes would take it past the limit); returns the coarse blob, the blob (the
    /// coarse one when there is one level) and where each level lies.
    fn write_asset(
        &mut self,
        kind: AssetKind,
        asset: u32,
        levels: &[EncodedLevel],
    ) -> Result<(u32, u32, Vec<super::StoredLevel>), PackError> {
        let Some((coarsest, finer)) = levels.split_first() else {
            return Err(PackError::LevelCount {
                kind,
                asset,
                count: 0,
                max: u64::from(match kind {
                    AssetKind::Mesh => super::MAX_MESH_LEVELS,
                    AssetKind::Texture => super::MAX_TEXTURE_LEVELS,
                }),
            });
        };
        let (coarse_blob, mut stored) =
            self.append(BlobKind::Coarse, core::slice::from_ref(coarsest))?;
        if finer.is_empty() {
            return Ok((coarse_blob, coarse_blob, stored));
        }
        let (blob, fine) = self.append(BlobKind::Fine, finer)?;
        stored.extend(fine);
        Ok((coarse_blob, blob, stored))
    }

    /// Appends levels back to back to the current blob of `kind`, or a new one when they
    /// would take it past the limit; returns the blob and where each level lies.
    fn append(
        &mut self,
        kind: BlobKind,
        levels: &[EncodedLevel],
    ) -> Result<(u32, Vec<super::StoredLevel>), PackError> {
        let total: u64 = levels.iter().map(|l| l.bytes.len() as u64).sum();
        let blob = match self.current[kind as usize] {
            Some(blob)
                if self.blobs[blob].len == 0
                    || self.blobs[blob].len.saturating_add(total) <= self.blob_limit =>
            {
                blob
            }
            _ => self.start_blob(kind)?,
        };
        let mut offset = self.blobs[blob].len;
        let mut stored = Vec::with_capacity(levels.len());
        for level in levels {
            self.write_bytes(kind, blob, &level.bytes)?;
            stored.push(level.stored_at(offset));
            offset += level.bytes.len() as u64;
        }
        self.blobs[blob].len = offset;
        Ok((blob as u32, stored))
    }

    /// Starts a new blob of `kind` (closing the previous file of that kind); returns its index.
    fn start_blob(&mut self, kind: BlobKind) -> Result<usize, PackError> {
        next_index("blobs", self.blobs.len(), MAX_BLOBS)?;
        let index = self.blobs.len();
        let name = match kind {
            BlobKind::Coarse => format!("coarse-{index:05}.bin"),
            BlobKind::Fine => format!("blob-{index:05}.bin"),
        };
        match &mut self.sink {
            Sink::Memory(blobs) => blobs.push(Vec::new()),
            #[cfg(not(target_family = "wasm"))]
            Sink::Dir { dir, files } => {
                if let Some(previous) = files[kind as usize].take() {
                    finish_file(previous, dir)?;
                }
                let path = dir.join(&name);
                let created = std::fs::File::create(&path).map_err(|e| io_error(&path, &e))?;
                files[kind as usize] = Some(std::io::BufWriter::new(created));
            }
        }
        self.blobs.push(BlobFile { name, len: 0 });
        self.current[kind as usize] = Some(index);
        Ok(index)
    }

    #[cfg_attr(
        target_family = "wasm",
        expect(
            unused_variables,
            reason = "only the folder sink keeps a file per kind"
        )
    )]
    fn write_bytes(&mut self, kind: BlobKind, blob: usize, bytes: &[u8]) -> Result<(), PackError> {
        match &mut self.sink {
            Sink::Memory(blobs) => {
                // start_blob pushed it before any write.
                if let Some(blob) = blobs.get_mut(blob) {
                    blob.extend_from_slice(bytes);
                }
                Ok(())
            }
            #[cfg(not(target_family = "wasm"))]
            Sink::Dir { dir, files } => {
                let name = &self.blobs[blob].name;
                match &mut files[kind as usize] {
                    Some(f) => f
                        .write_all(bytes)
                        .map_err(|e| io_error(&dir.join(name), &e)),
                    None => Err(PackError::Io {
                        path: dir.join(name).display().to_string(),
                        kind: std::io::ErrorKind::NotFound,
                        message: "no blob file open".into(),
                    }),
                }
            }
        }
    }
}

/// The next index of a table holding `len` entries, or the typed error at its cap.
fn next_index(what: &'static str, len: usize, max: u32) -> Result<u32, PackError> {
    if len as u64 >= u64::from(max) {
        return Err(PackError::TooMany {
            what,
            count: len as u64 + 1,
            max: u64::from(max),
        });
    }
    Ok(len as u32)
}

#[cfg(not(target_family = "wasm"))]
fn finish_file(file: std::io::BufWriter<std::fs::File>, dir: &Path) -> Result<(), PackError> {
    let file = file.into_inner().map_err(|e| io_error(dir, e.error()))?;
    file.sync_all().map_err(|e| io_error(dir, &e))
}

#[cfg(not(target_family = "wasm"))]
fn io_error(path: &Path, e: &std::io::Error) -> PackError {
    PackError::Io {
        path: path.display().to_string(),
        kind: e.kind(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use glam::{IVec2, Quat, Vec3, Vec4};

    use super::*;
    use crate::lod::LodLevel;
    use crate::render::Mesh;

    fn material(base_color_texture: Option<u32>, normal_texture: Option<u32>) -> PackMaterial {
        PackMaterial {
            base_color: Vec4::ONE,
            emissive: Vec3::ZERO,
            metallic: 0.0,
            roughness: 0.5,
            base_color_texture,
            normal_texture,
            ..PackMaterial::default()
        }
    }

    fn entity(mesh: u32, material: u32, x: f32, z: f32) -> PackEntity {
        PackEntity {
            mesh,
            material,
            translation: Vec3::new(x, 0.0, z),
            rotation: Quat::IDENTITY,
            scale: Vec3::ONE,
            is_static: true,
        }
    }

    #[test]
    fn the_writer_refuses_bad_input_with_typed_errors() {
        assert!(matches!(
            PackWriter::in_memory(0.0),
            Err(PackError::InvalidCellSize { .. })
        ));
        let mut w = PackWriter::in_memory(32.0).unwrap();
        assert_eq!(
            w.add_material(material(Some(0), None)),
            Err(PackError::IndexOutOfRange {
                what: "material base colour texture",
                index: 0,
                len: 0
            })
        );
        let bad = TextureImage {
            width: 4,
            height: 4,
            pixels: vec![0; 3],
        };
        assert_eq!(
            w.add_texture(&bad, true, false),
            Err(PackError::InvalidImage {
                width: 4,
                height: 4,
                bytes: 3
            })
        );
        assert!(matches!(
            w.add_entity(entity(0, 0, 0.0, 0.0)),
            Err(PackError::IndexOutOfRange {
                what: "entity mesh",
                ..
            })
        ));
        w.add_mesh(&LodChain::new(vec![LodLevel::new(Mesh::cube(1.0), 0.0)]).unwrap())
            .unwrap();
        w.add_material(material(None, None)).unwrap();
        assert!(matches!(
            w.add_entity(entity(0, 0, f32::NAN, 0.0)),
            Err(PackError::NonFinite { .. })
        ));
        assert!(matches!(
            w.add_entity(entity(0, 0, 1e30, 0.0)),
            Err(PackError::OutsideWorld { .. })
        ));
        w.add_entity(entity(0, 0, -0.5, 0.0)).unwrap();
        let pack = w.finish().unwrap();
        assert_eq!(pack.manifest.cells[0].coord, IVec2::new(-1, 0));
    }
}
