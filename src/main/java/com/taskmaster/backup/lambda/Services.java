package com.taskmaster.backup.lambda;

import com.taskmaster.backup.alert.Alerter;
import com.taskmaster.backup.appconfig.ConfigBackupService;
import com.taskmaster.backup.appconfig.ConfigExport;
import com.taskmaster.backup.appconfig.SecretNames;
import com.taskmaster.backup.appconfig.ConfigRestoreService;
import com.taskmaster.backup.appconfig.ConfigStore;
import com.taskmaster.backup.appconfig.LiveConfig;
import com.taskmaster.backup.config.ConfigBackupConfig;
import com.taskmaster.backup.alert.Metrics;
import com.taskmaster.backup.backup.BackupService;
import com.taskmaster.backup.config.BackupConfig;
import com.taskmaster.backup.config.LiteralSettings;
import com.taskmaster.backup.crypto.Keys;
import com.taskmaster.backup.drdrill.DrDrillService;
import com.taskmaster.backup.format.Catalog;
import com.taskmaster.backup.format.DatabaseRestore;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.postgres.ConnectionPolicy;
import com.taskmaster.backup.postgres.ConnectionSpec;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.postgres.PgTools;
import com.taskmaster.backup.prune.PruneService;
import com.taskmaster.backup.prune.RetentionPolicy;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.repository.Repositories;
import com.taskmaster.backup.repository.Repository;
import com.taskmaster.backup.restore.RestoreService;
import com.taskmaster.backup.restoretest.RestoreTestService;
import com.taskmaster.backup.report.ReadinessInput;
import com.taskmaster.backup.report.ReportService;
import com.taskmaster.backup.repository.ObjectLinks;
import com.taskmaster.backup.format.SmokeQueries;
import com.taskmaster.backup.verify.VerifyService;
import com.taskmaster.backup.verify.VerifySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Builds the services from configuration, lazily: an AWS client is created only when the configuration
 * asks for it, so local runs (file repository, local key, stderr alerts) need no AWS settings at all.
 */
@ApplicationScoped
public class Services {
    private static final Logger LOG = Logger.getLogger(Services.class);
    @Inject
    BackupConfig config;
    @Inject
    BackupConfig.RestoreTest restoreTestConfig;
    @Inject
    ConfigBackupConfig configBackupConfig;
    @Inject
    Instance<S3Client> s3;
    @Inject
    Instance<KmsClient> kms;
    @Inject
    Instance<SnsClient> sns;

    private volatile Repository repository;

    /** The repository with every operation, deletion included: for prune's service only. */
    private Repository repository() {
        if (repository == null) {
            repository = Repositories.open(Repositories.withNamespace(config.repository().orElse(null), config.namespace()), s3::get);
        }
        return repository;
    }

    /** The repository as a command that adds objects and never removes one sees it (backup, verify, restore-test). */
    private AppendOnlyRepository appendOnly() {
        return Repositories.appendOnly(repository());
    }

    /** The repository as a command that only reads sees it (restore, list). */
    private ReadableRepository readOnly() {
        return Repositories.readOnly(repository());
    }

    public Alerter alerter() {
        return Alerter.open(config.alertTopic(), sns::get);
    }

    public BackupConfig config() {
        return config;
    }

    public Metrics metrics() {
        return new Metrics(System.out, Clock.systemUTC());
    }

    public BackupService backupService() {
        return new BackupService(appendOnly(), Keys.open(config.kmsKey().orElse(null), kms::get),
                PgTools.locate(config.pgBin()), Clock.systemUTC());
    }

    public Catalog catalog() {
        return new Catalog(readOnly());
    }

    /** Retention on the repository, with the policy of the BACKUP_RETENTION_* settings. */
    public PruneService prune() {
        return new PruneService(repository(), RetentionPolicy.from(config), Clock.systemUTC());
    }

    // ---- recovery side (verify, restore) ----

    public VerifyService verifyService() {
        VerifySettings settings = VerifySettings.of(config.verifyWindow(), config.rpo(), config.sizeDropShare(), config.rowDropShare());
        Optional<ReadableRepository> replica = config.replicaRepository().filter(r -> !r.isBlank())
                .map(uri -> Repositories.readOnly(Repositories.open(Repositories.withNamespace(uri, config.namespace()), this::replicaS3)));
        return new VerifyService(appendOnly(), replica, Keys.openExisting(config.kmsKey().orElse(null), kms::get),
                PgTools.locate(config.pgBin()), Clock.systemUTC(), settings,
                VerifySettings.duration("BACKUP_VERIFY_MAX_UNVERIFIED", config.verifyMaxUnverified()));
    }

    public RestoreService restoreService() {
        return new RestoreService(readOnly(), Keys.openExisting(config.kmsKey().orElse(null), kms::get),
                PgTools.locate(config.pgBin()), Clock.systemUTC());
    }

