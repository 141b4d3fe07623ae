--! Previous: sha1:793d8c7f51f3c921e6ca26423d9cd0523e3a2ba6
--! Hash: sha1:485be9830f7cb99ced329446bcc8339da98ca6cd
--! Message: audit queries: tenant/time index carries event_id for keyset pages

-- Audit queries: the tenant/time index also carries event_id, the
-- tie-breaker of every audit read's order (occurred_at, event_id). Keyset
-- pages ("(occurred_at, event_id) < (cursor)") then become an index range
-- read in the exact order, so page 1,000 costs what page 1 does; before,
-- the row comparison could not use the index and deep pages read and sorted
-- the tenant's whole history (~3.5 s at 1M events). The index replaces the
-- old (tenant_id, occurred_at) one: no extra index to maintain on writes,
-- 16 more bytes per entry.
drop index if exists warden.audit_events_tenant_time_idx;
create index audit_events_tenant_time_idx on warden.audit_events (tenant_id, occurred_at, event_id);
comment on index warden.audit_events_tenant_time_idx is
  'Tenant timeline in the exact order of audit reads (occurred_at, event_id): first pages, keyset cursor pages and exports.';
