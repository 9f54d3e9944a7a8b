/** The catalog: which backups exist, read from their manifests (and nothing else). */
package com.taskmaster.backup.catalog;
