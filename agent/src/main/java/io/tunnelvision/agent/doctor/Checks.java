package io.tunnelvision.agent.doctor;

import java.util.List;

/** Every check of the doctor, in the order a person reads the manual: adding one is one line here. */
final class Checks {

    static final List<Check> ALL = List.of(
            new IrqDistributionCheck(),
            new SoftirqLoadCheck(),
            new SoftnetSqueezeCheck(),
            new SoftnetBacklogCheck(),
            new TxQueueCheck(),
            new RxOverrunCheck(),
            new RpsCheck(),
            new RfsCheck(),
            new SocketBufferCheck(),
            new TunnelMtuCheck(),
            new FragmentationCheck(),
            new RpFilterCheck(),
            new GovernorCheck());

    private Checks() {
    }
}
