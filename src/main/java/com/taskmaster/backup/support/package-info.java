/** Small cross-cutting helpers: secret redaction, JSON, naming. */
package com.taskmaster.backup.support;
