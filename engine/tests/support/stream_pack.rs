//! A small pack (8 sphere chains of 4 levels, a 512 px texture) in a memory backend, the
//! stores a `Streamer` fills, and a loop that wants everything: shared by the Scene-tier
//! streaming tests (each its own binary, as each sets up the global allocator its own way),
//! and the textured entity other streaming tests add to their packs.

#![allow(dead_code, reason = "each test uses what it needs")]

use layerw_engine::lod::{LodAssets, LodChain, LodLevel};
use layerw_engine::render::{Materials, Mesh, MeshAssets, TextureAssets, TextureImage};
use layerw_engine::stream::{
    MemoryIo, PackEntity, PackMaterial, PackWriter, StreamStores, Streamer,
};

pub struct Stores {
    lods: LodAssets,
    meshes: MeshAssets,
    textures: TextureAssets,
    materials: Materials,
}

impl Stores {
    pub fn new() -> Stores {
        Stores {
            lods: LodAssets::default(),
            meshes: MeshAssets::default(),
            textures: TextureAssets::default(),
            materials: Materials::default(),
        }
    }

    pub fn borrow(&mut self) -> StreamStores<'_> {
        StreamStores {
            lods: &mut self.lods,
            meshes: &mut self.meshes,
            textures: &mut self.textures,
            materials: &mut self.materials,
        }
    }
}

/// A pack of 8 sphere chains (4 levels, the finest about 1 MiB decoded) and a 512 px
/// texture, as a memory backend.
pub fn pack_io() -> MemoryIo {
    let mut writer = PackWriter::in_memory(32.0).unwrap();
    for m in 0..8u32 {
        let levels = (0..4u32)
            .map(|l| {
                let seg = 12 + m + 40 * l;
                let error = if l == 3 { 0.0 } else { 0.1 / (l + 1) as f32 };
                LodLevel::new(Mesh::sphere(1.0, seg, seg / 2), error)
            })
            .collect();
        writer.add_mesh(&LodChain::new(levels).unwrap()).unwrap();
    }
    let image = TextureImage::from_rgba8(512, 512, vec![128; 512 * 512 * 4]).unwrap();
    add_textured_entity(&mut writer, &image);
    let pack = writer.finish().unwrap();
    MemoryIo::from_pack(pack)
}

/// Adds `image` as a base-colour texture, a material using it, and a static entity of mesh 0
/// with that material at the origin.
pub fn add_textured_entity(writer: &mut PackWriter, image: &TextureImage) {
    let texture = writer.add_texture(image, true, false).unwrap();
    let material = writer
        .add_material(PackMaterial {
            base_color: glam::Vec4::ONE,
            emissive: glam::Vec3::ZERO,
            metallic: 0.0,
            roughness: 0.5,
            base_color_texture: Some(texture),
            normal_texture: None,
            ..PackMaterial::default()
        })
        .unwrap();
    writer
        .add_entity(PackEntity {
            mesh: 0,
            material,
            translation: glam::Vec3::ZERO,
            rotation: glam::Quat::IDENTITY,
            scale: glam::Vec3::ONE,
            is_static: true,
        })
        .unwrap();
}

/// Frames until nothing is on its way, wanting every level of every mesh and the full
/// texture.
pub fn stream_everything(streamer: &mut Streamer, stores: &mut Stores, frames: usize) {
    for _ in 0..frames {
        if let Some(manifest) = streamer.manifest() {
            let meshes = manifest.meshes.len() as u32;
            for m in 0..meshes {
                let chain = streamer.chain(m).unwrap();
                streamer.want(chain, 3, 5.0, 100.0, true);
            }
            let material = streamer.material(0).unwrap();
            streamer.want_textures(material, 4096.0, 5.0, true);
        }
        streamer.update(1.0 / 60.0, stores.borrow());
        // Decoding runs on rayon's pool natively: give it time between frames.
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
