package dev.vantage.testing;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * A subscriber of one Pub/Sub channel of a {@link RedisServer}, as a program waiting for Vantage's notices on a
 * {@code redis} channel would be: {@link #on} returns once the subscription is in place, so nothing published after it
 * is missed, and {@link #next} takes the messages in order.
 */
public final class RedisSubscriber implements AutoCloseable {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private final Jedis jedis;
    private final JedisPubSub pubSub = new JedisPubSub() {
        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            subscribed.countDown();
        }

        @Override
        public void onMessage(String channel, String message) {
            received.add(message);
        }
    };
    private final Thread thread;

    private RedisSubscriber(RedisServer server, String channel) {
        this.jedis = new Jedis(
                new HostAndPort("127.0.0.1", server.port()),
                DefaultJedisClientConfig.builder()
                        .timeoutMillis(0) // a subscriber waits for messages as long as it takes
                        .autoNegotiateProtocol(false)
                        .build());
        this.thread = Thread.ofVirtual().name("redis-subscriber").start(() -> jedis.subscribe(pubSub, channel));
    }

    /**
     * Subscribes and waits until the server confirms it.
     *
     * @throws IllegalStateException when the subscription is not confirmed within 5 s
     */
    public static RedisSubscriber on(RedisServer server, String channel) throws InterruptedException {
        var subscriber = new RedisSubscriber(server, channel);
        if (!subscriber.subscribed.await(5, TimeUnit.SECONDS)) {
            subscriber.close();
            throw new IllegalStateException("no subscription to " + channel + " within 5 s");
        }
        return subscriber;
    }

    /** The next message, or null when none comes within {@code timeout}. */
    public String next(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        try {
            if (pubSub.isSubscribed()) {
                pubSub.unsubscribe();
            }
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the connection is gone already
        } finally {
            jedis.close();
        }
    }
}
