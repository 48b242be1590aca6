//! The decoder on whole streams and on every way of cutting them into reads.

use super::*;

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;

/// Every event of a stream fed in one piece, and then at its end.
fn events(stream: &[u8]) -> Vec<Event> {
    let mut decoder = Decoder::new(1024);
    decoder.push(stream);
    let mut out = Vec::new();
    drain(&mut decoder, &mut out);
    out.extend(decoder.finish());
    out
}

/// The same, fed a byte at a time: the answer must not depend on how reads fall.
fn events_bytewise(stream: &[u8]) -> Vec<Event> {
    let mut decoder = Decoder::new(1024);
    let mut out = Vec::new();
    for b in stream {
        decoder.push(&[*b]);
        drain(&mut decoder, &mut out);
    }
    out.extend(decoder.finish());
    out
}

/// Takes every event ready, telling the decoder of bodies that are not JSON, as the
/// server does.
fn drain(decoder: &mut Decoder, out: &mut Vec<Event>) {
    while let Some(event) = decoder.next_event() {
        if let Event::Body(body) = &event {
            if serde_json::from_slice::<serde_json::Value>(body).is_err() {
                decoder.rejected();
            }
        }
        out.push(event);
    }
}

fn shape(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Body(b) => String::from_utf8_lossy(b).into_owned(),
            Event::Garbage(_) => "<garbage>".to_string(),
        })
        .collect()
}

fn check(stream: &str, expected: &[&str]) {
    let whole = shape(&events(stream.as_bytes()));
    assert_eq!(whole, expected, "in one read: {stream:?}");
    assert_eq!(shape(&events_bytewise(stream.as_bytes())), expected, "a byte at a time: {stream:?}");
}

#[test]
fn frames_come_out_whole() {
    check(&format!("{}{}", frame(INIT), frame("{}")), &[INIT, "{}"]);
}

#[test]
fn headers_are_case_insensitive_and_other_headers_are_ignored() {
    let stream = format!(
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:{}\r\n\r\n{INIT}",
        INIT.len()
    );
    check(&stream, &[INIT]);
    check(&format!("Content-Length: {}\n\n{INIT}", INIT.len()), &[INIT]);
}

#[test]
fn blank_lines_between_messages_are_skipped() {
    check(&format!("\r\n{}\r\n\n{}", frame(INIT), frame(INIT)), &[INIT, INIT]);
}

#[test]
fn garbage_before_a_message_is_reported_once_and_skipped() {
    check(&format!("hello world{}", frame(INIT)), &["<garbage>", INIT]);
    check(&format!("hello world\r\n\r\nmore junk\r\n{}", frame(INIT)), &["<garbage>", INIT]);
    check(&format!("[]{}", frame(INIT)), &["<garbage>", INIT]);
    check(&format!("{INIT}{}", frame(INIT)), &["<garbage>", INIT]);
}

#[test]
fn garbage_alone_is_reported_without_waiting_for_more() {
    let mut decoder = Decoder::new(1024);
    decoder.push(b"hello world");
    assert!(matches!(decoder.next_event(), Some(Event::Garbage(_))));
}

#[test]
fn a_header_block_without_a_length_is_reported_and_its_body_skipped() {
    let stream = format!("Content-Type: application/json\r\n\r\n{INIT}{}", frame(INIT));
    check(&stream, &["<garbage>", INIT]);
    check(&format!("Content-Length: ten\r\n\r\n{INIT}{}", frame(INIT)), &["<garbage>", INIT]);
    check(&format!("Content-Length: -1\r\n\r\n{INIT}{}", frame(INIT)), &["<garbage>", INIT]);
}

#[test]
fn a_length_too_short_cuts_the_body_and_the_rest_is_skipped() {
    let stream = format!("Content-Length: 10\r\n\r\n{INIT}{}", frame(INIT));
    check(&stream, &[&INIT[..10], INIT]);
}

#[test]
fn a_length_too_long_stops_at_the_next_header() {
    // The body would swallow the next message's header and part of its body.
    let stream = format!("Content-Length: {}\r\n\r\n{INIT}{}", INIT.len() + 30, frame(INIT));
    check(&stream, &["<garbage>", INIT]);
    // Or all of the next message.
    let stream = format!("Content-Length: 200\r\n\r\n{INIT}{}", frame(INIT));
    check(&stream, &["<garbage>", INIT]);
}

#[test]
fn a_length_too_long_at_the_end_is_reported_when_the_input_ends() {
    check(&format!("Content-Length: 200\r\n\r\n{INIT}"), &["<garbage>"]);
}

#[test]
fn content_length_inside_a_string_is_not_a_header() {
    let body = r#"{"jsonrpc":"2.0","method":"x","params":{"text":"Content-Length: 12\r\n\r\n"}}"#;
    check(&frame(body), &[body]);
}

