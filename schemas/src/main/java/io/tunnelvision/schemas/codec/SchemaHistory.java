package io.tunnelvision.schemas.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every version of a record's schema that this repository has ever published, oldest first, read from
 * {@code /io/tunnelvision/schemas/history/<Record>/v<N>.avsc} on the classpath. Versions are never edited or
 * removed: an agent built years ago still writes them.
 */
public final class SchemaHistory {

    static final String ROOT = "/io/tunnelvision/schemas/history/";

    private SchemaHistory() {
    }

    public static List<Schema> versionsOf(String recordName) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            String path = resourcePath(recordName, version);
            try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema history " + path, e);
            }
        }
    }

    public static String resourcePath(String recordName, int version) {
        return ROOT + recordName + "/v" + version + ".avsc";
    }
}
