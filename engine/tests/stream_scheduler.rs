//! The streaming scheduler on a simulated link and a virtual clock, with property tests of its
//! invariants: the budget is never exceeded (resident plus reserved, every frame), no level is
//! resident without its coarser ones, a cancelled request frees its reservation, and
//! everything in view reaches its wanted level once the link allows (also after faults).
//! Natively and on WASI (proptest does not build for the browser).
#![cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]

use std::collections::HashMap;

use layerw_engine::stream::{
    LevelCost, LinkFault, PackFile, ReadCompletion, ReadRequest, RequestId, SchedulerSettings,
    SimulatedLink, StreamAction, StreamIo, StreamScheduler, StreamedAsset, Want,
};
use proptest::prelude::*;

/// A generated world: assets on a line along X, each with levels 4x bigger and half the error
/// of the one before, all in one blob whose bytes encode their position (so a corrupted read
/// is caught, as the pack's checksums catch it for real).
struct World {
    assets: Vec<StreamedAsset>,
    positions: Vec<f32>,
    blob: Vec<u8>,
}

fn world(count: usize, max_levels: usize, base: u64, seed: u64) -> World {
    let mut assets = Vec::new();
    let mut positions = Vec::new();
    let mut offset = 0u64;
    let mut x = seed;
    let mut next = || {
        // A small LCG: the test only needs variety, reproducible from the seed.
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as u32
    };
    for i in 0..count {
        let levels = 1 + next() as usize % max_levels;
        let mut costs = Vec::new();
        let mut size = base + u64::from(next() % 64);
        let mut error = 1.0f32;
        for l in 0..levels {
            let stored = size / 2 + 1;
            costs.push(LevelCost {
                range: offset..offset + stored,
                resident_bytes: size,
                error: if l + 1 == levels { 0.0 } else { error },
            });
            offset += stored;
            size *= 4;
            error *= 0.5;
        }
        assets.push(StreamedAsset {
            coarse_file: PackFile::Blob(0),
            file: PackFile::Blob(0),
            levels: costs,
        });
        positions.push(i as f32 * 10.0 + (next() % 10) as f32);
    }
    let blob = (0..offset).map(|i| (i * 31 % 251) as u8).collect();
    World {
        assets,
        positions,
        blob,
    }
}

/// The levels an asset at `distance` wants: all within 20 m, one fewer per doubling.
fn wanted_levels(asset: &StreamedAsset, distance: f32) -> u8 {
    let n = asset.levels.len() as i32;
    let drop = (distance / 20.0).max(1.0).log2().floor() as i32;
    (n - drop).clamp(1, n) as u8
}

/// The test's own model of what the scheduler did, checked against its rules every frame.
#[derive(Default)]
struct Model {
    resident: HashMap<u32, u8>,
    /// Requests in flight or decoding: id -> (asset, level).
    outstanding: HashMap<RequestId, (u32, u8)>,
}

struct Sim {
    world: World,
    scheduler: StreamScheduler,
    link: SimulatedLink,
    model: Model,
    now: f64,
    view: f32,
    radius: f32,
}

impl Sim {
    fn new(world: World, settings: SchedulerSettings, latency: f64, bandwidth: f64) -> Sim {
        let mut link = SimulatedLink::new(latency, bandwidth, settings.max_requests);
        link.insert(PackFile::Blob(0), world.blob.clone());
        let scheduler = StreamScheduler::new(world.assets.clone(), settings).unwrap();
        Sim {
            world,
            scheduler,
            link,
            model: Model::default(),
            now: 0.0,
            view: 0.0,
            radius: 60.0,
        }
    }

    fn wants(&self) -> Vec<Want> {
        let mut wants = Vec::new();
        for (i, &x) in self.world.positions.iter().enumerate() {
            let distance = (x - self.view).abs();
            if distance <= self.radius {
                wants.push(Want {
                    asset: i as u32,
                    levels: wanted_levels(&self.world.assets[i], distance),
                    distance,
                    scale: 100.0 / distance.max(1.0),
                    in_frustum: x >= self.view,
                });
            }
        }
        wants
    }

