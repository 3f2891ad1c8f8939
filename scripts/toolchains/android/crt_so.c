/*
 * Stand-in for the NDK's crtbegin_so.o/crtend_so.o, linked last into the Android library by
 * scripts/build-native (there is no NDK here). It gives the library what bionic's linker and
 * the objects inside it expect of an NDK-built shared object:
 *
 *  - __dso_handle, this library's identity for __cxa_atexit/__cxa_thread_atexit_impl, and a
 *    destructor that runs the handlers registered against it when the library is unloaded
 *    (bionic's own crtbegin_so does exactly this);
 *  - stderr: libunwind is compiled against musl's headers, which declare `stderr` as a
 *    variable. Bionic exports that variable only from API 23; at every API level it exports
 *    __sF, the array of the three standard FILEs, so stderr is &__sF[2]. A FILE is 84 bytes on
 *    32-bit and 152 bytes on 64-bit bionic.
 */

extern void __cxa_finalize(void *dso);
extern char __sF[];

__attribute__((visibility("hidden"))) void *__dso_handle = &__dso_handle;

__attribute__((visibility("hidden"), destructor)) static void devian_on_dlclose(void)
{
    __cxa_finalize(&__dso_handle);
}

#if defined(__LP64__)
#define BIONIC_FILE_SIZE 152
#else
#define BIONIC_FILE_SIZE 84
#endif

__attribute__((visibility("hidden"))) void *const stderr = &__sF[2 * BIONIC_FILE_SIZE];
