//! [`GpuRenderer`]: the GPU side of an app. It owns the device and the renderer, draws the
//! world's [`RenderQueue`] after every frame (a frame hook, on the main thread), presents to
//! the window's surface when the app has one (recovering a lost or outdated surface, skipping
//! zero-sized windows) or into a headless image otherwise, publishes [`RenderStats`], and
//! takes [`Screenshot`] requests.

use std::path::PathBuf;

use super::{GpuContext, GpuError, GpuInfo, Image, Renderer, RendererConfig};
use crate::ecs::World;
use crate::render::{
    FrameStats, Materials, MeshAssets, OverlayLines, OverlayText, RenderQueue, StatsOverlay,
    TextureAssets,
};
use crate::text::{GlyphAtlas, UiDrawList};
use crate::walloc::Tier;

/// What the last frame drew and how long the GPU side took, stored on the world as a resource.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RenderStats {
    /// Draw calls, triangles and instances.
    pub frame: FrameStats,
    /// CPU seconds spent encoding and submitting (and waiting, when `wait_gpu` is set).
    pub submit_seconds: f64,
    /// GPU seconds of a recent frame, all its passes (shadow, PBR, tonemap and overlay), from
    /// timestamp queries (a frame or two late); `None` where the adapter has none (WebGL2,
    /// some drivers).
    pub gpu_seconds: Option<f64>,
    /// Frames rendered so far.
    pub frames: u64,
}

/// Asks for the next rendered frame to be saved as a PNG; a resource (insert it, or replace it).
#[derive(Clone, Debug, PartialEq)]
pub struct Screenshot {
    /// Where to write the PNG.
    pub path: PathBuf,
}

/// The surface of a window, configured.
#[cfg(feature = "window")]
struct SurfaceState {
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
}

/// An open GPU with its renderer (and the window's surface once there is one).
struct Ready {
    gpu: GpuContext,
    renderer: Renderer,
    #[cfg(feature = "window")]
    surface: Option<SurfaceState>,
}

type Pending = std::rc::Rc<std::cell::RefCell<Option<Result<Ready, GpuError>>>>;

enum State {
    Ready(Box<Ready>),
    /// Web: waiting for the runner to make the canvas's window.
    Waiting(RendererConfig),
    /// Web: the adapter and device are being requested (asynchronous in the browser).
    #[cfg_attr(
        not(target_arch = "wasm32"),
        expect(dead_code, reason = "only the browser opens its GPU asynchronously")
    )]
    Pending(Pending),
    Failed,
}

/// The GPU side of an app. It draws the world's [`RenderQueue`] after every frame, with the UI
/// layer ([`UiDrawList`], glyphs from the [`GlyphAtlas`]) and the stats overlay over it, uploading
/// the world's [`MeshAssets`], [`TextureAssets`] and [`Materials`] whenever they change and
/// freeing the GPU copies of meshes and textures removed there; it publishes what is resident
/// as the [`GpuResidency`](super::GpuResidency) resource.
pub struct GpuRenderer {
    state: State,
    /// Wait for the GPU to finish each frame (benchmarks: frame times then include GPU time).
    pub wait_gpu: bool,
    /// Frame-to-frame time for the stats overlay.
    frame_clock: FrameClock,
}

