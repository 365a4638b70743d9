package io.tunnelvision.api.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A bearer token the API accepts, known only by the SHA-256 of its value: the configuration never holds a token
 * that works if it leaks. Tokens are random and long (32 bytes from a CSPRNG, e.g. {@code openssl rand -hex 32}),
 * so a plain hash is enough; a slow password hash would only slow every request down.
 *
 * @param name  who holds the token; decisions made with it are signed with this name
 * @param role  what it may do
 * @param sha256 the SHA-256 of the token's UTF-8 bytes
 */
public record ApiToken(String name, Role role, byte[] sha256) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");

    public ApiToken {
        Objects.requireNonNull(role, "role");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("token name '" + name + "' must be 1-64 letters, digits, . _ @ -");
        }
        if (sha256 == null || sha256.length != 32) {
            throw new IllegalArgumentException("token " + name + " needs a 32-byte SHA-256");
        }
        sha256 = sha256.clone();
    }

    /**
     * Parses {@code name:role:sha256hex} entries separated by commas, e.g.
     * {@code ops-alice:operator:9f86d0…,grafana:viewer:2c26b4…}.
     *
     * @throws IllegalArgumentException naming the entry that is wrong and why
     */
    public static List<ApiToken> parseAll(String text) {
        List<ApiToken> tokens = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return tokens;
        }
        for (String entry : text.split(",")) {
            String[] parts = entry.trim().split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("token entry '" + redact(entry) + "' is not name:role:sha256hex");
            }
            if (!NAME.matcher(parts[0].trim()).matches()) {
                throw new IllegalArgumentException("token name '" + redact(parts[0]) + "' must be 1-64 letters,"
                        + " digits, . _ @ -");
            }
            Role role;
            try {
                role = Role.parse(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("token " + parts[0] + " has role '" + parts[1]
                        + "': use viewer or operator", e);
            }
            if (!HASH.matcher(parts[2].trim()).matches()) {
                throw new IllegalArgumentException("token " + parts[0] + " must give the SHA-256 of the token as 64 hex"
                        + " digits, not the token itself (sha256sum <<< -n TOKEN)");
            }
            ApiToken token = new ApiToken(parts[0].trim(), role, HexFormat.of().parseHex(parts[2].trim()));
            if (tokens.stream().anyMatch(t -> t.name().equals(token.name()))) {
                throw new IllegalArgumentException("token name " + token.name() + " is used twice");
            }
            tokens.add(token);
        }
        return tokens;
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * The token whose hash matches the presented one. Every configured hash is compared, in constant time each, so
     * the time taken says nothing about which token (or how much of one) matched.
     */
    public static Optional<ApiToken> match(List<ApiToken> tokens, String presented) {
        byte[] hash = hash(presented);
        ApiToken found = null;
        for (ApiToken token : tokens) {
            if (MessageDigest.isEqual(token.sha256, hash) && found == null) {
                found = token;
            }
        }
        return Optional.ofNullable(found);
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public String toString() {
        return "ApiToken[" + name + ", " + role + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApiToken t && t.name.equals(name) && t.role == role
                && MessageDigest.isEqual(t.sha256, sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, role);
    }

    private static String redact(String entry) {
        return entry.length() > 12 ? entry.substring(0, 12) + "…" : entry;
    }
}
