package io.tunnelvision.streams.fleet;

import java.util.Arrays;

/** Median and median absolute deviation: one broken gateway cannot drag them the way it drags mean and stddev. */
public final class RobustStats {

    /** Scales a MAD-based z-score to the standard normal (Iglewicz and Hoaglin). */
    public static final double MAD_SCALE = 0.6745;

    private RobustStats() {
    }

    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of nothing");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static double mad(double[] values, double median) {
        double[] deviations = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            deviations[i] = Math.abs(values[i] - median);
        }
        return median(deviations);
    }

    /** The modified z-score of {@code x}; infinite when MAD is 0 and x differs from the median. */
    public static double robustZ(double x, double median, double mad) {
        if (mad == 0) {
            return x == median ? 0 : Math.copySign(Double.POSITIVE_INFINITY, x - median);
        }
        return MAD_SCALE * (x - median) / mad;
    }
}
