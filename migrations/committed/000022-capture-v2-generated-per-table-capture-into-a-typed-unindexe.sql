--! Previous: sha1:0bda5e9f3c034bb1e71c49e1668e2b0041e35a43
--! Hash: sha1:e5604fd92ba8aa23d1f0057efa383fc346cb219c
--! Message: capture v2: generated per-table capture into a typed, unindexed capture log; promotion by the worker; registry of audited tables; capture gaps; read-your-writes row history

--------------------------------------------------------------------------------
-- Capture v2: triggers append a compact capture log in the writing
-- transaction; the worker promotes it into warden.audit_events.
--
-- Per audited table, enable_auditing generates a capture function for the
-- table's columns and a typed row log (two "slots", see below). A captured
-- statement appends one statement record (table, operation, row count,
-- times and the request context) to the shared statement log and, per row,
-- only what the event needs: the new row of an INSERT, the old row of a
-- DELETE, the key and the changed columns (old and new) of an UPDATE, as
-- the table's own types. Nothing is converted to JSON and nothing is
-- indexed while the application waits.
--
-- A statement and its rows are joined by (txid, cmin): both are inserted
-- by the same SQL statement of the capture function, and cmin is the
-- command id within the inserting transaction (documented system column).
--
-- Promotion (warden_private.capture_promote, run by the sealing pass of the
-- worker or by warden.flush_capture()) turns the records of transactions
-- that have ended (txid in [promoted_below, horizon)) into events, in the
-- order they were written. The logs never see UPDATE or DELETE: each log
-- has two slots; writers append to the slot the generation sequence points
-- at; the promoter flips the generation, waits until every transaction
-- that could still write to the old slot has ended, promotes it and
-- TRUNCATEs it. No dead rows, no vacuum debt.
-- Design notes: docs/auditing.md ("The capture log").
--------------------------------------------------------------------------------

--------------------------------------------------------------------------------
-- Registry of audited tables and their capture versions
--------------------------------------------------------------------------------
create table warden_private.audited_tables (
  id integer generated always as identity primary key,
  relid oid not null,
  table_name text not null,
  options jsonb not null,
  version integer not null default 0,
  enabled_at timestamptz not null default now(),
  enabled_by text not null default session_user,
  updated_at timestamptz not null default now(),
  disabled_at timestamptz,
  disabled_by text,
  dropped_at timestamptz,
  gap_since timestamptz,
  gap_reason text
);
create unique index audited_tables_relid_key on warden_private.audited_tables (relid) where dropped_at is null;
comment on table warden_private.audited_tables is
  'Registry of audited tables: every table warden.enable_auditing turned on, with its effective options and current capture version, and when auditing was disabled or the table dropped. Capture gaps are found against it.';
comment on column warden_private.audited_tables.id is 'Registry id; names the table''s capture log and functions.';
comment on column warden_private.audited_tables.relid is 'The audited (root) table''s oid.';
comment on column warden_private.audited_tables.table_name is 'schema.table as events record it (the latest name).';
comment on column warden_private.audited_tables.options is 'Effective enable_auditing options.';
comment on column warden_private.audited_tables.version is 'Current capture version (warden_private.capture_versions).';
comment on column warden_private.audited_tables.enabled_at is 'When auditing was (last) enabled.';
comment on column warden_private.audited_tables.enabled_by is 'Database role that enabled it.';
comment on column warden_private.audited_tables.updated_at is 'When the options or the table''s shape last changed.';
comment on column warden_private.audited_tables.disabled_at is 'When warden.disable_auditing turned it off; null while audited.';
comment on column warden_private.audited_tables.disabled_by is 'Database role that disabled it.';
comment on column warden_private.audited_tables.dropped_at is 'When the table was dropped; null while it exists.';
comment on column warden_private.audited_tables.gap_since is 'Since when capture has not been working (a capture trigger dropped or disabled) while auditing is on; null when it works.';
comment on column warden_private.audited_tables.gap_reason is 'What broke capture (trigger_dropped, trigger_disabled, trigger_missing...).';

create table warden_private.capture_versions (
  table_id integer not null references warden_private.audited_tables (id),
  version integer not null,
  table_name text not null,
  event_prefix text not null,
  resource_type text not null,
  columns jsonb not null,
  pk text[],
  capture_function text not null,
  row_log text not null,
  select_sql text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz,
  dropped_at timestamptz,
  primary key (table_id, version)
);
comment on table warden_private.capture_versions is
  'One generated capture of an audited table: the columns it captures, the names of its capture function and row log, and the statement that turns its log records into events. A new version is made whenever the options or the table''s shape change; the old one is promoted to the end and dropped.';
comment on column warden_private.capture_versions.table_id is 'The audited table.';
comment on column warden_private.capture_versions.version is 'Version number (1, 2, ...).';
comment on column warden_private.capture_versions.table_name is 'schema.table as this version records it.';
comment on column warden_private.capture_versions.event_prefix is 'db.<schema>.<table>. (the operation is appended).';
comment on column warden_private.capture_versions.resource_type is 'resource_type of its events.';
comment on column warden_private.capture_versions.columns is 'Captured columns in log order: [{name, type, log_type, pk, tenant, value, hash, late_hash, compare}]; column i is stored as o<i>/n<i>.';
comment on column warden_private.capture_versions.pk is 'Primary key columns; null for a table without one.';
comment on column warden_private.capture_versions.capture_function is 'The generated trigger function.';
comment on column warden_private.capture_versions.row_log is 'Prefix of its row log tables (<row_log>_0 and <row_log>_1).';
comment on column warden_private.capture_versions.select_sql is 'Generated select of its records as audit events (see warden_private.capture_promote).';
comment on column warden_private.capture_versions.created_at is 'When it was generated.';
comment on column warden_private.capture_versions.retired_at is 'When a newer version (or disable_auditing) replaced it.';
comment on column warden_private.capture_versions.dropped_at is 'When its drained log tables and function were dropped.';

do $$
declare
  t text;
begin
  foreach t in array array['audited_tables', 'capture_versions'] loop
    execute format('alter table warden_private.%I enable row level security', t);
    execute format('alter table warden_private.%I force row level security', t);
    execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', t);
  end loop;
end;
$$;

--------------------------------------------------------------------------------
-- The statement log (shared by every audited table) and promotion state
--------------------------------------------------------------------------------
create sequence warden_private.capture_generation as bigint;
comment on sequence warden_private.capture_generation is
  'Capture log generation: writers append to slot (last value mod 2). Sequences are not transactional, so a flip is seen by every writer at once, whatever its isolation level.';
select nextval('warden_private.capture_generation');

create table warden_private.capture_state (
  id boolean primary key default true check (id),
  promoted_below bigint not null default 0,
  generation bigint not null default 1,
  flip_xid bigint,
  truncated_generation bigint,
  promoted_total bigint not null default 0,
  last_promoted bigint not null default 0,
  last_promoted_at timestamptz
);
comment on table warden_private.capture_state is 'Promotion progress of the capture log (one row).';
comment on column warden_private.capture_state.id is 'Always true: one row.';
comment on column warden_private.capture_state.promoted_below is 'Every capture record of a transaction id below this has been promoted into warden.audit_events.';
comment on column warden_private.capture_state.generation is 'The generation whose start is recorded in flip_xid.';
comment on column warden_private.capture_state.flip_xid is 'First unassigned transaction id when that generation became active: once the horizon passes it, nothing can still be written to the other slot.';
comment on column warden_private.capture_state.truncated_generation is 'The other slot was emptied while this generation was active.';
comment on column warden_private.capture_state.promoted_total is 'Events promoted since the log was created.';
comment on column warden_private.capture_state.last_promoted is 'Events promoted by the last pass.';
comment on column warden_private.capture_state.last_promoted_at is 'When the last pass that promoted something committed.';
insert into warden_private.capture_state (promoted_below) select s.watermark from warden_private.seal_state s;
alter table warden_private.capture_state enable row level security;
alter table warden_private.capture_state force row level security;
create policy owner_maintenance on warden_private.capture_state to warden_owner using (true) with check (true);

do $$
declare
  s integer;
