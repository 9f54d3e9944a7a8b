package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.Redactor;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EnvironmentResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The live configuration, through the real AWS SDK clients: reads what {@link Scope} names (Parameter Store paths,
 * recursively and decrypted; Secrets Manager secrets by id and/or tag; Lambda functions' environments; ECS task
 * definitions' container environments) and writes it back for config-restore. Every value that can be a secret is
 * registered with the {@link Redactor} at once ({@link #registerSecret}).
 * Clients are created on first use: config-export, which reads only snapshots, never creates one.
 */
public final class LiveConfig {
    private final Supplier<SsmClient> ssm;
    private final Supplier<SecretsManagerClient> secrets;
    private final Supplier<LambdaClient> lambda;
    private final Supplier<EcsClient> ecs;
    private final Scope scope;

    public LiveConfig(Supplier<SsmClient> ssm, Supplier<SecretsManagerClient> secrets, Supplier<LambdaClient> lambda,
                      Supplier<EcsClient> ecs, Scope scope) {
        this.ssm = memo(ssm);
        this.secrets = memo(secrets);
        this.lambda = memo(lambda);
        this.ecs = memo(ecs);
        this.scope = scope;
    }

    /**
     * What is backed up: {@code CONFIG_PARAMETER_PATHS} (e.g. {@code /taskmaster/prod/}), {@code CONFIG_SECRET_IDS}
     * (names or ARNs), {@code CONFIG_SECRET_TAG} ({@code key=value}), {@code CONFIG_FUNCTIONS} (names or ARNs),
     * {@code CONFIG_TASK_DEFINITIONS} (ECS task definition families, or ARNs / {@code family:revision} naming their
     * family: the latest ACTIVE revision is what is read, since restore registers new revisions).
     */
    public record Scope(List<String> parameterPaths, List<String> secretIds, String secretTag, List<String> functions,
                        List<String> taskDefinitions) {
        public Scope(List<String> parameterPaths, List<String> secretIds, String secretTag, List<String> functions) {
            this(parameterPaths, secretIds, secretTag, functions, List.of());
        }

        public Scope {
            parameterPaths = clean(parameterPaths);
            secretIds = clean(secretIds);
            functions = clean(functions);
            taskDefinitions = clean(clean(taskDefinitions).stream().map(LiveConfig::family).toList());
            secretTag = secretTag == null || secretTag.isBlank() ? null : secretTag.trim();
            for (String p : parameterPaths) {
                if (!p.startsWith("/")) {
                    throw new IllegalArgumentException("CONFIG_PARAMETER_PATHS: '" + p + "' is not a path (it starts with '/', e.g. /taskmaster/prod)");
                }
            }
            if (secretTag != null && (secretTag.indexOf('=') < 1 || secretTag.endsWith("="))) {
                throw new IllegalArgumentException("CONFIG_SECRET_TAG must be key=value, not '" + secretTag + "'");
            }
        }

        public boolean isEmpty() {
            return parameterPaths.isEmpty() && secretIds.isEmpty() && secretTag == null && functions.isEmpty()
                    && taskDefinitions.isEmpty();
        }

        /** Whether a parameter name lies under one of the configured paths (restore writes nothing outside them). */
        public boolean covers(String parameterName) {
            return parameterPaths.stream().anyMatch(p -> parameterName.startsWith(p.endsWith("/") ? p : p + "/"));
        }

        private static List<String> clean(List<String> values) {
            Set<String> out = new LinkedHashSet<>();
            for (String v : values == null ? List.<String>of() : values) {
                if (v != null && !v.isBlank()) {
                    out.add(v.trim());
                }
            }
            return List.copyOf(out);
        }
    }

    public Scope scope() {
        return scope;
    }

    /** The live configuration, as a snapshot named {@code id}. Configured secrets or functions that do not exist are left out. */
    public ConfigSnapshot read(BackupId id, Instant now) {
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("nothing to back up: set CONFIG_PARAMETER_PATHS, CONFIG_SECRET_IDS, CONFIG_SECRET_TAG,"
                    + " CONFIG_FUNCTIONS and/or CONFIG_TASK_DEFINITIONS");
        }
        return new ConfigSnapshot(ConfigSnapshot.FORMAT_VERSION, id, now, parameters(), secrets(), functions(), taskDefinitions());
    }

    /** The revision in a task definition ARN ({@code ...:task-definition/api:7} is 7). */
    private static long revision(String arn) {
        try {
            return Long.parseLong(arn.substring(arn.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The family an entry of CONFIG_TASK_DEFINITIONS names: {@code api}, {@code api:7} and
     * {@code arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7} all name {@code api}.
     */
    static String family(String entry) {
        String f = entry.contains(":task-definition/") ? entry.substring(entry.indexOf(":task-definition/") + ":task-definition/".length())
                : entry;
        int colon = f.indexOf(':');
        f = colon < 0 ? f : f.substring(0, colon);
        if (!f.matches("[A-Za-z0-9_-]{1,255}") || (entry.startsWith("arn:") && !entry.contains(":task-definition/"))) {
            throw new IllegalArgumentException("CONFIG_TASK_DEFINITIONS: '" + entry + "' names no task definition family"
                    + " (a family such as taskmaster-api, family:revision or a task definition ARN)");
        }
        return f;
    }

    private TreeMap<String, ConfigSnapshot.Parameter> parameters() {
        TreeMap<String, ConfigSnapshot.Parameter> out = new TreeMap<>();
        for (String path : scope.parameterPaths()) {
            ssm.get().getParametersByPathPaginator(b -> b.path(path).recursive(true).withDecryption(true)).stream()
                    .flatMap(page -> page.parameters().stream()).forEach(p -> {
                if (p.type() == ParameterType.SECURE_STRING) {
                    registerSecret(p.value());
                }
                out.put(p.name(), new ConfigSnapshot.Parameter(p.typeAsString(), p.value(), p.version(), p.lastModifiedDate(), p.dataType()));
            });
        }
        return out;
    }

    private TreeMap<String, ConfigSnapshot.Secret> secrets() {
        Set<String> ids = new LinkedHashSet<>(scope.secretIds());
        if (scope.secretTag() != null) {
            String key = scope.secretTag().substring(0, scope.secretTag().indexOf('='));
            String value = scope.secretTag().substring(scope.secretTag().indexOf('=') + 1);
            for (SecretListEntry e : secrets.get().listSecretsPaginator(b -> b.filters(
                    Filter.builder().key(FilterNameStringType.TAG_KEY).values(key).build(),
                    Filter.builder().key(FilterNameStringType.TAG_VALUE).values(value).build())).stream()
                    .flatMap(page -> page.secretList().stream()).toList()) {
                // the two filters match any tag each: keep the secrets that carry this very pair
                if (e.tags().stream().anyMatch(t -> key.equals(t.key()) && value.equals(t.value()))) {
                    ids.add(e.arn());
                }
            }
        }
        TreeMap<String, ConfigSnapshot.Secret> out = new TreeMap<>();
        for (String id : ids) {
            GetSecretValueResponse v;
            try {
                v = secrets.get().getSecretValue(b -> b.secretId(id));
            } catch (software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException e) {
                continue; // deleted: absent from the snapshot, so drift reports it as removed
            }
            String binary = v.secretBinary() == null ? null : Base64.getEncoder().encodeToString(v.secretBinary().asByteArray());
            register(v.secretString());
            registerSecret(binary);
            out.put(v.name(), new ConfigSnapshot.Secret(v.arn(), v.secretString(), binary, v.versionId(), v.versionStages()));
        }
        return out;
    }

    private TreeMap<String, ConfigSnapshot.Function> functions() {
        TreeMap<String, ConfigSnapshot.Function> out = new TreeMap<>();
        for (String fn : scope.functions()) {
            GetFunctionConfigurationResponse c;
            try {
                c = lambda.get().getFunctionConfiguration(b -> b.functionName(fn));
            } catch (software.amazon.awssdk.services.lambda.model.ResourceNotFoundException e) {
                continue;
            }
            EnvironmentResponse env = c.environment();
            out.put(c.functionName(), new ConfigSnapshot.Function(new TreeMap<>(env == null ? Map.of() : env.variables())));
        }
        return out;
    }

    private TreeMap<String, ConfigSnapshot.TaskDefinition> taskDefinitions() {
        TreeMap<String, ConfigSnapshot.TaskDefinition> out = new TreeMap<>();
        for (String family : scope.taskDefinitions()) {
            describeLatest(family).ifPresent(d -> {
                TaskDefinition td = d.taskDefinition();
                TreeMap<String, ConfigSnapshot.Container> containers = new TreeMap<>();
                for (ContainerDefinition c : td.containerDefinitions()) {
                    TreeMap<String, String> env = new TreeMap<>();
                    c.environment().forEach(kv -> env.put(kv.name(), kv.value() == null ? "" : kv.value()));
                    TreeMap<String, String> refs = new TreeMap<>();
                    c.secrets().forEach(r -> refs.put(r.name(), r.valueFrom()));
                    containers.put(c.name(), new ConfigSnapshot.Container(env, refs));
                }
                out.put(family, new ConfigSnapshot.TaskDefinition(td.taskDefinitionArn(),
                        td.revision() == null ? null : td.revision().longValue(), containers));
            });
        }
        return out;
    }

    /**
     * The family's latest ACTIVE revision, with its tags; empty when the family has none (deleted, or never registered:
     * drift then reports it as removed). ListTaskDefinitions (its {@code familyPrefix} is the full family name) finds
     * the revision: DescribeTaskDefinition of a bare family means the same on AWS, but moto answers it with the
     * newest revision even when that one is INACTIVE. The highest revision of the first page: AWS sorts it newest first
     * (moto ignores {@code sort}, but lists a family's revisions in order, all of them under 100).
     */
    private Optional<DescribeTaskDefinitionResponse> describeLatest(String family) {
        String arn = ecs.get().listTaskDefinitions(b -> b.familyPrefix(family).status(TaskDefinitionStatus.ACTIVE).sort(SortOrder.DESC))
                .taskDefinitionArns().stream().filter(a -> family.equals(family(a)))
                .max(java.util.Comparator.comparingLong(LiveConfig::revision)).orElse(null);
        if (arn == null) {
            return Optional.empty();
        }
        return Optional.of(ecs.get().describeTaskDefinition(b -> b.taskDefinition(arn).include(TaskDefinitionField.TAGS)));
    }

    /**
     * The shortest configuration value registered with the process-wide {@link Redactor}. The Redactor masks a
     * registered text everywhere, in every later message of the process: a SecureString {@code on}, {@code 5432} or
     * {@code true} (feature flags and ports are often stored as SecureString, and a JSON secret has such fields, e.g.
     * {@code "port": "5432"}) masked those characters wherever they appeared in unrelated logs, alerts and results. The
     * trade-off: a secret value shorter than this is not masked if some other text (an AWS error message, say) ever
     * carries it; our own code never prints a configuration value (the snapshot's records print names only), and a
     * value of under 8 characters is no credential worth the name. The database credentials the backup functions
     * connect with are registered in full whatever their length (DbCredentials), as before.
     */
    static final int MIN_REGISTERED_LENGTH = 8;

    /** Registers {@code value} with the Redactor if it is long enough to be a credential ({@link #MIN_REGISTERED_LENGTH}). */
    static void registerSecret(String value) {
        if (value != null && value.length() >= MIN_REGISTERED_LENGTH) {
            Redactor.register(value);
        }
    }

    /** A secret's string, and each string field of it when it is a JSON object (RDS-style credentials). */
    private static void register(String secret) {
        if (secret == null) {
            return;
        }
        registerSecret(secret);
        try {
            JsonNode node = Json.MAPPER.readTree(secret);
            if (node != null && node.isObject()) {
                for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                    JsonNode field = it.next();
                    if (field.isTextual()) {
                        registerSecret(field.asText());
                    }
                }
            }
        } catch (IOException notJson) {
            // a plain string secret: registered whole above
        }
    }

    // ---- writing back (config-restore only) ----

    /** Writes a parameter's value as a new version (or recreates a deleted one). */
    public void putParameter(String name, ConfigSnapshot.Parameter p) {
        ssm.get().putParameter(b -> b.name(name).type(p.type()).value(p.value()).overwrite(true)
                .dataType(p.dataType() == null ? null : p.dataType()));
    }

    public void deleteParameter(String name) {
        try {
            ssm.get().deleteParameter(b -> b.name(name));
        } catch (software.amazon.awssdk.services.ssm.model.ParameterNotFoundException gone) {
            // already gone
        }
    }

    /**
     * Writes a secret's value as a new version (AWSCURRENT); a secret scheduled for deletion is restored first, a
     * deleted one created again under its name.
     */
    public void putSecret(String name, ConfigSnapshot.Secret s) {
        SdkBytes binary = s.binary() == null ? null : SdkBytes.fromByteArray(Base64.getDecoder().decode(s.binary()));
        try {
            secrets.get().putSecretValue(b -> b.secretId(name).secretString(s.string()).secretBinary(binary));
        } catch (software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException e) {
            secrets.get().createSecret(b -> b.name(name).secretString(s.string()).secretBinary(binary));
        } catch (software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException e) {
            // scheduled for deletion: cancel the deletion, then write the value
            secrets.get().restoreSecret(b -> b.secretId(name));
            secrets.get().putSecretValue(b -> b.secretId(name).secretString(s.string()).secretBinary(binary));
        }
    }

    /**
     * Registers a new revision of {@code family}, equal to its latest ACTIVE one except for the named containers'
     * {@code environment} and {@code secrets} (references), and returns its ARN. Every other field that
     * DescribeTaskDefinition returns and RegisterTaskDefinition accepts is carried over by name, through the SDK's own
     * field lists (so a field the SDK adds later is carried over too), and the tags. Services keep running the old
     * revision until they are updated to the new one (the operator's step: restore does not deploy).
     */
    public String registerTaskDefinition(String family, Map<String, ConfigSnapshot.Container> containers) {
        DescribeTaskDefinitionResponse current = describeLatest(family).orElseThrow(() -> new IllegalStateException(
                "task definition family " + family + " has no ACTIVE revision: register one, then restore again"));
        RegisterTaskDefinitionRequest.Builder request = copyOf(current.taskDefinition());
        List<ContainerDefinition> defs = new ArrayList<>();
        for (ContainerDefinition c : current.taskDefinition().containerDefinitions()) {
            ConfigSnapshot.Container wanted = containers.get(c.name());
            defs.add(wanted == null ? c : c.toBuilder()
                    .environment(wanted.environment().entrySet().stream()
                            .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build()).toList())
                    .secrets(wanted.secrets().entrySet().stream()
                            .map(e -> software.amazon.awssdk.services.ecs.model.Secret.builder().name(e.getKey()).valueFrom(e.getValue()).build())
                            .toList())
                    .build());
        }
        request.containerDefinitions(defs);
        if (current.hasTags() && !current.tags().isEmpty()) {
            request.tags(current.tags());
        }
        return ecs.get().registerTaskDefinition(request.build()).taskDefinition().taskDefinitionArn();
    }

    /** A RegisterTaskDefinition request holding every field of {@code td} that the request has too (same member name). */
    static RegisterTaskDefinitionRequest.Builder copyOf(TaskDefinition td) {
        Map<String, SdkField<?>> described = new HashMap<>();
        for (SdkField<?> f : td.sdkFields()) {
            described.put(f.memberName(), f);
        }
        RegisterTaskDefinitionRequest.Builder request = RegisterTaskDefinitionRequest.builder();
        for (SdkField<?> f : request.sdkFields()) {
            SdkField<?> from = described.get(f.memberName());
            if (from != null) {
                Object value = from.getValueOrDefault(td);
                if (value != null && !(value instanceof software.amazon.awssdk.core.util.SdkAutoConstructList<?>)
                        && !(value instanceof software.amazon.awssdk.core.util.SdkAutoConstructMap<?, ?>)) {
                    f.set(request, value);
                }
            }
        }
        return request;
    }

    /** Replaces a function's environment (the function itself must exist: restore never creates functions). */
    public void putEnvironment(String function, Map<String, String> environment) {
        lambda.get().updateFunctionConfiguration(b -> b.functionName(function).environment(e -> e.variables(environment)));
    }

    private static <T> Supplier<T> memo(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = s.get();
                }
                return value;
            }
        };
    }
}
