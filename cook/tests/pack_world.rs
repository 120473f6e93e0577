//! The generated world: deterministic for a seed, its cells and entities as asked, every level
//! of every mesh and texture decoding.

use std::collections::HashSet;

use layerw_cook::{CookError, WorldParams, WorldSummary, generate_world};
use layerw_engine::stream::{
    PackBytes, PackManifest, PackWriter, decode_mesh_level, decode_texture_level,
};

/// A world of 2 MB with small meshes and textures: quick in a debug build.
fn small(seed: u64) -> WorldParams {
    WorldParams {
        target_bytes: 2_000_000,
        cell_size: 32.0,
        cells_per_side: 4,
        max_mesh_segments: 32,
        min_texture_size: 32,
        max_texture_size: 128,
        ..WorldParams::new(seed)
    }
}

fn generate(params: &WorldParams) -> (WorldSummary, PackBytes) {
    // A small blob limit: the world spans several blob files.
    let mut writer = PackWriter::in_memory_with_blob_limit(params.cell_size, 200_000).unwrap();
    let summary = generate_world(params, &mut writer).unwrap();
    (summary, writer.finish().unwrap())
}

fn stored(pack: &PackBytes, blob: u32, range: core::ops::Range<u64>) -> &[u8] {
    &pack.blobs[blob as usize][range.start as usize..range.end as usize]
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let (summary, a) = generate(&small(11));
    let (again, b) = generate(&small(11));
    assert_eq!(summary, again);
    assert_eq!(a.manifest_bytes, b.manifest_bytes);
    assert_eq!(a.blobs, b.blobs);
    let (_, other) = generate(&small(12));
    assert_ne!(a.manifest_bytes, other.manifest_bytes);
    // Whatever the number of threads.
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (_, alone) = one_thread.install(|| generate(&small(11)));
    assert_eq!(a, alone);
}

#[test]
fn a_world_has_its_cells_entities_and_decodable_levels() {
    let params = small(5);
    let (summary, pack) = generate(&params);
    let manifest = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
    assert_eq!(manifest, pack.manifest);
    assert!(manifest.blobs.len() > 1, "{} blobs", manifest.blobs.len());

    // Sizes as asked: at least the target, and not more than one batch of assets past it.
    let blob_bytes: u64 = manifest.blobs.iter().map(|b| b.len).sum();
    assert_eq!(summary.blob_bytes, blob_bytes);
    assert!(blob_bytes >= params.target_bytes, "{blob_bytes}");
    assert!(blob_bytes < params.target_bytes * 2, "{blob_bytes}");

    // Counts match the summary; materials are the plain ones plus one per texture pair.
    assert_eq!(manifest.meshes.len(), summary.meshes as usize);
    assert_eq!(manifest.textures.len(), summary.textures as usize);
    assert_eq!(manifest.materials.len(), summary.materials as usize);
    assert!(summary.meshes >= 5 && summary.textures >= 4, "{summary:?}");
    assert_eq!(summary.materials, 4 + summary.textures / 2);

    // 4 x 4 cells around the origin, every one with entities inside it.
    assert_eq!(summary.cells, 16);
    assert_eq!(manifest.cells.len(), 16);
    let coords: HashSet<[i32; 2]> = manifest.cells.iter().map(|c| c.coord.to_array()).collect();
    for x in -2..2 {
        for z in -2..2 {
            assert!(coords.contains(&[x, z]), "cell {x},{z} missing");
        }
    }
    let mut used_meshes = HashSet::new();
    let mut entities = 0;
    for cell in &manifest.cells {
        assert!(!cell.entities.is_empty());
        for e in &cell.entities {
            let c = (e.translation / manifest.cell_size).floor();
            assert_eq!([c.x as i32, c.z as i32], cell.coord.to_array());
            assert!(e.is_static);
            used_meshes.insert(e.mesh);
            entities += 1;
        }
    }
    assert_eq!(entities, summary.entities);
    assert_eq!(entities, summary.meshes * params.instances_per_mesh);
    assert_eq!(
        used_meshes.len(),
        manifest.meshes.len(),
        "every mesh is placed"
    );

    // Every mesh level decodes; errors shrink toward the finest, which has none; real chains.
    let mut levels = 0;
    for mesh in &manifest.meshes {
        assert!(mesh.levels.len() >= 3, "{} levels", mesh.levels.len());
        for (k, level) in mesh.levels.iter().enumerate() {
            let decoded =
                decode_mesh_level(level, stored(&pack, mesh.blob_of(k), level.stored.range()))
                    .unwrap();
            decoded.validate().unwrap();
            assert_eq!(decoded.triangle_count(), level.triangles as usize);
            levels += 1;
        }
        assert!(
            mesh.levels
                .windows(2)
                .all(|w| w[0].error >= w[1].error && w[0].triangles < w[1].triangles)
        );
        assert_eq!(mesh.levels.last().unwrap().error, 0.0);
        assert!(mesh.levels[0].error > 0.0);
    }
    assert_eq!(levels, summary.mesh_levels);

    // Every texture level decodes, 1x1 up to its full size; colour and normal maps alternate.
    for (i, texture) in manifest.textures.iter().enumerate() {
        assert_eq!(texture.srgb, i % 2 == 0);
        let full = texture.levels.last().unwrap().width;
        assert!((32..=128).contains(&full), "{full}");
        assert_eq!(texture.levels.len(), full.trailing_zeros() as usize + 1);
        for (k, level) in texture.levels.iter().enumerate() {
            let image = decode_texture_level(
                level,
                stored(&pack, texture.blob_of(k), level.stored.range()),
            )
            .unwrap();
            assert_eq!((image.width, image.height), (1 << k, 1 << k));
        }
    }
    for material in &manifest.materials[4..] {
        assert!(material.base_color_texture.is_some() && material.normal_texture.is_some());
    }
}

