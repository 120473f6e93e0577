//! The `pack` and `world` commands: content packs from a glTF scene or a generated world.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use layerw_cook::{ChainOptions, WorldParams, generate_world, load_scene};
use layerw_engine::stream::{DEFAULT_BLOB_LIMIT, MANIFEST_FILE, PackBytes, PackWriter};

const PACK_USAGE: &str = "\
usage: layerw-cook pack SCENE.glb|SCENE.gltf --out DIR [options]

Cooks the scene's default scene into a content pack in DIR: every triangle primitive a mesh
with its LOD chain, every PNG texture map with its mip chain, the metallic-roughness
materials (alpha modes, double-sided, emissive strength, texture transforms), every node with
a mesh a static entity at its world transform, placed in world cells, and the punctual lights
and cameras of its nodes. Skins become skeletons, animations clips (retargeted to each skin
they drive), and every node with a skin a skinned entity drawing a skinned mesh (JOINTS_0 and
WEIGHTS_0 kept, no LOD chain), all in the manifest. DIR gets manifest.lwpk, coarse-NNNNN.bin (every asset's coarsest
level) and blob-NNNNN.bin files.

options:
  --out DIR              the pack's folder (created if missing)
  --cell-size M          the edge of a world cell in metres (default 64)
  --blob-size BYTES      start a new blob file past this size (default 64M; K, M, G suffixes)
  -h, --help             this text";

const WORLD_USAGE: &str = "\
usage: layerw-cook world --out DIR [options]

Generates a world into a content pack in DIR, the same for the same options: procedural rocks,
trees and buildings with LOD chains, tiling textures with mip chains, materials, and static
entities over a square of world cells around the origin.

options:
  --out DIR              the pack's folder (created if missing)
  --bytes BYTES          stop once the blobs hold this much (default 2G; K, M, G suffixes)
  --seed N               the seed (default 0)
  --cell-size M          the edge of a world cell in metres (default 64)
  --cells N              N x N cells (default 16)
  --max-texture-size N   the largest texture edge, a power of two up to 1024 (default 1024;
                         textures take 256 to 1024 px, or N when it is smaller)
  --max-segments N       the most detailed meshes' segments around, a power of two from 8
                         to 1024 (default 256)
  --blob-size BYTES      start a new blob file past this size (default 64M)
  -h, --help             this text";

/// `2G`, `256M`, `512K` or a plain number of bytes (binary multiples).
fn parse_bytes(name: &str, text: &str) -> Result<u64, String> {
    let bad = || format!("{name}: {text:?} is not a size (a number with K, M or G, e.g. 2G)");
    let (digits, shift) = match text.char_indices().last() {
        Some((at, 'K' | 'k')) => (&text[..at], 10),
        Some((at, 'M' | 'm')) => (&text[..at], 20),
        Some((at, 'G' | 'g')) => (&text[..at], 30),
        _ => (text, 0),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(1 << shift).filter(|&n| n > 0).ok_or_else(bad)
}

fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{name}: {text:?} is not a valid number"))
}

/// Options of both commands, parsed from the arguments after the command's name; `None` for
/// `--help`.
#[derive(Debug, Default)]
struct PackArgs {
    input: Option<String>,
    out: Option<PathBuf>,
    cell_size: Option<f32>,
    blob_size: Option<u64>,
    bytes: Option<u64>,
    seed: Option<u64>,
    cells: Option<u32>,
    max_texture_size: Option<u32>,
    max_segments: Option<u32>,
}

fn parse(args: &[String], world: bool) -> Result<Option<PackArgs>, String> {
    let mut parsed = PackArgs::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .map(String::as_str)
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--out" | "-o" | "--output" => parsed.out = Some(PathBuf::from(value()?)),
            "--cell-size" => {
                let metres: f32 = number(arg, value()?)?;
                if !(metres.is_finite() && metres > 0.0) {
                    return Err(format!("{arg} must be a positive number of metres"));
                }
                parsed.cell_size = Some(metres);
            }
            "--blob-size" => parsed.blob_size = Some(parse_bytes(arg, value()?)?),
            "--bytes" if world => parsed.bytes = Some(parse_bytes(arg, value()?)?),
            "--seed" if world => parsed.seed = Some(number(arg, value()?)?),
            "--cells" if world => parsed.cells = Some(number(arg, value()?)?),
            "--max-texture-size" if world => {
                parsed.max_texture_size = Some(number(arg, value()?)?);
            }
            "--max-segments" if world => parsed.max_segments = Some(number(arg, value()?)?),
            flag if flag.starts_with('-') && flag.len() > 1 => {
                return Err(format!("unknown option {flag}"));
            }
            _ if world => return Err(format!("world takes no input ({arg:?})")),
            _ if parsed.input.is_some() => return Err(format!("a second scene {arg:?}")),
            _ => parsed.input = Some(arg.clone()),
        }
    }
    if !world && parsed.input.is_none() {
        return Err("no scene given".to_owned());
    }
    if parsed.out.is_none() {
        return Err("--out DIR is required".to_owned());
    }
    Ok(Some(parsed))
}

