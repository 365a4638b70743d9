package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a file that some kernels lack: a missing file is a debug line and an unreadable one a warning, and both
 * give null, so the collector goes on without it.
 */
final class OptionalFile {

    private static final Logger LOG = LoggerFactory.getLogger(OptionalFile.class);

    /** How a collector reads a file; null when the file does not exist. */
    interface Reader<T> {
        T read(Path file) throws IOException;
    }

    private OptionalFile() {
    }

    static <T> T read(Reader<T> reader, Path file) {
        try {
            T text = reader.read(file);
            if (text == null) {
                LOG.debug("{} does not exist on this kernel", file);
            }
            return text;
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}", file, e.getMessage());
            return null;
        }
    }
}
