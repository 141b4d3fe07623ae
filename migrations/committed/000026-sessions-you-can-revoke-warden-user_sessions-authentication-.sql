--! Previous: sha1:45e494e61193b49f99acc8f21efa54165a323112
--! Hash: sha1:216019359f2b69e1bccbecb88c0da14c32497799
--! Message: sessions you can revoke (warden.user_sessions), authentication cache invalidation by LISTEN/NOTIFY, external identity providers (OIDC)

--------------------------------------------------------------------------------
-- Issue 16 section 1: sessions you can revoke, authentication cache
-- invalidation (LISTEN/NOTIFY) and external identity providers (OIDC).
-- Design notes: docs/sessions.md.
--------------------------------------------------------------------------------

--------------------------------------------------------------------------------
-- Authentication cache invalidation. Every API process keeps resolved
-- credentials for a few seconds; a change that can take a credential's
-- rights away NOTIFYs warden_auth_invalidate (delivered at commit), and each
-- process's listener (src/auth/invalidation.ts) drops its cache. The payload
-- is the kind of credential changed; identical payloads of one transaction
-- are folded into one notification by PostgreSQL.
--------------------------------------------------------------------------------
create or replace function warden_private.notify_auth_invalidation(kind text) returns void
  language sql volatile
  set search_path = pg_catalog
as $$
  select pg_notify('warden_auth_invalidate', notify_auth_invalidation.kind)
$$;
comment on function warden_private.notify_auth_invalidation(text) is
  'NOTIFYs warden_auth_invalidate with the kind of credential that changed (session, api_key, membership, identity_provider): every API process drops its authentication cache when the transaction commits.';
revoke all on function warden_private.notify_auth_invalidation(text) from public;

create or replace function warden_private.tg__notify_auth_invalidation() returns trigger
  language plpgsql
  set search_path = pg_catalog
as $$
begin
  -- pg_notify itself: the trigger runs as whoever changed the row (API requests too).
  perform pg_notify('warden_auth_invalidate', tg_argv[0]);
  return null;
end;
$$;
comment on function warden_private.tg__notify_auth_invalidation() is
  'AFTER row trigger: NOTIFYs warden_auth_invalidate with the trigger''s argument (the kind of credential changed).';

-- API keys: revoked, expired earlier, role or limit changed, deleted.
drop trigger if exists _900_auth_invalidation on warden.api_keys;
create trigger _900_auth_invalidation after update on warden.api_keys
  for each row
  when ((old.revoked_at, old.expires_at, old.role, old.rate_limit_per_second, old.tenant_id)
        is distinct from (new.revoked_at, new.expires_at, new.role, new.rate_limit_per_second, new.tenant_id))
  execute function warden_private.tg__notify_auth_invalidation('api_key');
drop trigger if exists _901_auth_invalidation_delete on warden.api_keys;
create trigger _901_auth_invalidation_delete after delete on warden.api_keys
  for each row execute function warden_private.tg__notify_auth_invalidation('api_key');

-- Memberships: a role changed or a member removed (also by a user or tenant
-- being deleted, through the cascade).
drop trigger if exists _900_auth_invalidation on warden.tenant_memberships;
create trigger _900_auth_invalidation after update on warden.tenant_memberships
  for each row
  when ((old.role, old.tenant_id, old.user_id) is distinct from (new.role, new.tenant_id, new.user_id))
  execute function warden_private.tg__notify_auth_invalidation('membership');
drop trigger if exists _901_auth_invalidation_delete on warden.tenant_memberships;
create trigger _901_auth_invalidation_delete after delete on warden.tenant_memberships
  for each row execute function warden_private.tg__notify_auth_invalidation('membership');

