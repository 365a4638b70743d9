package io.tunnelvision.schemas.codec;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.avro.SystemLimitException;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide Avro settings every codec needs before it decodes anything from the network.
 *
 * <p>Avro reads its decode limits from system properties once, when {@link SystemLimitException} loads, and by
 * default allows strings, bytes and collections of about 2 GiB: a 20-byte hostile payload that claims a
 * 1 GiB string makes the decoder allocate 1 GiB before it notices the payload ends. No valid payload of ours
 * can hold a value longer than the payload itself, so the limits are set to {@link #MAX_PAYLOAD_BYTES}.
 *
 * <p>Avro 1.12 also refuses to instantiate generated classes from packages it does not trust; ours are
 * trusted here, in code, so that no deployment depends on a JVM flag.
 */
public final class AvroLimits {

    /** Largest payload a codec accepts; Kafka's own default message limit is 1 MiB. */
    public static final int MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;

    /** Largest array or map a payload may declare: every item takes at least one byte. */
    public static final int MAX_COLLECTION_ITEMS = MAX_PAYLOAD_BYTES;

    static final String GENERATED_PACKAGE = "io.tunnelvision.schemas.avro";

    private static final Logger LOG = LoggerFactory.getLogger(AvroLimits.class);
    private static volatile boolean installed;

    private AvroLimits() {
    }

    /** Idempotent; every codec calls it before its first use. */
    public static void install() {
        if (installed) {
            return;
        }
        synchronized (AvroLimits.class) {
            if (installed) {
                return;
            }
            setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_PAYLOAD_BYTES);
            setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_PAYLOAD_BYTES);
            setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
            reloadAvroLimits();
            trustGeneratedPackage();
            installed = true;
        }
    }

    /** True when Avro now refuses a string longer than our payload limit. */
    public static boolean limitsActive() {
        try {
            SystemLimitException.checkMaxStringLength(MAX_PAYLOAD_BYTES + 1L);
            return false;
        } catch (SystemLimitException expected) {
            return true;
        }
    }

    private static void setIfAbsent(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    /**
     * Some library may have loaded {@link SystemLimitException} before us, freezing the defaults. Avro keeps a
     * package-private reset for its own tests; calling it is the only way to apply the properties afterwards.
     */
    private static void reloadAvroLimits() {
        try {
            Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException | RuntimeException e) {
            LOG.debug("could not reload Avro limits ({}); relying on class-load time properties", e.toString());
        }
        if (!limitsActive()) {
            LOG.warn("Avro decode limits are not active: set -D{}={} on the command line",
                    SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_PAYLOAD_BYTES);
        }
    }

    private static void trustGeneratedPackage() {
        ClassSecurityPredicate ours = type -> GENERATED_PACKAGE.equals(type.getPackageName());
        ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, ours));
    }
}
