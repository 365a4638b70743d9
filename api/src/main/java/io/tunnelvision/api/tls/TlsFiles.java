package io.tunnelvision.api.tls;

import io.tunnelvision.config.ConfigException;
import io.tunnelvision.config.Env;
import io.tunnelvision.config.Setting;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the certificate and key files two settings name into a {@link TlsIdentity}: both set means HTTPS, neither
 * means plain HTTP, one alone is a mistake. Every problem is a {@link ConfigException} naming the variable and file.
 */
public final class TlsFiles {

    private static final Logger LOG = LoggerFactory.getLogger(TlsFiles.class);

    private TlsFiles() {
    }

    public static Optional<TlsIdentity> read(Env env, Setting certificate, Setting key, Clock clock) {
        String certificateFile = env.string(certificate);
        String keyFile = env.string(key);
        if (certificateFile.isEmpty() && keyFile.isEmpty()) {
            return Optional.empty();
        }
        if (certificateFile.isEmpty() || keyFile.isEmpty()) {
            Setting missing = certificateFile.isEmpty() ? certificate : key;
            Setting given = certificateFile.isEmpty() ? key : certificate;
            throw new ConfigException(given.env() + " is set but " + missing.env() + " is not: HTTPS needs both"
                    + " files, plain HTTP neither");
        }
        String certificatePem = text(certificate, certificateFile);
        String keyPem = text(key, keyFile);
        warnIfOthersMayRead(key, Path.of(keyFile));
        try {
            return Optional.of(TlsIdentity.fromPem(certificatePem, keyPem, clock.instant()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(certificate.env() + "=" + certificateFile + " and " + key.env() + "=" + keyFile
                    + " do not make a usable HTTPS identity: " + e.getMessage(), e);
        }
    }

    private static String text(Setting setting, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new ConfigException(setting.env() + "=" + file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new ConfigException(setting.env() + "=" + file + " cannot be read by this user", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException(setting.env() + "=" + file + " is not PEM text; a binary DER file converts with"
                    + " openssl x509 -inform der (a certificate) or openssl pkcs8 -inform der -nocrypt (a key)", e);
        } catch (IOException e) {
            throw new ConfigException(setting.env() + "=" + file + " cannot be read: " + e, e);
        }
    }

    private static void warnIfOthersMayRead(Setting setting, Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("{}={} can be read by every user of this host; chmod 600 it (or 640 with the api's group)",
                        setting.env(), file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("Cannot tell who may read {}: {}", file, e.toString());
        }
    }
}
