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
 * zstd-jni's FFM classes are removed, classes with JNI libraries or static SecureRandoms are initialised at run
 * time, and no application class keeps a
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
    void classesWithNativeLibrariesOrStaticSecureRandomsAreInitialisedAtRunTime() throws Exception {
        // zstd-jni's and ACCP's initialisers load a JNI library: at build time into the builder, not the image;
        // the Encryption SDK keeps a SecureRandom in a static field (CiphertextHeaders.RND), and our crypto package
        // builds the SDK's AwsCrypto in Envelope's initialiser
        String args = properties().getProperty("quarkus.native.additional-build-args", "");
        Set<String> runTime = Arrays.stream(args.split("(?<!\\\\),"))
                .map(a -> a.replace("\\,", ","))
                .filter(a -> a.startsWith("--initialize-at-run-time="))
                .flatMap(a -> Arrays.stream(a.substring(a.indexOf('=') + 1).split(",")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(runTime.containsAll(Set.of("com.github.luben.zstd", "com.amazon.corretto.crypto.provider",
                        "com.amazonaws.encryptionsdk", "com.taskmaster.backup.crypto")),
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

    @Test
    void resourcesTheEncryptionSdkReadsAreInTheImage() throws Exception {
        // No Quarkus extension knows the Encryption SDK: a resource it reads by name (VersionInfo reads
        // project.properties when a KMS master key class is initialised) is in the native image only if
        // quarkus.native.resources.includes names it; missing, every KMS backup failed in the native executable
        // (ExceptionInInitializerError). The names are the string constants passed to getResource*(...).
        Set<String> read = new TreeSet<>();
        Path jar = Path.of(com.amazonaws.encryptionsdk.AwsCrypto.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry e : java.util.Collections.list(file.entries())) {
                if (e.getName().endsWith(".class")) {
                    try (InputStream in = file.getInputStream(e)) {
                        read.addAll(resourceNames(in));
                    }
                }
            }
        }
        assertTrue(read.contains("project.properties"), "the scan found no resource of the SDK: " + read);
        List<java.nio.file.PathMatcher> included = list(properties().getProperty("quarkus.native.resources.includes", ""))
                .stream().map(g -> java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        Set<String> missing = read.stream().map(n -> n.startsWith("/") ? n.substring(1) : n)
                .filter(n -> included.stream().noneMatch(m -> m.matches(Path.of(n))))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), missing, "resources the Encryption SDK reads, missing from quarkus.native.resources.includes");
    }

    /** The string constants passed directly to a getResource/getResourceAsStream/getResources call in a class file. */
    private static Set<String> resourceNames(InputStream classFile) throws java.io.IOException {
        org.objectweb.asm.tree.ClassNode node = new org.objectweb.asm.tree.ClassNode();
        new org.objectweb.asm.ClassReader(classFile).accept(node, org.objectweb.asm.ClassReader.SKIP_FRAMES);
        Set<String> names = new TreeSet<>();
        for (org.objectweb.asm.tree.MethodNode m : node.methods) {
            org.objectweb.asm.tree.AbstractInsnNode previous = null;
            for (org.objectweb.asm.tree.AbstractInsnNode insn : m.instructions) {
                if (insn instanceof org.objectweb.asm.tree.MethodInsnNode call && call.name.startsWith("getResource")
                        && previous instanceof org.objectweb.asm.tree.LdcInsnNode ldc && ldc.cst instanceof String name) {
                    names.add(name);
                }
                if (insn.getOpcode() >= 0) {
                    previous = insn;
                }
            }
        }
        return names;
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
