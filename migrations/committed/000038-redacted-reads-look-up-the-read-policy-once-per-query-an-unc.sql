--! Previous: sha1:1ea53b47fb21760b0ad9dd54d9cda0fe59544a6f
--! Hash: sha1:9347f1137c35a3486a83187af42830396c4930f5
--! Message: Redacted reads look up the read policy once per query (an uncorrelated scalar sub-select, an InitPlan in any plan): a notify page of 2,000 events read through warden.audit_events_redacted took 45 ms, 40 of them in read_policy() rescanned per row

-- Redacted reads: the read policy is really looked up once per query.
--
-- 000013 joined the policy as a one-row sub-select ("offset 0") so that
-- read_policy() would run once per query. When the planner puts that
-- sub-select on the inner side of a nested loop (it does whenever it expects
-- one event row, e.g. a notify page read by event ids within a time range),
-- the sub-select is rescanned, and read_policy() (a security-definer
-- PL/pgSQL lookup, ~20 us) ran once per returned row: 2,000 events read for a
-- JetStream page cost ~45 ms, 40 of them in read_policy(). The call is now an
-- uncorrelated scalar sub-select, which PostgreSQL runs once per query as an
-- InitPlan whatever the join order (a rescan reuses its value). Columns,
-- grants, comments and meaning are unchanged.
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
              from (select (select warden_private.read_policy()) as p offset 0) q
              offset 0) pol;
