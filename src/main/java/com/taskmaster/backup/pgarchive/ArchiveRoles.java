package com.taskmaster.backup.pgarchive;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The roles a pg_dump archive names, and the same archive's SQL with roles renamed (a restore's role map):
 * <ul>
 *   <li>owners: each TOC entry's owner field (pg_restore turns it into {@code ALTER ... OWNER TO});</li>
 *   <li>grantees (and grantors): the role names in the SQL of {@code ACL} and {@code DEFAULT ACL} entries
 *       ({@code GRANT ... TO r}, {@code REVOKE ... FROM r}, {@code ALTER DEFAULT PRIVILEGES FOR ROLE r},
 *       {@code SET SESSION AUTHORIZATION r}, {@code GRANTED BY r}) and the role list of {@code POLICY} entries
 *       ({@code CREATE POLICY ... TO r1, r2}).</li>
 * </ul>
 * The SQL is tokenised (quoted identifiers, string literals, parentheses), never searched as text, so an object
 * called {@code "x TO y"} or a policy expression is never mistaken for a role. {@code PUBLIC} is not a role.
 */
public final class ArchiveRoles {
    /** The TOC entries whose SQL names roles. */
    static final Set<String> ROLE_SQL = Set.of("ACL", "DEFAULT ACL", "POLICY");

    /**
     * The roles an archive names: owners, and roles in privileges and policies ({@code grantees}), of which those in
     * policies apart ({@code policyRoles}: a restore without privileges still creates the policies);
     * {@code privilegeEntries} ACL entries.
     */
    public record Named(Set<String> owners, Set<String> grantees, Set<String> policyRoles, int privilegeEntries) {
        public Named {
            owners = java.util.Collections.unmodifiableSet(new TreeSet<>(owners));
            grantees = java.util.Collections.unmodifiableSet(new TreeSet<>(grantees));
            policyRoles = java.util.Collections.unmodifiableSet(new TreeSet<>(policyRoles));
        }

        /** Owners and grantees together, sorted. */
        public Set<String> all() {
            Set<String> all = new TreeSet<>(owners);
            all.addAll(grantees);
            return all;
        }
    }

    private ArchiveRoles() {
    }

    public static Named of(List<TocEntry> toc) {
        Set<String> owners = new TreeSet<>();
        Set<String> grantees = new TreeSet<>();
        Set<String> policies = new TreeSet<>();
        int acl = 0;
        for (TocEntry e : toc) {
            if (e.owner() != null && !e.owner().isEmpty()) {
                owners.add(e.owner());
            }
            if (ROLE_SQL.contains(e.desc()) && e.defn() != null) {
                Set<String> roles = rolesIn(e.defn());
                grantees.addAll(roles);
                if (e.desc().equals("POLICY")) {
                    policies.addAll(roles);
                }
            }
            if (e.desc().equals("ACL") || e.desc().equals("DEFAULT ACL")) {
                acl++;
            }
        }
        return new Named(owners, grantees, policies, acl);
    }

    /** The role names in one entry's SQL (privileges, default privileges, a policy's roles). */
    public static Set<String> rolesIn(String sql) {
        Set<String> out = new TreeSet<>();
        for (Token t : rolePositions(tokens(sql))) {
            out.add(t.name());
        }
        return out;
    }

    /**
     * {@code sql} with every role name in a role position replaced by its mapped name (always quoted); names not in
     * {@code map} stay as they are, byte for byte.
     */
    public static String rename(String sql, Map<String, String> map) {
        StringBuilder out = new StringBuilder(sql.length() + 16);
        int at = 0;
        for (Token t : rolePositions(tokens(sql))) {
            String to = map.get(t.name());
            if (to != null) {
                out.append(sql, at, t.start()).append(quoteIdent(to));
                at = t.end();
            }
        }
        return out.append(sql, at, sql.length()).toString();
    }

    /** An identifier as PostgreSQL reads it back exactly: always double-quoted. */
    public static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private enum Type { WORD, QUOTED, LITERAL, OPEN, CLOSE, COMMA, OTHER }

    private record Token(Type type, int start, int end, String text, int depth) {
        /** The identifier's name: a quoted one unquoted, a bare one as written (pg_dump writes names lower-case). */
        String name() {
            return type == Type.QUOTED ? text.substring(1, text.length() - 1).replace("\"\"", "\"") : text;
        }

        boolean is(String keyword) {
            return type == Type.WORD && text.equalsIgnoreCase(keyword);
        }

        boolean isRole() {
            return type == Type.QUOTED || type == Type.WORD && !text.equalsIgnoreCase("PUBLIC")
                    && !text.equalsIgnoreCase("GROUP") && !text.equalsIgnoreCase("ROLE");
        }
    }

    /**
     * Tokens at parenthesis depth 0 that name roles: the identifier after TO (and its comma list), FROM, FOR ROLE,
     * SESSION AUTHORIZATION, GRANTED BY.
     */
    private static List<Token> rolePositions(List<Token> tokens) {
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.depth() != 0 || t.type() != Type.WORD) {
                continue;
            }
            int next = -1;
            if (t.is("TO") || t.is("FROM")) {
                next = i + 1;
                if (next < tokens.size() && tokens.get(next).is("GROUP")) {
                    next++;
                }
            } else if ((t.is("FOR") && i + 1 < tokens.size() && tokens.get(i + 1).is("ROLE"))
                    || (t.is("SESSION") && i + 1 < tokens.size() && tokens.get(i + 1).is("AUTHORIZATION"))
                    || (t.is("GRANTED") && i + 1 < tokens.size() && tokens.get(i + 1).is("BY"))) {
                next = i + 2;
            }
            while (next >= 0 && next < tokens.size() && tokens.get(next).isRole()) {
                out.add(tokens.get(next));
                i = next;
                boolean list = next + 2 < tokens.size() && tokens.get(next + 1).type() == Type.COMMA;
                next = list ? next + 2 : -1;
            }
        }
        return out;
    }

    private static List<Token> tokens(String sql) {
        List<Token> out = new ArrayList<>();
        int depth = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            int start = i;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            Type type;
            if (c == '"' || c == '\'') {
                i = closing(sql, i, c);
                type = c == '"' ? Type.QUOTED : Type.LITERAL;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                type = Type.WORD;
            } else {
                i++;
                type = c == '(' ? Type.OPEN : c == ')' ? Type.CLOSE : c == ',' ? Type.COMMA : Type.OTHER;
            }
            if (type == Type.CLOSE) {
                depth = Math.max(0, depth - 1);
            }
            out.add(new Token(type, start, i, sql.substring(start, i), depth));
            if (type == Type.OPEN) {
                depth++;
            }
        }
        return out;
    }

    /** The index after the quote closing the one at {@code from} (a doubled quote is part of the text). */
    private static int closing(String sql, int from, char quote) {
        int i = from + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }
}
