package io.tunnelvision.api.ingest;

/** Writing a batch failed; the cause (usually an SQLException) says whether to retry, see {@link SqlErrors}. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
