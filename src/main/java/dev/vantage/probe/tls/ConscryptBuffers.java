package dev.vantage.probe.tls;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.conscrypt.AllocatedBuffer;
import org.conscrypt.BufferAllocator;

/**
 * Direct buffers for Conscrypt's sockets, kept and reused. Without an allocator each Conscrypt socket allocates two
 * direct buffers of about 16 KiB (one per engine, one per input stream) that only a garbage collection frees: at 200
 * probes/s that is 400 MiB a minute of native memory waiting for the next GC, which a large heap may not run for
 * minutes. With it, a socket takes its buffers from here and gives them back when it closes (and the engine gives back
 * each operation's at once), so native memory stays at the buffers of the probes in flight.
 */
final class ConscryptBuffers extends BufferAllocator {
    /** Above a TLS record (16,709 bytes with header and tag) and Conscrypt's application buffer size (16,384). */
    static final int SIZE = 17 * 1024;

    /** Free buffers kept at most (17 MiB); more in flight than that are left to the GC when released. */
    private static final int MAX_FREE = 1024;

    /** The one pool of the process: Conscrypt's default allocator is process-wide, and only probes use Conscrypt. */
    static final ConscryptBuffers SHARED = new ConscryptBuffers();

    private final ConcurrentLinkedDeque<ByteBuffer> free = new ConcurrentLinkedDeque<>();
    private final AtomicInteger freeCount = new AtomicInteger();

    @Override
    public AllocatedBuffer allocateDirectBuffer(int capacity) {
        if (capacity > SIZE) {
            return AllocatedBuffer.wrap(ByteBuffer.allocateDirect(capacity));
        }
        ByteBuffer buffer = free.pollFirst();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(SIZE);
        } else {
            freeCount.decrementAndGet();
        }
        buffer.clear().limit(capacity);
        return new Pooled(buffer);
    }

    /** Makes {@link #SHARED} the allocator of every Conscrypt socket created from now on. */
    static void install() {
        org.conscrypt.Conscrypt.setDefaultBufferAllocator(SHARED);
    }

    /** Buffers waiting for reuse (for tests and metrics). */
    int free() {
        return freeCount.get();
    }

    private final class Pooled extends AllocatedBuffer {
        private ByteBuffer buffer;

        Pooled(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer nioBuffer() {
            return buffer;
        }

        @Override
        public AllocatedBuffer release() {
            ByteBuffer b = buffer;
            buffer = null; // released twice: given back once
            if (b != null && freeCount.incrementAndGet() <= MAX_FREE) {
                free.offerFirst(b);
            } else if (b != null) {
                freeCount.decrementAndGet();
            }
            return this;
        }
    }
}
