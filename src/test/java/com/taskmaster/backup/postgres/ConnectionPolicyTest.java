package com.taskmaster.backup.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The TLS defaults and pooler refusals of {@link ConnectionPolicy}, on host names as the providers hand them out. */
class ConnectionPolicyTest {
    private static final String RDS = "postgresql://app:pw-12345@tasks.c9akciq32.eu-central-1.rds.amazonaws.com/tasks";
    private static final String AURORA = "postgresql://app:pw-12345@tasks.cluster-c9akciq32.us-east-1.rds.amazonaws.com/tasks";
    private static final String NEON = "postgresql://alex:AbC123dEf@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb"
            + "?sslmode=require&channel_binding=require";

    @TempDir
    Path tmp;

    private ConnectionPolicy verify() throws IOException {
        Path bundle = Files.writeString(tmp.resolve("rds.pem"), "-----BEGIN CERTIFICATE-----\n");
        return ConnectionPolicy.of("verify", bundle.toString(), false, Optional.empty());
    }

    @Test
    void rdsAndAuroraHostsAreVerifiedAgainstTheRdsBundle() throws IOException {
        for (String url : new String[] {RDS, AURORA, RDS + "?sslmode=require", RDS + "?sslmode=disable"}) {
            ConnectionSpec s = verify().apply(ConnectionSpec.fromUrl(url)).spec();
            assertEquals("verify-full", s.sslmode(), url);
            assertEquals(Optional.of(tmp.resolve("rds.pem").toString()), s.get(ConnectionParameter.SSLROOTCERT), url);
        }
        // The URL's own CA is kept; verify-ca is kept with it.
        ConnectionSpec own = verify().apply(ConnectionSpec.fromUrl(RDS + "?sslmode=verify-ca&sslrootcert=%2Fetc%2Fmy.pem")).spec();
        assertEquals("verify-ca", own.sslmode());
        assertEquals(Optional.of("/etc/my.pem"), own.get(ConnectionParameter.SSLROOTCERT));
    }

    @Test
    void aMissingRdsBundleIsAClearError() {
        ConnectionPolicy p = ConnectionPolicy.of("verify", tmp.resolve("missing.pem").toString(), false, Optional.empty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.apply(ConnectionSpec.fromUrl(RDS)));
        assertTrue(e.getMessage().contains("missing.pem does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("BACKUP_DB_TLS_DEFAULTS=as-given"), e.getMessage());
        assertFalse(e.getMessage().contains("pw-12345"));
    }

    @Test
    void neonIsVerifiedAgainstTheSystemTrustStore() throws IOException {
        ConnectionSpec s = verify().apply(ConnectionSpec.fromUrl(NEON)).spec();
        assertEquals("verify-full", s.sslmode());
        assertEquals(Optional.of("system"), s.get(ConnectionParameter.SSLROOTCERT));
        assertEquals(Optional.of("require"), s.get(ConnectionParameter.CHANNEL_BINDING));
    }

    @Test
    void asGivenAndOtherHostsAreLeftAlone() throws IOException {
        ConnectionPolicy asGiven = ConnectionPolicy.of("as-given", "/nonexistent", false, Optional.empty());
        assertEquals("require", asGiven.apply(ConnectionSpec.fromUrl(NEON)).spec().sslmode());
        assertEquals("prefer", asGiven.apply(ConnectionSpec.fromUrl(RDS)).spec().sslmode());
        ConnectionSpec other = ConnectionSpec.fromUrl("postgresql://u:p-1234@db.internal.example/d?sslmode=require");
        assertEquals(other, verify().apply(other).spec());
        assertThrows(IllegalArgumentException.class, () -> ConnectionPolicy.of("strict", "/x", false, Optional.empty()));
    }

    @Test
    void transactionPoolersAreRefusedByName() throws IOException {
        Poolers.PoolerException neon = assertThrows(Poolers.PoolerException.class, () -> verify().apply(ConnectionSpec.fromUrl(
                "postgresql://alex:AbC123dEf@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require")));
        assertTrue(neon.getMessage().contains("use the direct (session) endpoint: ep-cool-darkness-123456.us-east-2.aws.neon.tech"),
                neon.getMessage());
        Poolers.PoolerException supabase = assertThrows(Poolers.PoolerException.class, () -> verify().apply(ConnectionSpec.fromUrl(
                "postgresql://postgres.abcdefgh:pw-12345@aws-0-eu-central-1.pooler.supabase.com:6543/postgres")));
        assertTrue(supabase.getMessage().contains("use the direct (session) endpoint: aws-0-eu-central-1.pooler.supabase.com:5432"),
                supabase.getMessage());
        // Supabase's session-mode port is fine.
        verify().apply(ConnectionSpec.fromUrl("postgresql://postgres.abcdefgh:pw-12345@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"));
        assertFalse(neon.getMessage().contains("AbC123dEf"));
    }

}
