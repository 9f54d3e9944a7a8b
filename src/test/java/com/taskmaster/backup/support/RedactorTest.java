package com.taskmaster.backup.support;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The last line of defence against secrets in output: GIVEN registered secrets, THEN every occurrence is masked in
 * text and in every message of a scrubbed exception chain, and nothing else changes. Secrets are unique per test: the
 * registry is process-wide.
 */
class RedactorTest {
    private static String secret(String name) {
        return name + "-" + System.nanoTime();
    }

    @Test
    void everyOccurrenceOfEveryRegisteredSecretIsMasked() {
        String password = secret("pw");
        String token = secret("tok");
        Redactor.register(password);
        Redactor.register(token);
        assertEquals("********", Redactor.MASK);
        assertEquals("connect as app:" + Redactor.MASK + "@db (again " + Redactor.MASK + "), token " + Redactor.MASK,
                Redactor.redact("connect as app:" + password + "@db (again " + password + "), token " + token));
    }

    @Test
    void textWithoutSecretsAndNullAreLeftAlone() {
        Redactor.register(secret("unused"));
        assertEquals("nothing to hide here", Redactor.redact("nothing to hide here"));
        assertNull(Redactor.redact(null));
    }

    @Test
    void nullAndEmptyAreNotRegisteredButAShortPasswordIs() {
        Redactor.register(null);
        Redactor.register("");
        assertEquals("nothing", Redactor.redact("nothing"));
        Redactor.register("Q9~"); // a 3-character password is a password (unique: the registry is process-wide)
        assertEquals("before " + Redactor.MASK + " end", Redactor.redact("before Q9~ end"));
    }

    @Test
    void theUserinfoOfEveryUrlShapedValueIsMasked() {
        // BACKUP_REPOSITORY set to the database URL by mistake: nothing registered, still masked
        assertEquals("unsupported BACKUP_REPOSITORY 'postgresql://" + Redactor.MASK + "@db.example:5432/app?sslmode=require'",
                Redactor.redact("unsupported BACKUP_REPOSITORY 'postgresql://bkuser:Zq7-unregistered-91@db.example:5432/app?sslmode=require'"));
        assertEquals("postgres://" + Redactor.MASK + "@h/d and https://" + Redactor.MASK + "@x.example/",
                Redactor.redact("postgres://sp3:x9q@h/d and https://user:p@ss@x.example/"));
        // no userinfo, nothing changes
        assertEquals("s3://bucket/prefix/a@b file:///tmp/x@y mailto:ops@example.com",
                Redactor.redact("s3://bucket/prefix/a@b file:///tmp/x@y mailto:ops@example.com"));
    }

    @Test
    void aPasswordIsMaskedRawPercentEncodedAndPercentDecoded() {
        String raw = "P@s s:w/o%rd" + System.nanoTime();
        Redactor.register(raw);
        String encoded = java.net.URLEncoder.encode(raw, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        assertEquals("a " + Redactor.MASK + " b " + Redactor.MASK, Redactor.redact("a " + raw + " b " + encoded));
        String registeredEncoded = "Zr%40x%2F" + System.nanoTime(); // registered as it appeared in a URL
        Redactor.register(registeredEncoded);
        assertEquals("before " + Redactor.MASK + " / " + Redactor.MASK, Redactor.redact("before " + registeredEncoded + " / "
                + java.net.URLDecoder.decode(registeredEncoded, java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void aScrubbedChainHasEveryMessageRedactedItsClassesNamedAndStackTracesKept() {
        String password = secret("chain");
        Redactor.register(password);
        SQLException root = new SQLException("FATAL: password authentication failed for \"" + password + "\"");
        IOException middle = new IOException("dump failed: " + password, root);
        IllegalStateException top = new IllegalStateException("backup failed (" + password + ")", middle);

        Throwable scrubbed = Redactor.scrub(top);
        int depth = 0;
        for (Throwable s = scrubbed, o = top; o != null; s = s.getCause(), o = o.getCause(), depth++) {
            assertInstanceOf(Redactor.RedactedException.class, s);
            assertFalse(s.getMessage().contains(password), s.getMessage());
            assertTrue(s.getMessage().startsWith(o.getClass().getName() + ": "), s.getMessage());
            assertTrue(s.getMessage().contains(Redactor.MASK), s.getMessage());
            assertArrayEquals(o.getStackTrace(), s.getStackTrace());
        }
        assertEquals(3, depth);
        assertEquals("java.lang.IllegalStateException: backup failed (" + Redactor.MASK + ")", scrubbed.getMessage());
        assertNull(scrubbed.getCause().getCause().getCause());
        assertTrue(top.getMessage().contains(password), "the original is untouched");
    }

    @Test
    void aNullThrowableAndANullMessageAreScrubbedSafely() {
        assertNull(Redactor.scrub(null));
        Throwable scrubbed = Redactor.scrub(new NullPointerException());
        assertEquals("java.lang.NullPointerException: null", scrubbed.getMessage());
        assertNull(scrubbed.getCause());
    }
}
