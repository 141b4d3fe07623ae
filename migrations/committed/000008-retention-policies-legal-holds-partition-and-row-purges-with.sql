--! Previous: sha1:867f9be67e0ae3db2d22eed84fbe2738f43124b1
--! Hash: sha1:65301ac45ea398cc44f8f11940976ce48fa7c176
--! Message: Retention: policies, legal holds, partition and row purges with signed prune records

--------------------------------------------------------------------------------
-- Retention: policies per tenant and event type, legal holds, and the
-- governance functions that purge audit events past policy (whole monthly
-- partitions when possible, otherwise bounded row batches). Every purge
-- leaves its own audit event and a prune record that the sealing key signs
-- (in TypeScript), so `warden verify` accepts exactly what retention removed.
--------------------------------------------------------------------------------

create table warden_private.retention_policies (
  id uuid primary key default warden_private.uuid_v7(),
  tenant_id uuid references warden.tenants (id) on delete cascade,
  event_type_pattern text not null default '*'
    check (event_type_pattern = '*' or event_type_pattern ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$' and length(event_type_pattern) <= 200),
  days integer not null check (days between 1 and 2557),
  created_at timestamptz not null default now(),
  created_by text,
  updated_at timestamptz not null default now(),
  constraint retention_policies_unique unique nulls not distinct (tenant_id, event_type_pattern)
);
comment on table warden_private.retention_policies is
  'How long audit events are kept, in days (1 day to 7 years). The most specific policy wins: a tenant''s own over the default for all tenants (tenant_id null), then an exact event type over the longest matching prefix pattern (gateway.*) over *. Without any, AUDIT_RETENTION_DAYS (30 when unset).';
comment on column warden_private.retention_policies.id is 'Policy id.';
comment on column warden_private.retention_policies.tenant_id is 'The tenant; null: the default for every tenant (and for events outside any tenant).';
comment on column warden_private.retention_policies.event_type_pattern is 'An exact event type (gateway.request.sent), a prefix pattern ending in .* (gateway.*), or * for every event type.';
comment on column warden_private.retention_policies.days is 'Events older than this many days are purged (1..2557).';
comment on column warden_private.retention_policies.created_at is 'When the policy was created.';
comment on column warden_private.retention_policies.created_by is 'Who created or last changed it (actor id, or the database role).';
comment on column warden_private.retention_policies.updated_at is 'When the policy last changed.';

create table warden_private.legal_holds (
  id uuid primary key default warden_private.uuid_v7(),
  tenant_id uuid not null references warden.tenants (id) on delete cascade,
  resource_type text check (length(resource_type) <= 200),
  resource_id text check (length(resource_id) <= 1024),
  correlation_id text check (length(correlation_id) <= 200),
  reason text not null check (length(reason) between 1 and 2000),
  created_at timestamptz not null default now(),
  created_by text,
  released_at timestamptz,
  released_by text,
  constraint legal_holds_scope check (
    (resource_type is null and resource_id is null and correlation_id is null)
    or (resource_type is not null and resource_id is not null and correlation_id is null)
    or (resource_type is null and resource_id is null and correlation_id is not null))
);
comment on table warden_private.legal_holds is
  'Legal holds: while active (released_at null) retention purges none of the events they cover: every event of the tenant (no resource, no correlation id), of one resource (resource_type and resource_id), or of one correlation id.';
comment on column warden_private.legal_holds.id is 'Hold id.';
comment on column warden_private.legal_holds.tenant_id is 'The tenant whose events are held.';
comment on column warden_private.legal_holds.resource_type is 'With resource_id: hold only the events of this resource.';
comment on column warden_private.legal_holds.resource_id is 'With resource_type: hold only the events of this resource.';
comment on column warden_private.legal_holds.correlation_id is 'Hold only the events with this correlation id.';
comment on column warden_private.legal_holds.reason is 'Why (case number, request).';
comment on column warden_private.legal_holds.created_at is 'When the hold was placed.';
comment on column warden_private.legal_holds.created_by is 'Who placed it (actor id, or the database role).';
comment on column warden_private.legal_holds.released_at is 'When it was released; null while active.';
comment on column warden_private.legal_holds.released_by is 'Who released it.';
create index legal_holds_active on warden_private.legal_holds (tenant_id) where released_at is null;

create table warden_private.prune_records (
  id bigint generated always as identity primary key,
  tenant_key uuid not null,
  method text not null check (method in ('partition', 'rows')),
  partition_name text not null,
  range_from timestamptz,
  range_to timestamptz,
  sealed_through bigint not null default 0,
  event_ids uuid[],
  event_count bigint not null check (event_count >= 0),
  created_at timestamptz not null default now(),
  check ((method = 'partition' and range_from is not null and range_to is not null and event_ids is null)
      or (method = 'rows' and event_ids is not null and cardinality(event_ids) = event_count))
);
comment on table warden_private.prune_records is
  'What retention removed, per tenant: a dropped partition''s time range (events of the tenant sealed at or before sealed_through with occurred_at in [range_from, range_to)) or the exact event ids of a row batch. The verifier accepts a missing sealed event only when a prune record signed with the sealing key covers it.';
comment on column warden_private.prune_records.id is 'Record id (part of the signed message).';
comment on column warden_private.prune_records.tenant_key is 'The tenant (zero uuid for events outside any tenant).';
comment on column warden_private.prune_records.method is 'partition (a whole monthly partition dropped) or rows (a batch of deleted rows).';
comment on column warden_private.prune_records.partition_name is 'The partition the events were in.';
comment on column warden_private.prune_records.range_from is 'partition: start of the dropped range (inclusive).';
comment on column warden_private.prune_records.range_to is 'partition: end of the dropped range (exclusive).';
comment on column warden_private.prune_records.sealed_through is 'partition: the tenant''s last sealed sequence number when the partition was dropped; events sealed later are not covered.';
comment on column warden_private.prune_records.event_ids is 'rows: the deleted events.';
comment on column warden_private.prune_records.event_count is 'How many events were removed.';
comment on column warden_private.prune_records.created_at is 'When they were removed.';

create table warden_private.prune_record_signatures (
  record_id bigint primary key references warden_private.prune_records (id),
  signed_at timestamptz not null,
  key_id text not null,
  signature bytea not null
);
comment on table warden_private.prune_record_signatures is
  'Ed25519 signatures of prune records by the sealing key (signed in TypeScript right after a retention run, or by the next sealing pass; the key never enters the database).';
comment on column warden_private.prune_record_signatures.record_id is 'The prune record.';
comment on column warden_private.prune_record_signatures.signed_at is 'When it was signed (part of the signed message).';
comment on column warden_private.prune_record_signatures.key_id is 'Fingerprint of the signing key.';
comment on column warden_private.prune_record_signatures.signature is 'Ed25519 signature of the prune record message (see src/audit/pruneRecords.ts).';

create table warden_private.retention_state (
  id boolean primary key default true check (id),
  last_run_at timestamptz,
  rows_deleted bigint not null default 0,
  partitions_dropped bigint not null default 0
);
comment on table warden_private.retention_state is 'Retention totals (for metrics): one row.';
comment on column warden_private.retention_state.id is 'Always true: one row.';
comment on column warden_private.retention_state.last_run_at is 'When the last retention run (not a dry run) finished.';
comment on column warden_private.retention_state.rows_deleted is 'Audit events deleted by retention so far (row batches and dropped partitions).';
comment on column warden_private.retention_state.partitions_dropped is 'Audit partitions dropped by retention so far.';
insert into warden_private.retention_state (id) values (true);

do $$
declare
  t text;
begin
  foreach t in array array['retention_policies', 'legal_holds', 'prune_records', 'prune_record_signatures', 'retention_state'] loop
    execute format('alter table warden_private.%I enable row level security', t);
    execute format('alter table warden_private.%I force row level security', t);
    execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', t);
  end loop;
end;
$$;

-- What retention removed may never be rewritten.
create trigger _010_append_only before update or delete on warden_private.prune_records
  for each row execute function warden_private.tg_audit_append_only();
create trigger _010_append_only before update or delete on warden_private.prune_record_signatures
  for each row execute function warden_private.tg_audit_append_only();

-- Each sealed event's occurred_at, so a range prune record can be matched
-- to an event that is gone.
alter table warden_private.seal_blocks add column occurred_micros bytea;
alter table warden_private.seal_blocks add constraint seal_blocks_occurred_micros_length
  check (occurred_micros is null or length(occurred_micros) = 8 * cardinality(event_ids));
comment on column warden_private.seal_blocks.occurred_micros is
  'occurred_at of each event as 8-byte big-endian microseconds since 1970 (null in blocks sealed before retention existed), to match pruned events to prune records.';

--------------------------------------------------------------------------------
-- Rules
--------------------------------------------------------------------------------
create function warden_private.retention_default_days() returns integer
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_raw text := nullif(current_setting('warden.retention_default_days', true), '');
  v_days integer;
begin
  if v_raw is null then
    return 30;
  end if;
  if v_raw !~ '^[0-9]{1,9}$' then
    raise exception 'AUDIT_RETENTION_DAYS must be a whole number of days, got %', quote_literal(v_raw) using errcode = '22023';
  end if;
  v_days := v_raw::integer;
  if v_days not between 1 and 2557 then
    raise exception 'AUDIT_RETENTION_DAYS must be between 1 and 2557 (7 years), got %', v_days using errcode = '22023';
  end if;
  return v_days;
end;
$$;
comment on function warden_private.retention_default_days() is
  'The default retention in days: the setting warden.retention_default_days (set by the caller from AUDIT_RETENTION_DAYS), 30 when unset; 1..2557.';

create function warden_private.retention_days(tenant_id uuid, event_type text, default_days integer) returns integer
  language sql stable parallel safe
  -- no SET clause: called once per candidate row, keep the call cheap
as $$
  select coalesce((
    select p.days from warden_private.retention_policies p
    where (p.tenant_id = retention_days.tenant_id or p.tenant_id is null)
      and (p.event_type_pattern = '*' or p.event_type_pattern = retention_days.event_type
           or (pg_catalog.right(p.event_type_pattern, 2) = '.*'
               and pg_catalog.starts_with(retention_days.event_type, pg_catalog.left(p.event_type_pattern, -1))))
    order by (p.tenant_id is not null) desc, (p.event_type_pattern = retention_days.event_type) desc, pg_catalog.length(p.event_type_pattern) desc
    limit 1), default_days)
$$;
comment on function warden_private.retention_days(uuid, text, integer) is
  'Retention in days of an event of this tenant and type: the most specific policy (tenant over default, exact over longer prefix over *), else default_days.';

create function warden_private.retention_min_days(tenant_key uuid, default_days integer) returns integer
  language sql stable
  set search_path = pg_catalog
as $$
  select least(default_days, min(p.days)) from warden_private.retention_policies p
  where p.tenant_id is null or p.tenant_id = nullif(tenant_key, '00000000-0000-0000-0000-000000000000'::uuid)
$$;
comment on function warden_private.retention_min_days(uuid, integer) is
  'The shortest retention any event of the tenant can have: nothing younger is ever purged (bounds the row scan).';

create function warden_private.retention_max_days(default_days integer) returns integer
  language sql stable
  set search_path = pg_catalog
as $$
  select greatest(default_days, max(p.days)) from warden_private.retention_policies p
$$;
comment on function warden_private.retention_max_days(integer) is
  'The longest retention any event can have: a partition that ended longer ago than this is past policy as a whole.';

create function warden_private.is_held(tenant_id uuid, resource_type text, resource_id text, correlation_id text) returns boolean
  language sql stable parallel safe
  -- no SET clause: called once per candidate row, keep the call cheap
as $$
  select exists (
    select 1 from warden_private.legal_holds h
    where h.released_at is null and h.tenant_id = is_held.tenant_id
      and ((h.resource_type is null and h.correlation_id is null)
           or (h.resource_type = is_held.resource_type and h.resource_id = is_held.resource_id)
           or h.correlation_id = is_held.correlation_id))
$$;
comment on function warden_private.is_held(uuid, text, text, text) is 'True when an active legal hold covers an event with these fields.';

create function warden_private.partition_is_held(partition regclass) returns boolean
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_held boolean;
begin
  -- Few holds, each kind answered by one of the partition's tenant-leading
  -- indexes (an OR of the three would scan the whole partition).
  execute format(
    'select exists (select 1 from warden_private.legal_holds h
       where h.released_at is null and h.resource_type is null and h.correlation_id is null
         and exists (select 1 from %1$s e where e.tenant_id = h.tenant_id))
     or exists (select 1 from warden_private.legal_holds h
       where h.released_at is null and h.resource_type is not null
         and exists (select 1 from %1$s e where e.tenant_id = h.tenant_id and e.resource_type = h.resource_type
                                            and e.resource_id = h.resource_id))
     or exists (select 1 from warden_private.legal_holds h
       where h.released_at is null and h.correlation_id is not null
         and exists (select 1 from %1$s e where e.tenant_id = h.tenant_id and e.correlation_id = h.correlation_id))', partition)
    into v_held;
  return v_held;
end;
$$;
comment on function warden_private.partition_is_held(regclass) is 'True when an active legal hold covers any event in the partition.';

create function warden_private.audit_partitions()
  returns table (partition regclass, partition_name text, range_from timestamptz, range_to timestamptz)
  language sql stable
  set search_path = pg_catalog
as $$
  select c.oid::regclass, c.relname::text,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
  from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'warden.audit_events'::regclass
$$;
comment on function warden_private.audit_partitions() is 'Every partition of warden.audit_events with its range (null bounds for the default partition).';

create function warden_private.retention_droppable_partitions(default_days integer)
  returns table (partition regclass, partition_name text, range_from timestamptz, range_to timestamptz)
  language sql stable
  set search_path = pg_catalog
as $$
  select p.partition, p.partition_name, p.range_from, p.range_to
  from warden_private.audit_partitions() p
  where p.range_to is not null
    and p.range_to <= now() - make_interval(days => warden_private.retention_max_days(default_days))
    and not warden_private.partition_is_held(p.partition)
  order by p.range_from
$$;
comment on function warden_private.retention_droppable_partitions(integer) is
  'Monthly partitions whose every row is past any policy (the range ended longer ago than the longest retention) and not under a legal hold: the fast path drops them whole.';

create function warden_private.retention_tenant_keys() returns setof uuid
  language sql stable
  set search_path = pg_catalog
as $$
  select t.id from warden.tenants t
  union select h.tenant_key from warden_private.seal_heads h
  union select '00000000-0000-0000-0000-000000000000'::uuid
$$;
comment on function warden_private.retention_tenant_keys() is
  'Every tenant key whose events the row path visits: the tenants, every tenant with a sealed chain, and the zero uuid (events outside any tenant).';

create function warden_private.retention_plan(default_days integer)
  returns table (tenant_id uuid, partition_name text, method text, rows_purged bigint)
  language plpgsql stable
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_drop regclass[];
  p record;
begin
  select coalesce(array_agg(d.partition), '{}') into v_drop from warden_private.retention_droppable_partitions(default_days) d;
  for p in select d.partition, d.partition_name from warden_private.retention_droppable_partitions(default_days) d loop
    return query execute format(
      'select e.tenant_id, %L::text, ''partition''::text, count(*) from %s e group by 1 order by 1 nulls first',
      p.partition_name, p.partition);
  end loop;
  return query
    select e.tenant_id, c.relname::text, 'rows'::text, count(*)
    from warden.audit_events e
    join pg_class c on c.oid = e.tableoid
    where e.tableoid <> all (v_drop::oid[])
      and e.occurred_at < now() - make_interval(days => warden_private.retention_min_days(
            warden_private.tenant_key(e.tenant_id), default_days))
      and e.occurred_at < now() - make_interval(days => warden_private.retention_days(e.tenant_id, e.event_type, default_days))
      and not warden_private.is_held(e.tenant_id, e.resource_type, e.resource_id, e.correlation_id)
    group by 1, 2
    order by 2, 1 nulls first;
end;
$$;
comment on function warden_private.retention_plan(integer) is
  'What retention would purge, per tenant and partition: whole partitions (method partition) and rows past policy elsewhere (method rows).';

--------------------------------------------------------------------------------
-- Governance functions: the only code the append-only guard lets delete
-- audit rows (and, with the DDL guard of superuser.sql, drop partitions).
--------------------------------------------------------------------------------
create function warden_private.record_retention_event(tenant_key uuid, method text, partition_name text, rows_purged bigint,
  prune_record_id bigint, extra jsonb default '{}') returns void
  language sql volatile
  set search_path = pg_catalog
as $$
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, resource_type, resource_id,
    service, event_data)
  values (nullif(tenant_key, '00000000-0000-0000-0000-000000000000'::uuid), 'warden.retention.purge', 'governance', 'purge',
          'system', 'system', 'audit_partition', partition_name, 'warden',
          jsonb_build_object('version', 1, 'service', 'warden', 'operation', 'retention.purge', 'status', 'success',
                             'method', method, 'partition', partition_name, 'rows_deleted', rows_purged,
                             'prune_record_id', prune_record_id) || coalesce(extra, '{}'))
