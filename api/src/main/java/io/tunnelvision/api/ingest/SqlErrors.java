package io.tunnelvision.api.ingest;

import java.io.IOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.SQLRecoverableException;
import java.util.Set;

/**
 * Tells an outage (retry the same batch later) from a batch the database will never take (split it and
 * dead-letter the rows it refuses). Unknown errors count as outages: retrying a bad batch forever is visible in the
 * metrics and logs, losing a good one is not visible at all.
 */
public final class SqlErrors {

    /** SQLSTATE classes and codes that say "the data is wrong", not "the server is unwell". */
    private static final Set<String> PERMANENT_CLASSES = Set.of("22", "23", "42", "2B", "44");

    private SqlErrors() {
    }

    public static boolean isPermanent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
                    || t instanceof ConnectException || t instanceof IOException) {
                return false;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() == 5) {
                return PERMANENT_CLASSES.contains(sql.getSQLState().substring(0, 2));
            }
        }
        return false;
    }
}
