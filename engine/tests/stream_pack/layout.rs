//! Where a pack's levels lie: every asset's coarsest level back to back in coarse blobs, in the
//! order added; levels 1.. of an asset one contiguous range in its blob.

use layerw_engine::stream::{PackManifest, decode_mesh_level};

use super::sample;

/// Every asset's (blob, level 0's range), meshes then textures: the order they were added.
pub fn coarse_levels(m: &PackManifest) -> Vec<(u32, core::ops::Range<u64>)> {
    let meshes = m
        .meshes
        .iter()
        .map(|x| (x.coarse_blob, x.levels[0].stored.range()));
    let textures = m
        .textures
        .iter()
        .map(|t| (t.coarse_blob, t.levels[0].stored.range()));
    meshes.chain(textures).collect()
}

#[test]
fn coarsest_levels_lie_back_to_back_in_coarse_blobs_in_the_order_added() {
    for limit in [u64::MAX, 100_000, 1] {
        let (_, pack) = sample(limit);
        let m = &pack.manifest;
        let coarse = coarse_levels(m);
        // Each coarsest level starts where the previous asset's ended, across meshes and
        // textures, until a coarse blob is full and the next one starts at 0.
        let mut expected = (coarse[0].0, 0);
        for (i, (blob, range)) in coarse.iter().enumerate() {
            if *blob != expected.0 {
                assert!(*blob > expected.0, "asset {i}: coarse blobs in order");
                expected = (*blob, 0);
            }
            assert_eq!((*blob, range.start), expected, "asset {i}");
            expected.1 = range.end;
        }
        // A coarse blob holds coarsest levels only, and all of its bytes are theirs.
        for (b, blob) in m.blobs.iter().enumerate() {
            let held: Vec<&core::ops::Range<u64>> = coarse
                .iter()
                .filter(|(c, _)| *c as usize == b)
                .map(|(_, r)| r)
                .collect();
            if held.is_empty() {
                assert!(blob.name.starts_with("blob-"), "{}", blob.name);
                continue;
            }
            assert!(blob.name.starts_with("coarse-"), "{}", blob.name);
            assert_eq!(held.last().unwrap().end, blob.len);
            assert!(
                m.meshes
                    .iter()
                    .all(|x| x.blob as usize != b || x.levels.len() == 1)
            );
            assert!(
                m.textures
                    .iter()
                    .all(|t| t.blob as usize != b || t.levels.len() == 1)
            );
        }
        // One read of a coarse blob's range decodes to the coarsest level of every asset in it.
        let (blob, first) = coarse[0].clone();
        let last = coarse
            .iter()
            .rev()
            .find(|(b, _)| *b == blob)
            .unwrap()
            .1
            .clone();
        let span = &pack.blobs[blob as usize][first.start as usize..last.end as usize];
        let mut decoded = 0;
        for (mesh, _) in m
            .meshes
            .iter()
            .zip(&coarse)
            .filter(|(_, (b, _))| *b == blob)
        {
            let r = mesh.levels[0].stored.range();
            decode_mesh_level(&mesh.levels[0], &span[r.start as usize..r.end as usize]).unwrap();
            decoded += 1;
        }
        assert!(decoded > 0);
    }
}

#[test]
fn levels_after_the_coarsest_are_one_contiguous_range() {
    let (_, pack) = sample(u64::MAX);
    let m = &pack.manifest;
    for mesh in &m.meshes {
        assert_eq!(mesh.fine_range(1), None);
        assert_eq!(mesh.fine_range(mesh.levels.len() + 1), None);
        for k in 2..=mesh.levels.len() {
            let range = mesh.fine_range(k).unwrap();
            let read = &pack.blobs[mesh.blob as usize][range.start as usize..range.end as usize];
            // One read of levels 1..k holds each of them, back to back.
            let mut at = 0;
            for level in &mesh.levels[1..k] {
                let len = level.stored.stored_len as usize;
                decode_mesh_level(level, &read[at..at + len]).unwrap();
                at += len;
            }
            assert_eq!(at, read.len());
        }
    }
    for texture in &m.textures {
        let all = texture.fine_range(texture.levels.len()).unwrap();
        let stored: u64 = texture.levels[1..]
            .iter()
            .map(|l| u64::from(l.stored.stored_len))
            .sum();
        assert_eq!(all.end - all.start, stored);
        assert_eq!(
            texture.fine_range(2),
            Some(texture.levels[1].stored.range())
        );
    }
}
