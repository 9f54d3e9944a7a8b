package com.taskmaster.backup.verify;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Verify's thresholds (from {@code BACKUP_VERIFY_WINDOW}, {@code BACKUP_RPO}, {@code BACKUP_SIZE_DROP_SHARE},
 * {@code BACKUP_ROW_DROP_SHARE}).
 *
 * @param window        a backup verified (passed) more recently than this is not checked again; keep it shorter than the
 *                      schedule's period (default 6 days for the weekly run), else last week's record, younger than a
 *                      week by the run's own duration, spares the backup until the week after
 * @param rpo           the newest backup's snapshot must be younger than this
 * @param sizeDropShare a backup whose plain size fell by more than this share from its predecessor's is an anomaly
 * @param rowDropShare  a table whose row count fell by more than this share is an anomaly (tables of at least {@link #MIN_ROWS} rows)
 */
public record VerifySettings(Duration window, Duration rpo, double sizeDropShare, double rowDropShare) {
    /** Smaller tables are ignored by the row-drop check: a few rows coming and going is noise, not an incident. */
    public static final long MIN_ROWS = 100;
    /** A replica missing for a backup younger than this is "pending", not a failure (S3 Replication Time Control: 15 min). */
    public static final Duration REPLICATION_GRACE = Duration.ofHours(1);

    public VerifySettings {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(rpo, "rpo");
        if (window.isNegative() || window.isZero() || rpo.isNegative() || rpo.isZero()) {
            throw new IllegalArgumentException("verify window and RPO must be positive");
        }
        if (!(sizeDropShare > 0 && sizeDropShare <= 1) || !(rowDropShare > 0 && rowDropShare <= 1)) {
            throw new IllegalArgumentException("size and row drop shares must be in (0, 1], e.g. 0.5");
        }
    }

    public static VerifySettings of(String window, String rpo, double sizeDropShare, double rowDropShare) {
        return new VerifySettings(duration("BACKUP_VERIFY_WINDOW", window), duration("BACKUP_RPO", rpo), sizeDropShare, rowDropShare);
    }

    /** {@code 90m}, {@code 26h}, {@code 7d}, or ISO-8601 ({@code PT26H}). */
    public static Duration duration(String name, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.matches("\\d{1,6}[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(value.trim());
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(name + "='" + value + "' is not a duration: use e.g. 90m, 26h, 7d or PT26H");
        }
    }
}
