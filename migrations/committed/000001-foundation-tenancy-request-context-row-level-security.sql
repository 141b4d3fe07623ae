--! Previous: -
--! Hash: sha1:a06b88420b1db2cffbf5e683a5f946f785b1a4ca
--! Message: foundation: tenancy, request context, row-level security

-- Warden foundation: schemas, privileges, the tenancy model, request context
-- and row-level security.
--
-- The roles warden_owner (owns everything, runs migrations and the worker),
-- warden_authenticator (LOGIN NOINHERIT, used by the API) and warden_visitor
-- (what API requests run as) are created by `warden setup`
-- (src/db/roles.ts) before any migration runs.

--------------------------------------------------------------------------------
-- Privileges: nothing Warden creates is usable by PUBLIC unless granted.
--------------------------------------------------------------------------------
alter default privileges revoke execute on functions from public;

create schema warden;
comment on schema warden is
  'Warden public API: exposed through GraphQL and callable by DBAs.';
grant usage on schema warden to warden_visitor;

create schema warden_private;
comment on schema warden_private is
  'Warden internals: never exposed through GraphQL, not usable by API requests.';
revoke all on schema warden_private from public;

--------------------------------------------------------------------------------
-- Types
--------------------------------------------------------------------------------
create type warden.tenant_role as enum ('member', 'support', 'auditor', 'admin', 'owner');
comment on type warden.tenant_role is
  'Role of a user (or API key) within a tenant. owner and admin manage the tenant; auditor reads the audit trail; support and member are ordinary users.';

create type warden.project_role as enum ('viewer', 'editor', 'admin', 'owner');
comment on type warden.project_role is
  'Role within a project, ordered from least to most privileged: viewer < editor < admin < owner.';

--------------------------------------------------------------------------------
-- Request context helpers.
-- The API sets these settings per transaction (pgSettings); apps and DBAs
-- that connect directly call warden.set_context(). Setting names are fixed:
-- creating a new custom setting name per transaction slows sessions down.
--------------------------------------------------------------------------------
create function warden.current_tenant_id() returns uuid
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid
$$;
comment on function warden.current_tenant_id() is
  'The tenant of the current request or set_context() call; null when none is set.';

create function warden.current_actor_type() returns text
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select nullif(current_setting('jwt.claims.actor_type', true), '')
$$;
comment on function warden.current_actor_type() is
  E'@behavior -*\nThe kind of actor of the current request: user, api_key, service, system or db_role; null without a context.';

create function warden.current_user_id() returns uuid
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select case
    when current_setting('jwt.claims.actor_type', true) = 'user'
      then nullif(current_setting('jwt.claims.actor_id', true), '')::uuid
  end
$$;
comment on function warden.current_user_id() is
  'The id of the current user when the actor is a user; null for API keys, services and direct connections.';

create function warden.current_tenant_role() returns warden.tenant_role
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select nullif(current_setting('jwt.claims.tenant_role', true), '')::warden.tenant_role
$$;
comment on function warden.current_tenant_role() is
  'The tenant role of the current actor (resolved by the API from the membership or API key at request time).';

create function warden.current_trace_id() returns text
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select nullif(current_setting('warden.trace_id', true), '')
$$;
comment on function warden.current_trace_id() is
  'The trace id of the current request (W3C traceparent, X-Request-Id or X-Correlation-Id, or generated); null when none is set.';

create function warden.current_actor() returns jsonb
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select case
    when nullif(current_setting('jwt.claims.actor_id', true), '') is not null then
      jsonb_strip_nulls(jsonb_build_object(
        'type', coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user'),
        'id', current_setting('jwt.claims.actor_id', true),
        'tenant_id', nullif(current_setting('jwt.claims.tenant_id', true), ''),
        'tenant_role', nullif(current_setting('jwt.claims.tenant_role', true), ''),
        'trace_id', nullif(current_setting('warden.trace_id', true), ''),
        'extra', nullif(nullif(current_setting('warden.context_extra', true), ''), '{}')::jsonb
      ))
    else
      -- No context: the database role is the actor, so nothing lacks one.
      jsonb_strip_nulls(jsonb_build_object(
        'type', 'db_role',
        'id', session_user::text,
        'application_name', nullif(current_setting('application_name', true), ''),
        'client_addr', host(inet_client_addr()),
        'trace_id', nullif(current_setting('warden.trace_id', true), '')
      ))
  end
