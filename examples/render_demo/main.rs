//! render_demo: a lit, shadowed scene (PBR spheres by metallic and roughness, cubes, a warm
//! point light, a sun with shadows, and a row of spheres drawn from a cooked LOD chain,
//! receding into the distance) on the desktop, headless and in the browser (WebGPU, or
//! WebGL2 where the browser has no WebGPU adapter). The Lod and Culling stages run
//! everywhere: the chain (assets/sphere48.lwlod, made by `layerw-cook sphere:48`) is loaded,
//! not generated, so the web build needs no meshoptimizer.
//!
//! ```text
//! cargo run --example render_demo                                   # a window
//! cargo run --example render_demo -- --headless --screenshot a.png  # no display
//! bash scripts/web.sh render_demo                                   # the browser build
//! ```

use layerw::components::{
    Camera, DrawPasses, LodMesh, MaterialIndex, MaterialTextures, MeshRef, OrbitCamera,
    PointLightSource, Static, Sun, Transform,
};
#[cfg(not(target_arch = "wasm32"))]
use layerw::engine::gpu::Screenshot;
use layerw::engine::lod::{LodAssets, LodChain};
use layerw::engine::render::{
    MaterialParams, Materials, Mesh, MeshAssets, TextureAssets, TextureImage, TextureSet,
};
use layerw::prelude::*;

/// The internal resolution (the web page's canvas has the same size, for pixel comparisons).
const RESOLUTION: UVec2 = UVec2::new(640, 360);

fn app() -> App {
    let mut meshes = MeshAssets::default();
    let sphere = meshes.add(Mesh::sphere(0.45, 48, 24)).unwrap();
    let cube = meshes.add(Mesh::cube(1.0)).unwrap();
    let floor = meshes.add(Mesh::plane(20.0)).unwrap();
    let mut lods = LodAssets::default();
    let chain = LodChain::from_bytes(include_bytes!("../../assets/sphere48.lwlod"))
        .expect("the committed chain is valid");
    let lod_sphere = lods
        .add(chain, &mut meshes)
        .expect("its levels are valid meshes");
    let coarsest = lods.get(lod_sphere).expect("just added").levels[0].mesh;
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
    materials.push(MaterialParams {
        base_color: Vec4::new(0.2, 0.5, 0.9, 1.0),
        roughness: 0.4,
        ..Default::default()
    });
    let mut table = Materials::default();
    table.set(materials).expect("17 materials fit");
    // A checkerboard floor (colour map) with a bumpy normal map: the texture path of every
    // backend in one surface.
    let mut textures = TextureAssets::default();
    let size = 256u32;
    let texels = |f: &dyn Fn(u32, u32) -> [u8; 4]| {
        (0..size * size)
            .flat_map(|i| f(i % size, i / size))
            .collect::<Vec<u8>>()
    };
    let checker = TextureImage::from_rgba8(
        size,
        size,
        texels(&|x, y| {
            if (x / 32 + y / 32) % 2 == 0 {
                [235, 235, 235, 255]
            } else {
                [150, 160, 175, 255]
            }
        }),
    )
    .expect("a valid image");
    let checker = textures.add(&checker, true, false);
    let floor_maps = textures
        .add_set(TextureSet {
            base_color: Some(checker),
            ..Default::default()
        })
        .expect("the checker is loaded");

    let mut app = App::new();
    app.add_plugin(DefaultPlugins {
        window: WindowConfig {
            title: "Layer-W render demo".into(),
            size: RESOLUTION,
            internal_resolution: RESOLUTION,
            ..WindowConfig::default()
        },
        // The shadow map covers the spheres and cubes in front of the camera, not the far
        // LOD row.
        extract: ExtractPlugin {
            shadow_bounds: ShadowBounds::Fixed {
                center: Vec3::new(0.0, 1.5, 0.0),
                radius: 6.0,
            },
            ..ExtractPlugin::default()
        },
        ..DefaultPlugins::default()
    });
    app.insert_resource(meshes)
        .insert_resource(table)
        .insert_resource(textures)
        .insert_resource(lods);
    let world = app.world_mut();
    // Spheres from the LOD chain, nearer to farther (finer to coarser levels), and a few
    // behind the camera that culling drops.
    for i in 0..12 {
        let z = -2.0 - 3.0 * (i as f32).powf(1.4);
        let x = if i % 2 == 0 { -5.0 } else { 5.0 };
        world.spawn((
            Transform::from_translation(Vec3::new(x, 0.6, z)).with_scale(Vec3::splat(0.6)),
            MeshRef(coarsest),
            LodMesh::new(lod_sphere),
            MaterialIndex(16),
            DrawPasses::default(),
            Static,
        ));
    }
    for x in [-2.0, 2.0] {
        world.spawn((
            Transform::from_translation(Vec3::new(x, 0.5, 14.0)),
            MeshRef(coarsest),
            LodMesh::new(lod_sphere),
            MaterialIndex(16),
            DrawPasses::default(),
        ));
    }
    for i in 0..15u16 {
        let (row, col) = (i / 5, i % 5);
        let at = Vec3::new(col as f32 * 1.1 - 2.2, 0.5 + (2 - row) as f32 * 1.1, 0.0);
        world.spawn((
            Transform::from_translation(at),
            MeshRef(sphere),
            MaterialIndex(i),
        ));
    }
    world.spawn((
        Transform::IDENTITY,
        MeshRef(floor),
        MaterialIndex(15),
        MaterialTextures(floor_maps),
    ));
    for (x, z, angle) in [(-3.6, 1.2, 0.4f32), (3.5, 0.8, -0.7)] {
        world.spawn((
            Transform {
                translation: Vec3::new(x, 0.5, z),
                rotation: Quat::from_rotation_y(angle),
                scale: Vec3::ONE,
            },
            MeshRef(cube),
            MaterialIndex(16),
        ));
    }
    // Drag with the left button to orbit, scroll to zoom; it starts at (0, 2, 6.5).
    let target = Vec3::new(0.0, 1.6, 0.0);
    let eye = Vec3::new(0.0, 2.0, 6.5);
    world.spawn((
        Transform::from_translation(eye).looking_at(target),
        OrbitCamera {
            target,
            distance: eye.distance(target),
            pitch: ((eye.y - target.y) / eye.distance(target)).asin(),
            ..OrbitCamera::default()
        },
        Camera {
            projection: layerw::components::Projection::Perspective {
                fov_y: 45f32.to_radians(),
            },
            near: 0.1,
            far: 200.0,
        },
    ));
    world.spawn((
        Transform::from_rotation(Quat::from_rotation_arc(
            Vec3::NEG_Z,
            Vec3::new(-0.5, -0.6, -0.8).normalize(),
        )),
        Sun {
            color: Vec3::new(1.0, 0.96, 0.9),
            intensity: 3.0,
            shadows: true,
        },
    ));
    world.spawn((
        Transform::from_translation(Vec3::new(3.0, 1.2, 2.0)),
        PointLightSource {
            color: Vec3::new(1.0, 0.6, 0.3),
            intensity: 5.0,
            range: 6.0,
        },
    ));
    app
}

