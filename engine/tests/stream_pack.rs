//! Content packs through the public API: the writer's output round-trips (the manifest
//! exactly, every mesh level to the mesh that went in, every texture level to its mip), the
//! output is deterministic and the same in memory and on disk, the coarsest levels of all
//! assets lie back to back in coarse blobs in the order added, levels 1.. of an asset are one
//! contiguous range, and every class of corruption is its typed error.

use layerw_engine::glam::{IVec2, Quat, Vec3, Vec4};
use layerw_engine::lod::{LodChain, LodLevel};
use layerw_engine::render::{Indices, Mesh, TextureImage};
#[cfg(not(target_family = "wasm"))]
use layerw_engine::stream::MANIFEST_FILE;
use layerw_engine::stream::{
    AssetKind, BlobFile, PACK_HEADER_LEN, PACK_VERSION, PackBytes, PackEntity, PackError,
    PackManifest, PackMaterial, PackTexture, PackWriter, StoredLevel, TextureLevel, cell_of,
    decode_mesh_level, decode_texture_level, manifest_len,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const CELL: f32 = 32.0;

fn chain(segments: u32) -> LodChain {
    LodChain::new(vec![
        LodLevel::new(Mesh::sphere(1.0, segments / 4, segments / 8), 0.2),
        LodLevel::new(Mesh::sphere(1.0, segments / 2, segments / 4), 0.05),
        LodLevel::new(Mesh::sphere(1.0, segments, segments / 2), 0.0),
    ])
    .unwrap()
}

/// A gradient with some structure (so LZ4 finds matches, but not only matches).
fn image(width: u32, height: u32, seed: u64) -> TextureImage {
    let mut rng = SmallRng::seed_from_u64(seed);
    let pixels = (0..width * height)
        .flat_map(|i| {
            let (x, y) = (i % width, i / width);
            [x as u8, y as u8, rng.random_range(0..4), 255]
        })
        .collect();
    TextureImage::from_rgba8(width, height, pixels).unwrap()
}

fn material(base_color_texture: Option<u32>, normal_texture: Option<u32>) -> PackMaterial {
    PackMaterial {
        base_color: Vec4::new(0.8, 0.7, 0.6, 1.0),
        emissive: Vec3::ZERO,
        metallic: 0.1,
        roughness: 0.6,
        base_color_texture,
        normal_texture,
        ..PackMaterial::default()
    }
}

fn entity(mesh: u32, material: u32, x: f32, z: f32) -> PackEntity {
    PackEntity {
        mesh,
        material,
        translation: Vec3::new(x, 1.5, z),
        rotation: Quat::from_rotation_y(x * 0.01),
        scale: Vec3::splat(1.0 + z.abs() * 0.001),
        is_static: x > 0.0,
    }
}

/// What goes into the sample pack.
struct Inputs {
    chains: Vec<LodChain>,
    /// (image, srgb, critical)
    images: Vec<(TextureImage, bool, bool)>,
}

fn inputs() -> Inputs {
    // The last chain's finest level has more than 65,535 vertices: 32-bit indices.
    let big = LodChain::new(vec![
        LodLevel::new(Mesh::sphere(1.0, 16, 8), 0.1),
        LodLevel::new(Mesh::sphere(1.0, 300, 220), 0.0),
    ])
    .unwrap();
    assert!(matches!(big.finest().mesh.indices, Indices::U32(_)));
    Inputs {
        chains: vec![chain(32), chain(64), big],
        images: vec![
            (image(100, 60, 1), true, false),
            // Over the cap: stored downscaled to 1024 x 8.
            (image(2048, 16, 2), false, false),
            // Critical: kept whole at 2048 x 6.
            (image(2048, 6, 3), true, true),
        ],
    }
}

fn write(writer: &mut PackWriter, inputs: &Inputs) {
    for c in &inputs.chains {
        writer.add_mesh(c).unwrap();
    }
    for (image, srgb, critical) in &inputs.images {
        writer.add_texture(image, *srgb, *critical).unwrap();
    }
    writer.add_material(material(Some(0), None)).unwrap();
    writer.add_material(material(Some(2), Some(1))).unwrap();
    // Cells (-2, 0), (0, 0), (0, 3), (5, -1), added out of order.
    for (i, (x, z)) in [
        (170.0, -3.0),
        (1.0, 1.0),
        (-40.0, 0.5),
        (31.9, 31.9),
        (3.0, 100.0),
        (-64.0, 0.0),
    ]
    .into_iter()
    .enumerate()
    {
        writer
            .add_entity(entity(i as u32 % 3, i as u32 % 2, x, z))
            .unwrap();
    }
}

fn sample(blob_limit: u64) -> (Inputs, PackBytes) {
    let inputs = inputs();
    let mut writer = PackWriter::in_memory_with_blob_limit(CELL, blob_limit).unwrap();
    write(&mut writer, &inputs);
    let pack = writer.finish().unwrap();
    (inputs, pack)
}

fn level_bytes(pack: &PackBytes, blob: u32, stored: &StoredLevel) -> Vec<u8> {
    let r = stored.range();
    pack.blobs[blob as usize][r.start as usize..r.end as usize].to_vec()
}

/// Where levels lie: coarsest levels together in coarse blobs, the others one range per asset.
#[path = "stream_pack/layout.rs"]
mod layout;

#[test]
fn a_pack_round_trips_and_every_level_decodes_to_what_went_in() {
    let (inputs, pack) = sample(u64::MAX);
    let m = &pack.manifest;
    assert_eq!(PackManifest::from_bytes(&pack.manifest_bytes).unwrap(), *m);
    assert_eq!(pack.manifest_bytes, m.to_bytes());
    // One coarse blob (every asset's coarsest level), one blob of the other levels.
    let names: Vec<&str> = m.blobs.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["coarse-00000.bin", "blob-00001.bin"]);
    for (blob, bytes) in m.blobs.iter().zip(&pack.blobs) {
        assert_eq!(blob.len, bytes.len() as u64);
    }

    for (mesh, chain) in m.meshes.iter().zip(&inputs.chains) {
        assert_eq!(mesh.levels.len(), chain.level_count());
        assert_eq!(mesh.bounds, chain.finest().bounds);
        for (k, (level, want)) in mesh.levels.iter().zip(chain.levels()).enumerate() {
            let bytes = level_bytes(&pack, mesh.blob_of(k), &level.stored);
            assert_eq!(decode_mesh_level(level, &bytes).unwrap(), want.mesh);
            assert_eq!(level.error, want.error);
            assert_eq!(level.triangles as usize, want.triangles());
        }
    }

    let sizes: Vec<(u32, u32)> = m
        .textures
        .iter()
        .map(|t| {
            let full = t.levels.last().unwrap();
            (full.width, full.height)
        })
        .collect();
    assert_eq!(sizes, [(100, 60), (1024, 8), (2048, 6)]);
    for (texture, (image, srgb, critical)) in m.textures.iter().zip(&inputs.images) {
        assert_eq!((texture.srgb, texture.critical), (*srgb, *critical));
        let mut mips = image.mip_chain(*critical);
        mips.reverse();
        assert_eq!(texture.levels.len(), mips.len());
        assert_eq!((texture.levels[0].width, texture.levels[0].height), (1, 1));
        for (k, (level, mip)) in texture.levels.iter().zip(&mips).enumerate() {
            let bytes = level_bytes(&pack, texture.blob_of(k), &level.stored);
            assert_eq!(decode_texture_level(level, &bytes).unwrap(), *mip);
        }
    }

    assert_eq!(m.materials[1], material(Some(2), Some(1)));
    let coords: Vec<[i32; 2]> = m.cells.iter().map(|c| c.coord.to_array()).collect();
    assert_eq!(coords, [[-2, 0], [0, 0], [0, 3], [5, -1]]);
    assert_eq!(
        m.cells.iter().map(|c| c.entities.len()).sum::<usize>(),
        6,
        "every entity placed once"
    );
    for cell in &m.cells {
        for e in &cell.entities {
            assert_eq!(cell_of(e.translation, CELL), Some(cell.coord));
        }
    }
    // Entities keep their order within a cell: (1, 1) then (31.9, 31.9) in cell (0, 0).
    let origin = m.cells.iter().find(|c| c.coord == IVec2::ZERO).unwrap();
    assert_eq!(origin.entities[0], entity(1, 1, 1.0, 1.0));
    assert_eq!(origin.entities[1], entity(0, 1, 31.9, 31.9));
}

