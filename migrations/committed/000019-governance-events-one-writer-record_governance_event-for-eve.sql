--! Previous: sha1:8067b123273fd972554be137cff4ff930dbb0d10
--! Hash: sha1:61e3b8991825a3a89dbca3031a7db4da10ed6d04
--! Message: governance events: one writer (record_governance_event) for every governance.* event, actor and trace from the request context

--------------------------------------------------------------------------------
-- Governance events: one writer for every governance.* event (who changed
-- what Warden does, before and after), in the transaction of the change.
--------------------------------------------------------------------------------
create or replace function warden_private.record_governance_event(
  event_type text,
  tenant_id uuid,
  resource_type text,
  resource_id text,
  before jsonb default null,
  after jsonb default null,
  details jsonb default '{}',
  severity warden.audit_severity default 'notice',
  outcome warden.audit_outcome default 'success'
) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_extra jsonb := coalesce(nullif(current_setting('warden.context_extra', true), '')::jsonb, '{}');
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_actor_type warden.actor_type;
  v_ip inet;
  v_service text;
  v_id uuid;
begin
  if event_type is null or event_type !~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$' then
    raise exception 'governance event type % is not a dotted lower-case name', coalesce(quote_literal(event_type), 'null')
      using errcode = '22023';
  end if;
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
  insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id, actor_ip,
    user_agent, resource_type, resource_id, correlation_id, trace_id, service, event_data)
  values (
    coalesce(record_governance_event.tenant_id, nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid),
    record_governance_event.event_type, 'governance',
    left(split_part(record_governance_event.event_type, '.', -1), 64),
    coalesce(record_governance_event.outcome, 'success'), coalesce(record_governance_event.severity, 'notice'),
    v_actor_type, left(v_actor_id, 256), v_ip,
    left(coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent'), 1024),
    left(record_governance_event.resource_type, 200), left(record_governance_event.resource_id, 1024),
    left(v_extra ->> 'correlation_id', 200),
    nullif(current_setting('warden.trace_id', true), ''),
    coalesce(left(v_service, 200), 'warden'),
    jsonb_build_object('version', 1, 'service', 'warden', 'operation', record_governance_event.event_type,
                       'status', coalesce(record_governance_event.outcome, 'success')::text)
      || jsonb_strip_nulls(jsonb_build_object('before', record_governance_event.before, 'after', record_governance_event.after))
      || coalesce(record_governance_event.details, '{}'))
  returning event_id into v_id;
  return v_id;
end;
$$;
comment on function warden_private.record_governance_event(text, uuid, text, text, jsonb, jsonb, jsonb, warden.audit_severity, warden.audit_outcome) is
  'Writes one governance.* audit event in the caller''s transaction: the actor, trace, address and user agent from the request context (or the database role without one), the tenant given (else the current tenant), and event_data {version, service, operation, status, before, after, ...details}. Returns the event id. Called by Warden''s own functions; not executable by API roles.';
revoke all on function warden_private.record_governance_event(text, uuid, text, text, jsonb, jsonb, jsonb, warden.audit_severity, warden.audit_outcome) from public;
