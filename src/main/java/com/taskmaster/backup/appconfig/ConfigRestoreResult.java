package com.taskmaster.backup.appconfig;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What config-restore returns, names only: the snapshot, whether it was a dry run, what is (or was) recreated (absent
 * live), rewritten (differs live: a new version), deleted (live, not in the snapshot; only with deleteMissing), and
 * what was left as it is (live, not in the snapshot, without deleteMissing; secrets are never deleted).
 * {@code confirmWith}: the payload field a dry run needs to become real.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConfigRestoreResult(String snapshotId, boolean dryRun, List<String> recreate, List<String> rewrite,
                                  List<String> delete, List<String> leftAsIs, String confirmWith) {
    public ConfigRestoreResult {
        recreate = List.copyOf(recreate);
        rewrite = List.copyOf(rewrite);
        delete = List.copyOf(delete);
        leftAsIs = List.copyOf(leftAsIs);
    }
}
