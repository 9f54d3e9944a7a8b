package com.taskmaster.backup.postgres;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.*;

/** Parsing URLs and secrets into {@link ConnectionSpec}s and translating them for pgJDBC and libpq. */
class ConnectionSpecTest {
    private static final String NEON = "postgresql://alex:AbC123dEf@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb"
            + "?sslmode=require&channel_binding=require";

    @Test
    void neonsConsoleStringIsUnderstood() {
        ConnectionSpec s = ConnectionSpec.fromUrl(NEON);
        assertEquals("ep-cool-darkness-123456.us-east-2.aws.neon.tech", s.host());
        assertEquals(5432, s.port());
        assertEquals("neondb", s.database());
        assertEquals("alex", s.user());
        assertEquals("AbC123dEf", s.password());
        Properties p = s.jdbcProperties(s.password());
        assertEquals("require", p.getProperty("sslmode"));
        assertEquals("require", p.getProperty("channelBinding"));
        Map<String, String> env = s.libpqEnvironment(s.password());
        assertEquals("require", env.get("PGSSLMODE"));
        assertEquals("require", env.get("PGCHANNELBINDING"));
        assertEquals("AbC123dEf", env.get("PGPASSWORD"));
        assertFalse(s.jdbcUrl().contains("AbC123dEf"));
        assertFalse(s.toString().contains("AbC123dEf"), s.toString());
    }

    @Test
    void neonsEndpointOptionReachesBothClients() {
        ConnectionSpec s = ConnectionSpec.fromUrl(NEON + "&options=endpoint%3Dep-cool-darkness-123456");
        assertEquals("endpoint=ep-cool-darkness-123456", s.jdbcProperties(null).getProperty("options"));
        assertEquals("endpoint=ep-cool-darkness-123456", s.libpqEnvironment(null).get("PGOPTIONS"));
    }

    @Test
    void everyParameterMapsToItsJdbcPropertyAndEnvironmentVariable() {
        ConnectionSpec s = ConnectionSpec.fromUrl("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=%2Ftmp%2Fca.pem"
                + "&channel_binding=prefer&options=-c%20statement_timeout%3D0&connect_timeout=9&application_name=nightly");
        Properties p = s.jdbcProperties(null);
        Map<String, String> env = s.libpqEnvironment(null);
        Map<ConnectionParameter, String> expected = Map.of(ConnectionParameter.SSLMODE, "verify-ca",
                ConnectionParameter.SSLROOTCERT, "/tmp/ca.pem", ConnectionParameter.CHANNEL_BINDING, "prefer",
                ConnectionParameter.OPTIONS, "-c statement_timeout=0", ConnectionParameter.CONNECT_TIMEOUT, "9",
                ConnectionParameter.APPLICATION_NAME, "nightly");
        assertEquals(ConnectionParameter.values().length, expected.size(), "a parameter without a case here");
        expected.forEach((k, v) -> {
            assertEquals(v, p.getProperty(k.jdbcProperty()), k.jdbcProperty());
            assertEquals(v, env.get(k.environmentVariable()), k.environmentVariable());
        });
        assertNull(p.getProperty("password"));
        assertFalse(env.containsKey("PGPASSWORD"));
    }

    @Test
    void defaultsWhenAbsent() {
        ConnectionSpec s = ConnectionSpec.fromUrl("postgres://u:p4ssw0rd@db.example.com:6000/app");
        assertEquals("jdbc:postgresql://db.example.com:6000/app", s.jdbcUrl());
        assertEquals("prefer", s.jdbcProperties(null).getProperty("sslmode"));
        assertEquals("15", s.libpqEnvironment(null).get("PGCONNECT_TIMEOUT"));
        assertEquals("taskmaster-backup", s.libpqEnvironment(null).get("PGAPPNAME"));
    }

