--! Previous: sha1:002626eab953d7f9a973db52713c81b613614306
--! Hash: sha1:523cd443b2a956c1a126215ae94dcb9d8e11213f
--! Message: ingest: one round trip per group-committed batch

-- Group commit in one round trip: the API's ingest queue hands a whole
-- batch of requests (each with its own request context) to the database at
-- once. Callable only by warden_authenticator, which sets request contexts
-- anyway; the settings it may set are limited to Warden's context names.
drop function if exists warden_private.record_audit_requests(jsonb);
create function warden_private.record_audit_requests(requests jsonb) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_request jsonb;
  v_name text;
  v_value text;
  v_out jsonb := '[]';
  v_state text;
  v_message text;
  v_detail text;
  v_hint text;
begin
  for v_request in select * from jsonb_array_elements(requests) loop
    for v_name, v_value in select * from jsonb_each_text(v_request -> 'settings') loop
      if v_name not in ('jwt.claims.tenant_id', 'jwt.claims.actor_id', 'jwt.claims.actor_type', 'jwt.claims.tenant_role',
                        'warden.trace_id', 'warden.actor_ip', 'warden.user_agent') then
        raise exception 'setting % is not part of a request context', quote_ident(v_name) using errcode = '42501';
      end if;
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
comment on function warden_private.record_audit_requests(jsonb) is
  'Records a batch of API requests [{settings, events, idempotency_key}] in the caller''s transaction, each under its own request context and subtransaction (one failing request does not fail the others); returns one {ok, result} or {ok: false, code, message, detail, hint} per request.';
revoke all on function warden_private.record_audit_requests(jsonb) from public;
grant execute on function warden_private.record_audit_requests(jsonb) to warden_authenticator;
