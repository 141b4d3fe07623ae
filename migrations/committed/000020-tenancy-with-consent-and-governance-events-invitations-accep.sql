--! Previous: sha1:61e3b8991825a3a89dbca3031a7db4da10ed6d04
--! Hash: sha1:96614dd354ae20fdca5e67a7dba112abc6150d74
--! Message: tenancy with consent and governance events: invitations accepted by the invited user, owners protected, user create keeps memberships, set_context warns outside a transaction, governance.* events for memberships, invitations, API keys, retention, legal holds, redaction, soft delete, subject export, sign-records

--------------------------------------------------------------------------------
-- Tenancy with consent, and governance actions as audit events.
--
-- Issue 13 ("Audit the auditor"), section 5 defects 3, 9, 10, 11 and 17
-- (first bullet), and section 1 for tenancy, API keys, retention, legal
-- holds, redaction, soft delete, subject export:
--  * joining a tenant needs the user's consent: an invitation addressed to
--    an email, accepted by the user with that email (DBAs and the CLI may
--    still add members directly); the API can no longer insert memberships
--    of arbitrary user ids, and a tenant reads a user's personal fields only
--    through a membership the user accepted or an operator made;
--  * only an owner changes or removes an owner (memberships and API keys),
--    and a tenant always keeps at least one owner;
--  * warden_private.create_user never changes an existing membership;
--  * warden.set_context warns when it was the whole transaction (the
--    context it set ended before anything could use it);
--  * every governance action writes one governance.* event through
--    warden_private.record_governance_event, in the transaction of the
--    action, whatever the path (GraphQL, REST, CLI, plain SQL).
-- Design notes: docs/governance.md.
--------------------------------------------------------------------------------

--------------------------------------------------------------------------------
-- The governance writer keeps nulls inside before/after ({"revoked_at":
-- null} says the key was not revoked; jsonb_strip_nulls dropped it at every
-- depth). Only an absent before or after (null) is left out, as before.
--------------------------------------------------------------------------------
create or replace function warden_private.record_governance_event(
  event_type text,
  tenant_id uuid,
  resource_type text,
  resource_id text,
  before jsonb default null,
  after jsonb default null,
  details jsonb default '{}',
  severity warden.audit_severity default 'notice',
  outcome warden.audit_outcome default 'success'
) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_extra jsonb := coalesce(nullif(current_setting('warden.context_extra', true), '')::jsonb, '{}');
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_actor_type warden.actor_type;
  v_ip inet;
  v_service text;
  v_id uuid;
