package com.taskmaster.backup.report;

/**
 * Escaping for text and attribute values: every string that comes from data (backup ids, labels, table names,
 * reasons, the repository) passes {@link #esc} before it reaches the page, whether in HTML or in SVG.
 */
final class Html {
    private Html() {
    }

    /** Text safe in element content and in double- or single-quoted attribute values. Control characters become spaces. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0) {
                        out.append(' ');
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
