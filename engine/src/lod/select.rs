//! LOD selection: which level of its chain each visible entity draws this frame.
//!
//! Each level's object-space error is projected to screen pixels from the camera and the
//! coarsest level whose projected error is at most [`LodSettings::pixel_threshold`] is chosen.
//! For an entity whose world-space bounding sphere has radius `r`, level `i` of a chain with
//! error `e_i` and reference radius `r_ref` (its finest level's bounding radius) projects to
//!
//! ```text
//! pixels_i = e_i * (r / r_ref) * ppu / d / bias      (perspective)
//! pixels_i = e_i * (r / r_ref) * ppu / bias          (orthographic)
//! ppu = height / (2 tan(fov_y / 2))                  (perspective: pixels per unit at distance 1)
//! ppu = height / view_height                         (orthographic)
//! ```
//!
//! where `d` is the distance from the camera to the sphere's surface, at least
//! [`MIN_DISTANCE`], and `r / r_ref` is the entity's scale (so scaled instances of one chain get
//! scaled errors). A hysteresis band keeps an entity at a boundary from flipping between
//! levels, and a triangle budget ([`enforce_triangle_budget`]) coarsens the farthest entities
//! first when the frame would draw too many triangles. See `docs/lod-selection.md`.
//!
//! The batch functions ([`select_levels`], [`select_levels_par`]) precompute, once per call,
//! each chain's switch thresholds with the view and settings folded in
//! (`g_i = e_i / r_ref * ppu / (pixel_threshold * bias)`), so an entity costs a distance and a
//! few multiplies and compares: level `i` is too coarse when `g_i * r > d`, and the levels that
//! are too coarse are a prefix of the chain, so the chosen level is their count.

use glam::{Mat4, Vec3, Vec3A, Vec4};
use rayon::prelude::*;

use super::{LodChain, LodChainError, LodChainHeader, MAX_LEVELS};
use crate::render::CameraView;

/// The value of a previous level that means "none" (an entity visible for the first time).
pub const NO_LEVEL: u8 = u8::MAX;

/// The smallest camera-to-surface distance, in world units. A camera inside or on an
/// entity's bounding sphere sees it at this distance, so it gets the finest level unless its
/// levels have no error.
pub const MIN_DISTANCE: f32 = 1e-6;

/// Entities per rayon task in [`select_levels_par`].
const CHUNK: usize = 16 * 1024;

/// Why LOD settings or a LOD view were refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum LodSettingsError {
    /// A parameter is NaN, infinite or out of its range.
    OutOfRange {
        /// The parameter's name.
        name: &'static str,
        /// The value given.
        value: f32,
        /// The range it must be in.
        expected: &'static str,
    },
}

impl core::fmt::Display for LodSettingsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LodSettingsError::OutOfRange {
                name,
                value,
                expected,
            } => write!(f, "LOD {name} is {value}, expected {expected}"),
        }
    }
}

impl std::error::Error for LodSettingsError {}

/// Checks `value` with `ok`, naming it in the error.
fn check(
    name: &'static str,
    value: f32,
    ok: bool,
    expected: &'static str,
) -> Result<f32, LodSettingsError> {
    if ok {
        Ok(value)
    } else {
        Err(LodSettingsError::OutOfRange {
            name,
            value,
            expected,
        })
    }
}

/// How levels are chosen: the pixel threshold, the hysteresis band, a global bias and an
/// optional triangle budget. Always valid: every constructor checks its values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LodSettings {
    pixel_threshold: f32,
    hysteresis: f32,
    bias: f32,
    triangle_budget: Option<u64>,
}

impl Default for LodSettings {
    /// A 1-pixel threshold, a 25 % hysteresis band, no bias (1) and no triangle budget.
    fn default() -> Self {
        LodSettings {
            pixel_threshold: 1.0,
            hysteresis: 0.25,
            bias: 1.0,
            triangle_budget: None,
        }
    }
}

