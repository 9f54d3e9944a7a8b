package com.taskmaster.backup.postgres;

import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.TlsPostgres;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsUtilities;

import java.lang.reflect.Constructor;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static com.taskmaster.backup.postgres.ConnectionParameter.SSLMODE;
import static com.taskmaster.backup.postgres.ConnectionParameter.SSLROOTCERT;
import static org.junit.jupiter.api.Assertions.*;

/**
 * RDS IAM authentication with the SDK's real token signer (fixed credentials and clock, so that the token is known in
 * advance): the request it signs, and the token arriving as the password at a real server through pgJDBC and libpq.
 */
class RdsIamAuthTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC);
    private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /**
     * The SDK's own {@link RdsUtilities} with fixed credentials and a fixed clock (its package-private constructor), so
     * that the tokens it signs are the same each time and a test server can be given one as the password.
     */
    static RdsUtilities fixedClock(String region, String accessKeyId, String secretKey, Clock clock) {
        RdsUtilities.Builder b = RdsUtilities.builder().region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretKey)));
        try {
            Class<?> impl = Class.forName("software.amazon.awssdk.services.rds.DefaultRdsUtilities");
            Constructor<?> c = impl.getDeclaredConstructor(b.getClass(), Clock.class);
            c.setAccessible(true);
            return (RdsUtilities) c.newInstance(b, clock);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the SDK's DefaultRdsUtilities(builder, clock) is gone: " + e, e);
        }
    }

    private static RdsUtilities signer(String region) {
        return fixedClock(region, "AKIAIOSFODNN7EXAMPLE", SECRET_KEY, CLOCK);
    }

    private static ConnectionPolicy iamPolicy(Optional<String> region) {
        Function<String, DbCredentials.Password> tokens = r -> new RdsIamAuth(signer(r));
        return new ConnectionPolicy(true, java.nio.file.Path.of("/nonexistent"), Optional.of(tokens), region);
    }

    @Test
    void theTokenIsSignedForTheHostPortUserAndRegion() {
        ConnectionSpec spec = ConnectionSpec.fromUrl("postgresql://app_iam@tasks.c9akciq32.eu-central-1.rds.amazonaws.com:5433/"
                + "tasks?sslrootcert=%2Fopt%2Frds.pem");
        DbCredentials db = iamPolicy(Optional.of("us-east-1")).apply(spec);
        String token = db.libpqEnvironment().get("PGPASSWORD");
        assertEquals(token, db.jdbcProperties().getProperty("password"));
        String decoded = URLDecoder.decode(token, StandardCharsets.UTF_8);
        assertTrue(decoded.startsWith("tasks.c9akciq32.eu-central-1.rds.amazonaws.com:5433/?"), decoded);
        assertTrue(decoded.contains("Action=connect"), decoded);
        assertTrue(decoded.contains("DBUser=app_iam"), decoded);
        // The host name's region, not AWS_REGION's.
        assertTrue(decoded.contains("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE/20261202/eu-central-1/rds-db/aws4_request"), decoded);
        assertTrue(decoded.contains("X-Amz-Date=20261202T120000Z"), decoded);
        assertTrue(decoded.contains("X-Amz-Expires=900"), decoded);
        assertFalse(db.toString().contains(token));
        assertFalse(decoded.contains(SECRET_KEY));
    }

    @Test
    void aTokenNeedsAVerifiedServerAndARegion() {
        IllegalArgumentException unverified = assertThrows(IllegalArgumentException.class,
                () -> iamPolicy(Optional.of("eu-west-1")).apply(ConnectionSpec.fromUrl("postgresql://u@db.example.com/d?sslmode=require")));
        assertTrue(unverified.getMessage().contains("an IAM token must only go to a verified server"), unverified.getMessage());
        IllegalArgumentException noRegion = assertThrows(IllegalArgumentException.class, () -> iamPolicy(Optional.empty())
                .apply(ConnectionSpec.fromUrl("postgresql://u@db.example.com/d?sslmode=verify-full&sslrootcert=%2Fx.pem")));
        assertTrue(noRegion.getMessage().contains("AWS_REGION is not set"), noRegion.getMessage());
    }

    @Test
    void aConnectionWithAPasswordKeepsIt() {
        DbCredentials db = iamPolicy(Optional.of("eu-west-1")).apply(ConnectionSpec.fromUrl(
                "postgresql://u:static-pw-1@db.example.com/d?sslmode=verify-full&sslrootcert=%2Fx.pem"));
        assertEquals("static-pw-1", db.libpqEnvironment().get("PGPASSWORD"));
    }

    @Test
    void theTokenReachesPgJdbcAndLibpq() {
        TlsPostgres server = TlsPostgres.get();
        ConnectionSpec spec = server.spec("localhost", "iam_user", null, Map.of(SSLMODE, "verify-full",
                SSLROOTCERT, server.ca().toString()));
        DbCredentials db = iamPolicy(Optional.of("eu-west-1")).apply(spec);
        String token = new RdsIamAuth(signer("eu-west-1")).forConnection(spec);
        assertTrue(token.length() > 300, "a signed token, " + token.length() + " characters");
        PostgresServer.run(List.of(PostgresServer.get().tools().program("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-c", "DROP ROLE IF EXISTS iam_user", "-c", "CREATE ROLE iam_user LOGIN PASSWORD '" + token + "'"),
                server.admin().libpqEnvironment());

        assertEquals("iam_user", TlsConnectionTest.jdbc(db.spec(), db, "SELECT current_user"));
        assertEquals("iam_user", TlsConnectionTest.psql(db, "SELECT current_user"));

        // Without IAM, the same connection has no password and is refused: the token was what got in.
        DatabaseException none = assertThrows(DatabaseException.class,
                () -> TlsConnectionTest.jdbc(spec, new DbCredentials(spec), "SELECT 1"));
        assertTrue(none.getMessage().contains("password"), none.getMessage());
        // Another signing time (a fresh token) is refused too: the server checks the token itself.
        RdsUtilities later = fixedClock("eu-west-1", "AKIAIOSFODNN7EXAMPLE", SECRET_KEY,
                Clock.offset(CLOCK, java.time.Duration.ofSeconds(1)));
        DbCredentials stale = new DbCredentials(db.spec(), new RdsIamAuth(later));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> TlsConnectionTest.psql(stale, "SELECT 1"));
        assertTrue(refused.getMessage().contains("password authentication failed"), refused.getMessage());
        assertFalse(refused.getMessage().contains(token), "token in " + refused.getMessage());
    }
}
