//! LOD chain generation: level order, floor, error, seams, optimisation, and the cooked file.

use glam::Vec3;
use layerw_cook::{ChainOptions, CookError, generate_chain, procedural};
use layerw_engine::lod::{LodChain, LodChainHeader};
use layerw_engine::render::{Indices, Mesh};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

fn sphere() -> Mesh {
    Mesh::sphere(3.0, 96, 48)
}

fn floor(mesh: &Mesh, options: &ChainOptions) -> usize {
    options
        .min_triangles
        .max((mesh.triangle_count() as f64 * f64::from(options.min_fraction)).ceil() as usize)
}

/// Vertex cache statistics (16 entries): transformed vertices per triangle, and per vertex.
fn cache(mesh: &Mesh) -> (f32, f32) {
    let indices: Vec<u32> = mesh.indices.iter().collect();
    let s = meshopt::analyze_vertex_cache(&indices, mesh.positions.len(), 16, 0, 0);
    (s.acmr, s.atvr)
}

#[test]
fn levels_halve_down_to_the_floor_with_growing_error() {
    let mesh = sphere();
    let options = ChainOptions::default();
    let chain = generate_chain(&mesh, &options).unwrap();
    let levels = chain.levels();
    assert!(levels.len() >= 5, "only {} levels", levels.len());
    // Coarse to fine: strictly more triangles, never more error.
    for pair in levels.windows(2) {
        let (coarse, fine) = (&pair[0], &pair[1]);
        assert!(coarse.triangles() < fine.triangles());
        assert!(coarse.error >= fine.error);
        // About half: well under the stall limit, not collapsed to nothing.
        let ratio = coarse.triangles() as f32 / fine.triangles() as f32;
        assert!((0.3..=0.9).contains(&ratio), "ratio {ratio}");
    }
    let f = floor(&mesh, &options);
    assert!(chain.coarsest().triangles() >= f);
    // It got near the floor rather than stopping early.
    assert!(chain.coarsest().triangles() < 2 * f);
    // The finest level is the input, unsimplified.
    assert_eq!(chain.finest().triangles(), mesh.triangle_count());
    assert_eq!(chain.finest().error, 0.0);
    for (i, level) in levels.iter().enumerate() {
        level.mesh.validate().unwrap();
        // Simplified levels have a positive error, in object space: a sphere of radius 3 is
        // never off by more than its size, and the coarse levels are off by a visible amount.
        if i + 1 < levels.len() {
            assert!(
                level.error > 0.0 && level.error < 6.0,
                "error {}",
                level.error
            );
        }
        // Bounds hold every vertex.
        let b = level.bounds;
        for p in &level.mesh.positions {
            assert!(p.cmpge(b.min).all() && p.cmple(b.max).all());
            assert!(p.distance(b.center) <= b.radius * (1.0 + 1e-5));
        }
        assert!((b.radius - 3.0).abs() < 0.5, "radius {}", b.radius);
    }
    // The error is object-space: the same sphere at 10x the size has about 10x the errors.
    // (Not exactly: rounding steers the simplifier a little differently at another scale, and
    // the coarsest levels, down to a few dozen triangles, amplify that.)
    let big = generate_chain(&Mesh::sphere(30.0, 96, 48), &options).unwrap();
    assert_eq!(big.level_count(), chain.level_count());
    for (small, big) in levels.iter().zip(big.levels()) {
        let (s, b) = (small.error, big.error / 10.0);
        if small.triangles() >= 1000 {
            assert!(
                (b - s).abs() <= 0.1 * s,
                "{b} vs {s} at {}",
                small.triangles()
            );
        } else {
            assert!(
                b > 0.5 * s && b < 2.0 * s,
                "{b} vs {s} at {}",
                small.triangles()
            );
        }
    }
}

