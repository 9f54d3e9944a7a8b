package com.taskmaster.backup.config;

import io.smallrye.config.Expressions;
import org.eclipse.microprofile.config.Config;

import java.util.Optional;

/**
 * Settings read exactly as given, without SmallRye's property expansion: a database URL whose password contains
 * {@code ${...}} would otherwise be expanded, or, the expression being unresolvable, the whole setting would look
 * unset ("no database configured" although BACKUP_DB_URL is set). {@link BackupConfig} maps the same names; these
 * are read here for the values that are credentials.
 */
public final class LiteralSettings {
    private LiteralSettings() {
    }

    /** The value of {@code property} ({@code backup.db-url} for {@code BACKUP_DB_URL}) as given; empty when unset or blank. */
    public static Optional<String> get(Config config, String property) {
        return Expressions.withoutExpansion(() -> config.getOptionalValue(property, String.class)).filter(v -> !v.isBlank());
    }
}
