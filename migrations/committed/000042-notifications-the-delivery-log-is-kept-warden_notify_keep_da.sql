--! Previous: sha1:82c5a1e02c34641ea7ceee418c6c07b686dd5fb1
--! Hash: sha1:a9890a32c9a772521d875e14d595c6cd399954c8
--! Message: Notifications: the delivery log is kept WARDEN_NOTIFY_KEEP_DAYS (default 30): the daily prune_notifications task deletes finished deliveries (delivered, digested, throttled) older than that with their attempts, 10,000 per transaction (warden_private.notify_prune_deliveries, revoked from PUBLIC); pending and dead deliveries are kept

-- Notifications: the delivery log is kept for a number of days, not forever.
--
-- warden.notification_deliveries (and its attempts, which cascade) grew
-- with every delivery and nothing removed a row: a subscription that
-- delivers a million events a day kept a million rows a day. Finished
-- deliveries (delivered, digested into a digest, throttled) older than the
-- worker's keep period (WARDEN_NOTIFY_KEEP_DAYS, default 30) are now
-- deleted by the daily prune_notifications task, a batch per transaction.
-- Pending deliveries are never pruned, nor dead ones: a dead letter waits
-- for an operator's redeliver or replay however old it is.

create function warden_private.notify_prune_deliveries(keep interval, batch integer default 10000) returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog
as $$
declare
  v_n integer;
begin
  if keep is null or keep < interval '1 hour' then
    raise exception 'the delivery log is kept at least an hour (got %)', keep using errcode = '22023';
  end if;
  if batch is null or batch < 1 or batch > 1000000 then
    raise exception 'a prune batch is 1 to 1,000,000 deliveries (got %)', batch using errcode = '22023';
  end if;
  -- Oldest first, by the primary key (ids grow with created_at); the
  -- attempts go with their delivery (on delete cascade).
  delete from warden.notification_deliveries d
  where d.id in (
    select x.id from warden.notification_deliveries x
    where x.status in ('delivered', 'digested', 'throttled') and x.created_at < now() - keep
    order by x.id
    limit batch);
  get diagnostics v_n = row_count;
  return v_n;
end;
$$;
revoke all on function warden_private.notify_prune_deliveries(interval, integer) from public;
comment on function warden_private.notify_prune_deliveries(interval, integer) is
  'Deletes up to batch finished deliveries (delivered, digested, throttled) created more than keep ago, oldest first, with their attempts; returns how many. Pending and dead deliveries are kept. The worker''s daily prune_notifications task calls it until a batch comes back short (WARDEN_NOTIFY_KEEP_DAYS).';
