/** Telling people: alerts to an SNS topic (or stderr locally) and metrics in CloudWatch Embedded Metric Format. */
package com.taskmaster.backup.alert;
