//! The asset stores through the public API: handles go stale on removal, slots are reused
//! under a new generation, load states, and every engine store (meshes, textures, LOD
//! chains) unloads.

use layerw_engine::asset::{AssetError, Assets, Handle, LoadState};
use layerw_engine::lod::{LodAssets, LodChain, LodLevel};
use layerw_engine::render::{Mesh, MeshAssets, TextureAssets, TextureImage, TextureSet};

#[test]
fn removed_handles_go_stale_and_their_slots_are_reused_under_a_new_generation() {
    let mut store: Assets<u32> = Assets::default();
    let a = store.add(1);
    let b = store.add(2);
    assert_eq!(
        (store.len(), store.get(a), store.get(b)),
        (2, Some(&1), Some(&2))
    );
    let version = store.version();
    assert_eq!(store.remove(a), Some(1));
    assert_eq!(store.load_state(b), LoadState::Loaded);
    assert!(store.version() > version);
    assert_eq!(store.load_state(a), LoadState::Unloaded);
    assert_eq!(store.get(a), None);
    assert_eq!(store.remove(a), None); // removing twice changes nothing
    assert_eq!(store.len(), 1);
    let c = store.add(3);
    assert_eq!(c.index(), a.index());
    assert_eq!(c.generation(), a.generation() + 1);
    assert_ne!(c, a);
    assert_eq!((store.get(a), store.get(c)), (None, Some(&3)));
    // The old handle cannot reach the new occupant in any way.
    assert!(store.get_mut(a).is_none());
    assert!(store.insert(a, 9).is_err());
    assert!(!store.fail(a, AssetError::NotFound { path: "x".into() }));
    assert_eq!(store.get(c), Some(&3));
    assert_eq!(store.get(Handle::default()), None);
    let live: Vec<_> = store.iter().map(|(h, v)| (h, *v)).collect();
    assert_eq!(live, vec![(c, 3), (b, 2)]);
    // Clearing unloads everything; no old handle comes back to life.
    store.clear();
    assert!(store.is_empty());
    let d = store.add(4);
    assert_eq!(d.index(), 0);
    assert_eq!(
        (store.get(a), store.get(c), store.get(d)),
        (None, None, Some(&4))
    );
}

#[test]
fn reserved_slots_move_from_loading_to_loaded_or_failed() {
    let mut store: Assets<String> = Assets::default();
    let ok = store.reserve();
    let bad = store.reserve();
    assert_eq!(store.load_state(ok), LoadState::Loading);
    assert_eq!((store.len(), store.get(ok)), (0, None));
    assert_eq!(store.insert(ok, "mesh".into()), Ok(None));
    let error = AssetError::NotFound {
        path: "missing.png".into(),
    };
    assert!(store.fail(bad, error.clone()));
    assert_eq!(store.load_state(ok), LoadState::Loaded);
    assert_eq!(store.load_state(bad), LoadState::Failed(error));
    assert_eq!(store.len(), 1);
    // Removing a failed (or loading) slot frees it and returns nothing.
    assert_eq!(store.remove(bad), None);
    assert_eq!(store.load_state(bad), LoadState::Unloaded);
    assert_eq!(store.handle_at(bad.index()), None);
    assert_eq!(store.handle_at(ok.index()), Some(ok));
}

#[test]
fn changed_since_lists_added_and_modified_assets_only() {
    let mut store: Assets<u32> = Assets::default();
    let a = store.add(1);
    let b = store.add(2);
    let seen = store.version();
    assert_eq!(store.changed_since(seen).count(), 0);
    *store.get_mut(b).unwrap() = 20;
    let c = store.add(3);
    let changed: Vec<_> = store.changed_since(seen).map(|(h, _)| h).collect();
    assert_eq!(changed, vec![b, c]);
    assert!(store.changed_since(0).any(|(h, _)| h == a));
}

