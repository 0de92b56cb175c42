package dev.vantage.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vantage.evaluate.Evaluator;
import dev.vantage.evaluate.MonitorConfig;
import dev.vantage.evaluate.Phase;
import dev.vantage.evaluate.PhaseThreshold;
import dev.vantage.evaluate.Policy;
import dev.vantage.notify.Channel;
import dev.vantage.notify.ChannelDirectory;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.NotifierRegistry;
import dev.vantage.store.ChannelRow;
import dev.vantage.store.EvaluationConfigDao;
import dev.vantage.store.MonitorPolicyRow;
import dev.vantage.store.PhaseThresholdRow;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration the monitor module works from: enabled monitors with their policies, and the notification
 * channels, validated by their notifiers. Reloaded on every {@code NOTIFY vantage_config}; each reload publishes an
 * immutable {@link Config}. A channel row that fails validation is logged once (naming it and the reason, never its
 * settings) and its notifications fail with that reason; the other channels keep working.
 */
final class MonitorConfigs implements ChannelDirectory {
    private static final Logger log = LoggerFactory.getLogger(MonitorConfigs.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One published configuration. */
    record Config(
            long version,
            List<MonitorConfig> monitors,
            Map<Integer, String> datacenterCodes,
            List<Integer> defaultChannels,
            Map<Integer, Channel> channels,
            Map<Integer, String> invalidChannels,
            Map<Integer, String> monitorNames,
            Map<Integer, String> targets)
            implements IncidentStore.Names {

        @Override
        public String monitorName(int monitorId) {
            return monitorNames.getOrDefault(monitorId, "monitor #" + monitorId);
        }

        @Override
        public String target(int monitorId) {
            return targets.get(monitorId);
        }

        @Override
        public String datacenterCode(int datacenterId) {
            return datacenterCodes.getOrDefault(datacenterId, "#" + datacenterId);
        }
    }

    private final Jdbi jdbi;
    private final NotifierRegistry registry;
    /** Names of monitors ever seen, so a notice about a monitor deleted since still names it. */
    private final Map<Integer, String> knownNames = new ConcurrentHashMap<>();

    private final Map<Integer, String> knownTargets = new ConcurrentHashMap<>();
    private volatile Config current =
            new Config(0, List.of(), Map.of(), List.of(), Map.of(), Map.of(), Map.of(), Map.of());
    private Map<Integer, String> reportedInvalid = Map.of();

    MonitorConfigs(Jdbi jdbi, NotifierRegistry registry) {
        this.jdbi = jdbi;
        this.registry = registry;
    }

    Config current() {
        return current;
    }

    /**
     * The maintenance windows of the {@link #current} configuration: published before it, with every reload. One-off
     * windows that ended by the database's clock are left out; the evaluator judges the others by its own.
     */
    private volatile dev.vantage.evaluate.Maintenance maintenance = dev.vantage.evaluate.Maintenance.NONE;

    private final java.util.Set<String> reportedInvalidWindows = ConcurrentHashMap.newKeySet();

    dev.vantage.evaluate.Maintenance maintenance() {
        return maintenance;
    }

    private dev.vantage.evaluate.Maintenance loadMaintenance() {
        return jdbi.withHandle(h -> MaintenanceWindows.load(h, null, (row, reason) -> {
            if (reportedInvalidWindows.add(reason)) {
                log.warn("Skipping {}; the other windows keep working", reason);
            }
        }));
    }

    synchronized void reload(String reason) {
        record Rows(
                List<MonitorPolicyRow> monitors,
                List<ChannelRow> channels,
                Map<Integer, String> codes,
                List<PhaseThresholdRow> phaseThresholds) {}
        Rows rows = jdbi.withHandle(h -> new Rows(
                EvaluationConfigDao.listEnabledMonitors(h),
                EvaluationConfigDao.listChannels(h),
                EvaluationConfigDao.datacenterCodes(h),
                EvaluationConfigDao.listPhaseThresholds(h)));
        Map<Integer, List<PhaseThreshold>> thresholds = phaseThresholds(rows.phaseThresholds());
        var channels = new HashMap<Integer, Channel>();
        var invalid = new HashMap<Integer, String>();
        var defaults = new ArrayList<Integer>();
        for (ChannelRow row : rows.channels()) {
            if (!row.enabled()) {
                invalid.put(row.id(), "channel " + row.id() + " '" + row.name() + "' is disabled");
                continue;
            }
            try {
                JsonNode settings = JSON.readTree(row.settingsJson());
                channels.put(row.id(), registry.configure(row.id(), row.name(), row.type(), settings));
                if (row.isDefault()) {
                    defaults.add(row.id());
                }
            } catch (InvalidChannelException e) {
                invalid.put(row.id(), "channel " + row.id() + " '" + row.name() + "' is invalid: " + e.getMessage());
            } catch (java.io.IOException e) {
                invalid.put(row.id(), "channel " + row.id() + " '" + row.name() + "' is invalid: settings is not JSON");
            }
        }
        for (var e : invalid.entrySet()) {
            if (!e.getValue().equals(reportedInvalid.get(e.getKey()))
                    && !e.getValue().endsWith("is disabled")) {
                log.warn("Skipping notification {}; the other channels keep working", e.getValue());
            }
        }
        reportedInvalid = Map.copyOf(invalid);
        var monitors = new ArrayList<MonitorConfig>();
        var names = new HashMap<Integer, String>();
        for (MonitorPolicyRow m : rows.monitors()) {
            // A push monitor's beats are stored under the pseudo-datacenter 0, wherever its senders run; the
            // datacenters a row may still name are not where it is watched from.
            var policy = m.push()
                    ? Policy.push(
                            m.intervalSeconds(),
                            m.downAfter(),
                            m.upAfter(),
                            m.graceSeconds(),
                            m.flapChanges(),
                            m.flapWindowMinutes())
                    : Policy.of(
                            m.intervalSeconds(),
                            m.datacenters().size(),
                            m.downAfter(),
                            m.upAfter(),
                            m.degradedAfter(),
                            m.graceSeconds(),
                            m.quorum(),
                            m.flapChanges(),
                            m.flapWindowMinutes());
            var datacenters =
                    m.push() ? java.util.Set.of(Evaluator.PUSH_DATACENTER) : java.util.Set.copyOf(m.datacenters());
            var linked = new LinkedHashSet<Integer>();
            for (int id : m.channels().isEmpty() ? defaults : m.channels()) {
                if (channels.containsKey(id)) {
                    linked.add(id);
                }
            }
            monitors.add(new MonitorConfig(
                    m.id(),
                    m.name(),
                    policy,
                    datacenters,
                    List.copyOf(linked),
                    m.notifyDegradedAfter(),
                    thresholds.getOrDefault(m.id(), List.of()),
                    java.util.Set.copyOf(m.dependsOn())));
            knownNames.put(m.id(), m.name());
            names.put(m.id(), m.name());
            String target = target(m.url());
            if (target != null) {
                knownTargets.put(m.id(), target);
            }
        }
        maintenance = loadMaintenance();
        current = new Config(
                current.version() + 1,
                List.copyOf(monitors),
                Map.copyOf(rows.codes()),
                List.copyOf(defaults),
                Map.copyOf(channels),
                Map.copyOf(invalid),
                Map.copyOf(knownNames),
                Map.copyOf(knownTargets));
        log.debug("Configuration reloaded ({}): {} monitors, {} channels", reason, monitors.size(), channels.size());
    }

    /**
     * The phase thresholds by monitor. A row that cannot be read (a phase this version does not know) is logged,
     * naming it and the reason, and skipped: the other thresholds keep working.
     */
    static Map<Integer, List<PhaseThreshold>> phaseThresholds(List<PhaseThresholdRow> rows) {
        var byMonitor = new HashMap<Integer, List<PhaseThreshold>>();
        for (PhaseThresholdRow row : rows) {
            try {
                var threshold = new PhaseThreshold(Phase.fromColumn(row.phase()), row.datacenterId(), row.warningMs());
                byMonitor
                        .computeIfAbsent(row.monitorId(), k -> new ArrayList<>())
                        .add(threshold);
            } catch (IllegalArgumentException e) {
                log.warn("monitor={} Skipping phase threshold {}: {}", row.monitorId(), row.phase(), e.getMessage());
            }
        }
        return byMonitor;
    }

    /** The URL without user info, query or fragment, which may hold credentials; null when it does not parse. */
    static String target(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI u = URI.create(url.strip());
            if (u.getHost() == null) {
                return null;
            }
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            return null;
        }
    }

    @Override
    public Optional<Sender> find(int channelId) {
        Channel channel = current.channels().get(channelId);
        if (channel == null) {
            return Optional.empty();
        }
        return Optional.of((id, notice, deadline) -> channel.send(channel.render(id, notice), deadline));
    }

    @Override
    public java.util.Set<Integer> ungroupedChannels() {
        return current.channels().values().stream()
                .filter(c -> !c.groups())
                .map(Channel::id)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Override
    public String whyUnavailable(int channelId) {
        return current.invalidChannels().getOrDefault(channelId, "channel " + channelId + " does not exist any more");
    }
}
