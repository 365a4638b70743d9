package io.tunnelvision.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

    private static final Setting INTERVAL = Setting.optional("TUNNELVISION_X_INTERVAL", "1s", "interval");
    private static final Setting PORT = Setting.optional("TUNNELVISION_X_PORT", "8080", "port");
    private static final Setting URL = Setting.required("TUNNELVISION_X_URL", "database URL");
    private static final Setting FLAG = Setting.optional("TUNNELVISION_X_FLAG", "false", "flag");

    @Test
    void defaultsApplyWhenTheVariableIsUnsetOrBlank() {
        Env env = new Env(Map.of("TUNNELVISION_X_PORT", "  "));
        assertEquals(8080, env.integer(PORT, 1, 65535));
        assertEquals(Duration.ofSeconds(1), env.duration(INTERVAL));
        assertFalse(env.bool(FLAG));
    }

    @Test
    void valuesOverrideDefaults() {
        Env env = new Env(Map.of("TUNNELVISION_X_PORT", "9000", "TUNNELVISION_X_INTERVAL", "250ms",
                "TUNNELVISION_X_FLAG", "yes"));
        assertEquals(9000, env.integer(PORT, 1, 65535));
        assertEquals(Duration.ofMillis(250), env.duration(INTERVAL));
        assertTrue(env.bool(FLAG));
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertEquals(Duration.ofMinutes(5), Env.parseDuration("5m"));
        assertEquals(Duration.ofHours(2), Env.parseDuration("2h"));
        assertEquals(Duration.ofSeconds(30), Env.parseDuration("PT30S"));
        assertEquals(Duration.ofSeconds(30), Env.parseDuration("pt30s"));
    }

    @Test
    void aMissingRequiredSettingNamesTheVariable() {
        ConfigException e = assertThrows(ConfigException.class, () -> new Env(Map.of()).string(URL));
        assertTrue(e.getMessage().contains("TUNNELVISION_X_URL"), e.getMessage());
    }

    @Test
    void badValuesSayWhatWasExpected() {
        Env env = new Env(Map.of("TUNNELVISION_X_PORT", "70000", "TUNNELVISION_X_INTERVAL", "soon",
                "TUNNELVISION_X_FLAG", "maybe"));
        assertTrue(assertThrows(ConfigException.class, () -> env.integer(PORT, 1, 65535)).getMessage()
                .contains("out of range"));
        assertTrue(assertThrows(ConfigException.class, () -> env.duration(INTERVAL)).getMessage()
                .contains("not a duration"));
        assertTrue(assertThrows(ConfigException.class, () -> env.bool(FLAG)).getMessage()
                .contains("not a boolean"));
        assertTrue(assertThrows(ConfigException.class,
                () -> new Env(Map.of("TUNNELVISION_X_PORT", "eighty")).integer(PORT, 1, 65535)).getMessage()
                .contains("not a whole number"));
    }

    @Test
    void settingNamesMustCarryTheProjectPrefix() {
        assertThrows(IllegalArgumentException.class, () -> Setting.optional("KAFKA", "x", "no prefix"));
    }
}
