--! Previous: sha1:597ba8b6b98fa66a1234c68acf1b41be9114d446
--! Hash: sha1:002626eab953d7f9a973db52713c81b613614306
--! Message: graphql: filter audit events by event_data

-- GraphQL: let clients filter audit events by event_data (jsonb containment,
-- e.g. filter: {eventData: {contains: {http: {status: 500}}}}), as REST's
-- data.<path>=<value> does; served by the GIN index on event_data.
comment on column warden.audit_events.event_data is
  E'@behavior +attribute:filterBy\nEvent payload following the common envelope {version, service, operation, status, attempt?, retry_reason?, source_payload?}; for truncates {row_count}.';
