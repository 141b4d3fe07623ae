--! Previous: sha1:24aa0e19c9d5962ed6625e154bdf93a895b41043
--! Hash: sha1:793d8c7f51f3c921e6ca26423d9cd0523e3a2ba6
--! Message: soft delete: enable_soft_delete, restore, purge, audited governance events

-- Soft delete: DELETE on an enabled table marks the row (deleted_at,
-- deleted_by) instead of removing it; normal reads no longer see it;
-- warden.restore() brings it back; warden.purge() and the worker
-- (purge_soft_deleted task) remove it for good. Every step writes its own
-- governance.* audit event. Design notes: docs/soft-delete.md.
--
-- How it works, per enabled table:
--  * BEFORE DELETE row trigger _050_soft_delete (SECURITY DEFINER): turns
--    the delete into an UPDATE of deleted_at/deleted_by and skips the row.
--    The caller's own DELETE rights (privilege and row-level security) are
--    what allow a soft delete, a restore and a purge: all three are DELETE
--    statements run with the caller's rights; the trigger decides what
--    happens from a transaction-local setting that only counts while one of
--    Warden's soft-delete functions is on the call stack.
--  * BEFORE UPDATE row trigger _050_soft_delete_guard: deleted_at and
--    deleted_by change only through those paths.
--  * Restrictive policy warden_soft_delete_hide: rows with deleted_at set
--    are invisible to every role subject to row-level security.
-- Idempotent: every object is created only if missing.

--------------------------------------------------------------------------------
-- Registry
--------------------------------------------------------------------------------
create table if not exists warden_private.soft_delete_tables (
  target regclass primary key,
  tenant_column text,
  purge_after interval check (purge_after >= interval '0'),
  rls_enabled_by_warden boolean not null default false,
  enabled_at timestamptz not null default now(),
  enabled_by text not null default session_user
);
comment on table warden_private.soft_delete_tables is 'Tables with soft delete enabled (warden.enable_soft_delete) and how long soft-deleted rows are kept.';
comment on column warden_private.soft_delete_tables.target is 'The table.';
comment on column warden_private.soft_delete_tables.tenant_column is 'Column holding the row''s tenant (for the tenant of audit events); null when the table has none.';
comment on column warden_private.soft_delete_tables.purge_after is 'How long a soft-deleted row is kept before the worker purges it; null: the worker''s default (SOFT_DELETE_PURGE_DAYS, 30 days).';
comment on column warden_private.soft_delete_tables.rls_enabled_by_warden is 'True when enable_soft_delete turned row-level security on (disable_soft_delete turns it off again).';
comment on column warden_private.soft_delete_tables.enabled_at is 'When soft delete was (last) enabled.';
comment on column warden_private.soft_delete_tables.enabled_by is 'Database role that enabled it.';
alter table warden_private.soft_delete_tables enable row level security;
alter table warden_private.soft_delete_tables force row level security;
drop policy if exists owner_maintenance on warden_private.soft_delete_tables;
create policy owner_maintenance on warden_private.soft_delete_tables to warden_owner using (true) with check (true);

--------------------------------------------------------------------------------
-- The operation in progress
--------------------------------------------------------------------------------
create or replace function warden_private.soft_delete_operation() returns text
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_op text := nullif(current_setting('warden.soft_delete_operation', true), '');
  v_stack text;
begin
  if v_op is null then
    return null;
  end if;
  -- Anyone can set the setting; it counts only while one of Warden's
  -- soft-delete functions is really on the call stack.
  get diagnostics v_stack = pg_context;
  if v_stack ~ 'function (warden\.restore|warden\.purge|warden_private\.tg_soft_delete|warden_private\.purge_soft_deleted)\(' then
    return v_op;
  end if;
  return null;
