//! The address space walloc hands out: an OS virtual reservation natively, the linear memory on
//! wasm, or a block from the system allocator (tests and miri). All three speak in 64 KiB pages.

use super::config::PAGE_SIZE;

/// Where a walloc instance's pages come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backing {
    /// Natively: one virtual reservation, committed page run by page run.
    /// On wasm: the linear memory, grown with `memory.grow`.
    Platform,
    /// One zeroed block from the system allocator, all committed at once. Used by tests and
    /// miri, which cannot reserve address space.
    Heap,
}

/// A reserved range of `pages` pages starting at `base`.
///
/// On wasm the range is the whole 32-bit address space (base 0): pages below the current
/// memory size that walloc did not grow itself belong to someone else, which the page map
/// records.
pub(crate) struct Reservation {
    base: usize,
    pages: usize,
    backing: Backing,
}

impl Reservation {
    /// Reserves `pages` pages, or `None` when the platform refuses.
    pub(crate) fn new(backing: Backing, pages: usize) -> Option<Reservation> {
        match backing {
            Backing::Heap => heap::reserve(pages),
            Backing::Platform => platform::reserve(pages),
        }
        .map(|base| Reservation {
            base,
            pages,
            backing,
        })
    }

    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// True when page numbers are linear-memory page numbers that `memory.grow` extends.
    pub(crate) fn is_linear_memory(&self) -> bool {
        cfg!(target_family = "wasm") && self.backing == Backing::Platform
    }

    /// Makes pages `[first, first + count)` readable and writable. False when the OS refuses.
    pub(crate) fn commit(&self, first: usize, count: usize) -> bool {
        debug_assert!(first + count <= self.pages);
        match self.backing {
            Backing::Heap => true,
            Backing::Platform => platform::commit(self.base + first * PAGE_SIZE, count * PAGE_SIZE),
        }
    }

    /// Gives the physical memory of pages `[first, first + count)` back to the OS; the range
    /// stays reserved and may be committed again.
    pub(crate) fn decommit(&self, first: usize, count: usize) {
        if self.backing == Backing::Platform {
            platform::decommit(self.base + first * PAGE_SIZE, count * PAGE_SIZE);
        }
    }

    /// Linear memory only: grows memory by `count` pages and returns the first new page.
    pub(crate) fn grow(&self, count: usize) -> Option<usize> {
        debug_assert!(self.is_linear_memory());
        platform::grow(count)
    }

    /// Linear memory only: the current memory size in pages.
    pub(crate) fn memory_pages(&self) -> usize {
        platform::memory_pages()
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        match self.backing {
            Backing::Heap => heap::release(self.base, self.pages),
            Backing::Platform => platform::release(self.base, self.pages),
        }
    }
}

mod heap {
    use super::PAGE_SIZE;
    use std::alloc::{GlobalAlloc, Layout, System};

    fn layout(pages: usize) -> Option<Layout> {
        Layout::from_size_align(pages.checked_mul(PAGE_SIZE)?, PAGE_SIZE).ok()
    }

    pub(super) fn reserve(pages: usize) -> Option<usize> {
        let layout = layout(pages)?;
        // SAFETY: the layout has a non-zero size (callers reserve at least one page). The
        // system allocator is used directly because walloc may itself be the global allocator.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        (!ptr.is_null()).then_some(ptr as usize)
    }

    pub(super) fn release(base: usize, pages: usize) {
        if let Some(layout) = layout(pages) {
            // SAFETY: `base` came from `System.alloc_zeroed` with this same layout in `reserve`.
            unsafe { System.dealloc(base as *mut u8, layout) }
        }
    }
}

#[cfg(all(unix, not(miri)))]
mod platform {
    use super::PAGE_SIZE;

