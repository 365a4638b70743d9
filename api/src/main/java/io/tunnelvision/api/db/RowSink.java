package io.tunnelvision.api.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Writes a {@link RowBatch} on a connection inside the caller's transaction, skipping rows whose primary key is
 * already stored. Two ways, measured against each other in BENCHMARKS.md.
 */
public interface RowSink {

    /** @return rows actually inserted (duplicates not counted) */
    int write(Connection connection, RowBatch batch) throws SQLException;

    static RowSink copy() {
        return new CopyRowSink();
    }

    static RowSink multiRowInsert() {
        return new InsertRowSink();
    }
}
