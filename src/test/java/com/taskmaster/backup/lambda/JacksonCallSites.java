package com.taskmaster.backup.lambda;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Frame;
import org.objectweb.asm.tree.analysis.SimpleVerifier;
import org.objectweb.asm.tree.analysis.SourceInterpreter;
import org.objectweb.asm.tree.analysis.SourceValue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The types our compiled code hands to Jackson, found in the bytecode (for {@link NativeRegistrationsTest}):
 * <ul>
 *   <li>the static type of every {@code Object} argument of an {@code ObjectMapper}/{@code ObjectWriter}/
 *       {@code ObjectReader} method ({@code writeValue*}, {@code valueToTree}, {@code convertValue}, ...);</li>
 *   <li>every class literal passed as a {@code Class} argument of one ({@code readValue(json, X.class)},
 *       {@code treeToValue}, {@code readerFor}, {@code convertValue}, ...);</li>
 *   <li>the same through our own methods that pass one of their {@code Object} parameters on to such an argument
 *       ({@code Json.toString(Object)}): their call sites are scanned in turn, until nothing new is found;</li>
 *   <li>the type arguments of our {@code TypeReference} subclasses.</li>
 * </ul>
 * Not seen: a value whose static type is a JDK type ({@code List}, {@code Object}) at every step, e.g. a
 * {@code List<Entry>} written directly; such values should be wrapped in a record (as the handlers' results are).
 */
final class JacksonCallSites {
    private static final Set<String> JACKSON = Set.of("com/fasterxml/jackson/databind/ObjectMapper",
            "com/fasterxml/jackson/databind/ObjectWriter", "com/fasterxml/jackson/databind/ObjectReader");
    private static final String OBJECT = "Ljava/lang/Object;";
    private static final String CLASS = "Ljava/lang/Class;";
    private static final String PROJECT = "com/taskmaster/";

    private JacksonCallSites() {
    }

    /** Root types handed to Jackson by the classes under {@code classes}, each with where it was found. */
    static Map<java.lang.reflect.Type, String> scan(Path classes, ClassLoader loader) throws IOException, ReflectiveOperationException {
        List<ClassNode> nodes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                ClassNode node = new ClassNode();
                try (InputStream in = Files.newInputStream(f)) {
                    new ClassReader(in).accept(node, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                }
                nodes.add(node);
            }
        }
        if (nodes.isEmpty()) {
            throw new IllegalStateException("no classes under " + classes.toAbsolutePath());
        }
        Map<java.lang.reflect.Type, String> roots = new LinkedHashMap<>();
        Map<String, Set<Integer>> passThrough = new HashMap<>(); // our method "owner.name desc" -> Object params
        boolean changed = true;
        while (changed) {
            changed = false;
            for (ClassNode c : nodes) {
                for (MethodNode m : c.methods) {
                    changed |= scanMethod(c, m, loader, passThrough, roots);
                }
            }
        }
        for (ClassNode c : nodes) {
            if ("com/fasterxml/jackson/core/type/TypeReference".equals(c.superName)) {
                Class<?> ref = Class.forName(c.name.replace('/', '.'), false, loader);
                if (ref.getGenericSuperclass() instanceof ParameterizedType p) {
                    for (java.lang.reflect.Type t : p.getActualTypeArguments()) {
                        roots.putIfAbsent(t, "TypeReference " + c.name);
                    }
                }
            }
        }
        return roots;
    }

    /** Scans one method's calls; true if it found a new pass-through parameter (the scan then runs again). */
    private static boolean scanMethod(ClassNode c, MethodNode m, ClassLoader loader, Map<String, Set<Integer>> passThrough,
                                      Map<java.lang.reflect.Type, String> roots) throws ClassNotFoundException {
        if (m.instructions.size() == 0) {
            return false;
        }
        Frame<BasicValue>[] types;
        Frame<SourceValue>[] sources;
        try {
            SimpleVerifier verifier = new SimpleVerifier();
            verifier.setClassLoader(loader);
            types = new Analyzer<>(verifier).analyze(c.name, m);
            sources = new Analyzer<>(new SourceInterpreter()).analyze(c.name, m);
        } catch (AnalyzerException e) {
            throw new IllegalStateException("cannot analyse " + c.name + "." + m.name + m.desc, e);
        }
        boolean changed = false;
        String where = c.name.replace('/', '.') + "." + m.name;
        for (int i = 0; i < m.instructions.size(); i++) {
            AbstractInsnNode insn = m.instructions.get(i);
            if (!(insn instanceof MethodInsnNode call) || types[i] == null) {
                continue;
            }
            boolean jackson = JACKSON.contains(call.owner);
            Set<Integer> ours = passThrough.getOrDefault(call.owner + "." + call.name + call.desc, Set.of());
            if (!jackson && ours.isEmpty()) {
                continue;
            }
            Type[] args = Type.getArgumentTypes(call.desc);
            int first = types[i].getStackSize() - args.length;
            for (int a = 0; a < args.length; a++) {
                String desc = args[a].getDescriptor();
                if ((jackson && OBJECT.equals(desc)) || ours.contains(a)) {
                    Type value = types[i].getStack(first + a).getType();
                    Type element = value != null && value.getSort() == Type.ARRAY ? value.getElementType() : value;
                    if (element != null && element.getSort() == Type.OBJECT && element.getInternalName().startsWith(PROJECT)) {
                        roots.putIfAbsent(Class.forName(element.getClassName(), false, loader), "handed to Jackson in " + where);
                    } else {
                        // a JDK type (Object...): if it is one of this method's parameters, this method passes it on
                        for (AbstractInsnNode src : sources[i].getStack(first + a).insns) {
                            Integer param = parameterOf(m, src);
                            if (param != null && OBJECT.equals(Type.getArgumentTypes(m.desc)[param].getDescriptor())) {
                                changed |= passThrough.computeIfAbsent(c.name + "." + m.name + m.desc, k -> new HashSet<>()).add(param);
                            }
                        }
                    }
                } else if (jackson && CLASS.equals(desc)) {
                    for (AbstractInsnNode src : sources[i].getStack(first + a).insns) {
                        if (src instanceof LdcInsnNode ldc && ldc.cst instanceof Type t && t.getSort() == Type.OBJECT
                                && t.getInternalName().startsWith(PROJECT)) {
                            roots.putIfAbsent(Class.forName(t.getClassName(), false, loader), "read by Jackson in " + where);
                        }
                    }
                }
            }
        }
        return changed;
    }

    /** The index of the parameter that {@code insn} loads (an ALOAD of a parameter's slot), or null. */
    private static Integer parameterOf(MethodNode m, AbstractInsnNode insn) {
        if (!(insn instanceof VarInsnNode load) || load.getOpcode() != Opcodes.ALOAD) {
            return null;
        }
        int slot = (m.access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
        Type[] params = Type.getArgumentTypes(m.desc);
        for (int p = 0; p < params.length; p++) {
            if (slot == load.var) {
                return p;
            }
            slot += params[p].getSize();
        }
        return null;
    }
}
