package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.cpu.CpuList;
import io.tunnelvision.rules.detect.DetectionThresholds;
import io.tunnelvision.rules.detect.HostDetectors;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.rules.plan.HostContext;
import io.tunnelvision.rules.plan.Remedies;
import io.tunnelvision.schemas.avro.Severity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manual's audit of one host, without Kafka: two readings of the agent's collectors some seconds apart, the
 * rules' rates, detectors and remedies over them as the fleet runs them, and a report whose findings each say what
 * was seen, why it costs latency and the command that applies the rules' change on this host.
 */
public final class Doctor {

    private static final Logger LOG = LoggerFactory.getLogger(Doctor.class);

    /** The fleet's default thresholds (TUNNELVISION_STREAMS_THRESHOLDS unset): a host is judged here as the fleet judges it. */
    private static final HostDetectors DETECTORS = new HostDetectors(DetectionThresholds.defaults());

    private final HostReader reader;

    public Doctor(Path procRoot, Path sysRoot) {
        this(procRoot, sysRoot, Set.of());
    }

    /**
     * @param nicInterfaces read as NICs even without a bus device (a veth underlay), as the agent's NIC collector
     *                      does with TUNNELVISION_AGENT_NIC_INTERFACES
     */
    public Doctor(Path procRoot, Path sysRoot, Set<String> nicInterfaces) {
        this(procRoot, sysRoot, nicInterfaces, Clock.systemUTC());
    }

    Doctor(Path procRoot, Path sysRoot, Set<String> nicInterfaces, Clock clock) {
        this.reader = new HostReader(procRoot, sysRoot, nicInterfaces, clock);
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

    /**
     * The rules over two readings of one host, {@code second} later than {@code first}: every bad finding of the
     * detectors, with the changes the rules propose for it, explained by its {@link Check}. Pure.
     */
    public static DoctorReport examine(HostReading first, HostReading second) {
        HostInterval interval = new HostInterval(first, second);
        HostContext host = interval.hostContext();
        List<Finding> findings = new ArrayList<>();
        List<DoctorReport.Diagnosis> diagnoses = new ArrayList<>();
        for (io.tunnelvision.rules.detect.Finding judged : interval.judge(DETECTORS)) {
            if (!judged.bad()) {
                continue;
            }
            Check check = Checks.of(judged.type());
            try {
                List<Change> changes = Remedies.propose(judged, host);
                diagnoses.add(new DoctorReport.Diagnosis(judged, changes));
                findings.add(new Finding(check.name(), judged.severity(), check.subject(judged),
                        check.seen(judged, interval), check.why(judged, changes, interval), ShellCommands.of(changes, interval.nic())));
            } catch (RuntimeException e) {
                // One broken explanation must not hide what the others found; the failure is itself reported.
                LOG.warn("Check {} failed on {}", check.name(), judged.target(), e);
                findings.add(new Finding(check.name(), Severity.WARNING, "doctor",
                        "the check failed on " + judged.target() + ": " + e, "This part of the host was not "
                        + "explained: " + judged.summary(), ""));
            }
        }
        HostFacts facts = second.facts();
        return new DoctorReport(findings, diagnoses, new DoctorReport.Scope(CpuList.format(facts.onlineCpus()),
                facts.possibleCpus(), interval.interfaces().size(), interval.seconds(), Checks.names()));
    }
}
