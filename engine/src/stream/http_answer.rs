//! What an HTTP answer to a pack read must look like, shared by the native client and the
//! browser's `fetch`: the `Range` header to send, how much of the body to read, and whether
//! the status, the headers and the body that came make the bytes asked for.

use core::ops::Range;
use core::time::Duration;

use super::io::{ReadRequest, StreamIoError};

/// How long the HTTP backends (`HttpIo` natively, `FetchIo` in the browser) wait before a read
/// fails with [`StreamIoError::Transport`]: a server that stops answering never holds a
/// connection for longer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// To open the connection (the browser has no such setting: there it counts in
    /// `first_byte`).
    pub connect: Duration,
    /// From sending the request to the answer's head.
    pub first_byte: Duration,
    /// Between two reads of the body (a stall).
    pub stall: Duration,
}

impl Default for HttpTimeouts {
    /// 5 s to connect, 10 s to the first byte, 10 s of silence mid-body.
    fn default() -> HttpTimeouts {
        HttpTimeouts {
            connect: Duration::from_secs(5),
            first_byte: Duration::from_secs(10),
            stall: Duration::from_secs(10),
        }
    }
}

/// The `Range` header for `request` (`bytes=first-last`, both inclusive), or `None` for a
/// whole-file read and an empty range (HTTP cannot ask for zero bytes: the whole file is asked
/// for and only its length is looked at).
pub(crate) fn range_header(request: &ReadRequest) -> Option<String> {
    match &request.range {
        Some(range) if range.start < range.end => {
            Some(format!("bytes={}-{}", range.start, range.end - 1))
        }
        _ => None,
    }
}

/// The parts of an answer's head that matter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AnswerHead<'a> {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The `Content-Range` header.
    pub(crate) content_range: Option<&'a str>,
    /// The `Content-Length` header, parsed.
    pub(crate) content_length: Option<u64>,
}

/// How the body should be read, from the head alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BodyPlan {
    /// Stop reading after this many body bytes: nothing past them is needed (or, for a
    /// whole-file read, one more than allowed shows it is too large).
    pub(crate) read_limit: u64,
    /// The body bytes to return.
    keep: Range<u64>,
    /// The body bytes that must arrive (`None`: a whole file of unknown length).
    needed: Option<u64>,
    /// The body length the server announced, if it did.
    announced: Option<u64>,
}

/// How reading the body ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BodyEnd {
    /// The body ended, or [`BodyPlan::read_limit`] bytes were read.
    Complete,
    /// The connection closed or failed mid-body; the message says how.
    Broken(String),
    /// No byte came within the read timeout: the server stalled (the bytes are late, not
    /// missing, so this is never [`StreamIoError::Truncated`]).
    Stalled(String),
}

/// Checks an answer's head: the error it already is, or how to read its body.
///
/// - 206 must carry a `Content-Range` starting at the range asked for; a shorter one is
///   [`StreamIoError::RangeNotSatisfiable`] when the file is shorter than the range, otherwise
///   [`StreamIoError::Truncated`].
/// - 200 to a range read is the whole file (a server that ignores `Range`): valid, and sliced.
/// - 404 is [`StreamIoError::NotFound`], 416 [`StreamIoError::RangeNotSatisfiable`], any other
///   status [`StreamIoError::Status`]. A whole-file read announced longer than allowed is
///   [`StreamIoError::TooLarge`] before any body byte is read.
pub(crate) fn plan_body(
    request: &ReadRequest,
    head: &AnswerHead<'_>,
) -> Result<BodyPlan, StreamIoError> {
    let file = request.file;
    let not_satisfiable = |range: &Range<u64>| StreamIoError::RangeNotSatisfiable {
        file,
        range: range.clone(),
    };
    let bad = |message: String| StreamIoError::Transport { file, message };
    let sent_range = range_header(request).is_some();
    match (head.status, &request.range) {
        (404, _) => Err(StreamIoError::NotFound { file }),
        (416, Some(range)) if sent_range => Err(not_satisfiable(range)),
        (206, Some(range)) if sent_range => {
            let text = head.content_range.unwrap_or("");
            let (first, end, total) = parse_content_range(text)
                .ok_or_else(|| bad(format!("206 with a bad Content-Range {text:?}")))?;
            let answered = first..end;
            if answered.start != range.start {
                return Err(bad(format!(
                    "asked for bytes {}..{}, the server sent {}..{}",
                    range.start, range.end, answered.start, answered.end
                )));
            }
            let announced = answered.end - answered.start;
            if let Some(length) = head.content_length
                && length != announced
            {
                return Err(bad(format!(
                    "Content-Range {text:?} and Content-Length {length} disagree"
                )));
            }
            let wanted = range.end - range.start;
            if answered.end < range.end {
                return Err(match total {
                    Some(total) if total < range.end => not_satisfiable(range),
                    _ => StreamIoError::Truncated {
                        file,
                        expected: wanted,
                        received: announced,
                    },
                });
            }
            Ok(BodyPlan {
                read_limit: wanted,
                keep: 0..wanted,
                needed: Some(wanted),
                announced: Some(announced),
            })
        }
        (200, Some(range)) if range.start > range.end => Err(not_satisfiable(range)),
        (200, Some(range)) => match head.content_length {
            Some(length) if length < range.end => Err(not_satisfiable(range)),
            // The file's length alone answers an empty range.
            Some(length) if range.is_empty() => Ok(BodyPlan {
                read_limit: 0,
                keep: 0..0,
                needed: Some(0),
                announced: Some(length),
            }),
            announced => Ok(BodyPlan {
                read_limit: range.end,
                keep: if range.is_empty() {
                    0..0
                } else {
                    range.clone()
                },
                needed: Some(range.end),
                announced,
            }),
        },
        (200, None) => match head.content_length {
            Some(length) if length > request.max_bytes => Err(StreamIoError::TooLarge {
                file,
                bytes: length,
                maximum: request.max_bytes,
            }),
            announced => Ok(BodyPlan {
                read_limit: request.max_bytes.saturating_add(1),
                keep: 0..announced.unwrap_or(u64::MAX),
                needed: announced,
                announced,
            }),
        },
        (status, _) => Err(StreamIoError::Status { file, status }),
    }
}