$$;
comment on function warden_private.record_retention_event(uuid, text, text, bigint, bigint, jsonb) is
  'Writes the warden.retention.purge audit event of one purge (actor system) for the tenant whose events were removed.';

create function warden_private.governance_drop_partition(partition_name text, default_days integer,
  expected_rows bigint default null, lock_timeout text default '2s')
  returns table (tenant_id uuid, rows_purged bigint, prune_record_id bigint)
  language plpgsql volatile
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_part record;
  v_total bigint;
  r record;
  v_record bigint;
  v_sealed bigint;
begin
  select d.* into v_part from warden_private.retention_droppable_partitions(default_days) d
  where d.partition_name = governance_drop_partition.partition_name;
  if not found then
    raise exception 'partition % is not entirely past retention and free of legal holds', quote_literal(partition_name)
      using errcode = '55000', hint = 'only monthly partitions whose every event is past policy and not held can be dropped';
  end if;
  perform set_config('lock_timeout', lock_timeout, true);
  perform set_config('warden.governance_operation', 'retention', true);
  -- Serialize with the sealer, so sealed_through is exact.
  perform pg_advisory_xact_lock(hashtext('warden.seal'));
  -- No writer may add rows to the partition from here on.
  execute format('lock table %s in share mode', v_part.partition);
  create temporary table if not exists warden_retention_counts (tenant_key uuid, n bigint) on commit drop;
  truncate warden_retention_counts;
  execute format('insert into warden_retention_counts select warden_private.tenant_key(e.tenant_id), count(*) from %s e group by 1',
    v_part.partition);
  select coalesce(sum(c.n), 0) into v_total from warden_retention_counts c;
  if expected_rows is not null and v_total <> expected_rows then
    raise exception 'partition % has % rows, expected % (rows arrived after archiving?)', partition_name, v_total, expected_rows
      using errcode = '40001';
  end if;
  execute format('alter table warden.audit_events detach partition %s', v_part.partition);
  execute format('drop table %s', v_part.partition);
  for r in select c.tenant_key, c.n from warden_retention_counts c order by 1 loop
    select h.last_seq into v_sealed from warden_private.seal_heads h where h.tenant_key = r.tenant_key;
    insert into warden_private.prune_records (tenant_key, method, partition_name, range_from, range_to, sealed_through, event_count)
    values (r.tenant_key, 'partition', v_part.partition_name, v_part.range_from, v_part.range_to, coalesce(v_sealed, 0), r.n)
    returning id into v_record;
    perform warden_private.record_retention_event(r.tenant_key, 'partition', v_part.partition_name, r.n, v_record,
      jsonb_build_object('range_from', v_part.range_from, 'range_to', v_part.range_to));
    tenant_id := nullif(r.tenant_key, '00000000-0000-0000-0000-000000000000'::uuid);
    rows_purged := r.n;
    prune_record_id := v_record;
    return next;
  end loop;
  update warden_private.retention_state set rows_deleted = rows_deleted + v_total, partitions_dropped = partitions_dropped + 1;
  drop table warden_retention_counts;
  perform set_config('warden.governance_operation', '', true);
