package io.tunnelvision.schemas.sign;

/** A key file that cannot be read or written, or a key that is not Ed25519; the message says which and why. */
public final class SigningException extends RuntimeException {

    public SigningException(String message) {
        super(message);
    }

    public SigningException(String message, Throwable cause) {
        super(message, cause);
    }
}
