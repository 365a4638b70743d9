package io.tunnelvision.agent.collect;

/**
 * What {@link SoftnetParser} read, as primitives: for each kept line of {@code /proc/net/softnet_stat} its row
 * number (the line's place among the non-blank lines) and its first {@link #KNOWN_COLUMNS} columns. Lines with
 * fewer columns than most lines were cut off: they are not kept, only counted in {@link #malformedLines()}.
 *
 * <p>Column indices are 0-based here ({@link #PROCESSED} is the file's first column); see {@link SoftnetParser}
 * for what each one means. Instances share the parser's arrays and are not to be changed.
 */
public final class SoftnetTable {

    public static final int PROCESSED = 0;
    public static final int DROPPED = 1;
    public static final int TIME_SQUEEZE = 2;
    public static final int RECEIVED_RPS = 9;
    public static final int FLOW_LIMIT_COUNT = 10;
    public static final int BACKLOG_LEN = 11;
    public static final int CPU_INDEX = 12;
    /** Columns after these are ignored: a newer kernel adding one must not make the file unreadable. */
    public static final int KNOWN_COLUMNS = 15;
    // One slot more than the known columns: it only marks "more than fifteen" while parsing.
    static final int SLOTS = KNOWN_COLUMNS + 1;

    private final int lines;
    private final int[] rows;
    private final int[] columns;
    private final long[] values;
    private final int malformedLines;

    SoftnetTable(int lines, int[] rows, int[] columns, long[] values, int malformedLines) {
        this.lines = lines;
        this.rows = rows;
        this.columns = columns;
        this.values = values;
        this.malformedLines = malformedLines;
    }

    /** Number of kept lines. */
    public int lines() {
        return lines;
    }

    /** Columns kept line {@code line} has, at most {@link #KNOWN_COLUMNS}. */
    public int columns(int line) {
        checkLine(line);
        return Math.min(columns[line], KNOWN_COLUMNS);
    }

    /** Whether kept line {@code line} has the 0-based {@code column}. */
    public boolean has(int line, int column) {
        return column >= 0 && column < columns(line);
    }

    /** Row number of kept line {@code line} in the file (malformed lines have numbers too). */
    public int row(int line) {
        checkLine(line);
        return rows[line];
    }

    /** The 0-based {@code column} of kept line {@code line}. */
    public long value(int line, int column) {
        if (!has(line, column)) {
            throw new IndexOutOfBoundsException("column " + column + " of " + columns(line));
        }
        return values[line * SLOTS + column];
    }

    public int malformedLines() {
        return malformedLines;
    }

    private void checkLine(int line) {
        if (line < 0 || line >= lines) {
            throw new IndexOutOfBoundsException("line " + line + " of " + lines);
        }
    }
}
