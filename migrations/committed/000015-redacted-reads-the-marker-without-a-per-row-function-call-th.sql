--! Previous: sha1:3e91508fc482615d4ffb6d0a29acab83ee26c3aa
--! Hash: sha1:5a493fe3723b3a3f17cc1806c3b87c59617ffdc7
--! Message: redacted reads: the marker without a per-row function call, the policy's parts taken apart once per query

-- Redacted reads: the redaction marker without a per-row function call, and
-- the policy's parts taken apart once per query.
--
-- warden.audit_events_redacted computed redacted_fields by calling
-- warden_private.redaction_marker (PL/pgSQL) for every row it returned:
-- about a third of the cost of a masked page. A compiled policy now also
-- carries the complete marker (mk: every field its rules name) and a
-- jsonpath (jp) that is true when every event_data path of the rules is
-- present. For the usual event (all paths present, no rules on the row's
-- table columns) the marker is mk minus actor_ip / user_agent when those
-- are null: one jsonpath test and one key deletion instead of a function
-- call. Any other event still goes through redaction_marker, which stays the
-- one definition of what the marker says.
--
-- The view also looked up the policy's ip, ua, vc and dp entries, and hex-
-- decoded its hash key, in every row; the one-row policy sub-select now
-- does that once, and the address and user-agent masks take the method
-- (and key) rather than the policy.

-- The compiler keeps its name (set_redaction_policy calls it): the field
-- compiler is renamed and wrapped.
do $$
begin
  if to_regprocedure('warden_private.compile_redaction_fields(jsonb)') is null then
    alter function warden_private.compile_redaction_rules(jsonb) rename to compile_redaction_fields;
  end if;
end;
$$;
comment on function warden_private.compile_redaction_fields(jsonb) is
  'Validates redaction rules (SQLSTATE 22023 naming the bad rule) and compiles them per field for the redaction functions (warden_private.redact_ip, redact_ua, redact_data, redact_columns, redaction_marker).';

create or replace function warden_private.compile_read_marker(compiled jsonb) returns jsonb
  language sql immutable
  set search_path = pg_catalog
