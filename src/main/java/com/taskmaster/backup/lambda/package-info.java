/**
 * The face of the house: thin Lambda handlers, one per function, chosen by name with
 * {@code QUARKUS_LAMBDA_HANDLER}. Each parses its event, calls one service and shapes the result; failures
 * are alerted and rethrown by {@link com.taskmaster.backup.lambda.Invocations}. Domain packages never import this one.
 */
package com.taskmaster.backup.lambda;
