//! The WAMR runtime behind `layerw-wamr`: init, load, WASI arguments, instantiate, `_start`,
//! teardown. All of the host's `unsafe` (the C API of `wamr-sys`) is in this module.
//!
//! Exit codes: the vendored WAMR's own WASI `proc_exit` drops its argument (it raises the
//! "wasi proc exit" exception that the interpreter then clears, so every exit looks like a
//! return). This host registers its own `proc_exit` for `wasi_snapshot_preview1` *before* the
//! runtime registers its built-in WASI functions (WAMR resolves an import with the first
//! registration that has the name), keeps the code, and raises the same exception so the
//! interpreter unwinds as before.

use std::ffi::{CStr, CString, c_char, c_void};
use std::fmt;
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use wamr_sys::{
    MemAllocOption, NativeSymbol, RuntimeInitArgs, mem_alloc_type_t,
    mem_alloc_type_t_Alloc_With_System_Allocator, wasm_exec_env_t, wasm_module_inst_t,
    wasm_module_t, wasm_runtime_call_wasm, wasm_runtime_create_exec_env,
    wasm_runtime_deinstantiate, wasm_runtime_destroy, wasm_runtime_destroy_exec_env,
    wasm_runtime_full_init, wasm_runtime_get_exception, wasm_runtime_get_function_attachment,
    wasm_runtime_get_module_inst, wasm_runtime_instantiate, wasm_runtime_load,
    wasm_runtime_lookup_wasi_start_function, wasm_runtime_register_natives,
    wasm_runtime_set_exception, wasm_runtime_set_wasi_args, wasm_runtime_unload,
};

unsafe extern "C" {
    /// WAMR's allocator set-up (the first step of `wasm_runtime_full_init`), not in its public
    /// header in this version: called first so that natives can be registered before the
    /// built-in WASI ones.
    fn wasm_runtime_memory_init(
        mem_alloc_type: mem_alloc_type_t,
        alloc_option: *const MemAllocOption,
    ) -> bool;
}

/// WAMR keeps one process-wide runtime (its native-function list, its allocator): one run at a
/// time.
static RUNTIME: Mutex<()> = Mutex::new(());

/// The app heap WAMR adds beside the module's linear memory (for natives that allocate in the
/// guest). This WAMR version sets up a module's WASI context only when the heap is not empty;
/// Rust guests do not use it, so it is small.
const APP_HEAP_BYTES: u32 = 16 * 1024;

/// No `proc_exit` call seen yet.
const NO_EXIT: i64 = i64::MIN;

/// What to run.
pub struct Invocation<'a> {
    /// The module's bytes (a wasm32-wasip1 command module).
    pub module: &'a [u8],
    /// The guest's arguments, its program name first.
    pub argv: &'a [String],
    /// Directories preopened for the guest, each under its own path.
    pub dirs: &'a [String],
    /// The guest's environment, `NAME=VALUE` each.
    pub env: &'a [String],
    /// The interpreter's operand and frame stack, in bytes.
    pub stack_size: u32,
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `_start` returned (code 0) or the guest called `proc_exit(code)`.
    Exited(i32),
    /// The guest trapped; WAMR's exception text.
    Trapped(String),
}

/// Why a module did not run.
#[derive(Debug)]
pub struct RunError(String);

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The C strings and pointer arrays handed to `wasm_runtime_set_wasi_args`, which keeps the
/// pointers (not copies): they must live until the module is unloaded.
struct WasiArgs {
    _strings: Vec<CString>,
    argv: Vec<*mut c_char>,
    dirs: Vec<*const c_char>,
    env: Vec<*const c_char>,
}

