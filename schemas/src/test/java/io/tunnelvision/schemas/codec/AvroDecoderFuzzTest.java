package io.tunnelvision.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.schemas.ExampleRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Avro decoder of every record type that travels on a topic ({@link AvroRecords#all()}), from hostile bytes:
 * the first byte of an input picks the type, the rest is the payload. A payload decodes or is a
 * {@link PayloadDecodeException}, whatever its length prefixes claim (the build fuzzes with a 256 MiB heap), and a
 * record that decodes encodes to bytes that decode and encode to the same bytes. Seeds: one valid payload of every type
 * ({@link ExampleRecords#all}). The long run gives it 15 million inputs, about a million per type; how many each
 * type got is printed at the end.
 */
class AvroDecoderFuzzTest {

    private static final List<Class<? extends SpecificRecord>> TYPES = AvroRecords.all();
    private static final List<AvroCodec<SpecificRecord>> CODECS = TYPES.stream().map(AvroDecoderFuzzTest::codec)
            .toList();
    private static final AtomicLongArray INPUTS = new AtomicLongArray(TYPES.size());
    private static final AtomicLongArray DECODED = new AtomicLongArray(TYPES.size());

    @SuppressWarnings("unchecked")
    private static AvroCodec<SpecificRecord> codec(Class<? extends SpecificRecord> type) {
        return (AvroCodec<SpecificRecord>) AvroCodec.of(type);
    }

    @BeforeAll
    static void plantSeeds() throws IOException {
        String base = System.getProperty("jazzer.internal.basedir");
        if (base == null || base.isEmpty()) {
            return;
        }
        Path corpus = Path.of(base, ".cifuzz-corpus", AvroDecoderFuzzTest.class.getName(), "decode");
        Files.createDirectories(corpus);
        for (byte[] seed : seeds()) {
            Files.write(corpus.resolve("seed-" + seed[0]), seed);
        }
    }

    private static List<byte[]> seeds() {
        return ExampleRecords.all("gw-1").stream().map(record -> {
            int type = TYPES.indexOf(record.getClass());
            byte[] payload = CODECS.get(type).encode(record);
            byte[] seed = new byte[payload.length + 1];
            seed[0] = (byte) type;
            System.arraycopy(payload, 0, seed, 1, payload.length);
            return seed;
        }).toList();
    }

    @FuzzTest(maxExecutions = 15_000_000)
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int type = Byte.toUnsignedInt(input[0]) % TYPES.size();
        INPUTS.incrementAndGet(type);
        AvroCodec<SpecificRecord> codec = CODECS.get(type);
        SpecificRecord record;
        try {
            record = codec.decode(Arrays.copyOfRange(input, 1, input.length));
        } catch (PayloadDecodeException declared) {
            return;
        }
        DECODED.incrementAndGet(type);
        // Compared as bytes: a record holding NaN is never equals() to itself (Avro compares doubles with <).
        byte[] once = codec.encode(record);
        assertArrayEquals(once, codec.encode(codec.decode(once)));
    }

    @AfterAll
    static void report() {
        StringBuilder out = new StringBuilder("AvroDecoderFuzzTest inputs per type (decoded):");
        for (int k = 0; k < TYPES.size(); k++) {
            out.append(' ').append(TYPES.get(k).getSimpleName()).append('=').append(INPUTS.get(k))
                    .append(" (").append(DECODED.get(k)).append(')');
        }
        System.out.println(out);
    }

    @Test
    void everySeedDecodes() {
        for (byte[] seed : seeds()) {
            decode(seed);
        }
        for (int k = 0; k < TYPES.size(); k++) {
            assertEquals(INPUTS.get(k) > 0, DECODED.get(k) > 0, TYPES.get(k).getSimpleName());
        }
    }

    static {
        AvroLimits.install();
    }

}
