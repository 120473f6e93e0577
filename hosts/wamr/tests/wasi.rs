//! `layerw-wamr` end to end: small WASI command modules (written as text here) run by the built
//! binary, checking what the guest sees (arguments, environment, preopened directories) through
//! its exit code, and how the host reports exits, traps and bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The imports every test module may use, and one page of memory.
const PRELUDE: &str = r#"
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
"#;

/// Writes the module whose `_start` body is `start` into a fresh file; returns its path.
fn module(name: &str, start: &str) -> PathBuf {
    let text = format!("(module {PRELUDE} (func (export \"_start\") {start}))");
    let bytes = wat::parse_str(&text).expect("test module parses");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layerw-wamr-tests");
    std::fs::create_dir_all(&dir).expect("test directory");
    let path = dir.join(format!("{name}.wasm"));
    std::fs::write(&path, bytes).expect("module written");
    path
}

fn host(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerw-wamr"))
        .args(args)
        .output()
        .expect("layerw-wamr runs")
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

#[test]
fn a_returning_start_exits_zero() {
    let path = module("returns", "");
    assert_eq!(status(&host(&[path.to_str().unwrap()])), 0);
}

#[test]
fn proc_exit_codes_reach_the_exit_status() {
    for code in [0, 3, 7, 200] {
        let path = module(
            &format!("exit{code}"),
            &format!("(call $proc_exit (i32.const {code})) unreachable"),
        );
        let output = host(&[path.to_str().unwrap()]);
        assert_eq!(status(&output), code, "{output:?}");
    }
}

#[test]
fn a_trap_exits_134_and_says_so() {
    let path = module("traps", "unreachable");
    let output = host(&[path.to_str().unwrap()]);
    assert_eq!(status(&output), 134);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("trapped") && stderr.contains("unreachable"),
        "{stderr}"
    );
}

#[test]
fn the_guest_sees_its_arguments() {
    // argc (program name included).
    let argc = module(
        "argc",
        "(drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
         (call $proc_exit (i32.load (i32.const 0)))",
    );
    let output = host(&[argc.to_str().unwrap(), "one", "two", "three"]);
    assert_eq!(status(&output), 4, "{output:?}");
    // The first byte of argv[1]: args_get writes the pointers at 64 and the strings at 256.
    let first_byte = module(
        "argv1",
        "(drop (call $args_get (i32.const 64) (i32.const 256)))
         (call $proc_exit (i32.load8_u (i32.load (i32.const 68))))",
    );
    let output = host(&[first_byte.to_str().unwrap(), "A"]);
    assert_eq!(status(&output), i32::from(b'A'), "{output:?}");
}

#[test]
fn the_environment_is_exactly_the_env_options() {
    let path = module(
        "environ",
        "(drop (call $environ_sizes_get (i32.const 0) (i32.const 4)))
         (call $proc_exit (i32.load (i32.const 0)))",
    );
    let path = path.to_str().unwrap();
    assert_eq!(status(&host(&[path])), 0);
    assert_eq!(status(&host(&["--env", "A=1", "--env", "B=2", path])), 2);
}

#[test]
fn dir_options_are_preopened() {
    // fd 3 is the first preopen: its prestat is there with --dir, EBADF (8) without.
    let path = module(
        "prestat",
        "(call $proc_exit (call $fd_prestat_get (i32.const 3) (i32.const 0)))",
    );
    let path = path.to_str().unwrap();
    assert_eq!(status(&host(&[path])), 8);
    let dir = env!("CARGO_TARGET_TMPDIR");
    assert_eq!(status(&host(&["--dir", dir, path])), 0);
}

#[test]
fn stdout_is_the_hosts() {
    // "hi\n" at 32, one iovec at 0.
    let text = format!(
        "(module {PRELUDE} (data (i32.const 32) \"hi\\n\")
           (func (export \"_start\")
             (i32.store (i32.const 0) (i32.const 32))
             (i32.store (i32.const 4) (i32.const 3))
             (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layerw-wamr-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hello.wasm");
    std::fs::write(&path, wat::parse_str(&text).unwrap()).unwrap();
    let output = host(&[path.to_str().unwrap()]);
    assert_eq!(status(&output), 0);
    assert_eq!(output.stdout, b"hi\n");
}

#[test]
fn bad_input_is_refused() {
    assert_eq!(status(&host(&[])), 2, "no module");
    assert_eq!(
        status(&host(&["--frobnicate", "x.wasm"])),
        2,
        "unknown option"
    );
    assert_eq!(
        status(&host(&["/nonexistent/module.wasm"])),
        2,
        "missing file"
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layerw-wamr-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk.wasm");
    std::fs::write(&junk, b"not a module").unwrap();
    let output = host(&[junk.to_str().unwrap()]);
    assert_eq!(status(&output), 1, "not wasm");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot load"));
    let no_start = dir.join("no_start.wasm");
    std::fs::write(&no_start, wat::parse_str("(module)").unwrap()).unwrap();
    assert_eq!(status(&host(&[no_start.to_str().unwrap()])), 1, "no _start");
}
