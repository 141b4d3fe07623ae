--! Previous: sha1:65301ac45ea398cc44f8f11940976ce48fa7c176
--! Hash: sha1:24aa0e19c9d5962ed6625e154bdf93a895b41043
--! Message: privacy: tenant redaction policies (write-time trigger, redacted read view), GDPR subject export and erasure with erasure records

-- Privacy: per-tenant redaction of audit events (write time and read time)
-- and GDPR subject export and erasure. Design notes: docs/privacy.md.

--------------------------------------------------------------------------------
-- Redaction policies: one per tenant.
--------------------------------------------------------------------------------
drop view if exists warden.audit_events_redacted;
drop view if exists warden_private.audit_events_readable;
drop table if exists warden.redaction_policies cascade;
drop table if exists warden_private.erasure_record_signatures, warden_private.erasure_records, warden_private.erasures cascade;
create table warden.redaction_policies (
  tenant_id uuid primary key default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  mode text not null default 'off' check (mode in ('off', 'log', 'enforce')),
  rules jsonb not null default '[]' check (jsonb_typeof(rules) = 'array'),
  compiled jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  updated_by text
);
comment on table warden.redaction_policies is
  E'@behavior -insert -update -delete\nA tenant''s redaction rules and write-time mode (change them with warden.set_redaction_policy). Readable by the tenant''s owners, admins and auditors.';
comment on column warden.redaction_policies.tenant_id is 'The tenant.';
comment on column warden.redaction_policies.mode is 'Write-time mode: off (store raw), log (store raw, count matches), enforce (rewrite before storing). Reads are masked for non-owner/admin roles whatever the mode.';
comment on column warden.redaction_policies.rules is
  'The rules as given: [{field: event_data, path: "a.b", method}, {field: actor_ip, method}, {field: user_agent, method}, {field: values, table: "schema.table", column, method}], method mask | remove | hash.';
comment on column warden.redaction_policies.compiled is
  E'@behavior -*\nThe rules in the shape the redaction function uses: {ip, ua, data: [{path, method}], values: {table: {column: method}}}.';
comment on column warden.redaction_policies.updated_at is 'When the policy was last changed.';
comment on column warden.redaction_policies.updated_by is 'Who last changed it (actor id or database role).';
alter table warden.redaction_policies enable row level security;
alter table warden.redaction_policies force row level security;
create policy owner_maintenance on warden.redaction_policies to warden_owner using (true) with check (true);
create policy select_tenant on warden.redaction_policies for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin,auditor}'));
grant select (tenant_id, mode, rules, updated_at, updated_by) on warden.redaction_policies to warden_visitor;

-- Write-time match counters (sharded by backend so concurrent writers do not
-- queue on one row); /metrics exports them as warden_redactions_total.
drop table if exists warden_private.redaction_counts;
create table warden_private.redaction_counts (
  mode text not null,
  method text not null,
  shard integer not null,
  n bigint not null default 0,
  primary key (mode, method, shard)
);
comment on table warden_private.redaction_counts is 'Write-time redaction matches by mode (log, enforce) and method, in shards (sum them).';
comment on column warden_private.redaction_counts.mode is 'log or enforce.';
comment on column warden_private.redaction_counts.method is 'mask, remove or hash.';
comment on column warden_private.redaction_counts.shard is 'pg_backend_pid() % 16 of the writer.';
comment on column warden_private.redaction_counts.n is 'Fields matched.';
alter table warden_private.redaction_counts enable row level security;
alter table warden_private.redaction_counts force row level security;
create policy owner_maintenance on warden_private.redaction_counts to warden_owner using (true) with check (true);

--------------------------------------------------------------------------------
-- The redaction primitives.
--------------------------------------------------------------------------------
create or replace function warden_private.hmac_with(inner_key bytea, outer_key bytea, value text) returns text
  language sql immutable parallel safe
as $$
  select 'hmac:' || encode(sha256(outer_key || sha256(inner_key || convert_to(value, 'UTF8'))), 'hex')
$$;
comment on function warden_private.hmac_with(bytea, bytea, text) is 'HMAC-SHA256 of a value under a pre-padded key, as hmac:<hex> (same result as warden_private.keyed_hash).';

drop type if exists warden_private.redacted_payload cascade;

-- THE redaction rules, one function per redactable field plus the marker.
-- mask: j***@example.com for emails, first character and *** for other
-- strings, "***" for other values (idempotent); hash: hmac:<hex>, HMAC-SHA256
-- of the value's text (strings) or JSON (other values) under the tenant's
-- key, left alone when already hmac:...; remove: dropped or null.
-- They call only built-in functions (API roles run them inside the read
-- view and cannot resolve names in warden_private).
-- A compiled policy (warden_private.compile_redaction_rules) carries the
-- tenant's HMAC key (ki, ko: hex) when a rule hashes, so these need no
-- table access. Used at write time (warden_private.tg_audit_redact, the
-- store's BEFORE INSERT trigger) and at read time (the columns of
-- warden.audit_events_redacted, evaluated only for the rows a query returns:
-- their declared cost lets PostgreSQL postpone them past ORDER BY ... LIMIT).
create or replace function warden_private.redact_ip(policy jsonb, actor_ip inet) returns inet
  language sql immutable parallel safe cost 100
as $$
  select case
    when actor_ip is null or (policy ->> 'ip') is null then actor_ip
    when policy ->> 'ip' = 'mask' then network(set_masklen(actor_ip, case family(actor_ip) when 4 then 24 else 48 end))::inet
  end
$$;
comment on function warden_private.redact_ip(jsonb, inet) is 'The actor address under a compiled policy: mask keeps the /24 (IPv6: /48), remove gives null.';

create or replace function warden_private.redact_ua(policy jsonb, user_agent text) returns text
  language sql immutable parallel safe cost 100
as $$
  select case
    when user_agent is null or (policy ->> 'ua') is null then user_agent
    when policy ->> 'ua' = 'mask' then case when user_agent ~ '^[^@]+@[^@]+$' then left(user_agent, 1) || '***@' || split_part(user_agent, '@', 2) when length(user_agent) <= 2 then '***' else left(user_agent, 1) || '***' end
    when policy ->> 'ua' = 'hash' then case when starts_with(user_agent, 'hmac:') then user_agent
      else 'hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(user_agent, 'UTF8'))), 'hex') end
  end
$$;
comment on function warden_private.redact_ua(jsonb, text) is 'The user agent under a compiled policy.';

create or replace function warden_private.redact_data(policy jsonb, event_data jsonb) returns jsonb
  language plpgsql immutable parallel safe cost 500
as $$
declare
  v_path text[];
  v_value jsonb;
  v_method text;
