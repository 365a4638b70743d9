package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules of the repository that a reviewer would otherwise have to remember. */
class RepositoryRulesTest {

    private static final Path ROOT = RepoRoot.find();
    private static final List<String> MODULES = List.of("schemas", "embedded", "agent", "streams", "api", "local", "bench");

    @Test
    void topicNamesAreWrittenOnlyInTheRegistry() throws IOException {
        Pattern literal = Pattern.compile("\"[^\"]*tunnelvision-[a-z]");
        List<String> offenders = new ArrayList<>();
        for (Path file : javaSources()) {
            if (file.endsWith(Path.of("schemas/topic/Topics.java"))) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                // application ids and state directories share the prefix but are not topics
                if (literal.matcher(line).find() && line.contains("\"tunnelvision-") && mentionsTopic(line)) {
                    offenders.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + line.trim());
                }
            }
        }
        assertEquals(List.of(), offenders, "topic names belong in schemas' Topics registry only");
    }

    @Test
    void modulePomsCarryNoVersionsOfTheirOwn() throws IOException {
        Pattern version = Pattern.compile("<version>([^<]*)</version>");
        for (String module : MODULES) {
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            String withoutParent = pom.replaceFirst("(?s)<parent>.*?</parent>", "");
            Matcher m = version.matcher(withoutParent);
            List<String> found = new ArrayList<>();
            while (m.find()) {
                found.add(m.group());
            }
            assertEquals(List.of(), found, module + "/pom.xml: versions live in the root pom only");
        }
    }

    @Test
    void ciRunsTheTestCommandTheReadmeGivesAndNothingElseInstallsTools() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        Matcher m = Pattern.compile("(?m)^\\s*(\\./tunnelvision test)\\s*$").matcher(readme);
        assertTrue(m.find(), "README.md must give the test command (./tunnelvision test) on a line of its own");
        String command = m.group(1).trim();
        assertTrue(ci.lines().anyMatch(line -> line.trim().equals(command)),
                ".ci/run must run '" + command + "' exactly as README.md gives it");
        assertFalse(ci.contains("apt-get"), ".ci/run must leave installing to the test command (test-tools.sh)");
        String launcher = Files.readString(ROOT.resolve("tunnelvision"));
        assertTrue(launcher.contains("test-tools.sh") && launcher.contains("mvn -B verify"),
                "./tunnelvision test installs the tools (test-tools.sh), then runs mvn -B verify");
    }

    private static boolean mentionsTopic(String line) {
        return Stream.of("samples-", "hotspots", "commands", "command-results", "dead-letters", "rates-")
                .anyMatch(line::contains);
    }

    private static List<Path> javaSources() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String module : MODULES) {
            Path src = ROOT.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(src)) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return files;
    }
}
