//! `load_scene_bytes` (a glTF JSON or GLB scene: node hierarchy, primitives, materials, PNG
//! images in the GLB chunk or data URIs, lights, cameras) on any bytes: a typed error or a scene whose meshes
//! validate and whose indices and transforms are usable, never a panic, a hang on a cyclic
//! hierarchy, or an allocation the input cannot justify.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(scene) = layerw_cook::load_scene_bytes(data) {
        for mesh in &scene.meshes {
            mesh.mesh.validate().expect("a loaded mesh is valid");
        }
        for material in &scene.materials {
            for texture in [
                material.base_color_texture,
                material.normal_texture,
                material.metallic_roughness_texture,
                material.occlusion_texture,
                material.emissive_texture,
            ] {
                assert!(texture.is_none_or(|t| (t as usize) < scene.textures.len()));
            }
            assert!(material.transforms.to_array().iter().all(|t| t.is_finite()));
        }
        for entity in &scene.entities {
            assert!((entity.mesh as usize) < scene.meshes.len());
            assert!((entity.material as usize) < scene.materials.len());
            assert!(entity.translation.is_finite() && entity.scale.is_finite());
            assert!(entity.rotation.is_finite());
        }
        for light in &scene.lights {
            assert!(light.translation.is_finite() && light.rotation.is_finite());
        }
        for camera in &scene.cameras {
            assert!(camera.translation.is_finite() && camera.rotation.is_finite());
        }
    }
});
