--! Previous: sha1:9068cd8622b091928e8b77274b83c11d22ba82f7
--! Hash: sha1:8c06ae2cd2b8b00efa4b3a584c6816fcd9273fb4
--! Message: notifications and delivery: subscriptions, inbox, webhooks, JetStream, delivery log

--------------------------------------------------------------------------------
-- Notifications and delivery (issue 14): subscriptions, the in-app inbox,
-- signed webhooks and a NATS JetStream stream, run by the worker.
--
-- Matching runs in the worker over the stored, committed trail (events of
-- transactions below the sealer's horizon and the capture promotion
-- watermark), never in the writing transaction. Each subscription keeps a
-- durable position (a transaction id); deliveries are unique per
-- (subscription, event_id) and delivered in their insertion order.
-- Self-contained: every object is dropped and created here.
--------------------------------------------------------------------------------
drop function if exists warden.create_subscription(text, jsonb, text, text, uuid[], warden.tenant_role, text, integer, integer, boolean);
drop function if exists warden.set_subscription_enabled(uuid, boolean);
drop function if exists warden.delete_subscription(uuid);
drop function if exists warden.redeliver_notification(uuid, uuid);
drop function if exists warden.replay_subscription(uuid, timestamptz);
drop function if exists warden.mark_notifications_read(uuid[]);
drop function if exists warden.mark_all_notifications_read();
drop function if exists warden.unread_notification_count();
drop function if exists warden_private.notify_users(uuid, uuid[], text, text, text, jsonb, warden.audit_severity, interval, uuid);
drop function if exists warden_private.notify_tenant_roles(uuid, warden.tenant_role[], text, text, text, jsonb, warden.audit_severity, interval, uuid);
drop function if exists warden_private.notify_dispatch(integer);
drop function if exists warden_private.notify_dispatch(integer, interval);
drop function if exists warden_private.notify_prune();
drop function if exists warden_private.subscription_filter_normalize(jsonb);
drop function if exists warden_private.notification_filter_matches(jsonb, warden.audit_events);
drop function if exists warden_private.notify_horizon();
drop function if exists warden_private.tg_subscription_governance();
drop type if exists warden.subscription_created cascade;
drop table if exists warden.notification_delivery_attempts, warden.notification_deliveries, warden_private.subscription_secrets,
  warden_private.subscription_positions, warden.subscriptions, warden.notifications, warden_private.notify_state,
  warden_private.builtin_notification_rules cascade;

--------------------------------------------------------------------------------
-- The in-app inbox
--------------------------------------------------------------------------------
create table warden.notifications (
  id uuid primary key default warden_private.uuid_v7(),
  tenant_id uuid not null references warden.tenants (id) on delete cascade,
  user_id uuid not null references warden.users (id) on delete cascade,
  kind text not null check (kind ~ '^[a-z0-9_.-]{1,100}$'),
  title text not null check (length(title) between 1 and 500),
  body text check (length(body) <= 10000),
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  severity warden.audit_severity not null default 'info',
  event_id uuid,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  expires_at timestamptz not null default now() + interval '90 days'
);
comment on table warden.notifications is
  E'@behavior -insert -delete\nThe in-app inbox: one row per user and notification. A user sees only their own, in the tenant of their session; they mark them read (read_at). Written by Warden (warden_private.notify_users): subscriptions with the inbox channel and the built-in rules (capture gaps, failed verification, failed data-quality rules). The worker prunes expired rows daily.';
comment on column warden.notifications.id is 'Id of the notification (UUID version 7: time-ordered).';
comment on column warden.notifications.tenant_id is 'The tenant the notification belongs to.';
comment on column warden.notifications.user_id is 'The user it is for.';
comment on column warden.notifications.kind is 'What it is about, e.g. subscription, governance.capture_gap, governance.verify_failed, dq.rule_failed, subscription.disabled.';
comment on column warden.notifications.title is 'One line.';
comment on column warden.notifications.body is 'More detail, plain text.';
comment on column warden.notifications.data is 'Structured detail (event id, event type, subscription id...).';
comment on column warden.notifications.severity is 'debug, info, notice, warning, error or critical.';
comment on column warden.notifications.event_id is 'The audit event it reports, when there is one (a user gets one notification of a kind per event).';
comment on column warden.notifications.created_at is 'When it was written.';
comment on column warden.notifications.read_at is 'When the user marked it read; null while unread.';
comment on column warden.notifications.expires_at is 'When the daily prune deletes it.';
create unique index notifications_event_unique on warden.notifications (user_id, kind, event_id) where event_id is not null;
comment on index warden.notifications_event_unique is E'@behavior -*\nOne notification of a kind per user and event: a redelivery does not notify twice.';
create index notifications_user_idx on warden.notifications (tenant_id, user_id, created_at desc);
create index notifications_unread_idx on warden.notifications (tenant_id, user_id) where read_at is null;
create index notifications_expires_idx on warden.notifications (expires_at);
alter table warden.notifications enable row level security;
alter table warden.notifications force row level security;
create policy owner_maintenance on warden.notifications to warden_owner using (true) with check (true);
create policy select_own on warden.notifications for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and user_id = warden.current_user_id());
create policy update_own on warden.notifications for update to warden_visitor
  using (tenant_id = warden.current_tenant_id() and user_id = warden.current_user_id())
  with check (tenant_id = warden.current_tenant_id() and user_id = warden.current_user_id());
grant select on warden.notifications to warden_visitor;
grant update (read_at) on warden.notifications to warden_visitor;

create function warden.mark_notifications_read(ids uuid[]) returns integer
  language sql volatile
  set search_path = pg_catalog
as $$
  with marked as (
    update warden.notifications n set read_at = now()
    where n.id = any (ids) and n.read_at is null
      and n.tenant_id = warden.current_tenant_id() and n.user_id = warden.current_user_id()
    returning 1)
  select count(*)::integer from marked
$$;
comment on function warden.mark_notifications_read(uuid[]) is
  'Marks the caller''s notifications with these ids read; returns how many changed (ids of other users'' notifications change nothing).';
grant execute on function warden.mark_notifications_read(uuid[]) to warden_visitor;

create function warden.mark_all_notifications_read() returns integer
  language sql volatile
  set search_path = pg_catalog
