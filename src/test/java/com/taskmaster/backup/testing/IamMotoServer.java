package com.taskmaster.backup.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A moto_server of its own that enforces IAM identity policies (as the deployment rehearsal runs it:
 * infra/rehearsal/motoserver.py, moto with the defects the rehearsal hit patched, e.g. ListObjectsV2 with a prefix
 * failing its own signature check). Set up unauthenticated, then {@link #enforce()} switches enforcement on; IAM users
 * are made with boto3 (the test classpath has no IAM client). Close it when done.
 */
public final class IamMotoServer implements AutoCloseable {
    private final URI endpoint;
    private final Process process;
    private final String python;

    private IamMotoServer(URI endpoint, Process process, String python) {
        this.endpoint = endpoint;
        this.process = process;
        this.python = python;
    }

    public static IamMotoServer start() {
        Path moto = Path.of(MotoServer.findExecutable());
        Path sibling = moto.resolveSibling("python3");
        String python = Files.isExecutable(sibling) ? sibling.toString() : "python3";
        Path launcher = repositoryRoot().resolve("infra/rehearsal/motoserver.py");
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path log = Files.createTempFile("moto-iam-", ".log");
            ProcessBuilder pb = new ProcessBuilder(python, launcher.toString(), Integer.toString(port), "/dev/null")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("INITIAL_NO_AUTH_ACTION_COUNT", "1000000000");
            Process p = pb.start();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (!ready(endpoint)) {
                if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("moto_server (IAM) did not start: " + Files.readString(log));
                }
                Thread.sleep(200);
            }
            return new IamMotoServer(endpoint, p, python);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start moto_server (IAM): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("infra/rehearsal/motoserver.py"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("infra/rehearsal/motoserver.py not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
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

    /** An IAM user holding {@code policyJson} as its only (inline) policy; its access key id and secret. */
    public String[] user(String name, String policyJson) {
        String script = """
                import boto3, sys
                iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                                   aws_access_key_id="testing", aws_secret_access_key="testing")
                iam.create_user(UserName=sys.argv[2])
                iam.put_user_policy(UserName=sys.argv[2], PolicyName="only", PolicyDocument=sys.argv[3])
                k = iam.create_access_key(UserName=sys.argv[2])["AccessKey"]
                print(k["AccessKeyId"], k["SecretAccessKey"])
                """;
        try {
            Process p = new ProcessBuilder(python, "-c", script, endpoint.toString(), name, policyJson)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cannot create IAM user " + name + ": " + out);
            }
            return out.split(" ");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** From now on every request is authenticated and checked against its user's policies. */
    public void enforce() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/reset-auth").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "text/plain");  // a form body would be parsed away
            c.getOutputStream().write("0".getBytes(StandardCharsets.UTF_8));
            if (c.getResponseCode() != 200) {
                throw new IllegalStateException("reset-auth answered " + c.getResponseCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An S3 client signing with {@code keyAndSecret} (testing/testing before {@link #enforce()}). */
    public S3Client s3(String... keyAndSecret) {
        String id = keyAndSecret.length == 2 ? keyAndSecret[0] : MotoServer.ACCESS_KEY;
        String secret = keyAndSecret.length == 2 ? keyAndSecret[1] : MotoServer.SECRET_KEY;
        return S3Client.builder().endpointOverride(endpoint).region(MotoServer.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Override
    public void close() {
        process.destroy();
    }
}
