//! The LSP base protocol's frames out of a byte stream that may hold anything: header
//! blocks (`Name: value` lines and an empty line) with a `Content-Length`, then that many
//! bytes of body. Garbage, a missing or lying `Content-Length` or an oversized message is
//! reported once and skipped: the decoder then looks for the next `Content-Length` header
//! and goes on from there. No IO: bytes are pushed in, events are pulled out.

/// What the decoder found next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A frame's body, exactly as many bytes as its `Content-Length` said (not yet known
    /// to be JSON).
    Body(Vec<u8>),
    /// Bytes that are not a frame, and why. Bytes skipped while looking for the next
    /// header after a problem are not reported again.
    Garbage(String),
}

/// Where the decoder stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a header block (after any whitespace between messages).
    Headers,
    /// Inside a body of `len` bytes; the first `scanned` bytes hold no header.
    Body { len: usize, scanned: usize },
    /// Skipping to the next `Content-Length`.
    Seek,
}

/// The name of the one header that matters, lowercase.
const CONTENT_LENGTH: &[u8] = b"content-length";
/// A header block longer than this is garbage (real ones are under a hundred bytes).
const MAX_HEADER_BLOCK: usize = 8 * 1024;
/// At most this many digits, blanks on either side of the colon, in a header that is
/// recognised inside a body.
const MAX_DIGITS: usize = 20;
const MAX_BLANKS: usize = 16;

/// A streaming decoder of LSP frames.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Where the unread part of `buf` starts.
    start: usize,
    state: State,
    /// A problem has been reported and no header block has been read since: what is
    /// skipped now is part of the same problem.
    resyncing: bool,
    max_body: usize,
}

impl Decoder {
    /// A decoder that refuses bodies larger than `max_body` bytes.
    pub fn new(max_body: usize) -> Decoder {
        Decoder { buf: Vec::new(), start: 0, state: State::Headers, resyncing: false, max_body }
    }

    /// Adds bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        // Drop what has been read before it costs more to keep than to move.
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next frame or problem, or `None` when more bytes are needed.
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            let step = match self.state {
                State::Headers => self.headers(),
                State::Body { len, scanned } => self.body(len, scanned),
                State::Seek => self.seek(),
            };
            match step {
                Step::Wait => return None,
                Step::Again => {}
                Step::Emit(event) => return Some(event),
            }
        }
    }

    /// The caller found the last body bad (not JSON, or not a message): what follows it
    /// up to the next header (the rest of a body whose `Content-Length` was too short, say)
    /// is part of the same problem, not another one.
    pub fn rejected(&mut self) {
        self.resyncing = true;
        // What follows is not trusted to start a header block (`#: …` would pass for a
        // header): the next one starts at a `Content-Length`.
        if self.state == State::Headers {
            self.state = State::Seek;
        }
    }

    /// The stream has ended: a message left unfinished is a problem (unless it is part of
    /// one already reported).
    pub fn finish(&mut self) -> Option<Event> {
        let rest = &self.buf[self.start..];
        let unfinished = match self.state {
            State::Headers => rest.iter().any(|b| !b.is_ascii_whitespace()),
            State::Body { .. } => true,
            State::Seek => false,
        };
        self.start = self.buf.len();
        self.state = State::Seek;
        (unfinished && !self.resyncing).then(|| Event::Garbage("the input ended inside a message".to_string()))
    }

    fn rest(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Reads a header block.
    fn headers(&mut self) -> Step {
        let skip = self.rest().iter().take_while(|b| b.is_ascii_whitespace()).count();
        self.start += skip;
        let block = self.rest();
        if block.is_empty() {
            return Step::Wait;
        }
        let mut length: Option<usize> = None;
        let mut at = 0;
        loop {
            let line_end = match block[at..].iter().position(|&b| b == b'\n') {
                Some(end) => at + end,
                None => {
                    let partial = &block[at..];
                    if at + partial.len() > MAX_HEADER_BLOCK {
                        return self.problem("a header block longer than 8 KiB".to_string(), 1);
                    }
                    if !could_be_header(partial) {
                        return self.problem(not_a_header(partial), 1);
                    }
                    return Step::Wait;
                }
            };
            if line_end > MAX_HEADER_BLOCK {
                return self.problem("a header block longer than 8 KiB".to_string(), 1);
            }
            let line = block[at..line_end].strip_suffix(b"\r").unwrap_or(&block[at..line_end]);
            at = line_end + 1;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = split_header(line) else {
                return self.problem(not_a_header(line), 1);
            };
            if name.eq_ignore_ascii_case(CONTENT_LENGTH) {
                let parsed = parse_length(value);
                match (parsed, length) {
                    (None, _) => return self.problem(format!("`Content-Length: {}` is not a length", clip(value)), 1),
                    (Some(new), Some(old)) if new != old => {
                        return self.problem("two different `Content-Length` headers".to_string(), 1)
                    }
                    (Some(new), _) => length = Some(new),
                }
            }
        }
        let Some(len) = length else {
            return self.problem("a header block without `Content-Length`".to_string(), at);
        };
        if len > self.max_body {
            return self.problem(format!("a message of {len} bytes, more than the {} allowed", self.max_body), at);
        }
        self.start += at;
        self.resyncing = false;
        self.state = State::Body { len, scanned: 0 };
        Step::Again
    }

    /// Waits for a body, watching for a header inside it (a `Content-Length` that lied).
    fn body(&mut self, len: usize, scanned: usize) -> Step {
        let rest = self.rest();
        let mut i = scanned;
        let limit = len.min(rest.len());
        while i < limit {
            let Some(found) = find_ascii_ci(&rest[i..limit], b'c') else {
                i = limit;
                break;
            };
            let at = i + found;
            match header_line_at(&rest[at..]) {
                Match::Yes => {
                    self.start += at;
                    self.state = State::Headers;
                    return self
                        .report(format!("`Content-Length` said {len} bytes, but another message starts after {at}"));
                }
                Match::NeedMore => {
                    self.state = State::Body { len, scanned: at };
                    return Step::Wait;
                }
                Match::No => i = at + 1,
            }
        }
        if rest.len() < len {
            self.state = State::Body { len, scanned: i };
            return Step::Wait;
        }
        let body = rest[..len].to_vec();
        self.start += len;
        self.state = State::Headers;
        Step::Emit(Event::Body(body))
    }

    /// Skips to the next `Content-Length`, keeping a tail that may be the start of one.
    fn seek(&mut self) -> Step {
        let rest = self.rest();
        let mut i = 0;
        while let Some(found) = find_ascii_ci(&rest[i..], b'c') {
            let at = i + found;
            let word = &rest[at..];
            let n = word.len().min(CONTENT_LENGTH.len());
            if word[..n].eq_ignore_ascii_case(&CONTENT_LENGTH[..n]) {
                self.start += at;
                if n < CONTENT_LENGTH.len() {
                    return Step::Wait;
                }
                self.state = State::Headers;
                return Step::Again;
            }
            i = at + 1;
        }
        self.start = self.buf.len();
        Step::Wait
    }

    /// Reports a problem with the header block at the start (unless one is being skipped
    /// already) and looks for the next header `skip` bytes on.
    fn problem(&mut self, why: String, skip: usize) -> Step {
        self.start += skip.min(self.rest().len());
        self.state = State::Seek;
        self.report(why)
    }

    fn report(&mut self, why: String) -> Step {
        let first = !self.resyncing;
        self.resyncing = true;
        if first {
            Step::Emit(Event::Garbage(why))
        } else {
            Step::Again
        }
    }
}

