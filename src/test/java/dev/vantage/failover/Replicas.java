package dev.vantage.failover;

import dev.vantage.failover.LeaseLedger.AgentRow;
import dev.vantage.failover.LeaseLedger.FirstRows;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.DatacenterSeed;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The agent replicas of one datacenter in one test: started as real processes with the same DATACENTER_ID and
 * journal base directory, named r1, r2, … in start order, and all killed when the test ends.
 */
final class Replicas implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final LeaseLedger ledger;
    private final DatacenterSeed seed;
    private final Path logs;
    private final Map<String, String> env;
    private final List<AgentProcess> started = new ArrayList<>();
    private final Map<AgentProcess, Integer> ids = new HashMap<>();

    /**
     * @param env the environment every replica gets (DB_CONN_STRING, DATACENTER_ID, VANTAGE_JOURNAL_DIR, …)
     * @param logs where each replica's stdout and stderr go
     */
    Replicas(LeaseLedger ledger, DatacenterSeed seed, Map<String, String> env, Path logs) {
        this.ledger = ledger;
        this.seed = seed;
        this.env = Map.copyOf(env);
        this.logs = logs;
    }

    /** A new replica with the common environment. */
    AgentProcess start() {
        return start(Map.of());
    }

    /** A new replica with the common environment plus (or overridden by) {@code overrides}. */
    synchronized AgentProcess start(Map<String, String> overrides) {
        var replicaEnv = new HashMap<>(env);
        replicaEnv.putAll(overrides);
        var agent = AgentProcess.start("r" + (started.size() + 1), replicaEnv, logs);
        started.add(agent);
        return agent;
    }

    /** Its agents.id, once it has registered. */
    synchronized Optional<Integer> findId(AgentProcess agent) {
        Integer id = ids.get(agent);
        if (id == null) {
            id = ledger.agent(agent.name()).map(AgentRow::id).orElse(null);
            if (id != null) {
                ids.put(agent, id);
            }
        }
        return Optional.ofNullable(id);
    }

    int id(AgentProcess agent) {
        return findId(agent).orElseThrow(() -> new AssertionError(agent + " has not registered in agents"));
    }

    /** The replica of that agents.id, if it is one of this test's. */
    synchronized Optional<AgentProcess> byId(int agentId) {
        return ids.entrySet().stream()
                .filter(e -> e.getValue() == agentId)
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** A datacenter in a steady state: who leads, under which epoch. */
    record Steady(AgentProcess leader, int leaderId, long epoch, Instant acquiredAt) {}

    /**
     * Waits until exactly these replicas run the datacenter normally: all alive and registered, one of them holds the
     * current epoch, shows as its leader in agents and has written heartbeats of it within the last two seconds, and
     * each of the others has logged that it stands by (it tried the lock and found it taken). The log line rather
     * than agents.role for the standbys: the row shows a new replica's role only at its first refresh, 2 s later.
     */
    Steady awaitSteady(Collection<AgentProcess> replicas, Duration timeout) {
        try {
            return Awaitility.await("a steady leader among " + replicas)
                    .atMost(timeout)
                    .pollInterval(POLL)
                    .until(() -> steady(replicas), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + describe(), e);
        }
    }

    private Optional<Steady> steady(Collection<AgentProcess> replicas) {
        for (AgentProcess agent : replicas) {
            if (!agent.isAlive()) {
                throw new AssertionError(
                        agent + " exited with status " + agent.awaitExit(Duration.ZERO) + "\n" + agent.tail());
            }
            if (findId(agent).isEmpty()) {
                return Optional.empty();
            }
        }
        var lease = ledger.current();
        if (lease.isEmpty() || lease.get().holderAgentId() == null) {
            return Optional.empty();
        }
        long epoch = lease.get().epoch();
        var leader = byId(lease.get().holderAgentId()).filter(replicas::contains);
        if (leader.isEmpty()) {
            return Optional.empty();
        }
        var leaderRow = ledger.agent(leader.get().name()).orElseThrow();
        if (!"leader".equals(leaderRow.role()) || !Long.valueOf(epoch).equals(leaderRow.leaseEpoch())) {
            return Optional.empty();
        }
        for (AgentProcess agent : replicas) {
            if (agent != leader.get() && agent.findLog(standingBy()).isEmpty()) {
                return Optional.empty();
            }
        }
        if (!ledger.writingRecently(epoch, 2)) {
            return Optional.empty();
        }
        return Optional.of(
                new Steady(leader.get(), leaderRow.id(), epoch, lease.get().acquiredAt()));
    }

    private String standingBy() {
        return "Standing by for datacenter:" + seed.code();
    }

    /**
     * Waits (up to 5 s: two refreshes of the agents rows) until agents shows {@code leader} as the leader of
     * {@code epoch} and every other replica as a standby without an epoch.
     */
    void awaitRoles(AgentProcess leader, long epoch, Collection<AgentProcess> replicas) {
        try {
            Awaitility.await("agents shows " + leader + " leading epoch " + epoch + " and the others standing by")
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(POLL)
                    .until(() -> replicas.stream().allMatch(agent -> {
                        var row = ledger.agent(agent.name()).orElseThrow();
                        return agent == leader
                                ? "leader".equals(row.role())
                                        && Long.valueOf(epoch).equals(row.leaseEpoch())
                                : "standby".equals(row.role()) && row.leaseEpoch() == null;
                    }));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + describe(), e);
        }
    }

    /** Waits for the first heartbeats of an epoch later than {@code epoch}: a takeover. */
    FirstRows awaitTakeover(long epoch, Duration timeout) {
        try {
            return Awaitility.await("heartbeats of an epoch after " + epoch)
                    .atMost(timeout)
                    .pollInterval(POLL)
                    .until(() -> ledger.firstRowsAfter(epoch), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + describe(), e);
        }
    }

    /** The lease history, the agents rows and every replica's last log lines. */
    synchronized String describe() {
        var text = new StringBuilder();
        try {
            text.append(ledger.describe());
        } catch (RuntimeException e) {
            text.append("(database unavailable: ").append(e.getMessage()).append(")\n");
        }
        for (AgentProcess agent : started) {
            text.append(agent.tail()).append('\n');
        }
        text.append("(logs in ")
                .append(logs)
                .append(", datacenter ")
                .append(seed.code())
                .append(")");
        return text.toString();
    }

    /** Kills every replica still running. */
    @Override
    public synchronized void close() {
        for (AgentProcess agent : started) {
            agent.close();
        }
    }
}