/// Checks a whole answer: its head (through [`plan_body`]), then the body that came and how it
/// ended. Returns exactly the bytes asked for, or why not: fewer body bytes than announced is
/// [`StreamIoError::Truncated`]; a whole file that ends before a range's end is
/// [`StreamIoError::RangeNotSatisfiable`]; a failure with no announced length to hold it
/// against is [`StreamIoError::Transport`].
pub(crate) fn check_answer(
    request: &ReadRequest,
    head: &AnswerHead<'_>,
    mut body: Vec<u8>,
    end: BodyEnd,
) -> Result<Vec<u8>, StreamIoError> {
    let file = request.file;
    let plan = plan_body(request, head)?;
    let received = body.len() as u64;
    if request.range.is_none() && received > request.max_bytes {
        return Err(StreamIoError::TooLarge {
            file,
            bytes: plan.announced.unwrap_or(received),
            maximum: request.max_bytes,
        });
    }
    let needed = plan.needed.unwrap_or(received);
    if received < needed {
        return Err(match (end, plan.announced) {
            (BodyEnd::Stalled(message), _) => StreamIoError::Transport { file, message },
            (_, Some(announced)) if received < announced.min(plan.read_limit) => {
                StreamIoError::Truncated {
                    file,
                    expected: announced.min(plan.read_limit),
                    received,
                }
            }
            (BodyEnd::Broken(message), _) => StreamIoError::Transport { file, message },
            // The whole file came and is shorter than the range.
            (BodyEnd::Complete, _) => StreamIoError::RangeNotSatisfiable {
                file,
                range: request.range.clone().unwrap_or(0..needed),
            },
        });
    }
    if let BodyEnd::Broken(message) | BodyEnd::Stalled(message) = end
        && plan.needed.is_none()
    {
        // A whole file of unknown length cut short looks complete: only the failure tells.
        return Err(StreamIoError::Transport { file, message });
    }
    let keep = plan.keep.start as usize..(plan.keep.end.min(received)) as usize;
    if keep != (0..body.len()) {
        body.truncate(keep.end);
        body.drain(..keep.start);
    }
    Ok(body)
}

