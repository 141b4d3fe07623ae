--! Previous: sha1:a06b88420b1db2cffbf5e683a5f946f785b1a4ca
--! Hash: sha1:276a8e3ba98d28fbccd8e41ff14b4daa2bee587f
--! Message: auditing core: partitioned append-only store, trigger capture, row history, coverage, sealing tables

-- Warden auditing core: the unified, monthly-partitioned, append-only audit
-- store; partition maintenance; capture by statement-level triggers; row
-- history; coverage; sealing bookkeeping for tamper evidence.
-- Design notes: docs/auditing.md.

--------------------------------------------------------------------------------
-- Types
--------------------------------------------------------------------------------
create type warden.audit_outcome as enum ('success', 'failure', 'unknown');
comment on type warden.audit_outcome is 'How an audited operation ended.';

create type warden.audit_severity as enum ('debug', 'info', 'notice', 'warning', 'error', 'critical');
comment on type warden.audit_severity is 'Severity of an audit event, ordered from debug (lowest) to critical.';

create type warden.actor_type as enum ('user', 'api_key', 'service', 'system', 'db_role');
comment on type warden.actor_type is
  'Kind of actor: a user, an API key (service account), a named service, Warden itself (system), or a database role connecting directly.';

--------------------------------------------------------------------------------
-- Time-ordered event ids (UUID version 7 layout: 48-bit Unix milliseconds,
-- then random bits), so new ids land at the right edge of the id index
-- instead of at random pages. PostgreSQL 18 has uuidv7(); 15 does not.
--------------------------------------------------------------------------------
create function warden_private.uuid_v7() returns uuid
  language sql volatile parallel safe
  -- no SET clause: inlined into the column default
as $$
  select encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
              from 1 for 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;
comment on function warden_private.uuid_v7() is 'A UUID version 7: millisecond timestamp prefix, 74 random bits.';

--------------------------------------------------------------------------------
-- The unified store
--------------------------------------------------------------------------------
create table warden.audit_events (
  event_id uuid not null default warden_private.uuid_v7(),
  occurred_at timestamptz not null default now(),
  recorded_at timestamptz not null default statement_timestamp(),
  tenant_id uuid,
  event_type text not null check (event_type ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$' and length(event_type) <= 200),
  category text not null check (length(category) between 1 and 64),
  action text not null check (length(action) between 1 and 64),
  outcome warden.audit_outcome not null default 'success',
  severity warden.audit_severity not null default 'info',
  actor_type warden.actor_type not null,
  actor_id text not null check (length(actor_id) between 1 and 256),
  actor_ip inet,
  user_agent text check (length(user_agent) <= 1024),
  resource_type text check (length(resource_type) <= 200),
  resource_id text check (length(resource_id) <= 1024),
  correlation_id text check (length(correlation_id) <= 200),
  trace_id text check (length(trace_id) <= 200),
  parent_event_id uuid,
  service text check (length(service) <= 200),
  txid bigint not null default (pg_current_xact_id()::text::bigint),
  table_name text,
  row_pk jsonb,
  changed_fields text[],
  old_values jsonb,
  new_values jsonb,
  event_data jsonb,
  primary key (event_id, occurred_at),
  constraint audit_events_system_actor check (actor_type <> 'system' or actor_id = 'system')
) partition by range (occurred_at);

comment on table warden.audit_events is
  E'@behavior -insert -update -delete\nEvery audit event of every tenant: row changes captured by triggers and events posted by services. Monthly partitions (warden_private.audit_events_pYYYYMM) plus a default partition. Append-only: UPDATE, DELETE and TRUNCATE fail except inside Warden''s governance functions.';
comment on column warden.audit_events.event_id is 'Unique id of the event (UUID version 7: time-ordered).';
comment on column warden.audit_events.occurred_at is 'When it happened (for row events: the start of the writing transaction). Partition key.';
comment on column warden.audit_events.recorded_at is 'When Warden stored it.';
comment on column warden.audit_events.tenant_id is 'The tenant the event belongs to; null for events outside any tenant.';
comment on column warden.audit_events.event_type is 'Dotted, lower-case type, e.g. db.public.orders.update or gateway.signal.received.';
comment on column warden.audit_events.category is 'Broad category: data (row changes), ddl, or the first segment of event_type for posted events.';
comment on column warden.audit_events.action is 'What was done: insert, update, delete, truncate, or the posted action.';
comment on column warden.audit_events.outcome is 'success, failure or unknown.';
comment on column warden.audit_events.severity is 'debug, info, notice, warning, error or critical.';
comment on column warden.audit_events.actor_type is 'user, api_key, service, system or db_role.';
comment on column warden.audit_events.actor_id is 'Who acted: user id, API key id, service name, "system", or the database role.';
comment on column warden.audit_events.actor_ip is 'Client address of the actor, when known.';
comment on column warden.audit_events.user_agent is 'User agent of the actor, when known.';
comment on column warden.audit_events.resource_type is 'Type of the affected resource (for row events: the table, or the resource_type option).';
comment on column warden.audit_events.resource_id is 'Id of the affected resource (for row events: the primary key; composite keys as JSON).';
comment on column warden.audit_events.correlation_id is 'Groups the events of one request or remediation across services.';
comment on column warden.audit_events.trace_id is 'Trace id of the request (W3C trace id or X-Request-Id); events of one transaction share it.';
comment on column warden.audit_events.parent_event_id is 'The event that caused this one, when known.';
comment on column warden.audit_events.service is 'The service that produced the event (for direct connections: application_name).';
comment on column warden.audit_events.txid is 'Id of the writing transaction; events of one transaction share it.';
comment on column warden.audit_events.table_name is 'For row events: the audited table (schema.table).';
comment on column warden.audit_events.row_pk is 'For row events: the primary key as a JSON object; null for tables without one (old_values then holds the whole row).';
comment on column warden.audit_events.changed_fields is 'For updates: the columns whose values changed.';
comment on column warden.audit_events.old_values is 'For updates: old values of the changed columns (all columns with capture=full or without a primary key); for deletes: the row.';
comment on column warden.audit_events.new_values is 'For updates: new values of the changed columns (all columns with capture=full); for inserts: the row.';
comment on column warden.audit_events.event_data is
  'Event payload following the common envelope {version, service, operation, status, attempt?, retry_reason?, source_payload?}; for truncates {row_count}.';

-- The seed documents' audit_logs, as a view over the unified store (row-level
-- security applies through security_invoker). Mapping: docs/auditing.md.
create view warden.audit_logs with (security_invoker = true) as
  select e.event_id as id, e.actor_id, e.actor_type::text as actor_type, e.action,
         coalesce(e.resource_type, e.table_name) as target_type, e.resource_id as target_id,
         coalesce(e.event_data, '{}'::jsonb) as metadata, e.actor_ip as ip_address, e.user_agent,
         e.occurred_at as created_at, e.tenant_id, e.event_type, e.outcome::text as outcome
  from warden.audit_events e;
