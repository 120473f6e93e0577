//! The [`Streamer`] resource: a content pack streamed through a [`StreamIo`] backend into the
//! asset stores, one call a frame. It reads the manifest, turns every mesh into a streamed LOD
//! chain (its levels reserved in [`MeshAssets`], nothing resident), takes the wants the Lod
//! stage gathered, and carries out the [`StreamScheduler`]'s plan: reads, cancels, evictions,
//! decoding off the frame (rayon natively, time-sliced by a clock on the web and WASI) and a
//! per-frame upload budget. World cells are tracked here and spawned by the systems crate.

use std::collections::{HashMap, HashSet, VecDeque};

use glam::{IVec2, Vec3};

use super::cells::cells_within;
use super::{
    LevelCost, PackError, PackFile, PackManifest, ReadCompletion, ReadRequest, RequestId,
    SchedulerError, SchedulerSettings, StreamAction, StreamIo, StreamIoError, StreamScheduler,
    StreamedAsset, Want,
};
use crate::lod::{LodAssets, LodChainError, LodHandle};
use crate::render::{
    CheckedMesh, LoadedTexture, MaterialParams, Materials, MeshAssets, TextureAssets,
    TextureHandle, TextureSet, TextureSetHandle,
};

mod decoder;
mod pressure;
mod progress;
mod reads;

use reads::{LevelFetch, ReadQueue};

use decoder::{Decoded, DecodedLevel, Decoder, LevelEntry};
pub use pressure::install_reclaim_hook;
pub use progress::StreamProgress;

/// The streamer's knobs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StreamSettings {
    /// The scheduler's (budget, water marks, requests and bytes in flight, retries).
    pub scheduler: SchedulerSettings,
    /// Decoded bytes handed to the stores (and so uploaded to the GPU) per frame at most; one
    /// level always goes, so a big level still arrives.
    pub upload_bytes_per_frame: u64,
    /// Where decoding runs on the frame's thread (web, WASI): milliseconds of decoding per
    /// frame, on the platform's clock (`performance.now()` in the browser). One level always
    /// goes, so progress never stalls (0 decodes one level a frame); a further one only when
    /// it is predicted to fit, from its stored bytes at the speed seen so far. Natively
    /// decoding runs on rayon's pool and this is not used.
    pub decode_ms_per_frame: f64,
    /// The same until the view is first complete (every wanted asset has its coarsest level):
    /// nothing complete is drawn yet, and the first view waits on decoding a couple of
    /// thousand small levels on the frame's thread (1.2 s instead of 1.6 s to the first
    /// complete frame in the browser benchmark at 4 ms against 1 ms).
    pub decode_ms_until_view: f64,
    /// The longest manifest accepted.
    pub manifest_max_bytes: u64,
}

impl StreamSettings {
    /// Defaults for a budget of `budget` bytes: the scheduler's defaults, 8 MiB uploaded and
    /// 1 ms of decoding on the frame's thread per frame (half the web's 2 ms goal for the whole
    /// Streaming stage; 4 ms until the view is first complete), manifests up to 64 MiB.
    pub fn new(budget: u64) -> StreamSettings {
        StreamSettings {
            scheduler: SchedulerSettings::new(budget),
            upload_bytes_per_frame: 8 << 20,
            decode_ms_per_frame: 1.0,
            decode_ms_until_view: 4.0,
            manifest_max_bytes: 64 << 20,
        }
    }

    /// Defaults with the budget set to `fraction` of walloc's Scene tier budget (the tier
    /// streamed levels are decoded into).
    pub fn scene_tier(fraction: f64) -> StreamSettings {
        let config = crate::walloc::global().config();
        let scene = config.budget_bytes(crate::walloc::Tier::Scene);
        StreamSettings::new((scene as f64 * fraction.clamp(0.0, 1.0)) as u64)
    }
}

