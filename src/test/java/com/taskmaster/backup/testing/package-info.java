/** Real servers for tests: a PostgreSQL started by the suite (bin/pg-local) and moto_server for AWS. */
package com.taskmaster.backup.testing;
