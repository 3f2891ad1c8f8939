//! The permessage-deflate handshake (RFC 7692 §5, §7.1): the client's
//! offer, the check of the server's answer, and the server's choice.

use super::config::{DeflateConfig, DeflateParams, MAX_WINDOW_BITS, MIN_WINDOW_BITS};
use super::PERMESSAGE_DEFLATE;
use crate::error::{HandshakeError, Result};
use crate::extensions::{parse_extensions, ExtensionOffer};

const SERVER_NO_CONTEXT_TAKEOVER: &str = "server_no_context_takeover";
const CLIENT_NO_CONTEXT_TAKEOVER: &str = "client_no_context_takeover";
const SERVER_MAX_WINDOW_BITS: &str = "server_max_window_bits";
const CLIENT_MAX_WINDOW_BITS: &str = "client_max_window_bits";

/// The client's offer: always `client_max_window_bits` without a value
/// (§7.1.2.2: "the server may limit my window"; a smaller window is
/// honoured as [`super::PerMessageDeflate`] describes), plus the
/// no-context-takeover requests the configuration asks for.
pub fn client_offer(config: &DeflateConfig) -> String {
    let mut offer = ExtensionOffer::new(PERMESSAGE_DEFLATE);
    if config.client_no_context_takeover {
        offer.params.push((CLIENT_NO_CONTEXT_TAKEOVER.into(), None));
    }
    if config.server_no_context_takeover {
        offer.params.push((SERVER_NO_CONTEXT_TAKEOVER.into(), None));
    }
    offer.params.push((CLIENT_MAX_WINDOW_BITS.into(), None));
    offer.to_string()
}

/// Checks the server's answer to [`client_offer`] (RFC 7692 §7.1): the
/// accepted Sec-WebSocket-Extensions elements from the response. `Ok(None)`
/// when the server declined deflate. A response the client must fail the
/// connection for (§5: "the client MUST _Fail the WebSocket Connection_")
/// is [`HandshakeError::InvalidExtensionParams`].
pub fn client_accept(config: &DeflateConfig, accepted: &[String]) -> Result<Option<DeflateParams>> {
    let mut found = None;
    for element in accepted {
        for offer in parse_extensions(element)? {
            if !offer.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE) {
                continue;
            }
            // §5: the response holds at most one element per extension.
            if found.is_some() {
                return Err(invalid("permessage-deflate accepted twice"));
            }
            found = Some(offer);
        }
    }
    let Some(offer) = found else {
        return Ok(None);
    };
    let p = Params::parse(&offer).map_err(invalid)?;
    // §7.1.2.1: in a response the window sizes carry a value.
    if p.server_max_window_bits == Some(None) || p.client_max_window_bits == Some(None) {
        return Err(invalid("max_window_bits without a value in the response"));
    }
    // §7.1.1.1: a server that accepts our server_no_context_takeover
    // says so; leaving it out is not accepting the offer we made.
    if config.server_no_context_takeover && !p.server_no_context_takeover {
        return Err(invalid(
            "server_no_context_takeover was requested but not agreed",
        ));
    }
    // client_max_window_bits is always offered (see client_offer), so any
    // valid value is allowed; server_max_window_bits was not offered, and
    // §7.1.2.1 lets the server state the smaller window it will use, which
    // our 15-bit inflater reads.
    Ok(Some(DeflateParams {
        server_no_context_takeover: p.server_no_context_takeover,
        client_no_context_takeover: p.client_no_context_takeover
            || config.client_no_context_takeover,
        server_max_window_bits: p
            .server_max_window_bits
            .flatten()
            .unwrap_or(MAX_WINDOW_BITS),
        client_max_window_bits: p
            .client_max_window_bits
            .flatten()
            .unwrap_or(MAX_WINDOW_BITS),
        level: config.level,
    }))
}

