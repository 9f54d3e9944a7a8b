package com.taskmaster.backup.support;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Last line of defence against secrets in output: every text that leaves the process from an
 * outside source (exception messages, pg_dump's stderr, alerts) passes through {@link #redact}.
 * Credentials are registered as soon as they are read.
 */
public final class Redactor {
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    public static final String MASK = "********";

    private Redactor() {
    }

    public static void register(String secret) {
        if (secret != null && secret.length() >= 4) {
            SECRETS.add(secret);
        }
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : SECRETS) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    /** A copy of the throwable chain with every message redacted, stack traces kept. */
    public static Throwable scrub(Throwable t) {
        if (t == null) {
            return null;
        }
        RedactedException copy = new RedactedException(t.getClass().getName() + ": " + redact(t.getMessage()),
                t.getCause() == t ? null : scrub(t.getCause()));
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    /** Stands in for a third-party exception whose message has been redacted. */
    public static final class RedactedException extends RuntimeException {
        RedactedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
