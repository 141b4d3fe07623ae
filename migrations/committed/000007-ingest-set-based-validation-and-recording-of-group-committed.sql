--! Previous: sha1:930cda5afe89b3ed8e180a43b391f79abfe02843
--! Hash: sha1:867f9be67e0ae3db2d22eed84fbe2738f43124b1
--! Message: ingest: set-based validation and recording of group-committed batches

-- Ingest, set-based: a group-committed batch of API requests is validated
-- and written with a handful of statements instead of one function call,
-- subtransaction and generic plan per request. The validation rules stay in
-- one place (warden_private.audit_event_problems, now plain SQL that the
-- planner inlines); warden.record_audit_events (GraphQL, direct SQL) and
-- warden_private.record_audit_requests (the REST group commit) both write
-- through warden_private.record_audit_batch.

--------------------------------------------------------------------------------
-- RFC 3339 calendar check without exceptions (inlined into the validator).
--------------------------------------------------------------------------------
drop function if exists warden_private.rfc3339_is_valid(text);
create function warden_private.rfc3339_is_valid(value text) returns boolean
  language sql immutable parallel safe
  -- no SET clause: inlined
as $$
  -- The shape first; then every field in range, so the cast that follows
  -- in the insert can not fail. Days are checked against the month's length.
  select case
    when value is null or value !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$' then false
    when substr(value, 1, 4)::int < 1 or substr(value, 6, 2)::int not between 1 and 12 then false
    when substr(value, 9, 2)::int not between 1
         and extract(day from make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, 1) + interval '1 month' - interval '1 day')::int then false
    when substr(value, 12, 2)::int > 23 or substr(value, 15, 2)::int > 59 or substr(value, 18, 2)::int > 60 then false
    when right(value, 1) <> 'Z' and (substr(right(value, 5), 1, 2)::int > 15 or right(value, 2)::int > 59) then false
    else true
  end
$$;
comment on function warden_private.rfc3339_is_valid(text) is
  'True when the text is an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM)) naming a real calendar day and time.';
revoke all on function warden_private.rfc3339_is_valid(text) from public;

--------------------------------------------------------------------------------
-- Validation of one posted event: the same rules as before, now one SQL
-- expression that the planner inlines (no PL/pgSQL call, no loops per item).
--------------------------------------------------------------------------------
drop function if exists warden_private.audit_problem(text, text);
create function warden_private.audit_problem(pointer text, reason text) returns jsonb
  language sql stable parallel safe
  -- no SET clause: inlined
as $$
  select case when reason is not null then jsonb_build_object('pointer', pointer, 'reason', reason) end
$$;
comment on function warden_private.audit_problem(text, text) is 'One validation problem {pointer, reason}, or null when reason is null.';
revoke all on function warden_private.audit_problem(text, text) from public;

drop function if exists warden_private.audit_unknown_keys(jsonb, text[], text);
create function warden_private.audit_unknown_keys(obj jsonb, allowed text[], pointer text) returns jsonb
  language sql stable parallel safe
  -- no SET clause: inlined
as $$
  select coalesce(jsonb_agg(warden_private.audit_problem(pointer || '/' || k, 'unknown field') order by k), '[]')
  from jsonb_object_keys(obj - allowed) k
$$;
comment on function warden_private.audit_unknown_keys(jsonb, text[], text) is 'An "unknown field" problem for each key of obj not in allowed.';
revoke all on function warden_private.audit_unknown_keys(jsonb, text[], text) from public;

drop function if exists warden_private.audit_event_problem_list(jsonb, text);
create function warden_private.audit_event_problem_list(item jsonb, pointer text) returns jsonb
  language sql stable parallel safe
  -- stable, not immutable (jsonb_build_object is stable) and no SET clause:
  -- so the planner inlines it
as $$
  select case when jsonb_typeof(item) is distinct from 'object' then
    jsonb_build_array(warden_private.audit_problem(pointer, 'must be a JSON object'))
  else
    -- unknown fields (enumerated only when there are some)
    case when (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data}'::text[]) <> '{}'
      then warden_private.audit_unknown_keys(item, '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data}', pointer)
      else '[]' end
    || case when jsonb_typeof(item -> 'actor') = 'object' and (item -> 'actor') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'actor', '{type,id}', pointer || '/actor') else '[]' end
    || case when jsonb_typeof(item -> 'resource') = 'object' and (item -> 'resource') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'resource', '{type,id}', pointer || '/resource') else '[]' end
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
      end)
    ]::jsonb[], null))
  end
