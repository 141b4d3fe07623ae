--! Previous: sha1:5a493fe3723b3a3f17cc1806c3b87c59617ffdc7
--! Hash: sha1:179f3e1490feb900f2f802480f549cfe86fe1682
--! Message: governance records: signed by their writer or an operator, never automatically

-- Governance records are signed by their writer or by an operator, never
-- automatically afterwards.
--
-- The sealing pass used to sign every prune and erasure record it found
-- unsigned, so a record inserted by hand (to cover a deletion or an edit)
-- got signed within a second. Now `warden retention` and the worker sign
-- the records of the transaction that wrote them, the API and CLI sign
-- their own erasure's records, and anything else waits for an operator's
-- `warden sign-records` (src/audit/pruneRecords.ts, erasureRecords.ts).
-- Only the table comments change here.
comment on table warden_private.prune_record_signatures is
  'Ed25519 signatures of prune records by the sealing key (the key never enters the database): written by the retention run (warden retention, the worker job) in the transaction that wrote the record, or by an operator''s warden sign-records for records a SQL-side run left unsigned. Nothing signs records automatically after the fact.';
comment on table warden_private.erasure_record_signatures is
  'Ed25519 signatures of erasure records by the sealing key: written by the API or CLI right after their erasure, or by an operator''s warden sign-records for records a SQL-side erasure left unsigned. Nothing signs records automatically after the fact. See src/audit/erasureRecords.ts.';
