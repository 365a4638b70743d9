package io.tunnelvision.schemas.sign;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses a revocation list: one key id (16 lowercase hex digits, as {@link Ed25519Keys#keyId} makes them) per
 * line; blank lines and everything after a {@code #} are ignored, so a line may say why and when. A line that is
 * not a key id fails the whole list, since a typo would leave a key trusted that the operator meant to revoke.
 */
public final class RevocationList {

    /** The file a trusted-keys directory may hold beside its {@code *.pub.pem} files. */
    public static final String FILE_NAME = "revoked.txt";
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

    private RevocationList() {
    }

    public static Set<String> parse(String text, String source) {
        Set<String> ids = new LinkedHashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int comment = line.indexOf('#');
            String id = (comment >= 0 ? line.substring(0, comment) : line).strip();
            if (id.isEmpty()) {
                continue;
            }
            if (!KEY_ID.matcher(id).matches()) {
                throw new SigningException(source + " line " + (i + 1) + ": '" + printable(id) + "' is not a key id"
                        + " (16 lowercase hex digits, as Keygen prints and the logs show)");
            }
            ids.add(id);
        }
        return ids;
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
