package com.taskmaster.backup.lambda;

import com.taskmaster.backup.testing.PostgresServer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integration tests run whatever target/function.zip holds: this one checks that it is the kind the pass
 * means to test ({@code -Dfunction.kind=native} in bin/test's native pass, else the JVM package), so that a native
 * pass can never pass by testing the JVM package.
 */
class FunctionPackageIT {
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    @Test
    void theFunctionZipIsTheKindThisPassTests() throws Exception {
        Path zip = PostgresServer.repoFile("target/function.zip");
        boolean nativeExpected = "native".equals(System.getProperty("function.kind", "jvm"));
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Set<String> names = new TreeSet<>();
            file.stream().map(ZipEntry::getName).forEach(names::add);
            ZipEntry bootstrap = file.getEntry("bootstrap");
            if (nativeExpected) {
                // Lambda's custom runtime runs /var/task/bootstrap: here the native executable itself
                assertNotNull(bootstrap, "no bootstrap in " + zip + ": " + sample(names));
                byte[] magic;
                try (InputStream in = file.getInputStream(bootstrap)) {
                    magic = in.readNBytes(4);
                }
                assertArrayEquals(ELF, magic, "bootstrap is not an ELF executable: " + Arrays.toString(magic));
                assertFalse(names.stream().anyMatch(n -> n.endsWith(".jar")), "jars in a native package: " + sample(names));
            } else {
                assertTrue(bootstrap == null, "a native package where the JVM package was expected: " + sample(names));
                assertTrue(names.stream().anyMatch(n -> n.endsWith(".jar")), "no jar in " + zip + ": " + sample(names));
            }
        }
    }

    private static String sample(Set<String> names) {
        return names.size() + " entries: " + names.stream().filter(n -> !n.endsWith("/")).limit(8).toList() + "...";
    }
}
