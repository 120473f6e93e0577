//! Uploads: meshes (packed vertices staged in the Render tier), texture sets and the material
//! table, kept in step with the CPU-side assets.

use glam::Vec3;

use bytemuck::Zeroable;

use super::{GpuMaterial, GpuMesh, Renderer, Vertex};
use crate::gpu::{GpuContext, GpuError};
use crate::render::{
    AlphaMode, Indices, MAX_MATERIALS, MaterialParams, Materials, Mesh, MeshAssets, RenderQueue,
    TextureAssets, TextureHandle, TextureImage,
};

/// A texture uploaded from the assets.
pub(super) struct GpuTexture {
    pub(super) view: wgpu::TextureView,
    /// Bytes of its mip chain.
    pub(super) bytes: u64,
}

/// What the asset uploads hold on the GPU: a [`Renderer::residency`] reading, published by
/// [`GpuRenderer`](crate::gpu::GpuRenderer) as a resource after every frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GpuResidency {
    /// Meshes with GPU buffers.
    pub meshes: usize,
    /// Their vertex and index buffer bytes.
    pub mesh_bytes: u64,
    /// Textures on the GPU (the renderer's neutral 1x1 maps not counted).
    pub textures: usize,
    /// Their bytes (every mip level, 4 bytes a texel).
    pub texture_bytes: u64,
}

/// A unit vector in 32 bits: octahedral mapping, two snorm16 (error under 0.05 degrees).
fn octahedral(v: Vec3) -> u32 {
    let v = v.normalize_or(Vec3::Z);
    let v = v / (v.x.abs() + v.y.abs() + v.z.abs());
    let (x, y) = if v.z >= 0.0 {
        (v.x, v.y)
    } else {
        (
            (1.0 - v.y.abs()) * v.x.signum(),
            (1.0 - v.x.abs()) * v.y.signum(),
        )
    };
    let snorm = |c: f32| (c.clamp(-1.0, 1.0) * 32767.0).round() as i16 as u16 as u32;
    snorm(x) | (snorm(y) << 16)
}

impl Renderer {
    /// Uploads the meshes of `assets` the GPU does not have yet (or that changed there) and
    /// frees the GPU buffers of the ones removed there (cheap when nothing changed: a version
    /// check). Vertices and indices are packed into `staging`'s Render-tier arena and uploaded
    /// from there. An exhausted Render tier is an error that loses nothing: meshes not
    /// uploaded yet are retried on the next call.
    pub fn sync_meshes(
        &mut self,
        gpu: &GpuContext,
        assets: &MeshAssets,
        staging: &RenderQueue,
    ) -> Result<(), GpuError> {
        if self.mesh_version == Some(assets.version()) {
            return Ok(());
        }
        // Dropping a buffer frees its memory once the GPU is done with it (wgpu tracks that).
        self.meshes
            .retain(|handle, _| assets.get(*handle).is_some());
        let seen = self.mesh_version.unwrap_or(0);
        for (handle, mesh) in assets.assets().changed_since(seen) {
            self.meshes.insert(
                handle,
                gpu.scoped(|| Self::upload_mesh(gpu, mesh, staging))??,
            );
        }
        for (handle, mesh) in assets.iter() {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.meshes.entry(handle) {
                slot.insert(gpu.scoped(|| Self::upload_mesh(gpu, mesh, staging))??);
            }
        }
        self.mesh_version = Some(assets.version());
        self.count_residency();
        Ok(())
    }

