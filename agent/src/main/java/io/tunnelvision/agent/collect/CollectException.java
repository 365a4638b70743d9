package io.tunnelvision.agent.collect;

/** No sample could be made from a source; the message says which file and what to check. */
public final class CollectException extends Exception {

    private static final long serialVersionUID = 1L;

    public CollectException(String message) {
        super(message);
    }

    public CollectException(String message, Throwable cause) {
        super(message, cause);
    }
}
