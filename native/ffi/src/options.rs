//! `DwsOptions`: the plain struct C and C# configure a connection with, and
//! its checked conversion to the engine's `Config`.

use crate::error::{FfiError, FfiResult};
use devian_ws_engine::{
    Auth, Config, Delivery, KeepAlive, QueueLimits, ReconnectPolicy, TlsOptions,
};
use devian_ws_policy::reconnect::DEFAULT_RECONNECT_CODES;
use devian_ws_protocol::deflate::DeflateConfig;
use devian_ws_protocol::Limits;
use interoptopus::ffi_type;
use std::time::Duration;

/// Connection settings. Fill it with `dws_options_default`, change what you
/// need, pass it to `dws_client_new` (which copies it). Flags are 0 or 1.
///
/// Versioned by `struct_size`: fields are only ever added at the end, and a
/// library reads no more than the caller's `struct_size` bytes, taking its
/// defaults for fields a smaller (older) struct lacks.
#[ffi_type]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DwsOptions {
    /// `sizeof(DwsOptions)` as the caller compiled it; `dws_options_default`
    /// sets it. A struct larger than this library's is refused
    /// (`InvalidArgument`): the caller is newer than the library.
    pub struct_size: u32,
    /// Keep-alive ping interval in ms; 0 disables pings.
    pub ping_interval_ms: u32,
    /// A ping unanswered this long (ms) declares the connection dead (1006).
    pub pong_timeout_ms: u32,
    /// Close when nothing is received this long (ms); 0 disables.
    pub idle_timeout_ms: u32,
    /// Bound (ms) on TCP connect + TLS + upgrade handshake.
    pub connect_timeout_ms: u32,
    /// Bound (ms) on the close handshake.
    pub close_timeout_ms: u32,
    /// Largest accepted frame payload, bytes.
    pub max_frame_size: u64,
    /// Largest accepted reassembled message, bytes.
    pub max_message_size: u64,
    /// Send queue bound: messages.
    pub send_queue_max_messages: u32,
    /// Send queue bound: payload bytes.
    pub send_queue_max_bytes: u64,
    /// Undrained received messages bound: messages (then reading pauses).
    pub recv_queue_max_messages: u32,
    /// Undrained received messages bound: payload bytes.
    pub recv_queue_max_bytes: u64,
    /// 1: reconnect after a drop with a reconnect close code.
    pub reconnect_enabled: u8,
    /// Attempts before giving up; 0 means unlimited.
    pub reconnect_max_attempts: u32,
    /// Delay before the first attempt, ms.
    pub reconnect_initial_delay_ms: u32,
    /// Cap on any delay, ms.
    pub reconnect_max_delay_ms: u32,
    /// Backoff growth per attempt (>= 1).
    pub reconnect_multiplier: f64,
    /// 1: full jitter (delay uniform in [0, backoff]).
    pub reconnect_jitter: u8,
    /// 1: buffer sends made while reconnecting (bounded below) and flush them after.
    pub reconnect_buffer_enabled: u8,
    /// Reconnect buffer bound: messages.
    pub reconnect_buffer_max_messages: u32,
    /// Reconnect buffer bound: payload bytes.
    pub reconnect_buffer_max_bytes: u64,
    /// 1: offer permessage-deflate (RFC 7692, default parameters: context
    /// takeover both ways); messages are compressed when the server agrees.
    /// 0 (the default) keeps the zero-copy path. Last, so older field
    /// offsets are unchanged.
    pub permessage_deflate: u8,
    /// A connection must stay open this long (ms) before the reconnect
    /// attempt count starts over, so a server that accepts and drops at once
    /// still runs out of `reconnect_max_attempts`.
    pub reconnect_stable_after_ms: u32,
    /// The least reconnect delay (ms, within `reconnect_max_delay_ms`) after
    /// the server closed with 1013 "try again later".
    pub reconnect_try_again_later_ms: u32,
    /// 0 (the default): at-most-once, no extra traffic; what the operating
    /// system had accepted when the connection died may be lost.
    /// 1: at-least-once (needs the reconnect buffer, whose bounds limit the
    /// window): a message counts as sent once the server answered a Ping
    /// written after it, and unconfirmed messages are sent again after a
    /// reconnect, so the server may see one twice but misses none.
    /// A u32 in what was the previous layout's tail padding, so the size is
    /// unchanged; `dws_options_default` has always written those bytes.
    pub delivery: u32,
}

impl Default for DwsOptions {
    /// The engine's own defaults ([`Config::new`]), so the C ABI, C# and Rust
    /// users all start from the same values.
    fn default() -> Self {
        DwsOptions::from_config(&Config::new(""))
    }
}

impl DwsOptions {
    /// This library's `sizeof(DwsOptions)`.
    pub const SIZE: u32 = std::mem::size_of::<DwsOptions>() as u32;
    /// The size of the first versioned layout (the same as this one): the
    /// least a caller may pass.
    pub const MIN_SIZE: u32 = Self::SIZE;

