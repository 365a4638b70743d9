/**
 * Ed25519 signing of {@link io.tunnelvision.schemas.avro.TuningCommand}s, shared by the planner (signs) and the
 * agent (verifies), and of {@link io.tunnelvision.schemas.avro.CommandDecision}s, signed by the api and verified
 * by the gate. One mechanism for both; the keys differ: the planner's key makes gateways change their kernels,
 * the api's key only releases a proposal the gate already holds.
 *
 * <p>What is signed: the Avro single-object encoding ({@code C3 01}, fingerprint, body) of the command with
 * {@code signature} set to empty bytes and every other field, {@code keyId} included, as sent. The verifier
 * re-encodes the received command the same way, so both sides must encode with the same schema version of
 * {@code TuningCommand}; a command whose writer schema the verifier does not share fails verification, which is
 * the safe side for a command that changes a kernel. A decision is signed the same way over its own schema, whose
 * fingerprint differs, so no signature can be moved from one kind of record to the other.
 *
 * <p>Key files are PEM: the private key as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), the public key as X.509
 * SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), the same formats {@code openssl genpkey -algorithm
 * ed25519} and {@code openssl pkey -pubout} write. A key id is the first 8 bytes of the SHA-256 of the public
 * key's X.509 encoding, as 16 lowercase hex digits: both sides derive it from the key, so it cannot be mislabelled.
 * Create a pair with {@link io.tunnelvision.schemas.sign.Keygen}.
 *
 * <p>A reader trusts a {@link io.tunnelvision.schemas.sign.KeyRing}: several public keys at once (rotation) and a
 * revocation list of key ids it refuses whatever they signed, loaded by
 * {@link io.tunnelvision.schemas.sign.TrustedKeys}.
 */
package io.tunnelvision.schemas.sign;