    /// Uploads the textures of `assets` the GPU does not have yet (or that changed there),
    /// frees the removed ones and rebuilds the texture sets' bind groups (cheap when nothing
    /// changed: a version check). A set naming a removed texture reads that map as neutral.
    /// A texture whose mip chain is malformed is skipped (logged), never uploaded.
    pub fn sync_textures(&mut self, gpu: &GpuContext, assets: &TextureAssets) {
        if self.texture_version == Some(assets.version()) && !self.texture_sets.is_empty() {
            return;
        }
        // Bind groups hold their textures: the old sets go first so removed textures free.
        self.texture_sets.clear();
        self.textures
            .retain(|handle, _| assets.get(*handle).is_some());
        // The store's own version (the combined one also counts texture sets).
        let changed: std::collections::HashSet<TextureHandle> = assets
            .assets()
            .changed_since(self.texture_store_version)
            .map(|(handle, _)| handle)
            .collect();
        for (handle, texture) in assets.textures() {
            if self.textures.contains_key(&handle) && !changed.contains(&handle) {
                continue;
            }
            let edge = texture.mips.first().map_or(0, |m| m.width.max(m.height));
            if let Err(e) = crate::gpu::error::within(
                "a texture's edge",
                u64::from(edge),
                u64::from(gpu.device.limits().max_texture_dimension_2d),
            ) {
                tracing::error!("texture {handle:?} not uploaded: {e}");
                continue;
            }
            match mip_chain_bytes(&texture.mips) {
                Some(bytes) => {
                    match gpu.scoped(|| upload_texture(gpu, &texture.mips, texture.srgb)) {
                        Ok(view) => {
                            self.textures.insert(handle, GpuTexture { view, bytes });
                        }
                        Err(e) => tracing::error!("texture {handle:?} not uploaded: {e}"),
                    }
                }
                None => {
                    tracing::error!("texture {handle:?} has a malformed mip chain; not uploaded")
                }
            }
        }
        let [white_srgb, white_linear, flat_normal] = &self.neutral;
        self.texture_sets = assets
            .sets()
            .map(|(_, set)| {
                let view = |handle: Option<TextureHandle>, fallback| {
                    handle
                        .and_then(|h| self.textures.get(&h))
                        .map_or(fallback, |t| &t.view)
                };
                let views = [
                    view(set.base_color, white_srgb),
                    view(set.normal, flat_normal),
                    view(set.metallic_roughness, white_linear),
                    view(set.emissive, white_srgb),
                    view(set.occlusion, white_linear),
                ];
                let mut entries: Vec<wgpu::BindGroupEntry> = views
                    .iter()
                    .enumerate()
                    .map(|(i, v)| wgpu::BindGroupEntry {
                        binding: i as u32,
                        resource: wgpu::BindingResource::TextureView(v),
                    })
                    .collect();
                entries.push(wgpu::BindGroupEntry {
                    binding: 5,
                    resource: wgpu::BindingResource::Sampler(&self.material_sampler),
                });
                gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("material textures"),
                    layout: &self.texture_layout,
                    entries: &entries,
                })
            })
            .collect();
        self.texture_version = Some(assets.version());
        self.texture_store_version = assets.assets().version();
        self.count_residency();
    }

    /// Uploads the material table when it changed.
    pub fn sync_materials(
        &mut self,
        gpu: &GpuContext,
        materials: &Materials,
    ) -> Result<(), GpuError> {
        if self.material_version == Some(materials.version()) {
            return Ok(());
        }
        self.set_materials(gpu, &materials.items())?;
        self.material_version = Some(materials.version());
        Ok(())
    }

    /// Packs a mesh's vertices in the Render-tier arena (the queue's staging) and uploads
    /// them from there.
    pub(super) fn upload_mesh(
        gpu: &GpuContext,
        mesh: &Mesh,
        staging: &RenderQueue,
    ) -> Result<GpuMesh, GpuError> {
        use wgpu::util::DeviceExt;
        let max_buffer = gpu.device.limits().max_buffer_size;
        let vertex_bytes = (mesh.positions.len() * size_of::<Vertex>()) as u64;
        crate::gpu::error::within("a mesh's vertex buffer", vertex_bytes, max_buffer)?;
        let index_bytes = match &mesh.indices {
            Indices::U16(v) => v.len().next_multiple_of(2) * 2,
            Indices::U32(v) => v.len() * 4,
        } as u64;
        crate::gpu::error::within("a mesh's index buffer", index_bytes, max_buffer)?;
        let vertices = staging
            .with_staging(
                mesh.positions.len(),
                |i| Vertex {
                    position: mesh.positions[i].to_array(),
                    normal: octahedral(mesh.normals[i]),
                    uv: mesh.uvs[i].to_array(),
                    tangent: octahedral(mesh.tangents[i].truncate()),
                    handedness: if mesh.tangents[i].w < 0.0 { -1.0 } else { 1.0 },
                },
                |vertices| {
                    gpu.device
                        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                            label: Some("mesh vertices"),
                            contents: bytemuck::cast_slice(vertices),
                            usage: wgpu::BufferUsages::VERTEX,
                        })
                },
            )
            .map_err(GpuError::OutOfMemory)?;
        let index_buffer = |bytes: &[u8]| {
            gpu.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("mesh indices"),
                    contents: bytes,
                    usage: wgpu::BufferUsages::INDEX,
                })
        };
        let (indices, format) = match &mesh.indices {
            // Index buffers must be a multiple of 4 bytes long: an odd u16 count gets a pad.
            Indices::U16(v) => (
                staging.with_staging(
                    v.len().next_multiple_of(2),
                    |i| v.get(i).copied().unwrap_or(0),
                    |staged| index_buffer(bytemuck::cast_slice(staged)),
                ),
                wgpu::IndexFormat::Uint16,
            ),
            Indices::U32(v) => (
                staging.with_staging(
                    v.len(),
                    |i| v[i],
                    |staged| index_buffer(bytemuck::cast_slice(staged)),
                ),
                wgpu::IndexFormat::Uint32,
            ),
        };
        let indices = indices.map_err(GpuError::OutOfMemory)?;
        Ok(GpuMesh {
            bytes: vertices.size() + indices.size(),
            vertices,
            indices,
            format,
            index_count: mesh.indices.len() as u32,
        })
    }

    /// What is resident on the GPU now: meshes and textures uploaded from the assets, and
    /// their bytes (the renderer's own targets and tables are not counted).
    /// Counted at each sync that changed something, so reading it every frame is free.
    pub fn residency(&self) -> GpuResidency {
        self.residency
    }

    fn count_residency(&mut self) {
        self.residency = GpuResidency {
            meshes: self.meshes.len(),
            mesh_bytes: self.meshes.values().map(|m| m.bytes).sum(),
            textures: self.textures.len(),
            texture_bytes: self.textures.values().map(|t| t.bytes).sum(),
        };
    }

    /// Replaces the material table (instances name materials by index).
    pub fn set_materials(
        &self,
        gpu: &GpuContext,
        materials: &[MaterialParams],
    ) -> Result<(), GpuError> {
        if materials.len() > MAX_MATERIALS {
            return Err(GpuError::TooManyMaterials {
                requested: materials.len(),
                maximum: MAX_MATERIALS,
            });
        }
        let mut table = [GpuMaterial::zeroed(); MAX_MATERIALS];
        for (slot, m) in table.iter_mut().zip(materials) {
            let cutoff = match m.alpha_mode {
                AlphaMode::Mask => m.alpha_cutoff,
                AlphaMode::Opaque | AlphaMode::Blend => 0.0,
            };
            let uv = &m.texture_transform;
            *slot = GpuMaterial {
                base_color: m.base_color.to_array(),
                emissive_metallic: (m.emissive * m.emissive_strength)
                    .extend(m.metallic)
                    .to_array(),
                surface: [m.roughness, m.occlusion, cutoff, uv.rotation],
                uv_offset_scale: [uv.offset.x, uv.offset.y, uv.scale.x, uv.scale.y],
            };
        }
        gpu.queue
            .write_buffer(&self.material_buffer, 0, bytemuck::cast_slice(&table));
        Ok(())
    }
}