$$;
comment on function warden.current_actor() is
  'Who is acting: {type, id, tenant_id, tenant_role, trace_id, extra} from the request context, or {type: db_role, id: session user, application_name, client_addr} for a direct connection without one.';

--------------------------------------------------------------------------------
-- Tenancy model
--------------------------------------------------------------------------------
create table warden.tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table warden.tenants is 'An organisation whose data Warden keeps apart from every other.';
comment on column warden.tenants.id is 'Tenant id; carried by every tenant-scoped row.';
comment on column warden.tenants.name is 'Display name of the tenant (1-200 characters).';
comment on column warden.tenants.created_at is 'When the tenant was created.';
comment on column warden.tenants.updated_at is 'When the tenant was last changed.';

create table warden.users (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email ~ '^[^@\s]+@[^@\s]+$' and length(email) <= 320),
  display_name text check (length(display_name) <= 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on warden.users (lower(email));
comment on table warden.users is 'A person who signs in to Warden; belongs to tenants through tenant memberships.';
comment on column warden.users.id is 'User id; the subject of user tokens.';
comment on column warden.users.email is 'Email address, unique regardless of case.';
comment on column warden.users.display_name is 'Name shown for the user.';
comment on column warden.users.created_at is 'When the user was created.';
comment on column warden.users.updated_at is 'When the user was last changed.';

create table warden.tenant_memberships (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  user_id uuid not null references warden.users (id) on delete cascade,
  role warden.tenant_role not null default 'member',
  created_at timestamptz not null default now(),
  unique (tenant_id, user_id)
);
create index tenant_memberships_user_id_idx on warden.tenant_memberships (user_id);
comment on table warden.tenant_memberships is 'Which users belong to which tenant, and with what tenant role.';
comment on column warden.tenant_memberships.id is 'Membership id.';
comment on column warden.tenant_memberships.tenant_id is 'The tenant.';
comment on column warden.tenant_memberships.user_id is 'The member.';
comment on column warden.tenant_memberships.role is 'The member''s tenant role.';
comment on column warden.tenant_memberships.created_at is 'When the membership was created.';

create table warden.projects (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  description text check (length(description) <= 10000),
  created_by uuid default warden.current_user_id() references warden.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name),
  unique (id, tenant_id)
);
create index projects_created_by_idx on warden.projects (created_by);
comment on table warden.projects is 'A tenant-scoped project; access is granted per project through project members.';
comment on column warden.projects.id is 'Project id.';
comment on column warden.projects.tenant_id is 'The owning tenant.';
comment on column warden.projects.name is 'Project name, unique within the tenant.';
comment on column warden.projects.description is 'Free-text description.';
comment on column warden.projects.created_by is 'The user who created the project (its first owner).';
comment on column warden.projects.created_at is 'When the project was created.';
comment on column warden.projects.updated_at is 'When the project was last changed.';
comment on constraint projects_id_tenant_id_key on warden.projects is
  E'@behavior -single -update -delete\nLets project members reference (project, tenant) so a member row can never point across tenants.';

create table warden.project_members (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id(),
  project_id uuid not null,
  user_id uuid not null,
  role warden.project_role not null default 'viewer',
  created_at timestamptz not null default now(),
  unique (project_id, user_id),
  foreign key (project_id, tenant_id) references warden.projects (id, tenant_id) on delete cascade,
  foreign key (tenant_id, user_id) references warden.tenant_memberships (tenant_id, user_id) on delete cascade
);
create index project_members_tenant_user_idx on warden.project_members (tenant_id, user_id);
comment on table warden.project_members is 'Users with a role in a project; only tenant members can be project members.';
comment on column warden.project_members.id is 'Project membership id.';
comment on column warden.project_members.tenant_id is 'The tenant (always the project''s tenant).';
comment on column warden.project_members.project_id is 'The project.';
comment on column warden.project_members.user_id is 'The member.';
comment on column warden.project_members.role is 'The member''s project role.';
comment on column warden.project_members.created_at is 'When the membership was created.';

