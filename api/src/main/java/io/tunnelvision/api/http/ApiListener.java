package io.tunnelvision.api.http;

import io.tunnelvision.api.tls.TlsIdentity;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Where the api listens and whether it speaks HTTPS: one Jetty connector, given to Javalin through
 * {@code config.jetty.addConnector}, so the port serves either HTTPS or plain HTTP, never both.
 *
 * @param host address to bind; empty for every interface
 * @param port TCP port; 0 picks a free one
 * @param tls  the certificate and key for HTTPS; empty for plain HTTP
 */
public record ApiListener(String host, int port, Optional<TlsIdentity> tls) {

    /** TLS 1.3 and 1.2 only: 1.0 and 1.1 are deprecated (RFC 8996). */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public ApiListener {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
    }

    /** Plain HTTP on every interface, as tests and the local system run it. */
    public static ApiListener http(int port) {
        return new ApiListener("", port, Optional.empty());
    }

    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    ServerConnector connector(Server server, HttpConfiguration http) {
        ServerConnector connector = tls.map(identity -> secure(server, http, identity))
                .orElseGet(() -> new ServerConnector(server, new HttpConnectionFactory(http)));
        connector.setHost(host.isEmpty() ? null : host);
        connector.setPort(port);
        return connector;
    }

    private static ServerConnector secure(Server server, HttpConfiguration http, TlsIdentity identity) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(identity.keyStore());
        ssl.setKeyStorePassword(identity.keyStorePassword());
        ssl.setIncludeProtocols(PROTOCOLS);
        HttpConfiguration https = new HttpConfiguration(http);
        // Marks requests secure. Jetty's Host-against-certificate check is off: the api has one certificate and
        // reads no Host header, so the check would only refuse a proxy that forwards its public Host to us.
        https.addCustomizer(new SecureRequestCustomizer(false));
        return new ServerConnector(server, new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
    }

    /** Safe to log: the certificate's subject and fingerprint, never its key. */
    @Override
    public String toString() {
        return scheme().toUpperCase() + " on " + (host.isEmpty() ? "every interface" : host) + ", port " + port
                + tls.map(identity -> " with " + identity).orElse("");
    }
}
