package io.tunnelvision.api.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority made in the test, so no key is ever checked in: it issues server
 * certificates (for localhost and 127.0.0.1 unless told otherwise), intermediates, and expired ones.
 */
public final class TestCa {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keys;
    private final X509Certificate certificate;
    /** The intermediates between this CA and the root, nearest first; empty for a root. */
    private final List<X509Certificate> above;

    private TestCa(KeyPair keys, X509Certificate certificate, List<X509Certificate> above) {
        this.keys = keys;
        this.certificate = certificate;
        this.above = above;
    }

    /** A self-signed root CA. */
    public static TestCa root(String commonName) {
        KeyPair keys = keyPair("EC");
        X500Name name = new X500Name("CN=" + commonName);
        return new TestCa(keys, sign(ca(name, name, keys), keys), List.of());
    }

    /** An intermediate CA issued by this one. */
    public TestCa intermediate(String commonName) {
        KeyPair child = keyPair("EC");
        X509Certificate issued = sign(ca(issuerName(), new X500Name("CN=" + commonName), child), keys);
        List<X509Certificate> chain = new ArrayList<>();
        if (!isRoot()) {
            chain.add(certificate);
        }
        chain.addAll(above);
        return new TestCa(child, issued, List.copyOf(chain));
    }

    /** An EC server certificate for localhost and 127.0.0.1, valid from five minutes ago for a day. */
    public Issued server(String commonName) {
        Instant now = Instant.now();
        return server(commonName, keyPair("EC"), now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(1)));
    }

    public Issued server(String commonName, KeyPair subjectKeys, Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName(), serial(),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + commonName),
                    subjectKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())
                    }));
            List<X509Certificate> issuers = new ArrayList<>();
            if (!isRoot()) {
                issuers.add(certificate);
                issuers.addAll(above);
            }
            return new Issued(sign(builder, keys), subjectKeys, List.copyOf(issuers));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** This CA's own certificate in PEM, for a trust store. */
    public String pem() {
        return certificatePem(certificate);
    }

    /** A client context that trusts this CA and nothing else. */
    public SSLContext trustingOnlyThis() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("test-ca", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair keyPair(String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(algorithm.equals("RSA") ? 2048 : 256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    public static String certificatePem(X509Certificate certificate) {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A server certificate with its key and the intermediates that issued it (not the root).
     * {@link #toString()} leaves the key out, as the api's own classes do.
     */
    public record Issued(X509Certificate certificate, KeyPair keys, List<X509Certificate> issuers) {

        /** The certificate, then each intermediate: what a certificate file holds. */
        public String chainPem() {
            StringBuilder chain = new StringBuilder(certificatePem(certificate));
            issuers.forEach(issuer -> chain.append(certificatePem(issuer)));
            return chain.toString();
        }

        /** The private key as unencrypted PKCS#8 PEM. */
        public String keyPem() {
            return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
        }

        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal() + "]";
        }
    }

    private boolean isRoot() {
        return certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal());
    }

    private X500Name issuerName() {
        return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    }

    private static X509v3CertificateBuilder ca(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        try {
            return new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }
}
