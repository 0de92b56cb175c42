package dev.vantage.notify.http;

import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.nio.charset.StandardCharsets;
import okhttp3.Credentials;
import okhttp3.Headers;

/**
 * The {@code Authorization} header of a channel that takes either a bearer {@code token} or a {@code username} and
 * {@code password} (basic): ntfy and Alertmanager behind a proxy. The header value is a secret.
 */
public record HttpAuth(Secret authorization) {
    public static final HttpAuth NONE = new HttpAuth(null);

    /**
     * Reads {@code token}, or {@code username} with {@code password}; {@link #NONE} when neither is given.
     *
     * @throws InvalidChannelException naming the key at fault: both kinds given, or a username without password
     */
    public static HttpAuth read(ChannelSettingsReader s) throws InvalidChannelException {
        Secret token = s.secret("token");
        Secret username = s.secret("username");
        Secret password = s.secret("password");
        if (token != null && (username != null || password != null)) {
            throw ChannelSettingsReader.invalid("token", "give either token or username and password, not both");
        }
        if ((username == null) != (password == null)) {
            throw ChannelSettingsReader.invalid(
                    username == null ? "username" : "password", "username and password go together");
        }
        if (token != null) {
            printableAscii("token", token);
            return new HttpAuth(new Secret("Bearer " + token.reveal()));
        }
        if (username != null) {
            if (username.reveal().contains(":")) {
                throw ChannelSettingsReader.invalid("username", "must not contain ':' (basic authentication)");
            }
            return new HttpAuth(
                    new Secret(Credentials.basic(username.reveal(), password.reveal(), StandardCharsets.UTF_8)));
        }
        return NONE;
    }

    /** The headers to send: {@code Authorization}, or none. */
    public Headers headers() {
        return authorization == null
                ? Headers.of()
                : new Headers.Builder()
                        .add("Authorization", authorization.reveal())
                        .build();
    }

    /** A header value must be printable ASCII: HTTP clients refuse anything else, quoting the value. */
    private static void printableAscii(String key, Secret value) throws InvalidChannelException {
        if (!value.reveal().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ChannelSettingsReader.invalid(key, "must be printable ASCII without blanks");
        }
    }

    @Override
    public String toString() {
        return authorization == null ? "none" : "(secret)";
    }
}
