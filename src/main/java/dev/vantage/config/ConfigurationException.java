package dev.vantage.config;

import dev.vantage.VantageException;

/**
 * A setting (flag, environment variable or file) that is missing or wrong. The message is one line that names the
 * setting and the reason, printed as is by the CLI; it never contains a secret.
 */
public class ConfigurationException extends VantageException {
    public ConfigurationException(String message) {
        super(message);
    }
}
