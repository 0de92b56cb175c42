package dev.vantage.failover;

import dev.vantage.failover.LeaseLedger.AgentRow;
import dev.vantage.failover.LeaseLedger.FirstRows;
import dev.vantage.testing.AgentProcess;
import dev.vantage.testing.DatacenterSeed;
import java.nio.file.Path;
import java.time.Duration;
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
    record Steady(AgentProcess leader, int leaderId, long epoch) {}

    /**
     * Waits until exactly these replicas run the datacenter normally: all alive and registered, one of them holds the
     * current epoch and shows as leader, the others show as standby, and the leader has written heartbeats of its
     * epoch within the last two seconds.
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
        int holder = lease.get().holderAgentId();
        AgentProcess leader = null;
        for (AgentProcess agent : replicas) {
            var row = ledger.agent(agent.name()).orElseThrow();
            boolean isHolder = row.id() == holder;
            if (isHolder) {
                leader = agent;
            }
            String expected = isHolder ? "leader" : "standby";
            if (!expected.equals(row.role())
                    || (isHolder && !Long.valueOf(epoch).equals(row.leaseEpoch()))) {
                return Optional.empty();
            }
        }
        if (leader == null || !ledger.writingRecently(epoch, 2)) {
            return Optional.empty();
        }
        return Optional.of(new Steady(leader, holder, epoch));
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