impl LodSettings {
    /// Settings with every value given; see the `with_` methods for what each means.
    pub fn new(
        pixel_threshold: f32,
        hysteresis: f32,
        bias: f32,
        triangle_budget: Option<u64>,
    ) -> Result<LodSettings, LodSettingsError> {
        LodSettings::default()
            .with_pixel_threshold(pixel_threshold)?
            .with_hysteresis(hysteresis)?
            .with_bias(bias)
            .map(|s| s.with_triangle_budget(triangle_budget))
    }

    /// The largest projected error, in pixels of the internal resolution, a level may have to
    /// be chosen. Must be finite and greater than 0.
    pub fn with_pixel_threshold(mut self, pixels: f32) -> Result<Self, LodSettingsError> {
        self.pixel_threshold = check(
            "pixel_threshold",
            pixels,
            pixels.is_finite() && pixels > 0.0,
            "finite and > 0",
        )?;
        Ok(self)
    }

    /// The hysteresis band, a fraction of the threshold in `[0, 1)`: an entity moves to a
    /// coarser level than its previous one only when that level's projected error is at most
    /// `pixel_threshold * (1 - hysteresis)`; it moves to a finer level as soon as its previous
    /// one's exceeds `pixel_threshold`. 0 turns hysteresis off.
    pub fn with_hysteresis(mut self, fraction: f32) -> Result<Self, LodSettingsError> {
        self.hysteresis = check(
            "hysteresis",
            fraction,
            (0.0..1.0).contains(&fraction),
            "in [0, 1)",
        )?;
        Ok(self)
    }

    /// A global LOD bias: every projected error is divided by it (the threshold multiplied),
    /// so above 1 makes every entity coarser (2 is like halving the resolution) and below 1
    /// finer. Must be finite and greater than 0.
    pub fn with_bias(mut self, bias: f32) -> Result<Self, LodSettingsError> {
        self.bias = check(
            "bias",
            bias,
            bias.is_finite() && bias > 0.0,
            "finite and > 0",
        )?;
        Ok(self)
    }

    /// The most triangles a frame should draw, enforced by [`enforce_triangle_budget`]; `None`
    /// for no limit.
    pub fn with_triangle_budget(mut self, triangles: Option<u64>) -> Self {
        self.triangle_budget = triangles;
        self
    }

    /// The pixel threshold (see [`LodSettings::with_pixel_threshold`]).
    pub fn pixel_threshold(&self) -> f32 {
        self.pixel_threshold
    }

    /// The hysteresis fraction (see [`LodSettings::with_hysteresis`]).
    pub fn hysteresis(&self) -> f32 {
        self.hysteresis
    }

    /// The bias (see [`LodSettings::with_bias`]).
    pub fn bias(&self) -> f32 {
        self.bias
    }

    /// The triangle budget (see [`LodSettings::with_triangle_budget`]).
    pub fn triangle_budget(&self) -> Option<u64> {
        self.triangle_budget
    }
}

/// The camera as LOD selection sees it: its position and how many pixels of the internal
/// resolution one world unit covers (at distance 1 for a perspective camera). Always valid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LodView {
    position: Vec3A,
    pixels_per_unit: f32,
    orthographic: bool,
}

impl LodView {
    /// A perspective camera at `position` with vertical field of view `fov_y` (radians, in
    /// `(0, pi)`) rendering `height` pixels high (the internal resolution, before upscaling).
    pub fn perspective(position: Vec3, fov_y: f32, height: u32) -> Result<Self, LodSettingsError> {
        let fov_y = check(
            "fov_y",
            fov_y,
            fov_y > 0.0 && fov_y < core::f32::consts::PI,
            "in (0, pi) radians",
        )?;
        LodView::new(
            position,
            height as f32 / (2.0 * (fov_y * 0.5).tan()),
            false,
            height,
        )
    }

    /// An orthographic camera at `position` whose view is `view_height` world units high,
    /// rendering `height` pixels high. The projected error does not depend on distance.
    pub fn orthographic(
        position: Vec3,
        view_height: f32,
        height: u32,
    ) -> Result<Self, LodSettingsError> {
        let view_height = check(
            "view_height",
            view_height,
            view_height.is_finite() && view_height > 0.0,
            "finite and > 0",
        )?;
        LodView::new(position, height as f32 / view_height, true, height)
    }

