package com.taskmaster.backup.format;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.postgres.TableFingerprint;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The commit point of a backup (JSON at {@code manifests/<backupId>.json}): written last, only once the
 * data object is complete, and everything else trusts manifests only. docs/FORMAT.md documents each field.
 * {@code tables} holds each table's row count (what manifests written before content fingerprints hold, and what
 * verify's anomaly checks read); {@code fingerprints}, absent from those older manifests, each table's content digest;
 * {@code roles}, absent from manifests written before roles were captured, the roles object ({@link Roles}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        int formatVersion,
        BackupId backupId,
        Database database,
        String pgDumpVersion,
        Instant startedAt,
        Instant finishedAt,
        DataObject data,
        Compression compression,
        Encryption encryption,
        List<TableFingerprint> tables,
        String label,
        String reason,
        Trigger trigger,
        String requestId,
        ContentFingerprints fingerprints,
        Roles roles) {

    public static final int FORMAT_VERSION = 1;

    public Manifest {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported manifest format version " + formatVersion);
        }
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(encryption, "encryption");
        Objects.requireNonNull(trigger, "trigger");
        tables = List.copyOf(Objects.requireNonNull(tables, "tables"));
    }

    /** A manifest without content fingerprints (written before them, or by tests of what does not read them). */
    public Manifest(int formatVersion, BackupId backupId, Database database, String pgDumpVersion, Instant startedAt,
                    Instant finishedAt, DataObject data, Compression compression, Encryption encryption,
                    List<TableFingerprint> tables, String label, String reason, Trigger trigger, String requestId) {
        this(formatVersion, backupId, database, pgDumpVersion, startedAt, finishedAt, data, compression, encryption, tables,
                label, reason, trigger, requestId, null, null);
    }

    /** A manifest without a roles object (written before roles were captured). */
    public Manifest(int formatVersion, BackupId backupId, Database database, String pgDumpVersion, Instant startedAt,
                    Instant finishedAt, DataObject data, Compression compression, Encryption encryption,
                    List<TableFingerprint> tables, String label, String reason, Trigger trigger, String requestId,
                    ContentFingerprints fingerprints) {
        this(formatVersion, backupId, database, pgDumpVersion, startedAt, finishedAt, data, compression, encryption, tables,
                label, reason, trigger, requestId, fingerprints, null);
    }

    /**
     * Every object this manifest commits besides itself, in a fixed order: the data object, then the roles object when
     * the manifest has one (older manifests: the data object alone). The one enumeration of a backup's objects: what
     * verify's replica check compares, what prune reads Object Lock from and deletes, what its leftover scan counts as
     * referenced, what the drill needs in the replica. A future section that commits an object adds it here.
     */
    @JsonIgnore
    public List<Committed> committedObjects() {
        List<Committed> out = new ArrayList<>(2);
        out.add(new Committed(Committed.DATA, data));
        if (roles != null) {
            out.add(new Committed(Committed.ROLES, roles.object()));
        }
        return List.copyOf(out);
    }

    /** One object a manifest commits: {@code kind} ({@link #DATA}, {@link #ROLES}) names it in messages. */
    public record Committed(String kind, DataObject object) {
        public static final String DATA = "data";
        public static final String ROLES = "roles";

        public Committed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(object, "object");
        }

        /** {@code "data object"}, {@code "roles object"}: for messages. */
        public String describe() {
            return kind + " object";
        }
    }

    /**
     * The roles captured with the backup (docs/FORMAT.md): {@code object}, SQL that recreates the source server's roles
     * and memberships without passwords, stored like the data (zstd, the same envelope and encryption context) and
     * described like it; {@code capturedBy}, what produced it ({@link #PG_DUMPALL}, or {@link #CATALOG} when pg_dumpall
     * failed); {@code referenced}, the role names the archive names (owners, grantees, policy roles), sorted.
     */
    public record Roles(DataObject object, String capturedBy, List<String> referenced) {
        public static final String PG_DUMPALL = "pg_dumpall --globals-only --no-role-passwords";
        public static final String CATALOG = "pg_roles and pg_auth_members (roles and memberships only)";

        public Roles {
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(capturedBy, "capturedBy");
            referenced = List.copyOf(Objects.requireNonNull(referenced, "referenced"));
        }
    }

    /**
     * The database backed up: name and server, never credentials; {@code systemIdentifier}, the cluster's
     * {@code pg_control_system()} identifier, when it was readable (absent in manifests written before it was recorded).
     */
    public record Database(String name, String host, int port, String serverVersion, String systemIdentifier) {
        public Database(String name, String host, int port, String serverVersion) {
            this(name, host, port, serverVersion, null);
        }

        /**
         * Whether both are backups of the same source database: the same name, on the same cluster (system identifier:
         * a replica promoted elsewhere keeps it) or the same server (host and port: a cluster upgraded in place with
         * pg_upgrade gets a new identifier). {@link Sources} groups backups by this.
         */
        public boolean sameSourceAs(Database o) {
            return name.equals(o.name) && (systemIdentifier != null && systemIdentifier.equals(o.systemIdentifier)
                    || host != null && host.equalsIgnoreCase(o.host) && port == o.port);
        }

        /** {@code name on host:port} and the system identifier when known: for messages. */
        public String describe() {
            return name + " on " + host + ":" + port + (systemIdentifier == null ? "" : " (system identifier " + systemIdentifier + ")");
        }
    }

    /** The stored object: repository key, sizes before compression and as stored, SHA-256 (hex) of the stored bytes. */
    public record DataObject(String key, long plainBytes, long storedBytes, String sha256) {
        public DataObject {
            Objects.requireNonNull(key, "key");
            if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits");
            }
        }
    }

    /** {@code zstd}, level. The plain stream is a pg_dump custom-format archive written with {@code --compress=0}. */
    public record Compression(String algorithm, int level) {
    }

    /**
     * AWS Encryption SDK message: algorithm suite, frame size, the wrapping key (provider {@code aws-kms} and a key
     * ARN, or the local provider and key name) and the encryption context, which must match on decryption.
     */
    public record Encryption(String format, String algorithm, int frameSize, String keyProvider, String keyId,
                             Map<String, String> encryptionContext) {
        public Encryption {
            encryptionContext = Map.copyOf(encryptionContext);
        }
    }

    public byte[] toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize manifest " + backupId, e);
        }
    }

    public static Manifest fromJson(byte[] json) throws IOException {
        return Json.MAPPER.readValue(json, Manifest.class);
    }
}
