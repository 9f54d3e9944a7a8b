package com.taskmaster.backup.testing;

/** {@link ConfigBackupTestResource}'s setting, as the deployed config-restore function. */
public class ConfigRestoreTestResource extends ConfigBackupTestResource {
    @Override
    protected String handler() {
        return "config-restore";
    }
}
