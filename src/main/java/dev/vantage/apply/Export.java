package dev.vantage.apply;

import java.util.List;
import org.jdbi.v3.core.Handle;

/** {@code vantage export}: the configuration tables as the YAML {@link Apply} reads back unchanged. */
public final class Export {
    private Export() {}

    /**
     * @param yaml the file's text
     * @param variables environment variables named by {@code ${env:...}} references in place of secrets
     * @param omittedTokens push tokens left out (without secrets)
     * @param counts e.g. {@code 2 schedules, 1 channels, 5 monitors}
     */
    public record Result(String yaml, List<String> variables, int omittedTokens, String counts) {}

    /**
     * Reads the configuration in {@code h}'s transaction.
     *
     * @param secrets write secrets literally instead of environment references
     * @throws dev.vantage.config.ConfigurationException when two rows of a kind share a name
     */
    public static Result write(Handle h, boolean secrets) {
        Current current = ApplyDao.load(h);
        YamlWriter.Export e = YamlWriter.write(current, secrets);
        String counts = current.rows(Kind.SCHEDULE).size() + " schedule(s), "
                + current.rows(Kind.CHANNEL).size() + " channel(s), "
                + current.rows(Kind.MONITOR).size() + " monitor(s)";
        return new Result(e.yaml(), e.variables(), e.omitted(), counts);
    }
}
