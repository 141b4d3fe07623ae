--! Previous: sha1:91a49af8eafc2eb51ddf610847293e6750b140a1
--! Hash: sha1:45e494e61193b49f99acc8f21efa54165a323112
--! Message: suspect events: the sealer sets aside events dated outside their occurred_at window without the backfill marker; operators acknowledge them after review

--------------------------------------------------------------------------------
-- Backdated and future-dated events that bypassed ingest are not sealed: the
-- sealing pass sets them aside as suspect (warden_private.suspect_events,
-- a critical governance.audit.suspect_events event per tenant), and verify
-- reports them. Ingest refuses such timestamps (the occurred_at window)
-- unless the event came through the audited backfill path (an API key with
-- the backfill scope), which marks it with event_data.backfill.
--------------------------------------------------------------------------------
create table warden_private.suspect_events (
  event_id uuid primary key,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null,
  tenant_id uuid,
  txid bigint not null,
  reason text not null check (reason in ('backdated', 'future_dated')),
  window_earliest timestamptz not null,
  window_latest timestamptz not null,
  flagged_at timestamptz not null default now()
);
comment on table warden_private.suspect_events is
  'Events the sealer refused to seal: dated outside their tenant''s occurred_at window when sealed, without the backfill marker ingest sets. They stay in the store, unsealed, and verify reports them as suspect. Append-only.';
comment on column warden_private.suspect_events.event_id is 'The event (in warden.audit_events).';
comment on column warden_private.suspect_events.occurred_at is 'Its occurred_at.';
comment on column warden_private.suspect_events.recorded_at is 'Its recorded_at (when the writer says it stored it).';
comment on column warden_private.suspect_events.tenant_id is 'Its tenant.';
comment on column warden_private.suspect_events.txid is 'The transaction that wrote it.';
comment on column warden_private.suspect_events.reason is 'backdated (earlier than the window) or future_dated (later).';
comment on column warden_private.suspect_events.window_earliest is 'The tenant''s window when it was flagged: earliest.';
comment on column warden_private.suspect_events.window_latest is 'The tenant''s window when it was flagged: latest.';
comment on column warden_private.suspect_events.flagged_at is 'When the sealer set it aside.';
alter table warden_private.suspect_events enable row level security;
alter table warden_private.suspect_events force row level security;
create policy owner_maintenance on warden_private.suspect_events to warden_owner using (true) with check (true);
create trigger _010_append_only before update or delete on warden_private.suspect_events
  for each row execute function warden_private.tg_audit_append_only();

create function warden_private.seal_flag_suspects(from_txid bigint, to_txid bigint) returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_n integer;
  r record;
begin
  with tenants as (
    select distinct e.tenant_id from warden.audit_events e where e.txid >= from_txid and e.txid < to_txid
  ), windows as (
    select t.tenant_id, w.earliest, w.latest from tenants t cross join lateral warden_private.occurred_at_window(t.tenant_id) w
  ), flagged as (
    insert into warden_private.suspect_events (event_id, occurred_at, recorded_at, tenant_id, txid, reason, window_earliest, window_latest)
    select e.event_id, e.occurred_at, e.recorded_at, e.tenant_id, e.txid,
           case when e.occurred_at < w.earliest then 'backdated' else 'future_dated' end, w.earliest, w.latest
    from warden.audit_events e
    join windows w on w.tenant_id is not distinct from e.tenant_id
    where e.txid >= from_txid and e.txid < to_txid
      and (e.occurred_at < w.earliest or e.occurred_at > w.latest)
      and not coalesce(e.event_data ? 'backfill', false)
    on conflict on constraint suspect_events_pkey do nothing
    returning *
  )
  select count(*) into v_n from flagged;
  if v_n > 0 then
    for r in
      select s.tenant_id, count(*) as n, min(s.occurred_at) as oldest, max(s.occurred_at) as newest,
             (array_agg(s.event_id order by s.occurred_at))[1:20] as sample
      from warden_private.suspect_events s
      where s.txid >= from_txid and s.txid < to_txid and s.flagged_at = now()
      group by s.tenant_id
    loop
      perform warden_private.record_governance_event('governance.audit.suspect_events', r.tenant_id, 'audit_events', null, null, null,
        jsonb_build_object('count', r.n, 'oldest', r.oldest, 'newest', r.newest, 'event_ids', to_jsonb(r.sample),
                           'why', 'dated outside the occurred_at window without the backfill marker: not sealed'),
        'critical', 'failure');
    end loop;
  end if;
  return v_n;