#[test]
fn output_is_deterministic_and_blobs_roll_over_at_the_limit() {
    let (_, a) = sample(u64::MAX);
    let (_, b) = sample(u64::MAX);
    assert_eq!(a, b);

    let limit = 100_000;
    let (_, small) = sample(limit);
    assert!(small.manifest.blobs.len() > 2, "{:?}", small.manifest.blobs);
    let m = &small.manifest;
    let coarse: Vec<u32> = layout::coarse_levels(m)
        .into_iter()
        .map(|(b, _)| b)
        .collect();
    let meshes = m
        .meshes
        .iter()
        .filter(|x| x.levels.len() > 1)
        .map(|x| x.blob);
    let textures = m
        .textures
        .iter()
        .filter(|t| t.levels.len() > 1)
        .map(|t| t.blob);
    let fine: Vec<u32> = meshes.chain(textures).collect();
    for (i, blob) in m.blobs.iter().enumerate() {
        let i32 = i as u32;
        let kind = if coarse.contains(&i32) {
            "coarse"
        } else {
            "blob"
        };
        assert_eq!(blob.name, format!("{kind}-{i:05}.bin"));
        assert_eq!(blob.len, small.blobs[i].len() as u64);
        // Over the limit only when one asset's bytes (its levels 1..) alone are.
        let assets = fine.iter().filter(|&&b| b == i32).count()
            + coarse.iter().filter(|&&b| b == i32).count();
        assert!(blob.len <= limit || assets == 1, "{blob:?} holds {assets}");
    }
    // The same levels, only placed differently.
    for (x, y) in m.meshes.iter().zip(&a.manifest.meshes) {
        for (k, (lx, ly)) in x.levels.iter().zip(&y.levels).enumerate() {
            assert_eq!(
                level_bytes(&small, x.blob_of(k), &lx.stored),
                level_bytes(&a, y.blob_of(k), &ly.stored)
            );
        }
    }
}

