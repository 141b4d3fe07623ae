--! Previous: sha1:96614dd354ae20fdca5e67a7dba112abc6150d74
--! Hash: sha1:0bda5e9f3c034bb1e71c49e1668e2b0041e35a43
--! Message: data quality: rules with catalog validation, one-scan runs in a sandbox, results with history, schedules, write-time enforcement

--------------------------------------------------------------------------------
-- Data quality: rules per tenant, runs that scan each table once, results
-- with history (monthly partitions, kept by retention), write-time
-- enforcement. Design notes: docs/data-quality.md.
--
-- Who runs what:
--  * warden_owner: Warden's functions (SECURITY DEFINER) plan runs, generate
--    the checks' SQL from validated rule definitions (format() with %I/%L
--    only), record results and audit events.
--  * warden_dq_sandbox (NOLOGIN, created by `warden setup`): every check's
--    query runs as this role, through the three functions it owns below, in
--    a read-only scope, with the tenant's context set: the target's
--    row-level security applies, it can write nothing, it has no access to
--    warden_private, and custom_sql may call only safe built-in functions.
--    DBAs grant it SELECT on the tables rules may check.
--------------------------------------------------------------------------------

--------------------------------------------------------------------------------
-- The sandbox role: what it may use
--------------------------------------------------------------------------------
grant usage on schema warden to warden_dq_sandbox;
-- Row-level security policies of application tables read the request context.
grant execute on function
  warden.current_tenant_id(), warden.current_actor_type(), warden.current_user_id(),
  warden.current_tenant_role(), warden.current_trace_id(), warden.current_actor(),
  warden.has_tenant_role(warden.tenant_role[])
  to warden_dq_sandbox;
-- custom_sql rules are parsed as a temporary view (by the sandbox itself) to
-- be checked and made canonical.
do $$
begin
  execute format('grant temporary on database %I to warden_dq_sandbox', current_database());
end;
$$;

-- Failing rows of a rule, counted and sampled (at most 20) by one
-- aggregate over `case when <fails> then <row> end`: the predicate runs once
-- per row, the sample row is built only for failing rows, and rows that pass
-- (null) never reach the transition function (it is strict).
create type warden.dq_tally as (failing bigint, sample jsonb[]);
comment on type warden.dq_tally is E'@behavior -*\nState of warden.dq_failing: failing rows counted, the first 20 sampled.';

create or replace function warden.dq_tally_add(state warden.dq_tally, item jsonb) returns warden.dq_tally
  language sql immutable strict parallel safe
as $$
  select row(state.failing + 1, case when cardinality(state.sample) >= 20 then state.sample else state.sample || item end)::warden.dq_tally
$$;
comment on function warden.dq_tally_add(warden.dq_tally, jsonb) is
  E'@behavior -*\nTransition function of warden.dq_failing: counts a failing row, samples it while fewer than 20 are.';

create or replace function warden.dq_tally_merge(a warden.dq_tally, b warden.dq_tally) returns warden.dq_tally
  language sql immutable strict parallel safe
as $$
  select row(a.failing + b.failing, (a.sample || b.sample)[1:20])::warden.dq_tally
$$;
comment on function warden.dq_tally_merge(warden.dq_tally, warden.dq_tally) is
  E'@behavior -*\nCombine function of warden.dq_failing (parallel scans).';

create or replace function warden.dq_tally_result(state warden.dq_tally) returns jsonb
  language sql immutable strict parallel safe
as $$
  select jsonb_build_array(state.failing, to_jsonb(state.sample))
$$;
comment on function warden.dq_tally_result(warden.dq_tally) is
  E'@behavior -*\nFinal function of warden.dq_failing: [failing rows, sample].';

create aggregate warden.dq_failing(jsonb) (
  sfunc = warden.dq_tally_add,
  stype = warden.dq_tally,
  initcond = '(0,{})',
  combinefunc = warden.dq_tally_merge,
  finalfunc = warden.dq_tally_result,
  parallel = safe
);
comment on aggregate warden.dq_failing(jsonb) is
  E'@behavior -*\n[count, first 20] of the non-null values aggregated: a rule''s failing rows and their sample, in the scan of its table.';
revoke all on function warden.dq_tally_add(warden.dq_tally, jsonb), warden.dq_tally_merge(warden.dq_tally, warden.dq_tally),
  warden.dq_tally_result(warden.dq_tally), warden.dq_failing(jsonb) from public;
grant execute on function warden.dq_tally_add(warden.dq_tally, jsonb), warden.dq_tally_merge(warden.dq_tally, warden.dq_tally),
  warden.dq_tally_result(warden.dq_tally), warden.dq_failing(jsonb) to warden_dq_sandbox;
grant usage on type warden.dq_tally to warden_dq_sandbox;

--------------------------------------------------------------------------------
-- Rules
--------------------------------------------------------------------------------
create table warden.dq_rules (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  target regclass not null,
  target_name text not null default '',  -- set from target (or target resolved from it) by the validation trigger
  name text not null check (name ~ '^[A-Za-z0-9_.:-]{1,100}$'),
  check_type text not null,
  params jsonb not null default '{}' check (jsonb_typeof(params) = 'object' and length(params::text) <= 20000),
  severity text not null default 'error' check (severity in ('warn', 'error')),
  enabled boolean not null default true,
  schedule text check (length(schedule) <= 200),
  timeout_ms integer not null default 60000 check (timeout_ms between 100 and 3600000),
  tenant_column text,
  description text check (length(description) <= 2000),
  compiled jsonb not null default '{}',
  created_at timestamptz not null default now(),
  created_by text,
  updated_at timestamptz not null default now(),
  updated_by text,
  constraint dq_rules_name_unique unique (tenant_id, target, name)
);
create index dq_rules_target_idx on warden.dq_rules (target);
comment on table warden.dq_rules is
  E'A data-quality rule of a tenant: a check on a table or view, validated against the catalog when it is saved (an unknown column, a wrong parameter or an unknown check type fails with a SQLSTATE naming it). Tenant owners and admins create, change and delete their tenant''s rules (GraphQL createDqRule, updateDqRule, deleteDqRule); DBAs use warden.dq_add_rule and warden.dq_drop_rule. Every change writes a governance.dq.* audit event.';
comment on column warden.dq_rules.id is 'Rule id.';
comment on column warden.dq_rules.tenant_id is 'The tenant whose rows the rule checks.';
comment on column warden.dq_rules.target is E'@hasDefault\nThe table or view checked (give it or target_name). The role warden_dq_sandbox must be able to read it.';
comment on column warden.dq_rules.target_name is 'The target as schema.table: give it instead of target when creating a rule through the API (no access to the table''s schema needed); a run refuses a target that no longer has this name.';
comment on column warden.dq_rules.name is 'Name of the rule, unique per tenant and target (letters, digits, _ . : -, up to 100).';
comment on column warden.dq_rules.check_type is
  'not_null, unique, accepted_values, range, pattern, max_length, referential, freshness, row_count, schema or custom_sql.';
comment on column warden.dq_rules.params is
  E'Parameters of the check, e.g. {"column": "amount", "min": 0} for range; see docs/data-quality.md for each check type.';
comment on column warden.dq_rules.severity is 'warn or error: a failing error rule fails `warden dq run` (exit 1) and rejects writes under dq_enforce reject.';
comment on column warden.dq_rules.enabled is 'Disabled rules are skipped by runs (unless named by id) and by enforcement.';
comment on column warden.dq_rules.schedule is 'Optional cron schedule (5 fields, UTC), e.g. "*/15 * * * *": the worker runs the rule then.';
comment on column warden.dq_rules.timeout_ms is 'Statement timeout of the rule''s check, in milliseconds (100 to 3,600,000; rules sharing one scan share the largest).';
comment on column warden.dq_rules.tenant_column is 'Column of the target holding the row''s tenant (a uuid); checks and enforcement see only the rule tenant''s rows. Defaults to tenant_id when the target has it; null: the target''s row-level security keeps tenants apart.';
comment on column warden.dq_rules.description is 'Free text.';
comment on column warden.dq_rules.compiled is E'@behavior -*\nThe validated rule as the runner uses it (generated SQL fragments). Written by Warden only.';
comment on column warden.dq_rules.created_at is 'When the rule was created.';
comment on column warden.dq_rules.created_by is 'Who created it (actor id or database role).';
comment on column warden.dq_rules.updated_at is 'When it was last changed.';
comment on column warden.dq_rules.updated_by is 'Who last changed it.';
comment on constraint dq_rules_name_unique on warden.dq_rules is E'@behavior -single -update -delete\nOne rule of a name per tenant and target.';

alter table warden.dq_rules enable row level security;
alter table warden.dq_rules force row level security;
create policy owner_maintenance on warden.dq_rules to warden_owner using (true) with check (true);
create policy select_tenant on warden.dq_rules for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin,auditor}'));
create policy manage_insert on warden.dq_rules for insert to warden_visitor
  with check (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
create policy manage_update on warden.dq_rules for update to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'))
  with check (tenant_id = warden.current_tenant_id());
create policy manage_delete on warden.dq_rules for delete to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
grant select (id, tenant_id, target, target_name, name, check_type, params, severity, enabled, schedule, timeout_ms, tenant_column,
              description, created_at, created_by, updated_at, updated_by),
      insert (target, target_name, name, check_type, params, severity, enabled, schedule, timeout_ms, tenant_column, description),
      update (name, params, severity, enabled, schedule, timeout_ms, description),
      delete
  on warden.dq_rules to warden_visitor;

--------------------------------------------------------------------------------
-- Runs and results
--------------------------------------------------------------------------------
create table warden.dq_runs (
  id uuid primary key default warden_private.uuid_v7(),
  tenant_id uuid references warden.tenants (id) on delete cascade,
  target regclass,
  rule_ids uuid[],
  trigger text not null check (trigger in ('sql', 'cli', 'api', 'schedule', 'enforce')),
  status text not null default 'queued' check (status in ('queued', 'running', 'finished', 'abandoned')),
  requested_by text,
  requested_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  rules_total integer not null default 0,
  rules_passed integer not null default 0,
  rules_failed integer not null default 0,
  rules_errored integer not null default 0,
  gate_passed boolean
);
create index dq_runs_tenant_idx on warden.dq_runs (tenant_id, requested_at);
comment on table warden.dq_runs is
  E'@behavior -insert -update -delete\nOne data-quality run: which rules (tenant, target, rule ids) it covered, who asked (sql, cli, api, schedule, enforce), and the summary. Tenant owners, admins and auditors read their tenant''s runs.';
comment on column warden.dq_runs.id is 'Run id.';
comment on column warden.dq_runs.tenant_id is 'The tenant whose rules ran; null for a run across tenants (a DBA or the CLI without --tenant).';
comment on column warden.dq_runs.target is 'Only rules on this table ran; null: every table.';
comment on column warden.dq_runs.rule_ids is 'Only these rules ran (disabled ones too); null: every enabled rule.';
comment on column warden.dq_runs.trigger is 'What started it: sql (warden.dq_run), cli (warden dq run), api (dqRequestRun), schedule (the worker), enforce (write-time record mode).';
comment on column warden.dq_runs.status is 'queued (waiting for the worker), running, finished, or abandoned (never run).';
comment on column warden.dq_runs.requested_by is 'Who asked (actor id or database role).';
comment on column warden.dq_runs.requested_at is 'When it was asked for.';
comment on column warden.dq_runs.started_at is 'When it started.';
comment on column warden.dq_runs.finished_at is 'When it finished.';
comment on column warden.dq_runs.rules_total is 'Rules evaluated.';
comment on column warden.dq_runs.rules_passed is 'Rules that passed.';
comment on column warden.dq_runs.rules_failed is 'Rules that failed.';
comment on column warden.dq_runs.rules_errored is 'Rules that could not be evaluated (timeout, missing table, ...).';
comment on column warden.dq_runs.gate_passed is 'False when a rule of severity error failed or could not be evaluated (`warden dq run` exits 1); null until finished.';

create table warden.dq_results (
  id uuid not null default warden_private.uuid_v7(),
  run_at timestamptz not null default now(),
  run_id uuid not null,
  rule_id uuid not null,
  tenant_id uuid not null,
  target_name text not null,
  rule_name text not null,
  check_type text not null,
  severity text not null,
  status text not null check (status in ('pass', 'fail', 'error')),
  message text,
  rows_checked bigint,
  rows_failing bigint,
  observed_value jsonb,
  duration_ms numeric(12,3),
  sample jsonb not null default '[]' check (jsonb_typeof(sample) = 'array' and jsonb_array_length(sample) <= 20),
  primary key (id, run_at)
) partition by range (run_at);
create index dq_results_rule_idx on warden.dq_results (rule_id, run_at);
create index dq_results_tenant_idx on warden.dq_results (tenant_id, run_at);
create index dq_results_run_idx on warden.dq_results (run_id);
comment on table warden.dq_results is
  E'@behavior -insert -update -delete\nOne row per rule per run (the seed''s data_quality_results): status with its message, rows checked and failing, the observed value, duration, and at most 20 failing rows'' keys and values with the tenant''s redaction rules applied. Monthly partitions (warden_private.dq_results_pYYYYMM) plus a default one; kept as long as the tenant''s retention policy for dq.result says.';
comment on column warden.dq_results.id is 'Result id.';
comment on column warden.dq_results.run_at is 'When the run started (partition key).';
comment on column warden.dq_results.run_id is 'The run.';
comment on column warden.dq_results.rule_id is 'The rule (results outlive a dropped rule).';
comment on column warden.dq_results.tenant_id is 'The rule''s tenant.';
comment on column warden.dq_results.target_name is 'The target, schema.table.';
comment on column warden.dq_results.rule_name is 'The rule''s name at the time.';
comment on column warden.dq_results.check_type is 'The rule''s check type.';
comment on column warden.dq_results.severity is 'The rule''s severity at the time (warn or error).';
comment on column warden.dq_results.status is 'pass, fail, or error (could not be evaluated; message says why).';
comment on column warden.dq_results.message is 'What failed or went wrong, in words.';
comment on column warden.dq_results.rows_checked is 'Rows (or groups, for unique) the check looked at.';
comment on column warden.dq_results.rows_failing is 'Rows that failed it.';
comment on column warden.dq_results.observed_value is 'What was measured: failing ratio, newest timestamp (freshness), row count and change (row_count), column differences (schema).';
comment on column warden.dq_results.duration_ms is 'Time of the check that evaluated the rule (rules sharing one scan share it).';
comment on column warden.dq_results.sample is 'At most 20 failing rows as {key, values} (custom_sql: the rows), redacted with the tenant''s redaction rules for the target''s columns.';


create table warden_private.dq_results_default partition of warden.dq_results default;
comment on table warden_private.dq_results_default is 'Default partition of warden.dq_results: results outside every monthly partition.';

create or replace function warden_private.dq_results_partition_name(month_start date) returns text
  language sql immutable
  set search_path = pg_catalog
as $$
  select 'dq_results_p' || to_char(month_start, 'YYYYMM')
$$;
comment on function warden_private.dq_results_partition_name(date) is 'Name of the monthly dq_results partition that starts at month_start.';

create or replace function warden.dq_ensure_partitions(months_ahead integer default 3) returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_month date := date_trunc('month', now() at time zone 'UTC')::date;
  v_start date;
  v_name text;
  v_created integer := 0;
begin
  if months_ahead is null or months_ahead not between 0 and 120 then
    raise exception 'months_ahead must be between 0 and 120, got %', months_ahead using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('warden.dq_ensure_partitions'));
  for i in 0 .. months_ahead loop
    v_start := (v_month + make_interval(months => i))::date;
    v_name := warden_private.dq_results_partition_name(v_start);
    continue when to_regclass('warden_private.' || v_name) is not null;
    if exists (select 1 from warden_private.dq_results_default d
               where d.run_at >= v_start::timestamptz and d.run_at < (v_start + interval '1 month')::timestamptz) then
      -- Rows of this month wait in the default partition: move them over.
      create temporary table if not exists warden_dq_move (like warden.dq_results) on commit drop;
      truncate warden_dq_move;
      with moved as (
        delete from warden_private.dq_results_default d
        where d.run_at >= v_start::timestamptz and d.run_at < (v_start + interval '1 month')::timestamptz
        returning d.*
      ) insert into warden_dq_move select * from moved;
      execute format('create table warden_private.%I partition of warden.dq_results for values from (%L) to (%L)',
        v_name, v_start::timestamptz, (v_start + interval '1 month')::timestamptz);
      insert into warden.dq_results select * from warden_dq_move;
    else
      execute format('create table warden_private.%I partition of warden.dq_results for values from (%L) to (%L)',
        v_name, v_start::timestamptz, (v_start + interval '1 month')::timestamptz);
    end if;
    execute format('comment on table warden_private.%I is %L', v_name,
      'Data-quality results of ' || to_char(v_start, 'YYYY-MM') || ' (partition of warden.dq_results).');
    execute format('alter table warden_private.%I enable row level security', v_name);
    execute format('alter table warden_private.%I force row level security', v_name);
    execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', v_name);
    v_created := v_created + 1;
  end loop;
  return v_created;