/// The bytes of a well-formed RGBA8 mip chain (each level half the last, rounded down, at
/// least 1; 4 bytes a pixel), or `None`: what may be uploaded.
/// The sampler of material textures: trilinear, repeating.
pub(super) fn material_sampler(device: &wgpu::Device) -> wgpu::Sampler {
    device.create_sampler(&wgpu::SamplerDescriptor {
        label: Some("material sampler"),
        address_mode_u: wgpu::AddressMode::Repeat,
        address_mode_v: wgpu::AddressMode::Repeat,
        mag_filter: wgpu::FilterMode::Linear,
        min_filter: wgpu::FilterMode::Linear,
        mipmap_filter: wgpu::MipmapFilterMode::Linear,
        ..Default::default()
    })
}

/// The 1x1 maps a texture set reads where it names none: white (sRGB), white (linear), a
/// flat normal.
pub(super) fn neutral_maps(gpu: &GpuContext) -> [wgpu::TextureView; 3] {
    let map = |rgba: [u8; 4], srgb| {
        let image = TextureImage::from_rgba8(1, 1, rgba.to_vec()).expect("1x1");
        upload_texture(gpu, &[image], srgb)
    };
    [
        map([255; 4], true),
        map([255; 4], false),
        map([128, 128, 255, 255], false),
    ]
}

