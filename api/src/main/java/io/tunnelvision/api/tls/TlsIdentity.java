package io.tunnelvision.api.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The api's server certificate chain and private key, read from PEM text and checked to belong together, held
 * as an in-memory key store for Jetty. Nothing here prints the key: {@link #toString()} names the certificate.
 */
public final class TlsIdentity {

    private static final String ALIAS = "tunnelvision-api";
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PKCS8_KEY = "PRIVATE KEY";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TO_PKCS8 = "openssl pkcs8 -topk8 -nocrypt -in OLD.key -out NEW.key";

    private final List<X509Certificate> chain;
    private final KeyStore keyStore;
    private final String keyStorePassword;

    private TlsIdentity(List<X509Certificate> chain, KeyStore keyStore, String keyStorePassword) {
        this.chain = chain;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
    }

    /**
     * Reads a certificate chain (the server's certificate first, then each issuer) and its unencrypted PKCS#8
     * private key. Throws IllegalArgumentException saying which file is wrong and how to fix it.
     */
    public static TlsIdentity fromPem(String certificatePem, String keyPem, Instant now) {
        List<X509Certificate> chain = certificates(certificatePem);
        checkOrder(chain);
        X509Certificate leaf = chain.get(0);
        PrivateKey key = privateKey(keyPem, leaf);
        checkSameKeys(key, leaf);
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new IllegalArgumentException("the certificate " + leaf.getSubjectX500Principal().getName()
                    + " expired at " + leaf.getNotAfter().toInstant() + ": renew it");
        }
        try {
            String password = Base64.getEncoder().encodeToString(random(18));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password.toCharArray(), chain.toArray(Certificate[]::new));
            return new TlsIdentity(List.copyOf(chain), store, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot hold the TLS key in memory: " + e.getMessage(), e);
        }
    }

    /** The chain and key under one entry, protected by {@link #keyStorePassword()}. */
    public KeyStore keyStore() {
        return keyStore;
    }

    /** A random password of this in-memory store only; it protects nothing on disk. */
    public String keyStorePassword() {
        return keyStorePassword;
    }

    /** The server's own certificate, the first of the chain. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    /** SHA-256 of the server certificate, as {@code openssl x509 -noout -fingerprint -sha256} prints it. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Safe to log: the certificate's subject, fingerprint and expiry, never the key. */
    @Override
    public String toString() {
        return "certificate " + certificate().getSubjectX500Principal().getName() + " (SHA-256 " + fingerprint()
                + ", valid until " + notAfter() + ", chain of " + chain.size() + ")";
    }

    private static List<X509Certificate> certificates(String pem) {
        List<Pem.Block> blocks = blocks(pem, "the certificate file");
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("the certificate file holds no PEM block: it needs -----BEGIN "
                    + CERTIFICATE + "----- (a DER file converts with openssl x509 -inform der)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Pem.Block block : blocks) {
                if (block.label().contains(PKCS8_KEY)) {
                    throw new IllegalArgumentException("the certificate file holds a private key: keep the key in"
                            + " the key file only, where only the api can read it");
                }
                if (!block.label().equals(CERTIFICATE)) {
                    throw new IllegalArgumentException("the certificate file holds a " + block.label()
                            + " block; only " + CERTIFICATE + " blocks belong there");
                }
                try {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException("certificate " + (chain.size() + 1)
                            + " of the certificate file cannot be read: " + e.getMessage(), e);
                }
            }
        } catch (CertificateException e) {
            throw new IllegalStateException("this JVM cannot read X.509 certificates", e);
        }
        return chain;
    }

    private static PrivateKey privateKey(String pem, X509Certificate leaf) {
        List<Pem.Block> blocks = blocks(pem, "the key file");
        List<Pem.Block> keys = blocks.stream().filter(b -> b.label().contains(PKCS8_KEY)).toList();
        if (keys.size() != 1) {
            List<String> labels = blocks.stream().map(Pem.Block::label).toList();
            throw new IllegalArgumentException("the key file must hold exactly one private key, but holds "
                    + (labels.isEmpty() ? "no PEM block" : "the blocks " + labels)
                    + (labels.contains(CERTIFICATE) ? " (are the two files swapped?)" : ""));
        }
        Pem.Block block = keys.get(0);
        if (!block.label().equals(PKCS8_KEY)) {
            throw notPkcs8(block.label());
        }
        String algorithm = leaf.getPublicKey().getAlgorithm();
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(block.der()));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("the key file holds no " + algorithm + " key, but the certificate's"
                    + " key is " + algorithm + ": the key does not belong to the certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the certificate's key type " + algorithm + " is not supported by"
                    + " this JVM; use RSA or EC (P-256, P-384)", e);
        }
    }

    private static IllegalArgumentException notPkcs8(String label) {
        return new IllegalArgumentException(switch (label) {
            case "ENCRYPTED PRIVATE KEY" -> "the key file is encrypted; the api reads an unencrypted key from a file"
                    + " only it can read: openssl pkcs8 -in OLD.key -out NEW.key";
            case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> "the key file is in the older " + label.split(" ")[0]
                    + " format; convert it to PKCS#8 (BEGIN PRIVATE KEY): " + TO_PKCS8;
            default -> "the key file holds a " + label + ", not a PKCS#8 private key (BEGIN PRIVATE KEY): " + TO_PKCS8;
        });
    }

    /** Signs with the key and verifies with the certificate: the one check that holds for every key type. */
    private static void checkSameKeys(PrivateKey key, X509Certificate leaf) {
        String signature = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw new IllegalArgumentException("keys of type " + key.getAlgorithm()
                    + " are not supported; use RSA or EC (P-256, P-384)");
        };
        try {
            byte[] probe = random(32);
            Signature signer = Signature.getInstance(signature);
            signer.initSign(key);
            signer.update(probe);
            byte[] signed = signer.sign();
            Signature verifier = Signature.getInstance(signature);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signed)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // the same answer as a failed verification: these two files do not make a pair
        }
        throw new IllegalArgumentException("the key does not belong to the certificate "
                + leaf.getSubjectX500Principal().getName() + ": give the key the certificate was issued for");
    }

    private static void checkOrder(List<X509Certificate> chain) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate issued = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            boolean signed;
            try {
                issued.verify(issuer.getPublicKey());
                signed = issued.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
            } catch (GeneralSecurityException e) {
                signed = false;
            }
            if (!signed) {
                throw new IllegalArgumentException("certificate " + (i + 2) + " of the certificate file ("
                        + issuer.getSubjectX500Principal().getName() + ") did not issue certificate " + (i + 1) + " ("
                        + issued.getSubjectX500Principal().getName() + "): put the server's certificate first, then"
                        + " each issuer in turn");
            }
        }
    }

    private static byte[] random(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return random;
    }

    private static List<Pem.Block> blocks(String pem, String file) {
        try {
            return Pem.blocks(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is not readable PEM: " + e.getMessage(), e);
        }
    }
}
