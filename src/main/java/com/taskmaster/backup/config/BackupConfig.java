package com.taskmaster.backup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * All configuration of the functions, read once at start-up from environment variables
 * ({@code BACKUP_DB_URL} maps to {@code backup.db-url}, and so on). Each handler checks
 * only what it needs, so the {@code list} function runs without database settings.
 */
@ConfigMapping(prefix = "backup")
public interface BackupConfig {

    /** {@code postgresql://user:password@host:port/db?sslmode=...}; mutually exclusive with {@link #dbSecretArn()}. */
    Optional<String> dbUrl();

    /** Secrets Manager secret holding RDS/Neon-style JSON (host, port, username, password, dbname) or a URL. */
    Optional<String> dbSecretArn();

    /** {@code s3://bucket/prefix} or {@code file:///path}. */
    Optional<String> repository();

    /** KMS key ARN, id or alias, or {@code file:///path} to a local 256-bit key. */
    Optional<String> kmsKey();

    /** SNS topic ARN, or {@code stderr}. */
    @WithDefault("stderr")
    String alertTopic();

    /** Directory holding pg_dump/pg_restore; when absent: /opt/bin, then the newest /usr/lib/postgresql/N/bin, then PATH. */
    Optional<String> pgBin();

    /** Prune keeps every backup younger than this many hours. */
    @WithDefault("48")
    int retentionHours();

    /** Prune keeps the newest backup of each UTC day for this many days (today included). */
    @WithDefault("30")
    int retentionDailyDays();

    /** Prune keeps the newest backup of each UTC month for this many months (this month included). */
    @WithDefault("12")
    int retentionMonthlyMonths();

    /** Prune always keeps this many newest backups (at least 1). */
    @WithDefault("3")
    int retentionKeepLast();

    /** Prune never deletes a backup younger than this many minutes. */
    @WithDefault("60")
    int retentionMinAgeMinutes();

    /** Prune aborts, deleting nothing, when its plan would delete more than this share of the backups. */
    @WithDefault("50")
    int retentionMaxDeletePercent();

    /** Prune aborts, deleting nothing, when the newest backup is dated more than this many minutes ahead. */
    @WithDefault("10")
    int retentionMaxClockSkewMinutes();
}
