--! Previous: sha1:e5604fd92ba8aa23d1f0057efa383fc346cb219c
--! Hash: sha1:323b0e4178c37b3cb7272493a678fbf759bb46cf
--! Message: capture v2: parallel promotion in rounds of parts, each claimed in the transaction that promotes it

--------------------------------------------------------------------------------
-- Capture v2, parallel promotion: a large backlog is promoted in rounds whose
-- parts run at once on separate connections (the worker's promote_capture,
-- WARDEN_PROMOTE_PARTS parts, default 2), each part in its own transaction
-- that claims it first, so a part is promoted exactly once whoever runs it
-- and whatever crashes; the round is closed (watermark, slots) once every
-- part is done. The single-pass promotion (flush_capture, the sealing pass)
-- finishes an open round itself before it goes on.
--------------------------------------------------------------------------------
create table warden_private.capture_rounds (
  id bigint generated always as identity primary key,
  from_txid bigint not null,
  to_txid bigint not null,
  parts integer not null check (parts between 1 and 64),
  opened_at timestamptz not null default now()
);
comment on table warden_private.capture_rounds is
  'An open promotion round: the capture records of transactions in [from_txid, to_txid), promoted in parts (at most one round is open). Deleted when it is closed.';
comment on column warden_private.capture_rounds.id is 'Round id.';
comment on column warden_private.capture_rounds.from_txid is 'The promotion watermark when the round opened.';
comment on column warden_private.capture_rounds.to_txid is 'The horizon when the round opened: every transaction below it had ended.';
comment on column warden_private.capture_rounds.parts is 'How many parts (a row goes to part = its row log block number mod parts).';
comment on column warden_private.capture_rounds.opened_at is 'When the round opened.';

create table warden_private.capture_round_parts (
  round_id bigint not null references warden_private.capture_rounds (id) on delete cascade,
  part integer not null,
  promoted bigint,
  claimed_at timestamptz not null default now(),
  primary key (round_id, part)
);
comment on table warden_private.capture_round_parts is
  'Parts of the open round claimed by a promoter: the claim and the part''s events commit together, so a part is promoted once.';
comment on column warden_private.capture_round_parts.round_id is 'The round.';
comment on column warden_private.capture_round_parts.part is 'The part number (0 .. parts - 1).';
comment on column warden_private.capture_round_parts.promoted is 'Events the part promoted.';
comment on column warden_private.capture_round_parts.claimed_at is 'When it was claimed.';

do $$
declare
  t text;
begin
  foreach t in array array['capture_rounds', 'capture_round_parts'] loop
    execute format('alter table warden_private.%I enable row level security', t);
    execute format('alter table warden_private.%I force row level security', t);
    execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', t);
  end loop;
end;
$$;

create or replace function warden_private.in_capture_promotion() returns boolean
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  v_stack text;
begin
  -- The promotion announces itself with a transaction-local setting AND
  -- must really be on the call stack: setting the flag by hand is not enough.
  if coalesce(current_setting('warden.capture_promotion', true), '') = '' then
    return false;
  end if;
  get diagnostics v_stack = pg_context;
  return v_stack ~ 'function warden_private\.capture_(promote|round_close)\(';
end;
$$;
comment on function warden_private.in_capture_promotion() is
  'True only inside warden_private.capture_promote or capture_round_close, the functions that may empty or drop capture logs.';

--------------------------------------------------------------------------------
-- The pieces of a promotion
--------------------------------------------------------------------------------
create function warden_private.capture_promote_window(from_txid bigint, to_txid bigint, own_txid bigint default null,
  parts integer default 1, part integer default 0)
  returns bigint
  language plpgsql volatile
  set search_path = pg_catalog
  set jit = off
as $$
declare
  v_n bigint;
  v_total bigint := 0;
  ver record;
