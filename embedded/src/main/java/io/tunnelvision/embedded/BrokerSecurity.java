package io.tunnelvision.embedded;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What turns an {@link EmbeddedKafka} into a secure broker: its TLS identity, the CA it trusts for client
 * certificates, and the PLAIN users its JAAS configuration knows. SCRAM users are added at run time
 * ({@link EmbeddedKafka#createScramUser}), as an operator adds them to a real cluster.
 *
 * @param caPem               CA certificate(s), PEM: clients' certificates must chain to it, and the broker's own
 *                            connections to itself check its certificate against it
 * @param certificateChainPem the broker's certificate chain, PEM, valid for 127.0.0.1
 * @param privateKeyPem       the broker's unencrypted PKCS#8 private key, PEM
 * @param superUser           PLAIN user the broker talks to itself and its controller as, and the super user that
 *                            admin clients of tests use
 * @param superUserPassword   its password
 * @param plainUsers          further PLAIN users, name to password
 */
public record BrokerSecurity(String caPem, String certificateChainPem, String privateKeyPem, String superUser,
                             String superUserPassword, Map<String, String> plainUsers) {

    // A JAAS option name is user_NAME: keep NAME to characters every JAAS parser reads as one word.
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_]+");

    public BrokerSecurity {
        Objects.requireNonNull(caPem, "caPem");
        Objects.requireNonNull(certificateChainPem, "certificateChainPem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        Objects.requireNonNull(superUserPassword, "superUserPassword");
        plainUsers = Map.copyOf(plainUsers);
        for (String user : plainUsers.keySet()) {
            requireUserName(user);
        }
        requireUserName(superUser);
    }

    private static void requireUserName(String user) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("PLAIN user name '" + user + "' must be letters, digits and _");
        }
    }

    /** Keeps the key and passwords out of test logs. */
    @Override
    public String toString() {
        return "BrokerSecurity[superUser=" + superUser + ", plainUsers=" + plainUsers.keySet() + "]";
    }
}
