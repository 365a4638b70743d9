package io.tunnelvision.api.alert;

/** The transitions that make an alert, with the name receivers see and what each does to the alert. */
public enum AlertKind {
    HOTSPOT_OPENED("hotspot.opened", "TunnelvisionHotspot", Effect.FIRE),
    HOTSPOT_ESCALATED("hotspot.escalated", "TunnelvisionHotspot", Effect.ESCALATE),
    HOTSPOT_CLOSED("hotspot.closed", "TunnelvisionHotspot", Effect.RESOLVE),
    FLEET_HOTSPOT_OPENED("fleet_hotspot.opened", "TunnelvisionFleetHotspot", Effect.FIRE),
    FLEET_HOTSPOT_ESCALATED("fleet_hotspot.escalated", "TunnelvisionFleetHotspot", Effect.ESCALATE),
    FLEET_HOTSPOT_CLOSED("fleet_hotspot.closed", "TunnelvisionFleetHotspot", Effect.RESOLVE),
    CHANGE_ROLLED_BACK("change.rolled_back", "TunnelvisionChangeRolledBack", Effect.ONCE),
    COMMAND_REFUSED("command.refused", "TunnelvisionCommandRefused", Effect.ONCE),
    AGENT_SILENT("agent.silent", "TunnelvisionAgentSilent", Effect.FIRE),
    AGENT_BACK("agent.back", "TunnelvisionAgentSilent", Effect.RESOLVE);

    /** What a transition does to the alert Alertmanager holds. */
    public enum Effect {
        /** Starts an alert that lasts until a RESOLVE of the same alert key; re-sent while it lasts. */
        FIRE,
        /** Ends the alert under the previous labels (lower severity) and fires it under the new ones. */
        ESCALATE,
        /** Ends the alert. */
        RESOLVE,
        /** A one-off fact: fires once and ends by itself. */
        ONCE
    }

    private final String eventName;
    private final String alertName;
    private final Effect effect;

    AlertKind(String eventName, String alertName, Effect effect) {
        this.eventName = eventName;
        this.alertName = alertName;
        this.effect = effect;
    }

    /** The {@code event} of the webhook body. */
    public String eventName() {
        return eventName;
    }

    /** Alertmanager's {@code alertname} label. */
    public String alertName() {
        return alertName;
    }

    public Effect effect() {
        return effect;
    }
}
