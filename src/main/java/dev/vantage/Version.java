package dev.vantage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version this jar was built as. */
public final class Version {
    private Version() {}

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/vantage-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            var p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
