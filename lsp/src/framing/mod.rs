//! A framing layer in front of tower-lsp, whose own transport stops reading at the first
//! message it cannot decode. Here the input is read and framed by [`decode`], each body is
//! checked by [`validate`], and only well-formed messages reach tower-lsp (re-framed,
//! through an in-memory pipe). A bad message is answered with `-32700` (parse error) or
//! `-32600` (invalid request) and the server goes on reading. Everything written to the
//! output — tower-lsp's messages and these answers — goes through one writer, a whole
//! frame at a time.

pub mod decode;
pub mod validate;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp::jsonrpc::Response;

use decode::{Decoder, Event};

/// The largest message accepted, in bytes (a whole file's text rides in one message).
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;
/// Bytes read at a time.
const CHUNK: usize = 64 * 1024;

/// A whole frame: header and body.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn answer(response: &Response) -> Vec<u8> {
    frame(&serde_json::to_vec(response).unwrap_or_default())
}

/// Reads `input` until it ends: well-formed messages go to `server`, answers to bad ones
/// to `out`. Returns when the input ends or fails (dropping `server`, which tower-lsp
/// sees as the end of its input).
pub async fn read_input(
    mut input: impl AsyncRead + Unpin,
    mut server: impl AsyncWrite + Unpin,
    out: mpsc::Sender<Vec<u8>>,
) {
    let mut decoder = Decoder::new(MAX_MESSAGE);
    let mut chunk = vec![0; CHUNK];
    loop {
        let read = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        decoder.push(&chunk[..read]);
        while let Some(event) = decoder.next_event() {
            let verdict = judge(event);
            if verdict.is_err() {
                decoder.rejected();
            }
            if !pass(verdict, &mut server, &out).await {
                return;
            }
        }
    }
    if let Some(event) = decoder.finish() {
        pass(judge(event), &mut server, &out).await;
    }
}

/// A body to pass on, or the answer to a bad one.
fn judge(event: Event) -> Result<Vec<u8>, Response> {
    match event {
        Event::Body(body) => validate::check(&body).map(|()| body),
        Event::Garbage(why) => Err(validate::parse_error(why)),
    }
}

/// Passes one message on, or answers a bad one; `false` once tower-lsp no longer reads.
async fn pass(
    verdict: Result<Vec<u8>, Response>,
    server: &mut (impl AsyncWrite + Unpin),
    out: &mpsc::Sender<Vec<u8>>,
) -> bool {
    match verdict {
        Ok(body) => server.write_all(&frame(&body)).await.is_ok() && server.flush().await.is_ok(),
        Err(bad) => {
            // The writer is gone only when the output is; keep reading regardless.
            let _ = out.send(answer(&bad)).await;
            true
        }
    }
}

/// Passes tower-lsp's output on to the writer, a whole frame at a time.
pub async fn relay_output(mut server: impl AsyncRead + Unpin, out: mpsc::Sender<Vec<u8>>) {
    let mut decoder = Decoder::new(usize::MAX);
    let mut chunk = vec![0; CHUNK];
    loop {
        let read = match server.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        decoder.push(&chunk[..read]);
        while let Some(event) = decoder.next_event() {
            // tower-lsp frames what it writes; it never writes garbage.
            if let Event::Body(body) = event {
                if out.send(frame(&body)).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Writes frames to `output` as they come, until every sender is gone.
pub async fn write_output(mut frames: mpsc::Receiver<Vec<u8>>, mut output: impl AsyncWrite + Unpin) {
    while let Some(frame) = frames.recv().await {
        if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}
