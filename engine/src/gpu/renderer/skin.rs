//! Skinned meshes on the GPU: their uploads (the mesh's `Vertex` stream plus a skin stream of
//! joints and weights) and each frame's joints, written once per frame into a fixed uniform
//! buffer of [`MAX_SKINNED_DRAWS`] blocks, one per skinned draw, bound at a dynamic offset.

use bytemuck::{Pod, Zeroable};

use super::{GpuMesh, Renderer};
use crate::gpu::frame_graph::SkinnedGpuDraw;
use crate::gpu::{GpuContext, GpuError};
use crate::render::{
    FrameDesc, FrameStats, MAX_GPU_JOINTS, MAX_SKINNED_DRAWS, RenderQueue, SkinnedMesh,
    SkinnedMeshes,
};

/// One draw's uniform block: a 16-byte header (the material index) and [`MAX_GPU_JOINTS`]
/// joints of three 16-byte rows, rounded up to the 256-byte dynamic offset alignment.
pub(crate) const SKIN_BLOCK_BYTES: u64 = (16 + MAX_GPU_JOINTS as u64 * 48).next_multiple_of(256);

/// A vertex's skin stream: four joint indices and four weights in unorm16 (summing to 65535).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(crate) struct SkinVertex {
    joints: [u16; 4],
    weights: [u16; 4],
}

impl SkinVertex {
    /// Quantises the weights so they still sum to exactly 1 (the rounding goes to the
    /// largest).
    fn new(joints: [u16; 4], weights: [f32; 4]) -> SkinVertex {
        let mut quantised = weights.map(|w| (w.clamp(0.0, 1.0) * 65535.0).round() as i32);
        let largest = (0..4).max_by_key(|&i| quantised[i]).unwrap_or(0);
        quantised[largest] += 65535 - quantised.iter().sum::<i32>();
        SkinVertex {
            joints,
            weights: quantised.map(|w| w.clamp(0, 65535) as u16),
        }
    }
}

/// A skinned mesh's GPU buffers.
pub(crate) struct GpuSkinnedMesh {
    /// Its vertices and indices, as a static mesh's.
    pub(crate) mesh: GpuMesh,
    /// Its skin stream.
    pub(crate) skin: wgpu::Buffer,
}

/// The fixed buffer of skin blocks.
pub(super) fn skin_buffer(device: &wgpu::Device) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("skin joints"),
        size: SKIN_BLOCK_BYTES * MAX_SKINNED_DRAWS as u64,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

impl Renderer {
    /// Uploads the skinned meshes of `meshes` the GPU does not have yet (meshes are only ever
    /// added to the store), their vertices staged in the queue's Render-tier arena.
    pub fn sync_skinned_meshes(
        &mut self,
        gpu: &GpuContext,
        meshes: &SkinnedMeshes,
        staging: &RenderQueue,
    ) -> Result<(), GpuError> {
        for (handle, mesh) in meshes.iter().skip(self.skinned_meshes.len()) {
            let uploaded = gpu.scoped(|| Self::upload_skinned(gpu, mesh, staging))??;
            debug_assert_eq!(handle.0 as usize, self.skinned_meshes.len());
            self.skinned_meshes.push(uploaded);
        }
        Ok(())
    }

    fn upload_skinned(
        gpu: &GpuContext,
        mesh: &SkinnedMesh,
        staging: &RenderQueue,
    ) -> Result<GpuSkinnedMesh, GpuError> {
        use wgpu::util::DeviceExt;
        let gpu_mesh = Self::upload_mesh(gpu, &mesh.mesh, staging)?;
        let skin = staging
            .with_staging(
                mesh.joints.len(),
                |i| SkinVertex::new(mesh.joints[i], mesh.weights[i]),
                |vertices| {
                    gpu.device
                        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                            label: Some("skin stream"),
                            contents: bytemuck::cast_slice(vertices),
                            usage: wgpu::BufferUsages::VERTEX,
                        })
                },
            )
            .map_err(GpuError::OutOfMemory)?;
        Ok(GpuSkinnedMesh {
            mesh: gpu_mesh,
            skin,
        })
    }

    /// Writes each skinned draw's block (material and joints) into the skin buffer: one write
    /// for the frame. Draws past [`MAX_SKINNED_DRAWS`] get no block (and are not drawn).
    pub(super) fn upload_skins(&self, gpu: &GpuContext, frame: &FrameDesc) {
        let draws = &frame.skinned.draws[..frame.skinned.draws.len().min(MAX_SKINNED_DRAWS)];
        if draws.is_empty() {
            return;
        }
        let mut bytes = vec![0u8; SKIN_BLOCK_BYTES as usize * draws.len()];
        for (block, draw) in bytes.chunks_exact_mut(SKIN_BLOCK_BYTES as usize).zip(draws) {
            block[..4].copy_from_slice(&draw.material.to_le_bytes());
            let start = (draw.joints.start as usize).min(frame.skinned.joints.len());
            let end = (draw.joints.end as usize).clamp(start, frame.skinned.joints.len());
            let joints = &frame.skinned.joints[start..end.min(start + MAX_GPU_JOINTS)];
            let rows: &[u8] = bytemuck::cast_slice(joints);
            block[16..16 + rows.len()].copy_from_slice(rows);
        }
        gpu.queue.write_buffer(&self.skin_buffer, 0, &bytes);
    }

    /// The unblended skinned draws the passes record, in the order extracted (the blended
    /// ones are merged with the blended batches: `frame_inputs`).
    pub(super) fn skinned_inputs<'a>(
        &'a self,
        frame: &FrameDesc,
        stats: &mut FrameStats,
    ) -> Vec<SkinnedGpuDraw<'a>> {
        let draws = &frame.skinned.draws;
        (0..draws.len())
            .filter(|&slot| !draws[slot].surface.is_blended())
            .filter_map(|slot| self.skinned_draw(frame, slot, stats))
            .collect()
    }

    /// The skinned draw in `slot` of the frame's, when its mesh and texture set are on the
    /// GPU and it is within [`MAX_SKINNED_DRAWS`] (else it counts as a skipped batch), with
    /// its joints' block.
    pub(super) fn skinned_draw<'a>(
        &'a self,
        frame: &FrameDesc,
        slot: usize,
        stats: &mut FrameStats,
    ) -> Option<SkinnedGpuDraw<'a>> {
        let draw = frame.skinned.draws.get(slot)?;
        let (Some(mesh), Some(textures)) = (
            self.skinned_meshes.get(draw.mesh.0 as usize),
            self.texture_sets.get(draw.textures.0 as usize),
        ) else {
            stats.skipped_batches += 1;
            return None;
        };
        if slot >= MAX_SKINNED_DRAWS {
            stats.skipped_batches += 1;
            return None;
        }
        Some(SkinnedGpuDraw {
            mesh,
            textures,
            offset: (slot as u64 * SKIN_BLOCK_BYTES) as wgpu::DynamicOffset,
            casts_shadows: draw.casts_shadows,
            surface: draw.surface,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_weights_sum_to_one() {
        let v = SkinVertex::new([0, 1, 2, 3], [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0]);
        assert_eq!(v.weights.iter().map(|&w| u32::from(w)).sum::<u32>(), 65535);
        assert_eq!(SKIN_BLOCK_BYTES, 12288);
    }
}
