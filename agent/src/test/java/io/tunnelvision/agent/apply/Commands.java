package io.tunnelvision.agent.apply;

import io.tunnelvision.schemas.avro.TuningAction;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.sign.CommandSignatureVerifier;
import io.tunnelvision.schemas.sign.CommandSigner;
import io.tunnelvision.schemas.sign.Ed25519Keys;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** A planner for tests: one trusted key pair, fresh command ids and rising sequences. */
final class Commands {

    static final KeyPair PLANNER = Ed25519Keys.generate();
    static final KeyPair STRANGER = Ed25519Keys.generate();
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis());

    private final String hostId;
    private final long nowMs;

    Commands(String hostId, long nowMs) {
        this.hostId = hostId;
        this.nowMs = nowMs;
    }

    static CommandSignatureVerifier trusting() {
        return new CommandSignatureVerifier(List.of(PLANNER.getPublic()));
    }

    /** An unsigned command valid for five minutes from now. */
    TuningCommand.Builder builder(TuningAction action, String target, String expected, String newValue) {
        return TuningCommand.newBuilder()
                .setCommandId("cmd-" + UUID.randomUUID())
                .setSequence(SEQUENCE.incrementAndGet())
                .setHostId(hostId)
                .setIssuedAtMs(nowMs - 1_000)
                .setExpiresAtMs(nowMs + Duration.ofMinutes(5).toMillis())
                .setAction(action)
                .setTarget(target)
                .setNewValue(newValue)
                .setExpectedValue(expected)
                .setHotspotId("hotspot-1")
                .setReason("test")
                .setDryRun(false)
                .setRollbackOf(null)
                .setKeyId("")
                .setSignature(ByteBuffer.allocate(0));
    }

    TuningCommand signed(TuningAction action, String target, String expected, String newValue) {
        return sign(builder(action, target, expected, newValue));
    }

    static TuningCommand sign(TuningCommand.Builder builder) {
        return CommandSigner.of(PLANNER).sign(builder.build());
    }
}
