package com.taskmaster.backup.lambda;

import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native-image settings of application.properties that the native build depends on, checked on the JVM (the
 * native build itself runs in the native pass of bin/test; these fail in seconds instead of after its analysis):
 * zstd-jni's FFM classes are removed, its classes are initialised at run time, and no application class keeps a
 * {@link Random} in a static field (Quarkus initialises application classes while the image is built, and
 * native-image refuses a seeded Random in the image heap).
 */
class NativeConfigTest {
    private static final String ZSTD_REMOVED = "quarkus.class-loading.removed-resources.\"com.github.luben:zstd-jni\"";

    @Test
    void everyMultiReleaseClassOfZstdJniIsRemoved() throws Exception {
        // the Java 22+ variants call libzstd through the FFM API (linkToNative), which the toolchain cannot compile
        Set<String> versioned = new TreeSet<>();
        try (JarFile jar = new JarFile(Path.of(Zstd.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.startsWith("META-INF/versions/") && name.endsWith(".class")) {
                    versioned.add(name);
                }
            }
        }
        assertFalse(versioned.isEmpty(), "zstd-jni has no multi-release classes any more: drop " + ZSTD_REMOVED);
        assertEquals(versioned, list(properties().getProperty(ZSTD_REMOVED, "")),
                ZSTD_REMOVED + " must list exactly zstd-jni's META-INF/versions classes");
    }

    @Test
    void zstdJniAndCorrettoAreInitialisedAtRunTime() throws Exception {
        // their class initialisers load a JNI library: at build time it would be loaded into the builder, not the image
        String args = properties().getProperty("quarkus.native.additional-build-args", "");
        Set<String> runTime = Arrays.stream(args.split("(?<!\\\\),"))
                .map(a -> a.replace("\\,", ","))
                .filter(a -> a.startsWith("--initialize-at-run-time="))
                .flatMap(a -> Arrays.stream(a.substring(a.indexOf('=') + 1).split(",")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(runTime.containsAll(Set.of("com.github.luben.zstd", "com.amazon.corretto.crypto.provider")),
                "initialised at run time: " + runTime);
    }

    @Test
    void noApplicationClassKeepsARandomInAStaticField() throws Exception {
        Path classes = Path.of("target/classes");
        List<String> names;
        try (Stream<Path> files = Files.walk(classes.resolve("com/taskmaster"))) {
            names = files.map(p -> classes.relativize(p).toString())
                    .filter(n -> n.endsWith(".class") && !n.endsWith("package-info.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        }
        assertTrue(names.size() > 50, "found only " + names.size() + " classes in " + classes.toAbsolutePath());
        Set<String> offenders = new TreeSet<>();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, getClass().getClassLoader());
            for (Field f : c.getDeclaredFields()) {
                Class<?> t = f.getType();
                if (Modifier.isStatic(f.getModifiers())
                        && (Random.class.isAssignableFrom(t) || SplittableRandom.class.isAssignableFrom(t))) {
                    offenders.add(name + "." + f.getName());
                }
            }
        }
        assertEquals(Set.of(), offenders, "static Random fields (create one per use, as support.RandomIds does)");
    }

    private static Set<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Properties properties() throws Exception {
        Properties p = new Properties();
        try (InputStream in = NativeConfigTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        return p;
    }
}
