//! A content pack's version 3 additions through the public API: material options (alpha
//! modes, double-sided, emissive strength, the five texture maps and their UV transforms),
//! lights and cameras round-trip through the manifest's bytes; out-of-range values are typed
//! errors from the writer and the reader; version 2 manifests still read, with defaults.

use core::f32::consts::{FRAC_PI_2, FRAC_PI_4};

use layerw_engine::glam::{Quat, Vec2, Vec3, Vec4};
use layerw_engine::render::{AlphaMode, TextureImage, TextureTransform};
use layerw_engine::stream::{
    MaterialTransforms, OLDEST_PACK_VERSION, PACK_HEADER_LEN, PACK_VERSION, PackCamera, PackError,
    PackLight, PackLightKind, PackManifest, PackMaterial, PackProjection, PackWriter,
};

fn transform(seed: f32) -> TextureTransform {
    TextureTransform {
        offset: Vec2::new(0.25 * seed, -0.5),
        rotation: 0.1 * seed,
        scale: Vec2::new(2.0, seed),
        tex_coord: seed as u32 % 2,
    }
}

/// Every option away from its default.
fn rich_material() -> PackMaterial {
    PackMaterial {
        base_color: Vec4::new(0.8, 0.7, 0.6, 0.5),
        emissive: Vec3::new(1.0, 0.5, 0.0),
        metallic: 0.25,
        roughness: 0.75,
        base_color_texture: Some(0),
        normal_texture: Some(1),
        metallic_roughness_texture: Some(1),
        occlusion_texture: Some(1),
        emissive_texture: Some(0),
        normal_scale: 0.5,
        occlusion_strength: 0.8,
        emissive_strength: 12.0,
        alpha_mode: AlphaMode::Mask,
        alpha_cutoff: 0.3,
        double_sided: true,
        transforms: MaterialTransforms::from_array([
            transform(1.0),
            transform(2.0),
            transform(3.0),
            transform(4.0),
            transform(5.0),
        ]),
    }
}

fn lights() -> Vec<PackLight> {
    let at = |x| Vec3::new(x, 2.0, -1.0);
    vec![
        PackLight {
            kind: PackLightKind::Directional,
            color: Vec3::ONE,
            intensity: 3.0,
            range: None,
            translation: Vec3::ZERO,
            rotation: Quat::from_rotation_x(-FRAC_PI_4),
        },
        PackLight {
            kind: PackLightKind::Point,
            color: Vec3::new(1.0, 0.5, 0.25),
            intensity: 40.0,
            range: Some(8.0),
            translation: at(1.0),
            rotation: Quat::IDENTITY,
        },
        PackLight {
            kind: PackLightKind::Spot {
                inner_cone: 0.2,
                outer_cone: FRAC_PI_4,
            },
            color: Vec3::new(0.0, 0.0, 1.0),
            intensity: 100.0,
            range: None,
            translation: at(-3.0),
            rotation: Quat::from_rotation_y(0.5),
        },
    ]
}

fn cameras() -> Vec<PackCamera> {
    vec![
        PackCamera {
            projection: PackProjection::Perspective {
                y_fov: 0.7,
                aspect_ratio: Some(1.5),
                z_near: 0.01,
                z_far: None,
            },
            translation: Vec3::new(0.5, 0.5, 3.0),
            rotation: Quat::IDENTITY,
        },
        PackCamera {
            projection: PackProjection::Orthographic {
                x_mag: 1.0,
                y_mag: 2.0,
                z_near: 0.0,
                z_far: 100.0,
            },
            translation: Vec3::new(-1.0, 4.0, 0.0),
            rotation: Quat::from_rotation_x(-FRAC_PI_2),
        },
    ]
}

fn writer_with_textures() -> PackWriter {
    let mut writer = PackWriter::in_memory(32.0).unwrap();
    let pixels = TextureImage::from_rgba8(4, 4, vec![200; 64]).unwrap();
    writer.add_texture(&pixels, true, false).unwrap();
    writer.add_texture(&pixels, false, false).unwrap();
    writer
}

#[test]
fn materials_lights_and_cameras_round_trip() {
    let mut writer = writer_with_textures();
    writer.add_material(rich_material()).unwrap();
    writer.add_material(PackMaterial::default()).unwrap();
    writer
        .add_material(PackMaterial {
            alpha_mode: AlphaMode::Blend,
            ..PackMaterial::default()
        })
        .unwrap();
    for light in lights() {
        writer.add_light(light).unwrap();
    }
    for camera in cameras() {
        writer.add_camera(camera).unwrap();
    }
    let pack = writer.finish().unwrap();
    assert_eq!(pack.manifest.materials[0], rich_material());
    assert_eq!(pack.manifest.materials[2].alpha_mode, AlphaMode::Blend);
    assert_eq!(pack.manifest.lights, lights());
    assert_eq!(pack.manifest.cameras, cameras());
    let read = PackManifest::from_bytes(&pack.manifest_bytes).unwrap();
    assert_eq!(read, pack.manifest);
    // The spot shines down its rotated -Z.
    let spot = &read.lights[2];
    assert!((spot.direction() - Quat::from_rotation_y(0.5) * Vec3::NEG_Z).length() < 1e-6);
}

