package com.taskmaster.backup.infra;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static com.taskmaster.backup.infra.TemplateReader.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IAM: every role is least privilege; only prune deletes, and only backups; the recovery roles read,
 * decrypt and write only their own records; operators and the secondary region's roles only read and decrypt.
 */
class IamTemplateTest {
    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
    }


    @Test
    void functionRolesAreLeastPrivilege() {
        List<String> problems = new ArrayList<>();
        for (String fn : functions().keySet()) {
            JsonNode props = function(fn).path("Properties");
            String handler = handlerOf(fn);
            if (props.has("Policies")) {
                problems.add(fn + ": use an explicit Role, not SAM Policies (they would escape these checks)");
            }
            String roleId = getAttArnTarget(props.path("Role"));
            if (roleId == null) {
                problems.add(fn + ": Role must be {Fn::GetAtt: [<Role>, Arn]} of a role in this template");
                continue;
            }
            JsonNode role = template.path("Resources").path(roleId);
            if (!"AWS::IAM::Role".equals(role.path("Type").asText())) {
                problems.add(fn + ": " + roleId + " is not an AWS::IAM::Role");
                continue;
            }
            for (JsonNode arn : flattenIf(role.path("Properties").path("ManagedPolicyArns"))) {
                String text = asSubString(arn);
                if (ALLOWED_MANAGED_POLICIES.stream().noneMatch(text::endsWith)) {
                    problems.add(fn + ": managed policy not in the allow-list: " + text);
                }
            }
            List<JsonNode> statements = statementsOfRole(roleId);
            if (statements.isEmpty()) {
                problems.add(fn + ": role " + roleId + " has no policy statements");
            }
            for (JsonNode st : statements) {
                checkStatement(fn + " (" + roleId + ")", st, DELETE_ALLOWED_HANDLERS.contains(handler), problems);
            }
        }
        assertNoProblems(problems);
    }

    /**
     * Backup writes data objects and manifests, nothing else (not verification records, reports or prune's audit
     * records, which other code trusts): found by the deployment rehearsal (bin/rehearse), where it had backups/*.
     */
    @Test
    void backupRoleWritesOnlyDataObjectsAndManifests() {
        String roleId = getAttArnTarget(function("BackupFunction").path("Properties").path("Role"));
        assertNotNull(roleId, "BackupFunction Role");
        Set<String> writes = new TreeSet<>();
        for (JsonNode st : statementsOfRole(roleId)) {
            for (String a : actionsOf(st)) {
                if (isAllow(st) && globToRegex(a).matcher("s3:PutObject").matches()) {
                    flattenIf(st.path("Resource")).forEach(r -> writes.add(asSubString(r)));
                }
            }
        }
        assertEquals(Set.of("${BackupBucket.Arn}/backups/data/*", "${BackupBucket.Arn}/backups/manifests/*"), writes);
    }

    /**
     * The one role that may delete: plain DeleteObject on manifests and data objects only (a delete marker; no
     * version deletion, no Object Lock bypass), writes only its audit records, reads the Object Lock state (retention,
     * legal hold, the bucket's configuration) of what it may delete, and never the envelope key.
     */
    @Test
    void pruneRoleDeletesOnlyBackupsAndWritesOnlyItsAudit() {
        String roleId = getAttArnTarget(function("prune").path("Properties").path("Role"));
        assertNotNull(roleId, "PruneFunction Role");
        List<String> problems = new ArrayList<>();
        Set<String> deleteResources = new TreeSet<>();
        Set<String> putResources = new TreeSet<>();
        Set<String> getResources = new TreeSet<>();
        Set<String> retentionResources = new TreeSet<>();
        Set<String> legalHoldResources = new TreeSet<>();
        boolean readsLockConfiguration = false;
        for (JsonNode st : statementsOfRole(roleId)) {
            if (!isAllow(st)) {
                continue;
            }
            Set<String> resources = new TreeSet<>();
            flattenIf(st.path("Resource")).forEach(r -> resources.add(asSubString(r)));
            for (String a : actionsOf(st)) {
                Pattern glob = globToRegex(a);
                for (String del : S3_DELETE_ACTIONS) {
                    if (glob.matcher(del).matches() && !del.equals("s3:DeleteObject")) {
                        problems.add("prune role: " + a + " grants " + del + " (prune needs plain s3:DeleteObject only)");
                    }
                }
                if (a.contains("*") && glob.matcher("s3:DeleteObject").matches()) {
                    problems.add("prune role: wildcard " + a + " grants s3:DeleteObject: name it exactly");
                }
                switch (a) {
                    case "s3:DeleteObject" -> deleteResources.addAll(resources);
                    case "s3:PutObject" -> putResources.addAll(resources);
                    case "s3:GetObject" -> getResources.addAll(resources);
                    case "s3:GetObjectRetention" -> retentionResources.addAll(resources);
                    case "s3:GetObjectLegalHold" -> legalHoldResources.addAll(resources);
                    case "s3:GetBucketObjectLockConfiguration" -> readsLockConfiguration |=
                            isGetAttArn(st.path("Resource"), "BackupBucket");
                    default -> {
                    }
                }
            }
            if (st.toString().contains("\"BackupKey\"")) {
                problems.add("prune role references the envelope key BackupKey: " + st);
            }
        }
        if (!PRUNE_DELETE_RESOURCES.equals(deleteResources)) {
            problems.add("prune role s3:DeleteObject on " + deleteResources + ", expected " + PRUNE_DELETE_RESOURCES);
        }
        if (!PRUNE_PUT_RESOURCES.equals(putResources)) {
            problems.add("prune role s3:PutObject on " + putResources + ", expected " + PRUNE_PUT_RESOURCES);
        }
        if (!PRUNE_GET_RESOURCES.equals(getResources)) {
            problems.add("prune role s3:GetObject on " + getResources + ", expected " + PRUNE_GET_RESOURCES);
        }
        // S3 Object Lock: prune must be able to read the lock state of everything it may delete (else it fails).
        if (!PRUNE_LOCK_STATE_RESOURCES.equals(retentionResources)) {
            problems.add("prune role s3:GetObjectRetention on " + retentionResources + ", expected " + PRUNE_LOCK_STATE_RESOURCES);
        }
        if (!PRUNE_LOCK_STATE_RESOURCES.equals(legalHoldResources)) {
            problems.add("prune role s3:GetObjectLegalHold on " + legalHoldResources + ", expected " + PRUNE_LOCK_STATE_RESOURCES);
        }
        if (!readsLockConfiguration) {
            problems.add("prune role needs s3:GetBucketObjectLockConfiguration on BackupBucket (Fn::GetAtt Arn): "
                    + "it reads the bucket's Object Lock configuration once per run");
        }

        // The bucket key: usable by prune only through S3.
        bucketKeyOnlyViaS3(roleId, "prune", "it reads manifests and writes its audit record", problems);
        assertNoProblems(problems);
    }

    /**
     * The report: reads manifests and every record (never a data object), writes only its page under
     * reports/readiness/, deletes nothing, never touches the envelope key; the bucket key via S3 only.
     */
    @Test
    void reportRoleReadsRecordsAndWritesOnlyTheReadinessReport() {
        String roleId = getAttArnTarget(function("report").path("Properties").path("Role"));
        assertNotNull(roleId, "ReportFunction Role");
        List<String> problems = new ArrayList<>();
        Set<String> put = new TreeSet<>();
        Set<String> get = new TreeSet<>();
        for (JsonNode st : statementsOfRole(roleId)) {
            if (!isAllow(st)) {
                continue;
            }
            Set<String> resources = new TreeSet<>();
            flattenIf(st.path("Resource")).forEach(r -> resources.add(asSubString(r)));
            for (String a : actionsOf(st)) {
                Pattern glob = globToRegex(a);
                S3_DELETE_ACTIONS.stream().filter(d -> glob.matcher(d).matches()).forEach(d -> problems.add("report role: " + a + " grants " + d));
                if (glob.matcher("s3:PutObject").matches()) {
                    put.addAll(resources);
                }
                if (glob.matcher("s3:GetObject").matches()) {
                    get.addAll(resources);
                }
            }
            if (st.toString().contains("\"BackupKey\"")) {
                problems.add("report role references the envelope key BackupKey: " + st);
            }
        }
        if (!REPORT_PUT_RESOURCES.equals(put)) {
            problems.add("report role s3:PutObject on " + put + ", expected " + REPORT_PUT_RESOURCES);
        }
        if (!REPORT_GET_RESOURCES.equals(get)) {
            problems.add("report role s3:GetObject on " + get + ", expected " + REPORT_GET_RESOURCES);
        }
        bucketKeyOnlyViaS3(roleId, "report", "it reads records and writes its page", problems);
        assertNoProblems(problems);
    }

    /** The bucket key's policy lets {@code roleId} decrypt and generate data keys, and only through S3 (kms:ViaService). */
    private static void bucketKeyOnlyViaS3(String roleId, String role, String why, List<String> problems) {
        boolean bucketKeyViaS3 = false;
        for (JsonNode st : statements(template.path("Resources").path("BucketKey").path("Properties").path("KeyPolicy"))) {
            if (roleId.equals(getAttArnTarget(st.path("Principal").path("AWS")))) {
                boolean viaS3 = asSubString(st.path("Condition").path("StringEquals").path("kms:ViaService")).startsWith("s3.");
                if (!viaS3) {
                    problems.add("BucketKey: the " + role + " role's statement must require kms:ViaService s3.<region>: " + st);
                }
                bucketKeyViaS3 |= viaS3 && actionsOf(st).containsAll(Set.of("kms:Decrypt", "kms:GenerateDataKey"));
            }
        }
        if (!bucketKeyViaS3) {
            problems.add("BucketKey policy must let the " + role + " role kms:Decrypt and kms:GenerateDataKey via S3 (" + why + ")");
        }
    }

    /**
     * Verify, restore and restore-test: read the backups, write only their own records (verify its verifications,
     * restore-test its reports, restore nothing), never delete, and use the envelope key only to decrypt (with the
     * purpose context) and describe it, in their IAM policies and in the key policy; the bucket key via S3 only.
     * Verify's access to the replica bucket is read-only.
     */
    @Test
    void recoveryRolesReadDecryptAndWriteOnlyTheirOwnRecords() {
        List<String> problems = new ArrayList<>();
        Set<String> envelopeActions = Set.of("kms:Decrypt", "kms:DescribeKey");
        for (String h : DECRYPT_ONLY_HANDLERS) {
            String roleId = getAttArnTarget(function(h).path("Properties").path("Role"));
            assertNotNull(roleId, h + " Role");
            Set<String> put = new TreeSet<>();
            Set<String> get = new TreeSet<>();
            boolean decrypts = false;
            for (JsonNode st : statementsOfRole(roleId)) {
                if (!isAllow(st)) {
                    continue;
                }
                Set<String> resources = new TreeSet<>();
                flattenIf(st.path("Resource")).forEach(r -> resources.add(asSubString(r)));
                boolean envelopeKey = flattenIf(st.path("Resource")).stream().anyMatch(r -> isGetAttArn(r, "BackupKey"));
                boolean replica = resources.stream().anyMatch(r -> r.contains("${ReplicaBucketName}"));
                for (String a : actionsOf(st)) {
                    Pattern glob = globToRegex(a);
                    for (String del : S3_DELETE_ACTIONS) {
                        if (glob.matcher(del).matches()) {
                            problems.add(h + ": " + a + " grants " + del);
                        }
                    }
                    if (glob.matcher("s3:PutObject").matches()) {
                        put.addAll(resources);
                    }
                    if (glob.matcher("s3:GetObject").matches()) {
                        resources.stream().filter(r -> r.startsWith("${BackupBucket.Arn}")).forEach(get::add);
                    }
                    if (replica && !Set.of("s3:GetObject", "s3:ListBucket").contains(a)) {
                        problems.add(h + ": the replica bucket is read-only, but " + a + " is granted on it");
                    }
                    if (envelopeKey && !envelopeActions.contains(a)) {
                        problems.add(h + ": only kms:Decrypt and kms:DescribeKey on BackupKey, not " + a);
                    }
                    if (envelopeKey && a.equals("kms:Decrypt")) {
                        decrypts = true;
                        if (!"taskmaster-backup".equals(
                                st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText())) {
                            problems.add(h + ": kms:Decrypt on BackupKey must require kms:EncryptionContext:purpose=taskmaster-backup");
                        }
                    }
                }
            }
            if (!PUT_RESOURCES.get(h).equals(put)) {
                problems.add(h + ": s3:PutObject on " + put + ", expected " + PUT_RESOURCES.get(h));
            }
            if (!GET_RESOURCES.get(h).equals(get)) {
                problems.add(h + ": s3:GetObject on " + get + ", expected " + GET_RESOURCES.get(h));
            }
            if (!decrypts) {
                problems.add(h + ": its role needs kms:Decrypt on BackupKey");
            }

            boolean keyPolicyDecrypt = false;
            for (JsonNode st : statements(template.path("Resources").path("BackupKey").path("Properties").path("KeyPolicy"))) {
                if (!roleId.equals(getAttArnTarget(st.path("Principal").path("AWS")))) {
                    continue;
                }
                for (String a : actionsOf(st)) {
                    if (!envelopeActions.contains(a)) {
                        problems.add("BackupKey policy grants " + h + "'s role " + a + " (Decrypt/DescribeKey only)");
                    }
                    if (a.equals("kms:Decrypt")) {
                        keyPolicyDecrypt = true;
                        if (!"taskmaster-backup".equals(
                                st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText())) {
                            problems.add("BackupKey policy: " + h + "'s Decrypt must require kms:EncryptionContext:purpose=taskmaster-backup");
                        }
                    }
                }
            }
            if (!keyPolicyDecrypt) {
                problems.add("BackupKey policy must let " + h + "'s role kms:Decrypt");
            }

            boolean bucketKey = false;
            for (JsonNode st : statements(template.path("Resources").path("BucketKey").path("Properties").path("KeyPolicy"))) {
                if (!roleId.equals(getAttArnTarget(st.path("Principal").path("AWS")))) {
                    continue;
                }
                if (!asSubString(st.path("Condition").path("StringEquals").path("kms:ViaService")).startsWith("s3.")) {
                    problems.add("BucketKey: " + h + "'s statement must require kms:ViaService s3.<region>: " + st);
                }
                bucketKey |= actionsOf(st).contains("kms:Decrypt")
                        && (put.isEmpty() || actionsOf(st).contains("kms:GenerateDataKey"));
            }
            if (!bucketKey) {
                problems.add("BucketKey policy must let " + h + "'s role kms:Decrypt via S3"
                        + (put.isEmpty() ? "" : " and kms:GenerateDataKey (it writes " + put + ")"));
            }
        }
        assertNoProblems(problems);
    }

    /**
     * {@code rds-db:connect} only under the condition that IAM database authentication is on (DatabaseIamAuth), only
     * for the configured database user of the configured resource, and only to the functions that connect to databases.
     */
    @Test
    void rdsDbConnectIsGrantedOnlyWhenIamAuthIsOn() {
        List<String> problems = new ArrayList<>();
        Set<String> granted = new TreeSet<>();
        template.path("Resources").fields().forEachRemaining(r -> {
            if (!"AWS::IAM::Policy".equals(r.getValue().path("Type").asText())) {
                return;
            }
            for (JsonNode st : r.getValue().path("Properties").path("PolicyDocument").path("Statement")) {
                JsonNode cond = st.path("Fn::If");
                JsonNode inner = cond.isArray() ? cond.get(1) : st;
                if (!actionsOf(inner).contains("rds-db:connect")) {
                    continue;
                }
                granted.add(r.getKey());
                if (!cond.isArray() || !"DatabaseIamAuthOn".equals(cond.get(0).asText())) {
                    problems.add(r.getKey() + ": rds-db:connect outside Fn::If [DatabaseIamAuthOn, ...]");
                }
                String resource = asSubString(inner.path("Resource"));
                if (!resource.endsWith(":dbuser:${DatabaseResourceId}/${DatabaseIamUser}")) {
                    problems.add(r.getKey() + ": rds-db:connect on " + resource + ", not the configured user");
                }
            }
        });
        assertEquals(Set.of("BackupFunctionPolicy", "RestoreFunctionPolicy", "RestoreTestFunctionPolicy"), granted);
        assertTrue(template.path("Conditions").has("DatabaseIamAuthOn"));
        assertNoProblems(problems);
    }

    @Test
    void noIamPolicyAnywhereGrantsServiceWildcards() {
        List<String> problems = new ArrayList<>();
        for (var t : allTemplates.entrySet()) {
            for (var r : resources(t.getValue()).entrySet()) {
                String type = r.getValue().path("Type").asText();
                JsonNode p = r.getValue().path("Properties");
                List<JsonNode> docs = new ArrayList<>();
                switch (type) {
                    case "AWS::IAM::Role" -> p.path("Policies").forEach(pol -> docs.add(pol.path("PolicyDocument")));
                    case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy" ->
                        docs.add(p.path("PolicyDocument"));
                    default -> {
                    }
                }
                for (JsonNode doc : docs) {
                    for (JsonNode st : statements(doc)) {
                        for (String a : actionsOf(st)) {
                            if (isAllow(st) && (a.equals("*") || a.endsWith(":*"))) {
                                problems.add(t.getKey() + " " + r.getKey() + ": Action " + a);
                            }
                        }
                        if (isAllow(st) && st.has("NotAction")) {
                            problems.add(t.getKey() + " " + r.getKey() + ": Allow with NotAction");
                        }
                    }
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void operatorsMayOnlyDecryptTheBucketKeyThroughS3AndNeverUseTheEnvelopeKey() {
        JsonNode operators = null;
        for (JsonNode st : template.path("Resources").path("BucketKey").path("Properties").path("KeyPolicy").path("Statement")) {
            if ("HasOperatorRoles".equals(st.path("Fn::If").path(0).asText())) {
                operators = st.path("Fn::If").path(1);
            }
        }
        assertNotNull(operators, "BucketKey policy: a statement for OperatorRoleArns under condition HasOperatorRoles");
        assertEquals(Set.of("kms:Decrypt"), actionsOf(operators));
        assertTrue(asSubString(operators.path("Condition").path("StringEquals").path("kms:ViaService")).startsWith("s3."),
                "operators decrypt through S3 only: " + operators);
        assertFalse(template.path("Resources").path("BackupKey").toString().contains("OperatorRoleArns"),
                "operators get no access to the envelope key");
    }

    /**
     * infra/secondary.yaml's RecoveryRoleArns (the break-glass recovery from the secondary region) may only read:
     * list and get under backups/ in the replica bucket, the replica bucket key via S3 only, and the replica of the
     * envelope key for Decrypt with the backup (or configuration snapshot) encryption context (never Encrypt/GenerateDataKey,
     * never a delete).
     */
    @Test
    void secondaryRecoveryRolesOnlyReadAndDecryptBackups() {
        JsonNode secondary = allTemplates.get("infra/secondary.yaml");
        assertNotNull(secondary, "infra/secondary.yaml");
        Map<String, JsonNode> statements = new LinkedHashMap<>();
        collectStatements(secondary.path("Resources"), statements);
        Map<String, JsonNode> recovery = new LinkedHashMap<>();
        statements.forEach((sid, st) -> {
            if (st.path("Principal").path("AWS").path("Ref").asText().equals("RecoveryRoleArns")) {
                recovery.put(sid, st);
            }
        });
        assertEquals(Set.of("RecoveryRolesReadViaS3", "RecoveryRolesDecryptBackups", "RecoveryRolesDescribeKey",
                "RecoveryRolesListBackups", "RecoveryRolesReadBackups", "RecoveryRolesDecryptConfigSnapshots"), recovery.keySet(),
                "statements granting RecoveryRoleArns");
        List<String> problems = new ArrayList<>();
        for (var e : recovery.entrySet()) {
            JsonNode st = e.getValue();
            Set<String> actions = new TreeSet<>();
            (st.path("Action").isArray() ? st.path("Action") : JSON.createArrayNode().add(st.path("Action")))
                    .forEach(a -> actions.add(a.asText()));
            if (!Set.of("kms:Decrypt", "kms:DescribeKey", "s3:ListBucket", "s3:GetObject").containsAll(actions)) {
                problems.add(e.getKey() + " grants " + actions);
            }
            String condition = st.path("Condition").toString();
            if (actions.contains("kms:Decrypt") && !condition.contains("kms:EncryptionContext:purpose")
                    && !condition.contains("kms:ViaService")) {
                problems.add(e.getKey() + ": kms:Decrypt without the encryption-context or via-S3 condition");
            }
            if (actions.contains("s3:GetObject") && !st.path("Resource").toString().contains("/backups/*")) {
                problems.add(e.getKey() + ": s3:GetObject beyond backups/*: " + st.path("Resource"));
            }
        }
        JsonNode decrypt = recovery.get("RecoveryRolesDecryptBackups");
        assertEquals("taskmaster-backup", decrypt.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText(),
                "the replica envelope key decrypts only backups' data keys");
        assertEquals("taskmaster-config", recovery.get("RecoveryRolesDecryptConfigSnapshots").path("Condition").path("StringEquals")
                .path("kms:EncryptionContext:purpose").asText(), "and configuration snapshots' (issue 15), with their own purpose");
        assertNoProblems(problems);
    }
}
