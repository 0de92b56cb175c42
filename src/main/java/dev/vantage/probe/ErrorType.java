package dev.vantage.probe;

/**
 * Why a probe failed, stored in {@code api_heartbeats.error_type}. A small, documented set: the README lists each with
 * the target that produces it, and every value is produced by a real failing target in a test.
 */
public enum ErrorType {
    /** The host name did not resolve; for a {@code dns} monitor, the rcode or the answers were not the expected ones. */
    DNS,
    /** The TCP connection was refused, reset or unreachable. */
    CONNECT,
    /** The TLS handshake failed (certificate not trusted, expired, wrong host name, protocol mismatch). */
    TLS,
    /** The probe's deadline passed; the message names the phase it was in. */
    TIMEOUT,
    /** The response status was not one of the expected ones. */
    HTTP_STATUS,
    /** The body could not be read completely, or did not contain the expected text. */
    BODY,
    /** The peer answered with something that is not valid for the protocol (malformed status line, TCP expect). */
    PROTOCOL,
    /** The monitor row cannot be run (bad URL, unknown type, bad setting); the message names the field. */
    INVALID_CONFIG,
    /** A defect in Vantage itself; logged with its stack trace. */
    INTERNAL
}
