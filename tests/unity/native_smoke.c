/*
 * Smoke test of one built native plugin through its C ABI (native/ffi/include/devian_ws.h):
 * connect to an echo server, round-trip FrameV1 messages of sizes around the RFC 6455
 * section 5.2 length encodings (7-bit, 16-bit and 64-bit lengths, so masking runs over short,
 * medium and long buffers), close with 1000, and check that dws_shutdown_all leaves nothing.
 *
 * Built per target by tests/unity/native-smoke (gcc, mingw-w64 under wine, aarch64/armv7 under
 * qemu-user), so each cross-built plugin is exercised on its own CPU and OS ABI.
 *
 *   native_smoke ws://127.0.0.1:PORT/
 *
 * Prints "ok - ..." / "FAIL - ..." lines and "N passed, N failed"; exit status 1 on failure.
 * Every wait is bounded (POLL_LIMIT polls of POLL_SLEEP_MS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devian_ws.h"

#ifdef _WIN32
#include <windows.h>
static void sleep_ms(unsigned ms) { Sleep(ms); }
#else
#include <time.h>
static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}
#endif

#define POLL_SLEEP_MS 2
#define POLL_LIMIT 10000 /* 20 s at most per wait (longer under emulation is fine) */

static int passed, failed;

static void check(int ok, const char *what)
{
    if (ok) {
        passed++;
        printf("ok - %s\n", what);
    } else {
        char err[256] = { 0 };
        dws_last_error(err, sizeof err - 1);
        failed++;
        printf("FAIL - %s (last error: %s)\n", what, err);
    }
}

/* Polls until an event of `kind` arrives; returns 1 with the event in *ev (not yet released).
 * Other events are released and skipped; ERROR and CLOSED end the wait unless awaited. */
static int wait_for(uint64_t h, uint32_t kind, DwsEvent *ev)
{
    for (int i = 0; i < POLL_LIMIT; i++) {
        DwsStatus st = dws_client_poll(h, ev);
        if (st == DWS_STATUS_EMPTY) {
            sleep_ms(POLL_SLEEP_MS);
            continue;
        }
        if (st != DWS_STATUS_OK)
            return 0;
        if (ev->kind == kind)
            return 1;
        if (ev->kind == DWS_EVENT_ERROR || ev->kind == DWS_EVENT_CLOSED) {
            printf("# unexpected event %u: %.*s\n", ev->kind, (int)ev->len, ev->data ? (const char *)ev->data : "");
            dws_client_release(h);
            return 0;
        }
        dws_client_release(h);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: native_smoke ws://127.0.0.1:PORT/\n");
        return 2;
    }
    static const uint64_t sizes[] = { 0, 1, 121, 122, 65531, 65532, 200000 };
    /* With the 4-byte FrameV1 header these give 4, 5, 125 (last 7-bit length), 126 (first
     * 16-bit), 65535 (last 16-bit), 65536 (first 64-bit) and a 200 KB message. */
    const size_t count = sizeof sizes / sizeof sizes[0];
    unsigned char *payload = malloc(200000);
    if (!payload)
        return 1;
    for (size_t i = 0; i < 200000; i++)
        payload[i] = (unsigned char)(i * 31 + 7);

    DwsOptions opts;
    check(dws_options_default(&opts) == DWS_STATUS_OK, "dws_options_default");
    opts.reconnect_enabled = 0;
    uint64_t h = 0;
    check(dws_client_new(&opts, argv[1], &h) == DWS_STATUS_OK && h != 0, "dws_client_new");
    check(dws_client_connect(h) == DWS_STATUS_OK, "dws_client_connect");

    DwsEvent ev;
    int open = wait_for(h, DWS_EVENT_OPEN, &ev);
    check(open, "open event");
    if (open)
        dws_client_release(h);

    for (size_t i = 0; open && i < count; i++) {
        char what[96];
        int32_t opcode = (int32_t)(0x01020300 + i);
        uint64_t n = sizes[i];
        /* A FrameV1 message written in place, as the C# layer does: reserve, fill, commit. */
        uint8_t *buf = NULL;
        DwsStatus st = dws_client_send_reserve(h, n + 4, &buf);
        if (st == DWS_STATUS_OK) {
            for (int b = 0; b < 4; b++)
                buf[b] = (uint8_t)((uint32_t)opcode >> (8 * b));
            if (n > 0)
                memcpy(buf + 4, payload, n);
            st = dws_client_send_commit(h, DWS_MESSAGE_BINARY);
        }
        int got = st == DWS_STATUS_OK && wait_for(h, DWS_EVENT_MESSAGE, &ev);
        int ok = got && ev.message_kind == DWS_MESSAGE_BINARY && ev.len == n + 4 &&
                 ev.data[0] == (uint8_t)opcode && ev.data[1] == (uint8_t)(opcode >> 8) &&
                 ev.data[2] == (uint8_t)(opcode >> 16) && ev.data[3] == (uint8_t)(opcode >> 24) &&
                 (n == 0 || memcmp(ev.data + 4, payload, n) == 0);
        if (got)
            dws_client_release(h);
        snprintf(what, sizeof what, "echo of a %llu-byte FrameV1 payload", (unsigned long long)n);
        check(ok, what);
    }

    check(dws_client_close(h, 1000, "bye") == DWS_STATUS_OK, "dws_client_close 1000");
    int closed = wait_for(h, DWS_EVENT_CLOSED, &ev);
    /* RFC 6455 section 7.4.1: the server echoes 1000 (normal closure). */
    check(closed && ev.code == 1000, "closed event with code 1000");
    if (closed)
        dws_client_release(h);
    check(dws_client_free(h) == DWS_STATUS_OK, "dws_client_free");

    /* A second client left open, then dws_shutdown_all: nothing may remain. */
    uint64_t h2 = 0;
    int second = dws_client_new(&opts, argv[1], &h2) == DWS_STATUS_OK && dws_client_connect(h2) == DWS_STATUS_OK &&
                 wait_for(h2, DWS_EVENT_OPEN, &ev);
    if (second)
        dws_client_release(h2);
    check(second && dws_list(NULL, 0) == 1, "second client open");
    check(dws_shutdown_all() == DWS_STATUS_OK, "dws_shutdown_all");
    check(dws_list(NULL, 0) == 0, "no client left after dws_shutdown_all");
    check(dws_client_poll(h2, &ev) == DWS_STATUS_INVALID_HANDLE, "old handle is invalid after dws_shutdown_all");

    free(payload);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