#[test]
fn out_of_range_lights_cameras_and_materials_are_refused() {
    let mut writer = writer_with_textures();
    let spot = |inner_cone, outer_cone| PackLight {
        kind: PackLightKind::Spot {
            inner_cone,
            outer_cone,
        },
        ..lights()[0]
    };
    for bad in [spot(0.5, 0.4), spot(-0.1, 0.4), spot(0.1, 2.0)] {
        assert!(
            matches!(
                writer.add_light(bad),
                Err(PackError::OutOfRange { what: "light", .. })
            ),
            "{bad:?}"
        );
    }
    let point = PackLight {
        range: Some(0.0),
        ..lights()[1]
    };
    assert!(matches!(
        writer.add_light(point),
        Err(PackError::OutOfRange { what: "light", .. })
    ));
    let nan = PackLight {
        intensity: f32::NAN,
        ..lights()[1]
    };
    assert_eq!(
        writer.add_light(nan),
        Err(PackError::NonFinite {
            what: "light",
            index: 0
        })
    );
    let perspective = |y_fov, z_near, z_far| PackCamera {
        projection: PackProjection::Perspective {
            y_fov,
            aspect_ratio: None,
            z_near,
            z_far,
        },
        ..cameras()[0]
    };
    for bad in [
        perspective(0.0, 0.1, None),
        perspective(4.0, 0.1, None),
        perspective(1.0, 0.0, None),
        perspective(1.0, 1.0, Some(0.5)),
    ] {
        assert!(
            matches!(
                writer.add_camera(bad),
                Err(PackError::OutOfRange { what: "camera", .. })
            ),
            "{bad:?}"
        );
    }
    let material = PackMaterial {
        emissive_texture: Some(2),
        ..PackMaterial::default()
    };
    assert_eq!(
        writer.add_material(material),
        Err(PackError::IndexOutOfRange {
            what: "material emissive texture",
            index: 2,
            len: 2
        })
    );
    let mut bad_transform = PackMaterial::default();
    bad_transform.transforms.occlusion.rotation = f32::INFINITY;
    assert!(matches!(
        writer.add_material(bad_transform),
        Err(PackError::NonFinite {
            what: "material",
            ..
        })
    ));
    // The reader runs the same checks on bytes the writer never made.
    let mut manifest = writer.finish().unwrap().manifest;
    manifest.lights.push(spot(0.5, 0.4));
    assert!(matches!(
        PackManifest::from_bytes(&manifest.to_bytes()),
        Err(PackError::OutOfRange { what: "light", .. })
    ));
}

/// Re-seals a manifest's header around a new version and body (valid checksums).
fn sealed(version: u16, body: &[u8]) -> Vec<u8> {
    let mut out = b"LWPK".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(body);
    out
}

#[test]
fn version_2_and_3_manifests_read_with_defaults_and_others_are_refused() {
    assert_eq!((OLDEST_PACK_VERSION, PACK_VERSION), (2, 4));
    let mut writer = writer_with_textures();
    let old = PackMaterial {
        base_color: Vec4::new(0.1, 0.2, 0.3, 1.0),
        emissive: Vec3::splat(0.5),
        metallic: 0.0,
        roughness: 0.4,
        base_color_texture: Some(0),
        normal_texture: Some(1),
        ..PackMaterial::default()
    };
    writer.add_material(old.clone()).unwrap();
    let pack = writer.finish().unwrap();
    let v4 = &pack.manifest_bytes[PACK_HEADER_LEN..];
    // Version 3's body is version 4's without the animation section (four zero counts here).
    let v3 = &v4[..v4.len() - 16];
    assert_eq!(
        PackManifest::from_bytes(&sealed(3, v3)).unwrap(),
        pack.manifest
    );
    assert!(PackManifest::from_bytes(&sealed(3, v4)).is_err());
    // Version 2's body is version 3's without the material's new fields (its first 44 bytes
    // are the same) and without the two empty lists at the end (the light and camera counts).
    let material_start = v3.len() - 8 - 196 - 4;
    let mut v2 = v3[..material_start + 44].to_vec();
    v2.extend_from_slice(&v3[material_start + 196..v3.len() - 8]);
    let read = PackManifest::from_bytes(&sealed(2, &v2)).unwrap();
    assert_eq!(read.materials, vec![old]);
    assert!(read.lights.is_empty() && read.cameras.is_empty());
    assert_eq!(read.textures, pack.manifest.textures);
    // Without the stripping the same body is not a version 2 body.
    assert!(PackManifest::from_bytes(&sealed(2, v3)).is_err());
    for version in [1, 5] {
        assert_eq!(
            PackManifest::from_bytes(&sealed(version, v4)),
            Err(PackError::UnsupportedVersion {
                found: version,
                supported: PACK_VERSION
            })
        );
    }
}

#[test]
fn unknown_material_flags_are_refused() {
    let mut writer = writer_with_textures();
    writer.add_material(PackMaterial::default()).unwrap();
    let bytes = writer.finish().unwrap().manifest_bytes;
    let body = &bytes[PACK_HEADER_LEN..];
    // The flags word is the material's 12th from its 44-byte v2 part: base (4), emissive (3),
    // metallic, roughness, 5 textures, 4 scalars.
    // The body ends with the material, the (empty) cells, lights and cameras counts and the
    // four (empty) animation counts.
    let material_start = body.len() - 28 - 196;
    let flags_at = material_start + 4 * (4 + 3 + 2 + 5 + 4);
    for (flags, what) in [(3u32, "material alpha mode"), (8, "material")] {
        let mut body = body.to_vec();
        body[flags_at..flags_at + 4].copy_from_slice(&flags.to_le_bytes());
        assert_eq!(
            PackManifest::from_bytes(&sealed(PACK_VERSION, &body)),
            Err(PackError::UnknownFlags { what, flags })
        );
    }
}
