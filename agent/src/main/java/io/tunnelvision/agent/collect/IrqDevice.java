package io.tunnelvision.agent.collect;

/**
 * The device behind a network interface's queue IRQs, from {@code /sys/class/net/<netdev>/device}.
 *
 * @param busId the basename of the {@code device} link, e.g. {@code 0000:3b:00.0}
 * @param numaNode {@code device/numa_node}, null for the kernel's -1 or when absent
 * @param localCpus {@code device/local_cpulist}, null when absent
 */
record IrqDevice(String netdev, String busId, Integer numaNode, String localCpus) {
}