impl WasiArgs {
    fn new(invocation: &Invocation<'_>) -> Result<Self, RunError> {
        let c_string = |s: &String| {
            CString::new(s.as_str()).map_err(|_| RunError(format!("{s:?} contains a NUL byte")))
        };
        let argv: Vec<CString> = invocation
            .argv
            .iter()
            .map(c_string)
            .collect::<Result<_, _>>()?;
        let dirs: Vec<CString> = invocation
            .dirs
            .iter()
            .map(c_string)
            .collect::<Result<_, _>>()?;
        let env: Vec<CString> = invocation
            .env
            .iter()
            .map(c_string)
            .collect::<Result<_, _>>()?;
        // The pointers stay valid when the CStrings move into `_strings`: their buffers are on
        // the heap and are not reallocated.
        let argv_ptrs = argv.iter().map(|s| s.as_ptr().cast_mut()).collect();
        let dir_ptrs = dirs.iter().map(|s| s.as_ptr()).collect();
        let env_ptrs = env.iter().map(|s| s.as_ptr()).collect();
        let mut strings = argv;
        strings.extend(dirs);
        strings.extend(env);
        Ok(Self {
            _strings: strings,
            argv: argv_ptrs,
            dirs: dir_ptrs,
            env: env_ptrs,
        })
    }
}

/// Tears the runtime down on every path out of [`run`], in the reverse order of set-up.
struct Teardown {
    module: wasm_module_t,
    instance: wasm_module_inst_t,
    exec_env: wasm_exec_env_t,
}

impl Drop for Teardown {
    fn drop(&mut self) {
        // SAFETY: each handle is null or was returned by WAMR in this run and not yet released;
        // the runtime was initialised (Teardown exists only after a successful full init).
        unsafe {
            if !self.exec_env.is_null() {
                wasm_runtime_destroy_exec_env(self.exec_env);
            }
            if !self.instance.is_null() {
                wasm_runtime_deinstantiate(self.instance);
            }
            if !self.module.is_null() {
                wasm_runtime_unload(self.module);
            }
            wasm_runtime_destroy();
        }
    }
}

/// The guest's `proc_exit(code)`: keeps the code in the slot attached to this native, then
/// raises WAMR's "wasi proc exit" exception, which unwinds the guest and which the interpreter
/// clears.
unsafe extern "C" fn proc_exit(exec_env: wasm_exec_env_t, code: u32) {
    // SAFETY: WAMR calls this with the live exec env of the calling guest; the attachment is
    // the `AtomicI64` that `run` registered and that outlives the runtime.
    unsafe {
        let slot = wasm_runtime_get_function_attachment(exec_env).cast::<AtomicI64>();
        if let Some(slot) = slot.as_ref() {
            slot.store(i64::from(code as i32), Ordering::Relaxed);
        }
        let instance = wasm_runtime_get_module_inst(exec_env);
        wasm_runtime_set_exception(instance, c"wasi proc exit".as_ptr());
    }
}

