package io.heapguard.internal;

/** Human-readable sizes for messages: binary units, one decimal. */
public final class Units {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Units() {
    }

    public static String bytes(long bytes) {
        if (bytes < 0) {
            return "none";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double v = bytes;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        long tenths = Math.round(v * 10);
        return (tenths / 10) + "." + (tenths % 10) + " " + UNITS[unit];
    }
}