--------------------------------------------------------------------------------
-- User sessions: every user token Warden mints belongs to one (the token's
-- jti is the session id). A session that is revoked, has expired or no
-- longer exists refuses its token.
--------------------------------------------------------------------------------
create table if not exists warden.user_sessions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references warden.tenants (id) on delete cascade,
  user_id uuid not null references warden.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz,
  ip inet,
  user_agent text check (length(user_agent) <= 1024),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by jsonb,
  check (expires_at > created_at),
  check ((revoked_at is null) = (revoked_by is null))
);
create index if not exists user_sessions_tenant_user_idx on warden.user_sessions (tenant_id, user_id, created_at desc);
create index if not exists user_sessions_user_id_idx on warden.user_sessions (user_id);
create index if not exists user_sessions_ended_idx on warden.user_sessions ((least(coalesce(revoked_at, expires_at), expires_at)));
comment on table warden.user_sessions is
  E'@behavior -insert -update -delete\nSessions of users: every user token Warden mints belongs to one (its jti). Revoking a session refuses its token on the next request of every API process. Users see their own sessions; tenant owners and admins see every session of the tenant.';
comment on column warden.user_sessions.id is 'Session id: the jti claim of the token.';
comment on column warden.user_sessions.tenant_id is 'The tenant the session acts in.';
comment on column warden.user_sessions.user_id is 'The user.';
comment on column warden.user_sessions.created_at is 'When the session (its token) was created.';
comment on column warden.user_sessions.last_seen_at is 'When the session was last used (updated at most once a minute).';
comment on column warden.user_sessions.ip is 'Address of the client the session was created for (null for the CLI).';
comment on column warden.user_sessions.user_agent is 'User agent the session was created for (null for the CLI).';
comment on column warden.user_sessions.expires_at is 'When the session (its token) expires.';
comment on column warden.user_sessions.revoked_at is 'When the session was revoked; null while it is not.';
comment on column warden.user_sessions.revoked_by is 'Who revoked the session: the actor ({type, id, ...}, as warden.current_actor() gives it).';

alter table warden.user_sessions enable row level security;
alter table warden.user_sessions force row level security;
drop policy if exists owner_maintenance on warden.user_sessions;
create policy owner_maintenance on warden.user_sessions to warden_owner using (true) with check (true);
drop policy if exists select_own_or_admin on warden.user_sessions;
create policy select_own_or_admin on warden.user_sessions for select to warden_visitor
  using (tenant_id = warden.current_tenant_id()
         and (user_id = warden.current_user_id() or warden.has_tenant_role('{owner,admin}')));
grant select on warden.user_sessions to warden_visitor;

create or replace function warden_private.tg_user_sessions__guard() returns trigger
  language plpgsql
  set search_path = pg_catalog
as $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'session % was revoked at %: a revoked session stays revoked', old.id, old.revoked_at using errcode = '22023';
  end if;
  if (new.id, new.tenant_id, new.user_id) is distinct from (old.id, old.tenant_id, old.user_id) or new.expires_at > old.expires_at then
    raise exception 'session % cannot be moved or extended', old.id using errcode = '22023';
  end if;
  return new;
end;
$$;
comment on function warden_private.tg_user_sessions__guard() is
  'BEFORE UPDATE row trigger of user sessions: a revoked session stays revoked, and a session is never moved to another user or tenant nor extended.';
drop trigger if exists _200_guard on warden.user_sessions;
create trigger _200_guard before update on warden.user_sessions
  for each row execute function warden_private.tg_user_sessions__guard();

create or replace function warden_private.tg_user_sessions__governance() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.session.created', new.tenant_id, 'user_session', new.id::text, null,
      jsonb_build_object('user_id', new.user_id, 'expires_at', new.expires_at, 'ip', host(new.ip), 'user_agent', new.user_agent));
  elsif old.revoked_at is null and new.revoked_at is not null then
    perform warden_private.record_governance_event('governance.session.revoked', new.tenant_id, 'user_session', new.id::text,
      jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', new.revoked_at),
      jsonb_build_object('user_id', new.user_id, 'revoked_by', new.revoked_by));
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_user_sessions__governance() is
  'AFTER row trigger of user sessions: governance.session.created (after: user_id, expires_at, ip, user_agent) and governance.session.revoked (before/after: revoked_at; user_id, revoked_by), in the session''s tenant and the transaction of the change.';
drop trigger if exists _850_governance on warden.user_sessions;
create trigger _850_governance after insert or update on warden.user_sessions
  for each row execute function warden_private.tg_user_sessions__governance();