begin
  if event_type is null or event_type !~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$' then
    raise exception 'governance event type % is not a dotted lower-case name', coalesce(quote_literal(event_type), 'null')
      using errcode = '22023';
  end if;
  -- The actor, as the capture triggers derive it.
  if v_actor_id is null then
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id, actor_ip,
    user_agent, resource_type, resource_id, correlation_id, trace_id, service, event_data)
  values (
    coalesce(record_governance_event.tenant_id, nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid),
    record_governance_event.event_type, 'governance',
    left(split_part(record_governance_event.event_type, '.', -1), 64),
    coalesce(record_governance_event.outcome, 'success'), coalesce(record_governance_event.severity, 'notice'),
    v_actor_type, left(v_actor_id, 256), v_ip,
    left(coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent'), 1024),
    left(record_governance_event.resource_type, 200), left(record_governance_event.resource_id, 1024),
    left(v_extra ->> 'correlation_id', 200),
    nullif(current_setting('warden.trace_id', true), ''),
    coalesce(left(v_service, 200), 'warden'),
    jsonb_build_object('version', 1, 'service', 'warden', 'operation', record_governance_event.event_type,
                       'status', coalesce(record_governance_event.outcome, 'success')::text)
      || case when record_governance_event.before is null then '{}'::jsonb else jsonb_build_object('before', record_governance_event.before) end
      || case when record_governance_event.after is null then '{}'::jsonb else jsonb_build_object('after', record_governance_event.after) end
      || coalesce(record_governance_event.details, '{}'))
  returning event_id into v_id;
  return v_id;
end;
$$;
comment on function warden_private.record_governance_event(text, uuid, text, text, jsonb, jsonb, jsonb, warden.audit_severity, warden.audit_outcome) is
  'Writes one governance.* audit event in the caller''s transaction: the actor, trace, address and user agent from the request context (or the database role without one), the tenant given (else the current tenant), and event_data {version, service, operation, status, before, after, ...details} (before and after as given, nulls inside them kept; left out when null). Returns the event id. Called by Warden''s own functions; not executable by API roles.';
revoke all on function warden_private.record_governance_event(text, uuid, text, text, jsonb, jsonb, jsonb, warden.audit_severity, warden.audit_outcome) from public;

--------------------------------------------------------------------------------
-- Memberships remember how they were made.
--------------------------------------------------------------------------------
alter table warden.tenant_memberships add column if not exists joined_via text not null default 'operator';
alter table warden.tenant_memberships drop constraint if exists tenant_memberships_joined_via_check;
alter table warden.tenant_memberships add constraint tenant_memberships_joined_via_check
  check (joined_via in ('operator', 'invitation', 'unconfirmed'));
comment on column warden.tenant_memberships.joined_via is
  'How the member joined: operator (added by a DBA or the CLI), invitation (the user accepted an invitation), or unconfirmed (added through the API before invitations existed, without the user''s consent: the tenant does not see the user''s personal fields until they accept an invitation).';

-- Memberships that an API request inserted (the only way before this
-- migration to pull in another tenant's user) are unconfirmed: the trail's
-- insert event names an API actor.
update warden.tenant_memberships m set joined_via = 'unconfirmed'
where m.joined_via = 'operator'
  and exists (
    select 1 from warden.audit_events e
    where e.tenant_id = m.tenant_id and e.resource_type = 'warden.tenant_memberships' and e.resource_id = m.id::text
      and e.event_type = 'db.warden.tenant_memberships.insert' and e.actor_type in ('user', 'api_key'));

--------------------------------------------------------------------------------
-- Memberships through the API: no more inserts (joining takes the user's
-- consent: warden.accept_tenant_invitation); role changes and removals by
-- owners and admins, guarded by the triggers below.
--------------------------------------------------------------------------------
drop policy if exists manage_insert on warden.tenant_memberships;
revoke insert on warden.tenant_memberships from warden_visitor;

drop policy if exists manage_update on warden.tenant_memberships;
create policy manage_update on warden.tenant_memberships for update to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'))
  with check (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
drop policy if exists manage_delete on warden.tenant_memberships;
create policy manage_delete on warden.tenant_memberships for delete to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));

-- users: oneself, and the members of the current tenant who accepted (or
-- whom an operator added).
drop policy if exists select_members on warden.users;
create policy select_members on warden.users for select to warden_visitor
  using (
    id = warden.current_user_id()
    or exists (select 1 from warden.tenant_memberships m
               where m.user_id = users.id and m.tenant_id = warden.current_tenant_id() and m.joined_via <> 'unconfirmed'));

--------------------------------------------------------------------------------
-- Owners: only an owner makes, changes or removes an owner (within the
-- tenant the request acts in); a tenant always keeps at least one.
--------------------------------------------------------------------------------
create or replace function warden_private.tg_tenant_memberships__owner_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog
as $$
begin
  -- Applies to an actor acting in this tenant with a tenant role below
  -- owner (API requests; SQL after set_context). Operators without a
  -- context, and Warden's own functions acting for a user of another tenant
  -- (accepting an invitation), are not tenant admins.
  if warden.current_tenant_role() is null or warden.current_tenant_role() = 'owner'
     or old.tenant_id is distinct from warden.current_tenant_id() then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if old.role = 'owner' then
    raise exception 'only a tenant owner can % an owner', case when tg_op = 'DELETE' then 'remove' else 'change' end
      using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if tg_op = 'UPDATE' and new.role = 'owner' then
    raise exception 'only a tenant owner can make someone an owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
comment on function warden_private.tg_tenant_memberships__owner_guard() is
  'BEFORE UPDATE/DELETE row trigger of tenant memberships: an actor whose tenant role is below owner cannot change, remove or appoint an owner of the tenant it acts in (42501, missing_role owner).';

drop trigger if exists _200_owner_guard on warden.tenant_memberships;
create trigger _200_owner_guard before update or delete on warden.tenant_memberships
  for each row execute function warden_private.tg_tenant_memberships__owner_guard();

create or replace function warden_private.tg_tenant_memberships__keep_owner() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_owners integer;
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner' and new.tenant_id = old.tenant_id) then
    return null;
  end if;
  -- A tenant being deleted takes its memberships with it.
  if not exists (select 1 from warden.tenants t where t.id = old.tenant_id) then
    return null;
  end if;
  -- Lock the remaining owners: two transactions demoting each other now
  -- wait for each other (one fails) instead of both committing.
  select count(*) into v_owners from (
    select 1 from warden.tenant_memberships m where m.tenant_id = old.tenant_id and m.role = 'owner' for share
  ) o;
  if v_owners = 0 then
    raise exception 'tenant % must keep at least one owner: make someone else an owner first', old.tenant_id
      using errcode = '23514', hint = 'the last owner cannot be removed, demoted or deleted';
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_tenant_memberships__keep_owner() is
  'AFTER UPDATE/DELETE row trigger of tenant memberships: refuses (23514) a change that leaves an existing tenant without an owner, whatever the path (demotion, removal, the last owner leaving, a deleted user''s cascade). Deleting the tenant itself is allowed.';

drop trigger if exists _800_keep_owner on warden.tenant_memberships;
create trigger _800_keep_owner after update or delete on warden.tenant_memberships
  for each row execute function warden_private.tg_tenant_memberships__keep_owner();

--------------------------------------------------------------------------------
-- Membership governance events: one per added member, role change and
-- removal, whatever made it (invitation, CLI, GraphQL, SQL).
--------------------------------------------------------------------------------
create or replace function warden_private.tg_tenant_memberships__governance() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.membership.added', new.tenant_id, 'tenant_membership', new.id::text,
      null, jsonb_build_object('user_id', new.user_id, 'role', new.role, 'joined_via', new.joined_via));
  elsif tg_op = 'DELETE' then
    perform warden_private.record_governance_event('governance.membership.removed', old.tenant_id, 'tenant_membership', old.id::text,
      jsonb_build_object('user_id', old.user_id, 'role', old.role, 'joined_via', old.joined_via), null,
      -- A tenant being deleted removes its memberships with it.
      case when exists (select 1 from warden.tenants t where t.id = old.tenant_id) then '{}'::jsonb
           else '{"reason": "tenant deleted"}'::jsonb end);
  elsif new.role is distinct from old.role then
    perform warden_private.record_governance_event('governance.membership.role_changed', new.tenant_id, 'tenant_membership', new.id::text,
      jsonb_build_object('role', old.role), jsonb_build_object('role', new.role), jsonb_build_object('user_id', new.user_id));
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_tenant_memberships__governance() is
  'AFTER row trigger of tenant memberships: governance.membership.added (after: user_id, role, joined_via), governance.membership.role_changed (before/after: role) and governance.membership.removed (before: the membership), in the tenant of the membership and the transaction of the change.';

drop trigger if exists _850_governance on warden.tenant_memberships;
create trigger _850_governance after insert or update or delete on warden.tenant_memberships
  for each row execute function warden_private.tg_tenant_memberships__governance();

--------------------------------------------------------------------------------
-- Invitations: how a user joins a tenant with consent. An owner or admin
-- invites an email (admins cannot invite owners); the secret token is shown
-- once and stored hashed; the user with that email accepts it with their
-- own user token (of any tenant).
--------------------------------------------------------------------------------
create table if not exists warden.tenant_invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+$' and length(email) <= 320),
  role warden.tenant_role not null default 'member',
  invited_by jsonb not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references warden.users (id) on delete set null,
  revoked_at timestamptz,
  revoked_by jsonb,
  check (accepted_at is null or revoked_at is null)
);
create index if not exists tenant_invitations_tenant_idx on warden.tenant_invitations (tenant_id, created_at);
create index if not exists tenant_invitations_email_idx on warden.tenant_invitations (tenant_id, lower(email));
create index if not exists tenant_invitations_accepted_by_idx on warden.tenant_invitations (accepted_by);
comment on table warden.tenant_invitations is
  E'@behavior -insert -update -delete\nInvitations to join a tenant: addressed to an email, accepted by the user with that email (warden.accept_tenant_invitation). Listed to the tenant''s owners and admins; made and revoked through warden.invite_to_tenant and warden.revoke_tenant_invitation.';
