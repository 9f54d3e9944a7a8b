package com.taskmaster.backup.support;

import java.security.SecureRandom;

/**
 * The random parts of names: a manual backup's id, a prune run's id, a scratch database's name, a verification
 * record's key. Unpredictable, so that no caller can guess (and pre-empt) a name another run will use.
 *
 * <p>A new {@link SecureRandom} per call, never one in a static field: a native image initialises application
 * classes at build time, and a SecureRandom seeded then would sit in the image heap (the native build refuses it).
 * Names are made a few times per invocation, so the cost does not matter.
 */
public final class RandomIds {
    /** Lower-case letters and digits without the look-alikes 0/o, 1/l. */
    public static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private RandomIds() {
    }

    /** {@code length} characters of {@link #ALPHABET}. */
    public static String suffix(int length) {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** A number in [0, bound). */
    public static int below(int bound) {
        return new SecureRandom().nextInt(bound);
    }
}
