/*
 * Stands in for a Unity WebGL player built by Emscripten (IL2CPP output is C++ compiled the
 * same way): it declares the jslib functions exactly as WebGLNative.cs's [DllImport("__Internal")]
 * do, links devian-ws.jslib with --js-library, and drives one echo round trip from a per-frame
 * callback, like WebSocketClient.Update(). The page (player.html) reports the result.
 */
#include <emscripten.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int DevianWs_IsReady(void);
extern int DevianWs_Create(const char *url);
extern int DevianWs_SetProtocols(int id, const char *csv);
extern int DevianWs_Connect(int id);
extern int DevianWs_Send(int id, const void *data, int length, int is_text);
extern int DevianWs_Close(int id, int code, const char *reason);
extern int DevianWs_Next(int id, void *buffer, int capacity, int32_t *info);
extern int DevianWs_Stats(int id, uint64_t *stats);
extern int DevianWs_Destroy(int id);
extern int DevianWs_LastError(void *buffer, int capacity);

/* native/policy/src/abi.rs: event kinds, message kinds (info[1] of a message), status. */
enum { OPEN = 1, MESSAGE = 2, CLOSED = 4, BINARY = 2, TOO_SMALL = -11 };
enum { MESSAGE_BYTES = 300000, MAX_FRAMES = 3000 };

static int id;
static int frames;
static int phase; /* 0 connecting, 1 waiting for the echo, 2 closing */
static uint8_t *sent;
static uint8_t *buf;
static int cap = 1024;
static int32_t info[3];

static void done(int ok, const char *detail) {
    char err[256] = {0};
    if (!ok) DevianWs_LastError(err, sizeof err - 1);
    EM_ASM({ report(UTF8ToString($0), $1, UTF8ToString($2) + ' ' + UTF8ToString($3)).then(function () { finish(); }); },
           "emscripten player: echo of 300 kB, close 4000", ok, detail, err);
    emscripten_cancel_main_loop();
    DevianWs_Destroy(id);
    free(sent);
    free(buf);
}

/* One game frame: drain every event, like WebSocketClient.Update(). */
static void update(void) {
    if (++frames > MAX_FRAMES) {
        done(0, "timed out");
        return;
    }
    for (;;) {
        int kind = DevianWs_Next(id, buf, cap, info);
        if (kind == 0) return;
        if (kind == TOO_SMALL) {
            free(buf);
            cap = info[0];
            buf = malloc(cap);
            continue;
        }
        if (kind < 0) {
            done(0, "DevianWs_Next failed");
            return;
        }
        if (kind == OPEN && phase == 0) {
            if (info[0] != 9 || memcmp(buf, "devian.v1", 9) != 0) {
                done(0, "wrong sub-protocol");
                return;
            }
            if (DevianWs_Send(id, sent, MESSAGE_BYTES, 0) != 0) {
                done(0, "send failed");
                return;
            }
            phase = 1;
        } else if (kind == MESSAGE && info[1] == BINARY && phase == 1) {
            if (info[0] != MESSAGE_BYTES || memcmp(buf, sent, MESSAGE_BYTES) != 0) {
                done(0, "echo differs");
                return;
            }
            uint64_t stats[8];
            if (DevianWs_Stats(id, stats) != 0 || stats[0] != 1 || stats[3] != MESSAGE_BYTES) {
                done(0, "statistics");
                return;
            }
            DevianWs_Close(id, 4000, "done");
            phase = 2;
        } else if (kind == CLOSED && phase == 2) {
            done(info[1] == 4000 && info[2] == 1, info[1] == 4000 ? "closed" : "wrong close code");
            return;
        } else if (kind == CLOSED) {
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
    buf = malloc(cap);
    for (int i = 0; i < MESSAGE_BYTES; i++) sent[i] = (uint8_t)(i * 7 + 3);
    if (!DevianWs_IsReady()) {
        done(0, "module not ready");
        return 0;
    }
    id = DevianWs_Create(url);
    if (id <= 0 || DevianWs_SetProtocols(id, "devian.v1") != 0 || DevianWs_Connect(id) != 0) {
        done(0, "connect failed");
        return 0;
    }
    emscripten_set_main_loop(update, 0, 0);
    return 0;
}
