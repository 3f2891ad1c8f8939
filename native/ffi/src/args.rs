//! Checked reading of pointer arguments and writing of out-parameters.
//!
//! Every raw pointer that crosses the boundary goes through one of these, so
//! a null or an oversized length is an error status, never undefined behaviour.

use crate::error::{FfiError, FfiResult};
use crate::status::DwsStatus;
use interoptopus::patterns::string::AsciiPointer;
use std::ffi::c_void;

/// A NUL-terminated UTF-8 string argument.
///
/// # Safety
/// A non-null pointer must point to a NUL-terminated string valid for the call.
pub unsafe fn str_arg<'a>(s: &AsciiPointer<'a>, param: &str) -> FfiResult<&'a str> {
    let c = s.as_c_str().ok_or_else(|| FfiError::null(param))?;
    c.to_str().map_err(|e| {
        FfiError::new(
            DwsStatus::InvalidUtf8,
            format!("{param} is not valid UTF-8: {e}"),
        )
    })
}

/// Converts a C length to `usize` (it can exceed `usize` on 32-bit targets).
pub fn len_arg(len: u64, param: &str) -> FfiResult<usize> {
    usize::try_from(len)
        .ok()
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| FfiError::invalid(format!("{param} length {len} is too large")))
}

/// A `(pointer, length)` byte argument. Null is accepted only with length 0.
///
/// # Safety
/// A non-null `ptr` must be valid for reads of `len` bytes for the call.
pub unsafe fn bytes_arg<'a>(ptr: *const c_void, len: u64, param: &str) -> FfiResult<&'a [u8]> {
    let n = len_arg(len, param)?;
    if n == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::null(param));
    }
    // SAFETY: non-null, and the caller guarantees `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), n) })
}

/// A `(pointer, count)` array of `u16`. Null is accepted only with count 0.
///
/// # Safety
/// A non-null `ptr` must be valid for reads of `count` `u16` values.
pub unsafe fn u16s_arg(ptr: *const c_void, count: u32, param: &str) -> FfiResult<Vec<u16>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(FfiError::null(param));
    }
    let n = usize::try_from(count)
        .map_err(|_| FfiError::invalid(format!("{param} count too large")))?;
    // `read_unaligned`: C# may hand us a pointer into a byte buffer.
    let p = ptr.cast::<u16>();
    // SAFETY: the caller guarantees `count` readable u16 values at `p`.
    Ok((0..n)
        .map(|i| unsafe { p.add(i).read_unaligned() })
        .collect())
}

/// Writes `value` through an out-parameter.
///
/// # Safety
/// A non-null `out` must be valid for writes of one `T` (it may be uninitialised).
pub unsafe fn write_out<T>(out: *mut T, value: T, param: &str) -> FfiResult<()> {
    if out.is_null() {
        return Err(FfiError::null(param));
    }
    // SAFETY: non-null and writable per the caller; `write` never reads or
    // drops the previous (possibly uninitialised) contents.
    unsafe { out.write_unaligned(value) };
    Ok(())
}

/// Copies `src` into the caller's buffer `(buf, cap)` and returns `src.len()`,
/// so a caller whose buffer was too small learns the size it needs. Copies
/// `min(cap, len)` bytes; copies nothing when `buf` is null. No NUL is added.
///
/// # Safety
/// A non-null `buf` must be valid for writes of `cap` bytes.
pub unsafe fn copy_out(src: &[u8], buf: *mut c_void, cap: u32) -> u32 {
    let n = src.len().min(cap as usize);
    if n > 0 && !buf.is_null() {
        // SAFETY: `n <= cap` writable bytes per the caller; the regions
        // cannot overlap (ours is library-owned).
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), buf.cast::<u8>(), n) };
    }
    u32::try_from(src.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
// Every pointer here is to the test's own locals, or null on purpose.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;
    use std::ffi::CString;

    #[test]
    fn str_arg_rejects_null_and_invalid_utf8() {
        let null = AsciiPointer::default();
        assert_eq!(
            unsafe { str_arg(&null, "url") }.unwrap_err().status,
            DwsStatus::NullPointer
        );
        let bad = CString::new(vec![0x66, 0xff, 0x6f]).expect("no interior NUL");
        let p = AsciiPointer::from_cstr(&bad);
        assert_eq!(
            unsafe { str_arg(&p, "url") }.unwrap_err().status,
            DwsStatus::InvalidUtf8
        );
        let good = CString::new("ws://127.0.0.1/é").expect("no interior NUL");
        let p = AsciiPointer::from_cstr(&good);
        assert_eq!(
            unsafe { str_arg(&p, "url") }.expect("valid"),
            "ws://127.0.0.1/é"
        );
    }

    #[test]
    fn bytes_arg_accepts_null_only_when_empty() {
        assert_eq!(
            unsafe { bytes_arg(std::ptr::null(), 0, "data") }.expect("empty"),
            &[] as &[u8]
        );
        let e = unsafe { bytes_arg(std::ptr::null(), 3, "data") }.unwrap_err();
        assert_eq!(e.status, DwsStatus::NullPointer);
        let e = unsafe { bytes_arg([1u8].as_ptr().cast(), u64::MAX, "data") }.unwrap_err();
        assert_eq!(e.status, DwsStatus::InvalidArgument);
        let src = [1u8, 2, 3];
        assert_eq!(
            unsafe { bytes_arg(src.as_ptr().cast(), 2, "data") }.expect("ok"),
            &[1, 2]
        );
    }

    #[test]
    fn u16s_arg_reads_unaligned_values() {
        let raw = [0u8, 0xe9, 0x03, 0xee, 0x03]; // 1001, 1006 starting at offset 1
        let got = unsafe { u16s_arg(raw.as_ptr().add(1).cast(), 2, "codes") }.expect("ok");
        assert_eq!(
            got,
            vec![
                u16::from_le_bytes([0xe9, 0x03]),
                u16::from_le_bytes([0xee, 0x03])
            ]
        );
        assert_eq!(
            unsafe { u16s_arg(std::ptr::null(), 1, "codes") }
                .unwrap_err()
                .status,
            DwsStatus::NullPointer
        );
        assert!(unsafe { u16s_arg(std::ptr::null(), 0, "codes") }
            .expect("empty")
            .is_empty());
    }

    #[test]
    fn copy_out_truncates_and_reports_the_full_length() {
        let mut buf = [0u8; 4];
        assert_eq!(
            unsafe { copy_out(b"abcdef", buf.as_mut_ptr().cast(), 4) },
            6
        );
        assert_eq!(&buf, b"abcd");
        assert_eq!(unsafe { copy_out(b"abcdef", std::ptr::null_mut(), 100) }, 6);
        let mut big = [0u8; 8];
        assert_eq!(unsafe { copy_out(b"xy", big.as_mut_ptr().cast(), 8) }, 2);
        assert_eq!(&big[..3], b"xy\0");
    }

    #[test]
    fn write_out_rejects_null() {
        let e = unsafe { write_out(std::ptr::null_mut::<u64>(), 5, "out_handle") }.unwrap_err();
        assert_eq!(e.status, DwsStatus::NullPointer);
        let mut v = 0u64;
        unsafe { write_out(&mut v, 5, "out_handle") }.expect("ok");
        assert_eq!(v, 5);
    }
}
