--! Previous: sha1:43aafd0ec3bf2aa224c0cc741edd316f1215e2c1
--! Hash: sha1:e76d86f819146131b2d90e00866bd68b71a15977
--! Message: Fast verification walk: warden_private.audit_leaf_packed

-- Issue 13 (verify throughput): the fast verification walk asks PostgreSQL's
-- parallel workers for each event's leaf prefix beside its hashed columns,
-- packed into one text column so the envelope is computed once per event.
-- PL/pgSQL on purpose: a SQL function using its arguments more than once
-- would be inlined with audit_envelope(e) evaluated twice, or not inlined.
create or replace function warden_private.audit_leaf_packed(envelope text, payload_hash bytea) returns text
  language plpgsql immutable strict parallel safe
as $$
begin
  return pg_catalog.encode(pg_catalog.substr(pg_catalog.sha256(pg_catalog.convert_to(envelope, 'UTF8') operator(pg_catalog.||) payload_hash), 1, 8), 'hex')
    operator(pg_catalog.||) pg_catalog.encode(payload_hash, 'hex') operator(pg_catalog.||) envelope;
end;
$$;
revoke all on function warden_private.audit_leaf_packed(text, bytea) from public;
comment on function warden_private.audit_leaf_packed(text, bytea) is
  'One event''s hashed parts for the fast verification walk: its leaf prefix (first 8 bytes of sha256(envelope || payload hash)) as 16 hex digits, the payload hash as 64 hex digits, then the envelope text.';
