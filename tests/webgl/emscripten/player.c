/*
 * Stands in for a Unity WebGL player built by Emscripten (IL2CPP output is C++ compiled the
 * same way): it includes the native library's own header, native/ffi/include/devian_ws.h, and
 * links devian-ws.jslib with --js-library, so the jslib must implement the very C functions
 * and struct layouts every other platform has. It drives one echo round trip from a per-frame
 * callback, like WebSocketClient.Update(), through the calls C#'s transport makes: options,
 * sub-protocol, reservation, poll, state, statistics, protocol, close, free. The webgl stage
 * builds it with and without WASM_BIGINT, the two ways a 64-bit handle reaches JavaScript.
 * The page (player.html) reports the result.
 */
#include <emscripten.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devian_ws.h"

enum { MESSAGE_BYTES = 300000, MAX_FRAMES = 3000 };

/* The jslib writes these structs byte by byte; a wasm32 compiler must agree on where. */
_Static_assert(sizeof(void *) == 4, "wasm32");
_Static_assert(offsetof(DwsEvent, len) == 16 && offsetof(DwsEvent, unsent) == 40 && sizeof(DwsEvent) == 48,
               "DwsEvent layout");
_Static_assert(offsetof(DwsOptions, reconnect_multiplier) == 88 && sizeof(DwsOptions) == 128, "DwsOptions layout");
_Static_assert(sizeof(DwsStats) == 72, "DwsStats layout");

static uint64_t handle;
static int frames;
static int phase; /* 0 connecting, 1 waiting for the echo, 2 closing */
static uint8_t *sent;

static void done(int ok, const char *detail) {
    char err[256] = {0};
    if (!ok) dws_last_error(err, sizeof err - 1);
    EM_ASM({
        var build = new URLSearchParams(location.search).get('build');
        report(UTF8ToString($0) + ' (' + build + ')', $1, UTF8ToString($2) + ' ' + UTF8ToString($3)).then(function () { finish(); });
    },
           "emscripten player: echo of 300 kB, close 4000", ok, detail, err);
    emscripten_cancel_main_loop();
    if (dws_client_free(handle) != DWS_STATUS_OK && ok) EM_ASM({ console.error('dws_client_free failed'); });
    if (dws_client_free(handle) != DWS_STATUS_INVALID_HANDLE) EM_ASM({ console.error('freed twice'); });
    free(sent);
}

/* Sends the message the way C#'s WebSocketClient does: reserve, fill in place, commit. */
static int send_reserved(void) {
    uint8_t *data = NULL;
    if (dws_client_send_reserve(handle, MESSAGE_BYTES, &data) != DWS_STATUS_OK || data == NULL) return 0;
    for (int i = 0; i < MESSAGE_BYTES; i++)
        if (data[i] != 0) return 0; /* reserved memory is zeroed */
    memcpy(data, sent, MESSAGE_BYTES);
    return dws_client_send_commit(handle, DWS_MESSAGE_BINARY) == DWS_STATUS_OK;
}

/* One game frame: drain every event, like WebSocketClient.Update(). */
static void update(void) {
    if (++frames > MAX_FRAMES) {
        done(0, "timed out");
        return;
    }
    for (;;) {
        DwsEvent ev;
        DwsStatus s = dws_client_poll(handle, &ev);
        if (s == DWS_STATUS_EMPTY) return;
        if (s != DWS_STATUS_OK) {
            done(0, "dws_client_poll failed");
            return;
        }
        if (ev.kind == DWS_EVENT_OPEN && phase == 0) {
            char protocol[16] = {0};
            uint32_t state = 0;
            if (ev.len != 9 || memcmp(ev.data, "devian.v1", 9) != 0 ||
                dws_client_protocol(handle, protocol, sizeof protocol) != 9 || strcmp(protocol, "devian.v1") != 0) {
                done(0, "wrong sub-protocol");
                return;
            }
            if (dws_client_state(handle, &state) != DWS_STATUS_OK || state != DWS_STATE_OPEN) {
                done(0, "state is not open");
                return;
            }
            if (!send_reserved()) {
                done(0, "send failed");
                return;
            }
            phase = 1;
        } else if (ev.kind == DWS_EVENT_MESSAGE && ev.message_kind == DWS_MESSAGE_BINARY && phase == 1) {
            if (ev.len != MESSAGE_BYTES || memcmp(ev.data, sent, MESSAGE_BYTES) != 0) {
                done(0, "echo differs");
                return;
            }
            DwsStats stats;
            if (dws_client_stats(handle, &stats) != DWS_STATUS_OK || stats.messages_sent != 1 ||
                stats.bytes_received != MESSAGE_BYTES) {
                done(0, "statistics");
                return;
            }
            dws_client_release(handle);
            if (dws_client_close(handle, 4000, "done") != DWS_STATUS_OK) {
                done(0, "close failed");
                return;
            }
            phase = 2;
        } else if (ev.kind == DWS_EVENT_CLOSED && phase == 2) {
            int ok = ev.code == 4000 && ev.was_clean == 1 && ev.len == 4 && memcmp(ev.data, "done", 4) == 0;
            done(ok, ok ? "closed" : "wrong close code, flag or reason");
            return;
        } else if (ev.kind == DWS_EVENT_CLOSED) {
            done(0, "closed early");
            return;
        }
    }
}

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    char url[128];
    int port = EM_ASM_INT({ return Number(new URLSearchParams(location.search).get('ws')); });
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/echo", port);
    /* Unity builds grow their memory; growing replaces HEAPU8, which the bridge must follow. */
    void *ballast = malloc(48 << 20);
    if (ballast) memset(ballast, 1, 48 << 20);
    sent = malloc(MESSAGE_BYTES);
    for (int i = 0; i < MESSAGE_BYTES; i++) sent[i] = (uint8_t)(i * 7 + 3);

    DwsOptions options;
    if (dws_options_default(&options) != DWS_STATUS_OK || options.struct_size != sizeof options ||
        options.reconnect_multiplier != 2.0) {
        done(0, "dws_options_default");
        return 0;
    }
    options.reconnect_enabled = 0;
    if (dws_client_new(&options, url, &handle) != DWS_STATUS_OK || handle == 0 ||
        dws_client_add_protocol(handle, "devian.v1") != DWS_STATUS_OK ||
        dws_client_add_header(handle, "X-Not", "in a browser") != DWS_STATUS_INVALID_ARGUMENT ||
        dws_client_connect(handle) != DWS_STATUS_OK) {
        done(0, "connect failed");
        return 0;
    }
    /* A handle the jslib never issued, with a high word: the (lo, hi) pair must be read whole. */
    if (dws_client_connect(handle | (1ull << 32)) != DWS_STATUS_INVALID_HANDLE) {
        done(0, "a forged handle was accepted");
        return 0;
    }
    emscripten_set_main_loop(update, 0, 0);
    return 0;
}