end;
$$;
comment on function warden_private.governance_drop_partition(text, integer, bigint, text) is
  'Retention fast path: detaches and drops one monthly audit partition whose every event is past policy and not held (checked again here), with a prune record and a warden.retention.purge event per tenant. expected_rows (the archived count) must match. Waits at most lock_timeout for locks.';

create function warden_private.governance_purge_rows(tenant_key uuid, default_days integer,
  batch_size integer default 10000, lock_timeout text default '2s', after timestamptz default null)
  returns table (partition_name text, rows_purged bigint, prune_record_id bigint, last_occurred_at timestamptz)
  language plpgsql volatile
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_tenant uuid := nullif(tenant_key, '00000000-0000-0000-0000-000000000000'::uuid);
  v_min integer := warden_private.retention_min_days(tenant_key, default_days);
  v_drop oid[];
  r record;
  v_total bigint := 0;
  v_record bigint;
  v_last timestamptz;
begin
  if tenant_key is null then
    raise exception 'tenant_key is required (the zero uuid for events outside any tenant)' using errcode = '22023';
  end if;
  if batch_size is null or batch_size not between 1 and 100000 then
    raise exception 'batch_size must be between 1 and 100000, got %', batch_size using errcode = '22023';
  end if;
  perform set_config('lock_timeout', lock_timeout, true);
  perform set_config('warden.governance_operation', 'retention', true);
  select coalesce(array_agg(d.partition::oid), '{}') into v_drop from warden_private.retention_droppable_partitions(default_days) d;
  create temporary table if not exists warden_retention_deleted (event_id uuid, occurred_at timestamptz, part oid) on commit drop;
  truncate warden_retention_deleted;
  -- Dynamic, so each batch is planned with its own values: the tenant test
  -- must be a plain equality (or IS NULL) to use the (tenant_id,
  -- occurred_at) index, which yields the oldest rows first.
  execute format($q$
    with victims as (
      select e.event_id, e.occurred_at
      from warden.audit_events e
      where %s
        and e.tableoid <> all ($2)
        -- Resume where the previous batch ended: committed deletes leave dead
        -- index entries that a scan from the start would walk again and again.
        and ($3::timestamptz is null or e.occurred_at >= $3)
        and e.occurred_at < now() - make_interval(days => $4)
        and e.occurred_at < now() - make_interval(days => warden_private.retention_days(e.tenant_id, e.event_type, $5))
        and not warden_private.is_held(e.tenant_id, e.resource_type, e.resource_id, e.correlation_id)
      order by e.occurred_at
      limit $6
    ), deleted as (
      delete from warden.audit_events d using victims v
      where d.event_id = v.event_id and d.occurred_at = v.occurred_at
      returning d.event_id, d.occurred_at, d.tableoid
    )
    insert into warden_retention_deleted select deleted.event_id, deleted.occurred_at, deleted.tableoid from deleted$q$,
    case when v_tenant is null then 'e.tenant_id is null and $1::uuid is null' else 'e.tenant_id = $1' end)
  using v_tenant, v_drop, after, v_min, default_days, batch_size;
  select max(x.occurred_at) into v_last from warden_retention_deleted x;
  for r in
    select c.relname::text as part, array_agg(x.event_id order by x.event_id) as ids, count(*) as n
    from warden_retention_deleted x join pg_class c on c.oid = x.part
    group by c.relname order by 1
  loop
    insert into warden_private.prune_records (tenant_key, method, partition_name, event_ids, event_count)
    values (tenant_key, 'rows', r.part, r.ids, r.n)
    returning id into v_record;
    perform warden_private.record_retention_event(tenant_key, 'rows', r.part, r.n, v_record);
    v_total := v_total + r.n;
    partition_name := r.part;
    rows_purged := r.n;
    prune_record_id := v_record;
    last_occurred_at := v_last;
    return next;
  end loop;
  update warden_private.retention_state set rows_deleted = rows_deleted + v_total;
  drop table warden_retention_deleted;
  perform set_config('warden.governance_operation', '', true);
