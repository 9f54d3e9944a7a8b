package com.taskmaster.backup.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What can be checked of the native image's JNI registrations without GraalVM: every zstd-jni class that
 * declares native methods is registered in META-INF/native-image/.../jni-config.json.
 */
class JniRegistrationsTest {
    @Test
    void everyZstdJniClassWithNativeMethodsIsRegistered() throws Exception {
        Set<String> registered = new HashSet<>();
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/native-image/com.taskmaster/taskmaster-backup/jni-config.json")) {
            for (JsonNode entry : new ObjectMapper().readTree(in)) {
                registered.add(entry.get("name").asText());
            }
        }
        URL jar = Zstd.class.getProtectionDomain().getCodeSource().getLocation();
        Set<String> missing = new TreeSet<>();
        try (JarFile file = new JarFile(jar.getPath())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!name.startsWith("com/github/luben/zstd/") || !name.endsWith(".class") || name.contains("META-INF")) {
                    continue;
                }
                String className = name.substring(0, name.length() - 6).replace('/', '.');
                Class<?> c;
                try {
                    c = Class.forName(className, false, Zstd.class.getClassLoader());
                } catch (Throwable e) {
                    continue; // classes for other Java versions
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (Modifier.isNative(m.getModifiers()) && !registered.contains(className)) {
                        missing.add(className);
                    }
                }
            }
        }
        assertEquals(Set.of(), missing, "zstd-jni classes with native methods missing from jni-config.json");
    }
}
