//! Sizes past the device's limits are typed errors, checked before wgpu sees them (its default
//! error handler panics): a resolution or shadow map past the largest texture, a resize past
//! it (the old targets stay and keep rendering). What wgpu still refuses is typed too: inside
//! `GpuContext::scoped` it comes back from the call, outside any scope the device's handler
//! keeps it (instead of wgpu's default, which panics) and the next frame reports it. On
//! lavapipe; skipped without an adapter unless `LAYERW_REQUIRE_GPU=1`.
#![cfg(all(feature = "gpu", not(target_family = "wasm")))]

use layerw_engine::glam::{UVec2, Vec3};
use layerw_engine::gpu::{GpuContext, GpuError, Renderer, RendererConfig, wgpu};
use layerw_engine::render::{CameraView, DirectionalLight, FrameDesc, SkinnedFrame};

#[path = "support/gpu.rs"]
mod support;

fn gpu() -> Option<GpuContext> {
    support::or_skip(GpuContext::headless())
}

fn config(resolution: UVec2, shadow_map_size: u32) -> RendererConfig {
    RendererConfig {
        resolution,
        shadow_map_size,
        msaa: 1,
        ..RendererConfig::default()
    }
}

fn empty_frame(aspect: f32) -> FrameDesc<'static> {
    FrameDesc {
        camera: CameraView::look_at(
            Vec3::new(0.0, 1.0, 4.0),
            Vec3::ZERO,
            45f32.to_radians(),
            aspect,
            0.1,
            100.0,
        ),
        sun: DirectionalLight {
            direction: Vec3::new(-0.4, -1.0, -0.3),
            color: Vec3::ONE,
            intensity: 3.0,
            shadows: true,
        },
        point_lights: &[],
        ambient: (Vec3::splat(0.3), Vec3::splat(0.1)),
        shadow_bounds: (Vec3::ZERO, 5.0),
        instances: &[],
        skinned: SkinnedFrame::none(),
        batches: &[],
    }
}

/// A buffer wgpu refuses (past the device's buffer size limit).
fn refused_buffer(gpu: &GpuContext) -> wgpu::Buffer {
    gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("past the limit"),
        size: gpu.device.limits().max_buffer_size.saturating_add(4) & !3,
        usage: wgpu::BufferUsages::VERTEX,
        mapped_at_creation: false,
    })
}

#[test]
fn what_wgpu_refuses_is_a_typed_error_not_a_panic() {
    let Some(gpu) = gpu() else { return };
    // In a scope: the call's own error.
    match gpu.scoped(|| refused_buffer(&gpu)) {
        Err(GpuError::Validation(message)) => assert!(!message.is_empty()),
        other => panic!("expected a validation error, got {:?}", other.err()),
    }
    assert!(gpu.take_errors().is_empty(), "the scope kept it");
    // Outside any scope: wgpu's default handler would panic here; ours keeps it.
    drop(refused_buffer(&gpu));
    let errors = gpu.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(matches!(errors[0], GpuError::Validation(_)), "{errors:?}");
    // A renderer's next frame reports such an error, typed; the frame after renders.
    let mut renderer = Renderer::new(&gpu, config(UVec2::new(64, 48), 256)).unwrap();
    drop(refused_buffer(&gpu));
    let frame = empty_frame(64.0 / 48.0);
    let error = renderer.render(&gpu, &frame).unwrap_err();
    assert!(matches!(error, GpuError::Validation(_)), "{error}");
    assert!(error.to_string().contains("refused"), "{error}");
    renderer
        .render(&gpu, &frame)
        .expect("the next frame renders");
}