    /// The view of a frame's camera rendering `height` pixels high. The projection is
    /// orthographic when its `w_axis.w` is not 0; either way its `y_axis.y` is 2 over the
    /// view's height at distance 1 (`1 / tan(fov_y / 2)`, or `2 / view_height`).
    pub fn from_camera(camera: &CameraView, height: u32) -> Result<Self, LodSettingsError> {
        let scale = camera.projection.y_axis.y.abs();
        let scale = check(
            "projection.y_axis.y",
            scale,
            scale.is_finite() && scale > 0.0,
            "finite and not 0",
        )?;
        let orthographic = camera.projection.w_axis.w != 0.0;
        LodView::new(
            camera.position,
            height as f32 * scale * 0.5,
            orthographic,
            height,
        )
    }

    /// Checks the position, the height and the pixels per unit.
    fn new(
        position: Vec3,
        pixels_per_unit: f32,
        orthographic: bool,
        height: u32,
    ) -> Result<Self, LodSettingsError> {
        check("height", height as f32, height > 0, "> 0 pixels")?;
        for (name, v) in [
            ("position.x", position.x),
            ("position.y", position.y),
            ("position.z", position.z),
        ] {
            check(name, v, v.is_finite(), "finite")?;
        }
        check(
            "pixels_per_unit",
            pixels_per_unit,
            pixels_per_unit.is_finite() && pixels_per_unit > 0.0,
            "finite and > 0",
        )?;
        Ok(LodView {
            position: position.into(),
            pixels_per_unit,
            orthographic,
        })
    }

    /// The camera's position.
    pub fn position(&self) -> Vec3 {
        self.position.into()
    }

    /// Pixels per world unit: at distance 1 for a perspective view, everywhere for an
    /// orthographic one.
    pub fn pixels_per_unit(&self) -> f32 {
        self.pixels_per_unit
    }

    /// Whether the view is orthographic.
    pub fn is_orthographic(&self) -> bool {
        self.orthographic
    }

    /// The distance from the camera to the surface of `sphere` (centre in `xyz`, radius in
    /// `w`, world space), at least [`MIN_DISTANCE`] (also for a NaN sphere).
    #[inline]
    pub fn distance(&self, sphere: Vec4) -> f32 {
        ((Vec3A::from_vec4(sphere) - self.position).length() - sphere.w).max(MIN_DISTANCE)
    }

    /// How many pixels a world-space `error` covers at `distance` from the camera (the
    /// distance is raised to [`MIN_DISTANCE`]; an orthographic view ignores it).
    pub fn projected_pixels(&self, error: f32, distance: f32) -> f32 {
        if self.orthographic {
            error * self.pixels_per_unit
        } else {
            error * self.pixels_per_unit / distance.max(MIN_DISTANCE)
        }
    }

    /// The distance the thresholds are compared against: the surface distance, or 1 for an
    /// orthographic view (whose thresholds carry the whole projection).
    #[inline]
    fn compare_distance(&self, distance: f32) -> f32 {
        if self.orthographic {
            1.0
        } else {
            distance.max(MIN_DISTANCE)
        }
    }
}

/// What selection needs of one chain: each level's error and triangle count, coarse to fine,
/// and the radius its errors are relative to.
#[derive(Clone, Debug, PartialEq)]
pub struct LodLevels {
    errors: Vec<f32>,
    triangles: Vec<u32>,
    reference_radius: f32,
    /// `errors[i] / reference_radius`, the finest level's forced to 0 (it is always drawable).
    relative: Vec<f32>,
}

