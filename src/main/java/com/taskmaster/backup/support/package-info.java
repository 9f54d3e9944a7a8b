/**
 * Small cross-cutting helpers: secret redaction, JSON, the invocation's {@link com.taskmaster.backup.support.Deadline}
 * (time left, named margins, work bounded by it), random name parts, and the one exception for a malformed request.
 */
package com.taskmaster.backup.support;
