package com.taskmaster.backup.crypto;

import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import java.security.MessageDigest;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProvidersTest {
    @Test
    void nativeProviderServesAesGcmAndSha256OnThisPlatform() throws Exception {
        assertEquals("AmazonCorrettoCryptoProvider", Providers.install());
        assertEquals("AmazonCorrettoCryptoProvider", Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName());
        assertEquals("AmazonCorrettoCryptoProvider", MessageDigest.getInstance("SHA-256").getProvider().getName());
        // randomness (data keys of local keys, IVs, message ids) stays with the JDK
        org.junit.jupiter.api.Assertions.assertNotEquals("AmazonCorrettoCryptoProvider",
                new java.security.SecureRandom().getProvider().getName());
    }
}
