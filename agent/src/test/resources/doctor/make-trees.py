#!/usr/bin/env python3
"""Writes the doctor's fixture trees (see README.md). Run from this directory: python3 make-trees.py

Each scenario is a pair of trees, before/ and after/, laid out like /proc and /sys, read 5 s apart by the tests.
The layout follows ../fixtures/live-host (captured from a 6.18 kernel); the numbers are chosen so that every
known problem crosses its threshold by a clear margin.
"""
import os
import shutil

STATS = ["rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors", "rx_over_errors",
         "rx_frame_errors", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors",
         "tx_carrier_errors"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text if text.endswith("\n") or text == "" else text + "\n")


def tree(root, host):
    """host: dict describing one moment of one host."""
    if os.path.exists(root):
        shutil.rmtree(root)
    proc, sys = os.path.join(root, "proc"), os.path.join(root, "sys")
    cpus = host["online"]
    # /proc/interrupts: header of online CPUs, numbered NIC rows, LOC
    lines = ["           " + "".join("CPU%-8d" % c for c in cpus).rstrip()]
    for irq, chip, hw, dev, counts in host["irqs"]:
        lines.append("%4d: %s %s %s      %s" % (irq, " ".join("%10d" % n for n in counts), chip, hw, dev))
    lines.append(" LOC: %s   Local timer interrupts" % " ".join("%10d" % 1000 for _ in cpus))
    write(f"{proc}/interrupts", "\n".join(lines))
    # /proc/irq/<n>/smp_affinity_list: each row is configured for the CPU that takes its interrupts (the kernel
    # delivers to the first CPU of a single-CPU list), every online CPU when it took none
    for irq, chip, hw, dev, counts in host["irqs"]:
        busiest = max(range(len(counts)), key=lambda i: counts[i])
        affinity = str(cpus[busiest]) if counts[busiest] > 0 else host["online_text"]
        write(f"{proc}/irq/{irq}/smp_affinity_list", affinity)
    # /proc/softirqs
    hdr = "                    " + "".join("CPU%-8d" % c for c in cpus).rstrip()
    write(f"{proc}/softirqs", "\n".join([
        hdr,
        "          HI: " + " ".join("%10d" % 0 for _ in cpus),
        "      NET_TX: " + " ".join("%10d" % 10 for _ in cpus),
        "      NET_RX: " + " ".join("%10d" % n for n in host["netrx"]),
    ]))
    # /proc/stat: user nice system idle iowait irq softirq steal guest guest_nice
    stat = []
    tot_si = sum(si for si, _ in host["ticks"])
    tot_idle = sum(idle for _, idle in host["ticks"])
    stat.append("cpu  100 0 100 %d 0 0 %d 0 0 0" % (tot_idle, tot_si))
    for c, (si, idle) in zip(cpus, host["ticks"]):
        stat.append("cpu%d 25 0 25 %d 0 0 %d 0 0 0" % (c, idle, si))
    stat += ["intr 0", "ctxt 1", "btime 1700000000", "processes 1", "procs_running 1", "procs_blocked 0"]
    write(f"{proc}/stat", "\n".join(stat))
    # /proc/net/softnet_stat, 13 columns (5.10+): processed dropped squeeze 0*6 received_rps flow_limit backlog cpu
    rows = []
    for c, (processed, dropped, squeeze) in zip(cpus, host["softnet"]):
        rows.append(" ".join("%08x" % v for v in
                             [processed, dropped, squeeze, 0, 0, 0, 0, 0, 0, 0, 0, 0, c]))
    write(f"{proc}/net/softnet_stat", "\n".join(rows))
    # /proc/net/snmp (only the groups the collector reads)
    ip = host["ip"]
    write(f"{proc}/net/snmp", "\n".join([
        "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards "
        "InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs "
        "FragFails FragCreates OutTransmits",
        "Ip: 1 64 1000000 0 0 500000 0 0 500000 400000 0 0 0 %d %d %d %d %d %d 900000" % (
            ip["ReasmReqds"], ip["ReasmOKs"], ip["ReasmFails"], ip["FragOKs"], ip["FragFails"], ip["FragCreates"]),
        "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors",
        "Udp: 300000 0 %d 290000 %d %d 0 0 0" % (host["udp"][0], host["udp"][0], host["udp"][1]),
    ]))
    # /proc/net/route
    route = ["Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"]
    for iface, metric in host["default_routes"]:
        route.append("%s\t00000000\t0102000A\t0003\t0\t0\t%d\t00000000\t0\t0\t0" % (iface, metric))
    route.append("eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0")
    write(f"{proc}/net/route", "\n".join(route))
    # sysctls
    for name, value in host["core"].items():
        write(f"{proc}/sys/net/core/{name}", str(value))
    write(f"{proc}/sys/net/ipv4/ip_forward", str(host["ip_forward"]))
    for name, value in host["rp_filter"].items():
        write(f"{proc}/sys/net/ipv4/conf/{name}/rp_filter", str(value))
    # /sys/devices/system/cpu
    write(f"{sys}/devices/system/cpu/online", host["online_text"])
    write(f"{sys}/devices/system/cpu/possible", host["possible_text"])
    for c in cpus:
        if host.get("governor"):
            write(f"{sys}/devices/system/cpu/cpu{c}/cpufreq/scaling_governor", host["governor"])
    # /sys/class/net
    for ifindex, iface in enumerate(host["interfaces"], start=1):
        d = f"{sys}/class/net/{iface['name']}"
        write(f"{d}/ifindex", str(ifindex))
        write(f"{d}/iflink", str(ifindex))
        write(f"{d}/type", str(iface.get("type", 1)))
        write(f"{d}/mtu", str(iface["mtu"]))
        write(f"{d}/tx_queue_len", str(iface["txqlen"]))
        write(f"{d}/operstate", iface.get("oper", "up"))
        write(f"{d}/uevent", "INTERFACE=%s\nIFINDEX=%d%s" % (
            iface["name"], ifindex, "\nDEVTYPE=" + iface["devtype"] if "devtype" in iface else ""))
        if "tun_flags" in iface:
            write(f"{d}/tun_flags", iface["tun_flags"])
        if iface.get("device"):
            write(f"{d}/device/uevent", "DRIVER=ixgbe\nPCI_SLOT_NAME=" + iface["device"])
        if "lower" in iface:
            write(f"{d}/lower_{iface['lower']}/uevent", "INTERFACE=" + iface["lower"])
        for q, (rps, flow) in enumerate(iface["rx"]):
            write(f"{d}/queues/rx-{q}/rps_cpus", rps)
            write(f"{d}/queues/rx-{q}/rps_flow_cnt", str(flow))
        for stat_name in STATS:
            write(f"{d}/statistics/{stat_name}", str(iface["stats"].get(stat_name, 0)))


