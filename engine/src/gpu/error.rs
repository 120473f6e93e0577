//! The GPU layer's errors.

use core::fmt;

use crate::render::MeshError;

/// Why the GPU layer refused something.
#[non_exhaustive]
#[derive(Debug)]
pub enum GpuError {
    /// No adapter (GPU or software rasteriser) is available to this backend set.
    NoAdapter(String),
    /// The adapter refused to create a device.
    Device(String),
    /// A mesh was refused before it reached the GPU.
    Mesh(MeshError),
    /// More materials than the material table holds.
    TooManyMaterials {
        /// How many were asked for.
        requested: usize,
        /// The table's size.
        maximum: usize,
    },
    /// Reading a frame back failed.
    Readback(String),
    /// The configuration cannot be honoured (a zero-sized target, say).
    Config(String),
    /// A size is past what the device allows (`what`: the resolution, the shadow map, a mesh's
    /// vertex or index buffer, the instance buffer, a texture); checked before wgpu sees it,
    /// whose default error handler would panic.
    Limit {
        /// What was too large.
        what: &'static str,
        /// The size asked for (texels on an edge, or bytes).
        requested: u64,
        /// The device's limit, in the same unit.
        limit: u64,
    },
    /// A walloc tier had no room (uploads are staged in the Render tier); nothing was lost:
    /// the upload is retried on a later frame.
    OutOfMemory(crate::walloc::OutOfMemory),
    /// wgpu refused an operation (its validation error, described), caught by an error scope
    /// or by the device's uncaptured-error handler instead of panicking.
    Validation(String),
    /// The device ran out of memory for a resource.
    DeviceOutOfMemory,
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoAdapter(e) => write!(f, "no GPU adapter: {e}"),
            GpuError::Device(e) => write!(f, "cannot create the GPU device: {e}"),
            GpuError::Mesh(e) => write!(f, "invalid mesh: {e}"),
            GpuError::TooManyMaterials { requested, maximum } => {
                write!(f, "{requested} materials, the table holds {maximum}")
            }
            GpuError::Readback(e) => write!(f, "cannot read the frame back: {e}"),
            GpuError::Config(e) => write!(f, "invalid renderer configuration: {e}"),
            GpuError::OutOfMemory(e) => write!(f, "no memory to stage an upload: {e}"),
            GpuError::Validation(e) => write!(f, "the GPU refused an operation: {e}"),
            GpuError::DeviceOutOfMemory => write!(f, "the GPU device is out of memory"),
            GpuError::Limit {
                what,
                requested,
                limit,
            } => write!(
                f,
                "{what} needs {requested}, past the device's limit of {limit}"
            ),
        }
    }
}

impl std::error::Error for GpuError {}

/// `Ok` when `requested` is within `limit`, else a [`GpuError::Limit`] naming `what`.
pub(crate) fn within(what: &'static str, requested: u64, limit: u64) -> Result<(), GpuError> {
    if requested <= limit {
        Ok(())
    } else {
        Err(GpuError::Limit {
            what,
            requested,
            limit,
        })
    }
}

impl From<MeshError> for GpuError {
    fn from(e: MeshError) -> Self {
        GpuError::Mesh(e)
    }
}