enum Step {
    Wait,
    Again,
    Emit(Event),
}

/// Whether a header line's first bytes (no newline yet) may still become a header.
fn could_be_header(partial: &[u8]) -> bool {
    match partial.iter().position(|&b| b == b':') {
        Some(colon) => colon > 0 && partial[..colon].iter().all(|&b| is_token(b)),
        None => partial.iter().all(|&b| is_token(b) || b == b'\r'),
    }
}

/// `Name: value`, with the name a token and the value trimmed.
fn split_header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    (!name.is_empty() && name.iter().all(|&b| is_token(b))).then_some((name, value.trim_ascii()))
}

/// A header name's characters (RFC 9110's `tchar`).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn parse_length(value: &[u8]) -> Option<usize> {
    if value.is_empty() || value.len() > MAX_DIGITS || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

enum Match {
    Yes,
    No,
    NeedMore,
}

/// Whether `bytes` start with a whole `Content-Length: <digits>` line. Such a line cannot
/// occur in JSON (the name would be in a string, and a string holds no raw newline), so
/// inside a body it means the body ended before its length said.
fn header_line_at(bytes: &[u8]) -> Match {
    let mut at = 0;
    let need = |at: usize| if at >= bytes.len() { Match::NeedMore } else { Match::No };
    let n = bytes.len().min(CONTENT_LENGTH.len());
    if !bytes[..n].eq_ignore_ascii_case(&CONTENT_LENGTH[..n]) {
        return Match::No;
    }
    if n < CONTENT_LENGTH.len() {
        return Match::NeedMore;
    }
    at += n;
    let blanks = |at: &mut usize| {
        let run = bytes[*at..].iter().take(MAX_BLANKS + 1).take_while(|&&b| b == b' ' || b == b'\t').count();
        *at += run;
        run <= MAX_BLANKS
    };
    if !blanks(&mut at) {
        return Match::No;
    }
    if bytes.get(at) != Some(&b':') {
        return need(at);
    }
    at += 1;
    if !blanks(&mut at) {
        return Match::No;
    }
    let digits = bytes[at..].iter().take(MAX_DIGITS + 1).take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > MAX_DIGITS {
        return need(at + digits);
    }
    at += digits;
    if !blanks(&mut at) {
        return Match::No;
    }
    if bytes.get(at) == Some(&b'\r') {
        at += 1;
    }
    match bytes.get(at) {
        Some(b'\n') => Match::Yes,
        _ => need(at),
    }
}

/// The first `c` or `C` in `bytes`.
fn find_ascii_ci(bytes: &[u8], lower: u8) -> Option<usize> {
    let upper = lower.to_ascii_uppercase();
    bytes.iter().position(|&b| b == lower || b == upper)
}

/// Why a line in a header block is not a header: the line, clipped.
fn not_a_header(line: &[u8]) -> String {
    format!("`{}` is not a message header", clip(line.trim_ascii()))
}

/// User bytes for a message: at most 40 characters, lossily decoded.
pub(crate) fn clip(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(160)]);
    let mut chars = text.chars().filter(|c| !c.is_control());
    let mut clipped: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() || bytes.len() > 160 {
        clipped.push('…');
    }
    clipped
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
