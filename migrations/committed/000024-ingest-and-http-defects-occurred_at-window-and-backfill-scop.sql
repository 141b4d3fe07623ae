--! Previous: sha1:323b0e4178c37b3cb7272493a678fbf759bb46cf
--! Hash: sha1:91a49af8eafc2eb51ddf610847293e6750b140a1
--! Message: ingest and HTTP defects: occurred_at window and backfill scope, reserved envelope keys, depth limits, idempotency scoped to the credential, client event ids unique across tenants

-- Ingest, attacked: what one request sends fails that request alone; the
-- envelope is Warden's; occurred_at has a window (backfill is explicit and
-- marked); client event ids are unique across tenants; Idempotency-Keys
-- belong to the credential that used them. docs/ingest.md has the rules.

--------------------------------------------------------------------------------
--- The occurred_at window: how far ahead of the clock and how far back a
--- posted event may be dated. One row per tenant, or the default for all
--- (tenant_id null); without a row, 5 minutes ahead and back as far as the
--- tenant's longest retention.
--------------------------------------------------------------------------------
create table warden_private.occurred_at_windows (
  tenant_id uuid references warden.tenants (id) on delete cascade,
  max_future interval not null default interval '5 minutes'
    check (max_future >= interval '0' and max_future <= interval '1 day'),
  max_past interval check (max_past > interval '0'),
  updated_at timestamptz not null default now(),
  updated_by text,
  constraint occurred_at_windows_one_per_tenant unique nulls not distinct (tenant_id)
);
comment on table warden_private.occurred_at_windows is
  'The occurred_at window of posted audit events, per tenant or as the default (tenant_id null): later than now + max_future or earlier than now - max_past is refused (HTTP 400 occurred_at_out_of_window); older events need an API key with the backfill scope. Set with warden_private.set_occurred_at_window; read with warden_private.occurred_at_window.';
comment on column warden_private.occurred_at_windows.tenant_id is 'The tenant; null: the default for every tenant without its own row.';
comment on column warden_private.occurred_at_windows.max_future is 'How far ahead of the database clock an event may be dated (0 to 1 day; 5 minutes by default).';
comment on column warden_private.occurred_at_windows.max_past is 'How far back an event may be dated without the backfill scope; null: as far back as the tenant''s longest retention.';
comment on column warden_private.occurred_at_windows.updated_at is 'When the window last changed.';
comment on column warden_private.occurred_at_windows.updated_by is 'Who changed it last (actor id, or the database role).';
alter table warden_private.occurred_at_windows enable row level security;
alter table warden_private.occurred_at_windows force row level security;
create policy owner_maintenance on warden_private.occurred_at_windows to warden_owner using (true) with check (true);

create function warden_private.occurred_at_window(tenant_id uuid, out earliest timestamptz, out latest timestamptz)
  language sql stable
  set search_path = pg_catalog
as $$
  select now() - coalesce(w.max_past, make_interval(days => greatest(warden_private.retention_default_days(),
           (select max(p.days) from warden_private.retention_policies p
            where p.tenant_id = occurred_at_window.tenant_id or p.tenant_id is null)))),
         now() + coalesce(w.max_future, interval '5 minutes')
  from (select 1) one
  left join lateral (
    select x.max_future, x.max_past from warden_private.occurred_at_windows x
    where x.tenant_id = occurred_at_window.tenant_id or x.tenant_id is null
    order by x.tenant_id is null
    limit 1) w on true
$$;
comment on function warden_private.occurred_at_window(uuid) is
  'The occurred_at a posted event of the tenant may have, as of now(): from earliest (now - max_past, by default the tenant''s longest retention: its own and the default policies, and AUDIT_RETENTION_DAYS) to latest (now + max_future, 5 minutes by default). Ingest (REST and GraphQL) refuses what falls outside unless the API key has the backfill scope (then only earlier is allowed, and the event carries event_data.backfill); the sealer uses it to recognise backdated events that bypassed ingest.';
