package com.taskmaster.backup.crypto;

/** Encryption or decryption failed, or a key could not be used; the message says which key and why. */
public class CryptoException extends RuntimeException {
    public CryptoException(String message) {
        super(message);
    }

    public CryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