fn mip_chain_bytes(mips: &[TextureImage]) -> Option<u64> {
    let first = mips.first()?;
    if first.width == 0 || first.height == 0 {
        return None;
    }
    let mut bytes = 0u64;
    let (mut width, mut height) = (first.width, first.height);
    for mip in mips {
        let size = u64::from(width) * u64::from(height) * 4;
        if (mip.width, mip.height) != (width, height) || mip.pixels.len() as u64 != size {
            return None;
        }
        bytes += size;
        (width, height) = ((width / 2).max(1), (height / 2).max(1));
    }
    Some(bytes)
}

/// Uploads a mip chain as an RGBA8 texture (sRGB for colour, linear for data).
fn upload_texture(gpu: &GpuContext, mips: &[TextureImage], srgb: bool) -> wgpu::TextureView {
    let (width, height) = (mips[0].width, mips[0].height);
    let format = if srgb {
        wgpu::TextureFormat::Rgba8UnormSrgb
    } else {
        wgpu::TextureFormat::Rgba8Unorm
    };
    let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("material texture"),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: mips.len() as u32,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    for (level, mip) in mips.iter().enumerate() {
        gpu.queue.write_texture(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: level as u32,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            &mip.pixels,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(mip.width * 4),
                rows_per_image: Some(mip.height),
            },
            wgpu::Extent3d {
                width: mip.width,
                height: mip.height,
                depth_or_array_layers: 1,
            },
        );
    }
    texture.create_view(&Default::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shader's decode (pbr.wgsl `octahedral_decode`), mirrored.
    fn decode(bits: u32) -> Vec3 {
        let snorm = |b: u32| (b as u16 as i16 as f32 / 32767.0).max(-1.0);
        let (x, y) = (snorm(bits), snorm(bits >> 16));
        let mut v = Vec3::new(x, y, 1.0 - x.abs() - y.abs());
        let t = (-v.z).max(0.0);
        v.x += if v.x >= 0.0 { -t } else { t };
        v.y += if v.y >= 0.0 { -t } else { t };
        v.normalize()
    }

    #[test]
    fn octahedral_normals_round_trip_within_a_twentieth_of_a_degree() {
        let mut worst = 0f32;
        for i in 0..2000 {
            // A spiral over the sphere, plus the axes and the octahedron's folds.
            let z = 1.0 - 2.0 * (i as f32 + 0.5) / 2000.0;
            let a = i as f32 * 2.399_963;
            let r = (1.0 - z * z).sqrt();
            for v in [
                Vec3::new(r * a.cos(), r * a.sin(), z),
                Vec3::NEG_Z,
                Vec3::X,
                Vec3::NEG_Y,
            ] {
                let back = decode(octahedral(v));
                worst = worst.max(v.angle_between(back).to_degrees());
            }
        }
        assert!(worst < 0.05, "worst error {worst} degrees");
        // Not a unit vector: normalised first; zero falls back to +Z.
        assert!(decode(octahedral(Vec3::new(0.0, 3.0, 0.0))).abs_diff_eq(Vec3::Y, 1e-4));
        assert!(decode(octahedral(Vec3::ZERO)).abs_diff_eq(Vec3::Z, 1e-4));
    }
}
