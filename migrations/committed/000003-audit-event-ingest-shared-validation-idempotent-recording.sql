--! Previous: sha1:276a8e3ba98d28fbccd8e41ff14b4daa2bee587f
--! Hash: sha1:597ba8b6b98fa66a1234c68acf1b41be9114d446
--! Message: audit event ingest: shared validation, idempotent recording

-- Audit event ingest: the one place where posted events are validated and
-- written (REST POST /api/v1/audit/events and GraphQL recordAuditEvents
-- both call warden.record_audit_events), with idempotent retries.

--------------------------------------------------------------------------------
-- Validation: one item, returning its problems as {pointer, reason} rows.
--------------------------------------------------------------------------------
drop function if exists warden_private.audit_event_problems(jsonb, text);
create function warden_private.audit_event_problems(item jsonb, pointer text)
  returns table (problem_pointer text, reason text)
  language plpgsql immutable
  set search_path = pg_catalog
as $$
declare
  v_key text;
  v_value jsonb;
  v_sev text;
begin
  if jsonb_typeof(item) is distinct from 'object' then
    return query select pointer, 'must be a JSON object';
    return;
  end if;
  for v_key, v_value in select * from jsonb_each(item) loop
    if v_key not in ('event_id', 'event_type', 'outcome', 'actor', 'occurred_at', 'severity', 'action', 'resource',
                     'correlation_id', 'trace_id', 'parent_event_id', 'service', 'data') then
      return query select pointer || '/' || v_key, 'unknown field';
    end if;
  end loop;
  -- required
  if not item ? 'event_type' then
    return query select pointer || '/event_type', 'required';
  elsif jsonb_typeof(item -> 'event_type') <> 'string'
        or (item ->> 'event_type') !~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$' or length(item ->> 'event_type') > 200 then
    return query select pointer || '/event_type', 'a dotted lower-case string such as gateway.signal.received (at most 200 characters)';
  end if;
  if not item ? 'outcome' then
    return query select pointer || '/outcome', 'required';
  elsif jsonb_typeof(item -> 'outcome') <> 'string' or lower(item ->> 'outcome') not in ('success', 'failure', 'unknown') then
    return query select pointer || '/outcome', 'one of success, failure, unknown';
  end if;
  -- optional
  if item ? 'event_id' and (jsonb_typeof(item -> 'event_id') <> 'string'
      or (item ->> 'event_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then
    return query select pointer || '/event_id', 'a uuid';
  end if;
  if item ? 'parent_event_id' and (jsonb_typeof(item -> 'parent_event_id') <> 'string'
      or (item ->> 'parent_event_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then
    return query select pointer || '/parent_event_id', 'a uuid';
  end if;
  if item ? 'occurred_at' then
    if jsonb_typeof(item -> 'occurred_at') <> 'string'
       or (item ->> 'occurred_at') !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$' then
      return query select pointer || '/occurred_at', 'an RFC 3339 time such as 2026-01-02T03:04:05Z';
    else
      begin
        perform (item ->> 'occurred_at')::timestamptz;
      exception when others then
        return query select pointer || '/occurred_at', 'not a valid date and time';
      end;
    end if;
  end if;
  if item ? 'severity' then
    v_sev := lower(item ->> 'severity');
    if jsonb_typeof(item -> 'severity') <> 'string'
       or coalesce(case v_sev when 'warn' then 'warning' else v_sev end, '') not in ('debug', 'info', 'notice', 'warning', 'error', 'critical') then
      return query select pointer || '/severity', 'one of debug, info, notice, warning, error, critical';
    end if;
  end if;
  foreach v_key in array array['action:64', 'correlation_id:200', 'trace_id:200', 'service:200'] loop
    if item ? split_part(v_key, ':', 1) and (jsonb_typeof(item -> split_part(v_key, ':', 1)) <> 'string'
        or length(item ->> split_part(v_key, ':', 1)) not between 1 and split_part(v_key, ':', 2)::int) then
      return query select pointer || '/' || split_part(v_key, ':', 1), 'a string of 1 to ' || split_part(v_key, ':', 2) || ' characters';
    end if;
  end loop;
  if item ? 'actor' then
    if jsonb_typeof(item -> 'actor') <> 'object' then
      return query select pointer || '/actor', 'an object {type, id}';
    else
      for v_key in select jsonb_object_keys(item -> 'actor') loop
        if v_key not in ('type', 'id') then
          return query select pointer || '/actor/' || v_key, 'unknown field';
        end if;
      end loop;
      if jsonb_typeof(item #> '{actor,type}') is distinct from 'string'
         or (item #>> '{actor,type}') not in ('user', 'api_key', 'service', 'system', 'db_role') then
        return query select pointer || '/actor/type', 'one of user, api_key, service, system, db_role';
      end if;
      if jsonb_typeof(item #> '{actor,id}') is distinct from 'string' or length(item #>> '{actor,id}') not between 1 and 256 then
        return query select pointer || '/actor/id', 'a string of 1 to 256 characters';
      elsif (item #>> '{actor,type}') = 'system' and (item #>> '{actor,id}') <> 'system' then
        return query select pointer || '/actor/id', 'a system actor has id system';
      end if;
    end if;
  end if;
  if item ? 'resource' then
    if jsonb_typeof(item -> 'resource') <> 'object' then
      return query select pointer || '/resource', 'an object {type, id}';
    else
      for v_key in select jsonb_object_keys(item -> 'resource') loop
        if v_key not in ('type', 'id') then
          return query select pointer || '/resource/' || v_key, 'unknown field';
        end if;
      end loop;
      if item -> 'resource' ? 'type' and (jsonb_typeof(item #> '{resource,type}') <> 'string' or length(item #>> '{resource,type}') not between 1 and 200) then
        return query select pointer || '/resource/type', 'a string of 1 to 200 characters';
      end if;
      if item -> 'resource' ? 'id' and (jsonb_typeof(item #> '{resource,id}') <> 'string' or length(item #>> '{resource,id}') not between 1 and 1024) then
        return query select pointer || '/resource/id', 'a string of 1 to 1024 characters';
      end if;
    end if;
  end if;
  if item ? 'data' then
    if jsonb_typeof(item -> 'data') <> 'object' then
      return query select pointer || '/data', 'a JSON object';
    elsif octet_length((item -> 'data')::text) > 65536 then
      return query select pointer || '/data', 'at most 64 KiB';
    end if;
  end if;
end;
$$;
comment on function warden_private.audit_event_problems(jsonb, text) is
  'Validation rules for one posted audit event: every problem as (JSON pointer, reason). The single definition REST and GraphQL share.';

--------------------------------------------------------------------------------
-- Idempotency keys: a retried request returns the first response.
--------------------------------------------------------------------------------
create table if not exists warden_private.idempotency_keys (
  tenant_id uuid not null,
  idempotency_key text not null check (length(idempotency_key) between 1 and 255),
  request_hash bytea not null,
  event_ids uuid[] not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, idempotency_key)
);
comment on table warden_private.idempotency_keys is 'Idempotency-Key of each accepted event batch and the ids it produced (kept 24 hours).';
comment on column warden_private.idempotency_keys.tenant_id is 'The tenant that posted.';
comment on column warden_private.idempotency_keys.idempotency_key is 'The client''s Idempotency-Key header.';
comment on column warden_private.idempotency_keys.request_hash is 'sha256 of the batch, to refuse a reused key with a different body.';
comment on column warden_private.idempotency_keys.event_ids is 'The ids returned the first time.';
comment on column warden_private.idempotency_keys.created_at is 'When the batch was accepted.';
alter table warden_private.idempotency_keys enable row level security;
alter table warden_private.idempotency_keys force row level security;
drop policy if exists owner_maintenance on warden_private.idempotency_keys;
create policy owner_maintenance on warden_private.idempotency_keys to warden_owner using (true) with check (true);

--------------------------------------------------------------------------------
-- Recording
--------------------------------------------------------------------------------
drop function if exists warden.record_audit_events(jsonb, text);
create function warden.record_audit_events(events jsonb, idempotency_key text default null)
  returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_actor_type text := warden.current_actor_type();
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_items jsonb;
  v_problems jsonb;
  v_hash bytea;
  v_prior record;
  v_ids uuid[];
begin
  if v_tenant is null or v_actor_id is null then
    raise exception 'recording audit events needs a tenant and an actor (the API sets both; direct connections call warden.set_context first)'
      using errcode = '42501';
  end if;
  if v_actor_type = 'user' and not warden.has_tenant_role('{owner,admin}') then
    raise exception 'recording audit events as a user needs tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  v_items := case when jsonb_typeof(events) = 'array' then events else jsonb_build_array(events) end;
  if jsonb_array_length(v_items) = 0 or jsonb_array_length(v_items) > 1000 then
    raise exception 'a batch holds 1 to 1000 events, got %', jsonb_array_length(v_items) using errcode = '22023';
  end if;
  select jsonb_agg(jsonb_build_object('pointer', p.problem_pointer, 'reason', p.reason) order by i.ord, p.problem_pointer)
    into v_problems
  from jsonb_array_elements(v_items) with ordinality i(item, ord)
  cross join lateral warden_private.audit_event_problems(i.item,
    case when jsonb_typeof(events) = 'array' then '/' || (i.ord - 1) else '' end) p;
  if v_problems is not null then
    raise exception 'invalid audit events' using errcode = '22023', detail = v_problems::text, hint = 'validation_failed';
  end if;

  if idempotency_key is not null then
    v_hash := sha256(convert_to(v_items::text, 'UTF8'));
    perform pg_advisory_xact_lock(hashtext(v_tenant::text || '/' || idempotency_key));
    select k.request_hash, k.event_ids into v_prior
    from warden_private.idempotency_keys k
    where k.tenant_id = v_tenant and k.idempotency_key = record_audit_events.idempotency_key and k.created_at > now() - interval '24 hours';
    if found then
      if v_prior.request_hash <> v_hash then
        raise exception 'Idempotency-Key % was used for a different request', idempotency_key using errcode = '23505';
      end if;
      return jsonb_build_object('event_ids', to_jsonb(v_prior.event_ids), 'replayed', true);
    end if;
  end if;

  -- Client event ids make retries safe without a key: an id already stored
  -- in this tenant is not written again (the lock serialises racing retries).
  perform pg_advisory_xact_lock(hashtext('warden.event_id/' || (i.item ->> 'event_id')))
  from jsonb_array_elements(v_items) i(item) where i.item ? 'event_id'
  order by i.item ->> 'event_id';

  with input as (
    select i.ord,
           coalesce((i.item ->> 'event_id')::uuid, warden_private.uuid_v7()) as event_id,
           i.item
    from jsonb_array_elements(v_items) with ordinality i(item, ord)
  ), existing as (
    select e.event_id from warden.audit_events e
    where e.event_id in (select event_id from input) and e.tenant_id = v_tenant
  ), inserted as (
    insert into warden.audit_events (event_id, occurred_at, tenant_id, event_type, category, action, outcome, severity,
      actor_type, actor_id, actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, parent_event_id, service, event_data)
    select n.event_id,
           coalesce((n.item ->> 'occurred_at')::timestamptz, now()),
           v_tenant,
           n.item ->> 'event_type',
           split_part(n.item ->> 'event_type', '.', 1),
           coalesce(n.item ->> 'action', regexp_replace(n.item ->> 'event_type', '^.*\.', '')),
           lower(n.item ->> 'outcome')::warden.audit_outcome,
           coalesce(case lower(n.item ->> 'severity') when 'warn' then 'warning' else lower(n.item ->> 'severity') end, 'info')::warden.audit_severity,
           coalesce(n.item #>> '{actor,type}', v_actor_type)::warden.actor_type,
           coalesce(n.item #>> '{actor,id}', v_actor_id),
           nullif(current_setting('warden.actor_ip', true), '')::inet,
           nullif(current_setting('warden.user_agent', true), ''),
           n.item #>> '{resource,type}',
           n.item #>> '{resource,id}',
           n.item ->> 'correlation_id',
           coalesce(n.item ->> 'trace_id', warden.current_trace_id()),
           (n.item ->> 'parent_event_id')::uuid,
           n.item ->> 'service',
           -- the common envelope, under the client's own data (which may add
           -- attempt, retry_reason, source_payload and anything else)
           jsonb_strip_nulls(jsonb_build_object('version', 1, 'service', n.item ->> 'service',
             'operation', coalesce(n.item ->> 'action', regexp_replace(n.item ->> 'event_type', '^.*\.', '')),
             'status', lower(n.item ->> 'outcome')))
             || coalesce(n.item -> 'data', '{}'::jsonb)
    from input n
    where n.event_id not in (select event_id from existing)
    returning 1
  )
  select array_agg(event_id order by ord) into v_ids from input;
  -- (the CTE above ran the insert; v_ids are the ids in request order)

  if idempotency_key is not null then
    insert into warden_private.idempotency_keys (tenant_id, idempotency_key, request_hash, event_ids)
    values (v_tenant, idempotency_key, v_hash, v_ids)
    on conflict on constraint idempotency_keys_pkey do update
      set request_hash = excluded.request_hash, event_ids = excluded.event_ids, created_at = now();
  end if;
  return jsonb_build_object('event_ids', to_jsonb(v_ids), 'replayed', false);
end;
$$;
comment on function warden.record_audit_events(jsonb, text) is
  E'@name record_audit_events\nRecords one posted audit event or a batch of up to 1000 for the current tenant, after validating all of them (any problem: SQLSTATE 22023, nothing written, the problems as JSON in the error detail). event_id or idempotency_key make a retry return the same ids without writing twice. Returns {event_ids, replayed}.';
grant execute on function warden.record_audit_events(jsonb, text) to warden_visitor;
