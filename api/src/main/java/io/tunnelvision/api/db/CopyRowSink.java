package io.tunnelvision.api.db;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * COPY into a session-private staging table, then one {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}: COPY
 * cannot skip duplicates itself, and the staging step keeps ingest idempotent at nearly COPY's speed. The staging
 * table lives as long as the pooled connection and is emptied at every commit.
 */
final class CopyRowSink implements RowSink {

    @Override
    public int write(Connection connection, RowBatch batch) throws SQLException {
        if (batch.isEmpty()) {
            return 0;
        }
        String stage = "stage_" + batch.table();
        String columns = String.join(", ", batch.columns());
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + batch.table()
                    + ") ON COMMIT DELETE ROWS");
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        try {
            copy.copyIn("COPY " + stage + " (" + columns + ") FROM STDIN", new java.io.StringReader(encode(batch)));
        } catch (IOException e) {
            throw new SQLException("COPY into " + stage + " failed: " + e.getMessage(), "08006", e);
        }
        try (Statement statement = connection.createStatement()) {
            int inserted = statement.executeUpdate("INSERT INTO " + batch.table() + " (" + columns + ") SELECT "
                    + columns + " FROM " + stage + " ON CONFLICT DO NOTHING");
            // Emptied here too, not only at commit, so two batches for one table in one transaction stay apart.
            statement.execute("TRUNCATE " + stage);
            return inserted;
        }
    }

    /** The rows in COPY's text format. */
    static String encode(RowBatch batch) {
        StringWriter out = new StringWriter(batch.size() * 128);
        try {
            for (Object[] row : batch.rows()) {
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) {
                        out.write('\t');
                    }
                    writeValue(out, row[i]);
                }
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeValue(StringWriter out, Object value) throws IOException {
        if (value == null) {
            out.write("\\N");
        } else if (value instanceof Instant instant) {
            out.write(instant.toString());
        } else if (value instanceof Float[][] matrix) {
            StringBuilder text = new StringBuilder("{");
            for (int i = 0; i < matrix.length; i++) {
                if (i > 0) {
                    text.append(',');
                }
                appendFloats(text, matrix[i]);
            }
            out.write(text.append('}').toString());
        } else if (value instanceof Float[] floats) {
            StringBuilder text = new StringBuilder();
            appendFloats(text, floats);
            out.write(text.toString());
        } else if (value instanceof String[] strings) {
            StringBuilder text = new StringBuilder("{");
            for (int i = 0; i < strings.length; i++) {
                if (i > 0) {
                    text.append(',');
                }
                if (strings[i] == null) {
                    text.append("NULL");
                } else {
                    text.append('"').append(strings[i].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                }
            }
            out.write(escape(text.append('}').toString()));
        } else if (value instanceof Long[] longs) {
            StringBuilder text = new StringBuilder("{");
            for (int i = 0; i < longs.length; i++) {
                text.append(i > 0 ? "," : "").append(longs[i] == null ? "NULL" : longs[i].toString());
            }
            out.write(text.append('}').toString());
        } else if (value instanceof String string) {
            out.write(escape(string));
        } else {
            out.write(value.toString());
        }
    }

    private static void appendFloats(StringBuilder text, Float[] floats) {
        text.append('{');
        for (int i = 0; i < floats.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(floats[i] == null ? "NULL" : floats[i].toString());
        }
        text.append('}');
    }

    /** COPY text format: backslash, and the row and column separators, are escaped. */
    static String escape(String value) {
        StringBuilder escaped = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (replacement != null && escaped == null) {
                escaped = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (escaped != null) {
                if (replacement != null) {
                    escaped.append(replacement);
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? value : escaped.toString();
    }
}