create table warden.api_keys (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 200),
  prefix text not null unique,
  role warden.tenant_role not null default 'member',
  rate_limit_per_second integer not null default 500 check (rate_limit_per_second between 1 and 1000000),
  created_by uuid default warden.current_user_id() references warden.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_keys_tenant_id_idx on warden.api_keys (tenant_id);
create index api_keys_created_by_idx on warden.api_keys (created_by);
comment on table warden.api_keys is 'API keys of service accounts: scoped to one tenant, stored hashed, shown once, revocable.';
comment on column warden.api_keys.id is 'API key id; the actor id of requests made with the key.';
comment on column warden.api_keys.tenant_id is 'The one tenant the key acts in.';
comment on column warden.api_keys.name is 'Name of the service account, e.g. "gateway".';
comment on column warden.api_keys.prefix is 'Public, non-secret start of the key (wdn_...), used to find it and shown in listings.';
comment on column warden.api_keys.role is 'Tenant role the key acts with.';
comment on column warden.api_keys.rate_limit_per_second is 'Write rate limit for this key, in events per second.';
comment on column warden.api_keys.created_by is 'The user who created the key, when created by a user.';
comment on column warden.api_keys.created_at is 'When the key was created.';
comment on column warden.api_keys.expires_at is 'When the key stops working; null for never.';
comment on column warden.api_keys.last_used_at is 'When the key was last used (updated at most once a minute).';
comment on column warden.api_keys.revoked_at is 'When the key was revoked; a revoked key is refused.';

create table warden_private.api_key_secrets (
  api_key_id uuid primary key references warden.api_keys (id) on delete cascade,
  key_hash bytea not null
);
comment on table warden_private.api_key_secrets is 'SHA-256 of each API key secret; the key itself is never stored.';
comment on column warden_private.api_key_secrets.api_key_id is 'The API key.';
comment on column warden_private.api_key_secrets.key_hash is 'sha256 of the full key string.';

--------------------------------------------------------------------------------
-- updated_at maintenance
--------------------------------------------------------------------------------
create function warden_private.tg__timestamps() returns trigger
  language plpgsql
  set search_path = pg_catalog
as $$
begin
  new.updated_at := case when tg_op = 'INSERT' then coalesce(new.updated_at, now()) else greatest(now(), old.updated_at + interval '1 millisecond') end;
  return new;
end;
$$;
comment on function warden_private.tg__timestamps() is 'Trigger: keeps updated_at current on update.';

create trigger _100_timestamps before update on warden.tenants
  for each row execute function warden_private.tg__timestamps();
create trigger _100_timestamps before update on warden.users
  for each row execute function warden_private.tg__timestamps();
create trigger _100_timestamps before update on warden.projects
  for each row execute function warden_private.tg__timestamps();

--------------------------------------------------------------------------------
-- Role checks used by policies
--------------------------------------------------------------------------------
create function warden.has_tenant_role(roles warden.tenant_role[]) returns boolean
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select coalesce(warden.current_tenant_role() = any (roles), false)
$$;
comment on function warden.has_tenant_role(warden.tenant_role[]) is
  E'@behavior -*\nTrue when the current actor''s tenant role is one of the given roles.';

create function warden.has_project_role(project_id uuid, min_role warden.project_role) returns boolean
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select case
    when warden.current_tenant_id() is null then false
    -- tenant owners and admins act as owners of every project of their tenant
    when warden.current_tenant_role() in ('owner', 'admin') then exists (
      select 1 from warden.projects p
      where p.id = has_project_role.project_id and p.tenant_id = warden.current_tenant_id())
    else exists (
      select 1 from warden.project_members pm
      where pm.project_id = has_project_role.project_id
        and pm.tenant_id = warden.current_tenant_id()
        and pm.user_id = warden.current_user_id()
        and pm.role >= has_project_role.min_role)
  end
$$;
comment on function warden.has_project_role(uuid, warden.project_role) is
  'True when the current actor has at least min_role in the project (tenant owners and admins count as project owners). Used by row-level security policies.';