    /// Reads a caller's options: `struct_size` first, then that many bytes
    /// over this library's defaults.
    ///
    /// # Safety
    /// `ptr` must be non-null and valid for reads of the `struct_size` bytes
    /// it declares (at least 4).
    pub unsafe fn read_versioned(ptr: *const DwsOptions) -> Result<DwsOptions, FfiError> {
        // SAFETY: the caller guarantees at least the leading u32 is readable.
        let size = unsafe { ptr.cast::<u32>().read_unaligned() };
        if size < Self::MIN_SIZE || size > Self::SIZE {
            return Err(FfiError::invalid(format!(
                "DwsOptions.struct_size is {size}; this library takes {}..={} \
                 (fill the struct with dws_options_default)",
                Self::MIN_SIZE,
                Self::SIZE
            )));
        }
        let mut out = DwsOptions::default();
        // SAFETY: `size` bytes are readable at `ptr` (the caller's promise),
        // `size <= SIZE` so they fit `out`, and every byte pattern is a valid
        // value for these plain integer and float fields.
        unsafe {
            std::ptr::copy_nonoverlapping(
                ptr.cast::<u8>(),
                (&mut out as *mut DwsOptions).cast::<u8>(),
                size as usize,
            );
        }
        out.struct_size = Self::SIZE;
        Ok(out)
    }

    /// The numeric settings of `c`, in ABI form (durations saturate at u32 ms).
    pub fn from_config(c: &Config) -> Self {
        let ms = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
        let buffer = c.reconnect_buffer;
        DwsOptions {
            struct_size: Self::SIZE,
            ping_interval_ms: c.keepalive.ping_interval.map_or(0, ms),
            pong_timeout_ms: ms(c.keepalive.pong_timeout),
            idle_timeout_ms: c.keepalive.idle_timeout.map_or(0, ms),
            connect_timeout_ms: ms(c.connect_timeout),
            close_timeout_ms: ms(c.close_timeout),
            max_frame_size: c.limits.max_frame_size as u64,
            max_message_size: c.limits.max_message_size as u64,
            send_queue_max_messages: c.send_queue.max_messages.try_into().unwrap_or(u32::MAX),
            send_queue_max_bytes: c.send_queue.max_bytes as u64,
            recv_queue_max_messages: c.recv_queue.max_messages.try_into().unwrap_or(u32::MAX),
            recv_queue_max_bytes: c.recv_queue.max_bytes as u64,
            reconnect_enabled: u8::from(c.reconnect.enabled),
            reconnect_max_attempts: c.reconnect.max_attempts,
            reconnect_initial_delay_ms: ms(c.reconnect.initial_delay),
            reconnect_max_delay_ms: ms(c.reconnect.max_delay),
            reconnect_multiplier: c.reconnect.multiplier,
            reconnect_jitter: u8::from(c.reconnect.jitter),
            reconnect_buffer_enabled: u8::from(buffer.is_some()),
            reconnect_buffer_max_messages: buffer
                .map_or(0, |b| b.max_messages.try_into().unwrap_or(u32::MAX)),
            reconnect_buffer_max_bytes: buffer.map_or(0, |b| b.max_bytes as u64),
            permessage_deflate: u8::from(c.permessage_deflate.is_some()),
            reconnect_stable_after_ms: ms(c.reconnect.stable_after),
            reconnect_try_again_later_ms: ms(c.reconnect.try_again_later_delay),
            delivery: match c.delivery {
                Delivery::AtMostOnce => 0,
                Delivery::AtLeastOnce => 1,
            },
        }
    }

