//! The status code every exported function returns.

use devian_ws_policy::abi::status;
use devian_ws_protocol::error::TlsError;
use devian_ws_protocol::Error;
use interoptopus::lang::c::{CType, Documentation, EnumType, Meta, Variant};
use interoptopus::lang::rust::CTypeInfo;

/// Outcome of a `dws_` call. Negative values are failures; the calling
/// thread's `dws_last_error` then says more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum DwsStatus {
    /// Success.
    Ok = status::OK,
    /// `dws_client_poll`: no event waiting. Not a failure.
    Empty = status::EMPTY,
    /// The handle is 0, was never issued, or was freed (stale generation).
    InvalidHandle = status::INVALID_HANDLE,
    /// A required pointer argument was null.
    NullPointer = status::NULL_POINTER,
    /// An argument is out of range or malformed.
    InvalidArgument = status::INVALID_ARGUMENT,
    /// The call is not allowed in the client's current state (send before open, connect twice, configure after connect).
    InvalidState = status::INVALID_STATE,
    /// The bounded send queue is full; nothing was queued, retry later.
    QueueFull = status::QUEUE_FULL,
    /// The connection is closed or closing, or close was already requested.
    Closed = status::CLOSED,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = status::INVALID_UTF8,
    /// A Rust panic was caught at the boundary; the library stays usable.
    Panic = status::PANIC,
    /// Any other failure.
    Internal = status::INTERNAL,
}

impl DwsStatus {
    /// Every variant, in declaration order (used for the binding metadata).
    pub const ALL: [DwsStatus; 11] = [
        DwsStatus::Ok,
        DwsStatus::Empty,
        DwsStatus::InvalidHandle,
        DwsStatus::NullPointer,
        DwsStatus::InvalidArgument,
        DwsStatus::InvalidState,
        DwsStatus::QueueFull,
        DwsStatus::Closed,
        DwsStatus::InvalidUtf8,
        DwsStatus::Panic,
        DwsStatus::Internal,
    ];

    /// The variant's name as the bindings spell it.
    pub fn name(self) -> &'static str {
        match self {
            DwsStatus::Ok => "Ok",
            DwsStatus::Empty => "Empty",
            DwsStatus::InvalidHandle => "InvalidHandle",
            DwsStatus::NullPointer => "NullPointer",
            DwsStatus::InvalidArgument => "InvalidArgument",
            DwsStatus::InvalidState => "InvalidState",
            DwsStatus::QueueFull => "QueueFull",
            DwsStatus::Closed => "Closed",
            DwsStatus::InvalidUtf8 => "InvalidUtf8",
            DwsStatus::Panic => "Panic",
            DwsStatus::Internal => "Internal",
        }
    }

    /// One-line meaning, copied into the generated bindings.
    pub fn doc(self) -> &'static str {
        match self {
            DwsStatus::Ok => "Success.",
            DwsStatus::Empty => "dws_client_poll: no event waiting. Not a failure.",
            DwsStatus::InvalidHandle => "The handle is 0, was never issued, or was freed.",
            DwsStatus::NullPointer => "A required pointer argument was null.",
            DwsStatus::InvalidArgument => "An argument is out of range or malformed.",
            DwsStatus::InvalidState => {
                "Not allowed in the current state (send before open, connect twice)."
            }
            DwsStatus::QueueFull => "The bounded send queue is full; nothing was queued.",
            DwsStatus::Closed => {
                "The connection is closed or closing, or close was already requested."
            }
            DwsStatus::InvalidUtf8 => "A string argument was not valid UTF-8.",
            DwsStatus::Panic => "A Rust panic was caught at the boundary.",
            DwsStatus::Internal => "Any other failure.",
        }
    }

    /// The status an engine error is reported as.
    pub fn from_engine_error(e: &Error) -> DwsStatus {
        match e {
            Error::Capacity(_) => DwsStatus::QueueFull,
            Error::AlreadyClosed | Error::ConnectionClosed => DwsStatus::Closed,
            Error::Usage(_) => DwsStatus::InvalidState,
            // A TLS configuration is refused only for what the caller gave it (a root that is
            // not PEM, no root at all): an argument error, found when connect builds it.
            Error::Url(_) | Error::TooBig { .. } | Error::Tls(TlsError::BadConfig(_)) => {
                DwsStatus::InvalidArgument
            }
            Error::InvalidUtf8 => DwsStatus::InvalidUtf8,
            _ => DwsStatus::Internal,
        }
    }
}

// Hand-written because interoptopus 0.14 stores variant values as `usize` and
// its derive rejects negative discriminants. Negative values are emitted as
// their magnitude here; the binding generator (tests/bindings.rs) restores
// the sign when it post-processes the output.
// SAFETY: the description matches the type: `DwsStatus` is `#[repr(i32)]`
// with exactly the variants of `DwsStatus::ALL`, so bindings generated from it
// agree with the layout the exported functions return.
unsafe impl CTypeInfo for DwsStatus {
    fn type_info() -> CType {
        let variants = DwsStatus::ALL
            .iter()
            .map(|s| {
                let value = (*s as i32).unsigned_abs() as usize;
                Variant::new(
                    s.name().to_string(),
                    value,
                    Documentation::from_line(&format!(" {}", s.doc())),
                )
            })
            .collect();
        let doc = Documentation::from_line(
            " Outcome of a dws_ call. Negative values are failures; dws_last_error says more.",
        );
        let meta = Meta::with_namespace_documentation(String::new(), doc, None);
        CType::Enum(EnumType::new("DwsStatus".to_string(), variants, meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn all_lists_every_variant_once_with_distinct_values() {
        let mut values: Vec<i32> = DwsStatus::ALL.iter().map(|s| *s as i32).collect();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), DwsStatus::ALL.len());
        // The agreed ABI: 0 and 1 are the only non-failures, -1..=-9 the failures.
        assert_eq!(values, (-9..=1).collect::<Vec<_>>());
    }

    #[test]
    fn engine_errors_map_to_the_documented_statuses() {
        assert_eq!(
            DwsStatus::from_engine_error(&Error::Capacity("send")),
            DwsStatus::QueueFull
        );
        assert_eq!(
            DwsStatus::from_engine_error(&Error::AlreadyClosed),
            DwsStatus::Closed
        );
        assert_eq!(
            DwsStatus::from_engine_error(&Error::ConnectionClosed),
            DwsStatus::Closed
        );
        assert_eq!(
            DwsStatus::from_engine_error(&Error::Usage("not open")),
            DwsStatus::InvalidState
        );
        assert_eq!(
            DwsStatus::from_engine_error(&Error::Url("x".into())),
            DwsStatus::InvalidArgument
        );
        assert_eq!(
            DwsStatus::from_engine_error(&Error::InvalidUtf8),
            DwsStatus::InvalidUtf8
        );
        assert_eq!(
            DwsStatus::from_engine_error(&Error::Tls(TlsError::BadConfig("no root".into()))),
            DwsStatus::InvalidArgument
        );
        let io = Error::Io(io::Error::other("reset"));
        assert_eq!(DwsStatus::from_engine_error(&io), DwsStatus::Internal);
    }
}
