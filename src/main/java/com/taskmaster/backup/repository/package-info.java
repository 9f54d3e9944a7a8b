/**
 * Where backups live: one {@link com.taskmaster.backup.repository.Repository} contract with two
 * implementations, {@code s3://bucket/prefix} and {@code file:///path}, checked by one shared test
 * suite. Objects become visible only when complete, and never overwrite one another. Who may do what is a type:
 * {@link com.taskmaster.backup.repository.ReadableRepository} reads,
 * {@link com.taskmaster.backup.repository.AppendOnlyRepository} also adds objects, and only the full
 * {@code Repository} (prune's) deletes; {@link com.taskmaster.backup.repository.Repositories} opens one and makes
 * the narrower views.
 */
package com.taskmaster.backup.repository;
