package io.tunnelvision.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.api.ApiConfig;
import io.tunnelvision.config.Setting;
import io.tunnelvision.schemas.topic.TopicInit;
import io.tunnelvision.streams.StreamsAppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's configuration table is how operators learn the settings: none may be missing from it. */
class ReadmeSettingsTest {

    @Test
    void everySettingTheCodeReadsIsDocumentedInTheReadme() throws IOException {
        String readme = Files.readString(RepoRoot.find().resolve("README.md"));
        List<String> missing = Stream.of(TopicInit.settings(), AgentConfig.settings(), StreamsAppConfig.settings(),
                        ApiConfig.settings())
                .flatMap(List::stream)
                .map(Setting::env)
                .distinct()
                .filter(env -> !readme.contains("`" + env + "`"))
                .toList();
        assertEquals(List.of(), missing, "add these to the configuration table in README.md");
    }
}
