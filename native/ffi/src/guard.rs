//! The panic barrier every exported function runs its body behind.

use crate::error::{set_last_error, FfiResult};
use crate::status::DwsStatus;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `body`, turning an error into its status (and the last error) and a
/// panic into [`DwsStatus::Panic`]. Unwinding across `extern "C"` would abort
/// the process (Unity editor included), so nothing escapes.
pub fn guard(body: impl FnOnce() -> FfiResult<DwsStatus>) -> DwsStatus {
    guard_value(DwsStatus::Panic, body).unwrap_or_else(|status| status)
}

/// Like [`guard`] for functions returning a plain value: failures (error or
/// panic) record the last error and yield `Err(status)`; a panic's status is
/// `on_panic`.
pub fn guard_value<T>(
    on_panic: DwsStatus,
    body: impl FnOnce() -> FfiResult<T>,
) -> Result<T, DwsStatus> {
    // AssertUnwindSafe: after a panic, shared state is reached only through
    // poison-tolerant locks whose data stays consistent (see registry.rs).
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => {
            set_last_error(&e.message);
            Err(e.status)
        }
        Err(payload) => {
            set_last_error(&format!(
                "panic in devian_ws: {}",
                panic_message(payload.as_ref())
            ));
            Err(on_panic)
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{last_error, FfiError};

    #[test]
    fn a_panic_becomes_the_panic_status_and_the_last_error() {
        let status = guard(|| panic!("boom {}", 42));
        assert_eq!(status, DwsStatus::Panic);
        assert!(last_error().contains("boom 42"), "{}", last_error());
    }

    #[test]
    fn an_error_becomes_its_status_and_message() {
        let status = guard(|| Err(FfiError::state("send before open")));
        assert_eq!(status, DwsStatus::InvalidState);
        assert_eq!(last_error(), "send before open");
    }

    #[test]
    fn success_passes_through() {
        assert_eq!(guard(|| Ok(DwsStatus::Empty)), DwsStatus::Empty);
        assert_eq!(guard_value(DwsStatus::Panic, || Ok(7u32)), Ok(7));
    }

    #[test]
    fn a_static_str_panic_payload_is_reported() {
        let r: Result<u32, _> =
            guard_value(DwsStatus::Panic, || std::panic::panic_any("static payload"));
        assert_eq!(r, Err(DwsStatus::Panic));
        assert!(last_error().contains("static payload"));
    }
}