as $$
  with marked as (
    update warden.notifications n set read_at = now()
    where n.read_at is null and n.tenant_id = warden.current_tenant_id() and n.user_id = warden.current_user_id()
    returning 1)
  select count(*)::integer from marked
$$;
comment on function warden.mark_all_notifications_read() is 'Marks every unread notification of the caller (in the session''s tenant) read; returns how many.';
grant execute on function warden.mark_all_notifications_read() to warden_visitor;

create function warden.unread_notification_count() returns integer
  language sql stable
  set search_path = pg_catalog
as $$
  select count(*)::integer from warden.notifications n
  where n.read_at is null and n.expires_at > now()
    and n.tenant_id = warden.current_tenant_id() and n.user_id = warden.current_user_id()
$$;
comment on function warden.unread_notification_count() is 'How many unread, unexpired notifications the caller has in the session''s tenant.';
grant execute on function warden.unread_notification_count() to warden_visitor;

create function warden_private.notify_users(
  tenant_id uuid,
  user_ids uuid[],
  kind text,
  title text,
  body text default null,
  data jsonb default '{}',
  severity warden.audit_severity default 'info',
  expires_in interval default interval '90 days',
  event_id uuid default null
) returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
#variable_conflict use_column
declare
  v_n integer;
begin
  if notify_users.tenant_id is null then
    raise exception 'notify_users needs a tenant' using errcode = '22004';
  end if;
  if notify_users.expires_in is null or notify_users.expires_in <= interval '0' then
    raise exception 'expires_in must be a positive interval, got %', expires_in using errcode = '22023';
  end if;
  -- Only members of the tenant are notified: a user id of another tenant
  -- is skipped, never written.
  insert into warden.notifications (tenant_id, user_id, kind, title, body, data, severity, event_id, expires_at)
  select notify_users.tenant_id, m.user_id, notify_users.kind, left(notify_users.title, 500), left(notify_users.body, 10000),
         coalesce(notify_users.data, '{}'), coalesce(notify_users.severity, 'info'), notify_users.event_id, now() + notify_users.expires_in
  from (select distinct u from unnest(notify_users.user_ids) u) x
  join warden.tenant_memberships m on m.tenant_id = notify_users.tenant_id and m.user_id = x.u
  on conflict (user_id, kind, event_id) where event_id is not null do nothing;
  get diagnostics v_n = row_count;
  return v_n;
end;
$$;
comment on function warden_private.notify_users(uuid, uuid[], text, text, text, jsonb, warden.audit_severity, interval, uuid) is
  'The one way Warden writes the in-app inbox: a notification for each of these users who is a member of the tenant (others are skipped). With event_id, a user gets one notification of a kind per event. Returns how many were written.';
revoke all on function warden_private.notify_users(uuid, uuid[], text, text, text, jsonb, warden.audit_severity, interval, uuid) from public;

create function warden_private.notify_tenant_roles(
  tenant_id uuid,
  roles warden.tenant_role[],
  kind text,
  title text,
  body text default null,
  data jsonb default '{}',
  severity warden.audit_severity default 'info',
  expires_in interval default interval '90 days',
  event_id uuid default null
) returns integer
  language sql volatile
  security definer
  set search_path = pg_catalog
as $$
  select warden_private.notify_users(notify_tenant_roles.tenant_id,
    array(select m.user_id from warden.tenant_memberships m where m.tenant_id = notify_tenant_roles.tenant_id and m.role = any (roles)),
    kind, title, body, data, severity, expires_in, event_id)
$$;
comment on function warden_private.notify_tenant_roles(uuid, warden.tenant_role[], text, text, text, jsonb, warden.audit_severity, interval, uuid) is
  'notify_users for every user holding one of these roles in the tenant.';
revoke all on function warden_private.notify_tenant_roles(uuid, warden.tenant_role[], text, text, text, jsonb, warden.audit_severity, interval, uuid) from public;

create function warden_private.notify_prune() returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_n integer;
begin
  delete from warden.notifications where expires_at <= now();
  get diagnostics v_n = row_count;
  return v_n;
end;
$$;
comment on function warden_private.notify_prune() is 'Deletes expired notifications (the worker''s daily prune_notifications task); returns how many.';
revoke all on function warden_private.notify_prune() from public;

--------------------------------------------------------------------------------
-- Subscription filters: the query API's vocabulary as a JSON object
--------------------------------------------------------------------------------
create function warden_private.subscription_filter_normalize(filter jsonb) returns jsonb
  language plpgsql immutable
  set search_path = pg_catalog
as $$
declare
  v_errors jsonb := '[]';
  v_out jsonb := '{}';
  v_key text;
  v_val jsonb;
  v_text text;
