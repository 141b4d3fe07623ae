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
  v_reg warden_private.audited_tables;
  v_name text;
  v_disabled integer;
  v_present integer;
  v_part regclass;
begin
  if tg_event = 'ddl_command_end' then
    for r in select * from pg_event_trigger_ddl_commands() where object_type = 'table' loop
      continue when r.schema_name in ('pg_temp') or r.schema_name like 'pg\_temp\_%' or r.schema_name = 'warden_private';
      v_reg := warden_private.capture_registry_entry(r.objid::regclass);
      if v_reg.id is not null and v_reg.disabled_at is null then
        select format('%I.%I', n.nspname, c.relname) into v_name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_reg.relid;
        select count(*) filter (where t.tgenabled = 'D'), count(*) into v_disabled, v_present
        from pg_trigger t
        where (t.tgrelid = v_reg.relid or t.tgrelid in (select p.relid from pg_partition_tree(v_reg.relid) p))
          and t.tgname in ('_900_audit_insert', '_900_audit_update', '_900_audit_delete', '_900_audit_truncate');
        if v_disabled > 0 then
          -- ALTER TABLE ... DISABLE TRIGGER: seen and reported, not undone.
          perform warden_private.capture_gap_opened(v_reg.relid::regclass, 'trigger_disabled', 'governance.capture_trigger_disabled',
            jsonb_build_object('command', r.command_tag, 'disabled_triggers', v_disabled));
        else
          -- The table changed (columns, key, name) or a partition was
          -- created or attached: regenerate its capture and point every
          -- partition's triggers at it. If that fails, the DDL fails: a
          -- capture that no longer matches its table must not go unseen.
          perform warden_private.capture_enable(v_reg.relid::regclass, v_reg.options, null);
          -- Partitions detached from it keep no capture triggers of it.
          for v_part in
            select distinct t.tgrelid::regclass from pg_trigger t
            join warden_private.capture_versions v on v.table_id = v_reg.id and t.tgfoid = to_regprocedure(v.capture_function || '()')
            where t.tgrelid <> v_reg.relid and t.tgrelid not in (select p.relid from pg_partition_tree(v_reg.relid) p)
          loop
            execute format('drop trigger if exists _900_audit_insert on %s', v_part);
            execute format('drop trigger if exists _900_audit_update on %s', v_part);
            execute format('drop trigger if exists _900_audit_delete on %s', v_part);
            execute format('drop trigger if exists _900_audit_truncate on %s', v_part);
          end loop;
          if v_reg.gap_since is not null then
            -- e.g. ALTER TABLE ... ENABLE TRIGGER: capture works again
            perform warden_private.capture_gap_closed(v_reg.relid::regclass, r.command_tag);
          elsif r.command_tag = 'ALTER TABLE' and r.objid = v_reg.relid then
            if v_name <> v_reg.table_name then
              perform warden_private.capture_table_changed(v_reg.relid::regclass, 'governance.capture_table_renamed',
                jsonb_build_object('table_name', v_reg.table_name), jsonb_build_object('table_name', v_name));
            else
              perform warden_private.capture_table_changed(v_reg.relid::regclass, 'governance.capture_table_altered',
                null, null, jsonb_build_object('command', r.command_tag));
            end if;
          end if;
        end if;
        if r.objid = v_reg.relid then
          perform warden_private.record_ddl_event(r.command_tag, r.object_identity, r.objid);
        end if;
      elsif r.command_tag in ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') then
        select s.options into v_opts from warden_private.audited_schemas s where s.schema_name = r.schema_name;
        if found and not (select c.relispartition from pg_class c where c.oid = r.objid) then
          perform warden.enable_auditing(r.objid::regclass, v_opts);
          perform warden_private.record_ddl_event(r.command_tag, r.object_identity, r.objid);
        end if;
      end if;
    end loop;
  elsif tg_event = 'sql_drop' then
    for r in select * from pg_event_trigger_dropped_objects() d where d.object_type = 'table' and not d.is_temporary loop
      if exists (select 1 from warden_private.audited_tables t where t.relid = r.objid and t.dropped_at is null) then
        if exists (select 1 from warden_private.audited_tables t where t.relid = r.objid and t.dropped_at is null and t.disabled_at is null) then
          perform warden_private.record_ddl_event('DROP TABLE', r.object_identity, r.objid);
        end if;
        perform warden_private.capture_table_changed(r.objid::regclass, 'governance.capture_table_dropped', null, null,
          jsonb_build_object('table', r.object_identity));
      end if;
    end loop;
    -- A capture trigger dropped on its own (not with its table, not by
    -- warden.disable_auditing): a capture gap.
    for r in
      select distinct t.address_names[1] as schema_name, t.address_names[2] as table_name
      from pg_event_trigger_dropped_objects() t
      where t.object_type = 'trigger' and t.address_names[3] in ('_900_audit_insert', '_900_audit_update', '_900_audit_delete', '_900_audit_truncate')
    loop
      continue when exists (select 1 from pg_event_trigger_dropped_objects() d
                            where d.object_type = 'table' and d.address_names = array[r.schema_name, r.table_name]);
      v_reg := warden_private.capture_registry_entry(format('%I.%I', r.schema_name, r.table_name)::regclass);
      if v_reg.id is not null and v_reg.disabled_at is null then
        perform warden_private.capture_gap_opened(v_reg.relid::regclass, 'trigger_dropped', 'governance.capture_trigger_dropped',
          jsonb_build_object('table', format('%I.%I', r.schema_name, r.table_name)));
      end if;
    end loop;
  end if;
