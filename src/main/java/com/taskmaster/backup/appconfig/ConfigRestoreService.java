package com.taskmaster.backup.appconfig;

import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.support.InvalidRequestException;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * config-restore: compares a snapshot with the live configuration (a dry run, names only) and, when confirmed with the
 * snapshot's id, writes the snapshot's values back: new parameter versions (deleted parameters recreated), new secret
 * versions (a deleted secret created again, one scheduled for deletion restored), the functions' environments, and a new
 * revision of each ECS task definition family whose container environments differ (the services still run the old
 * revision until the operator updates them). What the snapshot lacks is deleted only with {@code deleteMissing}
 * (parameters and environment variables; secrets, functions, families and containers never).
 * A write that fails does not stop the others; the run then fails naming every one that failed.
 */
public final class ConfigRestoreService {
    private static final Logger LOG = Logger.getLogger(ConfigRestoreService.class);
    private final ConfigStore store;
    private final LiveConfig live;
    private final Clock clock;

    public ConfigRestoreService(ConfigStore store, LiveConfig live, Clock clock) {
        this.store = store;
        this.live = live;
        this.clock = clock;
    }

    public ConfigRestoreResult run(ConfigRestoreRequest request) {
        ConfigManifest manifest = choose(request);
        String id = manifest.snapshotId().value();
        if (request.confirm().isPresent() && !request.confirm().get().equals(id)) {
            throw new InvalidRequestException("'confirm' names " + request.confirm().get() + ", but the snapshot chosen is " + id
                    + ": nothing written (run the dry run again and confirm the id it shows)");
        }
        ConfigSnapshot snapshot = store.read(manifest);
        ConfigSnapshot current = live.read(manifest.snapshotId(), clock.instant());
        ConfigDrift plan = ConfigDrift.between(current, snapshot); // added: to recreate, changed: to rewrite, removed: extra live
        List<String> delete = request.deleteMissing() ? deletable(plan.removed()) : List.of();
        List<String> leftAsIs = new ArrayList<>(plan.removed());
        leftAsIs.removeAll(delete);
        boolean dryRun = request.confirm().isEmpty();
        if (!dryRun) {
            apply(snapshot, current, request.deleteMissing(), delete);
        }
        LOG.infof("config-restore %s of snapshot %s: recreate %s, rewrite %s, delete %s", dryRun ? "dry run" : "run", id,
                plan.added(), plan.changed(), delete);
        return new ConfigRestoreResult(id, dryRun, plan.added(), plan.changed(), delete, leftAsIs, dryRun ? id : null);
    }

    private ConfigManifest choose(ConfigRestoreRequest request) {
        if (request.snapshotId().isPresent()) {
            return store.find(request.snapshotId().get()).orElseThrow(() -> new InvalidRequestException(
                    "no configuration snapshot " + request.snapshotId().get() + " in the repository"));
        }
        if (request.at().isPresent()) {
            return store.at(request.at().get()).orElseThrow(() -> new InvalidRequestException(
                    "no configuration snapshot taken at or before " + request.at().get()));
        }
        return store.newest().orElseThrow(() -> new InvalidRequestException("no configuration snapshot in the repository"));
    }

    /** Secrets are never deleted by a restore (a deleted secret's value would be gone for 7 to 30 days' recovery window at most). */
    private static List<String> deletable(List<String> removed) {
        return removed.stream().filter(n -> !n.startsWith("secret ") && !(n.startsWith("function ") && !n.contains(": "))
                && !(n.startsWith(ConfigDrift.TASK_DEFINITION) && n.split(": ", -1).length < 3)).toList();
    }

    private void apply(ConfigSnapshot snapshot, ConfigSnapshot current, boolean deleteMissing, List<String> delete) {
        List<String> failed = new ArrayList<>();
        snapshot.parameters().forEach((name, p) -> {
            ConfigSnapshot.Parameter now = current.parameters().get(name);
            if (now == null || !now.sameContent(p)) {
                attempt(failed, "parameter " + name, () -> live.putParameter(name, p));
            }
        });
        for (String name : delete) {
            if (name.startsWith("parameter ")) {
                String parameter = name.substring("parameter ".length());
                attempt(failed, name, () -> live.deleteParameter(parameter));
            }
        }
        snapshot.secrets().forEach((name, s) -> {
            ConfigSnapshot.Secret now = current.secrets().get(name);
            if (now == null || !now.sameContent(s)) {
                attempt(failed, "secret " + name, () -> live.putSecret(name, s));
            }
        });
        snapshot.functions().forEach((name, f) -> {
            ConfigSnapshot.Function now = current.functions().get(name);
            if (now == null) {
                failed.add("function " + name + " (it does not exist: deploy it, then restore again)");
                return;
            }
            Map<String, String> env = new TreeMap<>(deleteMissing ? Map.of() : now.environment());
            env.putAll(f.environment());
            if (!env.equals(now.environment())) {
                attempt(failed, "function " + name, () -> live.putEnvironment(name, env));
            }
        });
        snapshot.taskDefinitions().forEach((family, td) -> {
            ConfigSnapshot.TaskDefinition now = current.taskDefinitions().get(family);
            if (now == null) {
                failed.add(ConfigDrift.TASK_DEFINITION + family + " (it has no ACTIVE revision: register one, then restore again)");
                return;
            }
            Map<String, ConfigSnapshot.Container> wanted = new TreeMap<>();
            td.containers().forEach((name, c) -> {
                ConfigSnapshot.Container running = now.containers().get(name);
                if (running == null) {
                    failed.add(ConfigDrift.TASK_DEFINITION + family + ": " + name + " (no such container in the live revision "
                            + now.revision() + ")");
                    return;
                }
                Map<String, String> env = new TreeMap<>(deleteMissing ? Map.of() : running.environment());
                env.putAll(c.environment());
                Map<String, String> refs = new TreeMap<>(deleteMissing ? Map.of() : running.secrets());
                refs.putAll(c.secrets());
                ConfigSnapshot.Container merged = new ConfigSnapshot.Container(new TreeMap<>(env), new TreeMap<>(refs));
                if (!merged.equals(running)) {
                    wanted.put(name, merged);
                }
            });
            if (!wanted.isEmpty()) {
                attempt(failed, ConfigDrift.TASK_DEFINITION + family, () -> LOG.infof("config-restore: task definition %s: new revision %s",
                        family, live.registerTaskDefinition(family, wanted)));
            }
        });
        if (!failed.isEmpty()) {
            throw new IllegalStateException("config-restore of snapshot " + snapshot.snapshotId() + " could not write " + failed
                    + "; everything else was written (run it again once the cause is fixed)");
        }
    }

    private static void attempt(List<String> failed, String name, Runnable write) {
        try {
            write.run();
        } catch (SdkException | IllegalStateException e) {
            LOG.errorf("config-restore: %s: %s", name, e.getMessage());
            failed.add(name + " (" + e.getMessage() + ")");
        }
    }
}
