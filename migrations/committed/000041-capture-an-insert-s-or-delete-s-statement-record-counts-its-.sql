--! Previous: sha1:42b84a326b1ba783bb8f51c0fb64f1822c0fb6fc
--! Hash: sha1:82c5a1e02c34641ea7ceee418c6c07b686dd5fb1
--! Message: Capture: an INSERT's or DELETE's statement record counts its transition table instead of reading back what it wrote; an UPDATE of more than 64 rows pairs old and new rows by a hash join (enable_mergejoin off for that statement, then restored: a merge join sorted both sides again); the three UPDATE statements come from one template (test by attack: column names holding format() specifiers); warden_private.capture_regenerate_all()

-- Capture: a statement's INSERT or DELETE record counts its transition
-- table instead of reading back what it wrote.
--
-- The generated function wrote an INSERT's or DELETE's rows with
-- "returning 1" into a CTE and counted that CTE for the statement record.
-- The rows and the statement record must stay in one SQL statement (they
-- share its command id, which is how promotion pairs them), but the count
-- is the transition table's: every new (or old) row is captured, nothing
-- is filtered. Counting the transition table skips the RETURNING
-- projection and the CTE's tuplestore: about 2-4 us less per single-row
-- INSERT on this machine (pgbench, one client, 80 us a statement before).
-- An UPDATE still counts what it wrote (unchanged rows are skipped).
--
-- An UPDATE of more than 64 rows pairs old and new rows by a hash join:
-- the planner chose a merge join, which sorted both sides' ordinals again
-- although they come in order (100,000 rows: 654 ms a statement with the
-- merge join, 624 ms with the hash join, alternated four times each).
-- enable_mergejoin is set off for that one statement and restored.
--
-- The three UPDATE statements of the generator (one row, up to 64, more)
-- now come from one template. warden_private.capture_regenerate_all()
-- regenerates every current capture version's function in place (same
-- name, same row log), for this migration and the next that changes the
-- generator.

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
  -- the same for the large UPDATE's dynamic statement: $1 is v_tx, $2 .. $10 the context below
  v_ctx_dyn text := 'now(), clock_timestamp(), $2, $3, $4, $5, $6, $7, $8, $9, $10';
  v_upd_dyn text[] := '{}';
  v_hash_tenant_dyn text;
  v_o_dyn text;
  v_n_dyn text;
  v_update_tpl text;
  v_paired text;
  v_where text;
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
  v_hash_tenant_dyn := case when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid'
    when v_tenant_column is not null then format('coalesce(n.%I, $2)', v_tenant_column) else '$2' end;
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
      v_o_dyn := format('case when o.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(o.%1$I)::text) end', c ->> 'name', v_hash_tenant_dyn);
      v_n_dyn := format('case when n.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(n.%1$I)::text) end', c ->> 'name', v_hash_tenant_dyn);
    else
      v_ins := v_ins || format('n.%I', c ->> 'name');
      v_del := v_del || format('o.%I', c ->> 'name');
      v_o := format('o.%I', c ->> 'name');
      v_n := format('n.%I', c ->> 'name');
      v_o_dyn := v_o;
      v_n_dyn := v_n;
    end if;
    v_d := warden_private.capture_distinct(c ->> 'compare', format('o.%I', c ->> 'name'), format('n.%I', c ->> 'name'));
    if (c ->> 'value')::boolean then
      v_changed := v_changed || v_d;
    end if;
    -- UPDATE: the key, the tenant column and the project column always (every column with
    -- capture full or without a key); other columns only when they changed.
    if v_full or not has_pk or (c ->> 'pk')::boolean or (c ->> 'tenant')::boolean or coalesce((c ->> 'project')::boolean, false) then
      v_upd := v_upd || v_o || v_n;
      v_upd_dyn := v_upd_dyn || v_o_dyn || v_n_dyn;
    else
      v_upd := v_upd || format('case when %s then %s end', v_d, v_o) || format('case when %s then %s end', v_d, v_n);
      v_upd_dyn := v_upd_dyn || format('case when %s then %s end', v_d, v_o_dyn) || format('case when %s then %s end', v_d, v_n_dyn);
    end if;
  end loop;

  -- An UPDATE's statement, one template for its three forms (see below).
  -- Filled by one format() call each: what a call fills in is never read
  -- as a template again (a column name may hold a %).
  v_update_tpl := $u$with r as (
          insert into %1$s_%2$s (txid, %3$s)
          select %4$s, %5$s
          from %6$s
          where %7$s
          returning 1)
        insert into warden_private.capture_statements_%2$s (%8$s)
        select %4$s, %9$s, %10$s, 'u', count(*), %11$s from r having count(*) > 0$u$;
  v_where := case when not v_skip then 'true' when cardinality(v_changed) = 0 then 'false' else array_to_string(v_changed, ' or ') end;
  v_paired := format('(select row_number() over () as %1$I, %2$s from old_rows) o
          join (select row_number() over () as %1$I, %2$s from new_rows) n on n.%1$I = o.%1$I',
    v_ordinal, array_to_string(v_read, ', '));
  for s in 0 .. 1 loop
    v_body := v_body || case when s = 0 then E'\n  if v_slot = 0 then' else E'\n  else' end || format($b$
    if tg_op = 'INSERT' then
      -- Every new row is recorded: the statement's count is the transition
      -- table's. One SQL statement, so the rows and the statement record
      -- share its command id (promotion pairs them by it).
      with r as (insert into %1$s_%2$s (txid, %3$s) select v_tx, %4$s from new_rows n)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'i', c.n, %8$s from (select count(*) as n from new_rows) c where c.n > 0;
    elsif tg_op = 'UPDATE' then
      -- Old and new rows pair by their order. A plan is cached at its first
      -- runs and kept for the session, with the row counts of those runs: a
      -- statement planned for a few rows pairs by a nested loop, quadratic
      -- on a large one. So one row pairs without a join; up to 64 rows share
      -- one cached plan (any pairing is cheap at that size); more rows run a
      -- statement planned for their own count. Unchanged rows are skipped,
      -- so the statement counts what it wrote.
      select count(*) into v_count from new_rows;
      if v_count = 1 then
        %9$s;
      elsif v_count between 2 and 64 then
        %10$s;
      elsif v_count > 64 then
        -- Paired by hashing: both ordinals come in order, and a merge join
        -- would sort both sides again (about 5%% of a 100,000-row UPDATE).
        -- The setting is restored before anything else runs: it is the
        -- writer's transaction (an error rolls it back with the statement).
        v_mergejoin := current_setting('enable_mergejoin');
        perform set_config('enable_mergejoin', 'off', true);
        execute %11$L
          using v_tx, v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service, v_ctx_project;
        perform set_config('enable_mergejoin', v_mergejoin, true);
      end if;
    elsif tg_op = 'DELETE' then
      with r as (insert into %1$s_%2$s (txid, %12$s) select v_tx, %13$s from old_rows o)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'd', c.n, %8$s from (select count(*) as n from old_rows) c where c.n > 0;
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
      format(v_update_tpl, log_name, s, array_to_string(v_on_cols, ', '), 'v_tx', array_to_string(v_upd, ', '),
        'old_rows o cross join new_rows n', v_where, v_stmt, table_id, version, v_ctx),
      format(v_update_tpl, log_name, s, array_to_string(v_on_cols, ', '), 'v_tx', array_to_string(v_upd, ', '),
        v_paired, v_where, v_stmt, table_id, version, v_ctx),
      -- $1 is v_tx, $2 .. $10 the context (see the using clause)
      format(v_update_tpl, log_name, s, array_to_string(v_on_cols, ', '), '$1', array_to_string(v_upd_dyn, ', '),
        v_paired, v_where, v_stmt, table_id, version, v_ctx_dyn),
      array_to_string(v_o_cols, ', '), array_to_string(v_del, ', '));
  end loop;
  v_body := v_body || E'\n  end if;';

  return format($f$
create or replace function %1$s() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
  set jit = off
  -- a large UPDATE pairs old and new rows by hashing: in memory up to a few
  -- hundred thousand rows
  set work_mem = '64MB'
as %2$L$f$, fn,
    -- the body as a quoted literal, never dollar-quoted: a column or table
    -- name may contain any dollar-quote tag
    format($t$
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
  v_mergejoin text;
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
$t$, fn, target_name, v_body, schema_name, relation_name));
end;
$gen$;
comment on function warden_private.capture_function_sql(text, text, text, text, text, integer, integer, jsonb, jsonb, boolean) is
  'SQL text of a generated capture trigger function (create or replace; its body a quoted literal, so no column or table name can end it early): the request context (with the project of warden.set_context) once per statement, the rows as the log stores them (typed comparisons decide what an UPDATE changed), in one SQL statement with the statement record (they share its command id). An INSERT or DELETE counts its transition table; an UPDATE counts the rows it wrote (unchanged rows are skipped). An UPDATE of one row pairs old and new without a join, up to 64 rows share one cached plan, more rows run a statement planned for their count (a plan cached for a few rows would pair a large statement''s rows quadratically), paired by a hash join (enable_mergejoin off for that statement, then restored); the three forms come from one template.';