comment on view warden.audit_logs is
  E'@behavior -*\nCompatibility view: the audit_logs shape of the seed design (id, actor, target, metadata, ip, user agent, created_at) over warden.audit_events.';
comment on column warden.audit_logs.id is 'audit_events.event_id.';
comment on column warden.audit_logs.actor_id is 'audit_events.actor_id (a system actor has actor_id system).';
comment on column warden.audit_logs.actor_type is 'audit_events.actor_type.';
comment on column warden.audit_logs.action is 'audit_events.action.';
comment on column warden.audit_logs.target_type is 'audit_events.resource_type (the table for row events).';
comment on column warden.audit_logs.target_id is 'audit_events.resource_id.';
comment on column warden.audit_logs.metadata is 'audit_events.event_data.';
comment on column warden.audit_logs.ip_address is 'audit_events.actor_ip.';
comment on column warden.audit_logs.user_agent is 'audit_events.user_agent.';
comment on column warden.audit_logs.created_at is 'audit_events.occurred_at.';
comment on column warden.audit_logs.tenant_id is 'audit_events.tenant_id.';
comment on column warden.audit_logs.event_type is 'audit_events.event_type.';
comment on column warden.audit_logs.outcome is 'audit_events.outcome.';
grant select on warden.audit_logs to warden_visitor;

-- Indexes for the queries users run; each leads with the tenant, which
-- row-level security always constrains.
create index audit_events_tenant_time_idx on warden.audit_events (tenant_id, occurred_at);
create index audit_events_correlation_idx on warden.audit_events (tenant_id, correlation_id) where correlation_id is not null;
create index audit_events_trace_idx on warden.audit_events (tenant_id, trace_id) where trace_id is not null;
create index audit_events_resource_idx on warden.audit_events (tenant_id, resource_type, resource_id, occurred_at);
create index audit_events_type_idx on warden.audit_events (tenant_id, event_type, occurred_at);
create index audit_events_actor_idx on warden.audit_events (tenant_id, actor_id, occurred_at);
create index audit_events_outcome_idx on warden.audit_events (tenant_id, outcome, occurred_at) where outcome <> 'success';
create index audit_events_data_idx on warden.audit_events using gin (event_data jsonb_path_ops) where event_data is not null;
-- Sealing walks transactions in id order; txid grows with insertion order, so BRIN is tiny and enough.
create index audit_events_txid_brin on warden.audit_events using brin (txid) with (pages_per_range = 16);

--------------------------------------------------------------------------------
-- Append-only guard
--------------------------------------------------------------------------------
create function warden_private.in_governance_operation() returns boolean
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_stack text;
begin
  -- A governance function announces itself with a transaction-local
  -- setting AND must really be on the call stack: setting the flag by hand
  -- is not enough.
  if coalesce(current_setting('warden.governance_operation', true), '') = '' then
    return false;
  end if;
  get diagnostics v_stack = pg_context;
  return v_stack ~ 'function (warden\.drain_default_partition|warden_private\.governance_[a-z_]+)\(';
end;
$$;
comment on function warden_private.in_governance_operation() is
  'True only inside one of Warden''s governance functions (partition drain, retention, erasure), which may rewrite audit rows and leave their own events.';

create function warden_private.tg_audit_append_only() returns trigger
  language plpgsql
  set search_path = pg_catalog
as $$
begin
  if warden_private.in_governance_operation() then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  raise exception '% on %.% is not allowed: the audit log is append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = '42501',
          hint = 'retention and GDPR erasure go through Warden''s governance functions, which leave their own audit events';
end;
$$;
comment on function warden_private.tg_audit_append_only() is 'Trigger: refuses UPDATE, DELETE and TRUNCATE on audit tables outside governance functions.';

create trigger _010_append_only before update or delete on warden.audit_events
  for each row execute function warden_private.tg_audit_append_only();
create trigger _010_append_only_truncate before truncate on warden.audit_events
  for each statement execute function warden_private.tg_audit_append_only();


--------------------------------------------------------------------------------
-- Row-level security: a tenant sees its own events; only owner, admin and
-- auditor read them.
--------------------------------------------------------------------------------
alter table warden.audit_events enable row level security;
alter table warden.audit_events force row level security;
create policy owner_maintenance on warden.audit_events to warden_owner using (true) with check (true);
create policy select_auditors on warden.audit_events for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin,auditor}'));
grant select on warden.audit_events to warden_visitor;

--------------------------------------------------------------------------------
-- Partition management (pg_partman vocabulary: premake, default partition)
--------------------------------------------------------------------------------
create table warden_private.audit_events_default partition of warden.audit_events default;
comment on table warden_private.audit_events_default is
  'Default partition: catches events outside every monthly partition (far past or future); warden.drain_default_partition() moves them out.';
create trigger _010_append_only_truncate before truncate on warden_private.audit_events_default
  for each statement execute function warden_private.tg_audit_append_only();
alter table warden_private.audit_events_default enable row level security;
alter table warden_private.audit_events_default force row level security;
create policy owner_maintenance on warden_private.audit_events_default to warden_owner using (true) with check (true);

create function warden_private.audit_partition_name(month_start date) returns text
  language sql immutable
  set search_path = pg_catalog
as $$
  select 'audit_events_p' || to_char(month_start, 'YYYYMM')
$$;
comment on function warden_private.audit_partition_name(date) is 'Name of the monthly partition that starts at month_start.';

create function warden_private.create_audit_partition(month_start date) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_name text := warden_private.audit_partition_name(month_start);
begin
  if to_regclass('warden_private.' || v_name) is not null then
    return false;
  end if;
  execute format(
    'create table warden_private.%I partition of warden.audit_events for values from (%L) to (%L)',
    v_name, month_start::timestamptz, (month_start + interval '1 month')::timestamptz);
  execute format('comment on table warden_private.%I is %L', v_name,
    'Audit events of ' || to_char(month_start, 'YYYY-MM') || ' (partition of warden.audit_events).');
  -- Statement-level triggers are not inherited by partitions.
  execute format('create trigger _010_append_only_truncate before truncate on warden_private.%I
    for each statement execute function warden_private.tg_audit_append_only()', v_name);
  execute format('alter table warden_private.%I enable row level security', v_name);
  execute format('alter table warden_private.%I force row level security', v_name);
  execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', v_name);
  return true;
end;
$$;
comment on function warden_private.create_audit_partition(date) is
  'Creates the monthly partition starting at month_start (with its guard trigger and policies) unless it exists; true when created.';

create function warden.ensure_partitions(months_ahead integer default 3) returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_month date := date_trunc('month', now() at time zone 'UTC')::date;
  v_created integer := 0;
  v_lo timestamptz;
  v_hi timestamptz;
begin
  if months_ahead is null or months_ahead < 0 or months_ahead > 120 then
    raise exception 'months_ahead must be between 0 and 120, got %', months_ahead using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('warden.ensure_partitions'));
  for i in 0 .. months_ahead loop
    v_lo := (v_month + make_interval(months => i))::timestamptz;
    v_hi := (v_month + make_interval(months => i + 1))::timestamptz;
    if exists (select 1 from warden_private.audit_events_default where occurred_at >= v_lo and occurred_at < v_hi) then
      -- Rows for this month sit in the default partition: move them out
      -- (creating the partition) instead of failing.
      v_created := v_created + warden.drain_default_partition();
    elsif warden_private.create_audit_partition((v_month + make_interval(months => i))::date) then
      v_created := v_created + 1;
    end if;
  end loop;
  return v_created;