/// Native only: the web has no folders, WASI's test runner no temporary one.
#[cfg(not(target_family = "wasm"))]
#[test]
fn to_dir_writes_the_same_pack_as_in_memory() {
    let dir = std::env::temp_dir().join(format!("layerw-pack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let limit = 100_000;
    let inputs = inputs();
    let mut writer = PackWriter::to_dir(&dir, CELL, limit).unwrap();
    write(&mut writer, &inputs);
    let on_disk = writer.finish().unwrap();
    let (_, in_memory) = sample(limit);
    assert!(on_disk.blobs.is_empty());
    assert_eq!(on_disk.manifest, in_memory.manifest);
    assert_eq!(
        std::fs::read(dir.join(MANIFEST_FILE)).unwrap(),
        in_memory.manifest_bytes
    );
    for (blob, bytes) in in_memory.manifest.blobs.iter().zip(&in_memory.blobs) {
        assert_eq!(std::fs::read(dir.join(&blob.name)).unwrap(), *bytes);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Re-encodes a changed manifest and reads it back.
fn reread(m: &PackManifest) -> Result<PackManifest, PackError> {
    PackManifest::from_bytes(&m.to_bytes())
}

#[test]
fn a_truncated_or_flipped_manifest_is_its_typed_error() {
    let (_, pack) = sample(u64::MAX);
    let bytes = &pack.manifest_bytes;
    for len in 0..bytes.len() {
        match PackManifest::from_bytes(&bytes[..len]) {
            Err(PackError::Truncated { needed, available }) => {
                assert_eq!(available, len as u64);
                assert!(needed > available);
            }
            other => panic!("{len} bytes: {other:?}"),
        }
    }
    assert_eq!(
        manifest_len(&bytes[..PACK_HEADER_LEN]),
        Err(PackError::Truncated {
            needed: bytes.len() as u64,
            available: PACK_HEADER_LEN as u64,
        })
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        PackManifest::from_bytes(&longer),
        Err(PackError::TrailingBytes { .. })
    ));

    let flip = |at: usize, bit: u8| {
        let mut b = bytes.clone();
        b[at] ^= 1 << bit;
        PackManifest::from_bytes(&b)
    };
    assert!(matches!(flip(0, 3), Err(PackError::BadMagic { .. })));
    // 4 ^ 8 = 12 (4 ^ 1 would be 5, 4 ^ 4 would be 0: both refused too, but 12 is far off).
    assert_eq!(
        flip(4, 3),
        Err(PackError::UnsupportedVersion {
            found: 12,
            supported: PACK_VERSION
        })
    );
    // A version 1 manifest (levels of an asset all in one blob) is refused, not misread.
    let mut v1 = bytes.clone();
    v1[4..6].copy_from_slice(&1u16.to_le_bytes());
    let crc = crc32fast::hash(&v1[..28]);
    v1[28..32].copy_from_slice(&crc.to_le_bytes());
    assert_eq!(
        PackManifest::from_bytes(&v1),
        Err(PackError::UnsupportedVersion {
            found: 1,
            supported: PACK_VERSION
        })
    );
    assert_eq!(PACK_VERSION, 4);
    for at in 6..PACK_HEADER_LEN {
        assert!(
            matches!(flip(at, 5), Err(PackError::HeaderChecksum { .. })),
            "byte {at}"
        );
    }
    let mut rng = SmallRng::seed_from_u64(12);
    for _ in 0..500 {
        let at = rng.random_range(PACK_HEADER_LEN..bytes.len());
        assert!(matches!(
            flip(at, rng.random_range(0..8)),
            Err(PackError::BodyChecksum { .. })
        ));
    }
}

#[test]
fn indices_out_of_range_are_refused() {
    let (_, pack) = sample(u64::MAX);
    let good = pack.manifest;
    let mut m = good.clone();
    m.meshes[1].blob = 2;
    assert_eq!(
        reread(&m),
        Err(PackError::IndexOutOfRange {
            what: "mesh blob",
            index: 2,
            len: 2
        })
    );
    let mut m = good.clone();
    m.meshes[2].coarse_blob = 9;
    assert_eq!(
        reread(&m),
        Err(PackError::IndexOutOfRange {
            what: "mesh coarse blob",
            index: 9,
            len: 2
        })
    );
    let mut m = good.clone();
    m.textures[1].coarse_blob = 2;
    assert!(matches!(
        reread(&m),
        Err(PackError::IndexOutOfRange {
            what: "texture coarse blob",
            index: 2,
            ..
        })
    ));
    let mut m = good.clone();
    m.textures[0].blob = 7;
    assert!(matches!(
        reread(&m),
        Err(PackError::IndexOutOfRange {
            what: "texture blob",
            ..
        })
    ));
    let mut m = good.clone();
    m.materials[0].normal_texture = Some(3);
    assert!(matches!(
        reread(&m),
        Err(PackError::IndexOutOfRange {
            what: "material normal texture",
            index: 3,
            len: 3
        })
    ));
    let mut m = good.clone();
    m.cells[2].entities[0].mesh = 3;
    assert!(matches!(
        reread(&m),
        Err(PackError::IndexOutOfRange {
            what: "entity mesh",
            index: 3,
            len: 3
        })
    ));
    let mut m = good;
    m.cells[0].entities[0].material = 2;
    assert!(matches!(
        reread(&m),
        Err(PackError::IndexOutOfRange {
            what: "entity material",
            index: 2,
            len: 2
        })
    ));
}

#[test]
fn levels_outside_their_blob_apart_or_out_of_order_are_refused() {
    let (_, pack) = sample(u64::MAX);
    let good = pack.manifest;
    let mesh = AssetKind::Mesh;

    let mut m = good.clone();
    let end = m.meshes[2].levels[1].stored.range().end;
    m.blobs[m.meshes[2].blob as usize].len = end - 1;
    assert_eq!(
        reread(&m),
        Err(PackError::LevelPastBlob {
            kind: mesh,
            asset: 2,
            level: 1,
            end,
            blob_len: end - 1
        })
    );
    // A coarsest level past the end of its coarse blob.
    let mut m = good.clone();
    let end = m.meshes[1].levels[0].stored.range().end;
    m.blobs[m.meshes[1].coarse_blob as usize].len = end - 1;
    assert_eq!(
        reread(&m),
        Err(PackError::LevelPastBlob {
            kind: mesh,
            asset: 1,
            level: 0,
            end,
            blob_len: end - 1
        })
    );
    // The coarsest level is checked against the coarse blob, not the other: moved to the
    // other blob's (longer) end, it lies outside the coarse one.
    let mut m = good.clone();
    let fine_len = m.blobs[m.textures[0].blob as usize].len;
    m.textures[0].levels[0].stored.offset = fine_len - 1;
    assert!(matches!(
        reread(&m),
        Err(PackError::LevelPastBlob {
            kind: AssetKind::Texture,
            asset: 0,
            level: 0,
            ..
        })
    ));

    let mut m = good.clone();
    m.meshes[0].levels[2].stored.offset += 1;
    assert!(matches!(
        reread(&m),
        Err(PackError::LevelsNotContiguous {
            kind: AssetKind::Mesh,
            asset: 0,
            level: 2,
            ..
        })
    ));
    let mut m = good.clone();
    m.textures[1].levels[3].stored.offset -= 1;
    assert!(matches!(
        reread(&m),
        Err(PackError::LevelsNotContiguous {
            kind: AssetKind::Texture,
            asset: 1,
            level: 3,
            ..
        })
    ));

    // Finer levels must not have a larger error, nor fewer triangles.
    let mut m = good.clone();
    m.meshes[0].levels[1].error = 0.5;
    assert_eq!(
        reread(&m),
        Err(PackError::LevelOrder {
            kind: mesh,
            asset: 0,
            level: 1
        })
    );
    let mut m = good.clone();
    m.meshes[1].levels[2].triangles = 10;
    assert!(matches!(
        reread(&m),
        Err(PackError::LevelOrder {
            kind: AssetKind::Mesh,
            asset: 1,
            level: 2
        })
    ));
    // Mips must double coarse to fine.
    let mut m = good.clone();
    let levels = &mut m.textures[0].levels;
    let mut offset = levels[1].stored.offset;
    levels.swap(1, 2);
    for level in levels[1..].iter_mut() {
        level.stored.offset = offset;
        offset = level.stored.range().end;
    }
    assert!(matches!(
        reread(&m),
        Err(PackError::LevelOrder {
            kind: AssetKind::Texture,
            asset: 0,
            ..
        })
    ));

    let mut m = good.clone();
    m.textures[0].levels[2].stored.raw_len += 4;
    assert!(matches!(
        reread(&m),
        Err(PackError::InvalidLevel {
            kind: AssetKind::Texture,
            asset: 0,
            level: 2,
            ..
        })
    ));
    let mut m = good.clone();
    m.meshes[0].levels.clear();
    assert!(matches!(
        reread(&m),
        Err(PackError::LevelCount { count: 0, .. })
    ));
    let mut m = good;
    m.meshes[0].levels[0].error = f32::NAN;
    assert!(matches!(reread(&m), Err(PackError::InvalidLevel { .. })));
}

/// A texture whose mips go from 1 x 1 up to `size` x `size`, with believable level entries.
fn texture_of_size(size: u32, critical: bool) -> PackTexture {
    let mut offset = 0;
    let mut levels = Vec::new();
    let mut edge = 1;
    while edge <= size {
        let raw_len = edge * edge * 4;
        let stored_len = raw_len / 200 + 16;
        levels.push(TextureLevel {
            stored: StoredLevel {
                offset,
                stored_len,
                raw_len,
                crc32: 0,
            },
            width: edge,
            height: edge,
        });
        offset += u64::from(stored_len);
        edge *= 2;
    }
    PackTexture {
        coarse_blob: 0,
        blob: 0,
        levels,
        srgb: true,
        critical,
    }
}

#[test]
fn other_impossible_manifests_are_refused() {
    let (_, pack) = sample(u64::MAX);
    let good = pack.manifest;

    let mut m = good.clone();
    m.blobs[0].len = 1 << 30;
    m.textures = vec![texture_of_size(2048, false)];
    m.materials.iter_mut().for_each(|x| {
        x.base_color_texture = None;
        x.normal_texture = None;
    });
    assert_eq!(
        reread(&m),
        Err(PackError::TextureTooLarge {
            texture: 0,
            width: 2048,
            height: 2048,
            max: 1024
        })
    );
    m.textures = vec![texture_of_size(2048, true)];
    assert!(reread(&m).is_ok());
    // Edges whose product overflows even a u64 are refused by their size first.
    m.textures = vec![texture_of_size(1, false)];
    m.textures[0].levels[0].width = u32::MAX;
    m.textures[0].levels[0].height = u32::MAX;
    assert!(matches!(
        reread(&m),
        Err(PackError::TextureTooLarge {
            width: u32::MAX,
            ..
        })
    ));
    m.textures = vec![texture_of_size(4096, true)];
    assert!(matches!(
        reread(&m),
        Err(PackError::TooMany {
            what: "texture levels",
            ..
        })
    ));

    for cell_size in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        let mut m = good.clone();
        m.cell_size = cell_size;
        assert!(matches!(reread(&m), Err(PackError::InvalidCellSize { .. })));
    }
    for name in [
        "",
        ".",
        "..",
        "a/b",
        "..\\x",
        "blob 1",
        "ü",
        &"x".repeat(65),
    ] {
        let mut m = good.clone();
        m.blobs[0].name = name.into();
        assert!(
            matches!(reread(&m), Err(PackError::BadBlobName { blob: 0, .. })),
            "{name:?}"
        );
    }
    let mut m = good.clone();
    m.blobs.push(BlobFile {
        name: "blob.v2-final_x".into(),
        len: 0,
    });
    assert!(reread(&m).is_ok());

    let mut m = good.clone();
    m.cells[1].entities[0].translation.x += CELL;
    assert_eq!(
        reread(&m),
        Err(PackError::EntityOutsideCell {
            cell: m.cells[1].coord.to_array(),
            entity: 0
        })
    );
    let mut m = good.clone();
    m.cells[1].entities[0].rotation.w = f32::INFINITY;
    assert!(matches!(
        reread(&m),
        Err(PackError::NonFinite {
            what: "entity transform",
            ..
        })
    ));
    let mut m = good.clone();
    let copy = m.cells[2].clone();
    m.cells.push(copy);
    assert_eq!(
        reread(&m),
        Err(PackError::DuplicateCell {
            coord: m.cells[2].coord.to_array()
        })
    );
    let mut m = good;
    m.materials[0].roughness = f32::NAN;
    assert!(matches!(
        reread(&m),
        Err(PackError::NonFinite {
            what: "material",
            index: 0
        })
    ));
}

#[test]
fn corrupt_or_lying_level_bytes_are_their_typed_errors() {
    let (_, pack) = sample(u64::MAX);
    let mesh = &pack.manifest.meshes[1];
    let level = mesh.levels[2];
    let bytes = level_bytes(&pack, mesh.blob, &level.stored);

    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x10;
    assert!(matches!(
        decode_mesh_level(&level, &flipped),
        Err(PackError::LevelChecksum { .. })
    ));
    assert_eq!(
        decode_mesh_level(&level, &bytes[1..]),
        Err(PackError::LevelLength {
            expected: bytes.len() as u64,
            found: bytes.len() as u64 - 1
        })
    );
    // A raw length larger than the truth: the stream ends early.
    let mut lie = level;
    lie.stored.raw_len += 4;
    assert_eq!(
        decode_mesh_level(&lie, &bytes),
        Err(PackError::DecompressedLength {
            expected: level.stored.raw_len + 4,
            found: level.stored.raw_len
        })
    );
    // Smaller: the decompressor stops at the manifest's length rather than writing past it.
    let mut lie = level;
    lie.stored.raw_len -= 4;
    assert!(matches!(
        decode_mesh_level(&lie, &bytes),
        Err(PackError::Decompress { .. })
    ));
    // Far larger than the bytes can hold, or than any mesh level may be: refused before
    // allocating it.
    let mut lie = level;
    lie.stored.raw_len = 200 << 20;
    assert!(matches!(
        decode_mesh_level(&lie, &bytes),
        Err(PackError::ImpossibleLengths { .. })
    ));
    lie.stored.raw_len = u32::MAX;
    assert!(matches!(
        decode_mesh_level(&lie, &bytes),
        Err(PackError::LevelTooLarge { .. })
    ));
    // The right raw length with another triangle count: the layout check.
    let mut lie = level;
    lie.triangles -= 1;
    assert!(matches!(
        decode_mesh_level(&lie, &bytes),
        Err(PackError::InvalidMeshLevel { .. })
    ));

    let texture = &pack.manifest.textures[0];
    let level = *texture.levels.last().unwrap();
    let bytes = level_bytes(&pack, texture.blob, &level.stored);
    let mut flipped = bytes.clone();
    flipped[0] ^= 1;
    assert!(matches!(
        decode_texture_level(&level, &flipped),
        Err(PackError::LevelChecksum { .. })
    ));
    let mut huge = level;
    (huge.width, huge.height) = (u32::MAX, u32::MAX);
    assert!(matches!(
        decode_texture_level(&huge, &bytes),
        Err(PackError::InvalidImage { .. })
    ));
    let mut lie = level;
    lie.width += 1;
    assert!(matches!(
        decode_texture_level(&lie, &bytes),
        Err(PackError::InvalidImage { .. })
    ));
}

#[test]
fn mangled_levels_with_matching_checksums_never_panic() {
    // The fuzz targets do this at scale; here a few thousand seeded mutations with the CRC
    // recomputed, so every one reaches the decompressor and the level decode.
    let (_, pack) = sample(u64::MAX);
    let mesh = &pack.manifest.meshes[0];
    let texture = &pack.manifest.textures[0];
    let mut rng = SmallRng::seed_from_u64(99);
    let (mut meshes_ok, mut textures_ok) = (0, 0);
    for round in 0..3000 {
        let pick = rng.random_range(0..mesh.levels.len());
        let mut level = mesh.levels[pick];
        let mut bytes = level_bytes(&pack, mesh.blob_of(pick), &level.stored);
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..bytes.len());
            bytes[at] = rng.random();
        }
        if round % 3 == 0 {
            bytes.truncate(rng.random_range(1..=bytes.len()));
        }
        level.stored.stored_len = bytes.len() as u32;
        level.stored.crc32 = crc32fast::hash(&bytes);
        if let Ok(m) = decode_mesh_level(&level, &bytes) {
            m.validate().unwrap();
            meshes_ok += 1;
        }

        let pick = rng.random_range(0..texture.levels.len());
        let mut level = texture.levels[pick];
        let mut bytes = level_bytes(&pack, texture.blob_of(pick), &level.stored);
        let at = rng.random_range(0..bytes.len());
        bytes[at] = rng.random();
        level.stored.stored_len = bytes.len() as u32;
        level.stored.crc32 = crc32fast::hash(&bytes);
        if let Ok(image) = decode_texture_level(&level, &bytes) {
            assert_eq!(
                image.pixels.len(),
                (image.width * image.height * 4) as usize
            );
            textures_ok += 1;
        }
    }
    // Most mutations break the stream or the layout; some only change a value.
    assert!(
        meshes_ok < 3000 && textures_ok < 3000,
        "{meshes_ok} {textures_ok}"
    );
}
