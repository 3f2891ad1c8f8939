//! The exported `extern "C"` functions, grouped by what they do.
//!
//! Conventions for every function:
//! - the return value is a `DwsStatus` unless documented otherwise; on a
//!   negative status, `dws_last_error` describes the failure;
//! - no panic crosses the boundary (it becomes `DwsStatus::Panic`);
//! - pointer arguments are borrowed for the duration of the call only: the
//!   library copies what it keeps and never frees caller memory;
//! - strings are NUL-terminated UTF-8.

pub mod configure;
pub mod io;
pub mod lifecycle;
pub mod query;
