package com.taskmaster.backup.pgarchive;

/** Quoting for the few SQL texts built here. */
final class Sql {
    private Sql() {
    }

    /**
     * A quoted identifier in ASCII only: {@code "name"}, or {@code U&"caf\00e9"} when the name holds anything but
     * printable ASCII. ASCII because the statement may be sent in another client encoding than the driver's
     * (pgJDBC keeps encoding SQL as UTF-8 after {@code SET client_encoding}); the server decodes the escapes
     * into its own encoding.
     */
    static String ident(String name) {
        boolean plain = name.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        if (plain) {
            return "\"" + name.replace("\"", "\"\"") + "\"";
        }
        StringBuilder sb = new StringBuilder("U&\"");
        name.codePoints().forEach(cp -> {
            if (cp == '"') {
                sb.append("\"\"");
            } else if (cp == '\\') {
                sb.append("\\\\");
            } else if (cp >= 0x20 && cp < 0x7f) {
                sb.append((char) cp);
            } else if (cp <= 0xffff) {
                sb.append(String.format("\\%04x", cp));
            } else {
                sb.append(String.format("\\+%06x", cp));
            }
        });
        return sb.append('"').toString();
    }

    /**
     * pg_dump's column list {@code (a, "B c", "naïve")} with every column as {@link #ident}: the same columns in
     * the same order (pg_dump leaves a name unquoted only when quoting it changes nothing), in ASCII.
     */
    static String columns(String list) {
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.regex.Matcher m = COLUMN.matcher(list);
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2));
        }
        return list.isEmpty() ? list : "(" + String.join(", ", names.stream().map(Sql::ident).toList()) + ")";
    }

    /** One column of a list: a quoted identifier (group 1, quotes doubled) or an unquoted one (group 2). */
    private static final java.util.regex.Pattern COLUMN = java.util.regex.Pattern.compile("\"((?:[^\"]|\"\")*)\"|([^\\s,()\"]+)");

    /** A string literal (standard_conforming_strings on). */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A name for messages: control characters shown escaped, so a name holding a newline stays on one line. */
    static String display(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
