package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.RxQueue;
import java.util.ArrayList;
import java.util.List;

/** The commands that turn on RPS and RFS for one interface, sized for this host. */
final class RpsCommands {

    /** RFS socket flow table size the kernel's scaling.rst suggests for a moderately loaded server. */
    static final long RFS_SOCK_FLOW_ENTRIES = 32768;

    private RpsCommands() {
    }

    /** {@code echo <mask> > …/rps_cpus} for every receive queue, over every online CPU. */
    static List<String> rps(InterfaceConfig iface, HostFacts facts) {
        String mask = CpuSets.rpsMask(facts);
        List<String> commands = new ArrayList<>();
        for (RxQueue q : iface.getRxQueues()) {
            if (q.getRpsCpus() != null && !mask.equals(q.getRpsCpus())) {
                commands.add("echo " + mask + " > " + queuePath(iface, q) + "/rps_cpus");
            }
        }
        return commands;
    }

    /**
     * RFS for the interface: the global socket flow table (when this kernel and namespace have it and it is
     * smaller than {@link #RFS_SOCK_FLOW_ENTRIES}) and a per-queue flow count of table size / queues, a power of
     * two because the kernel rounds it up to one and prints the rounded value.
     */
    static List<String> rfs(InterfaceConfig iface, KernelSettingsSample kernel) {
        List<String> commands = new ArrayList<>();
        Long entries = kernel.getRpsSockFlowEntries();
        long table = RFS_SOCK_FLOW_ENTRIES;
        if (entries != null) {
            if (entries < RFS_SOCK_FLOW_ENTRIES) {
                commands.add("sysctl -w net.core.rps_sock_flow_entries=" + RFS_SOCK_FLOW_ENTRIES);
            } else {
                table = entries;
            }
        }
        long perQueue = flowCount(table, iface.getRxQueues().size());
        for (RxQueue q : iface.getRxQueues()) {
            if (q.getRpsFlowCnt() != null && q.getRpsFlowCnt() < perQueue) {
                commands.add("echo " + perQueue + " > " + queuePath(iface, q) + "/rps_flow_cnt");
            }
        }
        return commands;
    }

    /** {@code table / queues} rounded down to a power of two, at least 1. */
    static long flowCount(long table, int queues) {
        long share = Math.max(1, table / Math.max(1, queues));
        return Long.highestOneBit(share);
    }

    /** True when RFS is not fully on for this interface: no socket flow table or a queue without flow count. */
    static boolean rfsOff(InterfaceConfig iface, KernelSettingsSample kernel) {
        Long entries = kernel.getRpsSockFlowEntries();
        if (entries != null && entries == 0) {
            return true;
        }
        for (RxQueue q : iface.getRxQueues()) {
            if (q.getRpsFlowCnt() != null && q.getRpsFlowCnt() == 0) {
                return true;
            }
        }
        return false;
    }

    static String queuePath(InterfaceConfig iface, RxQueue q) {
        return "/sys/class/net/" + iface.getName() + "/queues/" + q.getQueue();
    }

    /** Whether every receive queue with an rps_cpus file has RPS off (and there is at least one). */
    static boolean rpsOff(InterfaceConfig iface) {
        boolean any = false;
        for (RxQueue q : iface.getRxQueues()) {
            if (q.getRpsCpus() == null) {
                continue;
            }
            any = true;
            if (CpuSets.rpsOn(q.getRpsCpus())) {
                return false;
            }
        }
        return any;
    }
}
