package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * What differs between two configurations, by name only, never a value (a pure function of the two snapshots):
 * {@code parameter /app/db/host}, {@code secret prod/api/db}, {@code function api} (a whole function) and
 * {@code function api: DB_PASSWORD} (one environment variable), {@code task-definition api} (a whole family),
 * {@code task-definition api: web} (a container), {@code task-definition api: web: LOG_LEVEL} (a variable) and
 * {@code task-definition api: web: secret DB_PASSWORD} (a variable read from a secret: its reference). Used for drift (previous snapshot → live) and for
 * restore's plan (live → chosen snapshot: added = to recreate, changed = to rewrite, removed = to delete if asked).
 */
public record ConfigDrift(List<String> added, List<String> removed, List<String> changed) {

    public ConfigDrift {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }

    public static ConfigDrift between(ConfigSnapshot before, ConfigSnapshot after) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        compare("parameter ", before.parameters(), after.parameters(), ConfigSnapshot.Parameter::sameContent, added, removed, changed);
        compare("secret ", before.secrets(), after.secrets(), ConfigSnapshot.Secret::sameContent, added, removed, changed);
        nested("function ", before.functions(), after.functions(), added, removed,
                (fn, b, a) -> compare(fn + ": ", b.environment(), a.environment(), String::equals, added, removed, changed));
        nested(TASK_DEFINITION, before.taskDefinitions(), after.taskDefinitions(), added, removed,
                (family, b, a) -> nested(family + ": ", b.containers(), a.containers(), added, removed, (c, bc, ac) -> {
                    compare(c + ": ", bc.environment(), ac.environment(), String::equals, added, removed, changed);
                    compare(c + ": secret ", bc.secrets(), ac.secrets(), String::equals, added, removed, changed);
                }));
        return new ConfigDrift(added, removed, changed);
    }

    static final String TASK_DEFINITION = "task-definition ";

    /** What to compare of an entry present on both sides; {@code name} is the entry's name with its kind. */
    interface Both<V> {
        void compare(String name, V before, V after);
    }

    /** Entries of a map of maps: a whole entry added or removed by name, the entries on both sides compared further. */
    static <V> void nested(String kind, java.util.Map<String, V> before, java.util.Map<String, V> after, List<String> added,
                           List<String> removed, Both<V> both) {
        for (String name : union(before.keySet(), after.keySet())) {
            V b = before.get(name);
            V a = after.get(name);
            if (b == null) {
                added.add(kind + name);
            } else if (a == null) {
                removed.add(kind + name);
            } else {
                both.compare(kind + name, b, a);
            }
        }
    }

    private static <V> void compare(String kind, SortedMap<String, V> before, SortedMap<String, V> after, BiPredicate<V, V> same,
                                    List<String> added, List<String> removed, List<String> changed) {
        for (String name : union(before.keySet(), after.keySet())) {
            V b = before.get(name);
            V a = after.get(name);
            if (b == null) {
                added.add(kind + name);
            } else if (a == null) {
                removed.add(kind + name);
            } else if (!same.test(b, a)) {
                changed.add(kind + name);
            }
        }
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    @JsonIgnore
    public boolean none() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    @JsonIgnore
    public int count() {
        return added.size() + removed.size() + changed.size();
    }

    /** For an alert: {@code added [..], changed [..], removed [..]} (names only). */
    public String describe() {
        return "added " + added + ", changed " + changed + ", removed " + removed;
    }

    static ConfigDrift empty() {
        return new ConfigDrift(List.of(), List.of(), List.of());
    }
}
