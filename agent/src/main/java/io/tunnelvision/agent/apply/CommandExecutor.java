package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.RevocationList;
import io.tunnelvision.schemas.sign.SignatureVerdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what to do with one tuning command and does it. The checks run in a fixed order and the first that
 * fails ends the command with a result saying why, before anything is written:
 * <ol>
 *   <li>signature: the key id names a trusted key and the signature verifies;</li>
 *   <li>target host: the command is for this host;</li>
 *   <li>id: not used before by a different command (taken on and remembered on disk from here,
 *       {@link HandledCommands});</li>
 *   <li>expiry: not expired (and not issued in the future), with {@link ExecutorSettings#clockSkew()} slack;</li>
 *   <li>replay: command id and sequence not seen before, remembered on disk;</li>
 *   <li>allowlist: the action is allowed here (UNKNOWN never is);</li>
 *   <li>target: well-formed for the action, safe as a path, present on this host;</li>
 *   <li>value: within the configured bounds and sane for this host (online CPUs, mask width, governors);</li>
 *   <li>compare-and-set: the current value is the command's expectedValue.</li>
 * </ol>
 * An IRQ_AFFINITY command may name several IRQs ({@code 45,46,47}, values {@code 0;0;0} to {@code 0;2;4}, see
 * {@link IrqAffinities}): every check above covers each of them before any is written, and the set is written
 * all or none, with one result and one rollback.
 * Then: a dry run (configured, or asked by the command) reports what would change; otherwise the value is
 * written, read back and reported with its value before and after. Every command ends in the audit log.
 *
 * <p><b>Redelivery.</b> Kafka delivers a command again when the agent stopped before committing its offset. A
 * command whose result is recorded is answered with that result, as it was, and nothing else is done (not even
 * the signature check: the bytes are those that passed it). A command taken on but without a recorded result was
 * being handled when the agent stopped, maybe after its write reached the kernel: it runs again with its first
 * admission, and the kernel's current value decides ({@link #alreadyWritten}).
 *
 * <p>Not thread-safe in the sense that two commands for the same setting must not run concurrently; the consumer
 * calls it from one thread.
 */
public final class CommandExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(CommandExecutor.class);
    /** A planner's command is for now; one valid for more than a day is a mistake or a stockpiled attack. */
    static final Duration MAX_LIFETIME = Duration.ofDays(1);

    private final ExecutorSettings settings;
    private final CommandSignatureVerifier verifier;
    private final Clock clock;
    private final Targets targets;
    private final Values values;
    private final ReplayGuard replay;
    private final HandledCommands handled;
    private final AppliedChanges applied;
    private final AuditLog audit;
    private final String agentVersion;
    private final CommandCounts counts;
    private final CrashPause pause;

    public CommandExecutor(ExecutorSettings settings, CommandSignatureVerifier verifier, Clock clock) {
        this(settings, verifier, clock, new CommandCounts());
    }

    /** @param counts counts every result by status */
    public CommandExecutor(ExecutorSettings settings, CommandSignatureVerifier verifier, Clock clock,
                           CommandCounts counts) {
        this(settings, verifier, clock, counts, CrashPause.OFF);
    }

    /** @param pause a crash test's pause; {@link CrashPause#OFF} in production */
    public CommandExecutor(ExecutorSettings settings, CommandSignatureVerifier verifier, Clock clock,
                           CommandCounts counts, CrashPause pause) {
        this.counts = counts;
        this.pause = pause;
        this.settings = settings;
        this.verifier = verifier;
        this.clock = clock;
        this.targets = new Targets(settings.sysRoot(), settings.procRoot(), settings.tools());
        this.values = new Values(settings.sysRoot(), settings.bounds());
        this.replay = new ReplayGuard(settings.stateDir());
        this.handled = new HandledCommands(settings.stateDir());
        this.applied = new AppliedChanges(settings.stateDir());
        this.audit = new AuditLog(settings.stateDir());
        this.agentVersion = HostIdentity.version();
        if (pause.on()) {
            LOG.warn("crash test hook on: the first command to reach {} pauses there (never set this in production)",
                    pause);
        }
    }

    public ExecutorSettings settings() {
        return settings;
    }

    public java.util.Set<String> trustedKeyIds() {
        return verifier.trustedKeyIds();
    }

    public java.util.Set<String> revokedKeyIds() {
        return verifier.revokedKeyIds();
    }

    public java.nio.file.Path auditLog() {
        return audit.file();
    }

    public CommandCounts counts() {
        return counts;
    }

    /**
     * Handles the command and returns its result; the audit log and the record of handled commands have it when
     * this returns. Throws when the state directory cannot be written: the consumer then tries the same command
     * again, which finds it taken on and resumes it.
     */
    public CommandResult handle(TuningCommand command) {
        String digest = HandledCommands.digest(command);
        Optional<HandledCommands.Entry> earlier = handled.of(command.getCommandId());
        if (earlier.isPresent() && earlier.get().done() && earlier.get().sameCommand(digest)) {
            return repeat(command, earlier.get().result());
        }
        Delivery delivery = earlier.isPresent() && earlier.get().sameCommand(digest) ? Delivery.RESUMED
                : Delivery.FIRST;
        boolean takenOn = false;
        CommandResult result;
        try {
            checkSignature(command);
            checkHost(command);
            if (earlier.isPresent() && delivery == Delivery.FIRST) {
                throw Refusal.rejected("command id " + command.getCommandId() + " already names another command "
                        + "this agent handled (" + (earlier.get().done() ? earlier.get().result().getStatus()
                        : "unfinished") + "): a planner never reuses an id");
            }
            if (delivery == Delivery.FIRST) {
                handled.begin(command.getCommandId(), digest);
            }
            takenOn = true;
            result = decideAndApply(command, delivery == Delivery.RESUMED);
        } catch (Refusal refusal) {
            result = result(command, refusal.status(), refusal.getMessage(), null, null);
        }
        audit.append(command, result, delivery);
        if (takenOn) {
            handled.finish(command.getCommandId(), digest, result);
        }
        counts.count(result.getStatus());
        if (delivery != Delivery.FIRST) {
            counts.count(delivery);
        }
        LOG.info("command {} {} {} {}{} -> {}: {}", command.getCommandId(), command.getAction(),
                InterfaceNames.printable(command.getTarget()), InterfaceNames.printable(command.getNewValue()),
                delivery == Delivery.FIRST ? "" : " (" + delivery.label() + ")", result.getStatus(),
                result.getReason());
        pause.at(CrashPause.Point.AFTER_RESULT_RECORDED, command.getCommandId());
        return result;
    }

    /** A command whose result is recorded: the same result again, so that one lost with a crash still arrives. */
    private CommandResult repeat(TuningCommand command, CommandResult first) {
        audit.append(command, first, Delivery.REPEAT);
        counts.count(Delivery.REPEAT);
        LOG.info("command {} delivered again: answered with its first result, {}: {}; nothing else done",
                command.getCommandId(), first.getStatus(), first.getReason());
        return first;
    }

    /** @param resumed taken on before the agent stopped, without a result: the earlier write may have happened */
    private CommandResult decideAndApply(TuningCommand c, boolean resumed) throws Refusal {
        if (!resumed) {
            checkTime(c);
        }
        if (replay.admit(c.getKeyId(), c.getCommandId(), c.getSequence()) == ReplayGuard.Admission.SEEN
                && !resumed) {
            throw Refusal.rejected("replay: command " + c.getCommandId() + " was already handled by this agent, "
                    + "longer ago than the " + HandledCommands.REMEMBERED + " results it keeps");
        }
        TuningAction action = c.getAction();
        if (action == null || action == TuningAction.UNKNOWN || !settings.allowed().contains(action)) {
            throw Refusal.rejected("action " + action + " is not allowed on this host (allowed: "
                    + settings.allowed().stream().map(Enum::name).sorted().toList()
                    + ", TUNNELVISION_AGENT_APPLY_ACTIONS)");
        }
        SettingAccess setting = targets.resolve(action, c.getTarget());
        Optional<AppliedChanges.Change> undone = rollbackTarget(c);
        String wanted = values.check(action, c.getTarget(),
                undone.map(AppliedChanges.Change::before).orElse(c.getNewValue()), undone.isEmpty());

        String current;
        try {
            setting.admit(wanted);
            current = setting.read();
        } catch (ApplyFailure e) {
            return result(c, CommandStatus.FAILED, e.getMessage(), null, null);
        }
        if (c.getExpectedValue() == null || c.getExpectedValue().isBlank()) {
            throw Refusal.rejected("the command has no expectedValue: the agent only changes a setting whose "
                    + "current value the planner states (current here: " + current + ")");
        }
        boolean partlyWritten = false;
        if (resumed) {
            Optional<CommandResult> done = alreadyWritten(c, setting, current, wanted, undone.isPresent());
            if (done.isPresent()) {
                return done.get();
            }
            checkTime(c);
            partlyWritten = values.partlyWritten(action, current, c.getExpectedValue(), wanted);
        }
        if (!partlyWritten && !values.same(action, current, c.getExpectedValue())) {
            throw Refusal.rejected("compare-and-set: " + setting.where() + " is " + current + ", the command "
                    + "expected " + InterfaceNames.printable(c.getExpectedValue())
                    + values.whichDiffers(action, c.getTarget(), current, c.getExpectedValue())
                    + " (changed by someone else?)");
        }
        // a set of IRQs cut off halfway by a crash: what was there before is what the command expected
        String before = partlyWritten ? c.getExpectedValue() : current;
        if (settings.dryRun() || c.getDryRun()) {
            String why = settings.dryRun() ? "the agent is in dry-run mode (TUNNELVISION_AGENT_DRY_RUN=true)"
                    : "the command asks for a dry run";
            return result(c, CommandStatus.DRY_RUN, "would change " + setting.where() + " from " + current + " to "
                    + wanted + "; " + why, current, current);
        }
        try {
            setting.write(wanted);
        } catch (ApplyFailure e) {
            return result(c, CommandStatus.FAILED, "the kernel refused " + wanted + ": " + e.getMessage(), before,
                    readQuietly(setting));
        }
        pause.at(CrashPause.Point.AFTER_KERNEL_WRITE, c.getCommandId());
        String after = readQuietly(setting);
        applied.record(new AppliedChanges.Change(c.getCommandId(), action, c.getTarget(), before,
                after == null ? wanted : after));
        if (!readsBackAs(action, after, wanted)) {
            return result(c, CommandStatus.FAILED, "wrote " + wanted + " to " + setting.where()
                    + " but it reads back as " + after, before, after);
        }
        return result(c, undone.isPresent() ? CommandStatus.ROLLED_BACK : CommandStatus.APPLIED,
                changed(c, setting, before, after, undone.isPresent()), before, after);
    }

    private static String changed(TuningCommand c, SettingAccess setting, String before, String after,
                                  boolean rollback) {
        return rollback ? "restored " + setting.where() + " to " + after + ", its value before " + c.getRollbackOf()
                : "changed " + setting.where() + " from " + before + " to " + after;
    }

    /**
     * For a command resumed after a restart: when the kernel already holds the command's new value and not the
     * value it expected, the result the earlier delivery would have sent, and nothing is written.
     *
     * <p>Why this is safe: the command is byte for byte one this agent verified and took on before it stopped
     * (same digest), so the planner asked for exactly this value, and its compare-and-set passed or was about to.
     * If the setting now holds the new value, either that delivery's write landed before the crash, or someone
     * set the very value the planner wants; in both cases the setting is as planned, reporting it APPLIED lets
     * the planner judge the change, and a rollback restores the expected value, which the compare-and-set saw
     * (or would have seen) there. Writing again would change nothing on the kernel, and refusing would leave a
     * change in place that nobody verifies or rolls back. If the setting holds the expected value, the write
     * never happened and the command goes on as new (a late one is refused as EXPIRED); any other value is
     * someone else's and the compare-and-set refuses it, as for a first delivery. A dry run wrote nothing, so
     * it is never answered here.
     */
    private Optional<CommandResult> alreadyWritten(TuningCommand c, SettingAccess setting, String current,
                                                   String wanted, boolean rollback) throws Refusal {
        if (settings.dryRun() || c.getDryRun() || !values.same(c.getAction(), current, wanted)
                || values.same(c.getAction(), current, c.getExpectedValue())) {
            return Optional.empty();
        }
        if (applied.of(c.getCommandId()).isEmpty()) {
            applied.record(new AppliedChanges.Change(c.getCommandId(), c.getAction(), c.getTarget(),
                    c.getExpectedValue(), current));
        }
        return Optional.of(result(c, rollback ? CommandStatus.ROLLED_BACK : CommandStatus.APPLIED,
                changed(c, setting, c.getExpectedValue(), current, rollback) + " (written before the agent "
                        + "stopped; found in place when the command came again)", c.getExpectedValue(), current));
    }

    private void checkSignature(TuningCommand c) throws Refusal {
        SignatureVerdict verdict = verifier.verify(c);
        if (verdict == SignatureVerdict.VALID) {
            return;
        }
        counts.countSignatureRefusal(verdict);
        String keyId = InterfaceNames.printable(String.valueOf(c.getKeyId()));
        // a switch expression, so a verdict added later fails the build here instead of passing as valid
        throw Refusal.rejected(switch (verdict) {
            case VALID -> throw new IllegalStateException("a valid signature is not refused");
            case UNSIGNED -> "signature: none: an unsigned command is a proposal waiting for an operator's approval,"
                    + " never applied";
            case REVOKED -> "signature: key " + keyId + " is revoked (" + RevocationList.FILE_NAME
                    + " in the trusted keys directory)";
            case UNKNOWN_KEY -> "signature: key id '" + keyId + "' is not among this agent's trusted keys "
                    + verifier.trustedKeyIds().stream().sorted().toList();
            case MALFORMED -> "signature: missing or not an Ed25519 signature";
            case BAD_SIGNATURE -> "signature: does not verify with trusted key " + keyId
                    + ": the command was altered or signed with another key";
        });
    }

    private void checkHost(TuningCommand c) throws Refusal {
        if (!settings.hostId().equals(c.getHostId())) {
            throw Refusal.rejected("host: the command is for '" + InterfaceNames.printable(c.getHostId())
                    + "', this is '" + settings.hostId() + "'");
        }
    }

    private void checkTime(TuningCommand c) throws Refusal {
        long now = clock.millis();
        long skew = settings.clockSkew().toMillis();
        if (now > c.getExpiresAtMs() + skew) {
            throw Refusal.expired("expired at " + Instant.ofEpochMilli(c.getExpiresAtMs()) + ", "
                    + Duration.ofMillis(now - c.getExpiresAtMs()).toSeconds() + "s ago by this host's clock");
        }
        if (c.getIssuedAtMs() > now + skew) {
            throw Refusal.rejected("issued at " + Instant.ofEpochMilli(c.getIssuedAtMs()) + ", in the future by "
                    + "this host's clock (more than " + settings.clockSkew().toSeconds() + "s of skew)");
        }
        if (c.getExpiresAtMs() - c.getIssuedAtMs() > MAX_LIFETIME.toMillis()) {
            throw Refusal.rejected("valid for more than " + MAX_LIFETIME.toHours() + "h: a tuning command is for "
                    + "now, not for later");
        }
    }

    /** For a rollback, the change it undoes: made by this agent, to the same setting. */
    private Optional<AppliedChanges.Change> rollbackTarget(TuningCommand c) throws Refusal {
        String of = c.getRollbackOf();
        if (of == null) {
            return Optional.empty();
        }
        AppliedChanges.Change change = applied.of(of).orElseThrow(() -> Refusal.rejected("rollback: this agent "
                + "has no record of applying command '" + InterfaceNames.printable(of) + "'"));
        if (change.action() != c.getAction() || !change.target().equals(c.getTarget())) {
            throw Refusal.rejected("rollback: command " + of + " changed " + change.action() + " of "
                    + change.target() + ", not " + c.getAction() + " of " + InterfaceNames.printable(c.getTarget()));
        }
        if (c.getNewValue() != null && !c.getNewValue().isBlank()
                && !values.same(c.getAction(), c.getNewValue(), change.before())) {
            throw Refusal.rejected("rollback: the value before " + of + " was " + change.before() + ", the "
                    + "command asks for " + InterfaceNames.printable(c.getNewValue()));
        }
        return Optional.of(change);
    }

    private boolean readsBackAs(TuningAction action, String after, String wanted) {
        try {
            return after != null && values.same(action, after, wanted);
        } catch (Refusal unreadable) {
            return false;
        }
    }

    private static String readQuietly(SettingAccess setting) {
        try {
            return setting.read();
        } catch (ApplyFailure e) {
            return null;
        }
    }

    private CommandResult result(TuningCommand c, CommandStatus status, String reason, String before,
                                 String after) {
        return CommandResult.newBuilder()
                .setCommandId(c.getCommandId())
                .setHostId(settings.hostId())
                .setStatus(status)
                .setReason(reason)
                .setValueBefore(before)
                .setValueAfter(after)
                .setTimeMs(clock.millis())
                .setAgentVersion(agentVersion)
                .build();
    }
}
