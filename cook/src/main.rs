//! `layerw-cook`: generates a mesh's LOD chain and writes it as a `.lwlod` file, or cooks a
//! content pack from a glTF scene or a generated world.
//!
//! ```text
//! layerw-cook INPUT [-o OUT.lwlod] [--ratio R] [--min-triangles N] [--min-fraction F]
//!             [--max-levels N] [--lock-border]
//! layerw-cook pack SCENE.glb|SCENE.gltf --out DIR [--cell-size M] [--blob-size BYTES]
//! layerw-cook world --out DIR [--bytes 2G] [--seed N] [--cell-size M] [--cells N]
//! ```
//! INPUT is a `.gltf`/`.glb` file (its first mesh) or a procedural spec: `sphere:N`,
//! `terrain:N`, `cube`.

mod pack_cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use layerw_cook::{ChainOptions, generate_chain, load_input};
use layerw_engine::lod::{LodChain, LodChainHeader};

const USAGE: &str = "\
usage: layerw-cook INPUT [options]

INPUT is a .gltf or .glb file (its first mesh) or a procedural mesh:
  sphere:N     unit UV sphere, N segments and N/2 rings (N 3..2048)
  terrain:N    100-unit terrain grid of N x N cells (N 1..2048)
  cube         unit cube

options:
  -o, --output PATH      where to write the chain (default: INPUT's name + .lwlod)
  --ratio R              triangles of each level / previous level, in (0, 1) (default 0.5)
  --min-triangles N      the coarsest level keeps at least N triangles (default 64)
  --min-fraction F       ... and at least F of the input's triangles (default 0.01)
  --max-levels N         at most N levels, 1..32 (default 32)
  --lock-border          keep open borders in place (tiles that must stay stitched)
  -h, --help             this text

content packs (see `layerw-cook pack --help`, `layerw-cook world --help`):
  layerw-cook pack SCENE.glb|SCENE.gltf --out DIR [--cell-size M]
  layerw-cook world --out DIR [--bytes 2G] [--seed N] [--cell-size M]";

struct Args {
    input: String,
    output: PathBuf,
    options: ChainOptions,
}

fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
    let mut input = None;
    let mut output = None;
    let mut options = ChainOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        fn number<T: std::str::FromStr>(name: &str, text: String) -> Result<T, String> {
            text.parse()
                .map_err(|_| format!("{name}: {text:?} is not a valid number"))
        }
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "-o" | "--output" => output = Some(PathBuf::from(value(arg)?)),
            "--ratio" => options.ratio = number(arg, value(arg)?)?,
            "--min-triangles" => options.min_triangles = number(arg, value(arg)?)?,
            "--min-fraction" => options.min_fraction = number(arg, value(arg)?)?,
            "--max-levels" => options.max_levels = number(arg, value(arg)?)?,
            "--lock-border" => options.lock_border = true,
            flag if flag.starts_with('-') && flag.len() > 1 => {
                return Err(format!("unknown option {flag}"));
            }
            _ if input.is_some() => return Err(format!("a second input {arg:?}")),
            _ => input = Some(arg.clone()),
        }
    }
    let input = input.ok_or("no input given")?;
    let output = output.unwrap_or_else(|| default_output(&input));
    Ok(Some(Args {
        input,
        output,
        options,
    }))
}

/// `mesh.glb` -> `mesh.lwlod`; `sphere:128` -> `sphere-128.lwlod`.
fn default_output(input: &str) -> PathBuf {
    let path = Path::new(input);
    if path.extension().is_some() && !input.contains(':') {
        path.with_extension("lwlod")
    } else {
        PathBuf::from(format!("{}.lwlod", input.replace(':', "-")))
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let mesh = load_input(&args.input)?;
    println!(
        "{}: {} triangles, {} vertices",
        args.input,
        mesh.triangle_count(),
        mesh.positions.len()
    );
    let start = Instant::now();
    let chain = generate_chain(&mesh, &args.options)?;
    let elapsed = start.elapsed();
    let bytes = chain.to_bytes();
    // Read back what is about to be written: the engine must accept it.
    let header = LodChainHeader::parse(&bytes)?;
    if LodChain::from_bytes(&bytes)? != chain {
        return Err("the chain does not read back as written".into());
    }
    std::fs::write(&args.output, &bytes).map_err(|e| format!("{}: {e}", args.output.display()))?;
    println!("level  triangles   vertices      error (object space)       bytes");
    for (i, (level, entry)) in chain.levels().iter().zip(&header.levels).enumerate() {
        println!(
            "{i:>5} {:>10} {:>10} {:>16.6e} {:>19}",
            level.triangles(),
            level.mesh.positions.len(),
            level.error,
            entry.len
        );
    }
    println!(
        "{} levels (coarse to fine), header {} bytes, file {} bytes -> {} ({:.1} ms)",
        chain.level_count(),
        header.header_len,
        bytes.len(),
        args.output.display(),
        elapsed.as_secs_f64() * 1e3
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("pack") => return pack_cli::main_pack(&args[1..]),
        Some("world") => return pack_cli::main_world(&args[1..]),
        _ => {}
    }
    let args = match parse_args(&args) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("layerw-cook: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("layerw-cook: {e}");
            ExitCode::FAILURE
        }
    }
}
