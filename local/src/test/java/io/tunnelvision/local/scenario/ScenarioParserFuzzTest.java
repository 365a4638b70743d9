package io.tunnelvision.local.scenario;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scenario parser from hostile text: a {@link Scenario} or a {@link ScenarioException} naming the line and
 * the field, nothing else (no YAML exception, no NumberFormatException, no stack overflow from deep nesting). Seeds:
 * the default scenario and the scenarios of the tests.
 */
class ScenarioParserFuzzTest {

    private static final List<String> SEEDS = List.of("/io/tunnelvision/local/scenario/default.yaml",
            "/io/tunnelvision/local/bench.yaml", "/io/tunnelvision/local/e2e.yaml",
            "/io/tunnelvision/local/secure-loop.yaml");

    @BeforeAll
    static void plantSeeds() throws IOException {
        String base = System.getProperty("jazzer.internal.basedir");
        if (base == null || base.isEmpty()) {
            return;
        }
        Path corpus = Path.of(base, ".cifuzz-corpus", ScenarioParserFuzzTest.class.getName(), "parseScenario");
        Files.createDirectories(corpus);
        for (int k = 0; k < SEEDS.size(); k++) {
            Files.write(corpus.resolve("seed-" + k), seed(SEEDS.get(k)));
        }
    }

    private static byte[] seed(String resource) {
        try (InputStream in = ScenarioParserFuzzTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no scenario " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseScenario(byte[] input) {
        Scenario scenario;
        try {
            scenario = ScenarioParser.parse("fuzz.yaml", new String(input, StandardCharsets.UTF_8));
        } catch (ScenarioException declared) {
            assertTrue(declared.getMessage().startsWith("fuzz.yaml"), declared.getMessage());
            return;
        }
        assertNotNull(scenario);
    }

    @Test
    void everySeedParses() {
        for (String seed : SEEDS) {
            parseScenario(seed(seed));
        }
    }
}