as $$
  select case when compiled = '{}'::jsonb then compiled else compiled || jsonb_build_object(
    'mk', jsonb_strip_nulls(jsonb_build_object('actor_ip', compiled ->> 'ip', 'user_agent', compiled ->> 'ua'))
          || coalesce((select jsonb_object_agg('event_data.' || array_to_string((d.path #>> '{}')::text[], '.'), compiled -> 'dm' -> (d.i - 1)::integer)
                       from jsonb_array_elements(compiled -> 'dp') with ordinality d(path, i)), '{}'),
    -- path keys are [A-Za-z0-9_-] (checked by the field compiler); quoted as JSON strings all the same
    'jp', (select 'strict $ ? (' || string_agg('exists(@' ||
                    (select string_agg('.' || to_json(k.key)::text, '' order by k.n)
                     from unnest((d.path #>> '{}')::text[]) with ordinality k(key, n)) || ')', ' && ' order by d.i) || ')'
           from jsonb_array_elements(compiled -> 'dp') with ordinality d(path, i))) end
$$;
comment on function warden_private.compile_read_marker(jsonb) is
  'Adds to a compiled policy what reads need to mark redacted fields without a per-row call: mk, the marker of an event in which every field the rules name is present, and jp, a jsonpath true when every event_data path of the rules is present (null without event_data rules).';

create or replace function warden_private.compile_redaction_rules(rules jsonb) returns jsonb
  language sql immutable
  set search_path = pg_catalog
as $$
  select warden_private.compile_read_marker(warden_private.compile_redaction_fields(rules))
$$;
comment on function warden_private.compile_redaction_rules(jsonb) is
  'Validates redaction rules (SQLSTATE 22023 naming the bad rule) and compiles them: per field (warden_private.compile_redaction_fields) plus the read marker (warden_private.compile_read_marker).';

-- Policies compiled before this migration get mk and jp.
update warden.redaction_policies set compiled = warden_private.compile_redaction_rules(rules);

-- The address and user-agent masks, by method. Their bodies call only
-- built-ins: PostgreSQL inlines them into the read view, where the reading
-- API role cannot resolve names in warden_private.
create or replace function warden_private.redact_ip_by(method text, actor_ip inet) returns inet
  language sql stable parallel safe
as $$
  select case
    when actor_ip is null or method is null then actor_ip
    when method = 'mask' then network(set_masklen(actor_ip, case family(actor_ip) when 4 then 24 else 48 end))::inet
  end
$$;
comment on function warden_private.redact_ip_by(text, inet) is 'The actor address under a redaction method: mask keeps the /24 (IPv6: /48), remove gives null, no method leaves it.';

create or replace function warden_private.redact_ua_by(method text, user_agent text, inner_key bytea, outer_key bytea) returns text
  language sql stable parallel safe
as $$
  select case
    when user_agent is null or method is null then user_agent
    when method = 'mask' then case when user_agent ~ '^[^@]+@[^@]+$' then left(user_agent, 1) || '***@' || split_part(user_agent, '@', 2)
                                   when length(user_agent) <= 2 then '***' else left(user_agent, 1) || '***' end
    when method = 'hash' then case when starts_with(user_agent, 'hmac:') then user_agent
      else 'hmac:' || encode(sha256(outer_key || sha256(inner_key || convert_to(user_agent, 'UTF8'))), 'hex') end
  end
$$;
comment on function warden_private.redact_ua_by(text, text, bytea, bytea) is
  'The user agent under a redaction method: mask (j***@example.com, or first character and ***), hash (hmac:<hex> under the tenant''s pre-padded HMAC key), remove (null); no method leaves it.';
grant execute on function warden_private.redact_ip_by(text, inet), warden_private.redact_ua_by(text, text, bytea, bytea) to warden_visitor;

-- The policy forms (write-time trigger) are now these with the policy's method and key.
create or replace function warden_private.redact_ip(policy jsonb, actor_ip inet) returns inet
  language sql stable parallel safe
as $$
  select warden_private.redact_ip_by(policy ->> 'ip', actor_ip)
$$;
create or replace function warden_private.redact_ua(policy jsonb, user_agent text) returns text
  language sql stable parallel safe
as $$
  select warden_private.redact_ua_by(policy ->> 'ua', user_agent, decode(policy ->> 'ki', 'hex'), decode(policy ->> 'ko', 'hex'))
$$;

create or replace view warden.audit_events_redacted as
  select e.event_id, e.occurred_at, e.recorded_at, e.tenant_id, e.event_type, e.category, e.action, e.outcome, e.severity,
         e.actor_type, e.actor_id,
         case when pol.ip is null then e.actor_ip else warden_private.redact_ip_by(pol.ip, e.actor_ip) end as actor_ip,
         case when pol.ua is null then e.user_agent else warden_private.redact_ua_by(pol.ua, e.user_agent, pol.ki, pol.ko) end as user_agent,
         e.resource_type, e.resource_id, e.correlation_id, e.trace_id, e.parent_event_id, e.service, e.txid, e.table_name,
         e.row_pk, e.changed_fields,
         case when pol.vc is null or e.old_values is null or (pol.vc -> e.table_name) is null then e.old_values
              else warden_private.redact_columns(pol.p, e.table_name, e.old_values) end as old_values,
         case when pol.vc is null or e.new_values is null or (pol.vc -> e.table_name) is null then e.new_values
              else warden_private.redact_columns(pol.p, e.table_name, e.new_values) end as new_values,
         case when not pol.has_dp or e.event_data is null then e.event_data
              else warden_private.redact_data(pol.p, e.event_data) end as event_data,
         case when pol.p is null then null::jsonb
              -- every field the rules name is present (or the rules name none in event_data) and no rule names this table's columns
              when (pol.vc is null or (pol.vc -> e.table_name) is null) and (pol.jp is null or e.event_data @? pol.jp)
                then nullif(pol.mk - array[case when e.actor_ip is null then 'actor_ip' end,
                                           case when e.user_agent is null then 'user_agent' end], '{}')
              else warden_private.redaction_marker(pol.p, e.table_name, e.actor_ip, e.user_agent,
                                                   e.old_values, e.new_values, e.event_data) end as redacted_fields
  from warden_private.audit_events_readable e
  cross join (select q.p, q.p ->> 'ip' as ip, q.p ->> 'ua' as ua, decode(q.p ->> 'ki', 'hex') as ki, decode(q.p ->> 'ko', 'hex') as ko,
                     q.p -> 'vc' as vc, coalesce(q.p ? 'dp', false) as has_dp, q.p -> 'mk' as mk, (q.p ->> 'jp')::jsonpath as jp
              from (select warden_private.read_policy() as p offset 0) q
              offset 0) pol;
