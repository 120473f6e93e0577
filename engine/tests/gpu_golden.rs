//! Golden-image tests: scenes rendered headless (lavapipe on machines without a GPU) and
//! compared with committed PNGs in tests/golden/.
//!
//! The tolerance and how to update the images: `support/golden.rs`. Without an adapter the
//! tests are skipped, unless `LAYERW_REQUIRE_GPU=1` (scripts/test.sh sets it) makes that a
//! failure.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::glam::{Quat, UVec2, Vec3, Vec4};
use layerw_engine::gpu::{GpuContext, GpuError, Image, Renderer, RendererConfig};
use layerw_engine::render::{
    Batch, CameraView, DirectionalLight, FrameDesc, GpuInstance, MaterialParams, Mesh, MeshAssets,
    MeshError, PointLight, RenderQueue, SkinnedFrame,
};
use rand::{Rng, SeedableRng, rngs::SmallRng};

#[path = "support/gpu.rs"]
mod support;

#[path = "support/golden.rs"]
mod golden;
use golden::check_golden;

const SIZE: UVec2 = UVec2::new(640, 360);

fn gpu() -> Option<GpuContext> {
    support::or_skip(GpuContext::headless())
}

/// A renderer at the golden images' size.
fn renderer(gpu: &GpuContext) -> Renderer {
    Renderer::new(
        gpu,
        RendererConfig {
            resolution: SIZE,
            ..Default::default()
        },
    )
    .unwrap()
}

fn camera(eye: Vec3, target: Vec3) -> CameraView {
    CameraView::look_at(
        eye,
        target,
        45f32.to_radians(),
        SIZE.x as f32 / SIZE.y as f32,
        0.1,
        200.0,
    )
}

fn sun() -> DirectionalLight {
    DirectionalLight {
        direction: Vec3::new(-0.4, -1.0, -0.3),
        color: Vec3::new(1.0, 0.96, 0.9),
        intensity: 3.0,
        shadows: true,
    }
}

const SKY: Vec3 = Vec3::new(0.25, 0.3, 0.4);
const GROUND: Vec3 = Vec3::new(0.12, 0.1, 0.08);

fn render(
    gpu: &GpuContext,
    renderer: &mut Renderer,
    meshes: &MeshAssets,
    frame: &FrameDesc,
) -> Image {
    renderer
        .sync_meshes(gpu, meshes, &RenderQueue::new())
        .unwrap();
    renderer.render(gpu, frame).unwrap();
    renderer.read_output(gpu).unwrap()
}