--------------------------------------------------------------------------------
-- set_context: the direct-connection equivalent of the API's pgSettings.
--------------------------------------------------------------------------------
create function warden.set_context(
  tenant_id uuid,
  actor_id text,
  actor_type text,
  trace_id text default null,
  extra jsonb default '{}'
) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_role text;
begin
  if actor_type is null or actor_type not in ('user', 'api_key', 'service', 'system', 'db_role') then
    raise exception 'invalid actor_type %: expected user, api_key, service, system or db_role', coalesce(quote_literal(actor_type), 'null')
      using errcode = '22023';
  end if;
  if actor_id is null or length(actor_id) = 0 or length(actor_id) > 256 then
    raise exception 'actor_id must be 1 to 256 characters' using errcode = '22023';
  end if;
  if actor_type = 'user' and actor_id !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'actor_id % is not a user id (uuid)', quote_literal(actor_id) using errcode = '22023';
  end if;
  if trace_id is not null and (length(trace_id) > 128 or trace_id !~ '^[\x21-\x7e]+$') then
    raise exception 'trace_id must be 1 to 128 printable ASCII characters' using errcode = '22023';
  end if;
  if extra is null or jsonb_typeof(extra) <> 'object' then
    raise exception 'extra must be a JSON object' using errcode = '22023';
  end if;

  v_role := extra ->> 'tenant_role';
  if v_role is not null and v_role not in ('member', 'support', 'auditor', 'admin', 'owner') then
    raise exception 'invalid tenant_role % in extra', quote_literal(v_role) using errcode = '22023';
  end if;
  if v_role is null and tenant_id is not null then
    if actor_type = 'user' then
      select m.role::text into v_role from warden.tenant_memberships m
      where m.tenant_id = set_context.tenant_id and m.user_id = actor_id::uuid;
    elsif actor_type = 'api_key' and actor_id ~* '^[0-9a-f-]{36}$' then
      select k.role::text into v_role from warden.api_keys k
      where k.tenant_id = set_context.tenant_id and k.id = actor_id::uuid and k.revoked_at is null;
    end if;
  end if;

  perform set_config('jwt.claims.tenant_id', coalesce(tenant_id::text, ''), true);
  perform set_config('jwt.claims.actor_id', actor_id, true);
  perform set_config('jwt.claims.actor_type', actor_type, true);
  perform set_config('jwt.claims.tenant_role', coalesce(v_role, ''), true);
  perform set_config('warden.trace_id', coalesce(trace_id, ''), true);
  perform set_config('warden.context_extra', (extra - 'tenant_role')::text, true);
  return warden.current_actor();
end;
$$;
comment on function warden.set_context(uuid, text, text, text, jsonb) is
  E'@behavior -*\nFor apps and DBAs connecting directly: sets the transaction-local request context (tenant, actor, trace id, extra) that the API would set, so triggers see one context whatever the path. The tenant role is taken from extra.tenant_role or looked up from the membership or API key. Returns warden.current_actor(). Not executable by API requests; grant EXECUTE to your application roles.';

--------------------------------------------------------------------------------
-- Row-level security: enabled and forced on every table.
-- warden_owner (migrations, worker, CLI) has an explicit maintenance policy;
-- every other role goes through the tenant policies.
--------------------------------------------------------------------------------
alter table warden.tenants enable row level security;
alter table warden.tenants force row level security;
alter table warden.users enable row level security;
alter table warden.users force row level security;
alter table warden.tenant_memberships enable row level security;
alter table warden.tenant_memberships force row level security;
alter table warden.projects enable row level security;
alter table warden.projects force row level security;
alter table warden.project_members enable row level security;
alter table warden.project_members force row level security;
alter table warden.api_keys enable row level security;
alter table warden.api_keys force row level security;
alter table warden_private.api_key_secrets enable row level security;
alter table warden_private.api_key_secrets force row level security;

create policy owner_maintenance on warden.tenants to warden_owner using (true) with check (true);
create policy owner_maintenance on warden.users to warden_owner using (true) with check (true);
create policy owner_maintenance on warden.tenant_memberships to warden_owner using (true) with check (true);
create policy owner_maintenance on warden.projects to warden_owner using (true) with check (true);
create policy owner_maintenance on warden.project_members to warden_owner using (true) with check (true);
create policy owner_maintenance on warden.api_keys to warden_owner using (true) with check (true);
create policy owner_maintenance on warden_private.api_key_secrets to warden_owner using (true) with check (true);

