package com.taskmaster.backup.testing;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records the requests a real KMS client sends (to moto), as signed: which operation, the region the signature is
 * for (the region moto, like AWS, serves the request in), and the key named. Observes, changes nothing.
 */
public final class KmsCalls implements ExecutionInterceptor {
    private static final Pattern SIGNED_REGION = Pattern.compile("Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/kms/aws4_request");

    public record Call(String operation, String signedRegion, String keyId) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String authorization = context.httpRequest().firstMatchingHeader("Authorization").orElse("");
        Matcher m = SIGNED_REGION.matcher(authorization);
        calls.add(new Call(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), m.find() ? m.group(1) : "unsigned",
                context.request().getValueForField("KeyId", String.class).orElse(null)));
    }

    public List<Call> all() {
        return List.copyOf(calls);
    }

    public List<Call> of(String operation) {
        return calls.stream().filter(c -> c.operation().equals(operation)).toList();
    }
}
