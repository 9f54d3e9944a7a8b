package com.taskmaster.backup.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.taskmaster.backup.repository.ObjectInfo;
import com.taskmaster.backup.support.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A cache of manifests in one object ({@code manifests/index-<ms>-<suffix>.json}, docs/FORMAT.md §10), so that the
 * catalog reads one object instead of one per backup. Never the commit point: the listing of {@code manifests/} says
 * which backups exist, and an entry stands in for a manifest only when the listing shows that very object (same key,
 * size, time and, on S3, ETag) and the entry's text has the recorded size and SHA-256. A backup the index lacks is read
 * from its manifest; an entry the listing lacks is ignored. So a stale, partial or damaged index only costs reads.
 */
public record CatalogIndex(int formatVersion, Instant writtenAt, List<Entry> entries) {
    public static final int FORMAT_VERSION = 1;

    public CatalogIndex {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported catalog index format version " + formatVersion);
        }
        Objects.requireNonNull(writtenAt, "writtenAt");
        entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
    }

    /**
     * One manifest as the listing showed it when the index was written, and its exact bytes ({@code manifest}, UTF-8
     * text; {@code sha256} of those bytes, hex).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String key, long size, Instant lastModified, String etag, String sha256, String manifest) {
        public Entry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(lastModified, "lastModified");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(manifest, "manifest");
        }

        /** The entry of a listed manifest and its bytes, as {@link Catalog#writeIndex} writes it. */
        public static Entry of(ObjectInfo info, byte[] bytes) {
            return new Entry(info.key().value(), info.size(), info.lastModified(), info.etag(), sha256Hex(bytes),
                    new String(bytes, StandardCharsets.UTF_8));
        }

        /** The manifest's bytes, if this entry describes exactly the listed object and its text is intact. */
        Optional<byte[]> bytesFor(ObjectInfo listed) {
            if (size != listed.size() || !lastModified.equals(listed.lastModified()) || !Objects.equals(etag, listed.etag())) {
                return Optional.empty();
            }
            byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
            return bytes.length == size && sha256Hex(bytes).equals(sha256) ? Optional.of(bytes) : Optional.empty();
        }
    }

    /** The entries by key (the last of duplicates). */
    Map<String, Entry> byKey() {
        Map<String, Entry> map = new HashMap<>();
        entries.forEach(e -> map.put(e.key(), e));
        return map;
    }

    public static CatalogIndex fromJson(byte[] json) throws IOException {
        return Json.MAPPER.readValue(json, CatalogIndex.class);
    }

    public byte[] toJson() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