begin
  -- The versions with records in the window; each statement reads a fresh
  -- snapshot, so every transaction below to_txid is visible.
  for ver in
    select v.select_sql
    from warden_private.capture_versions v
    where (v.table_id, v.version) in (
      select x.table_id, x.version from warden_private.capture_statements_0 x
      where (x.txid >= from_txid and x.txid < to_txid) or x.txid = own_txid
      union
      select x.table_id, x.version from warden_private.capture_statements_1 x
      where (x.txid >= from_txid and x.txid < to_txid) or x.txid = own_txid)
    order by v.table_id, v.version
  loop
    execute format(
      'insert into warden.audit_events (occurred_at, recorded_at, tenant_id, event_type, category, action, actor_type, actor_id,
         actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk,
         changed_fields, old_values, new_values, event_data)
       select e.occurred_at, e.recorded_at, e.tenant_id, e.event_type, e.category, e.action, e.actor_type, e.actor_id,
         e.actor_ip, e.user_agent, e.resource_type, e.resource_id, e.correlation_id, e.trace_id, e.service, e.txid, e.table_name,
         e.row_pk, e.changed_fields, e.old_values, e.new_values, e.event_data
       from (%s) e
       where ((e.txid >= $1 and e.txid < $2) or e.txid = $3)
         and ($4 = 1 or coalesce(((e.rctid::text::point)[0])::bigint, 0) %% $4 = $5)', ver.select_sql)
      using from_txid, to_txid, own_txid, parts, part;
    get diagnostics v_n = row_count;
    v_total := v_total + v_n;
  end loop;
  return v_total;
end;
$$;
comment on function warden_private.capture_promote_window(bigint, bigint, bigint, integer, integer) is
  'Inserts the events of the capture records of transactions in [from_txid, to_txid) (and of own_txid), or of one part of them (rows whose row log block number mod parts = part). Returns how many. Used by capture_promote and the parts of a round.';
revoke all on function warden_private.capture_promote_window(bigint, bigint, bigint, integer, integer) from public;

create function warden_private.capture_maintain(below bigint) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_state warden_private.capture_state;
  v_gen bigint;
  v_inactive integer;
  v_empty boolean;
  ver record;
begin
  select s.* into v_state from warden_private.capture_state s for update;
  -- Generations: writers append to slot (generation mod 2). Once every
  -- transaction that could still write to the other slot has ended (the
  -- promoted watermark passed flip_xid), all its records are promoted:
  -- TRUNCATE it, then flip the generation if the active slot holds
  -- anything. A flip whose record was lost (its pass rolled back after
  -- nextval) is recorded again, later, which only delays the next truncation.
  v_gen := pg_sequence_last_value('warden_private.capture_generation'::regclass);
  v_inactive := ((v_gen + 1) % 2)::integer;
  if v_state.generation <> v_gen or v_state.flip_xid is null then
    v_state.generation := v_gen;
    v_state.flip_xid := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
    v_state.truncated_generation := null;
  elsif below >= v_state.flip_xid then
    if v_state.truncated_generation is distinct from v_gen then
      -- (only what holds something: a TRUNCATE gives the table a new file)
      if pg_relation_size(format('warden_private.capture_statements_%s', v_inactive)::regclass) > 0 then
        execute format('truncate warden_private.capture_statements_%s', v_inactive);
      end if;
      for ver in select v.row_log from warden_private.capture_versions v where v.dropped_at is null loop
        if pg_relation_size(format('%s_%s', ver.row_log, v_inactive)::regclass) > 0 then
          execute format('truncate %s_%s', ver.row_log, v_inactive);
        end if;
      end loop;
      v_state.truncated_generation := v_gen;
    end if;
    execute format('select not exists (select 1 from warden_private.capture_statements_%s)', 1 - v_inactive) into v_empty;
    if not v_empty then
      v_gen := nextval('warden_private.capture_generation');
      -- a fresh snapshot: every writer that saw the old generation has a smaller id
      v_state.generation := v_gen;
      v_state.flip_xid := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
      v_state.truncated_generation := null;
    end if;
  end if;

  -- Retired versions (a newer one replaced them, or auditing was disabled)
  -- whose records are all promoted: drop their log and function.
  for ver in
    select v.table_id, v.version, v.capture_function, v.row_log from warden_private.capture_versions v
    where v.retired_at is not null and v.dropped_at is null
      and not exists (select 1 from warden_private.capture_statements_0 x where x.table_id = v.table_id and x.version = v.version)
      and not exists (select 1 from warden_private.capture_statements_1 x where x.table_id = v.table_id and x.version = v.version)
  loop
    begin
      execute format('drop table %s_0, %s_1', ver.row_log, ver.row_log);
      execute format('drop function %s()', ver.capture_function);
      update warden_private.capture_versions v set dropped_at = now() where v.table_id = ver.table_id and v.version = ver.version;
    exception when dependent_objects_still_exist then
      raise warning 'capture version % of table % is retired but still used: %', ver.version, ver.table_id, sqlerrm;
    end;
  end loop;

  update warden_private.capture_state s
  set generation = v_state.generation, flip_xid = v_state.flip_xid, truncated_generation = v_state.truncated_generation;