end;
$$;
comment on function warden.ensure_partitions(integer) is
  'Creates the monthly audit partitions for the current month and months_ahead more (premake); idempotent. Returns how many partitions were created. Runs on migrate and daily in the worker.';

create function warden.partition_health()
  returns table (
    partition_name text,
    range_start timestamptz,
    range_end timestamptz,
    is_default boolean,
    estimated_rows bigint,
    total_bytes bigint,
    months_of_headroom integer,
    default_rows bigint
  )
  language plpgsql stable
  security definer
  set search_path = pg_catalog
as $$
declare
  v_headroom integer;
  v_default bigint;
begin
  select count(*) into v_default from warden_private.audit_events_default;
  -- Headroom: consecutive monthly partitions premade after the current month.
  v_headroom := 0;
  while to_regclass('warden_private.' || warden_private.audit_partition_name(
          (date_trunc('month', now() at time zone 'UTC') + make_interval(months => v_headroom + 1))::date)) is not null loop
    v_headroom := v_headroom + 1;
  end loop;
  return query
  select c.relname::text,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz,
         pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
         case when c.oid = 'warden_private.audit_events_default'::regclass then v_default
              else greatest(c.reltuples, 0)::bigint end,
         pg_total_relation_size(c.oid),
         v_headroom,
         v_default
  from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'warden.audit_events'::regclass
  order by 2 nulls last;
end;
$$;
comment on function warden.partition_health() is
  'Each audit partition with its range, estimated rows and size; months_of_headroom (full months premade after the current one) and default_rows (rows sitting in the default partition) are repeated on every row.';

create function warden.drain_default_partition() returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_month date;
  v_moved bigint;
  v_created integer := 0;
begin
  perform set_config('warden.governance_operation', 'drain_default_partition', true);
  -- No writer may add rows to the default partition while it is drained.
  lock table warden_private.audit_events_default in share row exclusive mode;
  create temporary table if not exists warden_drain_buffer (like warden.audit_events) on commit drop;
  for v_month in
    select distinct date_trunc('month', occurred_at at time zone 'UTC')::date
    from warden_private.audit_events_default order by 1
  loop
    truncate warden_drain_buffer;
    with moved as (
      delete from warden_private.audit_events_default
      where occurred_at >= v_month::timestamptz and occurred_at < (v_month + interval '1 month')::timestamptz
      returning *
    )
    insert into warden_drain_buffer select * from moved;
    get diagnostics v_moved = row_count;
    if warden_private.create_audit_partition(v_month) then
      v_created := v_created + 1;
    end if;
    insert into warden.audit_events select * from warden_drain_buffer;
  end loop;
  perform set_config('warden.governance_operation', '', true);
  return v_created;
end;
$$;
comment on function warden.drain_default_partition() is
  'Moves every row of the default audit partition into its monthly partition, creating partitions as needed, in one transaction (no row lost or duplicated; event ids, content and seals are unchanged). Returns how many partitions were created.';

select warden.ensure_partitions(3);

--------------------------------------------------------------------------------
-- Keyed hashes (HMAC-SHA256) for redacted columns: per-tenant keys that
-- never leave the database, so a value is stable within a tenant and
-- unlinkable across tenants.
--------------------------------------------------------------------------------
create table warden_private.tenant_hash_keys (
  tenant_key uuid primary key,
  inner_key bytea not null,
  outer_key bytea not null,
  created_at timestamptz not null default now()
);
comment on table warden_private.tenant_hash_keys is 'Per-tenant HMAC key, stored pre-padded (key xor ipad, key xor opad).';
comment on column warden_private.tenant_hash_keys.tenant_key is 'The tenant (the zero uuid for events outside any tenant).';
comment on column warden_private.tenant_hash_keys.inner_key is 'Key xor 0x36 repeated (64 bytes).';
comment on column warden_private.tenant_hash_keys.outer_key is 'Key xor 0x5c repeated (64 bytes).';
comment on column warden_private.tenant_hash_keys.created_at is 'When the key was made.';
alter table warden_private.tenant_hash_keys enable row level security;
alter table warden_private.tenant_hash_keys force row level security;
create policy owner_maintenance on warden_private.tenant_hash_keys to warden_owner using (true) with check (true);

create function warden_private.tenant_hash_key(tenant_key uuid, out inner_key bytea, out outer_key bytea)
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_key bytea;
  v_in bytea;
  v_out bytea;
