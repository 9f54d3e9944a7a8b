/**
 * Where backups live: one {@link com.taskmaster.backup.repository.Repository} contract with two
 * implementations, {@code s3://bucket/prefix} and {@code file:///path}, checked by one shared test
 * suite. Objects become visible only when complete, and never overwrite one another.
 */
package com.taskmaster.backup.repository;
