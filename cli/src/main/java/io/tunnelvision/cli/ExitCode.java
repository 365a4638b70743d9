package io.tunnelvision.cli;

/**
 * The CLI's exit codes, one per kind of failure, so a script can tell "the api is down" from "my token is wrong"
 * from "no such command" without reading the message (README.md, "Command line").
 */
public enum ExitCode {
    /** Done. */
    OK(0),
    /** The api answered 5xx (or something that is not its JSON): its log says why. */
    SERVER_ERROR(1),
    /** Bad arguments or settings, or the api refused the request as malformed (400). */
    USAGE(2),
    /** The api could not be reached: connection refused, unknown host, timeout, TLS handshake failed. */
    CANNOT_CONNECT(3),
    /** The api refused the token (401) or its role (403: a viewer token on an operator command). */
    DENIED(4),
    /** No such host, command or route (404). */
    NOT_FOUND(5),
    /** The request conflicts with the state (409), e.g. approving a command that is no longer proposed. */
    CONFLICT(6);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