begin
  select k.inner_key, k.outer_key into inner_key, outer_key
  from warden_private.tenant_hash_keys k where k.tenant_key = tenant_hash_key.tenant_key;
  if found then
    return;
  end if;
  v_key := decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');
  v_in := v_key;
  v_out := v_key;
  for i in 0 .. 63 loop
    v_in := set_byte(v_in, i, get_byte(v_key, i) # 54);   -- 0x36
    v_out := set_byte(v_out, i, get_byte(v_key, i) # 92);  -- 0x5c
  end loop;
  insert into warden_private.tenant_hash_keys (tenant_key, inner_key, outer_key)
  values (tenant_hash_key.tenant_key, v_in, v_out)
  on conflict on constraint tenant_hash_keys_pkey do nothing;
  select k.inner_key, k.outer_key into inner_key, outer_key
  from warden_private.tenant_hash_keys k where k.tenant_key = tenant_hash_key.tenant_key;
end;
$$;
comment on function warden_private.tenant_hash_key(uuid) is 'The tenant''s HMAC key (created on first use).';

create function warden_private.keyed_hash(tenant_key uuid, value text) returns text
  language sql volatile
  set search_path = pg_catalog
as $$
  select 'hmac:' || encode(sha256(k.outer_key || sha256(k.inner_key || convert_to(value, 'UTF8'))), 'hex')
  from warden_private.tenant_hash_key(coalesce(tenant_key, '00000000-0000-0000-0000-000000000000')) k
$$;
comment on function warden_private.keyed_hash(uuid, text) is 'HMAC-SHA256 pseudonym of a value under the tenant''s key, as hmac:<hex>.';

create function warden_private.redact_values(obj jsonb, columns text[], tenant_key uuid) returns jsonb
  language sql volatile
  set search_path = pg_catalog
as $$
  select case when obj is null then null else
    coalesce((
      select jsonb_object_agg(e.key,
        case when e.key = any (columns) and e.value <> 'null'::jsonb
             then to_jsonb(warden_private.keyed_hash(tenant_key, e.value::text)) else e.value end)
      from jsonb_each(obj) e), '{}'::jsonb)
  end
$$;
comment on function warden_private.redact_values(jsonb, text[], uuid) is 'Replaces the named keys of a JSON object by their keyed hashes.';

--------------------------------------------------------------------------------
-- Capture by statement-level triggers over transition tables.
-- Options travel as the trigger's argument, so the capture needs no lookup.
--------------------------------------------------------------------------------
create function warden_private.audit_event_type(target regclass, op text) returns text
  language sql stable
  set search_path = pg_catalog
as $$
  select 'db.' || regexp_replace(lower(n.nspname), '[^a-z0-9_-]', '_', 'g')
      || '.' || regexp_replace(lower(c.relname), '[^a-z0-9_-]', '_', 'g')
      || '.' || lower(op)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.oid = target
$$;
comment on function warden_private.audit_event_type(regclass, text) is 'db.<schema>.<table>.<operation>, lower case.';

create function warden_private.primary_key_columns(target regclass) returns text[]
  language sql stable
  set search_path = pg_catalog
as $$
  select array_agg(a.attname::text order by k.ord)
  from pg_index i
  cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
  where i.indrelid = target and i.indisprimary
$$;
comment on function warden_private.primary_key_columns(regclass) is 'Primary key columns of a table in key order; null when it has none.';

create function warden_private.tg_audit_capture() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
  set jit = off
as $$
declare
  -- Everything about the table was worked out by enable_auditing and rides
  -- in the trigger argument (_meta), so a statement pays no catalog lookups.
  v_opts jsonb := tg_argv[0]::jsonb;
  v_meta jsonb := v_opts -> '_meta';
  v_exclude text[] := (v_meta ->> 'exclude')::text[];
  v_redact text[] := (v_meta ->> 'redact')::text[];
  v_full boolean := (v_opts ->> 'capture') = 'full';
  v_skip boolean := coalesce((v_opts ->> 'skip_unchanged')::boolean, true);
  v_tenant_column text := v_opts ->> 'tenant_column';
  v_fixed_tenant uuid := (v_opts ->> 'tenant')::uuid;
  v_table text := v_meta ->> 'table';
  v_resource_type text := coalesce(v_opts ->> 'resource_type', v_table);
  v_event_type text := (v_meta ->> 'event_prefix') || lower(tg_op);
  v_pk text[] := (v_meta ->> 'pk')::text[];
  v_action text := lower(tg_op);
  v_extra jsonb;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_actor_type warden.actor_type;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_ip inet;
  v_ua text;
  v_correlation text;
  v_service text;
  v_txid bigint := pg_current_xact_id()::text::bigint;
  v_count bigint;
begin
  v_extra := coalesce(nullif(current_setting('warden.context_extra', true), '')::jsonb, '{}');
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';

  if tg_op = 'TRUNCATE' then
    execute format('select count(*) from %s', tg_relid::regclass) into v_count;
    insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
      resource_type, correlation_id, trace_id, service, txid, table_name, event_data)
    values (coalesce(v_fixed_tenant, v_ctx_tenant), v_event_type, 'data', v_action, v_actor_type, v_actor_id, v_ip, v_ua,
      v_resource_type, v_correlation, v_trace, v_service, v_txid, v_table, jsonb_build_object('row_count', v_count));
    return null;
  end if;

  if tg_op = 'INSERT' then
    insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
      resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk, new_values)
    select coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant), v_event_type, 'data', v_action,
           v_actor_type, v_actor_id, v_ip, v_ua, v_resource_type,
           case when v_pk is null then null when cardinality(v_pk) = 1 then r.j ->> v_pk[1] else r.pk::text end,
           v_correlation, v_trace, v_service, v_txid, v_table, r.pk,
           case when cardinality(v_redact) > 0
                then warden_private.redact_values(r.j - v_exclude, v_redact, coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant))
                else r.j - v_exclude end
    from (
      select j, case when v_pk is null then null when cardinality(v_pk) = 1 then jsonb_build_object(v_pk[1], j -> v_pk[1]) else (select jsonb_object_agg(k, j -> k) from unnest(v_pk) k) end as pk
      from (select to_jsonb(n) as j from new_rows n offset 0) s
    ) r;
    return null;
  end if;

  if tg_op = 'DELETE' then
    insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
      resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk, old_values)
    select coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant), v_event_type, 'data', v_action,
           v_actor_type, v_actor_id, v_ip, v_ua, v_resource_type,
           case when v_pk is null then null when cardinality(v_pk) = 1 then r.j ->> v_pk[1] else r.pk::text end,
           v_correlation, v_trace, v_service, v_txid, v_table, r.pk,
           case when cardinality(v_redact) > 0
                then warden_private.redact_values(r.j - v_exclude, v_redact, coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant))
                else r.j - v_exclude end
    from (
      select j, case when v_pk is null then null when cardinality(v_pk) = 1 then jsonb_build_object(v_pk[1], j -> v_pk[1]) else (select jsonb_object_agg(k, j -> k) from unnest(v_pk) k) end as pk
      from (select to_jsonb(o) as j from old_rows o offset 0) s
    ) r;
    return null;
  end if;

  -- UPDATE: the n-th row of old_rows and of new_rows are the same row
  -- (PostgreSQL fills both transition tables in step), which also pairs
  -- rows whose primary key changed and rows of tables without one.
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
    resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk, changed_fields, old_values, new_values)
  select t.tenant_id, v_event_type, 'data', v_action, v_actor_type, v_actor_id, v_ip, v_ua, v_resource_type,
         case when v_pk is null then null when cardinality(v_pk) = 1 then p.full_new ->> v_pk[1] else t.pk::text end,
         v_correlation, v_trace, v_service, v_txid, v_table, t.pk, d.keys,
         case when cardinality(v_redact) > 0 then warden_private.redact_values(t.ov, v_redact, t.tenant_id) else t.ov end,
         case when cardinality(v_redact) > 0 then warden_private.redact_values(t.nv, v_redact, t.tenant_id) else t.nv end
  from (
    select o.j - v_exclude as oj, n.j - v_exclude as nj, n.j as full_new
    from (select row_number() over () as rn, to_jsonb(x) as j from old_rows x offset 0) o
    join (select row_number() over () as rn, to_jsonb(x) as j from new_rows x offset 0) n using (rn)
  ) p
  cross join lateral (
    select array_agg(e.key order by e.key) as keys,
           jsonb_object_agg(e.key, p.oj -> e.key) as ov,
           jsonb_object_agg(e.key, e.value) as nv
    from jsonb_each(p.nj) e
    where (p.oj -> e.key) is distinct from e.value
  ) d
  cross join lateral (
    select coalesce(v_fixed_tenant, (p.full_new ->> v_tenant_column)::uuid, v_ctx_tenant) as tenant_id,
           case when v_pk is null then null when cardinality(v_pk) = 1 then jsonb_build_object(v_pk[1], p.full_new -> v_pk[1]) else (select jsonb_object_agg(k, p.full_new -> k) from unnest(v_pk) k) end as pk,
           case when v_full or v_pk is null then p.oj else d.ov end as ov,
           case when v_full then p.nj else d.nv end as nv
  ) t
  where d.keys is not null or not v_skip;
  return null;
