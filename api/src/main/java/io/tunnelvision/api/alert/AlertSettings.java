package io.tunnelvision.api.alert;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where alerts go and how they are sent, as the api's settings give them (tests build one directly).
 *
 * @param alertmanager   base URL of an Alertmanager (alerts are posted to {@code /api/v2/alerts} under it)
 * @param webhook        URL the webhook's JSON is posted to
 * @param webhookSecret  HMAC key of the webhook's signature; present whenever {@code webhook} is
 * @param publicUrl      the api's URL as operators open it (dashboard links); empty: no links
 * @param silentAfter    an agent with no sample for this long is silent
 * @param resendInterval how often firing alerts are sent to Alertmanager again
 * @param giveUpAfter    a delivery still failing this long after its event is abandoned; older transitions are
 *                       not alerted at all (a replay of old topics)
 * @param retryInitial   first wait after a failed delivery, doubling up to {@code retryMax}
 * @param pollEvery      how often each sender looks for due deliveries
 * @param httpTimeout    connect and response timeout of every request
 */
public record AlertSettings(Optional<URI> alertmanager, Optional<URI> webhook, Optional<WebhookSecret> webhookSecret,
                            Optional<String> publicUrl, Duration silentAfter, Duration resendInterval,
                            Duration giveUpAfter, Duration retryInitial, Duration retryMax, Duration pollEvery,
                            Duration httpTimeout) {

    public static final String ALERTMANAGER = "alertmanager";
    public static final String WEBHOOK = "webhook";

    public static final Duration DEFAULT_SILENT_AFTER = Duration.ofSeconds(60);
    public static final Duration DEFAULT_RESEND_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_GIVE_UP_AFTER = Duration.ofHours(24);

    public AlertSettings {
        Objects.requireNonNull(alertmanager, "alertmanager");
        Objects.requireNonNull(webhook, "webhook");
        Objects.requireNonNull(webhookSecret, "webhookSecret");
        if (webhook.isPresent() && webhookSecret.isEmpty()) {
            throw new IllegalArgumentException("a webhook needs a secret to sign its bodies with");
        }
        publicUrl = publicUrl.map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    }

    /** No targets, the default times: events are still recorded, nothing is sent. */
    public static AlertSettings none() {
        return new AlertSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_SILENT_AFTER, DEFAULT_RESEND_INTERVAL, DEFAULT_GIVE_UP_AFTER, Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /** The targets events are queued for, by name. */
    public List<String> targets() {
        List<String> targets = new ArrayList<>(2);
        alertmanager.ifPresent(u -> targets.add(ALERTMANAGER));
        webhook.ifPresent(u -> targets.add(WEBHOOK));
        return List.copyOf(targets);
    }

    /** How long Alertmanager keeps a firing alert it is not sent again: four resends, as Prometheus does. */
    public Duration firingValidity() {
        return resendInterval.multipliedBy(4);
    }

    @Override
    public String toString() {
        return "AlertSettings{alertmanager=" + alertmanager.map(AlertSettings::withoutUserInfo).orElse("(none)")
                + ", webhook=" + webhook.map(AlertSettings::withoutUserInfo).orElse("(none)")
                + ", webhookSecret=" + webhookSecret.map(s -> "(" + s.source() + ")").orElse("(none)")
                + ", publicUrl=" + publicUrl.orElse("(none)") + ", silentAfter=" + silentAfter
                + ", resendInterval=" + resendInterval + ", giveUpAfter=" + giveUpAfter + "}";
    }

    static String withoutUserInfo(URI uri) {
        if (uri.getUserInfo() == null) {
            return uri.toString();
        }
        return uri.getScheme() + "://***@" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