/// The server's choice (RFC 7692 §5): the first permessage-deflate offer
/// in `offers` (the request's Sec-WebSocket-Extensions elements, in order)
/// whose parameters are valid, with the agreed parameters and the element
/// for the response. Offers with unknown, repeated or invalid parameters
/// are declined (§7.1); `None` when none is left, and the connection goes
/// on without compression.
pub fn server_accept(config: &DeflateConfig, offers: &[String]) -> Option<(DeflateParams, String)> {
    offers
        .iter()
        .filter_map(|e| parse_extensions(e).ok())
        .flatten()
        .filter(|o| o.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE))
        .find_map(|o| Params::parse(&o).ok())
        .map(|p| server_answer(config, &p))
}

fn server_answer(config: &DeflateConfig, p: &Params) -> (DeflateParams, String) {
    let mut params = DeflateParams {
        server_no_context_takeover: p.server_no_context_takeover
            || config.server_no_context_takeover,
        client_no_context_takeover: p.client_no_context_takeover
            || config.client_no_context_takeover,
        level: config.level,
        ..DeflateParams::default()
    };
    let mut answer = ExtensionOffer::new(PERMESSAGE_DEFLATE);
    if params.server_no_context_takeover {
        answer
            .params
            .push((SERVER_NO_CONTEXT_TAKEOVER.into(), None));
    }
    if params.client_no_context_takeover {
        answer
            .params
            .push((CLIENT_NO_CONTEXT_TAKEOVER.into(), None));
    }
    // §7.1.2.1: an offered server_max_window_bits is accepted by echoing
    // it; we compress within it (see PerMessageDeflate). The client's own
    // window needs no limit: we inflate with the largest one.
    if let Some(Some(bits)) = p.server_max_window_bits {
        params.server_max_window_bits = bits;
        answer
            .params
            .push((SERVER_MAX_WINDOW_BITS.into(), Some(bits.to_string())));
    }
    (params, answer.to_string())
}

/// The parameters of one element, checked against RFC 7692 §7.1.
/// Window bits: `None` absent, `Some(None)` present without a value.
#[derive(Debug, Default, PartialEq, Eq)]
struct Params {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<Option<u8>>,
    client_max_window_bits: Option<Option<u8>>,
}

impl Params {
    fn parse(offer: &ExtensionOffer) -> std::result::Result<Params, &'static str> {
        let mut p = Params::default();
        let mut seen = [false; 4];
        for (name, value) in &offer.params {
            let index = [
                SERVER_NO_CONTEXT_TAKEOVER,
                CLIENT_NO_CONTEXT_TAKEOVER,
                SERVER_MAX_WINDOW_BITS,
                CLIENT_MAX_WINDOW_BITS,
            ]
            .iter()
            .position(|known| name.eq_ignore_ascii_case(known))
            // §7.1: "an extension parameter not defined for use in a[n]
            // offer/response" declines the offer or fails the client.
            .ok_or("unknown permessage-deflate parameter")?;
            // §7.1: no parameter may appear twice.
            if std::mem::replace(&mut seen[index], true) {
                return Err("repeated permessage-deflate parameter");
            }
            match index {
                // §7.1.1: the no_context_takeover parameters have no value.
                0 | 1 if value.is_some() => return Err("no_context_takeover with a value"),
                0 => p.server_no_context_takeover = true,
                1 => p.client_no_context_takeover = true,
                2 => p.server_max_window_bits = Some(window_bits(value.as_deref())?),
                _ => p.client_max_window_bits = Some(window_bits(value.as_deref())?),
            }
        }
        // §7.1.2.1: server_max_window_bits in an offer needs a value.
        if p.server_max_window_bits == Some(None) {
            return Err("server_max_window_bits without a value");
        }
        Ok(p)
    }
}

