package io.tunnelvision.rules.plan;

import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import java.nio.ByteBuffer;

/** Builds unsigned commands; the gate gives them their sequence and signature. */
public final class Commands {

    private Commands() {
    }

    public static TuningCommand unsigned(String commandId, String host, Change change, String hotspotId,
                                         String reason, boolean dryRun, String rollbackOf, long nowMs, long ttlMs) {
        return TuningCommand.newBuilder()
                .setCommandId(commandId)
                .setSequence(0)
                .setHostId(host)
                .setIssuedAtMs(nowMs)
                .setExpiresAtMs(nowMs + ttlMs)
                .setAction(change.action())
                .setTarget(change.target())
                .setNewValue(change.newValue())
                .setExpectedValue(change.expectedValue())
                .setHotspotId(hotspotId)
                .setReason(reason)
                .setDryRun(dryRun)
                .setRollbackOf(rollbackOf)
                .setKeyId("")
                .setSignature(ByteBuffer.allocate(0))
                .build();
    }

    /**
     * Whether a candidate is a command an operator made by hand: it answers no hotspot and undoes nothing. Only the
     * host stage makes such a candidate, after checking the operator's signed request.
     */
    public static boolean isManual(TuningCommand command) {
        return command.getHotspotId() == null && command.getRollbackOf() == null;
    }

    public static Change changeOf(TuningCommand command) {
        return new Change(command.getAction(), command.getTarget(), command.getExpectedValue(), command.getNewValue());
    }

    static String commandId(String hotspotId, TuningAction action, String target, long nowMs) {
        return hotspotId + "/" + action.name().toLowerCase(java.util.Locale.ROOT) + "/" + target + "/" + nowMs;
    }
}