begin
  for s in 0 .. 1 loop
    execute format($f$
      create table warden_private.capture_statements_%s (
        txid bigint not null,
        table_id integer not null,
        version integer not null,
        op "char" not null,
        row_count bigint,
        occurred_at timestamptz not null,
        recorded_at timestamptz not null,
        tenant_id uuid,
        actor_type warden.actor_type not null,
        actor_id text not null,
        actor_ip inet,
        user_agent text,
        trace_id text,
        correlation_id text,
        service text
      ) with (autovacuum_enabled = off)$f$, s);
    execute format('comment on table warden_private.capture_statements_%s is %L', s,
      'Capture statement log, slot ' || s || ': one record per captured statement (its rows are in the table''s row log, joined by txid and cmin). No indexes; emptied by TRUNCATE once promoted.');
    execute format('comment on column warden_private.capture_statements_%s.txid is %L', s, 'Writing transaction.');
    execute format('comment on column warden_private.capture_statements_%s.table_id is %L', s, 'The audited table (warden_private.audited_tables).');
    execute format('comment on column warden_private.capture_statements_%s.version is %L', s, 'Its capture version.');
    execute format('comment on column warden_private.capture_statements_%s.op is %L', s, 'i(nsert), u(pdate), d(elete) or t(runcate).');
    execute format('comment on column warden_private.capture_statements_%s.row_count is %L', s, 'Rows recorded in the row log (for TRUNCATE: rows the table held).');
    execute format('comment on column warden_private.capture_statements_%s.occurred_at is %L', s, 'Start of the writing transaction (the events'' occurred_at).');
    execute format('comment on column warden_private.capture_statements_%s.recorded_at is %L', s, 'When the statement was captured (the events'' recorded_at).');
    execute format('comment on column warden_private.capture_statements_%s.tenant_id is %L', s, 'Tenant of the request context.');
    execute format('comment on column warden_private.capture_statements_%s.actor_type is %L', s, 'Actor type (db_role without a context).');
    execute format('comment on column warden_private.capture_statements_%s.actor_id is %L', s, 'Actor id (the session user without a context).');
    execute format('comment on column warden_private.capture_statements_%s.actor_ip is %L', s, 'Client address.');
    execute format('comment on column warden_private.capture_statements_%s.user_agent is %L', s, 'User agent.');
    execute format('comment on column warden_private.capture_statements_%s.trace_id is %L', s, 'Trace id.');
    execute format('comment on column warden_private.capture_statements_%s.correlation_id is %L', s, 'Correlation id (set_context extra).');
    execute format('comment on column warden_private.capture_statements_%s.service is %L', s, 'Service (set_context extra, or application_name without a context).');
  end loop;
end;
$$;

--------------------------------------------------------------------------------
-- The capture log is as protected as the store: UPDATE, DELETE, TRUNCATE
-- and DROP only inside the promotion.
--------------------------------------------------------------------------------
create function warden_private.in_capture_promotion() returns boolean
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_stack text;
begin
  -- The promotion announces itself with a transaction-local setting AND
  -- must really be on the call stack: setting the flag by hand is not enough.
  if coalesce(current_setting('warden.capture_promotion', true), '') = '' then
    return false;
  end if;
  get diagnostics v_stack = pg_context;
  return v_stack ~ 'function warden_private\.capture_promote\(';
end;
$$;
comment on function warden_private.in_capture_promotion() is
  'True only inside warden_private.capture_promote, the one function that may empty or drop capture logs.';

create function warden_private.tg_capture_log_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog
as $$
begin
  if warden_private.in_capture_promotion() then
    return null;
  end if;
  raise exception '% on %.% is not allowed: the capture log is append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = '42501',
          hint = 'captured changes leave the log only through their promotion into warden.audit_events (warden.flush_capture())';
end;
$$;
comment on function warden_private.tg_capture_log_guard() is
  'Trigger: refuses UPDATE, DELETE and TRUNCATE on capture logs outside their promotion.';