/// Runs one command: usage errors exit with 2, failures with 1, as the chain command does.
fn command(
    args: &[String],
    world: bool,
    usage: &str,
    run: fn(&PackArgs) -> Result<(), Box<dyn std::error::Error>>,
) -> ExitCode {
    let name = if world { "world" } else { "pack" };
    match parse(args, world) {
        Ok(None) => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("layerw-cook {name}: {e}\n\n{usage}");
            ExitCode::from(2)
        }
        Ok(Some(args)) => match run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("layerw-cook {name}: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

/// `layerw-cook pack ...`
pub fn main_pack(args: &[String]) -> ExitCode {
    command(args, false, PACK_USAGE, run_pack)
}

/// `layerw-cook world ...`
pub fn main_world(args: &[String]) -> ExitCode {
    command(args, true, WORLD_USAGE, run_world)
}

fn writer(args: &PackArgs, cell_size: f32) -> Result<(PathBuf, PackWriter), String> {
    let out = args.out.clone().unwrap_or_default();
    let blob_size = args.blob_size.unwrap_or(DEFAULT_BLOB_LIMIT);
    let writer = PackWriter::to_dir(&out, cell_size, blob_size).map_err(|e| format!("{e}"))?;
    Ok((out, writer))
}

fn report(out: &std::path::Path, pack: &PackBytes, seconds: f64) {
    let blobs: u64 = pack.manifest.blobs.iter().map(|b| b.len).sum();
    let entities: usize = pack.manifest.cells.iter().map(|c| c.entities.len()).sum();
    println!(
        "{} meshes, {} textures, {} materials, {entities} entities in {} cells of {} m",
        pack.manifest.meshes.len(),
        pack.manifest.textures.len(),
        pack.manifest.materials.len(),
        pack.manifest.cells.len(),
        pack.manifest.cell_size,
    );
    println!(
        "{} blob files, {blobs} bytes ({:.1} MiB), manifest {} bytes -> {} ({seconds:.1} s)",
        pack.manifest.blobs.len(),
        blobs as f64 / f64::from(1 << 20),
        pack.manifest_bytes.len(),
        out.join(MANIFEST_FILE).display(),
    );
}

fn run_pack(args: &PackArgs) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let input = args.input.clone().unwrap_or_default();
    let scene = load_scene(&input)?;
    println!(
        "{input}: {} meshes, {} textures, {} materials, {} entities, {} lights, {} cameras, \
         {} skins, {} animations, {} skinned meshes, {} skinned entities",
        scene.meshes.len(),
        scene.textures.len(),
        scene.materials.len(),
        scene.entities.len(),
        scene.lights.len(),
        scene.cameras.len(),
        scene.skins.len(),
        scene.clips.len(),
        scene.skinned_meshes.len(),
        scene.skinned_entities.len()
    );
    let (out, mut writer) = writer(args, args.cell_size.unwrap_or(64.0))?;
    scene.write_pack(&ChainOptions::default(), &mut writer)?;
    let pack = writer.finish()?;
    report(&out, &pack, start.elapsed().as_secs_f64());
    Ok(())
}

fn run_world(args: &PackArgs) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let defaults = WorldParams::new(args.seed.unwrap_or(0));
    let params = WorldParams {
        target_bytes: args.bytes.unwrap_or(defaults.target_bytes),
        cell_size: args.cell_size.unwrap_or(defaults.cell_size),
        cells_per_side: args.cells.unwrap_or(defaults.cells_per_side),
        max_mesh_segments: args.max_segments.unwrap_or(defaults.max_mesh_segments),
        ..defaults
    };
    let params = match args.max_texture_size {
        Some(max) => WorldParams {
            max_texture_size: max,
            min_texture_size: params.min_texture_size.min(max),
            ..params
        },
        None => params,
    };
    let (out, mut writer) = writer(args, params.cell_size)?;
    let summary = generate_world(&params, &mut writer)?;
    let pack = writer.finish()?;
    println!(
        "seed {}: {} mesh levels, {} triangles in the finest levels",
        params.seed, summary.mesh_levels, summary.finest_triangles
    );
    report(&out, &pack, start.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_bytes("--bytes", "2G"), Ok(2 << 30));
        assert_eq!(parse_bytes("--bytes", "256m"), Ok(256 << 20));
        assert_eq!(parse_bytes("--bytes", "4096"), Ok(4096));
        for bad in ["", "G", "0", "-1", "2T", "1.5G", "99999999999G"] {
            assert!(parse_bytes("--bytes", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn world_and_pack_arguments() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let world = parse(&args(&["--out", "d", "--bytes", "1M", "--seed", "9"]), true)
            .unwrap()
            .unwrap();
        assert_eq!((world.bytes, world.seed), (Some(1 << 20), Some(9)));
        assert!(parse(&args(&["--out", "d", "scene.glb"]), true).is_err());
        assert!(parse(&args(&["scene.glb"]), false).is_err());
        assert!(parse(&args(&["--out", "d"]), false).is_err());
        assert!(parse(&args(&["a.glb", "--out", "d", "--seed", "1"]), false).is_err());
        assert!(parse(&args(&["--help"]), false).unwrap().is_none());
    }
}
