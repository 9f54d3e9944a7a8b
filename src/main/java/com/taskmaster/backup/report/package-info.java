/**
 * The recovery-readiness report: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched)
 * that shows people whether recovery is ready. {@link com.taskmaster.backup.report.ReadinessInput} is the report's
 * own model of the history (backups, verifications, restore tests, prune runs, replica, storage, settings);
 * {@link com.taskmaster.backup.report.Readiness#assess} turns it into checks, schedule adherence and a capacity
 * {@link com.taskmaster.backup.report.Forecast} (what a handler alerts on), and
 * {@link com.taskmaster.backup.report.ReadinessPage#render} into the page. All of it is pure: the time is an argument.
 */
package com.taskmaster.backup.report;
