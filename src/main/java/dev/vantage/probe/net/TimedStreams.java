package dev.vantage.probe.net;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Stream wrappers that stamp a {@link Trace} when bytes cross them, and otherwise pass every call straight through. */
final class TimedStreams {
    private TimedStreams() {}

    static InputStream in(InputStream in, Trace trace) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    trace.read();
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = in.read(buf, off, len);
                if (n > 0) {
                    trace.read();
                }
                return n;
            }
        };
    }

    static OutputStream out(OutputStream out, Trace trace) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                trace.writing();
                out.write(b);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                if (len > 0) {
                    trace.writing();
                }
                out.write(buf, off, len);
            }

            // flush() is not stamped: OkHttp flushes again after the last bytes left, which would move the end of
            // the request past the moment the server already had it.
            @Override
            public void flush() throws IOException {
                out.flush();
            }
        };
    }
}