end;
$$;
comment on function warden.dq_ensure_partitions(integer) is
  E'@behavior -*\nCreates the monthly dq_results partitions for the current month and months_ahead more (rows waiting in the default partition move over); idempotent; returns how many it created. The worker runs it daily.';
revoke all on function warden.dq_ensure_partitions(integer) from public;
select warden.dq_ensure_partitions(3);

--------------------------------------------------------------------------------
-- Enforcement settings and schedule state
--------------------------------------------------------------------------------
create table warden.dq_enforcements (
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  target regclass not null,
  mode text not null check (mode in ('reject', 'record')),
  updated_at timestamptz not null default now(),
  updated_by text,
  primary key (tenant_id, target)
);
comment on table warden.dq_enforcements is
  E'@behavior -insert -update -delete\nWrite-time enforcement of a tenant''s rules on a table (set with warden.dq_enforce): reject (the statement fails with SQLSTATE 23514) or record (violations stored as results).';
comment on column warden.dq_enforcements.tenant_id is 'The tenant whose rules are enforced on its rows.';
comment on column warden.dq_enforcements.target is 'The table.';
comment on column warden.dq_enforcements.mode is 'reject or record.';
comment on column warden.dq_enforcements.updated_at is 'When the mode was set.';
comment on column warden.dq_enforcements.updated_by is 'Who set it.';

create table warden_private.dq_schedule_state (
  rule_id uuid primary key references warden.dq_rules (id) on delete cascade,
  last_fired_at timestamptz not null
);
comment on table warden_private.dq_schedule_state is 'When the worker last started a scheduled run of each rule (the cron occurrence it ran for).';
comment on column warden_private.dq_schedule_state.rule_id is 'The rule.';
comment on column warden_private.dq_schedule_state.last_fired_at is 'The schedule occurrence of the last scheduled run.';

-- Row-level security on every new table: the owner maintains them; a
-- tenant's owners, admins and auditors read their tenant's runs, results and
-- enforcements (the rules have their own policies above).
do $$
declare
  t text;
begin
  foreach t in array array['warden.dq_runs', 'warden.dq_results', 'warden.dq_enforcements',
                           'warden_private.dq_results_default', 'warden_private.dq_schedule_state'] loop
    execute format('alter table %s enable row level security', t);
    execute format('alter table %s force row level security', t);
    execute format('create policy owner_maintenance on %s to warden_owner using (true) with check (true)', t);
    if t like 'warden.%' then
      execute format('create policy select_tenant on %s for select to warden_visitor
        using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role(''{owner,admin,auditor}''))', t);
      execute format('grant select on %s to warden_visitor', t);
    end if;
  end loop;
end;
$$;

--------------------------------------------------------------------------------
-- The three functions that run as warden_dq_sandbox (they are owned by it).
-- Only warden_owner may call them: whoever can call them runs SQL as the
-- sandbox. Inside a SECURITY DEFINER function PostgreSQL refuses SET ROLE,
-- RESET ROLE and SET SESSION AUTHORIZATION, so a query cannot leave the role.
--------------------------------------------------------------------------------
create or replace function warden_private.dq_sandbox_eval(query text) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_tenant text := current_setting('jwt.claims.tenant_id', true);
  v_out jsonb;
begin
  -- Read-only inside a subtransaction that always ends in an exception
  -- carrying the result: rolling it back restores the transaction's
  -- read-write mode (and any setting the query changed), so nothing a
  -- check runs can write, and the caller can still record the results.
  begin
    perform set_config('transaction_read_only', 'on', true);
    -- JIT compiling a scan's many aggregates costs more than it saves
    -- (measured: 1.2 s against 0.83 s on a million rows).
    perform set_config('jit', 'off', true);
    execute query into v_out;
    -- A query that moved to another tenant's context gets no result.
    if current_setting('jwt.claims.tenant_id', true) is distinct from v_tenant then
      raise exception 'the check changed its request context' using errcode = '42501';
    end if;
    raise exception using errcode = 'WDQ01', message = coalesce(v_out::text, 'null');
  exception when sqlstate 'WDQ01' then
    return sqlerrm::jsonb;
  end;
end;
$$;
comment on function warden_private.dq_sandbox_eval(text) is
  'Runs one check query (generated by Warden from a validated rule) as warden_dq_sandbox, read-only (in a subtransaction always rolled back, the result carried out by the exception ending it), and returns its single jsonb value. Callable only by warden_owner.';

create or replace function warden_private.dq_sandbox_explain(query text, search_path text default 'pg_catalog, pg_temp') returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_cursor refcursor;
begin
  -- Opens the query as a cursor and closes it without fetching a row: it is
  -- parsed, planned and its privileges checked (every table and column),
  -- but never run. A cursor takes exactly one statement, so text holding
  -- several ("select 1; select pg_sleep(60)") fails here before any of it
  -- runs. Read-only, in a subtransaction rolled back on the way out (as in
  -- dq_sandbox_eval).
  begin
    perform set_config('transaction_read_only', 'on', true);
    perform set_config('search_path', dq_sandbox_explain.search_path, true);
    open v_cursor for execute query;
    close v_cursor;
    raise exception using errcode = 'WDQ01', message = 'planned';
  exception when sqlstate 'WDQ01' then
    return;
  end;
end;
$$;
comment on function warden_private.dq_sandbox_explain(text, text) is
  'Plans a query as warden_dq_sandbox without running it (a cursor opened and closed, read-only): raises what a run would (several statements, unknown column, type mismatch, permission denied). Used when a rule is saved. Callable only by warden_owner.';

create or replace function warden_private.dq_sandbox_parse(query text, search_path text) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_view text := 'warden_dq_probe_' || replace(gen_random_uuid()::text, '-', '');
  v_oid oid;
  v_out jsonb;
begin
  -- A temporary view parses the query the way PostgreSQL would run it (a
  -- single SELECT: no other statement, no data-modifying WITH), records its
  -- query tree, and prints it back schema-qualified.
  perform set_config('search_path', dq_sandbox_parse.search_path, true);
  execute format('create temporary view %I as %s', v_view, query);
  perform set_config('search_path', 'pg_catalog, pg_temp', true);
  v_oid := format('pg_temp.%I', v_view)::regclass::oid;
  select jsonb_build_object('view', v_oid, 'definition', pg_get_viewdef(v_oid), 'tree', r.ev_action::text) into v_out
  from pg_rewrite r where r.ev_class = v_oid;
  execute format('drop view pg_temp.%I', v_view);
  return v_out;
end;
$$;
comment on function warden_private.dq_sandbox_parse(text, text) is
  'Parses a custom_sql query as warden_dq_sandbox (as a temporary view, dropped at once): its canonical schema-qualified text and its query tree, which warden_private.dq_check_custom_sql inspects. Callable only by warden_owner.';

do $$
begin
  -- Ownership moves to the sandbox role: for a moment it needs CREATE on
  -- the schema (PostgreSQL's rule for a new owner), then never again.
  grant create on schema warden_private to warden_dq_sandbox;
  alter function warden_private.dq_sandbox_eval(text) owner to warden_dq_sandbox;
  alter function warden_private.dq_sandbox_explain(text, text) owner to warden_dq_sandbox;
  alter function warden_private.dq_sandbox_parse(text, text) owner to warden_dq_sandbox;
  revoke create on schema warden_private from warden_dq_sandbox;
end;
$$;
revoke all on function warden_private.dq_sandbox_eval(text), warden_private.dq_sandbox_explain(text, text),
  warden_private.dq_sandbox_parse(text, text) from public;
grant execute on function warden_private.dq_sandbox_eval(text), warden_private.dq_sandbox_explain(text, text),
  warden_private.dq_sandbox_parse(text, text) to warden_owner;

--------------------------------------------------------------------------------
-- Validation: rules are checked against the catalog when saved, and
-- compiled into the SQL fragments a run assembles.
--------------------------------------------------------------------------------
create or replace function warden_private.dq_param_text(params jsonb, key text, required boolean default true) returns text
  language plpgsql immutable
  set search_path = pg_catalog
as $$
begin
  if params ? key then
    if jsonb_typeof(params -> key) not in ('string', 'number', 'boolean') then
      raise exception 'param % must be a string, number or boolean, got %', key, jsonb_typeof(params -> key) using errcode = '22023';
    end if;
    return params ->> key;
  end if;
  if required then
    raise exception 'param % is required', key using errcode = '22023';
  end if;
  return null;
end;
$$;
comment on function warden_private.dq_param_text(jsonb, text, boolean) is 'A scalar rule parameter as text; 22023 when it is missing (and required) or not a scalar.';

create or replace function warden_private.dq_param_int(params jsonb, key text, min_value bigint, max_value bigint) returns bigint
  language plpgsql immutable
  set search_path = pg_catalog
as $$
begin
  if not params ? key then
    return null;
  end if;
  if jsonb_typeof(params -> key) <> 'number' or (params ->> key) !~ '^[0-9]+$' or (params ->> key)::numeric not between min_value and max_value then
    raise exception 'param % must be a whole number from % to %, got %', key, min_value, max_value, params -> key using errcode = '22023';
  end if;
  return (params ->> key)::bigint;
end;
$$;
comment on function warden_private.dq_param_int(jsonb, text, bigint, bigint) is 'An optional whole-number rule parameter within bounds; 22023 otherwise.';

create or replace function warden_private.dq_param_bool(params jsonb, key text, default_value boolean) returns boolean
  language plpgsql immutable
  set search_path = pg_catalog
as $$
begin
  if not params ? key then
    return default_value;
  end if;
  if jsonb_typeof(params -> key) <> 'boolean' then
    raise exception 'param % must be true or false, got %', key, params -> key using errcode = '22023';
  end if;
  return (params ->> key)::boolean;
end;
$$;
comment on function warden_private.dq_param_bool(jsonb, text, boolean) is 'An optional boolean rule parameter; 22023 when it is not a boolean.';

create or replace function warden_private.dq_column(target regclass, column_name text,
  out attname text, out type_name text, out type_category text, out type_id oid)
  language plpgsql stable
  set search_path = pg_catalog
as $$
begin
  if column_name is null or column_name = '' then
    raise exception 'a column name is required' using errcode = '22023';
  end if;
  select a.attname::text, format_type(a.atttypid, null), t.typcategory::text, a.atttypid
    into attname, type_name, type_category, type_id
  from pg_attribute a join pg_type t on t.oid = a.atttypid
  where a.attrelid = target and a.attname = column_name and a.attnum > 0 and not a.attisdropped;
  if attname is null then
    raise exception 'column % does not exist in %', quote_ident(column_name), target using errcode = '42703';
  end if;
  -- Domains compare like their base type.
  if type_category is null then
    type_category := 'X';
  end if;
end;
$$;
comment on function warden_private.dq_column(regclass, text) is 'A column of the target: its name, type (without modifier) and type category; 42703 when it does not exist.';

create or replace function warden_private.dq_columns(target regclass, params jsonb, single_key text, list_key text) returns text[]
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_cols text[];
  v_col text;
begin
  if params ? list_key then
    if jsonb_typeof(params -> list_key) <> 'array' or jsonb_array_length(params -> list_key) not between 1 and 16
       or exists (select 1 from jsonb_array_elements(params -> list_key) e where jsonb_typeof(e) <> 'string') then
      raise exception 'param % must be an array of 1 to 16 column names', list_key using errcode = '22023';
    end if;
    v_cols := array(select jsonb_array_elements_text(params -> list_key));
  else
    v_cols := array[warden_private.dq_param_text(params, single_key)];
  end if;
  foreach v_col in array v_cols loop
    perform warden_private.dq_column(target, v_col);
  end loop;
  if (select count(distinct c) from unnest(v_cols) c) <> cardinality(v_cols) then
    raise exception 'param %: a column is named twice', list_key using errcode = '22023';
  end if;
  return v_cols;
end;
$$;
comment on function warden_private.dq_columns(regclass, jsonb, text, text) is 'The columns a rule names (params.<single_key> or params.<list_key>), each checked to exist.';

create or replace function warden_private.dq_cast_check(value text, type_name text, what text) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  execute format('select %L::%s', value, type_name);
exception when others then
  raise exception '%: % is not a valid % (%)', what, quote_literal(value), type_name, sqlerrm using errcode = '22023';
end;
$$;
comment on function warden_private.dq_cast_check(text, text, text) is 'Raises 22023 naming the parameter when value is not a valid literal of the type (type_name comes from the catalog).';

create or replace function warden_private.dq_keys_check(check_type text, params jsonb, allowed text[]) returns void
  language plpgsql immutable
  set search_path = pg_catalog
as $$
declare
  v_key text;
begin
  for v_key in select jsonb_object_keys(params) loop
    if not v_key = any (allowed) then
      raise exception 'unknown param % for check type %: expected %', quote_literal(v_key), check_type, array_to_string(allowed, ', ')
        using errcode = '22023';
    end if;
  end loop;
end;
$$;
comment on function warden_private.dq_keys_check(text, jsonb, text[]) is 'Raises 22023 for a parameter the check type does not know.';

create or replace function warden_private.dq_tenant_scope(target regclass, tenant_column text, tenant uuid, alias text) returns text
  language sql immutable
  set search_path = pg_catalog
as $$
  select case when tenant_column is null then 'true' else format('%I.%I = %L::uuid', alias, tenant_column, tenant) end
$$;
comment on function warden_private.dq_tenant_scope(regclass, text, uuid, text) is 'The predicate that keeps a check to its tenant''s rows (true when row-level security does it).';

create or replace function warden_private.dq_resolve_tenant_column(target regclass, wanted text, what text) returns text
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_col record;
begin
  if wanted is not null then
    select * into v_col from warden_private.dq_column(target, wanted);
    if v_col.type_id <> 'uuid'::regtype then
      raise exception '% % of % must be of type uuid, it is %', what, quote_ident(wanted), target, v_col.type_name using errcode = '42804';
    end if;
    return wanted;
  end if;
  if exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = 'tenant_id' and a.attnum > 0
             and not a.attisdropped and a.atttypid = 'uuid'::regtype) then
    return 'tenant_id';
  end if;
  return null;