end;
$$;
comment on function warden_private.governance_purge_rows(uuid, integer, integer, text, timestamptz) is
  'Retention row path: deletes one bounded batch (oldest first, at most batch_size, from occurred_at >= after) of the tenant''s events that are past policy and not held, outside partitions the fast path drops; one prune record (the exact event ids) and one warden.retention.purge event per partition touched. Call until it returns no rows, passing the last_occurred_at it returned as after; commit between batches.';

create function warden.apply_retention(dry_run boolean default true)
  returns table (tenant_id uuid, partition_name text, method text, rows_purged bigint)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_default integer := warden_private.retention_default_days();
  v_dry boolean := coalesce(apply_retention.dry_run, true);
  v_name text;
  t record;
  b record;
  v_any boolean;
  v_after timestamptz;
begin
  if v_dry then
    return query select r.tenant_id, r.partition_name, r.method, r.rows_purged from warden_private.retention_plan(v_default) r;
    return;
  end if;
  foreach v_name in array (select coalesce(array_agg(d.partition_name order by d.range_from), '{}')
                           from warden_private.retention_droppable_partitions(v_default) d) loop
    return query select g.tenant_id, v_name, 'partition'::text, g.rows_purged
                 from warden_private.governance_drop_partition(v_name, v_default) g;
  end loop;
  create temporary table if not exists warden_retention_sums (tenant_id uuid, partition_name text, n bigint) on commit drop;
  truncate warden_retention_sums;
  for t in select k as tenant_key from warden_private.retention_tenant_keys() k order by 1 loop
    v_after := null;
    loop
      v_any := false;
      for b in select * from warden_private.governance_purge_rows(t.tenant_key, v_default, after => v_after) loop
        v_any := true;
        v_after := b.last_occurred_at;
        insert into warden_retention_sums values (nullif(t.tenant_key, '00000000-0000-0000-0000-000000000000'::uuid), b.partition_name, b.rows_purged);
      end loop;
      exit when not v_any;
    end loop;
  end loop;
  return query select s.tenant_id, s.partition_name, 'rows'::text, sum(s.n)::bigint
               from warden_retention_sums s group by 1, 2 order by 2, 1 nulls first;
  drop table warden_retention_sums;
  update warden_private.retention_state set last_run_at = now();