    /** The restore-test server's maintenance database (RESTORE_TEST_DB_URL, RESTORE_TEST_DB_SECRET_ARN). */
    private DbCredentials restoreTestServer() {
        Optional<String> restoreTestUrl = LiteralSettings.get(ConfigProvider.getConfig(), "restore-test.db-url");
        if (restoreTestUrl.isEmpty() && restoreTestConfig.dbSecretArn().isEmpty()) {
            throw new IllegalArgumentException("set RESTORE_TEST_DB_URL or RESTORE_TEST_DB_SECRET_ARN (the restore-test "
                    + "server's maintenance database, e.g. postgresql://user:password@host:5432/postgres)");
        }
        return connection(restoreTestUrl, restoreTestConfig.dbSecretArn());
    }

    public RestoreTestService restoreTestService() {
        DbCredentials server = restoreTestServer();
        List<DbCredentials> sources = dbUrl().isPresent() || config.dbSecretArn().isPresent() ? List.of(sourceDatabase()) : List.of();
        DatabaseRestore restore = new DatabaseRestore(readOnly(), Keys.openExisting(config.kmsKey().orElse(null), kms::get),
                PgTools.locate(config.pgBin()), Clock.systemUTC());
        return new RestoreTestService(appendOnly(), restore, server, sources,
                SmokeQueries.parse(restoreTestConfig.smokeQueries().orElse(null)), VerifySettings.duration("BACKUP_RTO", config.rto()),
                Clock.systemUTC());
    }

