package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** What the doctor found on one host, for a person ({@link #renderText()}) or a program ({@link #renderJson()}). */
public final class DoctorReport {

    private static final int WIDTH = 110;
    private static final String INDENT = "          ";

    /** What was examined, for the report's header. */
    record Scope(String onlineCpus, int possibleCpus, int interfaces, double seconds, List<String> checks) {
        Scope {
            checks = List.copyOf(checks);
        }
    }

    /**
     * One bad finding of the rules with the changes they propose for it: what the text explains, for programs
     * that compare the doctor with the fleet.
     */
    public record Diagnosis(io.tunnelvision.rules.detect.Finding finding, List<Change> changes) {
        public Diagnosis {
            changes = List.copyOf(changes);
        }
    }

    private final List<Finding> findings;
    private final List<Diagnosis> diagnoses;
    private final Scope scope;

    DoctorReport(List<Finding> findings, Scope scope) {
        this(findings, List.of(), scope);
    }

    DoctorReport(List<Finding> findings, List<Diagnosis> diagnoses, Scope scope) {
        List<Finding> sorted = new ArrayList<>(findings);
        // most severe first; the sort is stable, so findings of equal severity keep the checks' order
        sorted.sort(Comparator.comparing(Finding::severity).reversed());
        this.findings = List.copyOf(sorted);
        this.diagnoses = List.copyOf(diagnoses);
        this.scope = scope;
    }

    /** Most severe first. */
    public List<Finding> findings() {
        return findings;
    }

    /** The rules' bad findings and proposed changes behind {@link #findings()}, in the detectors' order. */
    public List<Diagnosis> diagnoses() {
        return diagnoses;
    }

    public boolean hasCritical() {
        return count(Severity.CRITICAL) > 0;
    }

    /** 0 when nothing is above INFO, 1 for warnings only, 2 when something is critical. */
    public int exitCode() {
        if (hasCritical()) {
            return 2;
        }
        return count(Severity.WARNING) > 0 ? 1 : 0;
    }

    private long count(Severity severity) {
        return findings.stream().filter(f -> f.severity() == severity).count();
    }

    public String renderText() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Tunnelvision doctor: CPUs %s online (%d possible), %d interfaces, "
                + "readings %s apart%n", scope.onlineCpus(), scope.possibleCpus(), scope.interfaces(),
                Text.seconds(scope.seconds())));
        out.append(String.format(Locale.ROOT, "%d critical, %d warning(s), %d info: exit code %d%n",
                count(Severity.CRITICAL), count(Severity.WARNING), count(Severity.INFO), exitCode()));
        for (Finding f : findings) {
            out.append(System.lineSeparator());
            out.append(String.format(Locale.ROOT, "%-9s %-17s %s%n", f.severity(), f.check(), f.subject()));
            field(out, "seen", f.seen());
            field(out, "why", f.why());
            if (f.fix().isEmpty()) {
                field(out, "fix", "(nothing to run)");
            } else {
                // commands are never wrapped: a person copies them as they are
                String label = String.format(Locale.ROOT, "  %-6s  ", "fix");
                for (String line : f.fix().split("\n", -1)) {
                    out.append(label).append(line).append(System.lineSeparator());
                    label = INDENT;
                }
            }
        }
        out.append(System.lineSeparator());
        wrap(out, "Checked: " + String.join(", ", scope.checks()) + ". Fixes are runtime changes: once they help, "
                + "persist them (sysctl.d, udev rules, the VPN's own config).", "");
        return out.toString();
    }

    private static void field(StringBuilder out, String name, String text) {
        String label = String.format(Locale.ROOT, "  %-6s  ", name);
        boolean first = true;
        for (String line : text.split("\n", -1)) {
            StringBuilder one = new StringBuilder();
            wrap(one, line, INDENT);
            String wrapped = one.toString();
            out.append(first ? label : INDENT).append(wrapped.substring(INDENT.length()));
            first = false;
        }
    }

    /** Appends {@code text} word-wrapped at {@link #WIDTH}, every line starting with {@code indent}. */
    private static void wrap(StringBuilder out, String text, String indent) {
        StringBuilder line = new StringBuilder(indent);
        for (String word : text.split(" ")) {
            if (line.length() > indent.length() && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append(System.lineSeparator());
                line = new StringBuilder(indent);
            }
            if (line.length() > indent.length()) {
                line.append(' ');
            }
            line.append(word);
        }
        out.append(line).append(System.lineSeparator());
    }

    public String renderJson() {
        StringBuilder out = new StringBuilder();
        out.append("{\"onlineCpus\":").append(Json.string(scope.onlineCpus()))
                .append(",\"possibleCpus\":").append(scope.possibleCpus())
                .append(",\"interfaces\":").append(scope.interfaces())
                .append(",\"intervalSeconds\":").append(String.format(Locale.ROOT, "%.3f", scope.seconds()))
                .append(",\"critical\":").append(count(Severity.CRITICAL))
                .append(",\"warnings\":").append(count(Severity.WARNING))
                .append(",\"info\":").append(count(Severity.INFO))
                .append(",\"exitCode\":").append(exitCode())
                .append(",\"checks\":[");
        for (int i = 0; i < scope.checks().size(); i++) {
            out.append(i == 0 ? "" : ",").append(Json.string(scope.checks().get(i)));
        }
        out.append("],\"findings\":[");
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            out.append(i == 0 ? "" : ",")
                    .append("{\"check\":").append(Json.string(f.check()))
                    .append(",\"severity\":").append(Json.string(f.severity().name()))
                    .append(",\"subject\":").append(Json.string(f.subject()))
                    .append(",\"seen\":").append(Json.string(f.seen()))
                    .append(",\"why\":").append(Json.string(f.why()))
                    .append(",\"fix\":").append(Json.string(f.fix()))
                    .append('}');
        }
        return out.append("]}").toString();
    }
}