end;
$$;
comment on function warden_private.soft_delete_operation() is
  'The soft-delete operation in progress (soft_delete, restore or purge) when one of Warden''s soft-delete functions set it and is on the call stack; otherwise null. Used by the warden_soft_delete_hide policy of every enabled table, so it is executable by PUBLIC (it reveals and changes nothing).';
-- A row-level security policy of application tables calls it: every role
-- that reads such a table must be able to execute it.
grant execute on function warden_private.soft_delete_operation() to public;

--------------------------------------------------------------------------------
-- Audit events of soft delete, restore and purge
--------------------------------------------------------------------------------
create or replace function warden_private.record_soft_delete_event(operation text, target regclass, tenant_column text, row_data jsonb)
  returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_root regclass := coalesce(pg_partition_root(target), target);
  v_table text;
  v_pk text[] := warden_private.primary_key_columns(target);
  v_row_pk jsonb;
  v_extra jsonb := coalesce(nullif(current_setting('warden.context_extra', true), '')::jsonb, '{}');
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_actor_type warden.actor_type;
  v_ip inet;
  v_service text;
begin
  select format('%I.%I', n.nspname, c.relname) into v_table
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_root;
  select jsonb_object_agg(k, row_data -> k) into v_row_pk from unnest(v_pk) k;
  -- The actor, as the capture triggers derive it.
  if v_actor_id is null then
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
    resource_type, resource_id, correlation_id, trace_id, service, table_name, row_pk, event_data)
  values (
    coalesce((row_data ->> tenant_column)::uuid, nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid),
    'governance.' || operation, 'governance', operation, v_actor_type, v_actor_id, v_ip,
    coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent'),
    v_table,
    case when cardinality(v_pk) = 1 then row_data ->> v_pk[1] else v_row_pk::text end,
    v_extra ->> 'correlation_id',
    nullif(current_setting('warden.trace_id', true), ''),
    v_service, v_table, v_row_pk,
    jsonb_build_object('version', 1, 'service', 'warden', 'operation', operation, 'status', 'success',
                       'deleted_at', row_data -> 'deleted_at', 'deleted_by', row_data -> 'deleted_by'));
end;
$$;
comment on function warden_private.record_soft_delete_event(text, regclass, text, jsonb) is
  'Writes one governance.soft_delete, governance.restore or governance.purge audit event for a row (actor, tenant and trace from the request context, as the capture triggers do); event_data carries the row''s deleted_at and deleted_by before the operation (for soft_delete: null).';

--------------------------------------------------------------------------------
-- Triggers
--------------------------------------------------------------------------------
create or replace function warden_private.tg_soft_delete() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  -- Only the tenant column comes from the trigger argument (a JSON key,
  -- never SQL); everything else is read from the catalogs.
  v_tenant_column text := tg_argv[0]::jsonb ->> 'tenant_column';
  v_op text := warden_private.soft_delete_operation();
  v_row jsonb := to_jsonb(old);
  v_pk text[] := warden_private.primary_key_columns(tg_relid);
  v_match text;
  v_actor text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_deleted_by_type regtype;
begin
  select string_agg(format('%I = ($1).%I', k, k), ' and ') into v_match from unnest(v_pk) k;
  if v_op = 'purge' then
    if (v_row ->> 'deleted_at') is null then
      return null;  -- a purge removes soft-deleted rows only
    end if;
    perform warden_private.record_soft_delete_event('purge', tg_relid, v_tenant_column, v_row);
    return old;
  end if;
  if v_op = 'restore' then
    if (v_row ->> 'deleted_at') is null then
      return null;
    end if;
    execute format('update %s set deleted_at = null, deleted_by = null where %s', tg_relid::regclass, v_match) using old;
    perform warden_private.record_soft_delete_event('restore', tg_relid, v_tenant_column, v_row);
    perform set_config('warden.soft_delete_rows', (coalesce(nullif(current_setting('warden.soft_delete_rows', true), ''), '0')::bigint + 1)::text, true);
    return null;
  end if;
  if (v_row ->> 'deleted_at') is not null then
    return null;  -- already soft-deleted (seen only by roles that bypass row-level security)
  end if;
  select a.atttypid::regtype into v_deleted_by_type from pg_attribute a where a.attrelid = tg_relid and a.attname = 'deleted_by';
  v_actor := coalesce(v_actor, session_user);
  perform set_config('warden.soft_delete_operation', 'soft_delete', true);
  if v_deleted_by_type = 'uuid'::regtype then
    execute format('update %s set deleted_at = $2, deleted_by = $3 where %s', tg_relid::regclass, v_match)
      using old, now(), case when v_actor ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then v_actor::uuid end;
  else
    execute format('update %s set deleted_at = $2, deleted_by = $3 where %s', tg_relid::regclass, v_match)
      using old, now(), v_actor;
  end if;
  perform set_config('warden.soft_delete_operation', '', true);
  perform warden_private.record_soft_delete_event('soft_delete', tg_relid, v_tenant_column, v_row);
  return null;