#[test]
fn texture_share_zero_gives_meshes_only() {
    let params = WorldParams {
        texture_share: 0.0,
        target_bytes: 100_000,
        ..small(3)
    };
    let (summary, pack) = generate(&params);
    assert_eq!(summary.textures, 0);
    assert_eq!(pack.manifest.materials.len(), 4);
    assert!(summary.meshes > 0);
}

#[test]
fn bad_parameters_are_refused() {
    let mut writer = PackWriter::in_memory(1.0).unwrap();
    for (params, option) in [
        (
            WorldParams {
                cells_per_side: 0,
                ..small(0)
            },
            "cells_per_side",
        ),
        (
            WorldParams {
                cell_size: f32::NAN,
                ..small(0)
            },
            "cell_size",
        ),
        (
            WorldParams {
                texture_share: 1.0,
                ..small(0)
            },
            "texture_share",
        ),
        (
            WorldParams {
                max_mesh_segments: 48,
                ..small(0)
            },
            "max_mesh_segments",
        ),
        (
            WorldParams {
                max_texture_size: 2048,
                ..small(0)
            },
            "max_texture_size",
        ),
        (
            WorldParams {
                min_texture_size: 256,
                ..small(0)
            },
            "min_texture_size",
        ),
        (
            WorldParams {
                instances_per_mesh: 0,
                ..small(0)
            },
            "instances_per_mesh",
        ),
    ] {
        match generate_world(&params, &mut writer) {
            Err(CookError::InvalidOptions { option: o, .. }) => assert_eq!(o, option),
            other => panic!("{option}: {other:?}"),
        }
    }
    // Nothing was written.
    assert_eq!(writer.blob_bytes(), 0);
}

#[test]
fn cells_use_assets_first_in_the_order_their_coarsest_levels_lie() {
    let params = small(8);
    let (summary, pack) = generate(&params);
    let m = &pack.manifest;
    // Where an asset's coarsest level lies: (coarse blob, offset).
    let mesh_at = |i: u32| {
        let x = &m.meshes[i as usize];
        (x.coarse_blob, x.levels[0].stored.offset)
    };
    let texture_at = |i: u32| {
        let t = &m.textures[i as usize];
        (t.coarse_blob, t.levels[0].stored.offset)
    };
    // Walking cells in the pack's order, each entity's textures then its mesh: the assets used
    // for the first time come in the order their coarsest levels lie in the coarse blobs.
    let mut seen = HashSet::new();
    let mut first_uses = Vec::new();
    for cell in &m.cells {
        for e in &cell.entities {
            let material = &m.materials[e.material as usize];
            let textures = [material.base_color_texture, material.normal_texture];
            for t in textures.into_iter().flatten() {
                if seen.insert((false, t)) {
                    first_uses.push(texture_at(t));
                }
            }
            if seen.insert((true, e.mesh)) {
                first_uses.push(mesh_at(e.mesh));
            }
        }
    }
    assert_eq!(
        first_uses.len(),
        (summary.meshes + summary.textures) as usize,
        "every mesh and texture is used"
    );
    assert!(
        first_uses.windows(2).all(|w| w[0] < w[1]),
        "first uses out of coarse order: {first_uses:?}"
    );
    // And coarsest levels are back to back: each first use starts where the previous ended,
    // unless a new coarse blob starts.
    for w in first_uses.windows(2) {
        let ((blob, offset), (next_blob, next_offset)) = (w[0], w[1]);
        let stored = m
            .meshes
            .iter()
            .map(|x| (x.coarse_blob, x.levels[0].stored))
            .chain(
                m.textures
                    .iter()
                    .map(|t| (t.coarse_blob, t.levels[0].stored)),
            )
            .find(|(b, s)| (*b, s.offset) == (blob, offset))
            .unwrap()
            .1;
        if next_blob == blob {
            assert_eq!(next_offset, stored.range().end);
        } else {
            assert_eq!(next_offset, 0);
        }
    }
}