end;
$$;
comment on function warden_private.dq_resolve_tenant_column(regclass, text, text) is 'The tenant column of a table: the one named (checked: a uuid), else tenant_id when it has one, else null.';

create or replace function warden_private.dq_resolve_target(name text, what text) returns regclass
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_parts text[];
  v_oid oid;
begin
  -- Through the catalogs: API roles need no access to the table's schema.
  begin
    v_parts := parse_ident(name);
  exception when others then
    v_parts := null;
  end;
  if cardinality(v_parts) is distinct from 2 then
    raise exception '% must be schema.table, got %', what, coalesce(quote_literal(name), 'null') using errcode = '22023';
  end if;
  select c.oid into v_oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = v_parts[1] and c.relname = v_parts[2];
  if v_oid is null then
    raise exception '%: table % does not exist', what, quote_literal(name) using errcode = '42P01';
  end if;
  return v_oid::regclass;
end;
$$;
comment on function warden_private.dq_resolve_target(text, text) is 'A table named schema.table, found through the catalogs (the caller needs no privilege on its schema); 22023 or 42P01 otherwise.';

create or replace function warden_private.dq_check_readable(target regclass, tenant_column text, api boolean, what text) returns text
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_rel record;
begin
  select c.relkind, c.relrowsecurity, n.nspname, c.relpersistence into v_rel
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_rel is null then
    raise exception '% does not exist', what using errcode = '42P01';
  end if;
  if v_rel.relkind not in ('r', 'p', 'v', 'm', 'f') then
    raise exception '% % is not a table or view', what, target using errcode = '42809';
  end if;
  if v_rel.nspname in ('warden_private', 'pg_catalog', 'information_schema', 'pg_toast', 'graphile_worker', 'graphile_migrate')
     or v_rel.relpersistence = 't' then
    raise exception '% %: Warden''s internals, system catalogs and temporary tables cannot be checked', what, target using errcode = '42501';
  end if;
  if not has_table_privilege('warden_dq_sandbox', target, 'select') then
    raise exception 'data-quality checks cannot read % (%)', target, what using errcode = '42501',
      hint = format('a DBA grants it: grant select on %s to warden_dq_sandbox', target);
  end if;
  if api and tenant_column is null and not (v_rel.relkind in ('r', 'p') and v_rel.relrowsecurity) then
    raise exception '% % has neither a tenant column nor row-level security: a tenant''s rule could read other tenants'' rows', what, target
      using errcode = '42501', hint = 'name the tenant column (tenant_column), enable row-level security on the table, or ask a DBA to add the rule';
  end if;
  return format('%I.%I', v_rel.nspname, (select c.relname from pg_class c where c.oid = target));
end;
$$;
comment on function warden_private.dq_check_readable(regclass, text, boolean, text) is
  'Checks that a rule may read a relation: a table or view outside Warden''s internals, readable by warden_dq_sandbox, and (for API callers) with its tenants kept apart by a tenant column or row-level security. Returns its schema.table name.';

create or replace function warden_private.dq_function_allowed(fn oid) returns boolean
  language sql stable
  set search_path = pg_catalog
as $$
  select coalesce((
    select p.pronamespace = 'pg_catalog'::regnamespace
       and not p.prosecdef
       and (p.provolatile <> 'v' or p.proname in ('random', 'random_normal', 'clock_timestamp', 'timeofday', 'gen_random_uuid'))
       and p.proname !~ '(_to_xml|xmlschema|^ts_stat$|^pg_read|^pg_ls_|^pg_stat_file$|^lo_|^pg_file|^dblink)'
    from pg_proc p where p.oid = fn), false)
$$;
comment on function warden_private.dq_function_allowed(oid) is
  'Whether custom_sql may call a function: built-in (pg_catalog), not SECURITY DEFINER, not volatile (except random, clock_timestamp, timeofday, gen_random_uuid), and none that runs SQL given as text or reads files (query_to_xml and its family, ts_stat, pg_read_file, lo_*, ...).';

create or replace function warden_private.dq_check_custom_sql(query text, target regclass, api boolean) returns text
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_query text := btrim(query);
  v_path text;
  v_parsed jsonb;
  v_tree text;
  v_oid oid;
  v_name text;
  v_rel record;
begin
  if v_query = '' or length(v_query) > 10000 then
    raise exception 'custom_sql: sql must be a query of 1 to 10,000 characters' using errcode = '22023';
  end if;
  v_query := regexp_replace(v_query, ';\s*$', '');
  begin
    -- One statement that returns rows, planned read-only before anything
    -- else sees the text.
    v_path := format('pg_catalog, %I, pg_temp', (select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target));
    perform warden_private.dq_sandbox_explain(v_query, v_path);
    v_parsed := warden_private.dq_sandbox_parse(v_query, v_path);
  exception when others then
    raise exception 'custom_sql: % (it must be one SELECT returning the failing rows)', sqlerrm
      using errcode = case when sqlstate ~ '^(42|0A|25|22)' then sqlstate else '22023' end;
  end;
  v_tree := v_parsed ->> 'tree';
  -- Every function the query calls (directly, as an aggregate or window
  -- function, behind an operator or in FROM).
  for v_oid in
    select distinct m[2]::oid from regexp_matches(v_tree, ':(funcid|aggfnoid|winfnoid|opfuncid|hashfuncid|negfuncid|tsmhandler|startInRangeFunc|endInRangeFunc) ([0-9]+)', 'g') m
    where m[2] <> '0'
    union
    select distinct o.oprcode::oid from pg_operator o
    where o.oid in (select m[2]::oid from regexp_matches(v_tree, ':(opno|sortop|eqop) ([0-9]+)', 'g') m
                    union select unnest(string_to_array(m[1], ' '))::oid from regexp_matches(v_tree, ':opnos \(o ([0-9 ]+)\)', 'g') m)
  loop
    if not warden_private.dq_function_allowed(v_oid) then
      raise exception 'custom_sql may not call %: only built-in functions without side effects are allowed', v_oid::regprocedure
        using errcode = '42501';
    end if;
  end loop;
  for v_oid in
    select distinct m[2]::oid from regexp_matches(v_tree, ':(opno|sortop|eqop) ([0-9]+)', 'g') m
  loop
    if (select o.oprnamespace from pg_operator o where o.oid = v_oid) <> 'pg_catalog'::regnamespace then
      raise exception 'custom_sql may not use operator %: only built-in operators are allowed', v_oid::regoperator using errcode = '42501';
    end if;
  end loop;
  -- Casts to domains run their constraints' functions; GREATEST/LEAST of
  -- a type from elsewhere runs its comparison function.
  for v_oid in select distinct m[1]::oid from regexp_matches(v_tree, ':resulttype ([0-9]+)', 'g') m loop
    if exists (select 1 from pg_type t where t.oid = v_oid and t.typtype = 'd' and t.typnamespace <> 'pg_catalog'::regnamespace) then
      raise exception 'custom_sql may not cast to the domain %', v_oid::regtype using errcode = '42501';
    end if;
  end loop;
  for v_oid in select distinct m[1]::oid from regexp_matches(v_tree, ':minmaxtype ([0-9]+)', 'g') m loop
    if exists (select 1 from pg_type t where t.oid = v_oid and t.typtype = 'b' and t.typnamespace <> 'pg_catalog'::regnamespace) then
      raise exception 'custom_sql may not compare values of type % with GREATEST or LEAST', v_oid::regtype using errcode = '42501';
    end if;
  end loop;
  -- Every relation it reads.
  for v_oid in
    select distinct m[1]::oid from regexp_matches(v_tree, ':relid ([0-9]+)', 'g') m where m[1]::oid <> (v_parsed ->> 'view')::oid
  loop
    select c.relkind, c.relrowsecurity, n.nspname into v_rel from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_oid;
    continue when v_rel.nspname in ('pg_catalog', 'information_schema');
    v_name := v_oid::regclass::text;
    perform warden_private.dq_check_readable(v_oid::regclass, null, false, 'custom_sql reads ' || v_name);
    if api and not (v_rel.relkind in ('r', 'p') and v_rel.relrowsecurity) then
      raise exception 'custom_sql reads %, which has no row-level security: a tenant''s query could read other tenants'' rows', v_name
        using errcode = '42501', hint = 'enable row-level security on it, or ask a DBA to add the rule';
    end if;
  end loop;
  return regexp_replace(btrim(v_parsed ->> 'definition'), ';$', '');
end;
$$;
comment on function warden_private.dq_check_custom_sql(text, regclass, boolean) is
  'Validates a custom_sql query and returns its canonical, schema-qualified text: PostgreSQL parses it as a temporary view (so it is one SELECT, no data-modifying WITH), and its query tree is inspected: only built-in side-effect-free functions and operators, no domain casts, only relations the sandbox may read (with row-level security for API callers).';

create or replace function warden_private.dq_key_expr(target regclass, alias text) returns text
  language sql stable
  set search_path = pg_catalog
as $$
  select coalesce(
    (select format('jsonb_build_object(%s)', string_agg(format('%L, %I.%I', c, alias, c), ', ' order by o))
     from unnest(warden_private.primary_key_columns(target)) with ordinality k(c, o)),
    'null::jsonb')
$$;
comment on function warden_private.dq_key_expr(regclass, text) is 'SQL building a row''s primary key as a JSON object (null::jsonb for views and tables without one).';

create or replace function warden_private.dq_compile(tenant uuid, target regclass, check_type text, params jsonb,
  tenant_column text, api boolean) returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_params jsonb := coalesce(params, '{}');
  v_tenant_column text;
  v_from text;
  v_scope text;
  v_key text;
  v_col record;
  v_cols text[];
  v_out jsonb;
  v_text text;
  v_lo text;
  v_hi text;
  v_ref regclass;
  v_ref_cols text[];
  v_ref_tenant text;
  v_ref_col record;
  v_values text;
  v_common text[] := array['max_failing'];
