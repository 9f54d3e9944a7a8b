package software.amazon.awssdk.services.rds;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

import java.time.Clock;

/**
 * The SDK's own {@link RdsUtilities} with fixed credentials and a fixed clock (its package-private constructor, hence
 * this package): the tokens it signs are then the same each time, so a test server can be given one as a password.
 */
public final class FixedClockRdsUtilities {
    private FixedClockRdsUtilities() {
    }

    public static RdsUtilities create(String region, String accessKeyId, String secretKey, Clock clock) {
        RdsUtilities.Builder b = RdsUtilities.builder().region(Region.of(region))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretKey)));
        return new DefaultRdsUtilities((DefaultRdsUtilities.DefaultBuilder) b, clock);
    }
}