#[test]
fn sizes_past_the_device_limits_are_typed_errors() {
    let Some(gpu) = gpu() else { return };
    let edge = gpu.device.limits().max_texture_dimension_2d;
    // What bench_cubes --resolution 20000x100 asked for, and past whatever this device has.
    let wide = UVec2::new(edge.max(20_000) + 1, 100);
    match Renderer::new(&gpu, config(wide, 1024)) {
        Err(GpuError::Limit {
            what,
            requested,
            limit,
        }) => {
            assert!(what.contains("resolution"), "{what}");
            assert_eq!((requested, limit), (u64::from(wide.x), u64::from(edge)));
        }
        other => panic!("expected a limit error, got {:?}", other.err()),
    }
    match Renderer::new(&gpu, config(UVec2::new(64, 64), edge + 1)) {
        Err(GpuError::Limit { what, .. }) => assert!(what.contains("shadow"), "{what}"),
        other => panic!("expected a limit error, got {:?}", other.err()),
    }
    // A renderer that works refuses a resize past the limit and keeps its targets.
    let mut renderer = Renderer::new(&gpu, config(UVec2::new(64, 48), 256)).unwrap();
    let error = renderer.resize(&gpu, UVec2::new(32, edge + 1)).unwrap_err();
    assert!(matches!(error, GpuError::Limit { .. }), "{error}");
    assert!(error.to_string().contains("limit"), "{error}");
    assert_eq!(renderer.config().resolution, UVec2::new(64, 48));
    let frame = empty_frame(64.0 / 48.0);
    renderer
        .render(&gpu, &frame)
        .expect("the old targets still render");
    let image = renderer.read_output(&gpu).expect("and read back");
    assert_eq!((image.width, image.height), (64, 48));
}

#[test]
fn meshes_instances_and_textures_past_the_device_limits_are_refused_before_wgpu() {
    use layerw_engine::glam::Quat;
    use layerw_engine::render::{
        GpuInstance, Indices, LoadedTexture, Mesh, MeshAssets, RenderQueue, TextureAssets,
        TextureImage,
    };
    let Some(gpu) = gpu() else { return };
    let limits = gpu.device.limits();
    let mut renderer = Renderer::new(&gpu, config(UVec2::new(64, 48), 256)).unwrap();

    // A mesh whose index buffer is past the device's buffer size (three vertices, enough u32
    // indices): refused before a buffer is made, and nothing else is uploaded in its place.
    let indices = (limits.max_buffer_size / 4 + 3) as usize / 3 * 3;
    let mut mesh = Mesh::cube(1.0);
    mesh.indices = Indices::U32((0..indices as u32).map(|i| i % 3).collect());
    let mut meshes = MeshAssets::default();
    meshes.add(mesh).unwrap();
    match renderer.sync_meshes(&gpu, &meshes, &RenderQueue::new()) {
        Err(GpuError::Limit { what, limit, .. }) => {
            assert!(what.contains("index buffer"), "{what}");
            assert_eq!(limit, limits.max_buffer_size);
        }
        other => panic!("expected a limit error, got {other:?}"),
    }
    assert_eq!(renderer.residency().meshes, 0);
    drop(meshes);

    // More instances than the instance buffer can hold: the frame is refused, typed.
    let count = (limits.max_buffer_size / size_of::<GpuInstance>() as u64 + 1) as usize;
    let instances = vec![GpuInstance::new(Vec3::ZERO, Quat::IDENTITY, 1.0, 0); count];
    let frame = FrameDesc {
        instances: &instances,
        ..empty_frame(64.0 / 48.0)
    };
    match renderer.render(&gpu, &frame) {
        Err(GpuError::Limit { what, .. }) => assert!(what.contains("instance"), "{what}"),
        other => panic!("expected a limit error, got {:?}", other.err()),
    }
    drop(instances);

    // A texture wider than the device's largest: skipped (logged), not uploaded.
    let edge = limits.max_texture_dimension_2d + 1;
    let wide = TextureImage {
        width: edge,
        height: 1,
        pixels: vec![255; edge as usize * 4],
    };
    let mut textures = TextureAssets::default();
    textures.add_loaded(LoadedTexture {
        mips: vec![wide],
        srgb: true,
    });
    renderer.sync_textures(&gpu, &textures);
    assert_eq!(renderer.residency().textures, 0);
    // The renderer still draws.
    renderer
        .render(&gpu, &empty_frame(64.0 / 48.0))
        .expect("an ordinary frame renders");
}
