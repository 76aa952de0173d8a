package dev.ferry.client;

import dev.ferry.worker.grpc.v1.WorkerMetadata;
import io.grpc.Attributes;
import io.grpc.ClientStreamTracer;
import io.grpc.Grpc;
import io.grpc.Metadata;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What gRPC did with one call, attempt by attempt (its retry policy may try several workers): which worker the last
 * attempt reached, whether its request left, whether the worker took the task (its {@code ferry-task} header), and
 * the trailers it ended with. The one source for telling "no worker was asked" from "the outcome is unknown".
 */
final class Attempts extends ClientStreamTracer.Factory {
    private volatile Attempt last;

    @Override
    public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
        Attempt a = new Attempt();
        last = a;
        return a;
    }

    /** @return the last attempt, or null when gRPC never made one (no worker was ready) */
    Attempt last() {
        return last;
    }

    static final class Attempt extends ClientStreamTracer {
        private volatile String worker = "";
        private volatile boolean sent;
        private volatile String taken;
        private volatile String refusal;

        @Override
        public void streamCreated(Attributes transportAttrs, Metadata headers) {
            worker = address(transportAttrs.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        }

        @Override
        public void outboundMessageSent(int seqNo, long optionalWireSize, long optionalUncompressedSize) {
            sent = true;
        }

        @Override
        public void inboundHeaders(Metadata headers) {
            String id = headers.get(WorkerMetadata.TASK);
            taken = id == null ? "" : id;
        }

        @Override
        public void inboundTrailers(Metadata trailers) {
            refusal = trailers.get(WorkerMetadata.REFUSAL);
        }

        /** @return the worker this attempt reached, host:port; empty when it reached none */
        String worker() {
            return worker;
        }

        /** @return whether the request left for the worker */
        boolean sent() {
            return sent;
        }

        /** @return whether the worker said it took the task (response headers came) */
        boolean taken() {
            return taken != null;
        }

        /** @return the worker's ferry-refusal trailer: it answered and ran nothing; null when it did not say so */
        String refusal() {
            return refusal;
        }
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return a == null ? "" : a.toString();
    }
}
