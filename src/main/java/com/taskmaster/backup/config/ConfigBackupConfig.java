package com.taskmaster.backup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * The configuration backups' settings ({@code CONFIG_*}; README "Configuration", docs/HANDLERS.md): what
 * config-backup snapshots and config-restore may write back. The repository, key and alert topic are the
 * {@code BACKUP_*} ones: snapshots live in the same repository under {@code config/}, under the same key.
 */
@ConfigMapping(prefix = "config")
public interface ConfigBackupConfig {

    /** Parameter Store paths, comma-separated, read recursively with SecureString values decrypted: {@code /taskmaster/prod}. */
    Optional<List<String>> parameterPaths();

    /** Secrets Manager secrets (names or ARNs), comma-separated. */
    Optional<List<String>> secretIds();

    /** Also every secret carrying this tag: {@code key=value}. */
    Optional<String> secretTag();

    /** Lambda functions (names or ARNs) whose environment variables are backed up, comma-separated. */
    Optional<List<String>> functions();

    /**
     * ECS task definition families (or ARNs / {@code family:revision}, naming their family), comma-separated: the latest
     * ACTIVE revision's container environments and secret references are backed up.
     */
    Optional<List<String>> taskDefinitions();

    /**
     * Environment variables and String parameters whose name matches one of these glob patterns (case-insensitive,
     * comma-separated) are secret: config-export leaves their values out.
     */
    @WithDefault(com.taskmaster.backup.appconfig.SecretNames.DEFAULTS)
    List<String> secretEnvPatterns();
}
