//! A small scene for GPU tests through the ECS host (`GpuRenderer`): meshes, a test texture,
//! materials, lights, draw items and skinned draws, rendered once, with pixel helpers.
#![allow(dead_code)] // each test binary uses a part of it

use layerw_engine::ecs::World;
use layerw_engine::glam::{Mat4, Quat, UVec2, Vec3, Vec4};
use layerw_engine::gpu::{GpuRenderer, Image, RendererConfig};
use layerw_engine::render::{
    CameraView, DirectionalLight, DrawItem, MaterialParams, Materials, Mesh, MeshAssets,
    MeshHandle, PointLight, RenderQueue, SkinnedFrame, SkinnedMaterial, SkinnedMesh,
    SkinnedMeshHandle, SkinnedMeshes, Surface, TextureAssets, TextureImage, TextureSet,
    TextureSetHandle,
};

pub const SIZE: UVec2 = UVec2::new(192, 128);

/// A scene: meshes, one texture set, materials and what to draw, seen from `eye`.
pub struct Scene {
    pub meshes: MeshAssets,
    pub textures: TextureAssets,
    pub materials: Vec<MaterialParams>,
    pub items: Vec<DrawItem>,
    pub eye: Vec3,
    pub target: Vec3,
    pub sun: DirectionalLight,
    /// The image's size.
    pub size: UVec2,
    /// Point and spot lights.
    pub lights: Vec<PointLight>,
    /// The sky's and the ground's light (what ambient light comes from).
    pub ambient: (Vec3, Vec3),
    /// The plane, the cube and the sphere.
    pub plane: MeshHandle,
    pub cube: MeshHandle,
    pub sphere: MeshHandle,
    /// The test texture's set: see [`test_texture`].
    pub set: TextureSetHandle,
    /// The skinned meshes, and the skinned draws (joints in world space).
    pub skinned_meshes: SkinnedMeshes,
    pub skinned: SkinnedFrame,
}

/// 32x32, four 16x16 quadrants: top left opaque red, top right transparent green, bottom left
/// transparent blue, bottom right opaque white.
pub fn test_texture() -> TextureImage {
    let mut rgba = Vec::with_capacity(32 * 32 * 4);
    for y in 0..32 {
        for x in 0..32 {
            rgba.extend_from_slice(match (x < 16, y < 16) {
                (true, true) => &[255, 0, 0, 255],
                (false, true) => &[0, 255, 0, 0],
                (true, false) => &[0, 0, 255, 0],
                (false, false) => &[255, 255, 255, 255],
            });
        }
    }
    TextureImage::from_rgba8(32, 32, rgba).unwrap()
}

impl Scene {
    pub fn new(eye: Vec3, target: Vec3) -> Scene {
        let mut meshes = MeshAssets::default();
        let plane = meshes.add(Mesh::plane(1.0)).unwrap();
        let cube = meshes.add(Mesh::cube(1.0)).unwrap();
        let sphere = meshes.add(Mesh::sphere(0.5, 24, 12)).unwrap();
        let mut textures = TextureAssets::default();
        let base = textures.add(&test_texture(), true, false);
        let set = textures
            .add_set(TextureSet {
                base_color: Some(base),
                ..Default::default()
            })
            .unwrap();
        Scene {
            meshes,
            textures,
            materials: vec![MaterialParams::default()],
            items: Vec::new(),
            eye,
            target,
            size: SIZE,
            lights: Vec::new(),
            ambient: RenderQueue::new().ambient,
            sun: DirectionalLight {
                direction: Vec3::new(0.3, -1.0, -0.4),
                color: Vec3::ONE,
                intensity: 3.0,
                shadows: true,
            },
            plane,
            cube,
            sphere,
            set,
            skinned_meshes: SkinnedMeshes::default(),
            skinned: SkinnedFrame::default(),
        }
    }

    /// Adds a skinned plane of edge 1 facing +Y in its bind pose, cut in two along x = 0:
    /// vertices at x < 0 follow joint 0, those at x > 0 joint 1, the middle column both by
    /// half.
    pub fn skinned_plane(&mut self) -> SkinnedMeshHandle {
        let mesh = Mesh::grid(1.0, 2, |_, _| 0.0);
        let (joints, weights) = mesh
            .positions
            .iter()
            .map(|p| match p.x {
                x if x < -1e-4 => ([0, 0, 0, 0], [1.0, 0.0, 0.0, 0.0]),
                x if x > 1e-4 => ([1, 0, 0, 0], [1.0, 0.0, 0.0, 0.0]),
                _ => ([0, 1, 0, 0], [0.5, 0.5, 0.0, 0.0]),
            })
            .unzip();
        self.skinned_meshes
            .add(SkinnedMesh {
                mesh,
                joints,
                weights,
            })
            .unwrap()
    }

