//! The wgpu instance, adapter, device and queue, and what they can do.

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
        Ok(GpuContext {
            instance,
            adapter,
            device,
            queue,
            info,
        })
    }
}
