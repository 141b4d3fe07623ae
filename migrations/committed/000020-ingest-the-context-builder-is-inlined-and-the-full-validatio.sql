--! Previous: sha1:a80a158ba3e4ee890d2b29385e951d1391896e5c
--! Hash: sha1:68178fc6a38538c46422b82602ff91707b881714
--! Message: ingest: the context builder is inlined and the full validation rules stay a function call, built only when an event needs them

-- Ingest: less fixed cost per group-commit statement.
--
-- warden_private.ingest_context_from_settings was declared immutable around
-- jsonb_build_object (stable), which kept the planner from inlining it: a
-- SQL function call per request. It is stable, and now inlined.
alter function warden_private.ingest_context_from_settings(jsonb) stable;

-- The full validation rules run only for events the shortcut does not clear
-- (audit_event_is_plainly_valid). Inlined, their ~150-node expression was
-- compiled and permission-checked at the start of every statement that
-- validates, used or not; behind a SET clause they stay a function call,
-- built only when an event needs them.
alter function warden_private.audit_event_rule_problems(jsonb, text) set search_path = pg_catalog;
