package io.tunnelvision.agent.apply;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Admits a command once: a new id whose sequence is above the highest this agent accepted from the same signing key
 * (sequences rise per planner, and a planner is known by its key) is admitted; a new id with an old sequence is
 * refused as a replay; an id admitted before is reported {@link Admission#SEEN}, and the executor answers it from
 * what it remembers of that command ({@link HandledCommands}), never by running it as new. The state is on disk and
 * written (fsynced, atomically replaced) before the command goes further, so this holds after a restart too.
 *
 * <p>File {@code replay} in the state directory: lines {@code seq <keyId> <highest>} and {@code id <commandId>},
 * the most recent {@value #REMEMBERED_IDS} ids; older ids are covered by the sequence.
 */
final class ReplayGuard {

    static final int REMEMBERED_IDS = 10_000;
    /** Printable ASCII without spaces: the planner's ids look like {@code <hotspot>/rps_cpus/tun0/rx-0/<ms>}. */
    private static final Pattern COMMAND_ID = Pattern.compile("[\\x21-\\x7e]{1,256}");
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{1,64}");

    private final Path file;
    private final Map<String, Long> highestByKey = new HashMap<>();
    private final LinkedHashSet<String> ids = new LinkedHashSet<>();

    ReplayGuard(Path stateDir) {
        this.file = stateDir.resolve("replay");
        try {
            Files.createDirectories(stateDir);
            if (Files.exists(file)) {
                load(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the replay state " + file
                    + ": the agent refuses to run without it rather than risk applying a command twice", e);
        }
    }

    private void load(Iterable<String> lines) {
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length == 3 && f[0].equals("seq")) {
                highestByKey.merge(f[1], Long.parseLong(f[2]), Math::max);
            } else if (f.length == 2 && f[0].equals("id")) {
                ids.add(f[1]);
            }
        }
    }

    /** Whether a command id is new to this guard. */
    enum Admission {
        /** Admitted now, and remembered. */
        NEW,
        /** Admitted before: its sequence was checked then, and it is not checked against later ones. */
        SEEN
    }

    /** Admits the command and remembers it on disk, reports an id admitted before, or refuses it as a replay. */
    synchronized Admission admit(String keyId, String commandId, long sequence) throws Refusal {
        if (!COMMAND_ID.matcher(commandId).matches()) {
            throw Refusal.rejected("command id '" + InterfaceNames.printable(commandId) + "' is not 1 to 256 "
                    + "printable ASCII characters without spaces");
        }
        if (!KEY_ID.matcher(keyId).matches()) {
            throw Refusal.rejected("key id '" + InterfaceNames.printable(keyId) + "' is not hex");
        }
        if (ids.contains(commandId)) {
            return Admission.SEEN;
        }
        Long highest = highestByKey.get(keyId);
        if (highest != null && sequence <= highest) {
            throw Refusal.rejected("replay: sequence " + sequence + " is not above " + highest
                    + ", the highest this agent accepted from key " + keyId);
        }
        highestByKey.put(keyId, sequence);
        ids.add(commandId);
        while (ids.size() > REMEMBERED_IDS) {
            ids.remove(ids.iterator().next());
        }
        store();
        return Admission.NEW;
    }

    private void store() {
        StringBuilder out = new StringBuilder();
        highestByKey.forEach((key, seq) -> out.append("seq ").append(key).append(' ').append(seq).append('\n'));
        ids.forEach(id -> out.append("id ").append(id).append('\n'));
        try {
            StateFiles.replace(file, out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the replay state in " + file, e);
        }
    }
}
