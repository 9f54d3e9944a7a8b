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
 * The TaskMaster API's configuration, live in moto: parameters under a path of their own, a secret, a Lambda
 * function (its code never runs: moto needs Docker only to invoke it) and an ECS task definition family of two
 * containers (with roles, volumes, tags and the other fields a restore must carry over to its new revision). Every secret value is unique and random, so a
 * test can search any output for it. {@link #reset()} puts the baseline back.
 */
public final class AppConfigFixture {
    public final String path = "/tmb-" + UUID.randomUUID().toString().substring(0, 8) + "/prod";
    public final String secretName = "tmb/" + UUID.randomUUID().toString().substring(0, 8) + "/db";
    public final String function = "tmb-api-" + UUID.randomUUID().toString().substring(0, 8);
    public final String taskFamily = "tmb-task-" + UUID.randomUUID().toString().substring(0, 8);
    /** The task's secret reference: the ARN of the secret DB_PASSWORD is read from (a name, no value). */
    public final String taskSecretRef;
    /** The SecureString parameter's value, the secret's value and the function's DB_PASSWORD: never in any output. */
    public final String securePassword = "sp-" + UUID.randomUUID();
    public final String secretValue = "{\"username\":\"api\",\"password\":\"sm-" + UUID.randomUUID() + "\"}";
    public final String envPassword = "ev-" + UUID.randomUUID();
    /** The API container's API_TOKEN (a secret name): never in an export. */
    public final String taskToken = "tt-" + UUID.randomUUID();
    private final String role;

    public AppConfigFixture() {
        MotoServer moto = MotoServer.get();
        role = moto.iam().createRole(b -> b.roleName(function + "-role").assumeRolePolicyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},"
                        + "\"Action\":\"sts:AssumeRole\"}]}")).role().arn();
        moto.lambda().createFunction(b -> b.functionName(function).runtime(Runtime.PYTHON3_12).role(role).handler("h.h")
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip()))).environment(e -> e.variables(baselineEnvironment())));
        taskSecretRef = moto.secrets().createSecret(b -> b.name(secretName).secretString(secretValue)).arn();
        registerTaskDefinition(baselineContainers());
        reset();
    }

    public Map<String, String> baselineEnvironment() {
        return Map.of("LOG_LEVEL", "info", "DB_PASSWORD", envPassword, "API_BASE_URL", "https://api.example.com");
    }

    /** The task definition's containers: environment, and secret references (name to valueFrom). */
    public record TaskContainer(Map<String, String> environment, Map<String, String> secrets) {
    }

    public Map<String, TaskContainer> baselineContainers() {
        return Map.of(
                "api", new TaskContainer(Map.of("LOG_LEVEL", "info", "DB_HOST", "db.internal", "API_TOKEN", taskToken),
                        Map.of("DB_PASSWORD", taskSecretRef)),
                "otel", new TaskContainer(Map.of("OTEL_EXPORTER", "otlp"), Map.of()));
    }

    /** Registers a new revision of the task family with these containers' variables (same roles, sizes, volumes, tags). */
    public String registerTaskDefinition(Map<String, TaskContainer> containers) {
        var defs = new java.util.ArrayList<software.amazon.awssdk.services.ecs.model.ContainerDefinition>();
        new java.util.TreeMap<>(containers).forEach((name, c) -> defs.add(software.amazon.awssdk.services.ecs.model.ContainerDefinition.builder()
                .name(name).image("public.ecr.aws/taskmaster/" + name + ":1.4").memory(256).essential("api".equals(name))
                .environment(c.environment().entrySet().stream().map(e -> software.amazon.awssdk.services.ecs.model.KeyValuePair.builder()
                        .name(e.getKey()).value(e.getValue()).build()).toList())
                .secrets(c.secrets().entrySet().stream().map(e -> software.amazon.awssdk.services.ecs.model.Secret.builder()
                        .name(e.getKey()).valueFrom(e.getValue()).build()).toList())
                .build()));
        return MotoServer.get().ecs().registerTaskDefinition(b -> b.family(taskFamily).containerDefinitions(defs)
                .taskRoleArn(role).executionRoleArn(role).networkMode("awsvpc").requiresCompatibilitiesWithStrings("FARGATE")
                .cpu("256").memory("512").volumes(v -> v.name("data")).pidMode("task").ephemeralStorage(e -> e.sizeInGiB(30))
                .runtimePlatform(r -> r.cpuArchitecture("ARM64").operatingSystemFamily("LINUX"))
                .tags(t -> t.key("team").value("api"))).taskDefinition().taskDefinitionArn();
    }

    /** The latest ACTIVE revision's containers, as the fixture describes them. */
    public Map<String, TaskContainer> liveContainers() {
        var ecs = MotoServer.get().ecs();
        String arn = ecs.listTaskDefinitions(b -> b.familyPrefix(taskFamily).status("ACTIVE")).taskDefinitionArns().stream()
                .max(java.util.Comparator.comparingInt(a -> Integer.parseInt(a.substring(a.lastIndexOf(':') + 1)))).orElseThrow();
        var out = new java.util.HashMap<String, TaskContainer>();
        for (var c : ecs.describeTaskDefinition(b -> b.taskDefinition(arn)).taskDefinition().containerDefinitions()) {
            var env = new java.util.HashMap<String, String>();
            c.environment().forEach(kv -> env.put(kv.name(), kv.value()));
            var refs = new java.util.HashMap<String, String>();
            c.secrets().forEach(r -> refs.put(r.name(), r.valueFrom()));
            out.put(c.name(), new TaskContainer(env, refs));
        }
        return out;
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
        if (!baselineContainers().equals(liveContainers())) {
            registerTaskDefinition(baselineContainers());
        }
    }

    public void put(String name, String value, ParameterType type) {
        MotoServer.get().ssm().putParameter(b -> b.name(name).value(value).type(type).overwrite(true));
    }

    /** A snapshot of the live configuration taken now by the real config-backup service, into {@code repo} under {@code key}. */
    public String snapshot(com.taskmaster.backup.repository.AppendOnlyRepository repo, java.nio.file.Path key) {
        MotoServer moto = MotoServer.get();
        var config = new com.taskmaster.backup.appconfig.LiveConfig(moto::ssm, moto::secrets, moto::lambda, moto::ecs,
                new com.taskmaster.backup.appconfig.LiveConfig.Scope(java.util.List.of(path), java.util.List.of(secretName), null,
                        java.util.List.of(function), java.util.List.of(taskFamily)));
        var store = new com.taskmaster.backup.appconfig.ConfigStore(repo,
                com.taskmaster.backup.crypto.Keys.open("file://" + key, () -> null));
        return new com.taskmaster.backup.appconfig.ConfigBackupService(repo, store, config,
                new com.taskmaster.backup.appconfig.SecretNames(java.util.List.of(com.taskmaster.backup.appconfig.SecretNames.DEFAULTS.split(","))),
                java.time.Clock.systemUTC())
                .run("manual", "test").snapshotId();
    }

    public Map<String, String> settings() {
        return Map.of("config.parameter-paths", path, "config.secret-ids", secretName, "config.functions", function,
                "config.task-definitions", taskFamily);
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
