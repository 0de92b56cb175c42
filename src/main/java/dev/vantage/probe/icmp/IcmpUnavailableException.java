package dev.vantage.probe.icmp;

import java.io.IOException;

/** The kernel allowed this process neither a ping socket nor a raw socket; the message says what each refusal was. */
final class IcmpUnavailableException extends IOException {
    IcmpUnavailableException(String refusals) {
        super(refusals);
    }
}