    fn cost(&self, asset: u32, level: u8) -> u64 {
        self.world.assets[asset as usize].levels[usize::from(level)].resident_bytes
    }

    /// One frame of `dt` seconds; checks the invariants; returns the frame's actions.
    fn frame(&mut self, dt: f64) -> Vec<StreamAction> {
        self.now += dt;
        let mut done: Vec<ReadCompletion> = Vec::new();
        self.link.poll(self.now, &mut done);
        for completion in done {
            let Some(&(asset, level)) = self.model.outstanding.get(&completion.id) else {
                panic!("a completion for a request the streamer cancelled");
            };
            let expected = &self.world.assets[asset as usize].levels[usize::from(level)].range;
            let intact = completion.result.as_ref().is_ok_and(|b| {
                b[..] == self.world.blob[expected.start as usize..expected.end as usize]
            });
            if intact {
                let arrived = self
                    .scheduler
                    .arrived(completion.id, expected.end - expected.start);
                assert_eq!(arrived, Some((asset, level)));
                // Parents first: the level that arrives is the one after the resident prefix.
                let resident = self.model.resident.entry(asset).or_default();
                assert_eq!(
                    *resident, level,
                    "asset {asset}: level {level} arrived out of order"
                );
                assert!(self.scheduler.resident(asset, level));
                *resident = level + 1;
            } else {
                assert!(self.scheduler.failed(completion.id, self.now));
            }
            self.model.outstanding.remove(&completion.id);
        }
        let wants = self.wants();
        let mut actions = Vec::new();
        self.scheduler.plan(self.now, &wants, &mut actions);
        for action in &actions {
            match action {
                StreamAction::Cancel(id) => {
                    assert!(self.model.outstanding.remove(id).is_some());
                    self.link.cancel(*id);
                }
                StreamAction::Evict { asset, level } => {
                    let resident = self.model.resident.entry(*asset).or_default();
                    assert_eq!(*resident, level + 1, "only the finest resident level goes");
                    *resident = *level;
                }
                StreamAction::Fetch {
                    id,
                    asset,
                    level,
                    file,
                    range,
                } => {
                    assert_eq!(
                        self.model.resident.get(asset).copied().unwrap_or(0),
                        *level,
                        "a fetch is always for the level after the resident prefix"
                    );
                    self.model.outstanding.insert(*id, (*asset, *level));
                    self.link.submit(ReadRequest {
                        id: *id,
                        file: *file,
                        range: Some(range.clone()),
                        max_bytes: u64::MAX,
                    });
                }
            }
        }
        self.check();
        actions
    }

    /// The budget holds and the scheduler's books match the model's.
    fn check(&self) {
        let stats = self.scheduler.stats();
        let resident: u64 = self
            .model
            .resident
            .iter()
            .map(|(&a, &n)| (0..n).map(|l| self.cost(a, l)).sum::<u64>())
            .sum();
        let reserved: u64 = self
            .model
            .outstanding
            .values()
            .map(|&(a, l)| self.cost(a, l))
            .sum();
        assert_eq!(stats.resident_bytes, resident);
        assert_eq!(
            stats.reserved_bytes, reserved,
            "a cancelled request frees its bytes"
        );
        let budget = self.scheduler.settings().budget;
        assert!(
            resident + reserved <= budget,
            "over budget: {resident} resident + {reserved} reserved > {budget}"
        );
        assert!(stats.peak_bytes <= budget);
        for (&a, &n) in &self.model.resident {
            assert_eq!(self.scheduler.resident_levels(a), n);
        }
    }

    /// Whether every wanted asset has its wanted levels.
    fn settled(&self) -> bool {
        self.wants()
            .iter()
            .all(|w| self.scheduler.resident_levels(w.asset) >= w.levels)
    }

