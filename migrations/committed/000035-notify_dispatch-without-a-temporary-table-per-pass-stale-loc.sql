--! Previous: sha1:e76d86f819146131b2d90e00866bd68b71a15977
--! Hash: sha1:eaacf4c73dff0ba510a80a6f15112b4d071aff32
--! Message: notify_dispatch without a temporary table per pass; stale locks freed through graphile-worker's public API

-- notify_dispatch: no temporary table per pass (catalog churn several times
-- a second; the matches are kept in arrays), and locks of dead workers are
-- released through graphile-worker's public API (graphile_worker.jobs and
-- graphile_worker.force_unlock_workers) instead of updating its private tables.
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

  -- The matches per subscription are kept in two arrays (no temporary
  -- table: this runs several times a second).
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
  from unnest(v_ids) as m(subscription_id)
  join warden.subscriptions s on s.id = m.subscription_id and s.enabled;
  return query select m.subscription_id, m.n from unnest(v_ids, v_counts) as m(subscription_id, n);
end;
$$;

comment on function warden_private.notify_dispatch(max_txids integer, stale_lock interval) IS 'One dispatch pass (the worker''s notify_dispatch task): releases, through graphile_worker.force_unlock_workers, the workers holding a delivery job locked longer than stale_lock (they died), matches the events committed since each subscription''s position (at most max_txids transaction ids per pass) into its delivery log (once per event), advances the positions, writes the built-in inbox notifications, and queues a notify_deliver job per subscription with new deliveries. Returns the matches per subscription.';

revoke all on function warden_private.notify_dispatch(integer, interval) from public;