#[test]
fn meshes_unload_and_their_handles_go_stale() {
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    let sphere = meshes.add(Mesh::sphere(1.0, 8, 4)).unwrap();
    assert!(meshes.remove(cube).is_some());
    assert_eq!(meshes.load_state(cube), LoadState::Unloaded);
    assert_eq!(meshes.bounds(cube), None);
    let plane = meshes.add(Mesh::plane(2.0)).unwrap();
    assert_eq!(plane.index(), cube.index());
    assert_eq!(meshes.get(cube), None);
    assert!(meshes.bounds(plane).is_some());
    assert_eq!(meshes.len(), 2);
    assert!(meshes.get(sphere).is_some());
    // An invalid mesh put in a reserved slot fails it (typed), never panics.
    let pending = meshes.reserve();
    let empty = Mesh::from_parts(vec![], vec![], vec![], vec![]);
    assert!(meshes.insert(pending, empty).is_err());
    assert!(matches!(
        meshes.load_state(pending),
        LoadState::Failed(AssetError::Decode { .. })
    ));
}

#[test]
fn textures_unload_and_sets_keep_their_other_maps() {
    let image = TextureImage::from_rgba8(4, 4, vec![255; 64]).unwrap();
    let mut textures = TextureAssets::default();
    let color = textures.add(&image, true, false);
    let normal = textures.add(&image, false, false);
    let set = textures
        .add_set(TextureSet {
            base_color: Some(color),
            normal: Some(normal),
            ..Default::default()
        })
        .unwrap();
    let version = textures.version();
    assert!(textures.remove(color).is_some());
    assert!(textures.version() > version);
    assert_eq!(textures.get(color).map(|_| ()), None);
    assert!(textures.get(normal).is_some());
    assert_eq!(textures.textures().count(), 1);
    // The set still exists; its base colour now names nothing (the renderer reads white).
    let (_, kept) = textures.sets().find(|(h, _)| *h == set).unwrap();
    assert_eq!(kept.base_color, Some(color));
    // A new set cannot name the removed texture.
    assert!(
        textures
            .add_set(TextureSet {
                base_color: Some(color),
                ..Default::default()
            })
            .is_none()
    );
}

#[test]
fn removing_a_lod_chain_removes_its_level_meshes() {
    let chain = LodChain::new(vec![
        LodLevel::new(Mesh::sphere(1.0, 8, 4), 0.2),
        LodLevel::new(Mesh::sphere(1.0, 32, 16), 0.0),
    ])
    .unwrap();
    let (mut meshes, mut lods) = (MeshAssets::default(), LodAssets::default());
    let keep = meshes.add(Mesh::cube(1.0)).unwrap();
    let handle = lods.add(chain, &mut meshes).unwrap();
    let levels: Vec<_> = lods
        .get(handle)
        .unwrap()
        .levels
        .iter()
        .map(|l| l.mesh)
        .collect();
    assert_eq!(meshes.len(), 3);
    let removed = lods.remove(handle, &mut meshes).unwrap();
    assert_eq!(removed.levels.len(), 2);
    assert!(levels.iter().all(|m| meshes.get(*m).is_none()));
    assert_eq!(meshes.len(), 1);
    assert!(meshes.get(keep).is_some());
    assert_eq!(lods.load_state(handle), LoadState::Unloaded);
    assert!(lods.is_empty());
    assert_eq!(lods.handle(LodAssets::index(handle)), None);
}

#[test]
fn materials_unload_by_handle_and_their_indices_are_reused() {
    use layerw_engine::render::{MAX_MATERIALS, MaterialParams, Materials};
    let red = MaterialParams {
        roughness: 0.25,
        ..Default::default()
    };
    let mut materials = Materials::default();
    let index = materials.add(red).unwrap();
    let handle = materials.handle(index).unwrap();
    assert_eq!(materials.items(), vec![MaterialParams::default(), red]);
    let version = materials.version();
    assert_eq!(materials.remove(handle), Some(red));
    assert!(materials.version() > version);
    assert_eq!(materials.get(handle), None);
    // The freed index reads as the default material until reused.
    assert_eq!(materials.items(), vec![MaterialParams::default(); 2]);
    let again = materials.add_handle(red).unwrap();
    assert_eq!(again.index(), handle.index());
    assert_ne!(again, handle);
    // Replacing the table makes every old handle stale and never repeats a version.
    let version = materials.version();
    materials.set(vec![red; 3]).unwrap();
    assert!(materials.version() > version);
    assert_eq!(materials.get(again), None);
    assert_eq!(materials.get(handle), None);
    assert_eq!(materials.add(red), Some(3));
    assert!(materials.set(vec![red; MAX_MATERIALS + 1]).is_none());
    while materials.add(red).is_some() {}
    assert_eq!(materials.items().len(), MAX_MATERIALS);
}
