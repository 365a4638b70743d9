package io.tunnelvision.local.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The driver of a simulated gateway's NIC, which decides what the kernel shows of it: the names of its MSI-X
 * vectors in {@code /proc/interrupts} (as each driver's {@code request_irq} call names them), its control vectors,
 * whether a queue's receive and transmit completions share a vector, and the PCI device behind
 * {@code /sys/class/net/eth0/device}.
 *
 * <p>Vector order follows the drivers: i40e, ice, iavf, mlx5, virtio and ena allocate their control vector first,
 * ixgbe and gve last. virtio-net and gve give each queue separate receive and transmit vectors; virtio-net's
 * {@code device} link points at the virtio device ({@code virtio0}), whose parent is the PCI function that owns
 * the vectors, as on a KVM guest.
 */
public enum NicDriver {
    /** Intel 82599 (ixgbe): {@code eth0-TxRx-N}, then the "other causes" vector named after the interface. */
    IXGBE("ixgbe", "0x8086", "0x10fb", "0000:3b:00.0", true, false),
    /** Intel X710 (i40e): {@code i40e-0000:3b:00.0:misc}, then {@code i40e-eth0-TxRx-N}. */
    I40E("i40e", "0x8086", "0x1572", "0000:3b:00.0", true, false),
    /** Intel E810 (ice): {@code ice-0000:3b:00.0:misc}, then {@code ice-eth0-TxRx-N}. */
    ICE("ice", "0x8086", "0x1592", "0000:3b:00.0", true, true),
    /** Intel adaptive virtual function in a VM (iavf): {@code iavf-0000:00:06.0:mbx}, then {@code iavf-eth0-TxRx-N}. */
    IAVF("iavf", "0x8086", "0x1889", "0000:00:06.0", false, false),
    /** Mellanox ConnectX-6 Dx (mlx5_core): {@code mlx5_async0@pci:0000:3b:00.0}, then {@code mlx5_compN@pci:...}. */
    MLX5("mlx5_core", "0x15b3", "0x101d", "0000:3b:00.0", true, true),
    /** virtio-net on KVM: {@code virtio0-config}, then {@code virtio0-input.N} and {@code virtio0-output.N}. */
    VIRTIO("virtio_net", "0x1af4", "0x1041", "0000:00:04.0", false, false),
    /** Google gVNIC (gve): {@code gve-ntfy-blkN@pci:...}, transmit blocks first, then {@code gve-mgmnt@pci:...}. */
    GVE("gve", "0x1ae0", "0x0042", "0000:00:04.0", false, true),
    /** Amazon ENA: {@code ena-mgmnt@pci:0000:00:05.0}, then {@code eth0-Tx-Rx-N}. */
    ENA("ena", "0x1d0f", "0xec20", "0000:00:05.0", false, false);

    /** What a vector is for; only queue vectors carry packets and follow the settings' affinities. */
    public enum Role { QUEUE, RX, TX, CONTROL }

    /** One MSI-X vector: its name in /proc/interrupts, its role and the queue it serves (-1 for control). */
    public record Vector(String name, Role role, int queue) {
    }

    private final String driver;
    private final String vendor;
    private final String device;
    private final String pciAddress;
    private final boolean bareMetal;
    private final boolean newChipNames;

    NicDriver(String driver, String vendor, String device, String pciAddress, boolean bareMetal,
            boolean newChipNames) {
        this.driver = driver;
        this.vendor = vendor;
        this.device = device;
        this.pciAddress = pciAddress;
        this.bareMetal = bareMetal;
        this.newChipNames = newChipNames;
    }

    /** The name a scenario file uses: the enum name in lower case ({@code mlx5}, {@code virtio}). */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** DRIVER= of the device's uevent (virtio-net's PCI function is bound to virtio-pci). */
    public String driver() {
        return driver;
    }

    String vendor() {
        return vendor;
    }

    String deviceId() {
        return device;
    }

    /** The PCI function, domain included, as sysfs and the IRQ names print it. */
    public String pciAddress() {
        return pciAddress;
    }

    /** Bare-metal NICs sit behind interrupt remapping ({@code IR-PCI-MSI}); a VM's do not ({@code PCI-MSI}). */
    boolean bareMetal() {
        return bareMetal;
    }

    /**
     * Newer kernels (6.2 on) print the chip as {@code IR-PCI-MSIX-0000:3b:00.0} and the vector index as hwirq;
     * older ones {@code IR-PCI-MSI} and a hwirq made of bus, device, function and vector. Both are in fleets.
     */
    boolean newChipNames() {
        return newChipNames;
    }

    /** Whether {@code device} points at a virtio device below the PCI function rather than the function itself. */
    boolean virtioChild() {
        return this == VIRTIO;
    }

    /** Every vector of the NIC, in the order the driver requests them (the IRQ numbers follow this order). */
    public List<Vector> vectors(String iface, int queues) {
        List<Vector> v = new ArrayList<>();
        String pci = pciAddress;
        switch (this) {
            case IXGBE -> {
                combined(v, queues, q -> iface + "-TxRx-" + q);
                v.add(control(iface));
            }
            case I40E, ICE -> {
                v.add(control(driver + "-" + pci + ":misc"));
                combined(v, queues, q -> driver + "-" + iface + "-TxRx-" + q);
            }
            case IAVF -> {
                v.add(control("iavf-" + pci + ":mbx"));
                combined(v, queues, q -> "iavf-" + iface + "-TxRx-" + q);
            }
            case MLX5 -> {
                v.add(control("mlx5_async0@pci:" + pci));
                combined(v, queues, q -> "mlx5_comp" + q + "@pci:" + pci);
            }
            case VIRTIO -> {
                v.add(control("virtio0-config"));
                for (int q = 0; q < queues; q++) {
                    v.add(new Vector("virtio0-input." + q, Role.RX, q));
                    v.add(new Vector("virtio0-output." + q, Role.TX, q));
                }
            }
            case GVE -> {
                // gve_tx_idx_to_ntfy(q) = q, gve_rx_idx_to_ntfy(q) = q + the number of transmit queues
                for (int q = 0; q < queues; q++) {
                    v.add(new Vector("gve-ntfy-blk" + q + "@pci:" + pci, Role.TX, q));
                }
                for (int q = 0; q < queues; q++) {
                    v.add(new Vector("gve-ntfy-blk" + (queues + q) + "@pci:" + pci, Role.RX, q));
                }
                v.add(control("gve-mgmnt@pci:" + pci));
            }
            case ENA -> {
                v.add(control("ena-mgmnt@pci:" + pci));
                combined(v, queues, q -> iface + "-Tx-Rx-" + q);
            }
            default -> throw new IllegalStateException(name());
        }
        return v;
    }

    private static Vector control(String name) {
        return new Vector(name, Role.CONTROL, -1);
    }

    private static void combined(List<Vector> v, int queues, IntFunction<String> name) {
        for (int q = 0; q < queues; q++) {
            v.add(new Vector(name.apply(q), Role.QUEUE, q));
        }
    }

    /** The driver a scenario file names, or null. */
    public static NicDriver byFileName(String name) {
        for (NicDriver d : values()) {
            if (d.fileName().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
