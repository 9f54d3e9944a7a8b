package com.taskmaster.backup.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.taskmaster.backup.format.RestoreFailedException;
import com.taskmaster.backup.postgres.BoundedJdbc;
import com.taskmaster.backup.postgres.DatabaseException;
import com.taskmaster.backup.postgres.DbCredentials;
import com.taskmaster.backup.support.Deadline;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.Redactor;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static com.taskmaster.backup.postgres.SnapshotSession.quoteIdent;

/**
 * The SQL of {@link ReplaceBySwap}, run as the restoring role through the server's maintenance database, each statement
 * ending within the {@link Deadline} it is given.
 */
final class SwapStatements {
    /** PostgreSQL's "object in use": a database with sessions cannot be renamed (after 5 s of waiting for them). */
    private static final String OBJECT_IN_USE = "55006";
    /** Settings whose value is a list of names (pg_dump's variable_is_guc_list_quote): each element is its own literal. */
    private static final Set<String> LIST_SETTINGS = Set.of("search_path", "temp_tablespaces", "session_preload_libraries",
            "local_preload_libraries", "shared_preload_libraries", "unix_socket_directories");

    /** Sessions the restoring role may terminate (pg_terminate_backend's own rule) on database ?, and terminates them. */
    private static final String TERMINATE = """
            SELECT a.pid, a.usename, a.application_name, host(a.client_addr), a.backend_start, pg_terminate_backend(a.pid)
              FROM pg_stat_activity a
             WHERE a.datname = ? AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
               AND ((SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                    OR (NOT coalesce((SELECT rolsuper FROM pg_roles WHERE oid = a.usesysid), false)
                        AND (pg_has_role(current_user, a.usesysid, 'MEMBER')
                             OR pg_has_role(current_user, 'pg_signal_backend', 'MEMBER'))))""";

    private final DbCredentials maintenance;
    private final String target;
    /** The target's pg_database row (as JSON: the columns differ between versions) and names, read by {@link #check}. */
    private JsonNode row;
    private String owner;
    private String encoding;
    private String tablespace;

    SwapStatements(DbCredentials maintenance, String target) {
        this.maintenance = maintenance;
        this.target = target;
    }

