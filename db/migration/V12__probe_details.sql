-- Probes now fill api_heartbeats.details too: what only one monitor type knows (a DNS answer, ping loss and round
-- trips, a certificate's expiry), ProbeResult.details in the code. No column changes; the comment says who writes it.
COMMENT ON COLUMN api_heartbeats.details IS 'What only one kind of heartbeat knows, a JSON object; NULL when there is nothing. Probes: type-specific facts named in the README section of the type (e.g. dns {"rcode": "NOERROR", "answers": ["192.0.2.1"]}); https: the server certificate (cert_days_left, cert_not_after, cert_subject, cert_issuer, cert_sans, cert_chain_valid, cert_expiry_warning), and assertions_failed when an assertion failed; plain http and tcp leave it NULL. Pushed beats: how the beat came, e.g. {"source": "http", "method": "POST", "remote": "192.0.2.7", "rid": "<uuid>", "exit_status": 3, "body_bytes": 1024}.';

-- Since issue 12 a probe streams the body and keeps only its first 65,536 characters (ProbeResult.MAX_BODY_CHARS), whatever
-- max_body_bytes says (that bounds what is read, not what is kept).
COMMENT ON COLUMN schedules.include_response_body IS 'Store the start of the response body (as text, at most 65,536 characters; the probe reads up to settings.max_body_bytes) in api_heartbeats.raw_response_body.';
COMMENT ON COLUMN api_heartbeats.raw_response_body IS 'Start of the response body as text (at most 65,536 characters, a cut one ends with a [cut, N bytes] marker), only when schedules.include_response_body is true.';
