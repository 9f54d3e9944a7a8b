package com.taskmaster.backup.postgres;

import com.taskmaster.backup.testing.PostgresServer;
import com.taskmaster.backup.testing.TlsPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.taskmaster.backup.postgres.ConnectionParameter.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The connection parameters against a real PostgreSQL with TLS and scram-sha-256 ({@link TlsPostgres}), each case through
 * both clients the backup uses: pgJDBC (its own connection) and libpq (psql, started like pg_dump by {@link PgProcess}).
 */
class TlsConnectionTest {
    private static final String SSL = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    static TlsPostgres server;

    @BeforeAll
    static void start() {
        server = TlsPostgres.get();
    }

    @Test
    void verifyFullPassesWithTheRightCa() {
        ConnectionSpec s = server.adminSpec("localhost", Map.of(SSLMODE, "verify-full", SSLROOTCERT, server.ca().toString()));
        assertEquals("t", jdbc(s, SSL));
        assertEquals("t", psql(s, SSL));
    }

    @Test
    void verifyFullFailsWithAWrongCa() {
        ConnectionSpec s = server.adminSpec("localhost", Map.of(SSLMODE, "verify-full", SSLROOTCERT, server.wrongCa().toString()));
        assertRefused(s, "certification path", "certificate verify failed");
        ConnectionSpec ca = server.adminSpec("localhost", Map.of(SSLMODE, "verify-ca", SSLROOTCERT, server.wrongCa().toString()));
        assertRefused(ca, "certification path", "certificate verify failed");
    }

    @Test
    void verifyFullFailsWithAWrongHostName() {
        // The certificate names localhost only: 127.0.0.1 is another name for the same server.
        ConnectionSpec s = server.adminSpec("127.0.0.1", Map.of(SSLMODE, "verify-full", SSLROOTCERT, server.ca().toString()));
        assertRefused(s, "127.0.0.1", "does not match host name \"127.0.0.1\"");
        // verify-ca checks the chain only: the same connection passes.
        ConnectionSpec ca = server.adminSpec("127.0.0.1", Map.of(SSLMODE, "verify-ca", SSLROOTCERT, server.ca().toString()));
        assertEquals("t", jdbc(ca, SSL));
        assertEquals("t", psql(ca, SSL));
    }

    @Test
    void systemTrustDoesNotTrustThePrivateCa() {
        // The test CA is in no public trust store: sslrootcert=system must refuse it in both clients (not skip checking).
        ConnectionSpec s = server.adminSpec("localhost", Map.of(SSLMODE, "verify-full", SSLROOTCERT, "system"));
        assertRefused(s, "certification path", "certificate verify failed");
    }

    @Test
    void channelBindingRequireWorksWithScramOverTls() {
        ConnectionSpec s = server.adminSpec("localhost", Map.of(SSLMODE, "verify-full", SSLROOTCERT, server.ca().toString(),
                CHANNEL_BINDING, "require"));
        assertEquals("t", jdbc(s, SSL));
        assertEquals("t", psql(s, SSL));
    }

    @Test
    void channelBindingRequireIsRefusedWithoutTls() {
        ConnectionSpec s = server.adminSpec("localhost", Map.of(SSLMODE, "disable", CHANNEL_BINDING, "require"));
        assertRefused(s, "hannel", "channel binding");
        ConnectionSpec prefer = server.adminSpec("localhost", Map.of(SSLMODE, "disable", CHANNEL_BINDING, "prefer"));
        assertEquals("f", jdbc(prefer, SSL));
        assertEquals("f", psql(prefer, SSL));
    }

    @Test
    void channelBindingRequireIsRefusedByAServerThatAuthenticatesWithMd5() {
        String password = "md5-secret-1234";
        ConnectionSpec s = server.spec("localhost", TlsPostgres.MD5_USER, password, Map.of(SSLMODE, "verify-full",
                SSLROOTCERT, server.ca().toString(), CHANNEL_BINDING, "require"));
        assertRefused(s, "hannel", "channel binding");
        ConnectionSpec prefer = s.with(CHANNEL_BINDING, "prefer");
        assertEquals("t", jdbc(prefer, SSL));
        assertEquals("t", psql(prefer, SSL));
    }

    @Test
    void optionsApplicationNameAndTimeoutReachBothClients() {
        ConnectionSpec s = ConnectionSpec.fromUrl(server.url("localhost", "postgres",
                "sslmode=require&options=-c%20search_path%3Dfoo%2Cpublic%20-c%20statement_timeout%3D4321"
                        + "&application_name=tmb-test&connect_timeout=7"));
        String sql = "SELECT current_setting('search_path') || ' ' || current_setting('statement_timeout') || ' '"
                + " || current_setting('application_name')";
        assertEquals("foo,public 4321ms tmb-test", jdbc(s, sql));
        assertEquals("foo,public 4321ms tmb-test", psql(s, sql));
        assertEquals("7", s.jdbcProperties(null).getProperty("connectTimeout"));
        assertEquals("7", s.libpqEnvironment(null).get("PGCONNECT_TIMEOUT"));
    }

    /** Both clients refuse {@code s}; their messages hold the given text and never the password. */
    private static void assertRefused(ConnectionSpec s, String jdbcText, String libpqText) {
        DatabaseException j = assertThrows(DatabaseException.class, () -> jdbc(s, SSL));
        assertTrue(j.getMessage().contains(jdbcText), j.getMessage());
        IllegalStateException p = assertThrows(IllegalStateException.class, () -> psql(s, SSL));
        assertTrue(p.getMessage().toLowerCase().contains(libpqText.toLowerCase()), p.getMessage());
        for (String m : List.of(j.getMessage(), p.getMessage())) {
            assertFalse(m.contains(s.password()), "password in " + m);
        }
    }

    static String jdbc(ConnectionSpec s, String sql) {
        try (Connection c = SnapshotSession.connect(new DbCredentials(s)); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            String v = rs.getString(1);
            return v.equals("true") ? "t" : v.equals("false") ? "f" : v;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    static String psql(ConnectionSpec s, String sql) {
        try (PgProcess p = PgProcess.start(PostgresServer.get().tools(), "psql", List.of("-X", "-A", "-t", "-c", sql),
                new DbCredentials(s))) {
            p.stdin().close();
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
            int exit = p.waitFor(60, TimeUnit.SECONDS);
            if (exit != 0) {
                throw new IllegalStateException(p.failure(exit));
            }
            return out;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
