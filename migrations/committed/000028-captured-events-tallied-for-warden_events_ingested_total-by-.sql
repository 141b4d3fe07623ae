--! Previous: sha1:694e5a640c30abc01e42f71fc2bf153817acee57
--! Hash: sha1:83b3db0e1247596eac0108f3925c82d270d6fd53
--! Message: captured events tallied for warden_events_ingested_total by service and operation

--------------------------------------------------------------------------------
-- Observability: trigger-captured events counted by service and operation
-- (warden_events_ingested_total{source="capture"}), tallied incrementally
-- behind the promotion watermark at scrape time, so promotion itself pays
-- nothing.
--------------------------------------------------------------------------------
create table if not exists warden_private.capture_ingest_counts (
  service text not null,
  operation text not null,
  n bigint not null default 0,
  primary key (service, operation)
);
alter table warden_private.capture_ingest_counts enable row level security;
alter table warden_private.capture_ingest_counts force row level security;
drop policy if exists owner_maintenance on warden_private.capture_ingest_counts;
create policy owner_maintenance on warden_private.capture_ingest_counts to warden_owner using (true) with check (true);
comment on table warden_private.capture_ingest_counts is
  'Promoted trigger-captured events by service (application_name of the writer, at most 200 distinct names, then other) and operation (insert, update, delete, truncate, ddl tag): the running totals behind warden_events_ingested_total{source="capture"}.';
comment on column warden_private.capture_ingest_counts.service is 'The writer''s service (application_name), empty when none, other beyond 200 names.';
comment on column warden_private.capture_ingest_counts.operation is 'The captured operation (the event''s action).';
comment on column warden_private.capture_ingest_counts.n is 'Events counted so far.';
comment on policy owner_maintenance on warden_private.capture_ingest_counts is 'Only Warden''s owner role reads and writes the tallies.';

create table if not exists warden_private.capture_ingest_tally (
  id boolean primary key default true check (id),
  tallied_below bigint not null default 0
);
alter table warden_private.capture_ingest_tally enable row level security;
alter table warden_private.capture_ingest_tally force row level security;
drop policy if exists owner_maintenance on warden_private.capture_ingest_tally;
create policy owner_maintenance on warden_private.capture_ingest_tally to warden_owner using (true) with check (true);
comment on table warden_private.capture_ingest_tally is 'How far warden_private.capture_ingest_counts has counted (one row).';
comment on column warden_private.capture_ingest_tally.id is 'Always true: one row.';
comment on column warden_private.capture_ingest_tally.tallied_below is 'Captured events of transactions below this id are counted.';
comment on policy owner_maintenance on warden_private.capture_ingest_tally is 'Only Warden''s owner role reads and writes the tally state.';
-- start at the current watermark: what was promoted before is not recounted event by event
insert into warden_private.capture_ingest_tally (id, tallied_below)
select true, coalesce((select s.promoted_below from warden_private.capture_state s), 0)
on conflict (id) do nothing;

create or replace function warden_private.capture_ingest_counts_refresh()
  returns table (service text, operation text, n bigint)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
#variable_conflict use_column
declare
  v_from bigint;
  v_to bigint;
  v_known integer;
begin
  -- one tally at a time; a scrape that finds another one running reads the totals as committed
  if pg_try_advisory_xact_lock(hashtext('warden.capture_ingest_tally')) then
    select t.tallied_below into v_from from warden_private.capture_ingest_tally t for update;
    v_to := (select s.promoted_below from warden_private.capture_state s);
    if v_from is not null and v_to > v_from then
      v_known := (select count(distinct c.service) from warden_private.capture_ingest_counts c);
      -- captured events carry table_name; every one of a transaction below the watermark is promoted
      insert into warden_private.capture_ingest_counts as c (service, operation, n)
      select case when exists (select 1 from warden_private.capture_ingest_counts k where k.service = x.service) or v_known < 200
                  then x.service else 'other' end,
             x.operation, sum(x.n)
      from (
        select coalesce(e.service, '') as service, left(e.action, 64) as operation, count(*) as n
        from warden.audit_events e
        where e.txid >= v_from and e.txid < v_to and e.table_name is not null and e.category in ('data', 'ddl')
        group by 1, 2
      ) x
      group by 1, 2
      on conflict (service, operation) do update set n = c.n + excluded.n;
      update warden_private.capture_ingest_tally t set tallied_below = v_to;
    end if;
  end if;
  return query select c.service, c.operation, c.n from warden_private.capture_ingest_counts c order by c.service, c.operation;
end;
$$;
comment on function warden_private.capture_ingest_counts_refresh() is
  'Counts the trigger-captured events promoted since the last call (by service and operation) into warden_private.capture_ingest_counts and returns the totals: what /metrics reports as warden_events_ingested_total{source="capture"}.';
revoke all on function warden_private.capture_ingest_counts_refresh() from public;