/// Why streaming stalled for a while (it retries by itself; the latest is kept in
/// [`StreamProgress::last_error`]).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum StreamError {
    /// A read failed.
    Io(StreamIoError),
    /// Bytes were not what the pack promised (checksum, size, format).
    Pack(PackError),
    /// The manifest's level tables were refused.
    Scheduler(SchedulerError),
    /// A mesh's level table was refused.
    Lod(LodChainError),
    /// walloc's tier could not hold a decoded level: it is retried once evictions made room.
    OutOfMemory {
        /// The tier.
        tier: crate::walloc::Tier,
        /// Bytes the decode needs.
        requested: u64,
        /// Bytes the tier could give.
        available: u64,
    },
}

impl core::fmt::Display for StreamError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StreamError::Io(e) => write!(f, "stream read: {e}"),
            StreamError::Pack(e) => write!(f, "stream data: {e}"),
            StreamError::Scheduler(e) => write!(f, "stream manifest: {e}"),
            StreamError::Lod(e) => write!(f, "stream manifest: {e}"),
            StreamError::OutOfMemory {
                tier,
                requested,
                available,
            } => write!(
                f,
                "stream decode: the {tier} tier has {available} bytes, {requested} needed"
            ),
        }
    }
}

impl std::error::Error for StreamError {}

/// The stores a [`Streamer::update`] fills.
pub struct StreamStores<'a> {
    /// Streamed chains (their resident level counts).
    pub lods: &'a mut LodAssets,
    /// The chains' level meshes.
    pub meshes: &'a mut MeshAssets,
    /// Streamed textures (their resident mips).
    pub textures: &'a mut TextureAssets,
    /// The pack's materials.
    pub materials: &'a mut Materials,
}

/// Cells to spawn and despawn, from [`Streamer::update_cells`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellChanges {
    /// Cells to spawn (indices into [`PackManifest::cells`]).
    pub load: Vec<usize>,
    /// Cells to despawn (their coordinates).
    pub unload: Vec<IVec2>,
}

/// The pack once its manifest is read. Scheduler assets are the pack's meshes, then its
/// textures (texture `t` is asset `meshes + t`).
struct OpenPack {
    manifest: PackManifest,
    scheduler: StreamScheduler,
    /// Pack mesh index -> its chain.
    chains: Vec<LodHandle>,
    /// Chain slot ([`LodAssets::index`]) -> the chain and its pack mesh index: a lookup per
    /// LOD entity per frame, so an index, not a hash.
    assets: Vec<Option<(LodHandle, u32)>>,
    /// Pack texture index -> its texture (mips resident: the scheduler's prefix, finest first).
    textures: Vec<TextureHandle>,
    /// Pack material index -> the engine's material index and texture set.
    materials: Vec<(u16, Option<TextureSetHandle>)>,
    /// The engine's material index -> pack material index.
    material_of: Vec<Option<u32>>,
    /// This frame's texture wants by pack material, merged over the entities that use it
    /// (many share one), turned into the textures' wants when the frame plans.
    material_wants: Vec<Option<MaterialWant>>,
    /// Pack materials with a want this frame.
    materials_wanted: Vec<u32>,
    cells: HashMap<IVec2, usize>,
    loaded_cells: HashSet<IVec2>,
}

impl OpenPack {
    fn mesh_count(&self) -> u32 {
        self.chains.len() as u32
    }

    fn asset_of(&self, chain: LodHandle) -> Option<u32> {
        match self.assets.get(LodAssets::index(chain)) {
            Some(&Some((c, asset))) if c == chain => Some(asset),
            _ => None,
        }
    }
}

/// What the entities drawn with one pack material need of its textures this frame: the most
/// pixels across any covers, the nearest, and whether any is in the frustum.
#[derive(Clone, Copy, Debug)]
struct MaterialWant {
    pixels: f32,
    distance: f32,
    in_frustum: bool,
}