impl LodLevels {
    /// The levels of a chain with `errors` (object space) and `triangles`, coarse to fine, whose
    /// bounding radius is `reference_radius` (object space).
    ///
    /// Fails with [`LodChainError::LevelCount`] for 0 or more than [`MAX_LEVELS`] levels or
    /// lengths that differ, [`LodChainError::InvalidLevel`] for a negative or non-finite error
    /// or radius, and [`LodChainError::LevelOrder`] when triangles decrease or errors increase
    /// from one level to the next.
    pub fn new(
        errors: &[f32],
        triangles: &[u32],
        reference_radius: f32,
    ) -> Result<LodLevels, LodChainError> {
        let levels = errors.len();
        if levels == 0 || levels > MAX_LEVELS || triangles.len() != levels {
            return Err(LodChainError::LevelCount {
                levels: levels.max(triangles.len()) as u64,
            });
        }
        for (level, e) in errors.iter().enumerate() {
            if !(e.is_finite() && *e >= 0.0) {
                return Err(LodChainError::InvalidLevel {
                    level,
                    reason: "error is negative or not finite",
                });
            }
        }
        if !(reference_radius.is_finite() && reference_radius >= 0.0) {
            return Err(LodChainError::InvalidLevel {
                level: levels - 1,
                reason: "reference radius is negative or not finite",
            });
        }
        for level in 1..levels {
            if triangles[level] < triangles[level - 1] || errors[level] > errors[level - 1] {
                return Err(LodChainError::LevelOrder { level });
            }
        }
        Ok(LodLevels::new_unchecked(
            errors.to_vec(),
            triangles.to_vec(),
            reference_radius,
        ))
    }

    /// Builds the levels from values already checked.
    fn new_unchecked(errors: Vec<f32>, triangles: Vec<u32>, reference_radius: f32) -> LodLevels {
        // A degenerate chain (radius 0) has its errors read as relative to a unit radius.
        let unit = if reference_radius > 0.0 {
            reference_radius
        } else {
            1.0
        };
        let last = errors.len() - 1;
        let relative = errors
            .iter()
            .enumerate()
            .map(|(i, e)| if i == last { 0.0 } else { e / unit })
            .collect();
        LodLevels {
            errors,
            triangles,
            reference_radius,
            relative,
        }
    }

    /// The levels of `chain`; the reference radius is its finest level's bounding radius.
    pub fn from_chain(chain: &LodChain) -> LodLevels {
        // A chain's levels are checked when it is built: ordered, finite, at most MAX_LEVELS,
        // and fewer than 2^32 indices each.
        LodLevels::new_unchecked(
            chain.levels().iter().map(|l| l.error).collect(),
            chain
                .levels()
                .iter()
                .map(|l| u32::try_from(l.triangles()).unwrap_or(u32::MAX))
                .collect(),
            chain.finest().bounds.radius,
        )
    }

    /// The levels in a chain's header (enough to select before any level is loaded); the
    /// reference radius is its finest level's bounding radius. Checked like [`LodLevels::new`].
    pub fn from_header(header: &LodChainHeader) -> Result<LodLevels, LodChainError> {
        let errors: Vec<f32> = header.levels.iter().map(|e| e.error).collect();
        let triangles: Vec<u32> = header.levels.iter().map(|e| e.triangles).collect();
        let radius = header.levels.last().map_or(0.0, |e| e.bounds.radius);
        LodLevels::new(&errors, &triangles, radius)
    }

    /// How many levels (1 to [`MAX_LEVELS`]).
    pub fn level_count(&self) -> usize {
        self.errors.len()
    }

    /// Each level's object-space error, coarse to fine (non-increasing).
    pub fn errors(&self) -> &[f32] {
        &self.errors
    }

    /// Each level's triangle count, coarse to fine (non-decreasing).
    pub fn triangles(&self) -> &[u32] {
        &self.triangles
    }

    /// The object-space radius the errors are relative to: an entity whose world bounding
    /// radius is this has scale 1.
    pub fn reference_radius(&self) -> f32 {
        self.reference_radius
    }

