//! The error a failing call carries to the boundary, and the per-thread last error.

use crate::status::DwsStatus;
use std::cell::RefCell;

/// A failure: the status returned to C plus a message kept for `dws_last_error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FfiError {
    /// What the caller gets back.
    pub status: DwsStatus,
    /// Human description, readable through `dws_last_error`.
    pub message: String,
}

impl FfiError {
    /// A failure with `status` and a message.
    pub fn new(status: DwsStatus, message: impl Into<String>) -> Self {
        FfiError {
            status,
            message: message.into(),
        }
    }

    /// A null pointer passed for the parameter named `param`.
    pub fn null(param: &str) -> Self {
        FfiError::new(DwsStatus::NullPointer, format!("{param} is null"))
    }

    /// An argument out of range.
    pub fn invalid(message: impl Into<String>) -> Self {
        FfiError::new(DwsStatus::InvalidArgument, message)
    }

    /// A call not allowed in the current state.
    pub fn state(message: impl Into<String>) -> Self {
        FfiError::new(DwsStatus::InvalidState, message)
    }

    /// An engine error, mapped to its status, with its text.
    pub fn engine(context: &str, e: &devian_ws_protocol::Error) -> Self {
        FfiError::new(DwsStatus::from_engine_error(e), format!("{context}: {e}"))
    }
}

/// Result of the body of an exported function.
pub type FfiResult<T> = Result<T, FfiError>;

thread_local! {
    // Per thread, like errno: a failing call on one thread never overwrites
    // the message another thread is about to read.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Records `message` as this thread's last error.
pub fn set_last_error(message: &str) {
    // `try_with` because this may run during thread teardown.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut s) = slot.try_borrow_mut() {
            s.clear();
            s.push_str(message);
        }
    });
}

/// This thread's last error message (empty if no call has failed on it yet).
pub fn last_error() -> String {
    // An error path: the copy keeps the borrow short and panic-free.
    LAST_ERROR
        .try_with(|slot| slot.try_borrow().map(|s| s.clone()).unwrap_or_default())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_error_is_per_thread() {
        set_last_error("main thread failure");
        let other = std::thread::spawn(|| {
            set_last_error("other thread failure");
            last_error()
        })
        .join()
        .expect("thread");
        assert_eq!(other, "other thread failure");
        assert_eq!(last_error(), "main thread failure");
    }

    #[test]
    fn null_and_state_errors_carry_their_status() {
        assert_eq!(FfiError::null("url").status, DwsStatus::NullPointer);
        assert!(FfiError::null("url").message.contains("url"));
        assert_eq!(FfiError::state("x").status, DwsStatus::InvalidState);
        assert_eq!(FfiError::invalid("x").status, DwsStatus::InvalidArgument);
    }
}
