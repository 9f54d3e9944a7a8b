package com.taskmaster.backup.verify;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Test-only fault injection at the HTTP layer of a real AWS SDK client talking to moto: for the requests it targets,
 * the service's answer is replaced by an error response (which the SDK parses, retries and throws as it would a real
 * one), the connection goes to a closed port, or the response body breaks off with "Connection reset". Everything
 * else — the SDK, the repository, the Encryption SDK, verify — runs unchanged.
 */
final class Faults implements ExecutionInterceptor {
    private volatile Predicate<SdkRequest> target = r -> false;
    private volatile int status;
    private volatile String contentType;
    private volatile String body;
    private volatile boolean unreachable;
    private volatile long resetAfter = -1;

    /** Requests of this type answered by the service with this HTTP status and body. */
    Faults answer(Predicate<SdkRequest> requests, int status, String contentType, String body) {
        clear();
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.target = requests;
        return this;
    }

    /** Requests of this type sent to a closed port (connection refused). */
    Faults unreachable(Predicate<SdkRequest> requests) {
        clear();
        this.unreachable = true;
        this.target = requests;
        return this;
    }

    /** Responses to requests of this type break off with "Connection reset" after {@code bytes} bytes of the body. */
    Faults resetAfter(Predicate<SdkRequest> requests, long bytes) {
        clear();
        this.resetAfter = bytes;
        this.target = requests;
        return this;
    }

    void clear() {
        target = r -> false;
        status = 0;
        unreachable = false;
        resetAfter = -1;
    }

    /** A loopback port nobody listens on. */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (unreachable && target.test(context.request())) {
            return context.httpRequest().toBuilder().port(closedPort()).build();
        }
        return context.httpRequest();
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (status > 0 && target.test(context.request())) {
            // The service's own error headers go: the SDK would read the error type from them, not from our body.
            return context.httpResponse().toBuilder().removeHeader("x-amzn-ErrorType").removeHeader("x-amz-error-code")
                    .statusCode(status).statusText("Fault")
                    .putHeader("Content-Type", contentType)
                    .putHeader("Content-Length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length)).build();
        }
        return context.httpResponse();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        if (!target.test(context.request())) {
            return context.responseBody();
        }
        if (status > 0) {
            context.responseBody().ifPresent(Faults::closeQuietly);
            return Optional.of(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
        }
        if (resetAfter >= 0) {
            long limit = resetAfter;
            return context.responseBody().map(in -> new FilterInputStream(in) {
                private long read;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (read >= limit) {
                        throw new SocketException("Connection reset");
                    }
                    int n = super.read(b, off, (int) Math.min(len, limit - read));
                    read += Math.max(n, 0);
                    return n;
                }
            });
        }
        return context.responseBody();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // replaced
        }
    }
}