/// A content pack streamed into the asset stores; see the [module docs](self) and
/// docs/streaming.md.
pub struct Streamer {
    io: Box<dyn StreamIo>,
    settings: StreamSettings,
    clock: f64,
    manifest_request: Option<RequestId>,
    manifest_failures: u32,
    manifest_retry_at: f64,
    pack: Option<OpenPack>,
    decoder: Decoder,
    ready: VecDeque<Decoded>,
    wants: Vec<Want>,
    actions: Vec<StreamAction>,
    completions: Vec<ReadCompletion>,
    /// Levels of this frame's reads, split out of merged reads.
    level_completions: Vec<ReadCompletion>,
    /// This frame's fetches, merged and queued by `reads`.
    fetches: Vec<LevelFetch>,
    reads: ReadQueue,
    /// The view has been complete once (the decoder's larger first budget is over).
    view_shown: bool,
    progress: StreamProgress,
}

/// The id of the manifest's read (level reads count up from 1).
const MANIFEST_REQUEST: RequestId = RequestId(u64::MAX);

impl Streamer {
    /// A streamer reading its pack through `io`; the manifest is asked for at the first
    /// [`update`](Self::update).
    pub fn new(io: impl StreamIo + 'static, settings: StreamSettings) -> Streamer {
        Streamer::from_boxed(Box::new(io), settings)
    }

    /// [`new`](Self::new) with a backend already boxed.
    pub fn from_boxed(io: Box<dyn StreamIo>, settings: StreamSettings) -> Streamer {
        Streamer {
            io,
            settings,
            clock: 0.0,
            manifest_request: None,
            manifest_failures: 0,
            manifest_retry_at: 0.0,
            pack: None,
            decoder: Decoder::default(),
            ready: VecDeque::new(),
            wants: Vec::new(),
            actions: Vec::new(),
            completions: Vec::new(),
            level_completions: Vec::new(),
            fetches: Vec::new(),
            reads: ReadQueue::default(),
            view_shown: false,
            progress: StreamProgress {
                budget: settings.scheduler.budget,
                ..StreamProgress::default()
            },
        }
    }

    /// The settings.
    pub fn settings(&self) -> &StreamSettings {
        &self.settings
    }

    /// Changes the budget; the next update evicts down to it (lowest value first) when it
    /// shrank.
    pub fn set_budget(&mut self, bytes: u64) {
        self.settings.scheduler.budget = bytes;
        if let Some(pack) = self.pack.as_mut() {
            pack.scheduler.set_budget(bytes);
        }
    }

    /// Where streaming stands.
    pub fn progress(&self) -> &StreamProgress {
        &self.progress
    }

    /// The manifest, once read.
    pub fn manifest(&self) -> Option<&PackManifest> {
        self.pack.as_ref().map(|p| &p.manifest)
    }

    /// The chain of pack mesh `mesh`, once the manifest is read.
    pub fn chain(&self, mesh: u32) -> Option<LodHandle> {
        self.pack.as_ref()?.chains.get(mesh as usize).copied()
    }

    /// Whether `chain` is one of this pack's.
    pub fn streams(&self, chain: LodHandle) -> bool {
        self.pack
            .as_ref()
            .is_some_and(|p| p.asset_of(chain).is_some())
    }

    /// The engine's material index for pack material `material`.
    pub fn material(&self, material: u32) -> Option<u16> {
        Some(self.pack.as_ref()?.materials.get(material as usize)?.0)
    }

    /// The texture set of pack material `material`, when it has textures (its maps read as
    /// neutral until their mips arrive).
    pub fn material_textures(&self, material: u32) -> Option<TextureSetHandle> {
        self.pack.as_ref()?.materials.get(material as usize)?.1
    }

    /// The texture of pack texture `texture`, once the manifest is read.
    pub fn texture(&self, texture: u32) -> Option<TextureHandle> {
        self.pack.as_ref()?.textures.get(texture as usize).copied()
    }

    /// The streamer's clock: seconds of `update` deltas so far.
    pub fn clock(&self) -> f64 {
        self.clock
    }

    /// The scheduler, once the manifest is read (its counters and residency).
    pub fn scheduler(&self) -> Option<&StreamScheduler> {
        self.pack.as_ref().map(|p| &p.scheduler)
    }

