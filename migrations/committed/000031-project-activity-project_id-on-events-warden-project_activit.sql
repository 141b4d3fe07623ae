--! Previous: sha1:8c06ae2cd2b8b00efa4b3a584c6816fcd9273fb4
--! Hash: sha1:b7fd6d754f3c743a801af414db68e743795f11f0
--! Message: project activity (project_id on events, warden.project_activity) and usage metering (daily rollups, quotas)

--------------------------------------------------------------------------------
-- Project activity (issue 16, part 2): events carry the project they belong
-- to, and warden.project_activity is a keyset-paged, human-readable feed of
-- one project's events for anyone with at least viewer on the project.
--
-- The project comes from the row (enable_auditing's project_column option)
-- or from the request context (warden.set_context(..., project_id => ...),
-- kept in the context's extra as project_id). The capture trigger reads it
-- with the rest of the context, once per statement; the statement log keeps
-- it; promotion writes it to warden.audit_events.project_id.
--------------------------------------------------------------------------------
alter table warden.audit_events add column if not exists project_id uuid;
comment on column warden.audit_events.project_id is
  'The project (warden.projects) the event belongs to: the audited row''s project column (enable_auditing project_column) or the project of the request context; null when none. Read through warden.project_activity. Not part of the sealed record.';
create index if not exists audit_events_project_idx on warden.audit_events (tenant_id, project_id, occurred_at desc, event_id desc)
  where project_id is not null;

do $$
declare
  s integer;
begin
  for s in 0 .. 1 loop
    execute format('alter table warden_private.capture_statements_%s add column if not exists project_id uuid', s);
    execute format('comment on column warden_private.capture_statements_%s.project_id is %L', s,
      'Project of the request context (set_context project_id), when given.');
  end loop;
end;
$$;

-- The generator: the project column is stored like the tenant column (raw,
-- always, also by an UPDATE that left it alone); the context's project is a
-- statement-log column; the promotion select yields project_id.
create or replace function warden_private.capture_columns(target regclass, options jsonb) returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_pk text[] := coalesce(warden_private.primary_key_columns(target), '{}');
  v_exclude text[] := array(select jsonb_array_elements_text(coalesce(options -> 'exclude_columns', '[]')));
  v_redact text[] := array(select jsonb_array_elements_text(coalesce(options -> 'redact_columns', '[]')));
  v_tenant_column text := options ->> 'tenant_column';
  v_project_column text := options ->> 'project_column';
  v_cols jsonb := '[]';
  v_key boolean;
  v_hash boolean;
  a record;
begin
  -- Every column but the excluded ones, plus the key, the tenant column and
  -- the project column (always needed for row_pk, tenant_id and project_id),
  -- in column order.
  for a in
    select att.attname::text as name, att.atttypid, att.atttypmod
    from pg_attribute att
    where att.attrelid = target and att.attnum > 0 and not att.attisdropped
    order by att.attnum
  loop
    v_key := a.name = any (v_pk) or a.name is not distinct from v_tenant_column or a.name is not distinct from v_project_column;
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
      'project', a.name is not distinct from v_project_column,
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

create or replace function warden_private.capture_function_sql(fn text, target_name text, schema_name text, relation_name text, log_name text,
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
  v_stmt text := 'txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service, project_id';
  v_ctx text := 'now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service, v_ctx_project';
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
    -- UPDATE: the key, the tenant column and the project column always (every column with
    -- capture full or without a key); other columns only when they changed.
    if v_full or not has_pk or (c ->> 'pk')::boolean or (c ->> 'tenant')::boolean or coalesce((c ->> 'project')::boolean, false) then
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
  v_ctx_project uuid;
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
  v_correlation := v_extra ->> 'correlation_id';
  -- the project of warden.set_context (never an error: a malformed id is no project)
  v_ctx_project := case when v_extra ->> 'project_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then (v_extra ->> 'project_id')::uuid end;%3$s
  return null;
end;
$body$$f$, fn, target_name, v_body, schema_name, relation_name);
end;
$gen$;
comment on function warden_private.capture_function_sql(text, text, text, text, text, integer, integer, jsonb, jsonb, boolean) is
  'SQL text of a generated capture trigger function: the request context (with the project of warden.set_context) once per statement, the rows as the log stores them (typed comparisons decide what an UPDATE changed).';

create or replace function warden_private.capture_select_sql(table_name text, event_prefix text, resource_type text, log_name text,
  table_id integer, version integer, cols jsonb, pk text[], options jsonb) returns text
  language plpgsql immutable
  set search_path = pg_catalog
as $gen$
declare
  v_full boolean := (options ->> 'capture') = 'full';
  v_fixed_tenant text := options ->> 'tenant';
  v_tenant text;
  v_project text;
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
  -- the project: the row's project column, else the request context's
  select format('coalesce(case s.op when %L then r.o%s else r.n%s end, s.project_id)', 'd', e.i, e.i)
    into v_project
  from jsonb_array_elements(cols) with ordinality e(v, i) where coalesce((e.v ->> 'project')::boolean, false);
  v_project := coalesce(v_project, 's.project_id');
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
       %16$s as project_id,
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
    coalesce(nullif(array_to_string(v_unchg, ', '), ''), 'null'),
    v_project);
end;
$gen$;
comment on function warden_private.capture_select_sql(text, text, text, text, integer, integer, jsonb, text[], jsonb) is
  'SQL text selecting one capture version''s records as audit events (the columns of warden.audit_events but event_id, project_id included, plus scmin and rctid for ordering). Promotion and row history filter it by txid.';

create or replace function warden_private.capture_promote_window(from_txid bigint, to_txid bigint, own_txid bigint default null,
  parts integer default 1, part integer default 0)
  returns bigint
  language plpgsql volatile
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_n bigint;
  v_total bigint := 0;
  ver record;
begin
  -- The versions with records in the window; each statement reads a fresh
  -- snapshot, so every transaction below to_txid is visible.
  for ver in
    select v.select_sql
    from warden_private.capture_versions v
    where (v.table_id, v.version) in (
      select x.table_id, x.version from warden_private.capture_statements_0 x
      where (x.txid >= from_txid and x.txid < to_txid) or x.txid = own_txid
      union
      select x.table_id, x.version from warden_private.capture_statements_1 x
      where (x.txid >= from_txid and x.txid < to_txid) or x.txid = own_txid)
    order by v.table_id, v.version
  loop
    execute format(
      'insert into warden.audit_events (occurred_at, recorded_at, tenant_id, event_type, category, action, actor_type, actor_id,
         actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk,
         changed_fields, old_values, new_values, event_data, project_id)
       select e.occurred_at, e.recorded_at, e.tenant_id, e.event_type, e.category, e.action, e.actor_type, e.actor_id,
         e.actor_ip, e.user_agent, e.resource_type, e.resource_id, e.correlation_id, e.trace_id, e.service, e.txid, e.table_name,
         e.row_pk, e.changed_fields, e.old_values, e.new_values, e.event_data, %s
       from (%s) e
       where ((e.txid >= $1 and e.txid < $2) or e.txid = $3)
         and ($4 = 1 or coalesce(((e.rctid::text::point)[0])::bigint, 0) %% $4 = $5)',
      -- versions generated before events carried a project select none
      case when strpos(ver.select_sql, ' as project_id,') > 0 then 'e.project_id' else 'null::uuid' end, ver.select_sql)
      using from_txid, to_txid, own_txid, parts, part;
    get diagnostics v_n = row_count;
    v_total := v_total + v_n;
  end loop;
  return v_total;
end;
$$;
comment on function warden_private.capture_promote_window(bigint, bigint, bigint, integer, integer) is
  'Inserts the events of the capture records of transactions in [from_txid, to_txid) (and of own_txid), or of one part of them (rows whose row log block number mod parts = part). Returns how many. Used by capture_promote and the parts of a round.';