    @Test
    void systemTrustIsTheJdksForPgJdbcAndTheBundleFileForLibpq() {
        ConnectionSpec s = ConnectionSpec.fromUrl("postgresql://u@h/d?sslmode=verify-full&sslrootcert=system");
        Properties p = s.jdbcProperties(null);
        assertEquals(SystemTrust.JDBC_SSL_FACTORY, p.getProperty("sslfactory"));
        assertNull(p.getProperty("sslrootcert"), "pgJDBC would read 'system' as a file name");
        assertEquals(SystemTrust.libpqBundle().toString(), s.libpqEnvironment(null).get("PGSSLROOTCERT"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectionSpec.fromUrl("postgresql://u@h/d?sslmode=require&sslrootcert=system"));
        assertEquals("sslrootcert=system needs sslmode=verify-full (not require)", e.getMessage());
    }

    @Test
    void anUnknownParameterIsAnErrorNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectionSpec.fromUrl("postgresql://u:s3cretpw@h/d?sslmode=require&frobnicate=1"));
        assertEquals("unknown database connection parameter 'frobnicate' (supported: sslmode, sslrootcert, channel_binding, "
                + "options, connect_timeout, application_name)", e.getMessage());
        IllegalArgumentException noJdbc = assertThrows(IllegalArgumentException.class,
                () -> ConnectionSpec.fromUrl("postgresql://u:s3cretpw@h/d?hostaddr=10.0.0.1"));
        assertTrue(noJdbc.getMessage().startsWith("database connection parameter 'hostaddr' is a libpq parameter that pgJDBC"),
                noJdbc.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromUrl("postgresql://u@h/d?sslcert=/x"));
    }

    @Test
    void badValuesAreErrorsNamingTheParameter() {
        assertEquals("database connection parameter sslmode='verify' is not one of [allow, disable, prefer, require, "
                + "verify-ca, verify-full]", assertThrows(IllegalArgumentException.class,
                () -> ConnectionSpec.fromUrl("postgresql://u@h/d?sslmode=verify")).getMessage());
        assertEquals("database connection parameter channel_binding='yes' is not one of [disable, prefer, require]",
                assertThrows(IllegalArgumentException.class,
                        () -> ConnectionSpec.fromUrl("postgresql://u@h/d?channel_binding=yes")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromUrl("postgresql://u@h/d?connect_timeout=soon"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromUrl("postgresql://u@h/d?options=a%0Ab"));
    }

    @Test
    void aSecretCarriesParametersAndIgnoresRdsFields() {
        ConnectionSpec s = ConnectionSpec.fromSecret("{\"engine\":\"postgres\",\"host\":\"h.example\",\"port\":5433,"
                + "\"username\":\"app\",\"password\":\"pw-123456\",\"dbname\":\"tasks\",\"sslmode\":\"verify-full\","
                + "\"sslrootcert\":\"/opt/x.pem\",\"dbInstanceIdentifier\":\"db1\"}", "arn:s", Optional.empty());
        assertEquals("h.example:5433/tasks", s.describe());
        assertEquals("verify-full", s.sslmode());
        assertEquals(Optional.of("/opt/x.pem"), s.get(ConnectionParameter.SSLROOTCERT));
    }

    @Test
    void aManagedMasterUserSecretTakesHostPortAndDatabaseFromTheUrl() {
        String managed = "{\"username\":\"postgres\",\"password\":\"Rds-Managed-Pw-99\"}";
        Optional<String> base = Optional.of("postgresql://db1.abc123.eu-central-1.rds.amazonaws.com:5432/tasks"
                + "?sslmode=verify-full&sslrootcert=%2Fopt%2Frds.pem");
        ConnectionSpec s = ConnectionSpec.fromSecret(managed, "arn:m", base);
        assertEquals("db1.abc123.eu-central-1.rds.amazonaws.com:5432/tasks", s.describe());
        assertEquals("postgres", s.user());
        assertEquals("Rds-Managed-Pw-99", s.password());
        assertEquals("verify-full", s.sslmode());

        IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                () -> ConnectionSpec.fromSecret(managed, "arn:m", Optional.empty()));
        assertTrue(alone.getMessage().startsWith("secret arn:m: no host (an RDS-managed master user secret holds only"),
                alone.getMessage());
        IllegalArgumentException noDb = assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromSecret(
                "{\"username\":\"u\",\"password\":\"p-123456\",\"host\":\"h\"}", "arn:m", Optional.empty()));
        assertTrue(noDb.getMessage().startsWith("secret arn:m: no database name"), noDb.getMessage());
        IllegalArgumentException noUser = assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromSecret(
                "{\"password\":\"p-123456\"}", "arn:m", base));
        assertTrue(noUser.getMessage().startsWith("secret arn:m: no user name"), noUser.getMessage());
        IllegalArgumentException differs = assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromSecret(
                "{\"username\":\"u\",\"password\":\"p-123456\",\"host\":\"other\"}", "arn:m", base));
        assertTrue(differs.getMessage().contains("host 'other' differs from the URL's"), differs.getMessage());
        IllegalArgumentException twoPasswords = assertThrows(IllegalArgumentException.class, () -> ConnectionSpec.fromSecret(
                managed, "arn:m", Optional.of("postgresql://u:p-123456@h/db")));
        assertTrue(twoPasswords.getMessage().contains("carries a password"), twoPasswords.getMessage());
        for (Exception e : new Exception[] {alone, noDb, noUser, differs, twoPasswords}) {
            assertFalse(e.getMessage().contains("p-123456") || e.getMessage().contains("Rds-Managed"), e.getMessage());
        }
    }
}
