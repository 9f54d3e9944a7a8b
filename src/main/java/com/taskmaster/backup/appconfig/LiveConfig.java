package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.Redactor;
import software.amazon.awssdk.core.SdkBytes;
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
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The live configuration, through the real AWS SDK clients: reads what {@link Scope} names (Parameter Store paths,
 * recursively and decrypted; Secrets Manager secrets by id and/or tag; Lambda functions' environments) and writes it
 * back for config-restore. Every secret value read is registered with the {@link Redactor} at once.
 * Clients are created on first use: config-export, which reads only snapshots, never creates one.
 */
public final class LiveConfig {
    private final Supplier<SsmClient> ssm;
    private final Supplier<SecretsManagerClient> secrets;
    private final Supplier<LambdaClient> lambda;
    private final Scope scope;

    public LiveConfig(Supplier<SsmClient> ssm, Supplier<SecretsManagerClient> secrets, Supplier<LambdaClient> lambda, Scope scope) {
        this.ssm = memo(ssm);
        this.secrets = memo(secrets);
        this.lambda = memo(lambda);
        this.scope = scope;
    }

    /**
     * What is backed up: {@code CONFIG_PARAMETER_PATHS} (e.g. {@code /taskmaster/prod/}), {@code CONFIG_SECRET_IDS}
     * (names or ARNs), {@code CONFIG_SECRET_TAG} ({@code key=value}), {@code CONFIG_FUNCTIONS} (names or ARNs).
     */
    public record Scope(List<String> parameterPaths, List<String> secretIds, String secretTag, List<String> functions) {
        public Scope {
            parameterPaths = clean(parameterPaths);
            secretIds = clean(secretIds);
            functions = clean(functions);
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
            return parameterPaths.isEmpty() && secretIds.isEmpty() && secretTag == null && functions.isEmpty();
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
            throw new IllegalArgumentException("nothing to back up: set CONFIG_PARAMETER_PATHS, CONFIG_SECRET_IDS, CONFIG_SECRET_TAG"
                    + " and/or CONFIG_FUNCTIONS");
        }
        return new ConfigSnapshot(ConfigSnapshot.FORMAT_VERSION, id, now, parameters(), secrets(), functions());
    }

    private TreeMap<String, ConfigSnapshot.Parameter> parameters() {
        TreeMap<String, ConfigSnapshot.Parameter> out = new TreeMap<>();
        for (String path : scope.parameterPaths()) {
            ssm.get().getParametersByPathPaginator(b -> b.path(path).recursive(true).withDecryption(true)).stream()
                    .flatMap(page -> page.parameters().stream()).forEach(p -> {
                if (p.type() == ParameterType.SECURE_STRING) {
                    Redactor.register(p.value());
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
            Redactor.register(binary);
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

    /** A secret's string, and each string field of it when it is a JSON object (RDS-style credentials). */
    private static void register(String secret) {
        if (secret == null) {
            return;
        }
        Redactor.register(secret);
        try {
            JsonNode node = Json.MAPPER.readTree(secret);
            if (node != null && node.isObject()) {
                for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                    JsonNode field = it.next();
                    if (field.isTextual() && field.asText().length() >= 4) {
                        Redactor.register(field.asText());
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