$$;
comment on function warden_private.audit_event_problem_list(jsonb, text) is
  'Validation rules for one posted audit event: a JSON array of its problems [{pointer, reason}], empty when valid. The single definition REST, GraphQL and SQL callers share.';
revoke all on function warden_private.audit_event_problem_list(jsonb, text) from public;

create or replace function warden_private.audit_event_problems(item jsonb, pointer text)
  returns table (problem_pointer text, reason text)
  language sql stable parallel safe
  -- no SET clause: inlined
as $$
  select p ->> 'pointer', p ->> 'reason'
  from jsonb_array_elements(warden_private.audit_event_problem_list(item, pointer)) p
$$;
comment on function warden_private.audit_event_problems(jsonb, text) is
  'The problems of one posted audit event as rows (pointer, reason); see warden_private.audit_event_problem_list.';

--------------------------------------------------------------------------------
-- The set-based writer.
--------------------------------------------------------------------------------
drop function if exists warden_private.record_audit_batch(jsonb);
create function warden_private.record_audit_batch(requests jsonb) returns jsonb
  language plpgsql volatile
  set search_path = pg_catalog
  -- row estimates over jsonb input are guesses: never pay for JIT compilation
  set jit = off
as $$
declare
  v_errors jsonb;
  v_ids jsonb;
  v_client_ids uuid[];
  v_existing text[];
begin
  -- 1. Each request's context and every item's validation problems; a
  --    request with any problem writes nothing.
  with req as (
    select r.rn, r.req -> 'ctx' as ctx,
           case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end as items,
           jsonb_typeof(r.req -> 'events') = 'array' as is_array
    from jsonb_array_elements(requests) with ordinality r(req, rn)
  ), checked as (
    select q.rn, case
      when nullif(q.ctx ->> 'tenant_id', '') is null or nullif(q.ctx ->> 'actor_id', '') is null then
        jsonb_build_object('code', '42501', 'message',
          'recording audit events needs a tenant and an actor (the API sets both; direct connections call warden.set_context first)')
      when q.ctx ->> 'actor_type' = 'user' and coalesce(q.ctx ->> 'tenant_role', '') not in ('owner', 'admin') then
        jsonb_build_object('code', '42501', 'message', 'recording audit events as a user needs tenant role owner or admin',
          'hint', 'missing_role=admin')
      when jsonb_array_length(q.items) not between 1 and 1000 then
        jsonb_build_object('code', '22023', 'message', format('a batch holds 1 to 1000 events, got %s', jsonb_array_length(q.items)))
      else (
        select jsonb_build_object('code', '22023', 'message', 'invalid audit events', 'hint', 'validation_failed',
                 'detail', jsonb_agg(pr order by v.ord, p.problem_pointer)::text)
        from (
          select i.ord, warden_private.audit_event_problem_list(i.item, case when q.is_array then '/' || (i.ord - 1) else '' end) as list
          from jsonb_array_elements(q.items) with ordinality i(item, ord)
          offset 0
        ) v
        cross join lateral jsonb_array_elements(case when v.list <> '[]' then v.list end) pr
        cross join lateral (select pr ->> 'pointer' as problem_pointer, pr ->> 'reason' as reason) p
        having count(*) > 0)
    end as error
    from req q
  )
  select coalesce(jsonb_object_agg(c.rn::text, c.error) filter (where c.error is not null), '{}') into v_errors from checked c;

  -- 2. Client-chosen event ids make retries safe: lock them (in one order,
  --    so concurrent batches can not deadlock), then skip those the tenant
  --    already has. Warden's own ids are fresh UUIDv7s and need neither.
  select array_agg(distinct (i.item ->> 'event_id')::uuid) into v_client_ids
  from jsonb_array_elements(requests) with ordinality r(req, rn)
  cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end) i(item)
  where not v_errors ? r.rn::text and i.item ? 'event_id';
  if v_client_ids is not null then
    perform pg_advisory_xact_lock(hashtext('warden.event_id/' || l.id::text))
    from unnest(v_client_ids) l(id) order by l.id::text;
    select coalesce(array_agg(e.tenant_id::text || '/' || e.event_id::text), '{}') into v_existing
    from warden.audit_events e
    where e.event_id = any (v_client_ids);
  end if;

  -- 3. One insert for every valid request.
  with input as (
    select r.rn, i.ord, r.req -> 'ctx' as ctx, i.item,
           coalesce((i.item ->> 'event_id')::uuid, warden_private.uuid_v7()) as event_id
    from jsonb_array_elements(requests) with ordinality r(req, rn)
    cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end)
      with ordinality i(item, ord)
    where not v_errors ? r.rn::text
  ), fresh as (
    select n.*, row_number() over (partition by n.ctx ->> 'tenant_id', n.event_id order by n.rn, n.ord) as nth
    from input n
    where v_existing is null or not (((n.ctx ->> 'tenant_id')::uuid)::text || '/' || n.event_id::text) = any (v_existing)
  ), inserted as (
    insert into warden.audit_events (event_id, occurred_at, tenant_id, event_type, category, action, outcome, severity,
      actor_type, actor_id, actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, parent_event_id, service, event_data)
    select f.event_id,
           coalesce((f.item ->> 'occurred_at')::timestamptz, now()),
           (f.ctx ->> 'tenant_id')::uuid,
           f.item ->> 'event_type',
           split_part(f.item ->> 'event_type', '.', 1),
           coalesce(f.item ->> 'action', regexp_replace(f.item ->> 'event_type', '^.*\.', '')),
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
           -- the common envelope, under the client's own data (which may add
           -- attempt, retry_reason, source_payload and anything else)
           jsonb_strip_nulls(jsonb_build_object('version', 1, 'service', f.item ->> 'service',
             'operation', coalesce(f.item ->> 'action', regexp_replace(f.item ->> 'event_type', '^.*\.', '')),
             'status', lower(f.item ->> 'outcome')))
             || coalesce(f.item -> 'data', '{}'::jsonb)
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
  'Validates and records requests [{ctx: {tenant_id, actor_id, actor_type, tenant_role, trace_id, actor_ip, user_agent}, events}] set-based: one insert for all valid requests; returns per request {ok: true, result: {event_ids, replayed}} or {ok: false, code, message, detail?, hint?}. Idempotency keys are handled by the callers.';