#[test]
fn a_message_over_the_limit_is_refused_and_skipped() {
    let big = format!(r#"{{"jsonrpc":"2.0","method":"x","params":"{}"}}"#, "a".repeat(2000));
    check(&format!("{}{}", frame(&big), frame(INIT)), &["<garbage>", INIT]);
}

#[test]
fn a_header_block_that_never_ends_is_refused() {
    let stream = format!("X-Long: {}\r\n{}", "a".repeat(9000), frame(INIT));
    check(&stream, &["<garbage>", INIT]);
}

#[test]
fn input_ending_inside_a_message_is_reported() {
    check("Content-Length: 50\r\n\r\n{\"jsonrpc\"", &["<garbage>"]);
    check("Content-Len", &["<garbage>"]);
    check("", &[]);
    check("\r\n", &[]);
}

#[test]
fn problems_name_what_they_saw() {
    let hello = events(b"hello world\r\n");
    assert_eq!(hello, [Event::Garbage("`hello world` is not a message header".to_string())]);
    let long = events(format!("Content-Length: {}\r\n\r\n", "9".repeat(30)).as_bytes());
    assert!(matches!(&long[..], [Event::Garbage(why)] if why.contains("is not a length")), "{long:?}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// One piece of a stream: a good message, or one of the ways a message goes wrong.
    #[derive(Clone, Debug)]
    enum Piece {
        Good(String),
        /// Bytes that are no frame at all (they start with `@`, which no header does).
        Garbage(String),
        /// A frame whose `Content-Length` is short by `n` bytes.
        Short(String, usize),
        /// A frame whose `Content-Length` is long by `n` bytes.
        Long(String, usize),
        /// A header block without `Content-Length`, and the body after it.
        NoLength(String),
        /// A well-framed body that is not JSON.
        NotJson(String),
    }

    fn body() -> impl Strategy<Value = String> {
        ("[a-z]{1,8}", "[ -~]{0,40}", 0i64..1000).prop_map(|(method, text, id)| {
            serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": { "text": text } }).to_string()
        })
    }

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            3 => body().prop_map(Piece::Good),
            1 => "[ -~\r\n]{0,30}".prop_map(|g| Piece::Garbage(format!("@{g}"))),
            1 => (body(), 1usize..20).prop_map(|(b, n)| Piece::Short(b, n)),
            1 => (body(), 1usize..200).prop_map(|(b, n)| Piece::Long(b, n)),
            1 => body().prop_map(Piece::NoLength),
            1 => "[a-z ]{1,20}".prop_map(|g| Piece::NotJson(format!("{{{g}"))),
        ]
    }

    fn write(piece: &Piece) -> String {
        match piece {
            Piece::Good(b) => frame(b),
            Piece::Garbage(g) => g.clone(),
            Piece::Short(b, n) => format!("Content-Length: {}\r\n\r\n{b}", b.len() - n.min(&(b.len() - 1))),
            Piece::Long(b, n) => format!("Content-Length: {}\r\n\r\n{b}", b.len() + n),
            Piece::NoLength(b) => format!("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{b}"),
            Piece::NotJson(g) => frame(g),
        }
    }

    proptest! {
        /// Any bytes at all, cut anywhere: the decoder never panics, every body it yields
        /// is within the limit, and it keeps no more than it must.
        #[test]
        fn any_bytes_are_decoded_without_panicking(
            bytes in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'\n'), Just(b':'), Just(b'1')], 0..600),
            prefix in proptest::sample::select(vec!["", "Content-Length: 5\r\n\r\n", "content-length:12\n\n", "Content-Length: 0\r\n\r\n"]),
            cut in 1usize..50,
        ) {
            let stream: Vec<u8> = prefix.bytes().chain(bytes).collect();
            let mut decoder = Decoder::new(64);
            for piece in stream.chunks(cut) {
                decoder.push(piece);
                while let Some(event) = decoder.next_event() {
                    if let Event::Body(body) = &event {
                        prop_assert!(body.len() <= 64);
                        if serde_json::from_slice::<serde_json::Value>(body).is_err() {
                            decoder.rejected();
                        }
                    }
                }
                prop_assert!(decoder.buf.len() - decoder.start <= 64 + MAX_HEADER_BLOCK + 64);
            }
            decoder.finish();
        }

        /// Whatever goes wrong around them, and however the reads fall, every good message
        /// comes through whole and in order, and every stream with a bad piece has at
        /// least one problem reported.
        #[test]
        fn every_good_message_survives_its_neighbours(
            pieces in proptest::collection::vec(piece(), 1..8),
            cuts in proptest::collection::vec(1usize..64, 1..40),
        ) {
            let stream: String = pieces.iter().map(write).collect();
            let bytes = stream.as_bytes();
            let mut decoder = Decoder::new(4096);
            let mut events = Vec::new();
            let (mut at, mut cut) = (0, cuts.iter().cycle());
            while at < bytes.len() {
                let end = (at + cut.next().copied().unwrap_or(1)).min(bytes.len());
                decoder.push(&bytes[at..end]);
                drain(&mut decoder, &mut events);
                at = end;
            }
            events.extend(decoder.finish());
            let good: Vec<&str> = pieces.iter().filter_map(|p| match p { Piece::Good(b) => Some(b.as_str()), _ => None }).collect();
            let out: Vec<String> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Body(b) if serde_json::from_slice::<serde_json::Value>(b).is_ok() => Some(String::from_utf8_lossy(b).into_owned()),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(out, good, "stream: {:?}", stream);
            let bad = pieces.iter().any(|p| !matches!(p, Piece::Good(_)));
            let problems = events.iter().filter(|e| match e {
                Event::Garbage(_) => true,
                Event::Body(b) => serde_json::from_slice::<serde_json::Value>(b).is_err(),
            }).count();
            prop_assert_eq!(problems > 0, bad, "stream: {:?}", stream);
        }
    }
}