revoke all on function warden_private.capture_promote_window(bigint, bigint, bigint, integer, integer) from public;

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
  v_project_column text;
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
    if v_key not in ('exclude_columns', 'redact_columns', 'capture', 'tenant_column', 'tenant', 'skip_unchanged', 'resource_type', 'project_column') then
      raise exception 'unknown option %: expected exclude_columns, redact_columns, capture, tenant_column, tenant, skip_unchanged, resource_type or project_column', quote_literal(v_key)
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
  if v_opts ? 'project_column' then
    if jsonb_typeof(v_opts -> 'project_column') <> 'string' then
      raise exception 'option project_column must be a column name' using errcode = '22023';
    end if;
    v_project_column := v_opts ->> 'project_column';
    if not exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = v_project_column and a.attnum > 0 and not a.attisdropped) then
      raise exception 'option project_column: column % does not exist in %', quote_ident(v_project_column), target using errcode = '42703';
    end if;
    if (select a.atttypid from pg_attribute a where a.attrelid = target and a.attname = v_project_column) <> 'uuid'::regtype then
      raise exception 'project column %.% must be of type uuid (a warden.projects id)', target, quote_ident(v_project_column) using errcode = '42804';
    end if;
  end if;

  v_effective := jsonb_strip_nulls(jsonb_build_object(
    'exclude_columns', coalesce(v_opts -> 'exclude_columns', '[]'),
    'redact_columns', coalesce(v_opts -> 'redact_columns', '[]'),
    'capture', coalesce(v_opts ->> 'capture', 'changes'),
    'skip_unchanged', coalesce((v_opts ->> 'skip_unchanged')::boolean, true),
    'tenant_column', v_tenant_column,
    'tenant', lower(v_opts ->> 'tenant'),
    'resource_type', v_opts ->> 'resource_type',
    'project_column', v_project_column));
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
  E'@behavior -*\nStarts auditing a table: every INSERT, UPDATE, DELETE and TRUNCATE is captured in the same transaction (into the capture log, which the worker promotes into warden.audit_events within seconds; warden.flush_capture() promotes at once). Idempotent (calling again replaces the options). Options: exclude_columns (never stored), redact_columns (stored only as a keyed hash), capture (changes | full), tenant_column (default tenant_id) or tenant (a fixed tenant id), skip_unchanged (default true), resource_type, project_column (a uuid column naming the warden.projects row the change belongs to: its events carry that project_id, else the project of warden.set_context). Runs with the caller''s rights: the caller needs the TRIGGER privilege on the table. Writes a governance.auditing.enabled event when auditing starts or its options change. Returns the effective options.';

-- set_context with a project: the project must be one of the tenant's. It
-- travels in the context's extra (project_id), so a later set_context
-- without one in the same transaction clears it.
create or replace function warden.set_context(
  tenant_id uuid,
  actor_id text,
  actor_type text,
  trace_id text,
  extra jsonb,
  project_id uuid
) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  if project_id is not null and not exists (
    select 1 from warden.projects p where p.id = set_context.project_id and p.tenant_id = set_context.tenant_id) then
    raise exception 'project % is not a project of tenant %', project_id, coalesce(tenant_id::text, 'null')
      using errcode = '22023', hint = 'project_id must name a warden.projects row of the context''s tenant';
  end if;
  return warden.set_context(tenant_id, actor_id, actor_type, trace_id,
    coalesce(extra, '{}') - 'project_id' || case when project_id is null then '{}'::jsonb
                                                 else jsonb_build_object('project_id', project_id) end);
end;
$$;
comment on function warden.set_context(uuid, text, text, text, jsonb, uuid) is
  E'@behavior -*\nwarden.set_context with the project the following statements belong to (one of the tenant''s projects, else SQLSTATE 22023): their row events carry it as project_id (a table''s project_column, when it has one, wins). Call as warden.set_context(tenant, actor, type, trace_id, extra, project_id) (all six arguments). Not executable by API requests; grant EXECUTE to your application roles.';
revoke all on function warden.set_context(uuid, text, text, text, jsonb, uuid) from public;

