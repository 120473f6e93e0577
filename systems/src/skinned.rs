//! Extraction of skinned entities: each one's joint matrices, placed in the world, and its
//! mesh, material and the material's surface into the render queue's skinned draws (its own
//! list, beside the instanced batches).

use layerw_components::{
    DrawPasses, GlobalTransform, JointMatrices, MaterialIndex, MaterialTextures, SkinnedMeshRef,
    Transform, Visibility,
};
use layerw_engine::render::{
    Materials, PASS_MAIN, PASS_SHADOW, RenderQueue, SkinnedMaterial, Surface,
};
use layerw_engine::schedule::System;

/// Fills [`RenderQueue::skinned`] with every visible entity that has a [`SkinnedMeshRef`],
/// [`JointMatrices`] and a transform (its [`GlobalTransform`] when it has one): one draw
/// each, its joints in world space, uploaded once per frame by the renderer, with its
/// material's [`Surface`] from the [`Materials`] resource (opaque without one): masked,
/// blended (drawn after the opaque ones, back to front, casting no shadow) or double-sided.
/// [`DrawPasses`] chooses the main pass, the shadow map or both (absent: both). Put it in
/// `Stage::Render`, after [`animate`](crate::animate) has run in Update.
pub fn extract_skinned() -> System {
    System::new("layerw::extract_skinned", |ctx| {
        // The surface table, built the first time an entity needs it.
        let materials = ctx.try_resource::<Materials>().ok();
        let mut surfaces: Option<Vec<Surface>> = None;
        let mut queue = ctx.resource_mut::<RenderQueue>();
        queue.skinned.clear();
        let mut query = ctx.query::<(
            &SkinnedMeshRef,
            &JointMatrices,
            &Transform,
            Option<&GlobalTransform>,
            Option<&MaterialIndex>,
            Option<&MaterialTextures>,
            Option<&Visibility>,
            Option<&DrawPasses>,
        )>();
        for (mesh, joints, local, global, material, textures, visibility, passes) in query.iter() {
            if visibility == Some(&Visibility::Hidden) {
                continue;
            }
            let passes = passes.map_or(PASS_MAIN | PASS_SHADOW, |p| p.0);
            if passes & PASS_MAIN == 0 {
                // The skinned list draws every entry in the main pass.
                continue;
            }
            let world = global.map_or(local, |g| &g.0).to_matrix();
            let index = material.map_or(0, |m| m.0);
            let surface = materials.as_ref().map_or(Surface::OPAQUE, |m| {
                let table = surfaces.get_or_insert_with(|| m.surfaces());
                table
                    .get(usize::from(index))
                    .copied()
                    .unwrap_or(Surface::OPAQUE)
            });
            queue.skinned.push(
                mesh.0,
                textures.map(|t| t.0).unwrap_or_default(),
                SkinnedMaterial {
                    index: u32::from(index),
                    surface,
                },
                world,
                &joints.0,
                passes & PASS_SHADOW != 0,
            );
        }
    })
    .reads::<SkinnedMeshRef>()
    .reads::<JointMatrices>()
    .reads::<Transform>()
    .reads::<GlobalTransform>()
    .reads::<MaterialIndex>()
    .reads::<MaterialTextures>()
    .reads::<Visibility>()
    .reads::<DrawPasses>()
    .reads_resource::<Materials>()
    .writes_resource::<RenderQueue>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::{Mat4, Vec3};
    use layerw_engine::ecs::World;
    use layerw_engine::render::{AlphaMode, MaterialParams, Mesh, SkinnedMesh, SkinnedMeshes};
    use layerw_engine::schedule::{Schedule, Stage};

    #[test]
    fn skinned_entities_become_one_draw_each_with_world_space_joints() {
        let mut meshes = SkinnedMeshes::default();
        let cube = Mesh::cube(1.0);
        let n = cube.positions.len();
        let handle = meshes
            .add(SkinnedMesh {
                mesh: cube,
                joints: vec![[0, 1, 0, 0]; n],
                weights: vec![[0.5, 0.5, 0.0, 0.0]; n],
            })
            .unwrap();
        let mut world = World::new();
        world.insert_resource(RenderQueue::new());
        let lift = Mat4::from_translation(Vec3::Y);
        let joints = JointMatrices(vec![Mat4::IDENTITY, lift]);
        world.spawn((
            Transform::from_translation(Vec3::new(4.0, 0.0, 0.0)),
            SkinnedMeshRef(handle),
            joints.clone(),
            MaterialIndex(7),
        ));
        world.spawn((
            Transform::IDENTITY,
            SkinnedMeshRef(handle),
            joints.clone(),
            DrawPasses(PASS_MAIN),
        ));
        world.spawn((
            Transform::IDENTITY,
            SkinnedMeshRef(handle),
            joints,
            Visibility::Hidden,
        ));
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Render, extract_skinned());
        schedule.run_frame(&mut world, 0.016);
        schedule.run_frame(&mut world, 0.016);
        let queue = world.resource::<RenderQueue>();
        let skinned = &queue.skinned;
        // Two visible entities (the hidden one is left out), rebuilt each frame.
        assert_eq!(skinned.draws.len(), 2);
        assert_eq!(skinned.joints.len(), 4);
        let moved = skinned.draws.iter().find(|d| d.material == 7).unwrap();
        assert!(moved.casts_shadows);
        // The second joint: the entity's 4 m along X and the joint's 1 m up.
        let row = |r: usize| skinned.joints[moved.joints.start as usize + 1][r];
        assert_eq!((row(0)[3], row(1)[3]), (4.0, 1.0));
        assert!(skinned.draws.iter().any(|d| !d.casts_shadows));
        // No Materials resource: every draw opaque.
        assert!(skinned.draws.iter().all(|d| d.surface == Surface::OPAQUE));
    }

    #[test]
    fn skinned_draws_take_their_materials_surface() {
        let mut meshes = SkinnedMeshes::default();
        let cube = Mesh::cube(1.0);
        let n = cube.positions.len();
        let handle = meshes
            .add(SkinnedMesh {
                mesh: cube,
                joints: vec![[0, 0, 0, 0]; n],
                weights: vec![[1.0, 0.0, 0.0, 0.0]; n],
            })
            .unwrap();
        let mut world = World::new();
        world.insert_resource(RenderQueue::new());
        let glass = MaterialParams {
            alpha_mode: AlphaMode::Blend,
            ..Default::default()
        };
        let cloth = MaterialParams {
            alpha_mode: AlphaMode::Mask,
            double_sided: true,
            ..Default::default()
        };
        let mut materials = Materials::default();
        materials
            .set(vec![MaterialParams::default(), glass, cloth])
            .unwrap();
        world.insert_resource(materials);
        for (index, z) in [(0u16, 0.0), (1, 2.0), (2, 0.0), (1, -2.0)] {
            world.spawn((
                Transform::from_translation(Vec3::new(0.0, 0.0, z)),
                SkinnedMeshRef(handle),
                JointMatrices(vec![Mat4::IDENTITY]),
                MaterialIndex(index),
            ));
        }
        let mut schedule = Schedule::new();
        schedule.add_system(Stage::Render, extract_skinned());
        schedule.run_frame(&mut world, 0.016);
        let queue = world.resource::<RenderQueue>();
        let draws = &queue.skinned.draws;
        assert_eq!(draws.len(), 4);
        for draw in draws {
            let expected = match draw.material {
                1 => Surface::of(&glass),
                2 => Surface::of(&cloth),
                _ => Surface::OPAQUE,
            };
            assert_eq!(draw.surface, expected, "material {}", draw.material);
            // The blended ones cast no shadow.
            assert_eq!(draw.casts_shadows, draw.material != 1);
        }
    }
}
