package io.tunnelvision.agent.collect;

import java.util.List;

/**
 * What sysfs tells about one interface, before it is classified.
 *
 * @param name directory name under /sys/class/net
 * @param ifindex {@code ifindex}
 * @param iflink {@code iflink}: the ifindex of the device this one is linked to, or its own
 * @param type {@code type}: the ARPHRD_* hardware type
 * @param devType DEVTYPE of {@code uevent}, or null when the driver sets none
 * @param tunFlags {@code tun_flags} (only tun/tap devices have it), or null
 * @param hasDevice whether {@code device} exists, i.e. a bus device (PCI, virtio, USB) backs the interface
 * @param lowers names of the {@code lower_*} links without the prefix
 */
public record InterfaceFacts(String name, int ifindex, int iflink, int type, String devType, Integer tunFlags,
        boolean hasDevice, List<String> lowers) {

    public InterfaceFacts {
        lowers = List.copyOf(lowers);
    }
}