    /// The level (0 the coarsest) for an entity drawn with this chain whose world bounding
    /// sphere has `radius` and whose surface is `distance` from the camera (see
    /// [`LodView::distance`]), that drew level `previous` last frame (`None`, or
    /// `Some(NO_LEVEL)`, when it was not drawn; a level past the finest counts as the finest).
    ///
    /// The same rule, bit for bit, as [`select_levels`]: the coarsest level whose projected
    /// error is at most the threshold, with the hysteresis band around `previous`.
    pub fn select(
        &self,
        distance: f32,
        radius: f32,
        view: &LodView,
        settings: &LodSettings,
        previous: Option<u8>,
    ) -> u8 {
        let factors = Factors::new(view, settings);
        let mut g = [0.0; MAX_LEVELS];
        let mut gh = [0.0; MAX_LEVELS];
        let n = self.level_count();
        for (i, &rel) in self.relative.iter().enumerate() {
            (g[i], gh[i]) = factors.thresholds(rel);
        }
        pick(
            &g[..n],
            &gh[..n],
            radius,
            view.compare_distance(distance),
            previous.unwrap_or(NO_LEVEL),
        )
    }
}

/// The view and settings folded into one factor per threshold.
#[derive(Clone, Copy)]
struct Factors {
    /// `pixels_per_unit / (pixel_threshold * bias)`.
    scale: f32,
    /// `1 / (1 - hysteresis)`.
    widen: f32,
}

impl Factors {
    fn new(view: &LodView, settings: &LodSettings) -> Factors {
        Factors {
            scale: view.pixels_per_unit / (settings.pixel_threshold * settings.bias),
            widen: 1.0 / (1.0 - settings.hysteresis),
        }
    }

    /// A level's thresholds from its relative error: without and with the hysteresis band.
    #[inline]
    fn thresholds(self, relative: f32) -> (f32, f32) {
        let g = relative * self.scale;
        (g, g * self.widen)
    }
}

/// The selection rule. Level `i` is too coarse at compare distance `d` when
/// `g[i] * radius > d`; those levels are a prefix (thresholds are non-increasing and the
/// finest's is 0), so the coarsest level that fits is their count `s0`. With hysteresis,
/// `s1 >= s0` counts against the widened thresholds `gh`; from `previous` = p the result is
/// `max(s0, min(s1, p))`: finer than p as soon as p is too coarse, coarser than p only as far
/// as the band allows. No previous level is p = 0, which gives `s0`.
///
/// Most entities keep their level from one frame to the next, so p is tested first: when p
/// fits and level p - 1 does not fit the band, the result is p after two compares; otherwise
/// only the count that decides is taken. The result is the formula's in every case.
#[inline(always)]
pub(super) fn pick(g: &[f32], gh: &[f32], radius: f32, d: f32, previous: u8) -> u8 {
    let p = if previous == NO_LEVEL {
        0
    } else {
        usize::from(previous)
    };
    let too_coarse = |t: f32| t * radius > d;
    let count = |t: &[f32]| t.iter().map(|&t| u8::from(too_coarse(t))).sum::<u8>();
    match g.get(p) {
        // p is too coarse: the coarsest level that fits, s0 > p.
        Some(&gp) if too_coarse(gp) => count(g),
        // p fits (s0 <= p) and level p - 1 is too coarse for the band (s1 >= p): stay.
        Some(_) if p == 0 || too_coarse(gh[p - 1]) => p as u8,
        // p fits and so does a coarser level within the band: s0 <= s1 < p.
        Some(_) => count(gh),
        // Past the last threshold: the finest level, or the band's coarsest if coarser.
        None => count(g).max(count(gh).min(p as u8)),
    }
}

/// One chain's thresholds for a batch, padded with 0 (never too coarse) to `W` levels.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Row<const W: usize> {
    g: [f32; W],
    gh: [f32; W],
}

/// Every chain's thresholds for this view and these settings.
fn rows<const W: usize>(chains: &[LodLevels], factors: Factors) -> Vec<Row<W>> {
    chains
        .iter()
        .map(|chain| {
            let mut row = Row {
                g: [0.0; W],
                gh: [0.0; W],
            };
            for (i, &rel) in chain.relative.iter().enumerate() {
                (row.g[i], row.gh[i]) = factors.thresholds(rel);
            }
            row
        })
        .collect()
}