def gateway(after, sick):
    """A 4-CPU VPN gateway with two uplinks, an OpenVPN tun, WireGuard and VXLAN; sick or tuned."""
    t = 1 if after else 0
    online = [0, 1, 2, 3]
    # eth0: 4 queues. Sick: all on CPU0 (+50000 each in 5 s = 40000/s). Healthy: one queue per CPU.
    irqs = []
    for q in range(4):
        base = [1000000, 0, 0, 0] if sick else [1000000 if c == q else 0 for c in range(4)]
        cpu = 0 if sick else q
        counts = [n + (50000 * t if c == cpu else 0) for c, n in enumerate(base)]
        irqs.append((40 + q, "IR-PCI-MSIX-0000:3b:00.0", "%d-edge" % (q + 1), "eth0-TxRx-%d" % q, counts))
    # eth1: 4 queues spread, little traffic
    for q in range(4):
        counts = [(5000 + 500 * t) if c == q else 0 for c in range(4)]
        irqs.append((50 + q, "IR-PCI-MSIX-0000:3b:00.1", "%d-edge" % (q + 1), "eth1-TxRx-%d" % q, counts))
    # /proc/stat per CPU: (softirq, idle). 5 s at USER_HZ 100 = 500 ticks per CPU, 50 of them user+system.
    if sick:
        ticks = [(1000 + 350 * t, 9000 + 100 * t), (1000 + 5 * t, 9000 + 445 * t),
                 (1000 + 5 * t, 9000 + 445 * t), (1000 + 5 * t, 9000 + 445 * t)]
    else:
        ticks = [(1000 + 40 * t, 9000 + 410 * t)] * 4
    # softnet: processed, dropped, squeeze per CPU
    if sick:
        softnet = [(5000000 + 200000 * t, 100 + 30 * t, 1000 + 600 * t)] + [(100000 + 1000 * t, 0, 0)] * 3
    else:
        softnet = [(1000000 + 50000 * t, 5, 2)] * 4
    ip = {k: 0 for k in ["ReasmReqds", "ReasmOKs", "ReasmFails", "FragOKs", "FragFails", "FragCreates"]}
    if sick:
        ip.update(ReasmReqds=20000 + 800 * t, ReasmOKs=10000 + 400 * t, FragOKs=9000 + 500 * t,
                  FragCreates=18000 + 1000 * t)
    else:
        ip.update(ReasmReqds=12, ReasmOKs=6, FragOKs=3, FragCreates=6)
    udp = (5000 + 400 * t, 0) if sick else (3, 0)
    mask = "f"
    interfaces = [
        {"name": "lo", "type": 772, "mtu": 65536, "txqlen": 1000, "oper": "unknown", "rx": [("0", 0)],
         "stats": {}},
        {"name": "eth0", "mtu": 1500, "txqlen": 1000, "device": "0000:3b:00.0",
         "rx": [("0", 0)] * 4,
         "stats": {"rx_packets": 9000000 + 1000000 * t, "tx_packets": 8000000 + 900000 * t}},
        {"name": "eth1", "mtu": 1500, "txqlen": 1000, "device": "0000:3b:00.1",
         "rx": [("0", 0)] * 4,
         "stats": {"rx_packets": 100000 + 2000 * t, "tx_packets": 100000 + 2000 * t}},
        {"name": "tun0", "type": 65534, "mtu": 1450 if sick else 1448, "txqlen": 500 if sick else 1000,
         "oper": "unknown", "tun_flags": "0x1001",
         "rx": [("0", 0)] if sick else [(mask, 32768)],
         "stats": {"rx_packets": 400000 + 10000 * t, "tx_packets": 300000 + 10000 * t,
                   "tx_dropped": (700 + 20 * t) if sick else 3}},
        {"name": "wg0", "type": 65534, "mtu": 1500 if sick else 1420, "txqlen": 1000, "oper": "unknown",
         "devtype": "wireguard", "rx": [(mask, 2048)] if sick else [(mask, 32768)],
         "stats": {"rx_packets": 50000 + 1000 * t, "tx_packets": 50000 + 1000 * t}},
        {"name": "vxlan0", "mtu": 1500 if sick else 1450, "txqlen": 1000, "oper": "unknown", "devtype": "vxlan",
         "lower": "eth0", "rx": [(mask, 0)] if sick else [(mask, 32768)],
         "stats": {"rx_packets": 20000 + 500 * t, "tx_packets": 20000 + 500 * t}},
    ]
    return {
        "online": online, "online_text": "0-3", "possible_text": "0-3", "irqs": irqs,
        "netrx": [s[0] // 10 for s in softnet], "ticks": ticks, "softnet": softnet, "ip": ip, "udp": udp,
        "default_routes": [("eth0", 100), ("eth1", 200)] if sick else [("eth0", 100)],
        "core": {"rmem_max": 212992 if sick else 16777216, "wmem_max": 212992 if sick else 16777216,
                 "rmem_default": 212992, "wmem_default": 212992,
                 "netdev_budget": 300 if sick else 600, "netdev_budget_usecs": 2000 if sick else 4000,
                 "netdev_max_backlog": 1000 if sick else 5000, "rps_sock_flow_entries": 0 if sick else 32768,
                 "rps_default_mask": "0" if sick else mask},
        "ip_forward": 1,
        "rp_filter": ({"all": 1, "default": 1, "lo": 0, "eth0": 1, "eth1": 1, "tun0": 0, "wg0": 0, "vxlan0": 0}
                      if sick else
                      {"all": 0, "default": 2, "lo": 0, "eth0": 2, "eth1": 2, "tun0": 2, "wg0": 2, "vxlan0": 2}),
        "governor": "powersave" if sick else "performance",
        "interfaces": interfaces,
    }


def offline_cpus(after):
    """CPUs 0-3 and 5 online of 0-7: a tun with RPS off; the mask must name exactly 0-3,5 (2f)."""
    t = 1 if after else 0
    online = [0, 1, 2, 3, 5]
    return {
        "online": online, "online_text": "0-3,5", "possible_text": "0-7", "irqs": [],
        "netrx": [100] * 5, "ticks": [(100 + 5 * t, 9000 + 445 * t)] * 5,
        "softnet": [(100000 + 1000 * t, 0, 0)] * 5,
        "ip": {k: 0 for k in ["ReasmReqds", "ReasmOKs", "ReasmFails", "FragOKs", "FragFails", "FragCreates"]},
        "udp": (0, 0), "default_routes": [("eth0", 0)],
        "core": {"rmem_max": 16777216, "wmem_max": 16777216, "rmem_default": 212992, "wmem_default": 212992,
                 "netdev_budget": 300, "netdev_budget_usecs": 2000, "netdev_max_backlog": 1000,
                 "rps_sock_flow_entries": 32768},
        "ip_forward": 0, "rp_filter": {"all": 0, "default": 0, "eth0": 0, "tun0": 0},
        "governor": "performance",
        "interfaces": [
            {"name": "eth0", "mtu": 1500, "txqlen": 1000, "device": "0000:00:03.0",
             "rx": [("00", 0)] * 8, "stats": {"rx_packets": 1000 + 100 * t}},
            {"name": "tun0", "type": 65534, "mtu": 1400, "txqlen": 1000, "oper": "unknown",
             "tun_flags": "0x1001", "rx": [("00", 0)], "stats": {"rx_packets": 1000 + 100 * t}},
        ],
    }


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, make in [("sick-gateway", lambda a: gateway(a, True)),
                       ("healthy-gateway", lambda a: gateway(a, False)),
                       ("offline-cpus", offline_cpus)]:
        for moment, after in [("before", False), ("after", True)]:
            tree(os.path.join(here, name, moment), make(after))
