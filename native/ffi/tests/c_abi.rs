//! The C header against the built shared library: a C program compiled
//! with `include/devian_ws.h` checks that C lays the structs out exactly as
//! Rust does, then links `libdevian_ws` and calls through it.

use devian_ws::{DwsEvent, DwsOptions, DwsStats};
use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `_Static_assert`s pinning every field offset and struct size to Rust's.
fn layout_asserts() -> String {
    let mut out = String::new();
    let mut check = |ty: &str, field: &str, offset: usize| {
        out.push_str(&format!(
            "_Static_assert(offsetof({ty}, {field}) == {offset}, \"{ty}.{field}\");\n"
        ));
    };
    macro_rules! fields {
        ($ty:ident: $($f:ident),*) => {
            $( check(stringify!($ty), stringify!($f), offset_of!($ty, $f)); )*
        };
    }
    fields!(DwsEvent: kind, message_kind, data, len, code, was_clean, error_kind, attempt, delay_ms);
    fields!(DwsStats: messages_sent, messages_received, bytes_sent, bytes_received, reconnects, last_rtt_us, send_queue_depth, recv_queue_depth);
    fields!(DwsOptions: ping_interval_ms, pong_timeout_ms, idle_timeout_ms, connect_timeout_ms, close_timeout_ms,
        max_frame_size, max_message_size, send_queue_max_messages, send_queue_max_bytes, recv_queue_max_messages,
        recv_queue_max_bytes, reconnect_enabled, reconnect_max_attempts, reconnect_initial_delay_ms,
        reconnect_max_delay_ms, reconnect_multiplier, reconnect_jitter, reconnect_buffer_enabled,
        reconnect_buffer_max_messages, reconnect_buffer_max_bytes, permessage_deflate);
    for (ty, size) in [
        ("DwsEvent", size_of::<DwsEvent>()),
        ("DwsStats", size_of::<DwsStats>()),
        ("DwsOptions", size_of::<DwsOptions>()),
        ("DwsStatus", 4),
    ] {
        out.push_str(&format!(
            "_Static_assert(sizeof({ty}) == {size}, \"sizeof {ty}\");\n"
        ));
    }
    out
}

/// The C program: exercises the error paths through the real library.
const PROGRAM: &str = r#"
#include <stdio.h>
#include <string.h>
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "line %d: %s\n", __LINE__, #c); return 1; } } while (0)

int main(void) {
    DwsOptions o;
    CHECK(dws_options_default(&o) == DWS_STATUS_OK);
    CHECK(o.reconnect_max_delay_ms == 30000);
    uint64_t h = 0;
    CHECK(dws_client_new(&o, "ws://127.0.0.1:9/", &h) == DWS_STATUS_OK && h != 0);
    CHECK(dws_client_send(h, DWS_MESSAGE_TEXT, "hi", 2) == DWS_STATUS_INVALID_STATE);
    char msg[256];
    uint32_t n = dws_last_error(msg, sizeof msg - 1);
    CHECK(n > 0 && n < sizeof msg);
    msg[n] = 0;
    CHECK(strstr(msg, "connect") != NULL);
    DwsEvent ev;
    CHECK(dws_client_poll(h, NULL) == DWS_STATUS_NULL_POINTER);
    CHECK(dws_client_poll(0, &ev) == DWS_STATUS_INVALID_HANDLE);
    uint64_t live[4];
    CHECK(dws_list(live, 4) >= 1);
    CHECK(dws_client_free(h) == DWS_STATUS_OK);
    CHECK(dws_client_free(h) == DWS_STATUS_INVALID_HANDLE);
    CHECK(dws_client_poll(h, &ev) == DWS_STATUS_INVALID_HANDLE);
    CHECK(dws_shutdown_all() == DWS_STATUS_OK);
    puts("c-abi-ok");
    return 0;
}
"#;

/// `target/<profile>/deps`: cargo builds the cdylib there for this test run
/// (the copy in `target/<profile>` is only refreshed by `cargo build`).
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe path");
    exe.parent()
        .expect("target/<profile>/deps/<exe>")
        .to_path_buf()
}

#[test]
fn c_program_agrees_on_layout_and_links_against_the_library() {
    let lib = lib_dir();
    assert!(
        lib.join("libdevian_ws.so").exists(),
        "cdylib not built in {}",
        lib.display()
    );
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let dir = std::env::temp_dir().join(format!("devian_ws_c_abi_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = dir.join("main.c");
    let text = format!(
        "#include <stddef.h>\n#include \"devian_ws.h\"\n{}{PROGRAM}",
        layout_asserts()
    );
    std::fs::write(&src, text).expect("write C source");
    let exe = dir.join("c_abi");
    let mut cc = Command::new("cc");
    // The AddressSanitizer stage (scripts/test-stages/asan) builds the library
    // instrumented; the C program then links the sanitizer runtime too.
    if std::env::var_os("DEVIAN_ASAN").is_some() {
        cc.arg("-fsanitize=address");
    }
    let build = cc
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg("-I")
        .arg(&include)
        .arg(&src)
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-ldevian_ws", "-o"])
        .arg(&exe)
        .output()
        .expect("cc runs");
    assert!(
        build.status.success(),
        "compile: {}",
        String::from_utf8_lossy(&build.stderr)
    );
    // Cargo's LD_LIBRARY_PATH for tests also lists `target/<profile>`, which
    // may hold an older copy; the loader prefers it over the rpath.
    let run = Command::new(&exe)
        .env("LD_LIBRARY_PATH", &lib)
        .output()
        .expect("run C program");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && stdout.contains("c-abi-ok"),
        "C program failed: {stdout} {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
