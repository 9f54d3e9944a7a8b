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
    void nullAndSecretsShorterThanFourCharactersAreNotRegistered() {
        Redactor.register(null);
        Redactor.register("abc"); // would mask every "abc" in every message: too short to be a credential worth hiding
        assertEquals("abc abcd", Redactor.redact("abc abcd"));
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