    /// Records what one entity drawn from `chain` needs this frame: `level` is the level LOD
    /// selection chose (coarsest 0; `u8::MAX`, none yet, counts as the coarsest), at
    /// `distance` from the camera with object-to-world `scale`. Chains of other packs are
    /// ignored. Call it between two `update`s; wants of one chain are merged.
    pub fn want(
        &mut self,
        chain: LodHandle,
        level: u8,
        distance: f32,
        scale: f32,
        in_frustum: bool,
    ) {
        let Some(asset) = self.pack.as_ref().and_then(|p| p.asset_of(chain)) else {
            return;
        };
        let levels = if level == u8::MAX {
            1
        } else {
            level.saturating_add(1)
        };
        self.wants.push(Want {
            asset,
            levels,
            distance,
            scale,
            in_frustum,
        });
    }

    /// Records what an entity drawn with the engine material `material` needs of that
    /// material's textures this frame: the object covers about `pixels` pixels across at
    /// `distance`, so each texture wants its smallest mip at least that wide (the full size at
    /// most). Materials of other packs, or without textures, are ignored.
    pub fn want_textures(&mut self, material: u16, pixels: f32, distance: f32, in_frustum: bool) {
        let Some(pack) = self.pack.as_mut() else {
            return;
        };
        let Some(&Some(index)) = pack.material_of.get(usize::from(material)) else {
            return;
        };
        let pixels = if pixels.is_finite() {
            pixels.max(1.0)
        } else {
            1.0
        };
        // Merged per material here; the textures' wants are made once per material at plan.
        let slot = &mut pack.material_wants[index as usize];
        match slot {
            Some(w) => {
                w.pixels = w.pixels.max(pixels);
                w.distance = w.distance.min(distance);
                w.in_frustum |= in_frustum;
            }
            None => {
                *slot = Some(MaterialWant {
                    pixels,
                    distance,
                    in_frustum,
                });
                pack.materials_wanted.push(index);
            }
        }
    }

    /// Turns this frame's material wants into their textures' wants: each texture wants its
    /// smallest mip at least as wide as the most pixels an entity covers (the full size at
    /// most).
    fn want_material_textures(pack: &mut OpenPack, wants: &mut Vec<Want>) {
        let mut wanted = std::mem::take(&mut pack.materials_wanted);
        for index in wanted.drain(..) {
            let Some(want) = pack.material_wants[index as usize].take() else {
                continue;
            };
            let m = &pack.manifest.materials[index as usize];
            for texture in [m.base_color_texture, m.normal_texture]
                .into_iter()
                .flatten()
            {
                let levels = &pack.manifest.textures[texture as usize].levels;
                let wanted = levels
                    .iter()
                    .position(|l| l.width.max(l.height) as f32 >= want.pixels)
                    .unwrap_or(levels.len() - 1);
                wants.push(Want {
                    asset: pack.mesh_count() + texture,
                    levels: wanted as u8 + 1,
                    distance: want.distance,
                    // Error is 1 / width (blur in object widths); times the pixels across, blur
                    // in pixels, as mesh errors are scaled to pixels.
                    scale: want.pixels,
                    in_frustum: want.in_frustum,
                });
            }
        }
        pack.materials_wanted = wanted; // keeps its capacity
    }