end;
$$;
comment on function warden_private.tg_soft_delete() is
  'BEFORE DELETE row trigger of soft-delete tables: marks the row deleted (deleted_at, deleted_by) instead of deleting it; inside warden.restore() clears the mark; inside a purge lets the delete of a soft-deleted row through. Writes a governance.* audit event for each.';

create or replace function warden_private.tg_soft_delete_guard() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
begin
  if warden_private.soft_delete_operation() in ('soft_delete', 'restore') then
    return new;
  end if;
  raise exception 'deleted_at and deleted_by of %.% change only by DELETE (soft delete) and warden.restore()', tg_table_schema, tg_table_name
    using errcode = '42501';
end;
$$;
comment on function warden_private.tg_soft_delete_guard() is
  'BEFORE UPDATE row trigger of soft-delete tables (when deleted_at or deleted_by change): refuses the change outside soft delete and restore, so every change of the mark is audited as such.';

--------------------------------------------------------------------------------
-- Enable / disable
--------------------------------------------------------------------------------
create or replace function warden_private.register_soft_delete_table(target regclass, tenant_column text, purge_after interval, rls_enabled boolean)
  returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_stack text;
begin
  -- Only warden.enable_soft_delete (which has just altered the table with
  -- the caller's rights, so the caller owns it) may register a table.
  get diagnostics v_stack = pg_context;
  if v_stack !~ 'function warden\.enable_soft_delete\(' then
    raise exception 'register_soft_delete_table is called by warden.enable_soft_delete only' using errcode = '42501';
  end if;
  insert into warden_private.soft_delete_tables as s (target, tenant_column, purge_after, rls_enabled_by_warden)
  values (target, tenant_column, purge_after, rls_enabled)
  on conflict on constraint soft_delete_tables_pkey do update
    set tenant_column = excluded.tenant_column, purge_after = excluded.purge_after,
        rls_enabled_by_warden = s.rls_enabled_by_warden or excluded.rls_enabled_by_warden,
        enabled_at = now(), enabled_by = session_user;
end;
$$;
comment on function warden_private.register_soft_delete_table(regclass, text, interval, boolean) is
  'Records a table in warden_private.soft_delete_tables (only from warden.enable_soft_delete).';

create or replace function warden_private.unregister_soft_delete_table(target regclass) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_stack text;
  v_rls boolean;
begin
  get diagnostics v_stack = pg_context;
  if v_stack !~ 'function warden\.disable_soft_delete\(' then
    raise exception 'unregister_soft_delete_table is called by warden.disable_soft_delete only' using errcode = '42501';
  end if;
  delete from warden_private.soft_delete_tables s where s.target = unregister_soft_delete_table.target
  returning s.rls_enabled_by_warden into v_rls;
  return coalesce(v_rls, false);
end;
$$;
comment on function warden_private.unregister_soft_delete_table(regclass) is
  'Forgets a soft-delete table (only from warden.disable_soft_delete); returns whether Warden had turned its row-level security on.';

create or replace function warden.enable_soft_delete(target regclass, options jsonb default '{}') returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_rel record;
  v_opts jsonb := coalesce(options, '{}');
  v_key text;
  v_purge_after interval;
  v_tenant_column text;
  v_pk text[];
  v_type regtype;
  v_rls_enabled boolean := false;
  v_index text;
begin
  select c.relkind, c.relname, n.nspname, c.relrowsecurity, c.relispartition into v_rel
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_rel.relkind is null or v_rel.relkind not in ('r', 'p') then
    raise exception '% is not a table', target using errcode = '42809';
  end if;
  if v_rel.relispartition then
    raise exception '% is a partition: enable soft delete on its partitioned table', target using errcode = '42809';
  end if;
  if v_rel.nspname in ('warden_private', 'graphile_worker', 'graphile_migrate', 'pg_catalog', 'information_schema')
     or target = 'warden.audit_events'::regclass then
    raise exception 'Warden does not soft-delete rows of the audit store, its internals or system tables (%)', target using errcode = '42809';
  end if;
  if jsonb_typeof(v_opts) <> 'object' then
    raise exception 'options must be a JSON object' using errcode = '22023';
  end if;
  for v_key in select jsonb_object_keys(v_opts) loop
    if v_key not in ('purge_after', 'tenant_column') then
      raise exception 'unknown option %: expected purge_after or tenant_column', quote_literal(v_key) using errcode = '22023';
    end if;
  end loop;
  if v_opts ? 'purge_after' and jsonb_typeof(v_opts -> 'purge_after') <> 'null' then
    begin
      v_purge_after := (v_opts ->> 'purge_after')::interval;
    exception when others then
      raise exception 'option purge_after must be an interval such as "30 days", got %', v_opts -> 'purge_after' using errcode = '22023';
    end;
    if jsonb_typeof(v_opts -> 'purge_after') <> 'string' or v_purge_after < interval '0' then
      raise exception 'option purge_after must be a non-negative interval such as "30 days", got %', v_opts -> 'purge_after' using errcode = '22023';
    end if;
  end if;
  v_tenant_column := coalesce(v_opts ->> 'tenant_column', 'tenant_id');
  if not exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column and a.attnum > 0 and not a.attisdropped) then
    if v_opts ? 'tenant_column' then
      raise exception 'option tenant_column: column % does not exist in %', quote_ident(v_tenant_column), target using errcode = '42703';
    end if;
    v_tenant_column := null;
  elsif (select a.atttypid from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column) <> 'uuid'::regtype then
    raise exception 'tenant column %.% must be of type uuid', target, quote_ident(v_tenant_column) using errcode = '42804';
  end if;
  v_pk := warden_private.primary_key_columns(target);
  if v_pk is null then
    raise exception '% has no primary key: warden.restore() needs one to name a row', target using errcode = '22023';
  end if;

  -- The mark. Existing columns are used when their types fit.
  select a.atttypid::regtype into v_type from pg_attribute a where a.attrelid = target and a.attname = 'deleted_at' and a.attnum > 0 and not a.attisdropped;
  if v_type is null then
    execute format('alter table %s add column deleted_at timestamptz', target);
    execute format('comment on column %s.deleted_at is %L', target, 'When the row was soft-deleted (warden.enable_soft_delete); null while it is live.');
  elsif v_type <> 'timestamptz'::regtype then
    raise exception '%.deleted_at must be of type timestamptz, is %', target, v_type using errcode = '42804';
  end if;
  v_type := null;
  select a.atttypid::regtype into v_type from pg_attribute a where a.attrelid = target and a.attname = 'deleted_by' and a.attnum > 0 and not a.attisdropped;
  if v_type is null then
    execute format('alter table %s add column deleted_by text', target);
    execute format('comment on column %s.deleted_by is %L', target, 'Who soft-deleted the row (the actor id of the request context, or the database role); null while it is live.');
  elsif v_type not in ('text'::regtype, 'uuid'::regtype) then
    raise exception '%.deleted_by must be of type text or uuid, is %', target, v_type using errcode = '42804';
  end if;
  -- Purges find expired rows through a small partial index.
  v_index := left(v_rel.relname, 40) || '_warden_deleted_at_idx';
  execute format('create index if not exists %I on %s (deleted_at) where deleted_at is not null', v_index, target);

  -- Row-level security hides soft-deleted rows. A table without it gets it
  -- with an allow-everything policy, so nothing else changes for it.
  if not v_rel.relrowsecurity then
    execute format('alter table %s enable row level security', target);
    execute format('create policy warden_soft_delete_allow on %s using (true) with check (true)', target);
    execute format('comment on policy warden_soft_delete_allow on %s is %L', target,
      'Added by warden.enable_soft_delete, which turned row-level security on: everything the table''s privileges allow stays allowed.');
    v_rls_enabled := true;
  end if;
  execute format('drop policy if exists warden_soft_delete_hide on %s', target);
  execute format('create policy warden_soft_delete_hide on %s as restrictive for all to public
    using (deleted_at is null or warden_private.soft_delete_operation() is not null)
    with check (deleted_at is null or warden_private.soft_delete_operation() is not null)', target);
  execute format('comment on policy warden_soft_delete_hide on %s is %L', target,
    'warden.enable_soft_delete: soft-deleted rows (deleted_at set) are invisible and unchangeable except inside Warden''s soft delete, restore and purge.');
  -- Warden's owner marks, restores and purges rows (the trigger and the
  -- worker run as it), so it may see and change every row.
  execute format('drop policy if exists warden_soft_delete_maintenance on %s', target);
  execute format('create policy warden_soft_delete_maintenance on %s to warden_owner using (true) with check (true)', target);
  execute format('comment on policy warden_soft_delete_maintenance on %s is %L', target,
    'warden.enable_soft_delete: Warden''s owner role marks, restores and purges soft-deleted rows.');
  execute format('grant select, delete, update (deleted_at, deleted_by) on %s to warden_owner', target);

  execute format('create or replace trigger _050_soft_delete before delete on %s for each row execute function warden_private.tg_soft_delete(%L)',
    target, jsonb_build_object('tenant_column', v_tenant_column)::text);
  execute format('create or replace trigger _050_soft_delete_guard before update on %s for each row
    when (old.deleted_at is distinct from new.deleted_at or old.deleted_by is distinct from new.deleted_by)
    execute function warden_private.tg_soft_delete_guard()', target);

  perform warden_private.register_soft_delete_table(target, v_tenant_column, v_purge_after, v_rls_enabled);
  return jsonb_build_object('purge_after', v_purge_after::text, 'tenant_column', v_tenant_column, 'primary_key', to_jsonb(v_pk));
end;
$$;
comment on function warden.enable_soft_delete(regclass, jsonb) is
  E'@behavior -*\nTurns DELETE on a table into a soft delete: the row gets deleted_at and deleted_by (added when missing) and disappears from every read subject to row-level security; warden.restore() brings it back; the worker purges it after purge_after. Options: purge_after (an interval such as "30 days"; default: the worker''s SOFT_DELETE_PURGE_DAYS, 30), tenant_column (default tenant_id when present). Idempotent (a second call replaces the options). Runs with the caller''s rights: the caller must own the table. Returns the effective options.';

create or replace function warden.disable_soft_delete(target regclass) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_found boolean := exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete');
  v_rls boolean;
begin
  execute format('drop trigger if exists _050_soft_delete on %s', target);
  execute format('drop trigger if exists _050_soft_delete_guard on %s', target);
  execute format('drop policy if exists warden_soft_delete_hide on %s', target);
  execute format('drop policy if exists warden_soft_delete_maintenance on %s', target);
  v_rls := warden_private.unregister_soft_delete_table(target);
  if v_rls then
    execute format('drop policy if exists warden_soft_delete_allow on %s', target);
    if not exists (select 1 from pg_policy p where p.polrelid = target) then
      execute format('alter table %s disable row level security', target);
    end if;
  end if;
  return v_found;
end;
$$;
comment on function warden.disable_soft_delete(regclass) is
  E'@behavior -*\nStops soft delete on a table: DELETE deletes again. The deleted_at and deleted_by columns and their values stay, so rows still marked deleted become visible again (restore or purge them first). Idempotent; returns whether soft delete was enabled. The caller must own the table.';

--------------------------------------------------------------------------------
-- Restore and purge one row, with the caller's DELETE rights
--------------------------------------------------------------------------------
-- Both run with the caller's rights: the DELETE they issue passes the
-- caller's DELETE privilege and row-level security policies (tenant
-- isolation included), exactly as a soft delete does. They read only the
-- catalogs, so API callers need nothing of warden_private.
create or replace function warden.restore(target regclass, pk jsonb) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_pk text[];
  v_match text;
  v_rows bigint;
