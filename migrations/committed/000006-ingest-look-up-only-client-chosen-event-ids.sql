--! Previous: sha1:523cd443b2a956c1a126215ae94dcb9d8e11213f
--! Hash: sha1:930cda5afe89b3ed8e180a43b391f79abfe02843
--! Message: ingest: look up only client-chosen event ids

-- Ingest: look up only client-chosen event ids, by index (a generic plan
-- scanned every partition for each request: ~30 ms per POST on a large store).
create or replace function warden.record_audit_events(events jsonb, idempotency_key text default null)
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
  v_existing uuid[];
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

  -- Only ids the client chose can already exist (Warden's own are fresh
  -- UUIDv7s): look those up by id, through each partition's id index.
  select coalesce(array_agg(e.event_id), '{}') into v_existing
  from warden.audit_events e
  where e.event_id = any (array(select (i.item ->> 'event_id')::uuid from jsonb_array_elements(v_items) i(item) where i.item ? 'event_id'))
    and e.tenant_id = v_tenant;

  with input as (
    select i.ord,
           coalesce((i.item ->> 'event_id')::uuid, warden_private.uuid_v7()) as event_id,
           i.item
    from jsonb_array_elements(v_items) with ordinality i(item, ord)
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
    where not (n.event_id = any (v_existing))
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
