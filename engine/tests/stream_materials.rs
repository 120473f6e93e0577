//! A pack's material options reach the engine: once the streamer opens a manifest, each pack
//! material is an engine material with its alpha mode, cutoff, double-sided flag, emissive
//! strength and base colour UV transform, and a texture set holding all five of its maps.

use layerw_engine::glam::{Quat, Vec2, Vec3};
use layerw_engine::lod::{LodAssets, LodChain, LodLevel};
use layerw_engine::render::{
    AlphaMode, Materials, Mesh, MeshAssets, TextureAssets, TextureImage, TextureTransform,
};
use layerw_engine::stream::{
    MaterialTransforms, MemoryIo, PackEntity, PackMaterial, PackWriter, StreamSettings,
    StreamStores, Streamer,
};

#[test]
fn material_options_and_every_map_reach_the_engine() {
    let mut writer = PackWriter::in_memory(32.0).unwrap();
    let chain = LodChain::new(vec![LodLevel::new(Mesh::cube(1.0), 0.0)]).unwrap();
    let mesh = writer.add_mesh(&chain).unwrap();
    let image = TextureImage::from_rgba8(4, 4, vec![90; 64]).unwrap();
    let colour = writer.add_texture(&image, true, false).unwrap();
    let data = writer.add_texture(&image, false, false).unwrap();
    let tiled = TextureTransform {
        scale: Vec2::splat(4.0),
        ..TextureTransform::IDENTITY
    };
    let material = writer
        .add_material(PackMaterial {
            base_color_texture: Some(colour),
            emissive_texture: Some(colour),
            normal_texture: Some(data),
            metallic_roughness_texture: Some(data),
            occlusion_texture: Some(data),
            emissive_strength: 6.0,
            alpha_mode: AlphaMode::Blend,
            alpha_cutoff: 0.25,
            double_sided: true,
            transforms: MaterialTransforms {
                base_color: tiled,
                ..MaterialTransforms::default()
            },
            ..PackMaterial::default()
        })
        .unwrap();
    writer
        .add_entity(PackEntity {
            mesh,
            material,
            translation: Vec3::ONE,
            rotation: Quat::IDENTITY,
            scale: Vec3::ONE,
            is_static: true,
        })
        .unwrap();
    let mut streamer = Streamer::new(
        MemoryIo::from_pack(writer.finish().unwrap()),
        StreamSettings::new(16 << 20),
    );
    let (mut lods, mut meshes, mut textures, mut materials) = (
        LodAssets::default(),
        MeshAssets::default(),
        TextureAssets::default(),
        Materials::default(),
    );
    for _ in 0..1000 {
        if streamer.material(0).is_some() {
            break;
        }
        streamer.update(
            1.0 / 60.0,
            StreamStores {
                lods: &mut lods,
                meshes: &mut meshes,
                textures: &mut textures,
                materials: &mut materials,
            },
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let index = streamer.material(0).expect("the manifest opens");
    let params = materials.get(materials.handle(index).unwrap()).unwrap();
    assert_eq!(params.alpha_mode, AlphaMode::Blend);
    assert_eq!(params.alpha_cutoff, 0.25);
    assert!(params.double_sided);
    assert_eq!(params.emissive_strength, 6.0);
    assert_eq!(params.texture_transform, tiled);
    let set_handle = streamer.material_textures(0).expect("a texture set");
    let (_, set) = textures.sets().find(|(h, _)| *h == set_handle).unwrap();
    let (colour, data) = (streamer.texture(colour), streamer.texture(data));
    assert!(colour.is_some() && data.is_some());
    assert_eq!((set.base_color, set.emissive), (colour, colour));
    assert_eq!(
        (set.normal, set.metallic_roughness, set.occlusion),
        (data, data, data)
    );
}