    /// Checks every field and builds the engine configuration for `url`.
    pub fn to_config(&self, url: &str) -> FfiResult<Config> {
        let o = self;
        let ms = |v: u32| Duration::from_millis(u64::from(v));
        let positive_ms = |v: u32, name: &str| {
            if v == 0 {
                Err(FfiError::invalid(format!("{name} must be > 0")))
            } else {
                Ok(ms(v))
            }
        };
        let ping_interval = (o.ping_interval_ms != 0).then(|| ms(o.ping_interval_ms));
        let pong_timeout = positive_ms(o.pong_timeout_ms, "pong_timeout_ms")?;
        let idle_timeout = (o.idle_timeout_ms != 0).then(|| ms(o.idle_timeout_ms));
        let connect_timeout = positive_ms(o.connect_timeout_ms, "connect_timeout_ms")?;
        let close_timeout = positive_ms(o.close_timeout_ms, "close_timeout_ms")?;

        let max_frame_size = size(o.max_frame_size, "max_frame_size")?;
        let max_message_size = size(o.max_message_size, "max_message_size")?;
        if max_message_size < max_frame_size {
            return Err(FfiError::invalid(
                "max_message_size must be >= max_frame_size",
            ));
        }

        let send_queue = queue(
            o.send_queue_max_messages,
            o.send_queue_max_bytes,
            "send_queue",
        )?;
        let recv_queue = queue(
            o.recv_queue_max_messages,
            o.recv_queue_max_bytes,
            "recv_queue",
        )?;
        let reconnect_buffer = if flag(o.reconnect_buffer_enabled, "reconnect_buffer_enabled")? {
            Some(queue(
                o.reconnect_buffer_max_messages,
                o.reconnect_buffer_max_bytes,
                "reconnect_buffer",
            )?)
        } else {
            None
        };

        let multiplier = o.reconnect_multiplier;
        if !multiplier.is_finite() || multiplier < 1.0 {
            return Err(FfiError::invalid(
                "reconnect_multiplier must be finite and >= 1",
            ));
        }
        if o.reconnect_max_delay_ms < o.reconnect_initial_delay_ms {
            return Err(FfiError::invalid(
                "reconnect_max_delay_ms must be >= reconnect_initial_delay_ms",
            ));
        }
        let reconnect = ReconnectPolicy {
            enabled: flag(o.reconnect_enabled, "reconnect_enabled")?,
            max_attempts: o.reconnect_max_attempts,
            initial_delay: ms(o.reconnect_initial_delay_ms),
            multiplier,
            max_delay: ms(o.reconnect_max_delay_ms),
            jitter: flag(o.reconnect_jitter, "reconnect_jitter")?,
            reconnect_codes: DEFAULT_RECONNECT_CODES.to_vec(),
            stable_after: ms(o.reconnect_stable_after_ms),
            try_again_later_delay: ms(o.reconnect_try_again_later_ms),
        };
        let permessage_deflate =
            flag(o.permessage_deflate, "permessage_deflate")?.then(DeflateConfig::default);
        let delivery = match o.delivery {
            0 => Delivery::AtMostOnce,
            1 if reconnect_buffer.is_some() => Delivery::AtLeastOnce,
            1 => {
                return Err(FfiError::invalid(
                    "delivery 1 (at-least-once) needs reconnect_buffer_enabled: its bounds limit the unconfirmed window",
                ))
            }
            v => {
                return Err(FfiError::invalid(format!(
                    "delivery must be 0 (at-most-once) or 1 (at-least-once), got {v}"
                )))
            }
        };

        Ok(Config {
            url: url.to_owned(),
            protocols: Vec::new(),
            headers: Vec::new(),
            origin: None,
            limits: Limits {
                max_frame_size,
                max_message_size,
            },
            tls: TlsOptions::default(),
            keepalive: KeepAlive {
                ping_interval,
                pong_timeout,
                idle_timeout,
            },
            connect_timeout,
            close_timeout,
            reconnect,
            auth: Auth::None,
            send_queue,
            recv_queue,
            reconnect_buffer,
            permessage_deflate,
            delivery,
            // Set by dws_client_set_proxy / _from_env (strings do not fit here).
            proxy: devian_ws_engine::ProxySetting::Direct,
        })
    }
}

// Strict 0/1: anything else usually means a marshalling mismatch on the
// caller's side, which is better reported than guessed at.
fn flag(v: u8, name: &str) -> FfiResult<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(FfiError::invalid(format!("{name} must be 0 or 1, got {v}"))),
    }
}

fn size(v: u64, name: &str) -> FfiResult<usize> {
    match usize::try_from(v) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(FfiError::invalid(format!(
            "{name} must be in 1..=usize::MAX, got {v}"
        ))),
    }
}