end;
$$;
comment on function warden.apply_retention(boolean) is
  E'@behavior -*\nApplies the retention policies: per tenant and partition, what is (dry_run, the default) or was purged. Whole partitions past every policy and free of legal holds are dropped (method partition); other rows past policy go in batches of 10,000 (method rows). In one call everything commits together: `warden retention` and the worker drive the same functions with a commit per batch and sign the prune records. Default retention: the setting warden.retention_default_days (AUDIT_RETENTION_DAYS), 30 days when unset.';

create function warden_private.finish_retention_run() returns timestamptz
  language sql volatile
  set search_path = pg_catalog
as $$
  update warden_private.retention_state set last_run_at = now() returning last_run_at
$$;
comment on function warden_private.finish_retention_run() is 'Records that a retention run (not a dry run) finished now.';

revoke all on function warden.apply_retention(boolean) from public;
revoke all on function warden_private.governance_drop_partition(text, integer, bigint, text) from public;
revoke all on function warden_private.governance_purge_rows(uuid, integer, integer, text, timestamptz) from public;

--------------------------------------------------------------------------------
-- Management through the API (tenant owner or admin), each change audited.
--------------------------------------------------------------------------------
create function warden_private.record_governance_change(event_type text, action text, resource_type text, resource_id text,
  event_data jsonb) returns void
  language sql volatile
  set search_path = pg_catalog