end;
$$;
comment on function warden_private.capture_maintain(bigint) is
  'After a promotion up to below: empties the capture slot no writer can reach any more (TRUNCATE), flips the generation, and drops drained retired versions. Called by capture_promote and capture_round_close, holding the promotion lock.';
revoke all on function warden_private.capture_maintain(bigint) from public;

create function warden_private.capture_claim_part(round_id bigint, part integer, from_txid bigint, to_txid bigint, parts integer)
  returns bigint
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  v_n bigint;
begin
  -- The claim first: a concurrent claimer of the same part waits for this
  -- transaction and then finds it claimed (or, if this one rolled back,
  -- claims it). The claim and the events commit together.
  begin
    insert into warden_private.capture_round_parts (round_id, part) values (round_id, part)
    on conflict on constraint capture_round_parts_pkey do nothing;
  exception when foreign_key_violation then
    return null;  -- the round was closed meanwhile
  end;
  if not found then
    return null;
  end if;
  v_n := warden_private.capture_promote_window(from_txid, to_txid, null, parts, part);
  update warden_private.capture_round_parts p set promoted = v_n
  where p.round_id = capture_claim_part.round_id and p.part = capture_claim_part.part;
  return v_n;
end;
$$;
comment on function warden_private.capture_claim_part(bigint, integer, bigint, bigint, integer) is
  'Claims one part of a round and promotes it, in the caller''s transaction; null when it was already promoted.';
revoke all on function warden_private.capture_claim_part(bigint, integer, bigint, bigint, integer) from public;

--------------------------------------------------------------------------------
-- Rounds: open, promote each part (at once, each in its own transaction), close.
--------------------------------------------------------------------------------
create function warden_private.capture_round_open(parts integer)
  returns table (round_id bigint, from_txid bigint, to_txid bigint, round_parts integer)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_round warden_private.capture_rounds;
  v_below bigint;
  v_h bigint;
begin
  if parts is null or parts not between 1 and 64 then
    raise exception 'parts must be between 1 and 64, got %', parts using errcode = '22023';
  end if;
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'capture promotion runs at isolation level read committed, not %', current_setting('transaction_isolation')
      using errcode = '25001';
  end if;
  if not pg_try_advisory_xact_lock(hashtext('warden.capture')) then
    return;  -- another promotion is under way
  end if;
  select r.* into v_round from warden_private.capture_rounds r order by r.id limit 1;
  if v_round.id is not null then
    -- a round left open (its promoter crashed): that one first
    return query select v_round.id, v_round.from_txid, v_round.to_txid, v_round.parts;
    return;
  end if;
  v_below := (select s.promoted_below from warden_private.capture_state s);
  v_h := warden_private.seal_horizon();
  if v_h <= v_below then
    return;
  end if;
  insert into warden_private.capture_rounds (from_txid, to_txid, parts) values (v_below, v_h, parts) returning * into v_round;
  return query select v_round.id, v_round.from_txid, v_round.to_txid, v_round.parts;
