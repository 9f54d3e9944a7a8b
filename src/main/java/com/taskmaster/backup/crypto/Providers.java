package com.taskmaster.backup.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import io.quarkus.runtime.ImageMode;
import org.jboss.logging.Logger;

/**
 * Puts the Amazon Corretto Crypto Provider (native AES-GCM and SHA-256, from AWS) first among the JCE
 * providers. Why: in a short-lived JVM the JDK's AES-GCM never leaves its pure-Java path during a backup
 * (measured: 61% of the pipeline's samples in the JDK's Java GHASH; the whole backup took 1.41x a bare pg_dump,
 * 1.15x with this provider). The Encryption SDK and our digests ask JCE for "AES/GCM/NoPadding" and
 * "SHA-256", so nothing else changes: same algorithms, same message format. If the native library cannot be
 * loaded (another platform), the JDK's providers are used and a warning is logged.
 *
 * <p>In a native image the JDK's providers are always used, and ACCP is never touched: this class is initialised
 * while the image is built (Quarkus initialises application classes at build time), where installing ACCP would
 * load its library into the builder and leave the provider list in the image heap; and ACCP's JNI callbacks have
 * no native-image registrations. The native image compiles the JDK's AES-GCM with the AES-NI and carry-less
 * multiply instructions when they are enabled at build time (see the {@code native-amd64} profile in pom.xml).
 */
public final class Providers {
    private static final Logger LOG = Logger.getLogger(Providers.class);
    private static final String REGISTER_SECURE_RANDOM = "com.amazon.corretto.crypto.provider.registerSecureRandom";
    private static volatile String active;

    private Providers() {
    }

    /** Installs the provider once; returns the name of the provider that will serve AES-GCM. */
    public static synchronized String install() {
        if (active == null && ImageMode.current() != ImageMode.JVM) {
            active = "JDK"; // native image: see the class comment
        }
        if (active == null) {
            // Randomness stays with the JDK (snapshot-resilient on Lambda SnapStart, as AWS documents for
            // java.security.SecureRandom): only ciphers and digests come from the native provider.
            if (System.getProperty(REGISTER_SECURE_RANDOM) == null) {
                System.setProperty(REGISTER_SECURE_RANDOM, "false");
            }
            try {
                AmazonCorrettoCryptoProvider.install();
                AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
                active = AmazonCorrettoCryptoProvider.PROVIDER_NAME;
            } catch (Throwable e) { // UnsatisfiedLinkError and friends: any failure means "use the JDK"
                // install() may have registered the provider before its self-test failed: never leave it first in line
                java.security.Security.removeProvider(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
                LOG.warnf("Amazon Corretto Crypto Provider unavailable (%s): using the JDK's AES-GCM, which is slower",
                        e.toString());
                active = "JDK";
            }
        }
        return active;
    }
}
