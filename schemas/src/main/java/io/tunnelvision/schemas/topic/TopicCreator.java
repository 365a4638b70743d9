package io.tunnelvision.schemas.topic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics that are missing and leaves existing ones alone, so every process may call it at start.
 * The replication factor is the broker's default ({@code default.replication.factor}): one on a laptop,
 * three in a real cluster, without a setting of ours.
 */
public final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);
    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;

    public TopicCreator(Admin admin) {
        this.admin = admin;
    }

    /** What {@link #ensure} did: names it created, and existing topics whose partition count differs. */
    public record Outcome(List<String> created, List<String> existing, List<String> partitionMismatches) {
    }

    public Outcome ensure(Collection<Topic<?, ?>> topics) {
        try {
            Set<String> present = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            List<String> existing = new ArrayList<>();
            for (Topic<?, ?> topic : topics) {
                if (present.contains(topic.name())) {
                    existing.add(topic.name());
                } else {
                    missing.add(new NewTopic(topic.name(), Optional.of(topic.partitions()), Optional.empty())
                            .configs(topic.configs()));
                }
            }
            List<String> created = create(missing);
            awaitLeaders(created);
            List<String> mismatches = partitionMismatches(topics, existing);
            return new Outcome(List.copyOf(created), List.copyOf(existing), mismatches);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics (is Kafka reachable?): " + e.getMessage(), e);
        }
    }

    private List<String> create(List<NewTopic> missing) throws InterruptedException, TimeoutException,
            ExecutionException {
        List<String> created = new ArrayList<>();
        if (missing.isEmpty()) {
            return created;
        }
        CreateTopicsResult result = admin.createTopics(missing);
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> entry : result.values().entrySet()) {
            try {
                entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                created.add(entry.getKey());
                LOG.info("created topic {}", entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // another process created it between our listing and our request
            }
        }
        return created;
    }

    /**
     * The controller acknowledges a new topic before the brokers know its partition leaders; a producer that
     * writes in that gap gets "invalid metadata" errors and, when idempotent, can retry out of sequence for
     * minutes. So creation returns only once every new partition has a leader (or after the timeout, with a
     * warning: the topics exist, producers will get there).
     */
    private void awaitLeaders(List<String> created) throws InterruptedException, ExecutionException {
        if (created.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> described =
                        admin.describeTopics(created).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                boolean ready = described.size() == created.size() && described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // not in the broker's metadata yet
            } catch (TimeoutException e) {
                break;
            }
            Thread.sleep(50);
        }
        LOG.warn("partitions of {} had no leader after {} s", created, TIMEOUT_SECONDS);
    }

    private List<String> partitionMismatches(Collection<Topic<?, ?>> topics, List<String> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (existing.isEmpty()) {
            return List.of();
        }
        Map<String, TopicDescription> described =
                admin.describeTopics(existing).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> mismatches = new ArrayList<>();
        for (Topic<?, ?> topic : topics) {
            TopicDescription description = described.get(topic.name());
            if (description != null && description.partitions().size() != topic.partitions()) {
                mismatches.add(topic.name());
                LOG.warn("topic {} has {} partitions, the registry expects {}", topic.name(),
                        description.partitions().size(), topic.partitions());
            }
        }
        return List.copyOf(mismatches);
    }
}
