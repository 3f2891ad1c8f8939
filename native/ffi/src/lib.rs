//! The C ABI of the Devian WebSocket engine: `libdevian_ws` (cdylib and
//! staticlib), every symbol prefixed `dws_`.
//!
//! Clients are addressed by `u64` handles, `(generation << 32) | slot`, from
//! a generation-checked table ([`handle_table`]): a stale, freed or made-up
//! handle is `DwsStatus::InvalidHandle`, never undefined behaviour. Events are
//! delivered by polling (no callbacks on the hot path, which suits IL2CPP);
//! a polled event's bytes stay in the library's pooled buffer until the next
//! poll or release. No panic crosses the boundary.
//!
//! The C# bindings (`unity-package/Runtime/Devian.Network/Native/Interop.g.cs`) and the C
//! header (`native/ffi/include/devian_ws.h`) are generated from
//! [`ffi_inventory`] by `tests/bindings.rs`.
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

// `catch_unwind` at every exported function is what keeps panics from
// crossing the ABI; with `panic = "abort"` it would catch nothing.
#[cfg(panic = "abort")]
compile_error!("devian_ws must be built with panic = \"unwind\"");

pub mod api;
pub mod args;
pub mod error;
pub mod event;
pub mod guard;
pub mod handle_table;
pub mod options;
pub mod registry;
pub mod stats;
pub mod status;

pub use api::configure::*;
pub use api::io::*;
pub use api::lifecycle::*;
pub use api::query::*;
pub use event::*;
pub use options::DwsOptions;
pub use stats::DwsStats;
pub use status::DwsStatus;

use interoptopus::{constant, function, Inventory, InventoryBuilder};

/// Every exported function, type and constant, for the binding generators.
pub fn ffi_inventory() -> Inventory {
    InventoryBuilder::new()
        // Constants.
        .register(constant!(event::DWS_EVENT_OPEN))
        .register(constant!(event::DWS_EVENT_MESSAGE))
        .register(constant!(event::DWS_EVENT_CLOSING))
        .register(constant!(event::DWS_EVENT_CLOSED))
        .register(constant!(event::DWS_EVENT_ERROR))
        .register(constant!(event::DWS_EVENT_RECONNECTING))
        .register(constant!(event::DWS_EVENT_RECONNECTED))
        .register(constant!(event::DWS_EVENT_AUTHENTICATED))
        .register(constant!(event::DWS_MESSAGE_TEXT))
        .register(constant!(event::DWS_MESSAGE_BINARY))
        .register(constant!(api::query::DWS_STATE_CLOSED))
        .register(constant!(api::query::DWS_STATE_CONNECTING))
        .register(constant!(api::query::DWS_STATE_AUTHENTICATING))
        .register(constant!(api::query::DWS_STATE_OPEN))
        .register(constant!(api::query::DWS_STATE_CLOSING))
        .register(constant!(api::query::DWS_STATE_RECONNECTING))
        // Errors and options.
        .register(function!(api::query::dws_last_error))
        .register(function!(api::lifecycle::dws_options_default))
        // Lifecycle.
        .register(function!(api::lifecycle::dws_client_new))
        .register(function!(api::configure::dws_client_add_protocol))
        .register(function!(api::configure::dws_client_add_header))
        .register(function!(api::configure::dws_client_set_origin))
        .register(function!(api::configure::dws_client_set_proxy))
        .register(function!(api::configure::dws_client_set_proxy_from_env))
        .register(function!(api::configure::dws_client_add_root_ca_pem))
        .register(function!(api::configure::dws_client_pin_sha256))
        .register(function!(
            api::configure::dws_client_dangerous_accept_any_certificate
        ))
        .register(function!(api::configure::dws_client_set_reconnect_codes))
        .register(function!(api::configure::dws_client_set_auth_query))
        .register(function!(api::configure::dws_client_set_auth_first_message))
        .register(function!(api::configure::dws_client_set_auth_subprotocol))
        .register(function!(api::configure::dws_client_set_auth_header))
        .register(function!(api::lifecycle::dws_client_connect))
        // Data.
        .register(function!(api::io::dws_client_send))
        .register(function!(api::io::dws_client_send_reserve))
        .register(function!(api::io::dws_client_send_commit))
        .register(function!(api::io::dws_client_send_abort))
        .register(function!(api::io::dws_client_wait))
        .register(function!(api::io::dws_client_poll))
        .register(function!(api::io::dws_client_release))
        // Queries.
        .register(function!(api::query::dws_client_state))
        .register(function!(api::query::dws_client_stats))
        .register(function!(api::query::dws_client_protocol))
        // Teardown.
        .register(function!(api::lifecycle::dws_client_close))
        .register(function!(api::lifecycle::dws_client_free))
        .register(function!(api::lifecycle::dws_list))
        .register(function!(api::lifecycle::dws_shutdown_all))
        .inventory()
}