drop trigger if exists _900_auth_invalidation on warden.user_sessions;
create trigger _900_auth_invalidation after update on warden.user_sessions
  for each row
  when ((old.revoked_at, old.expires_at) is distinct from (new.revoked_at, new.expires_at))
  execute function warden_private.tg__notify_auth_invalidation('session');
drop trigger if exists _901_auth_invalidation_delete on warden.user_sessions;
create trigger _901_auth_invalidation_delete after delete on warden.user_sessions
  for each row
  when (old.revoked_at is null)
  execute function warden_private.tg__notify_auth_invalidation('session');

create or replace function warden_private.create_user_session(
  tenant_id uuid,
  user_id uuid,
  expires_at timestamptz,
  ip inet default null,
  user_agent text default null
) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
begin
  if create_user_session.expires_at is null or create_user_session.expires_at <= now() then
    raise exception 'a session must expire in the future' using errcode = '22023';
  end if;
  if create_user_session.expires_at > now() + interval '366 days' then
    raise exception 'a session lasts at most 366 days' using errcode = '22023';
  end if;
  if not exists (select 1 from warden.tenant_memberships m
                 where m.tenant_id = create_user_session.tenant_id and m.user_id = create_user_session.user_id) then
    raise exception 'user % is not a member of tenant %', create_user_session.user_id, create_user_session.tenant_id
      using errcode = '42501';
  end if;
  insert into warden.user_sessions (tenant_id, user_id, expires_at, ip, user_agent)
  values (create_user_session.tenant_id, create_user_session.user_id, create_user_session.expires_at,
          create_user_session.ip, left(create_user_session.user_agent, 1024))
  returning id into v_id;
  return v_id;
end;
$$;
comment on function warden_private.create_user_session(uuid, uuid, timestamptz, inet, text) is
  'Opens a session for a member of a tenant, expiring at expires_at (at most 366 days ahead); returns its id, the jti of the token minted for it. Writes governance.session.created. Raises 42501 when the user is not a member.';
revoke all on function warden_private.create_user_session(uuid, uuid, timestamptz, inet, text) from public;

create or replace function warden_private.authenticate_session(
  session_id uuid,
  tenant_id uuid,
  user_id uuid,
  out tenant_role warden.tenant_role,
  out failure text,
  out expires_at timestamptz
)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  s warden.user_sessions;
begin
  select * into s from warden.user_sessions us where us.id = authenticate_session.session_id;
  if s.id is null or s.tenant_id <> authenticate_session.tenant_id or s.user_id <> authenticate_session.user_id then
    failure := 'session_not_found';
    return;
  end if;
  if s.revoked_at is not null then
    failure := 'session_revoked';
    return;
  end if;
  if s.expires_at <= now() then
    failure := 'session_expired';
    return;
  end if;
  select m.role into tenant_role from warden.tenant_memberships m
  where m.tenant_id = s.tenant_id and m.user_id = s.user_id;
  if tenant_role is null then
    failure := 'not_a_member';
    return;
  end if;
  expires_at := s.expires_at;
  if s.last_seen_at is null or s.last_seen_at < now() - interval '1 minute' then
    update warden.user_sessions us set last_seen_at = now() where us.id = s.id;
  end if;
end;
$$;
comment on function warden_private.authenticate_session(uuid, uuid, uuid) is
  'Resolves a session token: the member''s tenant role and the session''s expiry, or a failure (session_not_found, session_revoked, session_expired, not_a_member). Updates last_seen_at at most once a minute.';
revoke all on function warden_private.authenticate_session(uuid, uuid, uuid) from public;
grant execute on function warden_private.authenticate_session(uuid, uuid, uuid) to warden_authenticator;

create or replace function warden_private.revoke_user_sessions(session_ids uuid[], revoked_by jsonb) returns setof warden.user_sessions
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  update warden.user_sessions s set revoked_at = now(), revoked_by = revoke_user_sessions.revoked_by
  where s.id = any (revoke_user_sessions.session_ids) and s.revoked_at is null
  returning s.*
