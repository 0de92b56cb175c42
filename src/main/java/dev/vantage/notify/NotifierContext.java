package dev.vantage.notify;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * What notifiers share, built once by the caller.
 *
 * @param database the database the {@code postgres} notifier sends NOTIFY on; null where there is none (a tool run
 *     without a database), and that notifier then answers every attempt with a retry
 * @param clock the time source for send timestamps and deadlines
 * @param http the HTTP client every HTTP notifier sends through (one connection pool and dispatcher for all)
 */
public record NotifierContext(DataSource database, Clock clock, OkHttpClient http) {
    public NotifierContext {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(http, "http");
    }

    /** A context with the default HTTP client. */
    public static NotifierContext of(DataSource database, Clock clock) {
        return new NotifierContext(database, clock, defaultHttpClient());
    }

    /**
     * The client HTTP notifiers use: no redirects (a POST redirected is a misconfigured receiver, and following it
     * could carry the body elsewhere), no silent retries (the delivery loop retries with backoff), and no per-phase
     * timeouts, since each call gets one timeout from its deadline.
     */
    public static OkHttpClient defaultHttpClient() {
        return new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(4, 1, TimeUnit.MINUTES))
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(0, TimeUnit.MILLISECONDS)
                .readTimeout(0, TimeUnit.MILLISECONDS)
                .writeTimeout(0, TimeUnit.MILLISECONDS)
                .build();
    }
}
