//! Loading assets from real files at run time through an App: the server returns handles at
//! once, the load systems (first in the Streaming stage) fill them in later frames, and bad
//! files end in typed `Failed` states that change nothing else.
#![cfg(not(target_family = "wasm"))]

use std::path::{Path, PathBuf};

use layerw_engine::app::App;
use layerw_engine::asset::{
    Asset, AssetError, AssetKindPlugin, AssetLoader, AssetPlugin, AssetServer, Assets, DecodeError,
    Handle, LoadState,
};
use layerw_engine::lod::{LoadedChain, LodAssets, LodChain};
use layerw_engine::render::{LoadedTexture, Mesh, MeshAssets, TextureAssets};
use layerw_engine::schedule::SystemContext;

fn sphere_path() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/sphere48.lwlod")
        .to_string_lossy()
        .into_owned()
}

/// A fresh directory for this test's files.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layerw-assets-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_png(path: &Path, width: u32, height: u32) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let pixels: Vec<u8> = (0..width * height * 4).map(|i| (i * 7) as u8).collect();
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&pixels)
        .unwrap();
}

fn load<T: Asset>(app: &App, path: &str) -> Handle<T> {
    let world = app.world();
    let mut server = world.resource_mut::<AssetServer>();
    server.load::<T>(&mut world.resource_mut::<T::Store>(), path)
}

