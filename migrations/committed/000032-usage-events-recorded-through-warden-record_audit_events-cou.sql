--! Previous: sha1:b7fd6d754f3c743a801af414db68e743795f11f0
--! Hash: sha1:d0aef7bcf6d2c9216c25fb5382b882ec1ae24537
--! Message: usage: events recorded through warden.record_audit_events count against the monthly quota

--------------------------------------------------------------------------------
-- Issue 16 (usage): events recorded through warden.record_audit_events
-- (GraphQL recordAuditEvents, SQL) count against the tenant's monthly quota,
-- as REST ingest's do. Unchanged otherwise (from migration 000024).
--------------------------------------------------------------------------------
create or replace function warden.record_audit_events(events jsonb, idempotency_key text default null)
  returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
  set plan_cache_mode = force_generic_plan
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_credential text := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user') || ':'
                       || coalesce(current_setting('jwt.claims.actor_id', true), '');
  v_hash bytea;
  v_prior record;
  v_result jsonb;
begin
  if idempotency_key is not null and v_tenant is not null then
    v_hash := sha256(convert_to((case when jsonb_typeof(events) = 'array' then events else jsonb_build_array(events) end)::text, 'UTF8'));
    perform pg_advisory_xact_lock(hashtext(v_tenant::text || '/' || v_credential || '/' || idempotency_key));
    -- a key stored before keys were scoped (credential '') still answers its retries until it expires
    select k.request_hash, k.event_ids into v_prior
    from warden_private.idempotency_keys k
    where k.tenant_id = v_tenant and k.credential in (v_credential, '') and k.idempotency_key = record_audit_events.idempotency_key
      and k.created_at > now() - interval '24 hours'
    order by k.credential desc
    limit 1;
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
    insert into warden_private.idempotency_keys (tenant_id, credential, idempotency_key, request_hash, event_ids)
    values (v_tenant, v_credential, idempotency_key, v_hash,
            array(select jsonb_array_elements_text(v_result #> '{result,event_ids}')::uuid))
    on conflict on constraint idempotency_keys_pkey do update
      set request_hash = excluded.request_hash, event_ids = excluded.event_ids, created_at = now();
  end if;
  -- The monthly quota's live counter (warden_private.usage_counters,
  -- events_accepted): REST ingest adds its own from the API process
  -- (src/usage/meter.ts); this path (GraphQL recordAuditEvents, plain SQL)
  -- adds here, in the same transaction, and never for a replay.
  if v_tenant is not null and coalesce((v_result #>> '{result,replayed}')::boolean, false) is false
     and jsonb_array_length(coalesce(v_result #> '{result,event_ids}', '[]')) > 0 then
    perform warden_private.usage_add_counters(array[v_tenant], array[(now() at time zone 'utc')::date], array['events_accepted'],
      array[''], array[jsonb_array_length(v_result #> '{result,event_ids}')::bigint]);
  end if;
  return v_result -> 'result';
end;
$$;
comment on function warden.record_audit_events(jsonb, text) is
  E'@name record_audit_events\nRecords one posted audit event or a batch of up to 1000 for the current tenant, after validating all of them (any problem: SQLSTATE 22023, nothing written, the problems as JSON in the error detail; an occurred_at outside warden_private.occurred_at_window has hint occurred_at_out_of_window; an event_id of another tenant''s event is refused with 23505, hint event_id_taken). event_id or idempotency_key (scoped to the calling credential) make a retry return the same ids without writing twice. Returns {event_ids, replayed}. Events it accepts count against the tenant''s monthly quota (warden_private.usage_counters, events_accepted).';
