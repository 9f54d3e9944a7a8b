package com.taskmaster.backup.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One moto_server for the whole test JVM, on a free loopback port, stopped at exit. AWS is reached only
 * through the real SDK clients pointed at it. Tests isolate themselves by creating their own buckets,
 * keys and topics.
 */
public final class MotoServer {
    public static final Region REGION = Region.US_EAST_1;
    public static final String ACCESS_KEY = "testing";
    public static final String SECRET_KEY = "testing";
    private static MotoServer instance;

    private final URI endpoint;
    private final Process process;

    private MotoServer(URI endpoint, Process process) {
        this.endpoint = endpoint;
        this.process = process;
    }

    public static synchronized MotoServer get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    /**
     * moto_server with one defect patched at start-up, as the deployment rehearsal patches it
     * (infra/rehearsal/motoserver.py, {@code _multi_region_key_ids}): moto names a multi-Region key {@code mrk-} + 36
     * characters but its ciphertext blobs keep 36, so no data key of such a key decrypts, in any region; patched, keys
     * get AWS's shape ({@code mrk-} + 32 hex digits) and the replica of a multi-Region key (same id and key material in
     * its region, as moto's ReplicateKey makes it) decrypts what the primary encrypted: the secondary region's
     * disaster-recovery drill (DrDrillServiceTest) depends on it. Nothing else of moto changes.
     */
    private static final String PATCHED = "import sys; sys.path.insert(0, sys.argv[1]); import motoserver; "
            + "motoserver._multi_region_key_ids(); from moto.server import main; main(['-H', '127.0.0.1', '-p', sys.argv[2]])";

    private static MotoServer start() {
        Path moto = Path.of(findExecutable());
        Path sibling = moto.resolveSibling("python3");
        String python = Files.isExecutable(sibling) ? sibling.toString() : "python3";
        String rehearsal = PostgresServer.repoFile("infra/rehearsal").toString();
        Started s = launch(port -> List.of(python, "-c", PATCHED, rehearsal, Integer.toString(port)), java.util.Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(s.process()::destroy));
        return new MotoServer(s.endpoint(), s.process());
    }

    /** A started server process and where it answers. */
    record Started(URI endpoint, Process process) {
    }

    /** Starts {@code command(port)} on a free port with {@code env} added, and waits until /moto-api/ answers. */
    static Started launch(java.util.function.IntFunction<List<String>> command, java.util.Map<String, String> env) {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path log = Files.createTempFile("moto-", ".log");
            ProcessBuilder pb = new ProcessBuilder(command.apply(port)).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (!ready(endpoint)) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("moto_server exited: " + Files.readString(log));
                }
                if (Instant.now().isAfter(deadline)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("moto_server did not start within 60 s: " + Files.readString(log));
                }
                Thread.sleep(200);
            }
            return new Started(endpoint, p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start moto_server: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** moto_server from $MOTO_SERVER, PATH or ~/.pyenv/shims; a clear failure otherwise. */
    static String findExecutable() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("MOTO_SERVER");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "moto_server"));
            }
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".pyenv", "shims", "moto_server"));
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return c.toString();
            }
        }
        throw new IllegalStateException("moto_server not found (PATH, ~/.pyenv/shims or $MOTO_SERVER): "
                + "install it with pip install \"moto[server]\"");
    }

    private static boolean ready(URI endpoint) {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Points every AWS SDK client created in this JVM at this server through the SDK's standard settings
     * (the {@code aws.*} system properties are the in-JVM twins of {@code AWS_ENDPOINT_URL}, {@code AWS_REGION}
     * and the credential variables), as a deployed function is pointed at AWS. Returns the server.
     */
    public static MotoServer useForThisJvm() {
        MotoServer moto = get();
        System.setProperty("aws.endpointUrl", moto.endpoint().toString());
        System.setProperty("aws.region", REGION.id());
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return moto;
    }

    public URI endpoint() {
        return endpoint;
    }

    public boolean alive() {
        return process.isAlive();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    public S3Client s3() {
        return S3Client.builder().endpointOverride(endpoint).region(REGION).credentialsProvider(credentials())
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public KmsClient kms() {
        return kms(REGION);
    }

    /**
     * A KMS client for {@code region} (moto keeps one KMS per region and picks it by the region the request is signed
     * for), its requests shown to {@code observers}.
     */
    public KmsClient kms(Region region, ExecutionInterceptor... observers) {
        return KmsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials())
                .overrideConfiguration(c -> List.of(observers).forEach(c::addExecutionInterceptor))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    public SnsClient sns() {
        return SnsClient.builder().endpointOverride(endpoint).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    public SqsClient sqs() {
        return SqsClient.builder().endpointOverride(endpoint).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    public SecretsManagerClient secrets() {
        return SecretsManagerClient.builder().endpointOverride(endpoint).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    public software.amazon.awssdk.services.ssm.SsmClient ssm() {
        return software.amazon.awssdk.services.ssm.SsmClient.builder().endpointOverride(endpoint).region(REGION)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public software.amazon.awssdk.services.lambda.LambdaClient lambda() {
        return software.amazon.awssdk.services.lambda.LambdaClient.builder().endpointOverride(endpoint).region(REGION)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public software.amazon.awssdk.services.ecs.EcsClient ecs() {
        return software.amazon.awssdk.services.ecs.EcsClient.builder().endpointOverride(endpoint).region(REGION)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** IAM is global: moto answers it in us-east-1, as AWS does. */
    public software.amazon.awssdk.services.iam.IamClient iam() {
        return software.amazon.awssdk.services.iam.IamClient.builder().endpointOverride(endpoint).region(Region.AWS_GLOBAL)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** Environment for a child process (bin/invoke) to reach this server through the SDK's standard variables. */
    public java.util.Map<String, String> childEnvironment() {
        return java.util.Map.of("AWS_ENDPOINT_URL", endpoint.toString(), "AWS_REGION", REGION.id(),
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "BACKUP_S3_PATH_STYLE", "true");
    }
}
