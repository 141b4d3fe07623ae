--! Previous: sha1:485be9830f7cb99ced329446bcc8339da98ca6cd
--! Hash: sha1:52633fa59bd84c47f043416f47dbd5eb29a55bb5
--! Message: audit reads: the tenant view is not a security barrier (pages walk the index in order)

-- Audit reads: let the planner flatten the tenant view into each query.
--
-- warden_private.audit_events_readable was a security-barrier view. A
-- barrier view is planned as a separate subquery, so an audit page
-- ("order by occurred_at desc, event_id desc limit 100", with or without a
-- keyset cursor) could no longer walk the (tenant_id, occurred_at,
-- event_id) index in order: PostgreSQL read and sorted the tenant's whole
-- history, ~0.4 s a page at 1M events instead of ~3 ms.
--
-- What the barrier protected against: a caller's own non-leakproof
-- condition seeing other tenants' rows before the tenant filter. Every
-- caller who can write SQL as warden_visitor sets the request context
-- (jwt.claims.*) itself, so the barrier added no protection against them;
-- REST and GraphQL only add conditions built from fixed operators. The
-- tenant and role filter stays in the view, and the store's row-level
-- security and column grants are unchanged.
alter view warden_private.audit_events_readable reset (security_barrier);
comment on view warden_private.audit_events_readable is
  'The audit events the caller may read (its tenant; owners, admins and auditors), raw. Only warden.audit_events_redacted reads it. Not a security barrier, so audit pages walk the tenant/time index in order.';