comment on column warden.tenant_invitations.id is 'Invitation id.';
comment on column warden.tenant_invitations.tenant_id is 'The tenant the invitation is to.';
comment on column warden.tenant_invitations.email is 'The address it is for: only the user with this email (case-insensitive) can accept it.';
comment on column warden.tenant_invitations.role is 'The tenant role the user gets on accepting.';
comment on column warden.tenant_invitations.invited_by is 'warden.current_actor() of who invited.';
comment on column warden.tenant_invitations.created_at is 'When it was sent.';
comment on column warden.tenant_invitations.expires_at is 'After this it can no longer be accepted.';
comment on column warden.tenant_invitations.accepted_at is 'When it was accepted; null while open.';
comment on column warden.tenant_invitations.accepted_by is 'The user who accepted it.';
comment on column warden.tenant_invitations.revoked_at is 'When it was revoked; null unless revoked.';
comment on column warden.tenant_invitations.revoked_by is 'warden.current_actor() of who revoked it.';

create table if not exists warden_private.tenant_invitation_secrets (
  invitation_id uuid primary key references warden.tenant_invitations (id) on delete cascade,
  token_hash bytea not null unique
);
comment on table warden_private.tenant_invitation_secrets is 'SHA-256 of each invitation token; the token itself is never stored.';
comment on column warden_private.tenant_invitation_secrets.invitation_id is 'The invitation.';
comment on column warden_private.tenant_invitation_secrets.token_hash is 'sha256 of the full token string.';

alter table warden.tenant_invitations enable row level security;
alter table warden.tenant_invitations force row level security;
alter table warden_private.tenant_invitation_secrets enable row level security;
alter table warden_private.tenant_invitation_secrets force row level security;
drop policy if exists owner_maintenance on warden.tenant_invitations;
create policy owner_maintenance on warden.tenant_invitations to warden_owner using (true) with check (true);
drop policy if exists owner_maintenance on warden_private.tenant_invitation_secrets;
create policy owner_maintenance on warden_private.tenant_invitation_secrets to warden_owner using (true) with check (true);
drop policy if exists select_admin on warden.tenant_invitations;
create policy select_admin on warden.tenant_invitations for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
grant select on warden.tenant_invitations to warden_visitor;

create or replace function warden.invite_to_tenant(email text, role warden.tenant_role default 'member', valid_days integer default 7,
  out id uuid, out token text, out expires_at timestamptz)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_email text := btrim(invite_to_tenant.email);
  v_open uuid;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'inviting users requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if invite_to_tenant.role is null then
    raise exception 'role must be one of member, support, auditor, admin, owner' using errcode = '22023';
  end if;
  if invite_to_tenant.role = 'owner' and not warden.has_tenant_role('{owner}') then
    raise exception 'only a tenant owner can invite an owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+$' or length(v_email) > 320 then
    raise exception 'email % is not an email address', coalesce(quote_literal(invite_to_tenant.email), 'null') using errcode = '22023';
  end if;
  if valid_days is null or valid_days not between 1 and 30 then
    raise exception 'valid_days must be between 1 and 30, got %', coalesce(valid_days::text, 'null') using errcode = '22023';
  end if;
  -- Only members this tenant already sees count: asking reveals nothing
  -- about users of other tenants.
  if exists (select 1 from warden.tenant_memberships m join warden.users u on u.id = m.user_id
             where m.tenant_id = v_tenant and lower(u.email) = lower(v_email) and m.joined_via <> 'unconfirmed') then
    raise exception '% is already a member of this tenant', v_email using errcode = '23505';
  end if;
  select i.id into v_open from warden.tenant_invitations i
  where i.tenant_id = v_tenant and lower(i.email) = lower(v_email)
    and i.accepted_at is null and i.revoked_at is null and i.expires_at > now();
  if v_open is not null then
    raise exception 'an invitation to % is already open (%): revoke it first', v_email, v_open using errcode = '23505';
  end if;
  token := 'wdi_' || warden_private.new_api_key_secret();
  expires_at := now() + make_interval(days => valid_days);
  insert into warden.tenant_invitations (tenant_id, email, role, invited_by, expires_at)
  values (v_tenant, v_email, invite_to_tenant.role, warden.current_actor(), invite_to_tenant.expires_at)
  returning tenant_invitations.id into id;
  insert into warden_private.tenant_invitation_secrets (invitation_id, token_hash) values (id, sha256(convert_to(token, 'UTF8')));
  perform warden_private.record_governance_event('governance.invitation.sent', v_tenant, 'tenant_invitation', id::text,
    null, jsonb_build_object('email', v_email, 'role', invite_to_tenant.role, 'expires_at', invite_to_tenant.expires_at));
end;
$$;
comment on function warden.invite_to_tenant(text, warden.tenant_role, integer) is
  'Invites the user with this email into the current tenant with a role (tenant owners and admins; only owners invite owners), valid for valid_days (1 to 30, default 7). Returns the invitation id and its token, shown only this once (Warden stores its hash): give it to the invitee, who accepts with warden.accept_tenant_invitation. Writes governance.invitation.sent.';

create or replace function warden.accept_tenant_invitation(token text) returns warden.tenant_memberships
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_user uuid := warden.current_user_id();
  v_inv warden.tenant_invitations;
  v_existing warden.tenant_memberships;
  v_member warden.tenant_memberships;