    /**
     * The disaster-recovery drill, in the secondary region: the replica repository (BACKUP_REPLICA_REPOSITORY) through
     * this region's S3 client, the replica key (BACKUP_REPLICA_KMS_KEY) through this region's KMS client, the
     * restore-test server (RESTORE_TEST_*), BACKUP_RPO and BACKUP_RTO. No client of another region is made.
     */
    public DrDrillService drDrillService() {
        String uri = config.replicaRepository().filter(r -> !r.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "set BACKUP_REPLICA_REPOSITORY (the replica bucket, s3://bucket/prefix): dr-drill restores from it"));
        String key = config.replicaKmsKey().filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "set BACKUP_REPLICA_KMS_KEY (the replica key's ARN in this region): dr-drill decrypts with it only"));
        AppendOnlyRepository replica = Repositories.appendOnly(Repositories.open(Repositories.withNamespace(uri, config.namespace()), s3::get));
        List<DbCredentials> sources = dbUrl().isPresent() || config.dbSecretArn().isPresent() ? List.of(sourceDatabase()) : List.of();
        return new DrDrillService(replica, () -> Keys.openExisting(key, kms::get), PgTools.locate(config.pgBin()), restoreTestServer(),
                sources, SmokeQueries.parse(restoreTestConfig.smokeQueries().orElse(null)), VerifySettings.duration("BACKUP_RPO", config.rpo()),
                VerifySettings.duration("BACKUP_RTO", config.rto()), kms.get().serviceClientConfiguration().region().id(), Clock.systemUTC());
    }

    // ---- the readiness report ----

    /** The report command: reads everything, writes only under reports/readiness/; RPO and RTO as verify and restore-test use them. */
    public ReportService reportService() {
        ReadinessInput.Settings settings = ReadinessInput.Settings.defaults()
                .withRpo(VerifySettings.duration("BACKUP_RPO", config.rpo())).withRto(VerifySettings.duration("BACKUP_RTO", config.rto()));
        return new ReportService(Repositories.publishingUnder(repository(), Layout.READINESS_REPORTS), settings,
                config.replicaRepository().filter(r -> !r.isBlank()).orElse(null), config.databaseName().orElse(null), Clock.systemUTC());
    }

    /**
     * A link to a report object ({@code s3://} or {@code file://} URI) for an alert, valid for BACKUP_REPORT_LINK_VALIDITY;
     * null (logged) when S3 cannot sign one: a missing link must not hide the alert it belongs to.
     */
    public String reportLink(String objectUri) {
        java.time.Duration validity = VerifySettings.duration("BACKUP_REPORT_LINK_VALIDITY", config.reportLinkValidity());
        try {
            return ObjectLinks.of(objectUri, validity, "text/html; charset=utf-8", () -> S3Presigner.builder()
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.s3PathStyle()).build()).build());
        } catch (SdkException e) {
            LOG.warnf("cannot make a link to %s: %s", objectUri, e.getMessage());
            return null;
        }
    }

    /** A link to {@code reports/readiness/latest.html}. */
    public String latestReportLink() {
        return reportLink(readOnly().uriOf(Layout.READINESS_LATEST));
    }

    // ---- configuration backups (config-backup, config-restore, config-export) ----

    public ConfigBackupConfig configBackupConfig() {
        return configBackupConfig;
    }

    /** config-backup: reads the live configuration, adds snapshots under config/. */
    public ConfigBackupService configBackupService() {
        return new ConfigBackupService(appendOnly(), configStore(true), liveConfig(),
                new SecretNames(configBackupConfig.secretEnvPatterns()), Clock.systemUTC());
    }

    /** The configuration snapshots, newest first (list): manifests only, no key. */
    public List<com.taskmaster.backup.format.ConfigManifest> configSnapshots() {
        return configStore(false).list();
    }

    /** config-restore: reads snapshots, writes the live configuration back (its role alone may). */
    public ConfigRestoreService configRestoreService() {
        return new ConfigRestoreService(configStore(false), liveConfig(), Clock.systemUTC());
    }

    /** config-export: reads snapshots only (no AWS configuration service is called). */
    public ConfigExport configExport() {
        return new ConfigExport(configStore(false), new SecretNames(configBackupConfig.secretEnvPatterns()));
    }

    /** Snapshots under config/, read-only; {@code writing}: a missing local key file may be created (backup only). */
    private ConfigStore configStore(boolean writing) {
        String key = config.kmsKey().orElse(null);
        return new ConfigStore(readOnly(), () -> writing ? Keys.open(key, kms::get) : Keys.openExisting(key, kms::get));
    }

    /** The live configuration of the CONFIG_* settings, through plain SDK clients (URL-connection HTTP client). */
    public LiveConfig liveConfig() {
        ConfigBackupConfig c = configBackupConfig;
        return new LiveConfig(
                () -> software.amazon.awssdk.services.ssm.SsmClient.builder().httpClient(UrlConnectionHttpClient.builder().build()).build(),
                () -> SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.builder().build()).build(),
                () -> software.amazon.awssdk.services.lambda.LambdaClient.builder().httpClient(UrlConnectionHttpClient.builder().build()).build(),
                () -> software.amazon.awssdk.services.ecs.EcsClient.builder().httpClient(UrlConnectionHttpClient.builder().build()).build(),
                new LiveConfig.Scope(c.parameterPaths().orElse(List.of()), c.secretIds().orElse(List.of()), c.secretTag().orElse(null),
                        c.functions().orElse(List.of()), c.taskDefinitions().orElse(List.of())));
    }

    /** A restore target: a Secrets Manager secret ARN or a {@code postgresql://} URL. */
    public DbCredentials database(String target) {
        return target.startsWith("arn:") ? connection(Optional.empty(), Optional.of(target))
                : connection(Optional.of(target), Optional.empty());
    }

    /** The connection rules of the BACKUP_DB_TLS_DEFAULTS, BACKUP_DB_RDS_CA_BUNDLE and BACKUP_DB_IAM_AUTH settings. */
    public ConnectionPolicy connectionPolicy() {
        return ConnectionPolicy.of(config.dbTlsDefaults(), config.dbRdsCaBundle(), config.dbIamAuth(),
                Optional.ofNullable(System.getenv("AWS_REGION")));
    }

    /**
     * A URL, a secret, or both (a secret of username and password, the URL without password giving the rest), under
     * the {@link #connectionPolicy()}.
     */
    private DbCredentials connection(Optional<String> url, Optional<String> secretArn) {
        ConnectionSpec spec = secretArn.isPresent()
                ? ConnectionSpec.fromSecret(readSecret(secretArn.get()), secretArn.get(), url)
                : ConnectionSpec.fromUrl(url.orElseThrow());
        return connectionPolicy().apply(spec);
    }

    /** The replica bucket lives in another region: a plain client that follows it there (cross-region access). */
    private S3Client replicaS3() {
        return S3Client.builder().crossRegionAccessEnabled(true).forcePathStyle(config.s3PathStyle())
                .httpClient(UrlConnectionHttpClient.builder().build()).build();
    }

    /** The database to back up: {@code BACKUP_DB_URL}, or the Secrets Manager secret {@code BACKUP_DB_SECRET_ARN}. */
    public DbCredentials sourceDatabase() {
        Optional<String> url = dbUrl();
        if (url.isEmpty() && config.dbSecretArn().isEmpty()) {
            throw new IllegalArgumentException("no database configured: set BACKUP_DB_URL (postgresql://...), "
                    + "BACKUP_DB_SECRET_ARN, or both (an RDS-managed secret with a URL without password)");
        }
        return connection(url, config.dbSecretArn());
    }

    /** BACKUP_DB_URL as given (a password may contain "${"): never through property expansion. */
    private static Optional<String> dbUrl() {
        return LiteralSettings.get(ConfigProvider.getConfig(), "backup.db-url");
    }

    static String readSecret(String secretId) {
        // No Quarkiverse extension for Secrets Manager resolves here: the plain SDK client, same HTTP client as the others.
        // It honours AWS_REGION and AWS_ENDPOINT_URL(_SECRETS_MANAGER) like every SDK client.
        try (SecretsManagerClient client = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().build()).build()) {
            return client.getSecretValue(b -> b.secretId(secretId)).secretString();
        } catch (SdkException e) {
            throw new IllegalStateException("cannot read database secret " + secretId + ": " + e.getMessage(), e);
        }
    }
}