$$;
comment on function warden_private.revoke_user_sessions(uuid[], jsonb) is
  'Revokes the given sessions that are not revoked yet, recording who revoked them; returns the sessions revoked. No permission checks: callers check (CLI, warden.revoke_user_session).';
revoke all on function warden_private.revoke_user_sessions(uuid[], jsonb) from public;

create or replace function warden_private.check_session_revoker(target_user_id uuid) returns void
  language plpgsql stable
  security definer
  set search_path = pg_catalog
as $$
begin
  if warden.current_tenant_id() is null then
    raise exception 'revoking sessions needs a tenant context' using errcode = '42501';
  end if;
  if target_user_id is not distinct from warden.current_user_id() then
    return;
  end if;
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'revoking another user''s sessions requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if not warden.has_tenant_role('{owner}') and exists (
      select 1 from warden.tenant_memberships m
      where m.tenant_id = warden.current_tenant_id() and m.user_id = target_user_id and m.role = 'owner') then
    raise exception 'only a tenant owner can revoke an owner''s sessions' using errcode = '42501', hint = 'missing_role=owner';
  end if;
end;
$$;
comment on function warden_private.check_session_revoker(uuid) is
  'Raises 42501 unless the current actor may revoke sessions of target_user_id in the current tenant: their own, or any as tenant owner or admin (an owner''s only as owner).';
revoke all on function warden_private.check_session_revoker(uuid) from public;

create or replace function warden.revoke_user_session(session_id uuid) returns warden.user_sessions
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  s warden.user_sessions;
begin
  select * into s from warden.user_sessions us
  where us.id = revoke_user_session.session_id and us.tenant_id = warden.current_tenant_id();
  if s.id is null then
    raise exception 'no session % in the current tenant', revoke_user_session.session_id using errcode = 'P0002';
  end if;
  perform warden_private.check_session_revoker(s.user_id);
  if s.revoked_at is not null then
    return s; -- revoking twice answers with the first revocation
  end if;
  select * into s from warden_private.revoke_user_sessions(array[s.id], warden.current_actor());
  return s;
end;
$$;
comment on function warden.revoke_user_session(uuid) is
  'Revokes a session of the current tenant: one''s own, or any as tenant owner or admin (an owner''s only as owner). Its token is refused on the next request. Revoking a revoked session returns it unchanged.';
grant execute on function warden.revoke_user_session(uuid) to warden_visitor;

create or replace function warden.revoke_user_sessions(user_id uuid) returns setof warden.user_sessions
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  perform warden_private.check_session_revoker(revoke_user_sessions.user_id);
  return query
  select * from warden_private.revoke_user_sessions(
    array(select us.id from warden.user_sessions us
          where us.tenant_id = warden.current_tenant_id() and us.user_id = revoke_user_sessions.user_id
            and us.revoked_at is null and us.expires_at > now()),
    warden.current_actor());
end;
$$;
comment on function warden.revoke_user_sessions(uuid) is
  'Revokes every live session of a user in the current tenant (one''s own, or anyone''s as tenant owner or admin; an owner''s only as owner); returns the sessions revoked.';
grant execute on function warden.revoke_user_sessions(uuid) to warden_visitor;

create or replace function warden_private.compact_user_sessions(retention_days integer default 30) returns bigint
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_count bigint;
begin
  if retention_days is null or retention_days < 0 then
    raise exception 'retention_days must be 0 or more' using errcode = '22023';
  end if;
  delete from warden.user_sessions s
  where least(coalesce(s.revoked_at, s.expires_at), s.expires_at) < now() - make_interval(days => compact_user_sessions.retention_days);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function warden_private.compact_user_sessions(integer) is
  'Deletes sessions that ended (were revoked, or expired) more than retention_days ago; returns how many (worker task compact_user_sessions, SESSION_RETENTION_DAYS).';
revoke all on function warden_private.compact_user_sessions(integer) from public;

