//! The frame graph's targets: what each is, and which texture it gets. Targets with the same
//! description whose lifetimes in the frame (first to last pass touching them) do not overlap
//! share a texture; targets whose contents outlive the frame never share.

use glam::UVec2;

use crate::gpu::renderer::{DEPTH_FORMAT, HDR_FORMAT, OUTPUT_FORMAT};

/// A texture passes share, named by what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// The sun's depth from its point of view: a layer per shadow cascade, each
    /// `shadow_map_size` square.
    ShadowMap,
    /// The camera's depth (multisampled like the colour).
    Depth,
    /// The multisampled HDR colour, resolved into [`Hdr`](Target::Hdr); only with MSAA.
    HdrMsaa,
    /// The HDR colour, single-sampled.
    Hdr,
    /// A level of the bloom chain: the HDR image at half the resolution for level 0, half that
    /// for each level after (at least 1x1), up to [`BLOOM_LEVELS`].
    Bloom(u8),
    /// The tonemapped image (sRGB-encoded), when a pass after tonemapping (FXAA) reads it.
    Ldr,
    /// What ambient occlusion reads of each pixel, written by the opaque pass beside the
    /// colour: the octahedral normal, the view depth, and the ambient share of the colour.
    Geometry,
    /// [`Geometry`](Target::Geometry) multisampled, resolved into it; only with MSAA.
    GeometryMsaa,
    /// Ambient occlusion at half the resolution (1: open, 0: occluded).
    Ao,
    /// The frame's final image: the headless output (read back for screenshots), or the
    /// window's surface when presenting.
    Output,
}

/// The bloom chain's levels.
pub(crate) const BLOOM_LEVELS: u8 = 6;

impl Target {
    const COUNT: usize = 9 + BLOOM_LEVELS as usize;

    const ALL: [Target; Target::COUNT] = {
        let mut all = [Target::Output; Target::COUNT];
        all[0] = Target::ShadowMap;
        all[1] = Target::Depth;
        all[2] = Target::HdrMsaa;
        all[3] = Target::Hdr;
        all[4] = Target::Ldr;
        all[5] = Target::Geometry;
        all[6] = Target::GeometryMsaa;
        all[7] = Target::Ao;
        let mut level = 0;
        while level < BLOOM_LEVELS {
            all[8 + level as usize] = Target::Bloom(level);
            level += 1;
        }
        all
    };

    /// Its place in [`ALL`](Target::ALL).
    fn index(self) -> usize {
        match self {
            Target::ShadowMap => 0,
            Target::Depth => 1,
            Target::HdrMsaa => 2,
            Target::Hdr => 3,
            Target::Ldr => 4,
            Target::Geometry => 5,
            Target::GeometryMsaa => 6,
            Target::Ao => 7,
            Target::Bloom(level) => {
                assert!(level < BLOOM_LEVELS, "bloom level {level} past the chain");
                8 + level as usize
            }
            Target::Output => Target::COUNT - 1,
        }
    }

    /// What the texture is: label, size, format, samples and the usage beyond what the
    /// declarations imply.
    fn desc(self, settings: &TargetSettings) -> TargetDesc {
        let (label, size, format, samples, extra) = match self {
            Target::ShadowMap => (
                "shadow map",
                UVec2::splat(settings.shadow_map_size),
                DEPTH_FORMAT,
                1,
                wgpu::TextureUsages::empty(),
            ),
            Target::Depth => (
                "depth",
                settings.resolution,
                DEPTH_FORMAT,
                settings.samples,
                wgpu::TextureUsages::empty(),
            ),
            Target::HdrMsaa => (
                "hdr msaa",
                settings.resolution,
                HDR_FORMAT,
                settings.samples,
                wgpu::TextureUsages::empty(),
            ),
            Target::Hdr => (
                "hdr",
                settings.resolution,
                HDR_FORMAT,
                1,
                wgpu::TextureUsages::empty(),
            ),
            Target::Bloom(level) => (
                "bloom level",
                (settings.resolution >> (u32::from(level) + 1)).max(UVec2::ONE),
                HDR_FORMAT,
                1,
                wgpu::TextureUsages::empty(),
            ),
            Target::Geometry => (
                "geometry",
                settings.resolution,
                HDR_FORMAT,
                1,
                wgpu::TextureUsages::empty(),
            ),
            Target::GeometryMsaa => (
                "geometry msaa",
                settings.resolution,
                HDR_FORMAT,
                settings.samples,
                wgpu::TextureUsages::empty(),
            ),
            Target::Ao => (
                "ambient occlusion",
                (settings.resolution / 2).max(UVec2::ONE),
                wgpu::TextureFormat::R8Unorm,
                1,
                wgpu::TextureUsages::empty(),
            ),
            Target::Ldr => (
                "ldr",
                settings.resolution,
                OUTPUT_FORMAT,
                1,
                wgpu::TextureUsages::empty(),
            ),
            // Copied out by `read_output`.
            Target::Output => (
                "output",
                settings.resolution,
                OUTPUT_FORMAT,
                1,
                wgpu::TextureUsages::COPY_SRC | wgpu::TextureUsages::TEXTURE_BINDING,
            ),
        };
        // The shadow map is an array (one layer per cascade), whatever the count.
        let layers = match self {
            Target::ShadowMap => Some(settings.shadow_layers.max(1)),
            _ => None,
        };
        TargetDesc {
            label,
            size,
            format,
            samples,
            layers,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | extra,
        }
    }

