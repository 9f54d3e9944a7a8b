package com.taskmaster.backup.lambda;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types that Jackson reads or writes by reflection (events, results, manifests, alerts): a native image
 * keeps their constructors and accessors only when they are registered.
 */
@RegisterForReflection(targets = {
        com.taskmaster.backup.format.Manifest.class,
        com.taskmaster.backup.format.Manifest.Database.class,
        com.taskmaster.backup.format.Manifest.DataObject.class,
        com.taskmaster.backup.format.Manifest.Compression.class,
        com.taskmaster.backup.format.Manifest.Encryption.class,
        com.taskmaster.backup.format.Manifest.Roles.class,
        com.taskmaster.backup.format.ContentFingerprints.class,
        com.taskmaster.backup.pgarchive.TextForm.class,
        com.taskmaster.backup.pgarchive.SessionSettings.class,
        com.taskmaster.backup.pgarchive.TableDigest.class,
        com.taskmaster.backup.pgarchive.LargeObjectsDigest.class,
        com.taskmaster.backup.pgarchive.SequenceValue.class,
        com.taskmaster.backup.format.BackupId.class,
        com.taskmaster.backup.format.Trigger.class,
        com.taskmaster.backup.backup.BackupResult.class,
        com.taskmaster.backup.postgres.TableFingerprint.class,
        com.taskmaster.backup.alert.Alert.class,
        com.taskmaster.backup.lambda.ListResult.Entry.class,
        com.taskmaster.backup.lambda.ListResult.class,
        com.taskmaster.backup.lambda.ListResult.ConfigEntry.class,
        com.taskmaster.backup.prune.PruneReport.class,
        com.taskmaster.backup.prune.PruneReport.Entry.class,
        com.taskmaster.backup.prune.PruneReport.Leftovers.class,
        com.taskmaster.backup.prune.PruneReport.Leftover.class,
        com.taskmaster.backup.prune.PruneReport.ConfigSnapshots.class,
        com.taskmaster.backup.format.Verification.class,
        com.taskmaster.backup.format.Verification.Outcome.class,
        com.taskmaster.backup.restore.RestoreResult.class,
        com.taskmaster.backup.restore.RestoreResult.Swap.class,
        com.taskmaster.backup.restore.RestoreResult.Session.class,
        com.taskmaster.backup.restoretest.RestoreTestReport.class,
        com.taskmaster.backup.drdrill.DrDrillReport.class,
        com.taskmaster.backup.format.SmokeQueries.Outcome.class,
        com.taskmaster.backup.restore.RestoreResult.PointInTime.class,
        com.taskmaster.backup.format.DatabaseRestore.Roles.class,
        com.taskmaster.backup.format.DatabaseRestore.TableProof.class,
        com.taskmaster.backup.verify.VerifyResult.class,
        com.taskmaster.backup.verify.VerifyResult.Checked.class,
        com.taskmaster.backup.verify.VerifyResult.Freshness.class,
        com.taskmaster.backup.verify.VerifyResult.Backlog.class,
        com.taskmaster.backup.report.ReportResult.class,
        com.taskmaster.backup.format.CatalogIndex.class,
        com.taskmaster.backup.format.CatalogIndex.Entry.class,
        com.taskmaster.backup.format.ConfigManifest.class,
        com.taskmaster.backup.format.ConfigManifest.Counts.class,
        com.taskmaster.backup.appconfig.ConfigSnapshot.class,
        com.taskmaster.backup.appconfig.ConfigSnapshot.Parameter.class,
        com.taskmaster.backup.appconfig.ConfigSnapshot.Secret.class,
        com.taskmaster.backup.appconfig.ConfigSnapshot.Function.class,
        com.taskmaster.backup.appconfig.ConfigSnapshot.TaskDefinition.class,
        com.taskmaster.backup.appconfig.ConfigSnapshot.Container.class,
        com.taskmaster.backup.appconfig.ConfigDrift.class,
        com.taskmaster.backup.appconfig.ConfigBackupResult.class,
        com.taskmaster.backup.appconfig.ConfigRestoreResult.class,
        com.taskmaster.backup.appconfig.ConfigExport.Result.class,
        com.taskmaster.backup.appconfig.ConfigExport.Document.class,
        com.taskmaster.backup.appconfig.ConfigExport.Parameter.class,
        com.taskmaster.backup.appconfig.ConfigExport.Function.class,
        com.taskmaster.backup.appconfig.ConfigExport.TaskDefinition.class,
        com.taskmaster.backup.appconfig.ConfigExport.Container.class,
})
public final class NativeRegistrations {
    private NativeRegistrations() {
    }
}
