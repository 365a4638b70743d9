package io.tunnelvision.schemas.topic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the ACLs that are missing and leaves the others alone, like {@link TopicCreator} does with topics. It
 * removes nothing: several environments (topic namespaces) may share the role principals on one cluster, so a
 * right that a newer version no longer needs is removed by hand ({@code kafka-acls.sh --remove}).
 */
public final class AclCreator {

    private static final Logger LOG = LoggerFactory.getLogger(AclCreator.class);
    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;

    public AclCreator(Admin admin) {
        this.admin = admin;
    }

    /** What {@link #ensure} did. */
    public record Outcome(List<AclBinding> created, int existing) {
    }

    public Outcome ensure(Collection<AclBinding> wanted) {
        try {
            Set<AclBinding> present = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            List<AclBinding> missing = new ArrayList<>();
            for (AclBinding binding : new HashSet<>(wanted)) {
                if (!present.contains(binding)) {
                    missing.add(binding);
                }
            }
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                missing.forEach(binding -> LOG.info("created ACL {}", binding));
                awaitVisible(missing);
            }
            return new Outcome(List.copyOf(missing), new HashSet<>(wanted).size() - missing.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SecurityDisabledException) {
                throw new IllegalStateException("the broker has no authorizer (authorizer.class.name), so it keeps"
                        + " no ACLs: configure org.apache.kafka.metadata.authorizer.StandardAuthorizer", e);
            }
            throw new IllegalStateException("cannot create ACLs (are these credentials a super user's?): "
                    + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create ACLs (is Kafka reachable?): " + e.getMessage(), e);
        }
    }

    /**
     * The controller acknowledges new ACLs before the broker's authorizer has them; a service started right after
     * init would be refused in that gap, and Kafka Streams stops its threads on an authorization error. So creation
     * returns once the broker lists every new ACL (or after the timeout, with a warning).
     */
    private void awaitVisible(List<AclBinding> created) throws InterruptedException, ExecutionException,
            TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).containsAll(created)) {
                return;
            }
            Thread.sleep(50);
        }
        LOG.warn("{} new ACLs were not all in force after {} s", created.size(), TIMEOUT_SECONDS);
    }
}
