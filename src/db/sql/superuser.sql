-- Objects only a superuser can create, installed by `warden migrate` /
-- `npm start` when a superuser connection is known (embedded server,
-- ROOT_DATABASE_URL). Idempotent.
--
-- The DDL event trigger records CREATE, ALTER and DROP of audited tables and
-- audits tables created in schemas enabled with warden.enable_auditing_schema().

create or replace function warden_private.tg_ddl_capture() returns event_trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  r record;
  v_opts jsonb;
  v_root regclass;
  v_root_opts jsonb;
begin
  if tg_event = 'ddl_command_end' then
    for r in select * from pg_event_trigger_ddl_commands() where object_type = 'table' loop
      -- An audited table that changed (renamed, new primary key) or a new or
      -- attached partition of one: re-enable the audited table (idempotent)
      -- with its options, so the triggers' precomputed metadata stays true.
      -- A failure here (e.g. an excluded column was dropped) must not block
      -- the DDL: it is reported as a warning.
      select a.relid::regclass, nullif(rtrim(encode(t.tgargs, 'escape'), E'\\000'), '')::jsonb - '_meta'
        into v_root, v_root_opts
      from pg_partition_ancestors(r.objid) with ordinality a(relid, depth)
      join pg_trigger t on t.tgrelid = a.relid and t.tgname = '_900_audit_update'
      where not (nullif(rtrim(encode(t.tgargs, 'escape'), E'\\000'), '')::jsonb -> '_meta' ? 'partition_of')
      order by a.depth desc
      limit 1;
      if v_root is null and exists (select 1 from pg_trigger t where t.tgrelid = r.objid and t.tgname = '_900_audit_update') then
        select r.objid::regclass, nullif(rtrim(encode(t.tgargs, 'escape'), E'\\000'), '')::jsonb - '_meta'
          into v_root, v_root_opts
        from pg_trigger t where t.tgrelid = r.objid and t.tgname = '_900_audit_update';
      end if;
      if v_root is not null and r.command_tag = 'ALTER TABLE' or (v_root is not null and v_root <> r.objid::regclass) then
        begin
          perform warden.enable_auditing(v_root, v_root_opts);
        exception when others then
          raise warning 'Warden could not refresh auditing of % after %: %', v_root, r.command_tag, sqlerrm;
        end;
      end if;
      if r.command_tag in ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') then
        select s.options into v_opts from warden_private.audited_schemas s where s.schema_name = r.schema_name;
        if found and not (select c.relispartition from pg_class c where c.oid = r.objid) then
          perform warden.enable_auditing(r.objid::regclass, v_opts);
          perform warden_private.record_ddl_event(r.command_tag, r.object_identity, r.objid);
        end if;
      elsif exists (select 1 from pg_trigger t where t.tgrelid = r.objid and t.tgname = '_900_audit_update') then
        perform warden_private.record_ddl_event(r.command_tag, r.object_identity, r.objid);
      end if;
    end loop;
  elsif tg_event = 'sql_drop' then
    for r in select * from pg_event_trigger_dropped_objects() d where d.object_type = 'table' and not d.is_temporary loop
      if exists (select 1 from pg_event_trigger_dropped_objects() t
                 where t.object_type = 'trigger' and t.object_identity = '_900_audit_update on ' || r.object_identity) then
        perform warden_private.record_ddl_event('DROP TABLE', r.object_identity, r.objid);
      end if;
    end loop;
  end if;
end;
$$;
comment on function warden_private.tg_ddl_capture() is
  'Event trigger: records CREATE/ALTER/DROP of audited tables as ddl.* audit events, and audits tables created in schemas enabled with warden.enable_auditing_schema().';
revoke all on function warden_private.tg_ddl_capture() from public;

drop event trigger if exists warden_ddl_capture;
create event trigger warden_ddl_capture on ddl_command_end
  when tag in ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
  execute function warden_private.tg_ddl_capture();
comment on event trigger warden_ddl_capture is 'Warden: audits DDL on audited tables and auto-audits new tables in audited schemas.';

drop event trigger if exists warden_ddl_drop_capture;
create event trigger warden_ddl_drop_capture on sql_drop
  execute function warden_private.tg_ddl_capture();
comment on event trigger warden_ddl_drop_capture is 'Warden: audits DROP of audited tables.';

-- Retention drops whole audit partitions, but only through its governance
-- function (warden_private.governance_drop_partition): dropping or detaching
-- an audit partition any other way is refused, like DELETE and TRUNCATE.
create or replace function warden_private.tg_audit_partition_guard() returns event_trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
begin
  if warden_private.in_governance_operation() then
    return;
  end if;
  if tg_event = 'sql_drop' then
    if exists (select 1 from pg_event_trigger_dropped_objects() d
               where d.object_type = 'table' and d.schema_name = 'warden_private'
                 and d.object_name ~ '^audit_events_(p[0-9]{6}|default)$') then
      raise exception 'dropping an audit partition is not allowed: the audit log is append-only'
        using errcode = '42501', hint = 'retention drops partitions through warden.apply_retention / warden retention';
    end if;
  elsif exists (select 1 from pg_event_trigger_ddl_commands() d where d.objid = 'warden.audit_events'::regclass)
    and exists (select 1 from pg_class c
                where c.relnamespace = 'warden_private'::regnamespace and c.relkind = 'r' and not c.relispartition
                  and c.relname ~ '^audit_events_(p[0-9]{6}|default)$') then
    raise exception 'detaching an audit partition is not allowed: the audit log is append-only'
      using errcode = '42501', hint = 'retention drops partitions through warden.apply_retention / warden retention';
  end if;
end;
$$;
comment on function warden_private.tg_audit_partition_guard() is
  'Event trigger: refuses DROP or DETACH of an audit partition outside Warden''s governance functions.';
revoke all on function warden_private.tg_audit_partition_guard() from public;

drop event trigger if exists warden_audit_partition_drop_guard;
create event trigger warden_audit_partition_drop_guard on sql_drop
  when tag in ('DROP TABLE')
  execute function warden_private.tg_audit_partition_guard();
comment on event trigger warden_audit_partition_drop_guard is 'Warden: refuses dropping audit partitions outside governance functions.';

drop event trigger if exists warden_audit_partition_detach_guard;
create event trigger warden_audit_partition_detach_guard on ddl_command_end
  when tag in ('ALTER TABLE')
  execute function warden_private.tg_audit_partition_guard();
comment on event trigger warden_audit_partition_detach_guard is 'Warden: refuses detaching audit partitions outside governance functions.';
