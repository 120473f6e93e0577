//! A frame's data on its way to the passes: the frame uniform and the instances uploaded,
//! and the draws each pass reads (`FrameInputs`).

use bytemuck::Zeroable;
use glam::{Mat4, Vec3};

use super::{FrameUniform, GpuPointLight, Renderer, SPOT_SHADOW_SLOT};
use crate::gpu::error::within;
use crate::gpu::frame_graph::{BlendedRun, Draw, FrameInputs};
use crate::gpu::{GpuContext, GpuError};
use crate::render::{
    Batch, BlendedStep, FrameDesc, FrameStats, GpuInstance, MAX_POINT_LIGHTS, MAX_SHADOW_CASCADES,
    TextureSetHandle,
};

impl Renderer {
    /// What the passes draw this frame: per batch, the camera's instances (opaque pass) and
    /// the shadow casters (shadow pass), clamped to the frame's instances; the skinned draws;
    /// and the blended ones of both after the others, merged back to front.
    pub(super) fn frame_inputs<'a>(
        &'a self,
        frame: &FrameDesc,
        stats: &mut FrameStats,
    ) -> FrameInputs<'a> {
        let clamp = |r: std::ops::Range<u32>| r.start..r.end.min(frame.instances.len() as u32);
        let mut draws = Vec::with_capacity(frame.batches.len());
        let mut casters = Vec::with_capacity(frame.batches.len());
        // A batch naming an unloaded mesh or an unknown texture set is skipped: assets may be
        // removed between the queue being built and the frame being drawn.
        let draw = |batch: &Batch, instances| {
            let mesh = self.meshes.get(&batch.mesh)?;
            let textures = self.texture_sets.get(batch.textures.0 as usize)?;
            Some(Draw {
                mesh,
                textures,
                instances,
                textured: batch.textures != TextureSetHandle::default(),
                surface: batch.surface,
            })
        };
        for batch in frame.batches {
            let Some(camera) = draw(batch, clamp(batch.instances.clone())) else {
                stats.skipped_batches += 1;
                continue;
            };
            // The blended ones are drawn in `blended_steps`' order (below).
            if !camera.instances.is_empty() && !batch.surface.is_blended() {
                draws.push(camera);
            }
            let shadow = clamp(batch.caster_instances());
            if !shadow.is_empty() {
                casters.extend(draw(batch, shadow));
            }
        }
        let mut skinned = self.skinned_inputs(frame, stats);
        // The blended draws, instanced and skinned merged back to front, after the others.
        let mut blended: Vec<BlendedRun> = Vec::new();
        for step in frame.blended_steps() {
            let run = match step {
                BlendedStep::Instances { batch, instances } => {
                    let Some(d) = draw(&frame.batches[batch], instances) else {
                        continue;
                    };
                    draws.push(d);
                    BlendedRun::Instanced(draws.len() - 1..draws.len())
                }
                BlendedStep::Skinned(slot) => {
                    let Some(d) = self.skinned_draw(frame, slot, stats) else {
                        continue;
                    };
                    skinned.push(d);
                    BlendedRun::Skinned(skinned.len() - 1..skinned.len())
                }
            };
            match (blended.last_mut(), run) {
                (Some(BlendedRun::Instanced(last)), BlendedRun::Instanced(next))
                | (Some(BlendedRun::Skinned(last)), BlendedRun::Skinned(next)) => {
                    last.end = next.end;
                }
                (_, run) => blended.push(run),
            }
        }
        FrameInputs {
            draws,
            casters,
            skinned,
            blended,
            instances: &self.instance_buffer,
            shadows: frame.sun.shadows,
            spot_shadow: self.config.spot_shadows && shadowed_spot(frame).is_some(),
            clear: wgpu::Color {
                r: frame.ambient.0.x as f64 * 0.5,
                g: frame.ambient.0.y as f64 * 0.5,
                b: frame.ambient.0.z as f64 * 0.5,
                a: 1.0,
            },
            overlay: &self.overlay,
        }
    }

    /// What the output passes need when presenting: no scene draws, the overlay.
    pub(super) fn present_inputs(&self) -> FrameInputs<'_> {
        FrameInputs {
            draws: Vec::new(),
            casters: Vec::new(),
            skinned: Vec::new(),
            blended: Vec::new(),
            instances: &self.instance_buffer,
            shadows: false,
            spot_shadow: false,
            clear: wgpu::Color::BLACK,
            overlay: &self.overlay,
        }
    }

    /// Writes the frame uniform and the instances (one copy) and grows the instance buffer
    /// when needed.
    pub(super) fn upload_frame(
        &mut self,
        gpu: &GpuContext,
        frame: &FrameDesc,
    ) -> Result<(), GpuError> {
        let needed = frame.instances.len().max(1);
        let capacity = self.instance_buffer.size() as usize / size_of::<GpuInstance>();
        if needed > capacity {
            let max_buffer = gpu.device.limits().max_buffer_size;
            let bytes = |n: usize| (n * size_of::<GpuInstance>()) as u64;
            within("the instance buffer", bytes(needed), max_buffer)?;
            // Grow by powers of two while the device allows, else to exactly what is needed.
            let grown = if bytes(needed.next_power_of_two()) <= max_buffer {
                needed.next_power_of_two()
            } else {
                needed
            };
            self.instance_buffer = gpu.scoped(|| Self::instance_buffer(&gpu.device, grown))?;
        }
        if !frame.instances.is_empty() {
            gpu.queue.write_buffer(
                &self.instance_buffer,
                0,
                bytemuck::cast_slice(frame.instances),
            );
        }
        let to_light = -frame.sun.direction.normalize_or(Vec3::NEG_Y);
        let size = self.config.shadow_map_size;
        let cascades = frame.sun.cascades(
            &frame.camera,
            frame.shadow_bounds,
            self.config.shadow_cascades as usize,
            size,
        );
        // A map's half-width is 1 / the first row's length (the light's rotation keeps length).
        let texels = cascades
            .view_projections
            .map(|m| 2.0 / m.row(0).truncate().length() / size as f32);
        let mut point_lights = [GpuPointLight::zeroed(); MAX_POINT_LIGHTS];
        let count = frame.point_lights.len().min(MAX_POINT_LIGHTS);
        let spot = shadowed_spot(frame).filter(|_| self.config.spot_shadows);
        for (i, (slot, light)) in point_lights.iter_mut().zip(frame.point_lights).enumerate() {
            // glTF's cone fade: saturate(cos * scale + offset), squared.
            let (direction, scale, offset) = match light.cone {
                Some(cone) => {
                    let cos_outer = cone.outer_angle.cos();
                    let cos_inner = cone.inner_angle.min(cone.outer_angle).cos();
                    let scale = 1.0 / (cos_inner - cos_outer).max(1e-3);
                    (
                        cone.direction.normalize_or(Vec3::NEG_Y),
                        scale,
                        -cos_outer * scale,
                    )
                }
                None => (Vec3::NEG_Y, 0.0, 1.0),
            };
            let shadowed = spot.is_some_and(|(at, _)| at == i);
            *slot = GpuPointLight {
                position_range: light.position.extend(light.range.max(1e-3)).to_array(),
                color_intensity: light.color.extend(light.intensity).to_array(),
                spot_direction_scale: direction.extend(scale).to_array(),
                spot_offset_shadow: [offset, if shadowed { 1.0 } else { 0.0 }, 0.0, 0.0],
            };
        }
        let mut light_view_proj = [[[0.0; 4]; 4]; MAX_SHADOW_CASCADES + 1];
        light_view_proj[..MAX_SHADOW_CASCADES]
            .copy_from_slice(&cascades.view_projections.map(|m| m.to_cols_array_2d()));
        if let Some((_, matrix)) = spot {
            light_view_proj[SPOT_SHADOW_SLOT] = matrix.to_cols_array_2d();
        }
        let texel = 1.0 / size as f32;
        let view_proj = frame.camera.projection * frame.camera.view;
        let uniform = FrameUniform {
            view_proj: view_proj.to_cols_array_2d(),
            inverse_view_proj: view_proj.inverse().to_cols_array_2d(),
            light_view_proj,
            cascade_ends: cascades.ends,
            cascade_texels: texels,
            camera_forward: cascades.forward.extend(cascades.count as f32).to_array(),
            camera_position: frame.camera.position.extend(1.0).to_array(),
            light_direction: to_light
                .extend(if frame.sun.shadows { 1.0 } else { 0.0 })
                .to_array(),
            light_color: (frame.sun.color * frame.sun.intensity)
                .extend(1.0)
                .to_array(),
            sky_color: frame.ambient.0.extend(1.0).to_array(),
            ground_color: frame.ambient.1.extend(1.0).to_array(),
            // A small depth bias; the normal offset is per cascade (`cascade_texels`).
            shadow_params: [0.0005, 1.5, texel, count as f32],
            spot_shadow: [
                spot.map_or(0.0, |(at, _)| frame.point_lights[at].range * 0.01),
                self.config
                    .shadow_cascades
                    .clamp(1, MAX_SHADOW_CASCADES as u32) as f32,
                0.0,
                0.0,
            ],
            point_lights,
        };
        gpu.queue
            .write_buffer(&self.frame_buffer, 0, bytemuck::bytes_of(&uniform));
        Ok(())
    }
}

/// The first spot light among the frame's lights that casts shadows, and its shadow matrix.
fn shadowed_spot(frame: &FrameDesc) -> Option<(usize, Mat4)> {
    frame.point_lights[..frame.point_lights.len().min(MAX_POINT_LIGHTS)]
        .iter()
        .enumerate()
        .find_map(|(i, light)| {
            let cone = light.cone.filter(|c| c.shadows)?;
            Some((i, cone.view_projection(light.position, light.range)))
        })
}