--------------------------------------------------------------------------------
-- The feed
--------------------------------------------------------------------------------
create or replace function warden_private.activity_value(v jsonb) returns text
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select case
    when v is null or jsonb_typeof(v) = 'null' then 'null'
    when jsonb_typeof(v) = 'string' and starts_with(v #>> '{}', 'hmac:') then '[redacted]'
    when length(v #>> '{}') > 40 then left(v #>> '{}', 39) || '…'
    else v #>> '{}'
  end
$$;
comment on function warden_private.activity_value(jsonb) is
  'A value as an activity summary shows it: text without quotes, at most 40 characters, keyed hashes as [redacted].';

create or replace function warden_private.activity_summary(actor_name text, action text, event_type text, resource_type text,
  resource_id text, table_name text, changed_fields text[], old_values jsonb, new_values jsonb, event_data jsonb) returns text
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select actor_name || ' '
    || case action when 'insert' then 'created' when 'update' then 'updated' when 'delete' then 'deleted'
                   when 'truncate' then 'emptied' else action end
    || ' ' || n.noun
    || coalesce(' ' || resource_id, '')
    || case
         when action = 'update' and cardinality(changed_fields) > 0 then ': ' || (
           select string_agg(f || ' ' || warden_private.activity_value(old_values -> f) || ' → ' || warden_private.activity_value(new_values -> f), ', ' order by o)
           from unnest(changed_fields) with ordinality c(f, o) where o <= 3)
           || case when cardinality(changed_fields) > 3 then format(' and %s more', cardinality(changed_fields) - 3) else '' end
         when action = 'truncate' and event_data ? 'row_count' then format(' (%s rows)', event_data ->> 'row_count')
         when table_name is null and event_type is not null then ' (' || event_type || ')'
         else ''
       end
  from (select case
                 when action = 'truncate' then coalesce(split_part(table_name, '.', 2), resource_type, 'table')
                 else replace(regexp_replace(
                        regexp_replace(coalesce(resource_type, split_part(table_name, '.', 2), 'event'), '^.*\.', ''),
                        '([^s])s$', '\1'), '_', ' ')
               end as noun) n
$$;
comment on function warden_private.activity_summary(text, text, text, text, text, text, text[], jsonb, jsonb, jsonb) is
  'One line saying what an event did, e.g. "alice updated order 42: status new → paid" (the resource type or table, singular; at most three changed fields).';

create or replace function warden_private.activity_actor_name(tenant_id uuid, actor_type warden.actor_type, actor_id text) returns text
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select coalesce(
    case actor_type
      when 'user' then (select coalesce(nullif(btrim(u.display_name), ''), split_part(u.email, '@', 1))
                        from warden.users u join warden.tenant_memberships m on m.user_id = u.id and m.tenant_id = activity_actor_name.tenant_id
                        where actor_id ~* '^[0-9a-f-]{36}$' and u.id = actor_id::uuid)
      when 'api_key' then (select k.name from warden.api_keys k
                           where actor_id ~* '^[0-9a-f-]{36}$' and k.id = actor_id::uuid and k.tenant_id = activity_actor_name.tenant_id)
    end, actor_id)
$$;
comment on function warden_private.activity_actor_name(uuid, warden.actor_type, text) is
  'How the feed names an actor: a member''s display name (else the local part of their email), an API key''s name, else the actor id.';
revoke all on function warden_private.activity_actor_name(uuid, warden.actor_type, text) from public;

drop type if exists warden.project_activity_entry cascade;
create type warden.project_activity_entry as (
  event_id uuid,
  occurred_at timestamptz,
  event_type text,
  action text,
  outcome warden.audit_outcome,
  actor_type warden.actor_type,
  actor_id text,
  actor_name text,
  resource_type text,
  resource_id text,
  table_name text,
  changed_fields text[],
  old_values jsonb,
  new_values jsonb,
  event_data jsonb,
  redacted_fields jsonb,
  summary text
);
comment on type warden.project_activity_entry is 'One entry of a project''s activity feed (warden.project_activity), redacted under the tenant''s read policy.';
comment on column warden.project_activity_entry.event_id is 'The audit event.';
comment on column warden.project_activity_entry.occurred_at is 'When it happened (the feed is ordered by occurred_at, then event_id, newest first).';
comment on column warden.project_activity_entry.event_type is 'Event type.';
comment on column warden.project_activity_entry.action is 'insert, update, delete, truncate or the posted action.';
comment on column warden.project_activity_entry.outcome is 'success, failure or unknown.';
comment on column warden.project_activity_entry.actor_type is 'Actor type.';
comment on column warden.project_activity_entry.actor_id is 'Actor id.';
comment on column warden.project_activity_entry.actor_name is 'The actor as people know it: display name, API key name, or the id.';
comment on column warden.project_activity_entry.resource_type is 'Resource type.';
comment on column warden.project_activity_entry.resource_id is 'Resource id.';
comment on column warden.project_activity_entry.table_name is 'For row events: the table.';
comment on column warden.project_activity_entry.changed_fields is 'For updates: the changed columns.';
comment on column warden.project_activity_entry.old_values is 'Old values (redacted).';
comment on column warden.project_activity_entry.new_values is 'New values (redacted).';
comment on column warden.project_activity_entry.event_data is 'Event payload (redacted).';
comment on column warden.project_activity_entry.redacted_fields is 'Which fields redaction changed, as in warden.audit_events_redacted; null when none.';
comment on column warden.project_activity_entry.summary is 'One human-readable line, e.g. "alice updated order 42: status new → paid".';

create or replace function warden.project_activity(project_id uuid, before_occurred_at timestamptz default null,
  before_event_id uuid default null, max_rows integer default 50)
  returns setof warden.project_activity_entry
  language plpgsql stable
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
begin
  -- One refusal for a project of another tenant, an unknown project and a
  -- project the caller may not view: nothing says which it was.
  if project_id is null or v_tenant is null or not warden.has_project_role(project_id, 'viewer') then
    raise exception 'reading the activity of project % needs at least role viewer on it', coalesce(project_id::text, 'null')
      using errcode = '42501', hint = 'missing_role=viewer';
  end if;
  if max_rows is null or max_rows not between 1 and 500 then
    raise exception 'max_rows must be 1 to 500, got %', coalesce(max_rows::text, 'null') using errcode = '22023';
  end if;
  if before_event_id is not null and before_occurred_at is null then
    raise exception 'before_event_id needs before_occurred_at (the keyset is occurred_at, event_id)' using errcode = '22023';
  end if;
  return query
  select e.event_id, e.occurred_at, e.event_type, e.action, e.outcome, e.actor_type, e.actor_id, r.actor_name,
         e.resource_type, e.resource_id, e.table_name, e.changed_fields, r.old_values, r.new_values, r.event_data,
         r.redacted_fields,
         warden_private.activity_summary(r.actor_name, e.action, e.event_type, e.resource_type, e.resource_id, e.table_name,
                                         e.changed_fields, r.old_values, r.new_values, r.event_data)
  from (
    select x.* from warden.audit_events x
    where x.tenant_id = v_tenant and x.project_id = project_activity.project_id
      and (before_occurred_at is null
           or (x.occurred_at, x.event_id) < (before_occurred_at, coalesce(before_event_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)))
    order by x.occurred_at desc, x.event_id desc
    limit max_rows
  ) e
  cross join (select warden_private.read_policy() as p offset 0) pol
  cross join lateral (
    select warden_private.activity_actor_name(v_tenant, e.actor_type, e.actor_id) as actor_name,
           case when pol.p is null or e.old_values is null or (pol.p -> 'vc' -> e.table_name) is null then e.old_values
                else warden_private.redact_columns(pol.p, e.table_name, e.old_values) end as old_values,
           case when pol.p is null or e.new_values is null or (pol.p -> 'vc' -> e.table_name) is null then e.new_values
                else warden_private.redact_columns(pol.p, e.table_name, e.new_values) end as new_values,
           case when pol.p is null or not (pol.p ? 'dp') or e.event_data is null then e.event_data
                else warden_private.redact_data(pol.p, e.event_data) end as event_data,
           case when pol.p is null then null::jsonb
                else warden_private.redaction_marker(pol.p, e.table_name, null::inet, null::text, e.old_values, e.new_values, e.event_data) end
             as redacted_fields
  ) r
  order by e.occurred_at desc, e.event_id desc;
end;
$$;
comment on function warden.project_activity(uuid, timestamptz, uuid, integer) is
  E'@behavior -*\nThe activity feed of a project, newest first: its events (row changes of tables audited with a project_column or written under set_context''s project_id) with a one-line summary each ("alice updated order 42: status new → paid"), redacted under the tenant''s read policy. Keyset pages: pass the last entry''s occurred_at and event_id as before_occurred_at and before_event_id; max_rows 1 to 500 (default 50). Needs at least viewer on the project (warden.has_project_role; tenant owners and admins count as project owners); anything else, another tenant''s project included, is SQLSTATE 42501.';
grant execute on function warden.project_activity(uuid, timestamptz, uuid, integer) to warden_visitor;

create or replace function warden.projects_activity(p warden.projects, before_occurred_at timestamptz default null,
  before_event_id uuid default null, max_rows integer default 50)
  returns setof warden.project_activity_entry
  language sql stable
  set search_path = pg_catalog
as $$
  select * from warden.project_activity(p.id, before_occurred_at, before_event_id, max_rows)
$$;
comment on function warden.projects_activity(warden.projects, timestamptz, uuid, integer) is
  E'The project''s activity feed (warden.project_activity): newest first, keyset-paged by beforeOccurredAt and beforeEventId, at most maxRows (1 to 500, default 50). Needs at least viewer on the project.';
grant execute on function warden.projects_activity(warden.projects, timestamptz, uuid, integer) to warden_visitor;

-- Tables audited before events carried a project: a new capture version of
-- each (the generator changed), so the context's project is captured too.
do $$
declare
  t record;
begin
  for t in select a.relid::regclass as target, a.options from warden_private.audited_tables a
           where a.dropped_at is null and a.disabled_at is null loop
    begin
      perform warden_private.capture_enable(t.target, t.options, current_user);
    exception when insufficient_privilege then
      raise notice 'capture of % keeps its version without projects (no TRIGGER privilege here): run warden.enable_auditing(%L) as its owner',
        t.target, t.target::text;
    end;
  end loop;
end;
$$;

--------------------------------------------------------------------------------
-- Usage metering (issue 16, part 3): per tenant and day, what Warden did for
-- it, rolled up by the worker (task usage_rollup) into warden.usage_daily.
--
-- Sources:
--   events_ingested (by service)   audit events posted through the API
--                                  (REST or GraphQL), counted from the store
--                                  by the day they arrived (recorded_at)
--   row_events (by table)          trigger-captured row events, likewise
--   storage_bytes                  bytes of the tenant's stored events
--   exports (by kind)              audit exports (counted by the API) and
--                                  subject exports (their governance events)
--   api_requests (by API key)      requests the API answered below 400,
--                                  counted in memory and flushed into
--                                  warden_private.usage_counters
-- Billing rules: a replay (same Idempotency-Key, or a client event_id Warden
-- already holds) stores nothing and is counted from the store, so never
-- twice; a rejected (4xx) request stores nothing and is not counted; a day's
-- event counts never go down, so events a retention purge removes later
-- stay counted for the day they arrived.
--------------------------------------------------------------------------------
create table if not exists warden.usage_daily (
  tenant_id uuid not null references warden.tenants (id) on delete cascade,
  day date not null,
  metric text not null check (metric in ('events_ingested', 'row_events', 'storage_bytes', 'exports', 'api_requests')),
  dimension text not null default '' check (length(dimension) <= 300),
  value bigint not null check (value >= 0),
  computed_at timestamptz not null default now(),
  primary key (tenant_id, day, metric, dimension)
);
comment on table warden.usage_daily is
  E'@behavior -insert -update -delete -query:resource:connection -query:resource:list\nDaily usage of each tenant (the worker''s usage_rollup task): events ingested through the API by service, row events captured by table, API requests by API key, storage bytes of the tenant''s events, exports by kind. Read through warden.usage (GraphQL), GET /api/v1/usage or `warden usage`; tenant owners and admins only.';
comment on column warden.usage_daily.tenant_id is 'The tenant.';
comment on column warden.usage_daily.day is 'The UTC day.';
comment on column warden.usage_daily.metric is 'events_ingested, row_events, storage_bytes, exports or api_requests.';
comment on column warden.usage_daily.dimension is 'events_ingested: the service (empty when none); row_events: schema.table; api_requests: the API key id, or "user_tokens"; exports: audit_export or subject_export; storage_bytes: empty.';
comment on column warden.usage_daily.value is 'Count (bytes for storage_bytes). Event counts of a day never decrease (events purged later stay counted); storage_bytes is the stored size at the end of the day (of the run, for today).';
comment on column warden.usage_daily.computed_at is 'When the value last changed.';
alter table warden.usage_daily enable row level security;
alter table warden.usage_daily force row level security;
drop policy if exists select_admins on warden.usage_daily;
create policy select_admins on warden.usage_daily for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
drop policy if exists owner_maintenance on warden.usage_daily;
create policy owner_maintenance on warden.usage_daily to warden_owner using (true) with check (true);
grant select on warden.usage_daily to warden_visitor;

create table if not exists warden_private.usage_counters (
  tenant_id uuid not null references warden.tenants (id) on delete cascade,
  day date not null,
  metric text not null check (metric in ('api_requests', 'exports', 'events_accepted')),
  dimension text not null default '' check (length(dimension) <= 300),
  value bigint not null check (value >= 0),
  primary key (tenant_id, day, metric, dimension)
);
comment on table warden_private.usage_counters is
  'What the API processes count in memory and add here every few seconds (src/usage/meter.ts): api_requests by key, audit exports, and events_accepted (what the monthly quota counts). Only ever added to.';
comment on column warden_private.usage_counters.tenant_id is 'The tenant.';
comment on column warden_private.usage_counters.day is 'The UTC day.';
comment on column warden_private.usage_counters.metric is 'api_requests, exports or events_accepted.';
comment on column warden_private.usage_counters.dimension is 'API key id (or user_tokens), export kind, or empty.';
comment on column warden_private.usage_counters.value is 'The count so far.';
alter table warden_private.usage_counters enable row level security;
alter table warden_private.usage_counters force row level security;
drop policy if exists owner_maintenance on warden_private.usage_counters;
create policy owner_maintenance on warden_private.usage_counters to warden_owner using (true) with check (true);

create table if not exists warden_private.usage_rollup_state (
  id boolean primary key default true check (id),
  complete_through date,
  last_run_at timestamptz
);
comment on table warden_private.usage_rollup_state is 'Progress of the usage rollup (one row): every day up to complete_through has been rolled up after it ended.';
comment on column warden_private.usage_rollup_state.id is 'Always true: one row.';
comment on column warden_private.usage_rollup_state.complete_through is 'The last UTC day rolled up after its end; the next run backfills from the day after.';
comment on column warden_private.usage_rollup_state.last_run_at is 'When the rollup last ran.';
insert into warden_private.usage_rollup_state (id) values (true) on conflict do nothing;
alter table warden_private.usage_rollup_state enable row level security;
alter table warden_private.usage_rollup_state force row level security;
drop policy if exists owner_maintenance on warden_private.usage_rollup_state;
create policy owner_maintenance on warden_private.usage_rollup_state to warden_owner using (true) with check (true);

create or replace function warden_private.usage_add_counters(tenant_ids uuid[], days date[], metrics text[], dimensions text[], amounts bigint[])
  returns void
  language sql volatile
  set search_path = pg_catalog
as $$
  insert into warden_private.usage_counters as u (tenant_id, day, metric, dimension, value)
  select x.t, x.d, x.m, x.dim, sum(x.n)
  from unnest(tenant_ids, days, metrics, dimensions, amounts) x(t, d, m, dim, n)
  -- a tenant deleted meanwhile: its counts go with it
  where exists (select 1 from warden.tenants t where t.id = x.t)
  group by x.t, x.d, x.m, x.dim
  order by x.t, x.d, x.m, x.dim
  on conflict (tenant_id, day, metric, dimension) do update set value = u.value + excluded.value
$$;
comment on function warden_private.usage_add_counters(uuid[], date[], text[], text[], bigint[]) is
  'Adds the API''s in-memory counts (parallel arrays) to warden_private.usage_counters; called by src/usage/meter.ts as warden_owner.';

create or replace function warden_private.is_ingested_event(category text, event_type text, table_name text) returns boolean
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select table_name is null and category <> 'ddl' and event_type !~ '^(governance|warden)\.'
$$;
comment on function warden_private.is_ingested_event(text, text, text) is
  'Whether a stored event was posted through the API (REST or GraphQL ingest): not a row event, not DDL, not a governance event Warden writes itself.';

create or replace function warden_private.usage_rollup(from_day date, to_day date) returns bigint
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_today date := (now() at time zone 'utc')::date;
  v_rows bigint;
begin
  if from_day is null or to_day is null or from_day > to_day then
    raise exception 'usage_rollup needs from_day <= to_day, got % and %', from_day, to_day using errcode = '22023';
  end if;
  if to_day > v_today then
    to_day := v_today;
  end if;
  with scanned as (
    -- one scan of the events that arrived by the end of the range: what
    -- each counts as, and its size (everything before from_day is sized on
    -- from_day and counted nowhere)
    select e.tenant_id,
           greatest((e.recorded_at at time zone 'utc')::date, from_day) as day,
           e.recorded_at >= (from_day::timestamp at time zone 'utc') as in_range,
           case when e.table_name is not null and e.category = 'data' then 'row_events'
                when e.event_type = 'governance.subject.exported' then 'exports'
                when warden_private.is_ingested_event(e.category, e.event_type, e.table_name) then 'events_ingested' end as metric,
           case when e.table_name is not null and e.category = 'data' then e.table_name
                when e.event_type = 'governance.subject.exported' then 'subject_export'
                else coalesce(e.service, '') end as dimension,
           pg_column_size(e.*)::bigint as bytes
    from warden.audit_events e
    where e.tenant_id is not null and e.recorded_at < ((to_day + 1)::timestamp at time zone 'utc')
  ), grouped as (
    select g.tenant_id, g.day, g.metric, case when g.metric is null then '' else g.dimension end as dimension,
           count(*) filter (where g.in_range) as n, sum(g.bytes)::bigint as bytes
    from scanned g
    group by 1, 2, 3, 4
  ), counts as (
    -- events by the day they arrived
    select g.tenant_id, g.day, g.metric, g.dimension, g.n as value
    from grouped g
    where g.metric is not null and g.n > 0
  ), counters as (
    select c.tenant_id, c.day, c.metric, c.dimension, c.value
    from warden_private.usage_counters c
    where c.day between from_day and to_day and c.metric in ('api_requests', 'exports')
  ), bytes_by_day as (
    select g.tenant_id, g.day, sum(g.bytes)::bigint as bytes
    from grouped g
    group by 1, 2
  ), storage as (
    -- storage at the end of each day: what arrived up to it and is still stored
    select b.tenant_id, d.day::date as day, 'storage_bytes'::text as metric, ''::text as dimension, sum(b.bytes)::bigint as value
    from generate_series(from_day, to_day, interval '1 day') d(day)
    join bytes_by_day b on b.day <= d.day::date
    group by 1, 2
  ), computed as (
    select * from counts
    union all select * from counters
    union all select * from storage
  ), upserted as (
    insert into warden.usage_daily as u (tenant_id, day, metric, dimension, value)
    select c.tenant_id, c.day, c.metric, c.dimension, sum(c.value)
    from computed c
    where exists (select 1 from warden.tenants t where t.id = c.tenant_id)
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict (tenant_id, day, metric, dimension) do update
      set value = case
            -- a closed day's storage is what it was when the day was first rolled up after its end
            when u.metric = 'storage_bytes' then excluded.value
            -- counts never go down: purged events stay counted
            else greatest(u.value, excluded.value) end,
          computed_at = now()
      where u.value is distinct from (case when u.metric = 'storage_bytes' then excluded.value else greatest(u.value, excluded.value) end)
        and not (u.metric = 'storage_bytes' and u.day < v_today and u.computed_at >= ((u.day + 1)::timestamp at time zone 'utc'))
    returning 1
  )
  select count(*) into v_rows from upserted;
  return v_rows;
end;
$$;
comment on function warden_private.usage_rollup(date, date) is
  'Rolls up warden.usage_daily for the UTC days from_day..to_day (today at most, partially). Idempotent: running it again gives the same rows; event counts of a day only grow (purged events stay counted) and a closed day''s storage_bytes is fixed once computed after the day ended. Returns the rows written or changed.';
revoke all on function warden_private.usage_rollup(date, date) from public;

create or replace function warden_private.usage_rollup_due(out from_day date, out to_day date, out rows_written bigint)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_today date := (now() at time zone 'utc')::date;
  v_through date;
begin
  select s.complete_through into v_through from warden_private.usage_rollup_state s for update;
  -- the first run starts at the first day anything was recorded
  from_day := coalesce(v_through + 1, least(
    (select (min(e.recorded_at) at time zone 'utc')::date from warden.audit_events e where e.tenant_id is not null),
    (select min(c.day) from warden_private.usage_counters c)), v_today);
  to_day := v_today;
  rows_written := warden_private.usage_rollup(from_day, to_day);
  update warden_private.usage_rollup_state set complete_through = greatest(coalesce(complete_through, v_today - 1), v_today - 1),
    last_run_at = now();
end;
$$;
comment on function warden_private.usage_rollup_due() is
  'One run of the usage_rollup task: every day since the last one rolled up after its end (backfilling days the worker missed) through today. Returns the range and the rows written.';
revoke all on function warden_private.usage_rollup_due() from public;

create or replace function warden.usage(from_day date, to_day date)
  returns setof warden.usage_daily
  language plpgsql stable strict
  set search_path = pg_catalog
as $$
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'reading usage needs tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if from_day > to_day or to_day - from_day > 366 then
    raise exception 'usage needs from_day <= to_day, at most 366 days apart' using errcode = '22023';
  end if;
  return query
  select u.* from warden.usage_daily u
  where u.tenant_id = warden.current_tenant_id() and u.day between from_day and to_day
  order by u.day, u.metric, u.dimension;
end;
$$;
comment on function warden.usage(date, date) is
  E'@behavior +queryField\nThe current tenant''s daily usage from from_day to to_day (UTC, inclusive, at most 366 days; both required): events ingested by service, row events by table, API requests by key, storage bytes, exports. Tenant owners and admins; anyone else gets SQLSTATE 42501.';
grant execute on function warden.usage(date, date) to warden_visitor;

--------------------------------------------------------------------------------
-- Quotas: a monthly event quota per tenant. Past the soft limit the API
-- answers with a Warning header and Warden notifies once a month; past the
-- hard limit ingest answers 429 quota_exceeded. Trigger capture is never
-- refused. The API enforces it from its in-memory counts and the shared
-- events_accepted counters (src/usage/meter.ts, src/usage/quota.ts).
--------------------------------------------------------------------------------
create table if not exists warden.usage_quotas (
  tenant_id uuid primary key references warden.tenants (id) on delete cascade,
  monthly_events bigint not null check (monthly_events > 0),
  soft_limit_percent integer not null default 80 check (soft_limit_percent between 1 and 100),
  updated_at timestamptz not null default now(),
  soft_notified_month date,
  hard_notified_month date
);
comment on table warden.usage_quotas is
  E'@behavior -*\nMonthly event quota of a tenant (set by the operator: warden_private.set_usage_quota, CLI `warden usage quota`). Events posted through the API count against it; trigger-captured row events never do and are never refused.';
comment on column warden.usage_quotas.tenant_id is 'The tenant.';
comment on column warden.usage_quotas.monthly_events is 'Hard limit: events per UTC calendar month; past it ingest answers 429 quota_exceeded.';
comment on column warden.usage_quotas.soft_limit_percent is 'Soft limit as a percentage of monthly_events: past it responses carry a Warning header and a notification is sent once a month.';
comment on column warden.usage_quotas.updated_at is 'When the quota last changed.';
comment on column warden.usage_quotas.soft_notified_month is 'The month (its first day) the soft-limit notification was last sent.';
comment on column warden.usage_quotas.hard_notified_month is 'The month (its first day) the hard-limit notification was last sent.';
alter table warden.usage_quotas enable row level security;
alter table warden.usage_quotas force row level security;
drop policy if exists select_admins on warden.usage_quotas;
create policy select_admins on warden.usage_quotas for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
drop policy if exists owner_maintenance on warden.usage_quotas;
create policy owner_maintenance on warden.usage_quotas to warden_owner using (true) with check (true);
grant select on warden.usage_quotas to warden_visitor;

create or replace function warden_private.set_usage_quota(tenant_id uuid, monthly_events bigint, soft_limit_percent integer default 80)
  returns warden.usage_quotas
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_before warden.usage_quotas;
  v_after warden.usage_quotas;
begin
  if not exists (select 1 from warden.tenants t where t.id = set_usage_quota.tenant_id) then
    raise exception 'tenant % does not exist', tenant_id using errcode = '23503';
  end if;
  select q.* into v_before from warden.usage_quotas q where q.tenant_id = set_usage_quota.tenant_id;
  if monthly_events is null then
    delete from warden.usage_quotas q where q.tenant_id = set_usage_quota.tenant_id;
  else
    if monthly_events <= 0 or soft_limit_percent is null or soft_limit_percent not between 1 and 100 then
      raise exception 'a quota needs monthly_events > 0 and soft_limit_percent 1 to 100' using errcode = '22023';
    end if;
    insert into warden.usage_quotas as q (tenant_id, monthly_events, soft_limit_percent)
    values (set_usage_quota.tenant_id, set_usage_quota.monthly_events, set_usage_quota.soft_limit_percent)
    on conflict on constraint usage_quotas_pkey do update
      set monthly_events = excluded.monthly_events, soft_limit_percent = excluded.soft_limit_percent, updated_at = now(),
          -- a raised quota may warn again this month
          soft_notified_month = null, hard_notified_month = null
    returning q.* into v_after;
  end if;
  perform warden_private.record_governance_event('governance.usage_quota.changed', set_usage_quota.tenant_id, 'tenant',
    set_usage_quota.tenant_id::text,
    case when v_before.tenant_id is null then null
         else jsonb_build_object('monthly_events', v_before.monthly_events, 'soft_limit_percent', v_before.soft_limit_percent) end,
    case when v_after.tenant_id is null then null
         else jsonb_build_object('monthly_events', v_after.monthly_events, 'soft_limit_percent', v_after.soft_limit_percent) end);
  return v_after;
end;
$$;
comment on function warden_private.set_usage_quota(uuid, bigint, integer) is
  'Sets (or, with monthly_events null, removes) a tenant''s monthly event quota; writes governance.usage_quota.changed with before and after. For operators (CLI: warden usage quota).';
revoke all on function warden_private.set_usage_quota(uuid, bigint, integer) from public;

create or replace function warden_private.usage_quota_status(tenant_ids uuid[])
  returns table (tenant_id uuid, monthly_events bigint, soft_limit bigint, used bigint, month_ends_at timestamptz)
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select q.tenant_id, q.monthly_events, ceil(q.monthly_events * q.soft_limit_percent / 100.0)::bigint,
         coalesce((select sum(c.value) from warden_private.usage_counters c
                   where c.tenant_id = q.tenant_id and c.metric = 'events_accepted'
                     and c.day >= date_trunc('month', now() at time zone 'utc')::date), 0)::bigint,
         (date_trunc('month', now() at time zone 'utc') + interval '1 month') at time zone 'utc'
  from warden.usage_quotas q
  where q.tenant_id = any (tenant_ids)
$$;
comment on function warden_private.usage_quota_status(uuid[]) is
  'Quota and events accepted this UTC month (from the API''s shared counters) of the given tenants; tenants without a quota are absent.';
revoke all on function warden_private.usage_quota_status(uuid[]) from public;

-- The notification hook: a governance event in the tenant's trail, and a
-- notice in the in-app inbox of the tenant's owners and admins.
create or replace function warden_private.usage_quota_notify(tenant_id uuid, level text, details jsonb) returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  perform warden_private.record_governance_event('governance.usage_quota.' || level || '_limit_reached',
    usage_quota_notify.tenant_id, 'tenant', usage_quota_notify.tenant_id::text, null, null, details,
    case when level = 'hard' then 'warning' else 'notice' end::warden.audit_severity);
  perform warden_private.notify_tenant_roles(usage_quota_notify.tenant_id, array['owner', 'admin']::warden.tenant_role[],
    'usage.quota.' || level,
    case when level = 'hard' then 'Monthly event quota reached: API ingest is refused until the month ends'
         else 'Monthly event quota: soft limit passed' end,
    'Trigger capture is never refused. See GET /api/v1/usage for this month''s counts.',
    details,
    case when level = 'hard' then 'warning' else 'notice' end::warden.audit_severity);
end;
$$;
comment on function warden_private.usage_quota_notify(uuid, text, jsonb) is
  'Quota crossings (level soft or hard): writes governance.usage_quota.soft_limit_reached / hard_limit_reached and notifies the tenant''s owners and admins in the inbox (warden.notifications).';
revoke all on function warden_private.usage_quota_notify(uuid, text, jsonb) from public;

create or replace function warden_private.usage_quota_crossed(tenant_id uuid, level text, used bigint) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_month date := date_trunc('month', now() at time zone 'utc')::date;
  v_quota warden.usage_quotas;
begin
  if level not in ('soft', 'hard') then
    raise exception 'level must be soft or hard, got %', quote_literal(level) using errcode = '22023';
  end if;
  -- once per tenant, level and month, whichever API process sees it first
  update warden.usage_quotas q
  set soft_notified_month = case when level = 'soft' then v_month else q.soft_notified_month end,
      hard_notified_month = case when level = 'hard' then v_month else q.hard_notified_month end
  where q.tenant_id = usage_quota_crossed.tenant_id
    and (case when level = 'soft' then q.soft_notified_month else q.hard_notified_month end) is distinct from v_month
  returning q.* into v_quota;
  if v_quota.tenant_id is null then
    return false;
  end if;
  perform warden_private.usage_quota_notify(tenant_id, level, jsonb_build_object(
    'month', v_month, 'used', used, 'monthly_events', v_quota.monthly_events, 'soft_limit_percent', v_quota.soft_limit_percent));
  return true;
end;
$$;
comment on function warden_private.usage_quota_crossed(uuid, text, bigint) is
  'Called by the API when a tenant''s accepted events pass its soft or hard limit: notifies (warden_private.usage_quota_notify) once per tenant, level and month. Returns whether this call notified.';
revoke all on function warden_private.usage_quota_crossed(uuid, text, bigint) from public;

--------------------------------------------------------------------------------
-- Project activity: events posted through the API carry a project_id too
-- (optional; one of the tenant's projects). The validation rules, their
-- shortcut and the set-based writer learn the field.
--------------------------------------------------------------------------------
create or replace function warden_private.project_in_tenant(project_id uuid, tenant_id uuid) returns boolean
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select exists (select 1 from warden.projects p where p.id = project_in_tenant.project_id and p.tenant_id = project_in_tenant.tenant_id)
$$;
comment on function warden_private.project_in_tenant(uuid, uuid) is 'Whether the project belongs to the tenant (ingest checks a posted project_id with it, whatever the caller may see).';
revoke all on function warden_private.project_in_tenant(uuid, uuid) from public;
grant execute on function warden_private.project_in_tenant(uuid, uuid) to warden_visitor, warden_authenticator;

create or replace function warden_private.audit_event_is_plainly_valid(item jsonb) returns boolean
  language sql immutable parallel safe
  -- no SET clause: inlined
as $$
  select coalesce(
    jsonb_typeof(item) = 'object'
    and (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload,project_id}'::text[]) = '{}'
    and jsonb_typeof(item -> 'event_type') = 'string'
    and length(item ->> 'event_type') <= 64
    and (item ->> 'event_type') ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$'
    and jsonb_typeof(item -> 'outcome') = 'string'
    and lower(item ->> 'outcome') in ('success', 'failure', 'unknown')
    and (not item ? 'event_id' or (jsonb_typeof(item -> 'event_id') = 'string'
         and (item ->> 'event_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
    and (not item ? 'project_id' or (jsonb_typeof(item -> 'project_id') = 'string'
         and (item ->> 'project_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
    and (not item ? 'parent_event_id' or (jsonb_typeof(item -> 'parent_event_id') = 'string'
         and (item ->> 'parent_event_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
    and (not item ? 'occurred_at' or (jsonb_typeof(item -> 'occurred_at') = 'string'
         and (item ->> 'occurred_at') ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$'
         and warden_private.rfc3339_is_valid(item ->> 'occurred_at')))
    and (not item ? 'severity' or (jsonb_typeof(item -> 'severity') = 'string'
         and lower(item ->> 'severity') in ('debug', 'info', 'notice', 'warn', 'warning', 'error', 'critical')))
    and (not item ? 'action' or (jsonb_typeof(item -> 'action') = 'string' and length(item ->> 'action') between 1 and 64))
    and (not item ? 'correlation_id' or (jsonb_typeof(item -> 'correlation_id') = 'string' and length(item ->> 'correlation_id') between 1 and 200))
    and (not item ? 'trace_id' or (jsonb_typeof(item -> 'trace_id') = 'string' and length(item ->> 'trace_id') between 1 and 200))
    and (not item ? 'service' or (jsonb_typeof(item -> 'service') = 'string' and length(item ->> 'service') between 1 and 200))
    and (not item ? 'actor' or (jsonb_typeof(item -> 'actor') = 'object'
         and (item -> 'actor') - '{type,id}'::text[] = '{}'
         and jsonb_typeof(item #> '{actor,type}') = 'string'
         and (item #>> '{actor,type}') in ('user', 'api_key', 'service', 'system', 'db_role')
         and jsonb_typeof(item #> '{actor,id}') = 'string'
         and length(item #>> '{actor,id}') between 1 and 256
         and ((item #>> '{actor,type}') <> 'system' or (item #>> '{actor,id}') = 'system')))
    and (not item ? 'resource' or (jsonb_typeof(item -> 'resource') = 'object'
         and (item -> 'resource') - '{type,id}'::text[] = '{}'
         and (not item -> 'resource' ? 'type' or (jsonb_typeof(item #> '{resource,type}') = 'string' and length(item #>> '{resource,type}') between 1 and 200))
         and (not item -> 'resource' ? 'id' or (jsonb_typeof(item #> '{resource,id}') = 'string' and length(item #>> '{resource,id}') between 1 and 1024))))
    and (not item ? 'data' or (jsonb_typeof(item -> 'data') = 'object' and octet_length((item -> 'data')::text) <= 65536
         and not (item -> 'data') ?| '{version,service,operation,status,attempt,retry_reason,source_payload,backfill}'::text[]
         and not jsonb_path_exists(item -> 'data', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')))
    and (not item ?| '{attempt,retry_reason,source_payload}'::text[] or (
         (not item ? 'attempt' or (jsonb_typeof(item -> 'attempt') = 'number' and (item ->> 'attempt') ~ '^[1-9][0-9]{0,5}$'))
         and (not item ? 'retry_reason' or (jsonb_typeof(item -> 'retry_reason') = 'string' and length(item ->> 'retry_reason') between 1 and 1000))
         and (not item ? 'source_payload' or (octet_length((item -> 'source_payload')::text) <= 65536
              and not jsonb_path_exists(item -> 'source_payload', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")'))))),
    false)
$$;
comment on function warden_private.audit_event_is_plainly_valid(jsonb) is
  'True only for a posted audit event that every validation rule accepts (a shortcut for the common case; false means the full rules in audit_event_rule_problems must run).';

create or replace function warden_private.audit_event_rule_problems(item jsonb, pointer text) returns jsonb
  language sql stable parallel safe
  -- The SET clause keeps this a function call on purpose: inlined, its
  -- ~150-node expression was built and permission-checked at the start of
  -- every statement that validates, though the shortcut clears the usual
  -- event without it. As a call it is built only when an event needs it.
  set search_path = pg_catalog
as $$
  select case when jsonb_typeof(item) is distinct from 'object' then
    jsonb_build_array(warden_private.audit_problem(pointer, 'must be a JSON object'))
  else
    -- unknown fields (enumerated only when there are some)
    case when (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload,project_id}'::text[]) <> '{}'
      then warden_private.audit_unknown_keys(item, '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload,project_id}', pointer)
      else '[]' end
    || case when jsonb_typeof(item -> 'actor') = 'object' and (item -> 'actor') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'actor', '{type,id}', pointer || '/actor') else '[]' end
    || case when jsonb_typeof(item -> 'resource') = 'object' and (item -> 'resource') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'resource', '{type,id}', pointer || '/resource') else '[]' end
    -- the envelope's keys are Warden's: reserved in data, each named
    || case when jsonb_typeof(item -> 'data') = 'object'
             and (item -> 'data') ?| '{version,service,operation,status,attempt,retry_reason,source_payload,backfill}'::text[]
      then (select jsonb_agg(warden_private.audit_problem(pointer || '/data/' || k,
              case when k in ('attempt', 'retry_reason', 'source_payload')
                then 'reserved for the envelope: send ' || k || ' as a field of the event, beside data'
                else 'reserved for the envelope Warden writes' end) order by k)
            from jsonb_object_keys(item -> 'data') k
            where k in ('version', 'service', 'operation', 'status', 'attempt', 'retry_reason', 'source_payload', 'backfill'))
      else '[]' end
    || to_jsonb(array_remove(array[
      warden_private.audit_problem(pointer || '/event_type', case
        when not item ? 'event_type' then 'required'
        when jsonb_typeof(item -> 'event_type') <> 'string' or (item ->> 'event_type') !~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$'
             or length(item ->> 'event_type') > 200
          then 'a dotted lower-case string such as gateway.signal.received (at most 200 characters)'
        when length(split_part(item ->> 'event_type', '.', 1)) > 64
          then 'its first segment (the category) is at most 64 characters'
        when not item ? 'action' and length(regexp_replace(item ->> 'event_type', '^.*\.', '')) > 64
          then 'its last segment (the action, when action is not given) is at most 64 characters'
      end),
      warden_private.audit_problem(pointer || '/outcome', case
        when not item ? 'outcome' then 'required'
        when jsonb_typeof(item -> 'outcome') <> 'string' or lower(item ->> 'outcome') not in ('success', 'failure', 'unknown')
          then 'one of success, failure, unknown'
      end),
      warden_private.audit_problem(pointer || '/event_id', case
        when item ? 'event_id' and (jsonb_typeof(item -> 'event_id') <> 'string'
             or (item ->> 'event_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then 'a uuid'
      end),
      warden_private.audit_problem(pointer || '/project_id', case
        when item ? 'project_id' and (jsonb_typeof(item -> 'project_id') <> 'string'
             or (item ->> 'project_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then 'a uuid (one of the tenant''s projects)'
      end),
      warden_private.audit_problem(pointer || '/parent_event_id', case
        when item ? 'parent_event_id' and (jsonb_typeof(item -> 'parent_event_id') <> 'string'
             or (item ->> 'parent_event_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then 'a uuid'
      end),
      warden_private.audit_problem(pointer || '/occurred_at', case
        when not item ? 'occurred_at' then null
        when jsonb_typeof(item -> 'occurred_at') <> 'string'
             or (item ->> 'occurred_at') !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$'
          then 'an RFC 3339 time such as 2026-01-02T03:04:05Z'
        when not warden_private.rfc3339_is_valid(item ->> 'occurred_at') then 'not a valid date and time'
      end),
      warden_private.audit_problem(pointer || '/severity', case
        when item ? 'severity' and (jsonb_typeof(item -> 'severity') <> 'string'
             or lower(item ->> 'severity') not in ('debug', 'info', 'notice', 'warn', 'warning', 'error', 'critical'))
          then 'one of debug, info, notice, warning, error, critical'
      end),
      warden_private.audit_problem(pointer || '/action', case
        when item ? 'action' and (jsonb_typeof(item -> 'action') <> 'string' or length(item ->> 'action') not between 1 and 64)
          then 'a string of 1 to 64 characters' end),
      warden_private.audit_problem(pointer || '/correlation_id', case
        when item ? 'correlation_id' and (jsonb_typeof(item -> 'correlation_id') <> 'string' or length(item ->> 'correlation_id') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/trace_id', case
        when item ? 'trace_id' and (jsonb_typeof(item -> 'trace_id') <> 'string' or length(item ->> 'trace_id') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/service', case
        when item ? 'service' and (jsonb_typeof(item -> 'service') <> 'string' or length(item ->> 'service') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/actor', case
        when item ? 'actor' and jsonb_typeof(item -> 'actor') <> 'object' then 'an object {type, id}' end),
      warden_private.audit_problem(pointer || '/actor/type', case
        when jsonb_typeof(item -> 'actor') = 'object' and (jsonb_typeof(item #> '{actor,type}') is distinct from 'string'
             or (item #>> '{actor,type}') not in ('user', 'api_key', 'service', 'system', 'db_role'))
          then 'one of user, api_key, service, system, db_role' end),
      warden_private.audit_problem(pointer || '/actor/id', case
        when jsonb_typeof(item -> 'actor') is distinct from 'object' then null
        when jsonb_typeof(item #> '{actor,id}') is distinct from 'string' or length(item #>> '{actor,id}') not between 1 and 256
          then 'a string of 1 to 256 characters'
        when (item #>> '{actor,type}') = 'system' and (item #>> '{actor,id}') <> 'system' then 'a system actor has id system'
      end),
      warden_private.audit_problem(pointer || '/resource', case
        when item ? 'resource' and jsonb_typeof(item -> 'resource') <> 'object' then 'an object {type, id}' end),
      warden_private.audit_problem(pointer || '/resource/type', case
        when jsonb_typeof(item -> 'resource') = 'object' and item -> 'resource' ? 'type'
             and (jsonb_typeof(item #> '{resource,type}') <> 'string' or length(item #>> '{resource,type}') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/resource/id', case
        when jsonb_typeof(item -> 'resource') = 'object' and item -> 'resource' ? 'id'
             and (jsonb_typeof(item #> '{resource,id}') <> 'string' or length(item #>> '{resource,id}') not between 1 and 1024)
          then 'a string of 1 to 1024 characters' end),
      warden_private.audit_problem(pointer || '/data', case
        when not item ? 'data' then null
        when jsonb_typeof(item -> 'data') <> 'object' then 'a JSON object'
        when octet_length((item -> 'data')::text) > 65536 then 'at most 64 KiB'
        when jsonb_path_exists(item -> 'data', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')
          then 'objects and arrays nested more than 64 levels deep'
      end),
      warden_private.audit_problem(pointer || '/attempt', case
        when item ? 'attempt' and (jsonb_typeof(item -> 'attempt') <> 'number' or (item ->> 'attempt') !~ '^[1-9][0-9]{0,5}$')
          then 'a whole number from 1 to 999999' end),
      warden_private.audit_problem(pointer || '/retry_reason', case
        when item ? 'retry_reason' and (jsonb_typeof(item -> 'retry_reason') <> 'string' or length(item ->> 'retry_reason') not between 1 and 1000)
          then 'a string of 1 to 1000 characters' end),
      warden_private.audit_problem(pointer || '/source_payload', case
        when not item ? 'source_payload' then null
        when octet_length((item -> 'source_payload')::text) > 65536 then 'at most 64 KiB'
        when jsonb_path_exists(item -> 'source_payload', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')
          then 'objects and arrays nested more than 64 levels deep'
      end)
    ]::jsonb[], null))
  end
$$;
comment on function warden_private.audit_event_rule_problems(jsonb, text) is
  'The validation rules for one posted audit event, every one evaluated: a JSON array of its problems [{pointer, reason}], empty when valid. Callers use audit_event_problem_list.';

create or replace function warden_private.record_audit_batch(requests jsonb) returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
  -- row estimates over jsonb input are guesses: never pay for JIT compilation
  set jit = off
  set plan_cache_mode = force_generic_plan
as $$
declare
  v_errors jsonb;
  v_ids jsonb;
  v_has_client_ids boolean;
  v_has_times boolean;
  v_has_projects boolean;
  v_client_ids uuid[];
  v_existing text[];
  v_more jsonb;
  -- request number -> earliest of its window, for requests allowed to backfill
  v_backfill jsonb := '{}';
begin
  -- 1. Every item's validation problems and each request's own checks, in
  --    one pass over the flattened items; a request with any problem writes
  --    nothing.
  with req as (
    select r.rn, coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) as ctx,
           r.req -> 'events' as events
    from jsonb_array_elements(requests) with ordinality r(req, rn)
  ), items as (
    select q.rn, i.ord, i.item, jsonb_typeof(q.events) = 'array' as is_array
    from req q
    cross join lateral jsonb_array_elements(case when jsonb_typeof(q.events) = 'array' then q.events else jsonb_build_array(q.events) end)
      with ordinality i(item, ord)
  ), listed as (
    select t.rn, t.ord, t.item ? 'event_id' as has_id, t.item ? 'occurred_at' as has_time, t.item ? 'project_id' as has_project,
           warden_private.audit_event_problem_list(t.item, case when t.is_array then '/' || (t.ord - 1) else '' end) as list
    from items t
  ), item_errors as (
    select l.rn, jsonb_agg(pr order by l.ord, pr ->> 'pointer') as problems
    from listed l
    cross join lateral jsonb_array_elements(l.list) pr
    where l.list <> '[]'
    group by l.rn
  ), checked as (
    select q.rn, case
      when nullif(q.ctx ->> 'tenant_id', '') is null or nullif(q.ctx ->> 'actor_id', '') is null then
        jsonb_build_object('code', '42501', 'message',
          'recording audit events needs a tenant and an actor (the API sets both; direct connections call warden.set_context first)')
      when q.ctx ->> 'actor_type' = 'user' and coalesce(q.ctx ->> 'tenant_role', '') not in ('owner', 'admin') then
        jsonb_build_object('code', '42501', 'message', 'recording audit events as a user needs tenant role owner or admin',
          'hint', 'missing_role=admin')
      when (case when jsonb_typeof(q.events) = 'array' then jsonb_array_length(q.events) else 1 end) not between 1 and 1000 then
        jsonb_build_object('code', '22023', 'message',
          format('a batch holds 1 to 1000 events, got %s', case when jsonb_typeof(q.events) = 'array' then jsonb_array_length(q.events) else 1 end))
      when e.problems is not null then
        jsonb_build_object('code', '22023', 'message', 'invalid audit events', 'hint', 'validation_failed', 'detail', e.problems::text)
    end as error
    from req q
    left join item_errors e on e.rn = q.rn
  )
  select coalesce(jsonb_object_agg(c.rn::text, c.error) filter (where c.error is not null), '{}'),
         (select bool_or(l.has_id) from listed l), (select bool_or(l.has_time) from listed l),
         (select bool_or(l.has_project) from listed l)
    into v_errors, v_has_client_ids, v_has_times, v_has_projects
  from checked c;

  -- 2. occurred_at within the tenant's window (warden_private.occurred_at_window):
  --    later is always refused; earlier only from an API key with the
  --    backfill scope, whose events then carry event_data.backfill.
  if v_has_times then
    with req as (
      select r.rn, coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) as ctx,
             r.req -> 'events' as events
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      where not v_errors ? r.rn::text
    ), timed as (
      select q.rn, q.ctx, i.ord, jsonb_typeof(q.events) = 'array' as is_array, (i.item ->> 'occurred_at')::timestamptz as at
      from req q
      cross join lateral jsonb_array_elements(case when jsonb_typeof(q.events) = 'array' then q.events else jsonb_build_array(q.events) end)
        with ordinality i(item, ord)
      where i.item ? 'occurred_at'
    ), bounds as (
      select t.tenant, w.earliest, w.latest
      from (select distinct tm.ctx ->> 'tenant_id' as tenant from timed tm) t
      cross join lateral warden_private.occurred_at_window(t.tenant::uuid) w
    ), outside as (
      select tm.rn, tm.ctx, tm.ord, tm.is_array, tm.at, b.earliest, b.latest
      from timed tm join bounds b on b.tenant = tm.ctx ->> 'tenant_id'
      where tm.at > b.latest or tm.at < b.earliest
    ), may_backfill as (
      select o.rn, min(o.earliest) as earliest
      from outside o
      where o.ctx ->> 'actor_type' = 'api_key'
        and (o.ctx ->> 'actor_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        and exists (select from warden.api_keys k
                    where k.id = (o.ctx ->> 'actor_id')::uuid and k.tenant_id = (o.ctx ->> 'tenant_id')::uuid
                      and k.revoked_at is null and 'backfill' = any (k.scopes))
      group by o.rn
    ), refused as (
      select o.rn, jsonb_agg(jsonb_build_object(
               'pointer', case when o.is_array then '/' || (o.ord - 1) else '' end || '/occurred_at',
               'reason', case when o.at > o.latest
                 then format('later than %s: at most %s ahead of the server''s clock', to_char(o.latest at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), o.latest - now())
                 else format('earlier than %s, the oldest this tenant accepts (its retention); older events need an API key with the backfill scope',
                             to_char(o.earliest at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) end)
             order by o.ord) as problems
      from outside o
      where o.at > o.latest or not exists (select from may_backfill m where m.rn = o.rn)
      group by o.rn
    )
    select coalesce((select jsonb_object_agg(r.rn::text, jsonb_build_object('code', '22023', 'message', 'occurred_at outside the accepted window',
                       'hint', 'occurred_at_out_of_window', 'detail', r.problems::text)) from refused r), '{}'),
           coalesce((select jsonb_object_agg(m.rn::text, m.earliest) from may_backfill m where not exists (select from refused r where r.rn = m.rn)), '{}')
      into v_more, v_backfill;
    v_errors := v_errors || v_more;
  end if;

  -- 2b. A project_id names one of the request's tenant's projects.
  if v_has_projects then
    with items as (
      select r.rn, (coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) ->> 'tenant_id')::uuid as tenant,
             i.ord, jsonb_typeof(r.req -> 'events') = 'array' as is_array, (i.item ->> 'project_id')::uuid as project_id
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end)
        with ordinality i(item, ord)
      where not v_errors ? r.rn::text and i.item ? 'project_id'
    ), unknown as (
      select it.rn, jsonb_agg(jsonb_build_object('pointer', case when it.is_array then '/' || (it.ord - 1) else '' end || '/project_id',
                                                 'reason', 'not a project of this tenant') order by it.ord) as problems
      from items it
      where not warden_private.project_in_tenant(it.project_id, it.tenant)
      group by it.rn
    )
    select coalesce(jsonb_object_agg(u.rn::text, jsonb_build_object('code', '22023', 'message', 'invalid audit events',
             'hint', 'validation_failed', 'detail', u.problems::text)), '{}')
      into v_more
    from unknown u;
    v_errors := v_errors || v_more;
  end if;

  -- 3. Client-chosen event ids make retries safe: lock them (in one order,
  --    so concurrent batches can not deadlock), then skip those the tenant
  --    already has. An id another tenant has (stored, or earlier in this
  --    group) is refused: one id, one event. Warden's own ids are fresh
  --    UUIDv7s and need none of this.
  if v_has_client_ids then
    select array_agg(distinct (i.item ->> 'event_id')::uuid) into v_client_ids
    from jsonb_array_elements(requests) with ordinality r(req, rn)
    cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end) i(item)
    where not v_errors ? r.rn::text and i.item ? 'event_id';
  end if;
  if v_client_ids is not null then
    perform pg_advisory_xact_lock(hashtext('warden.event_id/' || l.id::text))
    from unnest(v_client_ids) l(id) order by l.id::text;
    select coalesce(array_agg(coalesce(e.tenant_id::text, '') || '/' || e.event_id::text), '{}') into v_existing
    from warden.audit_events e
    where e.event_id = any (v_client_ids);
    with ids as (
      select r.rn, ((coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) ->> 'tenant_id')::uuid)::text as tenant,
             i.ord, jsonb_typeof(r.req -> 'events') = 'array' as is_array, (i.item ->> 'event_id')::uuid as id
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end)
        with ordinality i(item, ord)
      where not v_errors ? r.rn::text and i.item ? 'event_id'
    ), stored as (
      select split_part(x, '/', 1) as tenant, split_part(x, '/', 2)::uuid as id from unnest(v_existing) x
    ), taken as (
      select d.rn, jsonb_agg(jsonb_build_object('pointer', case when d.is_array then '/' || (d.ord - 1) else '' end || '/event_id',
                                                'reason', 'already the id of an event that is not yours: choose another') order by d.ord) as problems
      from ids d
      -- the id's tenant: the one that stored it, else the first request of this group using it
      where not exists (select from stored s where s.id = d.id and s.tenant = d.tenant)
        and (exists (select from stored s where s.id = d.id)
             or (select o.tenant from ids o where o.id = d.id order by o.rn, o.ord limit 1) <> d.tenant)
      group by d.rn
    )
    select coalesce(jsonb_object_agg(t.rn::text, jsonb_build_object('code', '23505', 'message', 'event_id already taken',
             'hint', 'event_id_taken', 'detail', t.problems::text)), '{}')
      into v_more
    from taken t;
    v_errors := v_errors || v_more;
  end if;

  -- 4. One insert for every valid request.
  with input as (
    select q.rn, i.ord, q.ctx, i.item,
           coalesce((i.item ->> 'event_id')::uuid, warden_private.uuid_v7()) as event_id
    from (
      select r.rn, coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) as ctx,
             r.req -> 'events' as events
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      where not v_errors ? r.rn::text
    ) q
    cross join lateral jsonb_array_elements(case when jsonb_typeof(q.events) = 'array' then q.events else jsonb_build_array(q.events) end)
      with ordinality i(item, ord)
  ), fresh as (
    -- one row per tenant and event id (a client id repeated in the group is
    -- written once). Without client ids every id is a fresh UUIDv7 and
    -- every row is the first: the partition keys are then null, and the
    -- rows, already in (rn, ord) order, pass the sort's presorted check
    -- instead of being sorted.
    select n.*, case when v_has_client_ids then row_number() over (
             partition by case when v_has_client_ids then n.ctx ->> 'tenant_id' end, case when v_has_client_ids then n.event_id end
             order by n.rn, n.ord) else 1 end as nth
    from input n
    where v_existing is null or not (((n.ctx ->> 'tenant_id')::uuid)::text || '/' || n.event_id::text) = any (v_existing)
  ), inserted as (
    insert into warden.audit_events (event_id, occurred_at, tenant_id, event_type, category, action, outcome, severity,
      actor_type, actor_id, actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, parent_event_id, service, event_data,
      project_id)
    select f.event_id,
           coalesce((f.item ->> 'occurred_at')::timestamptz, now()),
           (f.ctx ->> 'tenant_id')::uuid,
           f.item ->> 'event_type',
           split_part(f.item ->> 'event_type', '.', 1),
           coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
           lower(f.item ->> 'outcome')::warden.audit_outcome,
           coalesce(case lower(f.item ->> 'severity') when 'warn' then 'warning' else lower(f.item ->> 'severity') end, 'info')::warden.audit_severity,
           coalesce(f.item #>> '{actor,type}', f.ctx ->> 'actor_type')::warden.actor_type,
           coalesce(f.item #>> '{actor,id}', f.ctx ->> 'actor_id'),
           nullif(f.ctx ->> 'actor_ip', '')::inet,
           nullif(f.ctx ->> 'user_agent', ''),
           f.item #>> '{resource,type}',
           f.item #>> '{resource,id}',
           f.item ->> 'correlation_id',
           coalesce(f.item ->> 'trace_id', nullif(f.ctx ->> 'trace_id', '')),
           (f.item ->> 'parent_event_id')::uuid,
           f.item ->> 'service',
           -- the envelope (Warden's keys, reserved in data), then the client's data
           case when f.item ? 'service'
             then jsonb_build_object('version', 1, 'service', f.item ->> 'service',
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
             else jsonb_build_object('version', 1,
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
           end
           || case when f.item ?| '{attempt,retry_reason,source_payload}'::text[]
                then case when f.item ? 'attempt' then jsonb_build_object('attempt', f.item -> 'attempt') else '{}' end
                  || case when f.item ? 'retry_reason' then jsonb_build_object('retry_reason', f.item -> 'retry_reason') else '{}' end
                  || case when f.item ? 'source_payload' then jsonb_build_object('source_payload', f.item -> 'source_payload') else '{}' end
                else '{}' end
           || case when v_backfill ? f.rn::text and (f.item ->> 'occurred_at')::timestamptz < (v_backfill ->> f.rn::text)::timestamptz
                then jsonb_build_object('backfill', jsonb_build_object(
                       'by', jsonb_build_object('type', f.ctx ->> 'actor_type', 'id', f.ctx ->> 'actor_id'), 'at', now()))
                else '{}' end
           || coalesce(f.item -> 'data', '{}'::jsonb),
           (f.item ->> 'project_id')::uuid
    from fresh f
    where f.nth = 1
    returning 1
  )
  select coalesce(jsonb_object_agg(s.rn::text, s.ids), '{}') into v_ids
  from (select n.rn, jsonb_agg(n.event_id order by n.ord) as ids from input n group by n.rn) s;
  -- (the data-modifying CTE always runs; the ids are returned in request order)

  return (
    select coalesce(jsonb_agg(case
             when v_errors ? g::text then jsonb_build_object('ok', false) || (v_errors -> g::text)
             else jsonb_build_object('ok', true, 'result', jsonb_build_object('event_ids', v_ids -> g::text, 'replayed', false))
           end order by g), '[]')
    from generate_series(1, jsonb_array_length(requests)) g);
end;
$$;
comment on function warden_private.record_audit_batch(jsonb) is
  'Validates and records requests [{ctx: {tenant_id, actor_id, actor_type, tenant_role, trace_id, actor_ip, user_agent}, events}] (or {settings: {jwt.claims.*, warden.*}, events} in place of ctx) set-based: occurred_at within warden_private.occurred_at_window (earlier only for API keys with the backfill scope, marked event_data.backfill), client event ids never another tenant''s, project ids only the tenant''s, one insert for all valid requests; returns per request {ok: true, result: {event_ids, replayed}} or {ok: false, code, message, detail?, hint?}. Idempotency keys are handled by the callers.';