/// §7.1.2: a decimal integer from 8 to 15 without leading zeros.
fn window_bits(value: Option<&str>) -> std::result::Result<Option<u8>, &'static str> {
    let Some(v) = value else {
        return Ok(None);
    };
    let bits = match v.parse::<u8>() {
        Ok(b) if v.bytes().all(|c| c.is_ascii_digit()) && !v.starts_with('0') => b,
        _ => return Err("max_window_bits is not a number from 8 to 15"),
    };
    if !(MIN_WINDOW_BITS..=MAX_WINDOW_BITS).contains(&bits) {
        return Err("max_window_bits is not a number from 8 to 15");
    }
    Ok(Some(bits))
}

fn invalid(why: &str) -> crate::error::Error {
    HandshakeError::InvalidExtensionParams(why.to_string()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn accept(config: &DeflateConfig, response: &[&str]) -> Result<Option<DeflateParams>> {
        client_accept(config, &strings(response))
    }

    fn assert_invalid(result: Result<Option<DeflateParams>>) {
        match result {
            Err(Error::Handshake(HandshakeError::InvalidExtensionParams(_))) => {}
            other => panic!("expected InvalidExtensionParams, got {other:?}"),
        }
    }

    // RFC 7692 §7.1.2.2: the client always offers client_max_window_bits
    // (no value); §7.1.1: the no_context_takeover requests when asked.
    #[test]
    fn rfc7692_7_1_client_offer() {
        assert_eq!(
            client_offer(&DeflateConfig::default()),
            "permessage-deflate; client_max_window_bits"
        );
        let both = DeflateConfig {
            client_no_context_takeover: true,
            server_no_context_takeover: true,
            ..DeflateConfig::default()
        };
        assert_eq!(
            client_offer(&both),
            "permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits"
        );
    }

    // RFC 7692 §7.1: valid responses, including python websockets' default
    // (12-bit windows both ways) and a server adding no_context_takeover.
    #[test]
    fn rfc7692_7_1_valid_responses() {
        let c = DeflateConfig::default();
        assert_eq!(
            accept(&c, &["permessage-deflate"]).unwrap(),
            Some(DeflateParams::default())
        );
        let p = accept(
            &c,
            &["permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (p.server_max_window_bits, p.client_max_window_bits),
            (12, 12)
        );
        let p = accept(
            &c,
            &["permessage-deflate; Server_No_Context_Takeover; client_no_context_takeover"],
        )
        .unwrap()
        .unwrap();
        assert!(p.server_no_context_takeover && p.client_no_context_takeover);
        // Quoted values are tokens like any other (RFC 6455 §9.1).
        let p = accept(&c, &["permessage-deflate; client_max_window_bits=\"8\""])
            .unwrap()
            .unwrap();
        assert_eq!(p.client_max_window_bits, 8);
        // Declined: no element for deflate.
        assert_eq!(accept(&c, &[]).unwrap(), None);
        assert_eq!(accept(&c, &["x-other"]).unwrap(), None);
    }

    // RFC 7692 §7.1: an unknown parameter in the response fails the client.
    #[test]
    fn rfc7692_7_1_unknown_parameter() {
        let c = DeflateConfig::default();
        assert_invalid(accept(&c, &["permessage-deflate; foo"]));
        assert_invalid(accept(&c, &["permessage-deflate; mux=1"]));
    }

    // RFC 7692 §7.1: a parameter twice fails the client.
    #[test]
    fn rfc7692_7_1_duplicate_parameter() {
        let c = DeflateConfig::default();
        assert_invalid(accept(
            &c,
            &["permessage-deflate; server_no_context_takeover; server_no_context_takeover"],
        ));
        assert_invalid(accept(
            &c,
            &["permessage-deflate; client_max_window_bits=10; client_max_window_bits=10"],
        ));
    }

    // RFC 7692 §7.1.2: window bits are 8..15 without leading zeros, and a
    // response must give a value; no_context_takeover has none (§7.1.1).
    #[test]
    fn rfc7692_7_1_2_invalid_values() {
        let c = DeflateConfig::default();
        for bad in [
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=08",
            "permessage-deflate; server_max_window_bits=+9",
            "permessage-deflate; server_max_window_bits=abc",
            "permessage-deflate; server_max_window_bits=256",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; client_max_window_bits",
            "permessage-deflate; client_max_window_bits=1",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; client_no_context_takeover=true",
        ] {
            let got = accept(&c, &[bad]);
            assert!(
                matches!(
                    got,
                    Err(Error::Handshake(HandshakeError::InvalidExtensionParams(_)))
                ),
                "{bad}: {got:?}"
            );
        }
    }

    // RFC 7692 §5: one deflate element per response; §7.1.1.1: a requested
    // server_no_context_takeover must be in the answer.
    #[test]
    fn rfc7692_5_response_consistency() {
        let c = DeflateConfig::default();
        assert_invalid(accept(&c, &["permessage-deflate", "permessage-deflate"]));
        assert_invalid(accept(&c, &["permessage-deflate, permessage-deflate"]));
        let wants = DeflateConfig {
            server_no_context_takeover: true,
            ..DeflateConfig::default()
        };
        assert_invalid(accept(&wants, &["permessage-deflate"]));
        assert!(accept(&wants, &["permessage-deflate; server_no_context_takeover"]).is_ok());
    }

    fn choose(config: &DeflateConfig, offers: &[&str]) -> Option<(DeflateParams, String)> {
        server_accept(config, &strings(offers))
    }

    // RFC 7692 §5/§7.1: a browser's offer is accepted with defaults.
    #[test]
    fn rfc7692_5_server_accepts_browser_offer() {
        let (params, answer) = choose(
            &DeflateConfig::default(),
            &["permessage-deflate; client_max_window_bits"],
        )
        .unwrap();
        assert_eq!(params, DeflateParams::default());
        assert_eq!(answer, "permessage-deflate");
    }

    // RFC 7692 §7.1.2.1: an offered server_max_window_bits is echoed and
    // becomes our sending window; §7.1.1: no_context_takeover is agreed.
    #[test]
    fn rfc7692_7_1_server_answers_with_agreed_params() {
        let (params, answer) = choose(
            &DeflateConfig::default(),
            &["permessage-deflate; server_max_window_bits=10; client_no_context_takeover"],
        )
        .unwrap();
        assert_eq!(params.server_max_window_bits, 10);
        assert!(params.client_no_context_takeover);
        assert_eq!(
            answer,
            "permessage-deflate; client_no_context_takeover; server_max_window_bits=10"
        );
        let ours = DeflateConfig {
            server_no_context_takeover: true,
            ..DeflateConfig::default()
        };
        let (params, answer) = choose(&ours, &["permessage-deflate"]).unwrap();
        assert!(params.server_no_context_takeover);
        assert_eq!(answer, "permessage-deflate; server_no_context_takeover");
    }

    // RFC 7692 §7.1: offers with unknown, repeated or invalid parameters
    // are declined; the next acceptable offer is taken.
    #[test]
    fn rfc7692_7_1_server_declines_invalid_offers() {
        let c = DeflateConfig::default();
        for bad in [
            "permessage-deflate; foo",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; client_max_window_bits=7",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "x-webkit-deflate-frame",
        ] {
            assert_eq!(choose(&c, &[bad]), None, "{bad}");
        }
        let (params, _) = choose(
            &c,
            &[
                "permessage-deflate; foo",
                "permessage-deflate; server_max_window_bits=12",
            ],
        )
        .unwrap();
        assert_eq!(params.server_max_window_bits, 12);
    }

    // Both halves together: whatever our server answers, our client
    // accepts with the same agreed parameters.
    #[test]
    fn server_answer_passes_client_check() {
        for config in [
            DeflateConfig::default(),
            DeflateConfig {
                client_no_context_takeover: true,
                server_no_context_takeover: true,
                level: 1,
            },
        ] {
            let offer = client_offer(&config);
            let (server_params, answer) = choose(&config, &[offer.as_str()]).unwrap();
            let client_params = accept(&config, &[answer.as_str()]).unwrap().unwrap();
            assert_eq!(client_params, server_params);
        }
    }
}