begin
  if v_user is null then
    raise exception 'accepting an invitation needs a user token: the invited user accepts it themself' using errcode = '42501';
  end if;
  if token is null or token !~ '^wdi_[0-9a-f]{64}$' then
    raise exception 'the invitation token is malformed' using errcode = '22023';
  end if;
  select i.* into v_inv from warden.tenant_invitations i
  join warden_private.tenant_invitation_secrets s on s.invitation_id = i.id
  where s.token_hash = sha256(convert_to(accept_tenant_invitation.token, 'UTF8'))
  for update of i;
  if not found then
    raise exception 'no invitation has this token' using errcode = 'P0002';
  end if;
  if not exists (select 1 from warden.users u where u.id = v_user and lower(u.email) = lower(v_inv.email)) then
    raise exception 'this invitation is addressed to another email address' using errcode = '42501';
  end if;
  if v_inv.revoked_at is not null then
    raise exception 'this invitation was revoked at %', v_inv.revoked_at using errcode = '22023';
  end if;
  if v_inv.accepted_at is not null then
    raise exception 'this invitation was already accepted at %', v_inv.accepted_at using errcode = '22023';
  end if;
  if v_inv.expires_at <= now() then
    raise exception 'this invitation expired at %', v_inv.expires_at using errcode = '22023';
  end if;
  select m.* into v_existing from warden.tenant_memberships m where m.tenant_id = v_inv.tenant_id and m.user_id = v_user for update;
  if found and v_existing.joined_via <> 'unconfirmed' then
    raise exception 'you are already a member of tenant %', v_inv.tenant_id using errcode = '23505';
  end if;
  if found then
    -- A membership made without the user's consent: accepting confirms it.
    update warden.tenant_memberships m set role = v_inv.role, joined_via = 'invitation'
    where m.id = v_existing.id returning m.* into v_member;
  else
    insert into warden.tenant_memberships (tenant_id, user_id, role, joined_via)
    values (v_inv.tenant_id, v_user, v_inv.role, 'invitation') returning * into v_member;
  end if;
  update warden.tenant_invitations i set accepted_at = now(), accepted_by = v_user where i.id = v_inv.id;
  perform warden_private.record_governance_event('governance.invitation.accepted', v_inv.tenant_id, 'tenant_invitation', v_inv.id::text,
    jsonb_build_object('accepted_at', null),
    jsonb_build_object('accepted_at', now(), 'user_id', v_user, 'role', v_inv.role, 'membership_id', v_member.id),
    case when v_existing.id is not null then '{"confirmed_existing_membership": true}'::jsonb else '{}'::jsonb end);
  return v_member;
end;
$$;
comment on function warden.accept_tenant_invitation(text) is
  'Accepts an invitation: the caller (a user token of any tenant) must be the user whose email the invitation is addressed to. Makes them a member of the invitation''s tenant with its role (or confirms a membership made without their consent), marks the invitation accepted and writes governance.invitation.accepted. Returns the membership.';

create or replace function warden.revoke_tenant_invitation(invitation_id uuid) returns warden.tenant_invitations
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_inv warden.tenant_invitations;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'revoking invitations requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  select i.* into v_inv from warden.tenant_invitations i
  where i.id = revoke_tenant_invitation.invitation_id and i.tenant_id = warden.current_tenant_id() for update;
  if not found then
    raise exception 'no invitation % in this tenant', invitation_id using errcode = 'P0002';
  end if;
  if v_inv.role = 'owner' and not warden.has_tenant_role('{owner}') then
    raise exception 'only a tenant owner can revoke an invitation of an owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if v_inv.accepted_at is not null or v_inv.revoked_at is not null then
    raise exception 'invitation % is no longer open (% at %)', invitation_id,
      case when v_inv.accepted_at is not null then 'accepted' else 'revoked' end, coalesce(v_inv.accepted_at, v_inv.revoked_at)
      using errcode = '22023';
  end if;
  update warden.tenant_invitations i set revoked_at = now(), revoked_by = warden.current_actor()
  where i.id = v_inv.id returning i.* into v_inv;
  perform warden_private.record_governance_event('governance.invitation.revoked', v_inv.tenant_id, 'tenant_invitation', v_inv.id::text,
    jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', v_inv.revoked_at),
    jsonb_build_object('email', v_inv.email, 'role', v_inv.role));
  return v_inv;
end;
$$;
comment on function warden.revoke_tenant_invitation(uuid) is
  'Revokes an open invitation of the current tenant (tenant owners and admins; an owner''s invitation only by an owner), so its token can no longer be accepted. Writes governance.invitation.revoked.';

-- Like Warden's other tenancy tables, its rows are captured too.
select warden.enable_auditing('warden.tenant_invitations');

revoke all on function warden.invite_to_tenant(text, warden.tenant_role, integer), warden.accept_tenant_invitation(text),
  warden.revoke_tenant_invitation(uuid) from public;
grant execute on function warden.invite_to_tenant(text, warden.tenant_role, integer), warden.accept_tenant_invitation(text),
  warden.revoke_tenant_invitation(uuid) to warden_visitor;

--------------------------------------------------------------------------------
-- Operators (CLI, DBAs): adding a member never changes an existing
-- membership; a role changes only by an explicit, audited command.
--------------------------------------------------------------------------------
create or replace function warden_private.create_user(tenant_id uuid, email text, role warden.tenant_role default 'member', display_name text default null)
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
  -- An existing membership keeps its role (warden user role changes it).
  insert into warden.tenant_memberships (tenant_id, user_id, role)
  values (create_user.tenant_id, v_user_id, coalesce(create_user.role, 'member'))
  on conflict on constraint tenant_memberships_tenant_id_user_id_key do nothing;
  return v_user_id;
end;
$$;
comment on function warden_private.create_user(uuid, text, warden.tenant_role, text) is
  'Creates a user (or finds one by email) and makes them a member of the tenant with the role unless they already are one: an existing membership is never changed (warden_private.set_member_role changes roles). Returns the user id (CLI: warden user create).';

create or replace function warden_private.set_member_role(tenant_id uuid, user_id uuid, role warden.tenant_role,
  out previous_role warden.tenant_role, out new_role warden.tenant_role)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
#variable_conflict use_column
begin
  if set_member_role.role is null then
    raise exception 'role must be one of member, support, auditor, admin, owner' using errcode = '22023';
  end if;
  select m.role into previous_role from warden.tenant_memberships m
  where m.tenant_id = set_member_role.tenant_id and m.user_id = set_member_role.user_id for update;
  if not found then
    raise exception 'user % is not a member of tenant %', set_member_role.user_id, set_member_role.tenant_id using errcode = 'P0002';
  end if;
  update warden.tenant_memberships m set role = set_member_role.role
  where m.tenant_id = set_member_role.tenant_id and m.user_id = set_member_role.user_id and m.role is distinct from set_member_role.role;
  new_role := set_member_role.role;
end;
$$;
comment on function warden_private.set_member_role(uuid, uuid, warden.tenant_role) is
  'Changes a member''s tenant role (CLI: warden user role); the membership trigger writes governance.membership.role_changed and refuses to leave the tenant without an owner. Raises P0002 when the user is not a member. Returns the role before and after.';

--------------------------------------------------------------------------------
-- API keys: only an owner changes an owner key; a revoked key stays
-- revoked; creating, revoking and changing a key are governance events.
--------------------------------------------------------------------------------
create or replace function warden_private.tg_api_keys__guard() returns trigger
  language plpgsql
  set search_path = pg_catalog
