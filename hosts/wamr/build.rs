//! Links WAMR statically: wamr-sys builds both `libiwasm.so` and `libvmlib.a` (the same runtime)
//! and asks for `-l iwasm`, which would pick the shared library and need it on the loader's path
//! at run time. Asking for the static archive first makes the binary self-contained (the shared
//! library is then unused and dropped by `--as-needed`).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-lib=static=vmlib");
    }
}
