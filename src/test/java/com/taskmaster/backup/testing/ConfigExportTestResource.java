package com.taskmaster.backup.testing;

/** {@link ConfigBackupTestResource}'s setting, as the deployed config-export function. */
public class ConfigExportTestResource extends ConfigBackupTestResource {
    @Override
    protected String handler() {
        return "config-export";
    }
}