end;
$$;
comment on function warden_private.tg_audit_capture() is
  'Statement-level trigger: writes one audit event per affected row (one per TRUNCATE, with the row count) from the transition tables, in the same transaction. Options come from the trigger argument (see warden.enable_auditing).';

create function warden.enable_auditing(target regclass, options jsonb default '{}') returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_rel record;
  v_opts jsonb := coalesce(options, '{}');
  v_key text;
  v_col text;
  v_tenant_column text;
  v_effective jsonb;
  v_meta jsonb;
  v_arg text;
  v_part regclass;
begin
  select c.relkind, c.relname, n.nspname into v_rel
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_rel.relkind not in ('r', 'p') then
    raise exception '% is not a table', target using errcode = '42809';
  end if;
  if v_rel.nspname in ('warden_private', 'graphile_worker', 'graphile_migrate', 'pg_catalog', 'information_schema')
     or target = 'warden.audit_events'::regclass then
    raise exception 'Warden does not audit the audit store, its internals or system tables (%)', target using errcode = '42809';
  end if;
  if jsonb_typeof(v_opts) <> 'object' then
    raise exception 'options must be a JSON object' using errcode = '22023';
  end if;
  for v_key in select jsonb_object_keys(v_opts) loop
    if v_key not in ('exclude_columns', 'redact_columns', 'capture', 'tenant_column', 'tenant', 'skip_unchanged', 'resource_type') then
      raise exception 'unknown option %: expected exclude_columns, redact_columns, capture, tenant_column, tenant, skip_unchanged or resource_type', quote_literal(v_key)
        using errcode = '22023';
    end if;
  end loop;
  foreach v_key in array array['exclude_columns', 'redact_columns'] loop
    if v_opts ? v_key then
      if jsonb_typeof(v_opts -> v_key) <> 'array'
         or exists (select 1 from jsonb_array_elements(v_opts -> v_key) e where jsonb_typeof(e) <> 'string') then
        raise exception 'option % must be an array of column names', v_key using errcode = '22023';
      end if;
      for v_col in select jsonb_array_elements_text(v_opts -> v_key) loop
        if not exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = v_col and a.attnum > 0 and not a.attisdropped) then
          raise exception 'option %: column % does not exist in %', v_key, quote_ident(v_col), target using errcode = '42703';
        end if;
      end loop;
    end if;
  end loop;
  if v_opts ? 'capture' and (v_opts ->> 'capture') not in ('changes', 'full') then
    raise exception 'option capture must be changes or full, got %', v_opts -> 'capture' using errcode = '22023';
  end if;
  if v_opts ? 'skip_unchanged' and jsonb_typeof(v_opts -> 'skip_unchanged') <> 'boolean' then
    raise exception 'option skip_unchanged must be true or false' using errcode = '22023';
  end if;
  if v_opts ? 'resource_type' and (jsonb_typeof(v_opts -> 'resource_type') <> 'string' or length(v_opts ->> 'resource_type') not between 1 and 200) then
    raise exception 'option resource_type must be a string of 1 to 200 characters' using errcode = '22023';
  end if;
  if v_opts ? 'tenant' then
    if v_opts ? 'tenant_column' then
      raise exception 'give either option tenant (a fixed tenant) or tenant_column, not both' using errcode = '22023';
    end if;
    if (v_opts ->> 'tenant') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      raise exception 'option tenant must be a tenant id (uuid)' using errcode = '22023';
    end if;
  else
    v_tenant_column := coalesce(v_opts ->> 'tenant_column', 'tenant_id');
    if not exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column and a.attnum > 0 and not a.attisdropped) then
      if v_opts ? 'tenant_column' then
        raise exception 'option tenant_column: column % does not exist in %', quote_ident(v_tenant_column), target using errcode = '42703';
      end if;
      v_tenant_column := null;  -- no tenant column: the request's tenant is used
    elsif (select a.atttypid from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column) <> 'uuid'::regtype then
      raise exception 'tenant column %.% must be of type uuid', target, quote_ident(v_tenant_column) using errcode = '42804';
    end if;
  end if;

  v_effective := jsonb_strip_nulls(jsonb_build_object(
    'exclude_columns', coalesce(v_opts -> 'exclude_columns', '[]'),
    'redact_columns', coalesce(v_opts -> 'redact_columns', '[]'),
    'capture', coalesce(v_opts ->> 'capture', 'changes'),
    'skip_unchanged', coalesce((v_opts ->> 'skip_unchanged')::boolean, true),
    'tenant_column', v_tenant_column,
    'tenant', lower(v_opts ->> 'tenant'),
    'resource_type', v_opts ->> 'resource_type'));
  -- Statement-level triggers fire only for the table a statement names, so
  -- a partitioned table's partitions get them too (recording events as the
  -- partitioned table's); new partitions get them from the DDL event trigger.
  v_meta := jsonb_build_object(
    'table', format('%I.%I', v_rel.nspname, v_rel.relname),
    'event_prefix', warden_private.audit_event_type(target, ''),  -- db.<schema>.<table>.
    'pk', warden_private.primary_key_columns(target)::text,
    'exclude', array(select jsonb_array_elements_text(v_effective -> 'exclude_columns'))::text,
    'redact', array(select jsonb_array_elements_text(v_effective -> 'redact_columns'))::text);
  for v_part in select target union select relid from pg_partition_tree(target) loop
    v_arg := quote_literal((v_effective || jsonb_build_object('_meta', v_meta || case when v_part = target then '{}'::jsonb
                                     else jsonb_build_object('partition_of', target::oid) end))::text);
    execute format('create or replace trigger _900_audit_insert after insert on %s referencing new table as new_rows
      for each statement execute function warden_private.tg_audit_capture(%s)', v_part, v_arg);
    execute format('create or replace trigger _900_audit_update after update on %s referencing old table as old_rows new table as new_rows
      for each statement execute function warden_private.tg_audit_capture(%s)', v_part, v_arg);
    execute format('create or replace trigger _900_audit_delete after delete on %s referencing old table as old_rows
      for each statement execute function warden_private.tg_audit_capture(%s)', v_part, v_arg);
    execute format('create or replace trigger _900_audit_truncate before truncate on %s
      for each statement execute function warden_private.tg_audit_capture(%s)', v_part, v_arg);
  end loop;
  return v_effective;
end;
$$;
comment on function warden.enable_auditing(regclass, jsonb) is
  E'@behavior -*\nStarts auditing a table: every INSERT, UPDATE, DELETE and TRUNCATE lands in warden.audit_events, in the same transaction. Idempotent (calling again replaces the options). Options: exclude_columns (never stored), redact_columns (stored only as a keyed hash), capture (changes | full), tenant_column (default tenant_id) or tenant (a fixed tenant id), skip_unchanged (default true), resource_type. Runs with the caller''s rights: the caller must be able to create triggers on the table. Returns the effective options.';

create function warden.disable_auditing(target regclass) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_found boolean := exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname like '\_900\_audit\_%');
  v_part regclass;
begin
  for v_part in select target union select relid from pg_partition_tree(target) loop
    execute format('drop trigger if exists _900_audit_insert on %s', v_part);
    execute format('drop trigger if exists _900_audit_update on %s', v_part);
    execute format('drop trigger if exists _900_audit_delete on %s', v_part);
    execute format('drop trigger if exists _900_audit_truncate on %s', v_part);
  end loop;
  return v_found;
end;
$$;
comment on function warden.disable_auditing(regclass) is
  E'@behavior -*\nStops auditing a table (its past events stay). Idempotent; returns whether it was audited.';

--------------------------------------------------------------------------------
-- Schemas audited as a whole: tables created there later are audited too
-- (by the DDL event trigger installed by `warden setup` as superuser).
--------------------------------------------------------------------------------
create table warden_private.audited_schemas (
  schema_name text primary key,
  options jsonb not null default '{}',
  enabled_at timestamptz not null default now(),
  enabled_by text not null default session_user
);
comment on table warden_private.audited_schemas is 'Schemas whose new tables are audited automatically, with the options to use.';
comment on column warden_private.audited_schemas.schema_name is 'The schema.';
comment on column warden_private.audited_schemas.options is 'enable_auditing options for its tables.';
comment on column warden_private.audited_schemas.enabled_at is 'When schema auditing was enabled.';
comment on column warden_private.audited_schemas.enabled_by is 'Database role that enabled it.';
alter table warden_private.audited_schemas enable row level security;
alter table warden_private.audited_schemas force row level security;
create policy owner_maintenance on warden_private.audited_schemas to warden_owner using (true) with check (true);

create function warden_private.register_audited_schema(schema_name text, options jsonb) returns void
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  insert into warden_private.audited_schemas (schema_name, options) values (schema_name, coalesce(options, '{}'))
  on conflict on constraint audited_schemas_pkey do update set options = excluded.options
$$;
comment on function warden_private.register_audited_schema(text, jsonb) is 'Records a schema as audited as a whole.';

create function warden.enable_auditing_schema(schema_name text, options jsonb default '{}') returns integer
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_table regclass;
  v_count integer := 0;
begin
  if not exists (select 1 from pg_namespace n where n.nspname = schema_name) then
    raise exception 'schema % does not exist', quote_ident(schema_name) using errcode = '3F000';
  end if;
  for v_table in
    select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = schema_name and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname
  loop
    perform warden.enable_auditing(v_table, options);
    v_count := v_count + 1;
  end loop;
  perform warden_private.register_audited_schema(schema_name, options);
  return v_count;
end;
$$;
comment on function warden.enable_auditing_schema(text, jsonb) is
  E'@behavior -*\nAudits every table of a schema now, and tables created there later (through the DDL event trigger). Returns how many tables were enabled now.';

--------------------------------------------------------------------------------
-- DDL events. The event trigger itself needs a superuser and is installed by
-- `warden setup` (src/db/superuser.sql); this function does the work.
--------------------------------------------------------------------------------
create function warden_private.record_ddl_event(tag text, object_identity text, table_oid oid, extra jsonb default '{}') returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
begin
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, resource_type,
    resource_id, trace_id, service, table_name, event_data)
  values (nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid,
          'ddl.' || regexp_replace(lower(tag), '[^a-z0-9]+', '_', 'g'),
          'ddl', lower(tag),
          case when v_actor_id is null then 'db_role' else coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user') end::warden.actor_type,
          coalesce(v_actor_id, session_user), inet_client_addr(), 'table', object_identity,
          nullif(current_setting('warden.trace_id', true), ''),
          nullif(current_setting('application_name', true), ''),
          object_identity,
          jsonb_build_object('version', 1, 'service', 'postgres', 'operation', lower(tag), 'status', 'success') || coalesce(extra, '{}'));
end;
$$;
comment on function warden_private.record_ddl_event(text, text, oid, jsonb) is 'Writes one ddl.* audit event (CREATE, ALTER or DROP of an audited table).';

--------------------------------------------------------------------------------
-- Coverage: the database form of a coverage scanner.
--------------------------------------------------------------------------------
create function warden.audit_coverage(schemas text[])
  returns table (
    schema_name text,
    table_name text,
    audited boolean,
    capture text,
    excluded_columns text[],
    redacted_columns text[],
    coverage_ratio numeric
  )
  language sql stable
  set search_path = pg_catalog
as $$
  with tables as (
    select n.nspname::text as schema_name, c.relname::text as table_name,
           (select encode(t.tgargs, 'escape') from pg_trigger t
            where t.tgrelid = c.oid and t.tgname = '_900_audit_update' and t.tgenabled <> 'D') as args
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any (schemas) and c.relkind in ('r', 'p') and not c.relispartition
  ), parsed as (
    select schema_name, table_name, args is not null as audited,
           nullif(rtrim(args, E'\\000'), '')::jsonb as opts
    from tables
  )
  select p.schema_name, p.table_name, p.audited, p.opts ->> 'capture',
         coalesce(array(select jsonb_array_elements_text(p.opts -> 'exclude_columns')), '{}'),
         coalesce(array(select jsonb_array_elements_text(p.opts -> 'redact_columns')), '{}'),
         round(avg(p.audited::int) over (), 4)
  from parsed p
  order by p.schema_name, p.table_name
$$;
comment on function warden.audit_coverage(text[]) is
  'Every table of the given schemas: audited or not, its capture mode, excluded and redacted columns, and coverage_ratio (audited tables / tables, repeated on every row). CLI: warden coverage --schema S --min 0.9.';

--------------------------------------------------------------------------------
-- Per-row history
--------------------------------------------------------------------------------
create function warden.audit_row_history(table_name text, pk jsonb)
  returns table (
    event_id uuid,
    occurred_at timestamptz,
    action text,
    actor_type warden.actor_type,
    actor_id text,
    trace_id text,
    txid bigint,
    changed_fields text[],
    old_values jsonb,
    new_values jsonb,
    row_data jsonb
  )
  language plpgsql stable strict
  set search_path = pg_catalog
as $$
declare
  v_parts text[];
  v_oid oid;
  v_table text;
  v_pk_cols text[];
  v_keys jsonb[] := array[pk];
  v_prev jsonb;
  v_hops integer := 0;
  v_row jsonb;
  r record;
begin
  -- Resolved through the catalogs, so API callers need no access to the
  -- application's schema; what they see is decided by audit_events' policies.
  begin
    v_parts := parse_ident(table_name);
  exception when others then
    raise exception 'table_name must be schema.table, got %', quote_literal(table_name) using errcode = '22023';
  end;
  if cardinality(v_parts) = 1 then
    -- An unqualified name: resolve it like regclass would, on the search_path.
    v_oid := to_regclass(table_name);
    select n.nspname, c.relname into v_parts[1], v_parts[2]
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_oid;
  elsif cardinality(v_parts) = 2 then
    select c.oid into v_oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = v_parts[1] and c.relname = v_parts[2] and c.relkind in ('r', 'p');
  else
    raise exception 'table_name must be schema.table, got %', quote_literal(table_name) using errcode = '22023';
  end if;
  if v_oid is null then
    raise exception 'table % does not exist', table_name using errcode = '42P01';
  end if;
  v_table := format('%I.%I', v_parts[1], v_parts[2]);
  select array_agg(a.attname::text order by k.ord) into v_pk_cols
  from pg_index ix
  cross join lateral unnest(ix.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum
  where ix.indrelid = v_oid and ix.indisprimary;
  if pk is null or jsonb_typeof(pk) <> 'object' then
    raise exception 'pk must be a JSON object of primary key columns, e.g. {"id": 42}' using errcode = '22023';
  end if;
  if v_pk_cols is null then
    raise exception '% has no primary key: its rows have no stable identity to follow', v_table using errcode = '22023';
  end if;
  if (select array_agg(k order by k) from jsonb_object_keys(pk) k) <> (select array_agg(k order by k) from unnest(v_pk_cols) k) then
    raise exception 'pk must name exactly the primary key columns of %: %', v_table, array_to_string(v_pk_cols, ', ') using errcode = '22023';
  end if;
  -- Follow primary-key changes backwards: an update that changed the key
  -- carries the old key in old_values.
  loop
    select jsonb_object_agg(k, e.old_values -> k) into v_prev
    from warden.audit_events e, unnest(v_pk_cols) k
    where e.table_name = v_table and e.row_pk = v_keys[cardinality(v_keys)] and e.action = 'update'
      and e.changed_fields && v_pk_cols
    group by e.event_id, e.occurred_at
    order by e.occurred_at, e.event_id
    limit 1;
    exit when v_prev is null or v_prev = any (v_keys) or v_hops > 100;
    v_keys := v_keys || v_prev;
    v_hops := v_hops + 1;
  end loop;

  for r in
    select e.* from warden.audit_events e
    where e.table_name = v_table and e.row_pk = any (v_keys) and e.category = 'data'
    order by e.occurred_at, e.txid, e.recorded_at, e.event_id
  loop
    v_row := case r.action
      when 'insert' then r.new_values
      when 'update' then coalesce(v_row, '{}'::jsonb) || coalesce(r.new_values, '{}'::jsonb)
      when 'delete' then null
      else v_row end;
    event_id := r.event_id; occurred_at := r.occurred_at; action := r.action;
    actor_type := r.actor_type; actor_id := r.actor_id; trace_id := r.trace_id; txid := r.txid;
    changed_fields := r.changed_fields; old_values := r.old_values; new_values := r.new_values;
    row_data := v_row;
    return next;
  end loop;
end;
$$;
comment on function warden.audit_row_history(text, jsonb) is
  E'@name row_history\nThe versions of one row of an audited table (named schema.table), oldest first, across primary-key changes: each event with its actor, diff (changed_fields, old_values, new_values) and the row as it stood after it (row_data). Sees only the audit events the caller may read. Resolved through the catalogs, so API callers need no access to the table''s schema. GraphQL: rowHistory(tableName, pk).';
grant execute on function warden.audit_row_history(text, jsonb) to warden_visitor;

create function warden.row_history(target regclass, pk jsonb)
  returns table (
    event_id uuid,
    occurred_at timestamptz,
    action text,
    actor_type warden.actor_type,
    actor_id text,
    trace_id text,
    txid bigint,
    changed_fields text[],
    old_values jsonb,
    new_values jsonb,
    row_data jsonb
  )
  language sql stable
  set search_path = pg_catalog
as $$
  select h.* from warden.audit_row_history(
    (select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target),
    pk) h
$$;
comment on function warden.row_history(regclass, jsonb) is
  E'@name row_history_regclass\n@behavior -*\nThe versions of one row, oldest first (the regclass form of warden.audit_row_history(text, jsonb), which GraphQL exposes as rowHistory).';

--------------------------------------------------------------------------------
-- Tamper evidence: sealing bookkeeping. The worker hashes events into a
-- per-tenant chain in blocks; checkpoints are signed with an Ed25519 key the
-- database never holds.
--------------------------------------------------------------------------------
create function warden_private.canonical_field(value text) returns text
  language sql immutable parallel safe
  -- no SET clause: inlined
as $$
  -- length-prefixed, so no value can be mistaken for a separator; null is "-"
  select coalesce(length(value)::text || ':' || value, '-')
$$;
comment on function warden_private.canonical_field(text) is 'One field of a canonical record: <length>:<value>, or - for null.';

create function warden_private.audit_envelope(e warden.audit_events) returns text
  language sql stable parallel safe
  -- no SET clause: lets PostgreSQL inline it into the sealing and verify queries
as $$
  -- What erasure never changes, as a length-prefixed record (cheap and unambiguous).
  select 'warden.envelope.v1|' || e.event_id::text
    || '|' || warden_private.canonical_field(e.tenant_id::text)
    || '|' || ((extract(epoch from e.occurred_at) * 1000000)::bigint)::text
    || '|' || warden_private.canonical_field(e.event_type)
    || '|' || warden_private.canonical_field(e.category)
    || '|' || warden_private.canonical_field(e.action)
    || '|' || e.outcome::text || '|' || e.severity::text || '|' || e.actor_type::text
    || '|' || e.txid::text
    || '|' || warden_private.canonical_field(e.table_name)
    || '|' || warden_private.canonical_field(e.correlation_id)
    || '|' || warden_private.canonical_field(e.trace_id)
    || '|' || warden_private.canonical_field(e.parent_event_id::text)
$$;
comment on function warden_private.audit_envelope(warden.audit_events) is 'Canonical envelope of an event: the fields the hash chain covers directly.';

create function warden_private.audit_payload_hash(e warden.audit_events) returns bytea
  language sql stable parallel safe
  -- no SET clause: lets PostgreSQL inline it into the sealing and verify queries
as $$
  -- What erasure may rewrite; the chain covers only its hash. jsonb text
  -- output is canonical (keys sorted), so equal values hash equally.
  select sha256(convert_to('warden.payload.v1|' || warden_private.canonical_field(e.actor_id)
    || '|' || warden_private.canonical_field(host(e.actor_ip))
    || '|' || warden_private.canonical_field(e.user_agent)
    || '|' || warden_private.canonical_field(e.resource_type)
    || '|' || warden_private.canonical_field(e.resource_id)
    || '|' || warden_private.canonical_field(e.service)
    || '|' || warden_private.canonical_field(e.row_pk::text)
    || '|' || warden_private.canonical_field(e.changed_fields::text)
    || '|' || warden_private.canonical_field(e.old_values::text)
    || '|' || warden_private.canonical_field(e.new_values::text)
    || '|' || warden_private.canonical_field(e.event_data::text), 'UTF8'))
$$;
comment on function warden_private.audit_payload_hash(warden.audit_events) is 'sha256 of the canonical payload of an event (the fields erasure may rewrite).';

create table warden_private.seal_state (
  id boolean primary key default true check (id),
  watermark bigint not null default 0,
  last_run_at timestamptz,
  last_sealed bigint not null default 0
);
comment on table warden_private.seal_state is 'Sealer progress: every transaction id below watermark has been sealed.';
comment on column warden_private.seal_state.id is 'Always true: one row.';
comment on column warden_private.seal_state.watermark is 'Transaction ids below this are sealed (the xmin horizon of the last pass).';
comment on column warden_private.seal_state.last_run_at is 'When the last sealing pass committed.';
comment on column warden_private.seal_state.last_sealed is 'Events sealed by the last pass.';
insert into warden_private.seal_state (id) values (true);

create table warden_private.seal_heads (
  tenant_key uuid primary key,
  last_seq bigint not null,
  head_hash bytea not null,
  updated_at timestamptz not null default now()
);
comment on table warden_private.seal_heads is 'Head of each tenant''s hash chain.';
comment on column warden_private.seal_heads.tenant_key is 'The tenant (zero uuid for events outside any tenant).';
comment on column warden_private.seal_heads.last_seq is 'Sequence number of the last sealed event.';
comment on column warden_private.seal_heads.head_hash is 'Chain hash after the last sealed event.';
comment on column warden_private.seal_heads.updated_at is 'When the head last moved.';

create table warden_private.seal_blocks (
  tenant_key uuid not null,
  first_seq bigint not null,
  last_seq bigint not null,
  min_txid bigint not null,
  max_txid bigint not null,
  event_ids uuid[] not null,
  leaf_prefixes bytea not null,
  prev_hash bytea not null,
  head_hash bytea not null,
  sealed_at timestamptz not null default now(),
  primary key (tenant_key, first_seq),
  check (last_seq - first_seq + 1 = cardinality(event_ids)),
  check (length(leaf_prefixes) = 8 * cardinality(event_ids))
);
comment on table warden_private.seal_blocks is
  'A run of one tenant''s chain: events first_seq..last_seq in order. hash_i = sha256(hash_{i-1} || envelope_i || sha256(payload_i)).';
comment on column warden_private.seal_blocks.tenant_key is 'The tenant (zero uuid for events outside any tenant).';
comment on column warden_private.seal_blocks.first_seq is 'Sequence number of the first event.';
comment on column warden_private.seal_blocks.last_seq is 'Sequence number of the last event.';
comment on column warden_private.seal_blocks.min_txid is 'Lowest transaction id among the events (bounds the scan when verifying).';
comment on column warden_private.seal_blocks.max_txid is 'Highest transaction id among the events.';
comment on column warden_private.seal_blocks.event_ids is 'The events, in chain order.';
comment on column warden_private.seal_blocks.leaf_prefixes is 'First 8 bytes of sha256(envelope || sha256(payload)) of each event, to pinpoint tampering.';
comment on column warden_private.seal_blocks.prev_hash is 'Chain hash before the first event.';
comment on column warden_private.seal_blocks.head_hash is 'Chain hash after the last event.';
comment on column warden_private.seal_blocks.sealed_at is 'When the block was sealed.';

create table warden_private.seal_checkpoints (
  tenant_key uuid not null,
  first_seq bigint not null,
  last_seq bigint not null,
  head_hash bytea not null,
  signed_at timestamptz not null,
  key_id text not null,
  signature bytea not null,
  primary key (tenant_key, last_seq)
);
comment on table warden_private.seal_checkpoints is
  'Signed checkpoints: (tenant, sequence range, head hash, time) signed with Ed25519 by the sealer; the private key is never in the database.';
comment on column warden_private.seal_checkpoints.tenant_key is 'The tenant (zero uuid for events outside any tenant).';
comment on column warden_private.seal_checkpoints.first_seq is 'First sequence number covered by this checkpoint.';
comment on column warden_private.seal_checkpoints.last_seq is 'Last sequence number covered.';
comment on column warden_private.seal_checkpoints.head_hash is 'Chain hash after last_seq.';
comment on column warden_private.seal_checkpoints.signed_at is 'When it was signed.';
comment on column warden_private.seal_checkpoints.key_id is 'Fingerprint of the signing key (first 16 hex of sha256 of its public key).';
comment on column warden_private.seal_checkpoints.signature is 'Ed25519 signature of the checkpoint message (see src/audit/checkpoint.ts).';

do $$
declare
  t text;
begin
  foreach t in array array['seal_state', 'seal_heads', 'seal_blocks', 'seal_checkpoints'] loop
    execute format('alter table warden_private.%I enable row level security', t);
    execute format('alter table warden_private.%I force row level security', t);
    execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', t);
  end loop;
end;
$$;

-- Sealed history is append-only too.
create trigger _010_append_only before update or delete on warden_private.seal_blocks
  for each row execute function warden_private.tg_audit_append_only();
create trigger _010_append_only before update or delete on warden_private.seal_checkpoints
  for each row execute function warden_private.tg_audit_append_only();

create function warden_private.seal_horizon() returns bigint
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_xmax bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
  v_oldest bigint;
begin
  -- Every transaction below the horizon has finished, so no event with a
  -- smaller txid can still appear. Only this database's transactions can
  -- write its events: when the role may see every session
  -- (pg_read_all_stats, granted by `warden setup`), a long transaction in
  -- another database does not hold sealing back. Otherwise the cluster-wide
  -- snapshot xmin is the safe answer.
  if not pg_has_role('pg_read_all_stats', 'usage') then
    return pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
  end if;
  -- backend_xid is 32 bits: widen it with the current epoch.
  select min(case when x.full > v_xmax then x.full - 4294967296 else x.full end) into v_oldest
  from (
    select ((v_xmax >> 32) << 32) + a.backend_xid::text::bigint as full
    from pg_stat_activity a
    where a.datname = current_database() and a.backend_xid is not null
  ) x;
  return coalesce(v_oldest, v_xmax);
end;
$$;
comment on function warden_private.seal_horizon() is
  'Transaction ids below this are complete in this database (or, without pg_read_all_stats, in the whole cluster): the sealer''s upper bound.';

create function warden_private.tenant_key(tenant_id uuid) returns uuid
  language sql immutable parallel safe
  -- no SET clause: lets PostgreSQL inline it into the sealing and verify queries
as $$
  select coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)
$$;
comment on function warden_private.tenant_key(uuid) is 'Key of a tenant''s hash chain: the tenant id, or the zero uuid for events outside any tenant.';

--------------------------------------------------------------------------------
-- Warden audits its own tenancy tables: who changed a role, created a key.
--------------------------------------------------------------------------------
select warden.enable_auditing('warden.tenants', '{"tenant_column": "id"}');
select warden.enable_auditing('warden.users');
select warden.enable_auditing('warden.tenant_memberships');
select warden.enable_auditing('warden.projects');
select warden.enable_auditing('warden.project_members');
select warden.enable_auditing('warden.api_keys');
