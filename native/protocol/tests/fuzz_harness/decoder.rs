//! Hostile bytes into the decoder, in both roles, under small limits.

use super::events::{feed, Outcome};
use super::input::{Chunker, Input};
use super::test_extensions::{Doubling, Reverse};
use devian_ws_protocol::deflate::{DeflateParams, PerMessageDeflate};
use devian_ws_protocol::{Decoder, Limits, Role};

/// Input layout: a flags byte (bit 0 role, bit 1 auto-pong off, bits 2-3
/// extension: none / strict doubling / lax doubling / reverse, bits 4-6
/// the extension's RSV bits; bit 7 instead installs permessage-deflate,
/// RFC 7692, with bit 4 choosing no context takeover), two u16 limits (reduced so frames and
/// messages over them are common and the 1009 paths are hit), a u32
/// chunking seed and a byte for the largest piece; the rest is the stream.
///
/// The stream is decoded three times: whole, in pseudo-random pieces and
/// byte by byte. Besides the per-call checks of [`feed`], all three must
/// produce the same events and end the same way: no decoder state may
/// depend on where reads happen to split the stream.
pub fn check_decoder(data: &[u8]) {
    let mut input = Input::new(data);
    let flags = input.u8();
    let role = if flags & 1 == 0 {
        Role::Client
    } else {
        Role::Server
    };
    let auto_pong = flags & 2 == 0;
    let limits = Limits {
        max_frame_size: usize::from(input.u16() % 600),
        max_message_size: usize::from(input.u16() % 1200),
    };
    let seed = input.u32();
    let max_piece = 1 + usize::from(input.u8());
    let wire = input.rest();

    let run = |direct: bool, next_len: &mut dyn FnMut() -> usize| -> Outcome {
        let mut dec = Decoder::new(role, limits);
        dec.set_auto_pong(auto_pong);
        let bits = (flags >> 4) & 0b111;
        match (flags >> 2) & 0b11 {
            // RFC 7692 §8: hostile compressed data must neither crash the
            // inflater nor expand past max_message_size.
            _ if flags & 0x80 != 0 => dec.set_extension(Box::new(deflate(role, flags & 0x10 != 0))),
            0 => {}
            1 => dec.set_extension(Box::new(Doubling { strict: true, bits })),
            2 => dec.set_extension(Box::new(Doubling {
                strict: false,
                bits,
            })),
            _ => dec.set_extension(Box::new(Reverse)),
        }
        feed(&mut dec, wire, auto_pong, direct, next_len)
    };

    let whole = run(false, &mut || usize::MAX);
    let mut chunker = Chunker::new(seed, max_piece);
    let pieces = run(false, &mut || chunker.next_len());
    assert_eq!(whole, pieces, "random pieces differ from the whole stream");
    let bytes = run(false, &mut || 1);
    assert_eq!(whole, bytes, "byte-by-byte differs from the whole stream");
    let mut chunker = Chunker::new(seed, max_piece);
    let direct = run(true, &mut || chunker.next_len());
    assert_eq!(
        whole, direct,
        "payload read in place differs from the whole stream"
    );
}

/// permessage-deflate for `role` with default windows.
fn deflate(role: Role, no_context_takeover: bool) -> PerMessageDeflate {
    PerMessageDeflate::new(
        role,
        DeflateParams {
            server_no_context_takeover: no_context_takeover,
            client_no_context_takeover: no_context_takeover,
            ..DeflateParams::default()
        },
    )
}
