package com.taskmaster.backup.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
        Path launcher = PostgresServer.repoFile("infra/rehearsal/motoserver.py");
        MotoServer.Started s = MotoServer.launch(port -> List.of(python, launcher.toString(), Integer.toString(port), "/dev/null"),
                Map.of("INITIAL_NO_AUTH_ACTION_COUNT", "1000000000"));
        return new IamMotoServer(s.endpoint(), s.process(), python);
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
