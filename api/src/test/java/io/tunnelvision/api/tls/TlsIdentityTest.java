package io.tunnelvision.api.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.stream.Stream;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading the api's certificate and key from PEM: what is accepted, and what each wrong file is told. */
class TlsIdentityTest {

    private static final TestCa ROOT = TestCa.root("tunnelvision test root");
    private static final TestCa INTERMEDIATE = ROOT.intermediate("tunnelvision test intermediate");
    private static final TestCa.Issued SERVER = INTERMEDIATE.server("api.example");
    private static final TestCa.Issued OTHER_SERVER = ROOT.server("other.example");

    @Test
    void aChainWithItsIntermediateIsHeldAsOneKeyEntryAndPrintedWithoutTheKey() throws Exception {
        TlsIdentity identity = TlsIdentity.fromPem(SERVER.chainPem(), SERVER.keyPem(), Instant.now());

        assertEquals(SERVER.certificate(), identity.certificate());
        KeyStore store = identity.keyStore();
        String alias = store.aliases().nextElement();
        assertEquals(2, store.getCertificateChain(alias).length, "the server certificate and its intermediate");
        assertEquals(SERVER.keys().getPrivate(), store.getKey(alias, identity.keyStorePassword().toCharArray()));
        String printed = identity.toString();
        assertTrue(printed.contains("CN=api.example") && printed.contains(identity.fingerprint()), printed);
        assertNoKeyIn(printed, SERVER.keys());
    }

    @Test
    void rsaKeysAreReadAsWellAsEcOnes() {
        KeyPair rsa = TestCa.keyPair("RSA");
        Instant now = Instant.now();
        TestCa.Issued server = ROOT.server("rsa.example", rsa, now.minusSeconds(60), now.plus(Duration.ofDays(1)));

        TlsIdentity identity = TlsIdentity.fromPem(server.chainPem(), server.keyPem(), now);

        assertEquals("RSA", identity.certificate().getPublicKey().getAlgorithm());
        assertNoKeyIn(identity.toString(), rsa);
    }

    @Test
    void textAroundTheBlocksAsOpensslWritesItIsIgnored() {
        String chain = "Bag Attributes\n    friendlyName: api\nsubject=CN = api.example\n" + SERVER.chainPem();

        assertEquals(SERVER.certificate(), TlsIdentity.fromPem(chain, SERVER.keyPem(), Instant.now()).certificate());
    }

    static Stream<Arguments> wrongFiles() throws Exception {
        KeyPair rsa = TestCa.keyPair("RSA");
        KeyPair ec = SERVER.keys();
        Instant now = Instant.now();
        TestCa.Issued expired = ROOT.server("expired.example", TestCa.keyPair("EC"),
                now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        String intermediateFirst = TestCa.certificatePem(SERVER.issuers().get(0))
                + TestCa.certificatePem(SERVER.certificate());
        String key = SERVER.keyPem();
        return Stream.of(
                Arguments.of("the key of another certificate", SERVER.chainPem(), OTHER_SERVER.keyPem(),
                        "the key does not belong to the certificate CN=api.example"),
                Arguments.of("an RSA key for an EC certificate", SERVER.chainPem(),
                        TestCa.pem("PRIVATE KEY", rsa.getPrivate().getEncoded()),
                        "holds no EC key, but the certificate's key is EC"),
                Arguments.of("the two files swapped", key, SERVER.chainPem(), "holds a private key"),
                Arguments.of("a certificate as the key", SERVER.chainPem(), SERVER.chainPem(),
                        "are the two files swapped?"),
                Arguments.of("a PKCS#1 RSA key", TestCa.certificatePem(ROOT.server("rsa.example", rsa,
                                now.minusSeconds(60), now.plus(Duration.ofDays(1))).certificate()), openssl(rsa),
                        "older RSA format; convert it to PKCS#8 (BEGIN PRIVATE KEY): openssl pkcs8 -topk8 -nocrypt"),
                Arguments.of("a SEC1 EC key", SERVER.chainPem(), openssl(ec),
                        "older EC format; convert it to PKCS#8"),
                Arguments.of("an encrypted key", SERVER.chainPem(), encrypted(ec), "the key file is encrypted"),
                Arguments.of("the intermediate before the server certificate", intermediateFirst, key,
                        "put the server's certificate first"),
                Arguments.of("an expired certificate", expired.chainPem(), expired.keyPem(), "expired at"),
                Arguments.of("an empty certificate file", "", key, "the certificate file holds no PEM block"),
                Arguments.of("a key file cut short", SERVER.chainPem(), key.substring(0, key.length() / 2),
                        "the key file is not readable PEM: it has a PEM block that is cut short"),
                Arguments.of("a second key in the key file", SERVER.chainPem(), key + OTHER_SERVER.keyPem(),
                        "must hold exactly one private key"),
                Arguments.of("a certificate that is not one", TestCa.pem("CERTIFICATE", new byte[] {1, 2, 3}), key,
                        "certificate 1 of the certificate file cannot be read"),
                Arguments.of("a CRL in the certificate file", SERVER.chainPem() + TestCa.pem("X509 CRL",
                        new byte[] {1}), key, "holds a X509 CRL block"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongFiles")
    void eachWrongFileIsRefusedWithWhatToDo(String what, String certificatePem, String keyPem, String says) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TlsIdentity.fromPem(certificatePem, keyPem, Instant.now()), what);

        assertTrue(error.getMessage().contains(says), what + ": " + error.getMessage());
        assertNoKeyIn(error.getMessage(), SERVER.keys());
    }

    static void assertNoKeyIn(String text, KeyPair keys) {
        String encoded = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
        // any 16 characters of the key's base64 would be a leak; the PEM lines are 64 long
        for (int i = 0; i + 16 <= encoded.length(); i += 16) {
            assertFalse(text.contains(encoded.substring(i, i + 16)), "the private key shows in: " + text);
        }
        assertFalse(text.contains("PRIVATE KEY-----"), text);
    }

    /** The key as openssl's older default writes it: PKCS#1 for RSA, SEC1 for EC. */
    private static String openssl(KeyPair keys) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(keys);
        }
        return text.toString();
    }

    private static String encrypted(KeyPair keys) throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword("a passphrase".toCharArray()).build();
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), encryptor));
        }
        return text.toString();
    }
}
