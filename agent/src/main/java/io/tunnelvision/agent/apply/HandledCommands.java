package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this agent did with each command it took on, by command id, so that a command delivered again (after a
 * restart, a failed offset commit, a failed spool or audit write) is answered with its first result instead of a
 * replay refusal, which would cancel the verification of a change that was made.
 *
 * <p>A command is taken on ({@link #begin}) before its checks that depend on time and history and long before
 * anything is written, and finished ({@link #finish}) with its result. An entry that was begun but never finished
 * is a command the agent was handling when it stopped: the kernel may or may not have the new value, and the
 * executor finds out by reading it (see {@link CommandExecutor}).
 *
 * <p>Each entry carries the SHA-256 of the command's encoding, so a different command that reuses an id (a bug, or
 * a forgery with a valid signature) is told apart from a redelivery.
 *
 * <p>File {@code handled} in the state directory: one line per event, {@code B id digest} (begun) or {@code D id
 * digest result} (done, the result's Avro encoding in base64), each ending in its CRC-32, appended and fsynced. A
 * line torn by a crash fails its CRC and is skipped: a torn begin line was not fsynced, so nothing after it ran;
 * a torn done line leaves its command begun, which the executor handles as in doubt. When the file holds twice
 * {@value #REMEMBERED} entries it is rewritten with the latest {@value #REMEMBERED} (fsynced, then renamed over the
 * old one), so it stays under 1 MB (about 400 bytes a line).
 */
final class HandledCommands {

    private static final Logger LOG = LoggerFactory.getLogger(HandledCommands.class);
    /**
     * Redelivery reaches back to the last committed offset: one command in normal running, a poll's worth (50)
     * when commits failed for a while. A thousand is far more, and costs the agent's 16 MB heap under 1 MB (a
     * result and its strings take well under 1 KB), reached only after a thousand commands. An older id delivered
     * again (the group's offsets were reset) meets the replay guard, whose refusal the planner ignores for a
     * command it settled long ago.
     */
    static final int REMEMBERED = 1_000;
    private static final AvroCodec<TuningCommand> COMMANDS = AvroCodec.of(TuningCommand.class);
    private static final AvroCodec<CommandResult> RESULTS = AvroCodec.of(CommandResult.class);

    /**
     * One command: its digest, and its result once it has one.
     *
     * @param result null while the command is begun and not finished
     */
    record Entry(String commandId, String digest, CommandResult result) {

        boolean done() {
            return result != null;
        }

        boolean sameCommand(String otherDigest) {
            return digest.equals(otherDigest);
        }
    }

    private final Path file;
    private final int remembered;
    private final Map<String, Entry> byId = new LinkedHashMap<>();
    private int lines;

    HandledCommands(Path stateDir) {
        this(stateDir, REMEMBERED);
    }

    /** @param remembered how many commands are kept: {@value #REMEMBERED} but in tests of the bound */
    HandledCommands(Path stateDir, int remembered) {
        this.remembered = remembered;
        this.file = stateDir.resolve("handled");
        try {
            Files.createDirectories(stateDir);
            if (Files.exists(file)) {
                load(Files.readAllLines(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the handled commands " + file
                    + ": the agent refuses to run without them rather than answer a redelivered command wrongly", e);
        }
    }

    private void load(List<String> all) {
        int torn = 0;
        for (String line : all) {
            Entry entry = parse(line);
            if (entry == null) {
                torn++;
            } else {
                remember(entry);
            }
        }
        lines = all.size();
        if (torn > 0) {
            LOG.warn("{}: skipped {} torn or corrupt line(s) of {}; a command among them counts as not finished",
                    file, torn, all.size());
        }
    }

    /** The SHA-256 of the command as encoded on the topic (signature included), in hex. */
    static String digest(TuningCommand command) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(COMMANDS.encode(command)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    synchronized Optional<Entry> of(String commandId) {
        return Optional.ofNullable(byId.get(commandId));
    }

    /** Takes the command on, durably: when this returns, a crash leaves it begun. */
    synchronized void begin(String commandId, String digest) {
        append(new Entry(commandId, digest, null));
    }

    /** Stores the command's result, durably: when this returns, a redelivery is answered with it. */
    synchronized void finish(String commandId, String digest, CommandResult result) {
        append(new Entry(commandId, digest, result));
    }

    private void append(Entry entry) {
        remember(entry);
        try {
            if (lines + 1 > 2 * remembered) {
                StringBuilder all = new StringBuilder();
                byId.values().forEach(e -> all.append(format(e)).append('\n'));
                StateFiles.replace(file, all.toString());
                lines = byId.size();
            } else {
                StateFiles.append(file, format(entry));
                lines++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record command " + entry.commandId() + " in " + file, e);
        }
    }

    private void remember(Entry entry) {
        byId.remove(entry.commandId());
        byId.put(entry.commandId(), entry);
        while (byId.size() > remembered) {
            byId.remove(byId.keySet().iterator().next());
        }
    }

    static String format(Entry entry) {
        String body = entry.done()
                ? String.join("\t", "D", StateFiles.escape(entry.commandId()), entry.digest(),
                        Base64.getEncoder().encodeToString(RESULTS.encode(entry.result())))
                : String.join("\t", "B", StateFiles.escape(entry.commandId()), entry.digest());
        return body + "\t" + crc(body);
    }

    /** The entry of one line, or null for a line that is torn, altered or not one of ours. */
    static Entry parse(String line) {
        int last = line.lastIndexOf('\t');
        if (last < 0 || !line.substring(last + 1).equals(crc(line.substring(0, last)))) {
            return null;
        }
        String[] f = line.substring(0, last).split("\t", -1);
        try {
            if (f.length == 3 && f[0].equals("B")) {
                return new Entry(StateFiles.unescape(f[1]), f[2], null);
            }
            if (f.length == 4 && f[0].equals("D")) {
                return new Entry(StateFiles.unescape(f[1]), f[2], RESULTS.decode(Base64.getDecoder().decode(f[3])));
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    private static String crc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