as $$
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, resource_type, resource_id,
    trace_id, service, event_data)
  values (warden.current_tenant_id(), event_type, 'governance', action,
          case when nullif(current_setting('jwt.claims.actor_id', true), '') is null then 'db_role'
               else coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user') end::warden.actor_type,
          coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user),
          resource_type, resource_id, nullif(current_setting('warden.trace_id', true), ''), 'warden',
          jsonb_build_object('version', 1, 'service', 'warden', 'operation', event_type, 'status', 'success') || event_data)
$$;
comment on function warden_private.record_governance_change(text, text, text, text, jsonb) is
  'Writes the audit event of a change to retention policies or legal holds, with the caller''s actor and tenant.';
create function warden.set_retention_policy(event_type_pattern text, days integer) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
  v_by text := coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user);
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'setting a retention policy requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if days is null or days not between 1 and 2557 then
    raise exception 'days must be between 1 and 2557 (7 years), got %', coalesce(days::text, 'null') using errcode = '22023';
  end if;
  if event_type_pattern is null or not (event_type_pattern = '*' or
       event_type_pattern ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$' and length(event_type_pattern) <= 200) then
    raise exception 'invalid event_type_pattern %: expected *, an event type, or a prefix ending in .*', coalesce(quote_literal(event_type_pattern), 'null')
      using errcode = '22023';
  end if;
  insert into warden_private.retention_policies (tenant_id, event_type_pattern, days, created_by)
  values (warden.current_tenant_id(), event_type_pattern, days, v_by)
  on conflict on constraint retention_policies_unique
    do update set days = excluded.days, created_by = excluded.created_by, updated_at = now()
  returning id into v_id;
  perform warden_private.record_governance_change('warden.retention.policy_set', 'update', 'retention_policy', v_id::text,
    jsonb_build_object('event_type_pattern', event_type_pattern, 'days', days));
  return v_id;
end;
$$;
comment on function warden.set_retention_policy(text, integer) is
  'Sets how many days (1..2557) the current tenant keeps events matching event_type_pattern (*, an exact type, or a prefix like gateway.*); replaces an existing policy for the same pattern. Tenant owner or admin.';

create function warden.remove_retention_policy(event_type_pattern text) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'removing a retention policy requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  delete from warden_private.retention_policies p
  where p.tenant_id = warden.current_tenant_id() and p.event_type_pattern = remove_retention_policy.event_type_pattern
  returning p.id into v_id;
  if v_id is null then
    return false;
  end if;
  perform warden_private.record_governance_change('warden.retention.policy_removed', 'delete', 'retention_policy', v_id::text,
    jsonb_build_object('event_type_pattern', event_type_pattern));
  return true;
end;
$$;
comment on function warden.remove_retention_policy(text) is
  'Removes the current tenant''s retention policy for event_type_pattern (the defaults apply again); false when there was none. Tenant owner or admin.';

create function warden.place_legal_hold(reason text, resource_type text default null, resource_id text default null,
  correlation_id text default null) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'placing a legal hold requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if reason is null or length(btrim(reason)) = 0 or length(reason) > 2000 then
    raise exception 'a legal hold needs a reason (1 to 2000 characters)' using errcode = '22023';
  end if;
  if (resource_type is null) <> (resource_id is null) then
    raise exception 'resource_type and resource_id go together' using errcode = '22023';
  end if;
  if resource_type is not null and correlation_id is not null then
    raise exception 'a legal hold covers the whole tenant, one resource or one correlation id, not several' using errcode = '22023';
  end if;
  insert into warden_private.legal_holds (tenant_id, resource_type, resource_id, correlation_id, reason, created_by)
  values (warden.current_tenant_id(), resource_type, resource_id, correlation_id, reason,
          coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user))
  returning id into v_id;
  perform warden_private.record_governance_change('warden.legal_hold.placed', 'create', 'legal_hold', v_id::text,
    jsonb_build_object('reason', reason, 'resource_type', resource_type, 'resource_id', resource_id, 'correlation_id', correlation_id));
  return v_id;