-- tenants: members see their own tenant; owners and admins rename it.
create policy select_own on warden.tenants for select to warden_visitor
  using (id = warden.current_tenant_id());
create policy update_own on warden.tenants for update to warden_visitor
  using (id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'))
  with check (id = warden.current_tenant_id());
grant select, update (name) on warden.tenants to warden_visitor;

-- users: the members of the current tenant, and oneself.
create policy select_members on warden.users for select to warden_visitor
  using (
    id = warden.current_user_id()
    or exists (select 1 from warden.tenant_memberships m
               where m.user_id = users.id and m.tenant_id = warden.current_tenant_id()));
create policy update_self on warden.users for update to warden_visitor
  using (id = warden.current_user_id())
  with check (id = warden.current_user_id());
grant select, update (display_name) on warden.users to warden_visitor;

-- tenant memberships: visible within the tenant; managed by owners and admins;
-- only an owner can make someone an owner.
create policy select_tenant on warden.tenant_memberships for select to warden_visitor
  using (tenant_id = warden.current_tenant_id());
create policy manage_insert on warden.tenant_memberships for insert to warden_visitor
  with check (tenant_id = warden.current_tenant_id()
    and (warden.has_tenant_role('{owner}') or (warden.has_tenant_role('{admin}') and role <> 'owner')));
create policy manage_update on warden.tenant_memberships for update to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'))
  with check (tenant_id = warden.current_tenant_id()
    and (warden.has_tenant_role('{owner}') or (warden.has_tenant_role('{admin}') and role <> 'owner')));
create policy manage_delete on warden.tenant_memberships for delete to warden_visitor
  using (tenant_id = warden.current_tenant_id()
    and (warden.has_tenant_role('{owner}') or (warden.has_tenant_role('{admin}') and role <> 'owner')));
grant select, insert (tenant_id, user_id, role), update (role), delete on warden.tenant_memberships to warden_visitor;

-- projects: visible to tenant owners, admins and auditors, to project
-- members and to their creator; created by owners, admins and members;
-- changed by project admins.
create policy select_visible on warden.projects for select to warden_visitor
  using (tenant_id = warden.current_tenant_id()
    and (warden.has_tenant_role('{owner,admin,auditor}') or warden.has_project_role(id, 'viewer')
         or created_by = warden.current_user_id()));
create policy insert_tenant on warden.projects for insert to warden_visitor
  with check (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin,member}'));
create policy update_admin on warden.projects for update to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_project_role(id, 'admin'))
  with check (tenant_id = warden.current_tenant_id());
create policy delete_owner on warden.projects for delete to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_project_role(id, 'owner'));
grant select, insert (tenant_id, name, description), update (name, description), delete on warden.projects to warden_visitor;

-- project members: visible to whoever sees the project; managed by project
-- admins; only a project owner can appoint owners.
create policy select_visible on warden.project_members for select to warden_visitor
  using (tenant_id = warden.current_tenant_id()
    and (warden.has_tenant_role('{owner,admin,auditor}') or warden.has_project_role(project_id, 'viewer')));
create policy manage_insert on warden.project_members for insert to warden_visitor
  with check (tenant_id = warden.current_tenant_id() and warden.has_project_role(project_id, 'admin')
    and (role <> 'owner' or warden.has_project_role(project_id, 'owner')));
create policy manage_update on warden.project_members for update to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_project_role(project_id, 'admin'))
  with check (tenant_id = warden.current_tenant_id() and warden.has_project_role(project_id, 'admin')
    and (role <> 'owner' or warden.has_project_role(project_id, 'owner')));
create policy manage_delete on warden.project_members for delete to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_project_role(project_id, 'admin'));
grant select, insert (tenant_id, project_id, user_id, role), update (role), delete on warden.project_members to warden_visitor;

-- API keys: listed, renamed, re-limited and revoked by tenant owners and admins.
create policy select_admin on warden.api_keys for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
create policy update_admin on warden.api_keys for update to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'))
  with check (tenant_id = warden.current_tenant_id());
grant select, update (name, rate_limit_per_second, revoked_at, expires_at) on warden.api_keys to warden_visitor;

