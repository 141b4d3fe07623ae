--! Previous: sha1:d0aef7bcf6d2c9216c25fb5382b882ec1ae24537
--! Hash: sha1:43aafd0ec3bf2aa224c0cc741edd316f1215e2c1
--! Message: Viewer token registry: minting audited, tokens listed and revoked, unregistered tokens refused

-- Viewer tokens you can list and revoke, and whose minting is audited.
--
-- Until now a viewer token (POST /api/v1/viewer-tokens) was a stateless
-- JWT: minting wrote no event and nothing could withdraw it before it
-- expired. Every token is now registered when it is minted (with a
-- governance.viewer_token.created event), is refused once revoked
-- (governance.viewer_token.revoked; every API process drops its
-- authentication cache on the NOTIFY), and a token the registry does not
-- know is refused.

create table if not exists warden.viewer_tokens (
  id uuid primary key,
  tenant_id uuid not null references warden.tenants (id) on delete cascade,
  minted_by jsonb not null,
  scope jsonb not null default '{}',
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by jsonb,
  check (expires_at > created_at),
  check (jsonb_typeof(scope) = 'object'),
  check ((revoked_at is null) = (revoked_by is null))
);

comment on table warden.viewer_tokens is E'@behavior -*\nViewer tokens minted for the embedded audit viewer (POST /api/v1/viewer-tokens): who minted each, its scope, when it expires and whether it was revoked. Tenant owners and admins list them (GET /api/v1/viewer-tokens) and revoke them (DELETE /api/v1/viewer-tokens/{id}); a revoked or unknown token is refused. The worker deletes rows that ended more than SESSION_RETENTION_DAYS ago.';
comment on column warden.viewer_tokens.id is 'The token''s id (its JWT jti).';
comment on column warden.viewer_tokens.tenant_id is 'The tenant the token reads (its only tenant).';
comment on column warden.viewer_tokens.created_at is 'When it was minted.';
comment on column warden.viewer_tokens.expires_at is 'When it stops working (at most an hour after minting).';
comment on column warden.viewer_tokens.revoked_at is 'When it was revoked (null: not revoked); a revoked token is refused on the next request.';
comment on column warden.viewer_tokens.minted_by is 'Who minted it: warden.current_actor() at minting time.';
comment on column warden.viewer_tokens.scope is 'The filters every read of the token is confined to ({} = the whole tenant, read-only).';
comment on column warden.viewer_tokens.revoked_by is 'Who revoked it: warden.current_actor() at revocation time.';

create index if not exists viewer_tokens_tenant_created_idx on warden.viewer_tokens (tenant_id, created_at desc);
comment on index warden.viewer_tokens_tenant_created_idx is 'A tenant''s viewer tokens, newest first.';

alter table warden.viewer_tokens enable row level security;
alter table warden.viewer_tokens force row level security;

drop policy if exists select_tenant_admins on warden.viewer_tokens;
create policy select_tenant_admins on warden.viewer_tokens for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
drop policy if exists owner_maintenance on warden.viewer_tokens;
create policy owner_maintenance on warden.viewer_tokens to warden_owner using (true) with check (true);

revoke all on warden.viewer_tokens from public;
grant select on warden.viewer_tokens to warden_visitor;

-- Revocation reaches every API process at once (the auth cache listener).
drop trigger if exists _500_notify_auth_invalidation on warden.viewer_tokens;
create trigger _500_notify_auth_invalidation
  after update of revoked_at or delete on warden.viewer_tokens
  for each row execute function warden_private.tg__notify_auth_invalidation('viewer_token');

create or replace function warden_private.require_tenant_admin(action text)
returns uuid
language plpgsql stable security definer
set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
begin
  if v_tenant is null then
    raise exception '% needs a tenant context', action using errcode = '42501';
  end if;
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception '% requires tenant role owner or admin', action using errcode = '42501', hint = 'missing_role=admin';
  end if;
  return v_tenant;
end;
$$;
comment on function warden_private.require_tenant_admin(text) is 'The current tenant, when the caller is its owner or admin; otherwise raises 42501 naming the action (hint missing_role=admin, which the API turns into 403 missing_role).';
revoke all on function warden_private.require_tenant_admin(text) from public;

create or replace function warden.record_viewer_token(token_id uuid, scope jsonb, expires_at timestamptz)
returns warden.viewer_tokens
language plpgsql security definer
set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden_private.require_tenant_admin('minting a viewer token');
  v_row warden.viewer_tokens;
