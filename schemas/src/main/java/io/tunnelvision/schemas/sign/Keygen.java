package io.tunnelvision.schemas.sign;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Creates a planner key pair: {@code java -cp <jar> io.tunnelvision.schemas.sign.Keygen <dir> [name]} writes
 * {@code <dir>/<name>.key.pem} (owner-only) and {@code <dir>/<name>.pub.pem} and prints the key id. The private
 * file goes to the streams app, the public one to every agent. Name defaults to {@code planner}.
 */
public final class Keygen {

    static final String DEFAULT_NAME = "planner";

    private Keygen() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
            err.println("usage: Keygen <directory> [name]   (writes <name>.key.pem and <name>.pub.pem, name "
                    + "defaults to " + DEFAULT_NAME + ")");
            return 2;
        }
        String name = args.length == 2 ? args[1] : DEFAULT_NAME;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            err.println("name '" + name + "' may only use letters, digits, '.', '_' and '-'");
            return 2;
        }
        try {
            Ed25519Keys.KeyFiles files = Ed25519Keys.write(Ed25519Keys.generate(), Path.of(args[0]), name);
            out.println("key id      " + files.keyId());
            out.println("private key " + files.privateKey() + "  (streams: TUNNELVISION_STREAMS_SIGNING_KEY_FILE)");
            out.println("public key  " + files.publicKey() + "  (copy to every agent's trusted keys)");
            return 0;
        } catch (SigningException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
