package io.tunnelvision.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configuration value read from an environment variable, with its default and what it is for.
 * Each module lists its settings in one config class; the README and the compose file are checked
 * against those lists, so a setting that exists only in documentation cannot go unnoticed.
 */
public record Setting(String env, String defaultValue, String description) {

    private static final Pattern ENV_NAME = Pattern.compile("TUNNELVISION_[A-Z0-9_]+");

    public Setting {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(description, "description");
        if (!ENV_NAME.matcher(env).matches()) {
            throw new IllegalArgumentException(
                    "setting name '" + env + "' must match " + ENV_NAME.pattern());
        }
    }

    /** A setting that has no default: the process refuses to start without it. */
    public static Setting required(String env, String description) {
        return new Setting(env, null, description);
    }

    public static Setting optional(String env, String defaultValue, String description) {
        return new Setting(env, Objects.requireNonNull(defaultValue, "defaultValue"), description);
    }

    public boolean isRequired() {
        return defaultValue == null;
    }
}