as $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'API key % was revoked at %: a revoked key stays revoked (create a new one)', old.prefix, old.revoked_at
      using errcode = '22023';
  end if;
  if old.role = 'owner' and warden.current_tenant_role() is not null and warden.current_tenant_role() <> 'owner'
     and old.tenant_id = warden.current_tenant_id()
     and (new.name, new.rate_limit_per_second, new.expires_at, new.revoked_at, new.role)
         is distinct from (old.name, old.rate_limit_per_second, old.expires_at, old.revoked_at, old.role) then
    raise exception 'only a tenant owner can change or revoke an owner API key' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  return new;
end;
$$;
comment on function warden_private.tg_api_keys__guard() is
  'BEFORE UPDATE row trigger of API keys: an actor whose tenant role is below owner cannot change or revoke an owner key of its tenant (42501, missing_role owner); revoked_at, once set, never changes.';

drop trigger if exists _200_guard on warden.api_keys;
create trigger _200_guard before update on warden.api_keys
  for each row execute function warden_private.tg_api_keys__guard();

create or replace function warden_private.tg_api_keys__governance() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_before jsonb;
  v_after jsonb;
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.api_key.created', new.tenant_id, 'api_key', new.id::text, null,
      jsonb_build_object('name', new.name, 'prefix', new.prefix, 'role', new.role, 'rate_limit_per_second', new.rate_limit_per_second,
                         'expires_at', new.expires_at, 'created_by', new.created_by));
    return null;
  end if;
  if old.revoked_at is null and new.revoked_at is not null then
    perform warden_private.record_governance_event('governance.api_key.revoked', new.tenant_id, 'api_key', new.id::text,
      jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', new.revoked_at),
      jsonb_build_object('name', new.name, 'prefix', new.prefix, 'role', new.role));
    return null;
  end if;
  -- Other changes of what the key may do (last_used_at is bookkeeping).
  select jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, n.value) into v_before, v_after
  from jsonb_each(jsonb_build_object('name', old.name, 'role', old.role, 'rate_limit_per_second', old.rate_limit_per_second, 'expires_at', old.expires_at)) o
  join jsonb_each(jsonb_build_object('name', new.name, 'role', new.role, 'rate_limit_per_second', new.rate_limit_per_second, 'expires_at', new.expires_at)) n
    using (key)
  where o.value is distinct from n.value;
  if v_before is not null then
    perform warden_private.record_governance_event('governance.api_key.changed', new.tenant_id, 'api_key', new.id::text,
      v_before, v_after, jsonb_build_object('prefix', new.prefix));
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_api_keys__governance() is
  'AFTER INSERT/UPDATE row trigger of API keys: governance.api_key.created (after: name, prefix, role, rate limit, expiry, creator), governance.api_key.revoked (before/after: revoked_at) and governance.api_key.changed (before/after of name, role, rate limit or expiry), whatever the path.';

drop trigger if exists _850_governance on warden.api_keys;
create trigger _850_governance after insert or update on warden.api_keys
  for each row execute function warden_private.tg_api_keys__governance();

--------------------------------------------------------------------------------
-- set_context outside a transaction block: the settings it makes are
-- transaction-local, so called on its own (autocommit) they end with it and
-- the statements after it run without a context. A deferred trigger checks
-- at commit whether set_context's statement was the last one of its
-- transaction and nothing was written after it, and warns.
--------------------------------------------------------------------------------
create unlogged table if not exists warden_private.context_commit_checks (
  backend_pid integer primary key,
  armed boolean not null default true
);
comment on table warden_private.context_commit_checks is
  'One row per database session that called warden.set_context: writing it queues the deferred check (warden_private.tg_context_commit_check) that warns when the context ended unused. Unlogged; each session removes the rows of ended sessions once.';
comment on column warden_private.context_commit_checks.backend_pid is 'The session (pg_backend_pid()).';
comment on column warden_private.context_commit_checks.armed is 'True while a check is queued for the session''s transaction.';
alter table warden_private.context_commit_checks enable row level security;
alter table warden_private.context_commit_checks force row level security;
drop policy if exists owner_maintenance on warden_private.context_commit_checks;
create policy owner_maintenance on warden_private.context_commit_checks to warden_owner using (true) with check (true);

create or replace function warden_private.tg_context_commit_check() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_at text := nullif(current_setting('warden.context_set_at', true), '');
  v_cid integer := nullif(current_setting('warden.context_set_cid', true), '')::integer;
  v_now integer;
begin
  perform set_config('warden.context_set_at', '', true);
  -- Disarm (the WHEN clause keeps this update from queueing another check);
  -- its command id tells whether anything was written since set_context.
  update warden_private.context_commit_checks c set armed = false where c.backend_pid = pg_backend_pid() returning cmin::text::integer into v_now;
  if v_at is not null and v_at = extract(epoch from statement_timestamp())::text and v_now <= v_cid + 1 then
    raise warning 'warden.set_context ran outside a transaction block: its context ended with the statement that set it, so nothing used it'
      using hint = 'call it inside BEGIN ... COMMIT, before the statements it should apply to';
  end if;
  if current_setting('warden.context_checks_pruned', true) is distinct from 'on' then
    -- Once per session: forget the rows of sessions that have ended.
    delete from warden_private.context_commit_checks c
    where not exists (select 1 from pg_stat_activity a where a.pid = c.backend_pid);
    perform set_config('warden.context_checks_pruned', 'on', false);
  end if;
  return null;
end;
$$;
comment on function warden_private.tg_context_commit_check() is
  'Deferred constraint trigger of warden_private.context_commit_checks, run at commit: raises a WARNING when the transaction''s last statement was warden.set_context''s and nothing was written after it (set_context called on its own, outside a transaction block).';

drop trigger if exists _500_commit_check on warden_private.context_commit_checks;
create constraint trigger _500_commit_check after insert or update on warden_private.context_commit_checks
  deferrable initially deferred
  for each row when (new.armed)
  execute function warden_private.tg_context_commit_check();