    /**
     * Refuses, before anything is touched, a role that could not finish the replace (CREATEDB, and owner of the target or
     * superuser: what CREATE DATABASE ... OWNER and ALTER DATABASE ... RENAME need; CREATEROLE when roles have settings in
     * the target), and names already taken.
     */
    void check(String fresh, String before, Deadline limit) {
        String what = "check that " + maintenance.user() + " may replace " + target;
        List<String> needed = new ArrayList<>();
        withConnection(what, limit, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT r.rolsuper, r.rolcreatedb, pg_has_role(current_user, d.datdba, 'USAGE'), pg_get_userbyid(d.datdba),
                           to_jsonb(d)::text, pg_encoding_to_char(d.encoding), t.spcname, r.rolcreaterole,
                           EXISTS (SELECT FROM pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole <> 0)
                      FROM pg_roles r LEFT JOIN pg_database d ON d.datname = ? LEFT JOIN pg_tablespace t ON t.oid = d.dattablespace
                     WHERE r.rolname = current_user""")) {
                ps.setString(1, target);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getString(5) == null) {
                        throw new RestoreFailedException("database " + target + " is not on " + maintenance.describe()
                                + "; nothing was changed");
                    }
                    row = Json.MAPPER.readTree(rs.getString(5));
                    owner = rs.getString(4);
                    encoding = rs.getString(6);
                    tablespace = rs.getString(7);
                    boolean superuser = rs.getBoolean(1);
                    if (!superuser && !rs.getBoolean(2)) {
                        needed.add("CREATEDB (ALTER ROLE " + quoteIdent(maintenance.user()) + " CREATEDB)");
                    }
                    if (!superuser && !rs.getBoolean(3)) {
                        needed.add("ownership of " + target + " (owned by " + rs.getString(4) + ": ALTER DATABASE " + quoteIdent(target)
                                + " OWNER TO " + quoteIdent(maintenance.user()) + ", or membership in " + rs.getString(4)
                                + ", or restore as a superuser)");
                    }
                    if (!superuser && !rs.getBoolean(8) && rs.getBoolean(9)) {
                        needed.add("CREATEROLE, to carry over the settings of roles in " + target + " (ALTER ROLE ... IN DATABASE ... SET)");
                    }
                }
            } catch (IOException e) {
                throw new DatabaseException("cannot read pg_database's row of " + target + ": " + e.getMessage(), e);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT datname FROM pg_database WHERE datname IN (?, ?) ORDER BY 1")) {
                ps.setString(1, fresh);
                ps.setString(2, before);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        needed.add("the name " + rs.getString(1) + " free (a database of that name exists: drop or rename it)");
                    }
                }
            }
            return null;
        });
        if (!needed.isEmpty()) {
            throw new RestoreFailedException("replacing " + target + " restores beside it as " + fresh + ", then renames "
                    + target + " to " + before + " and " + fresh + " to " + target + "; for that the role " + maintenance.user()
                    + " needs " + String.join("; ", needed) + ". Nothing was changed");
        }
    }

    /** Creates {@code fresh} empty, with the target's owner, encoding, locale, tablespace and connection limit. */
    void createLike(String fresh, Deadline limit) {
        StringBuilder sql = new StringBuilder("CREATE DATABASE " + quoteIdent(fresh) + " WITH TEMPLATE template0");
        sql.append(" OWNER ").append(quoteIdent(owner));
        sql.append(" ENCODING ").append(literal(encoding));
        sql.append(" LC_COLLATE ").append(literal(row.path("datcollate").asText()));
        sql.append(" LC_CTYPE ").append(literal(row.path("datctype").asText()));
        if ("i".equals(row.path("datlocprovider").asText())) { // PostgreSQL 15+: ICU
            sql.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(literal(row.path("daticulocale").asText()));
        }
        if (!"pg_default".equals(tablespace)) {
            sql.append(" TABLESPACE ").append(quoteIdent(tablespace));
        }
        sql.append(" CONNECTION LIMIT ").append(row.path("datconnlimit").asInt(-1));
        execute(sql.toString(), "create the database " + fresh + " beside " + target, limit);
    }

    /**
     * Copies onto {@code fresh} what lives on the target database itself and is in no archive made without
     * {@code --create}: its comment, its settings ({@code ALTER DATABASE ... SET}, {@code ALTER ROLE ... IN DATABASE ...
     * SET}) and its privileges (CONNECT, CREATE, TEMPORARY). Returns what was copied, for the result.
     */
    List<String> carryOver(String fresh, Deadline limit) {
        List<String> statements = new ArrayList<>();
        List<String> carried = new ArrayList<>();
        withConnection("read the settings, privileges and comment of " + target, limit, c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT r.rolname, unnest(s.setconfig)
                      FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                      LEFT JOIN pg_roles r ON r.oid = s.setrole
                     WHERE d.datname = ? ORDER BY 1 NULLS FIRST, 2""")) {
                ps.setString(1, target);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String role = rs.getString(1);
                        String setting = rs.getString(2);
                        int eq = setting.indexOf('=');
                        String name = setting.substring(0, eq);
                        String set = " SET " + quoteIdent(name) + " TO " + settingValue(name, setting.substring(eq + 1));
                        statements.add(role == null ? "ALTER DATABASE " + quoteIdent(fresh) + set
                                : "ALTER ROLE " + quoteIdent(role) + " IN DATABASE " + quoteIdent(fresh) + set);
                        carried.add(role == null ? "setting " + name : "setting " + name + " of role " + role);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT d.datacl IS NULL, shobj_description(d.oid, 'pg_database'),
                           (SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END
                                              || ' ' || a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END,
                                              E'\\n' ORDER BY a.grantee, a.privilege_type)
                              FROM aclexplode(d.datacl) a)
                      FROM pg_database d WHERE d.datname = ?""")) {
                ps.setString(1, target);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) { // explicit privileges: exactly those (else the defaults, as on the new database)
                        String db = quoteIdent(fresh);
                        statements.add("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
                        statements.add("REVOKE ALL ON DATABASE " + db + " FROM " + quoteIdent(owner));
                        String grants = rs.getString(3);
                        for (String g : grants == null ? new String[0] : grants.split("\n")) {
                            String[] parts = g.split(" ", 3); // grantee, privilege[, WITH GRANT OPTION]
                            statements.add("GRANT " + parts[1] + " ON DATABASE " + db + " TO " + parts[0] + (parts.length > 2 ? " " + parts[2] : ""));
                            carried.add("privilege " + parts[1] + " to " + parts[0] + (parts.length > 2 ? " with grant option" : ""));
                        }
                    }
                    if (rs.getString(2) != null) {
                        statements.add("COMMENT ON DATABASE " + quoteIdent(fresh) + " IS " + literal(rs.getString(2)));
                        carried.add("comment");
                    }
                }
            }
            return null;
        });
        for (String s : statements) {
            execute(s, "carry over to " + fresh + " what " + target + " has on itself (" + s + ")", limit);
        }
        return carried;
    }

    /**
     * Terminates the target's sessions, then renames the target to {@code before} and {@code fresh} to the target's name in
     * one transaction; a session that connected again in between makes the renames fail (after PostgreSQL's 5 s wait):
     * then again, up to {@code attempts} times. Returns the sessions terminated.
     */
    List<RestoreResult.Session> swap(String fresh, String before, int attempts, Deadline limit) {
        List<RestoreResult.Session> terminated = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            String what = "swap " + target + " (to " + before + ") and " + fresh + " (to " + target + ")";
            SQLException inUse = withConnection(what, limit, c -> {
                try (PreparedStatement ps = c.prepareStatement(TERMINATE)) {
                    ps.setString(1, target);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Timestamp start = rs.getTimestamp(5);
                            terminated.add(new RestoreResult.Session(rs.getInt(1), rs.getString(2), rs.getString(3),
                                    rs.getString(4), start == null ? null : start.toInstant()));
                        }
                    }
                }
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER DATABASE " + quoteIdent(target) + " RENAME TO " + quoteIdent(before));
                    s.execute("ALTER DATABASE " + quoteIdent(fresh) + " RENAME TO " + quoteIdent(target));
                    c.commit();
                    return null;
                } catch (SQLException e) {
                    c.rollback(); // both renames or neither
                    if (OBJECT_IN_USE.equals(e.getSQLState())) {
                        return e;
                    }
                    throw e;
                }
            });
            if (inUse == null) {
                return terminated;
            }
            if (attempt >= attempts) {
                throw new RestoreFailedException("cannot " + what + ": " + Redactor.redact(inUse.getMessage()) + " (" + attempts
                        + " attempts, each after terminating the sessions " + maintenance.user() + " may terminate: a superuser's"
                        + " sessions, another role's without pg_signal_backend, or the application reconnecting at once keep it"
                        + " in use; stop the application first) ");
            }
        }
    }

    /** Drops {@code fresh}, whoever is connected to it. */
    void drop(String fresh, Deadline limit) {
        execute("DROP DATABASE IF EXISTS " + quoteIdent(fresh) + " WITH (FORCE)", "drop " + fresh, limit);
    }

    private String settingValue(String name, String value) {
        if (!LIST_SETTINGS.contains(name)) {
            return literal(value);
        }
        List<String> elements = new ArrayList<>(); // "a b", c -> 'a b', 'c' (pg_dump's SplitGUCList)
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (ch == ',' && !quoted) {
                elements.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        elements.add(cur.toString().strip());
        return String.join(", ", elements.stream().map(SwapStatements::literal).toList());
    }

    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(String what, Deadline limit, Work<T> work) {
        String attempt = "the attempt to " + what + " on " + maintenance.describe();
        try (Connection c = BoundedJdbc.connect(maintenance, limit, attempt)) {
            BoundedJdbc.limit(c, limit, attempt);
            return work.run(c);
        } catch (SQLException e) {
            throw BoundedJdbc.timedOut(e) ? limit.exceeded(attempt)
                    : new DatabaseException("cannot " + what + " on " + maintenance.describe() + ": " + Redactor.redact(e.getMessage()), e);
        }
    }

    private void execute(String sql, String what, Deadline limit) {
        withConnection(what, limit, c -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
            return null;
        });
    }
}
