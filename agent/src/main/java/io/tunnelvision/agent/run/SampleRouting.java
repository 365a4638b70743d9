package io.tunnelvision.agent.run;

import io.tunnelvision.agent.publish.SamplePublisher;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.LatencySample;
import io.tunnelvision.schemas.avro.LinkSample;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.PmtuSample;
import io.tunnelvision.schemas.avro.QdiscSample;
import io.tunnelvision.schemas.avro.SoftnetSample;
import io.tunnelvision.schemas.avro.WireguardSample;
import io.tunnelvision.schemas.topic.Topics;
import org.apache.avro.specific.SpecificRecord;

/** Which topic each kind of sample goes to. */
public final class SampleRouting {

    private final Topics topics;
    private final SamplePublisher publisher;

    public SampleRouting(Topics topics, SamplePublisher publisher) {
        this.topics = topics;
        this.publisher = publisher;
    }

    public void publish(String hostId, SpecificRecord sample) {
        if (sample instanceof InterruptSample s) {
            publisher.publish(topics.interruptSamples, hostId, s);
        } else if (sample instanceof SoftnetSample s) {
            publisher.publish(topics.softnetSamples, hostId, s);
        } else if (sample instanceof LinkSample s) {
            publisher.publish(topics.linkSamples, hostId, s);
        } else if (sample instanceof InterfaceConfigSample s) {
            publisher.publish(topics.interfaceConfigSamples, hostId, s);
        } else if (sample instanceof KernelSettingsSample s) {
            publisher.publish(topics.kernelSettingsSamples, hostId, s);
        } else if (sample instanceof LatencySample s) {
            publisher.publish(topics.latencySamples, hostId, s);
        } else if (sample instanceof WireguardSample s) {
            publisher.publish(topics.wireguardSamples, hostId, s);
        } else if (sample instanceof PmtuSample s) {
            publisher.publish(topics.pmtuSamples, hostId, s);
        } else if (sample instanceof QdiscSample s) {
            publisher.publish(topics.qdiscSamples, hostId, s);
        } else if (sample instanceof NicSample s) {
            publisher.publish(topics.nicSamples, hostId, s);
        } else {
            throw new IllegalArgumentException("no topic for " + sample.getClass().getName());
        }
    }
}