create function warden_private.protect_capture_log(log_table regclass) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  execute format('alter table %s enable row level security', log_table);
  execute format('alter table %s force row level security', log_table);
  execute format('create policy owner_maintenance on %s to warden_owner using (true) with check (true)', log_table);
  -- statement-level: even an UPDATE or DELETE that matches nothing is refused
  execute format('create trigger _010_append_only before update or delete or truncate on %s
    for each statement execute function warden_private.tg_capture_log_guard()', log_table);
end;
$$;
comment on function warden_private.protect_capture_log(regclass) is
  'Makes a capture log table append-only (guard triggers) with forced row-level security and the owner''s maintenance policy.';

select warden_private.protect_capture_log('warden_private.capture_statements_0');
select warden_private.protect_capture_log('warden_private.capture_statements_1');

--------------------------------------------------------------------------------
-- Column types for the generated code
--------------------------------------------------------------------------------
create function warden_private.capture_storage_type(typ oid, typmod integer) returns text
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_typ oid := typ;
  v_mod integer := typmod;
  r record;
begin
  -- A domain is stored as its base type: the value was checked when the
  -- application wrote it; the log does not check it again.
  loop
    select t.typtype, t.typbasetype, t.typtypmod into r from pg_type t where t.oid = v_typ;
    exit when r.typtype is distinct from 'd';
    v_typ := r.typbasetype;
    v_mod := r.typtypmod;
  end loop;
  return format_type(v_typ, v_mod);
end;
$$;
comment on function warden_private.capture_storage_type(oid, integer) is 'The SQL type a captured column is stored as in the row log (domains as their base type).';

create function warden_private.capture_comparison(typ oid) returns text
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_typ oid := typ;
  r record;
begin
  -- How the generated code compares old and new values: "typed" (IS DISTINCT
  -- FROM, byte-wise for collatable types), or "text" for types without a
  -- usable equality (json, xml, point, composites...).
  loop
    select t.typtype, t.typbasetype, t.typelem, t.typcategory, t.typcollation into r from pg_type t where t.oid = v_typ;
    if r.typtype = 'd' then
      v_typ := r.typbasetype;
    elsif r.typcategory = 'A' and r.typelem <> 0 then
      v_typ := r.typelem;  -- array equality compares elements
    else
      exit;
    end if;
  end loop;
  if r.typtype in ('c', 'p') then
    return 'text';
  end if;
  begin
    execute format('select null::%s is distinct from null::%s', format_type(v_typ, null), format_type(v_typ, null));
  exception when others then
    return 'text';
  end;
  return case when r.typcollation <> 0 then 'collated' else 'typed' end;
end;
$$;
comment on function warden_private.capture_comparison(oid) is
  'typed, collated (typed, compared byte-wise with COLLATE "C") or text: how generated capture code decides that a column changed.';

create function warden_private.capture_distinct(cmp text, a text, b text) returns text
  language sql immutable
  set search_path = pg_catalog
as $$
  select case cmp
    when 'text' then format('%s::text is distinct from %s::text', a, b)
    when 'collated' then format('%s collate "C" is distinct from %s collate "C"', a, b)
    else format('%s is distinct from %s', a, b) end
$$;
comment on function warden_private.capture_distinct(text, text, text) is 'SQL text of "a changed to b" for generated capture code.';

create function warden_private.capture_json_object(keys text[], exprs text[]) returns text
  language sql immutable
  set search_path = pg_catalog
as $$
  -- jsonb_build_object takes at most 100 arguments: chunks of 50 pairs.
  select coalesce(string_agg(chunk, ' || ' order by n), '''{}''::jsonb')
  from (
    select (i - 1) / 50 as n,
           'jsonb_build_object(' || string_agg(quote_literal(keys[i]) || ', ' || exprs[i], ', ' order by i) || ')' as chunk
    from generate_subscripts(keys, 1) i
    group by 1
  ) c
$$;
comment on function warden_private.capture_json_object(text[], text[]) is 'SQL text building a jsonb object of keys and value expressions (any number of them).';

--------------------------------------------------------------------------------
-- Generator: the capture function, the row log and the promotion select of
-- one table version.
--------------------------------------------------------------------------------
create function warden_private.capture_columns(target regclass, options jsonb) returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_pk text[] := coalesce(warden_private.primary_key_columns(target), '{}');
  v_exclude text[] := array(select jsonb_array_elements_text(coalesce(options -> 'exclude_columns', '[]')));
  v_redact text[] := array(select jsonb_array_elements_text(coalesce(options -> 'redact_columns', '[]')));
  v_tenant_column text := options ->> 'tenant_column';
  v_cols jsonb := '[]';
  v_key boolean;
  v_hash boolean;
  a record;
begin
  -- Every column but the excluded ones, plus the key and the tenant column
  -- (always needed for row_pk and tenant_id), in column order.
  for a in
    select att.attname::text as name, att.atttypid, att.atttypmod
    from pg_attribute att
    where att.attrelid = target and att.attnum > 0 and not att.attisdropped
    order by att.attnum
  loop
    v_key := a.name = any (v_pk) or a.name is not distinct from v_tenant_column;
    continue when a.name = any (v_exclude) and not v_key;
    -- Redacted values are hashed in the writing transaction; a key or tenant
    -- column keeps its raw value in the log (row_pk and tenant_id need it)
    -- and is hashed for old_values/new_values at promotion.
    v_hash := a.name = any (v_redact) and not v_key;
    v_cols := v_cols || jsonb_build_object(
      'name', a.name,
      'type', format_type(a.atttypid, a.atttypmod),
      'pk', a.name = any (v_pk),
      'tenant', a.name is not distinct from v_tenant_column,
      'value', not (a.name = any (v_exclude)),
      'hash', v_hash,
      'late_hash', a.name = any (v_redact) and v_key,
      'compare', warden_private.capture_comparison(a.atttypid),
      'log_compare', case when v_hash then 'collated' else warden_private.capture_comparison(a.atttypid) end,
      'log_type', case when v_hash then 'text' else warden_private.capture_storage_type(a.atttypid, a.atttypmod) end);
  end loop;
  return v_cols;
end;
$$;
comment on function warden_private.capture_columns(regclass, jsonb) is
  'The columns a capture of the table with these options stores, in log order, with how each is stored and compared.';

create function warden_private.capture_function_sql(fn text, target_name text, schema_name text, relation_name text, log_name text,
  table_id integer, version integer, cols jsonb, options jsonb, has_pk boolean) returns text
  language plpgsql immutable
  set search_path = pg_catalog
as $gen$
declare
  v_full boolean := (options ->> 'capture') = 'full';
  v_skip boolean := coalesce((options ->> 'skip_unchanged')::boolean, true);
  v_tenant_column text := options ->> 'tenant_column';
  v_fixed_tenant text := options ->> 'tenant';
  v_hash_tenant_n text;
  v_hash_tenant_o text;
  v_n_cols text[] := '{}';
  v_o_cols text[] := '{}';
  v_on_cols text[] := '{}';
  v_ins text[] := '{}';
  v_del text[] := '{}';
  v_upd text[] := '{}';
  v_read text[] := '{}';
  v_changed text[] := '{}';
  v_stmt text := 'txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service';
  v_ctx text := 'now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service';
  v_body text := '';
  v_ordinal text := 'warden_capture_ordinal';
  c jsonb;
  i integer;
  s integer;
  v_o text;
  v_n text;
  v_d text;
begin
  -- The UPDATE pairing's row number needs a name no captured column has.
  while exists (select 1 from jsonb_array_elements(cols) e where e.value ->> 'name' = v_ordinal) loop
    v_ordinal := v_ordinal || '_';
  end loop;
  v_hash_tenant_n := case when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid'
    when v_tenant_column is not null then format('coalesce(n.%I, v_ctx_tenant)', v_tenant_column) else 'v_ctx_tenant' end;
  v_hash_tenant_o := case when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid'
    when v_tenant_column is not null then format('coalesce(o.%I, v_ctx_tenant)', v_tenant_column) else 'v_ctx_tenant' end;
  for i in 1 .. jsonb_array_length(cols) loop
    c := cols -> (i - 1);
    v_read := v_read || format('%I', c ->> 'name');
    v_n_cols := v_n_cols || format('n%s', i);
    v_o_cols := v_o_cols || format('o%s', i);
    v_on_cols := v_on_cols || format('o%s', i) || format('n%s', i);
    if (c ->> 'hash')::boolean then
      v_ins := v_ins || format('case when n.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(n.%1$I)::text) end', c ->> 'name', v_hash_tenant_n);
      v_del := v_del || format('case when o.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(o.%1$I)::text) end', c ->> 'name', v_hash_tenant_o);
      -- an UPDATE hashes both sides under the new row's tenant, as before
      v_o := format('case when o.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(o.%1$I)::text) end', c ->> 'name', v_hash_tenant_n);
      v_n := format('case when n.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(n.%1$I)::text) end', c ->> 'name', v_hash_tenant_n);
    else
      v_ins := v_ins || format('n.%I', c ->> 'name');
      v_del := v_del || format('o.%I', c ->> 'name');
      v_o := format('o.%I', c ->> 'name');
      v_n := format('n.%I', c ->> 'name');
    end if;
    v_d := warden_private.capture_distinct(c ->> 'compare', format('o.%I', c ->> 'name'), format('n.%I', c ->> 'name'));
    if (c ->> 'value')::boolean then
      v_changed := v_changed || v_d;
    end if;
    -- UPDATE: the key and the tenant column always (every column with
    -- capture full or without a key); other columns only when they changed.
    if v_full or not has_pk or (c ->> 'pk')::boolean or (c ->> 'tenant')::boolean then
      v_upd := v_upd || v_o || v_n;
    else
      v_upd := v_upd || format('case when %s then %s end', v_d, v_o) || format('case when %s then %s end', v_d, v_n);
    end if;
  end loop;

  for s in 0 .. 1 loop
    v_body := v_body || case when s = 0 then E'\n  if v_slot = 0 then' else E'\n  else' end || format($b$
    if tg_op = 'INSERT' then
      with r as (insert into %1$s_%2$s (txid, %3$s) select v_tx, %4$s from new_rows n returning 1)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'i', count(*), %8$s from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into %1$s_%2$s (txid, %9$s)
        select v_tx, %10$s
        from (select row_number() over () as %15$I, %11$s from old_rows) o
        join (select row_number() over () as %15$I, %11$s from new_rows) n on n.%15$I = o.%15$I
        where %12$s
        returning 1)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'u', count(*), %8$s from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into %1$s_%2$s (txid, %13$s) select v_tx, %14$s from old_rows o returning 1)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'd', count(*), %8$s from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %%s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_%2$s (%5$s)
      values (v_tx, %6$s, %7$s, 't', v_count, %8$s);
    end if;$b$,
      log_name, s, array_to_string(v_n_cols, ', '), array_to_string(v_ins, ', '), v_stmt, table_id, version, v_ctx,
      array_to_string(v_on_cols, ', '), array_to_string(v_upd, ', '), array_to_string(v_read, ', '),
      case when not v_skip then 'true' when cardinality(v_changed) = 0 then 'false' else array_to_string(v_changed, ' or ') end,
      array_to_string(v_o_cols, ', '), array_to_string(v_del, ', '), v_ordinal);
  end loop;
  v_body := v_body || E'\n  end if;';

  return format($f$
create function %1$s() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
  set jit = off
  -- an UPDATE pairs old and new rows by sorting both: in memory up to a few
  -- hundred thousand rows
  set work_mem = '64MB'
as $body$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) %% 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = %4$L and tg_table_name = %5$L) then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = %4$L and c.relname = %5$L) then
      raise exception 'the capture function of %% cannot capture %%', %2$L, tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
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
  v_correlation := v_extra ->> 'correlation_id';%3$s
  return null;
end;
$body$$f$, fn, target_name, v_body, schema_name, relation_name);
end;
$gen$;
comment on function warden_private.capture_function_sql(text, text, text, text, text, integer, integer, jsonb, jsonb, boolean) is
  'SQL text of a generated capture trigger function: the request context once per statement, the rows as the log stores them (typed comparisons decide what an UPDATE changed).';

create function warden_private.capture_select_sql(table_name text, event_prefix text, resource_type text, log_name text,
  table_id integer, version integer, cols jsonb, pk text[], options jsonb) returns text
  language plpgsql immutable
  set search_path = pg_catalog
as $gen$
declare
  v_full boolean := (options ->> 'capture') = 'full';
  v_fixed_tenant text := options ->> 'tenant';
  v_tenant text;
  v_keys text[] := '{}';
  v_vals_n text[] := '{}';
  v_vals_o text[] := '{}';
  v_chg text[] := '{}';
  v_unchg text[] := '{}';
  v_pk_n text[] := '{}';
  v_pk_o text[] := '{}';
  v_row_pk text := 'null::jsonb';
  v_resource_id text := 'null::text';
  v_old_values text;
  v_new_values text;
  v_d text;
  a record;
begin
  select case
    when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid'
    else format('coalesce(case s.op when %L then r.o%s else r.n%s end, s.tenant_id)', 'd', e.i, e.i) end
    into v_tenant
  from jsonb_array_elements(cols) with ordinality e(v, i) where (e.v ->> 'tenant')::boolean;
  v_tenant := coalesce(v_tenant, case when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid' else 's.tenant_id' end);

  if pk is not null then
    for a in
      select k.name, e.i from unnest(pk) with ordinality k(name, ord)
      join jsonb_array_elements(cols) with ordinality e(v, i) on e.v ->> 'name' = k.name
      order by k.ord
    loop
      v_pk_n := v_pk_n || quote_literal(a.name) || format('r.n%s', a.i);
      v_pk_o := v_pk_o || quote_literal(a.name) || format('r.o%s', a.i);
    end loop;
    v_row_pk := format('case s.op when %L then jsonb_build_object(%s) when %L then null else jsonb_build_object(%s) end',
      'd', array_to_string(v_pk_o, ', '), 't', array_to_string(v_pk_n, ', '));
    v_resource_id := case when cardinality(pk) = 1
      then format('case s.op when %L then to_jsonb(%s) #>> %L when %L then null else to_jsonb(%s) #>> %L end',
                  'd', v_pk_o[2], '{}', 't', v_pk_n[2], '{}')
      else format('(%s)::text', v_row_pk) end;
  end if;

  -- value columns (not excluded), by name: changed_fields is sorted
  for a in
    select e.i, e.v as c from jsonb_array_elements(cols) with ordinality e(v, i)
    where (e.v ->> 'value')::boolean order by e.v ->> 'name'
  loop
    v_keys := v_keys || (a.c ->> 'name');
    v_vals_n := v_vals_n || case when (a.c ->> 'late_hash')::boolean
      then format('case when r.n%1$s is null then null else warden_private.keyed_hash(%2$s, to_jsonb(r.n%1$s)::text) end', a.i, v_tenant)
      else format('r.n%s', a.i) end;
    v_vals_o := v_vals_o || case when (a.c ->> 'late_hash')::boolean
      then format('case when r.o%1$s is null then null else warden_private.keyed_hash(%2$s, to_jsonb(r.o%1$s)::text) end', a.i, v_tenant)
      else format('r.o%s', a.i) end;
    v_d := warden_private.capture_distinct(a.c ->> 'log_compare', format('r.o%s', a.i), format('r.n%s', a.i));
    v_chg := v_chg || format('case when %s then %L end', v_d, a.c ->> 'name');
    v_unchg := v_unchg || format('case when not (%s) then %L end', v_d, a.c ->> 'name');
  end loop;
  v_old_values := case when v_full or pk is null then warden_private.capture_json_object(v_keys, v_vals_o)
    else format('case when d.changed is null then null else %s - d.unchanged end', warden_private.capture_json_object(v_keys, v_vals_o)) end;
  v_new_values := case when v_full then warden_private.capture_json_object(v_keys, v_vals_n)
    else format('case when d.changed is null then null else %s - d.unchanged end', warden_private.capture_json_object(v_keys, v_vals_n)) end;

  return format($s$select s.occurred_at, s.recorded_at, %1$s as tenant_id,
       %2$L || case s.op when 'i' then 'insert' when 'u' then 'update' when 'd' then 'delete' else 'truncate' end as event_type,
       'data'::text as category,
       case s.op when 'i' then 'insert' when 'u' then 'update' when 'd' then 'delete' else 'truncate' end as action,
       s.actor_type, s.actor_id, s.actor_ip, s.user_agent, %3$L::text as resource_type, %4$s as resource_id,
       s.correlation_id, s.trace_id, s.service, s.txid, %5$L::text as table_name, %6$s as row_pk,
       d.changed as changed_fields,
       case s.op when 'd' then %7$s when 'u' then %8$s end as old_values,
       case s.op when 'i' then %9$s when 'u' then %10$s end as new_values,
       case s.op when 't' then jsonb_build_object('row_count', s.row_count) end as event_data,
       s.scmin, r.rctid
from (select x.*, x.cmin as scmin from warden_private.capture_statements_0 x where x.table_id = %13$s and x.version = %14$s
      union all
      select x.*, x.cmin as scmin from warden_private.capture_statements_1 x where x.table_id = %13$s and x.version = %14$s) s
left join (select y.*, y.cmin as rcmin, y.ctid as rctid from %11$s_0 y
           union all
           select y.*, y.cmin as rcmin, y.ctid as rctid from %11$s_1 y) r
  on r.txid = s.txid and r.rcmin = s.scmin
cross join lateral (select case when s.op = 'u' then nullif(array_remove(array[%12$s]::text[], null), '{}') end as changed,
                           case when s.op = 'u' then array_remove(array[%15$s]::text[], null) end as unchanged) d
where s.op = 't' or r.txid is not null$s$,
    v_tenant, event_prefix, resource_type, v_resource_id, table_name, v_row_pk,
    warden_private.capture_json_object(v_keys, v_vals_o), v_old_values,
    warden_private.capture_json_object(v_keys, v_vals_n), v_new_values,
    log_name,
    coalesce(nullif(array_to_string(v_chg, ', '), ''), 'null'),
    table_id, version,
    coalesce(nullif(array_to_string(v_unchg, ', '), ''), 'null'));
end;
$gen$;
comment on function warden_private.capture_select_sql(text, text, text, text, integer, integer, jsonb, text[], jsonb) is
  'SQL text selecting one capture version''s records as audit events (the columns of warden.audit_events but event_id, plus scmin and rctid for ordering). Promotion and row history filter it by txid.';

create function warden_private.capture_install(target regclass, options jsonb, grantee text default null)
  returns text
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_table text;
  v_prefix text := warden_private.audit_event_type(target, '');
  v_resource_type text := coalesce(options ->> 'resource_type', '');
  v_pk text[] := warden_private.primary_key_columns(target);
  v_cols jsonb;
  v_reg warden_private.audited_tables;
  v_cur warden_private.capture_versions;
  v_id integer;
  v_version integer;
  v_fn text;
  v_log text;
  c jsonb;
  i integer;
  s integer;
  v_log_cols text := '';
begin
  select format('%I.%I', n.nspname, c2.relname) into v_table
  from pg_class c2 join pg_namespace n on n.oid = c2.relnamespace where c2.oid = target;
  v_resource_type := coalesce(options ->> 'resource_type', v_table);
  -- A tenant column dropped since auditing was enabled: the request's tenant is used.
  if options ? 'tenant_column' and not exists (
    select 1 from pg_attribute a where a.attrelid = target and a.attname = options ->> 'tenant_column' and a.attnum > 0 and not a.attisdropped) then
    options := options - 'tenant_column';
  end if;
  v_cols := warden_private.capture_columns(target, options);
  perform pg_advisory_xact_lock(hashtext('warden.capture_install'), target::oid::integer);

  select t.* into v_reg from warden_private.audited_tables t where t.relid = target and t.dropped_at is null;
  if v_reg.id is null then
    insert into warden_private.audited_tables (relid, table_name, options) values (target, v_table, options)
    returning * into v_reg;
  else
    select v.* into v_cur from warden_private.capture_versions v where v.table_id = v_reg.id and v.version = v_reg.version;
    update warden_private.audited_tables t
    set table_name = v_table, options = capture_install.options, disabled_at = null, disabled_by = null,
        enabled_at = case when t.disabled_at is not null then now() else t.enabled_at end,
        enabled_by = case when t.disabled_at is not null then session_user else t.enabled_by end
    where t.id = v_reg.id;
    -- Nothing changed: the current version stays.
    -- (re)enabling closes a capture gap: the triggers are put back now
    if v_reg.gap_since is not null and v_reg.disabled_at is null then
      perform warden_private.capture_gap_closed(target, 'enable_auditing');
    end if;
    if v_cur.retired_at is null and v_cur.table_name = v_table and v_cur.columns = v_cols
       and v_cur.pk is not distinct from v_pk and v_cur.resource_type = v_resource_type and v_reg.options = options then
      if grantee is not null then
        execute format('grant execute on function %s() to %I', v_cur.capture_function, grantee);
      end if;
      return v_cur.capture_function;
    end if;
    update warden_private.capture_versions v set retired_at = now() where v.table_id = v_reg.id and v.retired_at is null;
  end if;
  v_id := v_reg.id;
  v_version := v_reg.version + 1;
  update warden_private.audited_tables t set version = v_version, updated_at = now() where t.id = v_id;
  v_fn := format('warden_private.capture_%s_v%s', v_id, v_version);
  v_log := format('warden_private.capture_rows_%s_v%s', v_id, v_version);

  -- The row log: o<i>/n<i> for captured column i, in the table's own types.
  for i in 1 .. jsonb_array_length(v_cols) loop
    c := v_cols -> (i - 1);
    v_log_cols := v_log_cols || format(', o%s %s, n%s %s', i, c ->> 'log_type', i, c ->> 'log_type');
  end loop;
  for s in 0 .. 1 loop
    execute format('create table %s_%s (txid bigint not null%s) with (autovacuum_enabled = off)', v_log, s, v_log_cols);
    execute format('comment on table %s_%s is %L', v_log, s, format(
      'Capture row log of %s (version %s, slot %s): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.',
      v_table, v_version, s));
    execute format('comment on column %s_%s.txid is %L', v_log, s, 'Writing transaction (with cmin: its statement in warden_private.capture_statements_' || s || ').');
    for i in 1 .. jsonb_array_length(v_cols) loop
      c := v_cols -> (i - 1);
      execute format('comment on column %s_%s.o%s is %L', v_log, s, i,
        'Old value of ' || quote_ident(c ->> 'name') || case when (c ->> 'hash')::boolean then ' (keyed hash)' else '' end);
      execute format('comment on column %s_%s.n%s is %L', v_log, s, i,
        'New value of ' || quote_ident(c ->> 'name') || case when (c ->> 'hash')::boolean then ' (keyed hash)' else '' end);
    end loop;
    perform warden_private.protect_capture_log(format('%s_%s', v_log, s)::regclass);
  end loop;

  execute warden_private.capture_function_sql(v_fn, v_table,
    (select n.nspname::text from pg_class c2 join pg_namespace n on n.oid = c2.relnamespace where c2.oid = target),
    (select c2.relname::text from pg_class c2 where c2.oid = target),
    v_log, v_id, v_version, v_cols, options, v_pk is not null);
  execute format('comment on function %s() is %L', v_fn,
    format('Generated capture function of %s (version %s): appends each statement''s records to the capture log (see warden_private.capture_install).', v_table, v_version));
  execute format('revoke all on function %s() from public', v_fn);
  if grantee is not null then
    execute format('grant execute on function %s() to %I', v_fn, grantee);
  end if;

  insert into warden_private.capture_versions (table_id, version, table_name, event_prefix, resource_type, columns, pk,
    capture_function, row_log, select_sql)
  values (v_id, v_version, v_table, v_prefix, v_resource_type, v_cols, v_pk, v_fn, v_log,
    warden_private.capture_select_sql(v_table, v_prefix, v_resource_type, v_log, v_id, v_version, v_cols, v_pk, options));
  return v_fn;
end;
$$;
comment on function warden_private.capture_install(regclass, jsonb, text) is
  'Registers an audited table and, when its options or shape changed, generates a new capture version: the typed row log (two append-only slots), the capture trigger function (EXECUTE granted to grantee, who creates the triggers) and the select that promotion runs. Returns the capture function''s name. Called by warden.enable_auditing and the DDL event trigger.';
revoke all on function warden_private.capture_install(regclass, jsonb, text) from public;

--------------------------------------------------------------------------------
-- Turning capture on and off
--------------------------------------------------------------------------------
create function warden_private.capture_enable(target regclass, options jsonb, grantee text default null) returns text
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_fn text := warden_private.capture_install(target, options, grantee);
  v_part regclass;
begin
  -- Statement-level triggers fire only for the table a statement names, so
  -- a partitioned table's partitions get them too (recording events as the
  -- partitioned table's); new partitions get them from the DDL event trigger.
  -- Runs with the caller's rights: creating the triggers needs the TRIGGER
  -- privilege on the table.
  for v_part in select target union select relid from pg_partition_tree(target) loop
    execute format('create or replace trigger _900_audit_insert after insert on %s referencing new table as new_rows
      for each statement execute function %s()', v_part, v_fn);
    execute format('create or replace trigger _900_audit_update after update on %s referencing old table as old_rows new table as new_rows
      for each statement execute function %s()', v_part, v_fn);
    execute format('create or replace trigger _900_audit_delete after delete on %s referencing old table as old_rows
      for each statement execute function %s()', v_part, v_fn);
    execute format('create or replace trigger _900_audit_truncate before truncate on %s
      for each statement execute function %s()', v_part, v_fn);
  end loop;
  return v_fn;
end;
$$;
comment on function warden_private.capture_enable(regclass, jsonb, text) is
  'Generates (or keeps) the table''s capture version and points the capture triggers of the table and its partitions at it; runs with the caller''s rights.';

create function warden_private.capture_registration(target regclass) returns jsonb
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select jsonb_build_object('options', t.options, 'version', t.version, 'disabled', t.disabled_at is not null)
  from warden_private.audited_tables t where t.relid = target and t.dropped_at is null
$$;
comment on function warden_private.capture_registration(regclass) is 'The registry entry of a table: options, capture version, whether disabled; null when never audited.';

create function warden_private.capture_disable(target regclass) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_options jsonb;
begin
  update warden_private.audited_tables t set disabled_at = now(), disabled_by = session_user
  where t.relid = target and t.dropped_at is null and t.disabled_at is null
  returning t.options into v_options;
  -- The version's log is promoted to its end, then dropped (capture_promote).
  update warden_private.capture_versions v set retired_at = now()
  where v.retired_at is null and v.table_id = (select t.id from warden_private.audited_tables t where t.relid = target and t.dropped_at is null);
  return v_options;
end;
$$;
comment on function warden_private.capture_disable(regclass) is
  'Marks an audited table disabled in the registry (an intended stop, not a capture gap) and retires its capture version; returns the options it had, or null when it was not audited.';
revoke all on function warden_private.capture_registration(regclass), warden_private.capture_disable(regclass) from public;

create or replace function warden.enable_auditing(target regclass, options jsonb default '{}') returns jsonb
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
  v_before jsonb;
begin
  select c.relkind, c.relname, n.nspname, c.relispartition into v_rel
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_rel.relkind not in ('r', 'p') then
    raise exception '% is not a table', target using errcode = '42809';
  end if;
  if v_rel.nspname in ('warden_private', 'graphile_worker', 'graphile_migrate', 'pg_catalog', 'information_schema')
     or target = 'warden.audit_events'::regclass then
    raise exception 'Warden does not audit the audit store, its internals or system tables (%)', target using errcode = '42809';
  end if;
  if v_rel.relispartition then
    raise exception '% is a partition: audit its partitioned table (%), which covers every partition', target, pg_partition_root(target)
      using errcode = '42809';
  end if;
  if not has_table_privilege(target, 'TRIGGER') then
    raise exception 'permission denied to audit %: creating its capture triggers needs the TRIGGER privilege', target using errcode = '42501';
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
    if jsonb_typeof(v_opts -> 'tenant') <> 'string'
       or (v_opts ->> 'tenant') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
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
  v_before := warden_private.capture_registration(target);
  perform warden_private.capture_enable(target, v_effective, current_user);
  if v_before is null or (v_before ->> 'disabled')::boolean or v_before -> 'options' <> v_effective then
    perform warden_private.record_governance_event(
      'governance.auditing.enabled', coalesce((v_effective ->> 'tenant')::uuid, warden.current_tenant_id()), 'table',
      format('%I.%I', v_rel.nspname, v_rel.relname),
      case when v_before is null or (v_before ->> 'disabled')::boolean then null else v_before -> 'options' end,
      v_effective);
  end if;
  return v_effective;
end;
$$;
comment on function warden.enable_auditing(regclass, jsonb) is
  E'@behavior -*\nStarts auditing a table: every INSERT, UPDATE, DELETE and TRUNCATE is captured in the same transaction (into the capture log, which the worker promotes into warden.audit_events within seconds; warden.flush_capture() promotes at once). Idempotent (calling again replaces the options). Options: exclude_columns (never stored), redact_columns (stored only as a keyed hash), capture (changes | full), tenant_column (default tenant_id) or tenant (a fixed tenant id), skip_unchanged (default true), resource_type. Runs with the caller''s rights: the caller needs the TRIGGER privilege on the table. Writes a governance.auditing.enabled event when auditing starts or its options change. Returns the effective options.';

create or replace function warden.disable_auditing(target regclass) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_found boolean := exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname like '\_900\_audit\_%');
  v_options jsonb;
  v_part regclass;
begin
  -- The registry first: the DDL event trigger then sees an intended stop,
  -- not a capture gap.
  v_options := warden_private.capture_disable(target);
  for v_part in select target union select relid from pg_partition_tree(target) loop
    execute format('drop trigger if exists _900_audit_insert on %s', v_part);
    execute format('drop trigger if exists _900_audit_update on %s', v_part);
    execute format('drop trigger if exists _900_audit_delete on %s', v_part);
    execute format('drop trigger if exists _900_audit_truncate on %s', v_part);
  end loop;
  if v_found or v_options is not null then
    perform warden_private.record_governance_event(
      'governance.auditing.disabled', coalesce((v_options ->> 'tenant')::uuid, warden.current_tenant_id()), 'table',
      (select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target),
      v_options, null, '{}', 'warning');
  end if;
  return v_found;
end;
$$;
comment on function warden.disable_auditing(regclass) is
  E'@behavior -*\nStops auditing a table (its past events stay; changes already captured are still promoted). Writes a governance.auditing.disabled event. Idempotent; returns whether it was audited.';

--------------------------------------------------------------------------------
-- Promotion: capture records of ended transactions become audit events.
--------------------------------------------------------------------------------
create function warden_private.capture_promote(horizon bigint default null, include_own boolean default false, wait boolean default true,
  purge_promoted boolean default false)
  returns table (promoted bigint, promoted_below bigint)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
  set work_mem = '256MB'
as $$
declare
  v_state warden_private.capture_state;
  v_h bigint;
  v_own bigint;
  v_gen bigint;
  v_inactive integer;
  v_n bigint;
  v_total bigint := 0;
  v_empty boolean;
  ver record;
begin
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'capture promotion runs at isolation level read committed, not %', current_setting('transaction_isolation')
      using errcode = '25001';
  end if;
  if wait then
    perform pg_advisory_xact_lock(hashtext('warden.capture'));
  elsif not pg_try_advisory_xact_lock(hashtext('warden.capture')) then
    -- another promotion is under way: nothing promoted, the watermark as committed
    return query select 0::bigint, s.promoted_below from warden_private.capture_state s;
    return;
  end if;
  perform set_config('warden.capture_promotion', 'on', true);
  select s.* into v_state from warden_private.capture_state s for update;
  -- Every transaction below the horizon has ended: its records are final.
  v_h := greatest(coalesce(horizon, warden_private.seal_horizon()), v_state.promoted_below);
  v_own := case when include_own then pg_current_xact_id_if_assigned()::text::bigint end;

  -- The versions with records in the window, each promoted in the order
  -- written (transaction, statement, row); statements read fresh snapshots,
  -- so every transaction below v_h is visible.
  for ver in
    select v.table_id, v.version, v.select_sql, v.row_log
    from warden_private.capture_versions v
    where (v.table_id, v.version) in (
      select x.table_id, x.version from warden_private.capture_statements_0 x
      where (x.txid >= v_state.promoted_below and x.txid < v_h) or x.txid = v_own
      union
      select x.table_id, x.version from warden_private.capture_statements_1 x
      where (x.txid >= v_state.promoted_below and x.txid < v_h) or x.txid = v_own)
    order by v.table_id, v.version
  loop
    execute format(
      'insert into warden.audit_events (occurred_at, recorded_at, tenant_id, event_type, category, action, actor_type, actor_id,
         actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk,
         changed_fields, old_values, new_values, event_data)
       select e.occurred_at, e.recorded_at, e.tenant_id, e.event_type, e.category, e.action, e.actor_type, e.actor_id,
         e.actor_ip, e.user_agent, e.resource_type, e.resource_id, e.correlation_id, e.trace_id, e.service, e.txid, e.table_name,
         e.row_pk, e.changed_fields, e.old_values, e.new_values, e.event_data
       from (%s) e
       where (e.txid >= $1 and e.txid < $2) or e.txid = $3', ver.select_sql)
      using v_state.promoted_below, v_h, v_own;
    get diagnostics v_n = row_count;
    v_total := v_total + v_n;
    if v_own is not null then
      -- the caller's own records are promoted now: they leave the log with its transaction
      execute format('delete from %s_0 where txid = $1', ver.row_log) using v_own;
      execute format('delete from %s_1 where txid = $1', ver.row_log) using v_own;
    end if;
  end loop;
  if v_own is not null then
    delete from warden_private.capture_statements_0 where txid = v_own;
    delete from warden_private.capture_statements_1 where txid = v_own;
  end if;
  if purge_promoted then
    -- GDPR erasure: what is promoted must not linger in the log until its
    -- slot is truncated (a DELETE here, only on erasure).
    for ver in select v.row_log from warden_private.capture_versions v where v.dropped_at is null loop
      execute format('delete from %s_0 where txid < $1', ver.row_log) using v_h;
      execute format('delete from %s_1 where txid < $1', ver.row_log) using v_h;
    end loop;
    delete from warden_private.capture_statements_0 where txid < v_h;
    delete from warden_private.capture_statements_1 where txid < v_h;
  end if;

  -- Generations: writers append to slot (generation mod 2). Once every
  -- transaction that could still write to the other slot has ended (the
  -- horizon passed flip_xid), all its records are below the horizon and
  -- promoted: TRUNCATE it, then flip the generation if the active slot holds
  -- anything. A flip whose record was lost (its pass rolled back after
  -- nextval) is recorded again, later, which only delays the next truncation.
  v_gen := pg_sequence_last_value('warden_private.capture_generation'::regclass);
  v_inactive := ((v_gen + 1) % 2)::integer;
  if v_state.generation <> v_gen or v_state.flip_xid is null then
    v_state.generation := v_gen;
    v_state.flip_xid := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
    v_state.truncated_generation := null;
  elsif v_h >= v_state.flip_xid then
    if v_state.truncated_generation is distinct from v_gen then
      -- (only what holds something: a TRUNCATE gives the table a new file)
      if pg_relation_size(format('warden_private.capture_statements_%s', v_inactive)::regclass) > 0 then
        execute format('truncate warden_private.capture_statements_%s', v_inactive);
      end if;
      for ver in select v.row_log from warden_private.capture_versions v where v.dropped_at is null loop
        if pg_relation_size(format('%s_%s', ver.row_log, v_inactive)::regclass) > 0 then
          execute format('truncate %s_%s', ver.row_log, v_inactive);
        end if;
      end loop;
      v_state.truncated_generation := v_gen;
    end if;
    execute format('select not exists (select 1 from warden_private.capture_statements_%s)', 1 - v_inactive) into v_empty;
    if not v_empty then
      v_gen := nextval('warden_private.capture_generation');
      -- a fresh snapshot: every writer that saw the old generation has a smaller id
      v_state.generation := v_gen;
      v_state.flip_xid := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
      v_state.truncated_generation := null;
    end if;
  end if;

  -- Retired versions (a newer one replaced them, or auditing was disabled)
  -- whose records are all promoted: drop their log and function.
  for ver in
    select v.table_id, v.version, v.capture_function, v.row_log from warden_private.capture_versions v
    where v.retired_at is not null and v.dropped_at is null
      and not exists (select 1 from warden_private.capture_statements_0 x where x.table_id = v.table_id and x.version = v.version)
      and not exists (select 1 from warden_private.capture_statements_1 x where x.table_id = v.table_id and x.version = v.version)
  loop
    begin
      execute format('drop table %s_0, %s_1', ver.row_log, ver.row_log);
      execute format('drop function %s()', ver.capture_function);
      update warden_private.capture_versions v set dropped_at = now() where v.table_id = ver.table_id and v.version = ver.version;
    exception when dependent_objects_still_exist then
      raise warning 'capture version % of table % is retired but still used: %', ver.version, ver.table_id, sqlerrm;
    end;
  end loop;

  update warden_private.capture_state s
  set promoted_below = v_h, generation = v_state.generation, flip_xid = v_state.flip_xid,
      truncated_generation = v_state.truncated_generation,
      promoted_total = s.promoted_total + v_total,
      last_promoted = v_total,
      last_promoted_at = case when v_total > 0 then now() else s.last_promoted_at end;
  perform set_config('warden.capture_promotion', '', true);
  return query select v_total, v_h;
end;
$$;
comment on function warden_private.capture_promote(bigint, boolean, boolean, boolean) is
  'Promotes the capture records of every transaction below the horizon (default: warden_private.seal_horizon()) not yet promoted, and with include_own those of the calling transaction, into warden.audit_events in the order written; then empties the capture slot no writer can reach any more and flips the generation. One promotion at a time (wait, or skip when wait is false). With purge_promoted (GDPR erasure) it also deletes the promoted records still in the log. Returns the events promoted and the new promoted_below watermark. Run by the worker''s sealing pass, which seals only below that watermark.';

create function warden.flush_capture() returns bigint
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  select p.promoted from warden_private.capture_promote(null, true, true) p
$$;
comment on function warden.flush_capture() is
  E'@behavior -*\nPromotes captured changes into warden.audit_events now: those of every committed transaction and the calling transaction''s own. Returns how many events it promoted. For tests and scripts (the worker promotes every second anyway); not callable by API requests.';
revoke all on function warden.flush_capture() from public;

create function warden_private.capture_status(out backlog_events bigint, out backlog_statements bigint, out lag_seconds double precision,
  out promoted_total bigint, out promoted_below bigint, out last_promoted_at timestamptz)
  language plpgsql stable
  security definer
  set search_path = pg_catalog
as $$
declare
  v_state warden_private.capture_state;
begin
  select s.* into v_state from warden_private.capture_state s;
  select coalesce(sum(x.row_count) filter (where x.op <> 't'), 0) + count(*) filter (where x.op = 't'), count(*),
         coalesce(extract(epoch from now() - min(x.recorded_at)), 0)
    into backlog_events, backlog_statements, lag_seconds
  from (select * from warden_private.capture_statements_0 union all select * from warden_private.capture_statements_1) x
  where x.txid >= v_state.promoted_below;
  promoted_total := v_state.promoted_total;
  promoted_below := v_state.promoted_below;
  last_promoted_at := v_state.last_promoted_at;
end;
$$;
comment on function warden_private.capture_status() is
  'The capture log''s backlog (committed events and statements not yet promoted), the age of its oldest record in seconds, and promotion totals: what /metrics reports as warden_capture_backlog_events, warden_capture_lag_seconds and warden_capture_promoted_total.';

--------------------------------------------------------------------------------
-- Reads: row history also shows changes committed but not yet promoted
-- (and the caller's own), for database users who read the store directly.
--------------------------------------------------------------------------------
create function warden_private.capture_pending_events(target_table text)
  returns table (event_id uuid, occurred_at timestamptz, recorded_at timestamptz, txid bigint, table_name text, row_pk jsonb,
                 category text, action text, actor_type warden.actor_type, actor_id text, trace_id text,
                 changed_fields text[], old_values jsonb, new_values jsonb)
  language plpgsql stable
  security definer
  set search_path = pg_catalog
as $$
declare
  v_below bigint := (select s.promoted_below from warden_private.capture_state s);
  ver record;
begin
  for ver in
    select v.select_sql from warden_private.capture_versions v
    where v.table_name = capture_pending_events.target_table and v.dropped_at is null
    order by v.version
  loop
    return query execute format(
      'select null::uuid, e.occurred_at, e.recorded_at, e.txid, e.table_name, e.row_pk, e.category, e.action, e.actor_type,
              e.actor_id, e.trace_id, e.changed_fields, e.old_values, e.new_values
       from (%s) e where e.txid >= $1 order by e.txid, e.scmin::text::bigint, e.rctid', ver.select_sql)
      using v_below;
  end loop;
end;
$$;
comment on function warden_private.capture_pending_events(text) is
  'Captured changes of a table (schema.table) not yet promoted into warden.audit_events: those of committed transactions and the caller''s own, as events without an event id yet. Read by warden.audit_row_history for database users who may read the store and execute this function.';
revoke all on function warden_private.capture_pending_events(text) from public;

create or replace function warden.audit_row_history(table_name text, pk jsonb)
  returns table (event_id uuid, occurred_at timestamptz, action text, actor_type warden.actor_type, actor_id text, trace_id text,
                 txid bigint, changed_fields text[], old_values jsonb, new_values jsonb, row_data jsonb, redacted_fields jsonb)
  language plpgsql stable strict
  set search_path = pg_catalog
as $_$
declare
  v_parts text[];
  v_oid oid;
  v_table text;
  v_pk_cols text[];
  v_keys jsonb[] := array[pk];
  v_prev jsonb;
  v_hops integer := 0;
  v_row jsonb;
  v_source text;
  r record;
begin
  -- API callers (no access to raw redactable columns) read the redacted
  -- view; direct database users with full access read the store, and the
  -- changes captured but not yet promoted when they may.
  v_source := case
    when not has_column_privilege('warden.audit_events', 'event_data', 'select') then 'warden.audit_events_redacted'
    when has_function_privilege('warden_private.capture_pending_events(text)', 'execute') then
      '(select s.event_id, s.occurred_at, s.recorded_at, s.txid, s.table_name, s.row_pk, s.category, s.action, s.actor_type,
               s.actor_id, s.trace_id, s.changed_fields, s.old_values, s.new_values
        from warden.audit_events s where s.table_name = $1
        union all
        select p.* from warden_private.capture_pending_events($1) p)'
    else 'warden.audit_events' end;
  begin
    v_parts := parse_ident(table_name);
  exception when others then
    raise exception 'table_name must be schema.table, got %', quote_literal(table_name) using errcode = '22023';
  end;
  if cardinality(v_parts) = 1 then
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
    execute format(
      'select jsonb_object_agg(k, e.old_values -> k)
       from %s e, unnest($3) k
       where e.table_name = $1 and e.row_pk = $2 and e.action = ''update'' and e.changed_fields && $3
       group by e.occurred_at, e.txid, e.recorded_at, e.event_id
       order by e.occurred_at, e.txid, e.recorded_at, e.event_id
       limit 1', v_source)
      into v_prev using v_table, v_keys[cardinality(v_keys)], v_pk_cols;
    exit when v_prev is null or v_prev = any (v_keys) or v_hops > 100;
    v_keys := v_keys || v_prev;
    v_hops := v_hops + 1;
  end loop;

  for r in execute format(
    'select e.event_id, e.occurred_at, e.action, e.actor_type, e.actor_id, e.trace_id, e.txid, e.changed_fields,
            e.old_values, e.new_values, %s as redacted_fields
     from %s e
     where e.table_name = $1 and e.row_pk = any ($2) and e.category = ''data''
     order by e.occurred_at, e.txid, e.recorded_at, e.event_id nulls last',
    case when v_source = 'warden.audit_events_redacted' then 'e.redacted_fields' else 'null::jsonb' end, v_source)
    using v_table, v_keys
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
    redacted_fields := r.redacted_fields;
    return next;
  end loop;
end;
$_$;
comment on function warden.audit_row_history(text, jsonb) is
  E'@name row_history\nThe versions of one row of an audited table (named schema.table), oldest first, across primary-key changes: each event with its actor, diff (changed_fields, old_values, new_values), the row as it stood after it (row_data) and redacted_fields. API callers read through warden.audit_events_redacted (the tenant''s redaction rules apply); direct database users who may read the store see it raw, including changes captured but not yet promoted (event_id null until then). GraphQL: rowHistory(tableName, pk).';

--------------------------------------------------------------------------------
-- Coverage reads the registry (and checks the triggers are really there).
--------------------------------------------------------------------------------
create or replace function warden.audit_coverage(schemas text[])
  returns table (schema_name text, table_name text, audited boolean, capture text, excluded_columns text[], redacted_columns text[],
                 coverage_ratio numeric)
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  with tables as (
    select n.nspname::text as schema_name, c.relname::text as table_name, c.oid,
           (select t.options from warden_private.audited_tables t
            where t.relid = c.oid and t.dropped_at is null and t.disabled_at is null) as opts
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any (schemas) and c.relkind in ('r', 'p') and not c.relispartition
  ), checked as (
    select t.*, t.opts is not null and (
             select count(*) from pg_trigger g
             where g.tgrelid = t.oid and g.tgname in ('_900_audit_insert', '_900_audit_update', '_900_audit_delete', '_900_audit_truncate')
               and g.tgenabled <> 'D') = 4 as audited
    from tables t
  )
  select p.schema_name, p.table_name, p.audited, case when p.audited then p.opts ->> 'capture' end,
         case when p.audited then coalesce(array(select jsonb_array_elements_text(p.opts -> 'exclude_columns')), '{}') else '{}' end,
         case when p.audited then coalesce(array(select jsonb_array_elements_text(p.opts -> 'redact_columns')), '{}') else '{}' end,
         round(avg(p.audited::int) over (), 4)
  from checked p
  order by p.schema_name, p.table_name
$$;
comment on function warden.audit_coverage(text[]) is
  'Every table of the given schemas: audited or not (registered and its four capture triggers present and enabled), its capture mode, excluded and redacted columns, and coverage_ratio (audited tables / tables, repeated on every row). CLI: warden coverage --schema S --min 0.9.';

--------------------------------------------------------------------------------
-- Tables audited before capture v2 move to it. A table whose triggers the
-- owner may not replace keeps its old trigger (which still writes the store
-- directly) until the superuser step (src/db/sql/superuser.sql) or
-- warden.enable_auditing moves it.
--------------------------------------------------------------------------------
do $$
declare
  r record;
begin
  for r in
    select t.tgrelid::regclass as target, nullif(rtrim(encode(t.tgargs, 'escape'), E'\\000'), '')::jsonb as args
    from pg_trigger t
    where t.tgname = '_900_audit_update' and t.tgfoid = 'warden_private.tg_audit_capture'::regproc
    order by t.tgrelid
  loop
    continue when r.args -> '_meta' ? 'partition_of';
    begin
      perform warden_private.capture_enable(r.target, r.args - '_meta', null);
    exception when insufficient_privilege then
      raise warning 'auditing of % still uses the previous capture: run select warden.enable_auditing(%L) as its owner, or warden migrate with a superuser connection', r.target, r.target::text;
    end;
  end loop;
end;
$$;

comment on function warden_private.tg_audit_capture() is
  'Capture before version 2 (one generic trigger function writing warden.audit_events directly). warden.enable_auditing no longer uses it; tables still on it are moved by warden.enable_auditing or the superuser step of warden migrate.';

--------------------------------------------------------------------------------
-- Capture gaps: the DDL event trigger (src/db/sql/superuser.sql) and the
-- worker's coverage check report a capture trigger dropped or disabled on a
-- table Warden audits, and its return.
--------------------------------------------------------------------------------
create function warden_private.capture_gap_opened(target regclass, reason text, event_type text, details jsonb default '{}')
  returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_reg warden_private.audited_tables;
begin
  update warden_private.audited_tables t set gap_since = coalesce(t.gap_since, now()), gap_reason = capture_gap_opened.reason
  where t.relid = target and t.dropped_at is null and t.disabled_at is null
  returning * into v_reg;
  if v_reg.id is not null then
    perform warden_private.record_governance_event(event_type, (v_reg.options ->> 'tenant')::uuid, 'table', v_reg.table_name,
      jsonb_build_object('capture', 'working'), jsonb_build_object('capture', 'gap', 'reason', reason, 'since', v_reg.gap_since),
      details, 'critical', 'success');
  end if;
end;
$$;
comment on function warden_private.capture_gap_opened(regclass, text, text, jsonb) is
  'Records that capture of an audited table stopped working (reason: trigger_dropped, trigger_disabled, trigger_missing...) and writes the critical governance.capture_* event.';

create function warden_private.capture_gap_closed(target regclass, how text) returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_reg warden_private.audited_tables;
  v_since timestamptz;
begin
  select t.gap_since into v_since from warden_private.audited_tables t where t.relid = target and t.dropped_at is null;
  update warden_private.audited_tables t set gap_since = null, gap_reason = null
  where t.relid = target and t.dropped_at is null and t.gap_since is not null
  returning * into v_reg;
  if v_reg.id is not null then
    perform warden_private.record_governance_event('governance.capture_restored', (v_reg.options ->> 'tenant')::uuid, 'table', v_reg.table_name,
      jsonb_build_object('capture', 'gap', 'since', v_since), jsonb_build_object('capture', 'working'),
      jsonb_build_object('how', how, 'gap_seconds', extract(epoch from now() - v_since)), 'warning', 'success');
  end if;
end;
$$;
comment on function warden_private.capture_gap_closed(regclass, text) is 'Records that capture of an audited table works again after a gap, with a governance.capture_restored event.';

create function warden_private.capture_table_changed(target regclass, event_type text, before jsonb, after jsonb, details jsonb default '{}')
  returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_reg warden_private.audited_tables;
begin
  if event_type = 'governance.capture_table_dropped' then
    update warden_private.audited_tables t set dropped_at = now() where t.relid = target and t.dropped_at is null returning * into v_reg;
    update warden_private.capture_versions v set retired_at = coalesce(v.retired_at, now()) where v.table_id = v_reg.id;
  else
    select t.* into v_reg from warden_private.audited_tables t where t.relid = target and t.dropped_at is null;
  end if;
  if v_reg.id is not null and v_reg.disabled_at is null then
    perform warden_private.record_governance_event(event_type, (v_reg.options ->> 'tenant')::uuid, 'table', v_reg.table_name,
      before, after, details, 'critical', 'success');
  end if;
end;
$$;
comment on function warden_private.capture_table_changed(regclass, text, jsonb, jsonb, jsonb) is
  'Writes the critical governance.capture_table_altered|renamed|dropped event of an audited table (a dropped table leaves the registry; its captured changes are still promoted).';

create function warden_private.capture_registry_entry(target regclass) returns warden_private.audited_tables
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select t.* from warden_private.audited_tables t
  where t.dropped_at is null and (t.relid = target or t.relid in (select a.relid from pg_partition_ancestors(target) a))
  order by t.relid = target desc
  limit 1
$$;
comment on function warden_private.capture_registry_entry(regclass) is 'The registry entry covering a table: its own, or its partitioned table''s.';
revoke all on function warden_private.capture_gap_opened(regclass, text, text, jsonb), warden_private.capture_gap_closed(regclass, text),
  warden_private.capture_table_changed(regclass, text, jsonb, jsonb, jsonb), warden_private.capture_registry_entry(regclass) from public;

--------------------------------------------------------------------------------
-- Erasure starts from a promoted, purged log: every change captured before it
-- is in the store (where it is pseudonymised) and nothing of it stays behind
-- in the capture log.
--------------------------------------------------------------------------------
create or replace function warden_private.governance_start_erasure(tenant uuid, subject_id text, reason text) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_pseudonym text;
  v_id uuid;
begin
  perform warden_private.assert_tenant_admin(tenant);
  if subject_id is null or length(subject_id) not between 1 and 1024 then
    raise exception 'subject_id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  if reason is null or length(btrim(reason)) not between 1 and 1000 then
    raise exception 'a reason (1 to 1000 characters) is required for an erasure' using errcode = '22023';
  end if;
  if subject_id like 'hmac:%' then
    raise exception 'subject_id % is already a pseudonym', subject_id using errcode = '22023';
  end if;
  perform warden_private.capture_promote(null, false, true, true);
  v_pseudonym := warden_private.keyed_hash(tenant, subject_id);
  insert into warden_private.erasures (tenant_id, subject_pseudonym, reason, requested_by)
  values (tenant, v_pseudonym, warden_private.erase_text(btrim(reason), subject_id, v_pseudonym), warden.current_actor())
  returning erasure_id into v_id;
  return v_id;
end;
$$;
comment on function warden_private.governance_start_erasure(uuid, text, text) is
  'Checks the caller and arguments of an erasure, promotes and purges the capture log (so every change captured so far is in the store, where the erasure reaches it), and opens the erasure''s bookkeeping row; returns the erasure id.';

--------------------------------------------------------------------------------
-- The worker's coverage check (every minute): capture gaps the DDL event
-- trigger could not see (it is not installed without a superuser, and
-- session_replication_role = replica skips it), and the gauges /metrics
-- exports.
--------------------------------------------------------------------------------
create function warden_private.capture_check_coverage()
  returns table (table_name text, gap_reason text, gap_since timestamptz)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  r record;
  v_expected text;
  v_triggers integer;
  v_disabled integer;
  v_wrong integer;
  v_reason text;
begin
  for r in
    select t.*, v.capture_function, v.columns
    from warden_private.audited_tables t
    join warden_private.capture_versions v on v.table_id = t.id and v.version = t.version
    where t.dropped_at is null and t.disabled_at is null
  loop
    if not exists (select 1 from pg_class c where c.oid = r.relid) then
      perform warden_private.capture_table_changed(r.relid::regclass, 'governance.capture_table_dropped', null, null,
        jsonb_build_object('table', r.table_name, 'seen_by', 'coverage_check'));
      continue;
    end if;
    v_expected := r.capture_function || '()';
    select count(*), count(*) filter (where g.tgenabled = 'D'), count(*) filter (where g.tgfoid <> to_regprocedure(v_expected))
      into v_triggers, v_disabled, v_wrong
    from pg_trigger g
    where g.tgrelid in (select r.relid union select p.relid from pg_partition_tree(r.relid) p)
      and g.tgname in ('_900_audit_insert', '_900_audit_update', '_900_audit_delete', '_900_audit_truncate');
    v_reason := case
      when v_triggers < 4 * (select count(*) from (select r.relid union select p.relid from pg_partition_tree(r.relid) p) x) then 'trigger_missing'
      when v_disabled > 0 then 'trigger_disabled'
      when v_wrong > 0 then 'trigger_replaced'
      when warden_private.capture_columns(r.relid::regclass, r.options) <> r.columns then 'capture_stale'
    end;
    if v_reason is not null and r.gap_since is null then
      perform warden_private.capture_gap_opened(r.relid::regclass, v_reason, 'governance.capture_gap_detected',
        jsonb_build_object('seen_by', 'coverage_check'));
    elsif v_reason is null and r.gap_since is not null then
      perform warden_private.capture_gap_closed(r.relid::regclass, 'coverage_check');
    end if;
  end loop;
  return query
  select t.table_name, t.gap_reason, t.gap_since from warden_private.audited_tables t
  where t.dropped_at is null and t.disabled_at is null and t.gap_since is not null
  order by t.gap_since, t.table_name;
end;
$$;
comment on function warden_private.capture_check_coverage() is
  'Checks every audited table''s capture (the table exists; its four capture triggers, and its partitions'', are there, enabled and calling the current capture version; the version still matches the table), opens or closes capture gaps with their governance events, and returns the open gaps. Run by the worker every minute.';
revoke all on function warden_private.capture_check_coverage() from public;

create function warden.capture_gaps()
  returns table (table_name text, tenant_id uuid, reason text, since timestamptz)
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select t.table_name, (t.options ->> 'tenant')::uuid, t.gap_reason, t.gap_since
  from warden_private.audited_tables t
  where t.dropped_at is null and t.disabled_at is null and t.gap_since is not null
  order by t.gap_since, t.table_name
$$;
comment on function warden.capture_gaps() is
  E'@behavior -*\nAudited tables whose capture is not working (a capture trigger dropped, disabled or replaced, or the table changed without its capture following), with the reason and since when; tenant_id is the table''s fixed tenant (null: rows of any tenant). warden verify and GET /api/v1/audit/verify report them as capture_gap. For DBAs and Warden itself, not API requests.';
revoke all on function warden.capture_gaps() from public;

create function warden_private.capture_coverage_metrics()
  returns table (schema_name text, coverage_ratio double precision, gaps integer)
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  with schemas as (
    select distinct split_part(t.table_name, '.', 1) as s from warden_private.audited_tables t where t.dropped_at is null
    union
    select quote_ident(a.schema_name) from warden_private.audited_schemas a
  ), tables as (
    select quote_ident(n.nspname) as s, c.oid,
           exists (select 1 from warden_private.audited_tables t
                   where t.relid = c.oid and t.dropped_at is null and t.disabled_at is null and t.gap_since is null) as covered
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition and quote_ident(n.nspname) in (select s from schemas)
  )
  select s.s, coalesce(avg(t.covered::int), 0)::float8,
         (select count(*)::int from warden_private.audited_tables g where g.dropped_at is null and g.disabled_at is null and g.gap_since is not null)
  from schemas s left join tables t on t.s = s.s
  group by s.s
  order by s.s
$$;
comment on function warden_private.capture_coverage_metrics() is
  'Per schema with audited tables (or audited as a whole): the share of its tables whose capture works; and the number of open capture gaps (repeated). /metrics exports warden_audit_coverage_ratio{schema} and warden_capture_gaps.';
revoke all on function warden_private.capture_coverage_metrics() from public;
