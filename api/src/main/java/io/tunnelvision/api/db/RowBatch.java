package io.tunnelvision.api.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rows for one table, in the column order given. Values are Integer, Long, Float, Double, Boolean, String,
 * Instant, Float[] (a per-CPU array, nulls allowed), Float[][] (rectangular), Long[] (nulls allowed) or String[];
 * null is SQL NULL.
 * Rows that collide with a stored row on the primary key are skipped: replays do no harm.
 */
public final class RowBatch {

    private final String table;
    private final List<String> columns;
    private final List<Object[]> rows = new ArrayList<>();

    public RowBatch(String table, List<String> columns) {
        this.table = Objects.requireNonNull(table, "table");
        this.columns = List.copyOf(columns);
    }

    public static RowBatch of(MetricFamily family, Tier tier) {
        return new RowBatch(family.table(tier), family.columns(tier));
    }

    public RowBatch add(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(table + " takes " + columns.size() + " values, got " + values.length);
        }
        rows.add(values);
        return this;
    }

    public String table() {
        return table;
    }

    public List<String> columns() {
        return columns;
    }

    public List<Object[]> rows() {
        return rows;
    }

    public int size() {
        return rows.size();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }
}
