package dev.vantage.heartbeat.journal;

import dev.vantage.heartbeat.journal.Records.Damage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@link Journal#open} finds in a directory: its segments, verified, damage cut off and reported. */
final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private Recovery() {}

    /**
     * The segments holding at least one good record, oldest first, numbered from sequence 0; segments left empty are
     * deleted.
     */
    static List<Segment> recover(Path directory, JournalSettings settings, Journal.Losses losses) throws IOException {
        List<Path> files;
        try (var list = Files.list(directory)) {
            files = list.filter(p -> Segment.idOf(p) >= 0 && Files.isRegularFile(p))
                    .sorted(Comparator.comparingLong(Segment::idOf))
                    .toList();
        }
        var segments = new ArrayList<Segment>(files.size());
        long nextSeq = 0;
        for (Path file : files) {
            Segment.Recovered found = Segment.recover(file, nextSeq, settings.maxBytes(), settings.maxPayloadBytes());
            Segment segment = found.segment();
            if (found.damage() != null) {
                log.warn(
                        "heartbeat journal {}: the record at offset {} is {}; discarded {} bytes ({} heartbeats),"
                                + " kept the {} valid records around them",
                        file,
                        found.damageOffset(),
                        found.damage() == Damage.TORN
                                ? "cut short (the process or machine stopped while writing it)"
                                : "corrupt (its length or checksum does not match, or the file is larger than the journal"
                                        + " may be)",
                        found.damagedBytes(),
                        found.damagedRecords(),
                        segment.records());
                losses.lost(Journal.Loss.CORRUPT, found.damagedRecords());
            }
            if (segment.records() == 0) {
                segment.delete();
                continue;
            }
            segments.add(segment);
            nextSeq = segment.endSeq();
        }
        return segments;
    }
}
