package io.tunnelvision.agent.collect;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A read-only {@code List<Long>} over a {@code long[]}, for the per-CPU arrays of the Avro records.
 *
 * <p>Why: a 1152-CPU host has 1152 counts per kept IRQ line and per array of the interrupt sample. Boxing them
 * all into an {@code ArrayList} each second would keep tens of thousands of {@code Long}s alive until the
 * record is serialised; this view boxes one at a time while the writer iterates.
 */
final class LongList extends AbstractList<Long> implements RandomAccess {

    private final long[] values;

    private LongList(long[] values) {
        this.values = values;
    }

    /** A view of {@code values}, which the caller must not change afterwards. */
    static List<Long> of(long[] values) {
        return new LongList(values);
    }

    @Override
    public Long get(int index) {
        return values[index];
    }

    @Override
    public int size() {
        return values.length;
    }
}
