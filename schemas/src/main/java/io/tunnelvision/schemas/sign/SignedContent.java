package io.tunnelvision.schemas.sign;

import io.tunnelvision.schemas.avro.TuningCommand;
import io.tunnelvision.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;

/** The bytes a command's signature covers: its single-object encoding with {@code signature} empty. */
final class SignedContent {

    private static final AvroCodec<TuningCommand> CODEC = AvroCodec.of(TuningCommand.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private SignedContent() {
    }

    static byte[] of(TuningCommand command) {
        TuningCommand unsigned = TuningCommand.newBuilder(command).setSignature(EMPTY.duplicate()).build();
        return CODEC.encode(unsigned);
    }
}