end;
$$;
comment on function warden_private.capture_round_open(integer) is
  'Opens a promotion round over every capture record below the horizon not yet promoted, in parts, and returns it (or the round a crashed promoter left open; nothing when there is nothing to do or another promotion runs). Commit before running its parts.';
revoke all on function warden_private.capture_round_open(integer) from public;

create function warden_private.capture_round_part(round_id bigint, part integer) returns bigint
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
  set work_mem = '256MB'
as $$
declare
  v_round warden_private.capture_rounds;
begin
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'capture promotion runs at isolation level read committed, not %', current_setting('transaction_isolation')
      using errcode = '25001';
  end if;
  select r.* into v_round from warden_private.capture_rounds r where r.id = capture_round_part.round_id;
  if v_round.id is null then
    return null;  -- closed meanwhile (a single-pass promotion finished it)
  end if;
  if part is null or part < 0 or part >= v_round.parts then
    raise exception 'part must be between 0 and %, got %', v_round.parts - 1, part using errcode = '22023';
  end if;
  return warden_private.capture_claim_part(v_round.id, part, v_round.from_txid, v_round.to_txid, v_round.parts);
end;
$$;
comment on function warden_private.capture_round_part(bigint, integer) is
  'Promotes one part of an open round in the caller''s transaction (run each part in its own transaction, on its own connection, at once); returns the events promoted, or null when the part (or the round) was done already.';
revoke all on function warden_private.capture_round_part(bigint, integer) from public;

create function warden_private.capture_round_close(round_id bigint)
  returns table (promoted bigint, promoted_below bigint)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
as $$
declare
  v_round warden_private.capture_rounds;
  v_done integer;
  v_total bigint;
  v_below bigint;
begin
  perform pg_advisory_xact_lock(hashtext('warden.capture'));
  perform set_config('warden.capture_promotion', 'on', true);
  select r.* into v_round from warden_private.capture_rounds r where r.id = capture_round_close.round_id;
  if v_round.id is null then
    -- closed meanwhile (a single-pass promotion finished it)
    return query select 0::bigint, s.promoted_below from warden_private.capture_state s;
    return;
  end if;
  select count(*), coalesce(sum(p.promoted), 0) into v_done, v_total
  from warden_private.capture_round_parts p where p.round_id = v_round.id;
  if v_done < v_round.parts then
    raise exception 'promotion round % has % of % parts promoted', v_round.id, v_done, v_round.parts using errcode = '55000';
  end if;
  delete from warden_private.capture_rounds r where r.id = v_round.id;
  update warden_private.capture_state s
  set promoted_below = greatest(s.promoted_below, v_round.to_txid), promoted_total = s.promoted_total + v_total,
      last_promoted = v_total, last_promoted_at = case when v_total > 0 then now() else s.last_promoted_at end
  returning s.promoted_below into v_below;
  perform warden_private.capture_maintain(v_below);
  perform set_config('warden.capture_promotion', '', true);
  return query select v_total, v_below;
end;
$$;
comment on function warden_private.capture_round_close(bigint) is
  'Closes a round whose parts are all promoted: advances the promotion watermark to its horizon, then empties the capture slot no writer can reach and flips the generation. Fails (55000) while a part is missing.';
revoke all on function warden_private.capture_round_close(bigint) from public;

--------------------------------------------------------------------------------
-- The single pass finishes an open round first.
--------------------------------------------------------------------------------
create or replace function warden_private.capture_promote(horizon bigint default null, include_own boolean default false, wait boolean default true,
  purge_promoted boolean default false)
  returns table (promoted bigint, promoted_below bigint)
  language plpgsql volatile
  security definer
  set search_path = pg_catalog
  set jit = off
  set work_mem = '256MB'
as $$
declare
  v_below bigint;
  v_h bigint;
  v_own bigint;
  v_total bigint := 0;
  v_n bigint;
  v_round_total bigint;
  v_round warden_private.capture_rounds;
  ver record;