#[test]
fn golden_pbr_spheres() {
    let Some(gpu) = gpu() else { return };
    let mut renderer = renderer(&gpu);
    let mut meshes = MeshAssets::default();
    let sphere = meshes.add(Mesh::sphere(0.45, 48, 24)).unwrap();
    let plane = meshes.add(Mesh::plane(20.0)).unwrap();
    // Rows: metallic 0, 0.5, 1; columns: roughness 0.1 to 0.9. Material 15 is the floor.
    let mut materials = Vec::new();
    for row in 0..3 {
        for col in 0..5 {
            materials.push(MaterialParams {
                base_color: Vec4::new(0.9, 0.35, 0.2, 1.0),
                metallic: row as f32 * 0.5,
                roughness: 0.1 + col as f32 * 0.2,
                ..Default::default()
            });
        }
    }
    materials.push(MaterialParams {
        base_color: Vec4::new(0.6, 0.6, 0.6, 1.0),
        roughness: 0.9,
        ..Default::default()
    });
    renderer.set_materials(&gpu, &materials).unwrap();
    let mut instances: Vec<GpuInstance> = (0..15)
        .map(|i| {
            let (row, col) = (i / 5, i % 5);
            let at = Vec3::new(col as f32 * 1.1 - 2.2, 0.5 + (2 - row) as f32 * 1.1, 0.0);
            GpuInstance::new(at, Quat::IDENTITY, 1.0, i as u16)
        })
        .collect();
    instances.push(GpuInstance::new(Vec3::ZERO, Quat::IDENTITY, 1.0, 15));
    let frame = FrameDesc {
        camera: camera(Vec3::new(0.0, 2.0, 6.5), Vec3::new(0.0, 1.6, 0.0)),
        // From the front, upper right: each sphere's shadow falls behind it, not on the next.
        sun: DirectionalLight {
            direction: Vec3::new(-0.5, -0.6, -0.8),
            ..sun()
        },
        point_lights: &[],
        ambient: (SKY, GROUND),
        shadow_bounds: (Vec3::new(0.0, 1.5, 0.0), 5.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: &[
            Batch {
                mesh: sphere,
                textures: Default::default(),
                surface: Default::default(),
                instances: 0..15,
                casters: None,
            },
            Batch {
                mesh: plane,
                textures: Default::default(),
                surface: Default::default(),
                instances: 15..16,
                casters: None,
            },
        ],
    };
    let image = render(&gpu, &mut renderer, &meshes, &frame);
    check_golden("pbr_spheres", &image);
}

#[test]
fn golden_shadows_and_point_lights() {
    let Some(gpu) = gpu() else { return };
    let mut renderer = renderer(&gpu);
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    let ground = meshes
        .add(Mesh::grid(16.0, 32, |x, z| {
            0.15 * (x * 0.8).sin() * (z * 0.6).cos()
        }))
        .unwrap();
    renderer
        .set_materials(
            &gpu,
            &[
                MaterialParams {
                    base_color: Vec4::new(0.8, 0.8, 0.75, 1.0),
                    roughness: 0.7,
                    ..Default::default()
                },
                MaterialParams {
                    base_color: Vec4::new(0.2, 0.5, 0.9, 1.0),
                    roughness: 0.4,
                    ..Default::default()
                },
                MaterialParams {
                    base_color: Vec4::new(0.1, 0.1, 0.1, 1.0),
                    emissive: Vec3::new(4.0, 1.5, 0.3),
                    ..Default::default()
                },
            ],
        )
        .unwrap();
    let instances = [
        GpuInstance::new(Vec3::new(0.0, 0.0, 0.0), Quat::IDENTITY, 1.0, 0),
        GpuInstance::new(
            Vec3::new(-2.0, 1.2, 0.5),
            Quat::from_rotation_y(0.6),
            1.4,
            1,
        ),
        GpuInstance::new(
            Vec3::new(1.8, 0.9, -1.0),
            Quat::from_euler(layerw_engine::glam::EulerRot::XYZ, 0.5, 0.7, 0.2),
            1.0,
            1,
        ),
        GpuInstance::new(Vec3::new(0.8, 2.6, 1.2), Quat::from_rotation_x(0.8), 0.6, 1),
        GpuInstance::new(Vec3::new(2.5, 0.5, 2.0), Quat::IDENTITY, 0.3, 2),
    ];
    let lights = [
        PointLight {
            position: Vec3::new(2.5, 0.9, 2.0),
            color: Vec3::new(1.0, 0.5, 0.2),
            intensity: 6.0,
            range: 6.0,
            cone: None,
        },
        PointLight {
            position: Vec3::new(-3.0, 1.0, 2.5),
            color: Vec3::new(0.3, 0.9, 0.4),
            intensity: 4.0,
            range: 5.0,
            cone: None,
        },
    ];
    let frame = FrameDesc {
        camera: camera(Vec3::new(3.5, 5.0, 8.0), Vec3::new(0.0, 0.8, 0.0)),
        sun: sun(),
        point_lights: &lights,
        ambient: (SKY * 0.5, GROUND * 0.5),
        shadow_bounds: (Vec3::new(0.0, 1.0, 0.0), 7.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: &[
            Batch {
                mesh: ground,
                textures: Default::default(),
                surface: Default::default(),
                instances: 0..1,
                casters: None,
            },
            Batch {
                mesh: cube,
                textures: Default::default(),
                surface: Default::default(),
                instances: 1..5,
                casters: None,
            },
        ],
    };
    let image = render(&gpu, &mut renderer, &meshes, &frame);
    check_golden("shadows_point_lights", &image);
}

#[test]
fn golden_ten_thousand_instances() {
    let Some(gpu) = gpu() else { return };
    let mut renderer = renderer(&gpu);
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(0.5)).unwrap();
    let materials: Vec<MaterialParams> = (0..8)
        .map(|i| {
            let hue = i as f32 / 8.0 * std::f32::consts::TAU;
            MaterialParams {
                base_color: Vec4::new(
                    0.5 + 0.4 * hue.cos(),
                    0.5 + 0.4 * (hue + 2.1).cos(),
                    0.5 + 0.4 * (hue + 4.2).cos(),
                    1.0,
                ),
                metallic: (i % 2) as f32,
                roughness: 0.3 + 0.08 * i as f32,
                ..Default::default()
            }
        })
        .collect();
    renderer.set_materials(&gpu, &materials).unwrap();
    let mut rng = SmallRng::seed_from_u64(10_000);
    let instances: Vec<GpuInstance> = (0..10_000)
        .map(|i| {
            let (x, z) = ((i % 100) as f32 - 49.5, (i / 100) as f32 - 49.5);
            let rotation = Quat::from_euler(
                layerw_engine::glam::EulerRot::YXZ,
                rng.random::<f32>() * std::f32::consts::TAU,
                rng.random::<f32>() * std::f32::consts::TAU,
                0.0,
            );
            let y = 0.4 * ((x * 0.2).sin() + (z * 0.15).cos());
            GpuInstance::new(
                Vec3::new(x, y, z),
                rotation,
                0.8 + 0.4 * rng.random::<f32>(),
                (i % 8) as u16,
            )
        })
        .collect();
    let frame = FrameDesc {
        camera: camera(Vec3::new(0.0, 30.0, 62.0), Vec3::new(0.0, 0.0, 5.0)),
        sun: sun(),
        point_lights: &[],
        ambient: (SKY, GROUND),
        shadow_bounds: (Vec3::ZERO, 72.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: &[Batch {
            mesh: cube,
            textures: Default::default(),
            surface: Default::default(),
            instances: 0..10_000,
            casters: None,
        }],
    };
    renderer
        .sync_meshes(&gpu, &meshes, &RenderQueue::new())
        .unwrap();
    let stats = renderer.render(&gpu, &frame).unwrap();
    assert_eq!((stats.instances, stats.triangles), (10_000, 120_000));
    // One instanced draw per batch and pass: shadow (once per cascade, 4 by default), main,
    // tonemap; the skybox; ambient occlusion's one; and bloom's full-screen draws (on by
    // default): 6 levels down, 5 back up.
    assert_eq!(stats.draw_calls, 4 + 1 + 1 + 1 + 1 + 11);
    let image = renderer.read_output(&gpu).unwrap();
    check_golden("instances_10k", &image);
}

#[test]
fn invalid_input_is_a_typed_error_not_a_gpu_panic() {
    let Some(gpu) = gpu() else { return };
    let mut renderer = renderer(&gpu);
    let mut meshes = MeshAssets::default();
    let mut bad = Mesh::cube(1.0);
    bad.positions[0].x = f32::NAN;
    assert!(matches!(meshes.add(bad), Err(MeshError::NonFinite { .. })));
    let empty = Mesh::from_parts(vec![], vec![], vec![], vec![]);
    assert_eq!(meshes.add(empty), Err(MeshError::Empty));
    let mut out_of_range = Mesh::cube(1.0);
    out_of_range.indices = layerw_engine::render::Indices::U32(vec![0, 1, 1000]);
    assert!(matches!(
        meshes.add(out_of_range),
        Err(MeshError::IndexOutOfRange { .. })
    ));
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    renderer
        .sync_meshes(&gpu, &meshes, &RenderQueue::new())
        .unwrap();
    meshes.remove(cube).unwrap();
    renderer
        .sync_meshes(&gpu, &meshes, &RenderQueue::new())
        .unwrap();
    let frame = FrameDesc {
        camera: camera(Vec3::Z * 5.0, Vec3::ZERO),
        sun: sun(),
        point_lights: &[],
        ambient: (SKY, GROUND),
        shadow_bounds: (Vec3::ZERO, 2.0),
        instances: &[GpuInstance::new(Vec3::ZERO, Quat::IDENTITY, 1.0, 0)],
        skinned: SkinnedFrame::none(),
        batches: &[Batch {
            mesh: cube,
            textures: Default::default(),
            surface: Default::default(),
            instances: 0..1,
            casters: None,
        }],
    };
    // A batch naming an unloaded mesh is skipped, not an error: assets may be removed
    // between the queue being built and the frame being drawn.
    let stats = renderer.render(&gpu, &frame).unwrap();
    assert_eq!(stats.skipped_batches, 1);
    assert_eq!((stats.instances, stats.triangles), (0, 0));
    assert!(matches!(
        renderer.set_materials(&gpu, &vec![MaterialParams::default(); 257]),
        Err(GpuError::TooManyMaterials {
            requested: 257,
            maximum: 256
        })
    ));
    assert!(matches!(
        renderer.resize(&gpu, UVec2::new(0, 10)),
        Err(GpuError::Config(_))
    ));
    // A reused slot gets a new generation: the old handle stays stale.
    let again = meshes.add(Mesh::cube(1.0)).unwrap();
    assert_ne!(again, cube);
}

#[test]
fn golden_textured_meshes() {
    use layerw_engine::render::{TextureAssets, TextureImage, TextureSet};
    let Some(gpu) = gpu() else { return };
    let mut renderer = renderer(&gpu);
    let mut meshes = MeshAssets::default();
    let plane = meshes.add(Mesh::plane(8.0)).unwrap();
    let sphere = meshes.add(Mesh::sphere(1.0, 48, 24)).unwrap();
    let cube = meshes.add(Mesh::cube(1.2)).unwrap();
    let image = |size: u32, f: &dyn Fn(u32, u32) -> [u8; 4]| {
        let pixels = (0..size * size)
            .flat_map(|i| f(i % size, i / size))
            .collect();
        TextureImage::from_rgba8(size, size, pixels).unwrap()
    };
    let mut textures = TextureAssets::default();
    // A 2048 px checkerboard: downscaled to 1024 (not critical) and mipmapped.
    let checker = textures.add(
        &image(2048, &|x, y| {
            if (x / 256 + y / 256) % 2 == 0 {
                [230, 230, 230, 255]
            } else {
                [40, 90, 160, 255]
            }
        }),
        true,
        false,
    );
    // Bumps: a normal map of a sine height field, and rougher grooves.
    let bumps = textures.add(
        &image(256, &|x, y| {
            let (u, v) = (
                x as f32 / 256.0 * 16.0 * std::f32::consts::PI,
                y as f32 / 256.0 * 8.0 * std::f32::consts::PI,
            );
            let n = Vec3::new(-0.6 * u.cos(), -0.6 * v.cos(), 1.0).normalize();
            [
                ((n.x * 0.5 + 0.5) * 255.0) as u8,
                ((n.y * 0.5 + 0.5) * 255.0) as u8,
                ((n.z * 0.5 + 0.5) * 255.0) as u8,
                255,
            ]
        }),
        false,
        false,
    );
    let grooves = textures.add(
        &image(64, &|x, _| {
            if (x / 8) % 2 == 0 {
                [0, 60, 255, 255]
            } else {
                [0, 255, 0, 255]
            }
        }),
        false,
        false,
    );
    let glow = textures.add(
        &image(64, &|x, y| {
            if (x / 16 + y / 16) % 2 == 0 {
                [255, 140, 40, 255]
            } else {
                [0, 0, 0, 255]
            }
        }),
        true,
        false,
    );
    let floor_set = textures
        .add_set(TextureSet {
            base_color: Some(checker),
            ..Default::default()
        })
        .unwrap();
    let sphere_set = textures
        .add_set(TextureSet {
            normal: Some(bumps),
            metallic_roughness: Some(grooves),
            ..Default::default()
        })
        .unwrap();
    let cube_set = textures
        .add_set(TextureSet {
            emissive: Some(glow),
            ..Default::default()
        })
        .unwrap();
    renderer.sync_textures(&gpu, &textures);
    renderer
        .set_materials(
            &gpu,
            &[
                MaterialParams {
                    roughness: 0.8,
                    ..Default::default()
                },
                MaterialParams {
                    base_color: Vec4::new(0.95, 0.75, 0.3, 1.0),
                    metallic: 1.0,
                    roughness: 1.0,
                    ..Default::default()
                },
                MaterialParams {
                    base_color: Vec4::new(0.1, 0.1, 0.1, 1.0),
                    emissive: Vec3::splat(3.0),
                    ..Default::default()
                },
            ],
        )
        .unwrap();
    let instances = [
        GpuInstance::new(Vec3::ZERO, Quat::IDENTITY, 1.0, 0),
        GpuInstance::new(
            Vec3::new(-1.2, 1.0, 0.0),
            Quat::from_rotation_y(0.3),
            1.0,
            1,
        ),
        GpuInstance::new(Vec3::new(1.6, 0.6, 0.5), Quat::from_rotation_y(0.6), 1.0, 2),
    ];
    let frame = FrameDesc {
        camera: camera(Vec3::new(0.0, 3.0, 6.0), Vec3::new(0.0, 0.6, 0.0)),
        sun: sun(),
        point_lights: &[],
        ambient: (SKY, GROUND),
        shadow_bounds: (Vec3::new(0.0, 0.5, 0.0), 5.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: &[
            Batch {
                mesh: plane,
                textures: floor_set,
                surface: Default::default(),
                instances: 0..1,
                casters: None,
            },
            Batch {
                mesh: sphere,
                textures: sphere_set,
                surface: Default::default(),
                instances: 1..2,
                casters: None,
            },
            Batch {
                mesh: cube,
                textures: cube_set,
                surface: Default::default(),
                instances: 2..3,
                casters: None,
            },
        ],
    };
    let image = render(&gpu, &mut renderer, &meshes, &frame);
    check_golden("textured_meshes", &image);
}

#[test]
fn gpu_frame_time_is_measured_where_the_adapter_has_timestamps() {
    let Some(gpu) = gpu() else { return };
    let mut renderer = renderer(&gpu);
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(0.5)).unwrap();
    renderer
        .sync_meshes(&gpu, &meshes, &RenderQueue::new())
        .unwrap();
    let instances: Vec<GpuInstance> = (0..1000)
        .map(|i| {
            let (x, z) = ((i % 32) as f32 - 16.0, (i / 32) as f32 - 16.0);
            GpuInstance::new(Vec3::new(x, 0.0, z), Quat::IDENTITY, 0.8, 0)
        })
        .collect();
    let frame = FrameDesc {
        camera: camera(Vec3::new(0.0, 20.0, 30.0), Vec3::ZERO),
        sun: sun(),
        point_lights: &[],
        ambient: (SKY, GROUND),
        shadow_bounds: (Vec3::ZERO, 30.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: &[Batch {
            mesh: cube,
            textures: Default::default(),
            surface: Default::default(),
            instances: 0..1000,
            casters: None,
        }],
    };
    assert_eq!(
        renderer.gpu_seconds(),
        None,
        "nothing measured before a frame"
    );
    // Readbacks are asynchronous: a figure arrives once a later frame collects it.
    for _ in 0..4 {
        renderer.render(&gpu, &frame).unwrap();
        renderer.wait_idle(&gpu).unwrap();
    }
    let timestamps = gpu
        .device
        .features()
        .contains(layerw_engine::gpu::wgpu::Features::TIMESTAMP_QUERY);
    eprintln!(
        "gpu seconds: {:?}, timestamps {timestamps}",
        renderer.gpu_seconds()
    );
    match renderer.gpu_seconds() {
        Some(seconds) => {
            assert!(timestamps);
            assert!(seconds > 0.0 && seconds < 10.0, "{seconds} s");
        }
        None => assert!(
            !timestamps,
            "the adapter has timestamps but no figure came back"
        ),
    }
    if !timestamps {
        return;
    }
    // The frame's end is the end of its last pass, the tonemap and overlay: a frame rendered
    // to HDR for a window is measured once it is presented, and not before (when the PBR pass
    // closed the measurement, this frame was measured without its tonemap).
    let mut hdr_only = self::renderer(&gpu);
    hdr_only
        .sync_meshes(&gpu, &meshes, &RenderQueue::new())
        .unwrap();
    for _ in 0..4 {
        hdr_only.render_hdr(&gpu, &frame).unwrap();
        hdr_only.wait_idle(&gpu).unwrap();
    }
    assert_eq!(
        hdr_only.gpu_seconds(),
        None,
        "no frame ended: none presented"
    );
    let surface = gpu
        .device
        .create_texture(&layerw_engine::gpu::wgpu::TextureDescriptor {
            label: Some("stand-in surface"),
            size: layerw_engine::gpu::wgpu::Extent3d {
                width: 320,
                height: 180,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: layerw_engine::gpu::wgpu::TextureDimension::D2,
            format: layerw_engine::gpu::wgpu::TextureFormat::Rgba8UnormSrgb,
            usage: layerw_engine::gpu::wgpu::TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        });
    let view = surface.create_view(&Default::default());
    for _ in 0..4 {
        hdr_only.render_hdr(&gpu, &frame).unwrap();
        hdr_only.present_to(
            &gpu,
            &view,
            layerw_engine::gpu::wgpu::TextureFormat::Rgba8UnormSrgb,
            [0.0, 0.0, 320.0, 180.0],
        );
        hdr_only.wait_idle(&gpu).unwrap();
    }
    let presented = hdr_only
        .gpu_seconds()
        .expect("presented frames are measured");
    assert!(presented > 0.0 && presented < 10.0, "{presented} s");
}

#[test]
fn golden_text_overlay() {
    use layerw_engine::render::OverlayText;
    let Some(gpu) = gpu() else { return };
    let mut renderer = renderer(&gpu);
    let mut meshes = MeshAssets::default();
    let cube = meshes.add(Mesh::cube(0.5)).unwrap();
    let instances: Vec<GpuInstance> = (0..400)
        .map(|i| {
            let (x, z) = ((i % 20) as f32 - 10.0, (i / 20) as f32 - 10.0);
            GpuInstance::new(Vec3::new(x, 0.0, z), Quat::IDENTITY, 0.8, 0)
        })
        .collect();
    let frame = FrameDesc {
        camera: camera(Vec3::new(0.0, 12.0, 16.0), Vec3::ZERO),
        sun: sun(),
        point_lights: &[],
        ambient: (SKY, GROUND),
        shadow_bounds: (Vec3::ZERO, 16.0),
        instances: &instances,
        skinned: SkinnedFrame::none(),
        batches: &[Batch {
            mesh: cube,
            textures: Default::default(),
            surface: Default::default(),
            instances: 0..400,
            casters: None,
        }],
    };
    let plain = render(&gpu, &mut renderer, &meshes, &frame);
    let text = OverlayText {
        lines: vec![
            "Layer-W  stats overlay".into(),
            "FPS  59.9  frame  16.69 ms".into(),
            "0123456789 !#%&*+-=?@".into(),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ".into(),
        ],
        ..Default::default()
    };
    renderer.set_overlay(&gpu, &text.layout());
    assert!(renderer.has_overlay());
    let stats = renderer.render(&gpu, &frame).unwrap();
    // Shadow (4 cascades), main, the skybox, ambient occlusion, bloom's 11, tonemap, and the
    // overlay in the tonemap pass.
    assert_eq!(stats.draw_calls, 4 + 1 + 1 + 1 + 11 + 1 + 1);
    let with_text = renderer.read_output(&gpu).unwrap();
    check_golden("text_overlay", &with_text);
    // Only the panel changed: 4 lines of 16 px glyphs, 26 columns, from (8, 8).
    let panel = |x: u32, y: u32| x < 8 + 26 * 16 + 16 && y < 8 + 4 * 20 + 16;
    let mut inside = 0;
    for y in 0..SIZE.y {
        for x in 0..SIZE.x {
            let i = ((y * SIZE.x + x) * 4) as usize;
            let same = plain.pixels[i..i + 4] == with_text.pixels[i..i + 4];
            if panel(x, y) {
                inside += usize::from(!same);
            } else {
                assert!(same, "pixel ({x}, {y}) outside the panel changed");
            }
        }
    }
    assert!(
        inside > 10_000,
        "the panel darkens its area: {inside} pixels"
    );
    renderer.set_overlay(&gpu, &[]);
    assert_eq!(render(&gpu, &mut renderer, &meshes, &frame), plain);
}
