package io.tunnelvision.api.db;

/** For the benchmark: the same COPY text the sink sends, for a COPY straight into the table. */
public final class PlainCopy {

    private PlainCopy() {
    }

    public static String encode(RowBatch batch) {
        return CopyRowSink.encode(batch);
    }
}
