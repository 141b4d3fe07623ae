--! Previous: sha1:d22131dc0547f8a91241067250bd218ee6c6df67
--! Hash: sha1:3e91508fc482615d4ffb6d0a29acab83ee26c3aa
--! Message: redacted reads: address and user-agent masks inlined

-- Redacted reads: the address and user-agent masks are inlined.
--
-- warden_private.redact_ip and redact_ua are single SQL expressions, but
-- they were declared immutable while calling stable built-ins (convert_to,
-- encode), so PostgreSQL called them as functions for every row instead of
-- inlining them (~15 us a row each). Declared stable, as they are, the
-- planner inlines them into warden.audit_events_redacted.
alter function warden_private.redact_ip(jsonb, inet) stable;
alter function warden_private.redact_ua(jsonb, text) stable;