create or replace function warden_private.arm_context_check() returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_cid integer;
begin
  perform set_config('warden.context_set_at', extract(epoch from statement_timestamp())::text, true);
  -- Transaction-local settings: set means armed earlier in this transaction.
  if nullif(current_setting('warden.context_set_cid', true), '') is not null then
    return;
  end if;
  if current_setting('transaction_read_only') = 'on' then
    return;  -- nothing can be written (or audited) in this transaction anyway
  end if;
  -- The last write of set_context: its command id is compared at commit.
  insert into warden_private.context_commit_checks as c (backend_pid, armed) values (pg_backend_pid(), true)
  on conflict on constraint context_commit_checks_pkey do update set armed = true
  returning c.cmin::text::integer into v_cid;
  perform set_config('warden.context_set_cid', v_cid::text, true);
end;
$$;
comment on function warden_private.arm_context_check() is
  'Called by warden.set_context: queues the commit-time check that warns when the context ended unused (see warden_private.tg_context_commit_check). Skipped in read-only transactions.';

create or replace function warden.set_context(
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
  perform warden_private.arm_context_check();
  return warden.current_actor();
end;
$$;
comment on function warden.set_context(uuid, text, text, text, jsonb) is
  E'@behavior -*\nFor apps and DBAs connecting directly: sets the transaction-local request context (tenant, actor, trace id, extra) that the API would set, so triggers see one context whatever the path. Call it inside a transaction block (BEGIN ... COMMIT) before the statements it applies to: called on its own it ends with its own statement, and Warden raises a WARNING at commit. The tenant role is taken from extra.tenant_role or looked up from the membership or API key. Returns warden.current_actor(). Not executable by API requests; grant EXECUTE to your application roles.';

--------------------------------------------------------------------------------
-- Retention policies and legal holds: their governance.* events through the
-- one writer, with before and after (formerly warden.retention.* and
-- warden.legal_hold.*; earlier events keep their old types).
--------------------------------------------------------------------------------
create or replace function warden.set_retention_policy(event_type_pattern text, days integer) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
  v_before integer;
  v_by text := coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user);
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'setting a retention policy requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if days is null or days not between 1 and 2557 then
    raise exception 'days must be between 1 and 2557 (7 years), got %', coalesce(days::text, 'null') using errcode = '22023';
  end if;
  if event_type_pattern is null or not (event_type_pattern = '*' or
       event_type_pattern ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$' and length(event_type_pattern) <= 200) then
    raise exception 'invalid event_type_pattern %: expected *, an event type, or a prefix ending in .*', coalesce(quote_literal(event_type_pattern), 'null')
      using errcode = '22023';
  end if;
  select p.days into v_before from warden_private.retention_policies p
  where p.tenant_id = warden.current_tenant_id() and p.event_type_pattern = set_retention_policy.event_type_pattern for update;
  insert into warden_private.retention_policies (tenant_id, event_type_pattern, days, created_by)
  values (warden.current_tenant_id(), event_type_pattern, days, v_by)
  on conflict on constraint retention_policies_unique
    do update set days = excluded.days, created_by = excluded.created_by, updated_at = now()
  returning id into v_id;
  perform warden_private.record_governance_event('governance.retention.policy_set', warden.current_tenant_id(), 'retention_policy', v_id::text,
    case when v_before is not null then jsonb_build_object('event_type_pattern', event_type_pattern, 'days', v_before) end,
    jsonb_build_object('event_type_pattern', event_type_pattern, 'days', days));
  return v_id;
end;
$$;
comment on function warden.set_retention_policy(text, integer) is
  'Sets how many days (1..2557) the current tenant keeps events matching event_type_pattern (*, an exact type, or a prefix like gateway.*); replaces an existing policy for the same pattern. Tenant owner or admin. Writes governance.retention.policy_set (before/after).';

create or replace function warden.remove_retention_policy(event_type_pattern text) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
  v_days integer;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'removing a retention policy requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  delete from warden_private.retention_policies p
  where p.tenant_id = warden.current_tenant_id() and p.event_type_pattern = remove_retention_policy.event_type_pattern
  returning p.id, p.days into v_id, v_days;
  if v_id is null then
    return false;
  end if;
  perform warden_private.record_governance_event('governance.retention.policy_removed', warden.current_tenant_id(), 'retention_policy', v_id::text,
    jsonb_build_object('event_type_pattern', event_type_pattern, 'days', v_days), null);
  return true;
end;
$$;
comment on function warden.remove_retention_policy(text) is
  'Removes the current tenant''s retention policy for event_type_pattern (the defaults apply again); false when there was none. Tenant owner or admin. Writes governance.retention.policy_removed (before).';

create or replace function warden.place_legal_hold(reason text, resource_type text default null, resource_id text default null,
  correlation_id text default null) returns uuid
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_id uuid;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'placing a legal hold requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if reason is null or length(btrim(reason)) = 0 or length(reason) > 2000 then
    raise exception 'a legal hold needs a reason (1 to 2000 characters)' using errcode = '22023';
  end if;
  if (resource_type is null) <> (resource_id is null) then
    raise exception 'resource_type and resource_id go together' using errcode = '22023';
  end if;
  if resource_type is not null and correlation_id is not null then
    raise exception 'a legal hold covers the whole tenant, one resource or one correlation id, not several' using errcode = '22023';
  end if;
  insert into warden_private.legal_holds (tenant_id, resource_type, resource_id, correlation_id, reason, created_by)
  values (warden.current_tenant_id(), resource_type, resource_id, correlation_id, reason,
          coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user))
  returning id into v_id;
  perform warden_private.record_governance_event('governance.legal_hold.placed', warden.current_tenant_id(), 'legal_hold', v_id::text, null,
    jsonb_build_object('reason', reason, 'resource_type', resource_type, 'resource_id', resource_id, 'correlation_id', correlation_id));
  return v_id;
end;
$$;
comment on function warden.place_legal_hold(text, text, text, text) is
  'Places a legal hold on the current tenant''s events: all of them (no resource, no correlation id), one resource, or one correlation id; retention purges nothing it covers until it is released. Tenant owner or admin. Writes governance.legal_hold.placed (after).';

create or replace function warden.release_legal_hold(hold_id uuid) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_hold warden_private.legal_holds;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'releasing a legal hold requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  update warden_private.legal_holds h
  set released_at = now(), released_by = coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user)
  where h.id = hold_id and h.tenant_id = warden.current_tenant_id() and h.released_at is null
  returning h.* into v_hold;
  if not found then
    raise exception 'no active legal hold % in this tenant', hold_id using errcode = 'P0002';
  end if;
  perform warden_private.record_governance_event('governance.legal_hold.released', v_hold.tenant_id, 'legal_hold', hold_id::text,
    jsonb_build_object('released_at', null), jsonb_build_object('released_at', v_hold.released_at),
    jsonb_build_object('reason', v_hold.reason, 'resource_type', v_hold.resource_type, 'resource_id', v_hold.resource_id,
                       'correlation_id', v_hold.correlation_id));
  return true;