revoke all on function warden_private.occurred_at_window(uuid) from public;

create function warden_private.set_occurred_at_window(tenant_id uuid, max_future interval, max_past interval default null)
  returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_before jsonb;
  v_by text := coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user);
begin
  if max_future is null or max_future < interval '0' or max_future > interval '1 day' then
    raise exception 'max_future must be between 0 and 1 day, got %', coalesce(max_future::text, 'null') using errcode = '22023';
  end if;
  if max_past is not null and max_past <= interval '0' then
    raise exception 'max_past must be positive (or null: the tenant''s retention), got %', max_past using errcode = '22023';
  end if;
  select jsonb_build_object('max_future', w.max_future, 'max_past', w.max_past) into v_before
  from warden_private.occurred_at_windows w where w.tenant_id is not distinct from set_occurred_at_window.tenant_id;
  insert into warden_private.occurred_at_windows as w (tenant_id, max_future, max_past, updated_by)
  values (set_occurred_at_window.tenant_id, max_future, max_past, v_by)
  on conflict on constraint occurred_at_windows_one_per_tenant do update
    set max_future = excluded.max_future, max_past = excluded.max_past, updated_at = now(), updated_by = excluded.updated_by;
  perform warden_private.record_governance_event('governance.occurred_at_window.changed', set_occurred_at_window.tenant_id,
    'occurred_at_window', coalesce(set_occurred_at_window.tenant_id::text, 'default'), v_before,
    jsonb_build_object('max_future', max_future, 'max_past', max_past));
end;
$$;
comment on function warden_private.set_occurred_at_window(uuid, interval, interval) is
  'Sets the occurred_at window of a tenant (or the default, tenant_id null) and records a governance.occurred_at_window.changed event. For operators (warden_owner); not executable by API roles.';
revoke all on function warden_private.set_occurred_at_window(uuid, interval, interval) from public;

--------------------------------------------------------------------------------
--- API key scopes: backfill lets a key post events dated before the window.
--------------------------------------------------------------------------------
alter table warden.api_keys add column scopes text[] not null default '{}'
  constraint api_keys_scopes_known check (scopes <@ array['backfill']::text[]);
-- warden.api_keys is audited: its capture follows the new column (what the
-- DDL event trigger does where it is installed; a no-op after it did).
select warden_private.capture_enable(t.relid::regclass, t.options, null)
from warden_private.audited_tables t
where t.relid = 'warden.api_keys'::regclass and t.dropped_at is null and t.disabled_at is null;
comment on column warden.api_keys.scopes is
  'Permissions of the key beyond its role: backfill (may post audit events dated before the occurred_at window; each such event carries event_data.backfill). Set by tenant owners with warden.set_api_key_scopes; every change, whatever the path, is a governance.api_key.changed event.';

-- The key's governance trigger (migration 000020) also reports scope changes.
create or replace function warden_private.tg_api_keys__governance() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_before jsonb;
  v_after jsonb;
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.api_key.created', new.tenant_id, 'api_key', new.id::text, null,
      jsonb_build_object('name', new.name, 'prefix', new.prefix, 'role', new.role, 'rate_limit_per_second', new.rate_limit_per_second,
                         'expires_at', new.expires_at, 'created_by', new.created_by, 'scopes', new.scopes));
    return null;
  end if;
  if old.revoked_at is null and new.revoked_at is not null then
    perform warden_private.record_governance_event('governance.api_key.revoked', new.tenant_id, 'api_key', new.id::text,
      jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', new.revoked_at),
      jsonb_build_object('name', new.name, 'prefix', new.prefix, 'role', new.role));
    return null;
  end if;
  -- Other changes of what the key may do (last_used_at is bookkeeping).
  select jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, n.value) into v_before, v_after
  from jsonb_each(jsonb_build_object('name', old.name, 'role', old.role, 'rate_limit_per_second', old.rate_limit_per_second,
                                     'expires_at', old.expires_at, 'scopes', old.scopes)) o
  join jsonb_each(jsonb_build_object('name', new.name, 'role', new.role, 'rate_limit_per_second', new.rate_limit_per_second,
                                     'expires_at', new.expires_at, 'scopes', new.scopes)) n
    using (key)
  where o.value is distinct from n.value;
  if v_before is not null then
    perform warden_private.record_governance_event('governance.api_key.changed', new.tenant_id, 'api_key', new.id::text,
      v_before, v_after, jsonb_build_object('prefix', new.prefix));
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_api_keys__governance() is
  'AFTER INSERT/UPDATE row trigger of API keys: governance.api_key.created (after: name, prefix, role, rate limit, expiry, creator, scopes), governance.api_key.revoked (before/after: revoked_at) and governance.api_key.changed (before/after of name, role, rate limit, expiry or scopes), whatever the path.';