#[test]
fn seams_and_normals_survive_simplification() {
    let chain = generate_chain(&sphere(), &ChainOptions::default()).unwrap();
    for level in chain.levels() {
        let m = &level.mesh;
        // The UV seam (u = 0 and u = 1 at the same positions) is still there.
        let at_u0: Vec<Vec3> = (0..m.uvs.len())
            .filter(|&i| m.uvs[i].x == 0.0)
            .map(|i| m.positions[i])
            .collect();
        let at_u1 = (0..m.uvs.len()).filter(|&i| m.uvs[i].x == 1.0).count();
        assert!(at_u0.len() >= 2 && at_u1 >= 2, "seam lost");
        // Normals stay the sphere's: unit length and outward.
        for (p, n) in m.positions.iter().zip(&m.normals) {
            assert!((n.length() - 1.0).abs() < 1e-4);
            assert!(n.dot(p.normalize()) > 0.99);
        }
        // Triangles face outward (winding preserved). meshopt avoids flips but does not
        // forbid them: at a few hundred triangles and below, a rare sliver may flip.
        let idx: Vec<u32> = m.indices.iter().collect();
        let flipped = idx
            .chunks_exact(3)
            .filter(|t| {
                let [a, b, c] = [t[0], t[1], t[2]].map(|i| m.positions[i as usize]);
                (b - a).cross(c - a).dot(a + b + c) <= 0.0
            })
            .count();
        let allowed = if level.triangles() >= 1000 {
            0
        } else {
            level.triangles() / 50
        };
        assert!(
            flipped <= allowed,
            "{flipped} of {} flipped",
            level.triangles()
        );
    }
}

#[test]
fn levels_are_optimised_for_cache_and_fetch() {
    let mut mesh = sphere();
    // Shuffle the triangles so the input has a poor vertex cache order.
    let mut rng = SmallRng::seed_from_u64(7);
    let idx: Vec<u32> = mesh.indices.iter().collect();
    let mut tris: Vec<[u32; 3]> = idx.chunks_exact(3).map(|t| [t[0], t[1], t[2]]).collect();
    tris.shuffle(&mut rng);
    mesh.indices = Indices::from_u32(tris.concat());
    let (shuffled, _) = cache(&mesh);
    let chain = generate_chain(&mesh, &ChainOptions::default()).unwrap();
    assert!(cache(&chain.finest().mesh).0 < 0.5 * shuffled);
    for level in chain.levels() {
        let m = &level.mesh;
        // Each vertex transformed about once (1.0 is ideal; the shuffled input is near 3).
        let (_, atvr) = cache(m);
        assert!(atvr < 1.5, "ATVR {atvr} at {} triangles", level.triangles());
        // Vertex fetch order: vertices appear in first-use order, none unused.
        let mut next = 0u32;
        for i in m.indices.iter() {
            assert!(i <= next);
            if i == next {
                next += 1;
            }
        }
        assert_eq!(next as usize, m.positions.len());
        assert!(matches!(m.indices, Indices::U16(_)));
    }
}

#[test]
fn cooked_sphere_chain_round_trips() {
    let chain =
        generate_chain(&procedural("sphere:128").unwrap(), &ChainOptions::default()).unwrap();
    let bytes = chain.to_bytes();
    assert_eq!(LodChain::from_bytes(&bytes).unwrap(), chain);
    // Streaming: the table from a prefix, each level from its own bytes.
    let header = LodChainHeader::parse(&bytes[..4096]).unwrap();
    assert_eq!(header.levels.len(), chain.level_count());
    for (i, level) in chain.levels().iter().enumerate() {
        let r = header.levels[i].range();
        let decoded = header
            .decode_level(i, &bytes[r.start as usize..r.end as usize])
            .unwrap();
        assert_eq!(&decoded, level);
    }
    // The coarse levels come first, so a prefix holds the coarsest level.
    assert!(header.levels[0].range().end < header.levels[1].range().end);
}

#[test]
fn lock_border_keeps_tile_edges_in_place() {
    let terrain = procedural("terrain:64").unwrap();
    let on_edge = |p: &Vec3| p.x.abs() >= 49.999 || p.z.abs() >= 49.999;
    let edge = |m: &Mesh| {
        let mut e: Vec<[u32; 3]> = m
            .positions
            .iter()
            .filter(|p| on_edge(p))
            .map(|p| p.to_array().map(f32::to_bits))
            .collect();
        e.sort_unstable();
        e.dedup();
        e
    };
    let options = ChainOptions {
        lock_border: true,
        ..ChainOptions::default()
    };
    let chain = generate_chain(&terrain, &options).unwrap();
    assert!(chain.level_count() >= 3);
    let finest = edge(&chain.finest().mesh);
    assert_eq!(finest.len(), 4 * 64);
    for level in chain.levels() {
        assert_eq!(edge(&level.mesh), finest);
    }
    // Without the lock the coarsest level's border moves.
    let free = generate_chain(&terrain, &ChainOptions::default()).unwrap();
    assert_ne!(edge(&free.coarsest().mesh), finest);
}