end;
$$;
comment on function warden.release_legal_hold(uuid) is
  'Releases an active legal hold of the current tenant. Tenant owner or admin. Writes governance.legal_hold.released (before/after: released_at).';

-- Nothing calls the old writer any more: record_governance_event is the one.
drop function if exists warden_private.record_governance_change(text, text, text, text, jsonb);

--------------------------------------------------------------------------------
-- Redaction policy changes.
--------------------------------------------------------------------------------
create or replace function warden.set_redaction_policy(mode text, rules jsonb, tenant uuid default null)
  returns warden.redaction_policies
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := coalesce(tenant, warden.current_tenant_id());
  v_compiled jsonb;
  v_before jsonb;
  v_row warden.redaction_policies;
begin
  perform warden_private.assert_tenant_admin(v_tenant);
  if mode is null or mode not in ('off', 'log', 'enforce') then
    raise exception 'mode must be off, log or enforce, got %', coalesce(quote_literal(mode), 'null') using errcode = '22023';
  end if;
  v_compiled := warden_private.compile_redaction_rules(coalesce(rules, '[]'));
  if (v_compiled ->> 'needs_key')::boolean then
    perform warden_private.tenant_hash_key(v_tenant);
  end if;
  select jsonb_build_object('mode', p.mode, 'rules', p.rules) into v_before
  from warden.redaction_policies p where p.tenant_id = v_tenant for update;
  insert into warden.redaction_policies as p (tenant_id, mode, rules, compiled, updated_at, updated_by)
  values (v_tenant, set_redaction_policy.mode, coalesce(rules, '[]'), v_compiled, now(), warden.current_actor() ->> 'id')
  on conflict on constraint redaction_policies_pkey do update
    set mode = excluded.mode, rules = excluded.rules, compiled = excluded.compiled, updated_at = now(), updated_by = excluded.updated_by
  returning * into v_row;
  perform warden_private.sync_redaction_trigger();
  perform warden_private.record_governance_event('governance.redaction.policy_changed', v_tenant, 'redaction_policy', v_tenant::text,
    v_before, jsonb_build_object('mode', v_row.mode, 'rules', v_row.rules),
    '{}', case when v_row.mode = 'off' and coalesce(v_before ->> 'mode', 'off') <> 'off' then 'warning' else 'notice' end::warden.audit_severity);
  return v_row;
end;
$$;
comment on function warden.set_redaction_policy(text, jsonb, uuid) is
  E'Sets the current tenant''s redaction policy (tenant owners and admins; a DBA without a request context passes tenant): mode off | log | enforce and rules [{field: event_data, path, method} | {field: actor_ip | user_agent, method} | {field: values, table, column, method}] with method mask | remove | hash. Writes governance.redaction.policy_changed (before/after; severity warning when write-time redaction is switched off). Returns the policy.';

--------------------------------------------------------------------------------
-- Soft delete enable/disable.
--------------------------------------------------------------------------------
create or replace function warden_private.register_soft_delete_table(target regclass, tenant_column text, purge_after interval, rls_enabled boolean)
  returns void
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_stack text;
  v_before jsonb;
