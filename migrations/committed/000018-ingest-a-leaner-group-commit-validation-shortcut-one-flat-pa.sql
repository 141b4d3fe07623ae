--! Previous: sha1:3abb5248d59111d539dcd3f73941a7d1bc043c0a
--! Hash: sha1:8067b123273fd972554be137cff4ff930dbb0d10
--! Message: ingest: a leaner group commit (validation shortcut, one flat pass over a group's items, requests taken as they come, inlined context builder, cheaper per-event expressions)

-- Ingest: a leaner group commit. The rules and the results are unchanged;
-- the database does less work per event and per request:
--
-- * the usual valid event is validated with one boolean expression (a
--   conservative shortcut) instead of building every rule's empty problem;
--   the full rules run only for events the shortcut does not clear;
-- * the set-based writer walks a group's requests and items once, flat,
--   instead of a correlated validation subquery per request, and takes the
--   REST requests with their settings as they come (no rebuilt copy); a group
--   without Idempotency-Keys returns the writer's answers directly;
-- * the request context builder is inlined;
-- * the action (and the envelope's operation) is the event type's last
--   segment by split_part, not a regular expression; the envelope is built
--   without a strip_nulls pass; a group without client event ids skips the
--   sort that deduplicates them.

--------------------------------------------------------------------------------
-- A conservative shortcut: true only for an event that every rule accepts.
-- False means "not known": the full rules then run and name the problems
-- (an event this rejects may still be valid, e.g. a long event_type segment
-- that fits its own limit). test/audit/validationShortcut.test.ts holds the
-- property: plainly valid implies no problems.
--------------------------------------------------------------------------------
drop function if exists warden_private.audit_event_is_plainly_valid(jsonb);
create function warden_private.audit_event_is_plainly_valid(item jsonb) returns boolean
  language sql immutable parallel safe
  -- no SET clause: inlined
as $$
  select coalesce(
    jsonb_typeof(item) = 'object'
    and (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data}'::text[]) = '{}'
    and jsonb_typeof(item -> 'event_type') = 'string'
    and length(item ->> 'event_type') <= 64
    and (item ->> 'event_type') ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$'
    and jsonb_typeof(item -> 'outcome') = 'string'
    and lower(item ->> 'outcome') in ('success', 'failure', 'unknown')
    and (not item ? 'event_id' or (jsonb_typeof(item -> 'event_id') = 'string'
         and (item ->> 'event_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
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
    and (not item ? 'data' or (jsonb_typeof(item -> 'data') = 'object' and octet_length((item -> 'data')::text) <= 65536)),
    false)
$$;
comment on function warden_private.audit_event_is_plainly_valid(jsonb) is
  'True only for a posted audit event that every validation rule accepts (a shortcut for the common case; false means the full rules in audit_event_problem_list must run).';
revoke all on function warden_private.audit_event_is_plainly_valid(jsonb) from public;

--------------------------------------------------------------------------------
-- The rules, unchanged, now under their own name, and the list every caller
-- uses: the shortcut first, then the rules (only for events it does not clear).
--------------------------------------------------------------------------------
drop function if exists warden_private.audit_event_rule_problems(jsonb, text);
create function warden_private.audit_event_rule_problems(item jsonb, pointer text) returns jsonb
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
comment on function warden_private.audit_event_rule_problems(jsonb, text) is
  'The validation rules for one posted audit event, every one evaluated: a JSON array of its problems [{pointer, reason}], empty when valid. Callers use audit_event_problem_list.';
revoke all on function warden_private.audit_event_rule_problems(jsonb, text) from public;

create or replace function warden_private.audit_event_problem_list(item jsonb, pointer text) returns jsonb
  language sql stable parallel safe
  -- no SET clause: inlined
as $$
  select case when warden_private.audit_event_is_plainly_valid(item) then '[]'::jsonb
              else warden_private.audit_event_rule_problems(item, pointer) end
$$;
comment on function warden_private.audit_event_problem_list(jsonb, text) is
  'Validation of one posted audit event: a JSON array of its problems [{pointer, reason}], empty when valid. The single definition REST, GraphQL and SQL callers share (audit_event_is_plainly_valid short-cuts the common valid case; audit_event_rule_problems holds the rules).';

--------------------------------------------------------------------------------
-- The request context builder is inlined: it had a SET clause, and it was
-- declared immutable around jsonb_build_object (stable); either one keeps
-- the planner from inlining a SQL function, so every request paid a call.
--------------------------------------------------------------------------------
alter function warden_private.ingest_context_from_settings(jsonb) reset search_path;
alter function warden_private.ingest_context_from_settings(jsonb) stable;

--------------------------------------------------------------------------------
-- The set-based writer. Each request carries its context either as ctx
-- (tenant_id, actor_id, ...) or as the request settings the API sends
-- (jwt.claims.*, warden.*; record_audit_requests checked their names).
--------------------------------------------------------------------------------
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
  v_client_ids uuid[];
  v_existing text[];
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
    select t.rn, t.ord, t.item ? 'event_id' as has_id,
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
         (select bool_or(l.has_id) from listed l)
    into v_errors, v_has_client_ids
  from checked c;

  -- 2. Client-chosen event ids make retries safe: lock them (in one order,
  --    so concurrent batches can not deadlock), then skip those the tenant
  --    already has. Warden's own ids are fresh UUIDv7s and need neither.
  if v_has_client_ids then
    select array_agg(distinct (i.item ->> 'event_id')::uuid) into v_client_ids
    from jsonb_array_elements(requests) with ordinality r(req, rn)
    cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end) i(item)
    where not v_errors ? r.rn::text and i.item ? 'event_id';
  end if;
  if v_client_ids is not null then
    perform pg_advisory_xact_lock(hashtext('warden.event_id/' || l.id::text))
    from unnest(v_client_ids) l(id) order by l.id::text;
    select coalesce(array_agg(e.tenant_id::text || '/' || e.event_id::text), '{}') into v_existing
    from warden.audit_events e
    where e.event_id = any (v_client_ids);
  end if;

  -- 3. One insert for every valid request.
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
      actor_type, actor_id, actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, parent_event_id, service, event_data)
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
           -- the common envelope, under the client's own data (which may add
           -- attempt, retry_reason, source_payload and anything else)
           case when f.item ? 'service'
             then jsonb_build_object('version', 1, 'service', f.item ->> 'service',
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
             else jsonb_build_object('version', 1,
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
           end || coalesce(f.item -> 'data', '{}'::jsonb)
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
  'Validates and records requests [{ctx: {tenant_id, actor_id, actor_type, tenant_role, trace_id, actor_ip, user_agent}, events}] (or {settings: {jwt.claims.*, warden.*}, events} in place of ctx) set-based: one insert for all valid requests; returns per request {ok: true, result: {event_ids, replayed}} or {ok: false, code, message, detail?, hint?}. Idempotency keys are handled by the callers.';

--------------------------------------------------------------------------------
-- The REST group commit hands the batch writer its requests as they are.
--------------------------------------------------------------------------------
create or replace function warden_private.record_audit_requests(requests jsonb) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set plan_cache_mode = force_generic_plan
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

  -- Requests without an Idempotency-Key go to the batch writer as they are
  -- (it reads their settings); only a group mixing both is copied apart.
  if not exists (select from jsonb_array_elements(requests) r(req) where r.req ->> 'idempotency_key' is not null) then
    v_fast := requests;
  else
    select jsonb_agg(r.req order by r.rn) into v_fast
    from jsonb_array_elements(requests) with ordinality r(req, rn)
    where r.req ->> 'idempotency_key' is null;
  end if;
  if v_fast is not null then
    begin
      v_fast_out := warden_private.record_audit_batch(v_fast);
    exception when others then
      v_fast_out := null; -- rolled back: every request is retried alone below
    end;
    -- the usual group: no Idempotency-Keys, so the batch's answers are all of them, in order
    if v_fast_out is not null and jsonb_array_length(v_fast) = jsonb_array_length(requests) then
      return v_fast_out;
    end if;
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