--------------------------------------------------------------------------------
-- Project creators become project owners.
--------------------------------------------------------------------------------
create function warden_private.tg_projects__add_creator() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
begin
  if new.created_by is not null and exists (
    select 1 from warden.tenant_memberships m where m.tenant_id = new.tenant_id and m.user_id = new.created_by
  ) then
    insert into warden.project_members (tenant_id, project_id, user_id, role)
    values (new.tenant_id, new.id, new.created_by, 'owner')
    on conflict (project_id, user_id) do nothing;
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_projects__add_creator() is 'Trigger: makes the user who creates a project its owner.';
create trigger _500_add_creator after insert on warden.projects
  for each row execute function warden_private.tg_projects__add_creator();

--------------------------------------------------------------------------------
-- Administration (CLI and GraphQL).
--------------------------------------------------------------------------------
create function warden_private.create_tenant(name text) returns uuid
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  insert into warden.tenants (name) values (btrim(create_tenant.name)) returning id
$$;
comment on function warden_private.create_tenant(text) is 'Creates a tenant and returns its id (CLI: warden tenant create).';

create function warden_private.create_user(tenant_id uuid, email text, role warden.tenant_role default 'member', display_name text default null)
  returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
#variable_conflict use_column
declare
  v_user_id uuid;
begin
  if not exists (select 1 from warden.tenants t where t.id = create_user.tenant_id) then
    raise exception 'tenant % does not exist', create_user.tenant_id using errcode = '23503';
  end if;
  insert into warden.users (email, display_name) values (btrim(create_user.email), create_user.display_name)
  on conflict (lower(email)) do update set display_name = coalesce(excluded.display_name, warden.users.display_name)
  returning id into v_user_id;
  insert into warden.tenant_memberships (tenant_id, user_id, role)
  values (create_user.tenant_id, v_user_id, create_user.role)
  on conflict on constraint tenant_memberships_tenant_id_user_id_key do update set role = excluded.role;
  return v_user_id;
end;
$$;
comment on function warden_private.create_user(uuid, text, warden.tenant_role, text) is
  'Creates a user (or finds one by email) and makes them a member of the tenant with the role; returns the user id (CLI: warden user create).';

create function warden_private.new_api_key_secret() returns text
  language sql volatile
  set search_path = pg_catalog
as $$
  -- two v4 uuids: 244 bits from the server's strong random source
  select replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')
$$;
comment on function warden_private.new_api_key_secret() is 'A fresh 64-hex-character API key secret (244 random bits).';

create function warden_private.create_api_key(
  tenant_id uuid,
  name text,
  role warden.tenant_role default 'member',
  rate_limit_per_second integer default null,
  created_by uuid default null,
  out id uuid,
  out key text
)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_prefix text;
begin
  if not exists (select 1 from warden.tenants t where t.id = create_api_key.tenant_id) then
    raise exception 'tenant % does not exist', tenant_id using errcode = '23503';
  end if;
  v_prefix := 'wdn_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12);
  key := v_prefix || '_' || warden_private.new_api_key_secret();
  insert into warden.api_keys (tenant_id, name, prefix, role, rate_limit_per_second, created_by)
  values (create_api_key.tenant_id, btrim(create_api_key.name), v_prefix, create_api_key.role,
          coalesce(create_api_key.rate_limit_per_second, 500), create_api_key.created_by)
  returning api_keys.id into id;
  insert into warden_private.api_key_secrets (api_key_id, key_hash) values (id, sha256(convert_to(key, 'UTF8')));
end;
$$;
comment on function warden_private.create_api_key(uuid, text, warden.tenant_role, integer, uuid) is
  'Creates an API key for a service account; returns its id and the key, which is shown only this once (CLI: warden apikey create).';

create function warden.create_api_key(name text, role warden.tenant_role default 'member', rate_limit_per_second integer default null,
  out id uuid, out key text)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'creating API keys requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if role = 'owner' and not warden.has_tenant_role('{owner}') then
    raise exception 'only a tenant owner can create an owner API key' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  select k.id, k.key into id, key
  from warden_private.create_api_key(warden.current_tenant_id(), name, role, rate_limit_per_second, warden.current_user_id()) k;