    /// One frame of streaming, `dt` seconds after the last: takes what the backend read,
    /// decodes, hands decoded levels to `meshes` (within the upload budget) and marks them
    /// resident in `lods`, then plans with this frame's wants and starts, cancels and evicts.
    pub fn update(&mut self, dt: f64, stores: StreamStores<'_>) {
        let StreamStores {
            lods,
            meshes,
            textures,
            materials,
        } = stores;
        self.clock += dt.max(0.0);
        let now = self.clock;
        self.completions.clear();
        self.io.poll(now, &mut self.completions);
        let mut completions = std::mem::take(&mut self.completions);
        let mut levels = std::mem::take(&mut self.level_completions);
        for completion in completions.drain(..) {
            if completion.id == MANIFEST_REQUEST {
                self.manifest_read(&completion, lods, meshes, textures, materials);
            } else {
                // A read the queue no longer knows was cancelled: its bytes are dropped.
                let _ = self.reads.complete(completion, &mut levels);
            }
        }
        for completion in levels.drain(..) {
            self.level_read(completion);
        }
        self.completions = completions;
        self.level_completions = levels;
        if self.pack.is_none() {
            self.ask_for_manifest();
            self.wants.clear();
            return;
        }
        let progress = &self.progress;
        if !self.view_shown && progress.view_ready() && progress.scheduler.resident_bytes > 0 {
            self.view_shown = true;
        }
        let decode_ms = if self.view_shown {
            self.settings.decode_ms_per_frame
        } else {
            self.settings
                .decode_ms_until_view
                .max(self.settings.decode_ms_per_frame)
        };
        self.progress.decode_seconds = self.decoder.collect(decode_ms, &mut self.ready);
        self.upload(lods, meshes, textures);
        self.plan(lods, meshes, textures);
        self.wants.clear();
        self.count();
    }

    fn ask_for_manifest(&mut self) {
        if self.manifest_request.is_some() || self.clock < self.manifest_retry_at {
            return;
        }
        self.manifest_request = Some(MANIFEST_REQUEST);
        self.io.submit(ReadRequest {
            id: MANIFEST_REQUEST,
            file: PackFile::Manifest,
            range: None,
            max_bytes: self.settings.manifest_max_bytes,
        });
    }

    fn manifest_failed(&mut self, error: StreamError) {
        self.manifest_request = None;
        self.manifest_failures = self.manifest_failures.saturating_add(1);
        let s = &self.settings.scheduler;
        let delay = s.retry_base * 2f64.powi(self.manifest_failures.min(30) as i32 - 1);
        self.manifest_retry_at = self.clock + delay.min(s.retry_cap);
        tracing::warn!("{error}; retrying");
        self.progress.last_error = Some(error);
    }

    fn manifest_read(
        &mut self,
        completion: &ReadCompletion,
        lods: &mut LodAssets,
        meshes: &mut MeshAssets,
        textures: &mut TextureAssets,
        materials: &mut Materials,
    ) {
        let bytes = match &completion.result {
            Ok(bytes) => bytes,
            Err(e) => return self.manifest_failed(StreamError::Io(e.clone())),
        };
        let manifest = match PackManifest::from_bytes(bytes) {
            Ok(manifest) => manifest,
            Err(e) => return self.manifest_failed(StreamError::Pack(e)),
        };
        // The backend bounds how many requests are worth keeping in flight.
        match Self::open(manifest, &self.settings, lods, meshes, textures, materials) {
            Ok(pack) => {
                let names: Vec<String> =
                    pack.manifest.blobs.iter().map(|b| b.name.clone()).collect();
                self.io.set_blobs(&names);
                self.pack = Some(pack);
                self.progress.manifest_loaded = true;
                self.manifest_request = None;
            }
            Err(e) => self.manifest_failed(e),
        }
    }

