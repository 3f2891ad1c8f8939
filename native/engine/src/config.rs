//! Connection configuration and its defaults.

use crate::delivery::Delivery;
use devian_websocket::tls::TlsOptions;
use devian_websocket::ProxySetting;
use devian_ws_policy::{Auth, QueueLimits, ReconnectPolicy};
use devian_ws_protocol::deflate::{negotiation, DeflateConfig};
use devian_ws_protocol::handshake::client::ClientRequest;
use devian_ws_protocol::{Error, Limits, Result, WsUrl};
use std::time::Duration;

/// Keep-alive and timeouts.
#[derive(Debug, Clone, PartialEq)]
pub struct KeepAlive {
    /// Send a ping this often; `None` disables keep-alive pings.
    pub ping_interval: Option<Duration>,
    /// A ping unanswered this long declares the connection dead (1006).
    pub pong_timeout: Duration,
    /// Close if nothing at all is received this long; `None` disables.
    pub idle_timeout: Option<Duration>,
}

impl Default for KeepAlive {
    /// Seed 002: ping every 30 s, pong within 5 s; no idle timeout.
    fn default() -> Self {
        KeepAlive {
            ping_interval: Some(Duration::from_secs(30)),
            pong_timeout: Duration::from_secs(5),
            idle_timeout: None,
        }
    }
}

/// Everything a connection is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ws://` or `wss://` URL.
    pub url: String,
    /// Sub-protocols offered.
    pub protocols: Vec<String>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Optional Origin header.
    pub origin: Option<String>,
    /// Frame and message size limits.
    pub limits: Limits,
    /// TLS verification options.
    pub tls: TlsOptions,
    /// Keep-alive settings.
    pub keepalive: KeepAlive,
    /// Bound on TCP connect + TLS + upgrade handshake.
    pub connect_timeout: Duration,
    /// Bound on the close handshake.
    pub close_timeout: Duration,
    /// Reconnect policy.
    pub reconnect: ReconnectPolicy,
    /// Authentication method, applied on every (re)connect.
    pub auth: Auth,
    /// Bound on the outgoing queue; full means `Error::Capacity`.
    pub send_queue: QueueLimits,
    /// Bound on undrained received messages; full means the receive thread stops reading.
    pub recv_queue: QueueLimits,
    /// Buffer sends while reconnecting (bounded); `None` makes such sends fail.
    pub reconnect_buffer: Option<QueueLimits>,
    /// Offer permessage-deflate (RFC 7692); `None` (the default) keeps the
    /// zero-copy send path and never compresses. When the server agrees,
    /// sends are compressed into a reused buffer instead of going out in
    /// place, and received messages are inflated within `limits`.
    pub permessage_deflate: Option<DeflateConfig>,
    /// Whether a lost connection may lose written messages
    /// ([`Delivery::AtMostOnce`], the default) or they are kept until the
    /// peer confirms them and sent again after a reconnect.
    pub delivery: Delivery,
    /// Proxy to connect through (HTTP CONNECT or SOCKS5), direct by default;
    /// [`ProxySetting::FromEnvironment`] reads `HTTPS_PROXY` & co. at each
    /// (re)connect.
    pub proxy: ProxySetting,
}

/// The receive queue's message bound is clamped to this, because the
/// dispatch queue is preallocated with that many slots.
pub const MAX_RECV_QUEUE_MESSAGES: usize = 1 << 16;

impl Config {
    /// A configuration for `url` with the defaults: keep-alive per seed 002
    /// (ping 30 s, pong 5 s), connect timeout 10 s, close timeout 5 s, send and
    /// receive queues of 4096 messages / 64 MiB, a reconnect buffer of
    /// 1024 messages / 16 MiB, and the default reconnect policy.
    pub fn new(url: impl Into<String>) -> Config {
        Config {
            url: url.into(),
            protocols: Vec::new(),
            headers: Vec::new(),
            origin: None,
            limits: Limits::default(),
            tls: TlsOptions::default(),
            keepalive: KeepAlive::default(),
            connect_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            reconnect: ReconnectPolicy::default(),
            auth: Auth::None,
            send_queue: QueueLimits::new(4096, 64 << 20),
            recv_queue: QueueLimits::new(4096, 64 << 20),
            reconnect_buffer: Some(QueueLimits::new(1024, 16 << 20)),
            permessage_deflate: None,
            delivery: Delivery::AtMostOnce,
            proxy: ProxySetting::Direct,
        }
    }