/// Selects for a run of entities with prepared rows: four at a time (their distances in one
/// vector, bit for bit [`LodView::distance`]), then the rest one by one.
#[inline(always)]
fn run<const W: usize>(
    rows: &[Row<W>],
    chain_of: &[u32],
    spheres: &[Vec4],
    levels: &mut [u8],
    view: &LodView,
) {
    let mut levels4 = levels.chunks_exact_mut(4);
    let mut chain_of4 = chain_of.chunks_exact(4);
    let mut spheres4 = spheres.chunks_exact(4);
    let camera = Vec4::from((view.position, 0.0));
    for ((levels, chain_of), s) in (&mut levels4).zip(&mut chain_of4).zip(&mut spheres4) {
        let distances = if view.orthographic {
            Vec4::ONE
        } else {
            // Columns are the spheres from the camera (w stays the radius); rows are then x,
            // y, z and the radii of the four.
            let t = Mat4::from_cols(s[0] - camera, s[1] - camera, s[2] - camera, s[3] - camera)
                .transpose();
            let squared = t.x_axis * t.x_axis + t.y_axis * t.y_axis + t.z_axis * t.z_axis;
            (squared.sqrt() - t.w_axis).max(Vec4::splat(MIN_DISTANCE))
        };
        for i in 0..4 {
            let row = &rows[chain_of[i] as usize];
            levels[i] = pick(&row.g, &row.gh, s[i].w, distances[i], levels[i]);
        }
    }
    let rest = levels4.into_remainder().iter_mut();
    for ((level, &chain), &sphere) in rest.zip(chain_of4.remainder()).zip(spheres4.remainder()) {
        let row = &rows[chain as usize];
        let d = view.compare_distance(view.distance(sphere));
        *level = pick(&row.g, &row.gh, sphere.w, d, *level);
    }
}

/// Every chain's rows at one fixed width: the widest chain's level count rounded up to 4, 8,
/// 16 or [`MAX_LEVELS`], so the per-entity loop has a fixed, unrolled width.
#[derive(Clone)]
enum Rows {
    W4(Vec<Row<4>>),
    W8(Vec<Row<8>>),
    W16(Vec<Row<16>>),
    W32(Vec<Row<MAX_LEVELS>>),
}

/// Every chain's switch thresholds with one view and one settings value folded in, prepared
/// once (a frame's worth of selection) and then applied to any number of runs of entities with
/// [`select`](Self::select): for callers that gather entities a chunk at a time, such as the
/// Lod stage reading ECS columns, so that no frame-sized arrays are needed.
/// [`select_levels`] is `LodSelector::new(..).select(..)`; the result is the same bit for bit
/// however the entities are split into runs.
///
/// # Example
/// ```
/// use layerw_engine::glam::{Vec3, Vec4};
/// use layerw_engine::lod::{LodLevels, LodSelector, LodSettings, LodView, NO_LEVEL};
///
/// // One chain: a coarse level with an error of 0.01 (at radius 1), then the finest.
/// let chains = [LodLevels::new(&[0.01, 0.0], &[100, 400], 1.0).unwrap()];
/// let view = LodView::perspective(Vec3::ZERO, 1.0, 1080).unwrap();
/// let selector = LodSelector::new(&chains, &view, &LodSettings::default());
/// let spheres = [Vec4::new(0.0, 0.0, -2.0, 1.0), Vec4::new(0.0, 0.0, -500.0, 1.0)];
/// let mut levels = [NO_LEVEL; 2];
/// // Entity by entity, as a caller with chunks of one would.
/// for i in 0..2 {
///     selector.select(&[0], &spheres[i..i + 1], &mut levels[i..i + 1]);
/// }
/// assert_eq!(levels, [1, 0]); // near: the finest; far: the coarse level
/// ```
#[derive(Clone)]
pub struct LodSelector {
    rows: Rows,
    view: LodView,
}

impl LodSelector {
    /// The thresholds of `chains` (indexed as the `chain_of` entries [`select`](Self::select)
    /// will be given) for `view` and `settings`. Costs one pass over the chains.
    pub fn new(chains: &[LodLevels], view: &LodView, settings: &LodSettings) -> LodSelector {
        let factors = Factors::new(view, settings);
        let widest = chains.iter().map(LodLevels::level_count).max().unwrap_or(1);
        let rows = if widest <= 4 {
            Rows::W4(rows(chains, factors))
        } else if widest <= 8 {
            Rows::W8(rows(chains, factors))
        } else if widest <= 16 {
            Rows::W16(rows(chains, factors))
        } else {
            Rows::W32(rows(chains, factors))
        };
        LodSelector { rows, view: *view }
    }

