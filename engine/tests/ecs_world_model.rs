//! The World against a HashMap reference model, under random operations (after hecs's
//! tests/world_model.rs): spawn, spawn_batch, despawn, insert, insert_one, remove, remove_one,
//! get, contains, len, clear and command buffers.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

use layerw_engine::ecs::{CommandBuffer, Entity, EntityError, World};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A unique tag per spawned entity, so entities spawned through command buffers (whose
/// handles are not returned) can be matched to the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Tag(u64);
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct A(u32);
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct B(u64);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Row {
    a: Option<A>,
    b: Option<B>,
}

/// A HashMap with fixed hash keys: iteration order (used to pick entities) must not vary
/// between runs, or the fixed seed would not make the test reproducible.
type FixedMap<K, V> = HashMap<K, V, BuildHasherDefault<DefaultHasher>>;

#[derive(Default)]
struct Model {
    rows: FixedMap<Entity, (Tag, Row)>,
    /// Entities spawned by a command buffer, known by tag until the buffer is applied.
    pending: FixedMap<Tag, Row>,
    next_tag: u64,
    /// Every entity handle ever seen, to test stale handles too.
    seen: Vec<Entity>,
}

impl Model {
    fn tag(&mut self) -> Tag {
        self.next_tag += 1;
        Tag(self.next_tag)
    }
}

fn random_row(rng: &mut SmallRng) -> Row {
    Row {
        a: rng.random_bool(0.6).then(|| A(rng.random())),
        b: rng.random_bool(0.6).then(|| B(rng.random())),
    }
}

fn spawn(world: &mut World, tag: Tag, row: Row) -> Entity {
    match (row.a, row.b) {
        (Some(a), Some(b)) => world.spawn((tag, a, b)),
        (Some(a), None) => world.spawn((tag, a)),
        (None, Some(b)) => world.spawn((tag, b)),
        (None, None) => world.spawn((tag,)),
    }
}

fn spawn_cmd(cmd: &mut CommandBuffer, tag: Tag, row: Row) {
    match (row.a, row.b) {
        (Some(a), Some(b)) => cmd.spawn((tag, a, b)),
        (Some(a), None) => cmd.spawn((tag, a)),
        (None, Some(b)) => cmd.spawn((tag, b)),
        (None, None) => cmd.spawn((tag,)),
    }
}

/// An entity to operate on: usually a live one, sometimes a stale one.
fn pick(rng: &mut SmallRng, model: &Model) -> Option<Entity> {
    if model.seen.is_empty() {
        return None;
    }
    if rng.random_bool(0.85) && !model.rows.is_empty() {
        let n = rng.random_range(0..model.rows.len());
        model.rows.keys().nth(n).copied()
    } else {
        Some(model.seen[rng.random_range(0..model.seen.len())])
    }
}

fn check_all(world: &World, model: &Model) {
    assert_eq!(world.len() as usize, model.rows.len());
    let mut found = 0;
    for (e, tag, a, b) in world
        .query::<(Entity, &Tag, Option<&A>, Option<&B>)>()
        .iter()
    {
        let (model_tag, row) = model.rows.get(&e).expect("entity not in model");
        assert_eq!(tag, model_tag);
        assert_eq!(a.copied(), row.a, "{e:?}");
        assert_eq!(b.copied(), row.b, "{e:?}");
        found += 1;
    }
    assert_eq!(found, model.rows.len());
    for e in &model.seen {
        assert_eq!(world.contains(*e), model.rows.contains_key(e), "{e:?}");
    }
}

#[test]
fn world_matches_model_under_random_operations() {
    let mut rng = SmallRng::seed_from_u64(0x4c61_7965_722d_5700);
    let mut world = World::new();
    let mut model = Model::default();
    let mut cmd = CommandBuffer::new();
    let steps = if cfg!(miri) { 200 } else { 20_000 };

    for step in 0..steps {
        match rng.random_range(0..100) {
            // spawn
            0..=19 => {
                let tag = model.tag();
                let row = random_row(&mut rng);
                let e = spawn(&mut world, tag, row);
                assert!(!model.rows.contains_key(&e));
                model.rows.insert(e, (tag, row));
                model.seen.push(e);
            }
            // spawn_batch (one archetype per batch)
            20..=22 => {
                let n = rng.random_range(0..20);
                let with_b = rng.random_bool(0.5);
                let rows: Vec<(Tag, Row)> = (0..n)
                    .map(|_| {
                        let row = Row {
                            a: Some(A(rng.random())),
                            b: with_b.then(|| B(rng.random())),
                        };
                        (model.tag(), row)
                    })
                    .collect();
                let entities = if with_b {
                    world.spawn_batch(rows.iter().map(|(t, r)| (*t, r.a.unwrap(), r.b.unwrap())))
                } else {
                    world.spawn_batch(rows.iter().map(|(t, r)| (*t, r.a.unwrap())))
                };
                assert_eq!(entities.len(), rows.len());
                for (e, (tag, row)) in entities.into_iter().zip(rows) {
                    model.rows.insert(e, (tag, row));
                    model.seen.push(e);
                }
            }
            // despawn
            23..=34 => {
                let Some(e) = pick(&mut rng, &model) else {
                    continue;
                };
                let expected = match model.rows.remove(&e) {
                    Some(_) => Ok(()),
                    None => Err(EntityError::NoSuchEntity { entity: e }),
                };
                assert_eq!(world.despawn(e), expected);
            }
            // insert_one
            35..=46 => {
                let Some(e) = pick(&mut rng, &model) else {
                    continue;
                };
                let live = model.rows.get_mut(&e);
                let result = if rng.random_bool(0.5) {
                    let a = A(rng.random());
                    if let Some((_, row)) = live {
                        row.a = Some(a);
                    }
                    world.insert_one(e, a)
                } else {
                    let b = B(rng.random());
                    if let Some((_, row)) = live {
                        row.b = Some(b);
                    }
                    world.insert_one(e, b)
                };
                assert_eq!(result.is_ok(), model.rows.contains_key(&e));
            }
            // insert (bundle)
            47..=51 => {
                let Some(e) = pick(&mut rng, &model) else {
                    continue;
                };
                let (a, b) = (A(rng.random()), B(rng.random()));
                if let Some((_, row)) = model.rows.get_mut(&e) {
                    *row = Row {
                        a: Some(a),
                        b: Some(b),
                    };
                }
                assert_eq!(world.insert(e, (a, b)).is_ok(), model.rows.contains_key(&e));
            }
            // remove_one
            52..=61 => {
                let Some(e) = pick(&mut rng, &model) else {
                    continue;
                };
                if rng.random_bool(0.5) {
                    let expected = match model.rows.get_mut(&e) {
                        None => Err(EntityError::NoSuchEntity { entity: e }),
                        Some((_, row)) => row.a.take().ok_or(EntityError::MissingComponent {
                            entity: e,
                            component: core::any::type_name::<A>(),
                        }),
                    };
                    assert_eq!(world.remove_one::<A>(e), expected);
                } else {
                    let expected = match model.rows.get_mut(&e) {
                        None => Err(EntityError::NoSuchEntity { entity: e }),
                        Some((_, row)) => row.b.take().ok_or(EntityError::MissingComponent {
                            entity: e,
                            component: core::any::type_name::<B>(),
                        }),
                    };
                    assert_eq!(world.remove_one::<B>(e), expected);
                }
            }
            // remove (bundle): all or nothing
            62..=64 => {
                let Some(e) = pick(&mut rng, &model) else {
                    continue;
                };
                let result = world.remove::<(A, B)>(e);
                match model.rows.get_mut(&e) {
                    None => assert_eq!(result, Err(EntityError::NoSuchEntity { entity: e })),
                    Some((_, row)) => match (row.a, row.b) {
                        (Some(a), Some(b)) => {
                            assert_eq!(result, Ok((a, b)));
                            *row = Row::default();
                        }
                        _ => assert!(matches!(
                            result,
                            Err(EntityError::MissingComponent { entity, .. }) if entity == e
                        )),
                    },
                }
            }
            // get
            65..=79 => {
                let Some(e) = pick(&mut rng, &model) else {
                    continue;
                };
                let a = world.get::<A>(e).map(|r| *r);
                let b = world.get::<B>(e).map(|r| *r);
                match model.rows.get(&e) {
                    None => {
                        assert_eq!(a, Err(EntityError::NoSuchEntity { entity: e }));
                        assert_eq!(b, Err(EntityError::NoSuchEntity { entity: e }));
                    }
                    Some((_, row)) => {
                        assert_eq!(a.ok(), row.a);
                        assert_eq!(b.ok(), row.b);
                    }
                }
            }
            // record a few commands, then apply them; the model applies each command as it
            // is recorded, which matches because application keeps recording order and no
            // direct operation comes in between
            80..=94 => {
                for _ in 0..rng.random_range(1..=4) {
                    let target = pick(&mut rng, &model);
                    match (rng.random_range(0..5), target) {
                        (0, _) | (_, None) => {
                            let tag = model.tag();
                            let row = random_row(&mut rng);
                            spawn_cmd(&mut cmd, tag, row);
                            model.pending.insert(tag, row);
                        }
                        (1, Some(e)) => {
                            cmd.despawn(e);
                            model.rows.remove(&e);
                        }
                        (2, Some(e)) => {
                            let a = A(rng.random());
                            cmd.insert_one(e, a);
                            if let Some((_, row)) = model.rows.get_mut(&e) {
                                row.a = Some(a);
                            }
                        }
                        (3, Some(e)) => {
                            cmd.remove_one::<B>(e);
                            if let Some((_, row)) = model.rows.get_mut(&e) {
                                row.b = None;
                            }
                        }
                        (_, Some(e)) => {
                            cmd.remove::<(A, B)>(e);
                            if let Some((_, row)) = model.rows.get_mut(&e)
                                && row.a.is_some()
                                && row.b.is_some()
                            {
                                *row = Row::default();
                            }
                        }
                    }
                }
                assert!(!cmd.is_empty());
                cmd.run_on(&mut world);
                assert!(cmd.is_empty());
                if !model.pending.is_empty() {
                    for (e, tag) in world.query::<(Entity, &Tag)>().iter() {
                        if let Some(row) = model.pending.remove(tag) {
                            model.rows.insert(e, (*tag, row));
                            model.seen.push(e);
                        }
                    }
                    assert!(model.pending.is_empty());
                }
            }
            // clear (rare): handles are reused afterwards, so forget the stale ones
            95 if rng.random_bool(0.05) => {
                world.clear();
                model.rows.clear();
                model.seen.clear();
                assert!(world.is_empty());
            }
            // contains / len
            _ => {
                if let Some(e) = pick(&mut rng, &model) {
                    assert_eq!(world.contains(e), model.rows.contains_key(&e));
                }
                assert_eq!(world.len() as usize, model.rows.len());
            }
        }
        if step % 500 == 0 {
            check_all(&world, &model);
        }
    }
    check_all(&world, &model);
}