begin
  -- Loops by index over arrays in the compiled policy: simple expressions only (no per-row queries).
  if event_data is null or (policy -> 'dp') is null then
    return event_data;
  end if;
  for i in 0 .. jsonb_array_length(policy -> 'dp') - 1 loop
    v_path := (policy -> 'dp' ->> i)::text[];
    v_value := event_data #> v_path;
    continue when v_value is null;
    v_method := policy -> 'dm' ->> i;
    if v_method = 'remove' then
      event_data := event_data #- v_path;
    else
      event_data := jsonb_set(event_data, v_path,
        case when v_value = 'null'::jsonb then v_value
        when v_method = 'mask' then case when jsonb_typeof(v_value) = 'string' then to_jsonb(case when v_value #>> '{}' ~ '^[^@]+@[^@]+$' then left(v_value #>> '{}', 1) || '***@' || split_part(v_value #>> '{}', '@', 2) when length(v_value #>> '{}') <= 2 then '***' else left(v_value #>> '{}', 1) || '***' end) else '"***"'::jsonb end
        when v_method = 'hash' then case when jsonb_typeof(v_value) = 'string' and starts_with(v_value #>> '{}', 'hmac:') then v_value
          when jsonb_typeof(v_value) = 'string' then to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value #>> '{}', 'UTF8'))), 'hex')) else to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value::text, 'UTF8'))), 'hex')) end end);
    end if;
  end loop;
  return event_data;
end;
$$;
comment on function warden_private.redact_data(jsonb, jsonb) is 'event_data under a compiled policy''s event_data rules.';

create or replace function warden_private.redact_columns(policy jsonb, table_name text, row_values jsonb) returns jsonb
  language plpgsql immutable parallel safe cost 500
as $$
declare
  v_rules jsonb;
  v_col text;
  v_method text;
  v_value jsonb;
begin
  if row_values is null or table_name is null then
    return row_values;
  end if;
  v_rules := policy -> 'vc' -> table_name;
  if v_rules is null then
    return row_values;
  end if;
  for i in 0 .. jsonb_array_length(v_rules -> 'c') - 1 loop
    v_col := v_rules -> 'c' ->> i;
    continue when not (row_values ? v_col);
    v_method := v_rules -> 'm' ->> i;
    v_value := row_values -> v_col;
    row_values := case when v_method = 'remove' then row_values - v_col
      else jsonb_set(row_values, array[v_col], coalesce(
        case when v_value = 'null'::jsonb then v_value
        when v_method = 'mask' then case when jsonb_typeof(v_value) = 'string' then to_jsonb(case when v_value #>> '{}' ~ '^[^@]+@[^@]+$' then left(v_value #>> '{}', 1) || '***@' || split_part(v_value #>> '{}', '@', 2) when length(v_value #>> '{}') <= 2 then '***' else left(v_value #>> '{}', 1) || '***' end) else '"***"'::jsonb end
        when v_method = 'hash' then case when jsonb_typeof(v_value) = 'string' and starts_with(v_value #>> '{}', 'hmac:') then v_value
          when jsonb_typeof(v_value) = 'string' then to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value #>> '{}', 'UTF8'))), 'hex')) else to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value::text, 'UTF8'))), 'hex')) end end, 'null')) end;
  end loop;
  return row_values;
end;
$$;
comment on function warden_private.redact_columns(jsonb, text, jsonb) is 'old_values or new_values of a row event under a compiled policy''s values rules for its table.';

create or replace function warden_private.redaction_marker(
  policy jsonb, table_name text, actor_ip inet, user_agent text, old_values jsonb, new_values jsonb, event_data jsonb)
  returns jsonb
  language plpgsql immutable parallel safe cost 300
as $$
declare
  v_marks jsonb := '{}';
  v_path text[];
  v_rules jsonb;
  v_col text;
begin
  if actor_ip is not null and policy ? 'ip' then
    v_marks := v_marks || jsonb_build_object('actor_ip', policy ->> 'ip');
  end if;
  if user_agent is not null and policy ? 'ua' then
    v_marks := v_marks || jsonb_build_object('user_agent', policy ->> 'ua');
  end if;
  if event_data is not null and policy ? 'dp' then
    for i in 0 .. jsonb_array_length(policy -> 'dp') - 1 loop
      v_path := (policy -> 'dp' ->> i)::text[];
      if (event_data #> v_path) is not null then
        v_marks := v_marks || jsonb_build_object('event_data.' || array_to_string(v_path, '.'), policy -> 'dm' ->> i);
      end if;
    end loop;
  end if;
  v_rules := policy -> 'vc' -> table_name;
  if v_rules is not null and (old_values is not null or new_values is not null) then
    for i in 0 .. jsonb_array_length(v_rules -> 'c') - 1 loop
      v_col := v_rules -> 'c' ->> i;
      if old_values ? v_col then
        v_marks := v_marks || jsonb_build_object('old_values.' || v_col, v_rules -> 'm' ->> i);
      end if;
      if new_values ? v_col then
        v_marks := v_marks || jsonb_build_object('new_values.' || v_col, v_rules -> 'm' ->> i);
      end if;
    end loop;
  end if;
  return nullif(v_marks, '{}');
end;
$$;
comment on function warden_private.redaction_marker(jsonb, text, inet, text, jsonb, jsonb, jsonb) is
  'What a compiled policy redacts in an event, as {field: method} (e.g. {"actor_ip": "mask", "event_data.customer.email": "hash"}); null when nothing.';

-- Reads evaluate them inside warden.audit_events_redacted, as the reader.
grant execute on function warden_private.redact_ip(jsonb, inet), warden_private.redact_ua(jsonb, text),
  warden_private.redact_data(jsonb, jsonb), warden_private.redact_columns(jsonb, text, jsonb),
  warden_private.redaction_marker(jsonb, text, inet, text, jsonb, jsonb, jsonb) to warden_visitor;

create or replace function warden_private.policy_with_key(tenant_id uuid, compiled jsonb) returns jsonb
  language sql stable parallel safe
  security definer
  set search_path = pg_catalog
as $$
  select case
    when compiled is null or compiled = '{}'::jsonb then null
    when not coalesce((compiled ->> 'needs_key')::boolean, false) then compiled
    else compiled || (select jsonb_build_object('ki', encode(k.inner_key, 'hex'), 'ko', encode(k.outer_key, 'hex'))
                      from warden_private.tenant_hash_keys k where k.tenant_key = policy_with_key.tenant_id)
  end
$$;
comment on function warden_private.policy_with_key(uuid, jsonb) is 'A compiled policy with the tenant''s HMAC key added when a rule hashes (never returned to clients).';

create or replace function warden_private.compile_redaction_rules(rules jsonb) returns jsonb
  language plpgsql immutable
  set search_path = pg_catalog
as $$
declare
  v_rule jsonb;
  v_i integer := 0;
  v_out jsonb := '{}';
  v_field text;
  v_method text;
  v_key text;
  v_path text;
begin
  if jsonb_typeof(rules) is distinct from 'array' then
    raise exception 'redaction rules must be a JSON array' using errcode = '22023';
  end if;
  if jsonb_array_length(rules) > 200 then
    raise exception 'at most 200 redaction rules, got %', jsonb_array_length(rules) using errcode = '22023';
  end if;
  for v_rule in select * from jsonb_array_elements(rules) loop
    if jsonb_typeof(v_rule) <> 'object' then
      raise exception 'rule %: must be an object {field, method, ...}', v_i using errcode = '22023';
    end if;
    for v_key in select jsonb_object_keys(v_rule) loop
      if v_key not in ('field', 'method', 'path', 'table', 'column') then
        raise exception 'rule %: unknown key %', v_i, quote_literal(v_key) using errcode = '22023';
      end if;
    end loop;
    v_field := v_rule ->> 'field';
    v_method := v_rule ->> 'method';
    if v_method is null or v_method not in ('mask', 'remove', 'hash') then
      raise exception 'rule %: method must be mask, remove or hash', v_i using errcode = '22023';
    end if;
    case v_field
      when 'actor_ip' then
        if v_method = 'hash' then
          raise exception 'rule %: actor_ip can be masked or removed, not hashed (it is an address)', v_i using errcode = '22023';
        end if;
        v_out := v_out || jsonb_build_object('ip', v_method);
      when 'user_agent' then
        v_out := v_out || jsonb_build_object('ua', v_method);
      when 'event_data' then
        v_path := v_rule ->> 'path';
        if v_path is null or v_path !~ '^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$' then
          raise exception 'rule %: path must be a dotted path of keys in event_data, e.g. customer.email', v_i using errcode = '22023';
        end if;
        v_out := jsonb_set(v_out, '{data}', coalesce(v_out -> 'data', '[]') ||
          jsonb_build_array(jsonb_build_object('path', to_jsonb(string_to_array(v_path, '.')), 'method', v_method)));
        -- the same as parallel arrays of text[] literals and methods, for the per-row functions
        v_out := jsonb_set(v_out, '{dp}', coalesce(v_out -> 'dp', '[]') || to_jsonb(string_to_array(v_path, '.')::text));
        v_out := jsonb_set(v_out, '{dm}', coalesce(v_out -> 'dm', '[]') || to_jsonb(v_method));
      when 'values' then
        if coalesce(v_rule ->> 'table', '') !~ '^[^.]+\.[^.]+$' or coalesce(v_rule ->> 'column', '') = '' then
          raise exception 'rule %: a values rule names table (schema.table as in audit_events.table_name) and column', v_i using errcode = '22023';
        end if;
        v_out := jsonb_set(v_out, '{values}', coalesce(v_out -> 'values', '{}') ||
          jsonb_build_object(v_rule ->> 'table', coalesce(v_out #> array['values', v_rule ->> 'table'], '{}') || jsonb_build_object(v_rule ->> 'column', v_method)));
        v_out := jsonb_set(v_out, '{vc}', coalesce(v_out -> 'vc', '{}') ||
          jsonb_build_object(v_rule ->> 'table', jsonb_build_object(
            'c', coalesce(v_out #> array['vc', v_rule ->> 'table', 'c'], '[]') || to_jsonb(v_rule ->> 'column'),
            'm', coalesce(v_out #> array['vc', v_rule ->> 'table', 'm'], '[]') || to_jsonb(v_method))));
      else
        raise exception 'rule %: field must be event_data, actor_ip, user_agent or values', v_i using errcode = '22023';
    end case;
    if v_method = 'hash' then
      v_out := v_out || '{"needs_key": true}';
    end if;
    v_i := v_i + 1;
  end loop;
  return v_out;
end;
$$;
comment on function warden_private.compile_redaction_rules(jsonb) is 'Validates redaction rules (SQLSTATE 22023 naming the bad rule) and compiles them for the per-field redaction functions (warden_private.redact_ip, redact_ua, redact_data, redact_columns, redaction_marker).';

--------------------------------------------------------------------------------
-- Write time: a BEFORE INSERT row trigger on the store, present only while
-- some tenant has mode log or enforce (so a database without such tenants
-- pays nothing).
--------------------------------------------------------------------------------
create or replace function warden_private.tg_audit_redact() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_mode text;
  v_policy jsonb;
  v_marks jsonb;
begin
  if new.tenant_id is null or warden_private.in_governance_operation() then
    return new;  -- governance moves (partition drain) keep sealed content as it is
  end if;
  select p.mode, p.compiled || coalesce(jsonb_build_object('ki', encode(k.inner_key, 'hex'), 'ko', encode(k.outer_key, 'hex')), '{}')
    into v_mode, v_policy
  from warden.redaction_policies p
  left join warden_private.tenant_hash_keys k on k.tenant_key = p.tenant_id and (p.compiled ->> 'needs_key')::boolean
  where p.tenant_id = new.tenant_id and p.mode <> 'off';
  if v_mode is null then
    return new;
  end if;
  v_marks := warden_private.redaction_marker(v_policy, new.table_name, new.actor_ip, new.user_agent, new.old_values, new.new_values, new.event_data);
  if v_marks is null then
    return new;
  end if;
  -- Count in a transaction-local setting; the statement-level trigger below
  -- adds it to warden_private.redaction_counts once per statement (one
  -- upsert per row made every row of a bulk insert update the same row).
  perform set_config('warden.redaction_pending', (
    select jsonb_object_agg(x.k, x.n)::text from (
      select p.key as k, sum(p.value::bigint) as n from (
        select * from jsonb_each_text(coalesce(nullif(current_setting('warden.redaction_pending', true), ''), '{}')::jsonb)
        union all
        select v_mode || '/' || m.value, '1' from jsonb_each_text(v_marks) m
      ) p group by p.key) x), true);
  if v_mode = 'enforce' then
    new.actor_ip := warden_private.redact_ip(v_policy, new.actor_ip);
    new.user_agent := warden_private.redact_ua(v_policy, new.user_agent);
    new.old_values := warden_private.redact_columns(v_policy, new.table_name, new.old_values);
    new.new_values := warden_private.redact_columns(v_policy, new.table_name, new.new_values);
    new.event_data := warden_private.redact_data(v_policy, new.event_data);
  end if;
  return new;
end;
$$;
comment on function warden_private.tg_audit_redact() is
  'Trigger (BEFORE INSERT on warden.audit_events, installed while a tenant has mode log or enforce): counts rule matches and, in enforce mode, stores the redacted values instead of the raw ones. Covers trigger capture, posted events and DDL events alike.';

create or replace function warden_private.tg_audit_redact_flush() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_pending text := nullif(current_setting('warden.redaction_pending', true), '');
begin
  if v_pending is null then
    return null;
  end if;
  perform set_config('warden.redaction_pending', '', true);
  insert into warden_private.redaction_counts as c (mode, method, shard, n)
  select split_part(p.key, '/', 1), split_part(p.key, '/', 2), pg_backend_pid() % 16, p.value::bigint
  from jsonb_each_text(v_pending::jsonb) p
  on conflict on constraint redaction_counts_pkey do update set n = c.n + excluded.n;
  return null;
end;
$$;
comment on function warden_private.tg_audit_redact_flush() is
  'Trigger (AFTER INSERT statement on warden.audit_events, installed with the redaction trigger): adds the statement''s counted redactions to warden_private.redaction_counts.';

create or replace function warden_private.sync_redaction_trigger() returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenants uuid[] := array(select p.tenant_id from warden.redaction_policies p where p.mode <> 'off' order by 1);
begin
  -- The trigger's WHEN clause names the tenants with mode log or enforce, so
  -- every other insert is filtered out before any function is called.
  perform pg_advisory_xact_lock(hashtext('warden.redaction_trigger'));
  drop trigger if exists _050_redact on warden.audit_events;
  drop trigger if exists _950_redact_count on warden.audit_events;
  if cardinality(v_tenants) > 0 then
    execute format('create trigger _050_redact before insert on warden.audit_events for each row
      when (new.tenant_id = any (%L::uuid[])) execute function warden_private.tg_audit_redact()', v_tenants);
    create trigger _950_redact_count after insert on warden.audit_events
      for each statement execute function warden_private.tg_audit_redact_flush();
  end if;
  return cardinality(v_tenants) > 0;
end;
$$;
comment on function warden_private.sync_redaction_trigger() is 'Installs the write-time redaction trigger for exactly the tenants with mode log or enforce (in its WHEN clause), and removes it when there are none.';

create or replace function warden.set_redaction_policy(mode text, rules jsonb, tenant uuid default null)
  returns warden.redaction_policies
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := coalesce(tenant, warden.current_tenant_id());
  v_compiled jsonb;
  v_row warden.redaction_policies;
begin
  perform warden_private.assert_tenant_admin(v_tenant);
  if mode is null or mode not in ('off', 'log', 'enforce') then
    raise exception 'mode must be off, log or enforce, got %', coalesce(quote_literal(mode), 'null') using errcode = '22023';
  end if;
  v_compiled := warden_private.compile_redaction_rules(coalesce(rules, '[]'));
  if (v_compiled ->> 'needs_key')::boolean then
    perform warden_private.tenant_hash_key(v_tenant);
  end if;
  insert into warden.redaction_policies as p (tenant_id, mode, rules, compiled, updated_at, updated_by)
  values (v_tenant, set_redaction_policy.mode, coalesce(rules, '[]'), v_compiled, now(), warden.current_actor() ->> 'id')
  on conflict on constraint redaction_policies_pkey do update
    set mode = excluded.mode, rules = excluded.rules, compiled = excluded.compiled, updated_at = now(), updated_by = excluded.updated_by
  returning * into v_row;
  perform warden_private.sync_redaction_trigger();
  return v_row;
end;
$$;

--------------------------------------------------------------------------------
-- Who may govern a tenant: its owners and admins (API requests), or a
-- database role calling directly without any request context (a DBA; only
-- roles granted EXECUTE get here).
--------------------------------------------------------------------------------
create or replace function warden_private.assert_tenant_admin(tenant uuid) returns void
  language plpgsql stable
  set search_path = pg_catalog
as $$
begin
  if tenant is null then
    raise exception 'a tenant is required' using errcode = '22023';
  end if;
  if warden.current_tenant_id() is null and coalesce(current_setting('role', true), 'none') <> 'warden_visitor' then
    if not exists (select 1 from warden.tenants t where t.id = tenant) then
      raise exception 'tenant % does not exist', tenant using errcode = 'P0002';
    end if;
    return;  -- a direct database caller with EXECUTE on the function
  end if;
  if warden.current_tenant_id() is distinct from tenant or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'this needs tenant role owner or admin in tenant %', tenant using errcode = '42501', hint = 'missing_role=admin';
  end if;
end;
$$;
comment on function warden_private.assert_tenant_admin(uuid) is
  'Raises 42501 unless the caller is an owner or admin of the tenant (from the request context) or a direct database caller without a request context.';

comment on function warden.set_redaction_policy(text, jsonb, uuid) is
  E'Sets the current tenant''s redaction policy (tenant owners and admins; a DBA without a request context passes tenant): mode off | log | enforce and rules [{field: event_data, path, method} | {field: actor_ip | user_agent, method} | {field: values, table, column, method}] with method mask | remove | hash. Returns the policy.';
grant execute on function warden.set_redaction_policy(text, jsonb, uuid) to warden_visitor;

--------------------------------------------------------------------------------
-- Read time: the one view every API read goes through. Owners and admins
-- who ask (warden.include_redacted = true) see raw values; everyone else
-- sees the tenant's rules applied, with redacted_fields saying what was
-- hidden ({field: method}).
--------------------------------------------------------------------------------
create or replace function warden_private.read_policy() returns jsonb
  language plpgsql stable parallel safe
  security definer
  set search_path = pg_catalog
as $$
begin
  if warden.has_tenant_role('{owner,admin}') and current_setting('warden.include_redacted', true) = 'true' then
    return null;
  end if;
  return (select warden_private.policy_with_key(p.tenant_id, p.compiled) from warden.redaction_policies p
          where p.tenant_id = warden.current_tenant_id());
end;
$$;
comment on function warden_private.read_policy() is
  'The compiled policy to apply to this request''s reads: null for raw (no rules, or an owner/admin with warden.include_redacted = true).';
grant execute on function warden_private.read_policy() to warden_visitor;

-- Two levels: a security-barrier view keeps rows to the caller's tenant
-- and reading roles (like the store's row-level security: only leakproof
-- conditions, such as the indexed column filters, run before it); the view
-- API roles read computes the redacted columns on top, so PostgreSQL
-- evaluates them only for the rows a page returns (after ORDER BY/LIMIT).
drop view if exists warden_private.audit_events_readable;
create view warden_private.audit_events_readable with (security_barrier = true) as
  select e.* from warden.audit_events e
  where e.tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin,auditor}');
comment on view warden_private.audit_events_readable is
  'The audit events the caller may read (its tenant; owners, admins and auditors), raw. Only warden.audit_events_redacted reads it.';
-- Its columns are the store's: the same comments.
do $$
declare
  r record;
begin
  for r in select a.attname, col_description('warden.audit_events'::regclass, a.attnum) as d
           from pg_attribute a where a.attrelid = 'warden.audit_events'::regclass and a.attnum > 0 and not a.attisdropped loop
    execute format('comment on column warden_private.audit_events_readable.%I is %L', r.attname,
                   regexp_replace(coalesce(r.d, r.attname), '^@[^\n]*\n', ''));
  end loop;
end;
$$;

create view warden.audit_events_redacted as
  select e.event_id, e.occurred_at, e.recorded_at, e.tenant_id, e.event_type, e.category, e.action, e.outcome, e.severity,
         e.actor_type, e.actor_id,
         case when (select warden_private.read_policy()) is null then e.actor_ip
              else warden_private.redact_ip((select warden_private.read_policy()), e.actor_ip) end as actor_ip,
         case when (select warden_private.read_policy()) is null then e.user_agent
              else warden_private.redact_ua((select warden_private.read_policy()), e.user_agent) end as user_agent,
         e.resource_type, e.resource_id, e.correlation_id, e.trace_id, e.parent_event_id, e.service, e.txid, e.table_name,
         e.row_pk, e.changed_fields,
         case when (select warden_private.read_policy()) is null then e.old_values
              else warden_private.redact_columns((select warden_private.read_policy()), e.table_name, e.old_values) end as old_values,
         case when (select warden_private.read_policy()) is null then e.new_values
              else warden_private.redact_columns((select warden_private.read_policy()), e.table_name, e.new_values) end as new_values,
         case when (select warden_private.read_policy()) is null then e.event_data
              else warden_private.redact_data((select warden_private.read_policy()), e.event_data) end as event_data,
         case when (select warden_private.read_policy()) is null then null::jsonb
              else warden_private.redaction_marker((select warden_private.read_policy()), e.table_name, e.actor_ip, e.user_agent,
                                                   e.old_values, e.new_values, e.event_data) end as redacted_fields
  from warden_private.audit_events_readable e;
comment on view warden.audit_events_redacted is
  E'@name audit_events\n@primaryKey event_id,occurred_at\n@behavior -insert -update -delete\nThe audit events of the current tenant as its owners, admins and auditors may read them: the tenant''s redaction rules applied (owners and admins see raw values when the request sets include_redacted), redacted_fields naming what was hidden. The one read path of REST, GraphQL (auditEvents), export and row_history.';
comment on column warden.audit_events_redacted.event_id is E'@behavior +filterBy +orderBy\nUnique id of the event (UUID version 7: time-ordered).';
comment on column warden.audit_events_redacted.occurred_at is E'@behavior +filterBy +orderBy\nWhen it happened.';
comment on column warden.audit_events_redacted.recorded_at is 'When Warden stored it.';
comment on column warden.audit_events_redacted.tenant_id is E'@behavior +filterBy\nThe tenant.';
comment on column warden.audit_events_redacted.event_type is E'@behavior +filterBy +orderBy\nDotted, lower-case type.';
comment on column warden.audit_events_redacted.category is 'Broad category.';
comment on column warden.audit_events_redacted.action is 'What was done.';
comment on column warden.audit_events_redacted.outcome is E'@behavior +filterBy\nsuccess, failure or unknown.';
comment on column warden.audit_events_redacted.severity is E'@behavior +filterBy\nSeverity.';
comment on column warden.audit_events_redacted.actor_type is E'@behavior +filterBy\nKind of actor.';
comment on column warden.audit_events_redacted.actor_id is E'@behavior +filterBy\nWho acted.';
comment on column warden.audit_events_redacted.actor_ip is 'Client address of the actor (masked to its /24 or /48, or null, under a redaction rule).';
comment on column warden.audit_events_redacted.user_agent is 'User agent of the actor (redaction rules apply).';
comment on column warden.audit_events_redacted.resource_type is E'@behavior +filterBy\nType of the affected resource.';
comment on column warden.audit_events_redacted.resource_id is E'@behavior +filterBy\nId of the affected resource.';
comment on column warden.audit_events_redacted.correlation_id is E'@behavior +filterBy\nGroups the events of one request.';
comment on column warden.audit_events_redacted.trace_id is E'@behavior +filterBy\nTrace id of the request.';
comment on column warden.audit_events_redacted.parent_event_id is 'The event that caused this one.';
comment on column warden.audit_events_redacted.service is E'@behavior +filterBy\nThe service that produced the event.';
comment on column warden.audit_events_redacted.txid is 'Id of the writing transaction.';
comment on column warden.audit_events_redacted.table_name is E'@behavior +filterBy\nFor row events: the audited table.';
comment on column warden.audit_events_redacted.row_pk is 'For row events: the primary key.';
comment on column warden.audit_events_redacted.changed_fields is 'For updates: the changed columns.';
comment on column warden.audit_events_redacted.old_values is 'Old values (redaction rules apply).';
comment on column warden.audit_events_redacted.new_values is 'New values (redaction rules apply).';
comment on column warden.audit_events_redacted.event_data is E'@behavior +attribute:filterBy\nEvent payload (redaction rules apply; filters match the values as shown).';
comment on column warden.audit_events_redacted.redacted_fields is 'What the tenant''s rules hid in this event, as {field: method} (e.g. {"actor_ip": "mask", "event_data.customer.email": "hash"}); null when nothing was.';
grant select on warden.audit_events_redacted to warden_visitor;

-- The store itself: visitors keep the columns no rule can touch (so
-- existing filters and counts work); the redactable ones only through the
-- view above. GraphQL serves the view as auditEvents.
comment on table warden.audit_events is
  E'@name audit_event_store\n@behavior -*\nEvery audit event of every tenant: row changes captured by triggers and events posted by services. Monthly partitions (warden_private.audit_events_pYYYYMM) plus a default partition. Append-only: UPDATE, DELETE and TRUNCATE fail except inside Warden''s governance functions. API reads go through warden.audit_events_redacted.';
revoke select on warden.audit_events from warden_visitor;
grant select (event_id, occurred_at, recorded_at, tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id,
  resource_type, resource_id, correlation_id, trace_id, parent_event_id, service, txid, table_name, row_pk, changed_fields)
  on warden.audit_events to warden_visitor;
revoke select on warden.audit_logs from warden_visitor;
comment on view warden.audit_logs is
  E'@behavior -*\nCompatibility view for direct database users: the audit_logs shape of the seed design (id, actor, target, metadata, ip, user agent, created_at) over warden.audit_events, raw. API users read warden.audit_events_redacted.';

--------------------------------------------------------------------------------
-- row_history through the same view for API callers (and raw for direct
-- database users who may read the store).
--------------------------------------------------------------------------------
drop function if exists warden.row_history(regclass, jsonb);
drop function if exists warden.audit_row_history(text, jsonb);
create function warden.audit_row_history(table_name text, pk jsonb)
  returns table (
    event_id uuid,
    occurred_at timestamptz,
    action text,
    actor_type warden.actor_type,
    actor_id text,
    trace_id text,
    txid bigint,
    changed_fields text[],
    old_values jsonb,
    new_values jsonb,
    row_data jsonb,
    redacted_fields jsonb
  )
  language plpgsql stable strict
  set search_path = pg_catalog
as $$
declare
  v_parts text[];
  v_oid oid;
  v_table text;
  v_pk_cols text[];
  v_keys jsonb[] := array[pk];
  v_prev jsonb;
  v_hops integer := 0;
  v_row jsonb;
  v_source text;
  r record;
begin
  -- API callers (no access to raw redactable columns) read the redacted
  -- view; direct database users with full access read the store.
  v_source := case when has_column_privilege('warden.audit_events', 'event_data', 'select')
                   then 'warden.audit_events' else 'warden.audit_events_redacted' end;
  begin
    v_parts := parse_ident(table_name);
  exception when others then
    raise exception 'table_name must be schema.table, got %', quote_literal(table_name) using errcode = '22023';
  end;
  if cardinality(v_parts) = 1 then
    v_oid := to_regclass(table_name);
    select n.nspname, c.relname into v_parts[1], v_parts[2]
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_oid;
  elsif cardinality(v_parts) = 2 then
    select c.oid into v_oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = v_parts[1] and c.relname = v_parts[2] and c.relkind in ('r', 'p');
  else
    raise exception 'table_name must be schema.table, got %', quote_literal(table_name) using errcode = '22023';
  end if;
  if v_oid is null then
    raise exception 'table % does not exist', table_name using errcode = '42P01';
  end if;
  v_table := format('%I.%I', v_parts[1], v_parts[2]);
  select array_agg(a.attname::text order by k.ord) into v_pk_cols
  from pg_index ix
  cross join lateral unnest(ix.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum
  where ix.indrelid = v_oid and ix.indisprimary;
  if pk is null or jsonb_typeof(pk) <> 'object' then
    raise exception 'pk must be a JSON object of primary key columns, e.g. {"id": 42}' using errcode = '22023';
  end if;
  if v_pk_cols is null then
    raise exception '% has no primary key: its rows have no stable identity to follow', v_table using errcode = '22023';
  end if;
  if (select array_agg(k order by k) from jsonb_object_keys(pk) k) <> (select array_agg(k order by k) from unnest(v_pk_cols) k) then
    raise exception 'pk must name exactly the primary key columns of %: %', v_table, array_to_string(v_pk_cols, ', ') using errcode = '22023';
  end if;
  -- Follow primary-key changes backwards: an update that changed the key
  -- carries the old key in old_values.
  loop
    execute format(
      'select jsonb_object_agg(k, e.old_values -> k)
       from %s e, unnest($3) k
       where e.table_name = $1 and e.row_pk = $2 and e.action = ''update'' and e.changed_fields && $3
       group by e.event_id, e.occurred_at
       order by e.occurred_at, e.event_id
       limit 1', v_source)
      into v_prev using v_table, v_keys[cardinality(v_keys)], v_pk_cols;
    exit when v_prev is null or v_prev = any (v_keys) or v_hops > 100;
    v_keys := v_keys || v_prev;
    v_hops := v_hops + 1;
  end loop;

  for r in execute format(
    'select e.event_id, e.occurred_at, e.action, e.actor_type, e.actor_id, e.trace_id, e.txid, e.changed_fields,
            e.old_values, e.new_values, %s as redacted_fields
     from %s e
     where e.table_name = $1 and e.row_pk = any ($2) and e.category = ''data''
     order by e.occurred_at, e.txid, e.recorded_at, e.event_id',
    case when v_source = 'warden.audit_events' then 'null::jsonb' else 'e.redacted_fields' end, v_source)
    using v_table, v_keys
  loop
    v_row := case r.action
      when 'insert' then r.new_values
      when 'update' then coalesce(v_row, '{}'::jsonb) || coalesce(r.new_values, '{}'::jsonb)
      when 'delete' then null
      else v_row end;
    event_id := r.event_id; occurred_at := r.occurred_at; action := r.action;
    actor_type := r.actor_type; actor_id := r.actor_id; trace_id := r.trace_id; txid := r.txid;
    changed_fields := r.changed_fields; old_values := r.old_values; new_values := r.new_values;
    row_data := v_row;
    redacted_fields := r.redacted_fields;
    return next;
  end loop;
end;
$$;
comment on function warden.audit_row_history(text, jsonb) is
  E'@name row_history\nThe versions of one row of an audited table (named schema.table), oldest first, across primary-key changes: each event with its actor, diff (changed_fields, old_values, new_values), the row as it stood after it (row_data) and redacted_fields. API callers read through warden.audit_events_redacted (the tenant''s redaction rules apply); direct database users who may read the store see it raw. GraphQL: rowHistory(tableName, pk).';
grant execute on function warden.audit_row_history(text, jsonb) to warden_visitor;

create function warden.row_history(target regclass, pk jsonb)
  returns table (
    event_id uuid,
    occurred_at timestamptz,
    action text,
    actor_type warden.actor_type,
    actor_id text,
    trace_id text,
    txid bigint,
    changed_fields text[],
    old_values jsonb,
    new_values jsonb,
    row_data jsonb,
    redacted_fields jsonb
  )
  language sql stable
  set search_path = pg_catalog
as $$
  select h.* from warden.audit_row_history(
    (select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target),
    pk) h
$$;
comment on function warden.row_history(regclass, jsonb) is
  E'@name row_history_regclass\n@behavior -*\nThe versions of one row, oldest first (the regclass form of warden.audit_row_history(text, jsonb), which GraphQL exposes as rowHistory).';

--------------------------------------------------------------------------------
-- GDPR: erasure bookkeeping. Erasure rewrites payload fields of sealed
-- events; for each rewritten event it keeps the payload hash before and
-- after, and the sealing key (outside the database) signs each record. The
-- verifier accepts a changed payload only under a validly signed record.
--------------------------------------------------------------------------------
create table warden_private.erasures (
  erasure_id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  subject_pseudonym text not null,
  reason text,
  requested_by jsonb not null,
  started_at timestamptz not null default clock_timestamp(),
  finished_at timestamptz,
  receipt jsonb
);
comment on table warden_private.erasures is 'One row per GDPR erasure: the subject only as its keyed pseudonym, who asked, why, and the receipt.';
comment on column warden_private.erasures.erasure_id is 'Erasure id (in the receipt and the erasure event).';
comment on column warden_private.erasures.tenant_id is 'The tenant.';
comment on column warden_private.erasures.subject_pseudonym is 'hmac:<hex> of the subject id under the tenant''s key (the raw id is never stored).';
comment on column warden_private.erasures.reason is 'Why (with the subject id replaced by its pseudonym).';
comment on column warden_private.erasures.requested_by is 'warden.current_actor() of the caller.';
comment on column warden_private.erasures.started_at is 'When it started.';
comment on column warden_private.erasures.finished_at is 'When it finished.';
comment on column warden_private.erasures.receipt is 'The receipt returned to the caller.';

create table warden_private.erasure_records (
  event_id uuid not null,
  erased_payload_hash bytea not null,
  original_payload_hash bytea not null,
  tenant_key uuid not null,
  erasure_id uuid not null references warden_private.erasures (erasure_id),
  recorded_at timestamptz not null default clock_timestamp(),
  primary key (event_id, erased_payload_hash)
);
create index erasure_records_tenant_idx on warden_private.erasure_records (tenant_key);
create index erasure_records_erasure_idx on warden_private.erasure_records (erasure_id);
comment on table warden_private.erasure_records is
  'For each event an erasure rewrote: its payload hash before and after. The verifier uses original_payload_hash for an event whose current payload hashes to erased_payload_hash, only when a valid signature (erasure_record_signatures) covers the record.';
comment on column warden_private.erasure_records.event_id is 'The rewritten event.';
comment on column warden_private.erasure_records.erased_payload_hash is 'warden_private.audit_payload_hash of the event after the rewrite.';
comment on column warden_private.erasure_records.original_payload_hash is 'Its payload hash before the rewrite (what the chain may have sealed).';
comment on column warden_private.erasure_records.tenant_key is 'The chain (tenant id).';
comment on column warden_private.erasure_records.erasure_id is 'The erasure that rewrote it.';
comment on column warden_private.erasure_records.recorded_at is 'When.';

create table warden_private.erasure_record_signatures (
  event_id uuid not null,
  erased_payload_hash bytea not null,
  key_id text not null,
  signature bytea not null,
  signed_at timestamptz not null default now(),
  primary key (event_id, erased_payload_hash, key_id),
  foreign key (event_id, erased_payload_hash) references warden_private.erasure_records (event_id, erased_payload_hash)
);
comment on table warden_private.erasure_record_signatures is
  'Ed25519 signatures of erasure records by the sealing key (signed by the API or CLI right after an erasure, or by the next sealing pass). See src/audit/erasureRecords.ts.';
comment on column warden_private.erasure_record_signatures.event_id is 'The record''s event.';
comment on column warden_private.erasure_record_signatures.erased_payload_hash is 'The record''s erased payload hash.';
comment on column warden_private.erasure_record_signatures.key_id is 'Fingerprint of the signing key.';
comment on column warden_private.erasure_record_signatures.signature is 'Ed25519 signature of the record message.';
comment on column warden_private.erasure_record_signatures.signed_at is 'When it was signed.';

do $$
declare
  t text;
begin
  foreach t in array array['erasures', 'erasure_records', 'erasure_record_signatures'] loop
    execute format('alter table warden_private.%I enable row level security', t);
    execute format('alter table warden_private.%I force row level security', t);
    execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', t);
    execute format('create trigger _010_append_only before update or delete on warden_private.%I
      for each row execute function warden_private.tg_audit_append_only()', t);
  end loop;
end;
$$;

--------------------------------------------------------------------------------
-- Erasure primitives: the one place of the rules.
--------------------------------------------------------------------------------
create or replace function warden_private.erase_text(value text, subject text, pseudonym text) returns text
  language sql immutable parallel safe
as $$
  -- Whole value equal to the id: the pseudonym. Ids of 6+ characters are
  -- also replaced inside longer strings (composite keys, URLs, emails in
  -- text); shorter ones only as whole values, so "42" does not rewrite 1423.
  select case
    when value is null then null
    when value = subject then pseudonym
    when length(subject) >= 6 then replace(value, subject, pseudonym)
    else value
  end
$$;
comment on function warden_private.erase_text(text, text, text) is 'A text with the subject id replaced by its pseudonym (whole value always; inside longer text for ids of 6+ characters).';

create or replace function warden_private.erase_json(value jsonb, subject text, pseudonym text) returns jsonb
  language plpgsql immutable parallel safe
  set search_path = pg_catalog
as $$
begin
  return case jsonb_typeof(value)
    when 'object' then (select coalesce(jsonb_object_agg(warden_private.erase_text(e.key, subject, pseudonym),
                                                          warden_private.erase_json(e.value, subject, pseudonym)), '{}'::jsonb)
                        from jsonb_each(value) e)
    when 'array' then (select coalesce(jsonb_agg(warden_private.erase_json(a.value, subject, pseudonym) order by a.ord), '[]'::jsonb)
                       from jsonb_array_elements(value) with ordinality a(value, ord))
    when 'string' then to_jsonb(warden_private.erase_text(value #>> '{}', subject, pseudonym))
    when 'number' then case when value::text = subject then to_jsonb(pseudonym) else value end
    else value
  end;
end;
$$;
comment on function warden_private.erase_json(jsonb, text, text) is 'A JSON value with every key, string and number that is (or, for ids of 6+ characters, contains) the subject id replaced by its pseudonym.';

create or replace function warden_private.json_needle(subject text) returns text
  language sql immutable parallel safe
as $$
  select case when length(subject) >= 6 then substr(to_jsonb(subject)::text, 2, length(to_jsonb(subject)::text) - 2)
              else to_jsonb(subject)::text end
$$;
comment on function warden_private.json_needle(text) is 'What the subject id looks like inside jsonb text: the escaped id (6+ characters), or the whole quoted string for shorter ids.';

create or replace function warden_private.event_mentions(e warden.audit_events, subject text, needle text) returns boolean
  language sql immutable parallel safe
as $$
  select e.actor_id = subject or e.resource_id = subject
    or (length(subject) >= 6 and (strpos(e.actor_id, subject) > 0 or strpos(coalesce(e.resource_id, ''), subject) > 0
        or strpos(coalesce(e.user_agent, ''), subject) > 0 or strpos(coalesce(e.service, ''), subject) > 0))
    or strpos(coalesce(e.row_pk::text, '') || coalesce(e.old_values::text, '') || coalesce(e.new_values::text, '')
              || coalesce(e.event_data::text, ''), needle) > 0
    or (length(subject) < 6 and subject ~ '^-?[0-9]+(\.[0-9]+)?$'
        and (e.row_pk::text ~ ('[:\[,] ?' || subject || '[,}\]]') or e.old_values::text ~ ('[:\[,] ?' || subject || '[,}\]]')
             or e.new_values::text ~ ('[:\[,] ?' || subject || '[,}\]]') or e.event_data::text ~ ('[:\[,] ?' || subject || '[,}\]]')))
$$;
comment on function warden_private.event_mentions(warden.audit_events, text, text) is 'Whether an event holds the subject id anywhere erasure rewrites.';

create or replace function warden_private.strip_paths(doc jsonb, data_rules jsonb) returns jsonb
  language plpgsql immutable parallel safe
  set search_path = pg_catalog
as $$
declare
  v_rule jsonb;
begin
  if doc is null or data_rules is null then
    return doc;
  end if;
  for v_rule in select * from jsonb_array_elements(data_rules) loop
    doc := doc #- array(select jsonb_array_elements_text(v_rule -> 'path'));
  end loop;
  return doc;
end;
$$;
comment on function warden_private.strip_paths(jsonb, jsonb) is 'event_data without the paths of a compiled policy''s data rules (the tenant''s configured PII paths).';

create or replace function warden_private.governance_erase_subject_batch(
  erasure_id uuid, tenant uuid, subject text, pseudonym text,
  after_occurred_at timestamptz, after_event_id uuid, batch_size integer,
  out scanned integer, out rewritten integer, out actor_matches integer, out resource_matches integer,
  out last_occurred_at timestamptz, out last_event_id uuid)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_needle text := warden_private.json_needle(subject);
  v_policy jsonb;
  v_paths text[];
  v_cols jsonb;
begin
  perform set_config('warden.governance_operation', 'erase_subject', true);
  select p.compiled into v_policy from warden.redaction_policies p where p.tenant_id = tenant;
  -- The tenant's configured PII: event_data paths and column names of values rules.
  v_cols := coalesce((select jsonb_object_agg(t.key, t.value) from jsonb_each(v_policy -> 'values') t), '{}');

  if to_regclass('pg_temp.warden_erase_batch') is null then
    create temporary table warden_erase_batch (
      event_id uuid, occurred_at timestamptz, is_actor boolean, is_resource boolean, original bytea
    ) on commit drop;
  end if;
  truncate warden_erase_batch;

  -- Bounded: at most batch_size events of the tenant scanned, in (occurred_at, event_id) order.
  with scan as (
    select e from warden.audit_events e
    where e.tenant_id = tenant
      and (after_occurred_at is null or (e.occurred_at, e.event_id) > (after_occurred_at, after_event_id))
    order by e.occurred_at, e.event_id
    limit batch_size
  ), hit as (
    insert into warden_erase_batch
    select (s.e).event_id, (s.e).occurred_at, (s.e).actor_id = subject, (s.e).resource_id = subject,
           warden_private.audit_payload_hash(s.e)
    from scan s where warden_private.event_mentions(s.e, subject, v_needle)
    returning 1
  )
  select count(*)::int, max((s.e).occurred_at), (array_agg((s.e).event_id order by (s.e).occurred_at desc, (s.e).event_id desc))[1]
    into scanned, last_occurred_at, last_event_id
  from scan s;
  -- (the hit CTE ran; now rewrite what it found)

  update warden.audit_events e set
    actor_id = warden_private.erase_text(e.actor_id, subject, pseudonym),
    actor_ip = case when b.is_actor then null else e.actor_ip end,
    user_agent = case when b.is_actor then null else warden_private.erase_text(e.user_agent, subject, pseudonym) end,
    resource_id = warden_private.erase_text(e.resource_id, subject, pseudonym),
    service = warden_private.erase_text(e.service, subject, pseudonym),
    row_pk = warden_private.erase_json(e.row_pk, subject, pseudonym),
    old_values = warden_private.erase_json(
      case when (b.is_actor or b.is_resource) and v_cols ? e.table_name
           then e.old_values - array(select jsonb_object_keys(v_cols -> e.table_name)) else e.old_values end, subject, pseudonym),
    new_values = warden_private.erase_json(
      case when (b.is_actor or b.is_resource) and v_cols ? e.table_name
           then e.new_values - array(select jsonb_object_keys(v_cols -> e.table_name)) else e.new_values end, subject, pseudonym),
    event_data = warden_private.erase_json(
      case when (b.is_actor or b.is_resource) then warden_private.strip_paths(e.event_data, v_policy -> 'data')
           else e.event_data end, subject, pseudonym)
  from warden_erase_batch b
  where e.event_id = b.event_id and e.occurred_at = b.occurred_at and e.tenant_id = tenant;
  get diagnostics rewritten = row_count;

  insert into warden_private.erasure_records (event_id, erased_payload_hash, original_payload_hash, tenant_key, erasure_id)
  select b.event_id, warden_private.audit_payload_hash(e), b.original, tenant, governance_erase_subject_batch.erasure_id
  from warden_erase_batch b
  join warden.audit_events e on e.event_id = b.event_id and e.occurred_at = b.occurred_at
  where warden_private.audit_payload_hash(e) <> b.original
  on conflict on constraint erasure_records_pkey do nothing;

  select count(*) filter (where b.is_actor)::int, count(*) filter (where b.is_resource)::int
    into actor_matches, resource_matches from warden_erase_batch b;
  perform set_config('warden.governance_operation', '', true);
end;
$$;
comment on function warden_private.governance_erase_subject_batch(uuid, uuid, text, text, timestamptz, uuid, integer) is
  'One bounded batch of an erasure: scans at most batch_size of the tenant''s events after the given position and rewrites those that hold the subject id (ids to the pseudonym; IP and user agent removed where the subject acted; the tenant''s configured PII paths removed where the subject is actor or resource), recording each event''s payload hash before and after.';

create or replace function warden_private.governance_start_erasure(tenant uuid, subject_id text, reason text) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_pseudonym text;
  v_id uuid;
begin
  perform warden_private.assert_tenant_admin(tenant);
  if subject_id is null or length(subject_id) not between 1 and 1024 then
    raise exception 'subject_id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  if reason is null or length(btrim(reason)) not between 1 and 1000 then
    raise exception 'a reason (1 to 1000 characters) is required for an erasure' using errcode = '22023';
  end if;
  if subject_id like 'hmac:%' then
    raise exception 'subject_id % is already a pseudonym', subject_id using errcode = '22023';
  end if;
  v_pseudonym := warden_private.keyed_hash(tenant, subject_id);
  insert into warden_private.erasures (tenant_id, subject_pseudonym, reason, requested_by)
  values (tenant, v_pseudonym, warden_private.erase_text(btrim(reason), subject_id, v_pseudonym), warden.current_actor())
  returning erasure_id into v_id;
  return v_id;
end;
$$;
comment on function warden_private.governance_start_erasure(uuid, text, text) is 'Checks the caller and arguments of an erasure and opens its bookkeeping row; returns the erasure id.';

create or replace function warden_private.governance_finish_erasure(erasure_id uuid, subject_id text, totals jsonb) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_e warden_private.erasures;
  v_keys integer;
  v_event uuid;
  v_receipt jsonb;
  v_finished timestamptz := clock_timestamp();
begin
  select * into v_e from warden_private.erasures x where x.erasure_id = governance_finish_erasure.erasure_id;
  if not found then
    raise exception 'erasure % does not exist', erasure_id using errcode = 'P0002';
  end if;
  perform warden_private.assert_tenant_admin(v_e.tenant_id);
  if v_e.finished_at is not null then
    raise exception 'erasure % already finished', erasure_id using errcode = '55000';
  end if;
  if warden_private.keyed_hash(v_e.tenant_id, subject_id) <> v_e.subject_pseudonym then
    raise exception 'subject_id does not match erasure %', erasure_id using errcode = '22023';
  end if;
  perform set_config('warden.governance_operation', 'erase_subject', true);
  -- Idempotency keys that name the subject: forgotten (they only replay a response).
  delete from warden_private.idempotency_keys k
  where k.tenant_id = v_e.tenant_id and (k.idempotency_key = subject_id or (length(subject_id) >= 6 and strpos(k.idempotency_key, subject_id) > 0));
  get diagnostics v_keys = row_count;
  v_receipt := jsonb_build_object(
    'erasure_id', v_e.erasure_id,
    'tenant_id', v_e.tenant_id,
    'subject_pseudonym', v_e.subject_pseudonym,
    'events_scanned', coalesce((totals ->> 'scanned')::bigint, 0),
    'events_rewritten', coalesce((totals ->> 'rewritten')::bigint, 0),
    'events_as_actor', coalesce((totals ->> 'actor')::bigint, 0),
    'events_as_resource', coalesce((totals ->> 'resource')::bigint, 0),
    'erasure_records', (select count(*) from warden_private.erasure_records r where r.erasure_id = v_e.erasure_id),
    'idempotency_keys_removed', v_keys,
    'batches', coalesce((totals ->> 'batches')::int, 0),
    'started_at', v_e.started_at,
    'finished_at', v_finished,
    'duration_ms', round(extract(epoch from v_finished - v_e.started_at) * 1000, 3));
  insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id,
    resource_type, resource_id, trace_id, service, event_data)
  values (v_e.tenant_id, 'governance.subject.erased', 'governance', 'erase', 'success', 'notice',
    coalesce(nullif(v_e.requested_by ->> 'type', ''), 'db_role')::warden.actor_type,
    coalesce(v_e.requested_by ->> 'id', session_user),
    'subject', v_e.subject_pseudonym, warden.current_trace_id(), 'warden',
    jsonb_build_object('version', 1, 'service', 'warden', 'operation', 'erase_subject', 'status', 'success',
                       'reason', v_e.reason, 'receipt', v_receipt))
  returning event_id into v_event;
  v_receipt := v_receipt || jsonb_build_object('erasure_event_id', v_event);
  update warden_private.erasures x set finished_at = v_finished, receipt = v_receipt where x.erasure_id = v_e.erasure_id;
  perform set_config('warden.governance_operation', '', true);
  return v_receipt;
end;
$$;
comment on function warden_private.governance_finish_erasure(uuid, text, jsonb) is 'Closes an erasure: forgets idempotency keys naming the subject, records the governance.subject.erased event and returns the receipt.';

create or replace function warden.erase_subject(tenant uuid, subject_id text, reason text) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid := warden_private.governance_start_erasure(tenant, subject_id, reason);
  v_pseudonym text := (select x.subject_pseudonym from warden_private.erasures x where x.erasure_id = v_id);
  b record;
  v_after_at timestamptz;
  v_after_id uuid;
  v_scanned bigint := 0;
  v_rewritten bigint := 0;
  v_actor bigint := 0;
  v_resource bigint := 0;
  v_batches integer := 0;
begin
  loop
    select * into b from warden_private.governance_erase_subject_batch(v_id, tenant, subject_id, v_pseudonym, v_after_at, v_after_id, 5000);
    exit when b.scanned = 0;
    v_batches := v_batches + 1;
    v_scanned := v_scanned + b.scanned; v_rewritten := v_rewritten + b.rewritten;
    v_actor := v_actor + b.actor_matches; v_resource := v_resource + b.resource_matches;
    v_after_at := b.last_occurred_at; v_after_id := b.last_event_id;
  end loop;
  return warden_private.governance_finish_erasure(v_id, subject_id, jsonb_build_object(
    'scanned', v_scanned, 'rewritten', v_rewritten, 'actor', v_actor, 'resource', v_resource, 'batches', v_batches));
end;
$$;
comment on function warden.erase_subject(uuid, text, text) is
  E'@resultFieldName receipt\nGDPR erasure (tenant owners and admins; DBAs without a request context): in batches of 5,000 events, replaces the subject''s id everywhere in the tenant''s audit trail with a keyed pseudonym (hmac:<hex>, stable within the tenant), removes their IP address and user agent and the tenant''s configured PII paths, forgets idempotency keys naming them, records a governance.subject.erased event and returns a receipt {erasure_id, subject_pseudonym, events_rewritten, ..., started_at, finished_at, duration_ms}. The chain stays verifiable through signed erasure records.';
grant execute on function warden.erase_subject(uuid, text, text) to warden_visitor;

-- Batch-by-batch form for the API (one commit per batch).
create or replace function warden.erase_subject_step(erasure_id uuid, subject_id text, after_occurred_at timestamptz, after_event_id uuid, batch_size integer default 5000)
  returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_e warden_private.erasures;
  b record;
begin
  select * into v_e from warden_private.erasures x where x.erasure_id = erase_subject_step.erasure_id and x.finished_at is null;
  if not found then
    raise exception 'no open erasure %', erasure_id using errcode = 'P0002';
  end if;
  perform warden_private.assert_tenant_admin(v_e.tenant_id);
  if warden_private.keyed_hash(v_e.tenant_id, subject_id) <> v_e.subject_pseudonym then
    raise exception 'subject_id does not match erasure %', erasure_id using errcode = '22023';
  end if;
  if batch_size is null or batch_size not between 1 and 100000 then
    raise exception 'batch_size must be 1 to 100000' using errcode = '22023';
  end if;
  select * into b from warden_private.governance_erase_subject_batch(v_e.erasure_id, v_e.tenant_id, subject_id, v_e.subject_pseudonym,
    after_occurred_at, after_event_id, batch_size);
  return to_jsonb(b);
end;
$$;
comment on function warden.erase_subject_step(uuid, text, timestamptz, uuid, integer) is
  E'@behavior -*\nOne batch of an erasure opened by warden.erase_subject_start (the API commits after each); returns {scanned, rewritten, actor_matches, resource_matches, last_occurred_at, last_event_id}.';
grant execute on function warden.erase_subject_step(uuid, text, timestamptz, uuid, integer) to warden_visitor;

create or replace function warden.erase_subject_start(tenant uuid, subject_id text, reason text) returns uuid
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  select warden_private.governance_start_erasure(tenant, subject_id, reason)
$$;
comment on function warden.erase_subject_start(uuid, text, text) is
  E'@behavior -*\nOpens an erasure for the batch-by-batch form of warden.erase_subject (used by the API); returns its id.';
grant execute on function warden.erase_subject_start(uuid, text, text) to warden_visitor;

create or replace function warden.erase_subject_finish(erasure_id uuid, subject_id text, totals jsonb) returns jsonb
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  select warden_private.governance_finish_erasure(erasure_id, subject_id, totals)
$$;
comment on function warden.erase_subject_finish(uuid, text, jsonb) is
  E'@behavior -*\nCloses an erasure of the batch-by-batch form and returns the receipt.';
grant execute on function warden.erase_subject_finish(uuid, text, jsonb) to warden_visitor;

--------------------------------------------------------------------------------
-- GDPR: export.
--------------------------------------------------------------------------------
create or replace function warden.export_subject(tenant uuid, subject_id text) returns jsonb
  language plpgsql stable
  security definer
  set search_path = pg_catalog
as $$
declare
  v_uuid uuid;
  v_pseudonym text;
begin
  perform warden_private.assert_tenant_admin(tenant);
  if subject_id is null or length(subject_id) not between 1 and 1024 then
    raise exception 'subject_id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  if subject_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_uuid := subject_id::uuid;
  end if;
  select warden_private.hmac_with(k.inner_key, k.outer_key, subject_id) into v_pseudonym
  from warden_private.tenant_hash_keys k where k.tenant_key = tenant;
  return jsonb_build_object(
    'subject_id', subject_id,
    'tenant_id', tenant,
    'exported_at', now(),
    'user', (select to_jsonb(u) from warden.users u
             where u.id = v_uuid and exists (select 1 from warden.tenant_memberships m where m.user_id = u.id and m.tenant_id = tenant)),
    'tenant_memberships', coalesce((select jsonb_agg(to_jsonb(m) order by m.created_at) from warden.tenant_memberships m
                                    where m.tenant_id = tenant and m.user_id = v_uuid), '[]'),
    'project_memberships', coalesce((select jsonb_agg(to_jsonb(pm) order by pm.created_at) from warden.project_members pm
                                     where pm.tenant_id = tenant and pm.user_id = v_uuid), '[]'),
    'projects_created', coalesce((select jsonb_agg(to_jsonb(p) order by p.created_at) from warden.projects p
                                  where p.tenant_id = tenant and p.created_by = v_uuid), '[]'),
    'api_keys', coalesce((select jsonb_agg(to_jsonb(k) order by k.created_at) from warden.api_keys k
                          where k.tenant_id = tenant and (k.created_by = v_uuid or k.id = v_uuid)), '[]'),
    'idempotency_keys', coalesce((select jsonb_agg(jsonb_build_object('idempotency_key', k.idempotency_key, 'event_ids', k.event_ids,
                                                                      'created_at', k.created_at) order by k.created_at)
                                  from warden_private.idempotency_keys k
                                  where k.tenant_id = tenant and (k.idempotency_key = subject_id
                                        or (length(subject_id) >= 6 and strpos(k.idempotency_key, subject_id) > 0))), '[]'),
    'erasures', coalesce((select jsonb_agg(x.receipt order by x.started_at) from warden_private.erasures x
                          where x.tenant_id = tenant and x.subject_pseudonym = v_pseudonym and x.receipt is not null), '[]'),
    'events', coalesce((select jsonb_agg(to_jsonb(e) order by e.occurred_at, e.event_id) from warden.audit_events e
                        where e.tenant_id = tenant and (e.actor_id = subject_id or e.resource_id = subject_id)), '[]'));
end;
$$;
comment on function warden.export_subject(uuid, text) is
  E'GDPR export (tenant owners and admins; DBAs without a request context): one JSON document with every audit event of the tenant where the subject is the actor or the resource (raw), their user record, memberships, projects and API keys they created, idempotency keys naming them and receipts of earlier erasures.';
grant execute on function warden.export_subject(uuid, text) to warden_visitor;

--------------------------------------------------------------------------------
-- Sealing horizon, fixed: (1) a transaction that took its id after this
-- pass's snapshot was read as one from the previous xid epoch (2^32
-- lower), so the horizon went negative and the pass sealed nothing (seen
-- as flaky seal-then-verify tests); ids are now widened relative to the
-- snapshot's xmax (signed 32-bit distance) and the horizon never exceeds
-- xmax. (2) autovacuum's ANALYZE takes an id but never writes audit
-- events: it no longer holds sealing back.
--------------------------------------------------------------------------------
create or replace function warden_private.seal_horizon() returns bigint
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_xmax bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
  v_oldest bigint;
begin
  -- Every transaction below the horizon has finished, so no event with a
  -- smaller txid can still appear. Only this database's transactions can
  -- write its events: when the role may see every session
  -- (pg_read_all_stats, granted by `warden setup`), a long transaction in
  -- another database does not hold sealing back. Otherwise the cluster-wide
  -- snapshot xmin is the safe answer.
  if not pg_has_role('pg_read_all_stats', 'usage') then
    return pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
  end if;
  -- backend_xid is 32 bits: widen it by its signed distance from xmax.
  select min(v_xmax + ((((a.backend_xid::text::bigint - (v_xmax & 4294967295)) + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648))
    into v_oldest
  from pg_stat_activity a
  where a.datname = current_database() and a.backend_xid is not null and a.backend_type <> 'autovacuum worker';
  return least(coalesce(v_oldest, v_xmax), v_xmax);
end;
$$;
comment on function warden_private.seal_horizon() is
  'Transaction ids below this are complete in this database (or, without pg_read_all_stats, in the whole cluster): the sealer''s upper bound. Autovacuum workers are not waited for.';
