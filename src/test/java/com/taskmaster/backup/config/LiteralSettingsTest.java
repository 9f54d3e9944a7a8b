package com.taskmaster.backup.config;

import com.taskmaster.backup.postgres.DbCredentials;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, item 8: a password containing {@code ${...}} in BACKUP_DB_URL was swallowed by SmallRye's property expansion
 * (the setting looked unset: "no database configured: set BACKUP_DB_URL"). Read through SmallRye's config with its
 * default interceptors (property expansion among them) and its environment-variable source, as Quarkus reads them.
 */
class LiteralSettingsTest {
    static SmallRyeConfig env(Map<String, String> variables) {
        return new SmallRyeConfigBuilder().addDefaultInterceptors().withSources(new EnvConfigSource(variables, 300)).build();
    }

    @Test
    void aDollarBraceInAPasswordReachesTheUrlParserAsGiven() {
        String raw = "postgresql://bk:pa${x}ss@db.example:5432/app";
        String encoded = "postgresql://bk:pa$%7Bx%7Dss@db.example:5432/app";
        SmallRyeConfig config = env(Map.of("BACKUP_DB_URL", raw, "RESTORE_TEST_DB_URL", encoded));
        assertEquals(Optional.empty(), config.getOptionalValue("backup.db-url", String.class),
                "what the plain lookup (and the config mapping) sees: the setting looks unset");

        assertEquals(Optional.of(raw), LiteralSettings.get(config, "backup.db-url"));
        // unencoded braces are not legal in a URL: the error now says so, instead of "no database configured"
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DbCredentials.fromUrl(LiteralSettings.get(config, "backup.db-url").orElseThrow()));
        assertTrue(e.getMessage().contains("percent-encode"), e.getMessage());
        assertTrue(!e.getMessage().contains("pa${x}ss"), e.getMessage());
        // percent-encoded, the password arrives whole
        assertEquals("pa${x}ss", DbCredentials.fromUrl(LiteralSettings.get(config, "restore-test.db-url").orElseThrow()).password());
    }

    @Test
    void unsetOrBlankIsEmpty() {
        SmallRyeConfig config = env(Map.of("BACKUP_DB_URL", " "));
        assertEquals(Optional.empty(), LiteralSettings.get(config, "backup.db-url"));
        assertEquals(Optional.empty(), LiteralSettings.get(config, "restore-test.db-url"));
    }
}