begin
  if filter is null then
    return '{}';
  end if;
  if jsonb_typeof(filter) <> 'object' then
    raise exception 'the subscription filter must be a JSON object'
      using errcode = '22023', hint = 'validation_failed',
            detail = jsonb_build_array(jsonb_build_object('pointer', '/filter', 'reason', 'a JSON object'))::text;
  end if;
  for v_key, v_val in select * from jsonb_each(filter) loop
    if v_key = 'data' then
      if jsonb_typeof(v_val) <> 'object' then
        v_errors := v_errors || jsonb_build_object('pointer', '/filter/data', 'reason', 'a JSON object the event''s data must contain');
      elsif length(v_val::text) > 8192 then
        v_errors := v_errors || jsonb_build_object('pointer', '/filter/data', 'reason', 'at most 8192 characters');
      else
        v_out := v_out || jsonb_build_object('data', v_val);
      end if;
      continue;
    end if;
    if v_key not in ('event_type', 'severity', 'outcome', 'actor_type', 'actor_id', 'resource_type', 'resource_id', 'service',
                     'correlation_id', 'trace_id') then
      v_errors := v_errors || jsonb_build_object('pointer', '/filter/' || replace(replace(v_key, '~', '~0'), '/', '~1'),
        'reason', 'unknown filter; one of event_type, severity, outcome, actor_type, actor_id, resource_type, resource_id, service, correlation_id, trace_id, data');
      continue;
    end if;
    if jsonb_typeof(v_val) <> 'string' then
      v_errors := v_errors || jsonb_build_object('pointer', '/filter/' || v_key, 'reason', 'a string');
      continue;
    end if;
    v_text := v_val #>> '{}';
    if length(v_text) = 0 or length(v_text) > 1024 or strpos(v_text, chr(1)) > 0 then
      v_errors := v_errors || jsonb_build_object('pointer', '/filter/' || v_key, 'reason', 'must be 1 to 1024 characters');
      continue;
    end if;
    case v_key
      when 'event_type' then
        if v_text ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.\*$' or v_text ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$' then
          v_out := v_out || jsonb_build_object('event_type', v_text);
        else
          v_errors := v_errors || jsonb_build_object('pointer', '/filter/event_type', 'reason', 'a dotted lower-case type, or a prefix ending in .* (e.g. gateway.*)');
        end if;
      when 'severity' then
        v_text := case lower(v_text) when 'warn' then 'warning' else lower(v_text) end;
        if v_text = any (enum_range(null::warden.audit_severity)::text[]) then
          v_out := v_out || jsonb_build_object('severity', v_text);
        else
          v_errors := v_errors || jsonb_build_object('pointer', '/filter/severity', 'reason', 'one of debug, info, notice, warning, error, critical');
        end if;
      when 'outcome' then
        if lower(v_text) = any (enum_range(null::warden.audit_outcome)::text[]) then
          v_out := v_out || jsonb_build_object('outcome', lower(v_text));
        else
          v_errors := v_errors || jsonb_build_object('pointer', '/filter/outcome', 'reason', 'one of success, failure, unknown');
        end if;
      when 'actor_type' then
        if lower(v_text) = any (enum_range(null::warden.actor_type)::text[]) then
          v_out := v_out || jsonb_build_object('actor_type', lower(v_text));
        else
          v_errors := v_errors || jsonb_build_object('pointer', '/filter/actor_type', 'reason', 'one of user, api_key, service, system, db_role');
        end if;
      else
        v_out := v_out || jsonb_build_object(v_key, v_text);
    end case;
  end loop;
  if jsonb_array_length(v_errors) > 0 then
    raise exception 'the subscription filter is invalid: %', v_errors ->> 0
      using errcode = '22023', hint = 'validation_failed', detail = v_errors::text;
  end if;
  return v_out;
end;
$$;
comment on function warden_private.subscription_filter_normalize(jsonb) is
  'Validates a subscription filter ({event_type (exact or a prefix like gateway.*), severity (minimum), outcome, actor_type, actor_id, resource_type, resource_id, service, correlation_id, trace_id, data (containment)}) and returns it normalised; a filter that does not parse raises 22023 with hint validation_failed and a JSON list of {pointer, reason} as detail.';
revoke all on function warden_private.subscription_filter_normalize(jsonb) from public;

create function warden_private.notification_filter_matches(f jsonb, e warden.audit_events) returns boolean
  language sql immutable parallel safe
  -- no SET clause: inlined into the dispatch query
as $$
  select (f ->> 'event_type' is null
          or case when right(f ->> 'event_type', 2) = '.*'
                  then starts_with(e.event_type, left(f ->> 'event_type', -1))
                  else e.event_type = f ->> 'event_type' end)
     and (f ->> 'severity' is null or e.severity >= (f ->> 'severity')::warden.audit_severity)
     and (f ->> 'outcome' is null or e.outcome = (f ->> 'outcome')::warden.audit_outcome)
     and (f ->> 'actor_type' is null or e.actor_type = (f ->> 'actor_type')::warden.actor_type)
     and (f ->> 'actor_id' is null or e.actor_id = f ->> 'actor_id')
     and (f ->> 'resource_type' is null or e.resource_type = f ->> 'resource_type')
     and (f ->> 'resource_id' is null or e.resource_id = f ->> 'resource_id')
     and (f ->> 'service' is null or e.service = f ->> 'service')
     and (f ->> 'correlation_id' is null or e.correlation_id = f ->> 'correlation_id')
     and (f ->> 'trace_id' is null or e.trace_id = f ->> 'trace_id')
     and (f -> 'data' is null or coalesce(e.event_data @> (f -> 'data'), false))
$$;
comment on function warden_private.notification_filter_matches(jsonb, warden.audit_events) is
  'True when the audit event matches the (normalised) subscription filter.';
revoke all on function warden_private.notification_filter_matches(jsonb, warden.audit_events) from public;

--------------------------------------------------------------------------------
-- Subscriptions
--------------------------------------------------------------------------------
create table warden.subscriptions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null default warden.current_tenant_id() references warden.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  filter jsonb not null default '{}' check (jsonb_typeof(filter) = 'object'),
  channel text not null check (channel in ('inbox', 'webhook', 'jetstream')),
  inbox_user_ids uuid[],
  inbox_role warden.tenant_role,
  webhook_url text check (webhook_url ~ '^https?://' and length(webhook_url) <= 2048),
  jetstream_subject_prefix text check (jetstream_subject_prefix ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$' and length(jetstream_subject_prefix) <= 100),
  throttle_max integer check (throttle_max between 1 and 1000000),
  throttle_window_seconds integer check (throttle_window_seconds between 1 and 86400),
  digest boolean not null default false,
  enabled boolean not null default true,
  disabled_reason text,
  disabled_at timestamptz,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint subscriptions_name_unique unique (tenant_id, name),
  constraint subscriptions_channel_config check (
    (channel = 'inbox' and webhook_url is null and (coalesce(cardinality(inbox_user_ids), 0) > 0 or inbox_role is not null))
    or (channel = 'webhook' and webhook_url is not null and inbox_user_ids is null and inbox_role is null)
    or (channel = 'jetstream' and webhook_url is null and inbox_user_ids is null and inbox_role is null)),
  constraint subscriptions_throttle check ((throttle_max is null or throttle_window_seconds is not null) and (not digest or throttle_window_seconds is not null))
);
comment on table warden.subscriptions is
  E'@name notification_subscription\n@behavior -insert -update -delete\nA tenant''s notification subscriptions: a filter over its audit trail and a channel (the inbox of named users or of every user holding a tenant role, a signed webhook, or a NATS JetStream subject). Tenant owners and admins manage them (warden.create_subscription, warden.set_subscription_enabled, warden.delete_subscription; REST /api/v1/subscriptions). The worker matches committed events and delivers them at least once, in order, once per (subscription, event).';
