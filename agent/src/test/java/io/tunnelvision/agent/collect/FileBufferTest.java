package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBufferTest {

    @Test
    void filesLargerThanTheBufferAreReadWhole(@TempDir Path dir) throws Exception {
        String big = "x".repeat(300_000) + "end";
        Files.writeString(dir.resolve("big"), big);
        FileBuffer buffer = new FileBuffer();

        CharSequence text = buffer.read(dir.resolve("big"));

        assertEquals(big.length(), text.length());
        assertEquals("end", text.subSequence(big.length() - 3, big.length()).toString());
    }

    @Test
    void aFileTooBigForTheHeapIsRefusedWithTheHeapToGiveAndTheBufferStaysUsable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("huge"), "y".repeat(300_000));
        Files.writeString(dir.resolve("fits"), "z".repeat(200_000));
        FileBuffer buffer = new FileBuffer(256 * 1024);

        java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> buffer.read(dir.resolve("huge")));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("larger than 256 KiB")
                && refused.getMessage().contains("-Xmx"), refused.getMessage());
        assertEquals(200_000, buffer.read(dir.resolve("fits")).length());
    }

    @Test
    void theLimitIsAQuarterOfTheHeap() {
        assertEquals(4L << 20, FileBuffer.limitForHeap(16L << 20));
        assertEquals(16L << 20, FileBuffer.limitForHeap(64L << 20));
    }

    @Test
    void aShorterFileAfterALongerOneShowsOnlyItsOwnBytes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("long"), "0123456789");
        Files.writeString(dir.resolve("short"), "ab");
        FileBuffer buffer = new FileBuffer();
        buffer.read(dir.resolve("long"));

        assertEquals("ab", buffer.read(dir.resolve("short")).toString());
    }

    @Test
    void copiedTextIsDecodedAsUtf8(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("f"), "wg-zürich".getBytes(StandardCharsets.UTF_8));

        assertEquals("wg-zürich", new FileBuffer().read(dir.resolve("f")).toString());
    }

    @Test
    void missingFileIsNull(@TempDir Path dir) throws Exception {
        assertNull(new FileBuffer().read(dir.resolve("none")));
    }
}
