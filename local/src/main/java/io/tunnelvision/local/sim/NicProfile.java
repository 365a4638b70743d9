package io.tunnelvision.local.sim;

/**
 * What a simulated NIC's driver reports to ethtool: ring sizes (the driver's maximum and its default), channels,
 * receive coalescing and the names of its {@code -S} counters. Values are each driver's defaults as its sources set
 * them (ixgbe: rings 512 of 4096, {@code rx-usecs 1} meaning dynamic ITR; i40e and iavf: 512 of 4096, adaptive,
 * 50 µs; ice: 2048 of 8160, adaptive, 50 µs; mlx5: 1024 of 8192, adaptive, 8 µs; virtio_net: the virtqueue's 256;
 * gve: 1024 and no coalescing through ethtool; ena: 1024 of 16384 (the fixture under agent's tests), 0 µs).
 *
 * @param rxRingMax        {@code ethtool -g} pre-set maximum of RX (and TX)
 * @param rxRingDefault    the ring a freshly loaded driver allocates
 * @param combinedMax      the combined channels the device supports; 0 for a device with separate RX and TX
 *                         channels (gve), whose maxima are {@code separateMax}
 * @param separateMax      RX and TX channels a device without combined ones supports
 * @param adaptiveRx       {@code Adaptive RX:} on or off; null when the driver does not answer {@code -c}
 * @param rxUsecs          {@code rx-usecs}
 * @param ringDrops        the {@code -S} counter of packets lost because the RX ring had no free descriptor, or
 *                         null when the driver counts them in a plain drop counter
 * @param rxQueueCounter   the {@code -S} name of queue N's received packets, a format with one {@code %d}
 * @param txQueueCounter   the same for sent packets
 * @param deviceDrops      the device-wide receive and transmit drop counters it prints, in that order
 */
record NicProfile(int rxRingMax, int rxRingDefault, int combinedMax, int separateMax, Boolean adaptiveRx,
                  int rxUsecs, String ringDrops, String rxQueueCounter, String txQueueCounter,
                  String rxDropped, String txDropped) {

    static NicProfile of(NicDriver driver) {
        return switch (driver) {
            case IXGBE -> new NicProfile(4096, 512, 63, 0, Boolean.FALSE, 1, "rx_missed_errors",
                    "rx_queue_%d_packets", "tx_queue_%d_packets", "rx_dropped", "tx_dropped");
            case I40E -> new NicProfile(4096, 512, 64, 0, Boolean.TRUE, 50, "port.rx_dropped",
                    "rx-%d.packets", "tx-%d.packets", "rx_dropped", "tx_dropped");
            case ICE -> new NicProfile(8160, 2048, 64, 0, Boolean.TRUE, 50, "rx_dropped.nic",
                    "rx_queue_%d_packets", "tx_queue_%d_packets", "rx_dropped", "tx_dropped");
            case IAVF -> new NicProfile(4096, 512, 16, 0, Boolean.TRUE, 50, null,
                    "rx-%d.packets", "tx-%d.packets", "rx_dropped", "tx_dropped");
            case MLX5 -> new NicProfile(8192, 1024, 63, 0, Boolean.TRUE, 8, "rx_out_of_buffer",
                    "rx%d_packets", "tx%d_packets", "rx_discards_phy", "tx_discards_phy");
            case VIRTIO -> new NicProfile(256, 256, 16, 0, Boolean.FALSE, 0, null,
                    "rx_queue_%d_packets", "tx_queue_%d_packets", "rx_drops", "tx_drops");
            case GVE -> new NicProfile(1024, 1024, 0, 16, null, 0, null,
                    "rx_queue_%d_packets", "tx_queue_%d_packets", "rx_dropped", "tx_dropped");
            case ENA -> new NicProfile(16384, 1024, 32, 0, Boolean.FALSE, 0, null,
                    "queue_%d_rx_cnt", "queue_%d_tx_cnt", "rx_drops", "tx_drops");
        };
    }
}