    pub(super) fn reserve(pages: usize) -> Option<usize> {
        let len = pages.checked_mul(PAGE_SIZE)?.checked_add(PAGE_SIZE)?;
        // SAFETY: an anonymous PROT_NONE mapping at an address of the kernel's choosing touches
        // no existing memory. MAP_NORESERVE: nothing is committed until `commit`.
        let ptr = unsafe {
            libc::mmap(
                core::ptr::null_mut(),
                len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        // Pages are 64 KiB aligned: one spare page was mapped to round the start up; give
        // back the unaligned head and the spare tail.
        let start = ptr as usize;
        let aligned = (start + PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
        let head = aligned - start;
        let tail = PAGE_SIZE - head;
        // SAFETY: both ranges lie inside the mapping made above and outside [aligned, aligned + pages).
        unsafe {
            if head > 0 {
                libc::munmap(ptr, head);
            }
            if tail > 0 {
                libc::munmap((aligned + pages * PAGE_SIZE) as *mut libc::c_void, tail);
            }
        }
        Some(aligned)
    }

    pub(super) fn commit(addr: usize, len: usize) -> bool {
        // SAFETY: [addr, addr + len) lies inside this instance's own reservation.
        unsafe {
            libc::mprotect(
                addr as *mut libc::c_void,
                len,
                libc::PROT_READ | libc::PROT_WRITE,
            ) == 0
        }
    }

    pub(super) fn decommit(addr: usize, len: usize) {
        // SAFETY: [addr, addr + len) lies inside this instance's reservation and holds no live
        // data (the caller released it); MADV_DONTNEED drops its physical pages.
        unsafe {
            libc::madvise(addr as *mut libc::c_void, len, libc::MADV_DONTNEED);
        }
    }

    pub(super) fn release(base: usize, pages: usize) {
        // SAFETY: [base, base + pages) is exactly the range `reserve` kept mapped.
        unsafe {
            libc::munmap(base as *mut libc::c_void, pages * PAGE_SIZE);
        }
    }

    pub(super) fn grow(_count: usize) -> Option<usize> {
        None
    }

    pub(super) fn memory_pages() -> usize {
        0
    }
}

#[cfg(all(windows, not(miri)))]
mod platform {
    use super::PAGE_SIZE;
    use windows_sys::Win32::System::Memory::{
        MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_NOACCESS, PAGE_READWRITE,
        VirtualAlloc, VirtualFree,
    };

    pub(super) fn reserve(pages: usize) -> Option<usize> {
        let len = pages.checked_mul(PAGE_SIZE)?;
        // SAFETY: reserving fresh address space of the OS's choosing touches no existing memory.
        // Windows reservations are 64 KiB aligned (the allocation granularity).
        let ptr = unsafe { VirtualAlloc(core::ptr::null(), len, MEM_RESERVE, PAGE_NOACCESS) };
        (!ptr.is_null()).then_some(ptr as usize)
    }

    pub(super) fn commit(addr: usize, len: usize) -> bool {
        // SAFETY: [addr, addr + len) lies inside this instance's own reservation.
        unsafe { !VirtualAlloc(addr as *const _, len, MEM_COMMIT, PAGE_READWRITE).is_null() }
    }

    pub(super) fn decommit(addr: usize, len: usize) {
        // SAFETY: the range lies inside this instance's reservation and holds no live data.
        unsafe {
            VirtualFree(addr as *mut _, len, MEM_DECOMMIT);
        }
    }

    pub(super) fn release(base: usize, _pages: usize) {
        // SAFETY: `base` is the start of the reservation made in `reserve`.
        unsafe {
            VirtualFree(base as *mut _, 0, MEM_RELEASE);
        }
    }

    pub(super) fn grow(_count: usize) -> Option<usize> {
        None
    }

    pub(super) fn memory_pages() -> usize {
        0
    }
}

#[cfg(all(target_family = "wasm", not(miri)))]
mod platform {
    use super::super::config::MAX_PAGES;

    pub(super) fn reserve(_pages: usize) -> Option<usize> {
        // The linear memory is the reservation: page numbers are absolute (base 0).
        Some(0)
    }

    pub(super) fn commit(_addr: usize, _len: usize) -> bool {
        true
    }

    pub(super) fn decommit(_addr: usize, _len: usize) {}

    pub(super) fn release(_base: usize, _pages: usize) {}

    pub(super) fn grow(count: usize) -> Option<usize> {
        let old = core::arch::wasm32::memory_grow(0, count);
        (old != usize::MAX && old + count <= MAX_PAGES).then_some(old)
    }

    pub(super) fn memory_pages() -> usize {
        core::arch::wasm32::memory_size(0)
    }
}

#[cfg(any(miri, not(any(unix, windows, target_family = "wasm"))))]
mod platform {
    // No address-space reservation here: instances use the heap backing instead.
    pub(super) fn reserve(_pages: usize) -> Option<usize> {
        None
    }
    pub(super) fn commit(_addr: usize, _len: usize) -> bool {
        false
    }
    pub(super) fn decommit(_addr: usize, _len: usize) {}
    pub(super) fn release(_base: usize, _pages: usize) {}
    pub(super) fn grow(_count: usize) -> Option<usize> {
        None
    }
    pub(super) fn memory_pages() -> usize {
        0
    }
}