begin
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'capture promotion runs at isolation level read committed, not %', current_setting('transaction_isolation')
      using errcode = '25001';
  end if;
  if wait then
    perform pg_advisory_xact_lock(hashtext('warden.capture'));
  elsif not pg_try_advisory_xact_lock(hashtext('warden.capture')) then
    -- another promotion is under way: nothing promoted, the watermark as committed
    return query select 0::bigint, s.promoted_below from warden_private.capture_state s;
    return;
  end if;
  perform set_config('warden.capture_promotion', 'on', true);
  perform 1 from warden_private.capture_state s for update;

  -- A round left open (its parts running elsewhere, or their promoter
  -- gone): promote the parts nobody has, then close it here.
  for v_round in select r.* from warden_private.capture_rounds r order by r.id loop
    for i in 0 .. v_round.parts - 1 loop
      perform warden_private.capture_claim_part(v_round.id, i, v_round.from_txid, v_round.to_txid, v_round.parts);
    end loop;
    select coalesce(sum(p.promoted), 0) into v_round_total from warden_private.capture_round_parts p where p.round_id = v_round.id;
    v_total := v_total + v_round_total;
    update warden_private.capture_state s
    set promoted_below = greatest(s.promoted_below, v_round.to_txid), promoted_total = s.promoted_total + v_round_total;
    delete from warden_private.capture_rounds r where r.id = v_round.id;
  end loop;

  v_below := (select s.promoted_below from warden_private.capture_state s);
  -- Every transaction below the horizon has ended: its records are final.
  v_h := greatest(coalesce(horizon, warden_private.seal_horizon()), v_below);
  v_own := case when include_own then pg_current_xact_id_if_assigned()::text::bigint end;
  v_n := warden_private.capture_promote_window(v_below, v_h, v_own);
  v_total := v_total + v_n;
  if v_own is not null then
    -- the caller's own records are promoted now: they leave the log with its transaction
    for ver in select v.row_log from warden_private.capture_versions v where v.dropped_at is null loop
      execute format('delete from %s_0 where txid = $1', ver.row_log) using v_own;
      execute format('delete from %s_1 where txid = $1', ver.row_log) using v_own;
    end loop;
    delete from warden_private.capture_statements_0 where txid = v_own;
    delete from warden_private.capture_statements_1 where txid = v_own;
  end if;
  if purge_promoted then
    -- GDPR erasure: what is promoted must not linger in the log until its
    -- slot is truncated (a DELETE here, only on erasure).
    for ver in select v.row_log from warden_private.capture_versions v where v.dropped_at is null loop
      execute format('delete from %s_0 where txid < $1', ver.row_log) using v_h;
      execute format('delete from %s_1 where txid < $1', ver.row_log) using v_h;
    end loop;
    delete from warden_private.capture_statements_0 where txid < v_h;
    delete from warden_private.capture_statements_1 where txid < v_h;
  end if;
  update warden_private.capture_state s
  set promoted_below = v_h,
      promoted_total = s.promoted_total + v_n,
      last_promoted = v_total,
      last_promoted_at = case when v_total > 0 then now() else s.last_promoted_at end;
  perform warden_private.capture_maintain(v_h);
  perform set_config('warden.capture_promotion', '', true);
  return query select v_total, v_h;
end;
$$;
comment on function warden_private.capture_promote(bigint, boolean, boolean, boolean) is
  'Promotes the capture records of every transaction below the horizon (default: warden_private.seal_horizon()) not yet promoted, and with include_own those of the calling transaction, into warden.audit_events; first finishes a promotion round left open; then empties the capture slot no writer can reach any more and flips the generation. One promotion at a time (wait, or skip when wait is false). With purge_promoted (GDPR erasure) it also deletes the promoted records still in the log. Returns the events promoted and the new promoted_below watermark. Run by flush_capture and the worker''s sealing pass, which seals only below that watermark.';
