package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.TuningAction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The changes this agent made, so that a rollback restores the value that was there before the change it names,
 * as this agent read it from the kernel, and not whatever the rollback command claims. File {@code applied} in
 * the state directory, one tab-separated line per change, appended and fsynced.
 */
final class AppliedChanges {

    private static final int REMEMBERED = 10_000;

    /** One change: which setting, and its value before and after. */
    record Change(String commandId, TuningAction action, String target, String before, String after) {
    }

    private final Path file;
    private final Map<String, Change> byCommand = new LinkedHashMap<>();

    AppliedChanges(Path stateDir) {
        this.file = stateDir.resolve("applied");
        try {
            Files.createDirectories(stateDir);
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] f = line.split("\t", -1);
                    if (f.length == 5) {
                        remember(new Change(StateFiles.unescape(f[0]), TuningAction.valueOf(f[1]),
                                StateFiles.unescape(f[2]), StateFiles.unescape(f[3]), StateFiles.unescape(f[4])));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the applied changes " + file, e);
        }
    }

    synchronized Optional<Change> of(String commandId) {
        return Optional.ofNullable(byCommand.get(commandId));
    }

    synchronized void record(Change change) {
        try {
            StateFiles.append(file, String.join("\t", StateFiles.escape(change.commandId()), change.action().name(),
                    StateFiles.escape(change.target()), StateFiles.escape(change.before()),
                    StateFiles.escape(change.after())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the change in " + file, e);
        }
        remember(change);
    }

    private void remember(Change change) {
        byCommand.put(change.commandId(), change);
        while (byCommand.size() > REMEMBERED) {
            byCommand.remove(byCommand.keySet().iterator().next());
        }
    }
}
