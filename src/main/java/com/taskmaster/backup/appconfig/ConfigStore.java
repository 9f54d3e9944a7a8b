package com.taskmaster.backup.appconfig;

import com.taskmaster.backup.crypto.Envelope;
import com.taskmaster.backup.format.BackupId;
import com.taskmaster.backup.format.BackupReader;
import com.taskmaster.backup.format.BackupWriter;
import com.taskmaster.backup.format.ConfigManifest;
import com.taskmaster.backup.format.Layout;
import com.taskmaster.backup.repository.AppendOnlyRepository;
import com.taskmaster.backup.repository.NoSuchObjectException;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.repository.ObjectKey;
import com.taskmaster.backup.repository.ObjectWriter;
import com.taskmaster.backup.repository.ReadableRepository;
import com.taskmaster.backup.support.Json;
import com.taskmaster.backup.support.RandomIds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Configuration snapshots in a repository, under {@code config/} (FORMAT.md section 10): written like a backup (data
 * object through {@link BackupWriter}: zstd, Encryption SDK, SHA-256; then the manifest, the commit point) and read
 * back through {@link BackupReader#openData} with every check. Ids sort by time ({@code 20261202T150000Z-config-k3f9q2}).
 */
public final class ConfigStore {
    private final ReadableRepository repository;
    private final Envelope envelope;

    public ConfigStore(ReadableRepository repository, Envelope envelope) {
        this.repository = repository;
        this.envelope = envelope;
    }

    /** A new snapshot id at {@code now}. */
    public static BackupId newId(Instant now) {
        return BackupId.scheduled(now, "config-" + RandomIds.suffix(6));
    }

    /** The committed snapshots' manifests, newest first (unreadable manifests are skipped: they are not snapshots). */
    public List<ConfigManifest> list() {
        List<ConfigManifest> out = new ArrayList<>();
        for (ObjectInfo info : repository.list(Layout.CONFIG_MANIFESTS)) {
            Optional<BackupId> id = Layout.idOfConfigManifest(info.key());
            if (id.isEmpty()) {
                continue;
            }
            try {
                ConfigManifest m = ConfigManifest.fromJson(repository.read(info.key()));
                if (m.snapshotId().equals(id.get())) {
                    out.add(m);
                }
            } catch (NoSuchObjectException gone) {
                // pruned meanwhile
            } catch (IOException | IllegalArgumentException unreadable) {
                // not a snapshot until repaired
            }
        }
        out.sort(Comparator.comparing(ConfigManifest::takenAt).thenComparing(ConfigManifest::snapshotId).reversed());
        return out;
    }

    public Optional<ConfigManifest> newest() {
        return list().stream().findFirst();
    }

    /** The manifest of {@code id}; empty when there is none. */
    public Optional<ConfigManifest> find(BackupId id) {
        try {
            ConfigManifest m = ConfigManifest.fromJson(repository.read(Layout.configManifest(id)));
            return m.snapshotId().equals(id) ? Optional.of(m) : Optional.empty();
        } catch (NoSuchObjectException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("configuration snapshot " + id + ": unreadable manifest: " + e.getMessage(), e);
        }
    }

    /** The newest snapshot taken at or before {@code at}. */
    public Optional<ConfigManifest> at(Instant at) {
        return list().stream().filter(m -> !m.takenAt().isAfter(at)).findFirst();
    }

    /** Decrypts and checks a snapshot (SHA-256 and size of the stored object, encryption context, frames, zstd checksum). */
    public ConfigSnapshot read(ConfigManifest manifest) {
        String what = "configuration snapshot " + manifest.snapshotId();
        if (!envelope.unwraps(manifest.encryption().keyId())) {
            throw new IllegalStateException(what + " was encrypted under key " + manifest.encryption().keyId()
                    + ", but the configured key is " + envelope.keyId());
        }
        try (InputStream in = BackupReader.openData(repository, what, manifest.data(),
                ConfigManifest.encryptionContext(manifest.snapshotId()), envelope)) {
            ConfigSnapshot s = Json.MAPPER.readerFor(ConfigSnapshot.class)
                    .without(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE).readValue(in);
            in.transferTo(OutputStream.nullOutputStream()); // to the end: the digest and the final frame are checked there
            if (!s.snapshotId().equals(manifest.snapshotId())) {
                throw new IllegalStateException(what + " holds snapshot " + s.snapshotId());
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(what + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Writes {@code snapshot}: its data object, then its manifest (the commit point). Needs an append-only repository. */
    public ConfigManifest write(AppendOnlyRepository target, ConfigSnapshot snapshot, String cause, String requestId) {
        BackupId id = snapshot.snapshotId();
        ObjectKey dataKey = Layout.configData(id, RandomIds.suffix(8));
        BackupWriter pipeline;
        long plainBytes;
        try (ObjectWriter writer = target.create(dataKey)) {
            pipeline = BackupWriter.open(writer.stream(), envelope, ConfigManifest.encryptionContext(id));
            CountingStream counted = new CountingStream(pipeline.plain());
            try (counted) {
                Json.MAPPER.writeValue(counted, snapshot); // canonical: records in declaration order, maps sorted
            }
            plainBytes = counted.count;
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write configuration snapshot " + id + ": " + e.getMessage(), e);
        }
        ConfigManifest manifest = new ConfigManifest(ConfigManifest.FORMAT_VERSION, id, snapshot.takenAt(),
                pipeline.dataObject(dataKey, plainBytes), pipeline.compression(), pipeline.encryption(), snapshot.counts(), cause, requestId);
        target.putIfAbsent(Layout.configManifest(id), manifest.toJson());
        return manifest;
    }

    /** Counts the plain bytes; Jackson closes it (closing the pipeline finishes zstd and the encrypted message). */
    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
