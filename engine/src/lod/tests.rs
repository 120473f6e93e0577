//! Tests of the LOD chain format: round trips, streaming reads, typed errors, and a fuzzed
//! reader (random bytes, truncations and bit flips must give errors, never panics).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::render::{Indices, Mesh, MeshError};

/// Spheres of increasing resolution, coarse to fine, with decreasing error.
fn sphere_chain(resolutions: &[u32]) -> LodChain {
    let n = resolutions.len();
    LodChain::new(
        resolutions
            .iter()
            .enumerate()
            .map(|(i, &s)| LodLevel::new(Mesh::sphere(2.0, s, s / 2), (n - 1 - i) as f32 * 0.25))
            .collect(),
    )
    .unwrap()
}

/// A chain whose finest level has 32-bit indices.
fn chain_with_u32_level() -> LodChain {
    let mut fine = Mesh::sphere(1.0, 12, 6);
    let wide: Vec<u32> = fine.indices.iter().collect();
    fine.indices = Indices::U32(wide);
    LodChain::new(vec![
        LodLevel::new(Mesh::cube(1.5), 0.5),
        LodLevel::new(fine, 0.0),
    ])
    .unwrap()
}

/// Recomputes the header's and every level's CRC after a deliberate edit.
fn restamp(bytes: &mut [u8]) {
    let count = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let header_len = FIXED_HEADER_LEN + LEVEL_ENTRY_LEN * count;
    for i in 0..count {
        let e = FIXED_HEADER_LEN + LEVEL_ENTRY_LEN * i;
        let offset = u64::from_le_bytes(bytes[e..e + 8].try_into().unwrap()) as usize;
        let len = u64::from_le_bytes(bytes[e + 8..e + 16].try_into().unwrap()) as usize;
        let crc = crc32fast::hash(&bytes[offset..offset + len]);
        bytes[e + 16..e + 20].copy_from_slice(&crc.to_le_bytes());
    }
    let mut h = crc32fast::Hasher::new();
    h.update(&bytes[..28]);
    h.update(&bytes[FIXED_HEADER_LEN..header_len]);
    let crc = h.finalize();
    bytes[28..32].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn valid_chains_round_trip_exactly() {
    for chain in [
        sphere_chain(&[4, 8, 16, 64]),
        sphere_chain(&[32]),
        chain_with_u32_level(),
    ] {
        let bytes = chain.to_bytes();
        assert_eq!(&bytes[..4], b"LWLC");
        assert_eq!(bytes.len() % 4, 0, "levels are padded to 4 bytes");
        let back = LodChain::from_bytes(&bytes).unwrap();
        assert_eq!(back, chain);
        // Bit-exact, index width included.
        assert_eq!(back.to_bytes(), bytes);
        assert!(matches!(
            back.finest().mesh.indices,
            Indices::U16(_) | Indices::U32(_)
        ));
    }
    let u32_chain = LodChain::from_bytes(&chain_with_u32_level().to_bytes()).unwrap();
    assert!(matches!(u32_chain.finest().mesh.indices, Indices::U32(_)));
    assert!(matches!(u32_chain.coarsest().mesh.indices, Indices::U16(_)));
}

#[test]
fn header_from_a_prefix_and_one_level_alone_equal_the_full_decode() {
    let chain = sphere_chain(&[4, 8, 16, 64]);
    let bytes = chain.to_bytes();
    // A streaming reader first fetches the fixed header, learns the table's length, then
    // fetches the table.
    let needed = match LodChainHeader::parse(&bytes[..FIXED_HEADER_LEN]) {
        Err(LodChainError::Truncated { needed, available }) => {
            assert_eq!(available, FIXED_HEADER_LEN as u64);
            needed
        }
        other => panic!("expected Truncated, got {other:?}"),
    };
    assert_eq!(needed, (FIXED_HEADER_LEN + 4 * LEVEL_ENTRY_LEN) as u64);
    let header = LodChainHeader::parse(&bytes[..needed as usize]).unwrap();
    assert_eq!(header, LodChainHeader::parse(&bytes).unwrap());
    assert_eq!(header.version, VERSION);
    assert_eq!(header.header_len, needed);
    assert_eq!(header.file_len, bytes.len() as u64);
    assert_eq!(header.levels.len(), 4);
    for (i, (entry, level)) in header.levels.iter().zip(chain.levels()).enumerate() {
        assert_eq!(entry.triangles as usize, level.triangles());
        assert_eq!(entry.vertices as usize, level.mesh.positions.len());
        assert_eq!(entry.error, level.error);
        assert_eq!(entry.bounds, level.bounds);
        // Only this level's bytes, copied out so nothing else of the file is reachable.
        let r = entry.range();
        let alone = bytes[r.start as usize..r.end as usize].to_vec();
        assert_eq!(&header.decode_level(i, &alone).unwrap(), level);
    }
    // Levels go coarse to fine in the file.
    assert!(
        header
            .levels
            .windows(2)
            .all(|w| w[0].triangles < w[1].triangles && w[0].offset < w[1].offset)
    );
    assert_eq!(
        header.decode_level(4, &[]),
        Err(LodChainError::NoSuchLevel {
            level: 4,
            levels: 4
        })
    );
}

#[test]
fn every_truncation_is_a_truncated_error() {
    let bytes = sphere_chain(&[4, 6]).to_bytes();
    for len in 0..bytes.len() {
        match LodChain::from_bytes(&bytes[..len]) {
            Err(LodChainError::Truncated { needed, available }) => {
                assert_eq!(available, len as u64);
                assert!(needed > available);
            }
            other => panic!("prefix of {len} bytes: expected Truncated, got {other:?}"),
        }
    }
    // A level decoded from too few bytes.
    let header = LodChainHeader::parse(&bytes).unwrap();
    let r = header.levels[1].range();
    let level = &bytes[r.start as usize..r.end as usize - 1];
    assert!(matches!(
        header.decode_level(1, level),
        Err(LodChainError::Truncated { .. })
    ));
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = sphere_chain(&[4, 6]).to_bytes();
    let len = bytes.len() as u64;
    bytes.push(0);
    assert_eq!(
        LodChain::from_bytes(&bytes),
        Err(LodChainError::TrailingBytes {
            expected: len,
            found: len + 1
        })
    );
}

#[test]
fn bad_magic_and_wrong_version_give_their_errors() {
    let bytes = sphere_chain(&[4, 6]).to_bytes();
    let mut bad = bytes.clone();
    bad[0] = b'X';
    assert_eq!(
        LodChain::from_bytes(&bad),
        Err(LodChainError::BadMagic { found: *b"XWLC" })
    );
    let mut future = bytes.clone();
    future[4..6].copy_from_slice(&2u16.to_le_bytes());
    assert_eq!(
        LodChain::from_bytes(&future),
        Err(LodChainError::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    );
    // Even with a valid checksum for the new version number.
    restamp(&mut future);
    assert!(matches!(
        LodChainHeader::parse(&future),
        Err(LodChainError::UnsupportedVersion { found: 2, .. })
    ));
    // Not even the magic fits.
    assert!(matches!(
        LodChain::from_bytes(b"LW"),
        Err(LodChainError::Truncated { .. })
    ));
    let text = LodChain::from_bytes(&future).unwrap_err().to_string();
    assert!(text.contains("version 2"), "{text}");
}

#[test]
fn bit_flips_give_checksum_errors() {
    let chain = sphere_chain(&[4, 8, 16]);
    let bytes = chain.to_bytes();
    let header = LodChainHeader::parse(&bytes).unwrap();
    // Every single bit of the file: always an error (CRC-32 catches every 1-bit error); in the
    // table or the CRC field a header checksum error, in a level that level's checksum error.
    for bit in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let at = (bit / 8) as u64;
        let result = LodChain::from_bytes(&flipped);
        match at {
            0..4 => assert!(matches!(result, Err(LodChainError::BadMagic { .. }))),
            4..6 => assert!(matches!(
                result,
                Err(LodChainError::UnsupportedVersion { .. })
            )),
            // The level count: too many levels, a table past the end, or a bad checksum.
            8..12 => assert!(matches!(
                result,
                Err(LodChainError::LevelCount { .. }
                    | LodChainError::Truncated { .. }
                    | LodChainError::HeaderChecksum { .. })
            )),
            _ if at < header.header_len => assert!(
                matches!(result, Err(LodChainError::HeaderChecksum { .. })),
                "byte {at}: {result:?}"
            ),
            _ => {
                let level = header.levels.iter().position(|e| e.range().contains(&at));
                assert!(
                    matches!(result, Err(LodChainError::LevelChecksum { level: l, .. }) if Some(l) == level),
                    "byte {at}: {result:?}"
                );
            }
        }
    }
}

#[test]
fn consistent_but_invalid_contents_give_typed_errors() {
    let bytes = sphere_chain(&[4, 8]).to_bytes();
    let header = LodChainHeader::parse(&bytes).unwrap();
    let level0 = header.levels[0].offset as usize;
    // An index out of range, with valid checksums: the mesh check catches it.
    let vertices = header.levels[0].vertices as usize;
    let first_index = level0 + LEVEL_HEADER_LEN + vertices * 48;
    let mut bad = bytes.clone();
    bad[first_index..first_index + 2].copy_from_slice(&u16::MAX.to_le_bytes());
    restamp(&mut bad);
    assert!(matches!(
        LodChain::from_bytes(&bad),
        Err(LodChainError::InvalidMesh {
            level: 0,
            error: MeshError::IndexOutOfRange { .. }
        })
    ));
    // A NaN position.
    let mut bad = bytes.clone();
    let p = level0 + LEVEL_HEADER_LEN;
    bad[p..p + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    restamp(&mut bad);
    assert!(matches!(
        LodChain::from_bytes(&bad),
        Err(LodChainError::InvalidMesh {
            level: 0,
            error: MeshError::NonFinite { .. }
        })
    ));
    // An index width of 3.
    let mut bad = bytes.clone();
    bad[level0 + 8..level0 + 12].copy_from_slice(&3u32.to_le_bytes());
    restamp(&mut bad);
    assert!(matches!(
        LodChain::from_bytes(&bad),
        Err(LodChainError::InvalidLevel { level: 0, .. })
    ));
    // Levels out of order: the coarse level claims a smaller error than the fine one.
    let mut bad = bytes.clone();
    let error1 = FIXED_HEADER_LEN + LEVEL_ENTRY_LEN + 28;
    bad[error1..error1 + 4].copy_from_slice(&5.0f32.to_le_bytes());
    restamp(&mut bad);
    assert_eq!(
        LodChain::from_bytes(&bad),
        Err(LodChainError::LevelOrder { level: 1 })
    );
    // A level that does not start where the previous one ends.
    let mut bad = bytes.clone();
    let offset1 = FIXED_HEADER_LEN + LEVEL_ENTRY_LEN;
    bad[offset1..offset1 + 8].copy_from_slice(&1u64.to_le_bytes());
    restamp(&mut bad);
    assert!(matches!(
        LodChainHeader::parse(&bad),
        Err(LodChainError::InvalidLevel { level: 1, .. })
    ));
}

#[test]
fn new_refuses_what_the_format_cannot_hold() {
    assert_eq!(
        LodChain::new(vec![]),
        Err(LodChainError::LevelCount { levels: 0 })
    );
    let fine = LodLevel::new(Mesh::sphere(1.0, 16, 8), 0.0);
    let coarse = LodLevel::new(Mesh::sphere(1.0, 4, 2), 0.3);
    assert_eq!(
        LodChain::new(vec![fine.clone(), coarse.clone()]),
        Err(LodChainError::LevelOrder { level: 1 })
    );
    let mut nan = coarse.clone();
    nan.error = f32::NAN;
    assert!(matches!(
        LodChain::new(vec![nan, fine.clone()]),
        Err(LodChainError::InvalidLevel { level: 0, .. })
    ));
    let mut broken = coarse.clone();
    broken.mesh.uvs.clear();
    assert!(matches!(
        LodChain::new(vec![broken, fine.clone()]),
        Err(LodChainError::InvalidMesh {
            level: 0,
            error: MeshError::AttributeLength { .. }
        })
    ));
    let chain = LodChain::new(vec![coarse, fine]).unwrap();
    assert_eq!(chain.level_count(), 2);
    assert_eq!(
        chain.coarsest().triangles(),
        Mesh::sphere(1.0, 4, 2).triangle_count()
    );
    let b = chain.finest().bounds;
    assert!((b.radius - 1.0).abs() < 1e-5 && b.min.cmple(b.max).all());
}

/// A random valid chain: random sphere resolutions and index widths.
fn random_chain(rng: &mut SmallRng) -> LodChain {
    let n = rng.random_range(1..=4usize);
    let mut sizes: Vec<u32> = (0..n).map(|_| rng.random_range(3..24)).collect();
    sizes.sort_unstable();
    let mut error = rng.random_range(0.0..10.0f32);
    let levels = sizes
        .iter()
        .map(|&s| {
            let mut mesh = Mesh::sphere(rng.random_range(0.1..10.0), s, (s / 2).max(2));
            if rng.random_bool(0.3) {
                mesh.indices = Indices::U32(mesh.indices.iter().collect());
            }
            error *= rng.random_range(0.0..1.0f32);
            LodLevel::new(mesh, error)
        })
        .collect();
    LodChain::new(levels).unwrap()
}

#[test]
fn fuzz_random_bytes_never_panic() {
    let mut rng = SmallRng::seed_from_u64(0x1a7e_4c0d);
    for i in 0..4000 {
        let len = rng.random_range(0..400);
        let mut bytes = vec![0u8; len];
        rng.fill(&mut bytes[..]);
        // Half of them start like a chain file, so the reader gets past the magic and version.
        if i % 2 == 0 && len >= 6 {
            bytes[..4].copy_from_slice(&MAGIC);
            bytes[4..6].copy_from_slice(&VERSION.to_le_bytes());
        }
        // A quarter even have a valid header checksum.
        if i % 4 == 0 && len >= FIXED_HEADER_LEN {
            let count = rng.random_range(1..=3u32);
            bytes[8..12].copy_from_slice(&count.to_le_bytes());
            let header_len = FIXED_HEADER_LEN + LEVEL_ENTRY_LEN * count as usize;
            if len >= header_len {
                let mut h = crc32fast::Hasher::new();
                h.update(&bytes[..28]);
                h.update(&bytes[FIXED_HEADER_LEN..header_len]);
                let crc = h.finalize();
                bytes[28..32].copy_from_slice(&crc.to_le_bytes());
            }
        }
        assert!(LodChain::from_bytes(&bytes).is_err());
        if let Ok(header) = LodChainHeader::parse(&bytes) {
            for level in 0..header.levels.len() {
                let _ = header.decode_level(level, &bytes[bytes.len().min(32)..]);
            }
        }
    }
}

#[test]
fn fuzz_truncations_and_bit_flips_of_valid_files() {
    let mut rng = SmallRng::seed_from_u64(0xc0ff_ee11);
    for _ in 0..300 {
        let chain = random_chain(&mut rng);
        let bytes = chain.to_bytes();
        assert_eq!(LodChain::from_bytes(&bytes).as_ref(), Ok(&chain));
        // Random truncations.
        for _ in 0..8 {
            let len = rng.random_range(0..bytes.len());
            assert!(matches!(
                LodChain::from_bytes(&bytes[..len]),
                Err(LodChainError::Truncated { .. })
            ));
        }
        // Random flips of 1 to 8 bits: CRC-32 detects any error in up to 32 consecutive bits
        // and, for files this size, any 1 to 3 bits; more bits are caught with odds of 2^-32
        // per try, and the fixed seed makes this test deterministic.
        for _ in 0..8 {
            let mut flipped = bytes.clone();
            for _ in 0..rng.random_range(1..=8) {
                let bit = rng.random_range(0..bytes.len() * 8);
                flipped[bit / 8] ^= 1 << (bit % 8);
            }
            if flipped == bytes {
                continue; // the flips cancelled out
            }
            let result = LodChain::from_bytes(&flipped);
            assert!(result.is_err(), "flips went undetected: {result:?}");
            // And the streaming path: the header from its prefix, each level alone.
            if let Ok(header) = LodChainHeader::parse(&flipped) {
                for (i, entry) in header.levels.iter().enumerate() {
                    let r = entry.range();
                    if r.end as usize <= flipped.len() {
                        let _ = header.decode_level(i, &flipped[r.start as usize..r.end as usize]);
                    }
                }
            }
        }
    }
}

#[test]
fn errors_display_their_numbers() {
    let e = LodChainError::Truncated {
        needed: 100,
        available: 7,
    };
    assert_eq!(
        e.to_string(),
        "LOD chain is truncated: 100 bytes needed, 7 available"
    );
    let e = LodChainError::LevelChecksum {
        level: 2,
        stored: 0xdead_beef,
        computed: 1,
    };
    assert!(e.to_string().contains("deadbeef"));
    let e = LodChainError::InvalidMesh {
        level: 0,
        error: MeshError::Empty,
    };
    assert!(std::error::Error::source(&e).is_some());
}