begin
  -- Only warden.enable_soft_delete (which has just altered the table with
  -- the caller's rights, so the caller owns it) may register a table.
  get diagnostics v_stack = pg_context;
  if v_stack !~ 'function warden\.enable_soft_delete\(' then
    raise exception 'register_soft_delete_table is called by warden.enable_soft_delete only' using errcode = '42501';
  end if;
  select jsonb_build_object('tenant_column', s.tenant_column, 'purge_after', s.purge_after::text) into v_before
  from warden_private.soft_delete_tables s where s.target = register_soft_delete_table.target for update;
  insert into warden_private.soft_delete_tables as s (target, tenant_column, purge_after, rls_enabled_by_warden)
  values (target, tenant_column, purge_after, rls_enabled)
  on conflict on constraint soft_delete_tables_pkey do update
    set tenant_column = excluded.tenant_column, purge_after = excluded.purge_after,
        rls_enabled_by_warden = s.rls_enabled_by_warden or excluded.rls_enabled_by_warden,
        enabled_at = now(), enabled_by = session_user;
  perform warden_private.record_governance_event('governance.soft_delete.enabled', null, 'table', target::text, v_before,
    jsonb_build_object('tenant_column', tenant_column, 'purge_after', purge_after::text));
end;
$$;
comment on function warden_private.register_soft_delete_table(regclass, text, interval, boolean) is
  'Records a table in warden_private.soft_delete_tables (only from warden.enable_soft_delete) and writes governance.soft_delete.enabled (before: the previous options when it was already enabled; after: tenant_column, purge_after).';

create or replace function warden_private.unregister_soft_delete_table(target regclass) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_stack text;
  v_row warden_private.soft_delete_tables;
begin
  get diagnostics v_stack = pg_context;
  if v_stack !~ 'function warden\.disable_soft_delete\(' then
    raise exception 'unregister_soft_delete_table is called by warden.disable_soft_delete only' using errcode = '42501';
  end if;
  delete from warden_private.soft_delete_tables s where s.target = unregister_soft_delete_table.target
  returning s.* into v_row;
  if found then
    perform warden_private.record_governance_event('governance.soft_delete.disabled', null, 'table', target::text,
      jsonb_build_object('tenant_column', v_row.tenant_column, 'purge_after', v_row.purge_after::text), null);
  end if;
  return coalesce(v_row.rls_enabled_by_warden, false);
end;
$$;
comment on function warden_private.unregister_soft_delete_table(regclass) is
  'Forgets a soft-delete table (only from warden.disable_soft_delete) and writes governance.soft_delete.disabled when it was enabled; returns whether Warden had turned its row-level security on.';

--------------------------------------------------------------------------------
-- GDPR export: now an audited read (governance.subject.exported), so the
-- function is volatile; GraphQL keeps it a query field. Personal fields of
-- a user only through a membership they accepted.
--------------------------------------------------------------------------------
create or replace function warden.export_subject(tenant uuid, subject_id text) returns jsonb
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_uuid uuid;
  v_pseudonym text;
  v_doc jsonb;
begin
  perform warden_private.assert_tenant_admin(tenant);
  if subject_id is null or length(subject_id) not between 1 and 1024 then
    raise exception 'subject_id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  if subject_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_uuid := subject_id::uuid;
  end if;
  select warden_private.hmac_with(k.inner_key, k.outer_key, subject_id) into v_pseudonym
  from warden_private.tenant_hash_keys k where k.tenant_key = tenant;
  v_doc := jsonb_build_object(
    'subject_id', subject_id,
    'tenant_id', tenant,
    'exported_at', now(),
    'user', (select to_jsonb(u) from warden.users u
             where u.id = v_uuid and exists (select 1 from warden.tenant_memberships m
                                             where m.user_id = u.id and m.tenant_id = tenant and m.joined_via <> 'unconfirmed')),
    'tenant_memberships', coalesce((select jsonb_agg(to_jsonb(m) order by m.created_at) from warden.tenant_memberships m
                                    where m.tenant_id = tenant and m.user_id = v_uuid), '[]'),
    'project_memberships', coalesce((select jsonb_agg(to_jsonb(pm) order by pm.created_at) from warden.project_members pm
                                     where pm.tenant_id = tenant and pm.user_id = v_uuid), '[]'),
    'projects_created', coalesce((select jsonb_agg(to_jsonb(p) order by p.created_at) from warden.projects p
                                  where p.tenant_id = tenant and p.created_by = v_uuid), '[]'),
    'api_keys', coalesce((select jsonb_agg(to_jsonb(k) order by k.created_at) from warden.api_keys k
                          where k.tenant_id = tenant and (k.created_by = v_uuid or k.id = v_uuid)), '[]'),
    'idempotency_keys', coalesce((select jsonb_agg(jsonb_build_object('idempotency_key', k.idempotency_key, 'event_ids', k.event_ids,
                                                                      'created_at', k.created_at) order by k.created_at)
                                  from warden_private.idempotency_keys k
                                  where k.tenant_id = tenant and (k.idempotency_key = subject_id
                                        or (length(subject_id) >= 6 and strpos(k.idempotency_key, subject_id) > 0))), '[]'),
    'erasures', coalesce((select jsonb_agg(x.receipt order by x.started_at) from warden_private.erasures x
                          where x.tenant_id = tenant and x.subject_pseudonym = v_pseudonym and x.receipt is not null), '[]'),
    'events', coalesce((select jsonb_agg(to_jsonb(e) order by e.occurred_at, e.event_id) from warden.audit_events e
                        where e.tenant_id = tenant and (e.actor_id = subject_id or e.resource_id = subject_id)), '[]'));
  -- Who exported what about whom: the subject by its keyed pseudonym (as
  -- the erasure event names it), so the record of an export never puts the
  -- raw id back into an erased trail; counts, not data.
  perform warden_private.record_governance_event('governance.subject.exported', tenant, 'subject', warden_private.keyed_hash(tenant, subject_id), null, null,
    jsonb_build_object('format', 'json', 'counts', jsonb_build_object(
      'events', jsonb_array_length(v_doc -> 'events'),
      'tenant_memberships', jsonb_array_length(v_doc -> 'tenant_memberships'),
      'project_memberships', jsonb_array_length(v_doc -> 'project_memberships'),
      'projects_created', jsonb_array_length(v_doc -> 'projects_created'),
      'api_keys', jsonb_array_length(v_doc -> 'api_keys'),
      'idempotency_keys', jsonb_array_length(v_doc -> 'idempotency_keys'),
      'erasures', jsonb_array_length(v_doc -> 'erasures'),
      'user', (v_doc -> 'user') <> 'null'::jsonb)));
  return v_doc;
end;
$$;
comment on function warden.export_subject(uuid, text) is
  E'@behavior +queryField -mutationField\nGDPR export (tenant owners and admins; DBAs without a request context): one JSON document with every audit event of the tenant where the subject is the actor or the resource (raw), their user record (when their membership is not unconfirmed), memberships, projects and API keys they created, idempotency keys naming them and receipts of earlier erasures. Writes governance.subject.exported (resource: the subject''s keyed pseudonym, hmac:<hex>; counts of what was exported).';

--------------------------------------------------------------------------------
-- sign-records: an operator vouching for prune and erasure records written
-- without the key is a governance act, one event per tenant whose records
-- were signed, in the signing transaction.
--------------------------------------------------------------------------------
create or replace function warden_private.record_signed_records(key_id text) returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_xid xid := (txid_current() % 4294967296)::text::xid;
  r record;
  v_events integer := 0;
begin
  for r in
    with p as (
      select pr.tenant_key, array_agg(pr.id order by pr.id) as ids, sum(pr.event_count)::bigint as events
      from warden_private.prune_record_signatures s join warden_private.prune_records pr on pr.id = s.record_id
      where s.xmin = v_xid and s.key_id = record_signed_records.key_id
      group by pr.tenant_key
    ), e as (
      select er.tenant_key, array_agg(distinct er.erasure_id) as erasures, count(*) as records
      from warden_private.erasure_record_signatures s
      join warden_private.erasure_records er on er.event_id = s.event_id and er.erased_payload_hash = s.erased_payload_hash
      where s.xmin = v_xid and s.key_id = record_signed_records.key_id
      group by er.tenant_key
    )
    select coalesce(p.tenant_key, e.tenant_key) as tenant_key, p.ids, p.events, e.erasures, e.records
    from p full join e on e.tenant_key = p.tenant_key
    order by 1
  loop
    perform warden_private.record_governance_event('governance.records.signed',
      nullif(r.tenant_key, '00000000-0000-0000-0000-000000000000'::uuid), 'sealing_key', record_signed_records.key_id, null,
      jsonb_build_object('prune_record_ids', coalesce(to_jsonb(r.ids), '[]'), 'prune_record_events', coalesce(r.events, 0),
                         'erasure_ids', coalesce(to_jsonb(r.erasures), '[]'), 'erasure_records', coalesce(r.records, 0)),
      jsonb_build_object('key_id', record_signed_records.key_id));
    v_events := v_events + 1;
  end loop;
  return v_events;
end;
$$;
comment on function warden_private.record_signed_records(text) is
  'Called by warden sign-records in its signing transaction: writes one governance.records.signed event per tenant whose prune or erasure records this transaction signed with the key (after: prune record ids and their event count, erasure ids and record count). Returns how many events.';
