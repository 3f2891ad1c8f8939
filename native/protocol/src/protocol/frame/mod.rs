//! Frames: header layout, masking and coding (§5.2, §5.3).

mod coding;
mod header;
mod mask;

pub use coding::Opcode;
pub use header::{FrameHeader, RSV1, RSV2, RSV3};
pub use mask::{apply_mask, extend_masked};

/// The longest frame header: 2 + 8 (64-bit length) + 4 (mask key).
pub const MAX_HEADER_LEN: usize = 14;
