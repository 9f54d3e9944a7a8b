package com.taskmaster.backup.testing;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The TaskMaster API's configuration, live in moto: parameters under a path of their own, a secret and a Lambda
 * function (its code never runs: moto needs Docker only to invoke it). Every secret value is unique and random, so a
 * test can search any output for it. {@link #reset()} puts the baseline back.
 */
public final class AppConfigFixture {
    public final String path = "/tmb-" + UUID.randomUUID().toString().substring(0, 8) + "/prod";
    public final String secretName = "tmb/" + UUID.randomUUID().toString().substring(0, 8) + "/db";
    public final String function = "tmb-api-" + UUID.randomUUID().toString().substring(0, 8);
    /** The SecureString parameter's value, the secret's value and the function's DB_PASSWORD: never in any output. */
    public final String securePassword = "sp-" + UUID.randomUUID();
    public final String secretValue = "{\"username\":\"api\",\"password\":\"sm-" + UUID.randomUUID() + "\"}";
    public final String envPassword = "ev-" + UUID.randomUUID();

    public AppConfigFixture() {
        MotoServer moto = MotoServer.get();
        String role = moto.iam().createRole(b -> b.roleName(function + "-role").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
                        + "\"Action\":\"sts:AssumeRole\"}]}")).role().arn();
        moto.lambda().createFunction(b -> b.functionName(function).runtime(Runtime.PYTHON3_12).role(role).handler("h.h")
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip()))).environment(e -> e.variables(baselineEnvironment())));
        moto.secrets().createSecret(b -> b.name(secretName).secretString(secretValue));
        reset();
    }

    public Map<String, String> baselineEnvironment() {
        return Map.of("LOG_LEVEL", "info", "DB_PASSWORD", envPassword, "API_BASE_URL", "https://api.example.com");
    }

    /** The baseline: three parameters (String, StringList, SecureString), the secret's first value, the environment. */
    public void reset() {
        MotoServer moto = MotoServer.get();
        var ssm = moto.ssm();
        ssm.getParametersByPathPaginator(b -> b.path(path).recursive(true)).stream().flatMap(p -> p.parameters().stream())
                .forEach(p -> ssm.deleteParameter(b -> b.name(p.name())));
        put(path + "/api/base-url", "https://api.example.com", ParameterType.STRING);
        put(path + "/api/allowed-origins", "https://a.example.com,https://b.example.com", ParameterType.STRING_LIST);
        put(path + "/db/password", securePassword, ParameterType.SECURE_STRING);
        if (!secretValue.equals(moto.secrets().getSecretValue(b -> b.secretId(secretName)).secretString())) {
            moto.secrets().putSecretValue(b -> b.secretId(secretName).secretString(secretValue));
        }
        moto.lambda().updateFunctionConfiguration(b -> b.functionName(function).environment(e -> e.variables(baselineEnvironment())));
    }

    public void put(String name, String value, ParameterType type) {
        MotoServer.get().ssm().putParameter(b -> b.name(name).value(value).type(type).overwrite(true));
    }

    public Map<String, String> settings() {
        return Map.of("config.parameter-paths", path, "config.secret-ids", secretName, "config.functions", function);
    }

    private static byte[] zip() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("h.py"));
            z.write("def h(event, context):\n    return {}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            z.closeEntry();
            z.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