#[test]
fn small_meshes_stalls_and_limits_end_the_chain() {
    // Already under the floor: one level.
    let cube = generate_chain(&Mesh::cube(1.0), &ChainOptions::default()).unwrap();
    assert_eq!(cube.level_count(), 1);
    assert_eq!(cube.finest().triangles(), 12);
    // A cube with 1,000 triangles cannot lose its flat faces' seams beyond a point: the chain
    // stops when simplification stalls, each level still strictly smaller.
    let options = ChainOptions {
        min_triangles: 1,
        min_fraction: 0.0,
        ..ChainOptions::default()
    };
    let chain = generate_chain(&sphere(), &options).unwrap();
    assert!(chain.coarsest().triangles() >= 1);
    assert!(
        chain
            .levels()
            .windows(2)
            .all(|w| w[0].triangles() < w[1].triangles())
    );
    let two = ChainOptions {
        max_levels: 2,
        ..ChainOptions::default()
    };
    assert_eq!(generate_chain(&sphere(), &two).unwrap().level_count(), 2);
    // A different ratio gives about that ratio.
    let thirds = ChainOptions {
        ratio: 0.3,
        ..ChainOptions::default()
    };
    let chain = generate_chain(&sphere(), &thirds).unwrap();
    let l = chain.levels();
    let r = l[l.len() - 2].triangles() as f32 / l[l.len() - 1].triangles() as f32;
    assert!((0.25..0.4).contains(&r), "ratio {r}");
}

#[test]
fn random_meshes_give_valid_chains() {
    let mut rng = SmallRng::seed_from_u64(42);
    for _ in 0..6 {
        let cells = rng.random_range(8..40);
        let (a, b) = (
            rng.random_range(0.01..0.5f32),
            rng.random_range(0.01..0.5f32),
        );
        let mesh = Mesh::grid(rng.random_range(1.0..100.0), cells, |x, z| {
            (x * a).sin() * (z * b).cos() * 3.0
        });
        let options = ChainOptions {
            ratio: rng.random_range(0.3..0.7),
            min_triangles: rng.random_range(1..200),
            ..ChainOptions::default()
        };
        let chain = generate_chain(&mesh, &options).unwrap();
        assert!(chain.coarsest().triangles() >= floor(&mesh, &options).min(mesh.triangle_count()));
        assert_eq!(LodChain::from_bytes(&chain.to_bytes()).unwrap(), chain);
    }
}

#[test]
fn bad_options_and_meshes_give_typed_errors() {
    let mesh = sphere();
    for options in [
        ChainOptions {
            ratio: 1.0,
            ..ChainOptions::default()
        },
        ChainOptions {
            ratio: f32::NAN,
            ..ChainOptions::default()
        },
        ChainOptions {
            max_levels: 0,
            ..ChainOptions::default()
        },
        ChainOptions {
            stall_ratio: 0.0,
            ..ChainOptions::default()
        },
        ChainOptions {
            uv_weight: -1.0,
            ..ChainOptions::default()
        },
    ] {
        assert!(matches!(
            generate_chain(&mesh, &options),
            Err(CookError::InvalidOptions { .. })
        ));
    }
    let mut broken = mesh.clone();
    broken.normals.pop();
    assert!(matches!(
        generate_chain(&broken, &ChainOptions::default()),
        Err(CookError::InvalidMesh(_))
    ));
    for spec in [
        "sphere",
        "sphere:2",
        "sphere:9999",
        "terrain:-1",
        "cube:3",
        "torus:5",
    ] {
        let e = procedural(spec).unwrap_err();
        assert!(matches!(e, CookError::BadInput { .. }), "{spec}: {e}");
    }
}
