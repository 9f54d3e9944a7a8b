package com.taskmaster.backup.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * The roles and memberships of a server, as SQL in the shape pg_dumpall writes them ({@code CREATE ROLE r;},
 * {@code ALTER ROLE r WITH ...;}, {@code GRANT r TO m;}), read from {@code pg_roles} and {@code pg_auth_members}, which
 * every role may read: the fallback when {@code pg_dumpall --globals-only} fails. A subset of pg_dumpall's output:
 * no passwords (as with {@code --no-role-passwords}), no per-role settings ({@code ALTER ROLE ... SET}), no
 * tablespaces, no grantors; PostgreSQL's own {@code pg_*} roles are left out.
 */
public final class RoleCatalog {
    static final String ROLES_SQL = """
            SELECT format('CREATE ROLE %I;', rolname) || chr(10) || format('ALTER ROLE %I WITH %s %s %s %s %s %s %s%s%s;', rolname,
                   CASE WHEN rolsuper THEN 'SUPERUSER' ELSE 'NOSUPERUSER' END,
                   CASE WHEN rolinherit THEN 'INHERIT' ELSE 'NOINHERIT' END,
                   CASE WHEN rolcreaterole THEN 'CREATEROLE' ELSE 'NOCREATEROLE' END,
                   CASE WHEN rolcreatedb THEN 'CREATEDB' ELSE 'NOCREATEDB' END,
                   CASE WHEN rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,
                   CASE WHEN rolreplication THEN 'REPLICATION' ELSE 'NOREPLICATION' END,
                   CASE WHEN rolbypassrls THEN 'BYPASSRLS' ELSE 'NOBYPASSRLS' END,
                   CASE WHEN rolconnlimit <> -1 THEN ' CONNECTION LIMIT ' || rolconnlimit ELSE '' END,
                   CASE WHEN rolvaliduntil IS NOT NULL THEN ' VALID UNTIL ' || quote_literal(rolvaliduntil::text) ELSE '' END)
              FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname""";
    static final String MEMBERSHIPS_SQL = """
            SELECT format('GRANT %I TO %I%s;', r.rolname, m.rolname, CASE WHEN a.admin_option THEN ' WITH ADMIN OPTION' ELSE '' END)
              FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
             ORDER BY r.rolname, m.rolname""";

    private RoleCatalog() {
    }

    /** The server's roles, then their memberships, one SQL statement (or two, for a role) per element. */
    public static List<String> statements(DbCredentials db) {
        List<String> out = new ArrayList<>(List.of("--", "-- Roles (from pg_roles: pg_dumpall --globals-only failed)", "--"));
        out.addAll(SnapshotSession.queryStrings(db, ROLES_SQL, "read the roles of"));
        out.addAll(List.of("", "--", "-- Role memberships", "--"));
        out.addAll(SnapshotSession.queryStrings(db, MEMBERSHIPS_SQL, "read the role memberships of"));
        return out;
    }
}
