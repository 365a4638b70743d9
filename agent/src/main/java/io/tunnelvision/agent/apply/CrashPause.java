package io.tunnelvision.agent.apply;

import io.tunnelvision.config.Env;
import io.tunnelvision.schemas.avro.CommandResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hook for crash tests only: the agent stops for a while at one point of handling a command, so that a test can
 * kill it there with SIGKILL and show what a restart makes of it. Off unless {@code
 * TUNNELVISION_AGENT_TEST_CRASH_PAUSE} names a point ({@link #OFF} does nothing and costs a field read); when on,
 * it pauses once per process, at the first command that reaches the point, and says so in a warning at start and
 * at the pause. It changes no decision: after the pause the command goes on as it would have.
 */
public final class CrashPause {

    private static final Logger LOG = LoggerFactory.getLogger(CrashPause.class);

    /** Where a command can be stopped, in the order it passes them. */
    public enum Point {
        /** The kernel has the new value; neither the change nor the result is recorded. */
        AFTER_KERNEL_WRITE,
        /** The result is recorded (handled commands, audit log) but not yet in the spool. */
        AFTER_RESULT_RECORDED,
        /** The result is in the spool (and soon on the topic); the command's offset is not committed. */
        AFTER_RESULT_SPOOLED;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static final CrashPause OFF = new CrashPause(null, Duration.ZERO);

    private final Point point;
    private final Duration pause;
    private final AtomicBoolean used = new AtomicBoolean();

    private CrashPause(Point point, Duration pause) {
        this.point = point;
        this.pause = pause;
    }

    /**
     * {@code point:duration} ({@code after-kernel-write:60s}), or empty for {@link #OFF}.
     *
     * @throws IllegalArgumentException with what is wrong and what is accepted
     */
    public static CrashPause parse(String spec) {
        String s = spec.strip();
        if (s.isEmpty()) {
            return OFF;
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + s + "' is not point:duration (e.g. after-kernel-write:60s)");
        }
        String name = s.substring(0, colon);
        Point point = Arrays.stream(Point.values()).filter(p -> p.label().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a point: use one of "
                        + Arrays.stream(Point.values()).map(Point::label).collect(Collectors.joining(", "))));
        Duration pause = Env.parseDuration(s.substring(colon + 1));
        if (pause.isZero() || pause.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("the pause must be above zero and at most 1h, was " + pause);
        }
        return new CrashPause(point, pause);
    }

    public boolean on() {
        return point != null;
    }

    /** Pauses here if this is the configured point and no command has paused yet. */
    void at(Point here, String commandId) {
        if (here != point || !used.compareAndSet(false, true)) {
            return;
        }
        LOG.warn("crash test: pausing {} ms at {} of command {} (TUNNELVISION_AGENT_TEST_CRASH_PAUSE)",
                pause.toMillis(), here.label(), commandId);
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code sink}, pausing after a result is in it when the point is {@link Point#AFTER_RESULT_SPOOLED}. */
    public ResultSink afterSpooled(ResultSink sink) {
        if (point != Point.AFTER_RESULT_SPOOLED) {
            return sink;
        }
        return new ResultSink() {
            @Override
            public void publish(CommandResult result) {
                sink.publish(result);
                at(Point.AFTER_RESULT_SPOOLED, result.getCommandId());
            }

            @Override
            public void deadLetter(ConsumerRecord<byte[], byte[]> record, Exception error) {
                sink.deadLetter(record, error);
            }
        };
    }

    @Override
    public String toString() {
        return point == null ? "off" : point.label() + ":" + pause.toMillis() + "ms";
    }
}