revoke all on function warden_private.record_audit_batch(jsonb) from public;

--------------------------------------------------------------------------------
-- The current request's context, as record_audit_batch takes it.
--------------------------------------------------------------------------------
drop function if exists warden_private.ingest_context_from_settings(jsonb);
create function warden_private.ingest_context_from_settings(settings jsonb) returns jsonb
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select jsonb_build_object(
    'tenant_id', settings ->> 'jwt.claims.tenant_id', 'actor_id', settings ->> 'jwt.claims.actor_id',
    'actor_type', settings ->> 'jwt.claims.actor_type', 'tenant_role', settings ->> 'jwt.claims.tenant_role',
    'trace_id', settings ->> 'warden.trace_id', 'actor_ip', settings ->> 'warden.actor_ip',
    'user_agent', settings ->> 'warden.user_agent')
$$;
comment on function warden_private.ingest_context_from_settings(jsonb) is
  'A request context for record_audit_batch from request settings named as in pgSettings (jwt.claims.*, warden.*).';
revoke all on function warden_private.ingest_context_from_settings(jsonb) from public;

--------------------------------------------------------------------------------
-- warden.record_audit_events: the current context's events, through the batch
-- writer; Idempotency-Keys are checked here.
--------------------------------------------------------------------------------
create or replace function warden.record_audit_events(events jsonb, idempotency_key text default null)
  returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_hash bytea;
  v_prior record;
  v_result jsonb;