end;
$$;
comment on function warden.create_api_key(text, warden.tenant_role, integer) is
  'Creates an API key in the current tenant (tenant owners and admins). The key is returned only this once; Warden stores its hash.';
grant execute on function warden.create_api_key(text, warden.tenant_role, integer) to warden_visitor;

--------------------------------------------------------------------------------
-- Authentication lookups used by the API (as warden_authenticator, before it
-- switches to warden_visitor).
--------------------------------------------------------------------------------
create function warden_private.authenticate_api_key(key text,
  out api_key_id uuid, out tenant_id uuid, out role warden.tenant_role, out rate_limit_per_second integer)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  select k.id, k.tenant_id, k.role, k.rate_limit_per_second
    into api_key_id, tenant_id, role, rate_limit_per_second
  from warden.api_keys k
  join warden_private.api_key_secrets s on s.api_key_id = k.id
  where k.prefix = split_part(authenticate_api_key.key, '_', 1) || '_' || split_part(authenticate_api_key.key, '_', 2)
    and s.key_hash = sha256(convert_to(authenticate_api_key.key, 'UTF8'))
    and k.revoked_at is null
    and (k.expires_at is null or k.expires_at > now());
  if api_key_id is not null then
    update warden.api_keys set last_used_at = now()
    where id = api_key_id and (last_used_at is null or last_used_at < now() - interval '1 minute');
  end if;
end;
$$;
comment on function warden_private.authenticate_api_key(text) is
  'Resolves an API key to its id, tenant, role and rate limit; returns nulls for an unknown, revoked or expired key.';

create function warden_private.resolve_membership(tenant_id uuid, user_id uuid) returns warden.tenant_role
  language sql stable
  security definer
  set search_path = pg_catalog
as $$
  select m.role from warden.tenant_memberships m
  where m.tenant_id = resolve_membership.tenant_id and m.user_id = resolve_membership.user_id
$$;
comment on function warden_private.resolve_membership(uuid, uuid) is
  'The tenant role of a user in a tenant, or null when the user is not a member (checked on every request).';

grant usage on schema warden_private to warden_authenticator;
grant execute on function warden_private.authenticate_api_key(text) to warden_authenticator;
grant execute on function warden_private.resolve_membership(uuid, uuid) to warden_authenticator;

-- Helpers callable from API requests and by DBAs.
grant execute on function
  warden.current_tenant_id(), warden.current_actor_type(), warden.current_user_id(),
  warden.current_tenant_role(), warden.current_trace_id(), warden.current_actor(),
  warden.has_tenant_role(warden.tenant_role[]), warden.has_project_role(uuid, warden.project_role)
  to warden_visitor;

--------------------------------------------------------------------------------
-- Background jobs: SQL enqueues graphile-worker jobs through one definer
-- function (API requests have no access to the graphile_worker schema).
--------------------------------------------------------------------------------
create function warden_private.enqueue_job(identifier text, payload jsonb default '{}', run_at timestamptz default null, job_key text default null)
  returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
begin
  perform graphile_worker.add_job(
    identifier => enqueue_job.identifier,
    payload => coalesce(enqueue_job.payload, '{}')::json,
    run_at => enqueue_job.run_at,
    job_key => enqueue_job.job_key);
end;
$$;
comment on function warden_private.enqueue_job(text, jsonb, timestamptz, text) is
  'Enqueues a graphile-worker job (tasks/ holds the task of each identifier).';

create table warden_private.worker_heartbeats (
  task text primary key,
  runs bigint not null default 0,
  last_run_at timestamptz not null default now(),
  last_payload jsonb
);
comment on table warden_private.worker_heartbeats is 'One row per task that reports liveness: how often and when it last ran.';
comment on column warden_private.worker_heartbeats.task is 'Task identifier.';
comment on column warden_private.worker_heartbeats.runs is 'How many times the task has run.';
comment on column warden_private.worker_heartbeats.last_run_at is 'When it last ran.';
comment on column warden_private.worker_heartbeats.last_payload is 'The payload of its last run.';
alter table warden_private.worker_heartbeats enable row level security;
alter table warden_private.worker_heartbeats force row level security;
create policy owner_maintenance on warden_private.worker_heartbeats to warden_owner using (true) with check (true);