begin
  if token_id is null then
    raise exception 'viewer token id must not be null' using errcode = '22004';
  end if;
  if scope is null or jsonb_typeof(scope) <> 'object' then
    raise exception 'viewer token scope must be a JSON object' using errcode = '22023';
  end if;
  if expires_at is null or expires_at <= now() or expires_at > now() + interval '1 hour 1 minute' then
    raise exception 'viewer token expires_at % must lie within the next hour', coalesce(expires_at::text, 'null') using errcode = '22023';
  end if;
  insert into warden.viewer_tokens (id, tenant_id, minted_by, scope, expires_at)
  values (record_viewer_token.token_id, v_tenant, warden.current_actor(), record_viewer_token.scope, record_viewer_token.expires_at)
  returning * into v_row;
  perform warden_private.record_governance_event('governance.viewer_token.created', v_tenant, 'viewer_token', v_row.id::text,
    null, jsonb_build_object('scope', v_row.scope, 'expires_at', v_row.expires_at),
    '{}'::jsonb, 'notice', 'success');
  return v_row;
end;
$$;
comment on function warden.record_viewer_token(uuid, jsonb, timestamptz) is E'@behavior -*\nRegisters a viewer token the API just signed (tenant owners and admins): without a row here the token is refused. Writes governance.viewer_token.created with the scope and expiry.';
revoke all on function warden.record_viewer_token(uuid, jsonb, timestamptz) from public;
grant execute on function warden.record_viewer_token(uuid, jsonb, timestamptz) to warden_visitor;

create or replace function warden.revoke_viewer_token(token_id uuid)
returns warden.viewer_tokens
language plpgsql security definer
set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden_private.require_tenant_admin('revoking a viewer token');
  v_row warden.viewer_tokens;
begin
  select * into v_row from warden.viewer_tokens t
  where t.id = revoke_viewer_token.token_id and t.tenant_id = v_tenant
  for update;
  if v_row.id is null then
    raise exception 'no viewer token % in the current tenant', revoke_viewer_token.token_id using errcode = 'P0002';
  end if;
  if v_row.revoked_at is not null then
    return v_row; -- revoking twice answers with the first revocation
  end if;
  update warden.viewer_tokens t set revoked_at = now(), revoked_by = warden.current_actor()
  where t.id = v_row.id
  returning * into v_row;
  perform warden_private.record_governance_event('governance.viewer_token.revoked', v_tenant, 'viewer_token', v_row.id::text,
    jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', v_row.revoked_at),
    jsonb_build_object('scope', v_row.scope, 'minted_by', v_row.minted_by), 'notice', 'success');
  return v_row;
end;
$$;
comment on function warden.revoke_viewer_token(uuid) is E'@behavior -*\nRevokes a viewer token of the current tenant (tenant owners and admins): it is refused on the next request by every API process. Writes governance.viewer_token.revoked. Revoking a revoked token returns it unchanged.';
revoke all on function warden.revoke_viewer_token(uuid) from public;
grant execute on function warden.revoke_viewer_token(uuid) to warden_visitor;

create or replace function warden_private.authenticate_viewer_token(token_id uuid, tenant_id uuid)
returns text
language sql stable security definer
set search_path = pg_catalog
as $$
  select case
    when t.id is null then 'viewer_token_unknown'
    when t.revoked_at is not null then 'viewer_token_revoked'
    when t.expires_at <= now() then 'token_expired'
  end
  from (select 1) one
  left join warden.viewer_tokens t on t.id = authenticate_viewer_token.token_id and t.tenant_id = authenticate_viewer_token.tenant_id
$$;
comment on function warden_private.authenticate_viewer_token(uuid, uuid) is 'Checks a signed viewer token against the registry: null when it may be used, else the failure (viewer_token_unknown, viewer_token_revoked, token_expired).';
revoke all on function warden_private.authenticate_viewer_token(uuid, uuid) from public;
grant execute on function warden_private.authenticate_viewer_token(uuid, uuid) to warden_authenticator;

create or replace function warden_private.compact_viewer_tokens(retention_days integer default 30)
returns bigint
language plpgsql security definer
set search_path = pg_catalog
as $$
declare
  v_count bigint;
begin
  if retention_days is null or retention_days < 0 then
    raise exception 'retention_days must be 0 or more' using errcode = '22023';
  end if;
  delete from warden.viewer_tokens t
  where least(coalesce(t.revoked_at, t.expires_at), t.expires_at) < now() - make_interval(days => compact_viewer_tokens.retention_days);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function warden_private.compact_viewer_tokens(integer) is 'Deletes viewer tokens that ended (revoked or expired) more than retention_days ago; returns how many (worker task compact_user_sessions, SESSION_RETENTION_DAYS).';
revoke all on function warden_private.compact_viewer_tokens(integer) from public;