end;
$$;
comment on function warden_private.seal_flag_suspects(bigint, bigint) is
  'Run by the sealing pass over its window: sets aside the events of transactions in [from_txid, to_txid) dated outside their tenant''s occurred_at window without the backfill marker (warden_private.suspect_events), writes one critical governance.audit.suspect_events event per tenant, and returns how many it flagged; the pass then seals everything else.';
revoke all on function warden_private.seal_flag_suspects(bigint, bigint) from public;

--------------------------------------------------------------------------------
-- An operator who has looked into suspect events acknowledges them: they stay
-- in the store, unsealed and listed, but no longer make verify fail. Audited.
--------------------------------------------------------------------------------
create table warden_private.suspect_acknowledgements (
  event_id uuid primary key references warden_private.suspect_events (event_id),
  reason text not null check (length(btrim(reason)) between 1 and 1000),
  acknowledged_by jsonb not null,
  acknowledged_at timestamptz not null default now()
);
comment on table warden_private.suspect_acknowledgements is
  'Suspect events an operator reviewed and acknowledged (warden.acknowledge_suspect_events): verify reports them but no longer fails. Append-only.';
comment on column warden_private.suspect_acknowledgements.event_id is 'The suspect event.';
comment on column warden_private.suspect_acknowledgements.reason is 'Why it was acknowledged (1 to 1000 characters).';
comment on column warden_private.suspect_acknowledgements.acknowledged_by is 'Who acknowledged it (warden.current_actor()).';
comment on column warden_private.suspect_acknowledgements.acknowledged_at is 'When.';
alter table warden_private.suspect_acknowledgements enable row level security;
alter table warden_private.suspect_acknowledgements force row level security;
create policy owner_maintenance on warden_private.suspect_acknowledgements to warden_owner using (true) with check (true);
create trigger _010_append_only before update or delete on warden_private.suspect_acknowledgements
  for each row execute function warden_private.tg_audit_append_only();

create function warden.acknowledge_suspect_events(event_ids uuid[], reason text) returns integer
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_n integer;
  r record;
begin
  if reason is null or length(btrim(reason)) not between 1 and 1000 then
    raise exception 'a reason (1 to 1000 characters) is required to acknowledge suspect events' using errcode = '22023';
  end if;
  if event_ids is null or cardinality(event_ids) = 0 then
    raise exception 'name the suspect events to acknowledge' using errcode = '22023';
  end if;
  if exists (select 1 from unnest(event_ids) i where not exists (select 1 from warden_private.suspect_events s where s.event_id = i)) then
    raise exception 'not suspect events: %', (select string_agg(i::text, ', ') from unnest(event_ids) i
                                               where not exists (select 1 from warden_private.suspect_events s where s.event_id = i))
      using errcode = '22023';
  end if;
  insert into warden_private.suspect_acknowledgements (event_id, reason, acknowledged_by)
  select distinct i, btrim(reason), warden.current_actor() from unnest(event_ids) i
  on conflict on constraint suspect_acknowledgements_pkey do nothing;
  get diagnostics v_n = row_count;
  for r in
    select s.tenant_id, array_agg(s.event_id order by s.occurred_at) as ids
    from warden_private.suspect_events s where s.event_id = any (event_ids) group by s.tenant_id
  loop
    perform warden_private.record_governance_event('governance.audit.suspect_events_acknowledged', r.tenant_id, 'audit_events', null,
      null, null, jsonb_build_object('event_ids', to_jsonb(r.ids), 'reason', btrim(reason)), 'warning');
  end loop;
  return v_n;
end;
$$;
comment on function warden.acknowledge_suspect_events(uuid[], text) is
  E'@behavior -*\nAcknowledges suspect events (see warden_private.suspect_events) after review, with a reason: they stay unsealed and listed, and verify no longer fails for them. Writes a governance.audit.suspect_events_acknowledged event. For DBAs (the owner, or roles granted EXECUTE); returns how many were newly acknowledged.';
revoke all on function warden.acknowledge_suspect_events(uuid[], text) from public;