comment on column warden.subscriptions.id is 'Id of the subscription.';
comment on column warden.subscriptions.tenant_id is 'The tenant whose events it receives (never another''s).';
comment on column warden.subscriptions.name is 'Unique within the tenant.';
comment on column warden.subscriptions.filter is 'The normalised filter: event_type (exact or prefix.*), severity (minimum), outcome, actor_type, actor_id, resource_type, resource_id, service, correlation_id, trace_id, data (containment). {} matches every event.';
comment on column warden.subscriptions.channel is 'inbox, webhook or jetstream.';
comment on column warden.subscriptions.inbox_user_ids is 'Inbox channel: these users (members of the tenant).';
comment on column warden.subscriptions.inbox_role is 'Inbox channel: every user holding this tenant role.';
comment on column warden.subscriptions.webhook_url is 'Webhook channel: the http(s) endpoint (Standard Webhooks signed CloudEvents).';
comment on column warden.subscriptions.jetstream_subject_prefix is 'JetStream channel: the subject prefix (default warden): events go to <prefix>.<tenant>.<event_type>.';
comment on column warden.subscriptions.throttle_max is 'Throttle: at most this many deliveries per window (null: no throttle).';
comment on column warden.subscriptions.throttle_window_seconds is 'Throttle or digest window in seconds.';
comment on column warden.subscriptions.digest is 'Digest: the events matched in a window are delivered together as one message when it ends.';
comment on column warden.subscriptions.enabled is 'False: matching goes on (nothing is missed) but nothing is delivered until enabled again.';
comment on column warden.subscriptions.disabled_reason is 'Why it was disabled (by a user, or by Warden after an endpoint kept failing).';
comment on column warden.subscriptions.disabled_at is 'When it was disabled.';
comment on column warden.subscriptions.created_by is 'The user who created it (notified when Warden disables it); null for API keys.';
comment on column warden.subscriptions.created_at is 'When it was created.';
comment on column warden.subscriptions.updated_at is 'When it last changed.';
comment on constraint subscriptions_name_unique on warden.subscriptions is E'@behavior -single -update -delete\nOne subscription of a name per tenant.';
alter table warden.subscriptions enable row level security;
alter table warden.subscriptions force row level security;
create policy owner_maintenance on warden.subscriptions to warden_owner using (true) with check (true);
create policy select_managers on warden.subscriptions for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
grant select on warden.subscriptions to warden_visitor;

create table warden_private.subscription_secrets (
  subscription_id uuid primary key references warden.subscriptions (id) on delete cascade,
  secret text not null check (secret ~ '^whsec_[A-Za-z0-9+/=]+$'),
  created_at timestamptz not null default now()
);
comment on table warden_private.subscription_secrets is
  'The whsec_ signing secret of each webhook subscription: shown once when created, kept so the worker can sign, never returned again.';
comment on column warden_private.subscription_secrets.subscription_id is 'The webhook subscription.';
comment on column warden_private.subscription_secrets.secret is 'whsec_ followed by the base64 HMAC key (Standard Webhooks).';
comment on column warden_private.subscription_secrets.created_at is 'When it was made.';
alter table warden_private.subscription_secrets enable row level security;
alter table warden_private.subscription_secrets force row level security;
create policy owner_maintenance on warden_private.subscription_secrets to warden_owner using (true) with check (true);

create table warden_private.subscription_positions (
  subscription_id uuid primary key references warden.subscriptions (id) on delete cascade,
  position bigint not null,
  updated_at timestamptz not null default now()
);
comment on table warden_private.subscription_positions is
  'Durable position of each subscription in the committed trail: every event of a transaction below it has been matched.';
comment on column warden_private.subscription_positions.subscription_id is 'The subscription.';
comment on column warden_private.subscription_positions.position is 'A transaction id: events of transactions below it have been matched.';
comment on column warden_private.subscription_positions.updated_at is 'When the dispatcher last moved it.';
alter table warden_private.subscription_positions enable row level security;
alter table warden_private.subscription_positions force row level security;
create policy owner_maintenance on warden_private.subscription_positions to warden_owner using (true) with check (true);

create table warden.notification_deliveries (
  id bigint generated always as identity primary key,
  subscription_id uuid not null references warden.subscriptions (id) on delete cascade,
  tenant_id uuid not null,
  event_id uuid not null,
  occurred_at timestamptz not null,
  event_type text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead', 'throttled', 'digested')),
  attempts integer not null default 0,
  first_attempt_at timestamptz,
  last_attempt_at timestamptz,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  constraint notification_deliveries_once unique (subscription_id, event_id)
);
comment on table warden.notification_deliveries is
  E'@behavior -insert -update -delete\nThe delivery log: one row per (subscription, event) matched, delivered in id order. status: pending (waiting or retrying, next_attempt_at), delivered, dead (still failing after the retry period: dead-lettered), throttled (over the throttle, not sent), digested (sent within a digest). Redeliver one with warden.redeliver_notification, replay with warden.replay_subscription.';
comment on column warden.notification_deliveries.id is 'Delivery order within a subscription.';
comment on column warden.notification_deliveries.subscription_id is 'The subscription.';
comment on column warden.notification_deliveries.tenant_id is 'The tenant (the subscription''s and the event''s).';
comment on column warden.notification_deliveries.event_id is 'The audit event (also the webhook-id and the Nats-Msg-Id, so receivers can drop duplicates).';
comment on column warden.notification_deliveries.occurred_at is 'When the event occurred.';
comment on column warden.notification_deliveries.event_type is 'The event''s type.';
comment on column warden.notification_deliveries.status is 'pending, delivered, dead, throttled or digested.';
comment on column warden.notification_deliveries.attempts is 'Attempts so far.';
comment on column warden.notification_deliveries.first_attempt_at is 'The first attempt (retries stop 24 hours after it).';
comment on column warden.notification_deliveries.last_attempt_at is 'The latest attempt.';
comment on column warden.notification_deliveries.next_attempt_at is 'When a pending delivery is tried again.';
comment on column warden.notification_deliveries.last_status_code is 'HTTP status of the latest webhook attempt.';
comment on column warden.notification_deliveries.last_error is 'Error of the latest attempt.';
comment on column warden.notification_deliveries.delivered_at is 'When it was delivered.';
comment on column warden.notification_deliveries.created_at is 'When the worker matched it.';
comment on constraint notification_deliveries_once on warden.notification_deliveries is E'@behavior -single -update -delete\nAn event is delivered once per subscription.';
create index notification_deliveries_pending_idx on warden.notification_deliveries (subscription_id, id) where status = 'pending';
create index notification_deliveries_sub_idx on warden.notification_deliveries (subscription_id, created_at);
alter table warden.notification_deliveries enable row level security;
alter table warden.notification_deliveries force row level security;
create policy owner_maintenance on warden.notification_deliveries to warden_owner using (true) with check (true);
create policy select_managers on warden.notification_deliveries for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
grant select on warden.notification_deliveries to warden_visitor;