    /// Checks what can be checked before connecting: the URL (with the
    /// authentication parameter applied), the upgrade request (so a header
    /// value cannot inject lines into it) and the bounds.
    pub(crate) fn validate(&self) -> Result<WsUrl> {
        let url = WsUrl::parse(&self.auth.apply_to_url(&self.url))?;
        self.request().validate()?;
        if self.send_queue.max_messages == 0 || self.send_queue.max_bytes == 0 {
            return Err(Error::Usage("send_queue bounds must be positive"));
        }
        if self.recv_queue.max_messages == 0 || self.recv_queue.max_bytes == 0 {
            return Err(Error::Usage("recv_queue bounds must be positive"));
        }
        if self.connect_timeout.is_zero() || self.close_timeout.is_zero() {
            return Err(Error::Usage(
                "connect_timeout and close_timeout must be positive",
            ));
        }
        if self.keepalive.ping_interval.is_some_and(|d| d.is_zero())
            || self.keepalive.pong_timeout.is_zero()
            || self.keepalive.idle_timeout.is_some_and(|d| d.is_zero())
        {
            return Err(Error::Usage("keep-alive durations must be positive"));
        }
        if self.delivery == Delivery::AtLeastOnce && self.reconnect_buffer.is_none() {
            return Err(Error::Usage(
                "at-least-once delivery needs the reconnect buffer (it bounds the unconfirmed window)",
            ));
        }
        Ok(url)
    }

    /// The upgrade request: the user's settings with the authentication
    /// method's sub-protocol or headers added. Built again on every
    /// (re)connect, so authentication is re-applied each time.
    pub(crate) fn request(&self) -> ClientRequest {
        let mut protocols = self.protocols.clone();
        protocols.extend(self.auth.extra_protocols());
        let mut headers = self.headers.clone();
        headers.extend(self.auth.extra_headers());
        ClientRequest {
            protocols,
            extensions: self
                .permessage_deflate
                .iter()
                .map(negotiation::client_offer)
                .collect(),
            origin: self.origin.clone(),
            headers,
        }
    }

    /// The receive bound actually enforced (see [`MAX_RECV_QUEUE_MESSAGES`]).
    pub(crate) fn effective_recv_queue(&self) -> QueueLimits {
        QueueLimits::new(
            self.recv_queue.max_messages.min(MAX_RECV_QUEUE_MESSAGES),
            self.recv_queue.max_bytes,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_brief_and_seed_002() {
        let c = Config::new("ws://127.0.0.1:1/");
        assert_eq!(c.keepalive.ping_interval, Some(Duration::from_secs(30)));
        assert_eq!(c.keepalive.pong_timeout, Duration::from_secs(5));
        assert_eq!(c.keepalive.idle_timeout, None);
        assert_eq!(c.connect_timeout, Duration::from_secs(10));
        assert_eq!(c.close_timeout, Duration::from_secs(5));
        assert_eq!(c.send_queue, QueueLimits::new(4096, 64 << 20));
        assert_eq!(c.recv_queue, QueueLimits::new(4096, 64 << 20));
        assert_eq!(c.reconnect_buffer, Some(QueueLimits::new(1024, 16 << 20)));
        assert_eq!(c.reconnect, ReconnectPolicy::default());
    }

    // RFC 6455 §4.1 / RFC 7230 §3.2: a header value with CR or LF would let
    // a caller (or a token from a server) inject lines into the request.
    #[test]
    fn header_injection_is_refused_before_connecting() {
        let mut c = Config::new("ws://127.0.0.1:1/");
        c.auth = Auth::Headers(vec![("Authorization".into(), "x\r\nEvil: 1".into())]);
        assert!(matches!(c.validate(), Err(Error::Usage(_))));
        let mut c = Config::new("ws://127.0.0.1:1/");
        c.headers.push(("X-Ok".into(), "fine".into()));
        c.auth = Auth::Subprotocol {
            token: "not a token".into(),
        };
        assert!(matches!(c.validate(), Err(Error::Usage(_))));
        let mut c = Config::new("ws://127.0.0.1:1/");
        c.headers.push(("X-Ok".into(), "fine".into()));
        c.protocols.push("chat".into());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn recv_queue_is_clamped_to_preallocated_slots() {
        let mut c = Config::new("ws://127.0.0.1:1/");
        c.recv_queue = QueueLimits::new(usize::MAX, 1);
        assert_eq!(
            c.effective_recv_queue().max_messages,
            MAX_RECV_QUEUE_MESSAGES
        );
    }
}
