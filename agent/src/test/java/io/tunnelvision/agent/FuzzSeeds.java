package io.tunnelvision.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The seeds of the agent's fuzz tests: the real fixture files under {@code src/test/resources/fixtures}, handed to
 * Jazzer as the start of its corpus, so that it mutates files laid out as kernels print them instead of
 * discovering the layout from nothing.
 *
 * <p>Jazzer reads a generated corpus from {@code <jazzer.internal.basedir>/.cifuzz-corpus/<class>/<method>}; the
 * build's {@code fuzz} execution sets the base directory under {@code target/}. A test copies its fixtures there
 * before Jazzer starts ({@code @BeforeAll}); without the property (the ordinary test run) nothing is copied and
 * the same files are run as plain regression inputs ({@link #files}).
 */
public final class FuzzSeeds {

    private FuzzSeeds() {
    }

    /** Every regular file under the fixture paths given (files or directories, relative to {@code fixtures/}). */
    public static List<Path> files(String... fixtures) {
        try {
            Stream<Path> all = Stream.empty();
            for (String fixture : fixtures) {
                all = Stream.concat(all, walk(fixture(fixture)));
            }
            return all.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies {@code seeds} into the corpus Jazzer reads for {@code test}'s {@code method}, when fuzzing. */
    public static void plant(Class<?> test, String method, List<Path> seeds) {
        String base = System.getProperty("jazzer.internal.basedir");
        if (base == null || base.isEmpty()) {
            return;
        }
        Path corpus = Path.of(base, ".cifuzz-corpus", test.getName(), method);
        try {
            Files.createDirectories(corpus);
            int n = 0;
            for (Path seed : seeds) {
                Files.copy(seed, corpus.resolve("seed-" + n++ + "-" + seed.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code seeds} (made by the test) into the corpus Jazzer reads for {@code test}'s {@code method}. */
    public static void plantBytes(Class<?> test, String method, List<byte[]> seeds) {
        String base = System.getProperty("jazzer.internal.basedir");
        if (base == null || base.isEmpty()) {
            return;
        }
        Path corpus = Path.of(base, ".cifuzz-corpus", test.getName(), method);
        try {
            Files.createDirectories(corpus);
            for (int n = 0; n < seeds.size(); n++) {
                Files.write(corpus.resolve("seed-" + n), seeds.get(n));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path fixture(String relative) {
        URL url = FuzzSeeds.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("No fixture " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Stream<Path> walk(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList().stream();
        }
    }
}
