//! The CPU copies of meshes and textures live in walloc's Scene tier on purpose (they stay
//! after upload), under the real global allocator: a mesh or texture made in General is moved
//! there as it enters its store, one decoded there already is kept as it is, and removing it
//! gives the memory back.

use layerw_engine::render::{
    ASSET_TIER, Indices, LoadedTexture, Mesh, MeshAssets, TextureAssets, TextureImage,
};
use layerw_engine::walloc::{self, Tier, WallocGlobal};

#[global_allocator]
static ALLOC: WallocGlobal = WallocGlobal;

fn tier_of<T>(buffer: &[T]) -> Option<Tier> {
    walloc::global().tier_of(buffer.as_ptr().cast())
}

fn scene_used() -> u64 {
    walloc::stats().tier(Tier::Scene).used
}

#[test]
fn meshes_and_textures_are_kept_in_the_scene_tier() {
    assert!(walloc::is_global_allocator());
    assert_eq!(ASSET_TIER, Tier::Scene);

    // A mesh made in General.
    let sphere = Mesh::sphere(1.0, 64, 32);
    assert_eq!(tier_of(&sphere.positions), Some(Tier::General));
    let mut meshes = MeshAssets::default();
    let before = scene_used();
    let handle = meshes.add(sphere).unwrap();
    let stored = meshes.get(handle).unwrap();
    for buffer in [tier_of(&stored.positions), tier_of(&stored.normals)] {
        assert_eq!(buffer, Some(Tier::Scene));
    }
    let indices = match &stored.indices {
        Indices::U16(i) => tier_of(i),
        Indices::U32(i) => tier_of(i),
    };
    assert_eq!(indices, Some(Tier::Scene));
    let grown = scene_used() - before;
    assert!(grown >= (stored.positions.len() * 12) as u64, "{grown}");

    // One decoded in Scene already is kept where it is (no copy).
    let in_scene = walloc::with_tier(Tier::Scene, || Mesh::cube(1.0));
    let at = in_scene.positions.as_ptr();
    let cube = meshes.add(in_scene).unwrap();
    assert_eq!(meshes.get(cube).unwrap().positions.as_ptr(), at);

    // Removing gives the Scene memory back.
    let with_both = scene_used();
    drop(meshes.remove(handle));
    assert!(scene_used() + grown <= with_both + 64, "freed");

    // Textures: mip chains made by the store, and loaded ones moved in.
    let image = TextureImage::from_rgba8(256, 256, vec![200; 256 * 256 * 4]).unwrap();
    let mut textures = TextureAssets::default();
    let made = textures.add(&image, true, false);
    let mips = &textures.get(made).unwrap().mips;
    assert!(mips.len() > 1);
    assert!(mips.iter().all(|m| tier_of(&m.pixels) == Some(Tier::Scene)));
    assert_eq!(tier_of(mips), Some(Tier::Scene));
    let loaded = LoadedTexture {
        mips: image.mip_chain(false),
        srgb: false,
    };
    assert_eq!(tier_of(&loaded.mips[0].pixels), Some(Tier::General));
    let moved = textures.add_loaded(loaded);
    let mips = &textures.get(moved).unwrap().mips;
    assert!(mips.iter().all(|m| tier_of(&m.pixels) == Some(Tier::Scene)));
}
