//! [`GpuRenderer`]: the GPU side of an app. It owns the device and the renderer, draws the
//! world's [`RenderQueue`] after every frame (a frame hook, on the main thread), presents to
//! the window's surface when the app has one (recovering a lost or outdated surface, skipping
//! zero-sized windows) or into a headless image otherwise, publishes [`RenderStats`], and
//! takes [`Screenshot`] requests.

use std::path::PathBuf;

use super::{GpuContext, GpuError, Image, Renderer, RendererConfig};
use crate::ecs::World;
use crate::render::{FrameStats, RenderQueue};

/// What the last frame drew and how long the GPU side took, stored on the world as a resource.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RenderStats {
    /// Draw calls, triangles and instances.
    pub frame: FrameStats,
    /// CPU seconds spent encoding and submitting (and waiting, when `wait_gpu` is set).
    pub submit_seconds: f64,
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

/// The GPU side of an app.
pub struct GpuRenderer {
    /// The device.
    pub gpu: GpuContext,
    /// The renderer (add meshes and materials through it).
    pub renderer: Renderer,
    /// Wait for the GPU to finish each frame (benchmarks: frame times then include GPU time).
    pub wait_gpu: bool,
    #[cfg(feature = "window")]
    surface: Option<SurfaceState>,
}

impl GpuRenderer {
    /// Opens a GPU and makes a renderer (headless until a window appears).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(config: RendererConfig) -> Result<GpuRenderer, GpuError> {
        let gpu = GpuContext::headless()?;
        let renderer = Renderer::new(&gpu, config)?;
        Ok(GpuRenderer {
            gpu,
            renderer,
            wait_gpu: false,
            #[cfg(feature = "window")]
            surface: None,
        })
    }

    /// Draws the world's [`RenderQueue`] (nothing without a camera), presents it, updates
    /// [`RenderStats`] and serves a [`Screenshot`] request. Errors are logged, never fatal:
    /// a bad frame is dropped, the next one tries again.
    pub fn frame(&mut self, world: &mut World) {
        let started = crate::app::now();
        let result = match world.try_resource::<RenderQueue>() {
            Ok(queue) => queue.with_frame(|frame| match frame {
                Some(frame) => self.renderer.render(&self.gpu, &frame).map(Some),
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
        self.present(world);
        if let Some(request) = world.remove_resource::<Screenshot>() {
            self.save_screenshot(&request);
        }
        #[cfg(not(target_arch = "wasm32"))]
        if self.wait_gpu
            && let Err(e) = self.renderer.wait_idle(&self.gpu)
        {
            tracing::error!("{e}");
        }
        let seconds = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        let frames = world.try_resource::<RenderStats>().map_or(0, |s| s.frames);
        world.insert_resource(RenderStats {
            frame: stats,
            submit_seconds: seconds,
            frames: frames + 1,
        });
    }

    /// Reads the last frame back (headless output; blocking).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_frame(&self) -> Result<Image, GpuError> {
        self.renderer.read_output(&self.gpu)
    }

    fn save_screenshot(&self, request: &Screenshot) {
        #[cfg(not(target_arch = "wasm32"))]
        match self
            .read_frame()
            .and_then(|image| image.save_png(&request.path))
        {
            Ok(()) => tracing::info!("screenshot saved to {}", request.path.display()),
            Err(e) => tracing::error!("screenshot {}: {e}", request.path.display()),
        }
        #[cfg(target_arch = "wasm32")]
        tracing::warn!(
            "screenshots to files are desktop-only ({})",
            request.path.display()
        );
    }

    /// Presents the frame to the window's surface, making or remaking the surface as needed.
    #[cfg(feature = "window")]
    fn present(&mut self, world: &World) {
        use crate::platform::{Window, WinitWindow};
        let Ok(window) = world.try_resource::<WinitWindow>() else {
            return;
        };
        let Ok(state) = world.try_resource::<Window>() else {
            return;
        };
        let size = state.size();
        if size.x == 0 || size.y == 0 {
            return; // minimised: nothing to present, not an error
        }
        if self.surface.is_none() {
            match self.gpu.instance.create_surface(window.0.clone()) {
                Ok(surface) => {
                    let Some(mut config) =
                        surface.get_default_config(&self.gpu.adapter, size.x, size.y)
                    else {
                        tracing::error!("the window's surface is not supported by this adapter");
                        return;
                    };
                    config.present_mode = wgpu::PresentMode::AutoVsync;
                    surface.configure(&self.gpu.device, &config);
                    self.surface = Some(SurfaceState { surface, config });
                }
                Err(e) => {
                    tracing::error!("cannot create the window's surface: {e}");
                    return;
                }
            }
        }
        let Some(state_surface) = &mut self.surface else {
            return;
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
                return;
            }
            other => {
                tracing::warn!("no surface texture this frame: {}", surface_status(&other));
                return;
            }
        };
        let view = frame.texture.create_view(&Default::default());
        let viewport = state.viewport();
        self.renderer.present_to(
            &self.gpu,
            &view,
            state_surface.config.format,
            [viewport.x, viewport.y, viewport.width, viewport.height],
        );
        window.0.pre_present_notify();
        self.gpu.queue.present(frame);
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
