--! Previous: sha1:179f3e1490feb900f2f802480f549cfe86fe1682
--! Hash: sha1:3abb5248d59111d539dcd3f73941a7d1bc043c0a
--! Message: ingest: the group-commit functions keep generic plans for the session

-- Ingest: the group-commit functions keep their plans for the session.
--
-- PL/pgSQL plans each statement of a function once per session and then,
-- for statements with parameters, may keep re-planning them ("custom
-- plans") when the generic plan does not look cheaper. The statements of
-- warden_private.record_audit_batch (set-based validation and insert over
-- jsonb input) are large and their estimates over jsonb are guesses anyway,
-- so every call re-planned them: about 5 ms of fixed cost per group commit,
-- whatever its size (measured: a group of one event took 6.2 ms, ten events
-- 6.3 ms, 63 single-event requests 13 ms). With generic plans a call costs
-- 1.4 ms for one event and 5.5 ms for 63 single-event requests; batches of
-- hundreds of events are unchanged. None of these statements filters the
-- partitioned store by a parameter, so no partition pruning is lost.
alter function warden_private.record_audit_batch(jsonb) set plan_cache_mode = force_generic_plan;
alter function warden_private.record_audit_requests(jsonb) set plan_cache_mode = force_generic_plan;
alter function warden.record_audit_events(jsonb, text) set plan_cache_mode = force_generic_plan;