impl GpuRenderer {
    /// Opens a GPU and makes a renderer now (natively; headless until a window appears).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(config: RendererConfig) -> Result<GpuRenderer, GpuError> {
        let gpu = GpuContext::headless()?;
        let renderer = Renderer::new(&gpu, config)?;
        Ok(GpuRenderer {
            state: State::Ready(Box::new(Ready {
                gpu,
                renderer,
                #[cfg(feature = "window")]
                surface: None,
            })),
            wait_gpu: false,
            frame_clock: FrameClock::default(),
        })
    }

    /// A renderer that opens its GPU on the first frame with a window: what the browser
    /// needs (the canvas comes from the runner, and adapters are requested asynchronously:
    /// WebGPU when the browser has an adapter, else WebGL2). Natively it opens at once.
    pub fn deferred(config: RendererConfig) -> GpuRenderer {
        #[cfg(not(target_arch = "wasm32"))]
        if let Ok(ready) = GpuRenderer::new(config.clone()) {
            return ready;
        }
        GpuRenderer {
            state: State::Waiting(config),
            wait_gpu: false,
            frame_clock: FrameClock::default(),
        }
    }

    /// The device, once open.
    pub fn gpu(&self) -> Option<&GpuContext> {
        match &self.state {
            State::Ready(ready) => Some(&ready.gpu),
            _ => None,
        }
    }

    /// The renderer, once the device is open.
    pub fn renderer(&mut self) -> Option<&mut Renderer> {
        match &mut self.state {
            State::Ready(ready) => Some(&mut ready.renderer),
            _ => None,
        }
    }

    /// Moves the initialisation along; true when ready to draw.
    fn ready(&mut self, world: &mut World) -> bool {
        match &self.state {
            State::Ready(_) => return true,
            State::Failed => return false,
            State::Waiting(config) => {
                #[cfg(all(feature = "window", target_arch = "wasm32"))]
                if let Ok(window) = world.try_resource::<crate::platform::WinitWindow>() {
                    let pending = Pending::default();
                    web::open(window.0.clone(), config.clone(), pending.clone());
                    drop(window);
                    self.state = State::Pending(pending);
                    return false;
                }
                let _ = config;
                return false;
            }
            State::Pending(pending) => {
                let Some(result) = pending.borrow_mut().take() else {
                    return false;
                };
                match result {
                    Ok(ready) => {
                        world.insert_resource(ready.gpu.info.clone());
                        self.state = State::Ready(Box::new(ready));
                    }
                    Err(e) => {
                        tracing::error!("no GPU: {e}");
                        self.state = State::Failed;
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Draws the world's [`RenderQueue`] (nothing without a camera), presents it, updates
    /// [`RenderStats`] and serves a [`Screenshot`] request. Errors are logged, never fatal:
    /// a bad frame is dropped, the next one tries again.
    pub fn frame(&mut self, world: &mut World) {
        if !self.ready(world) {
            return;
        }
        let State::Ready(ready) = &mut self.state else {
            return;
        };
        if !world.contains_resource::<GpuInfo>() {
            world.insert_resource(ready.gpu.info.clone());
        }
        let started = crate::schedule::monotonic_seconds();
        let frame_seconds = self.frame_clock.tick(started);
        match world.try_resource::<StatsOverlay>() {
            Ok(overlay) if overlay.visible => {
                let text = OverlayText {
                    lines: stats_lines(world, frame_seconds, &ready.gpu.info),
                    scale: overlay.scale,
                    ..Default::default()
                };
                ready.renderer.set_overlay(&ready.gpu, &text.layout());
            }
            _ if ready.renderer.has_overlay() => ready.renderer.set_overlay(&ready.gpu, &[]),
            _ => {}
        }
        if let (Ok(atlas), Ok(ui)) = (
            world.try_resource::<GlyphAtlas>(),
            world.try_resource::<UiDrawList>(),
        ) {
            ready.renderer.set_ui(&ready.gpu, &atlas, &ui.quads);
        }
        if let (Ok(assets), Ok(queue)) = (
            world.try_resource::<MeshAssets>(),
            world.try_resource::<RenderQueue>(),
        ) && let Err(e) = ready.renderer.sync_meshes(&ready.gpu, &assets, &queue)
        {
            tracing::error!("meshes not uploaded (retried next frame): {e}");
        }
        if let Ok(textures) = world.try_resource::<TextureAssets>() {
            ready.renderer.sync_textures(&ready.gpu, &textures);
        }
        if let (Ok(skinned), Ok(queue)) = (
            world.try_resource::<crate::render::SkinnedMeshes>(),
            world.try_resource::<RenderQueue>(),
        ) && let Err(e) = ready
            .renderer
            .sync_skinned_meshes(&ready.gpu, &skinned, &queue)
        {
            tracing::error!("skinned meshes not uploaded (retried next frame): {e}");
        }
        if let Ok(materials) = world.try_resource::<Materials>()
            && let Err(e) = ready.renderer.sync_materials(&ready.gpu, &materials)
        {
            tracing::error!("{e}");
        }
        let residency = ready.renderer.residency();
        match world.get_resource_mut::<super::GpuResidency>() {
            Some(published) => *published = residency,
            None => {
                world.insert_resource(residency);
            }
        }
        // With a window the frame is tonemapped once, into the surface; the headless output
        // image is only made without one, or for a screenshot.
        #[cfg(feature = "window")]
        let windowed = world.contains_resource::<crate::platform::WinitWindow>();
        #[cfg(not(feature = "window"))]
        let windowed = false;
        let to_output = !windowed || world.contains_resource::<Screenshot>();
        let result = match world.try_resource::<RenderQueue>() {
            Ok(queue) => queue.with_frame(|frame| match frame {
                Some(frame) if to_output => ready.renderer.render(&ready.gpu, &frame).map(Some),
                Some(frame) => ready.renderer.render_hdr(&ready.gpu, &frame).map(Some),
                None => Ok(None),
            }),
            Err(_) => Ok(None),
        };
        let stats = match result {
            Ok(Some(stats)) => stats,
            Ok(None) => return,
            Err(e) => {
                tracing::error!("frame not rendered: {e}");
                return;
            }
        };
        #[cfg(feature = "window")]
        let stats = {
            let mut stats = stats;
            if ready.present(world) && !to_output {
                stats.draw_calls += ready.renderer.present_draw_calls(); // into the surface
            }
            stats
        };
        if let Some(request) = world.remove_resource::<Screenshot>() {
            ready.save_screenshot(&request);
        }
        #[cfg(not(target_arch = "wasm32"))]
        if self.wait_gpu
            && let Err(e) = ready.renderer.wait_idle(&ready.gpu)
        {
            tracing::error!("{e}");
        }
        let seconds = started
            .zip(crate::schedule::monotonic_seconds())
            .map_or(0.0, |(s, e)| e - s);
        let gpu_seconds = ready.renderer.gpu_seconds();
        let published = world.get_resource_mut::<RenderStats>().map(|s| {
            s.frame = stats;
            s.submit_seconds = seconds;
            s.gpu_seconds = gpu_seconds;
            s.frames += 1;
        });
        if published.is_none() {
            world.insert_resource(RenderStats {
                frame: stats,
                submit_seconds: seconds,
                gpu_seconds,
                frames: 1,
            });
        }
    }

    /// Reads the last frame back (headless output; blocking).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_frame(&self) -> Result<Image, GpuError> {
        match &self.state {
            State::Ready(ready) => ready.renderer.read_output(&ready.gpu),
            _ => Err(GpuError::Readback("the GPU is not open".into())),
        }
    }
}

/// Smoothed frame-to-frame time.
#[derive(Default)]
struct FrameClock {
    last: Option<f64>,
    smoothed: Option<f64>,
}

impl FrameClock {
    fn tick(&mut self, now: Option<f64>) -> f64 {
        if let (Some(now), Some(last)) = (now, self.last) {
            let delta = now - last;
            if delta > 0.0 {
                // About a quarter-second window at 60 FPS: steady digits, still responsive.
                self.smoothed = Some(self.smoothed.map_or(delta, |s| s + (delta - s) * 0.1));
            }
        }
        self.last = now;
        self.smoothed.unwrap_or(0.0)
    }
}

/// A count with a metric suffix: 950, 12.3k, 1.20M.
fn metric(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.2}M", n as f64 / 1e6),
    }
}

/// The stats overlay's lines: FPS and frame time, CPU and GPU render time, draw calls,
/// triangles and instances (of the last frame), walloc's tiers.
fn stats_lines(world: &World, frame_seconds: f64, info: &GpuInfo) -> Vec<String> {
    let mut adapter = info.adapter.clone();
    adapter.truncate(adapter.floor_char_boundary(32));
    let mut lines = vec![format!("Layer-W  {:?}  {adapter}", info.backend)];
    let fps = if frame_seconds > 0.0 {
        1.0 / frame_seconds
    } else {
        0.0
    };
    lines.push(format!(
        "FPS {fps:5.1}  frame {:6.2} ms",
        frame_seconds * 1e3
    ));
    if let Ok(stats) = world.try_resource::<RenderStats>() {
        let gpu = stats
            .gpu_seconds
            .map_or("n/a".to_owned(), |s| format!("{:.2} ms", s * 1e3));
        lines.push(format!(
            "render CPU {:.2} ms  GPU {gpu}",
            stats.submit_seconds * 1e3
        ));
        lines.push(format!(
            "draws {}  tris {}  instances {}",
            stats.frame.draw_calls,
            metric(stats.frame.triangles),
            metric(u64::from(stats.frame.instances))
        ));
    }
    let walloc = crate::walloc::global().stats();
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let tier = |t: Tier| {
        let s = walloc.tier(t);
        format!("{} {:.1}/{:.0}", t.name(), mib(s.used), mib(s.budget))
    };
    lines.push(format!(
        "walloc MiB {}  {}",
        tier(Tier::Render),
        tier(Tier::Scene)
    ));
    lines.push(format!(
        "           {}  {}",
        tier(Tier::Entity),
        tier(Tier::General)
    ));
    if let Ok(extra) = world.try_resource::<OverlayLines>() {
        lines.extend(extra.iter().map(str::to_owned));
    }
    lines
}

impl Ready {
    fn save_screenshot(&self, request: &Screenshot) {
        #[cfg(not(target_arch = "wasm32"))]
        match self
            .renderer
            .read_output(&self.gpu)
            .and_then(|image| image.save_png(&request.path))
        {
            Ok(()) => tracing::info!("screenshot saved to {}", request.path.display()),
            Err(e) => tracing::error!("screenshot {}: {e}", request.path.display()),
        }
        #[cfg(all(feature = "window", target_arch = "wasm32"))]
        web::download_canvas(&request.path);
        #[cfg(all(not(feature = "window"), target_arch = "wasm32"))]
        tracing::warn!("no canvas to screenshot ({})", request.path.display());
    }

    /// Presents the frame to the window's surface, making or remaking the surface as needed;
    /// true when a frame reached the surface.
    #[cfg(feature = "window")]
    fn present(&mut self, world: &World) -> bool {
        use crate::platform::{Window, WinitWindow};
        let Ok(window) = world.try_resource::<WinitWindow>() else {
            return false;
        };
        let Ok(state) = world.try_resource::<Window>() else {
            return false;
        };
        let size = state.size();
        if size.x == 0 || size.y == 0 {
            return false; // minimised: nothing to present, not an error
        }
        if self.surface.is_none() {
            match self.gpu.instance.create_surface(window.0.clone()) {
                Ok(surface) => match configure(&self.gpu, &surface, size.x, size.y) {
                    Some(config) => self.surface = Some(SurfaceState { surface, config }),
                    None => {
                        tracing::error!("the window's surface is not supported by this adapter");
                        return false;
                    }
                },
                Err(e) => {
                    tracing::error!("cannot create the window's surface: {e}");
                    return false;
                }
            }
        }
        let Some(state_surface) = &mut self.surface else {
            return false;
        };
        if state_surface.config.width != size.x || state_surface.config.height != size.y {
            state_surface.config.width = size.x;
            state_surface.config.height = size.y;
            state_surface
                .surface
                .configure(&self.gpu.device, &state_surface.config);
        }
        use wgpu::CurrentSurfaceTexture as C;
        let frame = match state_surface.surface.get_current_texture() {
            C::Success(frame) | C::Suboptimal(frame) => frame,
            C::Outdated | C::Lost => {
                // Resized or lost under us: reconfigure and try again next frame.
                tracing::warn!("surface outdated or lost; reconfiguring");
                state_surface
                    .surface
                    .configure(&self.gpu.device, &state_surface.config);
                return false;
            }
            other => {
                tracing::warn!("no surface texture this frame: {}", surface_status(&other));
                return false;
            }
        };
        let format = state_surface.config.format.add_srgb_suffix();
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(format),
            ..Default::default()
        });
        let viewport = state.viewport();
        self.renderer.present_to(
            &self.gpu,
            &view,
            format,
            [viewport.x, viewport.y, viewport.width, viewport.height],
        );
        window.0.pre_present_notify();
        self.gpu.queue.present(frame);
        true
    }
}