begin
  if tenant is null then
    raise exception 'a rule needs a tenant' using errcode = '22023';
  end if;
  if target is null then
    raise exception 'a rule needs a target table or view' using errcode = '22023';
  end if;
  if not exists (select 1 from pg_class c where c.oid = target) then
    raise exception 'table % does not exist', target::oid using errcode = '42P01';
  end if;
  if jsonb_typeof(v_params) <> 'object' then
    raise exception 'params must be a JSON object' using errcode = '22023';
  end if;
  if check_type is null or check_type not in ('not_null', 'unique', 'accepted_values', 'range', 'pattern', 'max_length',
                                               'referential', 'freshness', 'row_count', 'schema', 'custom_sql') then
    raise exception 'unknown check type %: expected not_null, unique, accepted_values, range, pattern, max_length, referential, freshness, row_count, schema or custom_sql',
      coalesce(quote_literal(check_type), 'null') using errcode = '22023';
  end if;
  v_tenant_column := warden_private.dq_resolve_tenant_column(target, tenant_column, 'tenant_column');
  v_from := warden_private.dq_check_readable(target, v_tenant_column, api, 'target');
  v_scope := warden_private.dq_tenant_scope(target, v_tenant_column, tenant, 't');
  v_key := warden_private.dq_key_expr(target, 't');
  v_out := jsonb_build_object('from', v_from, 'scope', v_scope, 'target_name', v_from, 'tenant_column', v_tenant_column,
    'max_failing', coalesce(warden_private.dq_param_int(v_params, 'max_failing', 0, 1000000000000), 0));

  case check_type
  when 'not_null', 'accepted_values', 'range', 'pattern', 'max_length' then
    select * into v_col from warden_private.dq_column(target, warden_private.dq_param_text(v_params, 'column'));
    v_out := v_out || jsonb_build_object('kind', 'scan', 'enforceable', true, 'columns', jsonb_build_array(v_col.attname),
      'sample', format('jsonb_build_object(%L, %s, %L, jsonb_build_object(%L, t.%I))', 'key', v_key, 'values', v_col.attname, v_col.attname));
    case check_type
    when 'not_null' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column']);
      v_out := v_out || jsonb_build_object('pred', format('t.%I is null', v_col.attname), 'describe', format('%s is null', v_col.attname));
    when 'accepted_values' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'values']);
      if jsonb_typeof(v_params -> 'values') is distinct from 'array' or jsonb_array_length(v_params -> 'values') not between 1 and 1000
         or exists (select 1 from jsonb_array_elements(v_params -> 'values') e where jsonb_typeof(e) not in ('string', 'number', 'boolean')) then
        raise exception 'param values must be an array of 1 to 1000 strings, numbers or booleans' using errcode = '22023';
      end if;
      v_values := array(select e from jsonb_array_elements_text(v_params -> 'values') e)::text;
      perform warden_private.dq_cast_check(v_values, v_col.type_name || '[]', 'param values');
      v_out := v_out || jsonb_build_object(
        'pred', format('t.%I is not null and not (t.%I = any (%L::%s[]))', v_col.attname, v_col.attname, v_values, v_col.type_name),
        'describe', format('%s is not one of the accepted values', v_col.attname));
    when 'range' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'min', 'max', 'min_inclusive', 'max_inclusive']);
      v_lo := warden_private.dq_param_text(v_params, 'min', false);
      v_hi := warden_private.dq_param_text(v_params, 'max', false);
      if v_lo is null and v_hi is null then
        raise exception 'a range check needs min, max or both' using errcode = '22023';
      end if;
      if v_lo is not null then perform warden_private.dq_cast_check(v_lo, v_col.type_name, 'param min'); end if;
      if v_hi is not null then perform warden_private.dq_cast_check(v_hi, v_col.type_name, 'param max'); end if;
      v_text := concat_ws(' and ',
        case when v_lo is not null then format('t.%I %s %L::%s', v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'min_inclusive', true) then '>=' else '>' end, v_lo, v_col.type_name) end,
        case when v_hi is not null then format('t.%I %s %L::%s', v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'max_inclusive', true) then '<=' else '<' end, v_hi, v_col.type_name) end);
      v_out := v_out || jsonb_build_object('pred', format('t.%I is not null and not (%s)', v_col.attname, v_text),
        'describe', format('%s is outside %s%s, %s%s', v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'min_inclusive', true) then '[' else '(' end, coalesce(v_lo, '-inf'),
          coalesce(v_hi, 'inf'), case when warden_private.dq_param_bool(v_params, 'max_inclusive', true) then ']' else ')' end));
    when 'pattern' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'regex', 'case_insensitive']);
      v_text := warden_private.dq_param_text(v_params, 'regex');
      if length(v_text) > 1000 then
        raise exception 'param regex must be at most 1000 characters' using errcode = '22023';
      end if;
      begin
        perform '' ~ v_text;
      exception when invalid_regular_expression then
        raise exception 'param regex is not a valid regular expression: %', sqlerrm using errcode = '2201B';
      end;
      v_out := v_out || jsonb_build_object('pred', format('t.%I is not null and (t.%I)::text %s %L', v_col.attname, v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'case_insensitive', false) then '!~*' else '!~' end, v_text),
        'describe', format('%s does not match %s', v_col.attname, v_text));
    when 'max_length' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'max']);
      if v_col.type_category <> 'S' then
        raise exception 'max_length applies to text columns; % is %', quote_ident(v_col.attname), v_col.type_name using errcode = '42804';
      end if;
      if warden_private.dq_param_int(v_params, 'max', 0, 1000000000) is null then
        raise exception 'param max is required' using errcode = '22023';
      end if;
      v_out := v_out || jsonb_build_object(
        'pred', format('t.%I is not null and char_length(t.%I) > %s', v_col.attname, v_col.attname, (v_params ->> 'max')::bigint),
        'describe', format('%s is longer than %s characters', v_col.attname, (v_params ->> 'max')::bigint));
    end case;

  when 'freshness' then
    perform warden_private.dq_keys_check(check_type, v_params, array['column', 'max_age']);
    select * into v_col from warden_private.dq_column(target, warden_private.dq_param_text(v_params, 'column'));
    if v_col.type_id not in ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) then
      raise exception 'freshness needs a timestamp or date column; % is %', quote_ident(v_col.attname), v_col.type_name using errcode = '42804';
    end if;
    v_text := warden_private.dq_param_text(v_params, 'max_age');
    perform warden_private.dq_cast_check(v_text, 'interval', 'param max_age');
    if v_text::interval <= interval '0' then
      raise exception 'param max_age must be a positive interval, got %', quote_literal(v_text) using errcode = '22023';
    end if;
    v_out := v_out || jsonb_build_object('kind', 'scan', 'enforceable', false, 'columns', jsonb_build_array(v_col.attname),
      'agg', format('max(t.%I)::timestamptz', v_col.attname), 'max_age', v_text::interval::text);

  when 'row_count' then
    perform warden_private.dq_keys_check(check_type, v_params, array['min', 'max', 'max_change_pct']);
    if not (v_params ?| array['min', 'max', 'max_change_pct']) then
      raise exception 'a row_count check needs min, max or max_change_pct' using errcode = '22023';
    end if;
    perform warden_private.dq_param_int(v_params, 'min', 0, 9223372036854775807);
    perform warden_private.dq_param_int(v_params, 'max', 0, 9223372036854775807);
    if v_params ? 'max_change_pct' and (jsonb_typeof(v_params -> 'max_change_pct') <> 'number' or (v_params ->> 'max_change_pct')::numeric <= 0) then
      raise exception 'param max_change_pct must be a positive number, got %', v_params -> 'max_change_pct' using errcode = '22023';
    end if;
    v_out := v_out || jsonb_build_object('kind', 'scan', 'enforceable', false, 'columns', '[]'::jsonb,
      'min', v_params -> 'min', 'max', v_params -> 'max', 'max_change_pct', v_params -> 'max_change_pct');

  when 'unique' then
    perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'columns']);
    v_cols := warden_private.dq_columns(target, v_params, 'column', 'columns');
    v_out := v_out || jsonb_build_object('kind', 'unique', 'columns', to_jsonb(v_cols), 'describe',
      format('%s is not unique', array_to_string(v_cols, ', ')),
      'sql', format($q$select jsonb_build_array(coalesce(sum(g.n), 0), coalesce(sum(g.n) filter (where g.n > 1 and %2$s), 0),
  (warden.dq_failing(case when g.n > 1 and %2$s then jsonb_build_object('key', jsonb_build_object(%3$s), 'rows', g.n) end)) -> 1)
from (select %1$s, count(*) as n from %4$s t where %5$s group by %1$s) g$q$,
        (select string_agg(format('t.%I', c), ', ') from unnest(v_cols) c),
        (select string_agg(format('g.%I is not null', c), ' and ') from unnest(v_cols) c),
        (select string_agg(format('%L, g.%I', c, c), ', ') from unnest(v_cols) c),
        v_from, v_scope));

  when 'referential' then
    perform warden_private.dq_keys_check(check_type, v_params,
      v_common || array['column', 'columns', 'references', 'to_column', 'to_columns', 'references_tenant_column']);
    v_cols := warden_private.dq_columns(target, v_params, 'column', 'columns');
    v_ref := warden_private.dq_resolve_target(warden_private.dq_param_text(v_params, 'references'), 'param references');
    if v_params ? 'to_column' or v_params ? 'to_columns' then
      v_ref_cols := warden_private.dq_columns(v_ref, v_params, 'to_column', 'to_columns');
    else
      v_ref_cols := v_cols;
      foreach v_text in array v_cols loop
        perform warden_private.dq_column(v_ref, v_text);
      end loop;
    end if;
    if cardinality(v_ref_cols) <> cardinality(v_cols) then
      raise exception 'the referencing and referenced columns must be as many (% and %)', cardinality(v_cols), cardinality(v_ref_cols)
        using errcode = '22023';
    end if;
    v_ref_tenant := warden_private.dq_resolve_tenant_column(v_ref, warden_private.dq_param_text(v_params, 'references_tenant_column', false),
      'references_tenant_column');
    perform warden_private.dq_check_readable(v_ref, v_ref_tenant, api, 'referenced table');
    v_out := v_out || jsonb_build_object('kind', 'referential', 'columns', to_jsonb(v_cols), 'references', v_ref::text,
      'describe', format('%s has no match in %s', array_to_string(v_cols, ', '), v_ref::text),
      'sql', format($q$select jsonb_build_array(count(*)) || warden.dq_failing(case when r.k1 is null then
  jsonb_build_object('key', %1$s, 'values', jsonb_build_object(%2$s)) end)
from %3$s t left join (select distinct %4$s from %5$s x where %6$s) r on %7$s
where %8$s and %9$s$q$,
        v_key,
        (select string_agg(format('%L, t.%I', c, c), ', ') from unnest(v_cols) c),
        v_from,
        (select string_agg(format('x.%I as k%s', c, o), ', ') from unnest(v_ref_cols) with ordinality u(c, o)),
        v_ref::text,
        warden_private.dq_tenant_scope(v_ref, v_ref_tenant, tenant, 'x'),
        (select string_agg(format('t.%I = r.k%s', c, o), ' and ') from unnest(v_cols) with ordinality u(c, o)),
        v_scope,
        (select string_agg(format('t.%I is not null', c), ' and ') from unnest(v_cols) c)));

  when 'schema' then
    perform warden_private.dq_keys_check(check_type, v_params, array['columns', 'exact']);
    if jsonb_typeof(v_params -> 'columns') is distinct from 'array' or jsonb_array_length(v_params -> 'columns') not between 1 and 1600 then
      raise exception 'param columns must be an array of {"name": ..., "type": ...}' using errcode = '22023';
    end if;
    perform warden_private.dq_param_bool(v_params, 'exact', false);
    v_out := v_out || jsonb_build_object('kind', 'schema', 'exact', warden_private.dq_param_bool(v_params, 'exact', false), 'expected', (
      select jsonb_agg(jsonb_build_object('name', e ->> 'name', 'type', case when e ? 'type' then format_type(t.t, null) end) order by o)
      from jsonb_array_elements(v_params -> 'columns') with ordinality x(e, o)
      cross join lateral (select case
        when jsonb_typeof(e) <> 'object' or jsonb_typeof(e -> 'name') is distinct from 'string'
             or (e ? 'type' and jsonb_typeof(e -> 'type') <> 'string')
             or exists (select 1 from jsonb_object_keys(e) k where k not in ('name', 'type'))
          then warden_private.dq_raise('22023', format('param columns[%s] must be {"name": "...", "type": "..."}', o - 1))::regtype
        when e ? 'type' then coalesce(to_regtype(e ->> 'type'),
          warden_private.dq_raise('42704', format('param columns[%s]: type %s does not exist', o - 1, quote_literal(e ->> 'type')))::regtype)
        end as t) t));

  when 'custom_sql' then
    perform warden_private.dq_keys_check(check_type, v_params, v_common || array['sql']);
    v_text := warden_private.dq_check_custom_sql(warden_private.dq_param_text(v_params, 'sql'), target, api);
    v_out := v_out || jsonb_build_object('kind', 'custom', 'describe', 'custom query returned failing rows',
      'sql', format('select jsonb_build_array(null::bigint) || warden.dq_failing(to_jsonb(q)) from (%s) q', v_text));
  end case;

  -- Plan what a run will execute, as the sandbox: every name, type and
  -- privilege is checked now, not at run time.
  if v_out ->> 'kind' = 'scan' then
    perform warden_private.dq_sandbox_explain(warden_private.dq_scan_sql(v_out ->> 'from', v_out ->> 'scope', array[v_out]));
  elsif v_out ? 'sql' then
    perform warden_private.dq_sandbox_explain(v_out ->> 'sql');
  end if;
  return v_out;
end;
$$;
comment on function warden_private.dq_compile(uuid, regclass, text, jsonb, text, boolean) is
  'Validates a rule against the catalog (SQLSTATE naming the problem: 22023 bad parameter or check type, 42703 unknown column, 42804 wrong column type, 42P01 unknown table, 42501 not readable or unsafe) and compiles it: the SQL fragments a run assembles, generated with format() from catalog names and literals only.';

create or replace function warden_private.dq_raise(sqlstate text, message text) returns text
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  raise exception '%', message using errcode = sqlstate;
end;
$$;
comment on function warden_private.dq_raise(text, text) is 'Raises an error with the SQLSTATE (for use inside expressions).';

create or replace function warden_private.dq_scan_sql(from_sql text, scope text, rules jsonb[]) returns text
  language sql immutable
  set search_path = pg_catalog
