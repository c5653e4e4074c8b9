/*
 * A stand-in bcryptprimitives.dll for running baosong.exe under Wine 8 in the smoke test only
 * (never shipped). Rust's standard library on Windows asks bcryptprimitives!ProcessPrng for random
 * bytes (hash map seeds); Wine 8 does not have that DLL. This one answers from advapi32's
 * RtlGenRandom (SystemFunction036), in chunks it accepts.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
