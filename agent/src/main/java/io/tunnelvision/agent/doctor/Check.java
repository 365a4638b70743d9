package io.tunnelvision.agent.doctor;

import java.util.List;

/** One question the doctor asks of a host, answered from two readings. */
interface Check {

    /** Short kebab-case name, the {@code check} of every finding it makes. */
    String name();

    /** What is wrong or worth knowing; empty when this part of the host is healthy. */
    List<Finding> examine(HostInterval interval);
}
