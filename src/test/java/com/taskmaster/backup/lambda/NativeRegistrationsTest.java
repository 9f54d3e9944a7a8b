package com.taskmaster.backup.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Named;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What can be checked about the native image without GraalVM: every project type that Jackson reads or writes by
 * reflection is a {@code @RegisterForReflection} target of {@link NativeRegistrations}. A type missing there works
 * on the JVM and in every test here, and breaks only in the native executable (empty JSON, or a failed read).
 *
 * <p>Roots: the output type of every handler (the {@code @Named} {@code RequestHandler}s of this package, found by
 * scanning the compiled classes) and the documents written to or read from the repository and SNS. From each root
 * the test walks what Jackson walks: record components, bean getters, {@code @JsonValue} methods and
 * {@code @JsonCreator} parameters, including the element types of generic {@code List}/{@code Map}/{@code Optional}
 * and arrays, collecting every {@code com.taskmaster.*} type (enums included). {@code java.*} types are Jackson's
 * own business (and the JavaTimeModule's).
 *
 * <p>Besides the handlers' outputs, the roots are found in the compiled classes (so that a new document written to
 * the repository or a log is caught without anyone listing it, see {@link JacksonCallSites}): the static type of every
 * value handed to an {@code ObjectMapper}/{@code ObjectWriter} ({@code writeValue*}, {@code valueToTree},
 * {@code convertValue}), every class literal handed to one ({@code readValue(..., X.class)}, {@code treeToValue},
 * {@code readerFor}, ...), the type arguments of every {@code TypeReference}, and the same through our own methods
 * that pass an {@code Object} parameter on to Jackson ({@code Json.toString}).
 */
class NativeRegistrationsTest {
    private static final String PACKAGE = "com.taskmaster.backup.lambda";
    private static final int HANDLER_COUNT = 10; // backup, list, prune, verify, restore, restore-test, report, dr-drill, config-backup, config-restore

    /** Documents serialized outside the handlers' results (manifests, verification records, alerts, reports). */
    private static final List<Class<?>> DOCUMENTS = List.of(
            com.taskmaster.backup.format.Manifest.class,
            com.taskmaster.backup.format.ConfigManifest.class,
            com.taskmaster.backup.appconfig.ConfigSnapshot.class,
            com.taskmaster.backup.format.Verification.class,
            com.taskmaster.backup.alert.Alert.class,
            com.taskmaster.backup.restoretest.RestoreTestReport.class,
            com.taskmaster.backup.prune.PruneReport.class,
            com.taskmaster.backup.backup.BackupResult.class);

    @Test
    void everyTypeJacksonSerializesIsRegisteredForReflection() throws Exception {
        TreeMap<String, String> reachable = new TreeMap<>(); // type -> how it was reached
        Deque<Class<?>> queue = new ArrayDeque<>();
        for (Class<?> handler : handlers()) {
            Class<?> output = outputType(handler);
            reachable.putIfAbsent(output.getName(), "output of " + handler.getSimpleName());
            queue.add(output);
        }
        for (Class<?> document : DOCUMENTS) {
            reachable.putIfAbsent(document.getName(), "serialized document");
            queue.add(document);
        }
        ClassLoader loader = NativeRegistrationsTest.class.getClassLoader();
        for (var root : JacksonCallSites.scan(Path.of("target/classes"), loader).entrySet()) {
            for (Class<?> found : projectTypes(root.getKey())) {
                reachable.putIfAbsent(found.getName(), root.getValue());
                queue.add(found);
            }
        }
        Set<Class<?>> seen = new java.util.HashSet<>();
        while (!queue.isEmpty()) {
            Class<?> type = queue.poll();
            if (!seen.add(type)) {
                continue;
            }
            for (Type property : propertyTypes(type)) {
                for (Class<?> found : projectTypes(property)) {
                    reachable.putIfAbsent(found.getName(), "property of " + type.getName());
                    queue.add(found);
                }
            }
        }

        Set<String> registered = Arrays.stream(NativeRegistrations.class.getAnnotation(RegisterForReflection.class).targets())
                .map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
        List<String> missing = reachable.entrySet().stream()
                .filter(e -> !registered.contains(e.getKey()))
                .map(e -> e.getKey() + "  (" + e.getValue() + ")")
                .toList();
        System.out.println("NativeRegistrationsTest: " + reachable.size() + " project types reached by Jackson, "
                + registered.size() + " registered");
        if (!missing.isEmpty()) {
            fail("not registered in NativeRegistrations (@RegisterForReflection targets):\n  "
                    + String.join("\n  ", missing));
        }
    }

    @Test
    void theBytecodeScanFindsTheDocumentsWrittenAndReadThroughJackson() throws Exception {
        // The scan must find what is known to be handed to Jackson: the documents above (written with
        // writeValueAsBytes(this), read with readValue(json, X.class)), and VerifyResult through Json.toString.
        Set<String> found = new TreeSet<>();
        for (Type t : JacksonCallSites.scan(Path.of("target/classes"), getClass().getClassLoader()).keySet()) {
            projectTypes(t).forEach(c -> found.add(c.getName()));
        }
        for (Class<?> document : DOCUMENTS) {
            if (document != com.taskmaster.backup.backup.BackupResult.class) { // only a handler's output
                assertTrue(found.contains(document.getName()), document.getName() + " not found by the scan: " + found);
            }
        }
        assertTrue(found.contains(com.taskmaster.backup.verify.VerifyResult.class.getName()), "Json.toString's callers: " + found);
    }

