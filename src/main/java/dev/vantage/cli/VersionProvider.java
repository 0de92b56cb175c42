package dev.vantage.cli;

import dev.vantage.Version;
import picocli.CommandLine;

/** What {@code --version} prints, for {@code vantage} and each subcommand that answers it. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"vantage " + Version.current()};
    }
}
