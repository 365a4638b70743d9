package io.tunnelvision.agent.apply;

/**
 * The kernel's rule for a network interface name ({@code dev_valid_name()} in net/core/dev.c): 1 to 15 bytes
 * (IFNAMSIZ less the terminating NUL), not {@code .} or {@code ..}, and no {@code /}, {@code :} or whitespace.
 * Control characters are refused as well: the kernel would stop at a NUL, and nothing legitimate uses them.
 *
 * <p>A name that passes cannot leave its directory when joined to {@code /sys/class/net/}, which is the point:
 * the target of a command is attacker-controlled text until proven otherwise.
 */
public final class InterfaceNames {

    static final int MAX_LENGTH = 15;

    private InterfaceNames() {
    }

    /** Null when {@code name} is a valid interface name, else why not. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "the interface name is empty";
        }
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH) {
            return "interface name '" + printable(name) + "' is longer than the kernel's " + MAX_LENGTH + " bytes";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not an interface name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "interface name '" + printable(name) + "' contains '" + printable(String.valueOf(c))
                        + "', which the kernel does not allow in a name";
            }
        }
        return null;
    }

    /** The name with control characters escaped, safe to put into a reason or a log line. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length() && out.length() < 80; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\'' || c == '\\') {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
