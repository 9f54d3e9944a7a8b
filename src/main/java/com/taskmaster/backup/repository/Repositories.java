package com.taskmaster.backup.repository;

import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Opens a repository from its URI: {@code s3://bucket[/prefix]} or {@code file:///absolute/path}. */
public final class Repositories {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private Repositories() {
    }

    /**
     * A view of {@code repository} that can only read: it implements no wider type, so a command handed it cannot
     * cast its way to writing or deleting.
     */
    public static ReadableRepository readOnly(ReadableRepository repository) {
        return new ForwardingReadableRepository(repository);
    }

    /** A view of {@code repository} that can read and add objects, never delete one (it implements no wider type). */
    public static AppendOnlyRepository appendOnly(AppendOnlyRepository repository) {
        return new AppendView(repository);
    }

    /**
     * A view of {@code repository} that reads everything and writes only under {@code prefix} (a key prefix ending in
     * '/'), replacing what is there: the report command's. It implements no wider type.
     */
    public static PublishingRepository publishingUnder(Repository repository, String prefix) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a publishing prefix ends with '/': " + prefix);
        }
        ObjectKey.of(prefix + "x");
        return new PublishView(repository, prefix);
    }

    private static final java.util.regex.Pattern NAMESPACE = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final java.util.Set<String> RESERVED = java.util.Set.of("manifests", "data", "verifications", "reports", "audit", "config");

    /**
     * The repository URI of a namespace ({@code BACKUP_NAMESPACE}): {@code s3://bucket/prefix/<namespace>} or
     * {@code file:///path/<namespace>}, a repository of its own (for another database) beside the unprefixed one,
     * which never lists it (its keys are outside {@code manifests/}, {@code data/}, ...). Blank or absent: {@code uri}.
     */
    public static String withNamespace(String uri, java.util.Optional<String> namespace) {
        if (uri == null || namespace.isEmpty() || namespace.get().isBlank()) {
            return uri;
        }
        String ns = namespace.get().trim();
        if (!NAMESPACE.matcher(ns).matches() || RESERVED.contains(ns)) {
            throw new IllegalArgumentException("invalid BACKUP_NAMESPACE '" + ns + "': lower-case letters, digits and '-',"
                    + " at most 63, not one of " + new java.util.TreeSet<>(RESERVED));
        }
        return (uri.endsWith("/") ? uri : uri + "/") + ns;
    }

    public static Repository open(String uri, Supplier<S3Client> s3) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("BACKUP_REPOSITORY is not set: expected s3://bucket/prefix or file:///path");
        }
        if (uri.startsWith("s3://")) {
            String rest = uri.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            while (prefix.endsWith("/")) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
            if (!BUCKET.matcher(bucket).matches()) {
                throw new IllegalArgumentException("invalid bucket name in BACKUP_REPOSITORY '" + uri + "'");
            }
            try {
                if (!prefix.isEmpty()) {
                    ObjectKey.of(prefix);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid prefix in BACKUP_REPOSITORY '" + uri + "': " + e.getMessage());
            }
            return new S3Repository(s3.get(), bucket, prefix, 0);
        }
        if (uri.startsWith("file:")) {
            URI parsed = URI.create(uri);
            if (parsed.getPath() == null || !parsed.getPath().startsWith("/")
                    || (parsed.getAuthority() != null && !parsed.getAuthority().isEmpty())) {
                throw new IllegalArgumentException("invalid BACKUP_REPOSITORY '" + uri + "': expected file:///absolute/path");
            }
            return new FileRepository(Path.of(parsed.getPath()));
        }
        throw new IllegalArgumentException("unsupported BACKUP_REPOSITORY '" + uri + "': expected s3://bucket/prefix or file:///path");
    }

    /** The append-only view; a size hint (S3 part sizing) reaches the repository behind it and keeps the view. */
    private static final class AppendView extends ForwardingAppendOnlyRepository {
        private final AppendOnlyRepository inner;

        AppendView(AppendOnlyRepository inner) {
            super(inner);
            this.inner = inner;
        }

        @Override
        public AppendOnlyRepository withSizeHint(long expectedObjectBytes) {
            return new AppendView(inner.withSizeHint(expectedObjectBytes));
        }
    }

    /** Reads through, writes (replacing) under one prefix only. */
    private static final class PublishView extends ForwardingReadableRepository implements PublishingRepository {
        private final Repository inner;
        private final String prefix;

        PublishView(Repository inner, String prefix) {
            super(inner);
            this.inner = inner;
            this.prefix = prefix;
        }

        @Override
        public String publishPrefix() {
            return prefix;
        }

        @Override
        public void publish(ObjectKey key, byte[] content) {
            if (!key.value().startsWith(prefix)) {
                throw new IllegalArgumentException("may write only under " + prefix + ", not " + key);
            }
            inner.replace(key, content);
        }
    }
}
