package dev.vantage.notify.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vantage.notify.ChannelSettingsReader;
import dev.vantage.notify.InvalidChannelException;
import dev.vantage.notify.Secret;
import java.time.Duration;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * A validated {@code telegram} channel.
 *
 * @param botToken the bot's token from BotFather ({@code <bot id>:<secret>}), a secret: it goes into the request path,
 *     which is why no URL of this channel is ever shown
 * @param chatId the chat: a numeric id (groups and channels are negative) or {@code @channelusername}
 * @param apiUrl the Bot API server: Telegram's, or a self-hosted {@code telegram-bot-api}
 * @param timeout the longest one attempt may take
 */
public record TelegramSettings(Secret botToken, String chatId, HttpUrl apiUrl, Duration timeout) {
    public static final Set<String> KEYS = Set.of("bot_token", "chat_id", "api_url", "timeout_ms");
    public static final HttpUrl DEFAULT_API_URL = HttpUrl.get("https://api.telegram.org");

    /** {@code <api_url>/bot<token>/sendMessage}. Holds the token: never log it. */
    HttpUrl sendMessageUrl() {
        return apiUrl.newBuilder()
                .addPathSegment("bot" + botToken.reveal())
                .addPathSegment("sendMessage")
                .build();
    }

    /** A numeric chat id is sent as a JSON number, a username as a string. */
    boolean numericChat() {
        return chatId.matches("-?[0-9]{1,19}");
    }

    static TelegramSettings from(JsonNode settings) throws InvalidChannelException {
        var s = ChannelSettingsReader.of(settings, KEYS);
        Secret token = s.requiredSecret("bot_token");
        if (!token.reveal().matches("[0-9]{1,20}:[A-Za-z0-9_-]{20,200}")) {
            throw ChannelSettingsReader.invalid(
                    "bot_token", "must be <bot id>:<secret> as BotFather issues it (value not shown)");
        }
        return new TelegramSettings(
                token,
                chatId(s),
                s.serverUrl("api_url", DEFAULT_API_URL),
                s.timeout("timeout_ms", Duration.ofSeconds(10)));
    }

    private static String chatId(ChannelSettingsReader s) throws InvalidChannelException {
        JsonNode n = s.node("chat_id");
        if (n == null) {
            throw ChannelSettingsReader.invalid("chat_id", "is required (a numeric chat id or @channelusername)");
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return Long.toString(n.longValue());
        }
        String id = n.isTextual() ? n.textValue() : "";
        if (!id.matches("-?[0-9]{1,19}") && !id.matches("@[A-Za-z][A-Za-z0-9_]{3,31}")) {
            throw ChannelSettingsReader.invalid("chat_id", "must be a numeric chat id or @channelusername");
        }
        return id;
    }
}
