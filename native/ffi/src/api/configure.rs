//! Configuration calls, allowed between `dws_client_new` and
//! `dws_client_connect` (afterwards they return `InvalidState`). Every
//! argument is copied; the caller keeps ownership of its memory.

use crate::args::{bytes_arg, str_arg, u16s_arg};
use crate::error::{FfiError, FfiResult};
use crate::guard::guard;
use crate::registry;
use crate::status::DwsStatus;
use devian_ws_engine::{Auth, Config, Proxy, ProxySetting};
use interoptopus::ffi_function;
use interoptopus::patterns::string::AsciiPointer;
use std::ffi::c_void;

fn configure(handle: u64, edit: impl FnOnce(&mut Config) -> FfiResult<()>) -> DwsStatus {
    guard(|| {
        registry::get(handle)?.configure(edit)?;
        Ok(DwsStatus::Ok)
    })
}

// RFC 7230 §3.2.6 token characters: what a header name and a sub-protocol
// (RFC 6455 §4.1, Sec-WebSocket-Protocol elements) may contain.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn token_arg(s: &str, what: &str) -> FfiResult<String> {
    if is_token(s) {
        Ok(s.to_owned())
    } else {
        Err(FfiError::invalid(format!(
            "{what} {s:?} is not an HTTP token (RFC 7230 3.2.6)"
        )))
    }
}

// A header value must not smuggle a second header or end the request.
fn header_value_arg(s: &str) -> FfiResult<String> {
    if s.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        Err(FfiError::invalid("header value contains CR, LF or NUL"))
    } else {
        Ok(s.to_owned())
    }
}

/// A `name: value` header from two string arguments.
///
/// # Safety
/// As [`str_arg`], for both pointers.
unsafe fn header_arg(name: &AsciiPointer, value: &AsciiPointer) -> FfiResult<(String, String)> {
    // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
    let n = token_arg(unsafe { str_arg(name, "name") }?, "header name")?;
    // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
    let v = header_value_arg(unsafe { str_arg(value, "value") }?)?;
    Ok((n, v))
}

/// Offers sub-protocol `protocol` (an HTTP token, RFC 6455 §4.1); call once per protocol, in preference order.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_add_protocol(handle: u64, protocol: AsciiPointer) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let p = token_arg(unsafe { str_arg(&protocol, "protocol") }?, "sub-protocol")?;
        c.protocols.push(p);
        Ok(())
    })
}

/// Adds request header `name: value` to the upgrade request.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_add_header(
    handle: u64,
    name: AsciiPointer,
    value: AsciiPointer,
) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: both strings are null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        c.headers.push(unsafe { header_arg(&name, &value) }?);
        Ok(())
    })
}

/// Sets the Origin header.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_set_origin(handle: u64, origin: AsciiPointer) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        c.origin = Some(header_value_arg(unsafe { str_arg(&origin, "origin") }?)?);
        Ok(())
    })
}

/// Connects through the proxy at `url` (copied): `http://[user:pass@]host:port`
/// (HTTP CONNECT, Basic auth), `https://…` (the same over TLS to the proxy,
/// checked against the connection's roots), `socks5://…` (target name
/// resolved here) or `socks5h://…` (resolved by the proxy); user and
/// password percent-encoded.
/// Null or empty means no proxy, whatever the environment says (the default).
/// A malformed URL is `InvalidArgument`; its text never echoes credentials.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_set_proxy(handle: u64, url: AsciiPointer) -> DwsStatus {
    configure(handle, |c| {
        if url.as_c_str().is_none() {
            c.proxy = ProxySetting::Direct;
            return Ok(());
        }
        // SAFETY: a string argument is null (handled above) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let url = unsafe { str_arg(&url, "url") }?;
        c.proxy = if url.is_empty() {
            ProxySetting::Direct
        } else {
            ProxySetting::Use(Proxy::parse(url).map_err(|e| FfiError::invalid(e.to_string()))?)
        };
        Ok(())
    })
}

/// Connects through the proxy the environment names, looked up at each
/// (re)connect: `HTTPS_PROXY` for `wss://`, `HTTP_PROXY` for `ws://` (or the
/// lower-case names), else `ALL_PROXY`; none when `NO_PROXY` lists the host.
/// Off unless called; `dws_client_set_proxy` replaces it.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_set_proxy_from_env(handle: u64) -> DwsStatus {
    configure(handle, |c| {
        c.proxy = ProxySetting::FromEnvironment;
        Ok(())
    })
}

/// Trusts the PEM certificates in `pem[0..len]` as extra roots (copied).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_add_root_ca_pem(
    handle: u64,
    pem: *const c_void,
    len: u64,
) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: the data pointer is null (accepted only with length 0) or valid for `len` reads during this call, per the `# Safety` contract.
        let pem = unsafe { bytes_arg(pem, len, "pem") }?;
        if pem.is_empty() {
            return Err(FfiError::invalid("pem is empty"));
        }
        c.tls.extra_roots_pem.push(pem.to_vec());
        Ok(())
    })
}

