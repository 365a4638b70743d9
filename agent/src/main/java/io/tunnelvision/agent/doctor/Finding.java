package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.Severity;
import java.util.Objects;

/**
 * One thing the doctor noticed on a host.
 *
 * @param check the check that found it, e.g. {@code rps}
 * @param severity INFO (worth knowing), WARNING (costs latency), CRITICAL (loses packets or costs a lot)
 * @param subject what it is about: an interface, a CPU ({@code cpu0}), an IRQ ({@code irq 36}) or a setting
 * @param seen what was read, with the numbers
 * @param why why it costs latency
 * @param fix the exact shell command(s) that would fix it on this host, or "" when there is nothing to run
 */
public record Finding(String check, Severity severity, String subject, String seen, String why, String fix) {

    public Finding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(seen, "seen");
        Objects.requireNonNull(why, "why");
        Objects.requireNonNull(fix, "fix");
    }
}
