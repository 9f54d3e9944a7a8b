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

    /** {@code postgresql://user:password@host:port/db?sslmode=...&channel_binding=...} (docs/CONNECTIONS.md). */
    Optional<String> dbUrl();

    /**
     * Secrets Manager secret holding RDS/Neon-style JSON (host, port, username, password, dbname) or a URL; with
     * {@link #dbUrl()} beside it (no password in that URL), a secret of only username and password (RDS-managed).
     */
    Optional<String> dbSecretArn();

    /** RDS IAM database authentication: connections without a password use a fresh token (docs/CONNECTIONS.md). */
    @WithDefault("false")
    boolean dbIamAuth();

    /** {@code verify}: RDS/Aurora and Neon hosts are verified (sslmode=verify-full) by default; {@code as-given}: as the URL says. */
    @WithDefault("verify")
    String dbTlsDefaults();

    /** Amazon RDS's CA bundle (PEM), against which RDS/Aurora hosts are verified; the Lambda layer ships it there. */
    @WithDefault("/opt/etc/rds-global-bundle.pem")
    String dbRdsCaBundle();

    /** {@code s3://bucket/prefix} or {@code file:///path}. */
    Optional<String> repository();

    /** A repository of its own for this database inside {@link #repository()} (and the replica's): a key prefix. */
    Optional<String> namespace();

    /** KMS key ARN, id or alias, or {@code file:///path} to a local 256-bit key. */
    Optional<String> kmsKey();

    /**
     * The Database dimension of verify's metrics (the template's DatabaseName); when absent, the newest backup's
     * database. Set it: with no backup at all, the metrics would otherwise go to "unknown", where no alarm looks.
     */
    Optional<String> databaseName();

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

    // ---- recovery side: verify, restore (README "Configuration") ----

    /** Second repository that S3 replication fills (the cross-region bucket); verify checks each backup's copy there. */
    Optional<String> replicaRepository();

    /**
     * dr-drill's key ({@code BACKUP_REPLICA_KMS_KEY}): the ARN of the multi-Region envelope key's replica in the drill's
     * region (infra/secondary.yaml's BackupReplicaKey); the drill decrypts with it only.
     */
    Optional<String> replicaKmsKey();

    /**
     * A backup verified (passed) more recently than this is not checked again: {@code 6d}, {@code 36h}, {@code PT144H}.
     * Shorter than the weekly schedule's period, so that last week's record (a few seconds to an hour younger than a
     * week when the next run starts) is out of the window and every backup is read every week.
     */
    @WithDefault("6d")
    String verifyWindow();

    /**
     * A verify run that leaves backups for the next one (its deadline) fails when one of them has had no verdict for
     * longer than this (its latest verification's time, else its snapshot's): the backlog is not shrinking.
     */
    @WithDefault("30d")
    String verifyMaxUnverified();

    /** The newest backup must be younger than this (daily schedule + slack; set 2h with hourly backups). */
    @WithDefault("26h")
    String rpo();

    /** A backup whose dump shrank by more than this share from its predecessor's is an anomaly. */
    @WithDefault("0.5")
    double sizeDropShare();

    /** A table (of at least 100 rows) whose row count fell by more than this share is an anomaly. */
    @WithDefault("0.5")
    double rowDropShare();

    /** Path-style S3 addressing ({@code BACKUP_S3_PATH_STYLE}), also for the replica's client. */
    @WithDefault("false")
    boolean s3PathStyle();

    /** The recovery time objective restore-test measures against: {@code 4h}, {@code PT4H}. */
    @WithDefault("4h")
    String rto();

    /**
     * How long the links to the readiness report in alerts work ({@code BACKUP_REPORT_LINK_VALIDITY}): presigned S3 URLs,
     * at most 7 days, and no longer than the signing credentials (a Lambda role's: hours).
     */
    @WithDefault("7d")
    String reportLinkValidity();

    /**
     * restore-test's server ({@code RESTORE_TEST_*}: not {@code BACKUP_*}, since it is not the backup's database).
     * The URL or secret names a maintenance database there (e.g. {@code postgres}) as a user that may create databases.
     */
    @ConfigMapping(prefix = "restore-test")
    interface RestoreTest {
        /** {@code postgresql://...}; beside {@link #dbSecretArn()} only without a password (an RDS-managed secret). */
        Optional<String> dbUrl();

        /** Secrets Manager secret, same shapes (and combination with the URL) as {@code BACKUP_DB_SECRET_ARN}. */
        Optional<String> dbSecretArn();

        /** SQL queries run on the restored database, one per line, each returning one row with one boolean: true to pass. */
        Optional<String> smokeQueries();
    }
}
