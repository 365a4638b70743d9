package io.tunnelvision.local.scenario;

import io.tunnelvision.local.sim.TunnelKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Turns a {@link Scenario} into its gateways: the named hosts first, then generated ones ({@code gw-0001}, ...)
 * up to the fleet size, with CPU counts from 2 to 64 and the tunnel kinds mixed. A fault given as a share goes
 * to that fraction (rounded, at least one) of the generated gateways no other fault names, chosen by the seed.
 */
public final class FleetLayout {

    private static final int[] CPU_CHOICES = {2, 4, 4, 8, 8, 8, 16, 16, 32, 64};
    private static final TunnelKind[] KINDS = TunnelKind.values();

    private FleetLayout() {
    }

    public static List<GatewayPlan> of(Scenario scenario) {
        Random random = new Random(scenario.seed());
        Map<String, HostShape> shapes = new LinkedHashMap<>(scenario.hosts());
        int total = Math.max(scenario.gateways(), shapes.size());
        int width = Math.max(4, String.valueOf(total).length());
        List<String> generated = new ArrayList<>();
        for (int i = 1; shapes.size() < total; i++) {
            String name = String.format(Locale.ROOT, "gw-%0" + width + "d", i);
            if (shapes.containsKey(name)) {
                continue;
            }
            int cpus = CPU_CHOICES[random.nextInt(CPU_CHOICES.length)];
            shapes.put(name, new HostShape(cpus, KINDS[i % KINDS.length], Math.min(cpus, 8)));
            generated.add(name);
        }

        Map<String, List<FaultPlan>> faults = new LinkedHashMap<>();
        shapes.keySet().forEach(name -> faults.put(name, new ArrayList<>()));
        Set<String> taken = new HashSet<>();
        for (FaultPlan f : scenario.faults()) {
            for (String host : f.hosts()) {
                faults.get(host).add(f);
            }
        }
        List<String> free = new ArrayList<>(generated);
        Collections.shuffle(free, random);
        for (FaultPlan f : scenario.faults()) {
            if (f.hosts().isEmpty()) {
                int wanted = Math.max(1, (int) Math.round(f.share() * total));
                List<String> chosen = new ArrayList<>();
                for (String host : free) {
                    if (chosen.size() == wanted) {
                        break;
                    }
                    if (taken.add(host)) {
                        chosen.add(host);
                    }
                }
                chosen.forEach(host -> faults.get(host).add(f));
            }
        }

        List<GatewayPlan> plans = new ArrayList<>(shapes.size());
        long seed = scenario.seed();
        for (Map.Entry<String, HostShape> e : shapes.entrySet()) {
            plans.add(new GatewayPlan(e.getKey(), e.getValue(), seed ^ e.getKey().hashCode() * 0x9E3779B97F4A7C15L,
                    faults.get(e.getKey())));
        }
        return plans;
    }
}
