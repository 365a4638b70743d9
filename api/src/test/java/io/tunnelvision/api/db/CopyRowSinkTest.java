package io.tunnelvision.api.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyRowSinkTest {

    @Test
    void valuesAreWrittenInCopyTextFormat() {
        RowBatch batch = new RowBatch("t", List.of("a", "b", "c", "d", "e", "f"));
        batch.add(1, Instant.parse("2026-03-10T12:00:00.5Z"), new Float[] {1.5f, null}, new Float[][] {{1f, 0f}},
                new String[] {"x\"y", "a,b", null}, null);

        assertEquals("1\t2026-03-10T12:00:00.500Z\t{1.5,NULL}\t{{1.0,0.0}}\t{\"x\\\\\"y\",\"a,b\",NULL}\t\\N\n",
                CopyRowSink.encode(batch));
    }

    @Test
    void separatorsAndBackslashesInTextAreEscaped() {
        assertEquals("a\\tb\\nc\\\\N\\r", CopyRowSink.escape("a\tb\nc\\N\r"));
        assertEquals("plain", CopyRowSink.escape("plain"));
    }
}