/// WAMR's error buffer as text.
fn error_text(buffer: &[c_char]) -> String {
    // SAFETY: WAMR writes a NUL-terminated string with snprintf; the buffer was zeroed, so it is
    // NUL-terminated even if WAMR wrote nothing.
    unsafe { CStr::from_ptr(buffer.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// Loads and runs the module's `_start` under WAMR's interpreter.
pub fn run(invocation: &Invocation<'_>) -> Result<Outcome, RunError> {
    let _only_run = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    let size = u32::try_from(invocation.module.len())
        .map_err(|_| RunError("the module is over 4 GiB".into()))?;
    // Declared before `teardown`, so dropped after it on every path.
    let mut wasi = WasiArgs::new(invocation)?;
    let exit_code = AtomicI64::new(NO_EXIT);
    let mut natives = [NativeSymbol {
        symbol: c"proc_exit".as_ptr(),
        func_ptr: proc_exit as *mut c_void,
        signature: c"(i)".as_ptr(),
        attachment: ptr::from_ref(&exit_code).cast_mut().cast(),
    }];
    // SAFETY: MemAllocOption is a plain C union; all-zero is a valid value and unused with the
    // system allocator.
    let alloc_option: MemAllocOption = unsafe { std::mem::zeroed() };
    // SAFETY: the allocator is set up before anything allocates. `natives` and its C strings
    // outlive the runtime (destroyed by `Teardown` before this frame ends) and WAMR keeps the
    // array's pointer; `init` is read during the call only.
    unsafe {
        if !wasm_runtime_memory_init(mem_alloc_type_t_Alloc_With_System_Allocator, &alloc_option)
            || !wasm_runtime_register_natives(
                c"wasi_snapshot_preview1".as_ptr(),
                natives.as_mut_ptr(),
                natives.len() as u32,
            )
        {
            return Err(RunError(
                "WAMR's allocator or proc_exit registration failed".into(),
            ));
        }
        let mut init = RuntimeInitArgs {
            mem_alloc_type: mem_alloc_type_t_Alloc_With_System_Allocator,
            mem_alloc_option: alloc_option,
            native_module_name: ptr::null(),
            native_symbols: ptr::null_mut(),
            n_native_symbols: 0,
            max_thread_num: 0,
        };
        if !wasm_runtime_full_init(&mut init) {
            wasm_runtime_destroy();
            return Err(RunError("WAMR's runtime did not initialise".into()));
        }
    }
    let mut teardown = Teardown {
        module: ptr::null_mut(),
        instance: ptr::null_mut(),
        exec_env: ptr::null_mut(),
    };
    let mut error = [0 as c_char; 256];
    // SAFETY: the runtime is initialised; `invocation.module` is `size` bytes and outlives the
    // module (unloaded by `teardown`); `wasi`'s arrays outlive the module too (declared before
    // `teardown`, so dropped after it); the error buffer's length is passed.
    let start = unsafe {
        teardown.module = wasm_runtime_load(
            invocation.module.as_ptr(),
            size,
            error.as_mut_ptr(),
            error.len() as u32,
        );
        if teardown.module.is_null() {
            return Err(RunError(format!(
                "WAMR cannot load it: {}",
                error_text(&error)
            )));
        }
        wasm_runtime_set_wasi_args(
            teardown.module,
            wasi.dirs.as_mut_ptr(),
            wasi.dirs.len() as u32,
            ptr::null_mut(),
            0,
            wasi.env.as_mut_ptr(),
            wasi.env.len() as u32,
            wasi.argv.as_mut_ptr(),
            wasi.argv.len() as i32,
        );
        teardown.instance = wasm_runtime_instantiate(
            teardown.module,
            invocation.stack_size,
            APP_HEAP_BYTES,
            error.as_mut_ptr(),
            error.len() as u32,
        );
        if teardown.instance.is_null() {
            return Err(RunError(format!(
                "WAMR cannot instantiate it: {}",
                error_text(&error)
            )));
        }
        let start = wasm_runtime_lookup_wasi_start_function(teardown.instance);
        if start.is_null() {
            return Err(RunError(
                "no `_start` export (not a WASI command module)".into(),
            ));
        }
        teardown.exec_env = wasm_runtime_create_exec_env(teardown.instance, invocation.stack_size);
        if teardown.exec_env.is_null() {
            return Err(RunError(
                "WAMR cannot create an execution environment".into(),
            ));
        }
        start
    };
    // SAFETY: exec env, instance and function are live (released by `teardown` afterwards);
    // `_start` takes no arguments, so argv may be null with argc 0.
    let returned = unsafe { wasm_runtime_call_wasm(teardown.exec_env, start, 0, ptr::null_mut()) };
    let outcome = if returned {
        match exit_code.load(Ordering::Relaxed) {
            NO_EXIT => Outcome::Exited(0),
            code => Outcome::Exited(code as i32),
        }
    } else {
        // SAFETY: the instance is live; WAMR returns a NUL-terminated string or null.
        let exception = unsafe { wasm_runtime_get_exception(teardown.instance) };
        let text = if exception.is_null() {
            "unknown exception".to_owned()
        } else {
            // SAFETY: non-null and NUL-terminated (above).
            unsafe { CStr::from_ptr(exception) }
                .to_string_lossy()
                .into_owned()
        };
        Outcome::Trapped(text)
    };
    // The runtime goes before the arguments and natives it points into.
    drop(teardown);
    drop(wasi);
    Ok(outcome)
}
