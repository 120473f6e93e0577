//! Layer-W asset cooking, native only: LOD chains generated with meshoptimizer (the `meshopt`
//! crate, which does not build for the web), written in the engine's `.lwlod` format
//! ([`layerw_engine::lod`]) for the engine to load; and content packs
//! ([`layerw_engine::stream`]) from a glTF scene ([`load_scene`], [`Scene::write_pack`]) or a
//! generated world ([`generate_world`]). See docs/cook.md.
//!
//! # Example
//! ```
//! use layerw_cook::{ChainOptions, generate_chain};
//! use layerw_engine::render::Mesh;
//!
//! let chain = generate_chain(&Mesh::sphere(1.0, 64, 32), &ChainOptions::default()).unwrap();
//! assert!(chain.level_count() > 1);
//! assert_eq!(chain.finest().error, 0.0);
//! ```
#![warn(missing_docs)]

mod chain;
mod error;
mod scene;
mod scene_anim;
mod scene_items;
mod scene_material;
mod scene_skin;
mod scene_skinned;
mod source;
mod world;

pub use chain::{ChainOptions, generate_chain};
pub use error::CookError;
pub use scene::{
    PackSummary, Scene, SceneMesh, SceneSkinnedMesh, SceneTexture, load_scene, load_scene_bytes,
};
pub use scene_skin::SceneSkin;
pub use source::{
    MAX_GLTF_BYTES, MAX_VERTICES, load_gltf, load_gltf_bytes, load_input, procedural,
};
pub use world::{WorldParams, WorldSummary, generate_world};
