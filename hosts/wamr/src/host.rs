//! The command line of `layerw-wamr` (see the crate's docs) around [`crate::runtime`].

/// Exit status of a module that trapped (128 + SIGABRT, as wasmtime's CLI on Unix).
const EXIT_TRAP: i32 = 134;
/// Exit status when the module could not be loaded or instantiated.
const EXIT_LOAD: i32 = 1;
/// Exit status of a usage error.
const EXIT_USAGE: i32 = 2;

/// A parsed command line.
struct CommandLine {
    module: std::path::PathBuf,
    args: Vec<String>,
    dirs: Vec<String>,
    env: Vec<String>,
    stack_size: u32,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<CommandLine, String> {
    let mut dirs = Vec::new();
    let mut env = Vec::new();
    let mut stack_size = 1 << 20;
    let module = loop {
        let arg = args.next().ok_or("no module given")?;
        match arg.as_str() {
            "--dir" => dirs.push(args.next().ok_or("--dir needs a directory")?),
            "--env" => {
                let pair = args.next().ok_or("--env needs NAME=VALUE")?;
                if !pair.contains('=') {
                    return Err(format!("--env needs NAME=VALUE, not {pair:?}"));
                }
                env.push(pair);
            }
            "--stack-size" => {
                let value = args.next().ok_or("--stack-size needs a number")?;
                stack_size = value
                    .parse()
                    .map_err(|_| format!("--stack-size needs a number of bytes, not {value:?}"))?;
            }
            "--" => break args.next().ok_or("no module given")?,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => break arg,
        }
    };
    Ok(CommandLine {
        module: module.into(),
        args: args.collect(),
        dirs,
        env,
        stack_size,
    })
}

/// Parses the command line, runs the module, exits with its status.
pub fn main() {
    let command_line = match parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("layerw-wamr: {e}");
            eprintln!(
                "usage: layerw-wamr [--dir DIR]... [--env NAME=VALUE]... [--stack-size BYTES] [--] MODULE.wasm [ARGS...]"
            );
            std::process::exit(EXIT_USAGE);
        }
    };
    for dir in &command_line.dirs {
        if !std::path::Path::new(dir).is_dir() {
            eprintln!("layerw-wamr: --dir {dir} is not a directory");
            std::process::exit(EXIT_USAGE);
        }
    }
    let bytes = match std::fs::read(&command_line.module) {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "layerw-wamr: cannot read {}: {e}",
                command_line.module.display()
            );
            std::process::exit(EXIT_USAGE);
        }
    };
    let mut argv = vec![command_line.module.display().to_string()];
    argv.extend(command_line.args.iter().cloned());
    let invocation = crate::runtime::Invocation {
        module: &bytes,
        argv: &argv,
        dirs: &command_line.dirs,
        env: &command_line.env,
        stack_size: command_line.stack_size,
    };
    let status = match crate::runtime::run(&invocation) {
        Ok(crate::runtime::Outcome::Exited(code)) => code,
        Ok(crate::runtime::Outcome::Trapped(message)) => {
            eprintln!(
                "layerw-wamr: {} trapped: {message}",
                command_line.module.display()
            );
            EXIT_TRAP
        }
        Err(e) => {
            eprintln!("layerw-wamr: {}: {e}", command_line.module.display());
            EXIT_LOAD
        }
    };
    std::process::exit(status);
}
