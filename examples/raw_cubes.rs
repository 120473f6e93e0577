//! raw_cubes: the raw-draw reference that bench_cubes is measured against. A minimal wgpu
//! program with no engine in the loop: the same grid of N moving, rotating cubes and the same
//! camera as bench_cubes, one instanced draw, one colour target (no MSAA, no HDR, no shadows),
//! flat lighting. Instances are either 16 bytes (position + angle about Y, expanded in the
//! vertex shader) or 64-byte matrices (`--matrices`), rebuilt in parallel and uploaded every
//! frame. GPU time comes from timestamp queries around the pass.
//!
//! ```text
//! cargo run --release --example raw_cubes -- [N] [--frames F] [--matrices]
//! ```

use std::time::Instant;

use glam::{Mat4, Vec3, Vec4};
use layerw::engine::gpu::{GpuContext, wgpu};
use layerw::engine::render::{Indices, Mesh};
use rayon::prelude::*;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

const SHADER: &str = r#"
struct Frame { view_proj: mat4x4<f32>, light: vec4<f32> };
@group(0) @binding(0) var<uniform> frame: Frame;

struct Out { @builtin(position) clip: vec4<f32>, @location(0) shade: f32 };

fn lit(world: vec3<f32>, normal: vec3<f32>) -> Out {
    var out: Out;
    out.clip = frame.view_proj * vec4<f32>(world, 1.0);
    out.shade = 0.2 + 0.8 * max(dot(normal, frame.light.xyz), 0.0);
    return out;
}

@vertex
fn vs_angle(@location(0) p: vec3<f32>, @location(1) n: vec3<f32>, @location(2) i: vec4<f32>) -> Out {
    let c = cos(i.w);
    let s = sin(i.w);
    let rp = vec3<f32>(c * p.x + s * p.z, p.y, c * p.z - s * p.x);
    let rn = vec3<f32>(c * n.x + s * n.z, n.y, c * n.z - s * n.x);
    return lit(rp + i.xyz, rn);
}

@vertex
fn vs_matrix(@location(0) p: vec3<f32>, @location(1) n: vec3<f32>, @location(2) c0: vec4<f32>,
             @location(3) c1: vec4<f32>, @location(4) c2: vec4<f32>, @location(5) c3: vec4<f32>) -> Out {
    let m = mat4x4<f32>(c0, c1, c2, c3);
    return lit((m * vec4<f32>(p, 1.0)).xyz, normalize((m * vec4<f32>(n, 0.0)).xyz));
}

@fragment
fn fs_main(in: Out) -> @location(0) vec4<f32> {
    return vec4<f32>(vec3<f32>(in.shade), 1.0);
}
"#;

