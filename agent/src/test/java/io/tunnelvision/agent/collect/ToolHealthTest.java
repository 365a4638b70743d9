package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ToolHealthTest {

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ToolHealthTest.class);

    @BeforeEach
    void attach() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(log);
    }

    @Test
    void everyFailedRoundCountsButAnOutageIsSaidOnceAndItsEndOnce() {
        ToolHealth health = new ToolHealth(logger);
        health.worked("back"); // never failed: nothing to say
        health.failed("`tc` did not work on {}", "eth0");
        health.failed("`tc` did not work on {}", "eth0");
        health.failed("`tc` did not work on {}", "eth0");
        health.worked("back");
        health.worked("back");
        health.failed("`tc` did not work on {}", "eth1");

        assertEquals(4, health.unavailableRounds());
        assertEquals(List.of("WARN `tc` did not work on eth0; said once (agent/README.md)", "INFO back",
                "WARN `tc` did not work on eth1; said once (agent/README.md)"), log.list.stream()
                .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
        assertEquals(Level.WARN, log.list.get(2).getLevel());
    }
}
