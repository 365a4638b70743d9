package io.tunnelvision.agent.apply;

import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.schemas.avro.CommandResult;
import io.tunnelvision.schemas.avro.CommandStatus;
import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
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
    private final AppliedChanges applied;
    private final AuditLog audit;
    private final String agentVersion;
    private final CommandCounts counts;

    public CommandExecutor(ExecutorSettings settings, CommandSignatureVerifier verifier, Clock clock) {
        this(settings, verifier, clock, new CommandCounts());
    }

    /** @param counts counts every result by status */
    public CommandExecutor(ExecutorSettings settings, CommandSignatureVerifier verifier, Clock clock,
                           CommandCounts counts) {
        this.counts = counts;
        this.settings = settings;
        this.verifier = verifier;
        this.clock = clock;
        this.targets = new Targets(settings.sysRoot(), settings.procRoot(), new Ethtool(settings.ethtoolLocations()));
        this.values = new Values(settings.sysRoot(), settings.bounds());
        this.replay = new ReplayGuard(settings.stateDir());
        this.applied = new AppliedChanges(settings.stateDir());
        this.audit = new AuditLog(settings.stateDir());
        this.agentVersion = HostIdentity.version();
    }

    public ExecutorSettings settings() {
        return settings;
    }

    public java.util.Set<String> trustedKeyIds() {
        return verifier.trustedKeyIds();
    }

    public java.nio.file.Path auditLog() {
        return audit.file();
    }

    public CommandCounts counts() {
        return counts;
    }

    /** Handles the command and returns its result; the audit log has it when this returns. */
    public CommandResult handle(TuningCommand command) {
        CommandResult result;
        try {
            result = decideAndApply(command);
        } catch (Refusal refusal) {
            result = result(command, refusal.status(), refusal.getMessage(), null, null);
        }
        audit.append(command, result);
        counts.count(result.getStatus());
        LOG.info("command {} {} {} {} -> {}: {}", command.getCommandId(), command.getAction(),
                InterfaceNames.printable(command.getTarget()), InterfaceNames.printable(command.getNewValue()),
                result.getStatus(), result.getReason());
        return result;
    }

    private CommandResult decideAndApply(TuningCommand c) throws Refusal {
        checkSignature(c);
        checkHost(c);
        checkTime(c);
        replay.admit(c.getKeyId(), c.getCommandId(), c.getSequence());
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
            current = setting.read();
        } catch (ApplyFailure e) {
            return result(c, CommandStatus.FAILED, e.getMessage(), null, null);
        }
        if (c.getExpectedValue() == null || c.getExpectedValue().isBlank()) {
            throw Refusal.rejected("the command has no expectedValue: the agent only changes a setting whose "
                    + "current value the planner states (current here: " + current + ")");
        }
        if (!values.same(action, current, c.getExpectedValue())) {
            throw Refusal.rejected("compare-and-set: " + setting.where() + " is " + current + ", the command "
                    + "expected " + InterfaceNames.printable(c.getExpectedValue())
                    + values.whichDiffers(action, c.getTarget(), current, c.getExpectedValue())
                    + " (changed by someone else?)");
        }
        if (settings.dryRun() || c.getDryRun()) {
            String why = settings.dryRun() ? "the agent is in dry-run mode (TUNNELVISION_AGENT_DRY_RUN=true)"
                    : "the command asks for a dry run";
            return result(c, CommandStatus.DRY_RUN, "would change " + setting.where() + " from " + current + " to "
                    + wanted + "; " + why, current, current);
        }
        try {
            setting.write(wanted);
        } catch (ApplyFailure e) {
            return result(c, CommandStatus.FAILED, "the kernel refused " + wanted + ": " + e.getMessage(), current,
                    readQuietly(setting));
        }
        String after = readQuietly(setting);
        applied.record(new AppliedChanges.Change(c.getCommandId(), action, c.getTarget(), current,
                after == null ? wanted : after));
        if (!readsBackAs(action, after, wanted)) {
            return result(c, CommandStatus.FAILED, "wrote " + wanted + " to " + setting.where()
                    + " but it reads back as " + after, current, after);
        }
        CommandStatus status = undone.isPresent() ? CommandStatus.ROLLED_BACK : CommandStatus.APPLIED;
        String reason = undone.isPresent() ? "restored " + setting.where() + " to " + after + ", its value before "
                + c.getRollbackOf() : "changed " + setting.where() + " from " + current + " to " + after;
        return result(c, status, reason, current, after);
    }

    private void checkSignature(TuningCommand c) throws Refusal {
        switch (verifier.verify(c)) {
            case VALID -> {
            }
            case UNKNOWN_KEY -> throw Refusal.rejected("signature: key id '" + InterfaceNames.printable(
                    String.valueOf(c.getKeyId())) + "' is not among this agent's trusted keys "
                    + verifier.trustedKeyIds().stream().sorted().toList());
            case BAD_SIGNATURE -> throw Refusal.rejected("signature: does not verify with trusted key "
                    + c.getKeyId() + ": the command was altered or signed with another key");
            case MALFORMED -> throw Refusal.rejected("signature: missing or not an Ed25519 signature");
        }
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
