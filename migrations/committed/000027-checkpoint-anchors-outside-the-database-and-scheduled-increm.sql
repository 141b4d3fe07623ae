--! Previous: sha1:216019359f2b69e1bccbecb88c0da14c32497799
--! Hash: sha1:694e5a640c30abc01e42f71fc2bf153817acee57
--! Message: checkpoint anchors outside the database and scheduled incremental verification positions

--------------------------------------------------------------------------------
-- Checkpoint anchors (issue 13 §3): how far each anchor sink (the append-only
-- file under the state directory, a NATS JetStream subject) has received each
-- tenant's signed checkpoints. The anchoring pass after each sealing pass
-- sends the newest checkpoint of every tenant past this position, then moves
-- it; a sink that fails keeps its position, so the next pass sends again and
-- no checkpoint is lost. The anchors themselves live outside the database;
-- this table only says what was already sent (deleting rows re-sends).
--------------------------------------------------------------------------------
create table if not exists warden_private.checkpoint_anchors (
  sink text not null,
  tenant_key uuid not null,
  last_seq bigint not null,
  head_hash bytea not null,
  anchored_at timestamptz not null default now(),
  primary key (sink, tenant_key)
);
comment on table warden_private.checkpoint_anchors is
  'Per anchor sink and tenant: the last signed checkpoint written outside the database (src/audit/anchors.ts). The anchoring pass sends the checkpoints past it and then moves it; a failed write leaves it, so the checkpoint is sent again by the next pass.';
comment on column warden_private.checkpoint_anchors.sink is 'The sink: file:<path> or nats:<subject prefix>.';
comment on column warden_private.checkpoint_anchors.tenant_key is 'The tenant (zero uuid for events outside any tenant).';
comment on column warden_private.checkpoint_anchors.last_seq is 'last_seq of the last checkpoint the sink received.';
comment on column warden_private.checkpoint_anchors.head_hash is 'Its head hash.';
comment on column warden_private.checkpoint_anchors.anchored_at is 'When the sink received it.';
alter table warden_private.checkpoint_anchors enable row level security;
alter table warden_private.checkpoint_anchors force row level security;
drop policy if exists owner_maintenance on warden_private.checkpoint_anchors;
create policy owner_maintenance on warden_private.checkpoint_anchors to warden_owner using (true) with check (true);
revoke all on warden_private.checkpoint_anchors from public;

--------------------------------------------------------------------------------
-- Scheduled incremental verification (issue 13 §4): where the worker's
-- verify_audit_trail task last verified each tenant's chain up to, so the
-- next run only walks what was sealed since (its cost grows with the new
-- events, not with the history), and how it went.
--------------------------------------------------------------------------------
create table if not exists warden_private.verify_positions (
  tenant_key uuid primary key,
  verified_seq bigint not null default 0,
  verified_head bytea not null default '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
  verified_watermark bigint not null default 0,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  last_failure jsonb,
  failures bigint not null default 0,
  check (verified_seq >= 0 and length(verified_head) = 32 and failures >= 0)
);
comment on table warden_private.verify_positions is
  'Per tenant: how far the scheduled verification (task verify_audit_trail) has verified the chain, and its outcome. The next run starts from verified_seq (a signed checkpoint whose head must still be verified_head). /metrics exports warden_verify_last_success_timestamp_seconds{tenant} and warden_verify_failures_total from it.';
comment on column warden_private.verify_positions.tenant_key is 'The tenant (zero uuid for events outside any tenant).';
comment on column warden_private.verify_positions.verified_seq is 'The chain is verified up to this sequence number (the last_seq of a signed checkpoint).';
comment on column warden_private.verify_positions.verified_head is 'The chain hash at verified_seq.';
comment on column warden_private.verify_positions.verified_watermark is 'The sealing watermark when it was verified: events of later transactions are checked for insertion next time.';
comment on column warden_private.verify_positions.last_success_at is 'When a run last verified the tenant without a finding.';
comment on column warden_private.verify_positions.last_failure_at is 'When a run last found a problem.';
comment on column warden_private.verify_positions.last_failure is 'What it found (status, first_bad, truncated range).';
comment on column warden_private.verify_positions.failures is 'Runs that found a problem, in total.';
alter table warden_private.verify_positions enable row level security;
alter table warden_private.verify_positions force row level security;
drop policy if exists owner_maintenance on warden_private.verify_positions;
create policy owner_maintenance on warden_private.verify_positions to warden_owner using (true) with check (true);
revoke all on warden_private.verify_positions from public;
