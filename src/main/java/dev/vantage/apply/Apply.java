package dev.vantage.apply;

import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.NotifierRegistry;
import dev.vantage.probe.MonitorRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * {@code vantage apply}: YAML files to the configuration tables. {@link #read} parses and checks the files alone;
 * {@link #run} compares them with the database, then carries out the difference in the caller's transaction, or rolls
 * it back (a dry run, or anything refused).
 */
public final class Apply {
    private final List<Item> items;
    private final List<Problem> problems;
    private final boolean unreadable;

    /**
     * What a run did or would do.
     *
     * @param diff the changes, one line per row and one per changed field
     * @param summary e.g. {@code 1 to create, 2 to update, 0 to delete}, or {@code no changes}
     * @param notes rows left alone, and the like
     * @param problems why nothing was applied (empty: the run was applied, or was a dry run)
     */
    public record Report(List<String> diff, String summary, List<String> notes, List<String> problems) {
        public boolean changed() {
            return !diff.isEmpty();
        }
    }

    private Apply(List<Item> items, List<Problem> problems, boolean unreadable) {
        this.items = items;
        this.problems = problems;
        this.unreadable = unreadable;
    }

    /** Reads a file or a directory of *.yml / *.yaml files and checks each object as the agent and monitor would. */
    public static Apply read(Path fileOrDirectory, Function<String, String> env) throws IOException {
        return checked(YamlReader.read(fileOrDirectory, env));
    }

    /** The same from texts by file name (tests). */
    static Apply read(Map<String, String> texts, Function<String, String> env) {
        return checked(YamlReader.read(texts, env));
    }

    private static Apply checked(YamlReader.Parsed parsed) {
        var problems = new ArrayList<>(parsed.problems());
        problems.addAll(Validation.check(
                parsed.items(),
                MonitorRegistry.load(),
                NotifierRegistry.standard(NotifierContext.of(null, Clock.systemUTC()))));
        return new Apply(parsed.items(), problems, !parsed.problems().isEmpty());
    }

    /**
     * Whether the files themselves are broken (syntax, types, unknown fields, duplicate names): then the database is
     * not consulted, since references to a broken object would only add noise to {@link #problems}.
     */
    public boolean unreadable() {
        return unreadable;
    }

    /** Problems of the files alone (those of {@link #unreadable}, and type settings the agent would refuse). */
    public List<String> problems() {
        return problems.stream().sorted().map(Problem::toString).toList();
    }

    /**
     * Plans and carries out the files in {@code h}'s transaction; rolls it back for a dry run or when anything is
     * refused, so that a run applies everything or nothing.
     */
    public Report run(Handle h, boolean dryRun, boolean prune) {
        Current current = ApplyDao.load(h);
        Plan plan = Plan.of(items, current, prune);
        var all = new ArrayList<>(problems);
        all.addAll(plan.problems());
        var codes = new TreeMap<Integer, String>();
        current.datacenters().forEach((code, id) -> codes.put(id, code));
        if (all.isEmpty()) {
            // A dry run runs the statements too, and rolls them back: what the database would refuse shows now.
            all.addAll(ApplyDao.execute(h, plan));
        }
        if (dryRun || !all.isEmpty()) {
            h.rollback();
        }
        var notes = new ArrayList<String>();
        int sqlMade = plan.leftAlone() - (prune ? 0 : plan.prunable());
        if (sqlMade > 0) {
            notes.add(sqlMade + " row(s) not named in the files were left alone (made in SQL, or adopted by name)");
        }
        if (!prune && plan.prunable() > 0) {
            notes.add(plan.prunable() + " row(s) created by an earlier apply are no longer named in the files:"
                    + " --prune deletes them");
        }
        return new Report(
                DiffText.lines(plan, codes),
                plan.isEmpty() ? "no changes" : DiffText.summary(plan),
                notes,
                all.stream().sorted().map(Problem::toString).toList());
    }
}
