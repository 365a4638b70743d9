package io.tunnelvision.api.alert;

import java.time.Instant;
import java.util.Map;

/** An alert that is firing now, as it is sent to Alertmanager again. */
public record FiringAlert(String alertKey, Map<String, String> labels, Map<String, String> annotations,
                          String generatorUrl, Instant startsAt) {
}
