package dev.ferry.worker.grpc.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who made a call, for the audit trail: the client certificate's subject under mutual TLS, "token" when the
 * bearer token let it in, else "unauthenticated" (loopback without authentication); and where from. Runs after
 * the token check, so only calls let in are named.
 */
final class Caller implements ServerInterceptor {
    static final Context.Key<String[]> KEY = Context.key("ferry.caller");

    private final boolean token;

    Caller(boolean token) {
        this.token = token;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String who = subject(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (who == null) {
            who = token ? "token" : "unauthenticated";
        }
        String[] caller = {who, address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR))};
        return Contexts.interceptCall(Context.current().withValue(KEY, caller), call, headers, next);
    }

    private static String subject(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x
                    ? "tls:" + x.getSubjectX500Principal().getName()
                    : null;
        } catch (SSLPeerUnverifiedException e) {
            return null; // TLS without a client certificate
        }
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return a == null ? "" : a.toString();
    }
}