    fn wanted_bytes(&self) -> u64 {
        self.wants()
            .iter()
            .map(|w| (0..w.levels).map(|l| self.cost(w.asset, l)).sum::<u64>())
            .sum()
    }
}

fn settings(budget: u64) -> SchedulerSettings {
    let mut s = SchedulerSettings::new(budget);
    s.max_requests = 6;
    s.max_bytes_in_flight = 1 << 20;
    s
}

#[test]
fn a_still_camera_gets_everything_in_view_coarse_first() {
    let world = world(40, 5, 2_000, 7);
    let mut sim = Sim::new(world, settings(64 << 20), 0.03, 4.0e6);
    let mut first_complete = None;
    for frame in 0..2_000 {
        sim.frame(1.0 / 60.0);
        let wants = sim.wants();
        if first_complete.is_none()
            && wants
                .iter()
                .all(|w| sim.scheduler.resident_levels(w.asset) >= 1)
        {
            first_complete = Some(frame);
        }
        if sim.settled() {
            break;
        }
    }
    assert!(sim.settled(), "{:?}", sim.scheduler.stats());
    let first = first_complete.expect("every asset in view got its coarsest level");
    // Coarse first: every coarsest level arrived before the view was complete at full quality.
    let stats = sim.scheduler.stats();
    assert!(stats.requests > sim.wants().len() as u64);
    assert_eq!(
        stats.evicted, 0,
        "nothing needed to go: the budget is large"
    );
    assert!(first > 0);
}

#[test]
fn a_tight_budget_holds_and_keeps_the_most_valuable_levels() {
    // Everything wanted needs far more than the budget: it must hold, with what is near.
    let world = world(60, 6, 4_000, 3);
    let mut sim = Sim::new(world, settings(6 << 20), 0.02, 8.0e6);
    assert!(sim.wanted_bytes() > 6 << 20);
    for _ in 0..3_000 {
        sim.frame(1.0 / 60.0);
    }
    let stats = sim.scheduler.stats();
    assert!(stats.peak_bytes <= 6 << 20);
    // Every asset in view has its coarsest level: they fit, refinements give way to them.
    for w in sim.wants() {
        assert!(
            sim.scheduler.resident_levels(w.asset) >= 1,
            "asset {}",
            w.asset
        );
    }
}

#[test]
fn a_moving_camera_cancels_what_it_left_behind() {
    let world = world(200, 5, 3_000, 11);
    let mut sim = Sim::new(world, settings(16 << 20), 0.08, 1.0e6);
    for _ in 0..1_200 {
        sim.view += 1.5; // 90 m/s: faster than the link can refine
        sim.frame(1.0 / 60.0);
    }
    let stats = sim.scheduler.stats();
    assert!(stats.cancelled > 0, "{stats:?}");
    assert_eq!(
        sim.link.cancelled_before_first_byte + sim.link.cancelled_in_body,
        stats.cancelled
    );
}

#[test]
fn faults_are_retried_and_the_view_recovers_after_an_outage() {
    let world = world(30, 4, 2_000, 5);
    let mut sim = Sim::new(world, settings(32 << 20), 0.02, 2.0e6);
    sim.link.add_fault(LinkFault::StatusEvery(3));
    sim.link.add_fault(LinkFault::CorruptEvery(4));
    sim.link.add_fault(LinkFault::TruncateEvery(5));
    sim.link.add_fault(LinkFault::Down {
        from: 0.5,
        until: 3.0,
    });
    for _ in 0..300 {
        sim.frame(1.0 / 60.0);
    }
    assert!(sim.scheduler.stats().failures > 0);
    // The server heals: everything arrives without further help.
    sim.link.clear_faults();
    for _ in 0..3_000 {
        sim.frame(1.0 / 60.0);
        if sim.settled() {
            break;
        }
    }
    assert!(sim.settled(), "{:?}", sim.scheduler.stats());
}