as $$
  -- One SELECT over the table: count(*), then per rule its failing count and
  -- sample (warden.dq_failing), or its aggregate (freshness), or nothing
  -- (row_count).
  select format('select jsonb_build_array(count(*)%s) from %s t where %s',
    coalesce(string_agg(', ' || case
      when r ? 'pred' then format('(jsonb_build_array(null::bigint) || warden.dq_failing(case when %s then %s end))', r ->> 'pred', r ->> 'sample')
      when r ? 'agg' then format('jsonb_build_array(to_jsonb(%s))', r ->> 'agg')
      else 'jsonb_build_array()' end, '' order by o), ''),
    from_sql, scope)
  from unnest(rules) with ordinality u(r, o)
$$;
comment on function warden_private.dq_scan_sql(text, text, jsonb[]) is 'The one-scan query of a table''s column rules (compiled rules sharing from and scope; at most 50).';

create or replace function warden_private.dq_check_schedule(schedule text) returns text
  language plpgsql immutable
  set search_path = pg_catalog
as $$
declare
  v_fields text[];
  v_item text;
  v_parts text[];
  v_names text[];
  v_lo integer[] := array[0, 0, 1, 1, 0];
  v_hi integer[] := array[59, 23, 31, 12, 7];
  v_what text[] := array['minute', 'hour', 'day of month', 'month', 'day of week'];
  v_months text[] := array['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  v_days text[] := array['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  v_bound text;
  v_n integer;
begin
  if schedule is null then
    return null;
  end if;
  v_fields := regexp_split_to_array(btrim(lower(schedule)), '\s+');
  if cardinality(v_fields) <> 5 then
    raise exception 'schedule % must be a cron expression of 5 fields (minute hour day-of-month month day-of-week, UTC), e.g. "*/15 * * * *"',
      quote_literal(schedule) using errcode = '22023';
  end if;
  for i in 1 .. 5 loop
    foreach v_item in array string_to_array(v_fields[i], ',') loop
      v_parts := regexp_match(v_item, '^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/([0-9]+))?$');
      if v_parts is null or (v_parts[2] is not null and (v_parts[2]::integer = 0 or length(v_parts[2]) > 3)) then
        raise exception 'schedule %: % field % is not *, a value, a range or a step (*/n, a-b/n)', quote_literal(schedule), v_what[i],
          quote_literal(v_item) using errcode = '22023';
      end if;
      continue when v_parts[1] = '*';
      v_names := case i when 4 then v_months when 5 then v_days end;
      foreach v_bound in array string_to_array(v_parts[1], '-') loop
        if v_bound ~ '^[0-9]{1,2}$' then
          v_n := v_bound::integer;
        elsif v_names is not null and v_bound = any (v_names) then
          v_n := array_position(v_names, v_bound) - case when i = 5 then 1 else 0 end;
        else
          v_n := null;
        end if;
        if v_n is null or v_n not between v_lo[i] and v_hi[i] then
          raise exception 'schedule %: % % is out of range (% to %)', quote_literal(schedule), v_what[i], quote_literal(v_bound), v_lo[i], v_hi[i]
            using errcode = '22023';
        end if;
      end loop;
    end loop;
  end loop;
  return array_to_string(v_fields, ' ');
end;
$$;
comment on function warden_private.dq_check_schedule(text) is
  'Validates a cron schedule (5 fields: minute hour day-of-month month day-of-week, UTC; *, values, ranges, lists, steps, month and day names) and returns it normalised; 22023 naming the bad field. The worker evaluates it with cron-parser.';

create or replace function warden_private.tg_dq_rules_validate() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_api boolean := coalesce(current_setting('role', true), 'none') = 'warden_visitor';
  v_compiled jsonb;
  v_actor text := warden.current_actor() ->> 'id';
begin
  if tg_op = 'UPDATE' then
    if new.tenant_id is distinct from old.tenant_id or new.target is distinct from old.target or new.check_type is distinct from old.check_type
       or new.tenant_column is distinct from old.tenant_column then
      raise exception 'the tenant, target, check type and tenant column of a rule cannot change: drop it and add a new one'
        using errcode = '22023';
    end if;
    if new.params is not distinct from old.params and new.name is not distinct from old.name
       and new.compiled <> '{}'::jsonb and old.compiled = new.compiled then
      -- Only severity, enabled, schedule, timeout or description changed: nothing to recompile.
      new.schedule := warden_private.dq_check_schedule(new.schedule);
      new.updated_at := now();
      new.updated_by := v_actor;
      return new;
    end if;
  else
    if new.tenant_id is null then
      raise exception 'a rule needs a tenant: call it with a request context, or pass the tenant' using errcode = '22023';
    end if;
    if new.target is null then
      new.target := warden_private.dq_resolve_target(nullif(new.target_name, ''), 'target_name');
    end if;
    if (select count(*) from warden.dq_rules r where r.tenant_id = new.tenant_id) >= 1000 then
      raise exception 'a tenant has at most 1000 data-quality rules' using errcode = '54000';
    end if;
    new.created_at := now();
    new.created_by := v_actor;
  end if;
  v_compiled := warden_private.dq_compile(new.tenant_id, new.target, new.check_type, new.params, new.tenant_column, v_api);
  new.target_name := v_compiled ->> 'target_name';
  new.tenant_column := v_compiled ->> 'tenant_column';
  new.compiled := v_compiled;
  new.schedule := warden_private.dq_check_schedule(new.schedule);
  new.updated_at := now();
  new.updated_by := v_actor;
  return new;
end;
$$;
comment on function warden_private.tg_dq_rules_validate() is
  'Trigger (BEFORE INSERT OR UPDATE on warden.dq_rules): validates and compiles every rule however it is written (GraphQL, warden.dq_add_rule, SQL), and records who changed it.';

create trigger _100_validate before insert or update on warden.dq_rules
  for each row execute function warden_private.tg_dq_rules_validate();

create or replace function warden_private.dq_rule_public(r warden.dq_rules) returns jsonb
  language sql stable
  set search_path = pg_catalog
as $$
  select jsonb_strip_nulls(jsonb_build_object('id', r.id, 'target', r.target_name, 'name', r.name, 'check_type', r.check_type,
    'params', r.params, 'severity', r.severity, 'enabled', r.enabled, 'schedule', r.schedule, 'timeout_ms', r.timeout_ms,
    'tenant_column', r.tenant_column))
$$;
comment on function warden_private.dq_rule_public(warden.dq_rules) is 'A rule as its governance events show it (no compiled SQL).';

create or replace function warden_private.tg_dq_rules_audit() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.dq.rule_added', new.tenant_id, 'dq_rule', new.id::text,
      null, warden_private.dq_rule_public(new));
  elsif tg_op = 'DELETE' then
    perform warden_private.record_governance_event('governance.dq.rule_dropped', old.tenant_id, 'dq_rule', old.id::text,
      warden_private.dq_rule_public(old), null);
  elsif warden_private.dq_rule_public(old) is distinct from warden_private.dq_rule_public(new) then
    perform warden_private.record_governance_event('governance.dq.rule_changed', new.tenant_id, 'dq_rule', new.id::text,
      warden_private.dq_rule_public(old), warden_private.dq_rule_public(new));
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_dq_rules_audit() is
  'Trigger (AFTER each row of warden.dq_rules): governance.dq.rule_added, governance.dq.rule_dropped or governance.dq.rule_changed, with the rule before and after, in the transaction of the change.';

create trigger _900_audit after insert or update or delete on warden.dq_rules
  for each row execute function warden_private.tg_dq_rules_audit();

