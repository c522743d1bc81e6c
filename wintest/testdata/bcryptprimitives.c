/* A stand-in for bcryptprimitives.dll, which Debian's Wine 8.0 lacks and the
 * Go runtime (>= 1.24) loads for ProcessPrng. Windows 10+ ships the real one.
 * scripts/wine-prefix.sh builds it with MinGW into the test prefix. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