    /// Draws a skinned mesh with `material` (textured with the test texture or not), placed
    /// at `world` and posed by `joints` (skinning matrices), casting shadows.
    pub fn draw_skinned(
        &mut self,
        mesh: SkinnedMeshHandle,
        material: u16,
        textured: bool,
        world: Mat4,
        joints: &[Mat4],
    ) {
        let textures = if textured {
            self.set
        } else {
            TextureSetHandle::default()
        };
        let material = SkinnedMaterial {
            index: u32::from(material),
            surface: Surface::of(&self.materials[usize::from(material)]),
        };
        self.skinned
            .push(mesh, textures, material, world, joints, true);
    }

    /// Adds a material and returns its index.
    pub fn material(&mut self, material: MaterialParams) -> u16 {
        self.materials.push(material);
        (self.materials.len() - 1) as u16
    }

    /// Draws `mesh` with `material` (textured with the test texture or not).
    pub fn draw(
        &mut self,
        mesh: MeshHandle,
        material: u16,
        textured: bool,
        at: Vec3,
        rotation: Quat,
    ) {
        self.draw_scaled(mesh, material, textured, at, rotation, 1.0);
    }

    pub fn draw_scaled(
        &mut self,
        mesh: MeshHandle,
        material: u16,
        textured: bool,
        at: Vec3,
        rotation: Quat,
        scale: f32,
    ) {
        self.items.push(DrawItem {
            mesh,
            position: at,
            rotation,
            scale,
            material,
            textures: if textured {
                self.set
            } else {
                TextureSetHandle::default()
            },
            surface: Surface::of(&self.materials[usize::from(material)]),
        });
    }

    /// A grey floor of edge `size` at y = 0.
    pub fn floor(&mut self, size: f32) {
        let grey = self.material(MaterialParams {
            base_color: Vec4::new(0.6, 0.6, 0.6, 1.0),
            roughness: 0.9,
            ..Default::default()
        });
        self.draw_scaled(self.plane, grey, false, Vec3::ZERO, Quat::IDENTITY, size);
    }

    pub fn camera(&self) -> CameraView {
        CameraView::look_at(
            self.eye,
            self.target,
            45f32.to_radians(),
            self.size.x as f32 / self.size.y as f32,
            0.1,
            100.0,
        )
    }

    /// The pixel a world point lands on.
    pub fn pixel(&self, world: Vec3) -> (u32, u32) {
        let camera = self.camera();
        let clip = camera.projection * camera.view * world.extend(1.0);
        let ndc = clip.truncate() / clip.w;
        (
            ((ndc.x * 0.5 + 0.5) * self.size.x as f32) as u32,
            ((0.5 - ndc.y * 0.5) * self.size.y as f32) as u32,
        )
    }

    /// Renders one frame through the ECS host (bloom, ambient occlusion and FXAA off, so
    /// pixels keep their surface's colour, unless `full`). The assets move to the frame's
    /// world: a scene renders once.
    pub fn render(&mut self, full: bool) -> Option<Image> {
        let config = if full {
            RendererConfig {
                resolution: self.size,
                ..Default::default()
            }
        } else {
            RendererConfig {
                resolution: self.size,
                msaa: 1,
                bloom: None,
                ambient_occlusion: None,
                fxaa: false,
                ..Default::default()
            }
        };
        let mut host = super::support::or_skip(GpuRenderer::new(config))?;
        let mut world = World::new();
        let mut materials = Materials::default();
        materials.set(self.materials.clone()).unwrap();
        let mut queue = RenderQueue::new();
        queue.camera = Some(self.camera());
        queue.sun = self.sun;
        queue.ambient = self.ambient;
        queue.point_lights = self.lights.clone();
        queue.shadow_bounds = (Vec3::ZERO, 6.0);
        queue.set_items(&self.items);
        queue.skinned = std::mem::take(&mut self.skinned);
        world.insert_resource(std::mem::take(&mut self.skinned_meshes));
        world.insert_resource(std::mem::take(&mut self.meshes));
        world.insert_resource(std::mem::take(&mut self.textures));
        world.insert_resource(materials);
        world.insert_resource(queue);
        host.frame(&mut world);
        Some(host.read_frame().unwrap())
    }
}

pub fn rgb(image: &Image, (x, y): (u32, u32)) -> Vec3 {
    let at = ((y * image.width + x) * 4) as usize;
    let p = &image.pixels[at..at + 3];
    Vec3::new(p[0] as f32, p[1] as f32, p[2] as f32) / 255.0
}

/// The mean colour over the square of half-width `r` around a pixel.
pub fn mean(image: &Image, (x, y): (u32, u32), r: u32) -> Vec3 {
    let mut sum = Vec3::ZERO;
    let mut n = 0.0;
    for py in y - r..=y + r {
        for px in x - r..=x + r {
            sum += rgb(image, (px, py));
            n += 1.0;
        }
    }
    sum / n
}

/// A quad facing +Z (the plane turned up), at `at`.
pub const FACING_CAMERA: Quat = Quat::from_xyzw(
    core::f32::consts::FRAC_1_SQRT_2,
    0.0,
    0.0,
    core::f32::consts::FRAC_1_SQRT_2,
);
