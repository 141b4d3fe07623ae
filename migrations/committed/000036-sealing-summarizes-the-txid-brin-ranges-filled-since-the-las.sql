--! Previous: sha1:eaacf4c73dff0ba510a80a6f15112b4d071aff32
--! Hash: sha1:9cf84b42ca1c70c9918f6bf5bea468d258292662
--! Message: Sealing summarizes the txid BRIN ranges filled since the last pass

-- Capture v2, promotion and sealing (issue 12): sealing reads a window of
-- transaction ids through the txid BRIN index of warden.audit_events. Page
-- ranges filled since the last VACUUM are not summarized, so every sealing
-- query reads all of them: after a large promotion (or a burst of ingest)
-- that is the whole new tail of the partition, seconds per pass. The
-- sealing pass summarizes them first, without ever waiting for a vacuum.

create or replace function warden_private.audit_events_summarize_txid() returns bigint
  language plpgsql security definer
  set search_path = pg_catalog
  as $$
declare
  ix record;
  v_total bigint := 0;
begin
  for ix in
    select i.indexrelid::regclass as index_name, i.indrelid::regclass as table_name
    from pg_partition_tree('warden.audit_events'::regclass) p
    join pg_index i on i.indrelid = p.relid
    join pg_class c on c.oid = i.indexrelid
    join pg_am a on a.oid = c.relam
    where p.isleaf and a.amname = 'brin'
      and exists (select 1 from pg_attribute att
                  where att.attrelid = i.indrelid and att.attnum = any (i.indkey::int2[]) and att.attname = 'txid')
  loop
    begin
      -- the lock summarizing takes, but never waited for (a vacuum of the partition summarizes it anyway)
      execute format('lock table %s in share update exclusive mode nowait', ix.table_name);
      v_total := v_total + brin_summarize_new_values(ix.index_name);
    exception when lock_not_available then
      null;
    end;
  end loop;
  return v_total;
end;
$$;

comment on function warden_private.audit_events_summarize_txid() is
  'Summarizes the page ranges of every warden.audit_events partition''s txid BRIN index filled since it was last summarized (skipping a partition another session holds, such as a vacuum, which summarizes it anyway); returns the ranges summarized. Run by each sealing pass before it reads its window, so the window is found through the index rather than by reading the whole new tail.';

revoke all on function warden_private.audit_events_summarize_txid() from public;
