//! CPU culling: view frusta, frustum culling of bounding spheres (structure of arrays, eight
//! lanes at a time, data-parallel with rayon natively), and a BVH over the static content's boxes
//! so that culling it costs in proportion to what lies near the frustum, not to the world size.
//!
//! Shadow casters of the directional light are culled the same way, against the light's
//! orthographic frustum (see [`Frustum`]). The design and measured figures are in
//! `docs/culling.md`.
//!
//! All tests are conservative and exact with respect to one another: [`cull_spheres`],
//! [`par_cull_spheres`] and [`Frustum::contains_sphere`] give the same answer for every sphere,
//! and [`Bvh::query_frustum`] gives the same answer as [`Frustum::intersects_aabb`] on every
//! box, bit for bit (the same arithmetic in the same order).

mod aabb;
mod bvh;
mod frustum;
mod spheres;

pub use aabb::Aabb;
pub use bvh::{Bvh, RebuildPolicy};
pub use frustum::Frustum;
pub use spheres::{LANES, Spheres, cull_spheres, par_cull_spheres, visible_spheres};

#[cfg(test)]
mod tests;
