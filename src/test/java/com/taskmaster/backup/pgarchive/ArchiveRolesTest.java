package com.taskmaster.backup.pgarchive;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The role names in pg_dump's privilege and policy SQL, found and renamed by position, never by text search. */
class ArchiveRolesTest {
    @Test
    void findsGranteesGrantorsAndDefaultPrivilegeRolesButNotPublicOrObjectNames() {
        assertEquals(Set.of("app", "Odd \"Name\""), ArchiveRoles.rolesIn(
                "REVOKE ALL ON TABLE public.\"x TO y\" FROM PUBLIC;\n"
                + "GRANT SELECT(id,\"to\") ON TABLE public.\"x TO y\" TO app;\n"
                + "GRANT ALL ON SEQUENCE public.s TO \"Odd \"\"Name\"\"\" WITH GRANT OPTION;\n"));
        assertEquals(Set.of("own", "app"), ArchiveRoles.rolesIn(
                "ALTER DEFAULT PRIVILEGES FOR ROLE own IN SCHEMA app GRANT SELECT ON TABLES TO app;\n"));
        assertEquals(Set.of("grantor", "app"), ArchiveRoles.rolesIn(
                "SET SESSION AUTHORIZATION grantor;\nGRANT SELECT ON TABLE t TO app;\nRESET SESSION AUTHORIZATION;\n"));
        assertEquals(Set.of("a", "b c"), ArchiveRoles.rolesIn(
                "CREATE POLICY p ON public.t TO a, \"b c\" USING ((x IS DISTINCT FROM y)) WITH CHECK ((z = 'TO q'));\n"));
        assertEquals(Set.of(), ArchiveRoles.rolesIn("GRANT ALL ON SCHEMA public TO PUBLIC;\n"));
    }

    @Test
    void renamesOnlyMappedRolesInRolePositionsAndLeavesTheRestByteForByte() {
        String sql = "REVOKE ALL ON TABLE public.\"app\" FROM app;\nGRANT SELECT ON TABLE public.\"app\" TO app;\n"
                + "GRANT SELECT ON TABLE public.\"app\" TO keep;\n";
        assertEquals("REVOKE ALL ON TABLE public.\"app\" FROM \"New App\";\nGRANT SELECT ON TABLE public.\"app\" TO \"New App\";\n"
                + "GRANT SELECT ON TABLE public.\"app\" TO keep;\n", ArchiveRoles.rename(sql, Map.of("app", "New App")));
        assertEquals(sql, ArchiveRoles.rename(sql, Map.of("other", "x")));
    }

    @Test
    void ownersComeFromTheTableOfContentsAndPoliciesAreKeptApart() {
        List<TocEntry> toc = List.of(
                entry(1, "TABLE", "CREATE TABLE t (id int);", "own"),
                entry(2, "ACL", "GRANT SELECT ON TABLE t TO app;", ""),
                entry(3, "POLICY", "CREATE POLICY p ON t TO reader USING (true);", "own"),
                entry(4, "COMMENT", "COMMENT ON TABLE t IS 'GRANT x TO nobody';", "own"));
        ArchiveRoles.Named named = ArchiveRoles.of(toc);
        assertEquals(Set.of("own"), named.owners());
        assertEquals(Set.of("app", "reader"), named.grantees());
        assertEquals(Set.of("reader"), named.policyRoles());
        assertEquals(1, named.privilegeEntries());
    }

    static TocEntry entry(int id, String desc, String defn, String owner) {
        return new TocEntry(id, false, "0", "0", "t", desc, 2, defn, "", "public", "", "", owner, List.of());
    }
}
