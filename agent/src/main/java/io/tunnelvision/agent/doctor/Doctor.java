package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.Severity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manual's audit of one host, without Kafka: two readings of the agent's collectors some seconds apart, every
 * {@link Check} over them, and a report whose findings each say what was seen, why it costs latency and the
 * command that fixes it on this host.
 */
public final class Doctor {

    private static final Logger LOG = LoggerFactory.getLogger(Doctor.class);

    private final HostReader reader;

    public Doctor(Path procRoot, Path sysRoot) {
        this(procRoot, sysRoot, Clock.systemUTC());
    }

    Doctor(Path procRoot, Path sysRoot, Clock clock) {
        this.reader = new HostReader(procRoot, sysRoot, clock);
    }

    /**
     * Reads the host, waits {@code between}, reads again and examines the pair.
     *
     * @throws DoctorException when the roots do not hold a procfs and sysfs the collectors can read
     * @throws IllegalArgumentException when {@code between} is not positive
     */
    public DoctorReport audit(Duration between) throws InterruptedException {
        if (between.isNegative() || between.isZero()) {
            throw new IllegalArgumentException("The doctor needs a positive time between its two readings, got "
                    + between);
        }
        // A warm-up read first: class loading and first-time buffers would otherwise stretch the first reading,
        // whose files are then read over a second instead of a few milliseconds.
        reader.read();
        HostReading first = reader.read();
        Thread.sleep(between.toMillis(), between.toNanosPart() % 1_000_000);
        HostReading second = reader.read();
        return examine(first, second);
    }

    /** Every check over two readings of one host, {@code second} later than {@code first}. Pure. */
    public static DoctorReport examine(HostReading first, HostReading second) {
        HostInterval interval = new HostInterval(first, second);
        List<Finding> findings = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Check check : Checks.ALL) {
            names.add(check.name());
            try {
                findings.addAll(check.examine(interval));
            } catch (RuntimeException e) {
                // One broken check must not hide what the others found; the failure is itself reported.
                LOG.warn("Check {} failed", check.name(), e);
                findings.add(new Finding(check.name(), Severity.WARNING, "doctor",
                        "the check failed: " + e, "This part of the host was not examined.", ""));
            }
        }
        HostFacts facts = second.facts();
        return new DoctorReport(findings, new DoctorReport.Scope(CpuSets.list(facts.onlineCpus()),
                facts.possibleCpus(), interval.interfaces().size(), interval.seconds(), names));
    }
}
