//! Unit tests of the TLSF heap on its own, over pages from a `Vec`.

use super::super::config::PAGE_SIZE;
use super::*;

#[test]
fn a_pool_sized_for_a_request_serves_it() {
    for size in [100, 511, 512, 5000, 65_536, 4 << 20, (4 << 20) + 12345] {
        for align in [16, 256] {
            let bytes = pool_bytes_for(size, align).next_multiple_of(PAGE_SIZE);
            let mut mem = Pages::new(bytes / PAGE_SIZE);
            let (start, end) = mem.range();
            let mut heap = Heap::new();
            // SAFETY: the Vec's buffer is handed to the heap.
            unsafe { heap.add_pool(start, end) };
            assert!(
                heap.alloc(size, align).is_some(),
                "size {size} align {align}"
            );
        }
    }
}

#[test]
fn quick_bins_reuse_exact_sizes_lifo() {
    let mut mem = Pages::new(2);
    let (start, end) = mem.range();
    let mut heap = Heap::new();
    // SAFETY: the Vec's buffer is handed to the heap.
    unsafe { heap.add_pool(start, end) };
    let a = heap.alloc(40, 16).unwrap();
    let b = heap.alloc(40, 16).unwrap();
    let used = heap.used;
    // SAFETY: live allocations of this heap.
    unsafe {
        heap.free(a);
        heap.free(b);
    }
    assert_eq!(
        heap.used,
        used - 2 * block_size_for(40),
        "binned blocks are not live"
    );
    assert_eq!(heap.alloc(33, 16), Some(b), "same class, last in first out");
    assert_eq!(heap.alloc(40, 16), Some(a));
    heap.check();
}

#[test]
fn mapping_classes_cover_sizes() {
    for size in (32..100_000).step_by(16) {
        let (fl, sl) = mapping(size);
        assert!(fl < FL_COUNT && sl < SL_COUNT);
        let (sfl, ssl) = mapping_search(size);
        assert!((sfl, ssl) >= (fl, sl));
    }
}

struct Pages(Vec<u128>);
impl Pages {
    fn new(pages: usize) -> Pages {
        Pages(vec![0u128; pages * PAGE_SIZE / 16])
    }
    fn range(&mut self) -> (usize, usize) {
        let start = self.0.as_mut_ptr() as usize;
        (start, start + self.0.len() * 16)
    }
}

#[test]
fn alloc_free_merges_back_to_one_block() {
    let mut mem = Pages::new(2);
    let (start, end) = mem.range();
    let mut heap = Heap::new();
    // SAFETY: the Vec's buffer is writable, aligned and owned by the test.
    unsafe { heap.add_pool(start, end) };
    let a = heap.alloc(100, 16).unwrap();
    let b = heap.alloc(1000, 256).unwrap();
    let c = heap.alloc(40, 16).unwrap();
    assert_eq!(b as usize % 256, 0);
    heap.check();
    // SAFETY: a, b, c are live allocations of this heap.
    unsafe {
        heap.free(b);
        heap.check();
        heap.free(a);
        heap.check();
        // Small blocks wait in a quick bin; flushing merges everything back.
        heap.free(c);
        assert!(heap.quick_total > 0);
        assert!(heap.flush_quick());
    }
    let (used, free) = heap.check();
    assert_eq!(used, 0);
    assert_eq!(free, end - start - HEADER);
    assert!(heap.take_free_pool(0).is_some());
}

#[test]
fn realloc_grows_into_free_neighbour_and_pool_extension() {
    let mut mem = Pages::new(4);
    let (start, end) = mem.range();
    let mid = start + 2 * PAGE_SIZE;
    let mut heap = Heap::new();
    // SAFETY: the first half of the Vec's buffer is handed to the heap.
    unsafe { heap.add_pool(start, mid) };
    let a = heap.alloc(64, 16).unwrap();
    // SAFETY: `a` is live.
    unsafe {
        a.write_bytes(7, 64);
        assert!(heap.realloc_in_place(a, 4000));
        heap.check();
        assert!(!heap.realloc_in_place(a, 3 * PAGE_SIZE));
        assert_eq!(heap.last_block_end(a), Some(mid));
        heap.extend_pool(0, end);
        heap.check();
        assert!(heap.realloc_in_place(a, 3 * PAGE_SIZE));
        heap.check();
        assert!(core::slice::from_raw_parts(a, 64).iter().all(|&x| x == 7));
        assert!(heap.realloc_in_place(a, 10));
        heap.check();
        heap.free(a);
    }
    assert_eq!(heap.check().0, 0);
}

// Thread caches (and so their refills) exist natively only: wasm runs one thread.
#[cfg(not(target_family = "wasm"))]
#[test]
fn cache_refill_carves_exact_blocks_out_of_one_free_block() {
    let mut mem = Pages::new(2);
    let (start, end) = mem.range();
    let mut heap = Heap::new();
    // SAFETY: the Vec's buffer is handed to the heap.
    unsafe { heap.add_pool(start, end) };
    let need = block_size_for(48);
    let mut got = Vec::new();
    heap.take_for_cache(need, 20, |p, size| {
        got.push((p as usize, size));
        true
    });
    assert_eq!(got.len(), 20, "a refill takes the whole batch");
    for w in got.windows(2) {
        assert_eq!(w[1].0 - w[0].0, need, "one run, block after block");
    }
    assert!(got.iter().all(|&(_, size)| size == need), "exact sizes");
    assert_eq!(heap.used, 20 * need, "taken blocks count as used");
    assert_eq!(heap.allocations, 0, "the cache counts its own allocations");
    // Refused blocks go back; returned ones merge, and the heap is whole again.
    let mut refused = 0;
    heap.take_for_cache(need, 4, |_, _| {
        refused += 1;
        false
    });
    assert_eq!(refused, 4);
    assert_eq!(heap.check().0, 20 * need);
    for (p, _) in got {
        // SAFETY: `p` came from `take_for_cache` and is not live.
        unsafe { heap.return_from_cache(p as *mut u8) };
    }
    assert_eq!(heap.check().0, 0);
    assert_eq!(heap.frees, 0, "returns are not frees");
    // Quick-binned blocks of the class are taken first.
    let a = heap.alloc(48, 16).unwrap();
    // SAFETY: `a` is live.
    unsafe { heap.free(a) };
    let mut first = None;
    heap.take_for_cache(need, 1, |p, _| {
        first = Some(p);
        true
    });
    assert_eq!(first, Some(a));
}
