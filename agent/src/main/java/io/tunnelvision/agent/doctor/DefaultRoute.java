package io.tunnelvision.agent.doctor;

/**
 * A default route of the main routing table (read by {@link io.tunnelvision.agent.collect.RouteTable}).
 *
 * @param iface the interface it leaves through
 * @param metric its metric (lower wins)
 * @param ipv6 whether it is the IPv6 default route ({@code ::/0}) rather than {@code 0.0.0.0/0}
 */
public record DefaultRoute(String iface, long metric, boolean ipv6) {
}