/// Parses `bytes first-last/total` (`total` may be `*`) into `first`, `last + 1` (the end,
/// exclusive) and `total`.
fn parse_content_range(text: &str) -> Option<(u64, u64, Option<u64>)> {
    let rest = text.trim().strip_prefix("bytes")?.trim_start();
    let (span, total) = rest.split_once('/')?;
    let (first, last) = span.trim().split_once('-')?;
    let (first, last): (u64, u64) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    (first <= last).then_some((first, last.checked_add(1)?, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::{PackFile, RequestId};

    const FILE: PackFile = PackFile::Blob(3);

    fn request(range: Option<Range<u64>>) -> ReadRequest {
        ReadRequest {
            id: RequestId(1),
            file: FILE,
            range,
            max_bytes: 10,
        }
    }

    fn head(status: u16, content_range: Option<&str>, length: Option<u64>) -> AnswerHead<'_> {
        AnswerHead {
            status,
            content_range,
            content_length: length,
        }
    }

    fn answer(
        range: Option<Range<u64>>,
        head: AnswerHead<'_>,
        body: &[u8],
        end: BodyEnd,
    ) -> Result<Vec<u8>, StreamIoError> {
        check_answer(&request(range), &head, body.to_vec(), end)
    }

    const FILE_BYTES: &[u8] = b"0123456789abcdef"; // 16 bytes

    #[test]
    fn partial_answers_are_checked_against_the_range() {
        let ok = head(206, Some("bytes 2-5/16"), Some(4));
        assert_eq!(
            range_header(&request(Some(2..6))).as_deref(),
            Some("bytes=2-5")
        );
        assert_eq!(
            answer(Some(2..6), ok, b"2345", BodyEnd::Complete),
            Ok(b"2345".to_vec())
        );
        // Short body against the announced length.
        assert_eq!(
            answer(Some(2..6), ok, b"23", BodyEnd::Broken("closed".into())),
            Err(StreamIoError::Truncated {
                file: FILE,
                expected: 4,
                received: 2
            })
        );
        // The server clamped the range to a shorter file.
        let clamped = head(206, Some("bytes 2-15/16"), Some(14));
        assert_eq!(
            plan_body(&request(Some(2..20)), &clamped),
            Err(StreamIoError::RangeNotSatisfiable {
                file: FILE,
                range: 2..20
            })
        );
        // Another start, a bad header, disagreeing lengths.
        for bad in [
            head(206, Some("bytes 0-3/16"), None),
            head(206, Some("bytes x-3/16"), None),
            head(206, None, None),
            head(206, Some("bytes 2-5/16"), Some(9)),
        ] {
            assert!(
                matches!(
                    plan_body(&request(Some(2..6)), &bad),
                    Err(StreamIoError::Transport { .. })
                ),
                "{bad:?}"
            );
        }
        assert_eq!(parse_content_range("bytes 2-5/*"), Some((2, 6, None)));
        assert_eq!(parse_content_range("bytes 2-18446744073709551615/*"), None);
        assert_eq!(parse_content_range("bytes 5-2/16"), None);
    }

    #[test]
    fn a_whole_file_answer_to_a_range_read_is_sliced() {
        let whole = head(200, None, Some(16));
        let plan = plan_body(&request(Some(2..6)), &whole).unwrap();
        assert_eq!(plan.read_limit, 6);
        assert_eq!(
            answer(Some(2..6), whole, &FILE_BYTES[..6], BodyEnd::Complete),
            Ok(b"2345".to_vec())
        );
        assert_eq!(
            plan_body(&request(Some(10..20)), &whole),
            Err(StreamIoError::RangeNotSatisfiable {
                file: FILE,
                range: 10..20
            })
        );
        // Without a length, a body that ends early shows the file is shorter.
        let unknown = head(200, None, None);
        assert_eq!(
            answer(Some(10..20), unknown, FILE_BYTES, BodyEnd::Complete),
            Err(StreamIoError::RangeNotSatisfiable {
                file: FILE,
                range: 10..20
            })
        );
        // An empty range needs only the length.
        assert_eq!(range_header(&request(Some(4..4))), None);
        assert_eq!(
            plan_body(&request(Some(4..4)), &whole).unwrap().read_limit,
            0
        );
        assert_eq!(
            answer(Some(4..4), whole, b"", BodyEnd::Complete),
            Ok(Vec::new())
        );
        assert!(plan_body(&request(Some(17..17)), &whole).is_err());
        assert_eq!(
            answer(Some(17..17), unknown, FILE_BYTES, BodyEnd::Complete),
            Err(StreamIoError::RangeNotSatisfiable {
                file: FILE,
                range: 17..17
            })
        );
    }

    #[test]
    fn whole_file_reads_respect_the_limit_and_the_announced_length() {
        assert_eq!(range_header(&request(None)), None);
        let small = head(200, None, Some(4));
        assert_eq!(
            answer(None, small, b"abcd", BodyEnd::Complete),
            Ok(b"abcd".to_vec())
        );
        assert_eq!(
            answer(None, small, b"ab", BodyEnd::Broken("reset".into())),
            Err(StreamIoError::Truncated {
                file: FILE,
                expected: 4,
                received: 2
            })
        );
        assert_eq!(
            plan_body(&request(None), &head(200, None, Some(16))),
            Err(StreamIoError::TooLarge {
                file: FILE,
                bytes: 16,
                maximum: 10
            })
        );
        let unknown = head(200, None, None);
        assert_eq!(plan_body(&request(None), &unknown).unwrap().read_limit, 11);
        assert_eq!(
            answer(None, unknown, &FILE_BYTES[..11], BodyEnd::Complete),
            Err(StreamIoError::TooLarge {
                file: FILE,
                bytes: 11,
                maximum: 10
            })
        );
        assert!(matches!(
            answer(None, unknown, b"ab", BodyEnd::Broken("reset".into())),
            Err(StreamIoError::Transport { .. })
        ));
    }

    #[test]
    fn statuses_map_to_typed_errors() {
        let range = Some(0..4);
        assert_eq!(
            plan_body(&request(range.clone()), &head(404, None, None)),
            Err(StreamIoError::NotFound { file: FILE })
        );
        assert_eq!(
            plan_body(&request(range.clone()), &head(416, None, None)),
            Err(StreamIoError::RangeNotSatisfiable {
                file: FILE,
                range: 0..4
            })
        );
        for status in [503, 500, 302, 401] {
            assert_eq!(
                plan_body(&request(range.clone()), &head(status, None, None)),
                Err(StreamIoError::Status { file: FILE, status })
            );
        }
        // Nothing asked a whole-file read for a part of it.
        assert_eq!(
            plan_body(&request(None), &head(206, Some("bytes 0-3/16"), Some(4))),
            Err(StreamIoError::Status {
                file: FILE,
                status: 206
            })
        );
    }
}
