package io.tunnelvision.schemas.sign;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Creates a key pair: {@code tunnelvision keygen [--keep] <dir> [name]} (or {@code java -cp <jar>
 * io.tunnelvision.schemas.sign.Keygen [--keep] <dir> [name]}) writes {@code <dir>/<name>.key.pem} (owner-only) and
 * {@code <dir>/<name>.pub.pem} and prints the key id. Name defaults to {@code planner}. Two kinds of key exist:
 * the planner's (private file to streams, public file to every agent) and the api's decision key (private file
 * to the api, public file to streams); keep them apart, an agent must never trust the api's key.
 */
public final class Keygen {

    static final String DEFAULT_NAME = "planner";
    /** Makes a second run a no-op: a one-shot job that runs on every start keeps the key it made the first time. */
    static final String KEEP = "--keep";

    private Keygen() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean keep = args.length > 0 && args[0].equals(KEEP);
        String[] rest = keep ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (rest.length < 1 || rest.length > 2 || rest[0].startsWith("-")) {
            err.println("usage: Keygen [" + KEEP + "] <directory> [name]   (writes <name>.key.pem and <name>.pub.pem,"
                    + " name defaults to " + DEFAULT_NAME + "; " + KEEP + ": a pair already there is kept, not an"
                    + " error)");
            return 2;
        }
        String name = rest.length == 2 ? rest[1] : DEFAULT_NAME;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            err.println("name '" + name + "' may only use letters, digits, '.', '_' and '-'");
            return 2;
        }
        Path dir = Path.of(rest[0]);
        try {
            Path privateKey = dir.resolve(name + ".key.pem");
            Path publicKey = dir.resolve(name + ".pub.pem");
            if (keep && Files.exists(privateKey) && Files.exists(publicKey)) {
                // the public file must be the private key's half, or the readers would trust another key
                String keyId = Ed25519Keys.keyId(Ed25519Keys.publicKeyOf(Ed25519Keys.readPrivateKey(privateKey)));
                if (!keyId.equals(Ed25519Keys.keyId(Ed25519Keys.readPublicKey(publicKey)))) {
                    err.println(publicKey + " is not the public half of " + privateKey);
                    return 1;
                }
                out.println("key id      " + keyId + "  (kept: " + privateKey + " exists)");
                return 0;
            }
            Ed25519Keys.KeyFiles files = Ed25519Keys.write(Ed25519Keys.generate(), dir, name);
            out.println("key id      " + files.keyId());
            out.println("private key " + files.privateKey());
            out.println("public key  " + files.publicKey());
            out.println("a planner key: the private file is streams' TUNNELVISION_STREAMS_SIGNING_KEY_FILE, the public"
                    + " file goes to every agent's TUNNELVISION_AGENT_TRUSTED_KEYS_DIR");
            out.println("an api decision key: the private file is the api's TUNNELVISION_API_DECISION_KEY_FILE, the"
                    + " public file goes to streams' TUNNELVISION_STREAMS_DECISION_KEYS (never to agents)");
            return 0;
        } catch (SigningException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