struct Cube {
    base: Vec3,
    phase: f32,
    rate: f32,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let mut count = 1_000_000u32;
    let mut frames = 120u32;
    let mut matrices = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--matrices" => matrices = true,
            "--frames" => {
                frames = args
                    .next()
                    .and_then(|f| f.parse().ok())
                    .expect("--frames needs a number")
            }
            n => count = n.parse().expect("N must be a number"),
        }
    }
    let gpu = match GpuContext::headless() {
        Ok(gpu) => gpu,
        Err(e) => {
            eprintln!("raw_cubes: {e}");
            std::process::exit(1);
        }
    };
    let device = &gpu.device;
    let timestamps = device.features().contains(wgpu::Features::TIMESTAMP_QUERY);

    // The same layout and camera as bench_cubes.
    let side = (count as f32).sqrt().ceil() as u32;
    let spacing = 1.6;
    let half = side as f32 * spacing / 2.0;
    let cubes: Vec<Cube> = (0..count)
        .map(|i| {
            let h = (i.wrapping_mul(2_654_435_761) >> 8) as f32 / (1u32 << 24) as f32;
            Cube {
                base: Vec3::new(
                    (i % side) as f32 * spacing - half,
                    1.0,
                    (i / side) as f32 * spacing - half,
                ),
                phase: h * std::f32::consts::TAU,
                rate: 0.5 + 2.0 * h,
            }
        })
        .collect();
    let eye = Vec3::new(0.0, half * 0.45 + 8.0, half * 0.9 + 10.0);
    let view = glam::camera::rh::view::look_at_mat4(eye, Vec3::new(0.0, 0.0, half * 0.2), Vec3::Y);
    let projection = glam::camera::rh::proj::directx::perspective(
        60f32.to_radians(),
        WIDTH as f32 / HEIGHT as f32,
        0.1,
        half * 4.0 + 100.0,
    );
    let mut uniform = [0f32; 20];
    uniform[..16].copy_from_slice(&(projection * view).to_cols_array());
    uniform[16..19].copy_from_slice(&Vec3::new(0.4, 1.0, 0.3).normalize().to_array());

    let mesh = Mesh::cube(1.0);
    let vertices: Vec<[f32; 6]> = mesh
        .positions
        .iter()
        .zip(&mesh.normals)
        .map(|(p, n)| [p.x, p.y, p.z, n.x, n.y, n.z])
        .collect();
    let Indices::U16(indices) = &mesh.indices else {
        unreachable!("a cube has 24 vertices")
    };
    let buffer = |label, contents: &[u8], usage| {
        wgpu::util::DeviceExt::create_buffer_init(
            device,
            &wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage,
            },
        )
    };
    let vertex_buffer = buffer(
        "vertices",
        bytemuck::cast_slice(&vertices),
        wgpu::BufferUsages::VERTEX,
    );
    let index_buffer = buffer(
        "indices",
        bytemuck::cast_slice(indices),
        wgpu::BufferUsages::INDEX,
    );
    let uniform_buffer = buffer(
        "frame",
        bytemuck::cast_slice(&uniform),
        wgpu::BufferUsages::UNIFORM,
    );
    let stride = if matrices { 64 } else { 16 };
    let instance_buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("instances"),
        size: u64::from(count) * stride,
        usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });

    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: None,
        entries: &[wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::VERTEX,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }],
    });
    let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &layout,
        entries: &[wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform_buffer.as_entire_binding(),
        }],
    });
    let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("raw cubes"),
        source: wgpu::ShaderSource::Wgsl(SHADER.into()),
    });
    let instance_attributes: &[wgpu::VertexAttribute] = if matrices {
        &wgpu::vertex_attr_array![2 => Float32x4, 3 => Float32x4, 4 => Float32x4, 5 => Float32x4]
    } else {
        &wgpu::vertex_attr_array![2 => Float32x4]
    };
    let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("raw cubes"),
        layout: Some(
            &device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: None,
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            }),
        ),
        vertex: wgpu::VertexState {
            module: &shader,
            entry_point: Some(if matrices { "vs_matrix" } else { "vs_angle" }),
            compilation_options: Default::default(),
            buffers: &[
                Some(wgpu::VertexBufferLayout {
                    array_stride: 24,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3],
                }),
                Some(wgpu::VertexBufferLayout {
                    array_stride: stride,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: instance_attributes,
                }),
            ],
        },
        primitive: wgpu::PrimitiveState {
            cull_mode: Some(wgpu::Face::Back),
            ..Default::default()
        },
        depth_stencil: Some(wgpu::DepthStencilState {
            format: wgpu::TextureFormat::Depth32Float,
            depth_write_enabled: Some(true),
            depth_compare: Some(wgpu::CompareFunction::Less),
            stencil: Default::default(),
            bias: Default::default(),
        }),
        multisample: Default::default(),
        fragment: Some(wgpu::FragmentState {
            module: &shader,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::TextureFormat::Rgba8UnormSrgb.into())],
        }),
        multiview_mask: None,
        cache: None,
    });
    let target = |format, usage| {
        device
            .create_texture(&wgpu::TextureDescriptor {
                label: None,
                size: wgpu::Extent3d {
                    width: WIDTH,
                    height: HEIGHT,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage,
                view_formats: &[],
            })
            .create_view(&Default::default())
    };
    let color = target(
        wgpu::TextureFormat::Rgba8UnormSrgb,
        wgpu::TextureUsages::RENDER_ATTACHMENT,
    );
    let depth = target(
        wgpu::TextureFormat::Depth32Float,
        wgpu::TextureUsages::RENDER_ATTACHMENT,
    );
    let queries = timestamps.then(|| {
        (
            device.create_query_set(&wgpu::QuerySetDescriptor {
                label: None,
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            }),
            device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: 16,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }),
            device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: 16,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
        )
    });
    let period_ns = f64::from(gpu.queue.get_timestamp_period());

    let mut instance_bytes = vec![0f32; count as usize * stride as usize / 4];
    let (mut frame_times, mut gpu_times, mut build_times) = (Vec::new(), Vec::new(), Vec::new());
    let started = Instant::now();
    for frame in 0..frames {
        let frame_start = Instant::now();
        let t = frame as f32 / 60.0;
        let floats = stride as usize / 4;
        instance_bytes
            .par_chunks_mut(floats * 4096)
            .zip(cubes.par_chunks(4096))
            .for_each(|(out, cubes)| {
                for (out, cube) in out.chunks_exact_mut(floats).zip(cubes) {
                    let angle = t * cube.rate + cube.phase;
                    let position = cube.base + Vec3::new(0.0, 0.6 * angle.sin(), 0.0);
                    if matrices {
                        let m = Mat4::from_rotation_translation(
                            glam::Quat::from_rotation_y(angle),
                            position,
                        );
                        out.copy_from_slice(&m.to_cols_array());
                    } else {
                        out.copy_from_slice(&Vec4::from((position, angle)).to_array());
                    }
                }
            });
        build_times.push(frame_start.elapsed().as_secs_f64());
        gpu.queue
            .write_buffer(&instance_buffer, 0, bytemuck::cast_slice(&instance_bytes));
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("cubes"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &color,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &depth,
                    depth_ops: Some(wgpu::Operations {
                        load: wgpu::LoadOp::Clear(1.0),
                        store: wgpu::StoreOp::Discard,
                    }),
                    stencil_ops: None,
                }),
                timestamp_writes: queries.as_ref().map(|(set, _, _)| {
                    wgpu::RenderPassTimestampWrites {
                        query_set: set,
                        beginning_of_pass_write_index: Some(0),
                        end_of_pass_write_index: Some(1),
                    }
                }),
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.set_vertex_buffer(0, vertex_buffer.slice(..));
            pass.set_vertex_buffer(1, instance_buffer.slice(..));
            pass.set_index_buffer(index_buffer.slice(..), wgpu::IndexFormat::Uint16);
            pass.draw_indexed(0..indices.len() as u32, 0, 0..count);
        }
        if let Some((set, resolve, readback)) = &queries {
            encoder.resolve_query_set(set, 0..2, resolve, 0);
            encoder.copy_buffer_to_buffer(resolve, 0, readback, 0, 16);
        }
        gpu.queue.submit([encoder.finish()]);
        if let Some((_, _, readback)) = &queries {
            readback.map_async(wgpu::MapMode::Read, .., |r| r.expect("timestamp readback"));
        }
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .expect("GPU finished");
        if let Some((_, _, readback)) = &queries {
            let ticks: Vec<u64> =
                bytemuck::cast_slice(&readback.get_mapped_range(..).expect("mapped")).to_vec();
            readback.unmap();
            if ticks[1] > ticks[0] {
                gpu_times.push((ticks[1] - ticks[0]) as f64 * period_ns * 1e-9);
            }
        }
        frame_times.push(frame_start.elapsed().as_secs_f64());
    }
    let wall = started.elapsed().as_secs_f64();
    for v in [&mut frame_times, &mut gpu_times, &mut build_times] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "raw_cubes: {count} cubes ({} triangles), {frames} frames in {wall:.2} s, {WIDTH}x{HEIGHT}, \
         {stride}-byte instances, adapter {} ({:?}, {})",
        u64::from(count) * indices.len() as u64 / 3,
        gpu.info.adapter,
        gpu.info.backend,
        gpu.info.driver
    );
    println!(
        "frame time: p50 {:.2} ms, p99 {:.2} ms; instance rebuild p50 {:.2} ms",
        percentile(&frame_times, 0.5) * 1e3,
        percentile(&frame_times, 0.99) * 1e3,
        percentile(&build_times, 0.5) * 1e3
    );
    if gpu_times.is_empty() {
        println!("GPU time: no timestamp queries on this adapter");
    } else {
        println!(
            "GPU time: p50 {:.2} ms, p99 {:.2} ms",
            percentile(&gpu_times, 0.5) * 1e3,
            percentile(&gpu_times, 0.99) * 1e3
        );
    }
}
