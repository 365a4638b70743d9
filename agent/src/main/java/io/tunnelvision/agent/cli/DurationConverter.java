package io.tunnelvision.agent.cli;

import io.tunnelvision.config.Env;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Reads durations on the command line the way the settings do (500ms, 1s, 5m, PT1S). */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return Env.parseDuration(value);
    }
}