    /// How many chains it was prepared with (valid `chain_of` entries are below this).
    pub fn chain_count(&self) -> usize {
        match &self.rows {
            Rows::W4(r) => r.len(),
            Rows::W8(r) => r.len(),
            Rows::W16(r) => r.len(),
            Rows::W32(r) => r.len(),
        }
    }

    /// Selects the levels of a run of entities on the calling thread, with the rule and the
    /// arguments of [`select_levels`] (entity `i` draws chain `chain_of[i]`, its world sphere
    /// is `spheres[i]`, `levels[i]` holds its previous level on entry and its new one on exit).
    ///
    /// # Panics
    /// When the slices' lengths differ or a chain index is out of range.
    #[inline]
    pub fn select(&self, chain_of: &[u32], spheres: &[Vec4], levels: &mut [u8]) {
        check_lengths(chain_of, spheres, levels);
        match &self.rows {
            Rows::W4(rows) => run(rows, chain_of, spheres, levels, &self.view),
            Rows::W8(rows) => run(rows, chain_of, spheres, levels, &self.view),
            Rows::W16(rows) => run(rows, chain_of, spheres, levels, &self.view),
            Rows::W32(rows) => run(rows, chain_of, spheres, levels, &self.view),
        }
    }
}

/// Checks the batch inputs have one entry per entity.
fn check_lengths(chain_of: &[u32], spheres: &[Vec4], levels: &[u8]) {
    assert_eq!(chain_of.len(), spheres.len(), "one chain per sphere");
    assert_eq!(levels.len(), spheres.len(), "one level per sphere");
}

/// Selects every entity's level: entity `i` draws `chains[chain_of[i]]`, its world bounding
/// sphere is `spheres[i]` (centre in `xyz`, radius in `w`), and `levels[i]` holds its previous
/// level ([`NO_LEVEL`] for none) on entry and its new level on exit. Same rule as
/// [`LodLevels::select`]; the triangle budget is not applied (see [`enforce_triangle_budget`]).
///
/// # Panics
/// When the slices' lengths differ or a chain index is out of range.
pub fn select_levels(
    chains: &[LodLevels],
    chain_of: &[u32],
    spheres: &[Vec4],
    levels: &mut [u8],
    view: &LodView,
    settings: &LodSettings,
) {
    LodSelector::new(chains, view, settings).select(chain_of, spheres, levels);
}

/// [`select_levels`] on rayon's pool, in chunks of 16,384 entities; the result is identical.
///
/// # Panics
/// When the slices' lengths differ or a chain index is out of range.
pub fn select_levels_par(
    chains: &[LodLevels],
    chain_of: &[u32],
    spheres: &[Vec4],
    levels: &mut [u8],
    view: &LodView,
    settings: &LodSettings,
) {
    check_lengths(chain_of, spheres, levels);
    let selector = LodSelector::new(chains, view, settings);
    levels
        .par_chunks_mut(CHUNK)
        .zip(chain_of.par_chunks(CHUNK))
        .zip(spheres.par_chunks(CHUNK))
        .for_each(|((levels, chain_of), spheres)| selector.select(chain_of, spheres, levels));
}

/// Every chain's triangle counts, `MAX_LEVELS` per chain, padded with the finest's.
fn triangle_table(chains: &[LodLevels]) -> Vec<u32> {
    let mut table = Vec::with_capacity(chains.len() * MAX_LEVELS);
    for chain in chains {
        let finest = chain.triangles[chain.triangles.len() - 1];
        table.extend_from_slice(&chain.triangles);
        table.resize(table.len() + MAX_LEVELS - chain.triangles.len(), finest);
    }
    table
}

/// Where entity `chain`'s level `level` is in a [`triangle_table`] (a level past the finest
/// counts as the finest).
#[inline(always)]
fn slot(chain: u32, level: u8) -> usize {
    chain as usize * MAX_LEVELS + usize::from(level).min(MAX_LEVELS - 1)
}

