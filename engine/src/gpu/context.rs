//! The wgpu instance, adapter, device and queue, and what they can do.

use std::sync::{Arc, Mutex};

use super::GpuError;

/// The graphics API in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GpuBackend {
    /// Vulkan (lavapipe on machines without a GPU).
    Vulkan,
    /// Metal.
    Metal,
    /// Direct3D 12.
    Dx12,
    /// OpenGL / OpenGL ES / WebGL2.
    Gl,
    /// WebGPU in a browser.
    BrowserWebGpu,
    /// Anything else.
    Other,
}

/// What the adapter is and can do; the renderer picks its paths from this.
#[derive(Clone, Debug)]
pub struct GpuInfo {
    /// The API.
    pub backend: GpuBackend,
    /// The adapter's name ("llvmpipe (LLVM 15.0.7, 256 bits)", "NVIDIA H100 …").
    pub adapter: String,
    /// The driver and its version.
    pub driver: String,
    /// True on WebGL2-class hardware (no compute, no storage buffers in vertex shaders).
    pub downlevel: bool,
}

/// An open GPU: instance, adapter, device, queue.
pub struct GpuContext {
    /// The wgpu instance.
    pub instance: wgpu::Instance,
    /// The adapter.
    pub adapter: wgpu::Adapter,
    /// The device.
    pub device: wgpu::Device,
    /// The queue.
    pub queue: wgpu::Queue,
    /// What it is.
    pub info: GpuInfo,
    /// Errors wgpu reported outside any error scope, oldest first (see [`take_errors`]).
    ///
    /// [`take_errors`]: GpuContext::take_errors
    uncaptured: Arc<Mutex<Vec<GpuError>>>,
}

/// Errors kept for [`GpuContext::take_errors`] at most: a frame's worth of repeats is enough to
/// say what went wrong.
const MAX_UNCAPTURED: usize = 16;

/// wgpu's error as ours: out of memory, or a validation error with wgpu's description.
fn gpu_error(error: wgpu::Error) -> GpuError {
    match error {
        wgpu::Error::OutOfMemory { .. } => GpuError::DeviceOutOfMemory,
        other => GpuError::Validation(other.to_string()),
    }
}

impl GpuContext {
    /// Opens a GPU for headless rendering (no surface): tests, benches, screenshots. Backends
    /// come from `WGPU_BACKEND` if set.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn headless() -> Result<GpuContext, GpuError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        pollster::block_on(GpuContext::from_instance(instance, None))
    }

    /// Opens a GPU on `instance`, compatible with `surface` when given.
    pub async fn from_instance(
        instance: wgpu::Instance,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<GpuContext, GpuError> {
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                compatible_surface: surface,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let adapter_info = adapter.get_info();
        let downlevel = !adapter
            .get_downlevel_capabilities()
            .flags
            .contains(wgpu::DownlevelFlags::VERTEX_STORAGE);
        // Ask for what the adapter has, within WebGL2's floor, so one code path fits all.
        let limits = wgpu::Limits::downlevel_webgl2_defaults().using_resolution(adapter.limits());
        // Timestamps measure GPU frame time where the adapter has them; nothing depends on them.
        let features = adapter.features() & wgpu::Features::TIMESTAMP_QUERY;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("layerw device"),
                required_features: features,
                required_limits: limits,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Device(e.to_string()))?;
        let backend = match adapter_info.backend {
            wgpu::Backend::Vulkan => GpuBackend::Vulkan,
            wgpu::Backend::Metal => GpuBackend::Metal,
            wgpu::Backend::Dx12 => GpuBackend::Dx12,
            wgpu::Backend::Gl => GpuBackend::Gl,
            wgpu::Backend::BrowserWebGpu => GpuBackend::BrowserWebGpu,
            _ => GpuBackend::Other,
        };
        let info = GpuInfo {
            backend,
            adapter: adapter_info.name.clone(),
            driver: format!("{} {}", adapter_info.driver, adapter_info.driver_info),
            downlevel,
        };
        tracing::info!(
            backend = ?info.backend,
            adapter = %info.adapter,
            driver = %info.driver,
            "GPU opened"
        );
        // wgpu's default handler for errors outside a scope panics; ours logs and keeps them
        // for the renderer, which reports them as a typed error on the frame.
        let uncaptured = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&uncaptured);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            tracing::error!("GPU error: {error}");
            let mut errors = sink.lock().unwrap_or_else(|e| e.into_inner());
            if errors.len() < MAX_UNCAPTURED {
                errors.push(gpu_error(error));
            }
        }));
        Ok(GpuContext {
            instance,
            adapter,
            device,
            queue,
            info,
            uncaptured,
        })
    }

    /// Errors wgpu reported outside any error scope since the last call, oldest first (at
    /// most 16 are kept). Each was logged when it happened; nothing panicked.
    pub fn take_errors(&self) -> Vec<GpuError> {
        std::mem::take(&mut *self.uncaptured.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs `f` (which creates GPU resources) inside validation and out-of-memory error
    /// scopes: an error wgpu reports for it comes back typed instead of reaching the
    /// uncaptured handler. Natively the scopes resolve at once. In the browser they resolve
    /// asynchronously, so there `f` runs unscoped and an error arrives through
    /// [`take_errors`](Self::take_errors) instead.
    pub fn scoped<T>(&self, f: impl FnOnce() -> T) -> Result<T, GpuError> {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let memory = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
            let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
            let value = f();
            let invalid = pollster::block_on(validation.pop());
            let exhausted = pollster::block_on(memory.pop());
            match invalid.or(exhausted) {
                Some(error) => Err(gpu_error(error)),
                None => Ok(value),
            }
        }
        #[cfg(target_arch = "wasm32")]
        Ok(f())
    }
}
