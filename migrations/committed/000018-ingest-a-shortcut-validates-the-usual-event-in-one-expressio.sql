--! Previous: sha1:3abb5248d59111d539dcd3f73941a7d1bc043c0a
--! Hash: sha1:c5b272ed6524fec18f033264e97c6bac04d44f2b
--! Message: ingest: a shortcut validates the usual event in one expression; a group commit without Idempotency-Keys returns the batch's answers directly

-- Ingest: the usual valid event is validated with one boolean expression
-- instead of building every rule's (empty) problem, and the group commit
-- returns the set-based batch's answer directly when no request carries an
-- Idempotency-Key. The rules themselves are unchanged and still live in
-- warden_private.audit_event_problem_list.

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
-- uses: the shortcut first, then the rules.
--------------------------------------------------------------------------------
drop function if exists warden_private.audit_event_rule_problems(jsonb, text);
create function warden_private.audit_event_rule_problems(item jsonb, pointer text) returns jsonb
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
-- The request context builder is inlined (it had a SET clause, which made
-- every call a function call with its own configuration change).
--------------------------------------------------------------------------------
alter function warden_private.ingest_context_from_settings(jsonb) reset search_path;

--------------------------------------------------------------------------------
-- The REST group commit: as before, but a group without Idempotency-Keys
-- returns the batch's answers as they are (no per-request loop), and the
-- generic plan setting of migration 000017 is restated.
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