--------------------------------------------------------------------------------
-- Runs. A run is planned (dq_start_run: one check per table's column rules,
-- one per other rule), each check is executed on its own (dq_execute_check:
-- read-only, as the sandbox, with the tenant's context), and the outcomes
-- are recorded with their audit events in the same transaction
-- (dq_finish_run). Warden's runners (CLI, worker) give each check its own
-- statement with the rule's statement_timeout; warden.dq_run does all of it
-- in one statement.
--------------------------------------------------------------------------------
create or replace function warden_private.dq_create_run(tenant uuid, target regclass, rule_ids uuid[], trigger text, requested_by text)
  returns uuid
  language sql volatile
  set search_path = pg_catalog
as $$
  insert into warden.dq_runs (tenant_id, target, rule_ids, trigger, requested_by)
  values (tenant, target, rule_ids, trigger, coalesce(requested_by, warden.current_actor() ->> 'id'))
  returning id
$$;
comment on function warden_private.dq_create_run(uuid, regclass, uuid[], text, text) is
  'Queues a run: the rules of the tenant (null: every tenant), on target (null: every table), or exactly rule_ids (null: every enabled rule).';

create or replace function warden_private.dq_enqueue_run(run_id uuid) returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  -- One queue: data-quality runs execute one at a time and never take every
  -- worker slot from sealing and the other jobs.
  perform graphile_worker.add_job('dq_run', payload => json_build_object('run_id', run_id), queue_name => 'warden_dq',
    job_key => 'dq_run:' || run_id);
end;
$$;
comment on function warden_private.dq_enqueue_run(uuid) is 'Enqueues the dq_run job of a queued run on the worker queue warden_dq (one run at a time).';
revoke all on function warden_private.dq_enqueue_run(uuid) from public;

create or replace function warden_private.dq_start_run(run_id uuid) returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_run warden.dq_runs;
  v_checks jsonb;
begin
  update warden.dq_runs r set status = 'running', started_at = now()
  where r.id = dq_start_run.run_id and r.status = 'queued'
  returning * into v_run;
  if v_run.id is null then
    raise exception 'data-quality run % is not queued', run_id using errcode = '55000';
  end if;
  -- Column rules of one tenant on one table share one scan (at most 50 per
  -- scan); every other rule is a check of its own.
  with rules as (
    select r.id, r.tenant_id, r.target, r.target_name, r.timeout_ms, r.compiled ->> 'kind' as kind, r.compiled ->> 'scope' as scope
    from warden.dq_rules r
    where (v_run.tenant_id is null or r.tenant_id = v_run.tenant_id)
      and (v_run.target is null or r.target = v_run.target)
      and (case when v_run.rule_ids is null then r.enabled else r.id = any (v_run.rule_ids) end)
  ), grouped as (
    select r.tenant_id, r.target, r.target_name, r.kind,
           case when r.kind = 'scan' then (row_number() over (partition by r.tenant_id, r.target, r.scope, r.kind order by r.id) - 1) / 50
                else row_number() over (order by r.id) end as part,
           r.scope, r.id, r.timeout_ms
    from rules r
  )
  select coalesce(jsonb_agg(jsonb_build_object('no', c.no, 'tenant_id', c.tenant_id, 'target', c.target::oid, 'target_name', c.target_name,
           'kind', c.kind, 'rule_ids', c.rule_ids, 'timeout_ms', c.timeout_ms) order by c.no), '[]')
    into v_checks
  from (
    select row_number() over (order by g.target_name, g.kind, min(g.id::text)) as no, g.tenant_id, g.target, g.target_name, g.kind,
           jsonb_agg(g.id order by g.id) as rule_ids, max(g.timeout_ms) as timeout_ms
    from grouped g
    group by g.tenant_id, g.target, g.target_name, g.kind, g.scope, g.part
  ) c;
  return v_checks;
end;
$$;
comment on function warden_private.dq_start_run(uuid) is
  'Starts a queued run and returns its checks: [{no, tenant_id, target, target_name, kind, rule_ids, timeout_ms}], one per table and tenant for column rules (one scan), one per other rule.';

create or replace function warden_private.dq_redact_sample(tenant uuid, target_name text, sample jsonb) returns jsonb
  language sql stable
  set search_path = pg_catalog
as $$
  -- The tenant's redaction rules for the target's columns (docs/privacy.md),
  -- applied to each sampled row's key and values.
  select case when p.policy is null or sample is null then coalesce(sample, '[]') else coalesce((
    select jsonb_agg(case
      when jsonb_typeof(s) = 'object' and s ? 'values' then
        s || jsonb_build_object('key', warden_private.redact_columns(p.policy, target_name, s -> 'key'),
                                'values', warden_private.redact_columns(p.policy, target_name, s -> 'values'))
      when jsonb_typeof(s) = 'object' and s ? 'rows' then
        s || jsonb_build_object('key', warden_private.redact_columns(p.policy, target_name, s -> 'key'))
      when jsonb_typeof(s) = 'object' then warden_private.redact_columns(p.policy, target_name, s)
      else s end order by o)
    from jsonb_array_elements(sample) with ordinality x(s, o)), '[]') end
  from (select (select warden_private.policy_with_key(rp.tenant_id, rp.compiled) from warden.redaction_policies rp
                where rp.tenant_id = tenant) as policy) p
$$;
comment on function warden_private.dq_redact_sample(uuid, text, jsonb) is
  'A failing-row sample with the tenant''s redaction rules (values rules of the target table) applied to keys and values.';

create or replace function warden_private.dq_judge(rule warden.dq_rules, raw jsonb, rows_total bigint) returns jsonb
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  c jsonb := rule.compiled;
  v_failing bigint;
  v_checked bigint;
  v_status text;
  v_message text;
  v_observed jsonb;
  v_newest timestamptz;
  v_prev bigint;
  v_change numeric;
  v_problems text[] := '{}';
  v_actual jsonb;
begin
  case
  when c ? 'pred' or c ->> 'kind' in ('unique', 'referential', 'custom') then
    v_checked := coalesce((raw ->> 0)::bigint, rows_total);
    v_failing := (raw ->> 1)::bigint;
    v_status := case when v_failing > (c ->> 'max_failing')::bigint then 'fail' else 'pass' end;
    v_observed := jsonb_build_object('failing_ratio', case when v_checked > 0 then round(v_failing::numeric / v_checked, 6) end);
    v_message := case when v_failing = 0 then null
      when v_checked is null then format('%s row(s): %s', v_failing, c ->> 'describe')
      else format('%s of %s row(s): %s', v_failing, v_checked, c ->> 'describe') end;
    if v_status = 'pass' and v_failing > 0 then
      v_message := v_message || format(' (tolerated: at most %s)', c ->> 'max_failing');
    end if;
    return jsonb_build_object('status', v_status, 'message', v_message, 'rows_checked', v_checked, 'rows_failing', v_failing,
      'observed_value', v_observed, 'sample', coalesce(raw -> 2, '[]'));
  when c ? 'agg' then
    v_newest := (raw ->> 0)::timestamptz;
    v_status := case when v_newest is null or v_newest < now() - (c ->> 'max_age')::interval then 'fail' else 'pass' end;
    return jsonb_build_object('status', v_status, 'rows_checked', rows_total, 'rows_failing', null,
      'observed_value', jsonb_build_object('newest', v_newest, 'age', (now() - v_newest)::text, 'max_age', c ->> 'max_age'),
      'message', case when v_newest is null then format('no rows: nothing newer than %s', c ->> 'max_age')
                      when v_status = 'fail' then format('newest %s is %s old (allowed %s)', c #>> '{columns,0}',
                                                          date_trunc('second', now() - v_newest), c ->> 'max_age') end);
  when rule.check_type = 'row_count' then
    select (r.observed_value ->> 'rows')::bigint into v_prev
    from warden.dq_results r
    where r.rule_id = rule.id and r.status in ('pass', 'fail') and r.observed_value ? 'rows'
    order by r.run_at desc limit 1;
    if c ? 'min' and rows_total < (c ->> 'min')::bigint then
      v_problems := v_problems || format('%s row(s), fewer than the minimum %s', rows_total, c ->> 'min');
    end if;
    if c ? 'max' and rows_total > (c ->> 'max')::bigint then
      v_problems := v_problems || format('%s row(s), more than the maximum %s', rows_total, c ->> 'max');
    end if;
    if v_prev is not null then
      v_change := case when v_prev = 0 then case when rows_total = 0 then 0 end else round((rows_total - v_prev) * 100.0 / v_prev, 3) end;
      if c ? 'max_change_pct' and (v_change is null or abs(v_change) > (c ->> 'max_change_pct')::numeric) then
        v_problems := v_problems || format('%s row(s) against %s last run (%s%%, allowed ±%s%%)', rows_total, v_prev,
          coalesce(v_change::text, 'from 0'), c ->> 'max_change_pct');
      end if;
    end if;
    return jsonb_build_object('status', case when cardinality(v_problems) > 0 then 'fail' else 'pass' end,
      'rows_checked', rows_total, 'rows_failing', null,
      'observed_value', jsonb_strip_nulls(jsonb_build_object('rows', rows_total, 'previous', v_prev, 'change_pct', v_change)),
      'message', nullif(array_to_string(v_problems, '; '), ''));
  when c ->> 'kind' = 'schema' then
    v_actual := raw;
    select coalesce(array_agg(p order by p), '{}') into v_problems from (
      select format('missing column %s', e ->> 'name') as p
      from jsonb_array_elements(c -> 'expected') e where not v_actual ? (e ->> 'name')
      union all
      select format('column %s is %s, expected %s', e ->> 'name', v_actual ->> (e ->> 'name'), e ->> 'type')
      from jsonb_array_elements(c -> 'expected') e
      where e ->> 'type' is not null and v_actual ? (e ->> 'name') and v_actual ->> (e ->> 'name') <> e ->> 'type'
      union all
      select format('unexpected column %s', k)
      from jsonb_object_keys(v_actual) k
      where (c ->> 'exact')::boolean and not exists (select 1 from jsonb_array_elements(c -> 'expected') e where e ->> 'name' = k)
    ) x;
    return jsonb_build_object('status', case when cardinality(v_problems) > 0 then 'fail' else 'pass' end,
      'rows_checked', null, 'rows_failing', null, 'observed_value', jsonb_build_object('columns', v_actual),
      'message', nullif(array_to_string(v_problems, '; '), ''));
  end case;
end;
$$;
comment on function warden_private.dq_judge(warden.dq_rules, jsonb, bigint) is
  'Turns what a check measured for one rule into its result: status (pass or fail), message, rows checked and failing, observed value, raw sample.';

create or replace function warden_private.dq_execute_check(run_id uuid, "check" jsonb) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_names text[] := array['jwt.claims.tenant_id', 'jwt.claims.actor_id', 'jwt.claims.actor_type', 'jwt.claims.tenant_role',
                          'warden.trace_id', 'warden.context_extra'];
  v_saved text[] := array(select coalesce(current_setting(n, true), '') from unnest(v_names) n);
  v_out jsonb;
  v_started timestamptz := clock_timestamp();
  v_tenant uuid := ("check" ->> 'tenant_id')::uuid;
  v_target oid := ("check" ->> 'target')::oid;
  v_rules warden.dq_rules[];
  v_rule warden.dq_rules;
  v_raw jsonb;
  v_total bigint;
  v_results jsonb := '[]';
  v_judged jsonb;
  v_name text;
  i integer := 0;
begin
  -- The tenant's context, as warden.set_context would set it (the caller's
  -- is restored on return): the target's row-level security sees this
  -- tenant only, Warden itself (system) is the actor.
  perform set_config(v_names[1], v_tenant::text, true), set_config(v_names[2], 'system', true), set_config(v_names[3], 'system', true),
          set_config(v_names[4], '', true), set_config(v_names[5], 'dq-run-' || run_id, true), set_config(v_names[6], '{}', true);
  select array_agg(r order by array_position(array(select jsonb_array_elements_text("check" -> 'rule_ids'))::uuid[], r.id)) into v_rules
  from warden.dq_rules r
  where r.id in (select jsonb_array_elements_text("check" -> 'rule_ids')::uuid) and r.tenant_id = v_tenant and r.target = v_target;
  if cardinality(v_rules) is distinct from jsonb_array_length("check" -> 'rule_ids') then
    raise exception 'rules of check % changed during the run', "check" ->> 'no' using errcode = '40001';
  end if;
  select format('%I.%I', n.nspname, c.relname) into v_name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_target;
  if v_name is distinct from "check" ->> 'target_name' then
    raise exception 'the target % of these rules no longer exists (table %: %)', "check" ->> 'target_name', v_target, coalesce(v_name, 'dropped')
      using errcode = '42P01';
  end if;
  begin
    case "check" ->> 'kind'
    when 'scan' then
      v_raw := warden_private.dq_sandbox_eval(warden_private.dq_scan_sql(v_rules[1].compiled ->> 'from', v_rules[1].compiled ->> 'scope',
        array(select r.compiled from unnest(v_rules) r)));
    when 'schema' then
      select coalesce(jsonb_object_agg(a.attname, format_type(a.atttypid, null)), '{}') into v_raw
      from pg_attribute a where a.attrelid = v_target and a.attnum > 0 and not a.attisdropped;
    else
      v_raw := warden_private.dq_sandbox_eval(v_rules[1].compiled ->> 'sql');
    end case;
  exception when others then
    -- A statement timeout (query_canceled) is not caught here: it ends the
    -- statement, and the runner records the check as timed out.
    v_out := jsonb_build_object('check', "check", 'error', sqlerrm, 'sqlstate', sqlstate,
      'duration_ms', round(extract(epoch from clock_timestamp() - v_started) * 1000, 3));
  end;
  if v_out is not null then
    perform set_config(v_names[g.k], v_saved[g.k], true) from generate_subscripts(v_names, 1) g(k);
    return v_out;
  end if;
  v_total := case when "check" ->> 'kind' = 'scan' then (v_raw ->> 0)::bigint end;
  foreach v_rule in array v_rules loop
    i := i + 1;
    v_judged := warden_private.dq_judge(v_rule, case "check" ->> 'kind' when 'scan' then v_raw -> i else v_raw end, v_total);
    v_results := v_results || jsonb_build_array(jsonb_build_object('rule_id', v_rule.id)
      || v_judged || jsonb_build_object('sample', warden_private.dq_redact_sample(v_tenant, v_rule.target_name, v_judged -> 'sample')));
  end loop;
  perform set_config(v_names[g.k], v_saved[g.k], true) from generate_subscripts(v_names, 1) g(k);
  return jsonb_build_object('check', "check", 'results', v_results,
    'duration_ms', round(extract(epoch from clock_timestamp() - v_started) * 1000, 3));
end;
$$;
comment on function warden_private.dq_execute_check(uuid, jsonb) is
  'Executes one check of a run, read-only, in the tenant''s context, as warden_dq_sandbox (the query itself) and returns {check, results: [{rule_id, status, message, rows_checked, rows_failing, observed_value, sample (redacted)}], duration_ms}, or {check, error, sqlstate} when it could not run.';

create or replace function warden_private.dq_record_result(run warden.dq_runs, rule warden.dq_rules, result jsonb, duration_ms numeric)
  returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
  v_status text := result ->> 'status';
begin
  insert into warden.dq_results (run_at, run_id, rule_id, tenant_id, target_name, rule_name, check_type, severity, status, message,
    rows_checked, rows_failing, observed_value, duration_ms, sample)
  values (coalesce(run.started_at, now()), run.id, rule.id, rule.tenant_id, rule.target_name, rule.name, rule.check_type, rule.severity,
    v_status, left(result ->> 'message', 2000), (result ->> 'rows_checked')::bigint, (result ->> 'rows_failing')::bigint,
    result -> 'observed_value', duration_ms, coalesce(result -> 'sample', '[]'))
  returning id into v_id;
  if v_status in ('fail', 'error') then
    -- dq.rule.failed (or dq.rule.errored) in the run's transaction: the
    -- result and its event commit together or not at all. No sample in
    -- the event: it may hold personal data.
    insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id,
      resource_type, resource_id, correlation_id, trace_id, service, table_name, event_data)
    values (rule.tenant_id, case v_status when 'fail' then 'dq.rule.failed' else 'dq.rule.errored' end, 'dq',
      case v_status when 'fail' then 'failed' else 'errored' end, 'failure',
      case when rule.severity = 'error' then 'error' else 'warning' end::warden.audit_severity,
      'system', 'system', 'dq_rule', rule.id::text, 'dq-run-' || run.id, nullif(current_setting('warden.trace_id', true), ''), 'warden',
      rule.target_name,
      jsonb_build_object('version', 1, 'service', 'warden', 'operation', 'dq.rule.' || case v_status when 'fail' then 'failed' else 'errored' end,
        'status', v_status, 'run_id', run.id, 'run_trigger', run.trigger, 'result_id', v_id,
        'rule', jsonb_build_object('id', rule.id, 'name', rule.name, 'check_type', rule.check_type, 'target', rule.target_name,
                                   'severity', rule.severity),
        'message', left(result ->> 'message', 2000), 'rows_checked', (result ->> 'rows_checked')::bigint,
        'rows_failing', (result ->> 'rows_failing')::bigint, 'observed_value', result -> 'observed_value'));
  end if;
end;
$$;
comment on function warden_private.dq_record_result(warden.dq_runs, warden.dq_rules, jsonb, numeric) is
  'Stores one rule''s result of a run and, when it failed or could not be evaluated, its dq.rule.failed (dq.rule.errored) audit event, in the same transaction.';

create or replace function warden_private.dq_finish_run(run_id uuid, outcomes jsonb) returns warden.dq_runs
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_run warden.dq_runs;
  v_outcome jsonb;
  v_result jsonb;
  v_rule warden.dq_rules;
  v_rule_id text;