/// How many triangles entity `i` draws at `levels[i]` of `chains[chain_of[i]]` (a level past
/// the finest counts as the finest), in all.
///
/// # Panics
/// When the slices' lengths differ or a chain index is out of range.
pub fn total_triangles(chains: &[LodLevels], chain_of: &[u32], levels: &[u8]) -> u64 {
    assert_eq!(chain_of.len(), levels.len(), "one chain per level");
    let table = triangle_table(chains);
    sum_triangles(&table, chain_of, levels)
}

/// The sum of a [`triangle_table`]'s entries for the entities.
fn sum_triangles(table: &[u32], chain_of: &[u32], levels: &[u8]) -> u64 {
    chain_of
        .iter()
        .zip(levels)
        .map(|(&chain, &level)| u64::from(table[slot(chain, level)]))
        .sum()
}

/// Holds the frame to [`LodSettings::triangle_budget`]: when the entities' selected `levels`
/// (as [`select_levels`] left them; the other inputs as there) draw more triangles than the
/// budget, the farthest entities are coarsened first, each straight to its chain's coarsest
/// level, until the total is within the budget or every entity is at its coarsest. Returns
/// the total triangles drawn afterwards.
///
/// Farthest means the largest [`LodView::distance`] (ties go to the lower index, so the
/// result is deterministic). Only entities whose coarsest level has fewer triangles than
/// their selected one are coarsened, and the fewest of them: undoing the nearest coarsened
/// one would break the budget. Expected O(n): the cut is found by a weighted quickselect
/// rather than a sort.
///
/// # Panics
/// When the slices' lengths differ or a chain index is out of range.
pub fn enforce_triangle_budget(
    chains: &[LodLevels],
    chain_of: &[u32],
    spheres: &[Vec4],
    levels: &mut [u8],
    view: &LodView,
    settings: &LodSettings,
) -> u64 {
    check_lengths(chain_of, spheres, levels);
    let table = triangle_table(chains);
    let total = sum_triangles(&table, chain_of, levels);
    let budget = match settings.triangle_budget {
        Some(budget) if total > budget => budget,
        _ => return total,
    };
    // Candidates: (farthest-first key, triangles saved by going to the coarsest level). The
    // key's high half is the distance's bits inverted (distances are positive, so their bits
    // order like them), its low half the index.
    let mut candidates: Vec<(u64, u32)> = Vec::new();
    for (i, ((&chain, &level), &sphere)) in chain_of.iter().zip(&*levels).zip(spheres).enumerate() {
        let saved = table[slot(chain, level)] - table[slot(chain, 0)];
        if saved > 0 {
            let far = u64::from(!view.distance(sphere).to_bits());
            candidates.push((far << 32 | i as u64, saved));
        }
    }
    let cut = farthest_cut(&mut candidates, total - budget);
    let mut saved = 0;
    for &(key, s) in &candidates[..cut] {
        levels[key as u32 as usize] = 0;
        saved += u64::from(s);
    }
    total - saved
}

/// Reorders `candidates` so that its first `k` are the `k` smallest keys, for the smallest
/// `k` whose savings add up to at least `need` (`need > 0`), and returns `k` (all of them
/// when they do not add up). Expected O(n): each step partitions around a median position and
/// keeps one side.
fn farthest_cut(candidates: &mut [(u64, u32)], mut need: u64) -> usize {
    let (mut lo, mut hi) = (0, candidates.len());
    // Invariant: candidates[..lo] are the lo smallest keys and their savings are deducted
    // from `need` (still > 0); candidates[lo..hi] hold the next keys in some order.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        candidates[lo..hi].select_nth_unstable_by_key(mid - lo, |c| c.0);
        let left: u64 = candidates[lo..mid].iter().map(|c| u64::from(c.1)).sum();
        if left >= need {
            hi = mid;
        } else {
            need -= left;
            let pivot = u64::from(candidates[mid].1);
            if pivot >= need {
                return mid + 1;
            }
            need -= pivot;
            lo = mid + 1;
        }
    }
    lo
}
