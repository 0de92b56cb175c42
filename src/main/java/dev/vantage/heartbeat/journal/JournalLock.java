package dev.vantage.heartbeat.journal;

import dev.vantage.config.ConfigurationException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The lock file {@value #FILE} of a journal directory, locked by the process that uses the journal for as long as it
 * does. The operating system releases the lock when the process ends, however it ends, so a directory whose lock is
 * free belongs to nobody and its records are waiting for a replay.
 */
final class JournalLock implements AutoCloseable {
    static final String FILE = "journal.lock";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_CANDIDATES = 100;

    /**
     * Directories locked by this process. File locks belong to the process, and on Linux closing any descriptor of
     * the lock file releases them: so this process must know its own locks without opening the file again.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final RandomAccessFile file;
    private final FileLock lock;

    private JournalLock(Path directory, RandomAccessFile file, FileLock lock) {
        this.directory = directory;
        this.file = file;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and locks it.
     *
     * @throws ConfigurationException when another process (or this one) holds it, or it cannot be created
     */
    static synchronized JournalLock acquire(Path directory) {
        Path key = directory.toAbsolutePath().normalize();
        if (HELD.contains(key)) {
            throw inUse(directory, "this process");
        }
        RandomAccessFile file = null;
        try {
            Files.createDirectories(directory);
            file = new RandomAccessFile(directory.resolve(FILE).toFile(), "rw");
            FileLock lock = tryLock(file);
            if (lock == null) {
                file.close();
                throw inUse(directory, owner(directory));
            }
            file.setLength(0);
            file.write((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
            HELD.add(key);
            return new JournalLock(key, file, lock);
        } catch (IOException e) {
            closeQuietly(file, e);
            throw new ConfigurationException(
                    "cannot use the heartbeat journal directory " + directory + ": " + e.getMessage());
        }
    }

    /** See {@link Journal#chooseDirectory}. */
    static Path choose(Path base, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigurationException("a heartbeat journal name must be letters, digits, '.', '_' or '-',"
                    + " not starting with '.', was " + name);
        }
        for (int i = 0; i < MAX_CANDIDATES; i++) {
            Path candidate = base.resolve(i == 0 ? name : name + "." + i);
            if (isFree(candidate)) {
                return candidate;
            }
        }
        throw new ConfigurationException("the heartbeat journal directories " + base.resolve(name) + " to "
                + base.resolve(name + "." + (MAX_CANDIDATES - 1)) + " are all in use");
    }

    /** Whether no live process holds the directory's lock (a directory that does not exist yet is free). */
    static synchronized boolean isFree(Path directory) {
        if (HELD.contains(directory.toAbsolutePath().normalize())) {
            return false;
        }
        Path lockFile = directory.resolve(FILE);
        if (!Files.exists(lockFile)) {
            return Files.notExists(directory) || Files.isDirectory(directory);
        }
        try (var file = new RandomAccessFile(lockFile.toFile(), "rw")) {
            FileLock lock = tryLock(file);
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The lock, or null when another holds it (another process, or this one through another path to the file). */
    private static FileLock tryLock(RandomAccessFile file) throws IOException {
        try {
            return file.getChannel().tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() throws IOException {
        synchronized (JournalLock.class) {
            try (file) {
                lock.release();
            } finally {
                HELD.remove(directory);
            }
        }
    }

    private static ConfigurationException inUse(Path directory, String owner) {
        return new ConfigurationException("the heartbeat journal directory " + directory + " is in use by " + owner
                + "; give each agent process a directory of its own");
    }

    /** Who holds the lock, from the pid its holder wrote into the file. */
    private static String owner(Path directory) {
        try {
            String pid = Files.readString(directory.resolve(FILE), StandardCharsets.US_ASCII)
                    .strip();
            return pid.isEmpty() ? "another process" : "process " + pid;
        } catch (IOException e) {
            return "another process";
        }
    }

    private static void closeQuietly(RandomAccessFile file, IOException cause) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
