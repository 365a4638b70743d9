package io.tunnelvision.schemas.sign;

/** Why a signed record (a command, a decision) was accepted or refused by a {@link KeyRing}. */
public enum SignatureVerdict {
    VALID,
    /** No key id at all: nothing was signed, such as a proposal waiting for an operator. */
    UNSIGNED,
    /** The key id is on the revocation list: whatever it signed is refused, valid signature or not. */
    REVOKED,
    /** The key id names no trusted key. */
    UNKNOWN_KEY,
    /** No signature, or one that is not 64 bytes. */
    MALFORMED,
    /** The key is trusted but the signature does not match the content: altered, or signed by another key. */
    BAD_SIGNATURE
}
