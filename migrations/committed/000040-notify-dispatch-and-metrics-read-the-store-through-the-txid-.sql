--! Previous: sha1:5f51376a1f9481b43b0fd42e27814c1b8ce87403
--! Hash: sha1:42b84a326b1ba783bb8f51c0fb64f1822c0fb6fc
--! Message: Notify dispatch and /metrics read the store through the txid BRIN index only: a dispatch pass scanned the whole store for its ranges (1.0-1.5 s per pass at a million events, with nothing to match, so every notification waited), a scrape scanned it for the sealing lag (0.8 s); warden_private.sealing_lag_seconds(); the bench's latency measure starts once the worker has caught up

-- notify_dispatch reads a pass's events through the BRIN index on txid
-- only. Its matching statement joined the subscriptions to the store with
-- the ranges as join filters, and the planner scanned the whole store for
-- them (and for the built-in rules' range): with a million events stored a
-- pass took 1.0-1.5 s even with nothing to match, so every notification
-- waited for it, and the time grew with the store. Now the pass's range
-- (from the lowest position to the highest end) is read once, by txid alone,
-- with sequential scans off for the two statements (a store without
-- statistics otherwise still gets one): about 5 ms at a million events.
create or replace function warden_private.notify_dispatch(max_txids integer DEFAULT 1000000, stale_lock interval DEFAULT '00:05:00'::interval) RETURNS TABLE(subscription_id uuid, matched bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    AS $$
declare
  v_h bigint;
  v_builtin bigint;
  v_dead text[];
  v_ids uuid[];
  v_counts bigint[];
  v_lo bigint;
  v_hi bigint;
  v_seqscan text := current_setting('enable_seqscan');
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
  -- request timeout, so a worker holding one longer is dead: release its
  -- locks through graphile-worker's public API (the jobs view and
  -- force_unlock_workers) and the subscription resumes from its log.
  select array_agg(distinct j.locked_by) into v_dead
  from graphile_worker.jobs j
  where j.task_identifier = 'notify_deliver' and j.locked_at < now() - stale_lock and j.locked_by is not null;
  if v_dead is not null then
    perform graphile_worker.force_unlock_workers(v_dead);
  end if;

  -- A pass reads the store's events by transaction id, through the BRIN
  -- index on txid only: a sequential scan of the store (the planner's
  -- choice when the store has no statistics, or when it misjudged how many
  -- subscriptions a pass moves) took a second per pass at a million events,
  -- and grows with the store. The events of the pass's whole range are read
  -- once (every subscription's range lies within it); the setting is put
  -- back before returning.
  select min(p.position), max(least(v_h, p.position + max_txids)) into v_lo, v_hi
  from warden_private.subscription_positions p where p.position < v_h;
  perform set_config('enable_seqscan', 'off', true);

  -- The matches per subscription are kept in two arrays (no temporary
  -- table: this runs several times a second).
  with ev as materialized (
    select e from warden.audit_events e where e.txid >= v_lo and e.txid < v_hi
  ), subs as (
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
    select subs.id, subs.tenant_id, (x.e).event_id, (x.e).occurred_at, (x.e).event_type, now()
    from subs
    join ev x on (x.e).tenant_id = subs.tenant_id and (x.e).txid >= subs.from_txid and (x.e).txid < subs.to_txid
    where warden_private.notification_filter_matches(subs.filter, x.e)
    order by subs.id, (x.e).txid, (x.e).event_id
    on conflict on constraint notification_deliveries_once do nothing
    returning notification_deliveries.subscription_id
  )
  select coalesce(array_agg(c.subscription_id order by c.subscription_id), '{}'), coalesce(array_agg(c.n order by c.subscription_id), '{}')
    into v_ids, v_counts
  from (select i.subscription_id, count(*) as n from ins i group by i.subscription_id) c;

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
    -- the range by txid alone (offset 0 keeps the other conditions out of
    -- the scan, as above)
    from (select e.* from warden.audit_events e
          where e.txid >= v_builtin and e.txid < least(v_h, v_builtin + max_txids) offset 0) e
    join lateral (select b.kind, b.title, b.severity from warden_private.builtin_notification_rules b
                  where warden_private.notification_filter_matches(b.filter, e::warden.audit_events) order by b.severity desc, b.kind limit 1) r on true
    where e.tenant_id is not null and (e.event_type like 'governance.%' or e.event_type like 'dq.%');
    update warden_private.notify_state set builtin_position = least(v_h, v_builtin + max_txids), last_dispatch_at = now();
  end if;

  perform set_config('enable_seqscan', v_seqscan, true);

  -- A delivery job per subscription with something new (its own queue:
  -- in order within a subscription, subscriptions in parallel).
  perform graphile_worker.add_job('notify_deliver', json_build_object('subscription_id', m.subscription_id),
      queue_name => 'notify:' || m.subscription_id, job_key => 'notify_deliver:' || m.subscription_id,
      job_key_mode => 'preserve_run_at'::text)
  from unnest(v_ids) as m(subscription_id)
  join warden.subscriptions s on s.id = m.subscription_id and s.enabled;
  return query select m.subscription_id, m.n from unnest(v_ids, v_counts) as m(subscription_id, n);
end;
$$;


comment on function warden_private.notify_dispatch(max_txids integer, stale_lock interval) IS 'One dispatch pass (the worker''s notify_dispatch task): releases, through graphile_worker.force_unlock_workers, the workers holding a delivery job locked longer than stale_lock (they died), matches the events committed since each subscription''s position (at most max_txids transaction ids per pass) into its delivery log (once per event), advances the positions, writes the built-in inbox notifications, and queues a notify_deliver job per subscription with new deliveries. Reads the pass''s events by txid through the BRIN index only (never a scan of the store). Returns the matches per subscription.';

revoke all on function warden_private.notify_dispatch(integer, interval) from public;

-- /metrics read the sealing lag as the oldest event at or above the seal
-- watermark, and the capture tally counted the events promoted since the
-- last scrape, both by txid range. Without statistics on a partition the
-- planner scanned it whole: 0.8 s per scrape at a million events, growing
-- with the store. Both now read through the txid BRIN index only.
create function warden_private.sealing_lag_seconds() returns double precision
    language sql stable
    set search_path to 'pg_catalog'
    set enable_seqscan to 'off'
    as $$
  select coalesce(extract(epoch from now() - min(e.recorded_at)), 0)::float8
  from warden.audit_events e
  where e.txid >= (select s.watermark from warden_private.seal_state s)
$$;

comment on function warden_private.sealing_lag_seconds() is 'Age in seconds of the oldest audit event not yet sealed (0 when every event is sealed): what /metrics reports as warden_sealing_lag_seconds. Reads the events at or above the seal watermark through the txid BRIN index only (never a scan of the store).';

revoke all on function warden_private.sealing_lag_seconds() from public;

alter function warden_private.capture_ingest_counts_refresh() set enable_seqscan to 'off';
