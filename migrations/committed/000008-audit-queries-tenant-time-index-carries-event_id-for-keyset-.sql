--! Previous: sha1:9c24cfaf68ac402ca4f37db8a8f4588108fcc606
--! Hash: sha1:f0b4b165133f1a42467444d505518c650fffd8c8
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
