package com.taskmaster.backup.format;

import com.taskmaster.backup.pgarchive.ArchiveRoles;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The roles and memberships in a backup's roles object (pg_dumpall's SQL, or the catalog's in the same shape:
 * {@code CREATE ROLE r;}, {@code ALTER ROLE r WITH ATTR ...;}, {@code GRANT r TO m [WITH ADMIN OPTION] [GRANTED BY g];}),
 * and the SQL that creates some of them as restore's {@code "roles": "create-missing"} does: {@code NOLOGIN}, keeping
 * only {@code INHERIT}/{@code NOINHERIT} and the connection limit; the privileged attributes (SUPERUSER, CREATEROLE,
 * CREATEDB, REPLICATION, BYPASSRLS) and LOGIN are withheld and reported, for an operator to give deliberately.
 */
public final class RoleDefinitions {
    private static final String IDENT = "(\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    private static final Pattern CREATE = Pattern.compile("^CREATE ROLE " + IDENT + ";$");
    private static final Pattern ALTER = Pattern.compile("^ALTER ROLE " + IDENT + " WITH (.*);$");
    private static final Pattern GRANT = Pattern.compile("^GRANT " + IDENT + " TO " + IDENT + "( WITH ADMIN OPTION)?.*;$");
    private static final Set<String> WITHHELD = Set.of("SUPERUSER", "CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS", "LOGIN");
    private static final Pattern CONNECTION_LIMIT = Pattern.compile("CONNECTION LIMIT (-?\\d+)");

    /** A captured role: its name and attributes as written ({@code NOSUPERUSER INHERIT ... LOGIN ...}). */
    public record Role(String name, String attributes) {
    }

    /** {@code member} belongs to {@code role}. */
    public record Membership(String role, String member, boolean admin) {
    }

    /** What creating roles means: the statements to run, and what was withheld from which role. */
    public record Creation(List<String> statements, Map<String, List<String>> withheld, List<String> memberships) {
    }

    private final Map<String, Role> roles;
    private final List<Membership> memberships;

    private RoleDefinitions(Map<String, Role> roles, List<Membership> memberships) {
        this.roles = roles;
        this.memberships = memberships;
    }

    /** No captured definitions (a backup taken before roles were captured): roles are created bare. */
    public static RoleDefinitions none() {
        return new RoleDefinitions(Map.of(), List.of());
    }

    public static RoleDefinitions parse(String sql) {
        Map<String, Role> roles = new TreeMap<>();
        List<Membership> memberships = new ArrayList<>();
        for (String raw : sql.split("\n")) {
            String line = raw.strip();
            Matcher m;
            if ((m = CREATE.matcher(line)).matches()) {
                roles.putIfAbsent(unquote(m.group(1)), new Role(unquote(m.group(1)), ""));
            } else if ((m = ALTER.matcher(line)).matches()) {
                roles.put(unquote(m.group(1)), new Role(unquote(m.group(1)), m.group(2)));
            } else if ((m = GRANT.matcher(line)).matches()) {
                memberships.add(new Membership(unquote(m.group(1)), unquote(m.group(2)), m.group(3) != null));
            }
        }
        return new RoleDefinitions(roles, List.copyOf(memberships));
    }

    public boolean defines(String role) {
        return roles.containsKey(role);
    }

    /**
     * The statements creating {@code create} (NOLOGIN, from their captured attributes) and granting the captured
     * memberships among roles that will exist: each membership in which at least one side is created and whose other
     * side is created too or already on the target ({@code existing}).
     */
    public Creation creating(Set<String> create, Set<String> existing) {
        List<String> statements = new ArrayList<>();
        Map<String, List<String>> withheld = new TreeMap<>();
        for (String name : new TreeSet<>(create)) {
            Role r = roles.get(name);
            String attributes = r == null ? "" : r.attributes();
            StringBuilder sql = new StringBuilder("CREATE ROLE " + quote(name) + " NOLOGIN");
            List<String> kept = new ArrayList<>();
            List<String> dropped = new ArrayList<>();
            for (String word : attributes.split(" ")) {
                if (word.equals("NOINHERIT") || word.equals("INHERIT")) {
                    kept.add(word);
                } else if (WITHHELD.contains(word)) {
                    dropped.add(word);
                }
            }
            kept.forEach(w -> sql.append(' ').append(w));
            Matcher limit = CONNECTION_LIMIT.matcher(attributes);
            if (limit.find()) {
                sql.append(" CONNECTION LIMIT ").append(limit.group(1));
            }
            statements.add(sql.toString());
            if (!dropped.isEmpty()) {
                withheld.put(name, dropped);
            }
        }
        Set<String> after = new TreeSet<>(existing);
        after.addAll(create);
        Set<String> granted = new LinkedHashSet<>();
        for (Membership m : memberships) {
            if ((create.contains(m.role()) || create.contains(m.member())) && after.contains(m.role()) && after.contains(m.member())) {
                statements.add("GRANT " + quote(m.role()) + " TO " + quote(m.member()) + (m.admin() ? " WITH ADMIN OPTION" : ""));
                granted.add(m.member() + " in " + m.role());
            }
        }
        return new Creation(List.copyOf(statements), withheld, List.copyOf(granted));
    }

    static String unquote(String ident) {
        return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident;
    }

    private static String quote(String name) {
        return ArchiveRoles.quoteIdent(name);
    }
}
