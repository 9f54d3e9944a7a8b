package com.taskmaster.backup.repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A repository in a local directory ({@code file:///path}), for local runs and on-premises copies.
 * Writes go to a hidden temporary file in the target directory, are fsynced, then published with a
 * hard link, which fails atomically if the target exists (a rename would silently replace it).
 */
public final class FileRepository implements Repository {
    private static final String TEMP_PREFIX = ".tmp-";
    private final Path root;

    public FileRepository(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new RepositoryException("cannot create repository directory " + this.root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String uri() {
        return "file://" + root;
    }

    @Override
    public String uriOf(ObjectKey key) {
        return "file://" + path(key);
    }

    private Path path(ObjectKey key) {
        return root.resolve(key.value());
    }

    @Override
    public ObjectWriter create(ObjectKey key) {
        Path target = path(key);
        try {
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName() + "." + UUID.randomUUID());
            FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // non-POSIX file system: nothing to tighten
            }
            return new FileWriter(key, target, temp, channel);
        } catch (IOException e) {
            throw new RepositoryException("cannot start writing " + uriOf(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void putIfAbsent(ObjectKey key, byte[] content) {
        try (ObjectWriter w = create(key)) {
            w.stream().write(content);
            w.commit();
        } catch (IOException e) {
            throw new RepositoryException("cannot write " + uriOf(key) + ": " + e.getMessage(), e);
        }
    }

    /** Written like any object, then renamed over the target: a rename replaces it atomically. */
    @Override
    public void replace(ObjectKey key, byte[] content) {
        Path target = path(key);
        try {
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName() + "." + UUID.randomUUID());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(content));
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            syncDirectory(target.getParent());
        } catch (IOException e) {
            throw new RepositoryException("cannot write " + uriOf(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(ObjectKey key) {
        try {
            return Files.newInputStream(path(key));
        } catch (NoSuchFileException e) {
            throw new NoSuchObjectException("no object " + uriOf(key));
        } catch (IOException e) {
            throw new RepositoryException("cannot open " + uriOf(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(ObjectKey key) {
        Path p = path(key);
        try {
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            return Optional.of(new ObjectInfo(key, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RepositoryException("cannot stat " + uriOf(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ObjectListing scan(String prefix) {
        ObjectKey.checkPrefix(prefix);
        // Walk the deepest directory the prefix names completely, then filter by the full prefix.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return new ObjectListing(List.of(), List.of());
        }
        List<ObjectInfo> out = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (!rel.startsWith(prefix) || isHidden(rel)) {
                    continue;
                }
                ObjectKey key;
                try {
                    key = ObjectKey.of(rel);
                } catch (IllegalArgumentException notOurs) {
                    foreign.add(ObjectListing.printable(rel)); // an editor's backup, a copy: reported, never touched
                    continue;
                }
                try {
                    out.add(new ObjectInfo(key, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
                } catch (NoSuchFileException gone) {
                    // deleted while listing
                }
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot list " + uri() + "/" + prefix + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(ObjectInfo::key));
        foreign.sort(Comparator.naturalOrder());
        return new ObjectListing(out, foreign);
    }

    /** Files have no Object Lock: never locked. */
    @Override
    public LockState lockState(ObjectKey key) {
        return LockState.NONE;
    }

    @Override
    public void delete(ObjectKey key) {
        Path p = path(key);
        try {
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new RepositoryException("cannot delete " + uriOf(key) + ": it is a directory, not an object");
            }
            if (Files.deleteIfExists(p)) {
                syncDirectory(p.getParent());
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot delete " + uriOf(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<PendingWrite> pendingWrites() {
        List<PendingWrite> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                Optional<ObjectKey> target = targetOfTemp(rel);
                if (target.isEmpty()) {
                    continue;
                }
                try {
                    out.add(new PendingWrite(target.get(), rel, Files.getLastModifiedTime(p).toInstant()));
                } catch (NoSuchFileException gone) {
                    // committed or aborted while listing
                }
            }
        } catch (IOException e) {
            throw new RepositoryException("cannot list temporary files in " + uri() + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(PendingWrite::key).thenComparing(PendingWrite::handle));
        return out;
    }

    /** The key a temporary file {@code dir/.tmp-<name>.<uuid>} is being written for; empty for anything else. */
    private static Optional<ObjectKey> targetOfTemp(String rel) {
        int slash = rel.lastIndexOf('/');
        String dir = slash < 0 ? "" : rel.substring(0, slash + 1);
        String name = rel.substring(slash + 1);
        int uuidLength = 36;
        if (!name.startsWith(TEMP_PREFIX) || name.length() <= TEMP_PREFIX.length() + uuidLength + 1 || isHidden(dir)
                || name.charAt(name.length() - uuidLength - 1) != '.') {
            return Optional.empty();
        }
        try {
            UUID.fromString(name.substring(name.length() - uuidLength));
            return Optional.of(ObjectKey.of(dir + name.substring(TEMP_PREFIX.length(), name.length() - uuidLength - 1)));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }

    @Override
    public void discard(PendingWrite write) {
        if (targetOfTemp(write.handle()).filter(write.key()::equals).isEmpty()) {
            throw new IllegalArgumentException("not a temporary file of this repository: " + write.handle());
        }
        Path p = root.resolve(write.handle()).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("not a temporary file of this repository: " + write.handle());
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new RepositoryException("cannot remove temporary file " + p + ": " + e.getMessage(), e);
        }
    }

    private static boolean isHidden(String rel) {
        for (String segment : rel.split("/")) {
            if (segment.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private final class FileWriter implements ObjectWriter {
        private final ObjectKey key;
        private final Path target;
        private final Path temp;
        private final FileChannel channel;
        private final OutputStream stream;
        private boolean done;

        FileWriter(ObjectKey key, Path target, Path temp, FileChannel channel) {
            this.key = key;
            this.target = target;
            this.temp = temp;
            this.channel = channel;
            this.stream = Channels.newOutputStream(channel);
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void commit() {
            if (done) {
                throw new IllegalStateException("writer of " + key + " already finished");
            }
            try {
                channel.force(true);
                channel.close();
                Files.createLink(target, temp);
                Files.delete(temp);
                done = true;
                syncDirectory(target.getParent());
            } catch (FileAlreadyExistsException e) {
                abort();
                throw new ObjectExistsException("refusing to overwrite existing object " + uriOf(key));
            } catch (IOException e) {
                abort();
                throw new RepositoryException("cannot commit " + uriOf(key) + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing for deletion
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                throw new RepositoryException("cannot remove temporary file " + temp + ": " + e.getMessage(), e);
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the link itself is durable enough there
        }
    }
}
