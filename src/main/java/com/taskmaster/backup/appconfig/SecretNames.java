package com.taskmaster.backup.appconfig;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which names are secret (CONFIG_SECRET_ENV_PATTERNS): glob patterns, {@code *} any run of characters, matched
 * case-insensitively against an environment variable's name or a String parameter's last path segment and whole name.
 * A pure function of the patterns; config-export leaves the values of matching names out.
 */
public final class SecretNames {
    /** The default patterns (CONFIG_SECRET_ENV_PATTERNS unset). */
    public static final String DEFAULTS = "*PASSWORD*,*SECRET*,*TOKEN*,*KEY*,*CREDENTIAL*";

    private final List<Pattern> patterns;

    public SecretNames(List<String> globs) {
        this.patterns = globs.stream().map(String::trim).filter(g -> !g.isEmpty())
                .map(g -> Pattern.compile(glob(g), Pattern.CASE_INSENSITIVE)).toList();
    }

    public boolean secret(String name) {
        return patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    /** A parameter {@code /app/db/password} is secret if its whole name or its last segment matches. */
    public boolean secretParameter(String name) {
        return secret(name) || secret(name.substring(name.lastIndexOf('/') + 1).replace('-', '_').toUpperCase(Locale.ROOT));
    }

    private static String glob(String g) {
        StringBuilder re = new StringBuilder();
        for (String part : g.split("\\*", -1)) {
            if (!re.isEmpty()) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return re.toString();
    }
}
