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
 * {@code function api: DB_PASSWORD} (one environment variable). Used for drift (previous snapshot → live) and for
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
        for (String fn : union(before.functions().keySet(), after.functions().keySet())) {
            ConfigSnapshot.Function b = before.functions().get(fn);
            ConfigSnapshot.Function a = after.functions().get(fn);
            if (b == null) {
                added.add("function " + fn);
            } else if (a == null) {
                removed.add("function " + fn);
            } else {
                compare("function " + fn + ": ", b.environment(), a.environment(), String::equals, added, removed, changed);
            }
        }
        return new ConfigDrift(added, removed, changed);
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

    private static Set<String> union(Set<String> a, Set<String> b) {
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