create function warden.set_api_key_scopes(api_key_id uuid, scopes text[]) returns text[]
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_after text[];
begin
  if not warden.has_tenant_role('{owner}') then
    raise exception 'changing an API key''s scopes requires tenant role owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if scopes is null or array_position(scopes, null) is not null or not scopes <@ array['backfill']::text[] then
    raise exception 'unknown API key scope in %: the scopes are backfill', coalesce(scopes::text, 'null') using errcode = '22023';
  end if;
  v_after := array(select distinct s from unnest(scopes) s order by s);
  -- the key's governance trigger records the change (governance.api_key.changed)
  update warden.api_keys k set scopes = v_after
  where k.id = set_api_key_scopes.api_key_id and k.tenant_id = v_tenant and k.revoked_at is null;
  if not found then
    raise exception 'no active API key % in your tenant', api_key_id using errcode = 'P0002';
  end if;
  return v_after;
end;
$$;
comment on function warden.set_api_key_scopes(uuid, text[]) is
  'Sets the scopes of an active API key of the current tenant (tenant owners only): backfill, or none. The key''s governance trigger records governance.api_key.changed (before/after scopes). Returns the scopes now in force.';
grant execute on function warden.set_api_key_scopes(uuid, text[]) to warden_visitor;

--------------------------------------------------------------------------------
--- Idempotency-Keys belong to the credential that used them: another key or
--- user of the tenant sending the same key gets no replay of its answer.
--------------------------------------------------------------------------------
alter table warden_private.idempotency_keys add column credential text not null default '';
comment on column warden_private.idempotency_keys.credential is
  'The credential that used the key: actor type and id (api_key:<id>, user:<id>). Empty for keys stored before keys were scoped to credentials; those match any credential of the tenant until they expire (24 hours).';
alter table warden_private.idempotency_keys drop constraint idempotency_keys_pkey;
alter table warden_private.idempotency_keys add constraint idempotency_keys_pkey primary key (tenant_id, credential, idempotency_key);

--------------------------------------------------------------------------------
--- The validation rules: the envelope's keys are reserved in data (attempt,
--- retry_reason and source_payload are the event's own fields now), data
--- and source_payload nest at most 64 levels.
--------------------------------------------------------------------------------
create or replace function warden_private.audit_event_is_plainly_valid(item jsonb) returns boolean
  language sql immutable parallel safe
  -- no SET clause: inlined