create table warden.notification_delivery_attempts (
  id bigint generated always as identity primary key,
  delivery_id bigint not null references warden.notification_deliveries (id) on delete cascade,
  subscription_id uuid not null,
  tenant_id uuid not null,
  attempt integer not null,
  status_code integer,
  latency_ms numeric(12, 3),
  error text,
  attempted_at timestamptz not null default now()
);
comment on table warden.notification_delivery_attempts is
  E'@behavior -insert -update -delete\nEvery delivery attempt: attempt number, HTTP status code, latency and error.';
comment on column warden.notification_delivery_attempts.id is 'Id of the attempt.';
comment on column warden.notification_delivery_attempts.delivery_id is 'The delivery.';
comment on column warden.notification_delivery_attempts.subscription_id is 'The subscription.';
comment on column warden.notification_delivery_attempts.tenant_id is 'The tenant.';
comment on column warden.notification_delivery_attempts.attempt is '1 for the first attempt.';
comment on column warden.notification_delivery_attempts.status_code is 'HTTP status code (webhooks), null when there was no response.';
comment on column warden.notification_delivery_attempts.latency_ms is 'How long the attempt took.';
comment on column warden.notification_delivery_attempts.error is 'What went wrong; null on success.';
comment on column warden.notification_delivery_attempts.attempted_at is 'When.';
create index notification_delivery_attempts_delivery_idx on warden.notification_delivery_attempts (delivery_id);
create index notification_delivery_attempts_sub_idx on warden.notification_delivery_attempts (subscription_id, attempted_at);
alter table warden.notification_delivery_attempts enable row level security;
alter table warden.notification_delivery_attempts force row level security;
create policy owner_maintenance on warden.notification_delivery_attempts to warden_owner using (true) with check (true);
create policy select_managers on warden.notification_delivery_attempts for select to warden_visitor
  using (tenant_id = warden.current_tenant_id() and warden.has_tenant_role('{owner,admin}'));
grant select on warden.notification_delivery_attempts to warden_visitor;

create table warden_private.notify_state (
  id boolean primary key default true check (id),
  builtin_position bigint not null,
  last_dispatch_at timestamptz
);
comment on table warden_private.notify_state is 'Dispatcher state (one row): the position of the built-in inbox rules.';
comment on column warden_private.notify_state.id is 'Always true: one row.';
comment on column warden_private.notify_state.builtin_position is 'A transaction id: events below it have been matched against the built-in rules.';
comment on column warden_private.notify_state.last_dispatch_at is 'When the built-in rules last advanced.';
alter table warden_private.notify_state enable row level security;
alter table warden_private.notify_state force row level security;
create policy owner_maintenance on warden_private.notify_state to warden_owner using (true) with check (true);
insert into warden_private.notify_state (builtin_position) values (pg_snapshot_xmin(pg_current_snapshot())::text::bigint);

create table warden_private.builtin_notification_rules (
  kind text not null,
  filter jsonb not null,
  title text not null,
  severity warden.audit_severity not null,
  primary key (kind, filter)
);
comment on table warden_private.builtin_notification_rules is
  'Built-in inbox rules: events the system writes that every owner and admin of the tenant hears about (capture gaps, failed verification, failed data-quality rules of severity error, critical governance events). Matched by the dispatcher like subscriptions.';
comment on column warden_private.builtin_notification_rules.kind is 'The notifications'' kind.';
comment on column warden_private.builtin_notification_rules.filter is 'A subscription filter selecting the events.';
comment on column warden_private.builtin_notification_rules.title is 'Title prefix of the notification.';
comment on column warden_private.builtin_notification_rules.severity is 'Severity of the notification.';
alter table warden_private.builtin_notification_rules enable row level security;
alter table warden_private.builtin_notification_rules force row level security;
create policy owner_maintenance on warden_private.builtin_notification_rules to warden_owner using (true) with check (true);
insert into warden_private.builtin_notification_rules (kind, filter, title, severity) values
  ('governance.capture_gap', '{"event_type": "governance.capture_gap_detected"}', 'Capture gap detected', 'critical'),
  ('governance.capture_gap', '{"event_type": "governance.capture_gap_opened"}', 'Capture gap opened', 'critical'),
  ('governance.capture_table_dropped', '{"event_type": "governance.capture_table_dropped"}', 'An audited table was dropped', 'critical'),
  ('governance.verify_failed', '{"event_type": "governance.verify_failed"}', 'Audit trail verification failed', 'critical'),
  ('dq.rule_failed', '{"event_type": "dq.rule.failed", "severity": "error"}', 'Data-quality rule failed', 'error'),
  ('governance.critical', '{"event_type": "governance.*", "severity": "critical"}', 'Critical governance event', 'critical')
on conflict do nothing;

create function warden_private.notify_horizon() returns bigint
  language sql stable
  set search_path = pg_catalog
as $$
  select least(warden_private.seal_horizon(), (select s.promoted_below from warden_private.capture_state s))
$$;
comment on function warden_private.notify_horizon() is
  'Every event of a transaction below this is committed and in warden.audit_events (the sealer''s horizon, no further than the capture promotion watermark).';
revoke all on function warden_private.notify_horizon() from public;