/// Configures a surface at a size (vsync); `None` when the adapter cannot present to it.
#[cfg(feature = "window")]
fn configure(
    gpu: &GpuContext,
    surface: &wgpu::Surface<'static>,
    width: u32,
    height: u32,
) -> Option<wgpu::SurfaceConfiguration> {
    let mut config = surface.get_default_config(&gpu.adapter, width.max(1), height.max(1))?;
    config.present_mode = wgpu::PresentMode::AutoVsync;
    // Browsers prefer a non-sRGB canvas format: draw through an sRGB view of it so the
    // hardware encodes gamma, as with the native sRGB surfaces.
    let srgb = config.format.add_srgb_suffix();
    if srgb != config.format {
        config.view_formats.push(srgb);
    }
    surface.configure(&gpu.device, &config);
    Some(config)
}

/// The browser's asynchronous start: WebGPU when the browser has an adapter, else WebGL2.
#[cfg(all(feature = "window", target_arch = "wasm32"))]
mod web {
    use std::sync::Arc;

    use super::{GpuContext, GpuError, Pending, Ready, Renderer, RendererConfig, SurfaceState};

    /// The browser's screenshot: the canvas as a PNG blob, offered as a download named after
    /// the request's file name; its object URL is also left in `window.layerwScreenshot`.
    pub(super) fn download_canvas(path: &std::path::Path) {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let name = path.file_name().map_or("screenshot.png".to_owned(), |n| {
            n.to_string_lossy().into_owned()
        });
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(document) = window.document() else {
            return;
        };
        let Some(canvas) = document
            .query_selector("canvas")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            tracing::error!("screenshot: no canvas");
            return;
        };
        let callback = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
            let Some(blob) = blob else {
                tracing::error!("screenshot: the canvas gave no image");
                return;
            };
            let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
                return;
            };
            if let Some(window) = web_sys::window() {
                let _ =
                    js_sys::Reflect::set(&window, &"layerwScreenshot".into(), &url.clone().into());
                if let Some(link) = window
                    .document()
                    .and_then(|d| d.create_element("a").ok())
                    .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
                {
                    link.set_href(&url);
                    link.set_download(&name);
                    link.click();
                }
            }
        });
        if let Err(e) = canvas.to_blob(callback.unchecked_ref()) {
            tracing::error!("screenshot: {e:?}");
        }
    }

    pub(super) fn open(window: Arc<winit::window::Window>, config: RendererConfig, out: Pending) {
        wasm_bindgen_futures::spawn_local(async move {
            let result = open_async(window, config).await;
            *out.borrow_mut() = Some(result);
        });
    }

    async fn open_async(
        window: Arc<winit::window::Window>,
        config: RendererConfig,
    ) -> Result<Ready, GpuError> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::BROWSER_WEBGPU | wgpu::Backends::GL;
        // Drops the WebGPU backend when the browser has no WebGPU adapter: one build, two APIs.
        let instance = wgpu::util::new_instance_with_webgpu_detection(desc).await;
        let surface = instance
            .create_surface(window.clone())
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let gpu = GpuContext::from_instance(instance, Some(&surface)).await?;
        let renderer = Renderer::new(&gpu, config)?;
        let size = window.inner_size();
        let surface = super::configure(&gpu, &surface, size.width, size.height)
            .map(|config| SurfaceState { surface, config });
        Ok(Ready {
            gpu,
            renderer,
            surface,
        })
    }
}

#[cfg(feature = "window")]
fn surface_status(status: &wgpu::CurrentSurfaceTexture) -> &'static str {
    match status {
        wgpu::CurrentSurfaceTexture::Timeout => "timeout",
        wgpu::CurrentSurfaceTexture::Occluded => "occluded",
        wgpu::CurrentSurfaceTexture::Validation => "validation error",
        _ => "unavailable",
    }
}

impl Image {
    /// The image as PNG bytes.
    pub fn to_png(&self) -> Result<Vec<u8>, GpuError> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, self.width, self.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&self.pixels))
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        Ok(bytes)
    }

    /// Saves the image as a PNG file.
    pub fn save_png(&self, path: impl AsRef<std::path::Path>) -> Result<(), GpuError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_png()?)
            .map_err(|e| GpuError::Readback(format!("{}: {e}", path.display())))
    }
}
