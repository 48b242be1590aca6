//! Whether a frame's body is a JSON-RPC message tower-lsp will take: a JSON object that is
//! a request, a notification or a response. Anything else gets the error answer JSON-RPC
//! prescribes (with a `null` id, since the message's own id cannot be trusted).

use serde::Deserialize;
use serde_json::Value;
use tower_lsp::jsonrpc::{Error, ErrorCode, Id, Request, Response};

use super::decode::clip;

/// `Ok` for a message to pass on; otherwise the error to answer with.
pub fn check(body: &[u8]) -> Result<(), Response> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return Err(parse_error(format!("the message is not JSON ({e}): `{}`", clip(body)))),
    };
    match &value {
        Value::Object(_) => {}
        Value::Array(_) => {
            return Err(invalid_request("a batch (a JSON array) is not an LSP message".to_string()));
        }
        other => return Err(invalid_request(format!("a JSON {} is not a JSON-RPC message", kind(other)))),
    }
    // tower-lsp reads what has no `method` as a response, even `{"jsonrpc":"2.0"}`: say
    // what a response is here.
    let has = |key: &str| value.get(key).is_some();
    let checked = if has("method") {
        Request::deserialize(&value).map(|_| ())
    } else if has("id") && has("result") != has("error") {
        Response::deserialize(&value).map(|_| ())
    } else {
        return Err(invalid_request(
            "a message has a `method` (a request) or an `id` and a `result` or `error` (a response)".to_string(),
        ));
    };
    checked.map_err(|e| invalid_request(format!("not a JSON-RPC request, notification or response: {e}")))
}

/// A `-32700` answer: the bytes are not a message at all.
pub fn parse_error(message: String) -> Response {
    Response::from_error(Id::Null, Error { code: ErrorCode::ParseError, message: message.into(), data: None })
}

fn invalid_request(message: String) -> Response {
    Response::from_error(Id::Null, Error { code: ErrorCode::InvalidRequest, message: message.into(), data: None })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> Option<i64> {
        check(body.as_bytes())
            .err()
            .map(|r| serde_json::to_value(r).unwrap_or_default()["error"]["code"].as_i64().unwrap_or(0))
    }

    #[test]
    fn requests_notifications_and_responses_pass() {
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":"a","result":null}"#), None);
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"no"}}"#), None);
    }

    #[test]
    fn what_is_not_json_is_a_parse_error() {
        assert_eq!(code("hello world"), Some(-32700));
        assert_eq!(code(r#"{"jsonrpc":"2.0","id":1,"meth"#), Some(-32700));
        assert_eq!(code(""), Some(-32700));
        assert_eq!(check(&[0xff, 0xfe]).err().map(|_| ()), Some(()));
    }

    #[test]
    fn json_that_is_not_a_message_is_an_invalid_request() {
        for body in [
            "[]",
            "[1]",
            "42",
            "\"x\"",
            "null",
            "{}",
            r#"{"jsonrpc":"1.0","method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#,
            r#"{"jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":""}}"#,
        ] {
            assert_eq!(code(body), Some(-32600), "{body}");
        }
    }
}
