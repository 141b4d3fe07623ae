--! Previous: sha1:52633fa59bd84c47f043416f47dbd5eb29a55bb5
--! Hash: sha1:d22131dc0547f8a91241067250bd218ee6c6df67
--! Message: redacted reads: the read policy is looked up once per query

-- Redacted reads: the tenant's read policy is looked up once per query.
--
-- warden.audit_events_redacted referred to (select warden_private.read_policy())
-- in every redacted column: PostgreSQL does not merge identical sub-selects,
-- so each query called read_policy() (a security-definer lookup) a dozen
-- times, ~3 ms per query before any row was read. The policy now comes from
-- a one-row sub-select joined once ("offset 0" keeps it from being
-- flattened back into per-use calls). The columns and their meaning are
-- unchanged.
create or replace view warden.audit_events_redacted as
  select e.event_id, e.occurred_at, e.recorded_at, e.tenant_id, e.event_type, e.category, e.action, e.outcome, e.severity,
         e.actor_type, e.actor_id,
         case when pol.p is null then e.actor_ip else warden_private.redact_ip(pol.p, e.actor_ip) end as actor_ip,
         case when pol.p is null then e.user_agent else warden_private.redact_ua(pol.p, e.user_agent) end as user_agent,
         e.resource_type, e.resource_id, e.correlation_id, e.trace_id, e.parent_event_id, e.service, e.txid, e.table_name,
         e.row_pk, e.changed_fields,
         case when pol.p is null or e.old_values is null or (pol.p -> 'vc' -> e.table_name) is null then e.old_values
              else warden_private.redact_columns(pol.p, e.table_name, e.old_values) end as old_values,
         case when pol.p is null or e.new_values is null or (pol.p -> 'vc' -> e.table_name) is null then e.new_values
              else warden_private.redact_columns(pol.p, e.table_name, e.new_values) end as new_values,
         case when pol.p is null or e.event_data is null or not pol.p ? 'dp' then e.event_data
              else warden_private.redact_data(pol.p, e.event_data) end as event_data,
         case when pol.p is null then null::jsonb
              else warden_private.redaction_marker(pol.p, e.table_name, e.actor_ip, e.user_agent,
                                                   e.old_values, e.new_values, e.event_data) end as redacted_fields
  from warden_private.audit_events_readable e
  cross join (select warden_private.read_policy() as p offset 0) pol;
