package io.tunnelvision.api.db;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;

/**
 * A bound {@code INSERT ... VALUES (...) ON CONFLICT DO NOTHING} in JDBC batches; with the driver's
 * {@code reWriteBatchedInserts} (set by {@link Database#pooled}) each batch goes out as multi-row inserts.
 */
final class InsertRowSink implements RowSink {

    @Override
    public int write(Connection connection, RowBatch batch) throws SQLException {
        if (batch.isEmpty()) {
            return 0;
        }
        String sql = "INSERT INTO " + batch.table() + " (" + String.join(", ", batch.columns()) + ") VALUES ("
                + String.join(", ", Collections.nCopies(batch.columns().size(), "?")) + ") ON CONFLICT DO NOTHING";
        int inserted = 0;
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Object[] row : batch.rows()) {
                for (int i = 0; i < row.length; i++) {
                    bind(connection, statement, i + 1, row[i]);
                }
                statement.addBatch();
            }
            for (int count : statement.executeBatch()) {
                // a rewritten batch reports SUCCESS_NO_INFO per row: the count is then unknown, not negative
                inserted += count == Statement.SUCCESS_NO_INFO ? 0 : count;
            }
        }
        return inserted;
    }

    private static void bind(Connection connection, PreparedStatement statement, int index, Object value)
            throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.OTHER);
        } else if (value instanceof Instant instant) {
            statement.setObject(index, instant.atOffset(ZoneOffset.UTC));
        } else if (value instanceof Float[][] || value instanceof Float[]) {
            Array array = connection.createArrayOf("float4", (Object[]) value);
            statement.setArray(index, array);
        } else if (value instanceof String[] strings) {
            statement.setArray(index, connection.createArrayOf("text", strings));
        } else if (value instanceof Long[] longs) {
            statement.setArray(index, connection.createArrayOf("int8", longs));
        } else {
            statement.setObject(index, value);
        }
    }
}