-- Regenerating every current capture function, for a migration that
-- changes the generator.
create function warden_private.capture_regenerate_all() returns integer
  language plpgsql
  set search_path = pg_catalog
as $$
declare
  v record;
  v_count integer := 0;
begin
  for v in
    select cv.capture_function, cv.table_name, n.nspname::text as schema_name, c.relname::text as relation_name,
           cv.row_log, cv.table_id, cv.version, cv.columns, t.options, cv.pk
    from warden_private.capture_versions cv
    join warden_private.audited_tables t on t.id = cv.table_id and t.version = cv.version
    join pg_catalog.pg_class c on c.oid = t.relid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where cv.retired_at is null and t.dropped_at is null
      and pg_catalog.to_regprocedure(cv.capture_function || '()') is not null
    order by cv.table_id
  loop
    execute warden_private.capture_function_sql(v.capture_function, v.table_name, v.schema_name, v.relation_name,
      v.row_log, v.table_id, v.version, v.columns, v.options, v.pk is not null);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
revoke all on function warden_private.capture_regenerate_all() from public;
comment on function warden_private.capture_regenerate_all() is
  'Regenerates the capture function of every current capture version in place (same name, same row log, same trigger) from warden_private.capture_function_sql; returns how many. For a migration that changes the generator; runs as its caller (the owner).';

select warden_private.capture_regenerate_all();