begin
  if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete') then
    raise exception 'soft delete is not enabled on %', target using errcode = '22023', hint = 'warden.enable_soft_delete() turns it on';
  end if;
  select array_agg(a.attname::text order by k.ord) into v_pk
  from pg_index ix cross join lateral unnest(ix.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum
  where ix.indrelid = target and ix.indisprimary;
  if pk is null or jsonb_typeof(pk) <> 'object'
     or (select array_agg(k order by k) from jsonb_object_keys(pk) k) is distinct from (select array_agg(k order by k) from unnest(v_pk) k)
     or exists (select 1 from jsonb_each(pk) e where jsonb_typeof(e.value) in ('null', 'object', 'array')) then
    raise exception 'pk must be a JSON object naming exactly the primary key columns of % (%) with scalar values', target, array_to_string(v_pk, ', ')
      using errcode = '22023';
  end if;
  select string_agg(format('%I = ($1 ->> %L)::%s', a.attname, a.attname, format_type(a.atttypid, a.atttypmod)), ' and ') into v_match
  from unnest(v_pk) k join pg_attribute a on a.attrelid = target and a.attname = k;
  -- The DELETE reaches the soft-deleted row (the hide policy lets it
  -- through while this function is on the stack); the trigger clears the
  -- mark instead of deleting, and counts the rows it restored.
  perform set_config('warden.soft_delete_rows', '0', true);
  perform set_config('warden.soft_delete_operation', 'restore', true);
  execute format('delete from %s where %s and deleted_at is not null', target, v_match) using pk;
  perform set_config('warden.soft_delete_operation', '', true);
  v_rows := coalesce(nullif(current_setting('warden.soft_delete_rows', true), ''), '0')::bigint;
  if v_rows = 0 then
    raise exception 'no soft-deleted row of % with primary key % that you may restore', target, pk using errcode = 'P0002';
  end if;
  return true;
end;
$$;
comment on function warden.restore(regclass, jsonb) is
  'Brings back a soft-deleted row of a table with soft delete enabled (pk: its primary key as a JSON object, e.g. {"id": 42}); writes a governance.restore audit event. Allowed to whoever may DELETE the row (the table''s privileges and row-level security decide; tenants never reach each other''s rows). Raises P0002 when there is no such soft-deleted row the caller may delete.';

create or replace function warden.purge(target regclass, pk jsonb) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_pk text[];
  v_match text;
  v_rows bigint;
begin
  if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete') then
    raise exception 'soft delete is not enabled on %', target using errcode = '22023', hint = 'warden.enable_soft_delete() turns it on';
  end if;
  select array_agg(a.attname::text order by k.ord) into v_pk
  from pg_index ix cross join lateral unnest(ix.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum
  where ix.indrelid = target and ix.indisprimary;
  if pk is null or jsonb_typeof(pk) <> 'object'
     or (select array_agg(k order by k) from jsonb_object_keys(pk) k) is distinct from (select array_agg(k order by k) from unnest(v_pk) k)
     or exists (select 1 from jsonb_each(pk) e where jsonb_typeof(e.value) in ('null', 'object', 'array')) then
    raise exception 'pk must be a JSON object naming exactly the primary key columns of % (%) with scalar values', target, array_to_string(v_pk, ', ')
      using errcode = '22023';
  end if;
  select string_agg(format('%I = ($1 ->> %L)::%s', a.attname, a.attname, format_type(a.atttypid, a.atttypmod)), ' and ') into v_match
  from unnest(v_pk) k join pg_attribute a on a.attrelid = target and a.attname = k;
  perform set_config('warden.soft_delete_operation', 'purge', true);
  execute format('delete from %s where %s and deleted_at is not null', target, v_match) using pk;
  get diagnostics v_rows = row_count;
  perform set_config('warden.soft_delete_operation', '', true);
  if v_rows = 0 then
    raise exception 'no soft-deleted row of % with primary key % that you may purge', target, pk using errcode = 'P0002';
  end if;
  return true;
end;
$$;
comment on function warden.purge(regclass, jsonb) is
  'Deletes a soft-deleted row for good now, without waiting for the purge period (pk: its primary key as a JSON object); writes a governance.purge audit event (and the table''s delete event when it is audited). Allowed to whoever may DELETE the row; raises P0002 when there is no such soft-deleted row the caller may delete.';

grant execute on function warden.restore(regclass, jsonb), warden.purge(regclass, jsonb) to warden_visitor;

--------------------------------------------------------------------------------
-- Purge after the period (the worker's purge_soft_deleted task)
--------------------------------------------------------------------------------
create or replace function warden_private.purge_soft_deleted(target regclass, older_than interval, batch_size integer default 1000)
  returns integer
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_pk text;
  v_rows integer;
  v_system boolean := false;
begin
  if batch_size is null or batch_size < 1 or batch_size > 100000 then
    raise exception 'batch_size must be between 1 and 100000, got %', batch_size using errcode = '22023';
  end if;
  if older_than is null or older_than < interval '0' then
    raise exception 'older_than must be a non-negative interval' using errcode = '22023';
  end if;
  if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete') then
    return 0;  -- disabled meanwhile
  end if;
  select string_agg(format('%I', k), ', ') into v_pk from unnest(warden_private.primary_key_columns(target)) k;
  if nullif(current_setting('jwt.claims.actor_id', true), '') is null then
    -- No request context (the worker): Warden itself purges.
    perform set_config('jwt.claims.actor_id', 'system', true);
    perform set_config('jwt.claims.actor_type', 'system', true);
    perform set_config('warden.context_extra', '{"service": "warden-worker"}', true);
    v_system := true;
  end if;
  perform set_config('warden.soft_delete_operation', 'purge', true);
  execute format('delete from %s where (%s) in (select %s from %s where deleted_at < now() - $1 order by deleted_at limit $2)',
                 target, v_pk, v_pk, target)
    using older_than, batch_size;
  get diagnostics v_rows = row_count;
  perform set_config('warden.soft_delete_operation', '', true);
  if v_system then
    perform set_config('jwt.claims.actor_id', '', true);
    perform set_config('jwt.claims.actor_type', '', true);
    perform set_config('warden.context_extra', '', true);
  end if;
  return v_rows;
end;
$$;
comment on function warden_private.purge_soft_deleted(regclass, interval, integer) is
  'Deletes for good at most batch_size rows of a soft-delete table that were soft-deleted longer than older_than ago (oldest first); each writes a governance.purge audit event. Without a request context the actor is Warden itself (actor_type system, service warden-worker). Returns how many. The worker''s purge_soft_deleted task calls it in a loop, one transaction per batch.';
