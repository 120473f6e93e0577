//! World cells on the XZ plane: which are near a point.

use glam::{IVec2, Vec2, Vec3};

/// Cells scanned per side at most, whatever the radius (a bad radius cannot stall a frame).
pub const MAX_CELLS_PER_SIDE: i32 = 512;

/// The XZ distance from `point` to the square of `cell` (0 inside it).
pub fn distance_to_cell(point: Vec3, cell: IVec2, cell_size: f32) -> f32 {
    let p = Vec2::new(point.x, point.z);
    let min = cell.as_vec2() * cell_size;
    let max = min + Vec2::splat(cell_size);
    (p.clamp(min, max) - p).length()
}

/// The cells whose squares come within `radius` of `center` on XZ, nearest first (ties in
/// coordinate order). Empty for a non-positive or non-finite cell size or radius.
///
/// # Example
/// ```
/// use glam::{IVec2, Vec3};
/// use layerw_engine::stream::cells_within;
///
/// let near = cells_within(Vec3::new(5.0, 0.0, 5.0), 10.0, 1.0);
/// assert_eq!(near, vec![IVec2::new(0, 0)]);
/// assert_eq!(cells_within(Vec3::new(5.0, 0.0, 5.0), 10.0, 6.0).len(), 5); // not the corners
/// assert_eq!(cells_within(Vec3::new(5.0, 0.0, 5.0), 10.0, 8.0).len(), 9);
/// ```
pub fn cells_within(center: Vec3, cell_size: f32, radius: f32) -> Vec<IVec2> {
    let usable = cell_size > 0.0
        && cell_size.is_finite()
        && radius >= 0.0
        && radius.is_finite()
        && center.is_finite();
    if !usable {
        return Vec::new();
    }
    let reach = ((radius / cell_size).ceil() as i32).clamp(0, MAX_CELLS_PER_SIDE / 2);
    let home = IVec2::new(
        (center.x / cell_size).floor() as i32,
        (center.z / cell_size).floor() as i32,
    );
    let mut cells: Vec<(f32, IVec2)> = Vec::new();
    for dz in -reach..=reach {
        for dx in -reach..=reach {
            let cell = home + IVec2::new(dx, dz);
            let d = distance_to_cell(center, cell, cell_size);
            if d <= radius {
                cells.push((d, cell));
            }
        }
    }
    cells.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then((a.1.y, a.1.x).cmp(&(b.1.y, b.1.x)))
    });
    cells.into_iter().map(|(_, c)| c).collect()
}
