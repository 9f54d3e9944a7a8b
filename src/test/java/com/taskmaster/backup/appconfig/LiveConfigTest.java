package com.taskmaster.backup.appconfig;

import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.support.Redactor;
import com.taskmaster.backup.testing.MotoServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** LiveConfig against moto with the real SDK clients: what it registers with the Redactor, and its task definition parts. */
class LiveConfigTest {

    /** A random lowercase text of {@code n} letters: appears nowhere else, so registering it masks nothing else. */
    private static String unique(int n) {
        Random r = new Random();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    @Test
    void shortConfigurationValuesAreNotRegisteredWithTheRedactorLongOnesAre() {
        MotoServer moto = MotoServer.get();
        String path = "/tmb-" + UUID.randomUUID().toString().substring(0, 8);
        String shortSecure = unique(LiveConfig.MIN_REGISTERED_LENGTH - 1); // like "on", "5432", "true": masked everything
        String longSecure = unique(24);
        String shortField = unique(5);
        String longField = unique(20);
        String secret = "tmb/" + UUID.randomUUID().toString().substring(0, 8);
        moto.ssm().putParameter(b -> b.name(path + "/flag").value(shortSecure).type(ParameterType.SECURE_STRING));
        moto.ssm().putParameter(b -> b.name(path + "/password").value(longSecure).type(ParameterType.SECURE_STRING));
        moto.secrets().createSecret(b -> b.name(secret).secretString("{\"port\":\"" + shortField + "\",\"password\":\"" + longField + "\"}"));

        ConfigSnapshot s = new LiveConfig(moto::ssm, moto::secrets, moto::lambda, moto::ecs,
                new LiveConfig.Scope(List.of(path), List.of(secret), null, List.of())).read(BackupId.parse("20261202T150000Z-config-abcdef"), Instant.now());
        assertEquals(shortSecure, s.parameters().get(path + "/flag").value(), "read all the same");

        assertEquals("flag " + shortSecure + " port " + shortField, Redactor.redact("flag " + shortSecure + " port " + shortField),
                "short values are not registered: they would mask the same characters in every unrelated message");
        assertEquals("password " + Redactor.MASK + " " + Redactor.MASK, Redactor.redact("password " + longSecure + " " + longField));
    }

    @Test
    void aTaskDefinitionEntryNamesItsFamily() {
        assertEquals("taskmaster-api", LiveConfig.family("taskmaster-api"));
        assertEquals("taskmaster-api", LiveConfig.family("taskmaster-api:7"));
        assertEquals("taskmaster-api", LiveConfig.family("arn:aws:ecs:eu-west-1:123456789012:task-definition/taskmaster-api:7"));
        assertEquals(List.of("api", "worker"), new LiveConfig.Scope(List.of(), List.of(), null, List.of(), List.of("api:3", " worker", "api"))
                .taskDefinitions());
        for (String bad : List.of("api/web", ":3", "arn:aws:ecs:eu-west-1:123456789012:service/x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LiveConfig.family(bad), bad);
            assertEquals(true, e.getMessage().startsWith("CONFIG_TASK_DEFINITIONS"), e.getMessage());
        }
    }

    /**
     * Restore's new revision carries over what the description has, by SDK member name: every member of the request
     * is found in the description except the tags, which DescribeTaskDefinition returns beside it (and restore copies).
     * A later SDK whose request gains a member under another name than the description's fails here.
     */
    @Test
    void everyRegisterTaskDefinitionMemberButTheTagsIsCarriedOverFromTheDescription() {
        Set<String> described = TaskDefinition.builder().build().sdkFields().stream().map(SdkField::memberName).collect(Collectors.toSet());
        Set<String> missing = RegisterTaskDefinitionRequest.builder().sdkFields().stream().map(SdkField::memberName)
                .filter(m -> !described.contains(m)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("tags"), missing);
        TaskDefinition td = TaskDefinition.builder().family("api").cpu("256").memory("512").taskRoleArn("arn:aws:iam::1:role/t")
                .networkMode("awsvpc").pidMode("task").revision(4).status("ACTIVE").build();
        RegisterTaskDefinitionRequest r = LiveConfig.copyOf(td).build();
        assertEquals(RegisterTaskDefinitionRequest.builder().family("api").cpu("256").memory("512").taskRoleArn("arn:aws:iam::1:role/t")
                .networkMode("awsvpc").pidMode("task").build(), r, "unset lists stay unset; revision and status are not request members");
    }
}
