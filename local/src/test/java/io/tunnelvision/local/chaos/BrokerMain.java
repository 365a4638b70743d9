package io.tunnelvision.local.chaos;

import io.tunnelvision.embedded.EmbeddedKafka;
import java.nio.file.Path;

/**
 * The embedded KRaft broker as a process of its own, for tests that kill it: {@code BrokerMain DATA_DIR PORT}.
 * The data directory and the client port are fixed, so a restart after SIGKILL recovers the same log at the same
 * address. It prints {@link #READY} once clients can use it and runs until the process ends.
 */
public final class BrokerMain {

    static final String READY = "kill-suite broker ready";

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: BrokerMain DATA_DIR PORT");
            System.exit(2);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(Path.of(args[0]), Integer.parseInt(args[1])).start();
        System.out.println(READY + " at " + kafka.bootstrapServers() + " in " + kafka.lastStartDuration().toMillis()
                + " ms");
        Thread.currentThread().join();
    }
}
