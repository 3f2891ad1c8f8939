//! Extension negotiation hook (§9) and the RSV1 path for permessage-deflate (RFC 7692).
// CONTRACT STUB.
