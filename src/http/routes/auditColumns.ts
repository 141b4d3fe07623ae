/**
 * The columns every audit read returns (alias e over warden.audit_events_redacted,
 * the view that applies the tenant's redaction rules), timestamps as RFC 3339
 * text with microseconds. A masked address keeps its prefix length
 * (203.0.113.0/24); a host address prints bare.
 */
export const AUDIT_SOURCE = "warden.audit_events_redacted";

export const AUDIT_COLUMNS = `e.event_id, to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at,
  to_char(e.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as recorded_at,
  e.tenant_id, e.event_type, e.category, e.action, e.outcome, e.severity, e.actor_type, e.actor_id,
  abbrev(e.actor_ip) as actor_ip,
  e.user_agent, e.resource_type, e.resource_id, e.correlation_id, e.trace_id, e.parent_event_id, e.service, e.txid::text as txid,
  e.table_name, e.row_pk, e.changed_fields, e.old_values, e.new_values, e.event_data, e.redacted_fields`;
