/*
 * Test-only stand-in for Windows 10's bcryptprimitives.dll, which Wine 8 (Debian 12) lacks.
 * Rust's std draws its random seed from ProcessPrng there; on real Windows 10 and later the
 * system DLL provides it. Built and placed next to native_smoke.exe by tests/unity/native-smoke
 * only when running under wine; never shipped.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* BCryptGenRandom takes a ULONG length: feed it in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
