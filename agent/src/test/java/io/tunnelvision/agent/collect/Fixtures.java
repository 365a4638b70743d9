package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The fixture files and trees under src/test/resources/fixtures (see the README there). */
final class Fixtures {

    private Fixtures() {
    }

    /** A fixture file or directory, e.g. {@code layouts/interrupts/arm64.txt} or {@code live-host/proc}. */
    static Path path(String relative) {
        URL url = Fixtures.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("No fixture " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SampleHeader header() {
        return new SampleHeader("gw-test", "boot-1", 7L, 1_700_000_000_000L, "test");
    }
}