end;
$$;
comment on function warden.place_legal_hold(text, text, text, text) is
  'Places a legal hold on the current tenant''s events: all of them (no resource, no correlation id), one resource, or one correlation id; retention purges nothing it covers until it is released. Tenant owner or admin.';

create function warden.release_legal_hold(hold_id uuid) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'releasing a legal hold requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  update warden_private.legal_holds h
  set released_at = now(), released_by = coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user)
  where h.id = hold_id and h.tenant_id = warden.current_tenant_id() and h.released_at is null;
  if not found then
    raise exception 'no active legal hold % in this tenant', hold_id using errcode = 'P0002';
  end if;
  perform warden_private.record_governance_change('warden.legal_hold.released', 'release', 'legal_hold', hold_id::text, '{}');
  return true;
end;
$$;
comment on function warden.release_legal_hold(uuid) is 'Releases an active legal hold of the current tenant. Tenant owner or admin.';

revoke all on function warden.set_retention_policy(text, integer), warden.remove_retention_policy(text),
  warden.place_legal_hold(text, text, text, text), warden.release_legal_hold(uuid) from public;
grant execute on function warden.set_retention_policy(text, integer), warden.remove_retention_policy(text),
  warden.place_legal_hold(text, text, text, text), warden.release_legal_hold(uuid) to warden_visitor;
