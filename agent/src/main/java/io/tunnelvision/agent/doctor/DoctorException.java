package io.tunnelvision.agent.doctor;

/** The doctor could not read the host at all: the proc or sys root is wrong or not mounted. */
public final class DoctorException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DoctorException(String message, Throwable cause) {
        super(message, cause);
    }
}
