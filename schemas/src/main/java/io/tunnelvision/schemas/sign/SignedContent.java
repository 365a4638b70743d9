package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.CommandDecision;
import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;

/**
 * The bytes a signature covers: the record's single-object encoding with {@code signature} empty. The encoding
 * starts with the schema's fingerprint, so a decision's signature can never pass for a command's, or the reverse.
 */
final class SignedContent {

    private static final AvroCodec<TuningCommand> COMMANDS = AvroCodec.of(TuningCommand.class);
    private static final AvroCodec<CommandDecision> DECISIONS = AvroCodec.of(CommandDecision.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private SignedContent() {
    }

    static byte[] of(TuningCommand command) {
        return COMMANDS.encode(TuningCommand.newBuilder(command).setSignature(EMPTY.duplicate()).build());
    }

    static byte[] of(CommandDecision decision) {
        return DECISIONS.encode(CommandDecision.newBuilder(decision).setSignature(EMPTY.duplicate()).build());
    }
}