    /// Whether its contents must outlive the frame (so it never shares a texture).
    fn persistent(self) -> bool {
        self == Target::Output
    }
}

/// What sizes the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TargetSettings {
    /// The internal resolution.
    pub(crate) resolution: UVec2,
    /// MSAA samples of the camera's targets.
    pub(crate) samples: u32,
    /// The shadow map's edge.
    pub(crate) shadow_map_size: u32,
    /// The shadow map's layers: the sun's cascades, then the spot light's when it has one.
    pub(crate) shadow_layers: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TargetDesc {
    label: &'static str,
    size: UVec2,
    format: wgpu::TextureFormat,
    samples: u32,
    /// Array layers (viewed as a 2D array), or `None` for a plain 2D texture.
    layers: Option<u32>,
    usage: wgpu::TextureUsages,
}

impl TargetDesc {
    /// The same texture but for its label.
    fn alike(&self, other: &TargetDesc) -> bool {
        (
            self.size,
            self.format,
            self.samples,
            self.layers,
            self.usage,
        ) == (
            other.size,
            other.format,
            other.samples,
            other.layers,
            other.usage,
        )
    }
}

/// The targets a pass reads (samples) and writes (renders into, resolves into).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Access {
    /// Targets sampled.
    pub(crate) reads: Vec<Target>,
    /// Targets rendered or resolved into.
    pub(crate) writes: Vec<Target>,
}

impl Access {
    pub(super) fn touches(&self, target: Target) -> bool {
        self.reads.contains(&target) || self.writes.contains(&target)
    }
}

/// The allocated targets: a texture per group of targets that share one.
pub(crate) struct Targets {
    textures: Vec<wgpu::Texture>,
    views: Vec<wgpu::TextureView>,
    slot: [Option<usize>; Target::COUNT],
}

impl Targets {
    /// A target's view; panics when no pass declared it.
    pub(crate) fn view(&self, target: Target) -> &wgpu::TextureView {
        &self.views[self.slot(target)]
    }

    /// A target's texture; panics when no pass declared it.
    pub(crate) fn texture(&self, target: Target) -> &wgpu::Texture {
        &self.textures[self.slot(target)]
    }

    fn slot(&self, target: Target) -> usize {
        self.slot[target.index()].unwrap_or_else(|| panic!("no pass declares {target:?}"))
    }
}

/// Which texture each target gets: targets with the same description whose lifetimes (first
/// to last pass touching them) do not overlap share one. Returns the descriptions of the
/// textures and each target's texture.
fn plan(
    accesses: &[&Access],
    settings: &TargetSettings,
) -> (Vec<TargetDesc>, [Option<usize>; Target::COUNT]) {
    // Each declared target's first and last pass, taken in order of first use.
    let mut lifetimes: Vec<(usize, usize, Target)> = Target::ALL
        .into_iter()
        .filter_map(|target| {
            let mut uses = (0..accesses.len()).filter(|&i| accesses[i].touches(target));
            let first = uses.next()?;
            let last = uses.next_back().unwrap_or(first);
            Some((first, last, target))
        })
        .collect();
    lifetimes.sort_by_key(|&(first, _, target)| (first, target.index()));
    let mut textures: Vec<(TargetDesc, usize)> = Vec::new(); // description, last use
    let mut slot = [None; Target::COUNT];
    for (first, last, target) in lifetimes {
        let mut desc = target.desc(settings);
        if accesses.iter().any(|a| a.reads.contains(&target)) {
            desc.usage |= wgpu::TextureUsages::TEXTURE_BINDING;
        }
        let persistent = target.persistent();
        let last = if persistent { usize::MAX } else { last };
        let free = textures
            .iter()
            .position(|(d, end)| d.alike(&desc) && *end < first && !persistent);
        slot[target.index()] = Some(match free {
            Some(i) => {
                textures[i].1 = last;
                i
            }
            None => {
                textures.push((desc, last));
                textures.len() - 1
            }
        });
    }
    (textures.into_iter().map(|(d, _)| d).collect(), slot)
}