fn main() {
    let mut app = app();
    #[cfg(target_arch = "wasm32")]
    {
        // `?screenshot`: the first drawn frame is offered as a PNG download.
        let wants_screenshot = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .is_some_and(|q| q.contains("screenshot"));
        if wants_screenshot {
            app.insert_resource(layerw::engine::gpu::Screenshot {
                path: "render_demo.png".into(),
            });
        }
        app.add_frame_hook(web::publish);
        if let Err(e) = app.run() {
            web_sys::console::error_1(&e.to_string().into());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let headless = args.iter().any(|a| a == "--headless");
        if let Some(i) = args.iter().position(|a| a == "--screenshot") {
            let Some(path) = args.get(i + 1) else {
                eprintln!("render_demo: --screenshot needs a path");
                std::process::exit(2);
            };
            app.insert_resource(Screenshot { path: path.into() });
        }
        if headless {
            app.set_headless(HeadlessRun::frames(3));
        }
        match app.run() {
            Ok(report) => println!("render_demo: {} frames", report.frames),
            Err(e) => {
                eprintln!("render_demo: {e}");
                std::process::exit(1);
            }
        }
    }
}

/// The page reads what the app did from `window.layerwRender`: the backend in use and the
/// frames rendered.
#[cfg(target_arch = "wasm32")]
mod web {
    use layerw::components::LodMesh;
    use layerw::engine::gpu::{GpuInfo, RenderStats};
    use layerw::prelude::World;
    use layerw::systems::CullStats;

    pub fn publish(world: &mut World) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let backend = world
            .try_resource::<GpuInfo>()
            .map(|i| format!("{:?}", i.backend))
            .unwrap_or_default();
        let frames = world.try_resource::<RenderStats>().map_or(0, |s| s.frames);
        // What the Lod and Culling stages decided in the browser.
        let visible = world.try_resource::<CullStats>().map_or(0, |s| s.visible);
        let levels: Vec<String> = world
            .query::<&LodMesh>()
            .iter()
            .map(|l| l.level.to_string())
            .collect();
        let json = format!(
            "{{\"backend\":\"{backend}\",\"frames\":{frames},\"visible\":{visible},\"lod_levels\":[{}]}}",
            levels.join(",")
        );
        let _ = js_sys::Reflect::set(&window, &"layerwRender".into(), &json.into());
    }
}