as $$
  select coalesce(
    jsonb_typeof(item) = 'object'
    and (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload}'::text[]) = '{}'
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
    and (not item ? 'data' or (jsonb_typeof(item -> 'data') = 'object' and octet_length((item -> 'data')::text) <= 65536
         and not (item -> 'data') ?| '{version,service,operation,status,attempt,retry_reason,source_payload,backfill}'::text[]
         and not jsonb_path_exists(item -> 'data', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')))
    and (not item ?| '{attempt,retry_reason,source_payload}'::text[] or (
         (not item ? 'attempt' or (jsonb_typeof(item -> 'attempt') = 'number' and (item ->> 'attempt') ~ '^[1-9][0-9]{0,5}$'))
         and (not item ? 'retry_reason' or (jsonb_typeof(item -> 'retry_reason') = 'string' and length(item ->> 'retry_reason') between 1 and 1000))
         and (not item ? 'source_payload' or (octet_length((item -> 'source_payload')::text) <= 65536
              and not jsonb_path_exists(item -> 'source_payload', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")'))))),
    false)
$$;
comment on function warden_private.audit_event_is_plainly_valid(jsonb) is
  'True only for a posted audit event that every validation rule accepts (a shortcut for the common case; false means the full rules in audit_event_rule_problems must run).';

create or replace function warden_private.audit_event_rule_problems(item jsonb, pointer text) returns jsonb
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
    case when (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload}'::text[]) <> '{}'
      then warden_private.audit_unknown_keys(item, '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload}', pointer)
      else '[]' end
    || case when jsonb_typeof(item -> 'actor') = 'object' and (item -> 'actor') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'actor', '{type,id}', pointer || '/actor') else '[]' end
    || case when jsonb_typeof(item -> 'resource') = 'object' and (item -> 'resource') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'resource', '{type,id}', pointer || '/resource') else '[]' end
    -- the envelope's keys are Warden's: reserved in data, each named
    || case when jsonb_typeof(item -> 'data') = 'object'
             and (item -> 'data') ?| '{version,service,operation,status,attempt,retry_reason,source_payload,backfill}'::text[]
      then (select jsonb_agg(warden_private.audit_problem(pointer || '/data/' || k,
              case when k in ('attempt', 'retry_reason', 'source_payload')
                then 'reserved for the envelope: send ' || k || ' as a field of the event, beside data'
                else 'reserved for the envelope Warden writes' end) order by k)
            from jsonb_object_keys(item -> 'data') k
            where k in ('version', 'service', 'operation', 'status', 'attempt', 'retry_reason', 'source_payload', 'backfill'))
      else '[]' end
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
        when jsonb_path_exists(item -> 'data', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')
          then 'objects and arrays nested more than 64 levels deep'
      end),
      warden_private.audit_problem(pointer || '/attempt', case
        when item ? 'attempt' and (jsonb_typeof(item -> 'attempt') <> 'number' or (item ->> 'attempt') !~ '^[1-9][0-9]{0,5}$')
          then 'a whole number from 1 to 999999' end),
      warden_private.audit_problem(pointer || '/retry_reason', case
        when item ? 'retry_reason' and (jsonb_typeof(item -> 'retry_reason') <> 'string' or length(item ->> 'retry_reason') not between 1 and 1000)
          then 'a string of 1 to 1000 characters' end),
      warden_private.audit_problem(pointer || '/source_payload', case
        when not item ? 'source_payload' then null
        when octet_length((item -> 'source_payload')::text) > 65536 then 'at most 64 KiB'
        when jsonb_path_exists(item -> 'source_payload', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')
          then 'objects and arrays nested more than 64 levels deep'
      end)
    ]::jsonb[], null))
  end
$$;
comment on function warden_private.audit_event_rule_problems(jsonb, text) is
  'The validation rules for one posted audit event, every one evaluated: a JSON array of its problems [{pointer, reason}], empty when valid. Callers use audit_event_problem_list.';

--------------------------------------------------------------------------------
--- The set-based writer: the window of occurred_at (and backfill), client
--- event ids that belong to another tenant refused, the envelope from the
--- event's own fields.
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
  v_has_times boolean;
  v_client_ids uuid[];
  v_existing text[];
  v_more jsonb;
  -- request number -> earliest of its window, for requests allowed to backfill
  v_backfill jsonb := '{}';
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
    select t.rn, t.ord, t.item ? 'event_id' as has_id, t.item ? 'occurred_at' as has_time,
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
         (select bool_or(l.has_id) from listed l), (select bool_or(l.has_time) from listed l)
    into v_errors, v_has_client_ids, v_has_times
  from checked c;

  -- 2. occurred_at within the tenant's window (warden_private.occurred_at_window):
  --    later is always refused; earlier only from an API key with the
  --    backfill scope, whose events then carry event_data.backfill.
  if v_has_times then
    with req as (
      select r.rn, coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) as ctx,
             r.req -> 'events' as events
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      where not v_errors ? r.rn::text
    ), timed as (
      select q.rn, q.ctx, i.ord, jsonb_typeof(q.events) = 'array' as is_array, (i.item ->> 'occurred_at')::timestamptz as at
      from req q
      cross join lateral jsonb_array_elements(case when jsonb_typeof(q.events) = 'array' then q.events else jsonb_build_array(q.events) end)
        with ordinality i(item, ord)
      where i.item ? 'occurred_at'
    ), bounds as (
      select t.tenant, w.earliest, w.latest
      from (select distinct tm.ctx ->> 'tenant_id' as tenant from timed tm) t
      cross join lateral warden_private.occurred_at_window(t.tenant::uuid) w
    ), outside as (
      select tm.rn, tm.ctx, tm.ord, tm.is_array, tm.at, b.earliest, b.latest
      from timed tm join bounds b on b.tenant = tm.ctx ->> 'tenant_id'
      where tm.at > b.latest or tm.at < b.earliest
    ), may_backfill as (
      select o.rn, min(o.earliest) as earliest
      from outside o
      where o.ctx ->> 'actor_type' = 'api_key'
        and (o.ctx ->> 'actor_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        and exists (select from warden.api_keys k
                    where k.id = (o.ctx ->> 'actor_id')::uuid and k.tenant_id = (o.ctx ->> 'tenant_id')::uuid
                      and k.revoked_at is null and 'backfill' = any (k.scopes))
      group by o.rn
    ), refused as (
      select o.rn, jsonb_agg(jsonb_build_object(
               'pointer', case when o.is_array then '/' || (o.ord - 1) else '' end || '/occurred_at',
               'reason', case when o.at > o.latest
                 then format('later than %s: at most %s ahead of the server''s clock', to_char(o.latest at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), o.latest - now())
                 else format('earlier than %s, the oldest this tenant accepts (its retention); older events need an API key with the backfill scope',
                             to_char(o.earliest at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) end)
             order by o.ord) as problems
      from outside o
      where o.at > o.latest or not exists (select from may_backfill m where m.rn = o.rn)
      group by o.rn
    )
    select coalesce((select jsonb_object_agg(r.rn::text, jsonb_build_object('code', '22023', 'message', 'occurred_at outside the accepted window',
                       'hint', 'occurred_at_out_of_window', 'detail', r.problems::text)) from refused r), '{}'),
           coalesce((select jsonb_object_agg(m.rn::text, m.earliest) from may_backfill m where not exists (select from refused r where r.rn = m.rn)), '{}')
      into v_more, v_backfill;
    v_errors := v_errors || v_more;
  end if;

  -- 3. Client-chosen event ids make retries safe: lock them (in one order,
  --    so concurrent batches can not deadlock), then skip those the tenant
  --    already has. An id another tenant has (stored, or earlier in this
  --    group) is refused: one id, one event. Warden's own ids are fresh
  --    UUIDv7s and need none of this.
  if v_has_client_ids then
    select array_agg(distinct (i.item ->> 'event_id')::uuid) into v_client_ids
    from jsonb_array_elements(requests) with ordinality r(req, rn)
    cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end) i(item)
    where not v_errors ? r.rn::text and i.item ? 'event_id';
  end if;
  if v_client_ids is not null then
    perform pg_advisory_xact_lock(hashtext('warden.event_id/' || l.id::text))
    from unnest(v_client_ids) l(id) order by l.id::text;
    select coalesce(array_agg(coalesce(e.tenant_id::text, '') || '/' || e.event_id::text), '{}') into v_existing
    from warden.audit_events e
    where e.event_id = any (v_client_ids);
    with ids as (
      select r.rn, ((coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) ->> 'tenant_id')::uuid)::text as tenant,
             i.ord, jsonb_typeof(r.req -> 'events') = 'array' as is_array, (i.item ->> 'event_id')::uuid as id
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end)
        with ordinality i(item, ord)
      where not v_errors ? r.rn::text and i.item ? 'event_id'
    ), stored as (
      select split_part(x, '/', 1) as tenant, split_part(x, '/', 2)::uuid as id from unnest(v_existing) x
    ), taken as (
      select d.rn, jsonb_agg(jsonb_build_object('pointer', case when d.is_array then '/' || (d.ord - 1) else '' end || '/event_id',
                                                'reason', 'already the id of an event that is not yours: choose another') order by d.ord) as problems
      from ids d
      -- the id's tenant: the one that stored it, else the first request of this group using it
      where not exists (select from stored s where s.id = d.id and s.tenant = d.tenant)
        and (exists (select from stored s where s.id = d.id)
             or (select o.tenant from ids o where o.id = d.id order by o.rn, o.ord limit 1) <> d.tenant)
      group by d.rn
    )
    select coalesce(jsonb_object_agg(t.rn::text, jsonb_build_object('code', '23505', 'message', 'event_id already taken',
             'hint', 'event_id_taken', 'detail', t.problems::text)), '{}')
      into v_more
    from taken t;
    v_errors := v_errors || v_more;
  end if;

  -- 4. One insert for every valid request.
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
           -- the envelope (Warden's keys, reserved in data), then the client's data
           case when f.item ? 'service'
             then jsonb_build_object('version', 1, 'service', f.item ->> 'service',
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
             else jsonb_build_object('version', 1,
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
           end
           || case when f.item ?| '{attempt,retry_reason,source_payload}'::text[]
                then case when f.item ? 'attempt' then jsonb_build_object('attempt', f.item -> 'attempt') else '{}' end
                  || case when f.item ? 'retry_reason' then jsonb_build_object('retry_reason', f.item -> 'retry_reason') else '{}' end
                  || case when f.item ? 'source_payload' then jsonb_build_object('source_payload', f.item -> 'source_payload') else '{}' end
                else '{}' end
           || case when v_backfill ? f.rn::text and (f.item ->> 'occurred_at')::timestamptz < (v_backfill ->> f.rn::text)::timestamptz
                then jsonb_build_object('backfill', jsonb_build_object(
                       'by', jsonb_build_object('type', f.ctx ->> 'actor_type', 'id', f.ctx ->> 'actor_id'), 'at', now()))
                else '{}' end
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
  'Validates and records requests [{ctx: {tenant_id, actor_id, actor_type, tenant_role, trace_id, actor_ip, user_agent}, events}] (or {settings: {jwt.claims.*, warden.*}, events} in place of ctx) set-based: occurred_at within warden_private.occurred_at_window (earlier only for API keys with the backfill scope, marked event_data.backfill), client event ids never another tenant''s, one insert for all valid requests; returns per request {ok: true, result: {event_ids, replayed}} or {ok: false, code, message, detail?, hint?}. Idempotency keys are handled by the callers.';

--------------------------------------------------------------------------------
--- warden.record_audit_events: an Idempotency-Key replays only for the
--- credential that used it.
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
  return v_result -> 'result';
end;
$$;
comment on function warden.record_audit_events(jsonb, text) is
  E'@name record_audit_events\nRecords one posted audit event or a batch of up to 1000 for the current tenant, after validating all of them (any problem: SQLSTATE 22023, nothing written, the problems as JSON in the error detail; an occurred_at outside warden_private.occurred_at_window has hint occurred_at_out_of_window; an event_id of another tenant''s event is refused with 23505, hint event_id_taken). event_id or idempotency_key (scoped to the calling credential) make a retry return the same ids without writing twice. Returns {event_ids, replayed}.';
