package com.taskmaster.backup.crypto;

import com.amazonaws.encryptionsdk.jce.JceMasterKey;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * A local 256-bit wrapping key in a file (32 raw bytes, mode 0600), for local runs without KMS. Created
 * with a fresh random key when the file does not exist; refused when others may read it.
 *
 * <p>Creation is atomic: the key is written to a temporary file in the same directory (mode 0600) and synced, then
 * published with a hard link, which never overwrites; the link is synced with its directory and the temporary file
 * removed. Concurrent first uses therefore all read one complete key (a writer that loses the race reads the
 * winner's), and a crash leaves either no key file or a complete one, never an empty one.
 */
public final class LocalKeys {
    /** The Encryption SDK provider id recorded in each message's encrypted data key. */
    public static final String PROVIDER_ID = "taskmaster-backup-local";
    public static final int KEY_BYTES = 32;

    private LocalKeys() {
    }

    public static Envelope open(Path file, boolean createIfMissing) {
        if (!createIfMissing && !Files.exists(file)) {
            throw new CryptoException("key file " + file + " does not exist: backups can only be read with the key "
                    + "they were written with (check BACKUP_KMS_KEY)");
        }
        byte[] key = loadOrCreate(file);
        String name = "local-" + fingerprint(key);
        JceMasterKey master = JceMasterKey.getInstance(new SecretKeySpec(key, "AES"), PROVIDER_ID, name, "AES/GCM/NoPadding");
        return new Envelope(master, PROVIDER_ID, name);
    }

    static byte[] loadOrCreate(Path file) {
        if (!Files.exists(file)) {
            try {
                create(file);
            } catch (IOException | UnsupportedOperationException e) {
                throw new CryptoException("cannot create key file " + file + ": " + e.getMessage(), e);
            }
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            for (PosixFilePermission p : perms) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    throw new CryptoException("key file " + file + " is accessible to other users (mode "
                            + PosixFilePermissions.toString(perms) + "): run chmod 600 " + file);
                }
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length != KEY_BYTES) {
                throw new CryptoException("key file " + file + " holds " + key.length + " bytes; a local key is exactly "
                        + KEY_BYTES + " random bytes" + (key.length == 0 ? " (an empty file is a creation interrupted by an "
                        + "earlier version: it never encrypted anything; delete it and a new key is created)" : ""));
            }
            return key;
        } catch (IOException e) {
            throw new CryptoException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(key);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.createLink(file, temp); // atomic, never overwrites
            } catch (FileAlreadyExistsException raced) {
                // another writer published its key first: use theirs
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Makes the directory's entries (the new link) durable. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** First 16 hex digits of SHA-256 of the key: names the key without revealing it. */
    static String fingerprint(byte[] key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
