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

import static com.taskmaster.backup.infra.TemplateReader.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys and buckets: the envelope key is multi-Region, rotated and out of reach of list and prune; the
 * buckets are versioned, encrypted, private and TLS-only; the backup bucket has its own key and replicates.
 */
class KeysAndBucketsTemplateTest {
    @BeforeAll
    static void load() throws IOException {
        TemplateReader.load();
    }

    @Test
    void envelopeKeyIsMultiRegionRotatedAndNotUsableByListOrPrune() {
        JsonNode key = template.path("Resources").path("BackupKey");
        assertEquals("AWS::KMS::Key", key.path("Type").asText());
        assertTrue(key.path("Properties").path("MultiRegion").asBoolean(), "BackupKey MultiRegion");
        assertTrue(key.path("Properties").path("EnableKeyRotation").asBoolean(), "BackupKey EnableKeyRotation");
        assertEquals("Retain", key.path("DeletionPolicy").asText(), "BackupKey DeletionPolicy");

        String backupRole = getAttArnTarget(function("backup").path("Properties").path("Role"));
        Map<String, String> noAccessRoles = new LinkedHashMap<>(); // role id -> function id
        for (String fn : functions().keySet()) {
            if (NO_ENVELOPE_KEY_HANDLERS.contains(handlerOf(fn))) {
                noAccessRoles.put(getAttArnTarget(function(fn).path("Properties").path("Role")), fn);
            }
        }
        assertEquals(NO_ENVELOPE_KEY_HANDLERS.size(), noAccessRoles.size(),
                "expected a function with its own role for each of " + NO_ENVELOPE_KEY_HANDLERS);
        List<String> problems = new ArrayList<>();
        boolean contextConditionSeen = false;
        for (JsonNode st : statements(key.path("Properties").path("KeyPolicy"))) {
            Set<String> actions = actionsOf(st);
            String principalRole = getAttArnTarget(st.path("Principal").path("AWS"));
            boolean usesKey = actions.stream().anyMatch(a -> a.matches("kms:(Encrypt|Decrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant|\\*)"));
            if (principalRole != null && noAccessRoles.containsKey(principalRole)) {
                problems.add(noAccessRoles.get(principalRole) + "'s role must have no access to BackupKey: " + st);
            }
            if (usesKey && principalRole == null) {
                problems.add("BackupKey use must be granted to named roles only (administrators manage, not use): " + st);
            }
            if (backupRole.equals(principalRole) && actions.contains("kms:GenerateDataKey")) {
                contextConditionSeen |= "taskmaster-backup".equals(
                        st.path("Condition").path("StringEquals").path("kms:EncryptionContext:purpose").asText());
            }
        }
        assertTrue(contextConditionSeen,
                "BackupKey: the backup role's GenerateDataKey must require kms:EncryptionContext:purpose=taskmaster-backup");
        for (var e : noAccessRoles.entrySet()) {
            for (JsonNode st : statementsOfRole(e.getKey())) {
                if (st.toString().contains("\"BackupKey\"")) {
                    problems.add(e.getValue() + "'s role references BackupKey: " + st);
                }
            }
        }
        assertNoProblems(problems);
    }


    @Test
    void bucketsAreVersionedEncryptedPrivateAndTlsOnly() {
        List<String> problems = new ArrayList<>();
        int buckets = 0;
        for (var t : allTemplates.entrySet()) {
            Map<String, JsonNode> res = resources(t.getValue());
            for (var r : res.entrySet()) {
                if (!"AWS::S3::Bucket".equals(r.getValue().path("Type").asText())) {
                    continue;
                }
                buckets++;
                String where = t.getKey() + " " + r.getKey();
                JsonNode p = r.getValue().path("Properties");
                if (!"Enabled".equals(p.path("VersioningConfiguration").path("Status").asText())) {
                    problems.add(where + ": versioning not Enabled");
                }
                JsonNode sse = p.path("BucketEncryption").path("ServerSideEncryptionConfiguration");
                if (!sse.isArray() || sse.isEmpty()
                        || !Set.of("aws:kms", "AES256", "aws:kms:dsse").contains(
                                sse.path(0).path("ServerSideEncryptionByDefault").path("SSEAlgorithm").asText())) {
                    problems.add(where + ": default encryption not set");
                }
                JsonNode pab = p.path("PublicAccessBlockConfiguration");
                for (String f : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
                    if (!isTrue(pab.path(f))) {
                        problems.add(where + ": PublicAccessBlockConfiguration." + f + " is not true");
                    }
                }
                if (!"BucketOwnerEnforced".equals(p.path("OwnershipControls").path("Rules").path(0).path("ObjectOwnership").asText())) {
                    problems.add(where + ": ObjectOwnership must be BucketOwnerEnforced");
                }
                if (!hasTlsOnlyPolicy(res, r.getKey())) {
                    problems.add(where + ": no bucket policy denying aws:SecureTransport=false");
                }
            }
        }
        assertTrue(buckets >= 2, "expected the backup bucket and the replica bucket");
        assertNoProblems(problems);
    }

    @Test
    void backupBucketUsesItsOwnKmsKeyAndReplicates() {
        JsonNode p = template.path("Resources").path("BackupBucket").path("Properties");
        JsonNode sse = p.path("BucketEncryption").path("ServerSideEncryptionConfiguration").path(0);
        assertEquals("aws:kms", sse.path("ServerSideEncryptionByDefault").path("SSEAlgorithm").asText());
        assertTrue(isGetAttArn(sse.path("ServerSideEncryptionByDefault").path("KMSMasterKeyID"), "BucketKey"),
                "BackupBucket SSE-KMS key must be BucketKey");
        assertTrue(isTrue(sse.path("BucketKeyEnabled")), "BucketKeyEnabled");

        JsonNode repl = p.path("ReplicationConfiguration").path("Fn::If");
        assertEquals("HasReplication", repl.path(0).asText(), "replication is conditional on HasReplication");
        JsonNode rule = repl.path(1).path("Rules").path(0);
        assertEquals("Disabled", rule.path("DeleteMarkerReplication").path("Status").asText());
        assertEquals("Enabled", rule.path("SourceSelectionCriteria").path("SseKmsEncryptedObjects").path("Status").asText());
        JsonNode dest = rule.path("Destination");
        assertTrue(isRef(dest.path("EncryptionConfiguration").path("ReplicaKmsKeyID"), "ReplicaKmsKeyArn"));
        assertEquals(15, dest.path("ReplicationTime").path("Time").path("Minutes").asInt());
        assertEquals("Enabled", dest.path("Metrics").path("Status").asText());

        // Replication alarms use the same rule id.
        String ruleId = rule.path("Id").asText();
        for (String alarm : List.of("ReplicationFailedAlarm", "ReplicationLatencyAlarm")) {
            boolean found = false;
            for (JsonNode d : template.path("Resources").path(alarm).path("Properties").path("Dimensions")) {
                found |= "RuleId".equals(d.path("Name").asText()) && ruleId.equals(d.path("Value").asText());
            }
            assertTrue(found, alarm + " must use dimension RuleId=" + ruleId);
        }
    }
}