begin
  if idempotency_key is not null and v_tenant is not null then
    v_hash := sha256(convert_to((case when jsonb_typeof(events) = 'array' then events else jsonb_build_array(events) end)::text, 'UTF8'));
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

  v_result := warden_private.record_audit_batch(jsonb_build_array(jsonb_build_object(
    'ctx', warden_private.ingest_context_from_settings(jsonb_build_object(
      'jwt.claims.tenant_id', current_setting('jwt.claims.tenant_id', true),
      'jwt.claims.actor_id', current_setting('jwt.claims.actor_id', true),
      'jwt.claims.actor_type', current_setting('jwt.claims.actor_type', true),
      'jwt.claims.tenant_role', current_setting('jwt.claims.tenant_role', true),
      'warden.trace_id', current_setting('warden.trace_id', true),
      'warden.actor_ip', current_setting('warden.actor_ip', true),
      'warden.user_agent', current_setting('warden.user_agent', true))),
    'events', events))) -> 0;
  if not (v_result ->> 'ok')::boolean then
    if v_result ? 'detail' then
      raise exception '%', v_result ->> 'message'
        using errcode = v_result ->> 'code', detail = v_result ->> 'detail', hint = coalesce(v_result ->> 'hint', '');
    end if;
    raise exception '%', v_result ->> 'message' using errcode = v_result ->> 'code', hint = coalesce(v_result ->> 'hint', '');
  end if;

  if idempotency_key is not null then
    insert into warden_private.idempotency_keys (tenant_id, idempotency_key, request_hash, event_ids)
    values (v_tenant, idempotency_key, v_hash,
            array(select jsonb_array_elements_text(v_result #> '{result,event_ids}')::uuid))
    on conflict on constraint idempotency_keys_pkey do update
      set request_hash = excluded.request_hash, event_ids = excluded.event_ids, created_at = now();
  end if;
  return v_result -> 'result';
end;
$$;

--------------------------------------------------------------------------------
-- The REST group commit: requests without an Idempotency-Key go through one
-- set-based batch; keyed requests (and, should the batch fail as a whole,
-- every request) each run alone in a subtransaction, so one bad request
-- fails alone.
--------------------------------------------------------------------------------
create or replace function warden_private.record_audit_requests(requests jsonb) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_bad text;
  v_fast jsonb;
  v_fast_out jsonb;
  v_request jsonb;
  v_rn bigint;
  v_name text;
  v_value text;
  v_out jsonb := '[]';
  v_next int := 0;
  v_state text;
  v_message text;
  v_detail text;
  v_hint text;
begin
  select k into v_bad
  from jsonb_array_elements(requests) r(req)
  cross join lateral jsonb_object_keys(coalesce(r.req -> 'settings', '{}')) k
  where k not in ('jwt.claims.tenant_id', 'jwt.claims.actor_id', 'jwt.claims.actor_type', 'jwt.claims.tenant_role',
                  'warden.trace_id', 'warden.actor_ip', 'warden.user_agent')
  limit 1;
  if v_bad is not null then
    raise exception 'setting % is not part of a request context', quote_ident(v_bad) using errcode = '42501';
  end if;

  select jsonb_agg(jsonb_build_object('ctx', warden_private.ingest_context_from_settings(r.req -> 'settings'), 'events', r.req -> 'events') order by r.rn)
    into v_fast
  from jsonb_array_elements(requests) with ordinality r(req, rn)
  where r.req ->> 'idempotency_key' is null;
  if v_fast is not null then
    begin
      v_fast_out := warden_private.record_audit_batch(v_fast);
    exception when others then
      v_fast_out := null; -- rolled back: every request is retried alone below
    end;
  end if;

  for v_request, v_rn in select r.req, r.rn from jsonb_array_elements(requests) with ordinality r(req, rn) order by r.rn loop
    if v_request ->> 'idempotency_key' is null and v_fast_out is not null then
      v_out := v_out || jsonb_build_array(v_fast_out -> v_next);
      v_next := v_next + 1;
      continue;
    end if;
    for v_name, v_value in select * from jsonb_each_text(v_request -> 'settings') loop
      perform set_config(v_name, coalesce(v_value, ''), true);
    end loop;
    begin
      v_out := v_out || jsonb_build_array(jsonb_build_object('ok', true,
        'result', warden.record_audit_events(v_request -> 'events', v_request ->> 'idempotency_key')));
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      v_out := v_out || jsonb_build_array(jsonb_build_object('ok', false, 'code', v_state, 'message', v_message,
        'detail', nullif(v_detail, ''), 'hint', nullif(v_hint, '')));
    end;
  end loop;
  return v_out;
end;
$$;