--------------------------------------------------------------------------------
-- Creating and changing subscriptions (owners and admins; governance events)
--------------------------------------------------------------------------------
create type warden.subscription_created as (
  id uuid,
  name text,
  channel text,
  secret text
);
comment on type warden.subscription_created is 'A new subscription; secret (webhooks only) is shown this once.';

create function warden.create_subscription(
  name text,
  filter jsonb,
  channel text,
  webhook_url text default null,
  inbox_user_ids uuid[] default null,
  inbox_role warden.tenant_role default null,
  jetstream_subject_prefix text default null,
  throttle_max integer default null,
  throttle_window_seconds integer default null,
  digest boolean default false
) returns warden.subscription_created
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_filter jsonb;
  v_id uuid;
  v_secret text;
  v_errors jsonb := '[]';
begin
  if v_tenant is null or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'managing subscriptions needs tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  v_filter := warden_private.subscription_filter_normalize(coalesce(filter, '{}'));
  if name is null or length(btrim(name)) = 0 or length(name) > 200 then
    v_errors := v_errors || jsonb_build_object('pointer', '/name', 'reason', 'required, 1 to 200 characters');
  end if;
  if channel is null or channel not in ('inbox', 'webhook', 'jetstream') then
    v_errors := v_errors || jsonb_build_object('pointer', '/channel', 'reason', 'one of inbox, webhook, jetstream');
  elsif channel = 'webhook' and (webhook_url is null or webhook_url !~ '^https?://[^/?#@\s]+' or length(webhook_url) > 2048) then
    v_errors := v_errors || jsonb_build_object('pointer', '/webhook_url', 'reason', 'an http:// or https:// URL of at most 2048 characters');
  elsif channel = 'inbox' and coalesce(cardinality(inbox_user_ids), 0) = 0 and inbox_role is null then
    v_errors := v_errors || jsonb_build_object('pointer', '/inbox_user_ids', 'reason', 'the inbox channel needs inbox_user_ids or inbox_role');
  end if;
  if channel is distinct from 'webhook' and webhook_url is not null then
    v_errors := v_errors || jsonb_build_object('pointer', '/webhook_url', 'reason', 'only for the webhook channel');
  end if;
  if channel is distinct from 'inbox' and (inbox_user_ids is not null or inbox_role is not null) then
    v_errors := v_errors || jsonb_build_object('pointer', '/inbox_user_ids', 'reason', 'only for the inbox channel');
  end if;
  if channel = 'inbox' and inbox_user_ids is not null and exists (
      select 1 from unnest(inbox_user_ids) u where not exists (
        select 1 from warden.tenant_memberships m where m.tenant_id = v_tenant and m.user_id = u)) then
    v_errors := v_errors || jsonb_build_object('pointer', '/inbox_user_ids', 'reason', 'every user must be a member of your tenant');
  end if;
  if jetstream_subject_prefix is not null and (channel is distinct from 'jetstream'
      or jetstream_subject_prefix !~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$' or length(jetstream_subject_prefix) > 100) then
    v_errors := v_errors || jsonb_build_object('pointer', '/jetstream_subject_prefix', 'reason', 'jetstream channel only: dot-separated tokens of letters, digits, _ and -');
  end if;
  if (throttle_max is null) <> (throttle_window_seconds is null) and not (throttle_max is null and digest) then
    v_errors := v_errors || jsonb_build_object('pointer', '/throttle_max', 'reason', 'throttle_max and throttle_window_seconds go together');
  end if;
  if throttle_max is not null and (throttle_max < 1 or throttle_max > 1000000) then
    v_errors := v_errors || jsonb_build_object('pointer', '/throttle_max', 'reason', 'an integer from 1 to 1000000');
  end if;
  if throttle_window_seconds is not null and (throttle_window_seconds < 1 or throttle_window_seconds > 86400) then
    v_errors := v_errors || jsonb_build_object('pointer', '/throttle_window_seconds', 'reason', 'an integer from 1 to 86400');
  end if;
  if coalesce(digest, false) and throttle_window_seconds is null then
    v_errors := v_errors || jsonb_build_object('pointer', '/digest', 'reason', 'a digest needs throttle_window_seconds');
  end if;
  if exists (select 1 from warden.subscriptions s where s.tenant_id = v_tenant and s.name = create_subscription.name) then
    v_errors := v_errors || jsonb_build_object('pointer', '/name', 'reason', 'your tenant already has a subscription of this name');
  end if;
  if jsonb_array_length(v_errors) > 0 then
    raise exception 'the subscription is invalid: %', v_errors ->> 0
      using errcode = '22023', hint = 'validation_failed', detail = v_errors::text;
  end if;
  insert into warden.subscriptions (tenant_id, name, filter, channel, inbox_user_ids, inbox_role, webhook_url,
    jetstream_subject_prefix, throttle_max, throttle_window_seconds, digest, created_by)
  values (v_tenant, create_subscription.name, v_filter, channel, inbox_user_ids, inbox_role, webhook_url,
    case when channel = 'jetstream' then coalesce(jetstream_subject_prefix, 'warden') end,
    case when throttle_max is null and digest then null else throttle_max end,
    throttle_window_seconds, coalesce(digest, false), warden.current_user_id())
  returning id into v_id;
  -- New subscriptions start at the present: events committed from now on.
  insert into warden_private.subscription_positions (subscription_id, position) values (v_id, warden_private.notify_horizon());
  if channel = 'webhook' then
    -- 32 bytes from two random UUIDs (pg_strong_random; 244 random bits).
    v_secret := 'whsec_' || encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64');
    insert into warden_private.subscription_secrets (subscription_id, secret) values (v_id, v_secret);
  end if;
  perform warden_private.record_governance_event('governance.subscription_created', v_tenant, 'subscription', v_id::text,
    null, jsonb_build_object('name', create_subscription.name, 'channel', channel, 'filter', v_filter,
      'webhook_url', webhook_url, 'inbox_role', inbox_role, 'inbox_user_ids', inbox_user_ids,
      'throttle_max', throttle_max, 'throttle_window_seconds', throttle_window_seconds, 'digest', coalesce(digest, false)));
  return row(v_id, create_subscription.name, channel, v_secret)::warden.subscription_created;
end;
$$;
comment on function warden.create_subscription(text, jsonb, text, text, uuid[], warden.tenant_role, text, integer, integer, boolean) is
  'Creates a subscription in the caller''s tenant (owners and admins): a name, a filter (the query API''s vocabulary as JSON) and a channel. A webhook''s whsec_ signing secret is returned this once. It receives events committed from now on. A bad filter or channel raises 22023 (hint validation_failed) with a JSON list of {pointer, reason}. Writes a governance.subscription_created event.';
grant execute on function warden.create_subscription(text, jsonb, text, text, uuid[], warden.tenant_role, text, integer, integer, boolean) to warden_visitor;

create function warden.set_subscription_enabled(subscription_id uuid, enabled boolean) returns warden.subscriptions
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_before warden.subscriptions;
  v_after warden.subscriptions;
begin
  if warden.current_tenant_id() is null or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'managing subscriptions needs tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if enabled is null then
    raise exception 'enabled must be true or false' using errcode = '22004';
  end if;
  select * into v_before from warden.subscriptions s where s.id = subscription_id and s.tenant_id = warden.current_tenant_id() for update;
  if not found then
    raise exception 'no subscription % in your tenant', subscription_id using errcode = 'P0002';
  end if;
  update warden.subscriptions s set enabled = set_subscription_enabled.enabled,
    disabled_reason = case when set_subscription_enabled.enabled then null else 'disabled by a user' end,
    disabled_at = case when set_subscription_enabled.enabled then null else now() end, updated_at = now()
  where s.id = subscription_id returning * into v_after;
  if v_before.enabled is distinct from v_after.enabled then
    perform warden_private.record_governance_event(
      case when enabled then 'governance.subscription_enabled' else 'governance.subscription_disabled' end,
      v_after.tenant_id, 'subscription', subscription_id::text,
      jsonb_build_object('enabled', v_before.enabled), jsonb_build_object('enabled', v_after.enabled));
  end if;
  if enabled then
    -- Pending deliveries resume at once.
    update warden.notification_deliveries d set next_attempt_at = now()
    where d.subscription_id = set_subscription_enabled.subscription_id and d.status = 'pending';
    perform graphile_worker.add_job('notify_deliver', json_build_object('subscription_id', subscription_id),
      queue_name => 'notify:' || subscription_id, job_key => 'notify_deliver:' || subscription_id, job_key_mode => 'replace'::text);
  end if;
  return v_after;
end;
$$;
comment on function warden.set_subscription_enabled(uuid, boolean) is
  'Enables or disables a subscription of the caller''s tenant (owners and admins). Matching continues while disabled; enabling delivers what waited. Writes a governance event.';
grant execute on function warden.set_subscription_enabled(uuid, boolean) to warden_visitor;

create function warden.delete_subscription(subscription_id uuid) returns boolean
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_before warden.subscriptions;
begin
  if warden.current_tenant_id() is null or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'managing subscriptions needs tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  delete from warden.subscriptions s where s.id = subscription_id and s.tenant_id = warden.current_tenant_id() returning * into v_before;
  if not found then
    return false;
  end if;
  perform warden_private.record_governance_event('governance.subscription_deleted', v_before.tenant_id, 'subscription',
    subscription_id::text, jsonb_build_object('name', v_before.name, 'channel', v_before.channel, 'filter', v_before.filter), null);
  return true;
end;
$$;
comment on function warden.delete_subscription(uuid) is
  'Deletes a subscription of the caller''s tenant with its delivery log (owners and admins); false when there is none. Writes a governance event.';
grant execute on function warden.delete_subscription(uuid) to warden_visitor;

create function warden.redeliver_notification(subscription_id uuid, event_id uuid) returns warden.notification_deliveries
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_row warden.notification_deliveries;
begin
  if warden.current_tenant_id() is null or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'managing subscriptions needs tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  update warden.notification_deliveries d
  set status = 'pending', attempts = 0, first_attempt_at = null, next_attempt_at = now(), last_error = null
  where d.subscription_id = redeliver_notification.subscription_id and d.event_id = redeliver_notification.event_id
    and d.tenant_id = warden.current_tenant_id()
  returning * into v_row;
  if not found then
    raise exception 'no delivery of event % for subscription % in your tenant', event_id, subscription_id using errcode = 'P0002';
  end if;
  perform graphile_worker.add_job('notify_deliver', json_build_object('subscription_id', subscription_id),
    queue_name => 'notify:' || subscription_id, job_key => 'notify_deliver:' || subscription_id, job_key_mode => 'replace'::text);
  return v_row;
end;
$$;
comment on function warden.redeliver_notification(uuid, uuid) is
  'Delivers one event of a subscription''s log again (owners and admins of its tenant), with the same webhook-id / Nats-Msg-Id.';
grant execute on function warden.redeliver_notification(uuid, uuid) to warden_visitor;

create function warden.replay_subscription(subscription_id uuid, since timestamptz) returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_sub warden.subscriptions;
  v_pos bigint;
  v_n integer;
begin
  if warden.current_tenant_id() is null or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'managing subscriptions needs tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if since is null then
    raise exception 'since is required' using errcode = '22004';
  end if;
  select * into v_sub from warden.subscriptions s where s.id = subscription_id and s.tenant_id = warden.current_tenant_id();
  if not found then
    raise exception 'no subscription % in your tenant', subscription_id using errcode = 'P0002';
  end if;
  select p.position into v_pos from warden_private.subscription_positions p where p.subscription_id = replay_subscription.subscription_id for update;
  -- Events matched again, in trail order: new ones are appended to the
  -- log, ones already there are delivered again.
  with matched as (
    select e.event_id, e.occurred_at, e.event_type, e.txid
    from warden.audit_events e
    where e.tenant_id = v_sub.tenant_id and e.occurred_at >= since and e.txid < v_pos
      and warden_private.notification_filter_matches(v_sub.filter, e)
    order by e.txid, e.event_id
  ), upserted as (
    insert into warden.notification_deliveries (subscription_id, tenant_id, event_id, occurred_at, event_type, next_attempt_at)
    select v_sub.id, v_sub.tenant_id, m.event_id, m.occurred_at, m.event_type, now() from matched m
    order by m.txid, m.event_id
    on conflict on constraint notification_deliveries_once do update
      set status = 'pending', attempts = 0, first_attempt_at = null, next_attempt_at = now(), last_error = null
    returning 1
  )
  select count(*)::integer into v_n from upserted;
  perform warden_private.record_governance_event('governance.subscription_replayed', v_sub.tenant_id, 'subscription',
    subscription_id::text, null, null, jsonb_build_object('since', since, 'events', v_n));
  perform graphile_worker.add_job('notify_deliver', json_build_object('subscription_id', subscription_id),
    queue_name => 'notify:' || subscription_id, job_key => 'notify_deliver:' || subscription_id, job_key_mode => 'replace'::text);
  return v_n;
end;
$$;
comment on function warden.replay_subscription(uuid, timestamptz) is
  'Delivers again every event of the tenant that matches the subscription and occurred since the given time (owners and admins); returns how many. Writes a governance.subscription_replayed event.';
grant execute on function warden.replay_subscription(uuid, timestamptz) to warden_visitor;

--------------------------------------------------------------------------------
-- The dispatcher: one pass matches the committed trail against every
-- subscription and the built-in rules, and queues a delivery job per
-- subscription that has something to deliver.
--------------------------------------------------------------------------------
create function warden_private.notify_dispatch(max_txids integer default 1000000, stale_lock interval default interval '5 minutes')
  returns table (subscription_id uuid, matched bigint)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_h bigint;
  v_builtin bigint;
begin
  -- One dispatcher at a time; a second one skips.
  if not pg_try_advisory_xact_lock(hashtext('warden.notify_dispatch')) then
    return;
  end if;
  -- Capture records below the sealer's horizon become events first, when
  -- nobody else is promoting (never waits).
  perform 1 from warden_private.capture_promote(warden_private.seal_horizon(), false, false);
  v_h := warden_private.notify_horizon();

  -- A worker killed mid-delivery leaves its notify_deliver job and the
  -- subscription's queue locked (graphile-worker frees them after 4 hours).
  -- A delivery pass never holds them longer than its budget plus one
  -- request timeout, so older locks belong to a dead worker: free them and
  -- the subscription resumes from its log.
  update graphile_worker._private_job_queues q set locked_at = null, locked_by = null
  where q.queue_name like 'notify:%' and q.locked_at < now() - stale_lock;
  update graphile_worker._private_jobs j set locked_at = null, locked_by = null
  where j.locked_at < now() - stale_lock
    and j.task_id in (select t.id from graphile_worker._private_tasks t where t.identifier = 'notify_deliver');

  create temporary table if not exists notify_dispatch_matched (subscription_id uuid, n bigint) on commit drop;
  truncate notify_dispatch_matched;
  with subs as (
    select s.id, s.tenant_id, s.filter, p.position as from_txid, least(v_h, p.position + max_txids) as to_txid
    from warden.subscriptions s
    join warden_private.subscription_positions p on p.subscription_id = s.id
    where p.position < v_h
    for update of p skip locked
  ), moved as (
    update warden_private.subscription_positions p set position = subs.to_txid, updated_at = now()
    from subs where p.subscription_id = subs.id
    returning p.subscription_id
  ), ins as (
    insert into warden.notification_deliveries (subscription_id, tenant_id, event_id, occurred_at, event_type, next_attempt_at)
    select subs.id, subs.tenant_id, e.event_id, e.occurred_at, e.event_type, now()
    from subs
    join warden.audit_events e on e.tenant_id = subs.tenant_id and e.txid >= subs.from_txid and e.txid < subs.to_txid
    where warden_private.notification_filter_matches(subs.filter, e)
    order by subs.id, e.txid, e.event_id
    on conflict on constraint notification_deliveries_once do nothing
    returning notification_deliveries.subscription_id
  )
  insert into notify_dispatch_matched select i.subscription_id, count(*) from ins i group by i.subscription_id;

  -- Built-in rules: owners and admins of the event's tenant, in their inbox.
  select s.builtin_position into v_builtin from warden_private.notify_state s for update;
  if v_builtin < v_h then
    perform warden_private.notify_tenant_roles(e.tenant_id, '{owner,admin}', r.kind,
        r.title || ': ' || e.event_type,
        coalesce(e.event_data ->> 'message', e.event_data ->> 'reason',
                 concat_ws(' ', e.resource_type, e.resource_id)),
        jsonb_build_object('event_id', e.event_id, 'event_type', e.event_type, 'occurred_at', e.occurred_at,
                           'resource_type', e.resource_type, 'resource_id', e.resource_id, 'severity', e.severity),
        r.severity, interval '90 days', e.event_id)
    from warden.audit_events e
    join lateral (select b.kind, b.title, b.severity from warden_private.builtin_notification_rules b
                  where warden_private.notification_filter_matches(b.filter, e) order by b.severity desc, b.kind limit 1) r on true
    where e.txid >= v_builtin and e.txid < least(v_h, v_builtin + max_txids) and e.tenant_id is not null
      and (e.event_type like 'governance.%' or e.event_type like 'dq.%');
    update warden_private.notify_state set builtin_position = least(v_h, v_builtin + max_txids), last_dispatch_at = now();
  end if;

  -- A delivery job per subscription with something new (its own queue:
  -- in order within a subscription, subscriptions in parallel).
  perform graphile_worker.add_job('notify_deliver', json_build_object('subscription_id', m.subscription_id),
      queue_name => 'notify:' || m.subscription_id, job_key => 'notify_deliver:' || m.subscription_id,
      job_key_mode => 'preserve_run_at'::text)
  from notify_dispatch_matched m
  join warden.subscriptions s on s.id = m.subscription_id and s.enabled;
  return query select m.subscription_id, m.n from notify_dispatch_matched m;
end;
$$;
comment on function warden_private.notify_dispatch(integer, interval) is
  'One dispatch pass (the worker''s notify_dispatch task): frees delivery jobs locked longer than stale_lock (their worker died), matches the events committed since each subscription''s position (at most max_txids transaction ids per pass) into its delivery log (once per event), advances the positions, writes the built-in inbox notifications, and queues a notify_deliver job per subscription with new deliveries. Returns the matches per subscription.';
revoke all on function warden_private.notify_dispatch(integer, interval) from public;
