//! The browser's streaming backend for real: `FetchIo` in headless chromium
//! (wasm-bindgen-test-runner, which serves this test's own files: the test's wasm stands in for
//! a blob). Ranges come back exactly (whether the runner answers 206 or the whole file), a
//! missing file is `NotFound`, a range past the end `RangeNotSatisfiable`, and reads past the
//! six in flight wait in a queue, where cancelling them costs nothing.
//!
//! With `LAYERW_FAULT_SERVER_URL` set when it is built (scripts/web_stream_test.sh starts
//! scripts/fault_server.py and sets it), a second test reads from that server, on another
//! origin than the page (CORS, `Range` preflight): 206 answers, and each fault's typed error.
//! Run with: `bash scripts/web_stream_test.sh`
#![cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "fetch"))]

use std::collections::HashMap;
use std::ops::Range;

use core::time::Duration;

use layerw_engine::stream::{
    Cancelled, FETCH_IN_FLIGHT, FetchIo, HttpTimeouts, PackFile, ReadCompletion, ReadRequest,
    RequestId, StreamIo, StreamIoError, serve_from,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Lets the browser run its event loop (fetches complete there) for `ms` milliseconds.
async fn yield_to_browser(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into()).unwrap();
        let set_timeout: js_sys::Function = set_timeout.into();
        set_timeout.call2(&global, &resolve, &ms.into()).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Polls (as the streamer does once a frame) until `count` reads have finished.
async fn finish(io: &mut FetchIo, count: usize) -> HashMap<RequestId, ReadCompletion> {
    let mut results = HashMap::new();
    let mut done = Vec::new();
    let mut frames = 0;
    while results.len() < count {
        yield_to_browser(5).await;
        io.poll(0.0, &mut done);
        for c in done.drain(..) {
            assert!(results.insert(c.id, c).is_none(), "a read completed twice");
        }
        frames += 1;
        assert!(frames < 4000, "{} of {count} reads finished", results.len());
    }
    results
}

fn read(id: u64, blob: u32, range: Option<Range<u64>>) -> ReadRequest {
    ReadRequest {
        id: RequestId(id),
        file: PackFile::Blob(blob),
        range,
        max_bytes: 256 << 20,
    }
}

#[wasm_bindgen_test]
async fn fetch_reads_ranges_queues_past_six_and_cancels_before_the_first_byte() {
    let mut io = FetchIo::new(".");
    io.set_blobs(&[
        "wasm-bindgen-test_bg.wasm".into(),
        "no-such-blob.lwb".into(),
    ]);
    assert_eq!(io.parallelism(), FETCH_IN_FLIGHT);
    io.submit(read(0, 0, None));
    let whole = match finish(&mut io, 1)
        .await
        .remove(&RequestId(0))
        .unwrap()
        .result
    {
        Ok(bytes) => bytes,
        Err(e) => panic!("{e}"),
    };
    let len = whole.len() as u64;
    assert!(len > 1000, "the test's wasm is {len} bytes");

    // Ranges everywhere in the file, past its end, a missing file: 20 reads, 6 at a time.
    let mut reads: Vec<ReadRequest> = (1..=16)
        .map(|i| {
            let start = len * i / 17;
            read(i, 0, Some(start..(start + 100 + i * 37).min(len)))
        })
        .collect();
    reads.push(read(17, 0, Some(len - 5..len)));
    reads.push(read(18, 0, Some(len - 5..len + 5)));
    reads.push(read(19, 0, Some(len..len)));
    reads.push(read(20, 1, Some(0..10)));
    reads.push(read(21, 7, Some(0..10))); // no name: never leaves
    for r in &reads {
        io.submit(r.clone());
    }
    assert_eq!(io.queued(), reads.len() - 1 - FETCH_IN_FLIGHT);
    // Cancelled while queued, and in flight before any answer (no event-loop turn yet).
    assert_eq!(io.cancel(RequestId(16)), Cancelled::BeforeFirstByte);
    assert_eq!(io.cancel(RequestId(1)), Cancelled::BeforeFirstByte);
    assert_eq!(io.cancel(RequestId(1)), Cancelled::NotInFlight);
    let kept: Vec<&ReadRequest> = reads
        .iter()
        .filter(|r| r.id.0 != 16 && r.id.0 != 1)
        .collect();
    let results = finish(&mut io, kept.len()).await;
    for r in &kept {
        let expected = serve_from(
            if r.file == PackFile::Blob(0) {
                Some(&whole[..])
            } else {
                None
            },
            r,
        );
        assert_eq!(results[&r.id].result, expected, "{r:?}");
    }
    assert!(matches!(
        results[&RequestId(18)].result,
        Err(StreamIoError::RangeNotSatisfiable { .. })
    ));
    assert_eq!(
        results[&RequestId(20)].result,
        Err(StreamIoError::NotFound {
            file: PackFile::Blob(1)
        })
    );
    // The cancelled reads never complete.
    yield_to_browser(50).await;
    let mut late = Vec::new();
    io.poll(0.0, &mut late);
    assert!(late.is_empty(), "{late:?}");
}

/// One read on the fault server with `faults`; stalls and late heads give up after a second.
async fn read_with(
    url: &str,
    faults: &str,
    request: ReadRequest,
) -> Result<Vec<u8>, StreamIoError> {
    let timeouts = HttpTimeouts {
        connect: Duration::from_secs(5),
        first_byte: Duration::from_secs(1),
        stall: Duration::from_secs(1),
    };
    let mut io = FetchIo::with_timeouts(&format!("{url}/f/{faults}"), timeouts);
    io.set_blobs(&["blob.lwb".into()]);
    let id = request.id;
    io.submit(request);
    finish(&mut io, 1).await.remove(&id).unwrap().result
}

#[wasm_bindgen_test]
async fn fetch_from_another_origin_gets_ranges_and_typed_faults() {
    let Some(url) = option_env!("LAYERW_FAULT_SERVER_URL") else {
        wasm_bindgen_test::console_log!(
            "skipped: LAYERW_FAULT_SERVER_URL was not set at build time (scripts/web_stream_test.sh)"
        );
        return;
    };
    let whole = read_with(url, "none", read(0, 0, None)).await.unwrap();
    let len = whole.len() as u64;
    assert_eq!(len, 300_000);
    let file = PackFile::Blob(0);
    let range = 1000..150_000;
    let wanted = &whole[1000..150_000];
    let ranged = || read(1, 0, Some(range.clone()));
    // 206 answers across the origin, and a server that ignores Range.
    assert_eq!(
        read_with(url, "none", ranged()).await.as_deref(),
        Ok(wanted)
    );
    assert_eq!(
        read_with(url, "norange", ranged()).await.as_deref(),
        Ok(wanted)
    );
    assert_eq!(
        read_with(url, "trickle=16384", ranged()).await.as_deref(),
        Ok(wanted)
    );
    assert_eq!(
        read_with(url, "404", ranged()).await,
        Err(StreamIoError::NotFound { file })
    );
    assert_eq!(
        read_with(url, "416", ranged()).await,
        Err(StreamIoError::RangeNotSatisfiable {
            file,
            range: range.clone()
        })
    );
    assert_eq!(
        read_with(url, "503", ranged()).await,
        Err(StreamIoError::Status { file, status: 503 })
    );
    let wanted_len = range.end - range.start;
    assert_eq!(
        read_with(url, "truncate", ranged()).await,
        Err(StreamIoError::Truncated {
            file,
            expected: wanted_len,
            received: wanted_len / 2
        })
    );
    // Announced whole, cut mid-body: the browser hands over what came, then fails the body.
    assert!(matches!(
        read_with(url, "close", ranged()).await,
        Err(StreamIoError::Truncated { expected, received, .. })
            if expected == wanted_len && received <= wanted_len / 2
    ));
    let flipped = read_with(url, "flip", ranged()).await.unwrap();
    assert_eq!(
        flipped.iter().zip(wanted).filter(|(a, b)| a != b).count(),
        1
    );
    // A stall mid-body and a late head: aborted after the timeout.
    assert!(matches!(
        read_with(url, "stall=30", ranged()).await,
        Err(StreamIoError::Transport { .. })
    ));
    assert!(matches!(
        read_with(url, "slow=5", ranged()).await,
        Err(StreamIoError::Transport { .. })
    ));
}
