package io.tunnelvision.agent.collect;

import static io.tunnelvision.agent.collect.SoftnetTable.BACKLOG_LEN;
import static io.tunnelvision.agent.collect.SoftnetTable.CPU_INDEX;
import static io.tunnelvision.agent.collect.SoftnetTable.DROPPED;
import static io.tunnelvision.agent.collect.SoftnetTable.FLOW_LIMIT_COUNT;
import static io.tunnelvision.agent.collect.SoftnetTable.PROCESSED;
import static io.tunnelvision.agent.collect.SoftnetTable.RECEIVED_RPS;
import static io.tunnelvision.agent.collect.SoftnetTable.TIME_SQUEEZE;

import io.tunnelvision.schemas.avro.SoftnetCpu;
import java.util.ArrayList;
import java.util.List;

/**
 * The Avro side of softnet_stat: one {@link SoftnetCpu} per kept line of a {@link SoftnetTable}. A column the
 * kernel does not print yet is null; before column 13 (5.10) the CPU id is not printed, so {@code cpu} is null and
 * only {@code row} says which line it was.
 */
public final class SoftnetRecords {

    private SoftnetRecords() {
    }

    public static List<SoftnetCpu> of(SoftnetTable table) {
        List<SoftnetCpu> cpus = new ArrayList<>(table.lines());
        for (int k = 0; k < table.lines(); k++) {
            cpus.add(new SoftnetCpu(table.row(k),
                    table.has(k, CPU_INDEX) ? (int) table.value(k, CPU_INDEX) : null,
                    table.value(k, PROCESSED), table.value(k, DROPPED), table.value(k, TIME_SQUEEZE),
                    optional(table, k, RECEIVED_RPS), optional(table, k, FLOW_LIMIT_COUNT),
                    optional(table, k, BACKLOG_LEN)));
        }
        return cpus;
    }

    private static Long optional(SoftnetTable table, int line, int column) {
        return table.has(line, column) ? table.value(line, column) : null;
    }
}