#[test]
fn bad_input_is_refused() {
    let levels = |errors: &[f32]| StreamedAsset {
        coarse_file: PackFile::Blob(0),
        file: PackFile::Blob(0),
        levels: errors
            .iter()
            .map(|&error| LevelCost {
                range: 0..1,
                resident_bytes: 1,
                error,
            })
            .collect(),
    };
    assert!(StreamScheduler::new(vec![levels(&[])], settings(10)).is_err());
    assert!(StreamScheduler::new(vec![levels(&[0.1, 0.2])], settings(10)).is_err());
    let mut bad = settings(10);
    bad.low_water = 0.9;
    assert!(StreamScheduler::new(vec![levels(&[0.1, 0.0])], bad).is_err());
    let mut scheduler = StreamScheduler::new(vec![levels(&[0.1, 0.0])], settings(10)).unwrap();
    // Wants for unknown assets, or with nonsense numbers, change nothing harmful.
    let mut actions = Vec::new();
    scheduler.plan(
        0.0,
        &[
            Want {
                asset: 9,
                levels: 3,
                distance: 1.0,
                scale: 1.0,
                in_frustum: true,
            },
            Want {
                asset: 0,
                levels: 200,
                distance: f32::NAN,
                scale: f32::INFINITY,
                in_frustum: true,
            },
        ],
        &mut actions,
    );
    assert_eq!(actions.len(), 1);
    assert!(!scheduler.resident(0, 1), "not the level in flight");
    assert!(!scheduler.failed(RequestId(77), 0.0));
    assert_eq!(scheduler.arrived(RequestId(77), 1), None);
}