/// Pins the server certificate: `sha256` points to the 32-byte SHA-256 of
/// its DER encoding (copied). Call again to allow several.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_pin_sha256(handle: u64, sha256: *const c_void) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: the data pointer is null (accepted only with length 0) or valid for `len` reads during this call, per the `# Safety` contract.
        let bytes = unsafe { bytes_arg(sha256, 32, "sha256") }?;
        let mut pin = [0u8; 32];
        pin.copy_from_slice(bytes);
        c.tls.pinned_sha256.push(pin);
        Ok(())
    })
}

/// DANGER, development only: `accept` = 1 accepts any server certificate.
#[ffi_function]
#[no_mangle]
pub extern "C" fn dws_client_dangerous_accept_any_certificate(
    handle: u64,
    accept: u8,
) -> DwsStatus {
    configure(handle, |c| {
        c.tls.dangerous_accept_any_certificate = match accept {
            0 => false,
            1 => true,
            _ => return Err(FfiError::invalid("accept must be 0 or 1")),
        };
        Ok(())
    })
}

/// Replaces the close codes that trigger a reconnect with `codes[0..count]`
/// (uint16_t each, copied; count 0 means never reconnect on a close code).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_set_reconnect_codes(
    handle: u64,
    codes: *const c_void,
    count: u32,
) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: `codes` is null (accepted only with `count` 0) or valid for `count` u16 reads, per the `# Safety` contract.
        c.reconnect.reconnect_codes = unsafe { u16s_arg(codes, count, "codes") }?;
        Ok(())
    })
}

/// Authenticates with `?name=token` on the URL, on every (re)connect.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_set_auth_query(
    handle: u64,
    name: AsciiPointer,
    token: AsciiPointer,
) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let name = unsafe { str_arg(&name, "name") }?;
        if name.is_empty() {
            return Err(FfiError::invalid("query parameter name is empty"));
        }
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let token = unsafe { str_arg(&token, "token") }?;
        c.auth = Auth::QueryParam {
            name: name.to_owned(),
            token: token.to_owned(),
        };
        Ok(())
    })
}

/// Authenticates with a first text message rendered from `message_template`, in
/// which `{{token}}` and `{{type}}` are replaced by `token` and
/// `message_type`; sent after every (re)connect before queued messages.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_set_auth_first_message(
    handle: u64,
    message_template: AsciiPointer,
    token: AsciiPointer,
    message_type: AsciiPointer,
) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let template = unsafe { str_arg(&message_template, "message_template") }?;
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let token = unsafe { str_arg(&token, "token") }?;
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let message_type = unsafe { str_arg(&message_type, "message_type") }?;
        c.auth = Auth::FirstMessage {
            template: template.to_owned(),
            token: token.to_owned(),
            message_type: message_type.to_owned(),
        };
        Ok(())
    })
}

/// Authenticates by offering `token` as a sub-protocol (an HTTP token).
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_set_auth_subprotocol(
    handle: u64,
    token: AsciiPointer,
) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: a string argument is null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let token = token_arg(unsafe { str_arg(&token, "token") }?, "sub-protocol token")?;
        c.auth = Auth::Subprotocol { token };
        Ok(())
    })
}

/// Authenticates with header `name: value` (e.g. `Authorization`,
/// `Bearer ...`) on every (re)connect. Repeated calls add headers.
///
/// # Safety
/// Non-null pointers must be valid for the reads and writes described
/// above for the duration of the call; strings must be NUL-terminated.
#[ffi_function]
#[no_mangle]
pub unsafe extern "C" fn dws_client_set_auth_header(
    handle: u64,
    name: AsciiPointer,
    value: AsciiPointer,
) -> DwsStatus {
    configure(handle, |c| {
        // SAFETY: both strings are null (refused by `str_arg`) or NUL-terminated and valid for this call, per the `# Safety` contract.
        let header = unsafe { header_arg(&name, &value) }?;
        match &mut c.auth {
            Auth::Headers(list) => list.push(header),
            other => *other = Auth::Headers(vec![header]),
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_rfc7230() {
        assert!(is_token("chat.v2"));
        assert!(is_token("Authorization"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(
            !is_token("a,b"),
            "a comma would split Sec-WebSocket-Protocol"
        );
        assert!(!is_token("x\r\nInjected: 1"));
    }

    #[test]
    fn header_values_cannot_inject_lines() {
        assert!(header_value_arg("Bearer abc").is_ok());
        assert_eq!(
            header_value_arg("a\r\nb: c").unwrap_err().status,
            DwsStatus::InvalidArgument
        );
        assert!(header_value_arg("a\nb").is_err());
    }
}
