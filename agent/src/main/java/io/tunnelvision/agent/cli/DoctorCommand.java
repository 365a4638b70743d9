package io.tunnelvision.agent.cli;

import io.tunnelvision.agent.AgentConfig;
import io.tunnelvision.config.Env;
import io.tunnelvision.agent.doctor.Doctor;
import io.tunnelvision.agent.doctor.DoctorException;
import io.tunnelvision.agent.doctor.DoctorReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code doctor}: the manual's audit of this host, without Kafka. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Audit this host's interrupt path over two readings: IRQ spread, softirq load, softnet "
                + "squeeze and drops, txqueuelen, RPS/RFS, socket buffers, tunnel MTU, rp_filter, governor.",
                "Exit code: 0 nothing above info, 1 warnings, 2 something critical, 3 the host could not be read."})
public final class DoctorCommand implements Callable<Integer> {

    static final int UNREADABLE = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the findings as JSON.")
    boolean json;

    @Option(names = "--proc-root", defaultValue = "/proc", description = "Where procfs is (default: ${DEFAULT-VALUE}).")
    Path procRoot;

    @Option(names = "--sys-root", defaultValue = "/sys", description = "Where sysfs is (default: ${DEFAULT-VALUE}).")
    Path sysRoot;

    @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "Time between the two readings (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    public Integer call() throws InterruptedException {
        DoctorReport report;
        try {
            report = new Doctor(procRoot, sysRoot, AgentConfig.nicInterfaces(Env.system())).audit(interval);
        } catch (DoctorException e) {
            spec.commandLine().getErr().println("doctor cannot read this host: " + e.getMessage());
            return UNREADABLE;
        }
        spec.commandLine().getOut().print(json ? report.renderJson() + "\n" : report.renderText());
        spec.commandLine().getOut().flush();
        return report.exitCode();
    }
}