#[test]
fn the_coarsest_level_is_read_from_its_coarse_file_the_others_from_the_asset_file() {
    let asset = StreamedAsset {
        coarse_file: PackFile::Blob(3),
        file: PackFile::Blob(1),
        levels: [(40..50, 0.5), (7..27, 0.0)]
            .into_iter()
            .map(|(range, error)| LevelCost {
                range,
                resident_bytes: 100,
                error,
            })
            .collect(),
    };
    let mut scheduler = StreamScheduler::new(vec![asset], settings(1 << 20)).unwrap();
    let want = Want {
        asset: 0,
        levels: 2,
        distance: 1.0,
        scale: 100.0,
        in_frustum: true,
    };
    let mut fetched = Vec::new();
    for frame in 0..2 {
        let mut actions = Vec::new();
        scheduler.plan(f64::from(frame), &[want], &mut actions);
        for action in actions {
            if let StreamAction::Fetch {
                id,
                level,
                file,
                range,
                ..
            } = action
            {
                fetched.push((level, file, range));
                assert_eq!(scheduler.arrived(id, 10), Some((0, level)));
                assert!(scheduler.resident(0, level));
            }
        }
    }
    assert_eq!(
        fetched,
        [
            (0, PackFile::Blob(3), 40..50),
            (1, PackFile::Blob(1), 7..27)
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random worlds, budgets, links, faults and flights: the invariants hold every frame
    /// (Sim::frame checks them), and once the camera stops and faults end, everything in view
    /// reaches its wanted level when it fits under the high-water mark.
    #[test]
    fn invariants_hold_on_random_flights(
        assets in 1usize..80,
        max_levels in 1usize..7,
        base in 200u64..20_000,
        seed in any::<u64>(),
        budget_kib in 64u64..20_000,
        latency in 0.0f64..0.2,
        bandwidth in 2.0e5f64..2.0e7,
        speed in 0.0f32..3.0,
        faults in any::<bool>(),
    ) {
        let mut sim = Sim::new(world(assets, max_levels, base, seed), settings(budget_kib << 10), latency, bandwidth);
        if faults {
            sim.link.add_fault(LinkFault::StatusEvery(4));
            sim.link.add_fault(LinkFault::CorruptEvery(7));
            sim.link.add_fault(LinkFault::Down { from: 1.0, until: 2.0 });
        }
        for _ in 0..240 {
            sim.view += speed;
            sim.frame(1.0 / 60.0);
        }
        sim.link.clear_faults();
        let fits = sim.wanted_bytes() <= (budget_kib << 10) * 85 / 100;
        for _ in 0..6_000 {
            sim.frame(1.0 / 60.0);
            if sim.settled() {
                break;
            }
        }
        if fits {
            prop_assert!(sim.settled(), "{:?}", sim.scheduler.stats());
        }
    }
}

#[test]
fn wanted_levels_lists_this_plans_wants_merged_per_asset() {
    let w = world(4, 3, 100, 7);
    let levels: Vec<u8> = w.assets.iter().map(|a| a.levels.len() as u8).collect();
    let mut scheduler = StreamScheduler::new(w.assets, SchedulerSettings::new(1 << 30)).unwrap();
    let want = |asset: u32, levels: u8| Want {
        asset,
        levels,
        distance: 1.0,
        scale: 1.0,
        in_frustum: true,
    };
    let mut actions = Vec::new();
    // Asset 0 wanted twice (merged to the most levels), asset 2 past its chain (clamped).
    scheduler.plan(0.0, &[want(0, 1), want(2, 200), want(0, 2)], &mut actions);
    let mut wanted: Vec<(u32, u8)> = scheduler.wanted_levels().collect();
    wanted.sort();
    assert_eq!(wanted, vec![(0, 2.min(levels[0])), (2, levels[2])]);
    // The next plan replaces them.
    scheduler.plan(0.1, &[want(3, 1)], &mut actions);
    assert_eq!(scheduler.wanted_levels().collect::<Vec<_>>(), vec![(3, 1)]);
    scheduler.plan(0.2, &[], &mut actions);
    assert_eq!(scheduler.wanted_levels().count(), 0);
}

#[test]
fn unwanted_detail_of_an_asset_seen_coarse_now_is_evicted_after_the_rest() {
    // Two assets of two levels; both reach full detail, then asset 1 stays wanted a frame
    // longer (so asset 0's detail is the least recently needed), then an entity in view wants
    // asset 0 coarse (it is coming closer) and nothing wants asset 1.
    let asset = || StreamedAsset {
        coarse_file: PackFile::Blob(0),
        file: PackFile::Blob(1),
        levels: [(0..10, 1.0, 100), (10..110, 0.0, 1000)]
            .into_iter()
            .map(|(range, error, resident_bytes)| LevelCost {
                range,
                resident_bytes,
                error,
            })
            .collect(),
    };
    let mut scheduler = StreamScheduler::new(vec![asset(), asset()], settings(1 << 20)).unwrap();
    let want = |asset: u32, levels: u8| Want {
        asset,
        levels,
        distance: 1.0,
        scale: 100.0,
        in_frustum: true,
    };
    let run = |scheduler: &mut StreamScheduler, frame: u32, wants: &[Want]| {
        let mut actions = Vec::new();
        scheduler.plan(f64::from(frame), wants, &mut actions);
        let mut evicted = Vec::new();
        for action in actions {
            match action {
                StreamAction::Fetch { id, .. } => {
                    let (asset, level) = scheduler.arrived(id, 10).expect("a live request");
                    assert!(scheduler.resident(asset, level));
                }
                StreamAction::Evict { asset, level } => evicted.push((asset, level)),
                StreamAction::Cancel(_) => {}
            }
        }
        evicted
    };
    for frame in 0..4 {
        run(&mut scheduler, frame, &[want(0, 2), want(1, 2)]);
    }
    assert_eq!(
        (scheduler.resident_levels(0), scheduler.resident_levels(1)),
        (2, 2)
    );
    run(&mut scheduler, 4, &[want(1, 2)]);
    scheduler.add_pressure(1); // room for one byte: one level goes
    let evicted = run(&mut scheduler, 5, &[want(0, 1)]);
    assert_eq!(
        evicted,
        [(1, 1)],
        "asset 0's detail, wanted again soon, outlives asset 1's more recently needed detail"
    );
}
