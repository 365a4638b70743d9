package io.tunnelvision.cli;

/** A failure the operator can act on: its message says what was wrong and what to do; it ends with its code. */
public final class CliException extends RuntimeException {

    private final ExitCode exitCode;

    public CliException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