    /// Every mesh a streamed chain with nothing resident, every material added.
    fn open(
        manifest: PackManifest,
        settings: &StreamSettings,
        lods: &mut LodAssets,
        meshes: &mut MeshAssets,
        textures: &mut TextureAssets,
        materials: &mut Materials,
    ) -> Result<OpenPack, StreamError> {
        let mesh_assets = manifest.meshes.iter().map(|m| StreamedAsset {
            coarse_file: PackFile::Blob(m.coarse_blob),
            file: PackFile::Blob(m.blob),
            levels: m
                .levels
                .iter()
                .map(|l| LevelCost {
                    range: l.stored.range(),
                    resident_bytes: u64::from(l.stored.raw_len),
                    error: l.error,
                })
                .collect(),
        });
        let texture_assets = manifest.textures.iter().map(|t| StreamedAsset {
            coarse_file: PackFile::Blob(t.coarse_blob),
            file: PackFile::Blob(t.blob),
            levels: t
                .levels
                .iter()
                .map(|l| LevelCost {
                    range: l.stored.range(),
                    resident_bytes: u64::from(l.stored.raw_len),
                    error: 1.0 / l.width.max(l.height).max(1) as f32,
                })
                .collect(),
        });
        let streamed: Vec<StreamedAsset> = mesh_assets.chain(texture_assets).collect();
        let scheduler =
            StreamScheduler::new(streamed, settings.scheduler).map_err(StreamError::Scheduler)?;
        let mut chains = Vec::with_capacity(manifest.meshes.len());
        for mesh in &manifest.meshes {
            let errors: Vec<f32> = mesh.levels.iter().map(|l| l.error).collect();
            let triangles: Vec<u32> = mesh.levels.iter().map(|l| l.triangles).collect();
            match lods.add_streamed(&errors, &triangles, mesh.bounds, meshes) {
                Ok(chain) => chains.push(chain),
                Err(e) => {
                    for chain in chains {
                        lods.remove(chain, meshes);
                    }
                    return Err(StreamError::Lod(e));
                }
            }
        }
        let texture_handles: Vec<TextureHandle> = manifest
            .textures
            .iter()
            .map(|_| textures.reserve())
            .collect();
        let material_indices: Vec<(u16, Option<TextureSetHandle>)> = manifest
            .materials
            .iter()
            .map(|m| {
                let index = materials
                    .add(MaterialParams {
                        base_color: m.base_color,
                        emissive: m.emissive,
                        metallic: m.metallic,
                        roughness: m.roughness,
                        alpha_mode: m.alpha_mode,
                        alpha_cutoff: m.alpha_cutoff,
                        double_sided: m.double_sided,
                        emissive_strength: m.emissive_strength,
                        texture_transform: m.transforms.base_color,
                        ..MaterialParams::default()
                    })
                    .unwrap_or(0);
                let handle = |t: Option<u32>| t.map(|t| texture_handles[t as usize]);
                let set = TextureSet {
                    base_color: handle(m.base_color_texture),
                    normal: handle(m.normal_texture),
                    metallic_roughness: handle(m.metallic_roughness_texture),
                    emissive: handle(m.emissive_texture),
                    occlusion: handle(m.occlusion_texture),
                };
                let set = (set != TextureSet::default())
                    .then(|| textures.add_set(set))
                    .flatten();
                (index, set)
            })
            .collect();
        let mut material_of = Vec::new();
        for (i, &(index, _)) in material_indices.iter().enumerate() {
            let slot = usize::from(index);
            if material_of.len() <= slot {
                material_of.resize(slot + 1, None);
            }
            material_of[slot] = Some(i as u32);
        }
        let mut assets = Vec::new();
        for (i, &chain) in chains.iter().enumerate() {
            let slot = LodAssets::index(chain);
            if assets.len() <= slot {
                assets.resize(slot + 1, None);
            }
            assets[slot] = Some((chain, i as u32));
        }
        let cells = manifest
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| (c.coord, i))
            .collect();
        let material_count = material_indices.len();
        Ok(OpenPack {
            manifest,
            scheduler,
            chains,
            assets,
            textures: texture_handles,
            materials: material_indices,
            material_wants: vec![None; material_count],
            materials_wanted: Vec::new(),
            material_of,
            cells,
            loaded_cells: HashSet::new(),
        })
    }

    fn level_read(&mut self, completion: ReadCompletion) {
        let Some(pack) = self.pack.as_mut() else {
            return;
        };
        match completion.result {
            Ok(bytes) => {
                let Some((asset, level)) =
                    pack.scheduler.arrived(completion.id, bytes.len() as u64)
                else {
                    return; // cancelled: dropped
                };
                let entry = match asset.checked_sub(pack.mesh_count()) {
                    None => LevelEntry::Mesh(
                        pack.manifest.meshes[asset as usize].levels[usize::from(level)],
                    ),
                    Some(t) => LevelEntry::Texture(
                        pack.manifest.textures[t as usize].levels[usize::from(level)],
                    ),
                };
                self.decoder
                    .start(completion.id, asset, level, entry, bytes);
            }
            Err(e) => {
                pack.scheduler.failed(completion.id, self.clock);
                tracing::warn!("{e}; retrying");
                self.progress.last_error = Some(StreamError::Io(e));
            }
        }
    }

    /// Hands decoded levels to the stores, oldest first, within the upload budget.
    fn upload(
        &mut self,
        lods: &mut LodAssets,
        meshes: &mut MeshAssets,
        textures: &mut TextureAssets,
    ) {
        let Some(pack) = self.pack.as_mut() else {
            return;
        };
        let mut uploaded = 0u64;
        let (mut stored_bytes, mut stored_levels) = (0u64, 0u32);
        while let Some(decoded) = self.ready.front() {
            if uploaded > 0 && uploaded + decoded.raw_len > self.settings.upload_bytes_per_frame {
                break;
            }
            let decoded = self.ready.pop_front().expect("front exists");
            uploaded += decoded.raw_len;
            let texture = decoded.asset.checked_sub(pack.mesh_count());
            let stored = match (decoded.result, texture) {
                (Ok(DecodedLevel::Mesh(mesh)), None) => {
                    let chain = pack.chains[decoded.asset as usize];
                    Self::store(chain, decoded.level, mesh, lods, meshes)
                }
                (Ok(DecodedLevel::Texture(image)), Some(t)) => {
                    let srgb = pack.manifest.textures[t as usize].srgb;
                    Self::store_mip(pack.textures[t as usize], image, srgb, textures);
                    Ok(())
                }
                (Ok(_), _) => Ok(()), // a kind the asset is not: cannot happen
                (Err(e), _) => {
                    // A full tier: make room by evicting what is worth least.
                    match e {
                        StreamError::OutOfMemory { requested, .. } => {
                            pack.scheduler.add_pressure(requested)
                        }
                        StreamError::Pack(PackError::OutOfMemory { bytes }) => {
                            pack.scheduler.add_pressure(bytes)
                        }
                        _ => {}
                    }
                    Err(e)
                }
            };
            if stored.is_ok() {
                stored_bytes += decoded.raw_len;
                stored_levels += 1;
            }
            match stored {
                Ok(()) if pack.scheduler.resident(decoded.asset, decoded.level) => {
                    if texture.is_none() {
                        let chain = pack.chains[decoded.asset as usize];
                        lods.set_resident(chain, decoded.level + 1);
                    }
                }
                Ok(()) => {}
                Err(e) => {
                    pack.scheduler.failed(decoded.id, self.clock);
                    tracing::warn!("{e}; retrying");
                    self.progress.last_error = Some(e);
                }
            }
        }
        self.progress.record_upload(stored_bytes, stored_levels);
    }

    fn store(
        chain: LodHandle,
        level: u8,
        mesh: CheckedMesh,
        lods: &LodAssets,
        meshes: &mut MeshAssets,
    ) -> Result<(), StreamError> {
        if let Some(handle) = lods
            .get(chain)
            .and_then(|c| c.levels.get(usize::from(level)))
            .map(|l| l.mesh)
        {
            // Validated and measured by the decoder: nothing walks the vertices here.
            meshes.insert_checked(handle, mesh);
        }
        Ok(())
    }

    /// Puts the next mip (finer than every resident one) on top of a texture's chain; the
    /// renderer uploads the chain again.
    fn store_mip(
        handle: TextureHandle,
        image: crate::render::TextureImage,
        srgb: bool,
        textures: &mut TextureAssets,
    ) {
        let mut mips = textures.unload(handle).map_or_else(Vec::new, |t| t.mips);
        mips.insert(0, image);
        textures.insert(handle, LoadedTexture { mips, srgb });
    }

    /// Drops a texture's finest resident mip.
    fn evict_mip(handle: TextureHandle, textures: &mut TextureAssets) {
        if let Some(mut texture) = textures.unload(handle) {
            texture.mips.remove(0);
            if !texture.mips.is_empty() {
                textures.insert(handle, texture);
            }
        }
    }

    fn plan(
        &mut self,
        lods: &mut LodAssets,
        meshes: &mut MeshAssets,
        textures: &mut TextureAssets,
    ) {
        let Some(pack) = self.pack.as_mut() else {
            return;
        };
        pack.scheduler.add_pressure(pressure::take());
        Self::want_material_textures(pack, &mut self.wants);
        self.actions.clear();
        pack.scheduler
            .plan(self.clock, &self.wants, &mut self.actions);
        for action in self.actions.drain(..) {
            match action {
                StreamAction::Cancel(id) => {
                    // Fetched and cancelled in this same plan: never read.
                    let cancelled = match self.fetches.iter().position(|f| f.id == id) {
                        Some(i) => {
                            self.fetches.remove(i);
                            super::Cancelled::BeforeFirstByte
                        }
                        None => self.reads.cancel(id, &mut *self.io),
                    };
                    match cancelled {
                        super::Cancelled::BeforeFirstByte => {
                            self.progress.cancelled_before_first_byte += 1
                        }
                        super::Cancelled::InBody => self.progress.cancelled_in_body += 1,
                        super::Cancelled::NotInFlight => {}
                    }
                }
                StreamAction::Evict { asset, .. } if asset >= pack.mesh_count() => {
                    let texture = pack.textures[(asset - pack.mesh_count()) as usize];
                    Self::evict_mip(texture, textures);
                }
                StreamAction::Evict { asset, level } => {
                    let chain = pack.chains[asset as usize];
                    if let Some(handle) = lods
                        .get(chain)
                        .and_then(|c| c.levels.get(usize::from(level)))
                        .map(|l| l.mesh)
                    {
                        meshes.unload(handle);
                    }
                    lods.set_resident(chain, level);
                }
                StreamAction::Fetch {
                    id, file, range, ..
                } => self.fetches.push(LevelFetch {
                    id,
                    file,
                    start: range.start,
                    end: range.end,
                }),
            }
        }
        self.reads.add(&self.fetches);
        self.fetches.clear();
        let depth = self.io.queue_depth();
        self.reads.submit(&mut *self.io, depth);
    }

    fn count(&mut self) {
        if let Some(pack) = &self.pack {
            self.progress.scheduler = pack.scheduler.stats();
            self.progress.cells_loaded = pack.loaded_cells.len() as u32;
        }
        self.progress.budget = self.settings.scheduler.budget;
        self.progress.reads = self.reads.submitted();
        self.progress.reads_outstanding = self.reads.outstanding() as u32;
        self.progress.decoding = self.decoder.in_progress() as u32;
        self.progress.waiting_upload = self.ready.len() as u32;
    }

    /// Which world cells to spawn and despawn for a camera at `camera`: cells whose square
    /// comes within `load_radius` (XZ) are loaded, loaded cells farther than `unload_radius`
    /// are unloaded (hysteresis: use an unload radius above the load radius). Empty until the
    /// manifest is read.
    pub fn update_cells(
        &mut self,
        camera: Vec3,
        load_radius: f32,
        unload_radius: f32,
    ) -> CellChanges {
        let mut changes = CellChanges::default();
        let Some(pack) = self.pack.as_mut() else {
            return changes;
        };
        let size = pack.manifest.cell_size;
        for coord in cells_within(camera, size, load_radius) {
            if let Some(&index) = pack.cells.get(&coord)
                && pack.loaded_cells.insert(coord)
            {
                changes.load.push(index);
            }
        }
        let far: Vec<IVec2> = pack
            .loaded_cells
            .iter()
            .copied()
            .filter(|&c| super::cells::distance_to_cell(camera, c, size) > unload_radius)
            .collect();
        for coord in far {
            pack.loaded_cells.remove(&coord);
            changes.unload.push(coord);
        }
        changes.unload.sort_by_key(|c| (c.x, c.y));
        self.progress.cells_loaded = pack.loaded_cells.len() as u32;
        changes
    }
}

#[cfg(test)]
mod tests;