/// Allocates the textures of the targets that `accesses` (each pass's, in order) declare.
pub(super) fn allocate(
    device: &wgpu::Device,
    accesses: &[&Access],
    settings: &TargetSettings,
) -> Targets {
    let (descs, slot) = plan(accesses, settings);
    let textures: Vec<wgpu::Texture> = descs
        .iter()
        .map(|d| {
            device.create_texture(&wgpu::TextureDescriptor {
                label: Some(d.label),
                size: wgpu::Extent3d {
                    width: d.size.x,
                    height: d.size.y,
                    depth_or_array_layers: d.layers.unwrap_or(1),
                },
                mip_level_count: 1,
                sample_count: d.samples,
                dimension: wgpu::TextureDimension::D2,
                format: d.format,
                usage: d.usage,
                view_formats: &[],
            })
        })
        .collect();
    let views = textures
        .iter()
        .zip(&descs)
        .map(|(t, d)| {
            t.create_view(&wgpu::TextureViewDescriptor {
                dimension: d.layers.map(|_| wgpu::TextureViewDimension::D2Array),
                ..Default::default()
            })
        })
        .collect();
    Targets {
        textures,
        views,
        slot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(reads: &[Target], writes: &[Target]) -> Access {
        Access {
            reads: reads.to_vec(),
            writes: writes.to_vec(),
        }
    }

    const SETTINGS: TargetSettings = TargetSettings {
        resolution: UVec2::new(64, 32),
        samples: 4,
        shadow_map_size: 256,
        shadow_layers: 3,
    };

    #[test]
    fn todays_passes_get_a_texture_per_target() {
        let shadow = access(&[], &[Target::ShadowMap]);
        let opaque = access(
            &[Target::ShadowMap],
            &[Target::HdrMsaa, Target::Hdr, Target::Depth],
        );
        let tonemap = access(&[Target::Hdr], &[Target::Output]);
        let (descs, slot) = plan(&[&shadow, &opaque, &tonemap], &SETTINGS);
        assert_eq!(descs.len(), 5);
        let hdr = descs[slot[Target::Hdr.index()].unwrap()];
        assert_eq!((hdr.size, hdr.samples), (SETTINGS.resolution, 1));
        assert!(hdr.usage.contains(wgpu::TextureUsages::TEXTURE_BINDING));
        let shadow = descs[slot[Target::ShadowMap.index()].unwrap()];
        assert_eq!(
            shadow.layers,
            Some(SETTINGS.shadow_layers),
            "a layer per cascade"
        );
        let depth = descs[slot[Target::Depth.index()].unwrap()];
        assert!(!depth.usage.contains(wgpu::TextureUsages::TEXTURE_BINDING));
    }

    #[test]
    fn targets_alike_and_apart_in_time_share_a_texture() {
        // Without MSAA, Hdr (written, never read) and HdrMsaa are alike: apart in time they
        // share a texture, overlapping they do not. Output never shares.
        let one = TargetSettings {
            samples: 1,
            ..SETTINGS
        };
        let a = access(&[], &[Target::Hdr]);
        let b = access(&[], &[Target::HdrMsaa, Target::Output]);
        let (descs, slot) = plan(&[&a, &b], &one);
        assert_eq!(descs.len(), 2, "{descs:?}");
        assert_eq!(slot[Target::Hdr.index()], slot[Target::HdrMsaa.index()]);
        let both = access(&[], &[Target::Hdr, Target::HdrMsaa]);
        let (descs, slot) = plan(&[&both, &b], &one);
        assert_eq!(descs.len(), 3, "{descs:?}");
        assert_ne!(slot[Target::Hdr.index()], slot[Target::HdrMsaa.index()]);
        // Read, Hdr is a sampled texture: no longer alike.
        let c = access(&[Target::Hdr], &[Target::Output]);
        let d = access(&[], &[Target::HdrMsaa]);
        let (descs, _) = plan(&[&a, &c, &d], &one);
        assert_eq!(descs.len(), 3, "{descs:?}");
    }
}