begin
  select * into v_run from warden.dq_runs r where r.id = dq_finish_run.run_id and r.status = 'running' for update;
  if v_run.id is null then
    raise exception 'data-quality run % is not running', run_id using errcode = '55000';
  end if;
  for v_outcome in select * from jsonb_array_elements(coalesce(outcomes, '[]')) loop
    if v_outcome ? 'error' then
      -- The check could not run: every rule in it is an error, with why.
      for v_rule_id in select jsonb_array_elements_text(v_outcome #> '{check,rule_ids}') loop
        select * into v_rule from warden.dq_rules r where r.id = v_rule_id::uuid;
        continue when v_rule.id is null;
        perform warden_private.dq_record_result(v_run, v_rule,
          jsonb_build_object('status', 'error', 'message', format('%s (SQLSTATE %s)', v_outcome ->> 'error', coalesce(v_outcome ->> 'sqlstate', '?'))),
          (v_outcome ->> 'duration_ms')::numeric);
      end loop;
    else
      for v_result in select * from jsonb_array_elements(v_outcome -> 'results') loop
        select * into v_rule from warden.dq_rules r where r.id = (v_result ->> 'rule_id')::uuid;
        continue when v_rule.id is null;
        perform warden_private.dq_record_result(v_run, v_rule, v_result, (v_outcome ->> 'duration_ms')::numeric);
      end loop;
    end if;
  end loop;
  update warden.dq_runs r set status = 'finished', finished_at = clock_timestamp(),
    rules_total = s.total, rules_passed = s.passed, rules_failed = s.failed, rules_errored = s.errored, gate_passed = s.gate
  from (select count(*)::int as total, count(*) filter (where x.status = 'pass')::int as passed,
               count(*) filter (where x.status = 'fail')::int as failed, count(*) filter (where x.status = 'error')::int as errored,
               not coalesce(bool_or(x.status <> 'pass' and x.severity = 'error'), false) as gate
        from warden.dq_results x where x.run_id = v_run.id and x.run_at = v_run.started_at) s
  where r.id = v_run.id
  returning r.* into v_run;
  return v_run;
end;
$$;
comment on function warden_private.dq_finish_run(uuid, jsonb) is
  'Records the outcomes of a run''s checks (from warden_private.dq_execute_check, or {check, error, sqlstate} for a check that failed or timed out): one result per rule, a dq.rule.failed event per failed rule, and the run''s summary.';

create or replace function warden.dq_run(target regclass default null, rule_ids uuid[] default null) returns warden.dq_runs
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_run uuid;
  v_checks jsonb;
  v_check jsonb;
  v_outcomes jsonb := '[]';
begin
  if warden.current_tenant_id() is not null and coalesce(current_setting('role', true), 'none') = 'warden_visitor'
     and not warden.has_tenant_role('{owner,admin}') then
    raise exception 'running data-quality rules requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  v_run := warden_private.dq_create_run(warden.current_tenant_id(), target, rule_ids, 'sql', null);
  v_checks := warden_private.dq_start_run(v_run);
  for v_check in select * from jsonb_array_elements(v_checks) loop
    v_outcomes := v_outcomes || warden_private.dq_execute_check(v_run, v_check);
  end loop;
  return warden_private.dq_finish_run(v_run, v_outcomes);
end;
$$;
comment on function warden.dq_run(regclass, uuid[]) is
  E'@behavior -*\nRuns data-quality rules now and returns the run with its summary (details in warden.dq_results where run_id = id): the enabled rules on target (null: every table), or exactly rule_ids; the current tenant''s rules with a request context (warden.set_context), every tenant''s without. Each table''s column rules are evaluated in one scan; every check runs read-only, in its tenant''s context, as warden_dq_sandbox. This call is one statement, bounded as a whole by your statement_timeout; `warden dq run` and the worker give each check its own statement and the rule''s timeout.';
revoke all on function warden.dq_run(regclass, uuid[]) from public;

create or replace function warden.dq_request_run(target_name text default null, rule_ids uuid[] default null) returns warden.dq_runs
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_id uuid;
  v_run warden.dq_runs;
begin
  if v_tenant is null or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'running data-quality rules requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if cardinality(rule_ids) > 1000 then
    raise exception 'at most 1000 rule ids' using errcode = '22023';
  end if;
  v_id := warden_private.dq_create_run(v_tenant,
    case when target_name is not null then warden_private.dq_resolve_target(target_name, 'target_name') end, rule_ids, 'api', null);
  select * into v_run from warden.dq_runs r where r.id = v_id;
  perform warden_private.dq_enqueue_run(v_run.id);
  return v_run;
end;
$$;
comment on function warden.dq_request_run(text, uuid[]) is
  'Queues a data-quality run of the current tenant''s rules (tenant owners and admins): the enabled rules on target_name (schema.table; null: every table), or exactly rule_ids. The worker runs it (each check with its rule''s timeout); follow it in dqRuns and dqResults. GraphQL: dqRequestRun.';
grant execute on function warden.dq_request_run(text, uuid[]) to warden_visitor;

--------------------------------------------------------------------------------
-- History views
--------------------------------------------------------------------------------
create view warden.dq_rule_status with (security_invoker = true) as
  select r.id as rule_id, r.tenant_id, r.target_name, r.name, r.check_type, r.severity, r.enabled, r.schedule,
         l.run_id, l.run_at, l.status, l.message, l.rows_checked, l.rows_failing, l.observed_value
  from warden.dq_rules r
  left join lateral (
    select x.run_id, x.run_at, x.status, x.message, x.rows_checked, x.rows_failing, x.observed_value
    from warden.dq_results x where x.rule_id = r.id
    order by x.run_at desc, x.id desc limit 1
  ) l on true;
comment on view warden.dq_rule_status is 'Each rule with its latest result (status null: never run).';
comment on column warden.dq_rule_status.rule_id is 'The rule.';
comment on column warden.dq_rule_status.tenant_id is 'Its tenant.';
comment on column warden.dq_rule_status.target_name is 'Its target, schema.table.';
comment on column warden.dq_rule_status.name is 'Its name.';
comment on column warden.dq_rule_status.check_type is 'Its check type.';
comment on column warden.dq_rule_status.severity is 'warn or error.';
comment on column warden.dq_rule_status.enabled is 'Whether runs include it.';
comment on column warden.dq_rule_status.schedule is 'Its cron schedule, if any.';
comment on column warden.dq_rule_status.run_id is 'The run of the latest result.';
comment on column warden.dq_rule_status.run_at is 'When that run started.';
comment on column warden.dq_rule_status.status is 'pass, fail or error; null when the rule never ran.';
comment on column warden.dq_rule_status.message is 'What failed.';
comment on column warden.dq_rule_status.rows_checked is 'Rows checked.';
comment on column warden.dq_rule_status.rows_failing is 'Rows failing.';
comment on column warden.dq_rule_status.observed_value is 'What was measured.';
grant select on warden.dq_rule_status to warden_visitor;

create view warden.dq_daily_pass_rate with (security_invoker = true) as
  select x.tenant_id, x.rule_id, max(x.rule_name) as rule_name, max(x.target_name) as target_name,
         (date_trunc('day', x.run_at at time zone 'UTC'))::date as day,
         count(*)::integer as results,
         count(*) filter (where x.status = 'pass')::integer as passed,
         count(*) filter (where x.status = 'fail')::integer as failed,
         count(*) filter (where x.status = 'error')::integer as errored,
         round(count(*) filter (where x.status = 'pass')::numeric / count(*), 4) as pass_rate
  from warden.dq_results x
  group by x.tenant_id, x.rule_id, (date_trunc('day', x.run_at at time zone 'UTC'))::date;
comment on view warden.dq_daily_pass_rate is 'Per rule and UTC day: how many results, how many passed, failed or errored, and the pass rate (passed / results).';
comment on column warden.dq_daily_pass_rate.tenant_id is 'The rule''s tenant.';
comment on column warden.dq_daily_pass_rate.rule_id is 'The rule.';
comment on column warden.dq_daily_pass_rate.rule_name is 'Its name (latest seen that day).';
comment on column warden.dq_daily_pass_rate.target_name is 'Its target.';
comment on column warden.dq_daily_pass_rate.day is 'The day (UTC).';
comment on column warden.dq_daily_pass_rate.results is 'Results that day.';
comment on column warden.dq_daily_pass_rate.passed is 'Of which passed.';
comment on column warden.dq_daily_pass_rate.failed is 'Of which failed.';
comment on column warden.dq_daily_pass_rate.errored is 'Of which could not be evaluated.';
comment on column warden.dq_daily_pass_rate.pass_rate is 'passed / results, 0 to 1.';
grant select on warden.dq_daily_pass_rate to warden_visitor;

--------------------------------------------------------------------------------
-- Write-time enforcement: per table, one generated statement-level trigger
-- function over the transition table (typed: the rules' predicates are
-- static SQL in it), regenerated whenever the enforced rules change.
--------------------------------------------------------------------------------
create or replace function warden_private.dq_reject(rule_id uuid, failing_row jsonb) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_rule warden.dq_rules;
  v_row jsonb;
  v_parts text[];
begin
  select * into v_rule from warden.dq_rules r where r.id = rule_id;
  v_row := warden_private.dq_redact_sample(v_rule.tenant_id, v_rule.target_name, jsonb_build_array(failing_row)) -> 0;
  v_parts := parse_ident(v_rule.target_name);
  raise exception 'data-quality rule % (% on %) rejected the statement: row % fails it', v_rule.name, v_rule.check_type, v_rule.target_name,
    coalesce(nullif(v_row -> 'key', 'null'::jsonb), v_row -> 'values')::text
    using errcode = '23514', constraint = v_rule.name, schema = v_parts[1], table = v_parts[2],
          detail = format('%s (rule %s, tenant %s)', v_rule.compiled ->> 'describe', v_rule.id, v_rule.tenant_id),
          hint = 'fix the row, or change the rule (warden.dq_rules) or the enforcement (warden.dq_enforce)';
end;
$$;
comment on function warden_private.dq_reject(uuid, jsonb) is
  'Raises SQLSTATE 23514 naming the rule (also as the error''s constraint name) and the first failing row''s key (redacted like samples).';

create or replace function warden_private.dq_record_violations(rule_ids uuid[], measured jsonb) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_rule warden.dq_rules;
  v_run warden.dq_runs;
  v_runs jsonb := '{}';
  v_m jsonb;
  v_id uuid;
begin
  for i in 1 .. cardinality(rule_ids) loop
    v_m := measured -> (i - 1);
    continue when coalesce((v_m ->> 1)::bigint, 0) = 0;
    select * into v_rule from warden.dq_rules r where r.id = rule_ids[i];
    continue when v_rule.id is null;
    if not v_runs ? v_rule.tenant_id::text then
      insert into warden.dq_runs (tenant_id, target, trigger, status, started_at, finished_at, requested_by)
      values (v_rule.tenant_id, v_rule.target, 'enforce', 'finished', now(), now(), warden.current_actor() ->> 'id')
      returning id into v_id;
      v_runs := v_runs || jsonb_build_object(v_rule.tenant_id::text, v_id);
    end if;
    select * into v_run from warden.dq_runs r where r.id = (v_runs ->> v_rule.tenant_id::text)::uuid;
    perform warden_private.dq_record_result(v_run, v_rule, jsonb_build_object('status', 'fail',
      'message', format('write of %s row(s): %s row(s) %s', v_m ->> 0, v_m ->> 1, v_rule.compiled ->> 'describe'),
      'rows_checked', (v_m ->> 0)::bigint, 'rows_failing', (v_m ->> 1)::bigint,
      'observed_value', jsonb_build_object('failing_ratio', round((v_m ->> 1)::numeric / nullif((v_m ->> 0)::numeric, 0), 6)),
      'sample', warden_private.dq_redact_sample(v_rule.tenant_id, v_rule.target_name, coalesce(v_m -> 2, '[]'))), null);
    update warden.dq_runs r set rules_total = rules_total + 1, rules_failed = rules_failed + 1,
      gate_passed = coalesce(gate_passed, true) and v_rule.severity <> 'error'
    where r.id = v_run.id;
  end loop;
end;
$$;
comment on function warden_private.dq_record_violations(uuid[], jsonb) is
  'Record mode: stores the rules a write violated as failed results (one run with trigger enforce per tenant and statement) with their dq.rule.failed events.';

create or replace function warden_private.dq_sync_enforcement(target regclass) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_fn text := 'dq_enforce_' || target::oid;
  v_reject_ids uuid[] := '{}';
  v_reject_conds text[] := '{}';
  v_reject_rows text[] := '{}';
  v_record_ids uuid[] := '{}';
  v_record_parts text[] := '{}';
  v_body text;
  r record;
  v_cond text;
  v_scope text;
begin
  perform pg_advisory_xact_lock(hashtext('warden.dq_enforce'), target::oid::integer);
  for r in
    select x.id, x.tenant_id, x.tenant_column, x.severity, x.compiled, e.mode
    from warden.dq_rules x join warden.dq_enforcements e on e.tenant_id = x.tenant_id and e.target = x.target
    where x.target = dq_sync_enforcement.target and x.enabled and (x.compiled ->> 'enforceable')::boolean
    order by x.tenant_id, x.id
  loop
    -- Rows of the rule's tenant: by the tenant column, or (without one) rows
    -- written in the tenant's context or without any context.
    v_scope := case when r.tenant_column is not null then r.compiled ->> 'scope'
                    else format('(v_ctx is null or v_ctx = %L::uuid)', r.tenant_id) end;
    v_cond := format('(%s and (%s))', v_scope, r.compiled ->> 'pred');
    if r.mode = 'reject' and r.severity = 'error' then
      v_reject_ids := v_reject_ids || r.id;
      v_reject_conds := v_reject_conds || v_cond;
      v_reject_rows := v_reject_rows || format('when %s then %s', v_cond, r.compiled ->> 'sample');
    else
      v_record_ids := v_record_ids || r.id;
      v_record_parts := v_record_parts || format('(jsonb_build_array(count(*) filter (where %s)) || warden.dq_failing(case when %s then %s end))',
        v_scope, v_cond, r.compiled ->> 'sample');
    end if;
  end loop;

  if cardinality(v_reject_ids) + cardinality(v_record_ids) = 0 then
    execute format('drop trigger if exists _800_dq_enforce_insert on %s', target);
    execute format('drop trigger if exists _800_dq_enforce_update on %s', target);
    execute format('drop function if exists warden_private.%I()', v_fn);
    return false;
  end if;

  v_body := E'declare\n  v_ctx uuid := nullif(current_setting(''jwt.claims.tenant_id'', true), '''')::uuid;\n  v_rule integer;\n  v_row jsonb;\n  v_measured jsonb;\nbegin\n';
  if cardinality(v_reject_ids) > 0 then
    v_body := v_body || format(E'  select case %s end, case %s end into v_rule, v_row from new_rows t where %s limit 1;\n'
      || E'  if v_rule is not null then\n    perform warden_private.dq_reject((%L::uuid[])[v_rule], v_row);\n  end if;\n',
      (select string_agg(format('when %s then %s', c, o), ' ') from unnest(v_reject_conds) with ordinality u(c, o)),
      array_to_string(v_reject_rows, ' '),
      array_to_string(v_reject_conds, ' or '),
      v_reject_ids);
  end if;
  if cardinality(v_record_ids) > 0 then
    v_body := v_body || format(E'  select jsonb_build_array(%s) into v_measured from new_rows t;\n'
      || E'  perform warden_private.dq_record_violations(%L::uuid[], v_measured);\n',
      array_to_string(v_record_parts, ', '), v_record_ids);
  end if;
  v_body := v_body || E'  return null;\nend;\n';
  execute format('create or replace function warden_private.%I() returns trigger language plpgsql security definer '
    'set search_path = pg_catalog set jit = off as %L', v_fn, v_body);
  execute format('comment on function warden_private.%I() is %L', v_fn,
    format('Generated by warden.dq_enforce: the enforced data-quality rules of %s (statement-level, over the transition table).', target));
  execute format('revoke all on function warden_private.%I() from public', v_fn);
  begin
    if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_800_dq_enforce_insert') then
      execute format('create trigger _800_dq_enforce_insert after insert on %s referencing new table as new_rows '
        'for each statement execute function warden_private.%I()', target, v_fn);
    end if;
    if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_800_dq_enforce_update') then
      execute format('create trigger _800_dq_enforce_update after update on %s referencing new table as new_rows '
        'for each statement execute function warden_private.%I()', target, v_fn);
    end if;
  exception when insufficient_privilege then
    raise exception 'Warden cannot create triggers on %: %', target, sqlerrm using errcode = '42501',
      hint = format('a DBA grants it: grant trigger on %s to warden_owner', target);
  end;
  return true;
end;
$$;
comment on function warden_private.dq_sync_enforcement(regclass) is
  'Generates the enforcement trigger function of a table from the enabled enforceable rules (not_null, accepted_values, range, pattern, max_length) of the tenants that enforce them, and installs its INSERT and UPDATE statement triggers; removes both when nothing is enforced. Reject mode: error-severity rules reject, warn rules record.';

create or replace function warden_private.tg_dq_rules_sync() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_target regclass;
begin
  for v_target in select distinct e.target from warden.dq_enforcements e where exists (select 1 from pg_class c where c.oid = e.target) loop
    perform warden_private.dq_sync_enforcement(v_target);
  end loop;
  return null;
end;
$$;
comment on function warden_private.tg_dq_rules_sync() is 'Trigger (AFTER each statement on warden.dq_rules): regenerates the enforcement of enforced tables, so it always follows the rules.';
create trigger _950_sync_enforcement after insert or update or delete on warden.dq_rules
  for each statement execute function warden_private.tg_dq_rules_sync();

create or replace function warden.dq_enforce(target regclass, mode text, tenant uuid default null) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := coalesce(tenant, warden.current_tenant_id());
  v_before text;
  v_kind char;
  v_name text;
  v_rules jsonb;
begin
  perform warden_private.assert_tenant_admin(v_tenant);
  if mode is null or mode not in ('reject', 'record', 'off') then
    raise exception 'mode must be reject, record or off, got %', coalesce(quote_literal(mode), 'null') using errcode = '22023';
  end if;
  select c.relkind, format('%I.%I', n.nspname, c.relname) into v_kind, v_name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_kind is null or v_kind not in ('r', 'p') then
    raise exception 'write-time enforcement needs a table; % is not one', target using errcode = '42809';
  end if;
  select e.mode into v_before from warden.dq_enforcements e where e.tenant_id = v_tenant and e.target = dq_enforce.target for update;
  if mode = 'off' then
    delete from warden.dq_enforcements e where e.tenant_id = v_tenant and e.target = dq_enforce.target;
  else
    insert into warden.dq_enforcements as e (tenant_id, target, mode, updated_by)
    values (v_tenant, dq_enforce.target, dq_enforce.mode, warden.current_actor() ->> 'id')
    on conflict on constraint dq_enforcements_pkey do update set mode = excluded.mode, updated_at = now(), updated_by = excluded.updated_by;
  end if;
  perform warden_private.dq_sync_enforcement(target);
  select coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'check_type', r.check_type, 'severity', r.severity,
           'action', case when mode = 'reject' and r.severity = 'error' then 'reject' else 'record' end) order by r.name), '[]')
    into v_rules
  from warden.dq_rules r
  where r.tenant_id = v_tenant and r.target = dq_enforce.target and r.enabled and (r.compiled ->> 'enforceable')::boolean and mode <> 'off';
  if v_before is distinct from nullif(mode, 'off') then
    perform warden_private.record_governance_event('governance.dq.enforce_changed', v_tenant, 'table', v_name,
      jsonb_build_object('mode', coalesce(v_before, 'off')), jsonb_build_object('mode', mode), jsonb_build_object('rules', v_rules));
  end if;
  return jsonb_build_object('target', v_name, 'tenant_id', v_tenant, 'mode', mode, 'rules', v_rules);
end;
$$;
comment on function warden.dq_enforce(regclass, text, uuid) is
  'Turns the tenant''s enabled enforceable rules on a table (not_null, accepted_values, range, pattern, max_length) into a statement-level check on INSERT and UPDATE of that tenant''s rows: mode reject (a statement writing a row that fails an error-severity rule fails with SQLSTATE 23514 naming the rule and the row''s key; warn rules are recorded) or record (the statement succeeds; violations are stored as results with their dq.rule.failed events); off removes it. Tenant owners and admins for their tenant; a DBA without a request context passes tenant. Warden must be able to create triggers on the table. Returns the enforced rules.';
revoke all on function warden.dq_enforce(regclass, text, uuid) from public;
grant execute on function warden.dq_enforce(regclass, text, uuid) to warden_visitor;

--------------------------------------------------------------------------------
-- SQL management for DBAs (tenant owners and admins use GraphQL:
-- createDqRule, updateDqRule, deleteDqRule).
--------------------------------------------------------------------------------
create or replace function warden.dq_add_rule(target regclass, name text, check_type text, params jsonb default '{}',
  severity text default 'error', schedule text default null, enabled boolean default true, timeout_ms integer default 60000,
  tenant_column text default null, description text default null, tenant uuid default null) returns warden.dq_rules
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := coalesce(tenant, warden.current_tenant_id());
  v_rule warden.dq_rules;
begin
  perform warden_private.assert_tenant_admin(v_tenant);
  if severity is null or severity not in ('warn', 'error') then
    raise exception 'severity must be warn or error, got %', coalesce(quote_literal(severity), 'null') using errcode = '22023';
  end if;
  if name is null or name !~ '^[A-Za-z0-9_.:-]{1,100}$' then
    raise exception 'rule name must be 1 to 100 letters, digits or _ . : -, got %', coalesce(quote_literal(name), 'null') using errcode = '22023';
  end if;
  if timeout_ms is null or timeout_ms not between 100 and 3600000 then
    raise exception 'timeout_ms must be between 100 and 3600000, got %', coalesce(timeout_ms::text, 'null') using errcode = '22023';
  end if;
  insert into warden.dq_rules (tenant_id, target, name, check_type, params, severity, schedule, enabled, timeout_ms, tenant_column, description)
  values (v_tenant, dq_add_rule.target, dq_add_rule.name, dq_add_rule.check_type, coalesce(dq_add_rule.params, '{}'), dq_add_rule.severity,
          dq_add_rule.schedule, coalesce(dq_add_rule.enabled, true), dq_add_rule.timeout_ms, dq_add_rule.tenant_column, dq_add_rule.description)
  returning * into v_rule;
  return v_rule;
end;
$$;
comment on function warden.dq_add_rule(regclass, text, text, jsonb, text, text, boolean, integer, text, text, uuid) is
  E'@behavior -*\nAdds a data-quality rule (validated against the catalog now; see docs/data-quality.md for check types and params) for the current tenant, or for tenant when a DBA without a request context passes it. Returns the rule.';
revoke all on function warden.dq_add_rule(regclass, text, text, jsonb, text, text, boolean, integer, text, text, uuid) from public;

create or replace function warden.dq_drop_rule(rule_id uuid) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid;
begin
  select r.tenant_id into v_tenant from warden.dq_rules r where r.id = rule_id;
  if v_tenant is null then
    return false;
  end if;
  perform warden_private.assert_tenant_admin(v_tenant);
  delete from warden.dq_rules r where r.id = rule_id;
  return true;
end;
$$;
comment on function warden.dq_drop_rule(uuid) is
  E'@behavior -*\nDrops a data-quality rule (its results stay until retention removes them); false when there is none. Tenant owners and admins of its tenant, or a DBA.';
revoke all on function warden.dq_drop_rule(uuid) from public;

create or replace function warden.dq_drop_rule(target regclass, name text, tenant uuid default null) returns boolean
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  select warden.dq_drop_rule((select r.id from warden.dq_rules r
    where r.target = dq_drop_rule.target and r.name = dq_drop_rule.name
      and r.tenant_id = coalesce(dq_drop_rule.tenant, warden.current_tenant_id())))
$$;
comment on function warden.dq_drop_rule(regclass, text, uuid) is
  E'@behavior -*\nDrops the rule of that name on target of the current tenant (or of tenant, for a DBA without a request context); false when there is none.';
revoke all on function warden.dq_drop_rule(regclass, text, uuid) from public;

--------------------------------------------------------------------------------
-- Retention of results: the audit retention policies decide (event type
-- dq.result: set_retention_policy('dq.result', 365), or a pattern like
-- dq.*), AUDIT_RETENTION_DAYS otherwise; a legal hold on the whole tenant
-- keeps them. `warden retention` and the daily worker run call this.
--------------------------------------------------------------------------------
create or replace function warden_private.dq_apply_retention(default_days integer, batch_size integer default 10000, dry_run boolean default false)
  returns table (tenant_id uuid, method text, partition_name text, rows_purged bigint)
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_max integer := warden_private.retention_max_days(default_days);
  p record;
  t record;
  v_days integer;
  v_n bigint;
begin
  if batch_size is null or batch_size not between 1 and 100000 then
    raise exception 'batch_size must be between 1 and 100000, got %', batch_size using errcode = '22023';
  end if;
  -- Whole monthly partitions past every policy and free of tenant-wide holds.
  for p in
    select c.oid::regclass as part, c.relname::text as name
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'warden.dq_results'::regclass
      and (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz <= now() - make_interval(days => v_max)
    order by c.relname
  loop
    continue when exists (select 1 from warden_private.legal_holds h
                          where h.released_at is null and h.resource_type is null and h.correlation_id is null
                            and exists (select 1 from warden.dq_results x where x.tableoid = p.part and x.tenant_id = h.tenant_id));
    return query execute format('select x.tenant_id, ''partition''::text, %L::text, count(*) from %s x group by 1 order by 1', p.name, p.part);
    if not dry_run then
      execute format('drop table %s', p.part);
    end if;
  end loop;
  -- Other rows past their tenant's policy, a bounded batch per tenant.
  for t in select distinct x.tenant_id from warden.dq_runs x where x.tenant_id is not null
           union select distinct r.tenant_id from warden.dq_rules r loop
    continue when warden_private.is_held(t.tenant_id, null, null, null);
    v_days := warden_private.retention_days(t.tenant_id, 'dq.result', default_days);
    if dry_run then
      select count(*) into v_n from warden.dq_results x where x.tenant_id = t.tenant_id and x.run_at < now() - make_interval(days => v_days);
    else
      with victims as (
        select x.id, x.run_at from warden.dq_results x
        where x.tenant_id = t.tenant_id and x.run_at < now() - make_interval(days => v_days)
        order by x.run_at limit batch_size
      )
      delete from warden.dq_results d using victims v where d.id = v.id and d.run_at = v.run_at;
      get diagnostics v_n = row_count;
      delete from warden.dq_runs r
      where r.tenant_id = t.tenant_id and r.requested_at < now() - make_interval(days => v_days)
        and not exists (select 1 from warden.dq_results x where x.run_id = r.id);
      if v_n > 0 then
        perform warden_private.record_governance_event('governance.dq.results_purged', t.tenant_id, 'dq_results', null, null, null,
          jsonb_build_object('rows', v_n, 'older_than_days', v_days));
      end if;
    end if;
    if v_n > 0 then
      tenant_id := t.tenant_id; method := 'rows'; partition_name := null; rows_purged := v_n;
      return next;
    end if;
  end loop;
  if not dry_run then
    delete from warden.dq_runs r
    where r.tenant_id is null and r.requested_at < now() - make_interval(days => v_max)
      and not exists (select 1 from warden.dq_results x where x.run_id = r.id);
  end if;
end;
$$;
comment on function warden_private.dq_apply_retention(integer, integer, boolean) is
  'Retention of data-quality results: drops whole monthly partitions past every policy (unless a tenant-wide legal hold covers rows in them), then deletes at most batch_size rows per tenant past the tenant''s policy for dq.result (warden_private.retention_days) with their emptied runs, writing governance.dq.results_purged; dry_run only counts. Call until it returns no rows method rows of batch_size.';
revoke all on function warden_private.dq_apply_retention(integer, integer, boolean) from public;

create or replace function warden_private.dq_abandon_stale_runs(older_than interval default '1 day') returns integer
  language sql volatile
  set search_path = pg_catalog
as $$
  with abandoned as (
    update warden.dq_runs r set status = 'abandoned', finished_at = now()
    where r.status = 'queued' and r.requested_at < now() - older_than
    returning 1
  ) select count(*)::integer from abandoned
$$;
comment on function warden_private.dq_abandon_stale_runs(interval) is 'Marks queued runs the worker never ran (older than older_than) as abandoned; returns how many.';

create or replace function warden_private.dq_scheduled_rules()
  returns table (rule_id uuid, tenant_id uuid, target regclass, schedule text, since timestamptz)
  language sql stable
  set search_path = pg_catalog
as $$
  select r.id, r.tenant_id, r.target, r.schedule, coalesce(s.last_fired_at, r.created_at)
  from warden.dq_rules r left join warden_private.dq_schedule_state s on s.rule_id = r.id
  where r.enabled and r.schedule is not null
  order by r.tenant_id, r.target, r.id
$$;
comment on function warden_private.dq_scheduled_rules() is 'Enabled rules with a schedule, and since when they are due (their last scheduled occurrence, or their creation).';

create or replace function warden_private.dq_queue_scheduled(tenant uuid, target regclass, rule_ids uuid[], fired_at timestamptz) returns uuid
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_run uuid;
begin
  v_run := warden_private.dq_create_run(tenant, target, rule_ids, 'schedule', 'system');
  insert into warden_private.dq_schedule_state as s (rule_id, last_fired_at)
  select unnest(rule_ids), fired_at
  on conflict on constraint dq_schedule_state_pkey do update set last_fired_at = excluded.last_fired_at;
  perform warden_private.dq_enqueue_run(v_run);
  return v_run;
end;
$$;
comment on function warden_private.dq_queue_scheduled(uuid, regclass, uuid[], timestamptz) is
  'Queues the scheduled run of some due rules of one tenant and table (one dq_run job), and records the occurrence they ran for.';