--------------------------------------------------------------------------------
-- External identity providers: a tenant trusts an OIDC issuer. Tokens that
-- issuer signs (RS256/ES256, keys from its JWKS) for the audience act in
-- that tenant as the member the claim (email or sub) maps to.
--------------------------------------------------------------------------------
alter table warden.tenant_memberships drop constraint if exists tenant_memberships_joined_via_check;
alter table warden.tenant_memberships add constraint tenant_memberships_joined_via_check
  check (joined_via in ('operator', 'invitation', 'unconfirmed', 'identity_provider'));
comment on column warden.tenant_memberships.joined_via is
  'How the member joined: operator (added by a DBA or the CLI), invitation (the user accepted an invitation), identity_provider (provisioned on first sign-in through a tenant''s trusted identity provider), or unconfirmed (added through the API before invitations existed, without the user''s consent: the tenant does not see the user''s personal fields until they accept an invitation).';

create table if not exists warden.identity_providers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  issuer text not null check (issuer ~ '^https?://[^\s]+$' and length(issuer) <= 2048),
  jwks_url text check (jwks_url ~ '^https?://[^\s]+$' and length(jwks_url) <= 2048),
  audience text not null check (length(audience) between 1 and 2048),
  user_claim text not null default 'email' check (user_claim in ('email', 'sub')),
  auto_provision boolean not null default false,
  default_role warden.tenant_role not null default 'member' check (default_role in ('member', 'support', 'auditor')),
  enabled boolean not null default true,
  created_by uuid default warden.current_user_id() references warden.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name),
  constraint identity_providers_issuer_audience_key unique (issuer, audience)
);
create index if not exists identity_providers_tenant_id_idx on warden.identity_providers (tenant_id);
create index if not exists identity_providers_created_by_idx on warden.identity_providers (created_by);
comment on table warden.identity_providers is
  'OIDC issuers a tenant trusts: tokens the issuer signs (RS256 or ES256) for the audience act in the tenant as the member their email or sub claim maps to. Managed by tenant owners and admins; every change is a governance event.';
comment on column warden.identity_providers.id is 'Identity provider id.';
comment on column warden.identity_providers.tenant_id is 'The tenant whose members the provider''s tokens act as (and no other).';
comment on column warden.identity_providers.name is 'Name, unique within the tenant (e.g. "okta").';
comment on column warden.identity_providers.issuer is 'The issuer (iss claim) exactly as the provider writes it, e.g. https://example.okta.com/oauth2/default.';
comment on column warden.identity_providers.jwks_url is 'Where the provider publishes its signing keys; null: discovered from issuer/.well-known/openid-configuration.';
comment on column warden.identity_providers.audience is 'The audience (aud claim) tokens must carry: the client id registered for Warden at the provider. One (issuer, audience) belongs to one tenant.';
comment on column warden.identity_providers.user_claim is 'How a token maps to a Warden user: email (the verified email claim) or sub (the provider''s subject, remembered per provider).';
comment on column warden.identity_providers.auto_provision is 'When true, a user seen for the first time becomes a member with default_role; when false, only existing members sign in.';
comment on column warden.identity_providers.default_role is 'Tenant role of auto-provisioned members: member, support or auditor (never admin or owner).';
comment on column warden.identity_providers.enabled is 'A disabled provider''s tokens are refused.';
comment on column warden.identity_providers.created_by is 'The user who added the provider.';
comment on column warden.identity_providers.created_at is 'When the provider was added.';
comment on column warden.identity_providers.updated_at is 'When the provider was last changed.';
comment on constraint identity_providers_issuer_audience_key on warden.identity_providers is
  E'@behavior -single -update -delete\nOne (issuer, audience) pair is trusted by one tenant only: a token names the tenant it acts in through them.';
comment on constraint identity_providers_tenant_id_name_key on warden.identity_providers is
  E'@behavior -single -update -delete\nProvider names are unique within a tenant.';

drop trigger if exists _100_timestamps on warden.identity_providers;
create trigger _100_timestamps before update on warden.identity_providers
  for each row execute function warden_private.tg__timestamps();

