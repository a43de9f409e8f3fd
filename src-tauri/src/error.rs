//! The IPC error: `{code, message, details?}` (core's ErrorPayload), message in the UI language.

use huiqi_core::error::ErrorPayload;
use huiqi_core::{Error, Lang};

pub type IpcResult<T> = Result<T, ErrorPayload>;

pub fn to_ipc(e: Error, lang: Lang) -> ErrorPayload {
    e.payload(lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The wire format is a contract with the UI: pin it.
    #[test]
    fn ipc_error_json_is_pinned() {
        let e = Error::invalid("uscc_checksum", "校验位错误", "bad check").with_details(json!({"field": "uscc"}));
        assert_eq!(serde_json::to_value(to_ipc(e, Lang::Zh)).unwrap(), json!({"code": "uscc_checksum", "message": "校验位错误", "details": {"field": "uscc"}}));
        let e = Error::Cancelled;
        assert_eq!(serde_json::to_value(to_ipc(e, Lang::En)).unwrap(), json!({"code": "cancelled", "message": "Cancelled; nothing was changed."}));
    }
}
