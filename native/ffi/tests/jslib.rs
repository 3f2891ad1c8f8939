//! `devian-ws.jslib` implements this library's C functions for WebGL players,
//! with its own copy of the `DwsOptions` layout (JavaScript cannot read Rust);
//! the WebGL module writes `DwsEvent` with `abi::event_layout`. These tests fail
//! when either drifts: a function the jslib lacks, an offset, a size or a
//! default that differs. The Emscripten player of the webgl stage then
//! checks the same layouts as a C compiler sees them for wasm32.

use devian_ws::event::DwsEvent;
use devian_ws::ffi_inventory;
use devian_ws::options::DwsOptions;
use devian_ws::stats::DwsStats;
use interoptopus::Inventory;
use std::mem::{offset_of, size_of};

const JSLIB: &str = include_str!("../../../unity-package/Runtime/Plugins/WebGL/devian-ws.jslib");

/// The number after `name: ` on the jslib line that starts with it.
fn number(name: &str) -> f64 {
    let prefix = format!("{name}: ");
    JSLIB
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim_end_matches(',').parse().ok())
        .unwrap_or_else(|| panic!("devian-ws.jslib has no `{name}: <number>,` line"))
}

/// The lines of the jslib's object literal that opens with `start`, joined.
fn block(start: &str) -> String {
    JSLIB
        .lines()
        .skip_while(|l| !l.contains(start))
        .take_while(|l| !l.trim_start().starts_with('}'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_jslib_defines_every_function_of_the_abi() {
    let inventory: Inventory = ffi_inventory();
    for f in inventory.functions() {
        let line = format!("  {}: function (", f.name());
        assert!(
            JSLIB.contains(&line),
            "devian-ws.jslib does not define {}",
            f.name()
        );
    }
}

#[test]
fn the_jslibs_dws_options_match_the_struct_and_its_defaults() {
    let d = DwsOptions::default();
    // (name, offset, jslib type, default)
    macro_rules! fields {
        ($($f:ident: $ty:literal),* $(,)?) => {
            [$((stringify!($f), offset_of!(DwsOptions, $f), $ty, d.$f as f64)),*]
        };
    }
    let fields = fields!(
        struct_size: "u32", ping_interval_ms: "u32", pong_timeout_ms: "u32",
        idle_timeout_ms: "u32", connect_timeout_ms: "u32", close_timeout_ms: "u32",
        max_frame_size: "u64", max_message_size: "u64", send_queue_max_messages: "u32",
        send_queue_max_bytes: "u64", recv_queue_max_messages: "u32", recv_queue_max_bytes: "u64",
        reconnect_enabled: "u8", reconnect_max_attempts: "u32",
        reconnect_initial_delay_ms: "u32", reconnect_max_delay_ms: "u32",
        reconnect_multiplier: "f64", reconnect_jitter: "u8", reconnect_buffer_enabled: "u8",
        reconnect_buffer_max_messages: "u32", reconnect_buffer_max_bytes: "u64",
        permessage_deflate: "u8", reconnect_stable_after_ms: "u32",
        reconnect_try_again_later_ms: "u32", delivery: "u32",
    );
    for (name, offset, ty, default) in fields {
        let line = format!("{name}: [{offset}, '{ty}', {default}],");
        let last = format!("{name}: [{offset}, '{ty}', {default}]");
        assert!(
            JSLIB.contains(&line) || JSLIB.contains(&format!("{last}\n")),
            "devian-ws.jslib must say `{last}`"
        );
    }
    let listed = block("OPTIONS: {").matches(": [").count();
    assert_eq!(
        listed,
        fields.len(),
        "the jslib lists other DwsOptions fields"
    );
    assert_eq!(number("OPTIONS_SIZE") as usize, size_of::<DwsOptions>());
    assert_eq!(d.struct_size as usize, size_of::<DwsOptions>());
}

// The WebGL module writes `DwsEvent` (with `abi::event_layout`) and `DwsStats`
// into the player's heap itself.
#[test]
fn the_webgl_modules_dws_event_and_stats_layouts_match_the_structs() {
    use devian_ws_policy::abi::event_layout as at;
    let fields = [
        (offset_of!(DwsEvent, kind), at::KIND),
        (offset_of!(DwsEvent, message_kind), at::MESSAGE_KIND),
        (offset_of!(DwsEvent, data), at::DATA),
        (offset_of!(DwsEvent, len), at::LEN),
        (offset_of!(DwsEvent, code), at::CODE),
        (offset_of!(DwsEvent, was_clean), at::WAS_CLEAN),
        (offset_of!(DwsEvent, error_kind), at::ERROR_KIND),
        (offset_of!(DwsEvent, attempt), at::ATTEMPT),
        (offset_of!(DwsEvent, delay_ms), at::DELAY_MS),
        (offset_of!(DwsEvent, unsent), at::UNSENT),
    ];
    for (i, (native, shared)) in fields.into_iter().enumerate() {
        assert_eq!(native, shared, "DwsEvent field {i}");
    }
    assert_eq!(size_of::<DwsEvent>(), at::SIZE);
    // wasm32 has 4-byte pointers: the layout is the same only because `len`
    // (8-aligned) follows `data` at 8. Keep it that way.
    assert_eq!((at::DATA, at::LEN), (8, 16));
    // webgl/src/api.rs `ws_stats` writes the nine counters.
    assert_eq!(size_of::<DwsStats>(), 72);
    assert_eq!(offset_of!(DwsStats, messages_unsent), 64);
}
