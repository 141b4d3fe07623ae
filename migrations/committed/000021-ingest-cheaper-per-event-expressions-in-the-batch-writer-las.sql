--! Previous: sha1:68178fc6a38538c46422b82602ff91707b881714
--! Hash: sha1:6888827f59ff1635c4f7dda81edb3d7c34a9726e
--! Message: ingest: cheaper per-event expressions in the batch writer (last segment by split_part, envelope without strip_nulls, no dedup sort without client ids)

-- Ingest: cheaper per-event expressions in the batch writer, same results.
-- The action (and the envelope's operation) is the event type's last
-- segment by split_part, not a regular expression (validated event types
-- always have a dot); the envelope is built without a strip_nulls pass; and
-- a group without client event ids skips the sort that deduplicates them.

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