fn queue(messages: u32, bytes: u64, name: &str) -> FfiResult<QueueLimits> {
    if messages == 0 {
        return Err(FfiError::invalid(format!(
            "{name}_max_messages must be > 0"
        )));
    }
    Ok(QueueLimits {
        max_messages: messages as usize,
        max_bytes: size(bytes, &format!("{name}_max_bytes"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::DwsStatus;

    #[test]
    fn defaults_are_the_engine_defaults() {
        let engine = Config::new("ws://127.0.0.1:9/x");
        let c = DwsOptions::default()
            .to_config("ws://127.0.0.1:9/x")
            .expect("defaults are valid");
        assert_eq!(c.url, engine.url);
        assert_eq!(c.keepalive, engine.keepalive);
        assert_eq!(c.limits, engine.limits);
        assert_eq!(c.reconnect, engine.reconnect);
        assert_eq!(c.send_queue, engine.send_queue);
        assert_eq!(c.recv_queue, engine.recv_queue);
        assert_eq!(c.reconnect_buffer, engine.reconnect_buffer);
        assert_eq!(c.connect_timeout, engine.connect_timeout);
        assert_eq!(c.close_timeout, engine.close_timeout);
        assert_eq!(c.auth, Auth::None);
        // Seed 002's values, so a change to the engine defaults is a visible decision.
        assert_eq!(c.keepalive.pong_timeout, Duration::from_secs(5));
        assert_eq!(c.reconnect.max_attempts, 10);
        assert_eq!(c.reconnect.max_delay, Duration::from_secs(30));
        assert!(
            !c.tls.dangerous_accept_any_certificate,
            "verification on by default"
        );
    }

    #[test]
    fn zero_disables_ping_idle_and_the_reconnect_buffer() {
        let o = DwsOptions {
            ping_interval_ms: 0,
            idle_timeout_ms: 0,
            reconnect_buffer_enabled: 0,
            ..Default::default()
        };
        let c = o.to_config("ws://h/").expect("valid");
        assert_eq!(c.keepalive.ping_interval, None);
        assert_eq!(c.keepalive.idle_timeout, None);
        assert_eq!(c.reconnect_buffer, None);
    }

    // RFC 7692 is off unless asked for; 1 offers it with default parameters.
    #[test]
    fn reconnect_timings_reach_the_policy() {
        let o = DwsOptions {
            reconnect_stable_after_ms: 1234,
            reconnect_try_again_later_ms: 4321,
            ..DwsOptions::default()
        };
        let r = o.to_config("ws://h/").expect("valid").reconnect;
        assert_eq!(r.stable_after, Duration::from_millis(1234));
        assert_eq!(r.try_again_later_delay, Duration::from_millis(4321));
    }

    #[test]
    fn delivery_reaches_the_engine_and_needs_the_reconnect_buffer() {
        let c = DwsOptions::default().to_config("ws://h/").expect("valid");
        assert_eq!(c.delivery, Delivery::AtMostOnce);
        let at_least_once = DwsOptions {
            delivery: 1,
            ..Default::default()
        };
        let c = at_least_once.to_config("ws://h/").expect("valid");
        assert_eq!(c.delivery, Delivery::AtLeastOnce);
        assert_eq!(DwsOptions::from_config(&c), at_least_once);
        for bad in [
            DwsOptions {
                delivery: 2,
                ..Default::default()
            },
            DwsOptions {
                delivery: 1,
                reconnect_buffer_enabled: 0,
                ..Default::default()
            },
        ] {
            let e = bad.to_config("ws://h/").unwrap_err();
            assert_eq!(e.status, DwsStatus::InvalidArgument, "{bad:?}");
            assert!(e.message.contains("delivery"), "{}", e.message);
        }
    }

    #[test]
    fn permessage_deflate_flag() {
        let off = DwsOptions::default();
        assert_eq!(off.permessage_deflate, 0);
        assert_eq!(
            off.to_config("ws://h/").expect("valid").permessage_deflate,
            None
        );
        let on = DwsOptions {
            permessage_deflate: 1,
            ..Default::default()
        };
        let c = on.to_config("ws://h/").expect("valid");
        assert_eq!(c.permessage_deflate, Some(DeflateConfig::default()));
        assert_eq!(DwsOptions::from_config(&c), on);
    }

    #[test]
    fn out_of_range_fields_are_invalid_arguments() {
        let bad = [
            DwsOptions {
                pong_timeout_ms: 0,
                ..Default::default()
            },
            DwsOptions {
                connect_timeout_ms: 0,
                ..Default::default()
            },
            DwsOptions {
                close_timeout_ms: 0,
                ..Default::default()
            },
            DwsOptions {
                max_frame_size: 0,
                ..Default::default()
            },
            DwsOptions {
                max_message_size: 10,
                max_frame_size: 11,
                ..Default::default()
            },
            DwsOptions {
                send_queue_max_messages: 0,
                ..Default::default()
            },
            DwsOptions {
                recv_queue_max_bytes: 0,
                ..Default::default()
            },
            DwsOptions {
                reconnect_enabled: 2,
                ..Default::default()
            },
            DwsOptions {
                reconnect_jitter: 255,
                ..Default::default()
            },
            DwsOptions {
                reconnect_multiplier: f64::NAN,
                ..Default::default()
            },
            DwsOptions {
                reconnect_multiplier: 0.5,
                ..Default::default()
            },
            DwsOptions {
                reconnect_initial_delay_ms: 10,
                reconnect_max_delay_ms: 9,
                ..Default::default()
            },
            DwsOptions {
                reconnect_buffer_max_messages: 0,
                ..Default::default()
            },
            DwsOptions {
                permessage_deflate: 2,
                ..Default::default()
            },
        ];
        for (i, o) in bad.iter().enumerate() {
            let e = o
                .to_config("ws://h/")
                .expect_err(&format!("case {i} must fail"));
            assert_eq!(
                e.status,
                DwsStatus::InvalidArgument,
                "case {i}: {}",
                e.message
            );
        }
    }
}
