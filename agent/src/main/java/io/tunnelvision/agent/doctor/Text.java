package io.tunnelvision.agent.doctor;

import java.util.Locale;

/** Numbers written the same way in every finding, whatever the JVM's locale. */
final class Text {

    private Text() {
    }

    static String rate(double perSecond) {
        if (perSecond >= 100) {
            return String.format(Locale.ROOT, "%.0f/s", perSecond);
        }
        return String.format(Locale.ROOT, "%.1f/s", perSecond);
    }

    static String percent(double percent) {
        return String.format(Locale.ROOT, "%.0f%%", percent);
    }

    static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }
}
