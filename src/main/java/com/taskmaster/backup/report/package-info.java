/**
 * The recovery-readiness report: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched)
 * that shows people whether recovery is ready. {@link com.taskmaster.backup.report.ReadinessInput} is the report's
 * own model of the history (backups, verifications, restore tests, prune runs, replica, storage, settings);
 * {@link com.taskmaster.backup.report.Readiness#assess} turns it into checks, schedule adherence and a capacity
 * {@link com.taskmaster.backup.report.Forecast} (what a handler alerts on), and
 * {@link com.taskmaster.backup.report.ReadinessPage#render} into the page. All of that is pure: the time is an argument.
 * The command around it: {@link com.taskmaster.backup.report.ReadinessInputs} reads a repository (format core: manifests,
 * verification records; restore-test reports and prune audit records as JSON) into the input, and
 * {@link com.taskmaster.backup.report.ReportService} writes the page under {@code reports/readiness/}, the only place
 * its {@link com.taskmaster.backup.repository.PublishingRepository} may write.
 */
package com.taskmaster.backup.report;
