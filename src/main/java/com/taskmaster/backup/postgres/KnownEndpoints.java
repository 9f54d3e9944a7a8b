package com.taskmaster.backup.postgres;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a host name says about the provider behind it: Amazon RDS and Aurora ({@code *.rds.amazonaws.com}, whose server
 * certificates chain to Amazon RDS CAs that no public trust store holds), Neon ({@code *.neon.tech}, publicly trusted
 * certificates; {@code ep-...-pooler} hosts are PgBouncer in transaction mode) and Supabase's pooler
 * ({@code *.pooler.supabase.com}: port 6543 pools transactions, 5432 sessions). Pure functions of the name.
 */
public final class KnownEndpoints {
    /** {@code <name>.<id>.<region>.rds.amazonaws.com[.cn]}; Aurora: {@code <name>.cluster[-ro|-custom]-<id>...}. */
    private static final Pattern RDS = Pattern.compile("^[a-z0-9-]+\\.(cluster-(?:ro-|custom-)?)?(proxy-)?[a-z0-9]+\\."
            + "([a-z]{2}(?:-gov)?-[a-z]+-\\d)\\.rds\\.amazonaws\\.com(\\.cn)?$");
    private static final Pattern NEON = Pattern.compile("^(ep-[a-z0-9-]+?)(-pooler)?\\.([a-z0-9.-]+\\.)?neon\\.tech$");
    private static final Pattern SUPABASE_POOLER = Pattern.compile("^[a-z0-9-]+\\.pooler\\.supabase\\.com$");
    public static final int SUPABASE_TRANSACTION_PORT = 6543;

    public enum Provider { RDS, AURORA, NEON, SUPABASE, OTHER }

    private KnownEndpoints() {
    }

    public static Provider provider(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        Matcher rds = RDS.matcher(h);
        if (rds.matches()) {
            return rds.group(1) != null ? Provider.AURORA : Provider.RDS;
        }
        if (NEON.matcher(h).matches()) {
            return Provider.NEON;
        }
        if (SUPABASE_POOLER.matcher(h).matches() || h.endsWith(".supabase.co")) {
            return Provider.SUPABASE;
        }
        return Provider.OTHER;
    }

    /** RDS or Aurora: verify against the Amazon RDS CA bundle. */
    public static boolean isAmazonRds(String host) {
        Provider p = provider(host);
        return p == Provider.RDS || p == Provider.AURORA;
    }

    /** Hosts whose server certificates chain to publicly trusted CAs (the platform's trust store verifies them). */
    public static boolean isPubliclyTrusted(String host) {
        return provider(host) == Provider.NEON;
    }

    /** The AWS region in an RDS/Aurora host name. */
    public static Optional<String> rdsRegion(String host) {
        Matcher m = RDS.matcher(host.toLowerCase(Locale.ROOT));
        return m.matches() ? Optional.of(m.group(3)) : Optional.empty();
    }

    /**
     * When {@code host:port} is, by its name, a transaction-pooling endpoint: the direct (session) endpoint to use
     * instead, as a phrase for the error message.
     */
    public static Optional<String> transactionPooler(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        Matcher neon = NEON.matcher(h);
        if (neon.matches() && neon.group(2) != null) {
            return Optional.of(h.replaceFirst("-pooler\\.", ".") + " (Neon's host name without -pooler)");
        }
        if (SUPABASE_POOLER.matcher(h).matches() && port == SUPABASE_TRANSACTION_PORT) {
            return Optional.of(h + ":5432 (Supabase's session mode) or the project's direct host db.<project-ref>.supabase.co");
        }
        return Optional.empty();
    }
}
