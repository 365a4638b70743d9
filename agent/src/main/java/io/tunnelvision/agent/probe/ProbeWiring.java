package io.tunnelvision.agent.probe;

import io.tunnelvision.agent.run.HostIdentity;
import io.tunnelvision.agent.run.SampleRouting;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the reflector and the prober when peers are configured; samples go out through the agent's routing. */
public final class ProbeWiring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProbeWiring.class);

    private final ProbeReflector reflector;
    private final Prober prober;

    private ProbeWiring(ProbeReflector reflector, Prober prober) {
        this.reflector = reflector;
        this.prober = prober;
    }

    /** @param counts where the reflector counts what it answered and dropped (the agent's metrics) */
    public static ProbeWiring start(ProbeSettings settings, Path sysRoot, HostIdentity identity,
                                    SampleRouting routing, ReflectorCounts counts) {
        if (!settings.enabled()) {
            LOG.info("latency probes off: no peers configured");
            return new ProbeWiring(null, null);
        }
        ProbeReflector reflector = ProbeReflector.start(new InetSocketAddress(settings.port()),
                settings.reflectLimit(), settings.peerAddresses(), counts);
        Prober prober = new Prober(settings, sysRoot, identity,
                sample -> routing.publish(identity.hostId(), sample), Clock.systemUTC()).start();
        LOG.info("probing {} peer(s), sizes {}, {} probes/s in all, every {}; reflector on UDP {} (at most {}/s"
                        + " to each peer address, to the peers' addresses only)",
                settings.peers().size(), settings.sizes(), settings.probesPerSecond(), settings.interval(),
                settings.port(), settings.reflectLimit());
        return new ProbeWiring(reflector, prober);
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.close();
        }
        if (reflector != null) {
            reflector.close();
        }
    }
}
