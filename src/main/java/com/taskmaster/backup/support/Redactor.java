package com.taskmaster.backup.support;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** {@code scheme://userinfo@}: the userinfo (user and password) of any URL-shaped value, whatever was registered. */
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^\\s/?#'\"<>]*@");
    private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-F]{2}");

    /**
     * Registers a secret, of any length (a short password is still a password), in every form it may take in a message:
     * as given, percent-decoded (it came from a URL) and percent-encoded (it will be shown inside one).
     */
    public static void register(String secret) {
        if (secret == null || secret.isEmpty()) {
            return;
        }
        SECRETS.add(secret);
        try {
            SECRETS.add(URLDecoder.decode(secret.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notEncoded) {
            // a lone '%': not a percent-encoded form
        }
        String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        SECRETS.add(encoded);
        SECRETS.add(encoded.replace("+", "%20"));
        SECRETS.add(PERCENT_ESCAPE.matcher(encoded.replace("+", "%20")).replaceAll(m -> m.group().toLowerCase(Locale.ROOT)));
        SECRETS.remove("");
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = URL_USERINFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
        List<String> longestFirst = new ArrayList<>(SECRETS);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        for (String s : longestFirst) {
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
