--! Previous: sha1:83b3db0e1247596eac0108f3925c82d270d6fd53
--! Hash: sha1:9068cd8622b091928e8b77274b83c11d22ba82f7
--! Message: export governance event: warden.record_audit_export

--------------------------------------------------------------------------------
-- Bulk exports are audit events (issue 13, section 1: "exports: who exported
-- which filter, format and count").
--
-- An export streams; its count is known only when the stream ends. The API
-- records one governance.audit.exported event when the export ends: in the
-- export's own transaction when it completed, in a fresh one with the
-- partial count and outcome failure when the client went away or the
-- stream broke. Design notes: docs/export.md.
--------------------------------------------------------------------------------
create or replace function warden.record_audit_export(
  filter jsonb,
  format text,
  event_count bigint,
  complete boolean default true,
  details jsonb default '{}'
) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
begin
  if v_tenant is null then
    raise exception 'recording an export needs a tenant context' using errcode = '42501';
  end if;
  if not warden.has_tenant_role('{owner,admin,auditor}') then
    raise exception 'exporting the audit trail requires tenant role owner, admin or auditor' using errcode = '42501', hint = 'missing_role=auditor';
  end if;
  if format is null or format !~ '^[a-z0-9_-]{1,32}$' then
    raise exception 'export format % is not a format name', coalesce(quote_literal(format), 'null') using errcode = '22023';
  end if;
  if event_count is null or event_count < 0 then
    raise exception 'export event_count must be a count, got %', coalesce(event_count::text, 'null') using errcode = '22023';
  end if;
  if filter is not null and jsonb_typeof(filter) <> 'object' then
    raise exception 'export filter must be a JSON object' using errcode = '22023';
  end if;
  if details is not null and jsonb_typeof(details) <> 'object' then
    raise exception 'export details must be a JSON object' using errcode = '22023';
  end if;
  return warden_private.record_governance_event('governance.audit.exported', v_tenant, 'audit_export', format,
    null, null,
    coalesce(details, '{}') || jsonb_build_object('filter', coalesce(filter, '{}'), 'format', format,
      'count', event_count, 'complete', coalesce(complete, false)),
    'notice', case when coalesce(complete, false) then 'success' else 'failure' end::warden.audit_outcome);
end;
$$;
comment on function warden.record_audit_export(jsonb, text, bigint, boolean, jsonb) is
  E'@behavior -*\nRecords one bulk export of the current tenant''s audit trail as governance.audit.exported (tenant owners, admins and auditors): event_data holds the filter, the format, the count of events written and whether the export completed (complete=false, outcome failure: the stream ended early and count is what the client was sent). The REST export calls it when the stream ends.';
revoke all on function warden.record_audit_export(jsonb, text, bigint, boolean, jsonb) from public;
grant execute on function warden.record_audit_export(jsonb, text, bigint, boolean, jsonb) to warden_visitor;