    @Test
    void theHandlerScanFindsEveryHandler() throws Exception {
        Set<String> names = handlers().stream().map(c -> c.getAnnotation(Named.class).value())
                .collect(Collectors.toCollection(TreeSet::new));
        // at least these (a new handler's output is a root of the walk above without any change here)
        assertTrue(names.size() >= HANDLER_COUNT, "handlers found: " + names);
        assertTrue(names.containsAll(Set.of("backup", "list", "prune", "verify", "restore", "restore-test", "report")), names.toString());
    }

    /** The {@code @Named} RequestHandler classes of the package, from target/classes (or the sources as a fallback). */
    private static List<Class<?>> handlers() throws IOException, ClassNotFoundException {
        Path classes = Path.of("target/classes", PACKAGE.split("\\."));
        Path sources = Path.of("src/main/java", PACKAGE.split("\\."));
        Set<String> classNames = new TreeSet<>();
        if (Files.isDirectory(classes)) {
            try (Stream<Path> files = Files.list(classes)) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".class") && !n.contains("$"))
                        .forEach(n -> classNames.add(PACKAGE + "." + n.substring(0, n.length() - ".class".length())));
            }
        } else {
            try (Stream<Path> files = Files.list(sources)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (Files.readString(p).contains("@Named")) {
                        String n = p.getFileName().toString();
                        classNames.add(PACKAGE + "." + n.substring(0, n.length() - ".java".length()));
                    }
                }
            }
        }
        List<Class<?>> handlers = new java.util.ArrayList<>();
        ClassLoader loader = NativeRegistrationsTest.class.getClassLoader();
        for (String name : classNames) {
            Class<?> c = Class.forName(name, false, loader);
            if (c.isAnnotationPresent(Named.class) && RequestHandler.class.isAssignableFrom(c)) {
                handlers.add(c);
            }
        }
        assertTrue(handlers.size() >= HANDLER_COUNT, "handler scan found only " + handlers + " in " + classes);
        return handlers;
    }

    /** O of {@code RequestHandler<I, O>}, looked up along the class hierarchy. */
    private static Class<?> outputType(Class<?> handler) {
        for (Class<?> c = handler; c != null; c = c.getSuperclass()) {
            for (Type t : c.getGenericInterfaces()) {
                if (t instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    Type out = p.getActualTypeArguments()[1];
                    if (out instanceof Class<?> k) {
                        return k;
                    }
                    if (out instanceof ParameterizedType po) {
                        return (Class<?>) po.getRawType();
                    }
                    fail(handler.getName() + ": RequestHandler output type " + out + " is not a concrete class");
                }
            }
        }
        return fail(handler.getName() + " does not implement RequestHandler<I, O> directly");
    }

    /** The generic types Jackson reads or writes for a class: what its serializer and deserializer touch. */
    private static List<Type> propertyTypes(Class<?> type) {
        List<Type> types = new java.util.ArrayList<>();
        if (type.isEnum()) {
            return types;
        }
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(JsonValue.class)) {
                types.add(m.getGenericReturnType());
                return types; // serialized as that one value
            }
        }
        for (Executable creator : creators(type)) {
            types.addAll(Arrays.asList(creator.getGenericParameterTypes()));
        }
        if (type.isRecord()) {
            for (RecordComponent rc : type.getRecordComponents()) {
                types.add(rc.getGenericType());
            }
            return types;
        }
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String n = m.getName();
            boolean getter = n.startsWith("get") && n.length() > 3 && m.getReturnType() != void.class;
            boolean isser = n.startsWith("is") && n.length() > 2
                    && (m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class);
            if (getter || isser) {
                types.add(m.getGenericReturnType());
            }
        }
        return types;
    }

    private static List<Executable> creators(Class<?> type) {
        List<Executable> creators = new java.util.ArrayList<>();
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.isAnnotationPresent(JsonCreator.class)) {
                creators.add(c);
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.isAnnotationPresent(JsonCreator.class)) {
                creators.add(m);
            }
        }
        return creators;
    }

    /** Every com.taskmaster.* class mentioned by a generic type (type arguments, bounds, array components). */
    private static Set<Class<?>> projectTypes(Type type) {
        Set<Class<?>> out = new java.util.LinkedHashSet<>();
        collect(type, out, new java.util.HashSet<>());
        return out;
    }

    private static void collect(Type type, Set<Class<?>> out, Set<Type> visiting) {
        if (!visiting.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            if (c.isArray()) {
                collect(c.getComponentType(), out, visiting);
            } else if (c.getName().startsWith("com.taskmaster.")) {
                out.add(c);
            }
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), out, visiting);
            for (Type a : p.getActualTypeArguments()) {
                collect(a, out, visiting);
            }
        } else if (type instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), out, visiting);
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, out, visiting);
            }
            for (Type b : w.getLowerBounds()) {
                collect(b, out, visiting);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                collect(b, out, visiting);
            }
        }
    }
}
