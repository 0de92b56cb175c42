package dev.vantage.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where settings come from besides flags: environment variables, and for each variable {@code NAME} a file named by
 * {@code NAME_FILE} (the way Docker secrets are mounted). Tests pass a map instead of the process environment.
 */
public final class Environment {
    private final Map<String, String> variables;

    private Environment(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    public static Environment system() {
        return new Environment(System.getenv());
    }

    public static Environment of(Map<String, String> variables) {
        return new Environment(variables);
    }

    /**
     * The value of {@code name}, else the trimmed content of the file named by {@code name_FILE}, else empty. Setting
     * both is an error, because which one wins would be a guess.
     */
    public Optional<String> get(String name) {
        String direct = blankToNull(variables.get(name));
        String file = blankToNull(variables.get(name + "_FILE"));
        if (direct != null && file != null) {
            throw new ConfigurationException(name + " and " + name + "_FILE are both set; set only one");
        }
        if (file != null) {
            try {
                return Optional.ofNullable(blankToNull(Files.readString(Path.of(file), StandardCharsets.UTF_8)
                                .strip()))
                        .or(() -> {
                            throw new ConfigurationException(name + "_FILE: file " + file + " is empty");
                        });
            } catch (IOException e) {
                throw new ConfigurationException(name + "_FILE: cannot read " + file + ": " + e.getMessage());
            }
        }
        return Optional.ofNullable(direct);
    }

    /** A flag value wins over the environment. */
    public Optional<String> resolve(String flagValue, String name) {
        String flag = blankToNull(flagValue);
        return flag != null ? Optional.of(flag) : get(name);
    }

    public String require(String flagValue, String name, String flag, String what) {
        return resolve(flagValue, name)
                .orElseThrow(() -> new ConfigurationException(
                        name + " is not set: give " + what + " with " + flag + " or the " + name + " variable"));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