alter table warden.identity_providers enable row level security;
alter table warden.identity_providers force row level security;
drop policy if exists owner_maintenance on warden.identity_providers;
create policy owner_maintenance on warden.identity_providers to warden_owner using (true) with check (true);
drop policy if exists manage_admin on warden.identity_providers;
create policy manage_admin on warden.identity_providers to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'))
  with check (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
grant select, delete, insert (name, issuer, jwks_url, audience, user_claim, auto_provision, default_role, enabled),
  update (name, issuer, jwks_url, audience, user_claim, auto_provision, default_role, enabled)
  on warden.identity_providers to warden_visitor;

create or replace function warden_private.tg_identity_providers__governance() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_old jsonb;
  v_new jsonb;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    v_old := jsonb_build_object('name', old.name, 'issuer', old.issuer, 'jwks_url', old.jwks_url, 'audience', old.audience,
      'user_claim', old.user_claim, 'auto_provision', old.auto_provision, 'default_role', old.default_role, 'enabled', old.enabled);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    v_new := jsonb_build_object('name', new.name, 'issuer', new.issuer, 'jwks_url', new.jwks_url, 'audience', new.audience,
      'user_claim', new.user_claim, 'auto_provision', new.auto_provision, 'default_role', new.default_role, 'enabled', new.enabled);
  end if;
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.identity_provider.created', new.tenant_id, 'identity_provider', new.id::text, null, v_new);
  elsif tg_op = 'DELETE' then
    perform warden_private.record_governance_event('governance.identity_provider.deleted', old.tenant_id, 'identity_provider', old.id::text, v_old, null);
  elsif v_old is distinct from v_new then
    perform warden_private.record_governance_event('governance.identity_provider.updated', new.tenant_id, 'identity_provider', new.id::text, v_old, v_new);
  end if;
  perform warden_private.notify_auth_invalidation('identity_provider');
  return null;
end;
$$;
comment on function warden_private.tg_identity_providers__governance() is
  'AFTER row trigger of identity providers: governance.identity_provider.created, .updated (before/after) and .deleted, and an authentication cache invalidation.';
drop trigger if exists _850_governance on warden.identity_providers;
create trigger _850_governance after insert or update or delete on warden.identity_providers
  for each row execute function warden_private.tg_identity_providers__governance();

create table if not exists warden_private.user_identities (
  provider_id uuid not null references warden.identity_providers (id) on delete cascade,
  subject text not null check (length(subject) between 1 and 1024),
  user_id uuid not null references warden.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (provider_id, subject)
);
create index if not exists user_identities_user_id_idx on warden_private.user_identities (user_id);
comment on table warden_private.user_identities is 'Which Warden user a provider''s subject (sub claim) is, for providers that map by sub.';
comment on column warden_private.user_identities.provider_id is 'The identity provider.';
comment on column warden_private.user_identities.subject is 'The provider''s sub claim.';
comment on column warden_private.user_identities.user_id is 'The Warden user.';
comment on column warden_private.user_identities.created_at is 'When the subject was first seen.';
alter table warden_private.user_identities enable row level security;
alter table warden_private.user_identities force row level security;
drop policy if exists owner_maintenance on warden_private.user_identities;
create policy owner_maintenance on warden_private.user_identities to warden_owner using (true) with check (true);

create or replace function warden_private.identity_providers_for_issuer(issuer text)
  returns table (id uuid, tenant_id uuid, issuer text, jwks_url text, audience text, user_claim text)
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select p.id, p.tenant_id, p.issuer, p.jwks_url, p.audience, p.user_claim
  from warden.identity_providers p
  where p.issuer = identity_providers_for_issuer.issuer and p.enabled
$$;
comment on function warden_private.identity_providers_for_issuer(text) is
  'The enabled identity providers of an issuer (one per audience), for the API to verify a token the issuer signed.';
revoke all on function warden_private.identity_providers_for_issuer(text) from public;
grant execute on function warden_private.identity_providers_for_issuer(text) to warden_authenticator;

create or replace function warden_private.resolve_external_identity(
  provider_id uuid,
  subject text,
  email text,
  email_verified boolean default null,
  display_name text default null,
  out user_id uuid,
  out tenant_id uuid,
  out tenant_role warden.tenant_role,
  out failure text
)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
#variable_conflict use_column
declare
  p warden.identity_providers;
  v_email text := nullif(btrim(resolve_external_identity.email), '');
begin
  select * into p from warden.identity_providers ip where ip.id = resolve_external_identity.provider_id and ip.enabled;
  if p.id is null then
    failure := 'unknown_identity_provider';
    return;
  end if;
  tenant_id := p.tenant_id;
  if p.user_claim = 'email' then
    if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+$' or length(v_email) > 320 then
      failure := 'missing_email_claim';
      return;
    end if;
    if resolve_external_identity.email_verified is false then
      failure := 'email_not_verified';
      return;
    end if;
    select u.id into user_id from warden.users u where lower(u.email) = lower(v_email);
  else
    if resolve_external_identity.subject is null or length(resolve_external_identity.subject) not between 1 and 1024 then
      failure := 'missing_subject_claim';
      return;
    end if;
    select i.user_id into user_id from warden_private.user_identities i
    where i.provider_id = p.id and i.subject = resolve_external_identity.subject;
  end if;
  if user_id is not null then
    select m.role into tenant_role from warden.tenant_memberships m where m.tenant_id = p.tenant_id and m.user_id = resolve_external_identity.user_id;
  end if;
  if tenant_role is not null then
    return;
  end if;
  if not p.auto_provision then
    failure := 'not_a_member';
    return;
  end if;
  -- First sight, auto_provision: a user (for sub mapping always a new one:
  -- a provider's word on an email never takes over an existing account) and
  -- a membership with the provider's default role.
  if user_id is null then
    insert into warden.users (email, display_name)
    values (case when p.user_claim = 'email' then v_email
                 else 'oidc-' || encode(sha256(convert_to(p.id::text || ':' || resolve_external_identity.subject, 'UTF8')), 'hex')
                      || '@' || p.id::text || '.oidc.invalid' end,
            left(coalesce(nullif(btrim(resolve_external_identity.display_name), ''), v_email), 200))
    on conflict (lower(email)) do update set display_name = warden.users.display_name
    returning id into user_id;
    if p.user_claim = 'sub' then
      insert into warden_private.user_identities (provider_id, subject, user_id)
      values (p.id, resolve_external_identity.subject, user_id)
      on conflict do nothing;
    end if;
  end if;
  insert into warden.tenant_memberships (tenant_id, user_id, role, joined_via)
  values (p.tenant_id, user_id, p.default_role, 'identity_provider')
  on conflict on constraint tenant_memberships_tenant_id_user_id_key do nothing;
  select m.role into tenant_role from warden.tenant_memberships m where m.tenant_id = p.tenant_id and m.user_id = resolve_external_identity.user_id;
end;
$$;
comment on function warden_private.resolve_external_identity(uuid, text, text, boolean, text) is
  'Maps a verified token of an identity provider to a member of the provider''s tenant (by email or by sub, as the provider says); with auto_provision, makes a first-seen user a member with the default role (governance.membership.added, joined_via identity_provider). Returns the user, tenant and role, or a failure (unknown_identity_provider, missing_email_claim, email_not_verified, missing_subject_claim, not_a_member).';
revoke all on function warden_private.resolve_external_identity(uuid, text, text, boolean, text) from public;
grant execute on function warden_private.resolve_external_identity(uuid, text, text, boolean, text) to warden_authenticator;

create or replace function warden.create_user_session(expires_at timestamptz) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  if warden.current_actor_type() is distinct from 'user' or warden.current_user_id() is null or warden.current_tenant_id() is null then
    raise exception 'only a signed-in user opens a session' using errcode = '42501';
  end if;
  return warden_private.create_user_session(warden.current_tenant_id(), warden.current_user_id(), create_user_session.expires_at,
    nullif(current_setting('warden.actor_ip', true), '')::inet, nullif(current_setting('warden.user_agent', true), ''));
end;
$$;
comment on function warden.create_user_session(timestamptz) is
  E'@behavior -*\nOpens a session for the current user in the current tenant (the address and user agent of the request), expiring at expires_at; returns its id. POST /api/v1/sessions signs a token for it.';
grant execute on function warden.create_user_session(timestamptz) to warden_visitor;