end;
$$;
comment on function warden_private.tg_ddl_capture() is
  'Event trigger: keeps the capture of audited tables in step with their DDL (regenerates it when a table changes, covers new partitions), records CREATE/ALTER/DROP of audited tables as ddl.* events and critical governance.capture_* events (trigger dropped or disabled, table altered, renamed or dropped), and audits tables created in schemas enabled with warden.enable_auditing_schema().';
revoke all on function warden_private.tg_ddl_capture() from public;

drop event trigger if exists warden_ddl_capture;
create event trigger warden_ddl_capture on ddl_command_end
  when tag in ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE')
  execute function warden_private.tg_ddl_capture();
comment on event trigger warden_ddl_capture is 'Warden: audits DDL on audited tables and auto-audits new tables in audited schemas.';

drop event trigger if exists warden_ddl_drop_capture;
create event trigger warden_ddl_drop_capture on sql_drop
  when tag in ('DROP TABLE', 'DROP TRIGGER', 'DROP SCHEMA', 'DROP OWNED')
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
                 and d.object_name ~ '^capture_(rows_[0-9]+_v[0-9]+|statements)_[01]$')
       and not warden_private.in_capture_promotion() then
      raise exception 'dropping a capture log is not allowed: the capture log is append-only'
        using errcode = '42501', hint = 'captured changes leave the log only through their promotion (warden.flush_capture())';
    end if;
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
  when tag in ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
  execute function warden_private.tg_audit_partition_guard();
comment on event trigger warden_audit_partition_drop_guard is 'Warden: refuses dropping audit partitions outside governance functions.';

drop event trigger if exists warden_audit_partition_detach_guard;
create event trigger warden_audit_partition_detach_guard on ddl_command_end
  when tag in ('ALTER TABLE')
  execute function warden_private.tg_audit_partition_guard();
comment on event trigger warden_audit_partition_detach_guard is 'Warden: refuses detaching audit partitions outside governance functions.';

-- Tables still audited by the capture before version 2 (their triggers
-- could not be replaced by the migration, which runs as the owner) move to
-- it now.
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
    perform warden_private.capture_enable(r.target, r.args - '_meta', null);
  end loop;
end;
$$;
