package io.tunnelvision.rules.catalog;

/** What a command's {@code target} names, and so which placeholder of the kernel path it fills. */
public enum TargetKind {
    /** An interface name ({@code tun0}), filling {@code {if}}. */
    INTERFACE,
    /** {@code <interface>/<queue>} ({@code tun0/rx-0}), filling {@code {if}} and {@code {queue}}. */
    RX_QUEUE,
    /** The literal {@code host}: a host-wide sysctl with no placeholder. */
    HOST,
    /** {@code all}, {@code default} or an interface name, filling {@code {if}} of an IPv4 conf directory. */
    IPV4_CONF,
    /** One IRQ or several ascending and comma-separated ({@code 45,46,47}), each filling {@code {irq}}. */
    IRQ_SET,
    /** A CPU id ({@code 3}), filling {@code {cpu}}. */
    CPU
}
