/** Reading backups back: the reverse pipeline repository → SHA-256 check → decrypt → decompress → pg_dump archive. */
package com.taskmaster.backup.restore;
