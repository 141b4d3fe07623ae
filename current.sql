-- Issue 12, item 6 (a leaner row event): the resource index without occurred_at.
--
-- (tenant_id, resource_type, resource_id, occurred_at) gave every event its
-- own index tuple (about 113 B per event for row events written many
-- tenants at once). Without occurred_at, the events of one resource share a
-- key and B-tree deduplication stores them as one posting list: a row's
-- second and later events cost about 8 B in this index. Queries by resource
-- read the resource's entries and sort them by time (a top-N sort), which
-- stays fast for any realistic number of events per resource.
--
-- Idempotent: rebuilt only while the index still has its old definition.
-- On a partitioned table with existing events, creating the parent index
-- builds it on every partition (once).
do $$
begin
  if exists (
    select 1 from pg_index i
    where i.indexrelid = to_regclass('warden.audit_events_resource_idx')
      and pg_get_indexdef(i.indexrelid) like '%occurred_at%'
  ) then
    drop index warden.audit_events_resource_idx;
  end if;
end
$$;

create index if not exists audit_events_resource_idx on warden.audit_events (tenant_id, resource_type, resource_id);

comment on index warden.audit_events_resource_idx is 'Events by resource (REST resource_type/resource_id filters): one deduplicated posting list per resource; the time order comes from a sort of that resource''s entries.';