/// Runs frames until no load is pending; returns how many ran. The bound only stops a
/// broken build from spinning forever (a read takes far less than the cap's 60 s).
fn run_until_loaded(app: &mut App) -> u32 {
    for frame in 1..=60_000 {
        app.update(1.0 / 60.0);
        if app.world().resource::<AssetServer>().progress().is_done() {
            return frame;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("loads still pending after 60000 frames");
}

fn app() -> App {
    let mut app = App::new();
    app.add_plugin(AssetPlugin::default());
    app
}

#[test]
fn lod_chains_meshes_and_pngs_load_from_files_through_frames() {
    let dir = temp_dir("load");
    let color = dir.join("bricks.png");
    let normals = dir.join("bricks_n.linear.png");
    write_png(&color, 8, 8);
    write_png(&normals, 4, 2);
    let mut app = app();
    let chain = load::<LoadedChain>(&app, &sphere_path());
    let mesh = load::<Mesh>(&app, &sphere_path());
    let texture = load::<LoadedTexture>(&app, &color.to_string_lossy());
    let linear = load::<LoadedTexture>(&app, &normals.to_string_lossy());
    // Nothing changes outside the load systems, however fast the reads are.
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(
        app.world().resource::<LodAssets>().load_state(chain),
        LoadState::Loading
    );
    assert_eq!(
        app.world().resource::<MeshAssets>().load_state(mesh),
        LoadState::Loading
    );
    let progress = app.world().resource::<AssetServer>().progress();
    assert_eq!((progress.pending, progress.loaded), (4, 0));
    assert!(progress.fraction() < 1.0);

    assert!(run_until_loaded(&mut app) >= 1);
    let world = app.world();
    let progress = world.resource::<AssetServer>().progress();
    assert_eq!(
        (progress.loaded, progress.failed, progress.pending),
        (4, 0, 0)
    );
    assert_eq!(progress.fraction(), 1.0);

    let expected = LodChain::from_bytes(&std::fs::read(sphere_path()).unwrap()).unwrap();
    let lods = world.resource::<LodAssets>();
    let meshes = world.resource::<MeshAssets>();
    assert_eq!(lods.load_state(chain), LoadState::Loaded);
    let loaded = lods.get(chain).unwrap();
    assert_eq!(loaded.levels.len(), expected.level_count());
    for level in &loaded.levels {
        let level_mesh = meshes.get(level.mesh).expect("each level's mesh is loaded");
        assert_eq!(level_mesh.triangle_count() as u32, level.triangles);
    }
    // The mesh loader takes the finest level.
    let finest = expected.into_levels().pop().unwrap().mesh;
    assert_eq!(meshes.get(mesh), Some(&finest));
    assert!(meshes.bounds(mesh).is_some());
    assert_eq!(meshes.len(), loaded.levels.len() + 1);

    let textures = world.resource::<TextureAssets>();
    let texture = textures.get(texture).unwrap();
    assert!(texture.srgb);
    let sizes: Vec<_> = texture.mips.iter().map(|m| (m.width, m.height)).collect();
    assert_eq!(sizes, vec![(8, 8), (4, 4), (2, 2), (1, 1)]);
    assert!(!textures.get(linear).unwrap().srgb);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_corrupt_and_unknown_files_fail_with_typed_errors_and_change_nothing_else() {
    let dir = temp_dir("fail");
    let corrupt_chain = dir.join("broken.lwlod");
    std::fs::write(&corrupt_chain, b"LWLOD but not really a chain").unwrap();
    let corrupt_png = dir.join("broken.png");
    std::fs::write(&corrupt_png, [0x89, b'P', b'N', b'G', 0, 1, 2]).unwrap();
    let missing = dir.join("missing.lwlod").to_string_lossy().into_owned();

    let mut app = app();
    let cube = app
        .world()
        .resource_mut::<MeshAssets>()
        .add(Mesh::cube(1.0))
        .unwrap();
    let not_found = load::<LoadedChain>(&app, &missing);
    let bad_chain = load::<LoadedChain>(&app, &corrupt_chain.to_string_lossy());
    let bad_png = load::<LoadedTexture>(&app, &corrupt_png.to_string_lossy());
    let unknown = load::<Mesh>(&app, "model.obj");
    // An extension no loader takes fails at once, before any frame.
    assert_eq!(
        app.world().resource::<MeshAssets>().load_state(unknown),
        LoadState::Failed(AssetError::UnsupportedExtension {
            path: "model.obj".into(),
            kind: "mesh",
        })
    );
    run_until_loaded(&mut app);

    let world = app.world();
    let lods = world.resource::<LodAssets>();
    assert_eq!(
        lods.load_state(not_found),
        LoadState::Failed(AssetError::NotFound { path: missing })
    );
    assert!(matches!(
        lods.load_state(bad_chain),
        LoadState::Failed(AssetError::Decode {
            error: DecodeError::LodChain(_),
            ..
        })
    ));
    assert!(matches!(
        world.resource::<TextureAssets>().load_state(bad_png),
        LoadState::Failed(AssetError::Decode {
            error: DecodeError::Texture(_),
            ..
        })
    ));
    let progress = world.resource::<AssetServer>().progress();
    assert_eq!(
        (progress.loaded, progress.failed, progress.pending),
        (0, 4, 0)
    );
    // Nothing else changed: the cube is the only mesh, no chain or texture was added.
    let meshes = world.resource::<MeshAssets>();
    assert_eq!(meshes.len(), 1);
    assert!(meshes.get(cube).is_some());
    assert!(lods.is_empty());
    assert_eq!(world.resource::<TextureAssets>().textures().count(), 0);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A game's own kind: a text note.
#[derive(Debug, PartialEq)]
struct Note(String);

impl Asset for Note {
    type Store = Assets<Note>;
    type Source = Note;
    const KIND: &'static str = "note";

    fn reserve(store: &mut Assets<Note>) -> Handle<Note> {
        store.reserve()
    }

    fn fail(store: &mut Assets<Note>, handle: Handle<Note>, error: AssetError) {
        store.fail(handle, error);
    }

    fn state(store: &Assets<Note>, handle: Handle<Note>) -> LoadState {
        store.load_state(handle)
    }

    fn store(ctx: &SystemContext<'_>, handle: Handle<Note>, note: Note) -> Result<(), DecodeError> {
        let _ = ctx.resource_mut::<Assets<Note>>().insert(handle, note);
        Ok(())
    }
}

/// Notes from UTF-8 text, at most 64 bytes.
struct NoteLoader;

impl AssetLoader for NoteLoader {
    type Asset = Note;

    fn extensions(&self) -> &[&'static str] {
        &["txt", "lwlod"]
    }

    fn max_bytes(&self) -> u64 {
        64
    }

    fn load(&self, bytes: &[u8]) -> Result<Note, DecodeError> {
        String::from_utf8(bytes.to_vec())
            .map(Note)
            .map_err(|e| DecodeError::Custom(e.to_string()))
    }
}

#[test]
fn a_games_own_kind_loads_and_oversized_files_are_refused_before_reading() {
    let dir = temp_dir("custom");
    let note_path = dir.join("hello.txt");
    std::fs::write(&note_path, "hello").unwrap();
    let mut app = app();
    app.add_plugin(AssetKindPlugin::<Note>::default());
    app.world()
        .resource_mut::<AssetServer>()
        .add_loader(NoteLoader);
    let note = load::<Note>(&app, &note_path.to_string_lossy());
    let huge = load::<Note>(&app, &sphere_path());
    run_until_loaded(&mut app);
    let notes = app.world().resource::<Assets<Note>>();
    assert_eq!(notes.get(note), Some(&Note("hello".into())));
    let size = std::fs::metadata(sphere_path()).unwrap().len();
    assert_eq!(
        notes.load_state(huge),
        LoadState::Failed(AssetError::TooLarge {
            path: sphere_path(),
            bytes: size,
            maximum: 64,
        })
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn removing_a_handle_while_it_loads_cancels_the_load() {
    let mut app = app();
    let chain = load::<LoadedChain>(&app, &sphere_path());
    let kept = load::<LoadedChain>(&app, &sphere_path());
    {
        let world = app.world();
        let mut meshes = world.resource_mut::<MeshAssets>();
        assert!(
            world
                .resource_mut::<LodAssets>()
                .remove(chain, &mut meshes)
                .is_none()
        );
    }
    run_until_loaded(&mut app);
    let world = app.world();
    let progress = world.resource::<AssetServer>().progress();
    assert_eq!((progress.loaded, progress.cancelled), (1, 1));
    let lods = world.resource::<LodAssets>();
    assert_eq!(lods.load_state(chain), LoadState::Unloaded);
    assert_eq!(lods.load_state(kept), LoadState::Loaded);
    // Only the kept chain's levels are meshes.
    assert_eq!(
        world.resource::<MeshAssets>().len(),
        lods.get(kept).unwrap().levels.len()
    );
}
