package io.tunnelvision.agent.collect;

/**
 * A whole file could not be understood, as opposed to a malformed line, which parsers skip and count. Thrown
 * when the part that gives every other line its meaning is missing, such as the CPU header of
 * {@code /proc/interrupts}.
 */
public final class MalformedFileException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedFileException(String message) {
        super(message);
    }
}
