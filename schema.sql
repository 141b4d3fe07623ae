-- Warden's database schema, as the migrations leave it (generated: npm run schema:dump; do not edit).
-- Checked by npm run schema:check in the test suite. See docs/operations.md.
--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: warden; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA warden;

--
-- Name: SCHEMA warden; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA warden IS 'Warden public API: exposed through GraphQL and callable by DBAs.';

--
-- Name: warden_private; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA warden_private;

--
-- Name: SCHEMA warden_private; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA warden_private IS 'Warden internals: never exposed through GraphQL, not usable by API requests.';

--
-- Name: actor_type; Type: TYPE; Schema: warden; Owner: -
--

CREATE TYPE warden.actor_type AS ENUM (
    'user',
    'api_key',
    'service',
    'system',
    'db_role'
);

--
-- Name: TYPE actor_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TYPE warden.actor_type IS 'Kind of actor: a user, an API key (service account), a named service, Warden itself (system), or a database role connecting directly.';

--
-- Name: audit_outcome; Type: TYPE; Schema: warden; Owner: -
--

CREATE TYPE warden.audit_outcome AS ENUM (
    'success',
    'failure',
    'unknown'
);

--
-- Name: TYPE audit_outcome; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TYPE warden.audit_outcome IS 'How an audited operation ended.';

--
-- Name: audit_severity; Type: TYPE; Schema: warden; Owner: -
--

CREATE TYPE warden.audit_severity AS ENUM (
    'debug',
    'info',
    'notice',
    'warning',
    'error',
    'critical'
);

--
-- Name: TYPE audit_severity; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TYPE warden.audit_severity IS 'Severity of an audit event, ordered from debug (lowest) to critical.';

--
-- Name: dq_tally; Type: TYPE; Schema: warden; Owner: -
--

CREATE TYPE warden.dq_tally AS (
	failing bigint,
	sample jsonb[]
);

--
-- Name: TYPE dq_tally; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TYPE warden.dq_tally IS '@behavior -*
State of warden.dq_failing: failing rows counted, the first 20 sampled.';

--
-- Name: project_role; Type: TYPE; Schema: warden; Owner: -
--

CREATE TYPE warden.project_role AS ENUM (
    'viewer',
    'editor',
    'admin',
    'owner'
);

--
-- Name: TYPE project_role; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TYPE warden.project_role IS 'Role within a project, ordered from least to most privileged: viewer < editor < admin < owner.';

--
-- Name: tenant_role; Type: TYPE; Schema: warden; Owner: -
--

CREATE TYPE warden.tenant_role AS ENUM (
    'member',
    'support',
    'auditor',
    'admin',
    'owner'
);

--
-- Name: TYPE tenant_role; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TYPE warden.tenant_role IS 'Role of a user (or API key) within a tenant. owner and admin manage the tenant; auditor reads the audit trail; support and member are ordinary users.';

--
-- Name: current_tenant_id(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid
$$;

--
-- Name: FUNCTION current_tenant_id(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.current_tenant_id() IS 'The tenant of the current request or set_context() call; null when none is set.';

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: tenant_memberships; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.tenant_memberships (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    user_id uuid NOT NULL,
    role warden.tenant_role DEFAULT 'member'::warden.tenant_role NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    joined_via text DEFAULT 'operator'::text NOT NULL,
    CONSTRAINT tenant_memberships_joined_via_check CHECK ((joined_via = ANY (ARRAY['operator'::text, 'invitation'::text, 'unconfirmed'::text, 'identity_provider'::text])))
);

ALTER TABLE ONLY warden.tenant_memberships FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE tenant_memberships; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.tenant_memberships IS 'Which users belong to which tenant, and with what tenant role.';

--
-- Name: COLUMN tenant_memberships.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_memberships.id IS 'Membership id.';

--
-- Name: COLUMN tenant_memberships.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_memberships.tenant_id IS 'The tenant.';

--
-- Name: COLUMN tenant_memberships.user_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_memberships.user_id IS 'The member.';

--
-- Name: COLUMN tenant_memberships.role; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_memberships.role IS 'The member''s tenant role.';

--
-- Name: COLUMN tenant_memberships.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_memberships.created_at IS 'When the membership was created.';

--
-- Name: COLUMN tenant_memberships.joined_via; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_memberships.joined_via IS 'How the member joined: operator (added by a DBA or the CLI), invitation (the user accepted an invitation), identity_provider (provisioned on first sign-in through a tenant''s trusted identity provider), or unconfirmed (added through the API before invitations existed, without the user''s consent: the tenant does not see the user''s personal fields until they accept an invitation).';

--
-- Name: accept_tenant_invitation(text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.accept_tenant_invitation(token text) RETURNS warden.tenant_memberships
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_user uuid := warden.current_user_id();
  v_inv warden.tenant_invitations;
  v_existing warden.tenant_memberships;
  v_member warden.tenant_memberships;
begin
  if v_user is null then
    raise exception 'accepting an invitation needs a user token: the invited user accepts it themself' using errcode = '42501';
  end if;
  if token is null or token !~ '^wdi_[0-9a-f]{64}$' then
    raise exception 'the invitation token is malformed' using errcode = '22023';
  end if;
  select i.* into v_inv from warden.tenant_invitations i
  join warden_private.tenant_invitation_secrets s on s.invitation_id = i.id
  where s.token_hash = sha256(convert_to(accept_tenant_invitation.token, 'UTF8'))
  for update of i;
  if not found then
    raise exception 'no invitation has this token' using errcode = 'P0002';
  end if;
  if not exists (select 1 from warden.users u where u.id = v_user and lower(u.email) = lower(v_inv.email)) then
    raise exception 'this invitation is addressed to another email address' using errcode = '42501';
  end if;
  if v_inv.revoked_at is not null then
    raise exception 'this invitation was revoked at %', v_inv.revoked_at using errcode = '22023';
  end if;
  if v_inv.accepted_at is not null then
    raise exception 'this invitation was already accepted at %', v_inv.accepted_at using errcode = '22023';
  end if;
  if v_inv.expires_at <= now() then
    raise exception 'this invitation expired at %', v_inv.expires_at using errcode = '22023';
  end if;
  select m.* into v_existing from warden.tenant_memberships m where m.tenant_id = v_inv.tenant_id and m.user_id = v_user for update;
  if found and v_existing.joined_via <> 'unconfirmed' then
    raise exception 'you are already a member of tenant %', v_inv.tenant_id using errcode = '23505';
  end if;
  if found then
    -- A membership made without the user's consent: accepting confirms it.
    update warden.tenant_memberships m set role = v_inv.role, joined_via = 'invitation'
    where m.id = v_existing.id returning m.* into v_member;
  else
    insert into warden.tenant_memberships (tenant_id, user_id, role, joined_via)
    values (v_inv.tenant_id, v_user, v_inv.role, 'invitation') returning * into v_member;
  end if;
  update warden.tenant_invitations i set accepted_at = now(), accepted_by = v_user where i.id = v_inv.id;
  perform warden_private.record_governance_event('governance.invitation.accepted', v_inv.tenant_id, 'tenant_invitation', v_inv.id::text,
    jsonb_build_object('accepted_at', null),
    jsonb_build_object('accepted_at', now(), 'user_id', v_user, 'role', v_inv.role, 'membership_id', v_member.id),
    case when v_existing.id is not null then '{"confirmed_existing_membership": true}'::jsonb else '{}'::jsonb end);
  return v_member;
end;
$_$;

--
-- Name: FUNCTION accept_tenant_invitation(token text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.accept_tenant_invitation(token text) IS 'Accepts an invitation: the caller (a user token of any tenant) must be the user whose email the invitation is addressed to. Makes them a member of the invitation''s tenant with its role (or confirms a membership made without their consent), marks the invitation accepted and writes governance.invitation.accepted. Returns the membership.';

--
-- Name: acknowledge_suspect_events(uuid[], text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.acknowledge_suspect_events(event_ids uuid[], reason text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION acknowledge_suspect_events(event_ids uuid[], reason text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.acknowledge_suspect_events(event_ids uuid[], reason text) IS '@behavior -*
Acknowledges suspect events (see warden_private.suspect_events) after review, with a reason: they stay unsealed and listed, and verify no longer fails for them. Writes a governance.audit.suspect_events_acknowledged event. For DBAs (the owner, or roles granted EXECUTE); returns how many were newly acknowledged.';

--
-- Name: apply_retention(boolean); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.apply_retention(dry_run boolean DEFAULT true) RETURNS TABLE(tenant_id uuid, partition_name text, method text, rows_purged bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    AS $$
declare
  v_default integer := warden_private.retention_default_days();
  v_dry boolean := coalesce(apply_retention.dry_run, true);
  v_name text;
  t record;
  b record;
  v_any boolean;
  v_after timestamptz;
begin
  if v_dry then
    return query select r.tenant_id, r.partition_name, r.method, r.rows_purged from warden_private.retention_plan(v_default) r;
    return;
  end if;
  foreach v_name in array (select coalesce(array_agg(d.partition_name order by d.range_from), '{}')
                           from warden_private.retention_droppable_partitions(v_default) d) loop
    return query select g.tenant_id, v_name, 'partition'::text, g.rows_purged
                 from warden_private.governance_drop_partition(v_name, v_default) g;
  end loop;
  create temporary table if not exists warden_retention_sums (tenant_id uuid, partition_name text, n bigint) on commit drop;
  truncate warden_retention_sums;
  for t in select k as tenant_key from warden_private.retention_tenant_keys() k order by 1 loop
    v_after := null;
    loop
      v_any := false;
      for b in select * from warden_private.governance_purge_rows(t.tenant_key, v_default, after => v_after) loop
        v_any := true;
        v_after := b.last_occurred_at;
        insert into warden_retention_sums values (nullif(t.tenant_key, '00000000-0000-0000-0000-000000000000'::uuid), b.partition_name, b.rows_purged);
      end loop;
      exit when not v_any;
    end loop;
  end loop;
  return query select s.tenant_id, s.partition_name, 'rows'::text, sum(s.n)::bigint
               from warden_retention_sums s group by 1, 2 order by 2, 1 nulls first;
  drop table warden_retention_sums;
  update warden_private.retention_state set last_run_at = now();
end;
$$;

--
-- Name: FUNCTION apply_retention(dry_run boolean); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.apply_retention(dry_run boolean) IS '@behavior -*
Applies the retention policies: per tenant and partition, what is (dry_run, the default) or was purged. Whole partitions past every policy and free of legal holds are dropped (method partition); other rows past policy go in batches of 10,000 (method rows). In one call everything commits together: `warden retention` and the worker drive the same functions with a commit per batch and sign the prune records. Default retention: the setting warden.retention_default_days (AUDIT_RETENTION_DAYS), 30 days when unset.';

--
-- Name: audit_coverage(text[]); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.audit_coverage(schemas text[]) RETURNS TABLE(schema_name text, table_name text, audited boolean, capture text, excluded_columns text[], redacted_columns text[], coverage_ratio numeric)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  with tables as (
    select n.nspname::text as schema_name, c.relname::text as table_name, c.oid,
           (select t.options from warden_private.audited_tables t
            where t.relid = c.oid and t.dropped_at is null and t.disabled_at is null) as opts
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any (schemas) and c.relkind in ('r', 'p') and not c.relispartition
  ), checked as (
    select t.*, t.opts is not null and (
             select count(*) from pg_trigger g
             where g.tgrelid = t.oid and g.tgname in ('_900_audit_insert', '_900_audit_update', '_900_audit_delete', '_900_audit_truncate')
               and g.tgenabled <> 'D') = 4 as audited
    from tables t
  )
  select p.schema_name, p.table_name, p.audited, case when p.audited then p.opts ->> 'capture' end,
         case when p.audited then coalesce(array(select jsonb_array_elements_text(p.opts -> 'exclude_columns')), '{}') else '{}' end,
         case when p.audited then coalesce(array(select jsonb_array_elements_text(p.opts -> 'redact_columns')), '{}') else '{}' end,
         round(avg(p.audited::int) over (), 4)
  from checked p
  order by p.schema_name, p.table_name
$$;

--
-- Name: FUNCTION audit_coverage(schemas text[]); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.audit_coverage(schemas text[]) IS 'Every table of the given schemas: audited or not (registered and its four capture triggers present and enabled), its capture mode, excluded and redacted columns, and coverage_ratio (audited tables / tables, repeated on every row). CLI: warden coverage --schema S --min 0.9.';

--
-- Name: audit_row_history(text, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.audit_row_history(table_name text, pk jsonb) RETURNS TABLE(event_id uuid, occurred_at timestamp with time zone, action text, actor_type warden.actor_type, actor_id text, trace_id text, txid bigint, changed_fields text[], old_values jsonb, new_values jsonb, row_data jsonb, redacted_fields jsonb)
    LANGUAGE plpgsql STABLE STRICT
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_parts text[];
  v_oid oid;
  v_table text;
  v_pk_cols text[];
  v_keys jsonb[] := array[pk];
  v_prev jsonb;
  v_hops integer := 0;
  v_row jsonb;
  v_source text;
  r record;
begin
  -- API callers (no access to raw redactable columns) read the redacted
  -- view; direct database users with full access read the store, and the
  -- changes captured but not yet promoted when they may.
  v_source := case
    when not has_column_privilege('warden.audit_events', 'event_data', 'select') then 'warden.audit_events_redacted'
    when has_function_privilege('warden_private.capture_pending_events(text)', 'execute') then
      '(select s.event_id, s.occurred_at, s.recorded_at, s.txid, s.table_name, s.row_pk, s.category, s.action, s.actor_type,
               s.actor_id, s.trace_id, s.changed_fields, s.old_values, s.new_values
        from warden.audit_events s where s.table_name = $1
        union all
        select p.* from warden_private.capture_pending_events($1) p)'
    else 'warden.audit_events' end;
  begin
    v_parts := parse_ident(table_name);
  exception when others then
    raise exception 'table_name must be schema.table, got %', quote_literal(table_name) using errcode = '22023';
  end;
  if cardinality(v_parts) = 1 then
    v_oid := to_regclass(table_name);
    select n.nspname, c.relname into v_parts[1], v_parts[2]
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_oid;
  elsif cardinality(v_parts) = 2 then
    select c.oid into v_oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = v_parts[1] and c.relname = v_parts[2] and c.relkind in ('r', 'p');
  else
    raise exception 'table_name must be schema.table, got %', quote_literal(table_name) using errcode = '22023';
  end if;
  if v_oid is null then
    raise exception 'table % does not exist', table_name using errcode = '42P01';
  end if;
  v_table := format('%I.%I', v_parts[1], v_parts[2]);
  select array_agg(a.attname::text order by k.ord) into v_pk_cols
  from pg_index ix
  cross join lateral unnest(ix.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum
  where ix.indrelid = v_oid and ix.indisprimary;
  if pk is null or jsonb_typeof(pk) <> 'object' then
    raise exception 'pk must be a JSON object of primary key columns, e.g. {"id": 42}' using errcode = '22023';
  end if;
  if v_pk_cols is null then
    raise exception '% has no primary key: its rows have no stable identity to follow', v_table using errcode = '22023';
  end if;
  if (select array_agg(k order by k) from jsonb_object_keys(pk) k) <> (select array_agg(k order by k) from unnest(v_pk_cols) k) then
    raise exception 'pk must name exactly the primary key columns of %: %', v_table, array_to_string(v_pk_cols, ', ') using errcode = '22023';
  end if;
  -- Follow primary-key changes backwards: an update that changed the key
  -- carries the old key in old_values.
  loop
    execute format(
      'select jsonb_object_agg(k, e.old_values -> k)
       from %s e, unnest($3) k
       where e.table_name = $1 and e.row_pk = $2 and e.action = ''update'' and e.changed_fields && $3
       group by e.occurred_at, e.txid, e.recorded_at, e.event_id
       order by e.occurred_at, e.txid, e.recorded_at, e.event_id
       limit 1', v_source)
      into v_prev using v_table, v_keys[cardinality(v_keys)], v_pk_cols;
    exit when v_prev is null or v_prev = any (v_keys) or v_hops > 100;
    v_keys := v_keys || v_prev;
    v_hops := v_hops + 1;
  end loop;

  for r in execute format(
    'select e.event_id, e.occurred_at, e.action, e.actor_type, e.actor_id, e.trace_id, e.txid, e.changed_fields,
            e.old_values, e.new_values, %s as redacted_fields
     from %s e
     where e.table_name = $1 and e.row_pk = any ($2) and e.category = ''data''
     order by e.occurred_at, e.txid, e.recorded_at, e.event_id nulls last',
    case when v_source = 'warden.audit_events_redacted' then 'e.redacted_fields' else 'null::jsonb' end, v_source)
    using v_table, v_keys
  loop
    v_row := case r.action
      when 'insert' then r.new_values
      when 'update' then coalesce(v_row, '{}'::jsonb) || coalesce(r.new_values, '{}'::jsonb)
      when 'delete' then null
      else v_row end;
    event_id := r.event_id; occurred_at := r.occurred_at; action := r.action;
    actor_type := r.actor_type; actor_id := r.actor_id; trace_id := r.trace_id; txid := r.txid;
    changed_fields := r.changed_fields; old_values := r.old_values; new_values := r.new_values;
    row_data := v_row;
    redacted_fields := r.redacted_fields;
    return next;
  end loop;
end;
$_$;

--
-- Name: FUNCTION audit_row_history(table_name text, pk jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.audit_row_history(table_name text, pk jsonb) IS '@name row_history
The versions of one row of an audited table (named schema.table), oldest first, across primary-key changes: each event with its actor, diff (changed_fields, old_values, new_values), the row as it stood after it (row_data) and redacted_fields. API callers read through warden.audit_events_redacted (the tenant''s redaction rules apply); direct database users who may read the store see it raw, including changes captured but not yet promoted (event_id null until then). GraphQL: rowHistory(tableName, pk).';

--
-- Name: capture_gaps(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.capture_gaps() RETURNS TABLE(table_name text, tenant_id uuid, reason text, since timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select t.table_name, (t.options ->> 'tenant')::uuid, t.gap_reason, t.gap_since
  from warden_private.audited_tables t
  where t.dropped_at is null and t.disabled_at is null and t.gap_since is not null
  order by t.gap_since, t.table_name
$$;

--
-- Name: FUNCTION capture_gaps(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.capture_gaps() IS '@behavior -*
Audited tables whose capture is not working (a capture trigger dropped, disabled or replaced, or the table changed without its capture following), with the reason and since when; tenant_id is the table''s fixed tenant (null: rows of any tenant). warden verify and GET /api/v1/audit/verify report them as capture_gap. For DBAs and Warden itself, not API requests.';

--
-- Name: create_api_key(text, warden.tenant_role, integer); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.create_api_key(name text, role warden.tenant_role DEFAULT 'member'::warden.tenant_role, rate_limit_per_second integer DEFAULT NULL::integer, OUT id uuid, OUT key text) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'creating API keys requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if role = 'owner' and not warden.has_tenant_role('{owner}') then
    raise exception 'only a tenant owner can create an owner API key' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  select k.id, k.key into id, key
  from warden_private.create_api_key(warden.current_tenant_id(), name, role, rate_limit_per_second, warden.current_user_id()) k;
end;
$$;

--
-- Name: FUNCTION create_api_key(name text, role warden.tenant_role, rate_limit_per_second integer, OUT id uuid, OUT key text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.create_api_key(name text, role warden.tenant_role, rate_limit_per_second integer, OUT id uuid, OUT key text) IS 'Creates an API key in the current tenant (tenant owners and admins). The key is returned only this once; Warden stores its hash.';

--
-- Name: create_user_session(timestamp with time zone); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.create_user_session(expires_at timestamp with time zone) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if warden.current_actor_type() is distinct from 'user' or warden.current_user_id() is null or warden.current_tenant_id() is null then
    raise exception 'only a signed-in user opens a session' using errcode = '42501';
  end if;
  return warden_private.create_user_session(warden.current_tenant_id(), warden.current_user_id(), create_user_session.expires_at,
    nullif(current_setting('warden.actor_ip', true), '')::inet, nullif(current_setting('warden.user_agent', true), ''));
end;
$$;

--
-- Name: FUNCTION create_user_session(expires_at timestamp with time zone); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.create_user_session(expires_at timestamp with time zone) IS '@behavior -*
Opens a session for the current user in the current tenant (the address and user agent of the request), expiring at expires_at; returns its id. POST /api/v1/sessions signs a token for it.';

--
-- Name: current_actor(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.current_actor() RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select case
    when nullif(current_setting('jwt.claims.actor_id', true), '') is not null then
      jsonb_strip_nulls(jsonb_build_object(
        'type', coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user'),
        'id', current_setting('jwt.claims.actor_id', true),
        'tenant_id', nullif(current_setting('jwt.claims.tenant_id', true), ''),
        'tenant_role', nullif(current_setting('jwt.claims.tenant_role', true), ''),
        'trace_id', nullif(current_setting('warden.trace_id', true), ''),
        'extra', nullif(nullif(current_setting('warden.context_extra', true), ''), '{}')::jsonb
      ))
    else
      -- No context: the database role is the actor, so nothing lacks one.
      jsonb_strip_nulls(jsonb_build_object(
        'type', 'db_role',
        'id', session_user::text,
        'application_name', nullif(current_setting('application_name', true), ''),
        'client_addr', host(inet_client_addr()),
        'trace_id', nullif(current_setting('warden.trace_id', true), '')
      ))
  end
$$;

--
-- Name: FUNCTION current_actor(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.current_actor() IS 'Who is acting: {type, id, tenant_id, tenant_role, trace_id, extra} from the request context, or {type: db_role, id: session user, application_name, client_addr} for a direct connection without one.';

--
-- Name: current_actor_type(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.current_actor_type() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select nullif(current_setting('jwt.claims.actor_type', true), '')
$$;

--
-- Name: FUNCTION current_actor_type(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.current_actor_type() IS '@behavior -*
The kind of actor of the current request: user, api_key, service, system or db_role; null without a context.';

--
-- Name: current_tenant_role(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.current_tenant_role() RETURNS warden.tenant_role
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select nullif(current_setting('jwt.claims.tenant_role', true), '')::warden.tenant_role
$$;

--
-- Name: FUNCTION current_tenant_role(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.current_tenant_role() IS 'The tenant role of the current actor (resolved by the API from the membership or API key at request time).';

--
-- Name: current_trace_id(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.current_trace_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select nullif(current_setting('warden.trace_id', true), '')
$$;

--
-- Name: FUNCTION current_trace_id(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.current_trace_id() IS 'The trace id of the current request (W3C traceparent, X-Request-Id or X-Correlation-Id, or generated); null when none is set.';

--
-- Name: current_user_id(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select case
    when current_setting('jwt.claims.actor_type', true) = 'user'
      then nullif(current_setting('jwt.claims.actor_id', true), '')::uuid
  end
$$;

--
-- Name: FUNCTION current_user_id(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.current_user_id() IS 'The id of the current user when the actor is a user; null for API keys, services and direct connections.';

--
-- Name: disable_auditing(regclass); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.disable_auditing(target regclass) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_found boolean := exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname like '\_900\_audit\_%');
  v_options jsonb;
  v_part regclass;
begin
  -- The registry first: the DDL event trigger then sees an intended stop,
  -- not a capture gap.
  v_options := warden_private.capture_disable(target);
  for v_part in select target union select relid from pg_partition_tree(target) loop
    execute format('drop trigger if exists _900_audit_insert on %s', v_part);
    execute format('drop trigger if exists _900_audit_update on %s', v_part);
    execute format('drop trigger if exists _900_audit_delete on %s', v_part);
    execute format('drop trigger if exists _900_audit_truncate on %s', v_part);
  end loop;
  if v_found or v_options is not null then
    perform warden_private.record_governance_event(
      'governance.auditing.disabled', coalesce((v_options ->> 'tenant')::uuid, warden.current_tenant_id()), 'table',
      (select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target),
      v_options, null, '{}', 'warning');
  end if;
  return v_found;
end;
$$;

--
-- Name: FUNCTION disable_auditing(target regclass); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.disable_auditing(target regclass) IS '@behavior -*
Stops auditing a table (its past events stay; changes already captured are still promoted). Writes a governance.auditing.disabled event. Idempotent; returns whether it was audited.';

--
-- Name: disable_soft_delete(regclass); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.disable_soft_delete(target regclass) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_found boolean := exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete');
  v_rls boolean;
begin
  execute format('drop trigger if exists _050_soft_delete on %s', target);
  execute format('drop trigger if exists _050_soft_delete_guard on %s', target);
  execute format('drop policy if exists warden_soft_delete_hide on %s', target);
  execute format('drop policy if exists warden_soft_delete_maintenance on %s', target);
  v_rls := warden_private.unregister_soft_delete_table(target);
  if v_rls then
    execute format('drop policy if exists warden_soft_delete_allow on %s', target);
    if not exists (select 1 from pg_policy p where p.polrelid = target) then
      execute format('alter table %s disable row level security', target);
    end if;
  end if;
  return v_found;
end;
$$;

--
-- Name: FUNCTION disable_soft_delete(target regclass); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.disable_soft_delete(target regclass) IS '@behavior -*
Stops soft delete on a table: DELETE deletes again. The deleted_at and deleted_by columns and their values stay, so rows still marked deleted become visible again (restore or purge them first). Idempotent; returns whether soft delete was enabled. The caller must own the table.';

--
-- Name: dq_rules; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.dq_rules (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    target regclass NOT NULL,
    target_name text DEFAULT ''::text NOT NULL,
    name text NOT NULL,
    check_type text NOT NULL,
    params jsonb DEFAULT '{}'::jsonb NOT NULL,
    severity text DEFAULT 'error'::text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    schedule text,
    timeout_ms integer DEFAULT 60000 NOT NULL,
    tenant_column text,
    description text,
    compiled jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text,
    CONSTRAINT dq_rules_description_check CHECK ((length(description) <= 2000)),
    CONSTRAINT dq_rules_name_check CHECK ((name ~ '^[A-Za-z0-9_.:-]{1,100}$'::text)),
    CONSTRAINT dq_rules_params_check CHECK (((jsonb_typeof(params) = 'object'::text) AND (length((params)::text) <= 20000))),
    CONSTRAINT dq_rules_schedule_check CHECK ((length(schedule) <= 200)),
    CONSTRAINT dq_rules_severity_check CHECK ((severity = ANY (ARRAY['warn'::text, 'error'::text]))),
    CONSTRAINT dq_rules_timeout_ms_check CHECK (((timeout_ms >= 100) AND (timeout_ms <= 3600000)))
);

ALTER TABLE ONLY warden.dq_rules FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE dq_rules; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.dq_rules IS 'A data-quality rule of a tenant: a check on a table or view, validated against the catalog when it is saved (an unknown column, a wrong parameter or an unknown check type fails with a SQLSTATE naming it). Tenant owners and admins create, change and delete their tenant''s rules (GraphQL createDqRule, updateDqRule, deleteDqRule); DBAs use warden.dq_add_rule and warden.dq_drop_rule. Every change writes a governance.dq.* audit event.';

--
-- Name: COLUMN dq_rules.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.id IS 'Rule id.';

--
-- Name: COLUMN dq_rules.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.tenant_id IS 'The tenant whose rows the rule checks.';

--
-- Name: COLUMN dq_rules.target; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.target IS '@hasDefault
The table or view checked (give it or target_name). The role warden_dq_sandbox must be able to read it.';

--
-- Name: COLUMN dq_rules.target_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.target_name IS 'The target as schema.table: give it instead of target when creating a rule through the API (no access to the table''s schema needed); a run refuses a target that no longer has this name.';

--
-- Name: COLUMN dq_rules.name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.name IS 'Name of the rule, unique per tenant and target (letters, digits, _ . : -, up to 100).';

--
-- Name: COLUMN dq_rules.check_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.check_type IS 'not_null, unique, accepted_values, range, pattern, max_length, referential, freshness, row_count, schema or custom_sql.';

--
-- Name: COLUMN dq_rules.params; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.params IS 'Parameters of the check, e.g. {"column": "amount", "min": 0} for range; see docs/data-quality.md for each check type.';

--
-- Name: COLUMN dq_rules.severity; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.severity IS 'warn or error: a failing error rule fails `warden dq run` (exit 1) and rejects writes under dq_enforce reject.';

--
-- Name: COLUMN dq_rules.enabled; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.enabled IS 'Disabled rules are skipped by runs (unless named by id) and by enforcement.';

--
-- Name: COLUMN dq_rules.schedule; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.schedule IS 'Optional cron schedule (5 fields, UTC), e.g. "*/15 * * * *": the worker runs the rule then.';

--
-- Name: COLUMN dq_rules.timeout_ms; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.timeout_ms IS 'Statement timeout of the rule''s check, in milliseconds (100 to 3,600,000; rules sharing one scan share the largest).';

--
-- Name: COLUMN dq_rules.tenant_column; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.tenant_column IS 'Column of the target holding the row''s tenant (a uuid); checks and enforcement see only the rule tenant''s rows. Defaults to tenant_id when the target has it; null: the target''s row-level security keeps tenants apart.';

--
-- Name: COLUMN dq_rules.description; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.description IS 'Free text.';

--
-- Name: COLUMN dq_rules.compiled; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.compiled IS '@behavior -*
The validated rule as the runner uses it (generated SQL fragments). Written by Warden only.';

--
-- Name: COLUMN dq_rules.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.created_at IS 'When the rule was created.';

--
-- Name: COLUMN dq_rules.created_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.created_by IS 'Who created it (actor id or database role).';

--
-- Name: COLUMN dq_rules.updated_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.updated_at IS 'When it was last changed.';

--
-- Name: COLUMN dq_rules.updated_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rules.updated_by IS 'Who last changed it.';

--
-- Name: dq_add_rule(regclass, text, text, jsonb, text, text, boolean, integer, text, text, uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_add_rule(target regclass, name text, check_type text, params jsonb DEFAULT '{}'::jsonb, severity text DEFAULT 'error'::text, schedule text DEFAULT NULL::text, enabled boolean DEFAULT true, timeout_ms integer DEFAULT 60000, tenant_column text DEFAULT NULL::text, description text DEFAULT NULL::text, tenant uuid DEFAULT NULL::uuid) RETURNS warden.dq_rules
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_tenant uuid := coalesce(tenant, warden.current_tenant_id());
  v_rule warden.dq_rules;
begin
  perform warden_private.assert_tenant_admin(v_tenant);
  if severity is null or severity not in ('warn', 'error') then
    raise exception 'severity must be warn or error, got %', coalesce(quote_literal(severity), 'null') using errcode = '22023';
  end if;
  if name is null or name !~ '^[A-Za-z0-9_.:-]{1,100}$' then
    raise exception 'rule name must be 1 to 100 letters, digits or _ . : -, got %', coalesce(quote_literal(name), 'null') using errcode = '22023';
  end if;
  if timeout_ms is null or timeout_ms not between 100 and 3600000 then
    raise exception 'timeout_ms must be between 100 and 3600000, got %', coalesce(timeout_ms::text, 'null') using errcode = '22023';
  end if;
  insert into warden.dq_rules (tenant_id, target, name, check_type, params, severity, schedule, enabled, timeout_ms, tenant_column, description)
  values (v_tenant, dq_add_rule.target, dq_add_rule.name, dq_add_rule.check_type, coalesce(dq_add_rule.params, '{}'), dq_add_rule.severity,
          dq_add_rule.schedule, coalesce(dq_add_rule.enabled, true), dq_add_rule.timeout_ms, dq_add_rule.tenant_column, dq_add_rule.description)
  returning * into v_rule;
  return v_rule;
end;
$_$;

--
-- Name: FUNCTION dq_add_rule(target regclass, name text, check_type text, params jsonb, severity text, schedule text, enabled boolean, timeout_ms integer, tenant_column text, description text, tenant uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_add_rule(target regclass, name text, check_type text, params jsonb, severity text, schedule text, enabled boolean, timeout_ms integer, tenant_column text, description text, tenant uuid) IS '@behavior -*
Adds a data-quality rule (validated against the catalog now; see docs/data-quality.md for check types and params) for the current tenant, or for tenant when a DBA without a request context passes it. Returns the rule.';

--
-- Name: dq_drop_rule(uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_drop_rule(rule_id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_tenant uuid;
begin
  select r.tenant_id into v_tenant from warden.dq_rules r where r.id = rule_id;
  if v_tenant is null then
    return false;
  end if;
  perform warden_private.assert_tenant_admin(v_tenant);
  delete from warden.dq_rules r where r.id = rule_id;
  return true;
end;
$$;

--
-- Name: FUNCTION dq_drop_rule(rule_id uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_drop_rule(rule_id uuid) IS '@behavior -*
Drops a data-quality rule (its results stay until retention removes them); false when there is none. Tenant owners and admins of its tenant, or a DBA.';

--
-- Name: dq_drop_rule(regclass, text, uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_drop_rule(target regclass, name text, tenant uuid DEFAULT NULL::uuid) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select warden.dq_drop_rule((select r.id from warden.dq_rules r
    where r.target = dq_drop_rule.target and r.name = dq_drop_rule.name
      and r.tenant_id = coalesce(dq_drop_rule.tenant, warden.current_tenant_id())))
$$;

--
-- Name: FUNCTION dq_drop_rule(target regclass, name text, tenant uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_drop_rule(target regclass, name text, tenant uuid) IS '@behavior -*
Drops the rule of that name on target of the current tenant (or of tenant, for a DBA without a request context); false when there is none.';

--
-- Name: dq_enforce(regclass, text, uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_enforce(target regclass, mode text, tenant uuid DEFAULT NULL::uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_tenant uuid := coalesce(tenant, warden.current_tenant_id());
  v_before text;
  v_kind char;
  v_name text;
  v_rules jsonb;
begin
  perform warden_private.assert_tenant_admin(v_tenant);
  if mode is null or mode not in ('reject', 'record', 'off') then
    raise exception 'mode must be reject, record or off, got %', coalesce(quote_literal(mode), 'null') using errcode = '22023';
  end if;
  select c.relkind, format('%I.%I', n.nspname, c.relname) into v_kind, v_name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_kind is null or v_kind not in ('r', 'p') then
    raise exception 'write-time enforcement needs a table; % is not one', target using errcode = '42809';
  end if;
  select e.mode into v_before from warden.dq_enforcements e where e.tenant_id = v_tenant and e.target = dq_enforce.target for update;
  if mode = 'off' then
    delete from warden.dq_enforcements e where e.tenant_id = v_tenant and e.target = dq_enforce.target;
  else
    insert into warden.dq_enforcements as e (tenant_id, target, mode, updated_by)
    values (v_tenant, dq_enforce.target, dq_enforce.mode, warden.current_actor() ->> 'id')
    on conflict on constraint dq_enforcements_pkey do update set mode = excluded.mode, updated_at = now(), updated_by = excluded.updated_by;
  end if;
  perform warden_private.dq_sync_enforcement(target);
  select coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'check_type', r.check_type, 'severity', r.severity,
           'action', case when mode = 'reject' and r.severity = 'error' then 'reject' else 'record' end) order by r.name), '[]')
    into v_rules
  from warden.dq_rules r
  where r.tenant_id = v_tenant and r.target = dq_enforce.target and r.enabled and (r.compiled ->> 'enforceable')::boolean and mode <> 'off';
  if v_before is distinct from nullif(mode, 'off') then
    perform warden_private.record_governance_event('governance.dq.enforce_changed', v_tenant, 'table', v_name,
      jsonb_build_object('mode', coalesce(v_before, 'off')), jsonb_build_object('mode', mode), jsonb_build_object('rules', v_rules));
  end if;
  return jsonb_build_object('target', v_name, 'tenant_id', v_tenant, 'mode', mode, 'rules', v_rules);
end;
$$;

--
-- Name: FUNCTION dq_enforce(target regclass, mode text, tenant uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_enforce(target regclass, mode text, tenant uuid) IS 'Turns the tenant''s enabled enforceable rules on a table (not_null, accepted_values, range, pattern, max_length) into a statement-level check on INSERT and UPDATE of that tenant''s rows: mode reject (a statement writing a row that fails an error-severity rule fails with SQLSTATE 23514 naming the rule and the row''s key; warn rules are recorded) or record (the statement succeeds; violations are stored as results with their dq.rule.failed events); off removes it. Tenant owners and admins for their tenant; a DBA without a request context passes tenant. Warden must be able to create triggers on the table. Returns the enforced rules.';

--
-- Name: dq_ensure_partitions(integer); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_ensure_partitions(months_ahead integer DEFAULT 3) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_month date := date_trunc('month', now() at time zone 'UTC')::date;
  v_start date;
  v_name text;
  v_created integer := 0;
begin
  if months_ahead is null or months_ahead not between 0 and 120 then
    raise exception 'months_ahead must be between 0 and 120, got %', months_ahead using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('warden.dq_ensure_partitions'));
  for i in 0 .. months_ahead loop
    v_start := (v_month + make_interval(months => i))::date;
    v_name := warden_private.dq_results_partition_name(v_start);
    continue when to_regclass('warden_private.' || v_name) is not null;
    if exists (select 1 from warden_private.dq_results_default d
               where d.run_at >= v_start::timestamptz and d.run_at < (v_start + interval '1 month')::timestamptz) then
      -- Rows of this month wait in the default partition: move them over.
      create temporary table if not exists warden_dq_move (like warden.dq_results) on commit drop;
      truncate warden_dq_move;
      with moved as (
        delete from warden_private.dq_results_default d
        where d.run_at >= v_start::timestamptz and d.run_at < (v_start + interval '1 month')::timestamptz
        returning d.*
      ) insert into warden_dq_move select * from moved;
      execute format('create table warden_private.%I partition of warden.dq_results for values from (%L) to (%L)',
        v_name, v_start::timestamptz, (v_start + interval '1 month')::timestamptz);
      insert into warden.dq_results select * from warden_dq_move;
    else
      execute format('create table warden_private.%I partition of warden.dq_results for values from (%L) to (%L)',
        v_name, v_start::timestamptz, (v_start + interval '1 month')::timestamptz);
    end if;
    execute format('comment on table warden_private.%I is %L', v_name,
      'Data-quality results of ' || to_char(v_start, 'YYYY-MM') || ' (partition of warden.dq_results).');
    execute format('alter table warden_private.%I enable row level security', v_name);
    execute format('alter table warden_private.%I force row level security', v_name);
    execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', v_name);
    v_created := v_created + 1;
  end loop;
  return v_created;
end;
$$;

--
-- Name: FUNCTION dq_ensure_partitions(months_ahead integer); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_ensure_partitions(months_ahead integer) IS '@behavior -*
Creates the monthly dq_results partitions for the current month and months_ahead more (rows waiting in the default partition move over); idempotent; returns how many it created. The worker runs it daily.';

--
-- Name: uuid_v7(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.uuid_v7() RETURNS uuid
    LANGUAGE sql PARALLEL SAFE
    AS $$
  select encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
              from 1 for 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

--
-- Name: FUNCTION uuid_v7(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.uuid_v7() IS 'A UUID version 7: millisecond timestamp prefix, 74 random bits.';

--
-- Name: dq_runs; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.dq_runs (
    id uuid DEFAULT warden_private.uuid_v7() NOT NULL,
    tenant_id uuid,
    target regclass,
    rule_ids uuid[],
    trigger text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    requested_by text,
    requested_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    rules_total integer DEFAULT 0 NOT NULL,
    rules_passed integer DEFAULT 0 NOT NULL,
    rules_failed integer DEFAULT 0 NOT NULL,
    rules_errored integer DEFAULT 0 NOT NULL,
    gate_passed boolean,
    CONSTRAINT dq_runs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'finished'::text, 'abandoned'::text]))),
    CONSTRAINT dq_runs_trigger_check CHECK ((trigger = ANY (ARRAY['sql'::text, 'cli'::text, 'api'::text, 'schedule'::text, 'enforce'::text])))
);

ALTER TABLE ONLY warden.dq_runs FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE dq_runs; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.dq_runs IS '@behavior -insert -update -delete
One data-quality run: which rules (tenant, target, rule ids) it covered, who asked (sql, cli, api, schedule, enforce), and the summary. Tenant owners, admins and auditors read their tenant''s runs.';

--
-- Name: COLUMN dq_runs.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.id IS 'Run id.';

--
-- Name: COLUMN dq_runs.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.tenant_id IS 'The tenant whose rules ran; null for a run across tenants (a DBA or the CLI without --tenant).';

--
-- Name: COLUMN dq_runs.target; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.target IS 'Only rules on this table ran; null: every table.';

--
-- Name: COLUMN dq_runs.rule_ids; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.rule_ids IS 'Only these rules ran (disabled ones too); null: every enabled rule.';

--
-- Name: COLUMN dq_runs.trigger; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.trigger IS 'What started it: sql (warden.dq_run), cli (warden dq run), api (dqRequestRun), schedule (the worker), enforce (write-time record mode).';

--
-- Name: COLUMN dq_runs.status; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.status IS 'queued (waiting for the worker), running, finished, or abandoned (never run).';

--
-- Name: COLUMN dq_runs.requested_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.requested_by IS 'Who asked (actor id or database role).';

--
-- Name: COLUMN dq_runs.requested_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.requested_at IS 'When it was asked for.';

--
-- Name: COLUMN dq_runs.started_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.started_at IS 'When it started.';

--
-- Name: COLUMN dq_runs.finished_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.finished_at IS 'When it finished.';

--
-- Name: COLUMN dq_runs.rules_total; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.rules_total IS 'Rules evaluated.';

--
-- Name: COLUMN dq_runs.rules_passed; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.rules_passed IS 'Rules that passed.';

--
-- Name: COLUMN dq_runs.rules_failed; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.rules_failed IS 'Rules that failed.';

--
-- Name: COLUMN dq_runs.rules_errored; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.rules_errored IS 'Rules that could not be evaluated (timeout, missing table, ...).';

--
-- Name: COLUMN dq_runs.gate_passed; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_runs.gate_passed IS 'False when a rule of severity error failed or could not be evaluated (`warden dq run` exits 1); null until finished.';

--
-- Name: dq_request_run(text, uuid[]); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_request_run(target_name text DEFAULT NULL::text, rule_ids uuid[] DEFAULT NULL::uuid[]) RETURNS warden.dq_runs
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_id uuid;
  v_run warden.dq_runs;
begin
  if v_tenant is null or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'running data-quality rules requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if cardinality(rule_ids) > 1000 then
    raise exception 'at most 1000 rule ids' using errcode = '22023';
  end if;
  v_id := warden_private.dq_create_run(v_tenant,
    case when target_name is not null then warden_private.dq_resolve_target(target_name, 'target_name') end, rule_ids, 'api', null);
  select * into v_run from warden.dq_runs r where r.id = v_id;
  perform warden_private.dq_enqueue_run(v_run.id);
  return v_run;
end;
$$;

--
-- Name: FUNCTION dq_request_run(target_name text, rule_ids uuid[]); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_request_run(target_name text, rule_ids uuid[]) IS 'Queues a data-quality run of the current tenant''s rules (tenant owners and admins): the enabled rules on target_name (schema.table; null: every table), or exactly rule_ids. The worker runs it (each check with its rule''s timeout); follow it in dqRuns and dqResults. GraphQL: dqRequestRun.';

--
-- Name: dq_run(regclass, uuid[]); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_run(target regclass DEFAULT NULL::regclass, rule_ids uuid[] DEFAULT NULL::uuid[]) RETURNS warden.dq_runs
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_run uuid;
  v_checks jsonb;
  v_check jsonb;
  v_outcomes jsonb := '[]';
begin
  if warden.current_tenant_id() is not null and coalesce(current_setting('role', true), 'none') = 'warden_visitor'
     and not warden.has_tenant_role('{owner,admin}') then
    raise exception 'running data-quality rules requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  v_run := warden_private.dq_create_run(warden.current_tenant_id(), target, rule_ids, 'sql', null);
  v_checks := warden_private.dq_start_run(v_run);
  for v_check in select * from jsonb_array_elements(v_checks) loop
    v_outcomes := v_outcomes || warden_private.dq_execute_check(v_run, v_check);
  end loop;
  return warden_private.dq_finish_run(v_run, v_outcomes);
end;
$$;

--
-- Name: FUNCTION dq_run(target regclass, rule_ids uuid[]); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_run(target regclass, rule_ids uuid[]) IS '@behavior -*
Runs data-quality rules now and returns the run with its summary (details in warden.dq_results where run_id = id): the enabled rules on target (null: every table), or exactly rule_ids; the current tenant''s rules with a request context (warden.set_context), every tenant''s without. Each table''s column rules are evaluated in one scan; every check runs read-only, in its tenant''s context, as warden_dq_sandbox. This call is one statement, bounded as a whole by your statement_timeout; `warden dq run` and the worker give each check its own statement and the rule''s timeout.';

--
-- Name: dq_tally_add(warden.dq_tally, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_tally_add(state warden.dq_tally, item jsonb) RETURNS warden.dq_tally
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
  select row(state.failing + 1, case when cardinality(state.sample) >= 20 then state.sample else state.sample || item end)::warden.dq_tally
$$;

--
-- Name: FUNCTION dq_tally_add(state warden.dq_tally, item jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_tally_add(state warden.dq_tally, item jsonb) IS '@behavior -*
Transition function of warden.dq_failing: counts a failing row, samples it while fewer than 20 are.';

--
-- Name: dq_tally_merge(warden.dq_tally, warden.dq_tally); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_tally_merge(a warden.dq_tally, b warden.dq_tally) RETURNS warden.dq_tally
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
  select row(a.failing + b.failing, (a.sample || b.sample)[1:20])::warden.dq_tally
$$;

--
-- Name: FUNCTION dq_tally_merge(a warden.dq_tally, b warden.dq_tally); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_tally_merge(a warden.dq_tally, b warden.dq_tally) IS '@behavior -*
Combine function of warden.dq_failing (parallel scans).';

--
-- Name: dq_tally_result(warden.dq_tally); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.dq_tally_result(state warden.dq_tally) RETURNS jsonb
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
  select jsonb_build_array(state.failing, to_jsonb(state.sample))
$$;

--
-- Name: FUNCTION dq_tally_result(state warden.dq_tally); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.dq_tally_result(state warden.dq_tally) IS '@behavior -*
Final function of warden.dq_failing: [failing rows, sample].';

--
-- Name: drain_default_partition(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.drain_default_partition() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_month date;
  v_moved bigint;
  v_created integer := 0;
begin
  perform set_config('warden.governance_operation', 'drain_default_partition', true);
  -- No writer may add rows to the default partition while it is drained.
  lock table warden_private.audit_events_default in share row exclusive mode;
  create temporary table if not exists warden_drain_buffer (like warden.audit_events) on commit drop;
  for v_month in
    select distinct date_trunc('month', occurred_at at time zone 'UTC')::date
    from warden_private.audit_events_default order by 1
  loop
    truncate warden_drain_buffer;
    with moved as (
      delete from warden_private.audit_events_default
      where occurred_at >= v_month::timestamptz and occurred_at < (v_month + interval '1 month')::timestamptz
      returning *
    )
    insert into warden_drain_buffer select * from moved;
    get diagnostics v_moved = row_count;
    if warden_private.create_audit_partition(v_month) then
      v_created := v_created + 1;
    end if;
    insert into warden.audit_events select * from warden_drain_buffer;
  end loop;
  perform set_config('warden.governance_operation', '', true);
  return v_created;
end;
$$;

--
-- Name: FUNCTION drain_default_partition(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.drain_default_partition() IS 'Moves every row of the default audit partition into its monthly partition, creating partitions as needed, in one transaction (no row lost or duplicated; event ids, content and seals are unchanged). Returns how many partitions were created.';

--
-- Name: enable_auditing(regclass, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.enable_auditing(target regclass, options jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_rel record;
  v_opts jsonb := coalesce(options, '{}');
  v_key text;
  v_col text;
  v_tenant_column text;
  v_effective jsonb;
  v_before jsonb;
begin
  select c.relkind, c.relname, n.nspname, c.relispartition into v_rel
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_rel.relkind not in ('r', 'p') then
    raise exception '% is not a table', target using errcode = '42809';
  end if;
  if v_rel.nspname in ('warden_private', 'graphile_worker', 'graphile_migrate', 'pg_catalog', 'information_schema')
     or target = 'warden.audit_events'::regclass then
    raise exception 'Warden does not audit the audit store, its internals or system tables (%)', target using errcode = '42809';
  end if;
  if v_rel.relispartition then
    raise exception '% is a partition: audit its partitioned table (%), which covers every partition', target, pg_partition_root(target)
      using errcode = '42809';
  end if;
  if not has_table_privilege(target, 'TRIGGER') then
    raise exception 'permission denied to audit %: creating its capture triggers needs the TRIGGER privilege', target using errcode = '42501';
  end if;
  if jsonb_typeof(v_opts) <> 'object' then
    raise exception 'options must be a JSON object' using errcode = '22023';
  end if;
  for v_key in select jsonb_object_keys(v_opts) loop
    if v_key not in ('exclude_columns', 'redact_columns', 'capture', 'tenant_column', 'tenant', 'skip_unchanged', 'resource_type') then
      raise exception 'unknown option %: expected exclude_columns, redact_columns, capture, tenant_column, tenant, skip_unchanged or resource_type', quote_literal(v_key)
        using errcode = '22023';
    end if;
  end loop;
  foreach v_key in array array['exclude_columns', 'redact_columns'] loop
    if v_opts ? v_key then
      if jsonb_typeof(v_opts -> v_key) <> 'array'
         or exists (select 1 from jsonb_array_elements(v_opts -> v_key) e where jsonb_typeof(e) <> 'string') then
        raise exception 'option % must be an array of column names', v_key using errcode = '22023';
      end if;
      for v_col in select jsonb_array_elements_text(v_opts -> v_key) loop
        if not exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = v_col and a.attnum > 0 and not a.attisdropped) then
          raise exception 'option %: column % does not exist in %', v_key, quote_ident(v_col), target using errcode = '42703';
        end if;
      end loop;
    end if;
  end loop;
  if v_opts ? 'capture' and (v_opts ->> 'capture') not in ('changes', 'full') then
    raise exception 'option capture must be changes or full, got %', v_opts -> 'capture' using errcode = '22023';
  end if;
  if v_opts ? 'skip_unchanged' and jsonb_typeof(v_opts -> 'skip_unchanged') <> 'boolean' then
    raise exception 'option skip_unchanged must be true or false' using errcode = '22023';
  end if;
  if v_opts ? 'resource_type' and (jsonb_typeof(v_opts -> 'resource_type') <> 'string' or length(v_opts ->> 'resource_type') not between 1 and 200) then
    raise exception 'option resource_type must be a string of 1 to 200 characters' using errcode = '22023';
  end if;
  if v_opts ? 'tenant' then
    if v_opts ? 'tenant_column' then
      raise exception 'give either option tenant (a fixed tenant) or tenant_column, not both' using errcode = '22023';
    end if;
    if jsonb_typeof(v_opts -> 'tenant') <> 'string'
       or (v_opts ->> 'tenant') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      raise exception 'option tenant must be a tenant id (uuid)' using errcode = '22023';
    end if;
  else
    v_tenant_column := coalesce(v_opts ->> 'tenant_column', 'tenant_id');
    if not exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column and a.attnum > 0 and not a.attisdropped) then
      if v_opts ? 'tenant_column' then
        raise exception 'option tenant_column: column % does not exist in %', quote_ident(v_tenant_column), target using errcode = '42703';
      end if;
      v_tenant_column := null;  -- no tenant column: the request's tenant is used
    elsif (select a.atttypid from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column) <> 'uuid'::regtype then
      raise exception 'tenant column %.% must be of type uuid', target, quote_ident(v_tenant_column) using errcode = '42804';
    end if;
  end if;

  v_effective := jsonb_strip_nulls(jsonb_build_object(
    'exclude_columns', coalesce(v_opts -> 'exclude_columns', '[]'),
    'redact_columns', coalesce(v_opts -> 'redact_columns', '[]'),
    'capture', coalesce(v_opts ->> 'capture', 'changes'),
    'skip_unchanged', coalesce((v_opts ->> 'skip_unchanged')::boolean, true),
    'tenant_column', v_tenant_column,
    'tenant', lower(v_opts ->> 'tenant'),
    'resource_type', v_opts ->> 'resource_type'));
  v_before := warden_private.capture_registration(target);
  perform warden_private.capture_enable(target, v_effective, current_user);
  if v_before is null or (v_before ->> 'disabled')::boolean or v_before -> 'options' <> v_effective then
    perform warden_private.record_governance_event(
      'governance.auditing.enabled', coalesce((v_effective ->> 'tenant')::uuid, warden.current_tenant_id()), 'table',
      format('%I.%I', v_rel.nspname, v_rel.relname),
      case when v_before is null or (v_before ->> 'disabled')::boolean then null else v_before -> 'options' end,
      v_effective);
  end if;
  return v_effective;
end;
$_$;

--
-- Name: FUNCTION enable_auditing(target regclass, options jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.enable_auditing(target regclass, options jsonb) IS '@behavior -*
Starts auditing a table: every INSERT, UPDATE, DELETE and TRUNCATE is captured in the same transaction (into the capture log, which the worker promotes into warden.audit_events within seconds; warden.flush_capture() promotes at once). Idempotent (calling again replaces the options). Options: exclude_columns (never stored), redact_columns (stored only as a keyed hash), capture (changes | full), tenant_column (default tenant_id) or tenant (a fixed tenant id), skip_unchanged (default true), resource_type. Runs with the caller''s rights: the caller needs the TRIGGER privilege on the table. Writes a governance.auditing.enabled event when auditing starts or its options change. Returns the effective options.';

--
-- Name: enable_auditing_schema(text, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.enable_auditing_schema(schema_name text, options jsonb DEFAULT '{}'::jsonb) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_table regclass;
  v_count integer := 0;
begin
  if not exists (select 1 from pg_namespace n where n.nspname = schema_name) then
    raise exception 'schema % does not exist', quote_ident(schema_name) using errcode = '3F000';
  end if;
  for v_table in
    select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = schema_name and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname
  loop
    perform warden.enable_auditing(v_table, options);
    v_count := v_count + 1;
  end loop;
  perform warden_private.register_audited_schema(schema_name, options);
  return v_count;
end;
$$;

--
-- Name: FUNCTION enable_auditing_schema(schema_name text, options jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.enable_auditing_schema(schema_name text, options jsonb) IS '@behavior -*
Audits every table of a schema now, and tables created there later (through the DDL event trigger). Returns how many tables were enabled now.';

--
-- Name: enable_soft_delete(regclass, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.enable_soft_delete(target regclass, options jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_rel record;
  v_opts jsonb := coalesce(options, '{}');
  v_key text;
  v_purge_after interval;
  v_tenant_column text;
  v_pk text[];
  v_type regtype;
  v_rls_enabled boolean := false;
  v_index text;
begin
  select c.relkind, c.relname, n.nspname, c.relrowsecurity, c.relispartition into v_rel
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_rel.relkind is null or v_rel.relkind not in ('r', 'p') then
    raise exception '% is not a table', target using errcode = '42809';
  end if;
  if v_rel.relispartition then
    raise exception '% is a partition: enable soft delete on its partitioned table', target using errcode = '42809';
  end if;
  if v_rel.nspname in ('warden_private', 'graphile_worker', 'graphile_migrate', 'pg_catalog', 'information_schema')
     or target = 'warden.audit_events'::regclass then
    raise exception 'Warden does not soft-delete rows of the audit store, its internals or system tables (%)', target using errcode = '42809';
  end if;
  if jsonb_typeof(v_opts) <> 'object' then
    raise exception 'options must be a JSON object' using errcode = '22023';
  end if;
  for v_key in select jsonb_object_keys(v_opts) loop
    if v_key not in ('purge_after', 'tenant_column') then
      raise exception 'unknown option %: expected purge_after or tenant_column', quote_literal(v_key) using errcode = '22023';
    end if;
  end loop;
  if v_opts ? 'purge_after' and jsonb_typeof(v_opts -> 'purge_after') <> 'null' then
    begin
      v_purge_after := (v_opts ->> 'purge_after')::interval;
    exception when others then
      raise exception 'option purge_after must be an interval such as "30 days", got %', v_opts -> 'purge_after' using errcode = '22023';
    end;
    if jsonb_typeof(v_opts -> 'purge_after') <> 'string' or v_purge_after < interval '0' then
      raise exception 'option purge_after must be a non-negative interval such as "30 days", got %', v_opts -> 'purge_after' using errcode = '22023';
    end if;
  end if;
  v_tenant_column := coalesce(v_opts ->> 'tenant_column', 'tenant_id');
  if not exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column and a.attnum > 0 and not a.attisdropped) then
    if v_opts ? 'tenant_column' then
      raise exception 'option tenant_column: column % does not exist in %', quote_ident(v_tenant_column), target using errcode = '42703';
    end if;
    v_tenant_column := null;
  elsif (select a.atttypid from pg_attribute a where a.attrelid = target and a.attname = v_tenant_column) <> 'uuid'::regtype then
    raise exception 'tenant column %.% must be of type uuid', target, quote_ident(v_tenant_column) using errcode = '42804';
  end if;
  v_pk := warden_private.primary_key_columns(target);
  if v_pk is null then
    raise exception '% has no primary key: warden.restore() needs one to name a row', target using errcode = '22023';
  end if;

  -- The mark. Existing columns are used when their types fit.
  select a.atttypid::regtype into v_type from pg_attribute a where a.attrelid = target and a.attname = 'deleted_at' and a.attnum > 0 and not a.attisdropped;
  if v_type is null then
    execute format('alter table %s add column deleted_at timestamptz', target);
    execute format('comment on column %s.deleted_at is %L', target, 'When the row was soft-deleted (warden.enable_soft_delete); null while it is live.');
  elsif v_type <> 'timestamptz'::regtype then
    raise exception '%.deleted_at must be of type timestamptz, is %', target, v_type using errcode = '42804';
  end if;
  v_type := null;
  select a.atttypid::regtype into v_type from pg_attribute a where a.attrelid = target and a.attname = 'deleted_by' and a.attnum > 0 and not a.attisdropped;
  if v_type is null then
    execute format('alter table %s add column deleted_by text', target);
    execute format('comment on column %s.deleted_by is %L', target, 'Who soft-deleted the row (the actor id of the request context, or the database role); null while it is live.');
  elsif v_type not in ('text'::regtype, 'uuid'::regtype) then
    raise exception '%.deleted_by must be of type text or uuid, is %', target, v_type using errcode = '42804';
  end if;
  -- Purges find expired rows through a small partial index.
  v_index := left(v_rel.relname, 40) || '_warden_deleted_at_idx';
  execute format('create index if not exists %I on %s (deleted_at) where deleted_at is not null', v_index, target);

  -- Row-level security hides soft-deleted rows. A table without it gets it
  -- with an allow-everything policy, so nothing else changes for it.
  if not v_rel.relrowsecurity then
    execute format('alter table %s enable row level security', target);
    execute format('create policy warden_soft_delete_allow on %s using (true) with check (true)', target);
    execute format('comment on policy warden_soft_delete_allow on %s is %L', target,
      'Added by warden.enable_soft_delete, which turned row-level security on: everything the table''s privileges allow stays allowed.');
    v_rls_enabled := true;
  end if;
  execute format('drop policy if exists warden_soft_delete_hide on %s', target);
  execute format('create policy warden_soft_delete_hide on %s as restrictive for all to public
    using (deleted_at is null or warden_private.soft_delete_operation() is not null)
    with check (deleted_at is null or warden_private.soft_delete_operation() is not null)', target);
  execute format('comment on policy warden_soft_delete_hide on %s is %L', target,
    'warden.enable_soft_delete: soft-deleted rows (deleted_at set) are invisible and unchangeable except inside Warden''s soft delete, restore and purge.');
  -- Warden's owner marks, restores and purges rows (the trigger and the
  -- worker run as it), so it may see and change every row.
  execute format('drop policy if exists warden_soft_delete_maintenance on %s', target);
  execute format('create policy warden_soft_delete_maintenance on %s to warden_owner using (true) with check (true)', target);
  execute format('comment on policy warden_soft_delete_maintenance on %s is %L', target,
    'warden.enable_soft_delete: Warden''s owner role marks, restores and purges soft-deleted rows.');
  execute format('grant select, delete, update (deleted_at, deleted_by) on %s to warden_owner', target);

  execute format('create or replace trigger _050_soft_delete before delete on %s for each row execute function warden_private.tg_soft_delete(%L)',
    target, jsonb_build_object('tenant_column', v_tenant_column)::text);
  execute format('create or replace trigger _050_soft_delete_guard before update on %s for each row
    when (old.deleted_at is distinct from new.deleted_at or old.deleted_by is distinct from new.deleted_by)
    execute function warden_private.tg_soft_delete_guard()', target);

  perform warden_private.register_soft_delete_table(target, v_tenant_column, v_purge_after, v_rls_enabled);
  return jsonb_build_object('purge_after', v_purge_after::text, 'tenant_column', v_tenant_column, 'primary_key', to_jsonb(v_pk));
end;
$$;

--
-- Name: FUNCTION enable_soft_delete(target regclass, options jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.enable_soft_delete(target regclass, options jsonb) IS '@behavior -*
Turns DELETE on a table into a soft delete: the row gets deleted_at and deleted_by (added when missing) and disappears from every read subject to row-level security; warden.restore() brings it back; the worker purges it after purge_after. Options: purge_after (an interval such as "30 days"; default: the worker''s SOFT_DELETE_PURGE_DAYS, 30), tenant_column (default tenant_id when present). Idempotent (a second call replaces the options). Runs with the caller''s rights: the caller must own the table. Returns the effective options.';

--
-- Name: ensure_partitions(integer); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.ensure_partitions(months_ahead integer DEFAULT 3) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_month date := date_trunc('month', now() at time zone 'UTC')::date;
  v_created integer := 0;
  v_lo timestamptz;
  v_hi timestamptz;
begin
  if months_ahead is null or months_ahead < 0 or months_ahead > 120 then
    raise exception 'months_ahead must be between 0 and 120, got %', months_ahead using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtext('warden.ensure_partitions'));
  for i in 0 .. months_ahead loop
    v_lo := (v_month + make_interval(months => i))::timestamptz;
    v_hi := (v_month + make_interval(months => i + 1))::timestamptz;
    if exists (select 1 from warden_private.audit_events_default where occurred_at >= v_lo and occurred_at < v_hi) then
      -- Rows for this month sit in the default partition: move them out
      -- (creating the partition) instead of failing.
      v_created := v_created + warden.drain_default_partition();
    elsif warden_private.create_audit_partition((v_month + make_interval(months => i))::date) then
      v_created := v_created + 1;
    end if;
  end loop;
  return v_created;
end;
$$;

--
-- Name: FUNCTION ensure_partitions(months_ahead integer); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.ensure_partitions(months_ahead integer) IS 'Creates the monthly audit partitions for the current month and months_ahead more (premake); idempotent. Returns how many partitions were created. Runs on migrate and daily in the worker.';

--
-- Name: erase_subject(uuid, text, text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.erase_subject(tenant uuid, subject_id text, reason text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_id uuid := warden_private.governance_start_erasure(tenant, subject_id, reason);
  v_pseudonym text := (select x.subject_pseudonym from warden_private.erasures x where x.erasure_id = v_id);
  b record;
  v_after_at timestamptz;
  v_after_id uuid;
  v_scanned bigint := 0;
  v_rewritten bigint := 0;
  v_actor bigint := 0;
  v_resource bigint := 0;
  v_batches integer := 0;
begin
  loop
    select * into b from warden_private.governance_erase_subject_batch(v_id, tenant, subject_id, v_pseudonym, v_after_at, v_after_id, 5000);
    exit when b.scanned = 0;
    v_batches := v_batches + 1;
    v_scanned := v_scanned + b.scanned; v_rewritten := v_rewritten + b.rewritten;
    v_actor := v_actor + b.actor_matches; v_resource := v_resource + b.resource_matches;
    v_after_at := b.last_occurred_at; v_after_id := b.last_event_id;
  end loop;
  return warden_private.governance_finish_erasure(v_id, subject_id, jsonb_build_object(
    'scanned', v_scanned, 'rewritten', v_rewritten, 'actor', v_actor, 'resource', v_resource, 'batches', v_batches));
end;
$$;

--
-- Name: FUNCTION erase_subject(tenant uuid, subject_id text, reason text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.erase_subject(tenant uuid, subject_id text, reason text) IS '@resultFieldName receipt
GDPR erasure (tenant owners and admins; DBAs without a request context): in batches of 5,000 events, replaces the subject''s id everywhere in the tenant''s audit trail with a keyed pseudonym (hmac:<hex>, stable within the tenant), removes their IP address and user agent and the tenant''s configured PII paths, forgets idempotency keys naming them, records a governance.subject.erased event and returns a receipt {erasure_id, subject_pseudonym, events_rewritten, ..., started_at, finished_at, duration_ms}. The chain stays verifiable through signed erasure records.';

--
-- Name: erase_subject_finish(uuid, text, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.erase_subject_finish(erasure_id uuid, subject_id text, totals jsonb) RETURNS jsonb
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select warden_private.governance_finish_erasure(erasure_id, subject_id, totals)
$$;

--
-- Name: FUNCTION erase_subject_finish(erasure_id uuid, subject_id text, totals jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.erase_subject_finish(erasure_id uuid, subject_id text, totals jsonb) IS '@behavior -*
Closes an erasure of the batch-by-batch form and returns the receipt.';

--
-- Name: erase_subject_start(uuid, text, text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.erase_subject_start(tenant uuid, subject_id text, reason text) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select warden_private.governance_start_erasure(tenant, subject_id, reason)
$$;

--
-- Name: FUNCTION erase_subject_start(tenant uuid, subject_id text, reason text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.erase_subject_start(tenant uuid, subject_id text, reason text) IS '@behavior -*
Opens an erasure for the batch-by-batch form of warden.erase_subject (used by the API); returns its id.';

--
-- Name: erase_subject_step(uuid, text, timestamp with time zone, uuid, integer); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.erase_subject_step(erasure_id uuid, subject_id text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer DEFAULT 5000) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_e warden_private.erasures;
  b record;
begin
  select * into v_e from warden_private.erasures x where x.erasure_id = erase_subject_step.erasure_id and x.finished_at is null;
  if not found then
    raise exception 'no open erasure %', erasure_id using errcode = 'P0002';
  end if;
  perform warden_private.assert_tenant_admin(v_e.tenant_id);
  if warden_private.keyed_hash(v_e.tenant_id, subject_id) <> v_e.subject_pseudonym then
    raise exception 'subject_id does not match erasure %', erasure_id using errcode = '22023';
  end if;
  if batch_size is null or batch_size not between 1 and 100000 then
    raise exception 'batch_size must be 1 to 100000' using errcode = '22023';
  end if;
  select * into b from warden_private.governance_erase_subject_batch(v_e.erasure_id, v_e.tenant_id, subject_id, v_e.subject_pseudonym,
    after_occurred_at, after_event_id, batch_size);
  return to_jsonb(b);
end;
$$;

--
-- Name: FUNCTION erase_subject_step(erasure_id uuid, subject_id text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.erase_subject_step(erasure_id uuid, subject_id text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer) IS '@behavior -*
One batch of an erasure opened by warden.erase_subject_start (the API commits after each); returns {scanned, rewritten, actor_matches, resource_matches, last_occurred_at, last_event_id}.';

--
-- Name: export_subject(uuid, text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.export_subject(tenant uuid, subject_id text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_uuid uuid;
  v_pseudonym text;
  v_doc jsonb;
begin
  perform warden_private.assert_tenant_admin(tenant);
  if subject_id is null or length(subject_id) not between 1 and 1024 then
    raise exception 'subject_id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  if subject_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    v_uuid := subject_id::uuid;
  end if;
  select warden_private.hmac_with(k.inner_key, k.outer_key, subject_id) into v_pseudonym
  from warden_private.tenant_hash_keys k where k.tenant_key = tenant;
  v_doc := jsonb_build_object(
    'subject_id', subject_id,
    'tenant_id', tenant,
    'exported_at', now(),
    'user', (select to_jsonb(u) from warden.users u
             where u.id = v_uuid and exists (select 1 from warden.tenant_memberships m
                                             where m.user_id = u.id and m.tenant_id = tenant and m.joined_via <> 'unconfirmed')),
    'tenant_memberships', coalesce((select jsonb_agg(to_jsonb(m) order by m.created_at) from warden.tenant_memberships m
                                    where m.tenant_id = tenant and m.user_id = v_uuid), '[]'),
    'project_memberships', coalesce((select jsonb_agg(to_jsonb(pm) order by pm.created_at) from warden.project_members pm
                                     where pm.tenant_id = tenant and pm.user_id = v_uuid), '[]'),
    'projects_created', coalesce((select jsonb_agg(to_jsonb(p) order by p.created_at) from warden.projects p
                                  where p.tenant_id = tenant and p.created_by = v_uuid), '[]'),
    'api_keys', coalesce((select jsonb_agg(to_jsonb(k) order by k.created_at) from warden.api_keys k
                          where k.tenant_id = tenant and (k.created_by = v_uuid or k.id = v_uuid)), '[]'),
    'idempotency_keys', coalesce((select jsonb_agg(jsonb_build_object('idempotency_key', k.idempotency_key, 'event_ids', k.event_ids,
                                                                      'created_at', k.created_at) order by k.created_at)
                                  from warden_private.idempotency_keys k
                                  where k.tenant_id = tenant and (k.idempotency_key = subject_id
                                        or (length(subject_id) >= 6 and strpos(k.idempotency_key, subject_id) > 0))), '[]'),
    'erasures', coalesce((select jsonb_agg(x.receipt order by x.started_at) from warden_private.erasures x
                          where x.tenant_id = tenant and x.subject_pseudonym = v_pseudonym and x.receipt is not null), '[]'),
    'events', coalesce((select jsonb_agg(to_jsonb(e) order by e.occurred_at, e.event_id) from warden.audit_events e
                        where e.tenant_id = tenant and (e.actor_id = subject_id or e.resource_id = subject_id)), '[]'));
  -- Who exported what about whom: the subject by its keyed pseudonym (as
  -- the erasure event names it), so the record of an export never puts the
  -- raw id back into an erased trail; counts, not data.
  perform warden_private.record_governance_event('governance.subject.exported', tenant, 'subject', warden_private.keyed_hash(tenant, subject_id), null, null,
    jsonb_build_object('format', 'json', 'counts', jsonb_build_object(
      'events', jsonb_array_length(v_doc -> 'events'),
      'tenant_memberships', jsonb_array_length(v_doc -> 'tenant_memberships'),
      'project_memberships', jsonb_array_length(v_doc -> 'project_memberships'),
      'projects_created', jsonb_array_length(v_doc -> 'projects_created'),
      'api_keys', jsonb_array_length(v_doc -> 'api_keys'),
      'idempotency_keys', jsonb_array_length(v_doc -> 'idempotency_keys'),
      'erasures', jsonb_array_length(v_doc -> 'erasures'),
      'user', (v_doc -> 'user') <> 'null'::jsonb)));
  return v_doc;
end;
$_$;

--
-- Name: FUNCTION export_subject(tenant uuid, subject_id text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.export_subject(tenant uuid, subject_id text) IS '@behavior +queryField -mutationField
GDPR export (tenant owners and admins; DBAs without a request context): one JSON document with every audit event of the tenant where the subject is the actor or the resource (raw), their user record (when their membership is not unconfirmed), memberships, projects and API keys they created, idempotency keys naming them and receipts of earlier erasures. Writes governance.subject.exported (resource: the subject''s keyed pseudonym, hmac:<hex>; counts of what was exported).';

--
-- Name: flush_capture(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.flush_capture() RETURNS bigint
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select p.promoted from warden_private.capture_promote(null, true, true) p
$$;

--
-- Name: FUNCTION flush_capture(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.flush_capture() IS '@behavior -*
Promotes captured changes into warden.audit_events now: those of every committed transaction and the calling transaction''s own. Returns how many events it promoted. For tests and scripts (the worker promotes every second anyway); not callable by API requests.';

--
-- Name: has_project_role(uuid, warden.project_role); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.has_project_role(project_id uuid, min_role warden.project_role) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select case
    when warden.current_tenant_id() is null then false
    -- tenant owners and admins act as owners of every project of their tenant
    when warden.current_tenant_role() in ('owner', 'admin') then exists (
      select 1 from warden.projects p
      where p.id = has_project_role.project_id and p.tenant_id = warden.current_tenant_id())
    else exists (
      select 1 from warden.project_members pm
      where pm.project_id = has_project_role.project_id
        and pm.tenant_id = warden.current_tenant_id()
        and pm.user_id = warden.current_user_id()
        and pm.role >= has_project_role.min_role)
  end
$$;

--
-- Name: FUNCTION has_project_role(project_id uuid, min_role warden.project_role); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.has_project_role(project_id uuid, min_role warden.project_role) IS 'True when the current actor has at least min_role in the project (tenant owners and admins count as project owners). Used by row-level security policies.';

--
-- Name: has_tenant_role(warden.tenant_role[]); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.has_tenant_role(roles warden.tenant_role[]) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select coalesce(warden.current_tenant_role() = any (roles), false)
$$;

--
-- Name: FUNCTION has_tenant_role(roles warden.tenant_role[]); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.has_tenant_role(roles warden.tenant_role[]) IS '@behavior -*
True when the current actor''s tenant role is one of the given roles.';

--
-- Name: invite_to_tenant(text, warden.tenant_role, integer); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.invite_to_tenant(email text, role warden.tenant_role DEFAULT 'member'::warden.tenant_role, valid_days integer DEFAULT 7, OUT id uuid, OUT token text, OUT expires_at timestamp with time zone) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_email text := btrim(invite_to_tenant.email);
  v_open uuid;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'inviting users requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if invite_to_tenant.role is null then
    raise exception 'role must be one of member, support, auditor, admin, owner' using errcode = '22023';
  end if;
  if invite_to_tenant.role = 'owner' and not warden.has_tenant_role('{owner}') then
    raise exception 'only a tenant owner can invite an owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+$' or length(v_email) > 320 then
    raise exception 'email % is not an email address', coalesce(quote_literal(invite_to_tenant.email), 'null') using errcode = '22023';
  end if;
  if valid_days is null or valid_days not between 1 and 30 then
    raise exception 'valid_days must be between 1 and 30, got %', coalesce(valid_days::text, 'null') using errcode = '22023';
  end if;
  -- Only members this tenant already sees count: asking reveals nothing
  -- about users of other tenants.
  if exists (select 1 from warden.tenant_memberships m join warden.users u on u.id = m.user_id
             where m.tenant_id = v_tenant and lower(u.email) = lower(v_email) and m.joined_via <> 'unconfirmed') then
    raise exception '% is already a member of this tenant', v_email using errcode = '23505';
  end if;
  select i.id into v_open from warden.tenant_invitations i
  where i.tenant_id = v_tenant and lower(i.email) = lower(v_email)
    and i.accepted_at is null and i.revoked_at is null and i.expires_at > now();
  if v_open is not null then
    raise exception 'an invitation to % is already open (%): revoke it first', v_email, v_open using errcode = '23505';
  end if;
  token := 'wdi_' || warden_private.new_api_key_secret();
  expires_at := now() + make_interval(days => valid_days);
  insert into warden.tenant_invitations (tenant_id, email, role, invited_by, expires_at)
  values (v_tenant, v_email, invite_to_tenant.role, warden.current_actor(), invite_to_tenant.expires_at)
  returning tenant_invitations.id into id;
  insert into warden_private.tenant_invitation_secrets (invitation_id, token_hash) values (id, sha256(convert_to(token, 'UTF8')));
  perform warden_private.record_governance_event('governance.invitation.sent', v_tenant, 'tenant_invitation', id::text,
    null, jsonb_build_object('email', v_email, 'role', invite_to_tenant.role, 'expires_at', invite_to_tenant.expires_at));
end;
$_$;

--
-- Name: FUNCTION invite_to_tenant(email text, role warden.tenant_role, valid_days integer, OUT id uuid, OUT token text, OUT expires_at timestamp with time zone); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.invite_to_tenant(email text, role warden.tenant_role, valid_days integer, OUT id uuid, OUT token text, OUT expires_at timestamp with time zone) IS 'Invites the user with this email into the current tenant with a role (tenant owners and admins; only owners invite owners), valid for valid_days (1 to 30, default 7). Returns the invitation id and its token, shown only this once (Warden stores its hash): give it to the invitee, who accepts with warden.accept_tenant_invitation. Writes governance.invitation.sent.';

--
-- Name: partition_health(); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.partition_health() RETURNS TABLE(partition_name text, range_start timestamp with time zone, range_end timestamp with time zone, is_default boolean, estimated_rows bigint, total_bytes bigint, months_of_headroom integer, default_rows bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_headroom integer;
  v_default bigint;
begin
  select count(*) into v_default from warden_private.audit_events_default;
  -- Headroom: consecutive monthly partitions premade after the current month.
  v_headroom := 0;
  while to_regclass('warden_private.' || warden_private.audit_partition_name(
          (date_trunc('month', now() at time zone 'UTC') + make_interval(months => v_headroom + 1))::date)) is not null loop
    v_headroom := v_headroom + 1;
  end loop;
  return query
  select c.relname::text,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz,
         pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT',
         case when c.oid = 'warden_private.audit_events_default'::regclass then v_default
              else greatest(c.reltuples, 0)::bigint end,
         pg_total_relation_size(c.oid),
         v_headroom,
         v_default
  from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'warden.audit_events'::regclass
  order by 2 nulls last;
end;
$$;

--
-- Name: FUNCTION partition_health(); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.partition_health() IS 'Each audit partition with its range, estimated rows and size; months_of_headroom (full months premade after the current one) and default_rows (rows sitting in the default partition) are repeated on every row.';

--
-- Name: place_legal_hold(text, text, text, text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.place_legal_hold(reason text, resource_type text DEFAULT NULL::text, resource_id text DEFAULT NULL::text, correlation_id text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_id uuid;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'placing a legal hold requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if reason is null or length(btrim(reason)) = 0 or length(reason) > 2000 then
    raise exception 'a legal hold needs a reason (1 to 2000 characters)' using errcode = '22023';
  end if;
  if (resource_type is null) <> (resource_id is null) then
    raise exception 'resource_type and resource_id go together' using errcode = '22023';
  end if;
  if resource_type is not null and correlation_id is not null then
    raise exception 'a legal hold covers the whole tenant, one resource or one correlation id, not several' using errcode = '22023';
  end if;
  insert into warden_private.legal_holds (tenant_id, resource_type, resource_id, correlation_id, reason, created_by)
  values (warden.current_tenant_id(), resource_type, resource_id, correlation_id, reason,
          coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user))
  returning id into v_id;
  perform warden_private.record_governance_event('governance.legal_hold.placed', warden.current_tenant_id(), 'legal_hold', v_id::text, null,
    jsonb_build_object('reason', reason, 'resource_type', resource_type, 'resource_id', resource_id, 'correlation_id', correlation_id));
  return v_id;
end;
$$;

--
-- Name: FUNCTION place_legal_hold(reason text, resource_type text, resource_id text, correlation_id text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.place_legal_hold(reason text, resource_type text, resource_id text, correlation_id text) IS 'Places a legal hold on the current tenant''s events: all of them (no resource, no correlation id), one resource, or one correlation id; retention purges nothing it covers until it is released. Tenant owner or admin. Writes governance.legal_hold.placed (after).';

--
-- Name: purge(regclass, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.purge(target regclass, pk jsonb) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_pk text[];
  v_match text;
  v_rows bigint;
begin
  if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete') then
    raise exception 'soft delete is not enabled on %', target using errcode = '22023', hint = 'warden.enable_soft_delete() turns it on';
  end if;
  select array_agg(a.attname::text order by k.ord) into v_pk
  from pg_index ix cross join lateral unnest(ix.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum
  where ix.indrelid = target and ix.indisprimary;
  if pk is null or jsonb_typeof(pk) <> 'object'
     or (select array_agg(k order by k) from jsonb_object_keys(pk) k) is distinct from (select array_agg(k order by k) from unnest(v_pk) k)
     or exists (select 1 from jsonb_each(pk) e where jsonb_typeof(e.value) in ('null', 'object', 'array')) then
    raise exception 'pk must be a JSON object naming exactly the primary key columns of % (%) with scalar values', target, array_to_string(v_pk, ', ')
      using errcode = '22023';
  end if;
  select string_agg(format('%I = ($1 ->> %L)::%s', a.attname, a.attname, format_type(a.atttypid, a.atttypmod)), ' and ') into v_match
  from unnest(v_pk) k join pg_attribute a on a.attrelid = target and a.attname = k;
  perform set_config('warden.soft_delete_operation', 'purge', true);
  execute format('delete from %s where %s and deleted_at is not null', target, v_match) using pk;
  get diagnostics v_rows = row_count;
  perform set_config('warden.soft_delete_operation', '', true);
  if v_rows = 0 then
    raise exception 'no soft-deleted row of % with primary key % that you may purge', target, pk using errcode = 'P0002';
  end if;
  return true;
end;
$_$;

--
-- Name: FUNCTION purge(target regclass, pk jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.purge(target regclass, pk jsonb) IS 'Deletes a soft-deleted row for good now, without waiting for the purge period (pk: its primary key as a JSON object); writes a governance.purge audit event (and the table''s delete event when it is audited). Allowed to whoever may DELETE the row; raises P0002 when there is no such soft-deleted row the caller may delete.';

--
-- Name: record_audit_events(jsonb, text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.record_audit_events(events jsonb, idempotency_key text DEFAULT NULL::text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_credential text := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user') || ':'
                       || coalesce(current_setting('jwt.claims.actor_id', true), '');
  v_hash bytea;
  v_prior record;
  v_result jsonb;
begin
  if idempotency_key is not null and v_tenant is not null then
    v_hash := sha256(convert_to((case when jsonb_typeof(events) = 'array' then events else jsonb_build_array(events) end)::text, 'UTF8'));
    perform pg_advisory_xact_lock(hashtext(v_tenant::text || '/' || v_credential || '/' || idempotency_key));
    -- a key stored before keys were scoped (credential '') still answers its retries until it expires
    select k.request_hash, k.event_ids into v_prior
    from warden_private.idempotency_keys k
    where k.tenant_id = v_tenant and k.credential in (v_credential, '') and k.idempotency_key = record_audit_events.idempotency_key
      and k.created_at > now() - interval '24 hours'
    order by k.credential desc
    limit 1;
    if found then
      if v_prior.request_hash <> v_hash then
        raise exception 'Idempotency-Key % was used for a different request', idempotency_key using errcode = '23505';
      end if;
      return jsonb_build_object('event_ids', to_jsonb(v_prior.event_ids), 'replayed', true);
    end if;
  end if;

  v_result := warden_private.record_audit_batch(jsonb_build_array(jsonb_build_object(
    'ctx', warden_private.ingest_context_from_settings(jsonb_build_object(
      'jwt.claims.tenant_id', current_setting('jwt.claims.tenant_id', true),
      'jwt.claims.actor_id', current_setting('jwt.claims.actor_id', true),
      'jwt.claims.actor_type', current_setting('jwt.claims.actor_type', true),
      'jwt.claims.tenant_role', current_setting('jwt.claims.tenant_role', true),
      'warden.trace_id', current_setting('warden.trace_id', true),
      'warden.actor_ip', current_setting('warden.actor_ip', true),
      'warden.user_agent', current_setting('warden.user_agent', true))),
    'events', events))) -> 0;
  if not (v_result ->> 'ok')::boolean then
    if v_result ? 'detail' then
      raise exception '%', v_result ->> 'message'
        using errcode = v_result ->> 'code', detail = v_result ->> 'detail', hint = coalesce(v_result ->> 'hint', '');
    end if;
    raise exception '%', v_result ->> 'message' using errcode = v_result ->> 'code', hint = coalesce(v_result ->> 'hint', '');
  end if;

  if idempotency_key is not null then
    insert into warden_private.idempotency_keys (tenant_id, credential, idempotency_key, request_hash, event_ids)
    values (v_tenant, v_credential, idempotency_key, v_hash,
            array(select jsonb_array_elements_text(v_result #> '{result,event_ids}')::uuid))
    on conflict on constraint idempotency_keys_pkey do update
      set request_hash = excluded.request_hash, event_ids = excluded.event_ids, created_at = now();
  end if;
  return v_result -> 'result';
end;
$$;

--
-- Name: FUNCTION record_audit_events(events jsonb, idempotency_key text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.record_audit_events(events jsonb, idempotency_key text) IS '@name record_audit_events
Records one posted audit event or a batch of up to 1000 for the current tenant, after validating all of them (any problem: SQLSTATE 22023, nothing written, the problems as JSON in the error detail; an occurred_at outside warden_private.occurred_at_window has hint occurred_at_out_of_window; an event_id of another tenant''s event is refused with 23505, hint event_id_taken). event_id or idempotency_key (scoped to the calling credential) make a retry return the same ids without writing twice. Returns {event_ids, replayed}.';

--
-- Name: record_audit_export(jsonb, text, bigint, boolean, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.record_audit_export(filter jsonb, format text, event_count bigint, complete boolean DEFAULT true, details jsonb DEFAULT '{}'::jsonb) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_tenant uuid := warden.current_tenant_id();
begin
  if v_tenant is null then
    raise exception 'recording an export needs a tenant context' using errcode = '42501';
  end if;
  if not warden.has_tenant_role('{owner,admin,auditor}') then
    raise exception 'exporting the audit trail requires tenant role owner, admin or auditor' using errcode = '42501', hint = 'missing_role=auditor';
  end if;
  if format is null or format !~ '^[a-z0-9_-]{1,32}$' then
    raise exception 'export format % is not a format name', coalesce(quote_literal(format), 'null') using errcode = '22023';
  end if;
  if event_count is null or event_count < 0 then
    raise exception 'export event_count must be a count, got %', coalesce(event_count::text, 'null') using errcode = '22023';
  end if;
  if filter is not null and jsonb_typeof(filter) <> 'object' then
    raise exception 'export filter must be a JSON object' using errcode = '22023';
  end if;
  if details is not null and jsonb_typeof(details) <> 'object' then
    raise exception 'export details must be a JSON object' using errcode = '22023';
  end if;
  return warden_private.record_governance_event('governance.audit.exported', v_tenant, 'audit_export', format,
    null, null,
    coalesce(details, '{}') || jsonb_build_object('filter', coalesce(filter, '{}'), 'format', format,
      'count', event_count, 'complete', coalesce(complete, false)),
    'notice', case when coalesce(complete, false) then 'success' else 'failure' end::warden.audit_outcome);
end;
$_$;

--
-- Name: FUNCTION record_audit_export(filter jsonb, format text, event_count bigint, complete boolean, details jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.record_audit_export(filter jsonb, format text, event_count bigint, complete boolean, details jsonb) IS '@behavior -*
Records one bulk export of the current tenant''s audit trail as governance.audit.exported (tenant owners, admins and auditors): event_data holds the filter, the format, the count of events written and whether the export completed (complete=false, outcome failure: the stream ended early and count is what the client was sent). The REST export calls it when the stream ends.';

--
-- Name: release_legal_hold(uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.release_legal_hold(hold_id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_hold warden_private.legal_holds;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'releasing a legal hold requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  update warden_private.legal_holds h
  set released_at = now(), released_by = coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user)
  where h.id = hold_id and h.tenant_id = warden.current_tenant_id() and h.released_at is null
  returning h.* into v_hold;
  if not found then
    raise exception 'no active legal hold % in this tenant', hold_id using errcode = 'P0002';
  end if;
  perform warden_private.record_governance_event('governance.legal_hold.released', v_hold.tenant_id, 'legal_hold', hold_id::text,
    jsonb_build_object('released_at', null), jsonb_build_object('released_at', v_hold.released_at),
    jsonb_build_object('reason', v_hold.reason, 'resource_type', v_hold.resource_type, 'resource_id', v_hold.resource_id,
                       'correlation_id', v_hold.correlation_id));
  return true;
end;
$$;

--
-- Name: FUNCTION release_legal_hold(hold_id uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.release_legal_hold(hold_id uuid) IS 'Releases an active legal hold of the current tenant. Tenant owner or admin. Writes governance.legal_hold.released (before/after: released_at).';

--
-- Name: remove_retention_policy(text); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.remove_retention_policy(event_type_pattern text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_id uuid;
  v_days integer;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'removing a retention policy requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  delete from warden_private.retention_policies p
  where p.tenant_id = warden.current_tenant_id() and p.event_type_pattern = remove_retention_policy.event_type_pattern
  returning p.id, p.days into v_id, v_days;
  if v_id is null then
    return false;
  end if;
  perform warden_private.record_governance_event('governance.retention.policy_removed', warden.current_tenant_id(), 'retention_policy', v_id::text,
    jsonb_build_object('event_type_pattern', event_type_pattern, 'days', v_days), null);
  return true;
end;
$$;

--
-- Name: FUNCTION remove_retention_policy(event_type_pattern text); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.remove_retention_policy(event_type_pattern text) IS 'Removes the current tenant''s retention policy for event_type_pattern (the defaults apply again); false when there was none. Tenant owner or admin. Writes governance.retention.policy_removed (before).';

--
-- Name: restore(regclass, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.restore(target regclass, pk jsonb) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_pk text[];
  v_match text;
  v_rows bigint;
begin
  if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete') then
    raise exception 'soft delete is not enabled on %', target using errcode = '22023', hint = 'warden.enable_soft_delete() turns it on';
  end if;
  select array_agg(a.attname::text order by k.ord) into v_pk
  from pg_index ix cross join lateral unnest(ix.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.attnum
  where ix.indrelid = target and ix.indisprimary;
  if pk is null or jsonb_typeof(pk) <> 'object'
     or (select array_agg(k order by k) from jsonb_object_keys(pk) k) is distinct from (select array_agg(k order by k) from unnest(v_pk) k)
     or exists (select 1 from jsonb_each(pk) e where jsonb_typeof(e.value) in ('null', 'object', 'array')) then
    raise exception 'pk must be a JSON object naming exactly the primary key columns of % (%) with scalar values', target, array_to_string(v_pk, ', ')
      using errcode = '22023';
  end if;
  select string_agg(format('%I = ($1 ->> %L)::%s', a.attname, a.attname, format_type(a.atttypid, a.atttypmod)), ' and ') into v_match
  from unnest(v_pk) k join pg_attribute a on a.attrelid = target and a.attname = k;
  -- The DELETE reaches the soft-deleted row (the hide policy lets it
  -- through while this function is on the stack); the trigger clears the
  -- mark instead of deleting, and counts the rows it restored.
  perform set_config('warden.soft_delete_rows', '0', true);
  perform set_config('warden.soft_delete_operation', 'restore', true);
  execute format('delete from %s where %s and deleted_at is not null', target, v_match) using pk;
  perform set_config('warden.soft_delete_operation', '', true);
  v_rows := coalesce(nullif(current_setting('warden.soft_delete_rows', true), ''), '0')::bigint;
  if v_rows = 0 then
    raise exception 'no soft-deleted row of % with primary key % that you may restore', target, pk using errcode = 'P0002';
  end if;
  return true;
end;
$_$;

--
-- Name: FUNCTION restore(target regclass, pk jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.restore(target regclass, pk jsonb) IS 'Brings back a soft-deleted row of a table with soft delete enabled (pk: its primary key as a JSON object, e.g. {"id": 42}); writes a governance.restore audit event. Allowed to whoever may DELETE the row (the table''s privileges and row-level security decide; tenants never reach each other''s rows). Raises P0002 when there is no such soft-deleted row the caller may delete.';

--
-- Name: tenant_invitations; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.tenant_invitations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    email text NOT NULL,
    role warden.tenant_role DEFAULT 'member'::warden.tenant_role NOT NULL,
    invited_by jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    accepted_by uuid,
    revoked_at timestamp with time zone,
    revoked_by jsonb,
    CONSTRAINT tenant_invitations_check CHECK (((accepted_at IS NULL) OR (revoked_at IS NULL))),
    CONSTRAINT tenant_invitations_email_check CHECK (((email ~ '^[^@\s]+@[^@\s]+$'::text) AND (length(email) <= 320)))
);

ALTER TABLE ONLY warden.tenant_invitations FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE tenant_invitations; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.tenant_invitations IS '@behavior -insert -update -delete
Invitations to join a tenant: addressed to an email, accepted by the user with that email (warden.accept_tenant_invitation). Listed to the tenant''s owners and admins; made and revoked through warden.invite_to_tenant and warden.revoke_tenant_invitation.';

--
-- Name: COLUMN tenant_invitations.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.id IS 'Invitation id.';

--
-- Name: COLUMN tenant_invitations.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.tenant_id IS 'The tenant the invitation is to.';

--
-- Name: COLUMN tenant_invitations.email; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.email IS 'The address it is for: only the user with this email (case-insensitive) can accept it.';

--
-- Name: COLUMN tenant_invitations.role; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.role IS 'The tenant role the user gets on accepting.';

--
-- Name: COLUMN tenant_invitations.invited_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.invited_by IS 'warden.current_actor() of who invited.';

--
-- Name: COLUMN tenant_invitations.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.created_at IS 'When it was sent.';

--
-- Name: COLUMN tenant_invitations.expires_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.expires_at IS 'After this it can no longer be accepted.';

--
-- Name: COLUMN tenant_invitations.accepted_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.accepted_at IS 'When it was accepted; null while open.';

--
-- Name: COLUMN tenant_invitations.accepted_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.accepted_by IS 'The user who accepted it.';

--
-- Name: COLUMN tenant_invitations.revoked_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.revoked_at IS 'When it was revoked; null unless revoked.';

--
-- Name: COLUMN tenant_invitations.revoked_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenant_invitations.revoked_by IS 'warden.current_actor() of who revoked it.';

--
-- Name: revoke_tenant_invitation(uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.revoke_tenant_invitation(invitation_id uuid) RETURNS warden.tenant_invitations
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_inv warden.tenant_invitations;
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'revoking invitations requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  select i.* into v_inv from warden.tenant_invitations i
  where i.id = revoke_tenant_invitation.invitation_id and i.tenant_id = warden.current_tenant_id() for update;
  if not found then
    raise exception 'no invitation % in this tenant', invitation_id using errcode = 'P0002';
  end if;
  if v_inv.role = 'owner' and not warden.has_tenant_role('{owner}') then
    raise exception 'only a tenant owner can revoke an invitation of an owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if v_inv.accepted_at is not null or v_inv.revoked_at is not null then
    raise exception 'invitation % is no longer open (% at %)', invitation_id,
      case when v_inv.accepted_at is not null then 'accepted' else 'revoked' end, coalesce(v_inv.accepted_at, v_inv.revoked_at)
      using errcode = '22023';
  end if;
  update warden.tenant_invitations i set revoked_at = now(), revoked_by = warden.current_actor()
  where i.id = v_inv.id returning i.* into v_inv;
  perform warden_private.record_governance_event('governance.invitation.revoked', v_inv.tenant_id, 'tenant_invitation', v_inv.id::text,
    jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', v_inv.revoked_at),
    jsonb_build_object('email', v_inv.email, 'role', v_inv.role));
  return v_inv;
end;
$$;

--
-- Name: FUNCTION revoke_tenant_invitation(invitation_id uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.revoke_tenant_invitation(invitation_id uuid) IS 'Revokes an open invitation of the current tenant (tenant owners and admins; an owner''s invitation only by an owner), so its token can no longer be accepted. Writes governance.invitation.revoked.';

--
-- Name: user_sessions; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.user_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone,
    ip inet,
    user_agent text,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_by jsonb,
    CONSTRAINT user_sessions_check CHECK ((expires_at > created_at)),
    CONSTRAINT user_sessions_check1 CHECK (((revoked_at IS NULL) = (revoked_by IS NULL))),
    CONSTRAINT user_sessions_user_agent_check CHECK ((length(user_agent) <= 1024))
);

ALTER TABLE ONLY warden.user_sessions FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE user_sessions; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.user_sessions IS '@behavior -insert -update -delete
Sessions of users: every user token Warden mints belongs to one (its jti). Revoking a session refuses its token on the next request of every API process. Users see their own sessions; tenant owners and admins see every session of the tenant.';

--
-- Name: COLUMN user_sessions.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.id IS 'Session id: the jti claim of the token.';

--
-- Name: COLUMN user_sessions.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.tenant_id IS 'The tenant the session acts in.';

--
-- Name: COLUMN user_sessions.user_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.user_id IS 'The user.';

--
-- Name: COLUMN user_sessions.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.created_at IS 'When the session (its token) was created.';

--
-- Name: COLUMN user_sessions.last_seen_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.last_seen_at IS 'When the session was last used (updated at most once a minute).';

--
-- Name: COLUMN user_sessions.ip; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.ip IS 'Address of the client the session was created for (null for the CLI).';

--
-- Name: COLUMN user_sessions.user_agent; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.user_agent IS 'User agent the session was created for (null for the CLI).';

--
-- Name: COLUMN user_sessions.expires_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.expires_at IS 'When the session (its token) expires.';

--
-- Name: COLUMN user_sessions.revoked_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.revoked_at IS 'When the session was revoked; null while it is not.';

--
-- Name: COLUMN user_sessions.revoked_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.user_sessions.revoked_by IS 'Who revoked the session: the actor ({type, id, ...}, as warden.current_actor() gives it).';

--
-- Name: revoke_user_session(uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.revoke_user_session(session_id uuid) RETURNS warden.user_sessions
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  s warden.user_sessions;
begin
  select * into s from warden.user_sessions us
  where us.id = revoke_user_session.session_id and us.tenant_id = warden.current_tenant_id();
  if s.id is null then
    raise exception 'no session % in the current tenant', revoke_user_session.session_id using errcode = 'P0002';
  end if;
  perform warden_private.check_session_revoker(s.user_id);
  if s.revoked_at is not null then
    return s; -- revoking twice answers with the first revocation
  end if;
  select * into s from warden_private.revoke_user_sessions(array[s.id], warden.current_actor());
  return s;
end;
$$;

--
-- Name: FUNCTION revoke_user_session(session_id uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.revoke_user_session(session_id uuid) IS 'Revokes a session of the current tenant: one''s own, or any as tenant owner or admin (an owner''s only as owner). Its token is refused on the next request. Revoking a revoked session returns it unchanged.';

--
-- Name: revoke_user_sessions(uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.revoke_user_sessions(user_id uuid) RETURNS SETOF warden.user_sessions
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  perform warden_private.check_session_revoker(revoke_user_sessions.user_id);
  return query
  select * from warden_private.revoke_user_sessions(
    array(select us.id from warden.user_sessions us
          where us.tenant_id = warden.current_tenant_id() and us.user_id = revoke_user_sessions.user_id
            and us.revoked_at is null and us.expires_at > now()),
    warden.current_actor());
end;
$$;

--
-- Name: FUNCTION revoke_user_sessions(user_id uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.revoke_user_sessions(user_id uuid) IS 'Revokes every live session of a user in the current tenant (one''s own, or anyone''s as tenant owner or admin; an owner''s only as owner); returns the sessions revoked.';

--
-- Name: row_history(regclass, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.row_history(target regclass, pk jsonb) RETURNS TABLE(event_id uuid, occurred_at timestamp with time zone, action text, actor_type warden.actor_type, actor_id text, trace_id text, txid bigint, changed_fields text[], old_values jsonb, new_values jsonb, row_data jsonb, redacted_fields jsonb)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select h.* from warden.audit_row_history(
    (select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target),
    pk) h
$$;

--
-- Name: FUNCTION row_history(target regclass, pk jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.row_history(target regclass, pk jsonb) IS '@name row_history_regclass
@behavior -*
The versions of one row, oldest first (the regclass form of warden.audit_row_history(text, jsonb), which GraphQL exposes as rowHistory).';

--
-- Name: set_api_key_scopes(uuid, text[]); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.set_api_key_scopes(api_key_id uuid, scopes text[]) RETURNS text[]
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_tenant uuid := warden.current_tenant_id();
  v_after text[];
begin
  if not warden.has_tenant_role('{owner}') then
    raise exception 'changing an API key''s scopes requires tenant role owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if scopes is null or array_position(scopes, null) is not null or not scopes <@ array['backfill']::text[] then
    raise exception 'unknown API key scope in %: the scopes are backfill', coalesce(scopes::text, 'null') using errcode = '22023';
  end if;
  v_after := array(select distinct s from unnest(scopes) s order by s);
  -- the key's governance trigger records the change (governance.api_key.changed)
  update warden.api_keys k set scopes = v_after
  where k.id = set_api_key_scopes.api_key_id and k.tenant_id = v_tenant and k.revoked_at is null;
  if not found then
    raise exception 'no active API key % in your tenant', api_key_id using errcode = 'P0002';
  end if;
  return v_after;
end;
$$;

--
-- Name: FUNCTION set_api_key_scopes(api_key_id uuid, scopes text[]); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.set_api_key_scopes(api_key_id uuid, scopes text[]) IS 'Sets the scopes of an active API key of the current tenant (tenant owners only): backfill, or none. The key''s governance trigger records governance.api_key.changed (before/after scopes). Returns the scopes now in force.';

--
-- Name: set_context(uuid, text, text, text, jsonb); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.set_context(tenant_id uuid, actor_id text, actor_type text, trace_id text DEFAULT NULL::text, extra jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_role text;
begin
  if actor_type is null or actor_type not in ('user', 'api_key', 'service', 'system', 'db_role') then
    raise exception 'invalid actor_type %: expected user, api_key, service, system or db_role', coalesce(quote_literal(actor_type), 'null')
      using errcode = '22023';
  end if;
  if actor_id is null or length(actor_id) = 0 or length(actor_id) > 256 then
    raise exception 'actor_id must be 1 to 256 characters' using errcode = '22023';
  end if;
  if actor_type = 'user' and actor_id !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'actor_id % is not a user id (uuid)', quote_literal(actor_id) using errcode = '22023';
  end if;
  if trace_id is not null and (length(trace_id) > 128 or trace_id !~ '^[\x21-\x7e]+$') then
    raise exception 'trace_id must be 1 to 128 printable ASCII characters' using errcode = '22023';
  end if;
  if extra is null or jsonb_typeof(extra) <> 'object' then
    raise exception 'extra must be a JSON object' using errcode = '22023';
  end if;

  v_role := extra ->> 'tenant_role';
  if v_role is not null and v_role not in ('member', 'support', 'auditor', 'admin', 'owner') then
    raise exception 'invalid tenant_role % in extra', quote_literal(v_role) using errcode = '22023';
  end if;
  if v_role is null and tenant_id is not null then
    if actor_type = 'user' then
      select m.role::text into v_role from warden.tenant_memberships m
      where m.tenant_id = set_context.tenant_id and m.user_id = actor_id::uuid;
    elsif actor_type = 'api_key' and actor_id ~* '^[0-9a-f-]{36}$' then
      select k.role::text into v_role from warden.api_keys k
      where k.tenant_id = set_context.tenant_id and k.id = actor_id::uuid and k.revoked_at is null;
    end if;
  end if;

  perform set_config('jwt.claims.tenant_id', coalesce(tenant_id::text, ''), true);
  perform set_config('jwt.claims.actor_id', actor_id, true);
  perform set_config('jwt.claims.actor_type', actor_type, true);
  perform set_config('jwt.claims.tenant_role', coalesce(v_role, ''), true);
  perform set_config('warden.trace_id', coalesce(trace_id, ''), true);
  perform set_config('warden.context_extra', (extra - 'tenant_role')::text, true);
  perform warden_private.arm_context_check();
  return warden.current_actor();
end;
$_$;

--
-- Name: FUNCTION set_context(tenant_id uuid, actor_id text, actor_type text, trace_id text, extra jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.set_context(tenant_id uuid, actor_id text, actor_type text, trace_id text, extra jsonb) IS '@behavior -*
For apps and DBAs connecting directly: sets the transaction-local request context (tenant, actor, trace id, extra) that the API would set, so triggers see one context whatever the path. Call it inside a transaction block (BEGIN ... COMMIT) before the statements it applies to: called on its own it ends with its own statement, and Warden raises a WARNING at commit. The tenant role is taken from extra.tenant_role or looked up from the membership or API key. Returns warden.current_actor(). Not executable by API requests; grant EXECUTE to your application roles.';

--
-- Name: redaction_policies; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.redaction_policies (
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    mode text DEFAULT 'off'::text NOT NULL,
    rules jsonb DEFAULT '[]'::jsonb NOT NULL,
    compiled jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text,
    CONSTRAINT redaction_policies_mode_check CHECK ((mode = ANY (ARRAY['off'::text, 'log'::text, 'enforce'::text]))),
    CONSTRAINT redaction_policies_rules_check CHECK ((jsonb_typeof(rules) = 'array'::text))
);

ALTER TABLE ONLY warden.redaction_policies FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE redaction_policies; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.redaction_policies IS '@behavior -insert -update -delete
A tenant''s redaction rules and write-time mode (change them with warden.set_redaction_policy). Readable by the tenant''s owners, admins and auditors.';

--
-- Name: COLUMN redaction_policies.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.redaction_policies.tenant_id IS 'The tenant.';

--
-- Name: COLUMN redaction_policies.mode; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.redaction_policies.mode IS 'Write-time mode: off (store raw), log (store raw, count matches), enforce (rewrite before storing). Reads are masked for non-owner/admin roles whatever the mode.';

--
-- Name: COLUMN redaction_policies.rules; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.redaction_policies.rules IS 'The rules as given: [{field: event_data, path: "a.b", method}, {field: actor_ip, method}, {field: user_agent, method}, {field: values, table: "schema.table", column, method}], method mask | remove | hash.';

--
-- Name: COLUMN redaction_policies.compiled; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.redaction_policies.compiled IS '@behavior -*
The rules in the shape the redaction function uses: {ip, ua, data: [{path, method}], values: {table: {column: method}}}.';

--
-- Name: COLUMN redaction_policies.updated_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.redaction_policies.updated_at IS 'When the policy was last changed.';

--
-- Name: COLUMN redaction_policies.updated_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.redaction_policies.updated_by IS 'Who last changed it (actor id or database role).';

--
-- Name: set_redaction_policy(text, jsonb, uuid); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.set_redaction_policy(mode text, rules jsonb, tenant uuid DEFAULT NULL::uuid) RETURNS warden.redaction_policies
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_tenant uuid := coalesce(tenant, warden.current_tenant_id());
  v_compiled jsonb;
  v_before jsonb;
  v_row warden.redaction_policies;
begin
  perform warden_private.assert_tenant_admin(v_tenant);
  if mode is null or mode not in ('off', 'log', 'enforce') then
    raise exception 'mode must be off, log or enforce, got %', coalesce(quote_literal(mode), 'null') using errcode = '22023';
  end if;
  v_compiled := warden_private.compile_redaction_rules(coalesce(rules, '[]'));
  if (v_compiled ->> 'needs_key')::boolean then
    perform warden_private.tenant_hash_key(v_tenant);
  end if;
  select jsonb_build_object('mode', p.mode, 'rules', p.rules) into v_before
  from warden.redaction_policies p where p.tenant_id = v_tenant for update;
  insert into warden.redaction_policies as p (tenant_id, mode, rules, compiled, updated_at, updated_by)
  values (v_tenant, set_redaction_policy.mode, coalesce(rules, '[]'), v_compiled, now(), warden.current_actor() ->> 'id')
  on conflict on constraint redaction_policies_pkey do update
    set mode = excluded.mode, rules = excluded.rules, compiled = excluded.compiled, updated_at = now(), updated_by = excluded.updated_by
  returning * into v_row;
  perform warden_private.sync_redaction_trigger();
  perform warden_private.record_governance_event('governance.redaction.policy_changed', v_tenant, 'redaction_policy', v_tenant::text,
    v_before, jsonb_build_object('mode', v_row.mode, 'rules', v_row.rules),
    '{}', case when v_row.mode = 'off' and coalesce(v_before ->> 'mode', 'off') <> 'off' then 'warning' else 'notice' end::warden.audit_severity);
  return v_row;
end;
$$;

--
-- Name: FUNCTION set_redaction_policy(mode text, rules jsonb, tenant uuid); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.set_redaction_policy(mode text, rules jsonb, tenant uuid) IS 'Sets the current tenant''s redaction policy (tenant owners and admins; a DBA without a request context passes tenant): mode off | log | enforce and rules [{field: event_data, path, method} | {field: actor_ip | user_agent, method} | {field: values, table, column, method}] with method mask | remove | hash. Writes governance.redaction.policy_changed (before/after; severity warning when write-time redaction is switched off). Returns the policy.';

--
-- Name: set_retention_policy(text, integer); Type: FUNCTION; Schema: warden; Owner: -
--

CREATE FUNCTION warden.set_retention_policy(event_type_pattern text, days integer) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_id uuid;
  v_before integer;
  v_by text := coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user);
begin
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'setting a retention policy requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if days is null or days not between 1 and 2557 then
    raise exception 'days must be between 1 and 2557 (7 years), got %', coalesce(days::text, 'null') using errcode = '22023';
  end if;
  if event_type_pattern is null or not (event_type_pattern = '*' or
       event_type_pattern ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$' and length(event_type_pattern) <= 200) then
    raise exception 'invalid event_type_pattern %: expected *, an event type, or a prefix ending in .*', coalesce(quote_literal(event_type_pattern), 'null')
      using errcode = '22023';
  end if;
  select p.days into v_before from warden_private.retention_policies p
  where p.tenant_id = warden.current_tenant_id() and p.event_type_pattern = set_retention_policy.event_type_pattern for update;
  insert into warden_private.retention_policies (tenant_id, event_type_pattern, days, created_by)
  values (warden.current_tenant_id(), event_type_pattern, days, v_by)
  on conflict on constraint retention_policies_unique
    do update set days = excluded.days, created_by = excluded.created_by, updated_at = now()
  returning id into v_id;
  perform warden_private.record_governance_event('governance.retention.policy_set', warden.current_tenant_id(), 'retention_policy', v_id::text,
    case when v_before is not null then jsonb_build_object('event_type_pattern', event_type_pattern, 'days', v_before) end,
    jsonb_build_object('event_type_pattern', event_type_pattern, 'days', days));
  return v_id;
end;
$_$;

--
-- Name: FUNCTION set_retention_policy(event_type_pattern text, days integer); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON FUNCTION warden.set_retention_policy(event_type_pattern text, days integer) IS 'Sets how many days (1..2557) the current tenant keeps events matching event_type_pattern (*, an exact type, or a prefix like gateway.*); replaces an existing policy for the same pattern. Tenant owner or admin. Writes governance.retention.policy_set (before/after).';

--
-- Name: arm_context_check(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.arm_context_check() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_cid integer;
begin
  perform set_config('warden.context_set_at', extract(epoch from statement_timestamp())::text, true);
  -- Transaction-local settings: set means armed earlier in this transaction.
  if nullif(current_setting('warden.context_set_cid', true), '') is not null then
    return;
  end if;
  if current_setting('transaction_read_only') = 'on' then
    return;  -- nothing can be written (or audited) in this transaction anyway
  end if;
  -- The last write of set_context: its command id is compared at commit.
  insert into warden_private.context_commit_checks as c (backend_pid, armed) values (pg_backend_pid(), true)
  on conflict on constraint context_commit_checks_pkey do update set armed = true
  returning c.cmin::text::integer into v_cid;
  perform set_config('warden.context_set_cid', v_cid::text, true);
end;
$$;

--
-- Name: FUNCTION arm_context_check(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.arm_context_check() IS 'Called by warden.set_context: queues the commit-time check that warns when the context ended unused (see warden_private.tg_context_commit_check). Skipped in read-only transactions.';

--
-- Name: assert_tenant_admin(uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.assert_tenant_admin(tenant uuid) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if tenant is null then
    raise exception 'a tenant is required' using errcode = '22023';
  end if;
  if warden.current_tenant_id() is null and coalesce(current_setting('role', true), 'none') <> 'warden_visitor' then
    if not exists (select 1 from warden.tenants t where t.id = tenant) then
      raise exception 'tenant % does not exist', tenant using errcode = 'P0002';
    end if;
    return;  -- a direct database caller with EXECUTE on the function
  end if;
  if warden.current_tenant_id() is distinct from tenant or not warden.has_tenant_role('{owner,admin}') then
    raise exception 'this needs tenant role owner or admin in tenant %', tenant using errcode = '42501', hint = 'missing_role=admin';
  end if;
end;
$$;

--
-- Name: FUNCTION assert_tenant_admin(tenant uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.assert_tenant_admin(tenant uuid) IS 'Raises 42501 unless the caller is an owner or admin of the tenant (from the request context) or a direct database caller without a request context.';

--
-- Name: audit_events; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.audit_events (
    event_id uuid DEFAULT warden_private.uuid_v7() NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    recorded_at timestamp with time zone DEFAULT statement_timestamp() NOT NULL,
    tenant_id uuid,
    event_type text NOT NULL,
    category text NOT NULL,
    action text NOT NULL,
    outcome warden.audit_outcome DEFAULT 'success'::warden.audit_outcome NOT NULL,
    severity warden.audit_severity DEFAULT 'info'::warden.audit_severity NOT NULL,
    actor_type warden.actor_type NOT NULL,
    actor_id text NOT NULL,
    actor_ip inet,
    user_agent text,
    resource_type text,
    resource_id text,
    correlation_id text,
    trace_id text,
    parent_event_id uuid,
    service text,
    txid bigint DEFAULT ((pg_current_xact_id())::text)::bigint NOT NULL,
    table_name text,
    row_pk jsonb,
    changed_fields text[],
    old_values jsonb,
    new_values jsonb,
    event_data jsonb,
    CONSTRAINT audit_events_action_check CHECK (((length(action) >= 1) AND (length(action) <= 64))),
    CONSTRAINT audit_events_actor_id_check CHECK (((length(actor_id) >= 1) AND (length(actor_id) <= 256))),
    CONSTRAINT audit_events_category_check CHECK (((length(category) >= 1) AND (length(category) <= 64))),
    CONSTRAINT audit_events_correlation_id_check CHECK ((length(correlation_id) <= 200)),
    CONSTRAINT audit_events_event_type_check CHECK (((event_type ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$'::text) AND (length(event_type) <= 200))),
    CONSTRAINT audit_events_resource_id_check CHECK ((length(resource_id) <= 1024)),
    CONSTRAINT audit_events_resource_type_check CHECK ((length(resource_type) <= 200)),
    CONSTRAINT audit_events_service_check CHECK ((length(service) <= 200)),
    CONSTRAINT audit_events_system_actor CHECK (((actor_type <> 'system'::warden.actor_type) OR (actor_id = 'system'::text))),
    CONSTRAINT audit_events_trace_id_check CHECK ((length(trace_id) <= 200)),
    CONSTRAINT audit_events_user_agent_check CHECK ((length(user_agent) <= 1024))
)
PARTITION BY RANGE (occurred_at);

ALTER TABLE ONLY warden.audit_events FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE audit_events; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.audit_events IS '@name audit_event_store
@behavior -*
Every audit event of every tenant: row changes captured by triggers and events posted by services. Monthly partitions (warden_private.audit_events_pYYYYMM) plus a default partition. Append-only: UPDATE, DELETE and TRUNCATE fail except inside Warden''s governance functions. API reads go through warden.audit_events_redacted.';

--
-- Name: COLUMN audit_events.event_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.event_id IS 'Unique id of the event (UUID version 7: time-ordered).';

--
-- Name: COLUMN audit_events.occurred_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.occurred_at IS 'When it happened (for row events: the start of the writing transaction). Partition key.';

--
-- Name: COLUMN audit_events.recorded_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.recorded_at IS 'When Warden stored it.';

--
-- Name: COLUMN audit_events.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.tenant_id IS 'The tenant the event belongs to; null for events outside any tenant.';

--
-- Name: COLUMN audit_events.event_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.event_type IS 'Dotted, lower-case type, e.g. db.public.orders.update or gateway.signal.received.';

--
-- Name: COLUMN audit_events.category; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.category IS 'Broad category: data (row changes), ddl, or the first segment of event_type for posted events.';

--
-- Name: COLUMN audit_events.action; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.action IS 'What was done: insert, update, delete, truncate, or the posted action.';

--
-- Name: COLUMN audit_events.outcome; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.outcome IS 'success, failure or unknown.';

--
-- Name: COLUMN audit_events.severity; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.severity IS 'debug, info, notice, warning, error or critical.';

--
-- Name: COLUMN audit_events.actor_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.actor_type IS 'user, api_key, service, system or db_role.';

--
-- Name: COLUMN audit_events.actor_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.actor_id IS 'Who acted: user id, API key id, service name, "system", or the database role.';

--
-- Name: COLUMN audit_events.actor_ip; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.actor_ip IS 'Client address of the actor, when known.';

--
-- Name: COLUMN audit_events.user_agent; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.user_agent IS 'User agent of the actor, when known.';

--
-- Name: COLUMN audit_events.resource_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.resource_type IS 'Type of the affected resource (for row events: the table, or the resource_type option).';

--
-- Name: COLUMN audit_events.resource_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.resource_id IS 'Id of the affected resource (for row events: the primary key; composite keys as JSON).';

--
-- Name: COLUMN audit_events.correlation_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.correlation_id IS 'Groups the events of one request or remediation across services.';

--
-- Name: COLUMN audit_events.trace_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.trace_id IS 'Trace id of the request (W3C trace id or X-Request-Id); events of one transaction share it.';

--
-- Name: COLUMN audit_events.parent_event_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.parent_event_id IS 'The event that caused this one, when known.';

--
-- Name: COLUMN audit_events.service; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.service IS 'The service that produced the event (for direct connections: application_name).';

--
-- Name: COLUMN audit_events.txid; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.txid IS 'Id of the writing transaction; events of one transaction share it.';

--
-- Name: COLUMN audit_events.table_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.table_name IS 'For row events: the audited table (schema.table).';

--
-- Name: COLUMN audit_events.row_pk; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.row_pk IS 'For row events: the primary key as a JSON object; null for tables without one (old_values then holds the whole row).';

--
-- Name: COLUMN audit_events.changed_fields; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.changed_fields IS 'For updates: the columns whose values changed.';

--
-- Name: COLUMN audit_events.old_values; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.old_values IS 'For updates: old values of the changed columns (all columns with capture=full or without a primary key); for deletes: the row.';

--
-- Name: COLUMN audit_events.new_values; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.new_values IS 'For updates: new values of the changed columns (all columns with capture=full); for inserts: the row.';

--
-- Name: COLUMN audit_events.event_data; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events.event_data IS '@behavior +attribute:filterBy
Event payload following the common envelope {version, service, operation, status, attempt?, retry_reason?, source_payload?}; for truncates {row_count}.';

--
-- Name: audit_envelope(warden.audit_events); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_envelope(e warden.audit_events) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  -- What erasure never changes, as a length-prefixed record (cheap and unambiguous).
  select 'warden.envelope.v1|' || e.event_id::text
    || '|' || warden_private.canonical_field(e.tenant_id::text)
    || '|' || ((extract(epoch from e.occurred_at) * 1000000)::bigint)::text
    || '|' || warden_private.canonical_field(e.event_type)
    || '|' || warden_private.canonical_field(e.category)
    || '|' || warden_private.canonical_field(e.action)
    || '|' || e.outcome::text || '|' || e.severity::text || '|' || e.actor_type::text
    || '|' || e.txid::text
    || '|' || warden_private.canonical_field(e.table_name)
    || '|' || warden_private.canonical_field(e.correlation_id)
    || '|' || warden_private.canonical_field(e.trace_id)
    || '|' || warden_private.canonical_field(e.parent_event_id::text)
$$;

--
-- Name: FUNCTION audit_envelope(e warden.audit_events); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_envelope(e warden.audit_events) IS 'Canonical envelope of an event: the fields the hash chain covers directly.';

--
-- Name: audit_event_is_plainly_valid(jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_event_is_plainly_valid(item jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  select coalesce(
    jsonb_typeof(item) = 'object'
    and (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload}'::text[]) = '{}'
    and jsonb_typeof(item -> 'event_type') = 'string'
    and length(item ->> 'event_type') <= 64
    and (item ->> 'event_type') ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$'
    and jsonb_typeof(item -> 'outcome') = 'string'
    and lower(item ->> 'outcome') in ('success', 'failure', 'unknown')
    and (not item ? 'event_id' or (jsonb_typeof(item -> 'event_id') = 'string'
         and (item ->> 'event_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
    and (not item ? 'parent_event_id' or (jsonb_typeof(item -> 'parent_event_id') = 'string'
         and (item ->> 'parent_event_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'))
    and (not item ? 'occurred_at' or (jsonb_typeof(item -> 'occurred_at') = 'string'
         and (item ->> 'occurred_at') ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$'
         and warden_private.rfc3339_is_valid(item ->> 'occurred_at')))
    and (not item ? 'severity' or (jsonb_typeof(item -> 'severity') = 'string'
         and lower(item ->> 'severity') in ('debug', 'info', 'notice', 'warn', 'warning', 'error', 'critical')))
    and (not item ? 'action' or (jsonb_typeof(item -> 'action') = 'string' and length(item ->> 'action') between 1 and 64))
    and (not item ? 'correlation_id' or (jsonb_typeof(item -> 'correlation_id') = 'string' and length(item ->> 'correlation_id') between 1 and 200))
    and (not item ? 'trace_id' or (jsonb_typeof(item -> 'trace_id') = 'string' and length(item ->> 'trace_id') between 1 and 200))
    and (not item ? 'service' or (jsonb_typeof(item -> 'service') = 'string' and length(item ->> 'service') between 1 and 200))
    and (not item ? 'actor' or (jsonb_typeof(item -> 'actor') = 'object'
         and (item -> 'actor') - '{type,id}'::text[] = '{}'
         and jsonb_typeof(item #> '{actor,type}') = 'string'
         and (item #>> '{actor,type}') in ('user', 'api_key', 'service', 'system', 'db_role')
         and jsonb_typeof(item #> '{actor,id}') = 'string'
         and length(item #>> '{actor,id}') between 1 and 256
         and ((item #>> '{actor,type}') <> 'system' or (item #>> '{actor,id}') = 'system')))
    and (not item ? 'resource' or (jsonb_typeof(item -> 'resource') = 'object'
         and (item -> 'resource') - '{type,id}'::text[] = '{}'
         and (not item -> 'resource' ? 'type' or (jsonb_typeof(item #> '{resource,type}') = 'string' and length(item #>> '{resource,type}') between 1 and 200))
         and (not item -> 'resource' ? 'id' or (jsonb_typeof(item #> '{resource,id}') = 'string' and length(item #>> '{resource,id}') between 1 and 1024))))
    and (not item ? 'data' or (jsonb_typeof(item -> 'data') = 'object' and octet_length((item -> 'data')::text) <= 65536
         and not (item -> 'data') ?| '{version,service,operation,status,attempt,retry_reason,source_payload,backfill}'::text[]
         and not jsonb_path_exists(item -> 'data', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')))
    and (not item ?| '{attempt,retry_reason,source_payload}'::text[] or (
         (not item ? 'attempt' or (jsonb_typeof(item -> 'attempt') = 'number' and (item ->> 'attempt') ~ '^[1-9][0-9]{0,5}$'))
         and (not item ? 'retry_reason' or (jsonb_typeof(item -> 'retry_reason') = 'string' and length(item ->> 'retry_reason') between 1 and 1000))
         and (not item ? 'source_payload' or (octet_length((item -> 'source_payload')::text) <= 65536
              and not jsonb_path_exists(item -> 'source_payload', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")'))))),
    false)
$_$;

--
-- Name: FUNCTION audit_event_is_plainly_valid(item jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_event_is_plainly_valid(item jsonb) IS 'True only for a posted audit event that every validation rule accepts (a shortcut for the common case; false means the full rules in audit_event_rule_problems must run).';

--
-- Name: audit_event_problem_list(jsonb, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_event_problem_list(item jsonb, pointer text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select case when warden_private.audit_event_is_plainly_valid(item) then '[]'::jsonb
              else warden_private.audit_event_rule_problems(item, pointer) end
$$;

--
-- Name: FUNCTION audit_event_problem_list(item jsonb, pointer text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_event_problem_list(item jsonb, pointer text) IS 'Validation of one posted audit event: a JSON array of its problems [{pointer, reason}], empty when valid. The single definition REST, GraphQL and SQL callers share (audit_event_is_plainly_valid short-cuts the common valid case; audit_event_rule_problems holds the rules).';

--
-- Name: audit_event_problems(jsonb, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_event_problems(item jsonb, pointer text) RETURNS TABLE(problem_pointer text, reason text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select p ->> 'pointer', p ->> 'reason'
  from jsonb_array_elements(warden_private.audit_event_problem_list(item, pointer)) p
$$;

--
-- Name: FUNCTION audit_event_problems(item jsonb, pointer text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_event_problems(item jsonb, pointer text) IS 'The problems of one posted audit event as rows (pointer, reason); see warden_private.audit_event_problem_list.';

--
-- Name: audit_event_rule_problems(jsonb, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_event_rule_problems(item jsonb, pointer text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $_$
  select case when jsonb_typeof(item) is distinct from 'object' then
    jsonb_build_array(warden_private.audit_problem(pointer, 'must be a JSON object'))
  else
    -- unknown fields (enumerated only when there are some)
    case when (item - '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload}'::text[]) <> '{}'
      then warden_private.audit_unknown_keys(item, '{event_id,event_type,outcome,actor,occurred_at,severity,action,resource,correlation_id,trace_id,parent_event_id,service,data,attempt,retry_reason,source_payload}', pointer)
      else '[]' end
    || case when jsonb_typeof(item -> 'actor') = 'object' and (item -> 'actor') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'actor', '{type,id}', pointer || '/actor') else '[]' end
    || case when jsonb_typeof(item -> 'resource') = 'object' and (item -> 'resource') - '{type,id}'::text[] <> '{}'
      then warden_private.audit_unknown_keys(item -> 'resource', '{type,id}', pointer || '/resource') else '[]' end
    -- the envelope's keys are Warden's: reserved in data, each named
    || case when jsonb_typeof(item -> 'data') = 'object'
             and (item -> 'data') ?| '{version,service,operation,status,attempt,retry_reason,source_payload,backfill}'::text[]
      then (select jsonb_agg(warden_private.audit_problem(pointer || '/data/' || k,
              case when k in ('attempt', 'retry_reason', 'source_payload')
                then 'reserved for the envelope: send ' || k || ' as a field of the event, beside data'
                else 'reserved for the envelope Warden writes' end) order by k)
            from jsonb_object_keys(item -> 'data') k
            where k in ('version', 'service', 'operation', 'status', 'attempt', 'retry_reason', 'source_payload', 'backfill'))
      else '[]' end
    || to_jsonb(array_remove(array[
      warden_private.audit_problem(pointer || '/event_type', case
        when not item ? 'event_type' then 'required'
        when jsonb_typeof(item -> 'event_type') <> 'string' or (item ->> 'event_type') !~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$'
             or length(item ->> 'event_type') > 200
          then 'a dotted lower-case string such as gateway.signal.received (at most 200 characters)'
        when length(split_part(item ->> 'event_type', '.', 1)) > 64
          then 'its first segment (the category) is at most 64 characters'
        when not item ? 'action' and length(regexp_replace(item ->> 'event_type', '^.*\.', '')) > 64
          then 'its last segment (the action, when action is not given) is at most 64 characters'
      end),
      warden_private.audit_problem(pointer || '/outcome', case
        when not item ? 'outcome' then 'required'
        when jsonb_typeof(item -> 'outcome') <> 'string' or lower(item ->> 'outcome') not in ('success', 'failure', 'unknown')
          then 'one of success, failure, unknown'
      end),
      warden_private.audit_problem(pointer || '/event_id', case
        when item ? 'event_id' and (jsonb_typeof(item -> 'event_id') <> 'string'
             or (item ->> 'event_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then 'a uuid'
      end),
      warden_private.audit_problem(pointer || '/parent_event_id', case
        when item ? 'parent_event_id' and (jsonb_typeof(item -> 'parent_event_id') <> 'string'
             or (item ->> 'parent_event_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then 'a uuid'
      end),
      warden_private.audit_problem(pointer || '/occurred_at', case
        when not item ? 'occurred_at' then null
        when jsonb_typeof(item -> 'occurred_at') <> 'string'
             or (item ->> 'occurred_at') !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$'
          then 'an RFC 3339 time such as 2026-01-02T03:04:05Z'
        when not warden_private.rfc3339_is_valid(item ->> 'occurred_at') then 'not a valid date and time'
      end),
      warden_private.audit_problem(pointer || '/severity', case
        when item ? 'severity' and (jsonb_typeof(item -> 'severity') <> 'string'
             or lower(item ->> 'severity') not in ('debug', 'info', 'notice', 'warn', 'warning', 'error', 'critical'))
          then 'one of debug, info, notice, warning, error, critical'
      end),
      warden_private.audit_problem(pointer || '/action', case
        when item ? 'action' and (jsonb_typeof(item -> 'action') <> 'string' or length(item ->> 'action') not between 1 and 64)
          then 'a string of 1 to 64 characters' end),
      warden_private.audit_problem(pointer || '/correlation_id', case
        when item ? 'correlation_id' and (jsonb_typeof(item -> 'correlation_id') <> 'string' or length(item ->> 'correlation_id') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/trace_id', case
        when item ? 'trace_id' and (jsonb_typeof(item -> 'trace_id') <> 'string' or length(item ->> 'trace_id') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/service', case
        when item ? 'service' and (jsonb_typeof(item -> 'service') <> 'string' or length(item ->> 'service') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/actor', case
        when item ? 'actor' and jsonb_typeof(item -> 'actor') <> 'object' then 'an object {type, id}' end),
      warden_private.audit_problem(pointer || '/actor/type', case
        when jsonb_typeof(item -> 'actor') = 'object' and (jsonb_typeof(item #> '{actor,type}') is distinct from 'string'
             or (item #>> '{actor,type}') not in ('user', 'api_key', 'service', 'system', 'db_role'))
          then 'one of user, api_key, service, system, db_role' end),
      warden_private.audit_problem(pointer || '/actor/id', case
        when jsonb_typeof(item -> 'actor') is distinct from 'object' then null
        when jsonb_typeof(item #> '{actor,id}') is distinct from 'string' or length(item #>> '{actor,id}') not between 1 and 256
          then 'a string of 1 to 256 characters'
        when (item #>> '{actor,type}') = 'system' and (item #>> '{actor,id}') <> 'system' then 'a system actor has id system'
      end),
      warden_private.audit_problem(pointer || '/resource', case
        when item ? 'resource' and jsonb_typeof(item -> 'resource') <> 'object' then 'an object {type, id}' end),
      warden_private.audit_problem(pointer || '/resource/type', case
        when jsonb_typeof(item -> 'resource') = 'object' and item -> 'resource' ? 'type'
             and (jsonb_typeof(item #> '{resource,type}') <> 'string' or length(item #>> '{resource,type}') not between 1 and 200)
          then 'a string of 1 to 200 characters' end),
      warden_private.audit_problem(pointer || '/resource/id', case
        when jsonb_typeof(item -> 'resource') = 'object' and item -> 'resource' ? 'id'
             and (jsonb_typeof(item #> '{resource,id}') <> 'string' or length(item #>> '{resource,id}') not between 1 and 1024)
          then 'a string of 1 to 1024 characters' end),
      warden_private.audit_problem(pointer || '/data', case
        when not item ? 'data' then null
        when jsonb_typeof(item -> 'data') <> 'object' then 'a JSON object'
        when octet_length((item -> 'data')::text) > 65536 then 'at most 64 KiB'
        when jsonb_path_exists(item -> 'data', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')
          then 'objects and arrays nested more than 64 levels deep'
      end),
      warden_private.audit_problem(pointer || '/attempt', case
        when item ? 'attempt' and (jsonb_typeof(item -> 'attempt') <> 'number' or (item ->> 'attempt') !~ '^[1-9][0-9]{0,5}$')
          then 'a whole number from 1 to 999999' end),
      warden_private.audit_problem(pointer || '/retry_reason', case
        when item ? 'retry_reason' and (jsonb_typeof(item -> 'retry_reason') <> 'string' or length(item ->> 'retry_reason') not between 1 and 1000)
          then 'a string of 1 to 1000 characters' end),
      warden_private.audit_problem(pointer || '/source_payload', case
        when not item ? 'source_payload' then null
        when octet_length((item -> 'source_payload')::text) > 65536 then 'at most 64 KiB'
        when jsonb_path_exists(item -> 'source_payload', 'strict $.**{64} ? (@.type() == "object" || @.type() == "array")')
          then 'objects and arrays nested more than 64 levels deep'
      end)
    ]::jsonb[], null))
  end
$_$;

--
-- Name: FUNCTION audit_event_rule_problems(item jsonb, pointer text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_event_rule_problems(item jsonb, pointer text) IS 'The validation rules for one posted audit event, every one evaluated: a JSON array of its problems [{pointer, reason}], empty when valid. Callers use audit_event_problem_list.';

--
-- Name: audit_event_type(regclass, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_event_type(target regclass, op text) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select 'db.' || regexp_replace(lower(n.nspname), '[^a-z0-9_-]', '_', 'g')
      || '.' || regexp_replace(lower(c.relname), '[^a-z0-9_-]', '_', 'g')
      || '.' || lower(op)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.oid = target
$$;

--
-- Name: FUNCTION audit_event_type(target regclass, op text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_event_type(target regclass, op text) IS 'db.<schema>.<table>.<operation>, lower case.';

--
-- Name: audit_partition_name(date); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_partition_name(month_start date) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select 'audit_events_p' || to_char(month_start, 'YYYYMM')
$$;

--
-- Name: FUNCTION audit_partition_name(month_start date); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_partition_name(month_start date) IS 'Name of the monthly partition that starts at month_start.';

--
-- Name: audit_partitions(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_partitions() RETURNS TABLE(partition regclass, partition_name text, range_from timestamp with time zone, range_to timestamp with time zone)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select c.oid::regclass, c.relname::text,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
         (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz
  from pg_inherits i join pg_class c on c.oid = i.inhrelid
  where i.inhparent = 'warden.audit_events'::regclass
$$;

--
-- Name: FUNCTION audit_partitions(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_partitions() IS 'Every partition of warden.audit_events with its range (null bounds for the default partition).';

--
-- Name: audit_payload_hash(warden.audit_events); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_payload_hash(e warden.audit_events) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  -- What erasure may rewrite; the chain covers only its hash. jsonb text
  -- output is canonical (keys sorted), so equal values hash equally.
  select sha256(convert_to('warden.payload.v1|' || warden_private.canonical_field(e.actor_id)
    || '|' || warden_private.canonical_field(host(e.actor_ip))
    || '|' || warden_private.canonical_field(e.user_agent)
    || '|' || warden_private.canonical_field(e.resource_type)
    || '|' || warden_private.canonical_field(e.resource_id)
    || '|' || warden_private.canonical_field(e.service)
    || '|' || warden_private.canonical_field(e.row_pk::text)
    || '|' || warden_private.canonical_field(e.changed_fields::text)
    || '|' || warden_private.canonical_field(e.old_values::text)
    || '|' || warden_private.canonical_field(e.new_values::text)
    || '|' || warden_private.canonical_field(e.event_data::text), 'UTF8'))
$$;

--
-- Name: FUNCTION audit_payload_hash(e warden.audit_events); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_payload_hash(e warden.audit_events) IS 'sha256 of the canonical payload of an event (the fields erasure may rewrite).';

--
-- Name: audit_problem(text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_problem(pointer text, reason text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select case when reason is not null then jsonb_build_object('pointer', pointer, 'reason', reason) end
$$;

--
-- Name: FUNCTION audit_problem(pointer text, reason text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_problem(pointer text, reason text) IS 'One validation problem {pointer, reason}, or null when reason is null.';

--
-- Name: audit_unknown_keys(jsonb, text[], text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.audit_unknown_keys(obj jsonb, allowed text[], pointer text) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select coalesce(jsonb_agg(warden_private.audit_problem(pointer || '/' || k, 'unknown field') order by k), '[]')
  from jsonb_object_keys(obj - allowed) k
$$;

--
-- Name: FUNCTION audit_unknown_keys(obj jsonb, allowed text[], pointer text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.audit_unknown_keys(obj jsonb, allowed text[], pointer text) IS 'An "unknown field" problem for each key of obj not in allowed.';

--
-- Name: authenticate_api_key(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.authenticate_api_key(key text, OUT api_key_id uuid, OUT tenant_id uuid, OUT role warden.tenant_role, OUT rate_limit_per_second integer) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  select k.id, k.tenant_id, k.role, k.rate_limit_per_second
    into api_key_id, tenant_id, role, rate_limit_per_second
  from warden.api_keys k
  join warden_private.api_key_secrets s on s.api_key_id = k.id
  where k.prefix = split_part(authenticate_api_key.key, '_', 1) || '_' || split_part(authenticate_api_key.key, '_', 2)
    and s.key_hash = sha256(convert_to(authenticate_api_key.key, 'UTF8'))
    and k.revoked_at is null
    and (k.expires_at is null or k.expires_at > now());
  if api_key_id is not null then
    update warden.api_keys set last_used_at = now()
    where id = api_key_id and (last_used_at is null or last_used_at < now() - interval '1 minute');
  end if;
end;
$$;

--
-- Name: FUNCTION authenticate_api_key(key text, OUT api_key_id uuid, OUT tenant_id uuid, OUT role warden.tenant_role, OUT rate_limit_per_second integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.authenticate_api_key(key text, OUT api_key_id uuid, OUT tenant_id uuid, OUT role warden.tenant_role, OUT rate_limit_per_second integer) IS 'Resolves an API key to its id, tenant, role and rate limit; returns nulls for an unknown, revoked or expired key.';

--
-- Name: authenticate_session(uuid, uuid, uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.authenticate_session(session_id uuid, tenant_id uuid, user_id uuid, OUT tenant_role warden.tenant_role, OUT failure text, OUT expires_at timestamp with time zone) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  s warden.user_sessions;
begin
  select * into s from warden.user_sessions us where us.id = authenticate_session.session_id;
  if s.id is null or s.tenant_id <> authenticate_session.tenant_id or s.user_id <> authenticate_session.user_id then
    failure := 'session_not_found';
    return;
  end if;
  if s.revoked_at is not null then
    failure := 'session_revoked';
    return;
  end if;
  if s.expires_at <= now() then
    failure := 'session_expired';
    return;
  end if;
  select m.role into tenant_role from warden.tenant_memberships m
  where m.tenant_id = s.tenant_id and m.user_id = s.user_id;
  if tenant_role is null then
    failure := 'not_a_member';
    return;
  end if;
  expires_at := s.expires_at;
  if s.last_seen_at is null or s.last_seen_at < now() - interval '1 minute' then
    update warden.user_sessions us set last_seen_at = now() where us.id = s.id;
  end if;
end;
$$;

--
-- Name: FUNCTION authenticate_session(session_id uuid, tenant_id uuid, user_id uuid, OUT tenant_role warden.tenant_role, OUT failure text, OUT expires_at timestamp with time zone); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.authenticate_session(session_id uuid, tenant_id uuid, user_id uuid, OUT tenant_role warden.tenant_role, OUT failure text, OUT expires_at timestamp with time zone) IS 'Resolves a session token: the member''s tenant role and the session''s expiry, or a failure (session_not_found, session_revoked, session_expired, not_a_member). Updates last_seen_at at most once a minute.';

--
-- Name: canonical_field(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.canonical_field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  -- length-prefixed, so no value can be mistaken for a separator; null is "-"
  select coalesce(length(value)::text || ':' || value, '-')
$$;

--
-- Name: FUNCTION canonical_field(value text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.canonical_field(value text) IS 'One field of a canonical record: <length>:<value>, or - for null.';

--
-- Name: capture_1_v1(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_1_v1() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'tenants') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'tenants') then
      raise exception 'the capture function of % cannot capture %', 'warden.tenants', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_1_v1_0 (txid, n1, n2, n3, n4) select v_tx, n.id, n.name, n.created_at, n.updated_at from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 1, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_1_v1_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4)
        select v_tx, o.id, n.id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.updated_at is distinct from n.updated_at then o.updated_at end, case when o.updated_at is distinct from n.updated_at then n.updated_at end
        from (select row_number() over () as warden_capture_ordinal, id, name, created_at, updated_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, name, created_at, updated_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.name collate "C" is distinct from n.name collate "C" or o.created_at is distinct from n.created_at or o.updated_at is distinct from n.updated_at
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 1, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_1_v1_0 (txid, o1, o2, o3, o4) select v_tx, o.id, o.name, o.created_at, o.updated_at from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 1, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 1, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_1_v1_1 (txid, n1, n2, n3, n4) select v_tx, n.id, n.name, n.created_at, n.updated_at from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 1, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_1_v1_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4)
        select v_tx, o.id, n.id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.updated_at is distinct from n.updated_at then o.updated_at end, case when o.updated_at is distinct from n.updated_at then n.updated_at end
        from (select row_number() over () as warden_capture_ordinal, id, name, created_at, updated_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, name, created_at, updated_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.name collate "C" is distinct from n.name collate "C" or o.created_at is distinct from n.created_at or o.updated_at is distinct from n.updated_at
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 1, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_1_v1_1 (txid, o1, o2, o3, o4) select v_tx, o.id, o.name, o.created_at, o.updated_at from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 1, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 1, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_1_v1(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_1_v1() IS 'Generated capture function of warden.tenants (version 1): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_2_v1(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_2_v1() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'users') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'users') then
      raise exception 'the capture function of % cannot capture %', 'warden.users', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_2_v1_0 (txid, n1, n2, n3, n4, n5) select v_tx, n.id, n.email, n.display_name, n.created_at, n.updated_at from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 2, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_2_v1_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5)
        select v_tx, o.id, n.id, case when o.email collate "C" is distinct from n.email collate "C" then o.email end, case when o.email collate "C" is distinct from n.email collate "C" then n.email end, case when o.display_name collate "C" is distinct from n.display_name collate "C" then o.display_name end, case when o.display_name collate "C" is distinct from n.display_name collate "C" then n.display_name end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.updated_at is distinct from n.updated_at then o.updated_at end, case when o.updated_at is distinct from n.updated_at then n.updated_at end
        from (select row_number() over () as warden_capture_ordinal, id, email, display_name, created_at, updated_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, email, display_name, created_at, updated_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.email collate "C" is distinct from n.email collate "C" or o.display_name collate "C" is distinct from n.display_name collate "C" or o.created_at is distinct from n.created_at or o.updated_at is distinct from n.updated_at
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 2, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_2_v1_0 (txid, o1, o2, o3, o4, o5) select v_tx, o.id, o.email, o.display_name, o.created_at, o.updated_at from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 2, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 2, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_2_v1_1 (txid, n1, n2, n3, n4, n5) select v_tx, n.id, n.email, n.display_name, n.created_at, n.updated_at from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 2, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_2_v1_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5)
        select v_tx, o.id, n.id, case when o.email collate "C" is distinct from n.email collate "C" then o.email end, case when o.email collate "C" is distinct from n.email collate "C" then n.email end, case when o.display_name collate "C" is distinct from n.display_name collate "C" then o.display_name end, case when o.display_name collate "C" is distinct from n.display_name collate "C" then n.display_name end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.updated_at is distinct from n.updated_at then o.updated_at end, case when o.updated_at is distinct from n.updated_at then n.updated_at end
        from (select row_number() over () as warden_capture_ordinal, id, email, display_name, created_at, updated_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, email, display_name, created_at, updated_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.email collate "C" is distinct from n.email collate "C" or o.display_name collate "C" is distinct from n.display_name collate "C" or o.created_at is distinct from n.created_at or o.updated_at is distinct from n.updated_at
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 2, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_2_v1_1 (txid, o1, o2, o3, o4, o5) select v_tx, o.id, o.email, o.display_name, o.created_at, o.updated_at from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 2, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 2, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_2_v1(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_2_v1() IS 'Generated capture function of warden.users (version 1): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_3_v1(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_3_v1() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'tenant_memberships') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'tenant_memberships') then
      raise exception 'the capture function of % cannot capture %', 'warden.tenant_memberships', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_3_v1_0 (txid, n1, n2, n3, n4, n5, n6) select v_tx, n.id, n.tenant_id, n.user_id, n.role, n.created_at, n.joined_via from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 3, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_3_v1_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.user_id is distinct from n.user_id then o.user_id end, case when o.user_id is distinct from n.user_id then n.user_id end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.joined_via collate "C" is distinct from n.joined_via collate "C" then o.joined_via end, case when o.joined_via collate "C" is distinct from n.joined_via collate "C" then n.joined_via end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, user_id, role, created_at, joined_via from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, user_id, role, created_at, joined_via from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.user_id is distinct from n.user_id or o.role is distinct from n.role or o.created_at is distinct from n.created_at or o.joined_via collate "C" is distinct from n.joined_via collate "C"
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 3, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_3_v1_0 (txid, o1, o2, o3, o4, o5, o6) select v_tx, o.id, o.tenant_id, o.user_id, o.role, o.created_at, o.joined_via from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 3, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 3, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_3_v1_1 (txid, n1, n2, n3, n4, n5, n6) select v_tx, n.id, n.tenant_id, n.user_id, n.role, n.created_at, n.joined_via from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 3, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_3_v1_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.user_id is distinct from n.user_id then o.user_id end, case when o.user_id is distinct from n.user_id then n.user_id end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.joined_via collate "C" is distinct from n.joined_via collate "C" then o.joined_via end, case when o.joined_via collate "C" is distinct from n.joined_via collate "C" then n.joined_via end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, user_id, role, created_at, joined_via from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, user_id, role, created_at, joined_via from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.user_id is distinct from n.user_id or o.role is distinct from n.role or o.created_at is distinct from n.created_at or o.joined_via collate "C" is distinct from n.joined_via collate "C"
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 3, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_3_v1_1 (txid, o1, o2, o3, o4, o5, o6) select v_tx, o.id, o.tenant_id, o.user_id, o.role, o.created_at, o.joined_via from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 3, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 3, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_3_v1(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_3_v1() IS 'Generated capture function of warden.tenant_memberships (version 1): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_4_v1(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_4_v1() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'projects') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'projects') then
      raise exception 'the capture function of % cannot capture %', 'warden.projects', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_4_v1_0 (txid, n1, n2, n3, n4, n5, n6, n7) select v_tx, n.id, n.tenant_id, n.name, n.description, n.created_by, n.created_at, n.updated_at from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 4, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_4_v1_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.description collate "C" is distinct from n.description collate "C" then o.description end, case when o.description collate "C" is distinct from n.description collate "C" then n.description end, case when o.created_by is distinct from n.created_by then o.created_by end, case when o.created_by is distinct from n.created_by then n.created_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.updated_at is distinct from n.updated_at then o.updated_at end, case when o.updated_at is distinct from n.updated_at then n.updated_at end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, description, created_by, created_at, updated_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, description, created_by, created_at, updated_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.name collate "C" is distinct from n.name collate "C" or o.description collate "C" is distinct from n.description collate "C" or o.created_by is distinct from n.created_by or o.created_at is distinct from n.created_at or o.updated_at is distinct from n.updated_at
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 4, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_4_v1_0 (txid, o1, o2, o3, o4, o5, o6, o7) select v_tx, o.id, o.tenant_id, o.name, o.description, o.created_by, o.created_at, o.updated_at from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 4, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 4, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_4_v1_1 (txid, n1, n2, n3, n4, n5, n6, n7) select v_tx, n.id, n.tenant_id, n.name, n.description, n.created_by, n.created_at, n.updated_at from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 4, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_4_v1_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.description collate "C" is distinct from n.description collate "C" then o.description end, case when o.description collate "C" is distinct from n.description collate "C" then n.description end, case when o.created_by is distinct from n.created_by then o.created_by end, case when o.created_by is distinct from n.created_by then n.created_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.updated_at is distinct from n.updated_at then o.updated_at end, case when o.updated_at is distinct from n.updated_at then n.updated_at end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, description, created_by, created_at, updated_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, description, created_by, created_at, updated_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.name collate "C" is distinct from n.name collate "C" or o.description collate "C" is distinct from n.description collate "C" or o.created_by is distinct from n.created_by or o.created_at is distinct from n.created_at or o.updated_at is distinct from n.updated_at
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 4, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_4_v1_1 (txid, o1, o2, o3, o4, o5, o6, o7) select v_tx, o.id, o.tenant_id, o.name, o.description, o.created_by, o.created_at, o.updated_at from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 4, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 4, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_4_v1(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_4_v1() IS 'Generated capture function of warden.projects (version 1): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_5_v1(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_5_v1() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'project_members') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'project_members') then
      raise exception 'the capture function of % cannot capture %', 'warden.project_members', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_5_v1_0 (txid, n1, n2, n3, n4, n5, n6) select v_tx, n.id, n.tenant_id, n.project_id, n.user_id, n.role, n.created_at from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 5, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_5_v1_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.project_id is distinct from n.project_id then o.project_id end, case when o.project_id is distinct from n.project_id then n.project_id end, case when o.user_id is distinct from n.user_id then o.user_id end, case when o.user_id is distinct from n.user_id then n.user_id end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, project_id, user_id, role, created_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, project_id, user_id, role, created_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.project_id is distinct from n.project_id or o.user_id is distinct from n.user_id or o.role is distinct from n.role or o.created_at is distinct from n.created_at
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 5, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_5_v1_0 (txid, o1, o2, o3, o4, o5, o6) select v_tx, o.id, o.tenant_id, o.project_id, o.user_id, o.role, o.created_at from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 5, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 5, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_5_v1_1 (txid, n1, n2, n3, n4, n5, n6) select v_tx, n.id, n.tenant_id, n.project_id, n.user_id, n.role, n.created_at from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 5, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_5_v1_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.project_id is distinct from n.project_id then o.project_id end, case when o.project_id is distinct from n.project_id then n.project_id end, case when o.user_id is distinct from n.user_id then o.user_id end, case when o.user_id is distinct from n.user_id then n.user_id end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, project_id, user_id, role, created_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, project_id, user_id, role, created_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.project_id is distinct from n.project_id or o.user_id is distinct from n.user_id or o.role is distinct from n.role or o.created_at is distinct from n.created_at
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 5, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_5_v1_1 (txid, o1, o2, o3, o4, o5, o6) select v_tx, o.id, o.tenant_id, o.project_id, o.user_id, o.role, o.created_at from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 5, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 5, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_5_v1(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_5_v1() IS 'Generated capture function of warden.project_members (version 1): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_6_v1(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_6_v1() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'api_keys') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'api_keys') then
      raise exception 'the capture function of % cannot capture %', 'warden.api_keys', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_6_v1_0 (txid, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11) select v_tx, n.id, n.tenant_id, n.name, n.prefix, n.role, n.rate_limit_per_second, n.created_by, n.created_at, n.expires_at, n.last_used_at, n.revoked_at from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_6_v1_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7, o8, n8, o9, n9, o10, n10, o11, n11)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then o.prefix end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then n.prefix end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then o.rate_limit_per_second end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then n.rate_limit_per_second end, case when o.created_by is distinct from n.created_by then o.created_by end, case when o.created_by is distinct from n.created_by then n.created_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.expires_at is distinct from n.expires_at then o.expires_at end, case when o.expires_at is distinct from n.expires_at then n.expires_at end, case when o.last_used_at is distinct from n.last_used_at then o.last_used_at end, case when o.last_used_at is distinct from n.last_used_at then n.last_used_at end, case when o.revoked_at is distinct from n.revoked_at then o.revoked_at end, case when o.revoked_at is distinct from n.revoked_at then n.revoked_at end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.name collate "C" is distinct from n.name collate "C" or o.prefix collate "C" is distinct from n.prefix collate "C" or o.role is distinct from n.role or o.rate_limit_per_second is distinct from n.rate_limit_per_second or o.created_by is distinct from n.created_by or o.created_at is distinct from n.created_at or o.expires_at is distinct from n.expires_at or o.last_used_at is distinct from n.last_used_at or o.revoked_at is distinct from n.revoked_at
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_6_v1_0 (txid, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11) select v_tx, o.id, o.tenant_id, o.name, o.prefix, o.role, o.rate_limit_per_second, o.created_by, o.created_at, o.expires_at, o.last_used_at, o.revoked_at from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 6, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_6_v1_1 (txid, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11) select v_tx, n.id, n.tenant_id, n.name, n.prefix, n.role, n.rate_limit_per_second, n.created_by, n.created_at, n.expires_at, n.last_used_at, n.revoked_at from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_6_v1_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7, o8, n8, o9, n9, o10, n10, o11, n11)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then o.prefix end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then n.prefix end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then o.rate_limit_per_second end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then n.rate_limit_per_second end, case when o.created_by is distinct from n.created_by then o.created_by end, case when o.created_by is distinct from n.created_by then n.created_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.expires_at is distinct from n.expires_at then o.expires_at end, case when o.expires_at is distinct from n.expires_at then n.expires_at end, case when o.last_used_at is distinct from n.last_used_at then o.last_used_at end, case when o.last_used_at is distinct from n.last_used_at then n.last_used_at end, case when o.revoked_at is distinct from n.revoked_at then o.revoked_at end, case when o.revoked_at is distinct from n.revoked_at then n.revoked_at end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.name collate "C" is distinct from n.name collate "C" or o.prefix collate "C" is distinct from n.prefix collate "C" or o.role is distinct from n.role or o.rate_limit_per_second is distinct from n.rate_limit_per_second or o.created_by is distinct from n.created_by or o.created_at is distinct from n.created_at or o.expires_at is distinct from n.expires_at or o.last_used_at is distinct from n.last_used_at or o.revoked_at is distinct from n.revoked_at
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_6_v1_1 (txid, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11) select v_tx, o.id, o.tenant_id, o.name, o.prefix, o.role, o.rate_limit_per_second, o.created_by, o.created_at, o.expires_at, o.last_used_at, o.revoked_at from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 6, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_6_v1(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_6_v1() IS 'Generated capture function of warden.api_keys (version 1): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_6_v2(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_6_v2() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'api_keys') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'api_keys') then
      raise exception 'the capture function of % cannot capture %', 'warden.api_keys', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_6_v2_0 (txid, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12) select v_tx, n.id, n.tenant_id, n.name, n.prefix, n.role, n.rate_limit_per_second, n.created_by, n.created_at, n.expires_at, n.last_used_at, n.revoked_at, n.scopes from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 2, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_6_v2_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7, o8, n8, o9, n9, o10, n10, o11, n11, o12, n12)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then o.prefix end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then n.prefix end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then o.rate_limit_per_second end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then n.rate_limit_per_second end, case when o.created_by is distinct from n.created_by then o.created_by end, case when o.created_by is distinct from n.created_by then n.created_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.expires_at is distinct from n.expires_at then o.expires_at end, case when o.expires_at is distinct from n.expires_at then n.expires_at end, case when o.last_used_at is distinct from n.last_used_at then o.last_used_at end, case when o.last_used_at is distinct from n.last_used_at then n.last_used_at end, case when o.revoked_at is distinct from n.revoked_at then o.revoked_at end, case when o.revoked_at is distinct from n.revoked_at then n.revoked_at end, case when o.scopes collate "C" is distinct from n.scopes collate "C" then o.scopes end, case when o.scopes collate "C" is distinct from n.scopes collate "C" then n.scopes end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at, scopes from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at, scopes from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.name collate "C" is distinct from n.name collate "C" or o.prefix collate "C" is distinct from n.prefix collate "C" or o.role is distinct from n.role or o.rate_limit_per_second is distinct from n.rate_limit_per_second or o.created_by is distinct from n.created_by or o.created_at is distinct from n.created_at or o.expires_at is distinct from n.expires_at or o.last_used_at is distinct from n.last_used_at or o.revoked_at is distinct from n.revoked_at or o.scopes collate "C" is distinct from n.scopes collate "C"
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 2, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_6_v2_0 (txid, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12) select v_tx, o.id, o.tenant_id, o.name, o.prefix, o.role, o.rate_limit_per_second, o.created_by, o.created_at, o.expires_at, o.last_used_at, o.revoked_at, o.scopes from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 2, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 6, 2, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_6_v2_1 (txid, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12) select v_tx, n.id, n.tenant_id, n.name, n.prefix, n.role, n.rate_limit_per_second, n.created_by, n.created_at, n.expires_at, n.last_used_at, n.revoked_at, n.scopes from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 2, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_6_v2_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7, o8, n8, o9, n9, o10, n10, o11, n11, o12, n12)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.name collate "C" is distinct from n.name collate "C" then o.name end, case when o.name collate "C" is distinct from n.name collate "C" then n.name end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then o.prefix end, case when o.prefix collate "C" is distinct from n.prefix collate "C" then n.prefix end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then o.rate_limit_per_second end, case when o.rate_limit_per_second is distinct from n.rate_limit_per_second then n.rate_limit_per_second end, case when o.created_by is distinct from n.created_by then o.created_by end, case when o.created_by is distinct from n.created_by then n.created_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.expires_at is distinct from n.expires_at then o.expires_at end, case when o.expires_at is distinct from n.expires_at then n.expires_at end, case when o.last_used_at is distinct from n.last_used_at then o.last_used_at end, case when o.last_used_at is distinct from n.last_used_at then n.last_used_at end, case when o.revoked_at is distinct from n.revoked_at then o.revoked_at end, case when o.revoked_at is distinct from n.revoked_at then n.revoked_at end, case when o.scopes collate "C" is distinct from n.scopes collate "C" then o.scopes end, case when o.scopes collate "C" is distinct from n.scopes collate "C" then n.scopes end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at, scopes from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, name, prefix, role, rate_limit_per_second, created_by, created_at, expires_at, last_used_at, revoked_at, scopes from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.name collate "C" is distinct from n.name collate "C" or o.prefix collate "C" is distinct from n.prefix collate "C" or o.role is distinct from n.role or o.rate_limit_per_second is distinct from n.rate_limit_per_second or o.created_by is distinct from n.created_by or o.created_at is distinct from n.created_at or o.expires_at is distinct from n.expires_at or o.last_used_at is distinct from n.last_used_at or o.revoked_at is distinct from n.revoked_at or o.scopes collate "C" is distinct from n.scopes collate "C"
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 2, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_6_v2_1 (txid, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12) select v_tx, o.id, o.tenant_id, o.name, o.prefix, o.role, o.rate_limit_per_second, o.created_by, o.created_at, o.expires_at, o.last_used_at, o.revoked_at, o.scopes from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 6, 2, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 6, 2, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_6_v2(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_6_v2() IS 'Generated capture function of warden.api_keys (version 2): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_7_v1(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_7_v1() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '64MB'
    AS $$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) % 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = 'warden' and tg_table_name = 'tenant_invitations') then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = 'warden' and c.relname = 'tenant_invitations') then
      raise exception 'the capture function of % cannot capture %', 'warden.tenant_invitations', tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';
  if v_slot = 0 then
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_7_v1_0 (txid, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11) select v_tx, n.id, n.tenant_id, n.email, n.role, n.invited_by, n.created_at, n.expires_at, n.accepted_at, n.accepted_by, n.revoked_at, n.revoked_by from new_rows n returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 7, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_7_v1_0 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7, o8, n8, o9, n9, o10, n10, o11, n11)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.email collate "C" is distinct from n.email collate "C" then o.email end, case when o.email collate "C" is distinct from n.email collate "C" then n.email end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.invited_by is distinct from n.invited_by then o.invited_by end, case when o.invited_by is distinct from n.invited_by then n.invited_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.expires_at is distinct from n.expires_at then o.expires_at end, case when o.expires_at is distinct from n.expires_at then n.expires_at end, case when o.accepted_at is distinct from n.accepted_at then o.accepted_at end, case when o.accepted_at is distinct from n.accepted_at then n.accepted_at end, case when o.accepted_by is distinct from n.accepted_by then o.accepted_by end, case when o.accepted_by is distinct from n.accepted_by then n.accepted_by end, case when o.revoked_at is distinct from n.revoked_at then o.revoked_at end, case when o.revoked_at is distinct from n.revoked_at then n.revoked_at end, case when o.revoked_by is distinct from n.revoked_by then o.revoked_by end, case when o.revoked_by is distinct from n.revoked_by then n.revoked_by end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at, revoked_by from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at, revoked_by from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.email collate "C" is distinct from n.email collate "C" or o.role is distinct from n.role or o.invited_by is distinct from n.invited_by or o.created_at is distinct from n.created_at or o.expires_at is distinct from n.expires_at or o.accepted_at is distinct from n.accepted_at or o.accepted_by is distinct from n.accepted_by or o.revoked_at is distinct from n.revoked_at or o.revoked_by is distinct from n.revoked_by
        returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 7, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_7_v1_0 (txid, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11) select v_tx, o.id, o.tenant_id, o.email, o.role, o.invited_by, o.created_at, o.expires_at, o.accepted_at, o.accepted_by, o.revoked_at, o.revoked_by from old_rows o returning 1)
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 7, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_0 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 7, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  else
    if tg_op = 'INSERT' then
      with r as (insert into warden_private.capture_rows_7_v1_1 (txid, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11) select v_tx, n.id, n.tenant_id, n.email, n.role, n.invited_by, n.created_at, n.expires_at, n.accepted_at, n.accepted_by, n.revoked_at, n.revoked_by from new_rows n returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 7, 1, 'i', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into warden_private.capture_rows_7_v1_1 (txid, o1, n1, o2, n2, o3, n3, o4, n4, o5, n5, o6, n6, o7, n7, o8, n8, o9, n9, o10, n10, o11, n11)
        select v_tx, o.id, n.id, o.tenant_id, n.tenant_id, case when o.email collate "C" is distinct from n.email collate "C" then o.email end, case when o.email collate "C" is distinct from n.email collate "C" then n.email end, case when o.role is distinct from n.role then o.role end, case when o.role is distinct from n.role then n.role end, case when o.invited_by is distinct from n.invited_by then o.invited_by end, case when o.invited_by is distinct from n.invited_by then n.invited_by end, case when o.created_at is distinct from n.created_at then o.created_at end, case when o.created_at is distinct from n.created_at then n.created_at end, case when o.expires_at is distinct from n.expires_at then o.expires_at end, case when o.expires_at is distinct from n.expires_at then n.expires_at end, case when o.accepted_at is distinct from n.accepted_at then o.accepted_at end, case when o.accepted_at is distinct from n.accepted_at then n.accepted_at end, case when o.accepted_by is distinct from n.accepted_by then o.accepted_by end, case when o.accepted_by is distinct from n.accepted_by then n.accepted_by end, case when o.revoked_at is distinct from n.revoked_at then o.revoked_at end, case when o.revoked_at is distinct from n.revoked_at then n.revoked_at end, case when o.revoked_by is distinct from n.revoked_by then o.revoked_by end, case when o.revoked_by is distinct from n.revoked_by then n.revoked_by end
        from (select row_number() over () as warden_capture_ordinal, id, tenant_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at, revoked_by from old_rows) o
        join (select row_number() over () as warden_capture_ordinal, id, tenant_id, email, role, invited_by, created_at, expires_at, accepted_at, accepted_by, revoked_at, revoked_by from new_rows) n on n.warden_capture_ordinal = o.warden_capture_ordinal
        where o.id is distinct from n.id or o.tenant_id is distinct from n.tenant_id or o.email collate "C" is distinct from n.email collate "C" or o.role is distinct from n.role or o.invited_by is distinct from n.invited_by or o.created_at is distinct from n.created_at or o.expires_at is distinct from n.expires_at or o.accepted_at is distinct from n.accepted_at or o.accepted_by is distinct from n.accepted_by or o.revoked_at is distinct from n.revoked_at or o.revoked_by is distinct from n.revoked_by
        returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 7, 1, 'u', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into warden_private.capture_rows_7_v1_1 (txid, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11) select v_tx, o.id, o.tenant_id, o.email, o.role, o.invited_by, o.created_at, o.expires_at, o.accepted_at, o.accepted_by, o.revoked_at, o.revoked_by from old_rows o returning 1)
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      select v_tx, 7, 1, 'd', count(*), now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_1 (txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service)
      values (v_tx, 7, 1, 't', v_count, now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service);
    end if;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION capture_7_v1(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_7_v1() IS 'Generated capture function of warden.tenant_invitations (version 1): appends each statement''s records to the capture log (see warden_private.capture_install).';

--
-- Name: capture_check_coverage(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_check_coverage() RETURNS TABLE(table_name text, gap_reason text, gap_since timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  r record;
  v_expected text;
  v_triggers integer;
  v_disabled integer;
  v_wrong integer;
  v_reason text;
begin
  for r in
    select t.*, v.capture_function, v.columns
    from warden_private.audited_tables t
    join warden_private.capture_versions v on v.table_id = t.id and v.version = t.version
    where t.dropped_at is null and t.disabled_at is null
  loop
    if not exists (select 1 from pg_class c where c.oid = r.relid) then
      perform warden_private.capture_table_changed(r.relid::regclass, 'governance.capture_table_dropped', null, null,
        jsonb_build_object('table', r.table_name, 'seen_by', 'coverage_check'));
      continue;
    end if;
    v_expected := r.capture_function || '()';
    select count(*), count(*) filter (where g.tgenabled = 'D'), count(*) filter (where g.tgfoid <> to_regprocedure(v_expected))
      into v_triggers, v_disabled, v_wrong
    from pg_trigger g
    where g.tgrelid in (select r.relid union select p.relid from pg_partition_tree(r.relid) p)
      and g.tgname in ('_900_audit_insert', '_900_audit_update', '_900_audit_delete', '_900_audit_truncate');
    v_reason := case
      when v_triggers < 4 * (select count(*) from (select r.relid union select p.relid from pg_partition_tree(r.relid) p) x) then 'trigger_missing'
      when v_disabled > 0 then 'trigger_disabled'
      when v_wrong > 0 then 'trigger_replaced'
      when warden_private.capture_columns(r.relid::regclass, r.options) <> r.columns then 'capture_stale'
    end;
    if v_reason is not null and r.gap_since is null then
      perform warden_private.capture_gap_opened(r.relid::regclass, v_reason, 'governance.capture_gap_detected',
        jsonb_build_object('seen_by', 'coverage_check'));
    elsif v_reason is null and r.gap_since is not null then
      perform warden_private.capture_gap_closed(r.relid::regclass, 'coverage_check');
    end if;
  end loop;
  return query
  select t.table_name, t.gap_reason, t.gap_since from warden_private.audited_tables t
  where t.dropped_at is null and t.disabled_at is null and t.gap_since is not null
  order by t.gap_since, t.table_name;
end;
$$;

--
-- Name: FUNCTION capture_check_coverage(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_check_coverage() IS 'Checks every audited table''s capture (the table exists; its four capture triggers, and its partitions'', are there, enabled and calling the current capture version; the version still matches the table), opens or closes capture gaps with their governance events, and returns the open gaps. Run by the worker every minute.';

--
-- Name: capture_claim_part(bigint, integer, bigint, bigint, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_claim_part(round_id bigint, part integer, from_txid bigint, to_txid bigint, parts integer) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION capture_claim_part(round_id bigint, part integer, from_txid bigint, to_txid bigint, parts integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_claim_part(round_id bigint, part integer, from_txid bigint, to_txid bigint, parts integer) IS 'Claims one part of a round and promotes it, in the caller''s transaction; null when it was already promoted.';

--
-- Name: capture_columns(regclass, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_columns(target regclass, options jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_pk text[] := coalesce(warden_private.primary_key_columns(target), '{}');
  v_exclude text[] := array(select jsonb_array_elements_text(coalesce(options -> 'exclude_columns', '[]')));
  v_redact text[] := array(select jsonb_array_elements_text(coalesce(options -> 'redact_columns', '[]')));
  v_tenant_column text := options ->> 'tenant_column';
  v_cols jsonb := '[]';
  v_key boolean;
  v_hash boolean;
  a record;
begin
  -- Every column but the excluded ones, plus the key and the tenant column
  -- (always needed for row_pk and tenant_id), in column order.
  for a in
    select att.attname::text as name, att.atttypid, att.atttypmod
    from pg_attribute att
    where att.attrelid = target and att.attnum > 0 and not att.attisdropped
    order by att.attnum
  loop
    v_key := a.name = any (v_pk) or a.name is not distinct from v_tenant_column;
    continue when a.name = any (v_exclude) and not v_key;
    -- Redacted values are hashed in the writing transaction; a key or tenant
    -- column keeps its raw value in the log (row_pk and tenant_id need it)
    -- and is hashed for old_values/new_values at promotion.
    v_hash := a.name = any (v_redact) and not v_key;
    v_cols := v_cols || jsonb_build_object(
      'name', a.name,
      'type', format_type(a.atttypid, a.atttypmod),
      'pk', a.name = any (v_pk),
      'tenant', a.name is not distinct from v_tenant_column,
      'value', not (a.name = any (v_exclude)),
      'hash', v_hash,
      'late_hash', a.name = any (v_redact) and v_key,
      'compare', warden_private.capture_comparison(a.atttypid),
      'log_compare', case when v_hash then 'collated' else warden_private.capture_comparison(a.atttypid) end,
      'log_type', case when v_hash then 'text' else warden_private.capture_storage_type(a.atttypid, a.atttypmod) end);
  end loop;
  return v_cols;
end;
$$;

--
-- Name: FUNCTION capture_columns(target regclass, options jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_columns(target regclass, options jsonb) IS 'The columns a capture of the table with these options stores, in log order, with how each is stored and compared.';

--
-- Name: capture_comparison(oid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_comparison(typ oid) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_typ oid := typ;
  r record;
begin
  -- How the generated code compares old and new values: "typed" (IS DISTINCT
  -- FROM, byte-wise for collatable types), or "text" for types without a
  -- usable equality (json, xml, point, composites...).
  loop
    select t.typtype, t.typbasetype, t.typelem, t.typcategory, t.typcollation into r from pg_type t where t.oid = v_typ;
    if r.typtype = 'd' then
      v_typ := r.typbasetype;
    elsif r.typcategory = 'A' and r.typelem <> 0 then
      v_typ := r.typelem;  -- array equality compares elements
    else
      exit;
    end if;
  end loop;
  if r.typtype in ('c', 'p') then
    return 'text';
  end if;
  begin
    execute format('select null::%s is distinct from null::%s', format_type(v_typ, null), format_type(v_typ, null));
  exception when others then
    return 'text';
  end;
  return case when r.typcollation <> 0 then 'collated' else 'typed' end;
end;
$$;

--
-- Name: FUNCTION capture_comparison(typ oid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_comparison(typ oid) IS 'typed, collated (typed, compared byte-wise with COLLATE "C") or text: how generated capture code decides that a column changed.';

--
-- Name: capture_coverage_metrics(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_coverage_metrics() RETURNS TABLE(schema_name text, coverage_ratio double precision, gaps integer)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  with schemas as (
    select distinct split_part(t.table_name, '.', 1) as s from warden_private.audited_tables t where t.dropped_at is null
    union
    select quote_ident(a.schema_name) from warden_private.audited_schemas a
  ), tables as (
    select quote_ident(n.nspname) as s, c.oid,
           exists (select 1 from warden_private.audited_tables t
                   where t.relid = c.oid and t.dropped_at is null and t.disabled_at is null and t.gap_since is null) as covered
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition and quote_ident(n.nspname) in (select s from schemas)
  )
  select s.s, coalesce(avg(t.covered::int), 0)::float8,
         (select count(*)::int from warden_private.audited_tables g where g.dropped_at is null and g.disabled_at is null and g.gap_since is not null)
  from schemas s left join tables t on t.s = s.s
  group by s.s
  order by s.s
$$;

--
-- Name: FUNCTION capture_coverage_metrics(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_coverage_metrics() IS 'Per schema with audited tables (or audited as a whole): the share of its tables whose capture works; and the number of open capture gaps (repeated). /metrics exports warden_audit_coverage_ratio{schema} and warden_capture_gaps.';

--
-- Name: capture_disable(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_disable(target regclass) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_options jsonb;
begin
  update warden_private.audited_tables t set disabled_at = now(), disabled_by = session_user
  where t.relid = target and t.dropped_at is null and t.disabled_at is null
  returning t.options into v_options;
  -- The version's log is promoted to its end, then dropped (capture_promote).
  update warden_private.capture_versions v set retired_at = now()
  where v.retired_at is null and v.table_id = (select t.id from warden_private.audited_tables t where t.relid = target and t.dropped_at is null);
  return v_options;
end;
$$;

--
-- Name: FUNCTION capture_disable(target regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_disable(target regclass) IS 'Marks an audited table disabled in the registry (an intended stop, not a capture gap) and retires its capture version; returns the options it had, or null when it was not audited.';

--
-- Name: capture_distinct(text, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_distinct(cmp text, a text, b text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select case cmp
    when 'text' then format('%s::text is distinct from %s::text', a, b)
    when 'collated' then format('%s collate "C" is distinct from %s collate "C"', a, b)
    else format('%s is distinct from %s', a, b) end
$$;

--
-- Name: FUNCTION capture_distinct(cmp text, a text, b text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_distinct(cmp text, a text, b text) IS 'SQL text of "a changed to b" for generated capture code.';

--
-- Name: capture_enable(regclass, jsonb, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_enable(target regclass, options jsonb, grantee text DEFAULT NULL::text) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_fn text := warden_private.capture_install(target, options, grantee);
  v_part regclass;
begin
  -- Statement-level triggers fire only for the table a statement names, so
  -- a partitioned table's partitions get them too (recording events as the
  -- partitioned table's); new partitions get them from the DDL event trigger.
  -- Runs with the caller's rights: creating the triggers needs the TRIGGER
  -- privilege on the table.
  for v_part in select target union select relid from pg_partition_tree(target) loop
    execute format('create or replace trigger _900_audit_insert after insert on %s referencing new table as new_rows
      for each statement execute function %s()', v_part, v_fn);
    execute format('create or replace trigger _900_audit_update after update on %s referencing old table as old_rows new table as new_rows
      for each statement execute function %s()', v_part, v_fn);
    execute format('create or replace trigger _900_audit_delete after delete on %s referencing old table as old_rows
      for each statement execute function %s()', v_part, v_fn);
    execute format('create or replace trigger _900_audit_truncate before truncate on %s
      for each statement execute function %s()', v_part, v_fn);
  end loop;
  return v_fn;
end;
$$;

--
-- Name: FUNCTION capture_enable(target regclass, options jsonb, grantee text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_enable(target regclass, options jsonb, grantee text) IS 'Generates (or keeps) the table''s capture version and points the capture triggers of the table and its partitions at it; runs with the caller''s rights.';

--
-- Name: capture_function_sql(text, text, text, text, text, integer, integer, jsonb, jsonb, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_function_sql(fn text, target_name text, schema_name text, relation_name text, log_name text, table_id integer, version integer, cols jsonb, options jsonb, has_pk boolean) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_full boolean := (options ->> 'capture') = 'full';
  v_skip boolean := coalesce((options ->> 'skip_unchanged')::boolean, true);
  v_tenant_column text := options ->> 'tenant_column';
  v_fixed_tenant text := options ->> 'tenant';
  v_hash_tenant_n text;
  v_hash_tenant_o text;
  v_n_cols text[] := '{}';
  v_o_cols text[] := '{}';
  v_on_cols text[] := '{}';
  v_ins text[] := '{}';
  v_del text[] := '{}';
  v_upd text[] := '{}';
  v_read text[] := '{}';
  v_changed text[] := '{}';
  v_stmt text := 'txid, table_id, version, op, row_count, occurred_at, recorded_at, tenant_id, actor_type, actor_id, actor_ip, user_agent, trace_id, correlation_id, service';
  v_ctx text := 'now(), clock_timestamp(), v_ctx_tenant, v_actor_type, v_actor_id, v_ip, v_ua, v_trace, v_correlation, v_service';
  v_body text := '';
  v_ordinal text := 'warden_capture_ordinal';
  c jsonb;
  i integer;
  s integer;
  v_o text;
  v_n text;
  v_d text;
begin
  -- The UPDATE pairing's row number needs a name no captured column has.
  while exists (select 1 from jsonb_array_elements(cols) e where e.value ->> 'name' = v_ordinal) loop
    v_ordinal := v_ordinal || '_';
  end loop;
  v_hash_tenant_n := case when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid'
    when v_tenant_column is not null then format('coalesce(n.%I, v_ctx_tenant)', v_tenant_column) else 'v_ctx_tenant' end;
  v_hash_tenant_o := case when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid'
    when v_tenant_column is not null then format('coalesce(o.%I, v_ctx_tenant)', v_tenant_column) else 'v_ctx_tenant' end;
  for i in 1 .. jsonb_array_length(cols) loop
    c := cols -> (i - 1);
    v_read := v_read || format('%I', c ->> 'name');
    v_n_cols := v_n_cols || format('n%s', i);
    v_o_cols := v_o_cols || format('o%s', i);
    v_on_cols := v_on_cols || format('o%s', i) || format('n%s', i);
    if (c ->> 'hash')::boolean then
      v_ins := v_ins || format('case when n.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(n.%1$I)::text) end', c ->> 'name', v_hash_tenant_n);
      v_del := v_del || format('case when o.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(o.%1$I)::text) end', c ->> 'name', v_hash_tenant_o);
      -- an UPDATE hashes both sides under the new row's tenant, as before
      v_o := format('case when o.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(o.%1$I)::text) end', c ->> 'name', v_hash_tenant_n);
      v_n := format('case when n.%1$I is null then null else warden_private.keyed_hash(%2$s, to_jsonb(n.%1$I)::text) end', c ->> 'name', v_hash_tenant_n);
    else
      v_ins := v_ins || format('n.%I', c ->> 'name');
      v_del := v_del || format('o.%I', c ->> 'name');
      v_o := format('o.%I', c ->> 'name');
      v_n := format('n.%I', c ->> 'name');
    end if;
    v_d := warden_private.capture_distinct(c ->> 'compare', format('o.%I', c ->> 'name'), format('n.%I', c ->> 'name'));
    if (c ->> 'value')::boolean then
      v_changed := v_changed || v_d;
    end if;
    -- UPDATE: the key and the tenant column always (every column with
    -- capture full or without a key); other columns only when they changed.
    if v_full or not has_pk or (c ->> 'pk')::boolean or (c ->> 'tenant')::boolean then
      v_upd := v_upd || v_o || v_n;
    else
      v_upd := v_upd || format('case when %s then %s end', v_d, v_o) || format('case when %s then %s end', v_d, v_n);
    end if;
  end loop;

  for s in 0 .. 1 loop
    v_body := v_body || case when s = 0 then E'\n  if v_slot = 0 then' else E'\n  else' end || format($b$
    if tg_op = 'INSERT' then
      with r as (insert into %1$s_%2$s (txid, %3$s) select v_tx, %4$s from new_rows n returning 1)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'i', count(*), %8$s from r having count(*) > 0;
    elsif tg_op = 'UPDATE' then
      with r as (
        insert into %1$s_%2$s (txid, %9$s)
        select v_tx, %10$s
        from (select row_number() over () as %15$I, %11$s from old_rows) o
        join (select row_number() over () as %15$I, %11$s from new_rows) n on n.%15$I = o.%15$I
        where %12$s
        returning 1)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'u', count(*), %8$s from r having count(*) > 0;
    elsif tg_op = 'DELETE' then
      with r as (insert into %1$s_%2$s (txid, %13$s) select v_tx, %14$s from old_rows o returning 1)
      insert into warden_private.capture_statements_%2$s (%5$s)
      select v_tx, %6$s, %7$s, 'd', count(*), %8$s from r having count(*) > 0;
    else
      begin
        execute format('select count(*) from %%s', tg_relid::regclass) into v_count;
      exception when insufficient_privilege then
        v_count := null;  -- Warden may not read the table: the event says the count is unknown
      end;
      insert into warden_private.capture_statements_%2$s (%5$s)
      values (v_tx, %6$s, %7$s, 't', v_count, %8$s);
    end if;$b$,
      log_name, s, array_to_string(v_n_cols, ', '), array_to_string(v_ins, ', '), v_stmt, table_id, version, v_ctx,
      array_to_string(v_on_cols, ', '), array_to_string(v_upd, ', '), array_to_string(v_read, ', '),
      case when not v_skip then 'true' when cardinality(v_changed) = 0 then 'false' else array_to_string(v_changed, ' or ') end,
      array_to_string(v_o_cols, ', '), array_to_string(v_del, ', '), v_ordinal);
  end loop;
  v_body := v_body || E'\n  end if;';

  return format($f$
create function %1$s() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog
  set jit = off
  -- an UPDATE pairs old and new rows by sorting both: in memory up to a few
  -- hundred thousand rows
  set work_mem = '64MB'
as $body$
declare
  -- The transaction id first: it is assigned before the slot is read, so
  -- every writer of a slot has an id below the next flip's (capture_promote).
  v_tx bigint := pg_current_xact_id()::text::bigint;
  v_slot integer := pg_sequence_last_value('warden_private.capture_generation'::regclass) %% 2;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_extra jsonb;
  v_actor_type warden.actor_type;
  v_ip inet;
  v_ua text;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_correlation text;
  v_service text;
  v_count bigint;
begin
  -- Only for its own table (or a partition of it): by name, which needs no
  -- privilege on the table's schema, and survives a dump and restore.
  if not (tg_table_schema = %4$L and tg_table_name = %5$L) then
    if not exists (
      select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = pg_partition_root(tg_relid) and n.nspname = %4$L and c.relname = %5$L) then
      raise exception 'the capture function of %% cannot capture %%', %2$L, tg_relid::regclass using errcode = '42501';
    end if;
  end if;
  v_extra := nullif(current_setting('warden.context_extra', true), '')::jsonb;
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';%3$s
  return null;
end;
$body$$f$, fn, target_name, v_body, schema_name, relation_name);
end;
$_$;

--
-- Name: FUNCTION capture_function_sql(fn text, target_name text, schema_name text, relation_name text, log_name text, table_id integer, version integer, cols jsonb, options jsonb, has_pk boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_function_sql(fn text, target_name text, schema_name text, relation_name text, log_name text, table_id integer, version integer, cols jsonb, options jsonb, has_pk boolean) IS 'SQL text of a generated capture trigger function: the request context once per statement, the rows as the log stores them (typed comparisons decide what an UPDATE changed).';

--
-- Name: capture_gap_closed(regclass, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_gap_closed(target regclass, how text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_reg warden_private.audited_tables;
  v_since timestamptz;
begin
  select t.gap_since into v_since from warden_private.audited_tables t where t.relid = target and t.dropped_at is null;
  update warden_private.audited_tables t set gap_since = null, gap_reason = null
  where t.relid = target and t.dropped_at is null and t.gap_since is not null
  returning * into v_reg;
  if v_reg.id is not null then
    perform warden_private.record_governance_event('governance.capture_restored', (v_reg.options ->> 'tenant')::uuid, 'table', v_reg.table_name,
      jsonb_build_object('capture', 'gap', 'since', v_since), jsonb_build_object('capture', 'working'),
      jsonb_build_object('how', how, 'gap_seconds', extract(epoch from now() - v_since)), 'warning', 'success');
  end if;
end;
$$;

--
-- Name: FUNCTION capture_gap_closed(target regclass, how text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_gap_closed(target regclass, how text) IS 'Records that capture of an audited table works again after a gap, with a governance.capture_restored event.';

--
-- Name: capture_gap_opened(regclass, text, text, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_gap_opened(target regclass, reason text, event_type text, details jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_reg warden_private.audited_tables;
begin
  update warden_private.audited_tables t set gap_since = coalesce(t.gap_since, now()), gap_reason = capture_gap_opened.reason
  where t.relid = target and t.dropped_at is null and t.disabled_at is null
  returning * into v_reg;
  if v_reg.id is not null then
    perform warden_private.record_governance_event(event_type, (v_reg.options ->> 'tenant')::uuid, 'table', v_reg.table_name,
      jsonb_build_object('capture', 'working'), jsonb_build_object('capture', 'gap', 'reason', reason, 'since', v_reg.gap_since),
      details, 'critical', 'success');
  end if;
end;
$$;

--
-- Name: FUNCTION capture_gap_opened(target regclass, reason text, event_type text, details jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_gap_opened(target regclass, reason text, event_type text, details jsonb) IS 'Records that capture of an audited table stopped working (reason: trigger_dropped, trigger_disabled, trigger_missing...) and writes the critical governance.capture_* event.';

--
-- Name: capture_ingest_counts_refresh(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_ingest_counts_refresh() RETURNS TABLE(service text, operation text, n bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION capture_ingest_counts_refresh(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_ingest_counts_refresh() IS 'Counts the trigger-captured events promoted since the last call (by service and operation) into warden_private.capture_ingest_counts and returns the totals: what /metrics reports as warden_events_ingested_total{source="capture"}.';

--
-- Name: capture_install(regclass, jsonb, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_install(target regclass, options jsonb, grantee text DEFAULT NULL::text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_table text;
  v_prefix text := warden_private.audit_event_type(target, '');
  v_resource_type text := coalesce(options ->> 'resource_type', '');
  v_pk text[] := warden_private.primary_key_columns(target);
  v_cols jsonb;
  v_reg warden_private.audited_tables;
  v_cur warden_private.capture_versions;
  v_id integer;
  v_version integer;
  v_fn text;
  v_log text;
  c jsonb;
  i integer;
  s integer;
  v_log_cols text := '';
begin
  select format('%I.%I', n.nspname, c2.relname) into v_table
  from pg_class c2 join pg_namespace n on n.oid = c2.relnamespace where c2.oid = target;
  v_resource_type := coalesce(options ->> 'resource_type', v_table);
  -- A tenant column dropped since auditing was enabled: the request's tenant is used.
  if options ? 'tenant_column' and not exists (
    select 1 from pg_attribute a where a.attrelid = target and a.attname = options ->> 'tenant_column' and a.attnum > 0 and not a.attisdropped) then
    options := options - 'tenant_column';
  end if;
  v_cols := warden_private.capture_columns(target, options);
  perform pg_advisory_xact_lock(hashtext('warden.capture_install'), target::oid::integer);

  select t.* into v_reg from warden_private.audited_tables t where t.relid = target and t.dropped_at is null;
  if v_reg.id is null then
    insert into warden_private.audited_tables (relid, table_name, options) values (target, v_table, options)
    returning * into v_reg;
  else
    select v.* into v_cur from warden_private.capture_versions v where v.table_id = v_reg.id and v.version = v_reg.version;
    update warden_private.audited_tables t
    set table_name = v_table, options = capture_install.options, disabled_at = null, disabled_by = null,
        enabled_at = case when t.disabled_at is not null then now() else t.enabled_at end,
        enabled_by = case when t.disabled_at is not null then session_user else t.enabled_by end
    where t.id = v_reg.id;
    -- Nothing changed: the current version stays.
    -- (re)enabling closes a capture gap: the triggers are put back now
    if v_reg.gap_since is not null and v_reg.disabled_at is null then
      perform warden_private.capture_gap_closed(target, 'enable_auditing');
    end if;
    if v_cur.retired_at is null and v_cur.table_name = v_table and v_cur.columns = v_cols
       and v_cur.pk is not distinct from v_pk and v_cur.resource_type = v_resource_type and v_reg.options = options then
      if grantee is not null then
        execute format('grant execute on function %s() to %I', v_cur.capture_function, grantee);
      end if;
      return v_cur.capture_function;
    end if;
    update warden_private.capture_versions v set retired_at = now() where v.table_id = v_reg.id and v.retired_at is null;
  end if;
  v_id := v_reg.id;
  v_version := v_reg.version + 1;
  update warden_private.audited_tables t set version = v_version, updated_at = now() where t.id = v_id;
  v_fn := format('warden_private.capture_%s_v%s', v_id, v_version);
  v_log := format('warden_private.capture_rows_%s_v%s', v_id, v_version);

  -- The row log: o<i>/n<i> for captured column i, in the table's own types.
  for i in 1 .. jsonb_array_length(v_cols) loop
    c := v_cols -> (i - 1);
    v_log_cols := v_log_cols || format(', o%s %s, n%s %s', i, c ->> 'log_type', i, c ->> 'log_type');
  end loop;
  for s in 0 .. 1 loop
    execute format('create table %s_%s (txid bigint not null%s) with (autovacuum_enabled = off)', v_log, s, v_log_cols);
    execute format('comment on table %s_%s is %L', v_log, s, format(
      'Capture row log of %s (version %s, slot %s): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.',
      v_table, v_version, s));
    execute format('comment on column %s_%s.txid is %L', v_log, s, 'Writing transaction (with cmin: its statement in warden_private.capture_statements_' || s || ').');
    for i in 1 .. jsonb_array_length(v_cols) loop
      c := v_cols -> (i - 1);
      execute format('comment on column %s_%s.o%s is %L', v_log, s, i,
        'Old value of ' || quote_ident(c ->> 'name') || case when (c ->> 'hash')::boolean then ' (keyed hash)' else '' end);
      execute format('comment on column %s_%s.n%s is %L', v_log, s, i,
        'New value of ' || quote_ident(c ->> 'name') || case when (c ->> 'hash')::boolean then ' (keyed hash)' else '' end);
    end loop;
    perform warden_private.protect_capture_log(format('%s_%s', v_log, s)::regclass);
  end loop;

  execute warden_private.capture_function_sql(v_fn, v_table,
    (select n.nspname::text from pg_class c2 join pg_namespace n on n.oid = c2.relnamespace where c2.oid = target),
    (select c2.relname::text from pg_class c2 where c2.oid = target),
    v_log, v_id, v_version, v_cols, options, v_pk is not null);
  execute format('comment on function %s() is %L', v_fn,
    format('Generated capture function of %s (version %s): appends each statement''s records to the capture log (see warden_private.capture_install).', v_table, v_version));
  execute format('revoke all on function %s() from public', v_fn);
  if grantee is not null then
    execute format('grant execute on function %s() to %I', v_fn, grantee);
  end if;

  insert into warden_private.capture_versions (table_id, version, table_name, event_prefix, resource_type, columns, pk,
    capture_function, row_log, select_sql)
  values (v_id, v_version, v_table, v_prefix, v_resource_type, v_cols, v_pk, v_fn, v_log,
    warden_private.capture_select_sql(v_table, v_prefix, v_resource_type, v_log, v_id, v_version, v_cols, v_pk, options));
  return v_fn;
end;
$$;

--
-- Name: FUNCTION capture_install(target regclass, options jsonb, grantee text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_install(target regclass, options jsonb, grantee text) IS 'Registers an audited table and, when its options or shape changed, generates a new capture version: the typed row log (two append-only slots), the capture trigger function (EXECUTE granted to grantee, who creates the triggers) and the select that promotion runs. Returns the capture function''s name. Called by warden.enable_auditing and the DDL event trigger.';

--
-- Name: capture_json_object(text[], text[]); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_json_object(keys text[], exprs text[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
  -- jsonb_build_object takes at most 100 arguments: chunks of 50 pairs.
  select coalesce(string_agg(chunk, ' || ' order by n), '''{}''::jsonb')
  from (
    select (i - 1) / 50 as n,
           'jsonb_build_object(' || string_agg(quote_literal(keys[i]) || ', ' || exprs[i], ', ' order by i) || ')' as chunk
    from generate_subscripts(keys, 1) i
    group by 1
  ) c
$$;

--
-- Name: FUNCTION capture_json_object(keys text[], exprs text[]); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_json_object(keys text[], exprs text[]) IS 'SQL text building a jsonb object of keys and value expressions (any number of them).';

--
-- Name: capture_maintain(bigint); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_maintain(below bigint) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION capture_maintain(below bigint); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_maintain(below bigint) IS 'After a promotion up to below: empties the capture slot no writer can reach any more (TRUNCATE), flips the generation, and drops drained retired versions. Called by capture_promote and capture_round_close, holding the promotion lock.';

--
-- Name: capture_pending_events(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_pending_events(target_table text) RETURNS TABLE(event_id uuid, occurred_at timestamp with time zone, recorded_at timestamp with time zone, txid bigint, table_name text, row_pk jsonb, category text, action text, actor_type warden.actor_type, actor_id text, trace_id text, changed_fields text[], old_values jsonb, new_values jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_below bigint := (select s.promoted_below from warden_private.capture_state s);
  ver record;
begin
  for ver in
    select v.select_sql from warden_private.capture_versions v
    where v.table_name = capture_pending_events.target_table and v.dropped_at is null
    order by v.version
  loop
    return query execute format(
      'select null::uuid, e.occurred_at, e.recorded_at, e.txid, e.table_name, e.row_pk, e.category, e.action, e.actor_type,
              e.actor_id, e.trace_id, e.changed_fields, e.old_values, e.new_values
       from (%s) e where e.txid >= $1 order by e.txid, e.scmin::text::bigint, e.rctid', ver.select_sql)
      using v_below;
  end loop;
end;
$_$;

--
-- Name: FUNCTION capture_pending_events(target_table text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_pending_events(target_table text) IS 'Captured changes of a table (schema.table) not yet promoted into warden.audit_events: those of committed transactions and the caller''s own, as events without an event id yet. Read by warden.audit_row_history for database users who may read the store and execute this function.';

--
-- Name: capture_promote(bigint, boolean, boolean, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_promote(horizon bigint DEFAULT NULL::bigint, include_own boolean DEFAULT false, wait boolean DEFAULT true, purge_promoted boolean DEFAULT false) RETURNS TABLE(promoted bigint, promoted_below bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '256MB'
    AS $_$
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
$_$;

--
-- Name: FUNCTION capture_promote(horizon bigint, include_own boolean, wait boolean, purge_promoted boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_promote(horizon bigint, include_own boolean, wait boolean, purge_promoted boolean) IS 'Promotes the capture records of every transaction below the horizon (default: warden_private.seal_horizon()) not yet promoted, and with include_own those of the calling transaction, into warden.audit_events; first finishes a promotion round left open; then empties the capture slot no writer can reach any more and flips the generation. One promotion at a time (wait, or skip when wait is false). With purge_promoted (GDPR erasure) it also deletes the promoted records still in the log. Returns the events promoted and the new promoted_below watermark. Run by flush_capture and the worker''s sealing pass, which seals only below that watermark.';

--
-- Name: capture_promote_window(bigint, bigint, bigint, integer, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_promote_window(from_txid bigint, to_txid bigint, own_txid bigint DEFAULT NULL::bigint, parts integer DEFAULT 1, part integer DEFAULT 0) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    AS $_$
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
$_$;

--
-- Name: FUNCTION capture_promote_window(from_txid bigint, to_txid bigint, own_txid bigint, parts integer, part integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_promote_window(from_txid bigint, to_txid bigint, own_txid bigint, parts integer, part integer) IS 'Inserts the events of the capture records of transactions in [from_txid, to_txid) (and of own_txid), or of one part of them (rows whose row log block number mod parts = part). Returns how many. Used by capture_promote and the parts of a round.';

--
-- Name: capture_registration(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_registration(target regclass) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select jsonb_build_object('options', t.options, 'version', t.version, 'disabled', t.disabled_at is not null)
  from warden_private.audited_tables t where t.relid = target and t.dropped_at is null
$$;

--
-- Name: FUNCTION capture_registration(target regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_registration(target regclass) IS 'The registry entry of a table: options, capture version, whether disabled; null when never audited.';

--
-- Name: audited_tables; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.audited_tables (
    id integer NOT NULL,
    relid oid NOT NULL,
    table_name text NOT NULL,
    options jsonb NOT NULL,
    version integer DEFAULT 0 NOT NULL,
    enabled_at timestamp with time zone DEFAULT now() NOT NULL,
    enabled_by text DEFAULT SESSION_USER NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    disabled_by text,
    dropped_at timestamp with time zone,
    gap_since timestamp with time zone,
    gap_reason text
);

ALTER TABLE ONLY warden_private.audited_tables FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE audited_tables; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.audited_tables IS 'Registry of audited tables: every table warden.enable_auditing turned on, with its effective options and current capture version, and when auditing was disabled or the table dropped. Capture gaps are found against it.';

--
-- Name: COLUMN audited_tables.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.id IS 'Registry id; names the table''s capture log and functions.';

--
-- Name: COLUMN audited_tables.relid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.relid IS 'The audited (root) table''s oid.';

--
-- Name: COLUMN audited_tables.table_name; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.table_name IS 'schema.table as events record it (the latest name).';

--
-- Name: COLUMN audited_tables.options; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.options IS 'Effective enable_auditing options.';

--
-- Name: COLUMN audited_tables.version; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.version IS 'Current capture version (warden_private.capture_versions).';

--
-- Name: COLUMN audited_tables.enabled_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.enabled_at IS 'When auditing was (last) enabled.';

--
-- Name: COLUMN audited_tables.enabled_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.enabled_by IS 'Database role that enabled it.';

--
-- Name: COLUMN audited_tables.updated_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.updated_at IS 'When the options or the table''s shape last changed.';

--
-- Name: COLUMN audited_tables.disabled_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.disabled_at IS 'When warden.disable_auditing turned it off; null while audited.';

--
-- Name: COLUMN audited_tables.disabled_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.disabled_by IS 'Database role that disabled it.';

--
-- Name: COLUMN audited_tables.dropped_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.dropped_at IS 'When the table was dropped; null while it exists.';

--
-- Name: COLUMN audited_tables.gap_since; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.gap_since IS 'Since when capture has not been working (a capture trigger dropped or disabled) while auditing is on; null when it works.';

--
-- Name: COLUMN audited_tables.gap_reason; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_tables.gap_reason IS 'What broke capture (trigger_dropped, trigger_disabled, trigger_missing...).';

--
-- Name: capture_registry_entry(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_registry_entry(target regclass) RETURNS warden_private.audited_tables
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select t.* from warden_private.audited_tables t
  where t.dropped_at is null and (t.relid = target or t.relid in (select a.relid from pg_partition_ancestors(target) a))
  order by t.relid = target desc
  limit 1
$$;

--
-- Name: FUNCTION capture_registry_entry(target regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_registry_entry(target regclass) IS 'The registry entry covering a table: its own, or its partitioned table''s.';

--
-- Name: capture_round_close(bigint); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_round_close(round_id bigint) RETURNS TABLE(promoted bigint, promoted_below bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION capture_round_close(round_id bigint); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_round_close(round_id bigint) IS 'Closes a round whose parts are all promoted: advances the promotion watermark to its horizon, then empties the capture slot no writer can reach and flips the generation. Fails (55000) while a part is missing.';

--
-- Name: capture_round_open(integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_round_open(parts integer) RETURNS TABLE(round_id bigint, from_txid bigint, to_txid bigint, round_parts integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION capture_round_open(parts integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_round_open(parts integer) IS 'Opens a promotion round over every capture record below the horizon not yet promoted, in parts, and returns it (or the round a crashed promoter left open; nothing when there is nothing to do or another promotion runs). Commit before running its parts.';

--
-- Name: capture_round_part(bigint, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_round_part(round_id bigint, part integer) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET work_mem TO '256MB'
    AS $$
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

--
-- Name: FUNCTION capture_round_part(round_id bigint, part integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_round_part(round_id bigint, part integer) IS 'Promotes one part of an open round in the caller''s transaction (run each part in its own transaction, on its own connection, at once); returns the events promoted, or null when the part (or the round) was done already.';

--
-- Name: capture_select_sql(text, text, text, text, integer, integer, jsonb, text[], jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_select_sql(table_name text, event_prefix text, resource_type text, log_name text, table_id integer, version integer, cols jsonb, pk text[], options jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_full boolean := (options ->> 'capture') = 'full';
  v_fixed_tenant text := options ->> 'tenant';
  v_tenant text;
  v_keys text[] := '{}';
  v_vals_n text[] := '{}';
  v_vals_o text[] := '{}';
  v_chg text[] := '{}';
  v_unchg text[] := '{}';
  v_pk_n text[] := '{}';
  v_pk_o text[] := '{}';
  v_row_pk text := 'null::jsonb';
  v_resource_id text := 'null::text';
  v_old_values text;
  v_new_values text;
  v_d text;
  a record;
begin
  select case
    when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid'
    else format('coalesce(case s.op when %L then r.o%s else r.n%s end, s.tenant_id)', 'd', e.i, e.i) end
    into v_tenant
  from jsonb_array_elements(cols) with ordinality e(v, i) where (e.v ->> 'tenant')::boolean;
  v_tenant := coalesce(v_tenant, case when v_fixed_tenant is not null then quote_literal(v_fixed_tenant) || '::uuid' else 's.tenant_id' end);

  if pk is not null then
    for a in
      select k.name, e.i from unnest(pk) with ordinality k(name, ord)
      join jsonb_array_elements(cols) with ordinality e(v, i) on e.v ->> 'name' = k.name
      order by k.ord
    loop
      v_pk_n := v_pk_n || quote_literal(a.name) || format('r.n%s', a.i);
      v_pk_o := v_pk_o || quote_literal(a.name) || format('r.o%s', a.i);
    end loop;
    v_row_pk := format('case s.op when %L then jsonb_build_object(%s) when %L then null else jsonb_build_object(%s) end',
      'd', array_to_string(v_pk_o, ', '), 't', array_to_string(v_pk_n, ', '));
    v_resource_id := case when cardinality(pk) = 1
      then format('case s.op when %L then to_jsonb(%s) #>> %L when %L then null else to_jsonb(%s) #>> %L end',
                  'd', v_pk_o[2], '{}', 't', v_pk_n[2], '{}')
      else format('(%s)::text', v_row_pk) end;
  end if;

  -- value columns (not excluded), by name: changed_fields is sorted
  for a in
    select e.i, e.v as c from jsonb_array_elements(cols) with ordinality e(v, i)
    where (e.v ->> 'value')::boolean order by e.v ->> 'name'
  loop
    v_keys := v_keys || (a.c ->> 'name');
    v_vals_n := v_vals_n || case when (a.c ->> 'late_hash')::boolean
      then format('case when r.n%1$s is null then null else warden_private.keyed_hash(%2$s, to_jsonb(r.n%1$s)::text) end', a.i, v_tenant)
      else format('r.n%s', a.i) end;
    v_vals_o := v_vals_o || case when (a.c ->> 'late_hash')::boolean
      then format('case when r.o%1$s is null then null else warden_private.keyed_hash(%2$s, to_jsonb(r.o%1$s)::text) end', a.i, v_tenant)
      else format('r.o%s', a.i) end;
    v_d := warden_private.capture_distinct(a.c ->> 'log_compare', format('r.o%s', a.i), format('r.n%s', a.i));
    v_chg := v_chg || format('case when %s then %L end', v_d, a.c ->> 'name');
    v_unchg := v_unchg || format('case when not (%s) then %L end', v_d, a.c ->> 'name');
  end loop;
  v_old_values := case when v_full or pk is null then warden_private.capture_json_object(v_keys, v_vals_o)
    else format('case when d.changed is null then null else %s - d.unchanged end', warden_private.capture_json_object(v_keys, v_vals_o)) end;
  v_new_values := case when v_full then warden_private.capture_json_object(v_keys, v_vals_n)
    else format('case when d.changed is null then null else %s - d.unchanged end', warden_private.capture_json_object(v_keys, v_vals_n)) end;

  return format($s$select s.occurred_at, s.recorded_at, %1$s as tenant_id,
       %2$L || case s.op when 'i' then 'insert' when 'u' then 'update' when 'd' then 'delete' else 'truncate' end as event_type,
       'data'::text as category,
       case s.op when 'i' then 'insert' when 'u' then 'update' when 'd' then 'delete' else 'truncate' end as action,
       s.actor_type, s.actor_id, s.actor_ip, s.user_agent, %3$L::text as resource_type, %4$s as resource_id,
       s.correlation_id, s.trace_id, s.service, s.txid, %5$L::text as table_name, %6$s as row_pk,
       d.changed as changed_fields,
       case s.op when 'd' then %7$s when 'u' then %8$s end as old_values,
       case s.op when 'i' then %9$s when 'u' then %10$s end as new_values,
       case s.op when 't' then jsonb_build_object('row_count', s.row_count) end as event_data,
       s.scmin, r.rctid
from (select x.*, x.cmin as scmin from warden_private.capture_statements_0 x where x.table_id = %13$s and x.version = %14$s
      union all
      select x.*, x.cmin as scmin from warden_private.capture_statements_1 x where x.table_id = %13$s and x.version = %14$s) s
left join (select y.*, y.cmin as rcmin, y.ctid as rctid from %11$s_0 y
           union all
           select y.*, y.cmin as rcmin, y.ctid as rctid from %11$s_1 y) r
  on r.txid = s.txid and r.rcmin = s.scmin
cross join lateral (select case when s.op = 'u' then nullif(array_remove(array[%12$s]::text[], null), '{}') end as changed,
                           case when s.op = 'u' then array_remove(array[%15$s]::text[], null) end as unchanged) d
where s.op = 't' or r.txid is not null$s$,
    v_tenant, event_prefix, resource_type, v_resource_id, table_name, v_row_pk,
    warden_private.capture_json_object(v_keys, v_vals_o), v_old_values,
    warden_private.capture_json_object(v_keys, v_vals_n), v_new_values,
    log_name,
    coalesce(nullif(array_to_string(v_chg, ', '), ''), 'null'),
    table_id, version,
    coalesce(nullif(array_to_string(v_unchg, ', '), ''), 'null'));
end;
$_$;

--
-- Name: FUNCTION capture_select_sql(table_name text, event_prefix text, resource_type text, log_name text, table_id integer, version integer, cols jsonb, pk text[], options jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_select_sql(table_name text, event_prefix text, resource_type text, log_name text, table_id integer, version integer, cols jsonb, pk text[], options jsonb) IS 'SQL text selecting one capture version''s records as audit events (the columns of warden.audit_events but event_id, plus scmin and rctid for ordering). Promotion and row history filter it by txid.';

--
-- Name: capture_status(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_status(OUT backlog_events bigint, OUT backlog_statements bigint, OUT lag_seconds double precision, OUT promoted_total bigint, OUT promoted_below bigint, OUT last_promoted_at timestamp with time zone) RETURNS record
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_state warden_private.capture_state;
begin
  select s.* into v_state from warden_private.capture_state s;
  select coalesce(sum(x.row_count) filter (where x.op <> 't'), 0) + count(*) filter (where x.op = 't'), count(*),
         coalesce(extract(epoch from now() - min(x.recorded_at)), 0)
    into backlog_events, backlog_statements, lag_seconds
  from (select * from warden_private.capture_statements_0 union all select * from warden_private.capture_statements_1) x
  where x.txid >= v_state.promoted_below;
  promoted_total := v_state.promoted_total;
  promoted_below := v_state.promoted_below;
  last_promoted_at := v_state.last_promoted_at;
end;
$$;

--
-- Name: FUNCTION capture_status(OUT backlog_events bigint, OUT backlog_statements bigint, OUT lag_seconds double precision, OUT promoted_total bigint, OUT promoted_below bigint, OUT last_promoted_at timestamp with time zone); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_status(OUT backlog_events bigint, OUT backlog_statements bigint, OUT lag_seconds double precision, OUT promoted_total bigint, OUT promoted_below bigint, OUT last_promoted_at timestamp with time zone) IS 'The capture log''s backlog (committed events and statements not yet promoted), the age of its oldest record in seconds, and promotion totals: what /metrics reports as warden_capture_backlog_events, warden_capture_lag_seconds and warden_capture_promoted_total.';

--
-- Name: capture_storage_type(oid, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_storage_type(typ oid, typmod integer) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_typ oid := typ;
  v_mod integer := typmod;
  r record;
begin
  -- A domain is stored as its base type: the value was checked when the
  -- application wrote it; the log does not check it again.
  loop
    select t.typtype, t.typbasetype, t.typtypmod into r from pg_type t where t.oid = v_typ;
    exit when r.typtype is distinct from 'd';
    v_typ := r.typbasetype;
    v_mod := r.typtypmod;
  end loop;
  return format_type(v_typ, v_mod);
end;
$$;

--
-- Name: FUNCTION capture_storage_type(typ oid, typmod integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_storage_type(typ oid, typmod integer) IS 'The SQL type a captured column is stored as in the row log (domains as their base type).';

--
-- Name: capture_table_changed(regclass, text, jsonb, jsonb, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.capture_table_changed(target regclass, event_type text, before jsonb, after jsonb, details jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_reg warden_private.audited_tables;
begin
  if event_type = 'governance.capture_table_dropped' then
    update warden_private.audited_tables t set dropped_at = now() where t.relid = target and t.dropped_at is null returning * into v_reg;
    update warden_private.capture_versions v set retired_at = coalesce(v.retired_at, now()) where v.table_id = v_reg.id;
  else
    select t.* into v_reg from warden_private.audited_tables t where t.relid = target and t.dropped_at is null;
  end if;
  if v_reg.id is not null and v_reg.disabled_at is null then
    perform warden_private.record_governance_event(event_type, (v_reg.options ->> 'tenant')::uuid, 'table', v_reg.table_name,
      before, after, details, 'critical', 'success');
  end if;
end;
$$;

--
-- Name: FUNCTION capture_table_changed(target regclass, event_type text, before jsonb, after jsonb, details jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.capture_table_changed(target regclass, event_type text, before jsonb, after jsonb, details jsonb) IS 'Writes the critical governance.capture_table_altered|renamed|dropped event of an audited table (a dropped table leaves the registry; its captured changes are still promoted).';

--
-- Name: check_session_revoker(uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.check_session_revoker(target_user_id uuid) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if warden.current_tenant_id() is null then
    raise exception 'revoking sessions needs a tenant context' using errcode = '42501';
  end if;
  if target_user_id is not distinct from warden.current_user_id() then
    return;
  end if;
  if not warden.has_tenant_role('{owner,admin}') then
    raise exception 'revoking another user''s sessions requires tenant role owner or admin' using errcode = '42501', hint = 'missing_role=admin';
  end if;
  if not warden.has_tenant_role('{owner}') and exists (
      select 1 from warden.tenant_memberships m
      where m.tenant_id = warden.current_tenant_id() and m.user_id = target_user_id and m.role = 'owner') then
    raise exception 'only a tenant owner can revoke an owner''s sessions' using errcode = '42501', hint = 'missing_role=owner';
  end if;
end;
$$;

--
-- Name: FUNCTION check_session_revoker(target_user_id uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.check_session_revoker(target_user_id uuid) IS 'Raises 42501 unless the current actor may revoke sessions of target_user_id in the current tenant: their own, or any as tenant owner or admin (an owner''s only as owner).';

--
-- Name: compact_user_sessions(integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.compact_user_sessions(retention_days integer DEFAULT 30) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_count bigint;
begin
  if retention_days is null or retention_days < 0 then
    raise exception 'retention_days must be 0 or more' using errcode = '22023';
  end if;
  delete from warden.user_sessions s
  where least(coalesce(s.revoked_at, s.expires_at), s.expires_at) < now() - make_interval(days => compact_user_sessions.retention_days);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

--
-- Name: FUNCTION compact_user_sessions(retention_days integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.compact_user_sessions(retention_days integer) IS 'Deletes sessions that ended (were revoked, or expired) more than retention_days ago; returns how many (worker task compact_user_sessions, SESSION_RETENTION_DAYS).';

--
-- Name: compile_read_marker(jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.compile_read_marker(compiled jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $_$
  select case when compiled = '{}'::jsonb then compiled else compiled || jsonb_build_object(
    'mk', jsonb_strip_nulls(jsonb_build_object('actor_ip', compiled ->> 'ip', 'user_agent', compiled ->> 'ua'))
          || coalesce((select jsonb_object_agg('event_data.' || array_to_string((d.path #>> '{}')::text[], '.'), compiled -> 'dm' -> (d.i - 1)::integer)
                       from jsonb_array_elements(compiled -> 'dp') with ordinality d(path, i)), '{}'),
    -- path keys are [A-Za-z0-9_-] (checked by the field compiler); quoted as JSON strings all the same
    'jp', (select 'strict $ ? (' || string_agg('exists(@' ||
                    (select string_agg('.' || to_json(k.key)::text, '' order by k.n)
                     from unnest((d.path #>> '{}')::text[]) with ordinality k(key, n)) || ')', ' && ' order by d.i) || ')'
           from jsonb_array_elements(compiled -> 'dp') with ordinality d(path, i))) end
$_$;

--
-- Name: FUNCTION compile_read_marker(compiled jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.compile_read_marker(compiled jsonb) IS 'Adds to a compiled policy what reads need to mark redacted fields without a per-row call: mk, the marker of an event in which every field the rules name is present, and jp, a jsonpath true when every event_data path of the rules is present (null without event_data rules).';

--
-- Name: compile_redaction_fields(jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.compile_redaction_fields(rules jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_rule jsonb;
  v_i integer := 0;
  v_out jsonb := '{}';
  v_field text;
  v_method text;
  v_key text;
  v_path text;
begin
  if jsonb_typeof(rules) is distinct from 'array' then
    raise exception 'redaction rules must be a JSON array' using errcode = '22023';
  end if;
  if jsonb_array_length(rules) > 200 then
    raise exception 'at most 200 redaction rules, got %', jsonb_array_length(rules) using errcode = '22023';
  end if;
  for v_rule in select * from jsonb_array_elements(rules) loop
    if jsonb_typeof(v_rule) <> 'object' then
      raise exception 'rule %: must be an object {field, method, ...}', v_i using errcode = '22023';
    end if;
    for v_key in select jsonb_object_keys(v_rule) loop
      if v_key not in ('field', 'method', 'path', 'table', 'column') then
        raise exception 'rule %: unknown key %', v_i, quote_literal(v_key) using errcode = '22023';
      end if;
    end loop;
    v_field := v_rule ->> 'field';
    v_method := v_rule ->> 'method';
    if v_method is null or v_method not in ('mask', 'remove', 'hash') then
      raise exception 'rule %: method must be mask, remove or hash', v_i using errcode = '22023';
    end if;
    case v_field
      when 'actor_ip' then
        if v_method = 'hash' then
          raise exception 'rule %: actor_ip can be masked or removed, not hashed (it is an address)', v_i using errcode = '22023';
        end if;
        v_out := v_out || jsonb_build_object('ip', v_method);
      when 'user_agent' then
        v_out := v_out || jsonb_build_object('ua', v_method);
      when 'event_data' then
        v_path := v_rule ->> 'path';
        if v_path is null or v_path !~ '^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$' then
          raise exception 'rule %: path must be a dotted path of keys in event_data, e.g. customer.email', v_i using errcode = '22023';
        end if;
        v_out := jsonb_set(v_out, '{data}', coalesce(v_out -> 'data', '[]') ||
          jsonb_build_array(jsonb_build_object('path', to_jsonb(string_to_array(v_path, '.')), 'method', v_method)));
        -- the same as parallel arrays of text[] literals and methods, for the per-row functions
        v_out := jsonb_set(v_out, '{dp}', coalesce(v_out -> 'dp', '[]') || to_jsonb(string_to_array(v_path, '.')::text));
        v_out := jsonb_set(v_out, '{dm}', coalesce(v_out -> 'dm', '[]') || to_jsonb(v_method));
      when 'values' then
        if coalesce(v_rule ->> 'table', '') !~ '^[^.]+\.[^.]+$' or coalesce(v_rule ->> 'column', '') = '' then
          raise exception 'rule %: a values rule names table (schema.table as in audit_events.table_name) and column', v_i using errcode = '22023';
        end if;
        v_out := jsonb_set(v_out, '{values}', coalesce(v_out -> 'values', '{}') ||
          jsonb_build_object(v_rule ->> 'table', coalesce(v_out #> array['values', v_rule ->> 'table'], '{}') || jsonb_build_object(v_rule ->> 'column', v_method)));
        v_out := jsonb_set(v_out, '{vc}', coalesce(v_out -> 'vc', '{}') ||
          jsonb_build_object(v_rule ->> 'table', jsonb_build_object(
            'c', coalesce(v_out #> array['vc', v_rule ->> 'table', 'c'], '[]') || to_jsonb(v_rule ->> 'column'),
            'm', coalesce(v_out #> array['vc', v_rule ->> 'table', 'm'], '[]') || to_jsonb(v_method))));
      else
        raise exception 'rule %: field must be event_data, actor_ip, user_agent or values', v_i using errcode = '22023';
    end case;
    if v_method = 'hash' then
      v_out := v_out || '{"needs_key": true}';
    end if;
    v_i := v_i + 1;
  end loop;
  return v_out;
end;
$_$;

--
-- Name: FUNCTION compile_redaction_fields(rules jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.compile_redaction_fields(rules jsonb) IS 'Validates redaction rules (SQLSTATE 22023 naming the bad rule) and compiles them per field for the redaction functions (warden_private.redact_ip, redact_ua, redact_data, redact_columns, redaction_marker).';

--
-- Name: compile_redaction_rules(jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.compile_redaction_rules(rules jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select warden_private.compile_read_marker(warden_private.compile_redaction_fields(rules))
$$;

--
-- Name: FUNCTION compile_redaction_rules(rules jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.compile_redaction_rules(rules jsonb) IS 'Validates redaction rules (SQLSTATE 22023 naming the bad rule) and compiles them: per field (warden_private.compile_redaction_fields) plus the read marker (warden_private.compile_read_marker).';

--
-- Name: create_api_key(uuid, text, warden.tenant_role, integer, uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.create_api_key(tenant_id uuid, name text, role warden.tenant_role DEFAULT 'member'::warden.tenant_role, rate_limit_per_second integer DEFAULT NULL::integer, created_by uuid DEFAULT NULL::uuid, OUT id uuid, OUT key text) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_prefix text;
begin
  if not exists (select 1 from warden.tenants t where t.id = create_api_key.tenant_id) then
    raise exception 'tenant % does not exist', tenant_id using errcode = '23503';
  end if;
  v_prefix := 'wdn_' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12);
  key := v_prefix || '_' || warden_private.new_api_key_secret();
  insert into warden.api_keys (tenant_id, name, prefix, role, rate_limit_per_second, created_by)
  values (create_api_key.tenant_id, btrim(create_api_key.name), v_prefix, create_api_key.role,
          coalesce(create_api_key.rate_limit_per_second, 500), create_api_key.created_by)
  returning api_keys.id into id;
  insert into warden_private.api_key_secrets (api_key_id, key_hash) values (id, sha256(convert_to(key, 'UTF8')));
end;
$$;

--
-- Name: FUNCTION create_api_key(tenant_id uuid, name text, role warden.tenant_role, rate_limit_per_second integer, created_by uuid, OUT id uuid, OUT key text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.create_api_key(tenant_id uuid, name text, role warden.tenant_role, rate_limit_per_second integer, created_by uuid, OUT id uuid, OUT key text) IS 'Creates an API key for a service account; returns its id and the key, which is shown only this once (CLI: warden apikey create).';

--
-- Name: create_audit_partition(date); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.create_audit_partition(month_start date) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_name text := warden_private.audit_partition_name(month_start);
begin
  if to_regclass('warden_private.' || v_name) is not null then
    return false;
  end if;
  execute format(
    'create table warden_private.%I partition of warden.audit_events for values from (%L) to (%L)',
    v_name, month_start::timestamptz, (month_start + interval '1 month')::timestamptz);
  execute format('comment on table warden_private.%I is %L', v_name,
    'Audit events of ' || to_char(month_start, 'YYYY-MM') || ' (partition of warden.audit_events).');
  -- Statement-level triggers are not inherited by partitions.
  execute format('create trigger _010_append_only_truncate before truncate on warden_private.%I
    for each statement execute function warden_private.tg_audit_append_only()', v_name);
  execute format('alter table warden_private.%I enable row level security', v_name);
  execute format('alter table warden_private.%I force row level security', v_name);
  execute format('create policy owner_maintenance on warden_private.%I to warden_owner using (true) with check (true)', v_name);
  return true;
end;
$$;

--
-- Name: FUNCTION create_audit_partition(month_start date); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.create_audit_partition(month_start date) IS 'Creates the monthly partition starting at month_start (with its guard trigger and policies) unless it exists; true when created.';

--
-- Name: create_tenant(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.create_tenant(name text) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  insert into warden.tenants (name) values (btrim(create_tenant.name)) returning id
$$;

--
-- Name: FUNCTION create_tenant(name text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.create_tenant(name text) IS 'Creates a tenant and returns its id (CLI: warden tenant create).';

--
-- Name: create_user(uuid, text, warden.tenant_role, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.create_user(tenant_id uuid, email text, role warden.tenant_role DEFAULT 'member'::warden.tenant_role, display_name text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
#variable_conflict use_column
declare
  v_user_id uuid;
begin
  if not exists (select 1 from warden.tenants t where t.id = create_user.tenant_id) then
    raise exception 'tenant % does not exist', create_user.tenant_id using errcode = '23503';
  end if;
  insert into warden.users (email, display_name) values (btrim(create_user.email), create_user.display_name)
  on conflict (lower(email)) do update set display_name = coalesce(excluded.display_name, warden.users.display_name)
  returning id into v_user_id;
  -- An existing membership keeps its role (warden user role changes it).
  insert into warden.tenant_memberships (tenant_id, user_id, role)
  values (create_user.tenant_id, v_user_id, coalesce(create_user.role, 'member'))
  on conflict on constraint tenant_memberships_tenant_id_user_id_key do nothing;
  return v_user_id;
end;
$$;

--
-- Name: FUNCTION create_user(tenant_id uuid, email text, role warden.tenant_role, display_name text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.create_user(tenant_id uuid, email text, role warden.tenant_role, display_name text) IS 'Creates a user (or finds one by email) and makes them a member of the tenant with the role unless they already are one: an existing membership is never changed (warden_private.set_member_role changes roles). Returns the user id (CLI: warden user create).';

--
-- Name: create_user_session(uuid, uuid, timestamp with time zone, inet, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.create_user_session(tenant_id uuid, user_id uuid, expires_at timestamp with time zone, ip inet DEFAULT NULL::inet, user_agent text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_id uuid;
begin
  if create_user_session.expires_at is null or create_user_session.expires_at <= now() then
    raise exception 'a session must expire in the future' using errcode = '22023';
  end if;
  if create_user_session.expires_at > now() + interval '366 days' then
    raise exception 'a session lasts at most 366 days' using errcode = '22023';
  end if;
  if not exists (select 1 from warden.tenant_memberships m
                 where m.tenant_id = create_user_session.tenant_id and m.user_id = create_user_session.user_id) then
    raise exception 'user % is not a member of tenant %', create_user_session.user_id, create_user_session.tenant_id
      using errcode = '42501';
  end if;
  insert into warden.user_sessions (tenant_id, user_id, expires_at, ip, user_agent)
  values (create_user_session.tenant_id, create_user_session.user_id, create_user_session.expires_at,
          create_user_session.ip, left(create_user_session.user_agent, 1024))
  returning id into v_id;
  return v_id;
end;
$$;

--
-- Name: FUNCTION create_user_session(tenant_id uuid, user_id uuid, expires_at timestamp with time zone, ip inet, user_agent text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.create_user_session(tenant_id uuid, user_id uuid, expires_at timestamp with time zone, ip inet, user_agent text) IS 'Opens a session for a member of a tenant, expiring at expires_at (at most 366 days ahead); returns its id, the jti of the token minted for it. Writes governance.session.created. Raises 42501 when the user is not a member.';

--
-- Name: dq_abandon_stale_runs(interval); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_abandon_stale_runs(older_than interval DEFAULT '1 day'::interval) RETURNS integer
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  with abandoned as (
    update warden.dq_runs r set status = 'abandoned', finished_at = now()
    where r.status = 'queued' and r.requested_at < now() - older_than
    returning 1
  ) select count(*)::integer from abandoned
$$;

--
-- Name: FUNCTION dq_abandon_stale_runs(older_than interval); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_abandon_stale_runs(older_than interval) IS 'Marks queued runs the worker never ran (older than older_than) as abandoned; returns how many.';

--
-- Name: dq_apply_retention(integer, integer, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_apply_retention(default_days integer, batch_size integer DEFAULT 10000, dry_run boolean DEFAULT false) RETURNS TABLE(tenant_id uuid, method text, partition_name text, rows_purged bigint)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_max integer := warden_private.retention_max_days(default_days);
  p record;
  t record;
  v_days integer;
  v_n bigint;
begin
  if batch_size is null or batch_size not between 1 and 100000 then
    raise exception 'batch_size must be between 1 and 100000, got %', batch_size using errcode = '22023';
  end if;
  -- Whole monthly partitions past every policy and free of tenant-wide holds.
  for p in
    select c.oid::regclass as part, c.relname::text as name
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'warden.dq_results'::regclass
      and (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz <= now() - make_interval(days => v_max)
    order by c.relname
  loop
    continue when exists (select 1 from warden_private.legal_holds h
                          where h.released_at is null and h.resource_type is null and h.correlation_id is null
                            and exists (select 1 from warden.dq_results x where x.tableoid = p.part and x.tenant_id = h.tenant_id));
    return query execute format('select x.tenant_id, ''partition''::text, %L::text, count(*) from %s x group by 1 order by 1', p.name, p.part);
    if not dry_run then
      execute format('drop table %s', p.part);
    end if;
  end loop;
  -- Other rows past their tenant's policy, a bounded batch per tenant.
  for t in select distinct x.tenant_id from warden.dq_runs x where x.tenant_id is not null
           union select distinct r.tenant_id from warden.dq_rules r loop
    continue when warden_private.is_held(t.tenant_id, null, null, null);
    v_days := warden_private.retention_days(t.tenant_id, 'dq.result', default_days);
    if dry_run then
      select count(*) into v_n from warden.dq_results x where x.tenant_id = t.tenant_id and x.run_at < now() - make_interval(days => v_days);
    else
      with victims as (
        select x.id, x.run_at from warden.dq_results x
        where x.tenant_id = t.tenant_id and x.run_at < now() - make_interval(days => v_days)
        order by x.run_at limit batch_size
      )
      delete from warden.dq_results d using victims v where d.id = v.id and d.run_at = v.run_at;
      get diagnostics v_n = row_count;
      delete from warden.dq_runs r
      where r.tenant_id = t.tenant_id and r.requested_at < now() - make_interval(days => v_days)
        and not exists (select 1 from warden.dq_results x where x.run_id = r.id);
      if v_n > 0 then
        perform warden_private.record_governance_event('governance.dq.results_purged', t.tenant_id, 'dq_results', null, null, null,
          jsonb_build_object('rows', v_n, 'older_than_days', v_days));
      end if;
    end if;
    if v_n > 0 then
      tenant_id := t.tenant_id; method := 'rows'; partition_name := null; rows_purged := v_n;
      return next;
    end if;
  end loop;
  if not dry_run then
    delete from warden.dq_runs r
    where r.tenant_id is null and r.requested_at < now() - make_interval(days => v_max)
      and not exists (select 1 from warden.dq_results x where x.run_id = r.id);
  end if;
end;
$$;

--
-- Name: FUNCTION dq_apply_retention(default_days integer, batch_size integer, dry_run boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_apply_retention(default_days integer, batch_size integer, dry_run boolean) IS 'Retention of data-quality results: drops whole monthly partitions past every policy (unless a tenant-wide legal hold covers rows in them), then deletes at most batch_size rows per tenant past the tenant''s policy for dq.result (warden_private.retention_days) with their emptied runs, writing governance.dq.results_purged; dry_run only counts. Call until it returns no rows method rows of batch_size.';

--
-- Name: dq_cast_check(text, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_cast_check(value text, type_name text, what text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  execute format('select %L::%s', value, type_name);
exception when others then
  raise exception '%: % is not a valid % (%)', what, quote_literal(value), type_name, sqlerrm using errcode = '22023';
end;
$$;

--
-- Name: FUNCTION dq_cast_check(value text, type_name text, what text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_cast_check(value text, type_name text, what text) IS 'Raises 22023 naming the parameter when value is not a valid literal of the type (type_name comes from the catalog).';

--
-- Name: dq_check_custom_sql(text, regclass, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_check_custom_sql(query text, target regclass, api boolean) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_query text := btrim(query);
  v_path text;
  v_parsed jsonb;
  v_tree text;
  v_oid oid;
  v_name text;
  v_rel record;
begin
  if v_query = '' or length(v_query) > 10000 then
    raise exception 'custom_sql: sql must be a query of 1 to 10,000 characters' using errcode = '22023';
  end if;
  v_query := regexp_replace(v_query, ';\s*$', '');
  begin
    -- One statement that returns rows, planned read-only before anything
    -- else sees the text.
    v_path := format('pg_catalog, %I, pg_temp', (select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target));
    perform warden_private.dq_sandbox_explain(v_query, v_path);
    v_parsed := warden_private.dq_sandbox_parse(v_query, v_path);
  exception when others then
    raise exception 'custom_sql: % (it must be one SELECT returning the failing rows)', sqlerrm
      using errcode = case when sqlstate ~ '^(42|0A|25|22)' then sqlstate else '22023' end;
  end;
  v_tree := v_parsed ->> 'tree';
  -- Every function the query calls (directly, as an aggregate or window
  -- function, behind an operator or in FROM).
  for v_oid in
    select distinct m[2]::oid from regexp_matches(v_tree, ':(funcid|aggfnoid|winfnoid|opfuncid|hashfuncid|negfuncid|tsmhandler|startInRangeFunc|endInRangeFunc) ([0-9]+)', 'g') m
    where m[2] <> '0'
    union
    select distinct o.oprcode::oid from pg_operator o
    where o.oid in (select m[2]::oid from regexp_matches(v_tree, ':(opno|sortop|eqop) ([0-9]+)', 'g') m
                    union select unnest(string_to_array(m[1], ' '))::oid from regexp_matches(v_tree, ':opnos \(o ([0-9 ]+)\)', 'g') m)
  loop
    if not warden_private.dq_function_allowed(v_oid) then
      raise exception 'custom_sql may not call %: only built-in functions without side effects are allowed', v_oid::regprocedure
        using errcode = '42501';
    end if;
  end loop;
  for v_oid in
    select distinct m[2]::oid from regexp_matches(v_tree, ':(opno|sortop|eqop) ([0-9]+)', 'g') m
  loop
    if (select o.oprnamespace from pg_operator o where o.oid = v_oid) <> 'pg_catalog'::regnamespace then
      raise exception 'custom_sql may not use operator %: only built-in operators are allowed', v_oid::regoperator using errcode = '42501';
    end if;
  end loop;
  -- Casts to domains run their constraints' functions; GREATEST/LEAST of
  -- a type from elsewhere runs its comparison function.
  for v_oid in select distinct m[1]::oid from regexp_matches(v_tree, ':resulttype ([0-9]+)', 'g') m loop
    if exists (select 1 from pg_type t where t.oid = v_oid and t.typtype = 'd' and t.typnamespace <> 'pg_catalog'::regnamespace) then
      raise exception 'custom_sql may not cast to the domain %', v_oid::regtype using errcode = '42501';
    end if;
  end loop;
  for v_oid in select distinct m[1]::oid from regexp_matches(v_tree, ':minmaxtype ([0-9]+)', 'g') m loop
    if exists (select 1 from pg_type t where t.oid = v_oid and t.typtype = 'b' and t.typnamespace <> 'pg_catalog'::regnamespace) then
      raise exception 'custom_sql may not compare values of type % with GREATEST or LEAST', v_oid::regtype using errcode = '42501';
    end if;
  end loop;
  -- Every relation it reads.
  for v_oid in
    select distinct m[1]::oid from regexp_matches(v_tree, ':relid ([0-9]+)', 'g') m where m[1]::oid <> (v_parsed ->> 'view')::oid
  loop
    select c.relkind, c.relrowsecurity, n.nspname into v_rel from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_oid;
    continue when v_rel.nspname in ('pg_catalog', 'information_schema');
    v_name := v_oid::regclass::text;
    perform warden_private.dq_check_readable(v_oid::regclass, null, false, 'custom_sql reads ' || v_name);
    if api and not (v_rel.relkind in ('r', 'p') and v_rel.relrowsecurity) then
      raise exception 'custom_sql reads %, which has no row-level security: a tenant''s query could read other tenants'' rows', v_name
        using errcode = '42501', hint = 'enable row-level security on it, or ask a DBA to add the rule';
    end if;
  end loop;
  return regexp_replace(btrim(v_parsed ->> 'definition'), ';$', '');
end;
$_$;

--
-- Name: FUNCTION dq_check_custom_sql(query text, target regclass, api boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_check_custom_sql(query text, target regclass, api boolean) IS 'Validates a custom_sql query and returns its canonical, schema-qualified text: PostgreSQL parses it as a temporary view (so it is one SELECT, no data-modifying WITH), and its query tree is inspected: only built-in side-effect-free functions and operators, no domain casts, only relations the sandbox may read (with row-level security for API callers).';

--
-- Name: dq_check_readable(regclass, text, boolean, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_check_readable(target regclass, tenant_column text, api boolean, what text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_rel record;
begin
  select c.relkind, c.relrowsecurity, n.nspname, c.relpersistence into v_rel
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = target;
  if v_rel is null then
    raise exception '% does not exist', what using errcode = '42P01';
  end if;
  if v_rel.relkind not in ('r', 'p', 'v', 'm', 'f') then
    raise exception '% % is not a table or view', what, target using errcode = '42809';
  end if;
  if v_rel.nspname in ('warden_private', 'pg_catalog', 'information_schema', 'pg_toast', 'graphile_worker', 'graphile_migrate')
     or v_rel.relpersistence = 't' then
    raise exception '% %: Warden''s internals, system catalogs and temporary tables cannot be checked', what, target using errcode = '42501';
  end if;
  if not has_table_privilege('warden_dq_sandbox', target, 'select') then
    raise exception 'data-quality checks cannot read % (%)', target, what using errcode = '42501',
      hint = format('a DBA grants it: grant select on %s to warden_dq_sandbox', target);
  end if;
  if api and tenant_column is null and not (v_rel.relkind in ('r', 'p') and v_rel.relrowsecurity) then
    raise exception '% % has neither a tenant column nor row-level security: a tenant''s rule could read other tenants'' rows', what, target
      using errcode = '42501', hint = 'name the tenant column (tenant_column), enable row-level security on the table, or ask a DBA to add the rule';
  end if;
  return format('%I.%I', v_rel.nspname, (select c.relname from pg_class c where c.oid = target));
end;
$$;

--
-- Name: FUNCTION dq_check_readable(target regclass, tenant_column text, api boolean, what text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_check_readable(target regclass, tenant_column text, api boolean, what text) IS 'Checks that a rule may read a relation: a table or view outside Warden''s internals, readable by warden_dq_sandbox, and (for API callers) with its tenants kept apart by a tenant column or row-level security. Returns its schema.table name.';

--
-- Name: dq_check_schedule(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_check_schedule(schedule text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_fields text[];
  v_item text;
  v_parts text[];
  v_names text[];
  v_lo integer[] := array[0, 0, 1, 1, 0];
  v_hi integer[] := array[59, 23, 31, 12, 7];
  v_what text[] := array['minute', 'hour', 'day of month', 'month', 'day of week'];
  v_months text[] := array['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  v_days text[] := array['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  v_bound text;
  v_n integer;
begin
  if schedule is null then
    return null;
  end if;
  v_fields := regexp_split_to_array(btrim(lower(schedule)), '\s+');
  if cardinality(v_fields) <> 5 then
    raise exception 'schedule % must be a cron expression of 5 fields (minute hour day-of-month month day-of-week, UTC), e.g. "*/15 * * * *"',
      quote_literal(schedule) using errcode = '22023';
  end if;
  for i in 1 .. 5 loop
    foreach v_item in array string_to_array(v_fields[i], ',') loop
      v_parts := regexp_match(v_item, '^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/([0-9]+))?$');
      if v_parts is null or (v_parts[2] is not null and (v_parts[2]::integer = 0 or length(v_parts[2]) > 3)) then
        raise exception 'schedule %: % field % is not *, a value, a range or a step (*/n, a-b/n)', quote_literal(schedule), v_what[i],
          quote_literal(v_item) using errcode = '22023';
      end if;
      continue when v_parts[1] = '*';
      v_names := case i when 4 then v_months when 5 then v_days end;
      foreach v_bound in array string_to_array(v_parts[1], '-') loop
        if v_bound ~ '^[0-9]{1,2}$' then
          v_n := v_bound::integer;
        elsif v_names is not null and v_bound = any (v_names) then
          v_n := array_position(v_names, v_bound) - case when i = 5 then 1 else 0 end;
        else
          v_n := null;
        end if;
        if v_n is null or v_n not between v_lo[i] and v_hi[i] then
          raise exception 'schedule %: % % is out of range (% to %)', quote_literal(schedule), v_what[i], quote_literal(v_bound), v_lo[i], v_hi[i]
            using errcode = '22023';
        end if;
      end loop;
    end loop;
  end loop;
  return array_to_string(v_fields, ' ');
end;
$_$;

--
-- Name: FUNCTION dq_check_schedule(schedule text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_check_schedule(schedule text) IS 'Validates a cron schedule (5 fields: minute hour day-of-month month day-of-week, UTC; *, values, ranges, lists, steps, month and day names) and returns it normalised; 22023 naming the bad field. The worker evaluates it with cron-parser.';

--
-- Name: dq_column(regclass, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_column(target regclass, column_name text, OUT attname text, OUT type_name text, OUT type_category text, OUT type_id oid) RETURNS record
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if column_name is null or column_name = '' then
    raise exception 'a column name is required' using errcode = '22023';
  end if;
  select a.attname::text, format_type(a.atttypid, null), t.typcategory::text, a.atttypid
    into attname, type_name, type_category, type_id
  from pg_attribute a join pg_type t on t.oid = a.atttypid
  where a.attrelid = target and a.attname = column_name and a.attnum > 0 and not a.attisdropped;
  if attname is null then
    raise exception 'column % does not exist in %', quote_ident(column_name), target using errcode = '42703';
  end if;
  -- Domains compare like their base type.
  if type_category is null then
    type_category := 'X';
  end if;
end;
$$;

--
-- Name: FUNCTION dq_column(target regclass, column_name text, OUT attname text, OUT type_name text, OUT type_category text, OUT type_id oid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_column(target regclass, column_name text, OUT attname text, OUT type_name text, OUT type_category text, OUT type_id oid) IS 'A column of the target: its name, type (without modifier) and type category; 42703 when it does not exist.';

--
-- Name: dq_columns(regclass, jsonb, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_columns(target regclass, params jsonb, single_key text, list_key text) RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_cols text[];
  v_col text;
begin
  if params ? list_key then
    if jsonb_typeof(params -> list_key) <> 'array' or jsonb_array_length(params -> list_key) not between 1 and 16
       or exists (select 1 from jsonb_array_elements(params -> list_key) e where jsonb_typeof(e) <> 'string') then
      raise exception 'param % must be an array of 1 to 16 column names', list_key using errcode = '22023';
    end if;
    v_cols := array(select jsonb_array_elements_text(params -> list_key));
  else
    v_cols := array[warden_private.dq_param_text(params, single_key)];
  end if;
  foreach v_col in array v_cols loop
    perform warden_private.dq_column(target, v_col);
  end loop;
  if (select count(distinct c) from unnest(v_cols) c) <> cardinality(v_cols) then
    raise exception 'param %: a column is named twice', list_key using errcode = '22023';
  end if;
  return v_cols;
end;
$$;

--
-- Name: FUNCTION dq_columns(target regclass, params jsonb, single_key text, list_key text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_columns(target regclass, params jsonb, single_key text, list_key text) IS 'The columns a rule names (params.<single_key> or params.<list_key>), each checked to exist.';

--
-- Name: dq_compile(uuid, regclass, text, jsonb, text, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_compile(tenant uuid, target regclass, check_type text, params jsonb, tenant_column text, api boolean) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_params jsonb := coalesce(params, '{}');
  v_tenant_column text;
  v_from text;
  v_scope text;
  v_key text;
  v_col record;
  v_cols text[];
  v_out jsonb;
  v_text text;
  v_lo text;
  v_hi text;
  v_ref regclass;
  v_ref_cols text[];
  v_ref_tenant text;
  v_ref_col record;
  v_values text;
  v_common text[] := array['max_failing'];
begin
  if tenant is null then
    raise exception 'a rule needs a tenant' using errcode = '22023';
  end if;
  if target is null then
    raise exception 'a rule needs a target table or view' using errcode = '22023';
  end if;
  if not exists (select 1 from pg_class c where c.oid = target) then
    raise exception 'table % does not exist', target::oid using errcode = '42P01';
  end if;
  if jsonb_typeof(v_params) <> 'object' then
    raise exception 'params must be a JSON object' using errcode = '22023';
  end if;
  if check_type is null or check_type not in ('not_null', 'unique', 'accepted_values', 'range', 'pattern', 'max_length',
                                               'referential', 'freshness', 'row_count', 'schema', 'custom_sql') then
    raise exception 'unknown check type %: expected not_null, unique, accepted_values, range, pattern, max_length, referential, freshness, row_count, schema or custom_sql',
      coalesce(quote_literal(check_type), 'null') using errcode = '22023';
  end if;
  v_tenant_column := warden_private.dq_resolve_tenant_column(target, tenant_column, 'tenant_column');
  v_from := warden_private.dq_check_readable(target, v_tenant_column, api, 'target');
  v_scope := warden_private.dq_tenant_scope(target, v_tenant_column, tenant, 't');
  v_key := warden_private.dq_key_expr(target, 't');
  v_out := jsonb_build_object('from', v_from, 'scope', v_scope, 'target_name', v_from, 'tenant_column', v_tenant_column,
    'max_failing', coalesce(warden_private.dq_param_int(v_params, 'max_failing', 0, 1000000000000), 0));

  case check_type
  when 'not_null', 'accepted_values', 'range', 'pattern', 'max_length' then
    select * into v_col from warden_private.dq_column(target, warden_private.dq_param_text(v_params, 'column'));
    v_out := v_out || jsonb_build_object('kind', 'scan', 'enforceable', true, 'columns', jsonb_build_array(v_col.attname),
      'sample', format('jsonb_build_object(%L, %s, %L, jsonb_build_object(%L, t.%I))', 'key', v_key, 'values', v_col.attname, v_col.attname));
    case check_type
    when 'not_null' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column']);
      v_out := v_out || jsonb_build_object('pred', format('t.%I is null', v_col.attname), 'describe', format('%s is null', v_col.attname));
    when 'accepted_values' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'values']);
      if jsonb_typeof(v_params -> 'values') is distinct from 'array' or jsonb_array_length(v_params -> 'values') not between 1 and 1000
         or exists (select 1 from jsonb_array_elements(v_params -> 'values') e where jsonb_typeof(e) not in ('string', 'number', 'boolean')) then
        raise exception 'param values must be an array of 1 to 1000 strings, numbers or booleans' using errcode = '22023';
      end if;
      v_values := array(select e from jsonb_array_elements_text(v_params -> 'values') e)::text;
      perform warden_private.dq_cast_check(v_values, v_col.type_name || '[]', 'param values');
      v_out := v_out || jsonb_build_object(
        'pred', format('t.%I is not null and not (t.%I = any (%L::%s[]))', v_col.attname, v_col.attname, v_values, v_col.type_name),
        'describe', format('%s is not one of the accepted values', v_col.attname));
    when 'range' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'min', 'max', 'min_inclusive', 'max_inclusive']);
      v_lo := warden_private.dq_param_text(v_params, 'min', false);
      v_hi := warden_private.dq_param_text(v_params, 'max', false);
      if v_lo is null and v_hi is null then
        raise exception 'a range check needs min, max or both' using errcode = '22023';
      end if;
      if v_lo is not null then perform warden_private.dq_cast_check(v_lo, v_col.type_name, 'param min'); end if;
      if v_hi is not null then perform warden_private.dq_cast_check(v_hi, v_col.type_name, 'param max'); end if;
      v_text := concat_ws(' and ',
        case when v_lo is not null then format('t.%I %s %L::%s', v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'min_inclusive', true) then '>=' else '>' end, v_lo, v_col.type_name) end,
        case when v_hi is not null then format('t.%I %s %L::%s', v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'max_inclusive', true) then '<=' else '<' end, v_hi, v_col.type_name) end);
      v_out := v_out || jsonb_build_object('pred', format('t.%I is not null and not (%s)', v_col.attname, v_text),
        'describe', format('%s is outside %s%s, %s%s', v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'min_inclusive', true) then '[' else '(' end, coalesce(v_lo, '-inf'),
          coalesce(v_hi, 'inf'), case when warden_private.dq_param_bool(v_params, 'max_inclusive', true) then ']' else ')' end));
    when 'pattern' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'regex', 'case_insensitive']);
      v_text := warden_private.dq_param_text(v_params, 'regex');
      if length(v_text) > 1000 then
        raise exception 'param regex must be at most 1000 characters' using errcode = '22023';
      end if;
      begin
        perform '' ~ v_text;
      exception when invalid_regular_expression then
        raise exception 'param regex is not a valid regular expression: %', sqlerrm using errcode = '2201B';
      end;
      v_out := v_out || jsonb_build_object('pred', format('t.%I is not null and (t.%I)::text %s %L', v_col.attname, v_col.attname,
          case when warden_private.dq_param_bool(v_params, 'case_insensitive', false) then '!~*' else '!~' end, v_text),
        'describe', format('%s does not match %s', v_col.attname, v_text));
    when 'max_length' then
      perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'max']);
      if v_col.type_category <> 'S' then
        raise exception 'max_length applies to text columns; % is %', quote_ident(v_col.attname), v_col.type_name using errcode = '42804';
      end if;
      if warden_private.dq_param_int(v_params, 'max', 0, 1000000000) is null then
        raise exception 'param max is required' using errcode = '22023';
      end if;
      v_out := v_out || jsonb_build_object(
        'pred', format('t.%I is not null and char_length(t.%I) > %s', v_col.attname, v_col.attname, (v_params ->> 'max')::bigint),
        'describe', format('%s is longer than %s characters', v_col.attname, (v_params ->> 'max')::bigint));
    end case;

  when 'freshness' then
    perform warden_private.dq_keys_check(check_type, v_params, array['column', 'max_age']);
    select * into v_col from warden_private.dq_column(target, warden_private.dq_param_text(v_params, 'column'));
    if v_col.type_id not in ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) then
      raise exception 'freshness needs a timestamp or date column; % is %', quote_ident(v_col.attname), v_col.type_name using errcode = '42804';
    end if;
    v_text := warden_private.dq_param_text(v_params, 'max_age');
    perform warden_private.dq_cast_check(v_text, 'interval', 'param max_age');
    if v_text::interval <= interval '0' then
      raise exception 'param max_age must be a positive interval, got %', quote_literal(v_text) using errcode = '22023';
    end if;
    v_out := v_out || jsonb_build_object('kind', 'scan', 'enforceable', false, 'columns', jsonb_build_array(v_col.attname),
      'agg', format('max(t.%I)::timestamptz', v_col.attname), 'max_age', v_text::interval::text);

  when 'row_count' then
    perform warden_private.dq_keys_check(check_type, v_params, array['min', 'max', 'max_change_pct']);
    if not (v_params ?| array['min', 'max', 'max_change_pct']) then
      raise exception 'a row_count check needs min, max or max_change_pct' using errcode = '22023';
    end if;
    perform warden_private.dq_param_int(v_params, 'min', 0, 9223372036854775807);
    perform warden_private.dq_param_int(v_params, 'max', 0, 9223372036854775807);
    if v_params ? 'max_change_pct' and (jsonb_typeof(v_params -> 'max_change_pct') <> 'number' or (v_params ->> 'max_change_pct')::numeric <= 0) then
      raise exception 'param max_change_pct must be a positive number, got %', v_params -> 'max_change_pct' using errcode = '22023';
    end if;
    v_out := v_out || jsonb_build_object('kind', 'scan', 'enforceable', false, 'columns', '[]'::jsonb,
      'min', v_params -> 'min', 'max', v_params -> 'max', 'max_change_pct', v_params -> 'max_change_pct');

  when 'unique' then
    perform warden_private.dq_keys_check(check_type, v_params, v_common || array['column', 'columns']);
    v_cols := warden_private.dq_columns(target, v_params, 'column', 'columns');
    v_out := v_out || jsonb_build_object('kind', 'unique', 'columns', to_jsonb(v_cols), 'describe',
      format('%s is not unique', array_to_string(v_cols, ', ')),
      'sql', format($q$select jsonb_build_array(coalesce(sum(g.n), 0), coalesce(sum(g.n) filter (where g.n > 1 and %2$s), 0),
  (warden.dq_failing(case when g.n > 1 and %2$s then jsonb_build_object('key', jsonb_build_object(%3$s), 'rows', g.n) end)) -> 1)
from (select %1$s, count(*) as n from %4$s t where %5$s group by %1$s) g$q$,
        (select string_agg(format('t.%I', c), ', ') from unnest(v_cols) c),
        (select string_agg(format('g.%I is not null', c), ' and ') from unnest(v_cols) c),
        (select string_agg(format('%L, g.%I', c, c), ', ') from unnest(v_cols) c),
        v_from, v_scope));

  when 'referential' then
    perform warden_private.dq_keys_check(check_type, v_params,
      v_common || array['column', 'columns', 'references', 'to_column', 'to_columns', 'references_tenant_column']);
    v_cols := warden_private.dq_columns(target, v_params, 'column', 'columns');
    v_ref := warden_private.dq_resolve_target(warden_private.dq_param_text(v_params, 'references'), 'param references');
    if v_params ? 'to_column' or v_params ? 'to_columns' then
      v_ref_cols := warden_private.dq_columns(v_ref, v_params, 'to_column', 'to_columns');
    else
      v_ref_cols := v_cols;
      foreach v_text in array v_cols loop
        perform warden_private.dq_column(v_ref, v_text);
      end loop;
    end if;
    if cardinality(v_ref_cols) <> cardinality(v_cols) then
      raise exception 'the referencing and referenced columns must be as many (% and %)', cardinality(v_cols), cardinality(v_ref_cols)
        using errcode = '22023';
    end if;
    v_ref_tenant := warden_private.dq_resolve_tenant_column(v_ref, warden_private.dq_param_text(v_params, 'references_tenant_column', false),
      'references_tenant_column');
    perform warden_private.dq_check_readable(v_ref, v_ref_tenant, api, 'referenced table');
    v_out := v_out || jsonb_build_object('kind', 'referential', 'columns', to_jsonb(v_cols), 'references', v_ref::text,
      'describe', format('%s has no match in %s', array_to_string(v_cols, ', '), v_ref::text),
      'sql', format($q$select jsonb_build_array(count(*)) || warden.dq_failing(case when r.k1 is null then
  jsonb_build_object('key', %1$s, 'values', jsonb_build_object(%2$s)) end)
from %3$s t left join (select distinct %4$s from %5$s x where %6$s) r on %7$s
where %8$s and %9$s$q$,
        v_key,
        (select string_agg(format('%L, t.%I', c, c), ', ') from unnest(v_cols) c),
        v_from,
        (select string_agg(format('x.%I as k%s', c, o), ', ') from unnest(v_ref_cols) with ordinality u(c, o)),
        v_ref::text,
        warden_private.dq_tenant_scope(v_ref, v_ref_tenant, tenant, 'x'),
        (select string_agg(format('t.%I = r.k%s', c, o), ' and ') from unnest(v_cols) with ordinality u(c, o)),
        v_scope,
        (select string_agg(format('t.%I is not null', c), ' and ') from unnest(v_cols) c)));

  when 'schema' then
    perform warden_private.dq_keys_check(check_type, v_params, array['columns', 'exact']);
    if jsonb_typeof(v_params -> 'columns') is distinct from 'array' or jsonb_array_length(v_params -> 'columns') not between 1 and 1600 then
      raise exception 'param columns must be an array of {"name": ..., "type": ...}' using errcode = '22023';
    end if;
    perform warden_private.dq_param_bool(v_params, 'exact', false);
    v_out := v_out || jsonb_build_object('kind', 'schema', 'exact', warden_private.dq_param_bool(v_params, 'exact', false), 'expected', (
      select jsonb_agg(jsonb_build_object('name', e ->> 'name', 'type', case when e ? 'type' then format_type(t.t, null) end) order by o)
      from jsonb_array_elements(v_params -> 'columns') with ordinality x(e, o)
      cross join lateral (select case
        when jsonb_typeof(e) <> 'object' or jsonb_typeof(e -> 'name') is distinct from 'string'
             or (e ? 'type' and jsonb_typeof(e -> 'type') <> 'string')
             or exists (select 1 from jsonb_object_keys(e) k where k not in ('name', 'type'))
          then warden_private.dq_raise('22023', format('param columns[%s] must be {"name": "...", "type": "..."}', o - 1))::regtype
        when e ? 'type' then coalesce(to_regtype(e ->> 'type'),
          warden_private.dq_raise('42704', format('param columns[%s]: type %s does not exist', o - 1, quote_literal(e ->> 'type')))::regtype)
        end as t) t));

  when 'custom_sql' then
    perform warden_private.dq_keys_check(check_type, v_params, v_common || array['sql']);
    v_text := warden_private.dq_check_custom_sql(warden_private.dq_param_text(v_params, 'sql'), target, api);
    v_out := v_out || jsonb_build_object('kind', 'custom', 'describe', 'custom query returned failing rows',
      'sql', format('select jsonb_build_array(null::bigint) || warden.dq_failing(to_jsonb(q)) from (%s) q', v_text));
  end case;

  -- Plan what a run will execute, as the sandbox: every name, type and
  -- privilege is checked now, not at run time.
  if v_out ->> 'kind' = 'scan' then
    perform warden_private.dq_sandbox_explain(warden_private.dq_scan_sql(v_out ->> 'from', v_out ->> 'scope', array[v_out]));
  elsif v_out ? 'sql' then
    perform warden_private.dq_sandbox_explain(v_out ->> 'sql');
  end if;
  return v_out;
end;
$_$;

--
-- Name: FUNCTION dq_compile(tenant uuid, target regclass, check_type text, params jsonb, tenant_column text, api boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_compile(tenant uuid, target regclass, check_type text, params jsonb, tenant_column text, api boolean) IS 'Validates a rule against the catalog (SQLSTATE naming the problem: 22023 bad parameter or check type, 42703 unknown column, 42804 wrong column type, 42P01 unknown table, 42501 not readable or unsafe) and compiles it: the SQL fragments a run assembles, generated with format() from catalog names and literals only.';

--
-- Name: dq_create_run(uuid, regclass, uuid[], text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_create_run(tenant uuid, target regclass, rule_ids uuid[], trigger text, requested_by text) RETURNS uuid
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  insert into warden.dq_runs (tenant_id, target, rule_ids, trigger, requested_by)
  values (tenant, target, rule_ids, trigger, coalesce(requested_by, warden.current_actor() ->> 'id'))
  returning id
$$;

--
-- Name: FUNCTION dq_create_run(tenant uuid, target regclass, rule_ids uuid[], trigger text, requested_by text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_create_run(tenant uuid, target regclass, rule_ids uuid[], trigger text, requested_by text) IS 'Queues a run: the rules of the tenant (null: every tenant), on target (null: every table), or exactly rule_ids (null: every enabled rule).';

--
-- Name: dq_enqueue_run(uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_enqueue_run(run_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  -- One queue: data-quality runs execute one at a time and never take every
  -- worker slot from sealing and the other jobs.
  perform graphile_worker.add_job('dq_run', payload => json_build_object('run_id', run_id), queue_name => 'warden_dq',
    job_key => 'dq_run:' || run_id);
end;
$$;

--
-- Name: FUNCTION dq_enqueue_run(run_id uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_enqueue_run(run_id uuid) IS 'Enqueues the dq_run job of a queued run on the worker queue warden_dq (one run at a time).';

--
-- Name: dq_execute_check(uuid, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_execute_check(run_id uuid, "check" jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_names text[] := array['jwt.claims.tenant_id', 'jwt.claims.actor_id', 'jwt.claims.actor_type', 'jwt.claims.tenant_role',
                          'warden.trace_id', 'warden.context_extra'];
  v_saved text[] := array(select coalesce(current_setting(n, true), '') from unnest(v_names) n);
  v_out jsonb;
  v_started timestamptz := clock_timestamp();
  v_tenant uuid := ("check" ->> 'tenant_id')::uuid;
  v_target oid := ("check" ->> 'target')::oid;
  v_rules warden.dq_rules[];
  v_rule warden.dq_rules;
  v_raw jsonb;
  v_total bigint;
  v_results jsonb := '[]';
  v_judged jsonb;
  v_name text;
  i integer := 0;
begin
  -- The tenant's context, as warden.set_context would set it (the caller's
  -- is restored on return): the target's row-level security sees this
  -- tenant only, Warden itself (system) is the actor.
  perform set_config(v_names[1], v_tenant::text, true), set_config(v_names[2], 'system', true), set_config(v_names[3], 'system', true),
          set_config(v_names[4], '', true), set_config(v_names[5], 'dq-run-' || run_id, true), set_config(v_names[6], '{}', true);
  select array_agg(r order by array_position(array(select jsonb_array_elements_text("check" -> 'rule_ids'))::uuid[], r.id)) into v_rules
  from warden.dq_rules r
  where r.id in (select jsonb_array_elements_text("check" -> 'rule_ids')::uuid) and r.tenant_id = v_tenant and r.target = v_target;
  if cardinality(v_rules) is distinct from jsonb_array_length("check" -> 'rule_ids') then
    raise exception 'rules of check % changed during the run', "check" ->> 'no' using errcode = '40001';
  end if;
  select format('%I.%I', n.nspname, c.relname) into v_name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_target;
  if v_name is distinct from "check" ->> 'target_name' then
    raise exception 'the target % of these rules no longer exists (table %: %)', "check" ->> 'target_name', v_target, coalesce(v_name, 'dropped')
      using errcode = '42P01';
  end if;
  begin
    case "check" ->> 'kind'
    when 'scan' then
      v_raw := warden_private.dq_sandbox_eval(warden_private.dq_scan_sql(v_rules[1].compiled ->> 'from', v_rules[1].compiled ->> 'scope',
        array(select r.compiled from unnest(v_rules) r)));
    when 'schema' then
      select coalesce(jsonb_object_agg(a.attname, format_type(a.atttypid, null)), '{}') into v_raw
      from pg_attribute a where a.attrelid = v_target and a.attnum > 0 and not a.attisdropped;
    else
      v_raw := warden_private.dq_sandbox_eval(v_rules[1].compiled ->> 'sql');
    end case;
  exception when others then
    -- A statement timeout (query_canceled) is not caught here: it ends the
    -- statement, and the runner records the check as timed out.
    v_out := jsonb_build_object('check', "check", 'error', sqlerrm, 'sqlstate', sqlstate,
      'duration_ms', round(extract(epoch from clock_timestamp() - v_started) * 1000, 3));
  end;
  if v_out is not null then
    perform set_config(v_names[g.k], v_saved[g.k], true) from generate_subscripts(v_names, 1) g(k);
    return v_out;
  end if;
  v_total := case when "check" ->> 'kind' = 'scan' then (v_raw ->> 0)::bigint end;
  foreach v_rule in array v_rules loop
    i := i + 1;
    v_judged := warden_private.dq_judge(v_rule, case "check" ->> 'kind' when 'scan' then v_raw -> i else v_raw end, v_total);
    v_results := v_results || jsonb_build_array(jsonb_build_object('rule_id', v_rule.id)
      || v_judged || jsonb_build_object('sample', warden_private.dq_redact_sample(v_tenant, v_rule.target_name, v_judged -> 'sample')));
  end loop;
  perform set_config(v_names[g.k], v_saved[g.k], true) from generate_subscripts(v_names, 1) g(k);
  return jsonb_build_object('check', "check", 'results', v_results,
    'duration_ms', round(extract(epoch from clock_timestamp() - v_started) * 1000, 3));
end;
$$;

--
-- Name: FUNCTION dq_execute_check(run_id uuid, "check" jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_execute_check(run_id uuid, "check" jsonb) IS 'Executes one check of a run, read-only, in the tenant''s context, as warden_dq_sandbox (the query itself) and returns {check, results: [{rule_id, status, message, rows_checked, rows_failing, observed_value, sample (redacted)}], duration_ms}, or {check, error, sqlstate} when it could not run.';

--
-- Name: dq_finish_run(uuid, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_finish_run(run_id uuid, outcomes jsonb) RETURNS warden.dq_runs
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_run warden.dq_runs;
  v_outcome jsonb;
  v_result jsonb;
  v_rule warden.dq_rules;
  v_rule_id text;
begin
  select * into v_run from warden.dq_runs r where r.id = dq_finish_run.run_id and r.status = 'running' for update;
  if v_run.id is null then
    raise exception 'data-quality run % is not running', run_id using errcode = '55000';
  end if;
  for v_outcome in select * from jsonb_array_elements(coalesce(outcomes, '[]')) loop
    if v_outcome ? 'error' then
      -- The check could not run: every rule in it is an error, with why.
      for v_rule_id in select jsonb_array_elements_text(v_outcome #> '{check,rule_ids}') loop
        select * into v_rule from warden.dq_rules r where r.id = v_rule_id::uuid;
        continue when v_rule.id is null;
        perform warden_private.dq_record_result(v_run, v_rule,
          jsonb_build_object('status', 'error', 'message', format('%s (SQLSTATE %s)', v_outcome ->> 'error', coalesce(v_outcome ->> 'sqlstate', '?'))),
          (v_outcome ->> 'duration_ms')::numeric);
      end loop;
    else
      for v_result in select * from jsonb_array_elements(v_outcome -> 'results') loop
        select * into v_rule from warden.dq_rules r where r.id = (v_result ->> 'rule_id')::uuid;
        continue when v_rule.id is null;
        perform warden_private.dq_record_result(v_run, v_rule, v_result, (v_outcome ->> 'duration_ms')::numeric);
      end loop;
    end if;
  end loop;
  update warden.dq_runs r set status = 'finished', finished_at = clock_timestamp(),
    rules_total = s.total, rules_passed = s.passed, rules_failed = s.failed, rules_errored = s.errored, gate_passed = s.gate
  from (select count(*)::int as total, count(*) filter (where x.status = 'pass')::int as passed,
               count(*) filter (where x.status = 'fail')::int as failed, count(*) filter (where x.status = 'error')::int as errored,
               not coalesce(bool_or(x.status <> 'pass' and x.severity = 'error'), false) as gate
        from warden.dq_results x where x.run_id = v_run.id and x.run_at = v_run.started_at) s
  where r.id = v_run.id
  returning r.* into v_run;
  return v_run;
end;
$$;

--
-- Name: FUNCTION dq_finish_run(run_id uuid, outcomes jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_finish_run(run_id uuid, outcomes jsonb) IS 'Records the outcomes of a run''s checks (from warden_private.dq_execute_check, or {check, error, sqlstate} for a check that failed or timed out): one result per rule, a dq.rule.failed event per failed rule, and the run''s summary.';

--
-- Name: dq_function_allowed(oid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_function_allowed(fn oid) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $_$
  select coalesce((
    select p.pronamespace = 'pg_catalog'::regnamespace
       and not p.prosecdef
       and (p.provolatile <> 'v' or p.proname in ('random', 'random_normal', 'clock_timestamp', 'timeofday', 'gen_random_uuid'))
       and p.proname !~ '(_to_xml|xmlschema|^ts_stat$|^pg_read|^pg_ls_|^pg_stat_file$|^lo_|^pg_file|^dblink)'
    from pg_proc p where p.oid = fn), false)
$_$;

--
-- Name: FUNCTION dq_function_allowed(fn oid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_function_allowed(fn oid) IS 'Whether custom_sql may call a function: built-in (pg_catalog), not SECURITY DEFINER, not volatile (except random, clock_timestamp, timeofday, gen_random_uuid), and none that runs SQL given as text or reads files (query_to_xml and its family, ts_stat, pg_read_file, lo_*, ...).';

--
-- Name: dq_judge(warden.dq_rules, jsonb, bigint); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_judge(rule warden.dq_rules, raw jsonb, rows_total bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  c jsonb := rule.compiled;
  v_failing bigint;
  v_checked bigint;
  v_status text;
  v_message text;
  v_observed jsonb;
  v_newest timestamptz;
  v_prev bigint;
  v_change numeric;
  v_problems text[] := '{}';
  v_actual jsonb;
begin
  case
  when c ? 'pred' or c ->> 'kind' in ('unique', 'referential', 'custom') then
    v_checked := coalesce((raw ->> 0)::bigint, rows_total);
    v_failing := (raw ->> 1)::bigint;
    v_status := case when v_failing > (c ->> 'max_failing')::bigint then 'fail' else 'pass' end;
    v_observed := jsonb_build_object('failing_ratio', case when v_checked > 0 then round(v_failing::numeric / v_checked, 6) end);
    v_message := case when v_failing = 0 then null
      when v_checked is null then format('%s row(s): %s', v_failing, c ->> 'describe')
      else format('%s of %s row(s): %s', v_failing, v_checked, c ->> 'describe') end;
    if v_status = 'pass' and v_failing > 0 then
      v_message := v_message || format(' (tolerated: at most %s)', c ->> 'max_failing');
    end if;
    return jsonb_build_object('status', v_status, 'message', v_message, 'rows_checked', v_checked, 'rows_failing', v_failing,
      'observed_value', v_observed, 'sample', coalesce(raw -> 2, '[]'));
  when c ? 'agg' then
    v_newest := (raw ->> 0)::timestamptz;
    v_status := case when v_newest is null or v_newest < now() - (c ->> 'max_age')::interval then 'fail' else 'pass' end;
    return jsonb_build_object('status', v_status, 'rows_checked', rows_total, 'rows_failing', null,
      'observed_value', jsonb_build_object('newest', v_newest, 'age', (now() - v_newest)::text, 'max_age', c ->> 'max_age'),
      'message', case when v_newest is null then format('no rows: nothing newer than %s', c ->> 'max_age')
                      when v_status = 'fail' then format('newest %s is %s old (allowed %s)', c #>> '{columns,0}',
                                                          date_trunc('second', now() - v_newest), c ->> 'max_age') end);
  when rule.check_type = 'row_count' then
    select (r.observed_value ->> 'rows')::bigint into v_prev
    from warden.dq_results r
    where r.rule_id = rule.id and r.status in ('pass', 'fail') and r.observed_value ? 'rows'
    order by r.run_at desc limit 1;
    if c ? 'min' and rows_total < (c ->> 'min')::bigint then
      v_problems := v_problems || format('%s row(s), fewer than the minimum %s', rows_total, c ->> 'min');
    end if;
    if c ? 'max' and rows_total > (c ->> 'max')::bigint then
      v_problems := v_problems || format('%s row(s), more than the maximum %s', rows_total, c ->> 'max');
    end if;
    if v_prev is not null then
      v_change := case when v_prev = 0 then case when rows_total = 0 then 0 end else round((rows_total - v_prev) * 100.0 / v_prev, 3) end;
      if c ? 'max_change_pct' and (v_change is null or abs(v_change) > (c ->> 'max_change_pct')::numeric) then
        v_problems := v_problems || format('%s row(s) against %s last run (%s%%, allowed ±%s%%)', rows_total, v_prev,
          coalesce(v_change::text, 'from 0'), c ->> 'max_change_pct');
      end if;
    end if;
    return jsonb_build_object('status', case when cardinality(v_problems) > 0 then 'fail' else 'pass' end,
      'rows_checked', rows_total, 'rows_failing', null,
      'observed_value', jsonb_strip_nulls(jsonb_build_object('rows', rows_total, 'previous', v_prev, 'change_pct', v_change)),
      'message', nullif(array_to_string(v_problems, '; '), ''));
  when c ->> 'kind' = 'schema' then
    v_actual := raw;
    select coalesce(array_agg(p order by p), '{}') into v_problems from (
      select format('missing column %s', e ->> 'name') as p
      from jsonb_array_elements(c -> 'expected') e where not v_actual ? (e ->> 'name')
      union all
      select format('column %s is %s, expected %s', e ->> 'name', v_actual ->> (e ->> 'name'), e ->> 'type')
      from jsonb_array_elements(c -> 'expected') e
      where e ->> 'type' is not null and v_actual ? (e ->> 'name') and v_actual ->> (e ->> 'name') <> e ->> 'type'
      union all
      select format('unexpected column %s', k)
      from jsonb_object_keys(v_actual) k
      where (c ->> 'exact')::boolean and not exists (select 1 from jsonb_array_elements(c -> 'expected') e where e ->> 'name' = k)
    ) x;
    return jsonb_build_object('status', case when cardinality(v_problems) > 0 then 'fail' else 'pass' end,
      'rows_checked', null, 'rows_failing', null, 'observed_value', jsonb_build_object('columns', v_actual),
      'message', nullif(array_to_string(v_problems, '; '), ''));
  end case;
end;
$$;

--
-- Name: FUNCTION dq_judge(rule warden.dq_rules, raw jsonb, rows_total bigint); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_judge(rule warden.dq_rules, raw jsonb, rows_total bigint) IS 'Turns what a check measured for one rule into its result: status (pass or fail), message, rows checked and failing, observed value, raw sample.';

--
-- Name: dq_key_expr(regclass, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_key_expr(target regclass, alias text) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select coalesce(
    (select format('jsonb_build_object(%s)', string_agg(format('%L, %I.%I', c, alias, c), ', ' order by o))
     from unnest(warden_private.primary_key_columns(target)) with ordinality k(c, o)),
    'null::jsonb')
$$;

--
-- Name: FUNCTION dq_key_expr(target regclass, alias text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_key_expr(target regclass, alias text) IS 'SQL building a row''s primary key as a JSON object (null::jsonb for views and tables without one).';

--
-- Name: dq_keys_check(text, jsonb, text[]); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_keys_check(check_type text, params jsonb, allowed text[]) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_key text;
begin
  for v_key in select jsonb_object_keys(params) loop
    if not v_key = any (allowed) then
      raise exception 'unknown param % for check type %: expected %', quote_literal(v_key), check_type, array_to_string(allowed, ', ')
        using errcode = '22023';
    end if;
  end loop;
end;
$$;

--
-- Name: FUNCTION dq_keys_check(check_type text, params jsonb, allowed text[]); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_keys_check(check_type text, params jsonb, allowed text[]) IS 'Raises 22023 for a parameter the check type does not know.';

--
-- Name: dq_param_bool(jsonb, text, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_param_bool(params jsonb, key text, default_value boolean) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if not params ? key then
    return default_value;
  end if;
  if jsonb_typeof(params -> key) <> 'boolean' then
    raise exception 'param % must be true or false, got %', key, params -> key using errcode = '22023';
  end if;
  return (params ->> key)::boolean;
end;
$$;

--
-- Name: FUNCTION dq_param_bool(params jsonb, key text, default_value boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_param_bool(params jsonb, key text, default_value boolean) IS 'An optional boolean rule parameter; 22023 when it is not a boolean.';

--
-- Name: dq_param_int(jsonb, text, bigint, bigint); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_param_int(params jsonb, key text, min_value bigint, max_value bigint) RETURNS bigint
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $_$
begin
  if not params ? key then
    return null;
  end if;
  if jsonb_typeof(params -> key) <> 'number' or (params ->> key) !~ '^[0-9]+$' or (params ->> key)::numeric not between min_value and max_value then
    raise exception 'param % must be a whole number from % to %, got %', key, min_value, max_value, params -> key using errcode = '22023';
  end if;
  return (params ->> key)::bigint;
end;
$_$;

--
-- Name: FUNCTION dq_param_int(params jsonb, key text, min_value bigint, max_value bigint); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_param_int(params jsonb, key text, min_value bigint, max_value bigint) IS 'An optional whole-number rule parameter within bounds; 22023 otherwise.';

--
-- Name: dq_param_text(jsonb, text, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_param_text(params jsonb, key text, required boolean DEFAULT true) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if params ? key then
    if jsonb_typeof(params -> key) not in ('string', 'number', 'boolean') then
      raise exception 'param % must be a string, number or boolean, got %', key, jsonb_typeof(params -> key) using errcode = '22023';
    end if;
    return params ->> key;
  end if;
  if required then
    raise exception 'param % is required', key using errcode = '22023';
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION dq_param_text(params jsonb, key text, required boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_param_text(params jsonb, key text, required boolean) IS 'A scalar rule parameter as text; 22023 when it is missing (and required) or not a scalar.';

--
-- Name: dq_queue_scheduled(uuid, regclass, uuid[], timestamp with time zone); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_queue_scheduled(tenant uuid, target regclass, rule_ids uuid[], fired_at timestamp with time zone) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_run uuid;
begin
  v_run := warden_private.dq_create_run(tenant, target, rule_ids, 'schedule', 'system');
  insert into warden_private.dq_schedule_state as s (rule_id, last_fired_at)
  select unnest(rule_ids), fired_at
  on conflict on constraint dq_schedule_state_pkey do update set last_fired_at = excluded.last_fired_at;
  perform warden_private.dq_enqueue_run(v_run);
  return v_run;
end;
$$;

--
-- Name: FUNCTION dq_queue_scheduled(tenant uuid, target regclass, rule_ids uuid[], fired_at timestamp with time zone); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_queue_scheduled(tenant uuid, target regclass, rule_ids uuid[], fired_at timestamp with time zone) IS 'Queues the scheduled run of some due rules of one tenant and table (one dq_run job), and records the occurrence they ran for.';

--
-- Name: dq_raise(text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_raise(sqlstate text, message text) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  raise exception '%', message using errcode = sqlstate;
end;
$$;

--
-- Name: FUNCTION dq_raise(sqlstate text, message text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_raise(sqlstate text, message text) IS 'Raises an error with the SQLSTATE (for use inside expressions).';

--
-- Name: dq_record_result(warden.dq_runs, warden.dq_rules, jsonb, numeric); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_record_result(run warden.dq_runs, rule warden.dq_rules, result jsonb, duration_ms numeric) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_id uuid;
  v_status text := result ->> 'status';
begin
  insert into warden.dq_results (run_at, run_id, rule_id, tenant_id, target_name, rule_name, check_type, severity, status, message,
    rows_checked, rows_failing, observed_value, duration_ms, sample)
  values (coalesce(run.started_at, now()), run.id, rule.id, rule.tenant_id, rule.target_name, rule.name, rule.check_type, rule.severity,
    v_status, left(result ->> 'message', 2000), (result ->> 'rows_checked')::bigint, (result ->> 'rows_failing')::bigint,
    result -> 'observed_value', duration_ms, coalesce(result -> 'sample', '[]'))
  returning id into v_id;
  if v_status in ('fail', 'error') then
    -- dq.rule.failed (or dq.rule.errored) in the run's transaction: the
    -- result and its event commit together or not at all. No sample in
    -- the event: it may hold personal data.
    insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id,
      resource_type, resource_id, correlation_id, trace_id, service, table_name, event_data)
    values (rule.tenant_id, case v_status when 'fail' then 'dq.rule.failed' else 'dq.rule.errored' end, 'dq',
      case v_status when 'fail' then 'failed' else 'errored' end, 'failure',
      case when rule.severity = 'error' then 'error' else 'warning' end::warden.audit_severity,
      'system', 'system', 'dq_rule', rule.id::text, 'dq-run-' || run.id, nullif(current_setting('warden.trace_id', true), ''), 'warden',
      rule.target_name,
      jsonb_build_object('version', 1, 'service', 'warden', 'operation', 'dq.rule.' || case v_status when 'fail' then 'failed' else 'errored' end,
        'status', v_status, 'run_id', run.id, 'run_trigger', run.trigger, 'result_id', v_id,
        'rule', jsonb_build_object('id', rule.id, 'name', rule.name, 'check_type', rule.check_type, 'target', rule.target_name,
                                   'severity', rule.severity),
        'message', left(result ->> 'message', 2000), 'rows_checked', (result ->> 'rows_checked')::bigint,
        'rows_failing', (result ->> 'rows_failing')::bigint, 'observed_value', result -> 'observed_value'));
  end if;
end;
$$;

--
-- Name: FUNCTION dq_record_result(run warden.dq_runs, rule warden.dq_rules, result jsonb, duration_ms numeric); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_record_result(run warden.dq_runs, rule warden.dq_rules, result jsonb, duration_ms numeric) IS 'Stores one rule''s result of a run and, when it failed or could not be evaluated, its dq.rule.failed (dq.rule.errored) audit event, in the same transaction.';

--
-- Name: dq_record_violations(uuid[], jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_record_violations(rule_ids uuid[], measured jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_rule warden.dq_rules;
  v_run warden.dq_runs;
  v_runs jsonb := '{}';
  v_m jsonb;
  v_id uuid;
begin
  for i in 1 .. cardinality(rule_ids) loop
    v_m := measured -> (i - 1);
    continue when coalesce((v_m ->> 1)::bigint, 0) = 0;
    select * into v_rule from warden.dq_rules r where r.id = rule_ids[i];
    continue when v_rule.id is null;
    if not v_runs ? v_rule.tenant_id::text then
      insert into warden.dq_runs (tenant_id, target, trigger, status, started_at, finished_at, requested_by)
      values (v_rule.tenant_id, v_rule.target, 'enforce', 'finished', now(), now(), warden.current_actor() ->> 'id')
      returning id into v_id;
      v_runs := v_runs || jsonb_build_object(v_rule.tenant_id::text, v_id);
    end if;
    select * into v_run from warden.dq_runs r where r.id = (v_runs ->> v_rule.tenant_id::text)::uuid;
    perform warden_private.dq_record_result(v_run, v_rule, jsonb_build_object('status', 'fail',
      'message', format('write of %s row(s): %s row(s) %s', v_m ->> 0, v_m ->> 1, v_rule.compiled ->> 'describe'),
      'rows_checked', (v_m ->> 0)::bigint, 'rows_failing', (v_m ->> 1)::bigint,
      'observed_value', jsonb_build_object('failing_ratio', round((v_m ->> 1)::numeric / nullif((v_m ->> 0)::numeric, 0), 6)),
      'sample', warden_private.dq_redact_sample(v_rule.tenant_id, v_rule.target_name, coalesce(v_m -> 2, '[]'))), null);
    update warden.dq_runs r set rules_total = rules_total + 1, rules_failed = rules_failed + 1,
      gate_passed = coalesce(gate_passed, true) and v_rule.severity <> 'error'
    where r.id = v_run.id;
  end loop;
end;
$$;

--
-- Name: FUNCTION dq_record_violations(rule_ids uuid[], measured jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_record_violations(rule_ids uuid[], measured jsonb) IS 'Record mode: stores the rules a write violated as failed results (one run with trigger enforce per tenant and statement) with their dq.rule.failed events.';

--
-- Name: dq_redact_sample(uuid, text, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_redact_sample(tenant uuid, target_name text, sample jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  -- The tenant's redaction rules for the target's columns (docs/privacy.md),
  -- applied to each sampled row's key and values.
  select case when p.policy is null or sample is null then coalesce(sample, '[]') else coalesce((
    select jsonb_agg(case
      when jsonb_typeof(s) = 'object' and s ? 'values' then
        s || jsonb_build_object('key', warden_private.redact_columns(p.policy, target_name, s -> 'key'),
                                'values', warden_private.redact_columns(p.policy, target_name, s -> 'values'))
      when jsonb_typeof(s) = 'object' and s ? 'rows' then
        s || jsonb_build_object('key', warden_private.redact_columns(p.policy, target_name, s -> 'key'))
      when jsonb_typeof(s) = 'object' then warden_private.redact_columns(p.policy, target_name, s)
      else s end order by o)
    from jsonb_array_elements(sample) with ordinality x(s, o)), '[]') end
  from (select (select warden_private.policy_with_key(rp.tenant_id, rp.compiled) from warden.redaction_policies rp
                where rp.tenant_id = tenant) as policy) p
$$;

--
-- Name: FUNCTION dq_redact_sample(tenant uuid, target_name text, sample jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_redact_sample(tenant uuid, target_name text, sample jsonb) IS 'A failing-row sample with the tenant''s redaction rules (values rules of the target table) applied to keys and values.';

--
-- Name: dq_reject(uuid, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_reject(rule_id uuid, failing_row jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_rule warden.dq_rules;
  v_row jsonb;
  v_parts text[];
begin
  select * into v_rule from warden.dq_rules r where r.id = rule_id;
  v_row := warden_private.dq_redact_sample(v_rule.tenant_id, v_rule.target_name, jsonb_build_array(failing_row)) -> 0;
  v_parts := parse_ident(v_rule.target_name);
  raise exception 'data-quality rule % (% on %) rejected the statement: row % fails it', v_rule.name, v_rule.check_type, v_rule.target_name,
    coalesce(nullif(v_row -> 'key', 'null'::jsonb), v_row -> 'values')::text
    using errcode = '23514', constraint = v_rule.name, schema = v_parts[1], table = v_parts[2],
          detail = format('%s (rule %s, tenant %s)', v_rule.compiled ->> 'describe', v_rule.id, v_rule.tenant_id),
          hint = 'fix the row, or change the rule (warden.dq_rules) or the enforcement (warden.dq_enforce)';
end;
$$;

--
-- Name: FUNCTION dq_reject(rule_id uuid, failing_row jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_reject(rule_id uuid, failing_row jsonb) IS 'Raises SQLSTATE 23514 naming the rule (also as the error''s constraint name) and the first failing row''s key (redacted like samples).';

--
-- Name: dq_resolve_target(text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_resolve_target(name text, what text) RETURNS regclass
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_parts text[];
  v_oid oid;
begin
  -- Through the catalogs: API roles need no access to the table's schema.
  begin
    v_parts := parse_ident(name);
  exception when others then
    v_parts := null;
  end;
  if cardinality(v_parts) is distinct from 2 then
    raise exception '% must be schema.table, got %', what, coalesce(quote_literal(name), 'null') using errcode = '22023';
  end if;
  select c.oid into v_oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = v_parts[1] and c.relname = v_parts[2];
  if v_oid is null then
    raise exception '%: table % does not exist', what, quote_literal(name) using errcode = '42P01';
  end if;
  return v_oid::regclass;
end;
$$;

--
-- Name: FUNCTION dq_resolve_target(name text, what text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_resolve_target(name text, what text) IS 'A table named schema.table, found through the catalogs (the caller needs no privilege on its schema); 22023 or 42P01 otherwise.';

--
-- Name: dq_resolve_tenant_column(regclass, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_resolve_tenant_column(target regclass, wanted text, what text) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_col record;
begin
  if wanted is not null then
    select * into v_col from warden_private.dq_column(target, wanted);
    if v_col.type_id <> 'uuid'::regtype then
      raise exception '% % of % must be of type uuid, it is %', what, quote_ident(wanted), target, v_col.type_name using errcode = '42804';
    end if;
    return wanted;
  end if;
  if exists (select 1 from pg_attribute a where a.attrelid = target and a.attname = 'tenant_id' and a.attnum > 0
             and not a.attisdropped and a.atttypid = 'uuid'::regtype) then
    return 'tenant_id';
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION dq_resolve_tenant_column(target regclass, wanted text, what text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_resolve_tenant_column(target regclass, wanted text, what text) IS 'The tenant column of a table: the one named (checked: a uuid), else tenant_id when it has one, else null.';

--
-- Name: dq_results_partition_name(date); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_results_partition_name(month_start date) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select 'dq_results_p' || to_char(month_start, 'YYYYMM')
$$;

--
-- Name: FUNCTION dq_results_partition_name(month_start date); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_results_partition_name(month_start date) IS 'Name of the monthly dq_results partition that starts at month_start.';

--
-- Name: dq_rule_public(warden.dq_rules); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_rule_public(r warden.dq_rules) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select jsonb_strip_nulls(jsonb_build_object('id', r.id, 'target', r.target_name, 'name', r.name, 'check_type', r.check_type,
    'params', r.params, 'severity', r.severity, 'enabled', r.enabled, 'schedule', r.schedule, 'timeout_ms', r.timeout_ms,
    'tenant_column', r.tenant_column))
$$;

--
-- Name: FUNCTION dq_rule_public(r warden.dq_rules); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_rule_public(r warden.dq_rules) IS 'A rule as its governance events show it (no compiled SQL).';

--
-- Name: dq_sandbox_eval(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_sandbox_eval(query text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_tenant text := current_setting('jwt.claims.tenant_id', true);
  v_out jsonb;
begin
  -- Read-only inside a subtransaction that always ends in an exception
  -- carrying the result: rolling it back restores the transaction's
  -- read-write mode (and any setting the query changed), so nothing a
  -- check runs can write, and the caller can still record the results.
  begin
    perform set_config('transaction_read_only', 'on', true);
    -- JIT compiling a scan's many aggregates costs more than it saves
    -- (measured: 1.2 s against 0.83 s on a million rows).
    perform set_config('jit', 'off', true);
    execute query into v_out;
    -- A query that moved to another tenant's context gets no result.
    if current_setting('jwt.claims.tenant_id', true) is distinct from v_tenant then
      raise exception 'the check changed its request context' using errcode = '42501';
    end if;
    raise exception using errcode = 'WDQ01', message = coalesce(v_out::text, 'null');
  exception when sqlstate 'WDQ01' then
    return sqlerrm::jsonb;
  end;
end;
$$;

--
-- Name: FUNCTION dq_sandbox_eval(query text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_sandbox_eval(query text) IS 'Runs one check query (generated by Warden from a validated rule) as warden_dq_sandbox, read-only (in a subtransaction always rolled back, the result carried out by the exception ending it), and returns its single jsonb value. Callable only by warden_owner.';

--
-- Name: dq_sandbox_explain(text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_sandbox_explain(query text, search_path text DEFAULT 'pg_catalog, pg_temp'::text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_cursor refcursor;
begin
  -- Opens the query as a cursor and closes it without fetching a row: it is
  -- parsed, planned and its privileges checked (every table and column),
  -- but never run. A cursor takes exactly one statement, so text holding
  -- several ("select 1; select pg_sleep(60)") fails here before any of it
  -- runs. Read-only, in a subtransaction rolled back on the way out (as in
  -- dq_sandbox_eval).
  begin
    perform set_config('transaction_read_only', 'on', true);
    perform set_config('search_path', dq_sandbox_explain.search_path, true);
    open v_cursor for execute query;
    close v_cursor;
    raise exception using errcode = 'WDQ01', message = 'planned';
  exception when sqlstate 'WDQ01' then
    return;
  end;
end;
$$;

--
-- Name: FUNCTION dq_sandbox_explain(query text, search_path text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_sandbox_explain(query text, search_path text) IS 'Plans a query as warden_dq_sandbox without running it (a cursor opened and closed, read-only): raises what a run would (several statements, unknown column, type mismatch, permission denied). Used when a rule is saved. Callable only by warden_owner.';

--
-- Name: dq_sandbox_parse(text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_sandbox_parse(query text, search_path text) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_view text := 'warden_dq_probe_' || replace(gen_random_uuid()::text, '-', '');
  v_oid oid;
  v_out jsonb;
begin
  -- A temporary view parses the query the way PostgreSQL would run it (a
  -- single SELECT: no other statement, no data-modifying WITH), records its
  -- query tree, and prints it back schema-qualified.
  perform set_config('search_path', dq_sandbox_parse.search_path, true);
  execute format('create temporary view %I as %s', v_view, query);
  perform set_config('search_path', 'pg_catalog, pg_temp', true);
  v_oid := format('pg_temp.%I', v_view)::regclass::oid;
  select jsonb_build_object('view', v_oid, 'definition', pg_get_viewdef(v_oid), 'tree', r.ev_action::text) into v_out
  from pg_rewrite r where r.ev_class = v_oid;
  execute format('drop view pg_temp.%I', v_view);
  return v_out;
end;
$$;

--
-- Name: FUNCTION dq_sandbox_parse(query text, search_path text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_sandbox_parse(query text, search_path text) IS 'Parses a custom_sql query as warden_dq_sandbox (as a temporary view, dropped at once): its canonical schema-qualified text and its query tree, which warden_private.dq_check_custom_sql inspects. Callable only by warden_owner.';

--
-- Name: dq_scan_sql(text, text, jsonb[]); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_scan_sql(from_sql text, scope text, rules jsonb[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
  -- One SELECT over the table: count(*), then per rule its failing count and
  -- sample (warden.dq_failing), or its aggregate (freshness), or nothing
  -- (row_count).
  select format('select jsonb_build_array(count(*)%s) from %s t where %s',
    coalesce(string_agg(', ' || case
      when r ? 'pred' then format('(jsonb_build_array(null::bigint) || warden.dq_failing(case when %s then %s end))', r ->> 'pred', r ->> 'sample')
      when r ? 'agg' then format('jsonb_build_array(to_jsonb(%s))', r ->> 'agg')
      else 'jsonb_build_array()' end, '' order by o), ''),
    from_sql, scope)
  from unnest(rules) with ordinality u(r, o)
$$;

--
-- Name: FUNCTION dq_scan_sql(from_sql text, scope text, rules jsonb[]); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_scan_sql(from_sql text, scope text, rules jsonb[]) IS 'The one-scan query of a table''s column rules (compiled rules sharing from and scope; at most 50).';

--
-- Name: dq_scheduled_rules(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_scheduled_rules() RETURNS TABLE(rule_id uuid, tenant_id uuid, target regclass, schedule text, since timestamp with time zone)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select r.id, r.tenant_id, r.target, r.schedule, coalesce(s.last_fired_at, r.created_at)
  from warden.dq_rules r left join warden_private.dq_schedule_state s on s.rule_id = r.id
  where r.enabled and r.schedule is not null
  order by r.tenant_id, r.target, r.id
$$;

--
-- Name: FUNCTION dq_scheduled_rules(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_scheduled_rules() IS 'Enabled rules with a schedule, and since when they are due (their last scheduled occurrence, or their creation).';

--
-- Name: dq_start_run(uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_start_run(run_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_run warden.dq_runs;
  v_checks jsonb;
begin
  update warden.dq_runs r set status = 'running', started_at = now()
  where r.id = dq_start_run.run_id and r.status = 'queued'
  returning * into v_run;
  if v_run.id is null then
    raise exception 'data-quality run % is not queued', run_id using errcode = '55000';
  end if;
  -- Column rules of one tenant on one table share one scan (at most 50 per
  -- scan); every other rule is a check of its own.
  with rules as (
    select r.id, r.tenant_id, r.target, r.target_name, r.timeout_ms, r.compiled ->> 'kind' as kind, r.compiled ->> 'scope' as scope
    from warden.dq_rules r
    where (v_run.tenant_id is null or r.tenant_id = v_run.tenant_id)
      and (v_run.target is null or r.target = v_run.target)
      and (case when v_run.rule_ids is null then r.enabled else r.id = any (v_run.rule_ids) end)
  ), grouped as (
    select r.tenant_id, r.target, r.target_name, r.kind,
           case when r.kind = 'scan' then (row_number() over (partition by r.tenant_id, r.target, r.scope, r.kind order by r.id) - 1) / 50
                else row_number() over (order by r.id) end as part,
           r.scope, r.id, r.timeout_ms
    from rules r
  )
  select coalesce(jsonb_agg(jsonb_build_object('no', c.no, 'tenant_id', c.tenant_id, 'target', c.target::oid, 'target_name', c.target_name,
           'kind', c.kind, 'rule_ids', c.rule_ids, 'timeout_ms', c.timeout_ms) order by c.no), '[]')
    into v_checks
  from (
    select row_number() over (order by g.target_name, g.kind, min(g.id::text)) as no, g.tenant_id, g.target, g.target_name, g.kind,
           jsonb_agg(g.id order by g.id) as rule_ids, max(g.timeout_ms) as timeout_ms
    from grouped g
    group by g.tenant_id, g.target, g.target_name, g.kind, g.scope, g.part
  ) c;
  return v_checks;
end;
$$;

--
-- Name: FUNCTION dq_start_run(run_id uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_start_run(run_id uuid) IS 'Starts a queued run and returns its checks: [{no, tenant_id, target, target_name, kind, rule_ids, timeout_ms}], one per table and tenant for column rules (one scan), one per other rule.';

--
-- Name: dq_sync_enforcement(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_sync_enforcement(target regclass) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_fn text := 'dq_enforce_' || target::oid;
  v_reject_ids uuid[] := '{}';
  v_reject_conds text[] := '{}';
  v_reject_rows text[] := '{}';
  v_record_ids uuid[] := '{}';
  v_record_parts text[] := '{}';
  v_body text;
  r record;
  v_cond text;
  v_scope text;
begin
  perform pg_advisory_xact_lock(hashtext('warden.dq_enforce'), target::oid::integer);
  for r in
    select x.id, x.tenant_id, x.tenant_column, x.severity, x.compiled, e.mode
    from warden.dq_rules x join warden.dq_enforcements e on e.tenant_id = x.tenant_id and e.target = x.target
    where x.target = dq_sync_enforcement.target and x.enabled and (x.compiled ->> 'enforceable')::boolean
    order by x.tenant_id, x.id
  loop
    -- Rows of the rule's tenant: by the tenant column, or (without one) rows
    -- written in the tenant's context or without any context.
    v_scope := case when r.tenant_column is not null then r.compiled ->> 'scope'
                    else format('(v_ctx is null or v_ctx = %L::uuid)', r.tenant_id) end;
    v_cond := format('(%s and (%s))', v_scope, r.compiled ->> 'pred');
    if r.mode = 'reject' and r.severity = 'error' then
      v_reject_ids := v_reject_ids || r.id;
      v_reject_conds := v_reject_conds || v_cond;
      v_reject_rows := v_reject_rows || format('when %s then %s', v_cond, r.compiled ->> 'sample');
    else
      v_record_ids := v_record_ids || r.id;
      v_record_parts := v_record_parts || format('(jsonb_build_array(count(*) filter (where %s)) || warden.dq_failing(case when %s then %s end))',
        v_scope, v_cond, r.compiled ->> 'sample');
    end if;
  end loop;

  if cardinality(v_reject_ids) + cardinality(v_record_ids) = 0 then
    execute format('drop trigger if exists _800_dq_enforce_insert on %s', target);
    execute format('drop trigger if exists _800_dq_enforce_update on %s', target);
    execute format('drop function if exists warden_private.%I()', v_fn);
    return false;
  end if;

  v_body := E'declare\n  v_ctx uuid := nullif(current_setting(''jwt.claims.tenant_id'', true), '''')::uuid;\n  v_rule integer;\n  v_row jsonb;\n  v_measured jsonb;\nbegin\n';
  if cardinality(v_reject_ids) > 0 then
    v_body := v_body || format(E'  select case %s end, case %s end into v_rule, v_row from new_rows t where %s limit 1;\n'
      || E'  if v_rule is not null then\n    perform warden_private.dq_reject((%L::uuid[])[v_rule], v_row);\n  end if;\n',
      (select string_agg(format('when %s then %s', c, o), ' ') from unnest(v_reject_conds) with ordinality u(c, o)),
      array_to_string(v_reject_rows, ' '),
      array_to_string(v_reject_conds, ' or '),
      v_reject_ids);
  end if;
  if cardinality(v_record_ids) > 0 then
    v_body := v_body || format(E'  select jsonb_build_array(%s) into v_measured from new_rows t;\n'
      || E'  perform warden_private.dq_record_violations(%L::uuid[], v_measured);\n',
      array_to_string(v_record_parts, ', '), v_record_ids);
  end if;
  v_body := v_body || E'  return null;\nend;\n';
  execute format('create or replace function warden_private.%I() returns trigger language plpgsql security definer '
    'set search_path = pg_catalog set jit = off as %L', v_fn, v_body);
  execute format('comment on function warden_private.%I() is %L', v_fn,
    format('Generated by warden.dq_enforce: the enforced data-quality rules of %s (statement-level, over the transition table).', target));
  execute format('revoke all on function warden_private.%I() from public', v_fn);
  begin
    if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_800_dq_enforce_insert') then
      execute format('create trigger _800_dq_enforce_insert after insert on %s referencing new table as new_rows '
        'for each statement execute function warden_private.%I()', target, v_fn);
    end if;
    if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_800_dq_enforce_update') then
      execute format('create trigger _800_dq_enforce_update after update on %s referencing new table as new_rows '
        'for each statement execute function warden_private.%I()', target, v_fn);
    end if;
  exception when insufficient_privilege then
    raise exception 'Warden cannot create triggers on %: %', target, sqlerrm using errcode = '42501',
      hint = format('a DBA grants it: grant trigger on %s to warden_owner', target);
  end;
  return true;
end;
$$;

--
-- Name: FUNCTION dq_sync_enforcement(target regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_sync_enforcement(target regclass) IS 'Generates the enforcement trigger function of a table from the enabled enforceable rules (not_null, accepted_values, range, pattern, max_length) of the tenants that enforce them, and installs its INSERT and UPDATE statement triggers; removes both when nothing is enforced. Reject mode: error-severity rules reject, warn rules record.';

--
-- Name: dq_tenant_scope(regclass, text, uuid, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.dq_tenant_scope(target regclass, tenant_column text, tenant uuid, alias text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select case when tenant_column is null then 'true' else format('%I.%I = %L::uuid', alias, tenant_column, tenant) end
$$;

--
-- Name: FUNCTION dq_tenant_scope(target regclass, tenant_column text, tenant uuid, alias text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.dq_tenant_scope(target regclass, tenant_column text, tenant uuid, alias text) IS 'The predicate that keeps a check to its tenant''s rows (true when row-level security does it).';

--
-- Name: enqueue_job(text, jsonb, timestamp with time zone, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.enqueue_job(identifier text, payload jsonb DEFAULT '{}'::jsonb, run_at timestamp with time zone DEFAULT NULL::timestamp with time zone, job_key text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  perform graphile_worker.add_job(
    identifier => enqueue_job.identifier,
    payload => coalesce(enqueue_job.payload, '{}')::json,
    run_at => enqueue_job.run_at,
    job_key => enqueue_job.job_key);
end;
$$;

--
-- Name: FUNCTION enqueue_job(identifier text, payload jsonb, run_at timestamp with time zone, job_key text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.enqueue_job(identifier text, payload jsonb, run_at timestamp with time zone, job_key text) IS 'Enqueues a graphile-worker job (tasks/ holds the task of each identifier).';

--
-- Name: erase_json(jsonb, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.erase_json(value jsonb, subject text, pseudonym text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
begin
  return case jsonb_typeof(value)
    when 'object' then (select coalesce(jsonb_object_agg(warden_private.erase_text(e.key, subject, pseudonym),
                                                          warden_private.erase_json(e.value, subject, pseudonym)), '{}'::jsonb)
                        from jsonb_each(value) e)
    when 'array' then (select coalesce(jsonb_agg(warden_private.erase_json(a.value, subject, pseudonym) order by a.ord), '[]'::jsonb)
                       from jsonb_array_elements(value) with ordinality a(value, ord))
    when 'string' then to_jsonb(warden_private.erase_text(value #>> '{}', subject, pseudonym))
    when 'number' then case when value::text = subject then to_jsonb(pseudonym) else value end
    else value
  end;
end;
$$;

--
-- Name: FUNCTION erase_json(value jsonb, subject text, pseudonym text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.erase_json(value jsonb, subject text, pseudonym text) IS 'A JSON value with every key, string and number that is (or, for ids of 6+ characters, contains) the subject id replaced by its pseudonym.';

--
-- Name: erase_text(text, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.erase_text(value text, subject text, pseudonym text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  -- Whole value equal to the id: the pseudonym. Ids of 6+ characters are
  -- also replaced inside longer strings (composite keys, URLs, emails in
  -- text); shorter ones only as whole values, so "42" does not rewrite 1423.
  select case
    when value is null then null
    when value = subject then pseudonym
    when length(subject) >= 6 then replace(value, subject, pseudonym)
    else value
  end
$$;

--
-- Name: FUNCTION erase_text(value text, subject text, pseudonym text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.erase_text(value text, subject text, pseudonym text) IS 'A text with the subject id replaced by its pseudonym (whole value always; inside longer text for ids of 6+ characters).';

--
-- Name: event_mentions(warden.audit_events, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.event_mentions(e warden.audit_events, subject text, needle text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  select e.actor_id = subject or e.resource_id = subject
    or (length(subject) >= 6 and (strpos(e.actor_id, subject) > 0 or strpos(coalesce(e.resource_id, ''), subject) > 0
        or strpos(coalesce(e.user_agent, ''), subject) > 0 or strpos(coalesce(e.service, ''), subject) > 0))
    or strpos(coalesce(e.row_pk::text, '') || coalesce(e.old_values::text, '') || coalesce(e.new_values::text, '')
              || coalesce(e.event_data::text, ''), needle) > 0
    or (length(subject) < 6 and subject ~ '^-?[0-9]+(\.[0-9]+)?$'
        and (e.row_pk::text ~ ('[:\[,] ?' || subject || '[,}\]]') or e.old_values::text ~ ('[:\[,] ?' || subject || '[,}\]]')
             or e.new_values::text ~ ('[:\[,] ?' || subject || '[,}\]]') or e.event_data::text ~ ('[:\[,] ?' || subject || '[,}\]]')))
$_$;

--
-- Name: FUNCTION event_mentions(e warden.audit_events, subject text, needle text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.event_mentions(e warden.audit_events, subject text, needle text) IS 'Whether an event holds the subject id anywhere erasure rewrites.';

--
-- Name: finish_retention_run(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.finish_retention_run() RETURNS timestamp with time zone
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  update warden_private.retention_state set last_run_at = now() returning last_run_at
$$;

--
-- Name: FUNCTION finish_retention_run(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.finish_retention_run() IS 'Records that a retention run (not a dry run) finished now.';

--
-- Name: governance_drop_partition(text, integer, bigint, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.governance_drop_partition(partition_name text, default_days integer, expected_rows bigint DEFAULT NULL::bigint, lock_timeout text DEFAULT '2s'::text) RETURNS TABLE(tenant_id uuid, rows_purged bigint, prune_record_id bigint)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    AS $$
declare
  v_part record;
  v_total bigint;
  r record;
  v_record bigint;
  v_sealed bigint;
begin
  select d.* into v_part from warden_private.retention_droppable_partitions(default_days) d
  where d.partition_name = governance_drop_partition.partition_name;
  if not found then
    raise exception 'partition % is not entirely past retention and free of legal holds', quote_literal(partition_name)
      using errcode = '55000', hint = 'only monthly partitions whose every event is past policy and not held can be dropped';
  end if;
  perform set_config('lock_timeout', lock_timeout, true);
  perform set_config('warden.governance_operation', 'retention', true);
  -- Serialize with the sealer, so sealed_through is exact.
  perform pg_advisory_xact_lock(hashtext('warden.seal'));
  -- No writer may add rows to the partition from here on.
  execute format('lock table %s in share mode', v_part.partition);
  create temporary table if not exists warden_retention_counts (tenant_key uuid, n bigint) on commit drop;
  truncate warden_retention_counts;
  execute format('insert into warden_retention_counts select warden_private.tenant_key(e.tenant_id), count(*) from %s e group by 1',
    v_part.partition);
  select coalesce(sum(c.n), 0) into v_total from warden_retention_counts c;
  if expected_rows is not null and v_total <> expected_rows then
    raise exception 'partition % has % rows, expected % (rows arrived after archiving?)', partition_name, v_total, expected_rows
      using errcode = '40001';
  end if;
  execute format('alter table warden.audit_events detach partition %s', v_part.partition);
  execute format('drop table %s', v_part.partition);
  for r in select c.tenant_key, c.n from warden_retention_counts c order by 1 loop
    select h.last_seq into v_sealed from warden_private.seal_heads h where h.tenant_key = r.tenant_key;
    insert into warden_private.prune_records (tenant_key, method, partition_name, range_from, range_to, sealed_through, event_count)
    values (r.tenant_key, 'partition', v_part.partition_name, v_part.range_from, v_part.range_to, coalesce(v_sealed, 0), r.n)
    returning id into v_record;
    perform warden_private.record_retention_event(r.tenant_key, 'partition', v_part.partition_name, r.n, v_record,
      jsonb_build_object('range_from', v_part.range_from, 'range_to', v_part.range_to));
    tenant_id := nullif(r.tenant_key, '00000000-0000-0000-0000-000000000000'::uuid);
    rows_purged := r.n;
    prune_record_id := v_record;
    return next;
  end loop;
  update warden_private.retention_state set rows_deleted = rows_deleted + v_total, partitions_dropped = partitions_dropped + 1;
  drop table warden_retention_counts;
  perform set_config('warden.governance_operation', '', true);
end;
$$;

--
-- Name: FUNCTION governance_drop_partition(partition_name text, default_days integer, expected_rows bigint, lock_timeout text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.governance_drop_partition(partition_name text, default_days integer, expected_rows bigint, lock_timeout text) IS 'Retention fast path: detaches and drops one monthly audit partition whose every event is past policy and not held (checked again here), with a prune record and a warden.retention.purge event per tenant. expected_rows (the archived count) must match. Waits at most lock_timeout for locks.';

--
-- Name: governance_erase_subject_batch(uuid, uuid, text, text, timestamp with time zone, uuid, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.governance_erase_subject_batch(erasure_id uuid, tenant uuid, subject text, pseudonym text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer, OUT scanned integer, OUT rewritten integer, OUT actor_matches integer, OUT resource_matches integer, OUT last_occurred_at timestamp with time zone, OUT last_event_id uuid) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_needle text := warden_private.json_needle(subject);
  v_policy jsonb;
  v_paths text[];
  v_cols jsonb;
begin
  perform set_config('warden.governance_operation', 'erase_subject', true);
  select p.compiled into v_policy from warden.redaction_policies p where p.tenant_id = tenant;
  -- The tenant's configured PII: event_data paths and column names of values rules.
  v_cols := coalesce((select jsonb_object_agg(t.key, t.value) from jsonb_each(v_policy -> 'values') t), '{}');

  if to_regclass('pg_temp.warden_erase_batch') is null then
    create temporary table warden_erase_batch (
      event_id uuid, occurred_at timestamptz, is_actor boolean, is_resource boolean, original bytea
    ) on commit drop;
  end if;
  truncate warden_erase_batch;

  -- Bounded: at most batch_size events of the tenant scanned, in (occurred_at, event_id) order.
  with scan as (
    select e from warden.audit_events e
    where e.tenant_id = tenant
      and (after_occurred_at is null or (e.occurred_at, e.event_id) > (after_occurred_at, after_event_id))
    order by e.occurred_at, e.event_id
    limit batch_size
  ), hit as (
    insert into warden_erase_batch
    select (s.e).event_id, (s.e).occurred_at, (s.e).actor_id = subject, (s.e).resource_id = subject,
           warden_private.audit_payload_hash(s.e)
    from scan s where warden_private.event_mentions(s.e, subject, v_needle)
    returning 1
  )
  select count(*)::int, max((s.e).occurred_at), (array_agg((s.e).event_id order by (s.e).occurred_at desc, (s.e).event_id desc))[1]
    into scanned, last_occurred_at, last_event_id
  from scan s;
  -- (the hit CTE ran; now rewrite what it found)

  update warden.audit_events e set
    actor_id = warden_private.erase_text(e.actor_id, subject, pseudonym),
    actor_ip = case when b.is_actor then null else e.actor_ip end,
    user_agent = case when b.is_actor then null else warden_private.erase_text(e.user_agent, subject, pseudonym) end,
    resource_id = warden_private.erase_text(e.resource_id, subject, pseudonym),
    service = warden_private.erase_text(e.service, subject, pseudonym),
    row_pk = warden_private.erase_json(e.row_pk, subject, pseudonym),
    old_values = warden_private.erase_json(
      case when (b.is_actor or b.is_resource) and v_cols ? e.table_name
           then e.old_values - array(select jsonb_object_keys(v_cols -> e.table_name)) else e.old_values end, subject, pseudonym),
    new_values = warden_private.erase_json(
      case when (b.is_actor or b.is_resource) and v_cols ? e.table_name
           then e.new_values - array(select jsonb_object_keys(v_cols -> e.table_name)) else e.new_values end, subject, pseudonym),
    event_data = warden_private.erase_json(
      case when (b.is_actor or b.is_resource) then warden_private.strip_paths(e.event_data, v_policy -> 'data')
           else e.event_data end, subject, pseudonym)
  from warden_erase_batch b
  where e.event_id = b.event_id and e.occurred_at = b.occurred_at and e.tenant_id = tenant;
  get diagnostics rewritten = row_count;

  insert into warden_private.erasure_records (event_id, erased_payload_hash, original_payload_hash, tenant_key, erasure_id)
  select b.event_id, warden_private.audit_payload_hash(e), b.original, tenant, governance_erase_subject_batch.erasure_id
  from warden_erase_batch b
  join warden.audit_events e on e.event_id = b.event_id and e.occurred_at = b.occurred_at
  where warden_private.audit_payload_hash(e) <> b.original
  on conflict on constraint erasure_records_pkey do nothing;

  select count(*) filter (where b.is_actor)::int, count(*) filter (where b.is_resource)::int
    into actor_matches, resource_matches from warden_erase_batch b;
  perform set_config('warden.governance_operation', '', true);
end;
$$;

--
-- Name: FUNCTION governance_erase_subject_batch(erasure_id uuid, tenant uuid, subject text, pseudonym text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer, OUT scanned integer, OUT rewritten integer, OUT actor_matches integer, OUT resource_matches integer, OUT last_occurred_at timestamp with time zone, OUT last_event_id uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.governance_erase_subject_batch(erasure_id uuid, tenant uuid, subject text, pseudonym text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer, OUT scanned integer, OUT rewritten integer, OUT actor_matches integer, OUT resource_matches integer, OUT last_occurred_at timestamp with time zone, OUT last_event_id uuid) IS 'One bounded batch of an erasure: scans at most batch_size of the tenant''s events after the given position and rewrites those that hold the subject id (ids to the pseudonym; IP and user agent removed where the subject acted; the tenant''s configured PII paths removed where the subject is actor or resource), recording each event''s payload hash before and after.';

--
-- Name: governance_finish_erasure(uuid, text, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.governance_finish_erasure(erasure_id uuid, subject_id text, totals jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_e warden_private.erasures;
  v_keys integer;
  v_event uuid;
  v_receipt jsonb;
  v_finished timestamptz := clock_timestamp();
begin
  select * into v_e from warden_private.erasures x where x.erasure_id = governance_finish_erasure.erasure_id;
  if not found then
    raise exception 'erasure % does not exist', erasure_id using errcode = 'P0002';
  end if;
  perform warden_private.assert_tenant_admin(v_e.tenant_id);
  if v_e.finished_at is not null then
    raise exception 'erasure % already finished', erasure_id using errcode = '55000';
  end if;
  if warden_private.keyed_hash(v_e.tenant_id, subject_id) <> v_e.subject_pseudonym then
    raise exception 'subject_id does not match erasure %', erasure_id using errcode = '22023';
  end if;
  perform set_config('warden.governance_operation', 'erase_subject', true);
  -- Idempotency keys that name the subject: forgotten (they only replay a response).
  delete from warden_private.idempotency_keys k
  where k.tenant_id = v_e.tenant_id and (k.idempotency_key = subject_id or (length(subject_id) >= 6 and strpos(k.idempotency_key, subject_id) > 0));
  get diagnostics v_keys = row_count;
  v_receipt := jsonb_build_object(
    'erasure_id', v_e.erasure_id,
    'tenant_id', v_e.tenant_id,
    'subject_pseudonym', v_e.subject_pseudonym,
    'events_scanned', coalesce((totals ->> 'scanned')::bigint, 0),
    'events_rewritten', coalesce((totals ->> 'rewritten')::bigint, 0),
    'events_as_actor', coalesce((totals ->> 'actor')::bigint, 0),
    'events_as_resource', coalesce((totals ->> 'resource')::bigint, 0),
    'erasure_records', (select count(*) from warden_private.erasure_records r where r.erasure_id = v_e.erasure_id),
    'idempotency_keys_removed', v_keys,
    'batches', coalesce((totals ->> 'batches')::int, 0),
    'started_at', v_e.started_at,
    'finished_at', v_finished,
    'duration_ms', round(extract(epoch from v_finished - v_e.started_at) * 1000, 3));
  insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id,
    resource_type, resource_id, trace_id, service, event_data)
  values (v_e.tenant_id, 'governance.subject.erased', 'governance', 'erase', 'success', 'notice',
    coalesce(nullif(v_e.requested_by ->> 'type', ''), 'db_role')::warden.actor_type,
    coalesce(v_e.requested_by ->> 'id', session_user),
    'subject', v_e.subject_pseudonym, warden.current_trace_id(), 'warden',
    jsonb_build_object('version', 1, 'service', 'warden', 'operation', 'erase_subject', 'status', 'success',
                       'reason', v_e.reason, 'receipt', v_receipt))
  returning event_id into v_event;
  v_receipt := v_receipt || jsonb_build_object('erasure_event_id', v_event);
  update warden_private.erasures x set finished_at = v_finished, receipt = v_receipt where x.erasure_id = v_e.erasure_id;
  perform set_config('warden.governance_operation', '', true);
  return v_receipt;
end;
$$;

--
-- Name: FUNCTION governance_finish_erasure(erasure_id uuid, subject_id text, totals jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.governance_finish_erasure(erasure_id uuid, subject_id text, totals jsonb) IS 'Closes an erasure: forgets idempotency keys naming the subject, records the governance.subject.erased event and returns the receipt.';

--
-- Name: governance_purge_rows(uuid, integer, integer, text, timestamp with time zone); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.governance_purge_rows(tenant_key uuid, default_days integer, batch_size integer DEFAULT 10000, lock_timeout text DEFAULT '2s'::text, after timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS TABLE(partition_name text, rows_purged bigint, prune_record_id bigint, last_occurred_at timestamp with time zone)
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    AS $_$
declare
  v_tenant uuid := nullif(tenant_key, '00000000-0000-0000-0000-000000000000'::uuid);
  v_min integer := warden_private.retention_min_days(tenant_key, default_days);
  v_drop oid[];
  r record;
  v_total bigint := 0;
  v_record bigint;
  v_last timestamptz;
begin
  if tenant_key is null then
    raise exception 'tenant_key is required (the zero uuid for events outside any tenant)' using errcode = '22023';
  end if;
  if batch_size is null or batch_size not between 1 and 100000 then
    raise exception 'batch_size must be between 1 and 100000, got %', batch_size using errcode = '22023';
  end if;
  perform set_config('lock_timeout', lock_timeout, true);
  perform set_config('warden.governance_operation', 'retention', true);
  select coalesce(array_agg(d.partition::oid), '{}') into v_drop from warden_private.retention_droppable_partitions(default_days) d;
  create temporary table if not exists warden_retention_deleted (event_id uuid, occurred_at timestamptz, part oid) on commit drop;
  truncate warden_retention_deleted;
  -- Dynamic, so each batch is planned with its own values: the tenant test
  -- must be a plain equality (or IS NULL) to use the (tenant_id,
  -- occurred_at) index, which yields the oldest rows first.
  execute format($q$
    with victims as (
      select e.event_id, e.occurred_at
      from warden.audit_events e
      where %s
        and e.tableoid <> all ($2)
        -- Resume where the previous batch ended: committed deletes leave dead
        -- index entries that a scan from the start would walk again and again.
        and ($3::timestamptz is null or e.occurred_at >= $3)
        and e.occurred_at < now() - make_interval(days => $4)
        and e.occurred_at < now() - make_interval(days => warden_private.retention_days(e.tenant_id, e.event_type, $5))
        and not warden_private.is_held(e.tenant_id, e.resource_type, e.resource_id, e.correlation_id)
      order by e.occurred_at
      limit $6
    ), deleted as (
      delete from warden.audit_events d using victims v
      where d.event_id = v.event_id and d.occurred_at = v.occurred_at
      returning d.event_id, d.occurred_at, d.tableoid
    )
    insert into warden_retention_deleted select deleted.event_id, deleted.occurred_at, deleted.tableoid from deleted$q$,
    case when v_tenant is null then 'e.tenant_id is null and $1::uuid is null' else 'e.tenant_id = $1' end)
  using v_tenant, v_drop, after, v_min, default_days, batch_size;
  select max(x.occurred_at) into v_last from warden_retention_deleted x;
  for r in
    select c.relname::text as part, array_agg(x.event_id order by x.event_id) as ids, count(*) as n
    from warden_retention_deleted x join pg_class c on c.oid = x.part
    group by c.relname order by 1
  loop
    insert into warden_private.prune_records (tenant_key, method, partition_name, event_ids, event_count)
    values (tenant_key, 'rows', r.part, r.ids, r.n)
    returning id into v_record;
    perform warden_private.record_retention_event(tenant_key, 'rows', r.part, r.n, v_record);
    v_total := v_total + r.n;
    partition_name := r.part;
    rows_purged := r.n;
    prune_record_id := v_record;
    last_occurred_at := v_last;
    return next;
  end loop;
  update warden_private.retention_state set rows_deleted = rows_deleted + v_total;
  drop table warden_retention_deleted;
  perform set_config('warden.governance_operation', '', true);
end;
$_$;

--
-- Name: FUNCTION governance_purge_rows(tenant_key uuid, default_days integer, batch_size integer, lock_timeout text, after timestamp with time zone); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.governance_purge_rows(tenant_key uuid, default_days integer, batch_size integer, lock_timeout text, after timestamp with time zone) IS 'Retention row path: deletes one bounded batch (oldest first, at most batch_size, from occurred_at >= after) of the tenant''s events that are past policy and not held, outside partitions the fast path drops; one prune record (the exact event ids) and one warden.retention.purge event per partition touched. Call until it returns no rows, passing the last_occurred_at it returned as after; commit between batches.';

--
-- Name: governance_start_erasure(uuid, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.governance_start_erasure(tenant uuid, subject_id text, reason text) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_pseudonym text;
  v_id uuid;
begin
  perform warden_private.assert_tenant_admin(tenant);
  if subject_id is null or length(subject_id) not between 1 and 1024 then
    raise exception 'subject_id must be 1 to 1024 characters' using errcode = '22023';
  end if;
  if reason is null or length(btrim(reason)) not between 1 and 1000 then
    raise exception 'a reason (1 to 1000 characters) is required for an erasure' using errcode = '22023';
  end if;
  if subject_id like 'hmac:%' then
    raise exception 'subject_id % is already a pseudonym', subject_id using errcode = '22023';
  end if;
  perform warden_private.capture_promote(null, false, true, true);
  v_pseudonym := warden_private.keyed_hash(tenant, subject_id);
  insert into warden_private.erasures (tenant_id, subject_pseudonym, reason, requested_by)
  values (tenant, v_pseudonym, warden_private.erase_text(btrim(reason), subject_id, v_pseudonym), warden.current_actor())
  returning erasure_id into v_id;
  return v_id;
end;
$$;

--
-- Name: FUNCTION governance_start_erasure(tenant uuid, subject_id text, reason text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.governance_start_erasure(tenant uuid, subject_id text, reason text) IS 'Checks the caller and arguments of an erasure, promotes and purges the capture log (so every change captured so far is in the store, where the erasure reaches it), and opens the erasure''s bookkeeping row; returns the erasure id.';

--
-- Name: hmac_with(bytea, bytea, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.hmac_with(inner_key bytea, outer_key bytea, value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select 'hmac:' || encode(sha256(outer_key || sha256(inner_key || convert_to(value, 'UTF8'))), 'hex')
$$;

--
-- Name: FUNCTION hmac_with(inner_key bytea, outer_key bytea, value text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.hmac_with(inner_key bytea, outer_key bytea, value text) IS 'HMAC-SHA256 of a value under a pre-padded key, as hmac:<hex> (same result as warden_private.keyed_hash).';

--
-- Name: identity_providers_for_issuer(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.identity_providers_for_issuer(issuer text) RETURNS TABLE(id uuid, tenant_id uuid, issuer text, jwks_url text, audience text, user_claim text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select p.id, p.tenant_id, p.issuer, p.jwks_url, p.audience, p.user_claim
  from warden.identity_providers p
  where p.issuer = identity_providers_for_issuer.issuer and p.enabled
$$;

--
-- Name: FUNCTION identity_providers_for_issuer(issuer text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.identity_providers_for_issuer(issuer text) IS 'The enabled identity providers of an issuer (one per audience), for the API to verify a token the issuer signed.';

--
-- Name: in_capture_promotion(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.in_capture_promotion() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION in_capture_promotion(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.in_capture_promotion() IS 'True only inside warden_private.capture_promote or capture_round_close, the functions that may empty or drop capture logs.';

--
-- Name: in_governance_operation(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.in_governance_operation() RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_stack text;
begin
  -- A governance function announces itself with a transaction-local
  -- setting AND must really be on the call stack: setting the flag by hand
  -- is not enough.
  if coalesce(current_setting('warden.governance_operation', true), '') = '' then
    return false;
  end if;
  get diagnostics v_stack = pg_context;
  return v_stack ~ 'function (warden\.drain_default_partition|warden_private\.governance_[a-z_]+)\(';
end;
$$;

--
-- Name: FUNCTION in_governance_operation(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.in_governance_operation() IS 'True only inside one of Warden''s governance functions (partition drain, retention, erasure), which may rewrite audit rows and leave their own events.';

--
-- Name: ingest_context_from_settings(jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.ingest_context_from_settings(settings jsonb) RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select jsonb_build_object(
    'tenant_id', settings ->> 'jwt.claims.tenant_id', 'actor_id', settings ->> 'jwt.claims.actor_id',
    'actor_type', settings ->> 'jwt.claims.actor_type', 'tenant_role', settings ->> 'jwt.claims.tenant_role',
    'trace_id', settings ->> 'warden.trace_id', 'actor_ip', settings ->> 'warden.actor_ip',
    'user_agent', settings ->> 'warden.user_agent')
$$;

--
-- Name: FUNCTION ingest_context_from_settings(settings jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.ingest_context_from_settings(settings jsonb) IS 'A request context for record_audit_batch from request settings named as in pgSettings (jwt.claims.*, warden.*).';

--
-- Name: is_held(uuid, text, text, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.is_held(tenant_id uuid, resource_type text, resource_id text, correlation_id text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select exists (
    select 1 from warden_private.legal_holds h
    where h.released_at is null and h.tenant_id = is_held.tenant_id
      and ((h.resource_type is null and h.correlation_id is null)
           or (h.resource_type = is_held.resource_type and h.resource_id = is_held.resource_id)
           or h.correlation_id = is_held.correlation_id))
$$;

--
-- Name: FUNCTION is_held(tenant_id uuid, resource_type text, resource_id text, correlation_id text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.is_held(tenant_id uuid, resource_type text, resource_id text, correlation_id text) IS 'True when an active legal hold covers an event with these fields.';

--
-- Name: json_needle(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.json_needle(subject text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select case when length(subject) >= 6 then substr(to_jsonb(subject)::text, 2, length(to_jsonb(subject)::text) - 2)
              else to_jsonb(subject)::text end
$$;

--
-- Name: FUNCTION json_needle(subject text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.json_needle(subject text) IS 'What the subject id looks like inside jsonb text: the escaped id (6+ characters), or the whole quoted string for shorter ids.';

--
-- Name: keyed_hash(uuid, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.keyed_hash(tenant_key uuid, value text) RETURNS text
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  select 'hmac:' || encode(sha256(k.outer_key || sha256(k.inner_key || convert_to(value, 'UTF8'))), 'hex')
  from warden_private.tenant_hash_key(coalesce(tenant_key, '00000000-0000-0000-0000-000000000000')) k
$$;

--
-- Name: FUNCTION keyed_hash(tenant_key uuid, value text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.keyed_hash(tenant_key uuid, value text) IS 'HMAC-SHA256 pseudonym of a value under the tenant''s key, as hmac:<hex>.';

--
-- Name: new_api_key_secret(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.new_api_key_secret() RETURNS text
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  -- two v4 uuids: 244 bits from the server's strong random source
  select replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')
$$;

--
-- Name: FUNCTION new_api_key_secret(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.new_api_key_secret() IS 'A fresh 64-hex-character API key secret (244 random bits).';

--
-- Name: notify_auth_invalidation(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.notify_auth_invalidation(kind text) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  select pg_notify('warden_auth_invalidate', notify_auth_invalidation.kind)
$$;

--
-- Name: FUNCTION notify_auth_invalidation(kind text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.notify_auth_invalidation(kind text) IS 'NOTIFYs warden_auth_invalidate with the kind of credential that changed (session, api_key, membership, identity_provider): every API process drops its authentication cache when the transaction commits.';

--
-- Name: occurred_at_window(uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.occurred_at_window(tenant_id uuid, OUT earliest timestamp with time zone, OUT latest timestamp with time zone) RETURNS record
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select now() - coalesce(w.max_past, make_interval(days => greatest(warden_private.retention_default_days(),
           (select max(p.days) from warden_private.retention_policies p
            where p.tenant_id = occurred_at_window.tenant_id or p.tenant_id is null)))),
         now() + coalesce(w.max_future, interval '5 minutes')
  from (select 1) one
  left join lateral (
    select x.max_future, x.max_past from warden_private.occurred_at_windows x
    where x.tenant_id = occurred_at_window.tenant_id or x.tenant_id is null
    order by x.tenant_id is null
    limit 1) w on true
$$;

--
-- Name: FUNCTION occurred_at_window(tenant_id uuid, OUT earliest timestamp with time zone, OUT latest timestamp with time zone); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.occurred_at_window(tenant_id uuid, OUT earliest timestamp with time zone, OUT latest timestamp with time zone) IS 'The occurred_at a posted event of the tenant may have, as of now(): from earliest (now - max_past, by default the tenant''s longest retention: its own and the default policies, and AUDIT_RETENTION_DAYS) to latest (now + max_future, 5 minutes by default). Ingest (REST and GraphQL) refuses what falls outside unless the API key has the backfill scope (then only earlier is allowed, and the event carries event_data.backfill); the sealer uses it to recognise backdated events that bypassed ingest.';

--
-- Name: partition_is_held(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.partition_is_held(partition regclass) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_held boolean;
begin
  -- Few holds, each kind answered by one of the partition's tenant-leading
  -- indexes (an OR of the three would scan the whole partition).
  execute format(
    'select exists (select 1 from warden_private.legal_holds h
       where h.released_at is null and h.resource_type is null and h.correlation_id is null
         and exists (select 1 from %1$s e where e.tenant_id = h.tenant_id))
     or exists (select 1 from warden_private.legal_holds h
       where h.released_at is null and h.resource_type is not null
         and exists (select 1 from %1$s e where e.tenant_id = h.tenant_id and e.resource_type = h.resource_type
                                            and e.resource_id = h.resource_id))
     or exists (select 1 from warden_private.legal_holds h
       where h.released_at is null and h.correlation_id is not null
         and exists (select 1 from %1$s e where e.tenant_id = h.tenant_id and e.correlation_id = h.correlation_id))', partition)
    into v_held;
  return v_held;
end;
$_$;

--
-- Name: FUNCTION partition_is_held(partition regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.partition_is_held(partition regclass) IS 'True when an active legal hold covers any event in the partition.';

--
-- Name: policy_with_key(uuid, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.policy_with_key(tenant_id uuid, compiled jsonb) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
  select case
    when compiled is null or compiled = '{}'::jsonb then null
    when not coalesce((compiled ->> 'needs_key')::boolean, false) then compiled
    else compiled || (select jsonb_build_object('ki', encode(k.inner_key, 'hex'), 'ko', encode(k.outer_key, 'hex'))
                      from warden_private.tenant_hash_keys k where k.tenant_key = policy_with_key.tenant_id)
  end
$$;

--
-- Name: FUNCTION policy_with_key(tenant_id uuid, compiled jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.policy_with_key(tenant_id uuid, compiled jsonb) IS 'A compiled policy with the tenant''s HMAC key added when a rule hashes (never returned to clients).';

--
-- Name: primary_key_columns(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.primary_key_columns(target regclass) RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select array_agg(a.attname::text order by k.ord)
  from pg_index i
  cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
  join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
  where i.indrelid = target and i.indisprimary
$$;

--
-- Name: FUNCTION primary_key_columns(target regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.primary_key_columns(target regclass) IS 'Primary key columns of a table in key order; null when it has none.';

--
-- Name: protect_capture_log(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.protect_capture_log(log_table regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  execute format('alter table %s enable row level security', log_table);
  execute format('alter table %s force row level security', log_table);
  execute format('create policy owner_maintenance on %s to warden_owner using (true) with check (true)', log_table);
  -- statement-level: even an UPDATE or DELETE that matches nothing is refused
  execute format('create trigger _010_append_only before update or delete or truncate on %s
    for each statement execute function warden_private.tg_capture_log_guard()', log_table);
end;
$$;

--
-- Name: FUNCTION protect_capture_log(log_table regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.protect_capture_log(log_table regclass) IS 'Makes a capture log table append-only (guard triggers) with forced row-level security and the owner''s maintenance policy.';

--
-- Name: purge_soft_deleted(regclass, interval, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.purge_soft_deleted(target regclass, older_than interval, batch_size integer DEFAULT 1000) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_pk text;
  v_rows integer;
  v_system boolean := false;
begin
  if batch_size is null or batch_size < 1 or batch_size > 100000 then
    raise exception 'batch_size must be between 1 and 100000, got %', batch_size using errcode = '22023';
  end if;
  if older_than is null or older_than < interval '0' then
    raise exception 'older_than must be a non-negative interval' using errcode = '22023';
  end if;
  if not exists (select 1 from pg_trigger t where t.tgrelid = target and t.tgname = '_050_soft_delete') then
    return 0;  -- disabled meanwhile
  end if;
  select string_agg(format('%I', k), ', ') into v_pk from unnest(warden_private.primary_key_columns(target)) k;
  if nullif(current_setting('jwt.claims.actor_id', true), '') is null then
    -- No request context (the worker): Warden itself purges.
    perform set_config('jwt.claims.actor_id', 'system', true);
    perform set_config('jwt.claims.actor_type', 'system', true);
    perform set_config('warden.context_extra', '{"service": "warden-worker"}', true);
    v_system := true;
  end if;
  perform set_config('warden.soft_delete_operation', 'purge', true);
  execute format('delete from %s where (%s) in (select %s from %s where deleted_at < now() - $1 order by deleted_at limit $2)',
                 target, v_pk, v_pk, target)
    using older_than, batch_size;
  get diagnostics v_rows = row_count;
  perform set_config('warden.soft_delete_operation', '', true);
  if v_system then
    perform set_config('jwt.claims.actor_id', '', true);
    perform set_config('jwt.claims.actor_type', '', true);
    perform set_config('warden.context_extra', '', true);
  end if;
  return v_rows;
end;
$_$;

--
-- Name: FUNCTION purge_soft_deleted(target regclass, older_than interval, batch_size integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.purge_soft_deleted(target regclass, older_than interval, batch_size integer) IS 'Deletes for good at most batch_size rows of a soft-delete table that were soft-deleted longer than older_than ago (oldest first); each writes a governance.purge audit event. Without a request context the actor is Warden itself (actor_type system, service warden-worker). Returns how many. The worker''s purge_soft_deleted task calls it in a loop, one transaction per batch.';

--
-- Name: read_policy(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.read_policy() RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if warden.has_tenant_role('{owner,admin}') and current_setting('warden.include_redacted', true) = 'true' then
    return null;
  end if;
  return (select warden_private.policy_with_key(p.tenant_id, p.compiled) from warden.redaction_policies p
          where p.tenant_id = warden.current_tenant_id());
end;
$$;

--
-- Name: FUNCTION read_policy(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.read_policy() IS 'The compiled policy to apply to this request''s reads: null for raw (no rules, or an owner/admin with warden.include_redacted = true).';

--
-- Name: record_audit_batch(jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.record_audit_batch(requests jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $_$
declare
  v_errors jsonb;
  v_ids jsonb;
  v_has_client_ids boolean;
  v_has_times boolean;
  v_client_ids uuid[];
  v_existing text[];
  v_more jsonb;
  -- request number -> earliest of its window, for requests allowed to backfill
  v_backfill jsonb := '{}';
begin
  -- 1. Every item's validation problems and each request's own checks, in
  --    one pass over the flattened items; a request with any problem writes
  --    nothing.
  with req as (
    select r.rn, coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) as ctx,
           r.req -> 'events' as events
    from jsonb_array_elements(requests) with ordinality r(req, rn)
  ), items as (
    select q.rn, i.ord, i.item, jsonb_typeof(q.events) = 'array' as is_array
    from req q
    cross join lateral jsonb_array_elements(case when jsonb_typeof(q.events) = 'array' then q.events else jsonb_build_array(q.events) end)
      with ordinality i(item, ord)
  ), listed as (
    select t.rn, t.ord, t.item ? 'event_id' as has_id, t.item ? 'occurred_at' as has_time,
           warden_private.audit_event_problem_list(t.item, case when t.is_array then '/' || (t.ord - 1) else '' end) as list
    from items t
  ), item_errors as (
    select l.rn, jsonb_agg(pr order by l.ord, pr ->> 'pointer') as problems
    from listed l
    cross join lateral jsonb_array_elements(l.list) pr
    where l.list <> '[]'
    group by l.rn
  ), checked as (
    select q.rn, case
      when nullif(q.ctx ->> 'tenant_id', '') is null or nullif(q.ctx ->> 'actor_id', '') is null then
        jsonb_build_object('code', '42501', 'message',
          'recording audit events needs a tenant and an actor (the API sets both; direct connections call warden.set_context first)')
      when q.ctx ->> 'actor_type' = 'user' and coalesce(q.ctx ->> 'tenant_role', '') not in ('owner', 'admin') then
        jsonb_build_object('code', '42501', 'message', 'recording audit events as a user needs tenant role owner or admin',
          'hint', 'missing_role=admin')
      when (case when jsonb_typeof(q.events) = 'array' then jsonb_array_length(q.events) else 1 end) not between 1 and 1000 then
        jsonb_build_object('code', '22023', 'message',
          format('a batch holds 1 to 1000 events, got %s', case when jsonb_typeof(q.events) = 'array' then jsonb_array_length(q.events) else 1 end))
      when e.problems is not null then
        jsonb_build_object('code', '22023', 'message', 'invalid audit events', 'hint', 'validation_failed', 'detail', e.problems::text)
    end as error
    from req q
    left join item_errors e on e.rn = q.rn
  )
  select coalesce(jsonb_object_agg(c.rn::text, c.error) filter (where c.error is not null), '{}'),
         (select bool_or(l.has_id) from listed l), (select bool_or(l.has_time) from listed l)
    into v_errors, v_has_client_ids, v_has_times
  from checked c;

  -- 2. occurred_at within the tenant's window (warden_private.occurred_at_window):
  --    later is always refused; earlier only from an API key with the
  --    backfill scope, whose events then carry event_data.backfill.
  if v_has_times then
    with req as (
      select r.rn, coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) as ctx,
             r.req -> 'events' as events
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      where not v_errors ? r.rn::text
    ), timed as (
      select q.rn, q.ctx, i.ord, jsonb_typeof(q.events) = 'array' as is_array, (i.item ->> 'occurred_at')::timestamptz as at
      from req q
      cross join lateral jsonb_array_elements(case when jsonb_typeof(q.events) = 'array' then q.events else jsonb_build_array(q.events) end)
        with ordinality i(item, ord)
      where i.item ? 'occurred_at'
    ), bounds as (
      select t.tenant, w.earliest, w.latest
      from (select distinct tm.ctx ->> 'tenant_id' as tenant from timed tm) t
      cross join lateral warden_private.occurred_at_window(t.tenant::uuid) w
    ), outside as (
      select tm.rn, tm.ctx, tm.ord, tm.is_array, tm.at, b.earliest, b.latest
      from timed tm join bounds b on b.tenant = tm.ctx ->> 'tenant_id'
      where tm.at > b.latest or tm.at < b.earliest
    ), may_backfill as (
      select o.rn, min(o.earliest) as earliest
      from outside o
      where o.ctx ->> 'actor_type' = 'api_key'
        and (o.ctx ->> 'actor_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        and exists (select from warden.api_keys k
                    where k.id = (o.ctx ->> 'actor_id')::uuid and k.tenant_id = (o.ctx ->> 'tenant_id')::uuid
                      and k.revoked_at is null and 'backfill' = any (k.scopes))
      group by o.rn
    ), refused as (
      select o.rn, jsonb_agg(jsonb_build_object(
               'pointer', case when o.is_array then '/' || (o.ord - 1) else '' end || '/occurred_at',
               'reason', case when o.at > o.latest
                 then format('later than %s: at most %s ahead of the server''s clock', to_char(o.latest at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), o.latest - now())
                 else format('earlier than %s, the oldest this tenant accepts (its retention); older events need an API key with the backfill scope',
                             to_char(o.earliest at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) end)
             order by o.ord) as problems
      from outside o
      where o.at > o.latest or not exists (select from may_backfill m where m.rn = o.rn)
      group by o.rn
    )
    select coalesce((select jsonb_object_agg(r.rn::text, jsonb_build_object('code', '22023', 'message', 'occurred_at outside the accepted window',
                       'hint', 'occurred_at_out_of_window', 'detail', r.problems::text)) from refused r), '{}'),
           coalesce((select jsonb_object_agg(m.rn::text, m.earliest) from may_backfill m where not exists (select from refused r where r.rn = m.rn)), '{}')
      into v_more, v_backfill;
    v_errors := v_errors || v_more;
  end if;

  -- 3. Client-chosen event ids make retries safe: lock them (in one order,
  --    so concurrent batches can not deadlock), then skip those the tenant
  --    already has. An id another tenant has (stored, or earlier in this
  --    group) is refused: one id, one event. Warden's own ids are fresh
  --    UUIDv7s and need none of this.
  if v_has_client_ids then
    select array_agg(distinct (i.item ->> 'event_id')::uuid) into v_client_ids
    from jsonb_array_elements(requests) with ordinality r(req, rn)
    cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end) i(item)
    where not v_errors ? r.rn::text and i.item ? 'event_id';
  end if;
  if v_client_ids is not null then
    perform pg_advisory_xact_lock(hashtext('warden.event_id/' || l.id::text))
    from unnest(v_client_ids) l(id) order by l.id::text;
    select coalesce(array_agg(coalesce(e.tenant_id::text, '') || '/' || e.event_id::text), '{}') into v_existing
    from warden.audit_events e
    where e.event_id = any (v_client_ids);
    with ids as (
      select r.rn, ((coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) ->> 'tenant_id')::uuid)::text as tenant,
             i.ord, jsonb_typeof(r.req -> 'events') = 'array' as is_array, (i.item ->> 'event_id')::uuid as id
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      cross join lateral jsonb_array_elements(case when jsonb_typeof(r.req -> 'events') = 'array' then r.req -> 'events' else jsonb_build_array(r.req -> 'events') end)
        with ordinality i(item, ord)
      where not v_errors ? r.rn::text and i.item ? 'event_id'
    ), stored as (
      select split_part(x, '/', 1) as tenant, split_part(x, '/', 2)::uuid as id from unnest(v_existing) x
    ), taken as (
      select d.rn, jsonb_agg(jsonb_build_object('pointer', case when d.is_array then '/' || (d.ord - 1) else '' end || '/event_id',
                                                'reason', 'already the id of an event that is not yours: choose another') order by d.ord) as problems
      from ids d
      -- the id's tenant: the one that stored it, else the first request of this group using it
      where not exists (select from stored s where s.id = d.id and s.tenant = d.tenant)
        and (exists (select from stored s where s.id = d.id)
             or (select o.tenant from ids o where o.id = d.id order by o.rn, o.ord limit 1) <> d.tenant)
      group by d.rn
    )
    select coalesce(jsonb_object_agg(t.rn::text, jsonb_build_object('code', '23505', 'message', 'event_id already taken',
             'hint', 'event_id_taken', 'detail', t.problems::text)), '{}')
      into v_more
    from taken t;
    v_errors := v_errors || v_more;
  end if;

  -- 4. One insert for every valid request.
  with input as (
    select q.rn, i.ord, q.ctx, i.item,
           coalesce((i.item ->> 'event_id')::uuid, warden_private.uuid_v7()) as event_id
    from (
      select r.rn, coalesce(r.req -> 'ctx', warden_private.ingest_context_from_settings(r.req -> 'settings')) as ctx,
             r.req -> 'events' as events
      from jsonb_array_elements(requests) with ordinality r(req, rn)
      where not v_errors ? r.rn::text
    ) q
    cross join lateral jsonb_array_elements(case when jsonb_typeof(q.events) = 'array' then q.events else jsonb_build_array(q.events) end)
      with ordinality i(item, ord)
  ), fresh as (
    -- one row per tenant and event id (a client id repeated in the group is
    -- written once). Without client ids every id is a fresh UUIDv7 and
    -- every row is the first: the partition keys are then null, and the
    -- rows, already in (rn, ord) order, pass the sort's presorted check
    -- instead of being sorted.
    select n.*, case when v_has_client_ids then row_number() over (
             partition by case when v_has_client_ids then n.ctx ->> 'tenant_id' end, case when v_has_client_ids then n.event_id end
             order by n.rn, n.ord) else 1 end as nth
    from input n
    where v_existing is null or not (((n.ctx ->> 'tenant_id')::uuid)::text || '/' || n.event_id::text) = any (v_existing)
  ), inserted as (
    insert into warden.audit_events (event_id, occurred_at, tenant_id, event_type, category, action, outcome, severity,
      actor_type, actor_id, actor_ip, user_agent, resource_type, resource_id, correlation_id, trace_id, parent_event_id, service, event_data)
    select f.event_id,
           coalesce((f.item ->> 'occurred_at')::timestamptz, now()),
           (f.ctx ->> 'tenant_id')::uuid,
           f.item ->> 'event_type',
           split_part(f.item ->> 'event_type', '.', 1),
           coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
           lower(f.item ->> 'outcome')::warden.audit_outcome,
           coalesce(case lower(f.item ->> 'severity') when 'warn' then 'warning' else lower(f.item ->> 'severity') end, 'info')::warden.audit_severity,
           coalesce(f.item #>> '{actor,type}', f.ctx ->> 'actor_type')::warden.actor_type,
           coalesce(f.item #>> '{actor,id}', f.ctx ->> 'actor_id'),
           nullif(f.ctx ->> 'actor_ip', '')::inet,
           nullif(f.ctx ->> 'user_agent', ''),
           f.item #>> '{resource,type}',
           f.item #>> '{resource,id}',
           f.item ->> 'correlation_id',
           coalesce(f.item ->> 'trace_id', nullif(f.ctx ->> 'trace_id', '')),
           (f.item ->> 'parent_event_id')::uuid,
           f.item ->> 'service',
           -- the envelope (Warden's keys, reserved in data), then the client's data
           case when f.item ? 'service'
             then jsonb_build_object('version', 1, 'service', f.item ->> 'service',
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
             else jsonb_build_object('version', 1,
                    'operation', coalesce(f.item ->> 'action', split_part(f.item ->> 'event_type', '.', -1)),
                    'status', lower(f.item ->> 'outcome'))
           end
           || case when f.item ?| '{attempt,retry_reason,source_payload}'::text[]
                then case when f.item ? 'attempt' then jsonb_build_object('attempt', f.item -> 'attempt') else '{}' end
                  || case when f.item ? 'retry_reason' then jsonb_build_object('retry_reason', f.item -> 'retry_reason') else '{}' end
                  || case when f.item ? 'source_payload' then jsonb_build_object('source_payload', f.item -> 'source_payload') else '{}' end
                else '{}' end
           || case when v_backfill ? f.rn::text and (f.item ->> 'occurred_at')::timestamptz < (v_backfill ->> f.rn::text)::timestamptz
                then jsonb_build_object('backfill', jsonb_build_object(
                       'by', jsonb_build_object('type', f.ctx ->> 'actor_type', 'id', f.ctx ->> 'actor_id'), 'at', now()))
                else '{}' end
           || coalesce(f.item -> 'data', '{}'::jsonb)
    from fresh f
    where f.nth = 1
    returning 1
  )
  select coalesce(jsonb_object_agg(s.rn::text, s.ids), '{}') into v_ids
  from (select n.rn, jsonb_agg(n.event_id order by n.ord) as ids from input n group by n.rn) s;
  -- (the data-modifying CTE always runs; the ids are returned in request order)

  return (
    select coalesce(jsonb_agg(case
             when v_errors ? g::text then jsonb_build_object('ok', false) || (v_errors -> g::text)
             else jsonb_build_object('ok', true, 'result', jsonb_build_object('event_ids', v_ids -> g::text, 'replayed', false))
           end order by g), '[]')
    from generate_series(1, jsonb_array_length(requests)) g);
end;
$_$;

--
-- Name: FUNCTION record_audit_batch(requests jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.record_audit_batch(requests jsonb) IS 'Validates and records requests [{ctx: {tenant_id, actor_id, actor_type, tenant_role, trace_id, actor_ip, user_agent}, events}] (or {settings: {jwt.claims.*, warden.*}, events} in place of ctx) set-based: occurred_at within warden_private.occurred_at_window (earlier only for API keys with the backfill scope, marked event_data.backfill), client event ids never another tenant''s, one insert for all valid requests; returns per request {ok: true, result: {event_ids, replayed}} or {ok: false, code, message, detail?, hint?}. Idempotency keys are handled by the callers.';

--
-- Name: record_audit_requests(jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.record_audit_requests(requests jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
declare
  v_bad text;
  v_fast jsonb;
  v_fast_out jsonb;
  v_request jsonb;
  v_rn bigint;
  v_name text;
  v_value text;
  v_out jsonb := '[]';
  v_next int := 0;
  v_state text;
  v_message text;
  v_detail text;
  v_hint text;
begin
  select k into v_bad
  from jsonb_array_elements(requests) r(req)
  cross join lateral jsonb_object_keys(coalesce(r.req -> 'settings', '{}')) k
  where k not in ('jwt.claims.tenant_id', 'jwt.claims.actor_id', 'jwt.claims.actor_type', 'jwt.claims.tenant_role',
                  'warden.trace_id', 'warden.actor_ip', 'warden.user_agent')
  limit 1;
  if v_bad is not null then
    raise exception 'setting % is not part of a request context', quote_ident(v_bad) using errcode = '42501';
  end if;

  -- Requests without an Idempotency-Key go to the batch writer as they are
  -- (it reads their settings); only a group mixing both is copied apart.
  if not exists (select from jsonb_array_elements(requests) r(req) where r.req ->> 'idempotency_key' is not null) then
    v_fast := requests;
  else
    select jsonb_agg(r.req order by r.rn) into v_fast
    from jsonb_array_elements(requests) with ordinality r(req, rn)
    where r.req ->> 'idempotency_key' is null;
  end if;
  if v_fast is not null then
    begin
      v_fast_out := warden_private.record_audit_batch(v_fast);
    exception when others then
      v_fast_out := null; -- rolled back: every request is retried alone below
    end;
    -- the usual group: no Idempotency-Keys, so the batch's answers are all of them, in order
    if v_fast_out is not null and jsonb_array_length(v_fast) = jsonb_array_length(requests) then
      return v_fast_out;
    end if;
  end if;

  for v_request, v_rn in select r.req, r.rn from jsonb_array_elements(requests) with ordinality r(req, rn) order by r.rn loop
    if v_request ->> 'idempotency_key' is null and v_fast_out is not null then
      v_out := v_out || jsonb_build_array(v_fast_out -> v_next);
      v_next := v_next + 1;
      continue;
    end if;
    for v_name, v_value in select * from jsonb_each_text(v_request -> 'settings') loop
      perform set_config(v_name, coalesce(v_value, ''), true);
    end loop;
    begin
      v_out := v_out || jsonb_build_array(jsonb_build_object('ok', true,
        'result', warden.record_audit_events(v_request -> 'events', v_request ->> 'idempotency_key')));
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      v_out := v_out || jsonb_build_array(jsonb_build_object('ok', false, 'code', v_state, 'message', v_message,
        'detail', nullif(v_detail, ''), 'hint', nullif(v_hint, '')));
    end;
  end loop;
  return v_out;
end;
$$;

--
-- Name: FUNCTION record_audit_requests(requests jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.record_audit_requests(requests jsonb) IS 'Records a batch of API requests [{settings, events, idempotency_key}] in the caller''s transaction, each under its own request context and subtransaction (one failing request does not fail the others); returns one {ok, result} or {ok: false, code, message, detail, hint} per request.';

--
-- Name: record_ddl_event(text, text, oid, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.record_ddl_event(tag text, object_identity text, table_oid oid, extra jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
begin
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, resource_type,
    resource_id, trace_id, service, table_name, event_data)
  values (nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid,
          'ddl.' || regexp_replace(lower(tag), '[^a-z0-9]+', '_', 'g'),
          'ddl', lower(tag),
          case when v_actor_id is null then 'db_role' else coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user') end::warden.actor_type,
          coalesce(v_actor_id, session_user), inet_client_addr(), 'table', object_identity,
          nullif(current_setting('warden.trace_id', true), ''),
          nullif(current_setting('application_name', true), ''),
          object_identity,
          jsonb_build_object('version', 1, 'service', 'postgres', 'operation', lower(tag), 'status', 'success') || coalesce(extra, '{}'));
end;
$$;

--
-- Name: FUNCTION record_ddl_event(tag text, object_identity text, table_oid oid, extra jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.record_ddl_event(tag text, object_identity text, table_oid oid, extra jsonb) IS 'Writes one ddl.* audit event (CREATE, ALTER or DROP of an audited table).';

--
-- Name: record_governance_event(text, uuid, text, text, jsonb, jsonb, jsonb, warden.audit_severity, warden.audit_outcome); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.record_governance_event(event_type text, tenant_id uuid, resource_type text, resource_id text, before jsonb DEFAULT NULL::jsonb, after jsonb DEFAULT NULL::jsonb, details jsonb DEFAULT '{}'::jsonb, severity warden.audit_severity DEFAULT 'notice'::warden.audit_severity, outcome warden.audit_outcome DEFAULT 'success'::warden.audit_outcome) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_extra jsonb := coalesce(nullif(current_setting('warden.context_extra', true), '')::jsonb, '{}');
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_actor_type warden.actor_type;
  v_ip inet;
  v_service text;
  v_id uuid;
begin
  if event_type is null or event_type !~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$' then
    raise exception 'governance event type % is not a dotted lower-case name', coalesce(quote_literal(event_type), 'null')
      using errcode = '22023';
  end if;
  -- The actor, as the capture triggers derive it.
  if v_actor_id is null then
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  insert into warden.audit_events (tenant_id, event_type, category, action, outcome, severity, actor_type, actor_id, actor_ip,
    user_agent, resource_type, resource_id, correlation_id, trace_id, service, event_data)
  values (
    coalesce(record_governance_event.tenant_id, nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid),
    record_governance_event.event_type, 'governance',
    left(split_part(record_governance_event.event_type, '.', -1), 64),
    coalesce(record_governance_event.outcome, 'success'), coalesce(record_governance_event.severity, 'notice'),
    v_actor_type, left(v_actor_id, 256), v_ip,
    left(coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent'), 1024),
    left(record_governance_event.resource_type, 200), left(record_governance_event.resource_id, 1024),
    left(v_extra ->> 'correlation_id', 200),
    nullif(current_setting('warden.trace_id', true), ''),
    coalesce(left(v_service, 200), 'warden'),
    jsonb_build_object('version', 1, 'service', 'warden', 'operation', record_governance_event.event_type,
                       'status', coalesce(record_governance_event.outcome, 'success')::text)
      || case when record_governance_event.before is null then '{}'::jsonb else jsonb_build_object('before', record_governance_event.before) end
      || case when record_governance_event.after is null then '{}'::jsonb else jsonb_build_object('after', record_governance_event.after) end
      || coalesce(record_governance_event.details, '{}'))
  returning event_id into v_id;
  return v_id;
end;
$_$;

--
-- Name: FUNCTION record_governance_event(event_type text, tenant_id uuid, resource_type text, resource_id text, before jsonb, after jsonb, details jsonb, severity warden.audit_severity, outcome warden.audit_outcome); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.record_governance_event(event_type text, tenant_id uuid, resource_type text, resource_id text, before jsonb, after jsonb, details jsonb, severity warden.audit_severity, outcome warden.audit_outcome) IS 'Writes one governance.* audit event in the caller''s transaction: the actor, trace, address and user agent from the request context (or the database role without one), the tenant given (else the current tenant), and event_data {version, service, operation, status, before, after, ...details} (before and after as given, nulls inside them kept; left out when null). Returns the event id. Called by Warden''s own functions; not executable by API roles.';

--
-- Name: record_retention_event(uuid, text, text, bigint, bigint, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.record_retention_event(tenant_key uuid, method text, partition_name text, rows_purged bigint, prune_record_id bigint, extra jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, resource_type, resource_id,
    service, event_data)
  values (nullif(tenant_key, '00000000-0000-0000-0000-000000000000'::uuid), 'warden.retention.purge', 'governance', 'purge',
          'system', 'system', 'audit_partition', partition_name, 'warden',
          jsonb_build_object('version', 1, 'service', 'warden', 'operation', 'retention.purge', 'status', 'success',
                             'method', method, 'partition', partition_name, 'rows_deleted', rows_purged,
                             'prune_record_id', prune_record_id) || coalesce(extra, '{}'))
$$;

--
-- Name: FUNCTION record_retention_event(tenant_key uuid, method text, partition_name text, rows_purged bigint, prune_record_id bigint, extra jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.record_retention_event(tenant_key uuid, method text, partition_name text, rows_purged bigint, prune_record_id bigint, extra jsonb) IS 'Writes the warden.retention.purge audit event of one purge (actor system) for the tenant whose events were removed.';

--
-- Name: record_signed_records(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.record_signed_records(key_id text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_xid xid := (txid_current() % 4294967296)::text::xid;
  r record;
  v_events integer := 0;
begin
  for r in
    with p as (
      select pr.tenant_key, array_agg(pr.id order by pr.id) as ids, sum(pr.event_count)::bigint as events
      from warden_private.prune_record_signatures s join warden_private.prune_records pr on pr.id = s.record_id
      where s.xmin = v_xid and s.key_id = record_signed_records.key_id
      group by pr.tenant_key
    ), e as (
      select er.tenant_key, array_agg(distinct er.erasure_id) as erasures, count(*) as records
      from warden_private.erasure_record_signatures s
      join warden_private.erasure_records er on er.event_id = s.event_id and er.erased_payload_hash = s.erased_payload_hash
      where s.xmin = v_xid and s.key_id = record_signed_records.key_id
      group by er.tenant_key
    )
    select coalesce(p.tenant_key, e.tenant_key) as tenant_key, p.ids, p.events, e.erasures, e.records
    from p full join e on e.tenant_key = p.tenant_key
    order by 1
  loop
    perform warden_private.record_governance_event('governance.records.signed',
      nullif(r.tenant_key, '00000000-0000-0000-0000-000000000000'::uuid), 'sealing_key', record_signed_records.key_id, null,
      jsonb_build_object('prune_record_ids', coalesce(to_jsonb(r.ids), '[]'), 'prune_record_events', coalesce(r.events, 0),
                         'erasure_ids', coalesce(to_jsonb(r.erasures), '[]'), 'erasure_records', coalesce(r.records, 0)),
      jsonb_build_object('key_id', record_signed_records.key_id));
    v_events := v_events + 1;
  end loop;
  return v_events;
end;
$$;

--
-- Name: FUNCTION record_signed_records(key_id text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.record_signed_records(key_id text) IS 'Called by warden sign-records in its signing transaction: writes one governance.records.signed event per tenant whose prune or erasure records this transaction signed with the key (after: prune record ids and their event count, erasure ids and record count). Returns how many events.';

--
-- Name: record_soft_delete_event(text, regclass, text, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.record_soft_delete_event(operation text, target regclass, tenant_column text, row_data jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_root regclass := coalesce(pg_partition_root(target), target);
  v_table text;
  v_pk text[] := warden_private.primary_key_columns(target);
  v_row_pk jsonb;
  v_extra jsonb := coalesce(nullif(current_setting('warden.context_extra', true), '')::jsonb, '{}');
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_actor_type warden.actor_type;
  v_ip inet;
  v_service text;
begin
  select format('%I.%I', n.nspname, c.relname) into v_table
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = v_root;
  select jsonb_object_agg(k, row_data -> k) into v_row_pk from unnest(v_pk) k;
  -- The actor, as the capture triggers derive it.
  if v_actor_id is null then
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
    resource_type, resource_id, correlation_id, trace_id, service, table_name, row_pk, event_data)
  values (
    coalesce((row_data ->> tenant_column)::uuid, nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid),
    'governance.' || operation, 'governance', operation, v_actor_type, v_actor_id, v_ip,
    coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent'),
    v_table,
    case when cardinality(v_pk) = 1 then row_data ->> v_pk[1] else v_row_pk::text end,
    v_extra ->> 'correlation_id',
    nullif(current_setting('warden.trace_id', true), ''),
    v_service, v_table, v_row_pk,
    jsonb_build_object('version', 1, 'service', 'warden', 'operation', operation, 'status', 'success',
                       'deleted_at', row_data -> 'deleted_at', 'deleted_by', row_data -> 'deleted_by'));
end;
$$;

--
-- Name: FUNCTION record_soft_delete_event(operation text, target regclass, tenant_column text, row_data jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.record_soft_delete_event(operation text, target regclass, tenant_column text, row_data jsonb) IS 'Writes one governance.soft_delete, governance.restore or governance.purge audit event for a row (actor, tenant and trace from the request context, as the capture triggers do); event_data carries the row''s deleted_at and deleted_by before the operation (for soft_delete: null).';

--
-- Name: redact_columns(jsonb, text, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redact_columns(policy jsonb, table_name text, row_values jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE COST 500 PARALLEL SAFE
    AS $_$
declare
  v_rules jsonb;
  v_col text;
  v_method text;
  v_value jsonb;
begin
  if row_values is null or table_name is null then
    return row_values;
  end if;
  v_rules := policy -> 'vc' -> table_name;
  if v_rules is null then
    return row_values;
  end if;
  for i in 0 .. jsonb_array_length(v_rules -> 'c') - 1 loop
    v_col := v_rules -> 'c' ->> i;
    continue when not (row_values ? v_col);
    v_method := v_rules -> 'm' ->> i;
    v_value := row_values -> v_col;
    row_values := case when v_method = 'remove' then row_values - v_col
      else jsonb_set(row_values, array[v_col], coalesce(
        case when v_value = 'null'::jsonb then v_value
        when v_method = 'mask' then case when jsonb_typeof(v_value) = 'string' then to_jsonb(case when v_value #>> '{}' ~ '^[^@]+@[^@]+$' then left(v_value #>> '{}', 1) || '***@' || split_part(v_value #>> '{}', '@', 2) when length(v_value #>> '{}') <= 2 then '***' else left(v_value #>> '{}', 1) || '***' end) else '"***"'::jsonb end
        when v_method = 'hash' then case when jsonb_typeof(v_value) = 'string' and starts_with(v_value #>> '{}', 'hmac:') then v_value
          when jsonb_typeof(v_value) = 'string' then to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value #>> '{}', 'UTF8'))), 'hex')) else to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value::text, 'UTF8'))), 'hex')) end end, 'null')) end;
  end loop;
  return row_values;
end;
$_$;

--
-- Name: FUNCTION redact_columns(policy jsonb, table_name text, row_values jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redact_columns(policy jsonb, table_name text, row_values jsonb) IS 'old_values or new_values of a row event under a compiled policy''s values rules for its table.';

--
-- Name: redact_data(jsonb, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redact_data(policy jsonb, event_data jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE COST 500 PARALLEL SAFE
    AS $_$
declare
  v_path text[];
  v_value jsonb;
  v_method text;
begin
  -- Loops by index over arrays in the compiled policy: simple expressions only (no per-row queries).
  if event_data is null or (policy -> 'dp') is null then
    return event_data;
  end if;
  for i in 0 .. jsonb_array_length(policy -> 'dp') - 1 loop
    v_path := (policy -> 'dp' ->> i)::text[];
    v_value := event_data #> v_path;
    continue when v_value is null;
    v_method := policy -> 'dm' ->> i;
    if v_method = 'remove' then
      event_data := event_data #- v_path;
    else
      event_data := jsonb_set(event_data, v_path,
        case when v_value = 'null'::jsonb then v_value
        when v_method = 'mask' then case when jsonb_typeof(v_value) = 'string' then to_jsonb(case when v_value #>> '{}' ~ '^[^@]+@[^@]+$' then left(v_value #>> '{}', 1) || '***@' || split_part(v_value #>> '{}', '@', 2) when length(v_value #>> '{}') <= 2 then '***' else left(v_value #>> '{}', 1) || '***' end) else '"***"'::jsonb end
        when v_method = 'hash' then case when jsonb_typeof(v_value) = 'string' and starts_with(v_value #>> '{}', 'hmac:') then v_value
          when jsonb_typeof(v_value) = 'string' then to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value #>> '{}', 'UTF8'))), 'hex')) else to_jsonb('hmac:' || encode(sha256(decode(policy ->> 'ko', 'hex') || sha256(decode(policy ->> 'ki', 'hex') || convert_to(v_value::text, 'UTF8'))), 'hex')) end end);
    end if;
  end loop;
  return event_data;
end;
$_$;

--
-- Name: FUNCTION redact_data(policy jsonb, event_data jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redact_data(policy jsonb, event_data jsonb) IS 'event_data under a compiled policy''s event_data rules.';

--
-- Name: redact_ip(jsonb, inet); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redact_ip(policy jsonb, actor_ip inet) RETURNS inet
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select warden_private.redact_ip_by(policy ->> 'ip', actor_ip)
$$;

--
-- Name: FUNCTION redact_ip(policy jsonb, actor_ip inet); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redact_ip(policy jsonb, actor_ip inet) IS 'The actor address under a compiled policy: mask keeps the /24 (IPv6: /48), remove gives null.';

--
-- Name: redact_ip_by(text, inet); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redact_ip_by(method text, actor_ip inet) RETURNS inet
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select case
    when actor_ip is null or method is null then actor_ip
    when method = 'mask' then network(set_masklen(actor_ip, case family(actor_ip) when 4 then 24 else 48 end))::inet
  end
$$;

--
-- Name: FUNCTION redact_ip_by(method text, actor_ip inet); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redact_ip_by(method text, actor_ip inet) IS 'The actor address under a redaction method: mask keeps the /24 (IPv6: /48), remove gives null, no method leaves it.';

--
-- Name: redact_ua(jsonb, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redact_ua(policy jsonb, user_agent text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select warden_private.redact_ua_by(policy ->> 'ua', user_agent, decode(policy ->> 'ki', 'hex'), decode(policy ->> 'ko', 'hex'))
$$;

--
-- Name: FUNCTION redact_ua(policy jsonb, user_agent text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redact_ua(policy jsonb, user_agent text) IS 'The user agent under a compiled policy.';

--
-- Name: redact_ua_by(text, text, bytea, bytea); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redact_ua_by(method text, user_agent text, inner_key bytea, outer_key bytea) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $_$
  select case
    when user_agent is null or method is null then user_agent
    when method = 'mask' then case when user_agent ~ '^[^@]+@[^@]+$' then left(user_agent, 1) || '***@' || split_part(user_agent, '@', 2)
                                   when length(user_agent) <= 2 then '***' else left(user_agent, 1) || '***' end
    when method = 'hash' then case when starts_with(user_agent, 'hmac:') then user_agent
      else 'hmac:' || encode(sha256(outer_key || sha256(inner_key || convert_to(user_agent, 'UTF8'))), 'hex') end
  end
$_$;

--
-- Name: FUNCTION redact_ua_by(method text, user_agent text, inner_key bytea, outer_key bytea); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redact_ua_by(method text, user_agent text, inner_key bytea, outer_key bytea) IS 'The user agent under a redaction method: mask (j***@example.com, or first character and ***), hash (hmac:<hex> under the tenant''s pre-padded HMAC key), remove (null); no method leaves it.';

--
-- Name: redact_values(jsonb, text[], uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redact_values(obj jsonb, columns text[], tenant_key uuid) RETURNS jsonb
    LANGUAGE sql
    SET search_path TO 'pg_catalog'
    AS $$
  select case when obj is null then null else
    coalesce((
      select jsonb_object_agg(e.key,
        case when e.key = any (columns) and e.value <> 'null'::jsonb
             then to_jsonb(warden_private.keyed_hash(tenant_key, e.value::text)) else e.value end)
      from jsonb_each(obj) e), '{}'::jsonb)
  end
$$;

--
-- Name: FUNCTION redact_values(obj jsonb, columns text[], tenant_key uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redact_values(obj jsonb, columns text[], tenant_key uuid) IS 'Replaces the named keys of a JSON object by their keyed hashes.';

--
-- Name: redaction_marker(jsonb, text, inet, text, jsonb, jsonb, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.redaction_marker(policy jsonb, table_name text, actor_ip inet, user_agent text, old_values jsonb, new_values jsonb, event_data jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE COST 300 PARALLEL SAFE
    AS $$
declare
  v_marks jsonb := '{}';
  v_path text[];
  v_rules jsonb;
  v_col text;
begin
  if actor_ip is not null and policy ? 'ip' then
    v_marks := v_marks || jsonb_build_object('actor_ip', policy ->> 'ip');
  end if;
  if user_agent is not null and policy ? 'ua' then
    v_marks := v_marks || jsonb_build_object('user_agent', policy ->> 'ua');
  end if;
  if event_data is not null and policy ? 'dp' then
    for i in 0 .. jsonb_array_length(policy -> 'dp') - 1 loop
      v_path := (policy -> 'dp' ->> i)::text[];
      if (event_data #> v_path) is not null then
        v_marks := v_marks || jsonb_build_object('event_data.' || array_to_string(v_path, '.'), policy -> 'dm' ->> i);
      end if;
    end loop;
  end if;
  v_rules := policy -> 'vc' -> table_name;
  if v_rules is not null and (old_values is not null or new_values is not null) then
    for i in 0 .. jsonb_array_length(v_rules -> 'c') - 1 loop
      v_col := v_rules -> 'c' ->> i;
      if old_values ? v_col then
        v_marks := v_marks || jsonb_build_object('old_values.' || v_col, v_rules -> 'm' ->> i);
      end if;
      if new_values ? v_col then
        v_marks := v_marks || jsonb_build_object('new_values.' || v_col, v_rules -> 'm' ->> i);
      end if;
    end loop;
  end if;
  return nullif(v_marks, '{}');
end;
$$;

--
-- Name: FUNCTION redaction_marker(policy jsonb, table_name text, actor_ip inet, user_agent text, old_values jsonb, new_values jsonb, event_data jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.redaction_marker(policy jsonb, table_name text, actor_ip inet, user_agent text, old_values jsonb, new_values jsonb, event_data jsonb) IS 'What a compiled policy redacts in an event, as {field: method} (e.g. {"actor_ip": "mask", "event_data.customer.email": "hash"}); null when nothing.';

--
-- Name: register_audited_schema(text, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.register_audited_schema(schema_name text, options jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  insert into warden_private.audited_schemas (schema_name, options) values (schema_name, coalesce(options, '{}'))
  on conflict on constraint audited_schemas_pkey do update set options = excluded.options
$$;

--
-- Name: FUNCTION register_audited_schema(schema_name text, options jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.register_audited_schema(schema_name text, options jsonb) IS 'Records a schema as audited as a whole.';

--
-- Name: register_soft_delete_table(regclass, text, interval, boolean); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.register_soft_delete_table(target regclass, tenant_column text, purge_after interval, rls_enabled boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_stack text;
  v_before jsonb;
begin
  -- Only warden.enable_soft_delete (which has just altered the table with
  -- the caller's rights, so the caller owns it) may register a table.
  get diagnostics v_stack = pg_context;
  if v_stack !~ 'function warden\.enable_soft_delete\(' then
    raise exception 'register_soft_delete_table is called by warden.enable_soft_delete only' using errcode = '42501';
  end if;
  select jsonb_build_object('tenant_column', s.tenant_column, 'purge_after', s.purge_after::text) into v_before
  from warden_private.soft_delete_tables s where s.target = register_soft_delete_table.target for update;
  insert into warden_private.soft_delete_tables as s (target, tenant_column, purge_after, rls_enabled_by_warden)
  values (target, tenant_column, purge_after, rls_enabled)
  on conflict on constraint soft_delete_tables_pkey do update
    set tenant_column = excluded.tenant_column, purge_after = excluded.purge_after,
        rls_enabled_by_warden = s.rls_enabled_by_warden or excluded.rls_enabled_by_warden,
        enabled_at = now(), enabled_by = session_user;
  perform warden_private.record_governance_event('governance.soft_delete.enabled', null, 'table', target::text, v_before,
    jsonb_build_object('tenant_column', tenant_column, 'purge_after', purge_after::text));
end;
$$;

--
-- Name: FUNCTION register_soft_delete_table(target regclass, tenant_column text, purge_after interval, rls_enabled boolean); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.register_soft_delete_table(target regclass, tenant_column text, purge_after interval, rls_enabled boolean) IS 'Records a table in warden_private.soft_delete_tables (only from warden.enable_soft_delete) and writes governance.soft_delete.enabled (before: the previous options when it was already enabled; after: tenant_column, purge_after).';

--
-- Name: resolve_external_identity(uuid, text, text, boolean, text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.resolve_external_identity(provider_id uuid, subject text, email text, email_verified boolean DEFAULT NULL::boolean, display_name text DEFAULT NULL::text, OUT user_id uuid, OUT tenant_id uuid, OUT tenant_role warden.tenant_role, OUT failure text) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
#variable_conflict use_column
declare
  p warden.identity_providers;
  v_email text := nullif(btrim(resolve_external_identity.email), '');
begin
  select * into p from warden.identity_providers ip where ip.id = resolve_external_identity.provider_id and ip.enabled;
  if p.id is null then
    failure := 'unknown_identity_provider';
    return;
  end if;
  tenant_id := p.tenant_id;
  if p.user_claim = 'email' then
    if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+$' or length(v_email) > 320 then
      failure := 'missing_email_claim';
      return;
    end if;
    if resolve_external_identity.email_verified is false then
      failure := 'email_not_verified';
      return;
    end if;
    select u.id into user_id from warden.users u where lower(u.email) = lower(v_email);
  else
    if resolve_external_identity.subject is null or length(resolve_external_identity.subject) not between 1 and 1024 then
      failure := 'missing_subject_claim';
      return;
    end if;
    select i.user_id into user_id from warden_private.user_identities i
    where i.provider_id = p.id and i.subject = resolve_external_identity.subject;
  end if;
  if user_id is not null then
    select m.role into tenant_role from warden.tenant_memberships m where m.tenant_id = p.tenant_id and m.user_id = resolve_external_identity.user_id;
  end if;
  if tenant_role is not null then
    return;
  end if;
  if not p.auto_provision then
    failure := 'not_a_member';
    return;
  end if;
  -- First sight, auto_provision: a user (for sub mapping always a new one:
  -- a provider's word on an email never takes over an existing account) and
  -- a membership with the provider's default role.
  if user_id is null then
    insert into warden.users (email, display_name)
    values (case when p.user_claim = 'email' then v_email
                 else 'oidc-' || encode(sha256(convert_to(p.id::text || ':' || resolve_external_identity.subject, 'UTF8')), 'hex')
                      || '@' || p.id::text || '.oidc.invalid' end,
            left(coalesce(nullif(btrim(resolve_external_identity.display_name), ''), v_email), 200))
    on conflict (lower(email)) do update set display_name = warden.users.display_name
    returning id into user_id;
    if p.user_claim = 'sub' then
      insert into warden_private.user_identities (provider_id, subject, user_id)
      values (p.id, resolve_external_identity.subject, user_id)
      on conflict do nothing;
    end if;
  end if;
  insert into warden.tenant_memberships (tenant_id, user_id, role, joined_via)
  values (p.tenant_id, user_id, p.default_role, 'identity_provider')
  on conflict on constraint tenant_memberships_tenant_id_user_id_key do nothing;
  select m.role into tenant_role from warden.tenant_memberships m where m.tenant_id = p.tenant_id and m.user_id = resolve_external_identity.user_id;
end;
$_$;

--
-- Name: FUNCTION resolve_external_identity(provider_id uuid, subject text, email text, email_verified boolean, display_name text, OUT user_id uuid, OUT tenant_id uuid, OUT tenant_role warden.tenant_role, OUT failure text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.resolve_external_identity(provider_id uuid, subject text, email text, email_verified boolean, display_name text, OUT user_id uuid, OUT tenant_id uuid, OUT tenant_role warden.tenant_role, OUT failure text) IS 'Maps a verified token of an identity provider to a member of the provider''s tenant (by email or by sub, as the provider says); with auto_provision, makes a first-seen user a member with the default role (governance.membership.added, joined_via identity_provider). Returns the user, tenant and role, or a failure (unknown_identity_provider, missing_email_claim, email_not_verified, missing_subject_claim, not_a_member).';

--
-- Name: resolve_membership(uuid, uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.resolve_membership(tenant_id uuid, user_id uuid) RETURNS warden.tenant_role
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  select m.role from warden.tenant_memberships m
  where m.tenant_id = resolve_membership.tenant_id and m.user_id = resolve_membership.user_id
$$;

--
-- Name: FUNCTION resolve_membership(tenant_id uuid, user_id uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.resolve_membership(tenant_id uuid, user_id uuid) IS 'The tenant role of a user in a tenant, or null when the user is not a member (checked on every request).';

--
-- Name: retention_days(uuid, text, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.retention_days(tenant_id uuid, event_type text, default_days integer) RETURNS integer
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  select coalesce((
    select p.days from warden_private.retention_policies p
    where (p.tenant_id = retention_days.tenant_id or p.tenant_id is null)
      and (p.event_type_pattern = '*' or p.event_type_pattern = retention_days.event_type
           or (pg_catalog.right(p.event_type_pattern, 2) = '.*'
               and pg_catalog.starts_with(retention_days.event_type, pg_catalog.left(p.event_type_pattern, -1))))
    order by (p.tenant_id is not null) desc, (p.event_type_pattern = retention_days.event_type) desc, pg_catalog.length(p.event_type_pattern) desc
    limit 1), default_days)
$$;

--
-- Name: FUNCTION retention_days(tenant_id uuid, event_type text, default_days integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.retention_days(tenant_id uuid, event_type text, default_days integer) IS 'Retention in days of an event of this tenant and type: the most specific policy (tenant over default, exact over longer prefix over *), else default_days.';

--
-- Name: retention_default_days(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.retention_default_days() RETURNS integer
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  v_raw text := nullif(current_setting('warden.retention_default_days', true), '');
  v_days integer;
begin
  if v_raw is null then
    return 30;
  end if;
  if v_raw !~ '^[0-9]{1,9}$' then
    raise exception 'AUDIT_RETENTION_DAYS must be a whole number of days, got %', quote_literal(v_raw) using errcode = '22023';
  end if;
  v_days := v_raw::integer;
  if v_days not between 1 and 2557 then
    raise exception 'AUDIT_RETENTION_DAYS must be between 1 and 2557 (7 years), got %', v_days using errcode = '22023';
  end if;
  return v_days;
end;
$_$;

--
-- Name: FUNCTION retention_default_days(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.retention_default_days() IS 'The default retention in days: the setting warden.retention_default_days (set by the caller from AUDIT_RETENTION_DAYS), 30 when unset; 1..2557.';

--
-- Name: retention_droppable_partitions(integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.retention_droppable_partitions(default_days integer) RETURNS TABLE(partition regclass, partition_name text, range_from timestamp with time zone, range_to timestamp with time zone)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select p.partition, p.partition_name, p.range_from, p.range_to
  from warden_private.audit_partitions() p
  where p.range_to is not null
    and p.range_to <= now() - make_interval(days => warden_private.retention_max_days(default_days))
    and not warden_private.partition_is_held(p.partition)
  order by p.range_from
$$;

--
-- Name: FUNCTION retention_droppable_partitions(default_days integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.retention_droppable_partitions(default_days integer) IS 'Monthly partitions whose every row is past any policy (the range ended longer ago than the longest retention) and not under a legal hold: the fast path drops them whole.';

--
-- Name: retention_max_days(integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.retention_max_days(default_days integer) RETURNS integer
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select greatest(default_days, max(p.days)) from warden_private.retention_policies p
$$;

--
-- Name: FUNCTION retention_max_days(default_days integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.retention_max_days(default_days integer) IS 'The longest retention any event can have: a partition that ended longer ago than this is past policy as a whole.';

--
-- Name: retention_min_days(uuid, integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.retention_min_days(tenant_key uuid, default_days integer) RETURNS integer
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select least(default_days, min(p.days)) from warden_private.retention_policies p
  where p.tenant_id is null or p.tenant_id = nullif(tenant_key, '00000000-0000-0000-0000-000000000000'::uuid)
$$;

--
-- Name: FUNCTION retention_min_days(tenant_key uuid, default_days integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.retention_min_days(tenant_key uuid, default_days integer) IS 'The shortest retention any event of the tenant can have: nothing younger is ever purged (bounds the row scan).';

--
-- Name: retention_plan(integer); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.retention_plan(default_days integer) RETURNS TABLE(tenant_id uuid, partition_name text, method text, rows_purged bigint)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    AS $$
declare
  v_drop regclass[];
  p record;
begin
  select coalesce(array_agg(d.partition), '{}') into v_drop from warden_private.retention_droppable_partitions(default_days) d;
  for p in select d.partition, d.partition_name from warden_private.retention_droppable_partitions(default_days) d loop
    return query execute format(
      'select e.tenant_id, %L::text, ''partition''::text, count(*) from %s e group by 1 order by 1 nulls first',
      p.partition_name, p.partition);
  end loop;
  return query
    select e.tenant_id, c.relname::text, 'rows'::text, count(*)
    from warden.audit_events e
    join pg_class c on c.oid = e.tableoid
    where e.tableoid <> all (v_drop::oid[])
      and e.occurred_at < now() - make_interval(days => warden_private.retention_min_days(
            warden_private.tenant_key(e.tenant_id), default_days))
      and e.occurred_at < now() - make_interval(days => warden_private.retention_days(e.tenant_id, e.event_type, default_days))
      and not warden_private.is_held(e.tenant_id, e.resource_type, e.resource_id, e.correlation_id)
    group by 1, 2
    order by 2, 1 nulls first;
end;
$$;

--
-- Name: FUNCTION retention_plan(default_days integer); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.retention_plan(default_days integer) IS 'What retention would purge, per tenant and partition: whole partitions (method partition) and rows past policy elsewhere (method rows).';

--
-- Name: retention_tenant_keys(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.retention_tenant_keys() RETURNS SETOF uuid
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
  select t.id from warden.tenants t
  union select h.tenant_key from warden_private.seal_heads h
  union select '00000000-0000-0000-0000-000000000000'::uuid
$$;

--
-- Name: FUNCTION retention_tenant_keys(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.retention_tenant_keys() IS 'Every tenant key whose events the row path visits: the tenants, every tenant with a sealed chain, and the zero uuid (events outside any tenant).';

--
-- Name: revoke_user_sessions(uuid[], jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.revoke_user_sessions(session_ids uuid[], revoked_by jsonb) RETURNS SETOF warden.user_sessions
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
  update warden.user_sessions s set revoked_at = now(), revoked_by = revoke_user_sessions.revoked_by
  where s.id = any (revoke_user_sessions.session_ids) and s.revoked_at is null
  returning s.*
$$;

--
-- Name: FUNCTION revoke_user_sessions(session_ids uuid[], revoked_by jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.revoke_user_sessions(session_ids uuid[], revoked_by jsonb) IS 'Revokes the given sessions that are not revoked yet, recording who revoked them; returns the sessions revoked. No permission checks: callers check (CLI, warden.revoke_user_session).';

--
-- Name: rfc3339_is_valid(text); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.rfc3339_is_valid(value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  -- The shape first; then every field in range, so the cast that follows
  -- in the insert can not fail. Days are checked against the month's length.
  select case
    when value is null or value !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$' then false
    when substr(value, 1, 4)::int < 1 or substr(value, 6, 2)::int not between 1 and 12 then false
    when substr(value, 9, 2)::int not between 1
         and extract(day from make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, 1) + interval '1 month' - interval '1 day')::int then false
    when substr(value, 12, 2)::int > 23 or substr(value, 15, 2)::int > 59 or substr(value, 18, 2)::int > 60 then false
    when right(value, 1) <> 'Z' and (substr(right(value, 5), 1, 2)::int > 15 or right(value, 2)::int > 59) then false
    else true
  end
$_$;

--
-- Name: FUNCTION rfc3339_is_valid(value text); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.rfc3339_is_valid(value text) IS 'True when the text is an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM)) naming a real calendar day and time.';

--
-- Name: seal_flag_suspects(bigint, bigint); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.seal_flag_suspects(from_txid bigint, to_txid bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
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

--
-- Name: FUNCTION seal_flag_suspects(from_txid bigint, to_txid bigint); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.seal_flag_suspects(from_txid bigint, to_txid bigint) IS 'Run by the sealing pass over its window: sets aside the events of transactions in [from_txid, to_txid) dated outside their tenant''s occurred_at window without the backfill marker (warden_private.suspect_events), writes one critical governance.audit.suspect_events event per tenant, and returns how many it flagged; the pass then seals everything else.';

--
-- Name: seal_horizon(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.seal_horizon() RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_xmax bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
  v_oldest bigint;
begin
  -- Every transaction below the horizon has finished, so no event with a
  -- smaller txid can still appear. Only this database's transactions can
  -- write its events: when the role may see every session
  -- (pg_read_all_stats, granted by `warden setup`), a long transaction in
  -- another database does not hold sealing back. Otherwise the cluster-wide
  -- snapshot xmin is the safe answer.
  if not pg_has_role('pg_read_all_stats', 'usage') then
    return pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
  end if;
  -- backend_xid is 32 bits: widen it by its signed distance from xmax.
  select min(v_xmax + ((((a.backend_xid::text::bigint - (v_xmax & 4294967295)) + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648))
    into v_oldest
  from pg_stat_activity a
  where a.datname = current_database() and a.backend_xid is not null and a.backend_type <> 'autovacuum worker';
  return least(coalesce(v_oldest, v_xmax), v_xmax);
end;
$$;

--
-- Name: FUNCTION seal_horizon(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.seal_horizon() IS 'Transaction ids below this are complete in this database (or, without pg_read_all_stats, in the whole cluster): the sealer''s upper bound. Autovacuum workers are not waited for.';

--
-- Name: set_member_role(uuid, uuid, warden.tenant_role); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.set_member_role(tenant_id uuid, user_id uuid, role warden.tenant_role, OUT previous_role warden.tenant_role, OUT new_role warden.tenant_role) RETURNS record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
#variable_conflict use_column
begin
  if set_member_role.role is null then
    raise exception 'role must be one of member, support, auditor, admin, owner' using errcode = '22023';
  end if;
  select m.role into previous_role from warden.tenant_memberships m
  where m.tenant_id = set_member_role.tenant_id and m.user_id = set_member_role.user_id for update;
  if not found then
    raise exception 'user % is not a member of tenant %', set_member_role.user_id, set_member_role.tenant_id using errcode = 'P0002';
  end if;
  update warden.tenant_memberships m set role = set_member_role.role
  where m.tenant_id = set_member_role.tenant_id and m.user_id = set_member_role.user_id and m.role is distinct from set_member_role.role;
  new_role := set_member_role.role;
end;
$$;

--
-- Name: FUNCTION set_member_role(tenant_id uuid, user_id uuid, role warden.tenant_role, OUT previous_role warden.tenant_role, OUT new_role warden.tenant_role); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.set_member_role(tenant_id uuid, user_id uuid, role warden.tenant_role, OUT previous_role warden.tenant_role, OUT new_role warden.tenant_role) IS 'Changes a member''s tenant role (CLI: warden user role); the membership trigger writes governance.membership.role_changed and refuses to leave the tenant without an owner. Raises P0002 when the user is not a member. Returns the role before and after.';

--
-- Name: set_occurred_at_window(uuid, interval, interval); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.set_occurred_at_window(tenant_id uuid, max_future interval, max_past interval DEFAULT NULL::interval) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_before jsonb;
  v_by text := coalesce(nullif(current_setting('jwt.claims.actor_id', true), ''), session_user);
begin
  if max_future is null or max_future < interval '0' or max_future > interval '1 day' then
    raise exception 'max_future must be between 0 and 1 day, got %', coalesce(max_future::text, 'null') using errcode = '22023';
  end if;
  if max_past is not null and max_past <= interval '0' then
    raise exception 'max_past must be positive (or null: the tenant''s retention), got %', max_past using errcode = '22023';
  end if;
  select jsonb_build_object('max_future', w.max_future, 'max_past', w.max_past) into v_before
  from warden_private.occurred_at_windows w where w.tenant_id is not distinct from set_occurred_at_window.tenant_id;
  insert into warden_private.occurred_at_windows as w (tenant_id, max_future, max_past, updated_by)
  values (set_occurred_at_window.tenant_id, max_future, max_past, v_by)
  on conflict on constraint occurred_at_windows_one_per_tenant do update
    set max_future = excluded.max_future, max_past = excluded.max_past, updated_at = now(), updated_by = excluded.updated_by;
  perform warden_private.record_governance_event('governance.occurred_at_window.changed', set_occurred_at_window.tenant_id,
    'occurred_at_window', coalesce(set_occurred_at_window.tenant_id::text, 'default'), v_before,
    jsonb_build_object('max_future', max_future, 'max_past', max_past));
end;
$$;

--
-- Name: FUNCTION set_occurred_at_window(tenant_id uuid, max_future interval, max_past interval); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.set_occurred_at_window(tenant_id uuid, max_future interval, max_past interval) IS 'Sets the occurred_at window of a tenant (or the default, tenant_id null) and records a governance.occurred_at_window.changed event. For operators (warden_owner); not executable by API roles.';

--
-- Name: soft_delete_operation(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.soft_delete_operation() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_op text := nullif(current_setting('warden.soft_delete_operation', true), '');
  v_stack text;
begin
  if v_op is null then
    return null;
  end if;
  -- Anyone can set the setting; it counts only while one of Warden's
  -- soft-delete functions is really on the call stack.
  get diagnostics v_stack = pg_context;
  if v_stack ~ 'function (warden\.restore|warden\.purge|warden_private\.tg_soft_delete|warden_private\.purge_soft_deleted)\(' then
    return v_op;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION soft_delete_operation(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.soft_delete_operation() IS 'The soft-delete operation in progress (soft_delete, restore or purge) when one of Warden''s soft-delete functions set it and is on the call stack; otherwise null. Used by the warden_soft_delete_hide policy of every enabled table, so it is executable by PUBLIC (it reveals and changes nothing).';

--
-- Name: strip_paths(jsonb, jsonb); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.strip_paths(doc jsonb, data_rules jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_rule jsonb;
begin
  if doc is null or data_rules is null then
    return doc;
  end if;
  for v_rule in select * from jsonb_array_elements(data_rules) loop
    doc := doc #- array(select jsonb_array_elements_text(v_rule -> 'path'));
  end loop;
  return doc;
end;
$$;

--
-- Name: FUNCTION strip_paths(doc jsonb, data_rules jsonb); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.strip_paths(doc jsonb, data_rules jsonb) IS 'event_data without the paths of a compiled policy''s data rules (the tenant''s configured PII paths).';

--
-- Name: sync_redaction_trigger(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.sync_redaction_trigger() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_tenants uuid[] := array(select p.tenant_id from warden.redaction_policies p where p.mode <> 'off' order by 1);
begin
  -- The trigger's WHEN clause names the tenants with mode log or enforce, so
  -- every other insert is filtered out before any function is called.
  perform pg_advisory_xact_lock(hashtext('warden.redaction_trigger'));
  drop trigger if exists _050_redact on warden.audit_events;
  drop trigger if exists _950_redact_count on warden.audit_events;
  if cardinality(v_tenants) > 0 then
    execute format('create trigger _050_redact before insert on warden.audit_events for each row
      when (new.tenant_id = any (%L::uuid[])) execute function warden_private.tg_audit_redact()', v_tenants);
    create trigger _950_redact_count after insert on warden.audit_events
      for each statement execute function warden_private.tg_audit_redact_flush();
  end if;
  return cardinality(v_tenants) > 0;
end;
$$;

--
-- Name: FUNCTION sync_redaction_trigger(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.sync_redaction_trigger() IS 'Installs the write-time redaction trigger for exactly the tenants with mode log or enforce (in its WHEN clause), and removes it when there are none.';

--
-- Name: tenant_hash_key(uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tenant_hash_key(tenant_key uuid, OUT inner_key bytea, OUT outer_key bytea) RETURNS record
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_key bytea;
  v_in bytea;
  v_out bytea;
begin
  select k.inner_key, k.outer_key into inner_key, outer_key
  from warden_private.tenant_hash_keys k where k.tenant_key = tenant_hash_key.tenant_key;
  if found then
    return;
  end if;
  v_key := decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');
  v_in := v_key;
  v_out := v_key;
  for i in 0 .. 63 loop
    v_in := set_byte(v_in, i, get_byte(v_key, i) # 54);   -- 0x36
    v_out := set_byte(v_out, i, get_byte(v_key, i) # 92);  -- 0x5c
  end loop;
  insert into warden_private.tenant_hash_keys (tenant_key, inner_key, outer_key)
  values (tenant_hash_key.tenant_key, v_in, v_out)
  on conflict on constraint tenant_hash_keys_pkey do nothing;
  select k.inner_key, k.outer_key into inner_key, outer_key
  from warden_private.tenant_hash_keys k where k.tenant_key = tenant_hash_key.tenant_key;
end;
$$;

--
-- Name: FUNCTION tenant_hash_key(tenant_key uuid, OUT inner_key bytea, OUT outer_key bytea); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tenant_hash_key(tenant_key uuid, OUT inner_key bytea, OUT outer_key bytea) IS 'The tenant''s HMAC key (created on first use).';

--
-- Name: tenant_key(uuid); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tenant_key(tenant_id uuid) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)
$$;

--
-- Name: FUNCTION tenant_key(tenant_id uuid); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tenant_key(tenant_id uuid) IS 'Key of a tenant''s hash chain: the tenant id, or the zero uuid for events outside any tenant.';

--
-- Name: tg__notify_auth_invalidation(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg__notify_auth_invalidation() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  -- pg_notify itself: the trigger runs as whoever changed the row (API requests too).
  perform pg_notify('warden_auth_invalidate', tg_argv[0]);
  return null;
end;
$$;

--
-- Name: FUNCTION tg__notify_auth_invalidation(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg__notify_auth_invalidation() IS 'AFTER row trigger: NOTIFYs warden_auth_invalidate with the trigger''s argument (the kind of credential changed).';

--
-- Name: tg__timestamps(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg__timestamps() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  new.updated_at := case when tg_op = 'INSERT' then coalesce(new.updated_at, now()) else greatest(now(), old.updated_at + interval '1 millisecond') end;
  return new;
end;
$$;

--
-- Name: FUNCTION tg__timestamps(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg__timestamps() IS 'Trigger: keeps updated_at current on update.';

--
-- Name: tg_api_keys__governance(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_api_keys__governance() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_before jsonb;
  v_after jsonb;
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.api_key.created', new.tenant_id, 'api_key', new.id::text, null,
      jsonb_build_object('name', new.name, 'prefix', new.prefix, 'role', new.role, 'rate_limit_per_second', new.rate_limit_per_second,
                         'expires_at', new.expires_at, 'created_by', new.created_by, 'scopes', new.scopes));
    return null;
  end if;
  if old.revoked_at is null and new.revoked_at is not null then
    perform warden_private.record_governance_event('governance.api_key.revoked', new.tenant_id, 'api_key', new.id::text,
      jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', new.revoked_at),
      jsonb_build_object('name', new.name, 'prefix', new.prefix, 'role', new.role));
    return null;
  end if;
  -- Other changes of what the key may do (last_used_at is bookkeeping).
  select jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, n.value) into v_before, v_after
  from jsonb_each(jsonb_build_object('name', old.name, 'role', old.role, 'rate_limit_per_second', old.rate_limit_per_second,
                                     'expires_at', old.expires_at, 'scopes', old.scopes)) o
  join jsonb_each(jsonb_build_object('name', new.name, 'role', new.role, 'rate_limit_per_second', new.rate_limit_per_second,
                                     'expires_at', new.expires_at, 'scopes', new.scopes)) n
    using (key)
  where o.value is distinct from n.value;
  if v_before is not null then
    perform warden_private.record_governance_event('governance.api_key.changed', new.tenant_id, 'api_key', new.id::text,
      v_before, v_after, jsonb_build_object('prefix', new.prefix));
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_api_keys__governance(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_api_keys__governance() IS 'AFTER INSERT/UPDATE row trigger of API keys: governance.api_key.created (after: name, prefix, role, rate limit, expiry, creator, scopes), governance.api_key.revoked (before/after: revoked_at) and governance.api_key.changed (before/after of name, role, rate limit, expiry or scopes), whatever the path.';

--
-- Name: tg_api_keys__guard(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_api_keys__guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'API key % was revoked at %: a revoked key stays revoked (create a new one)', old.prefix, old.revoked_at
      using errcode = '22023';
  end if;
  if old.role = 'owner' and warden.current_tenant_role() is not null and warden.current_tenant_role() <> 'owner'
     and old.tenant_id = warden.current_tenant_id()
     and (new.name, new.rate_limit_per_second, new.expires_at, new.revoked_at, new.role)
         is distinct from (old.name, old.rate_limit_per_second, old.expires_at, old.revoked_at, old.role) then
    raise exception 'only a tenant owner can change or revoke an owner API key' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  return new;
end;
$$;

--
-- Name: FUNCTION tg_api_keys__guard(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_api_keys__guard() IS 'BEFORE UPDATE row trigger of API keys: an actor whose tenant role is below owner cannot change or revoke an owner key of its tenant (42501, missing_role owner); revoked_at, once set, never changes.';

--
-- Name: tg_audit_append_only(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if warden_private.in_governance_operation() then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  raise exception '% on %.% is not allowed: the audit log is append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = '42501',
          hint = 'retention and GDPR erasure go through Warden''s governance functions, which leave their own audit events';
end;
$$;

--
-- Name: FUNCTION tg_audit_append_only(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_audit_append_only() IS 'Trigger: refuses UPDATE, DELETE and TRUNCATE on audit tables outside governance functions.';

--
-- Name: tg_audit_capture(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_audit_capture() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    SET jit TO 'off'
    AS $$
declare
  -- Everything about the table was worked out by enable_auditing and rides
  -- in the trigger argument (_meta), so a statement pays no catalog lookups.
  v_opts jsonb := tg_argv[0]::jsonb;
  v_meta jsonb := v_opts -> '_meta';
  v_exclude text[] := (v_meta ->> 'exclude')::text[];
  v_redact text[] := (v_meta ->> 'redact')::text[];
  v_full boolean := (v_opts ->> 'capture') = 'full';
  v_skip boolean := coalesce((v_opts ->> 'skip_unchanged')::boolean, true);
  v_tenant_column text := v_opts ->> 'tenant_column';
  v_fixed_tenant uuid := (v_opts ->> 'tenant')::uuid;
  v_table text := v_meta ->> 'table';
  v_resource_type text := coalesce(v_opts ->> 'resource_type', v_table);
  v_event_type text := (v_meta ->> 'event_prefix') || lower(tg_op);
  v_pk text[] := (v_meta ->> 'pk')::text[];
  v_action text := lower(tg_op);
  v_extra jsonb;
  v_actor_id text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_actor_type warden.actor_type;
  v_ctx_tenant uuid := nullif(current_setting('jwt.claims.tenant_id', true), '')::uuid;
  v_trace text := nullif(current_setting('warden.trace_id', true), '');
  v_ip inet;
  v_ua text;
  v_correlation text;
  v_service text;
  v_txid bigint := pg_current_xact_id()::text::bigint;
  v_count bigint;
begin
  v_extra := coalesce(nullif(current_setting('warden.context_extra', true), '')::jsonb, '{}');
  if v_actor_id is null then
    -- No request context: the database role is the actor.
    v_actor_type := 'db_role';
    v_actor_id := session_user;
    v_ip := inet_client_addr();
    v_service := nullif(current_setting('application_name', true), '');
  else
    v_actor_type := coalesce(nullif(current_setting('jwt.claims.actor_type', true), ''), 'user')::warden.actor_type;
    v_ip := coalesce(nullif(current_setting('warden.actor_ip', true), ''), v_extra ->> 'ip')::inet;
    v_service := v_extra ->> 'service';
  end if;
  v_ua := coalesce(nullif(current_setting('warden.user_agent', true), ''), v_extra ->> 'user_agent');
  v_correlation := v_extra ->> 'correlation_id';

  if tg_op = 'TRUNCATE' then
    execute format('select count(*) from %s', tg_relid::regclass) into v_count;
    insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
      resource_type, correlation_id, trace_id, service, txid, table_name, event_data)
    values (coalesce(v_fixed_tenant, v_ctx_tenant), v_event_type, 'data', v_action, v_actor_type, v_actor_id, v_ip, v_ua,
      v_resource_type, v_correlation, v_trace, v_service, v_txid, v_table, jsonb_build_object('row_count', v_count));
    return null;
  end if;

  if tg_op = 'INSERT' then
    insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
      resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk, new_values)
    select coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant), v_event_type, 'data', v_action,
           v_actor_type, v_actor_id, v_ip, v_ua, v_resource_type,
           case when v_pk is null then null when cardinality(v_pk) = 1 then r.j ->> v_pk[1] else r.pk::text end,
           v_correlation, v_trace, v_service, v_txid, v_table, r.pk,
           case when cardinality(v_redact) > 0
                then warden_private.redact_values(r.j - v_exclude, v_redact, coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant))
                else r.j - v_exclude end
    from (
      select j, case when v_pk is null then null when cardinality(v_pk) = 1 then jsonb_build_object(v_pk[1], j -> v_pk[1]) else (select jsonb_object_agg(k, j -> k) from unnest(v_pk) k) end as pk
      from (select to_jsonb(n) as j from new_rows n offset 0) s
    ) r;
    return null;
  end if;

  if tg_op = 'DELETE' then
    insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
      resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk, old_values)
    select coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant), v_event_type, 'data', v_action,
           v_actor_type, v_actor_id, v_ip, v_ua, v_resource_type,
           case when v_pk is null then null when cardinality(v_pk) = 1 then r.j ->> v_pk[1] else r.pk::text end,
           v_correlation, v_trace, v_service, v_txid, v_table, r.pk,
           case when cardinality(v_redact) > 0
                then warden_private.redact_values(r.j - v_exclude, v_redact, coalesce(v_fixed_tenant, (r.j ->> v_tenant_column)::uuid, v_ctx_tenant))
                else r.j - v_exclude end
    from (
      select j, case when v_pk is null then null when cardinality(v_pk) = 1 then jsonb_build_object(v_pk[1], j -> v_pk[1]) else (select jsonb_object_agg(k, j -> k) from unnest(v_pk) k) end as pk
      from (select to_jsonb(o) as j from old_rows o offset 0) s
    ) r;
    return null;
  end if;

  -- UPDATE: the n-th row of old_rows and of new_rows are the same row
  -- (PostgreSQL fills both transition tables in step), which also pairs
  -- rows whose primary key changed and rows of tables without one.
  insert into warden.audit_events (tenant_id, event_type, category, action, actor_type, actor_id, actor_ip, user_agent,
    resource_type, resource_id, correlation_id, trace_id, service, txid, table_name, row_pk, changed_fields, old_values, new_values)
  select t.tenant_id, v_event_type, 'data', v_action, v_actor_type, v_actor_id, v_ip, v_ua, v_resource_type,
         case when v_pk is null then null when cardinality(v_pk) = 1 then p.full_new ->> v_pk[1] else t.pk::text end,
         v_correlation, v_trace, v_service, v_txid, v_table, t.pk, d.keys,
         case when cardinality(v_redact) > 0 then warden_private.redact_values(t.ov, v_redact, t.tenant_id) else t.ov end,
         case when cardinality(v_redact) > 0 then warden_private.redact_values(t.nv, v_redact, t.tenant_id) else t.nv end
  from (
    select o.j - v_exclude as oj, n.j - v_exclude as nj, n.j as full_new
    from (select row_number() over () as rn, to_jsonb(x) as j from old_rows x offset 0) o
    join (select row_number() over () as rn, to_jsonb(x) as j from new_rows x offset 0) n using (rn)
  ) p
  cross join lateral (
    select array_agg(e.key order by e.key) as keys,
           jsonb_object_agg(e.key, p.oj -> e.key) as ov,
           jsonb_object_agg(e.key, e.value) as nv
    from jsonb_each(p.nj) e
    where (p.oj -> e.key) is distinct from e.value
  ) d
  cross join lateral (
    select coalesce(v_fixed_tenant, (p.full_new ->> v_tenant_column)::uuid, v_ctx_tenant) as tenant_id,
           case when v_pk is null then null when cardinality(v_pk) = 1 then jsonb_build_object(v_pk[1], p.full_new -> v_pk[1]) else (select jsonb_object_agg(k, p.full_new -> k) from unnest(v_pk) k) end as pk,
           case when v_full or v_pk is null then p.oj else d.ov end as ov,
           case when v_full then p.nj else d.nv end as nv
  ) t
  where d.keys is not null or not v_skip;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_audit_capture(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_audit_capture() IS 'Capture before version 2 (one generic trigger function writing warden.audit_events directly). warden.enable_auditing no longer uses it; tables still on it are moved by warden.enable_auditing or the superuser step of warden migrate.';

--
-- Name: tg_audit_redact(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_audit_redact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_mode text;
  v_policy jsonb;
  v_marks jsonb;
begin
  if new.tenant_id is null or warden_private.in_governance_operation() then
    return new;  -- governance moves (partition drain) keep sealed content as it is
  end if;
  select p.mode, p.compiled || coalesce(jsonb_build_object('ki', encode(k.inner_key, 'hex'), 'ko', encode(k.outer_key, 'hex')), '{}')
    into v_mode, v_policy
  from warden.redaction_policies p
  left join warden_private.tenant_hash_keys k on k.tenant_key = p.tenant_id and (p.compiled ->> 'needs_key')::boolean
  where p.tenant_id = new.tenant_id and p.mode <> 'off';
  if v_mode is null then
    return new;
  end if;
  v_marks := warden_private.redaction_marker(v_policy, new.table_name, new.actor_ip, new.user_agent, new.old_values, new.new_values, new.event_data);
  if v_marks is null then
    return new;
  end if;
  -- Count in a transaction-local setting; the statement-level trigger below
  -- adds it to warden_private.redaction_counts once per statement (one
  -- upsert per row made every row of a bulk insert update the same row).
  perform set_config('warden.redaction_pending', (
    select jsonb_object_agg(x.k, x.n)::text from (
      select p.key as k, sum(p.value::bigint) as n from (
        select * from jsonb_each_text(coalesce(nullif(current_setting('warden.redaction_pending', true), ''), '{}')::jsonb)
        union all
        select v_mode || '/' || m.value, '1' from jsonb_each_text(v_marks) m
      ) p group by p.key) x), true);
  if v_mode = 'enforce' then
    new.actor_ip := warden_private.redact_ip(v_policy, new.actor_ip);
    new.user_agent := warden_private.redact_ua(v_policy, new.user_agent);
    new.old_values := warden_private.redact_columns(v_policy, new.table_name, new.old_values);
    new.new_values := warden_private.redact_columns(v_policy, new.table_name, new.new_values);
    new.event_data := warden_private.redact_data(v_policy, new.event_data);
  end if;
  return new;
end;
$$;

--
-- Name: FUNCTION tg_audit_redact(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_audit_redact() IS 'Trigger (BEFORE INSERT on warden.audit_events, installed while a tenant has mode log or enforce): counts rule matches and, in enforce mode, stores the redacted values instead of the raw ones. Covers trigger capture, posted events and DDL events alike.';

--
-- Name: tg_audit_redact_flush(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_audit_redact_flush() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_pending text := nullif(current_setting('warden.redaction_pending', true), '');
begin
  if v_pending is null then
    return null;
  end if;
  perform set_config('warden.redaction_pending', '', true);
  insert into warden_private.redaction_counts as c (mode, method, shard, n)
  select split_part(p.key, '/', 1), split_part(p.key, '/', 2), pg_backend_pid() % 16, p.value::bigint
  from jsonb_each_text(v_pending::jsonb) p
  on conflict on constraint redaction_counts_pkey do update set n = c.n + excluded.n;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_audit_redact_flush(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_audit_redact_flush() IS 'Trigger (AFTER INSERT statement on warden.audit_events, installed with the redaction trigger): adds the statement''s counted redactions to warden_private.redaction_counts.';

--
-- Name: tg_capture_log_guard(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_capture_log_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if warden_private.in_capture_promotion() then
    return null;
  end if;
  raise exception '% on %.% is not allowed: the capture log is append-only', tg_op, tg_table_schema, tg_table_name
    using errcode = '42501',
          hint = 'captured changes leave the log only through their promotion into warden.audit_events (warden.flush_capture())';
end;
$$;

--
-- Name: FUNCTION tg_capture_log_guard(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_capture_log_guard() IS 'Trigger: refuses UPDATE, DELETE and TRUNCATE on capture logs outside their promotion.';

--
-- Name: tg_context_commit_check(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_context_commit_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_at text := nullif(current_setting('warden.context_set_at', true), '');
  v_cid integer := nullif(current_setting('warden.context_set_cid', true), '')::integer;
  v_now integer;
begin
  perform set_config('warden.context_set_at', '', true);
  -- Disarm (the WHEN clause keeps this update from queueing another check);
  -- its command id tells whether anything was written since set_context.
  update warden_private.context_commit_checks c set armed = false where c.backend_pid = pg_backend_pid() returning cmin::text::integer into v_now;
  if v_at is not null and v_at = extract(epoch from statement_timestamp())::text and v_now <= v_cid + 1 then
    raise warning 'warden.set_context ran outside a transaction block: its context ended with the statement that set it, so nothing used it'
      using hint = 'call it inside BEGIN ... COMMIT, before the statements it should apply to';
  end if;
  if current_setting('warden.context_checks_pruned', true) is distinct from 'on' then
    -- Once per session: forget the rows of sessions that have ended.
    delete from warden_private.context_commit_checks c
    where not exists (select 1 from pg_stat_activity a where a.pid = c.backend_pid);
    perform set_config('warden.context_checks_pruned', 'on', false);
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_context_commit_check(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_context_commit_check() IS 'Deferred constraint trigger of warden_private.context_commit_checks, run at commit: raises a WARNING when the transaction''s last statement was warden.set_context''s and nothing was written after it (set_context called on its own, outside a transaction block).';

--
-- Name: tg_dq_rules_audit(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_dq_rules_audit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.dq.rule_added', new.tenant_id, 'dq_rule', new.id::text,
      null, warden_private.dq_rule_public(new));
  elsif tg_op = 'DELETE' then
    perform warden_private.record_governance_event('governance.dq.rule_dropped', old.tenant_id, 'dq_rule', old.id::text,
      warden_private.dq_rule_public(old), null);
  elsif warden_private.dq_rule_public(old) is distinct from warden_private.dq_rule_public(new) then
    perform warden_private.record_governance_event('governance.dq.rule_changed', new.tenant_id, 'dq_rule', new.id::text,
      warden_private.dq_rule_public(old), warden_private.dq_rule_public(new));
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_dq_rules_audit(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_dq_rules_audit() IS 'Trigger (AFTER each row of warden.dq_rules): governance.dq.rule_added, governance.dq.rule_dropped or governance.dq.rule_changed, with the rule before and after, in the transaction of the change.';

--
-- Name: tg_dq_rules_sync(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_dq_rules_sync() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_target regclass;
begin
  for v_target in select distinct e.target from warden.dq_enforcements e where exists (select 1 from pg_class c where c.oid = e.target) loop
    perform warden_private.dq_sync_enforcement(v_target);
  end loop;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_dq_rules_sync(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_dq_rules_sync() IS 'Trigger (AFTER each statement on warden.dq_rules): regenerates the enforcement of enforced tables, so it always follows the rules.';

--
-- Name: tg_dq_rules_validate(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_dq_rules_validate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_api boolean := coalesce(current_setting('role', true), 'none') = 'warden_visitor';
  v_compiled jsonb;
  v_actor text := warden.current_actor() ->> 'id';
begin
  if tg_op = 'UPDATE' then
    if new.tenant_id is distinct from old.tenant_id or new.target is distinct from old.target or new.check_type is distinct from old.check_type
       or new.tenant_column is distinct from old.tenant_column then
      raise exception 'the tenant, target, check type and tenant column of a rule cannot change: drop it and add a new one'
        using errcode = '22023';
    end if;
    if new.params is not distinct from old.params and new.name is not distinct from old.name
       and new.compiled <> '{}'::jsonb and old.compiled = new.compiled then
      -- Only severity, enabled, schedule, timeout or description changed: nothing to recompile.
      new.schedule := warden_private.dq_check_schedule(new.schedule);
      new.updated_at := now();
      new.updated_by := v_actor;
      return new;
    end if;
  else
    if new.tenant_id is null then
      raise exception 'a rule needs a tenant: call it with a request context, or pass the tenant' using errcode = '22023';
    end if;
    if new.target is null then
      new.target := warden_private.dq_resolve_target(nullif(new.target_name, ''), 'target_name');
    end if;
    if (select count(*) from warden.dq_rules r where r.tenant_id = new.tenant_id) >= 1000 then
      raise exception 'a tenant has at most 1000 data-quality rules' using errcode = '54000';
    end if;
    new.created_at := now();
    new.created_by := v_actor;
  end if;
  v_compiled := warden_private.dq_compile(new.tenant_id, new.target, new.check_type, new.params, new.tenant_column, v_api);
  new.target_name := v_compiled ->> 'target_name';
  new.tenant_column := v_compiled ->> 'tenant_column';
  new.compiled := v_compiled;
  new.schedule := warden_private.dq_check_schedule(new.schedule);
  new.updated_at := now();
  new.updated_by := v_actor;
  return new;
end;
$$;

--
-- Name: FUNCTION tg_dq_rules_validate(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_dq_rules_validate() IS 'Trigger (BEFORE INSERT OR UPDATE on warden.dq_rules): validates and compiles every rule however it is written (GraphQL, warden.dq_add_rule, SQL), and records who changed it.';

--
-- Name: tg_identity_providers__governance(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_identity_providers__governance() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_old jsonb;
  v_new jsonb;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    v_old := jsonb_build_object('name', old.name, 'issuer', old.issuer, 'jwks_url', old.jwks_url, 'audience', old.audience,
      'user_claim', old.user_claim, 'auto_provision', old.auto_provision, 'default_role', old.default_role, 'enabled', old.enabled);
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    v_new := jsonb_build_object('name', new.name, 'issuer', new.issuer, 'jwks_url', new.jwks_url, 'audience', new.audience,
      'user_claim', new.user_claim, 'auto_provision', new.auto_provision, 'default_role', new.default_role, 'enabled', new.enabled);
  end if;
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.identity_provider.created', new.tenant_id, 'identity_provider', new.id::text, null, v_new);
  elsif tg_op = 'DELETE' then
    perform warden_private.record_governance_event('governance.identity_provider.deleted', old.tenant_id, 'identity_provider', old.id::text, v_old, null);
  elsif v_old is distinct from v_new then
    perform warden_private.record_governance_event('governance.identity_provider.updated', new.tenant_id, 'identity_provider', new.id::text, v_old, v_new);
  end if;
  perform warden_private.notify_auth_invalidation('identity_provider');
  return null;
end;
$$;

--
-- Name: FUNCTION tg_identity_providers__governance(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_identity_providers__governance() IS 'AFTER row trigger of identity providers: governance.identity_provider.created, .updated (before/after) and .deleted, and an authentication cache invalidation.';

--
-- Name: tg_projects__add_creator(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_projects__add_creator() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if new.created_by is not null and exists (
    select 1 from warden.tenant_memberships m where m.tenant_id = new.tenant_id and m.user_id = new.created_by
  ) then
    insert into warden.project_members (tenant_id, project_id, user_id, role)
    values (new.tenant_id, new.id, new.created_by, 'owner')
    on conflict (project_id, user_id) do nothing;
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_projects__add_creator(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_projects__add_creator() IS 'Trigger: makes the user who creates a project its owner.';

--
-- Name: tg_soft_delete(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_soft_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $_$
declare
  -- Only the tenant column comes from the trigger argument (a JSON key,
  -- never SQL); everything else is read from the catalogs.
  v_tenant_column text := tg_argv[0]::jsonb ->> 'tenant_column';
  v_op text := warden_private.soft_delete_operation();
  v_row jsonb := to_jsonb(old);
  v_pk text[] := warden_private.primary_key_columns(tg_relid);
  v_match text;
  v_actor text := nullif(current_setting('jwt.claims.actor_id', true), '');
  v_deleted_by_type regtype;
begin
  select string_agg(format('%I = ($1).%I', k, k), ' and ') into v_match from unnest(v_pk) k;
  if v_op = 'purge' then
    if (v_row ->> 'deleted_at') is null then
      return null;  -- a purge removes soft-deleted rows only
    end if;
    perform warden_private.record_soft_delete_event('purge', tg_relid, v_tenant_column, v_row);
    return old;
  end if;
  if v_op = 'restore' then
    if (v_row ->> 'deleted_at') is null then
      return null;
    end if;
    execute format('update %s set deleted_at = null, deleted_by = null where %s', tg_relid::regclass, v_match) using old;
    perform warden_private.record_soft_delete_event('restore', tg_relid, v_tenant_column, v_row);
    perform set_config('warden.soft_delete_rows', (coalesce(nullif(current_setting('warden.soft_delete_rows', true), ''), '0')::bigint + 1)::text, true);
    return null;
  end if;
  if (v_row ->> 'deleted_at') is not null then
    return null;  -- already soft-deleted (seen only by roles that bypass row-level security)
  end if;
  select a.atttypid::regtype into v_deleted_by_type from pg_attribute a where a.attrelid = tg_relid and a.attname = 'deleted_by';
  v_actor := coalesce(v_actor, session_user);
  perform set_config('warden.soft_delete_operation', 'soft_delete', true);
  if v_deleted_by_type = 'uuid'::regtype then
    execute format('update %s set deleted_at = $2, deleted_by = $3 where %s', tg_relid::regclass, v_match)
      using old, now(), case when v_actor ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then v_actor::uuid end;
  else
    execute format('update %s set deleted_at = $2, deleted_by = $3 where %s', tg_relid::regclass, v_match)
      using old, now(), v_actor;
  end if;
  perform set_config('warden.soft_delete_operation', '', true);
  perform warden_private.record_soft_delete_event('soft_delete', tg_relid, v_tenant_column, v_row);
  return null;
end;
$_$;

--
-- Name: FUNCTION tg_soft_delete(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_soft_delete() IS 'BEFORE DELETE row trigger of soft-delete tables: marks the row deleted (deleted_at, deleted_by) instead of deleting it; inside warden.restore() clears the mark; inside a purge lets the delete of a soft-deleted row through. Writes a governance.* audit event for each.';

--
-- Name: tg_soft_delete_guard(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_soft_delete_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if warden_private.soft_delete_operation() in ('soft_delete', 'restore') then
    return new;
  end if;
  raise exception 'deleted_at and deleted_by of %.% change only by DELETE (soft delete) and warden.restore()', tg_table_schema, tg_table_name
    using errcode = '42501';
end;
$$;

--
-- Name: FUNCTION tg_soft_delete_guard(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_soft_delete_guard() IS 'BEFORE UPDATE row trigger of soft-delete tables (when deleted_at or deleted_by change): refuses the change outside soft delete and restore, so every change of the mark is audited as such.';

--
-- Name: tg_tenant_memberships__governance(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_tenant_memberships__governance() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.membership.added', new.tenant_id, 'tenant_membership', new.id::text,
      null, jsonb_build_object('user_id', new.user_id, 'role', new.role, 'joined_via', new.joined_via));
  elsif tg_op = 'DELETE' then
    perform warden_private.record_governance_event('governance.membership.removed', old.tenant_id, 'tenant_membership', old.id::text,
      jsonb_build_object('user_id', old.user_id, 'role', old.role, 'joined_via', old.joined_via), null,
      -- A tenant being deleted removes its memberships with it.
      case when exists (select 1 from warden.tenants t where t.id = old.tenant_id) then '{}'::jsonb
           else '{"reason": "tenant deleted"}'::jsonb end);
  elsif new.role is distinct from old.role then
    perform warden_private.record_governance_event('governance.membership.role_changed', new.tenant_id, 'tenant_membership', new.id::text,
      jsonb_build_object('role', old.role), jsonb_build_object('role', new.role), jsonb_build_object('user_id', new.user_id));
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_tenant_memberships__governance(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_tenant_memberships__governance() IS 'AFTER row trigger of tenant memberships: governance.membership.added (after: user_id, role, joined_via), governance.membership.role_changed (before/after: role) and governance.membership.removed (before: the membership), in the tenant of the membership and the transaction of the change.';

--
-- Name: tg_tenant_memberships__keep_owner(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_tenant_memberships__keep_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_owners integer;
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner' and new.tenant_id = old.tenant_id) then
    return null;
  end if;
  -- A tenant being deleted takes its memberships with it.
  if not exists (select 1 from warden.tenants t where t.id = old.tenant_id) then
    return null;
  end if;
  -- Lock the remaining owners: two transactions demoting each other now
  -- wait for each other (one fails) instead of both committing.
  select count(*) into v_owners from (
    select 1 from warden.tenant_memberships m where m.tenant_id = old.tenant_id and m.role = 'owner' for share
  ) o;
  if v_owners = 0 then
    raise exception 'tenant % must keep at least one owner: make someone else an owner first', old.tenant_id
      using errcode = '23514', hint = 'the last owner cannot be removed, demoted or deleted';
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_tenant_memberships__keep_owner(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_tenant_memberships__keep_owner() IS 'AFTER UPDATE/DELETE row trigger of tenant memberships: refuses (23514) a change that leaves an existing tenant without an owner, whatever the path (demotion, removal, the last owner leaving, a deleted user''s cascade). Deleting the tenant itself is allowed.';

--
-- Name: tg_tenant_memberships__owner_guard(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_tenant_memberships__owner_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  -- Applies to an actor acting in this tenant with a tenant role below
  -- owner (API requests; SQL after set_context). Operators without a
  -- context, and Warden's own functions acting for a user of another tenant
  -- (accepting an invitation), are not tenant admins.
  if warden.current_tenant_role() is null or warden.current_tenant_role() = 'owner'
     or old.tenant_id is distinct from warden.current_tenant_id() then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if old.role = 'owner' then
    raise exception 'only a tenant owner can % an owner', case when tg_op = 'DELETE' then 'remove' else 'change' end
      using errcode = '42501', hint = 'missing_role=owner';
  end if;
  if tg_op = 'UPDATE' and new.role = 'owner' then
    raise exception 'only a tenant owner can make someone an owner' using errcode = '42501', hint = 'missing_role=owner';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;

--
-- Name: FUNCTION tg_tenant_memberships__owner_guard(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_tenant_memberships__owner_guard() IS 'BEFORE UPDATE/DELETE row trigger of tenant memberships: an actor whose tenant role is below owner cannot change, remove or appoint an owner of the tenant it acts in (42501, missing_role owner).';

--
-- Name: tg_user_sessions__governance(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_user_sessions__governance() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if tg_op = 'INSERT' then
    perform warden_private.record_governance_event('governance.session.created', new.tenant_id, 'user_session', new.id::text, null,
      jsonb_build_object('user_id', new.user_id, 'expires_at', new.expires_at, 'ip', host(new.ip), 'user_agent', new.user_agent));
  elsif old.revoked_at is null and new.revoked_at is not null then
    perform warden_private.record_governance_event('governance.session.revoked', new.tenant_id, 'user_session', new.id::text,
      jsonb_build_object('revoked_at', null), jsonb_build_object('revoked_at', new.revoked_at),
      jsonb_build_object('user_id', new.user_id, 'revoked_by', new.revoked_by));
  end if;
  return null;
end;
$$;

--
-- Name: FUNCTION tg_user_sessions__governance(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_user_sessions__governance() IS 'AFTER row trigger of user sessions: governance.session.created (after: user_id, expires_at, ip, user_agent) and governance.session.revoked (before/after: revoked_at; user_id, revoked_by), in the session''s tenant and the transaction of the change.';

--
-- Name: tg_user_sessions__guard(); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.tg_user_sessions__guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog'
    AS $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'session % was revoked at %: a revoked session stays revoked', old.id, old.revoked_at using errcode = '22023';
  end if;
  if (new.id, new.tenant_id, new.user_id) is distinct from (old.id, old.tenant_id, old.user_id) or new.expires_at > old.expires_at then
    raise exception 'session % cannot be moved or extended', old.id using errcode = '22023';
  end if;
  return new;
end;
$$;

--
-- Name: FUNCTION tg_user_sessions__guard(); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.tg_user_sessions__guard() IS 'BEFORE UPDATE row trigger of user sessions: a revoked session stays revoked, and a session is never moved to another user or tenant nor extended.';

--
-- Name: unregister_soft_delete_table(regclass); Type: FUNCTION; Schema: warden_private; Owner: -
--

CREATE FUNCTION warden_private.unregister_soft_delete_table(target regclass) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog'
    AS $$
declare
  v_stack text;
  v_row warden_private.soft_delete_tables;
begin
  get diagnostics v_stack = pg_context;
  if v_stack !~ 'function warden\.disable_soft_delete\(' then
    raise exception 'unregister_soft_delete_table is called by warden.disable_soft_delete only' using errcode = '42501';
  end if;
  delete from warden_private.soft_delete_tables s where s.target = unregister_soft_delete_table.target
  returning s.* into v_row;
  if found then
    perform warden_private.record_governance_event('governance.soft_delete.disabled', null, 'table', target::text,
      jsonb_build_object('tenant_column', v_row.tenant_column, 'purge_after', v_row.purge_after::text), null);
  end if;
  return coalesce(v_row.rls_enabled_by_warden, false);
end;
$$;

--
-- Name: FUNCTION unregister_soft_delete_table(target regclass); Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON FUNCTION warden_private.unregister_soft_delete_table(target regclass) IS 'Forgets a soft-delete table (only from warden.disable_soft_delete) and writes governance.soft_delete.disabled when it was enabled; returns whether Warden had turned its row-level security on.';

--
-- Name: dq_failing(jsonb); Type: AGGREGATE; Schema: warden; Owner: -
--

CREATE AGGREGATE warden.dq_failing(jsonb) (
    SFUNC = warden.dq_tally_add,
    STYPE = warden.dq_tally,
    INITCOND = '(0,{})',
    FINALFUNC = warden.dq_tally_result,
    COMBINEFUNC = warden.dq_tally_merge,
    PARALLEL = safe
);

--
-- Name: AGGREGATE dq_failing(jsonb); Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON AGGREGATE warden.dq_failing(jsonb) IS '@behavior -*
[count, first 20] of the non-null values aggregated: a rule''s failing rows and their sample, in the scan of its table.';

--
-- Name: api_keys; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,
    role warden.tenant_role DEFAULT 'member'::warden.tenant_role NOT NULL,
    rate_limit_per_second integer DEFAULT 500 NOT NULL,
    created_by uuid DEFAULT warden.current_user_id(),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    scopes text[] DEFAULT '{}'::text[] NOT NULL,
    CONSTRAINT api_keys_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT api_keys_rate_limit_per_second_check CHECK (((rate_limit_per_second >= 1) AND (rate_limit_per_second <= 1000000))),
    CONSTRAINT api_keys_scopes_known CHECK ((scopes <@ ARRAY['backfill'::text]))
);

ALTER TABLE ONLY warden.api_keys FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE api_keys; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.api_keys IS 'API keys of service accounts: scoped to one tenant, stored hashed, shown once, revocable.';

--
-- Name: COLUMN api_keys.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.id IS 'API key id; the actor id of requests made with the key.';

--
-- Name: COLUMN api_keys.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.tenant_id IS 'The one tenant the key acts in.';

--
-- Name: COLUMN api_keys.name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.name IS 'Name of the service account, e.g. "gateway".';

--
-- Name: COLUMN api_keys.prefix; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.prefix IS 'Public, non-secret start of the key (wdn_...), used to find it and shown in listings.';

--
-- Name: COLUMN api_keys.role; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.role IS 'Tenant role the key acts with.';

--
-- Name: COLUMN api_keys.rate_limit_per_second; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.rate_limit_per_second IS 'Write rate limit for this key, in events per second.';

--
-- Name: COLUMN api_keys.created_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.created_by IS 'The user who created the key, when created by a user.';

--
-- Name: COLUMN api_keys.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.created_at IS 'When the key was created.';

--
-- Name: COLUMN api_keys.expires_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.expires_at IS 'When the key stops working; null for never.';

--
-- Name: COLUMN api_keys.last_used_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.last_used_at IS 'When the key was last used (updated at most once a minute).';

--
-- Name: COLUMN api_keys.revoked_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.revoked_at IS 'When the key was revoked; a revoked key is refused.';

--
-- Name: COLUMN api_keys.scopes; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.api_keys.scopes IS 'Permissions of the key beyond its role: backfill (may post audit events dated before the occurred_at window; each such event carries event_data.backfill). Set by tenant owners with warden.set_api_key_scopes; every change, whatever the path, is a governance.api_key.changed event.';

--
-- Name: audit_events_readable; Type: VIEW; Schema: warden_private; Owner: -
--

CREATE VIEW warden_private.audit_events_readable AS
 SELECT e.event_id,
    e.occurred_at,
    e.recorded_at,
    e.tenant_id,
    e.event_type,
    e.category,
    e.action,
    e.outcome,
    e.severity,
    e.actor_type,
    e.actor_id,
    e.actor_ip,
    e.user_agent,
    e.resource_type,
    e.resource_id,
    e.correlation_id,
    e.trace_id,
    e.parent_event_id,
    e.service,
    e.txid,
    e.table_name,
    e.row_pk,
    e.changed_fields,
    e.old_values,
    e.new_values,
    e.event_data
   FROM warden.audit_events e
  WHERE ((e.tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[]));

--
-- Name: VIEW audit_events_readable; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON VIEW warden_private.audit_events_readable IS 'The audit events the caller may read (its tenant; owners, admins and auditors), raw. Only warden.audit_events_redacted reads it. Not a security barrier, so audit pages walk the tenant/time index in order.';

--
-- Name: COLUMN audit_events_readable.event_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.event_id IS 'Unique id of the event (UUID version 7: time-ordered).';

--
-- Name: COLUMN audit_events_readable.occurred_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.occurred_at IS 'When it happened (for row events: the start of the writing transaction). Partition key.';

--
-- Name: COLUMN audit_events_readable.recorded_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.recorded_at IS 'When Warden stored it.';

--
-- Name: COLUMN audit_events_readable.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.tenant_id IS 'The tenant the event belongs to; null for events outside any tenant.';

--
-- Name: COLUMN audit_events_readable.event_type; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.event_type IS 'Dotted, lower-case type, e.g. db.public.orders.update or gateway.signal.received.';

--
-- Name: COLUMN audit_events_readable.category; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.category IS 'Broad category: data (row changes), ddl, or the first segment of event_type for posted events.';

--
-- Name: COLUMN audit_events_readable.action; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.action IS 'What was done: insert, update, delete, truncate, or the posted action.';

--
-- Name: COLUMN audit_events_readable.outcome; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.outcome IS 'success, failure or unknown.';

--
-- Name: COLUMN audit_events_readable.severity; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.severity IS 'debug, info, notice, warning, error or critical.';

--
-- Name: COLUMN audit_events_readable.actor_type; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.actor_type IS 'user, api_key, service, system or db_role.';

--
-- Name: COLUMN audit_events_readable.actor_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.actor_id IS 'Who acted: user id, API key id, service name, "system", or the database role.';

--
-- Name: COLUMN audit_events_readable.actor_ip; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.actor_ip IS 'Client address of the actor, when known.';

--
-- Name: COLUMN audit_events_readable.user_agent; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.user_agent IS 'User agent of the actor, when known.';

--
-- Name: COLUMN audit_events_readable.resource_type; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.resource_type IS 'Type of the affected resource (for row events: the table, or the resource_type option).';

--
-- Name: COLUMN audit_events_readable.resource_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.resource_id IS 'Id of the affected resource (for row events: the primary key; composite keys as JSON).';

--
-- Name: COLUMN audit_events_readable.correlation_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.correlation_id IS 'Groups the events of one request or remediation across services.';

--
-- Name: COLUMN audit_events_readable.trace_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.trace_id IS 'Trace id of the request (W3C trace id or X-Request-Id); events of one transaction share it.';

--
-- Name: COLUMN audit_events_readable.parent_event_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.parent_event_id IS 'The event that caused this one, when known.';

--
-- Name: COLUMN audit_events_readable.service; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.service IS 'The service that produced the event (for direct connections: application_name).';

--
-- Name: COLUMN audit_events_readable.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.txid IS 'Id of the writing transaction; events of one transaction share it.';

--
-- Name: COLUMN audit_events_readable.table_name; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.table_name IS 'For row events: the audited table (schema.table).';

--
-- Name: COLUMN audit_events_readable.row_pk; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.row_pk IS 'For row events: the primary key as a JSON object; null for tables without one (old_values then holds the whole row).';

--
-- Name: COLUMN audit_events_readable.changed_fields; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.changed_fields IS 'For updates: the columns whose values changed.';

--
-- Name: COLUMN audit_events_readable.old_values; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.old_values IS 'For updates: old values of the changed columns (all columns with capture=full or without a primary key); for deletes: the row.';

--
-- Name: COLUMN audit_events_readable.new_values; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.new_values IS 'For updates: new values of the changed columns (all columns with capture=full); for inserts: the row.';

--
-- Name: COLUMN audit_events_readable.event_data; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audit_events_readable.event_data IS 'Event payload following the common envelope {version, service, operation, status, attempt?, retry_reason?, source_payload?}; for truncates {row_count}.';

--
-- Name: audit_events_redacted; Type: VIEW; Schema: warden; Owner: -
--

CREATE VIEW warden.audit_events_redacted AS
 SELECT e.event_id,
    e.occurred_at,
    e.recorded_at,
    e.tenant_id,
    e.event_type,
    e.category,
    e.action,
    e.outcome,
    e.severity,
    e.actor_type,
    e.actor_id,
        CASE
            WHEN (pol.ip IS NULL) THEN e.actor_ip
            ELSE warden_private.redact_ip_by(pol.ip, e.actor_ip)
        END AS actor_ip,
        CASE
            WHEN (pol.ua IS NULL) THEN e.user_agent
            ELSE warden_private.redact_ua_by(pol.ua, e.user_agent, pol.ki, pol.ko)
        END AS user_agent,
    e.resource_type,
    e.resource_id,
    e.correlation_id,
    e.trace_id,
    e.parent_event_id,
    e.service,
    e.txid,
    e.table_name,
    e.row_pk,
    e.changed_fields,
        CASE
            WHEN ((pol.vc IS NULL) OR (e.old_values IS NULL) OR ((pol.vc -> e.table_name) IS NULL)) THEN e.old_values
            ELSE warden_private.redact_columns(pol.p, e.table_name, e.old_values)
        END AS old_values,
        CASE
            WHEN ((pol.vc IS NULL) OR (e.new_values IS NULL) OR ((pol.vc -> e.table_name) IS NULL)) THEN e.new_values
            ELSE warden_private.redact_columns(pol.p, e.table_name, e.new_values)
        END AS new_values,
        CASE
            WHEN ((NOT pol.has_dp) OR (e.event_data IS NULL)) THEN e.event_data
            ELSE warden_private.redact_data(pol.p, e.event_data)
        END AS event_data,
        CASE
            WHEN (pol.p IS NULL) THEN NULL::jsonb
            WHEN (((pol.vc IS NULL) OR ((pol.vc -> e.table_name) IS NULL)) AND ((pol.jp IS NULL) OR (e.event_data @? pol.jp))) THEN NULLIF((pol.mk - ARRAY[
            CASE
                WHEN (e.actor_ip IS NULL) THEN 'actor_ip'::text
                ELSE NULL::text
            END,
            CASE
                WHEN (e.user_agent IS NULL) THEN 'user_agent'::text
                ELSE NULL::text
            END]), '{}'::jsonb)
            ELSE warden_private.redaction_marker(pol.p, e.table_name, e.actor_ip, e.user_agent, e.old_values, e.new_values, e.event_data)
        END AS redacted_fields
   FROM (warden_private.audit_events_readable e
     CROSS JOIN ( SELECT q.p,
            (q.p ->> 'ip'::text) AS ip,
            (q.p ->> 'ua'::text) AS ua,
            decode((q.p ->> 'ki'::text), 'hex'::text) AS ki,
            decode((q.p ->> 'ko'::text), 'hex'::text) AS ko,
            (q.p -> 'vc'::text) AS vc,
            COALESCE((q.p ? 'dp'::text), false) AS has_dp,
            (q.p -> 'mk'::text) AS mk,
            ((q.p ->> 'jp'::text))::jsonpath AS jp
           FROM ( SELECT warden_private.read_policy() AS p
                 OFFSET 0) q
         OFFSET 0) pol);

--
-- Name: VIEW audit_events_redacted; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON VIEW warden.audit_events_redacted IS '@name audit_events
@primaryKey event_id,occurred_at
@behavior -insert -update -delete
The audit events of the current tenant as its owners, admins and auditors may read them: the tenant''s redaction rules applied (owners and admins see raw values when the request sets include_redacted), redacted_fields naming what was hidden. The one read path of REST, GraphQL (auditEvents), export and row_history.';

--
-- Name: COLUMN audit_events_redacted.event_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.event_id IS '@behavior +filterBy +orderBy
Unique id of the event (UUID version 7: time-ordered).';

--
-- Name: COLUMN audit_events_redacted.occurred_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.occurred_at IS '@behavior +filterBy +orderBy
When it happened.';

--
-- Name: COLUMN audit_events_redacted.recorded_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.recorded_at IS 'When Warden stored it.';

--
-- Name: COLUMN audit_events_redacted.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.tenant_id IS '@behavior +filterBy
The tenant.';

--
-- Name: COLUMN audit_events_redacted.event_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.event_type IS '@behavior +filterBy +orderBy
Dotted, lower-case type.';

--
-- Name: COLUMN audit_events_redacted.category; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.category IS 'Broad category.';

--
-- Name: COLUMN audit_events_redacted.action; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.action IS 'What was done.';

--
-- Name: COLUMN audit_events_redacted.outcome; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.outcome IS '@behavior +filterBy
success, failure or unknown.';

--
-- Name: COLUMN audit_events_redacted.severity; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.severity IS '@behavior +filterBy
Severity.';

--
-- Name: COLUMN audit_events_redacted.actor_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.actor_type IS '@behavior +filterBy
Kind of actor.';

--
-- Name: COLUMN audit_events_redacted.actor_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.actor_id IS '@behavior +filterBy
Who acted.';

--
-- Name: COLUMN audit_events_redacted.actor_ip; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.actor_ip IS 'Client address of the actor (masked to its /24 or /48, or null, under a redaction rule).';

--
-- Name: COLUMN audit_events_redacted.user_agent; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.user_agent IS 'User agent of the actor (redaction rules apply).';

--
-- Name: COLUMN audit_events_redacted.resource_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.resource_type IS '@behavior +filterBy
Type of the affected resource.';

--
-- Name: COLUMN audit_events_redacted.resource_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.resource_id IS '@behavior +filterBy
Id of the affected resource.';

--
-- Name: COLUMN audit_events_redacted.correlation_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.correlation_id IS '@behavior +filterBy
Groups the events of one request.';

--
-- Name: COLUMN audit_events_redacted.trace_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.trace_id IS '@behavior +filterBy
Trace id of the request.';

--
-- Name: COLUMN audit_events_redacted.parent_event_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.parent_event_id IS 'The event that caused this one.';

--
-- Name: COLUMN audit_events_redacted.service; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.service IS '@behavior +filterBy
The service that produced the event.';

--
-- Name: COLUMN audit_events_redacted.txid; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.txid IS 'Id of the writing transaction.';

--
-- Name: COLUMN audit_events_redacted.table_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.table_name IS '@behavior +filterBy
For row events: the audited table.';

--
-- Name: COLUMN audit_events_redacted.row_pk; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.row_pk IS 'For row events: the primary key.';

--
-- Name: COLUMN audit_events_redacted.changed_fields; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.changed_fields IS 'For updates: the changed columns.';

--
-- Name: COLUMN audit_events_redacted.old_values; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.old_values IS 'Old values (redaction rules apply).';

--
-- Name: COLUMN audit_events_redacted.new_values; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.new_values IS 'New values (redaction rules apply).';

--
-- Name: COLUMN audit_events_redacted.event_data; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.event_data IS '@behavior +attribute:filterBy
Event payload (redaction rules apply; filters match the values as shown).';

--
-- Name: COLUMN audit_events_redacted.redacted_fields; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_events_redacted.redacted_fields IS 'What the tenant''s rules hid in this event, as {field: method} (e.g. {"actor_ip": "mask", "event_data.customer.email": "hash"}); null when nothing was.';

--
-- Name: audit_logs; Type: VIEW; Schema: warden; Owner: -
--

CREATE VIEW warden.audit_logs WITH (security_invoker='true') AS
 SELECT e.event_id AS id,
    e.actor_id,
    (e.actor_type)::text AS actor_type,
    e.action,
    COALESCE(e.resource_type, e.table_name) AS target_type,
    e.resource_id AS target_id,
    COALESCE(e.event_data, '{}'::jsonb) AS metadata,
    e.actor_ip AS ip_address,
    e.user_agent,
    e.occurred_at AS created_at,
    e.tenant_id,
    e.event_type,
    (e.outcome)::text AS outcome
   FROM warden.audit_events e;

--
-- Name: VIEW audit_logs; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON VIEW warden.audit_logs IS '@behavior -*
Compatibility view for direct database users: the audit_logs shape of the seed design (id, actor, target, metadata, ip, user agent, created_at) over warden.audit_events, raw. API users read warden.audit_events_redacted.';

--
-- Name: COLUMN audit_logs.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.id IS 'audit_events.event_id.';

--
-- Name: COLUMN audit_logs.actor_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.actor_id IS 'audit_events.actor_id (a system actor has actor_id system).';

--
-- Name: COLUMN audit_logs.actor_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.actor_type IS 'audit_events.actor_type.';

--
-- Name: COLUMN audit_logs.action; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.action IS 'audit_events.action.';

--
-- Name: COLUMN audit_logs.target_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.target_type IS 'audit_events.resource_type (the table for row events).';

--
-- Name: COLUMN audit_logs.target_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.target_id IS 'audit_events.resource_id.';

--
-- Name: COLUMN audit_logs.metadata; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.metadata IS 'audit_events.event_data.';

--
-- Name: COLUMN audit_logs.ip_address; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.ip_address IS 'audit_events.actor_ip.';

--
-- Name: COLUMN audit_logs.user_agent; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.user_agent IS 'audit_events.user_agent.';

--
-- Name: COLUMN audit_logs.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.created_at IS 'audit_events.occurred_at.';

--
-- Name: COLUMN audit_logs.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.tenant_id IS 'audit_events.tenant_id.';

--
-- Name: COLUMN audit_logs.event_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.event_type IS 'audit_events.event_type.';

--
-- Name: COLUMN audit_logs.outcome; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.audit_logs.outcome IS 'audit_events.outcome.';

--
-- Name: dq_results; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.dq_results (
    id uuid DEFAULT warden_private.uuid_v7() NOT NULL,
    run_at timestamp with time zone DEFAULT now() NOT NULL,
    run_id uuid NOT NULL,
    rule_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    target_name text NOT NULL,
    rule_name text NOT NULL,
    check_type text NOT NULL,
    severity text NOT NULL,
    status text NOT NULL,
    message text,
    rows_checked bigint,
    rows_failing bigint,
    observed_value jsonb,
    duration_ms numeric(12,3),
    sample jsonb DEFAULT '[]'::jsonb NOT NULL,
    CONSTRAINT dq_results_sample_check CHECK (((jsonb_typeof(sample) = 'array'::text) AND (jsonb_array_length(sample) <= 20))),
    CONSTRAINT dq_results_status_check CHECK ((status = ANY (ARRAY['pass'::text, 'fail'::text, 'error'::text])))
)
PARTITION BY RANGE (run_at);

ALTER TABLE ONLY warden.dq_results FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE dq_results; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.dq_results IS '@behavior -insert -update -delete
One row per rule per run (the seed''s data_quality_results): status with its message, rows checked and failing, the observed value, duration, and at most 20 failing rows'' keys and values with the tenant''s redaction rules applied. Monthly partitions (warden_private.dq_results_pYYYYMM) plus a default one; kept as long as the tenant''s retention policy for dq.result says.';

--
-- Name: COLUMN dq_results.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.id IS 'Result id.';

--
-- Name: COLUMN dq_results.run_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.run_at IS 'When the run started (partition key).';

--
-- Name: COLUMN dq_results.run_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.run_id IS 'The run.';

--
-- Name: COLUMN dq_results.rule_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.rule_id IS 'The rule (results outlive a dropped rule).';

--
-- Name: COLUMN dq_results.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.tenant_id IS 'The rule''s tenant.';

--
-- Name: COLUMN dq_results.target_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.target_name IS 'The target, schema.table.';

--
-- Name: COLUMN dq_results.rule_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.rule_name IS 'The rule''s name at the time.';

--
-- Name: COLUMN dq_results.check_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.check_type IS 'The rule''s check type.';

--
-- Name: COLUMN dq_results.severity; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.severity IS 'The rule''s severity at the time (warn or error).';

--
-- Name: COLUMN dq_results.status; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.status IS 'pass, fail, or error (could not be evaluated; message says why).';

--
-- Name: COLUMN dq_results.message; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.message IS 'What failed or went wrong, in words.';

--
-- Name: COLUMN dq_results.rows_checked; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.rows_checked IS 'Rows (or groups, for unique) the check looked at.';

--
-- Name: COLUMN dq_results.rows_failing; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.rows_failing IS 'Rows that failed it.';

--
-- Name: COLUMN dq_results.observed_value; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.observed_value IS 'What was measured: failing ratio, newest timestamp (freshness), row count and change (row_count), column differences (schema).';

--
-- Name: COLUMN dq_results.duration_ms; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.duration_ms IS 'Time of the check that evaluated the rule (rules sharing one scan share it).';

--
-- Name: COLUMN dq_results.sample; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_results.sample IS 'At most 20 failing rows as {key, values} (custom_sql: the rows), redacted with the tenant''s redaction rules for the target''s columns.';

--
-- Name: dq_daily_pass_rate; Type: VIEW; Schema: warden; Owner: -
--

CREATE VIEW warden.dq_daily_pass_rate WITH (security_invoker='true') AS
 SELECT x.tenant_id,
    x.rule_id,
    max(x.rule_name) AS rule_name,
    max(x.target_name) AS target_name,
    (date_trunc('day'::text, (x.run_at AT TIME ZONE 'UTC'::text)))::date AS day,
    (count(*))::integer AS results,
    (count(*) FILTER (WHERE (x.status = 'pass'::text)))::integer AS passed,
    (count(*) FILTER (WHERE (x.status = 'fail'::text)))::integer AS failed,
    (count(*) FILTER (WHERE (x.status = 'error'::text)))::integer AS errored,
    round(((count(*) FILTER (WHERE (x.status = 'pass'::text)))::numeric / (count(*))::numeric), 4) AS pass_rate
   FROM warden.dq_results x
  GROUP BY x.tenant_id, x.rule_id, ((date_trunc('day'::text, (x.run_at AT TIME ZONE 'UTC'::text)))::date);

--
-- Name: VIEW dq_daily_pass_rate; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON VIEW warden.dq_daily_pass_rate IS 'Per rule and UTC day: how many results, how many passed, failed or errored, and the pass rate (passed / results).';

--
-- Name: COLUMN dq_daily_pass_rate.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.tenant_id IS 'The rule''s tenant.';

--
-- Name: COLUMN dq_daily_pass_rate.rule_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.rule_id IS 'The rule.';

--
-- Name: COLUMN dq_daily_pass_rate.rule_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.rule_name IS 'Its name (latest seen that day).';

--
-- Name: COLUMN dq_daily_pass_rate.target_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.target_name IS 'Its target.';

--
-- Name: COLUMN dq_daily_pass_rate.day; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.day IS 'The day (UTC).';

--
-- Name: COLUMN dq_daily_pass_rate.results; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.results IS 'Results that day.';

--
-- Name: COLUMN dq_daily_pass_rate.passed; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.passed IS 'Of which passed.';

--
-- Name: COLUMN dq_daily_pass_rate.failed; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.failed IS 'Of which failed.';

--
-- Name: COLUMN dq_daily_pass_rate.errored; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.errored IS 'Of which could not be evaluated.';

--
-- Name: COLUMN dq_daily_pass_rate.pass_rate; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_daily_pass_rate.pass_rate IS 'passed / results, 0 to 1.';

--
-- Name: dq_enforcements; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.dq_enforcements (
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    target regclass NOT NULL,
    mode text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text,
    CONSTRAINT dq_enforcements_mode_check CHECK ((mode = ANY (ARRAY['reject'::text, 'record'::text])))
);

ALTER TABLE ONLY warden.dq_enforcements FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE dq_enforcements; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.dq_enforcements IS '@behavior -insert -update -delete
Write-time enforcement of a tenant''s rules on a table (set with warden.dq_enforce): reject (the statement fails with SQLSTATE 23514) or record (violations stored as results).';

--
-- Name: COLUMN dq_enforcements.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_enforcements.tenant_id IS 'The tenant whose rules are enforced on its rows.';

--
-- Name: COLUMN dq_enforcements.target; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_enforcements.target IS 'The table.';

--
-- Name: COLUMN dq_enforcements.mode; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_enforcements.mode IS 'reject or record.';

--
-- Name: COLUMN dq_enforcements.updated_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_enforcements.updated_at IS 'When the mode was set.';

--
-- Name: COLUMN dq_enforcements.updated_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_enforcements.updated_by IS 'Who set it.';

--
-- Name: dq_rule_status; Type: VIEW; Schema: warden; Owner: -
--

CREATE VIEW warden.dq_rule_status WITH (security_invoker='true') AS
 SELECT r.id AS rule_id,
    r.tenant_id,
    r.target_name,
    r.name,
    r.check_type,
    r.severity,
    r.enabled,
    r.schedule,
    l.run_id,
    l.run_at,
    l.status,
    l.message,
    l.rows_checked,
    l.rows_failing,
    l.observed_value
   FROM (warden.dq_rules r
     LEFT JOIN LATERAL ( SELECT x.run_id,
            x.run_at,
            x.status,
            x.message,
            x.rows_checked,
            x.rows_failing,
            x.observed_value
           FROM warden.dq_results x
          WHERE (x.rule_id = r.id)
          ORDER BY x.run_at DESC, x.id DESC
         LIMIT 1) l ON (true));

--
-- Name: VIEW dq_rule_status; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON VIEW warden.dq_rule_status IS 'Each rule with its latest result (status null: never run).';

--
-- Name: COLUMN dq_rule_status.rule_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.rule_id IS 'The rule.';

--
-- Name: COLUMN dq_rule_status.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.tenant_id IS 'Its tenant.';

--
-- Name: COLUMN dq_rule_status.target_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.target_name IS 'Its target, schema.table.';

--
-- Name: COLUMN dq_rule_status.name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.name IS 'Its name.';

--
-- Name: COLUMN dq_rule_status.check_type; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.check_type IS 'Its check type.';

--
-- Name: COLUMN dq_rule_status.severity; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.severity IS 'warn or error.';

--
-- Name: COLUMN dq_rule_status.enabled; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.enabled IS 'Whether runs include it.';

--
-- Name: COLUMN dq_rule_status.schedule; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.schedule IS 'Its cron schedule, if any.';

--
-- Name: COLUMN dq_rule_status.run_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.run_id IS 'The run of the latest result.';

--
-- Name: COLUMN dq_rule_status.run_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.run_at IS 'When that run started.';

--
-- Name: COLUMN dq_rule_status.status; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.status IS 'pass, fail or error; null when the rule never ran.';

--
-- Name: COLUMN dq_rule_status.message; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.message IS 'What failed.';

--
-- Name: COLUMN dq_rule_status.rows_checked; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.rows_checked IS 'Rows checked.';

--
-- Name: COLUMN dq_rule_status.rows_failing; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.rows_failing IS 'Rows failing.';

--
-- Name: COLUMN dq_rule_status.observed_value; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.dq_rule_status.observed_value IS 'What was measured.';

--
-- Name: identity_providers; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.identity_providers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    name text NOT NULL,
    issuer text NOT NULL,
    jwks_url text,
    audience text NOT NULL,
    user_claim text DEFAULT 'email'::text NOT NULL,
    auto_provision boolean DEFAULT false NOT NULL,
    default_role warden.tenant_role DEFAULT 'member'::warden.tenant_role NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_by uuid DEFAULT warden.current_user_id(),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT identity_providers_audience_check CHECK (((length(audience) >= 1) AND (length(audience) <= 2048))),
    CONSTRAINT identity_providers_default_role_check CHECK ((default_role = ANY (ARRAY['member'::warden.tenant_role, 'support'::warden.tenant_role, 'auditor'::warden.tenant_role]))),
    CONSTRAINT identity_providers_issuer_check CHECK (((issuer ~ '^https?://[^\s]+$'::text) AND (length(issuer) <= 2048))),
    CONSTRAINT identity_providers_jwks_url_check CHECK (((jwks_url ~ '^https?://[^\s]+$'::text) AND (length(jwks_url) <= 2048))),
    CONSTRAINT identity_providers_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT identity_providers_user_claim_check CHECK ((user_claim = ANY (ARRAY['email'::text, 'sub'::text])))
);

ALTER TABLE ONLY warden.identity_providers FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE identity_providers; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.identity_providers IS 'OIDC issuers a tenant trusts: tokens the issuer signs (RS256 or ES256) for the audience act in the tenant as the member their email or sub claim maps to. Managed by tenant owners and admins; every change is a governance event.';

--
-- Name: COLUMN identity_providers.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.id IS 'Identity provider id.';

--
-- Name: COLUMN identity_providers.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.tenant_id IS 'The tenant whose members the provider''s tokens act as (and no other).';

--
-- Name: COLUMN identity_providers.name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.name IS 'Name, unique within the tenant (e.g. "okta").';

--
-- Name: COLUMN identity_providers.issuer; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.issuer IS 'The issuer (iss claim) exactly as the provider writes it, e.g. https://example.okta.com/oauth2/default.';

--
-- Name: COLUMN identity_providers.jwks_url; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.jwks_url IS 'Where the provider publishes its signing keys; null: discovered from issuer/.well-known/openid-configuration.';

--
-- Name: COLUMN identity_providers.audience; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.audience IS 'The audience (aud claim) tokens must carry: the client id registered for Warden at the provider. One (issuer, audience) belongs to one tenant.';

--
-- Name: COLUMN identity_providers.user_claim; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.user_claim IS 'How a token maps to a Warden user: email (the verified email claim) or sub (the provider''s subject, remembered per provider).';

--
-- Name: COLUMN identity_providers.auto_provision; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.auto_provision IS 'When true, a user seen for the first time becomes a member with default_role; when false, only existing members sign in.';

--
-- Name: COLUMN identity_providers.default_role; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.default_role IS 'Tenant role of auto-provisioned members: member, support or auditor (never admin or owner).';

--
-- Name: COLUMN identity_providers.enabled; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.enabled IS 'A disabled provider''s tokens are refused.';

--
-- Name: COLUMN identity_providers.created_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.created_by IS 'The user who added the provider.';

--
-- Name: COLUMN identity_providers.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.created_at IS 'When the provider was added.';

--
-- Name: COLUMN identity_providers.updated_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.identity_providers.updated_at IS 'When the provider was last changed.';

--
-- Name: project_members; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.project_members (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    project_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role warden.project_role DEFAULT 'viewer'::warden.project_role NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY warden.project_members FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE project_members; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.project_members IS 'Users with a role in a project; only tenant members can be project members.';

--
-- Name: COLUMN project_members.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.project_members.id IS 'Project membership id.';

--
-- Name: COLUMN project_members.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.project_members.tenant_id IS 'The tenant (always the project''s tenant).';

--
-- Name: COLUMN project_members.project_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.project_members.project_id IS 'The project.';

--
-- Name: COLUMN project_members.user_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.project_members.user_id IS 'The member.';

--
-- Name: COLUMN project_members.role; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.project_members.role IS 'The member''s project role.';

--
-- Name: COLUMN project_members.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.project_members.created_at IS 'When the membership was created.';

--
-- Name: projects; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.projects (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid DEFAULT warden.current_tenant_id() NOT NULL,
    name text NOT NULL,
    description text,
    created_by uuid DEFAULT warden.current_user_id(),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT projects_description_check CHECK ((length(description) <= 10000)),
    CONSTRAINT projects_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

ALTER TABLE ONLY warden.projects FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE projects; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.projects IS 'A tenant-scoped project; access is granted per project through project members.';

--
-- Name: COLUMN projects.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.projects.id IS 'Project id.';

--
-- Name: COLUMN projects.tenant_id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.projects.tenant_id IS 'The owning tenant.';

--
-- Name: COLUMN projects.name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.projects.name IS 'Project name, unique within the tenant.';

--
-- Name: COLUMN projects.description; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.projects.description IS 'Free-text description.';

--
-- Name: COLUMN projects.created_by; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.projects.created_by IS 'The user who created the project (its first owner).';

--
-- Name: COLUMN projects.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.projects.created_at IS 'When the project was created.';

--
-- Name: COLUMN projects.updated_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.projects.updated_at IS 'When the project was last changed.';

--
-- Name: tenants; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.tenants (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenants_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

ALTER TABLE ONLY warden.tenants FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE tenants; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.tenants IS 'An organisation whose data Warden keeps apart from every other.';

--
-- Name: COLUMN tenants.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenants.id IS 'Tenant id; carried by every tenant-scoped row.';

--
-- Name: COLUMN tenants.name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenants.name IS 'Display name of the tenant (1-200 characters).';

--
-- Name: COLUMN tenants.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenants.created_at IS 'When the tenant was created.';

--
-- Name: COLUMN tenants.updated_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.tenants.updated_at IS 'When the tenant was last changed.';

--
-- Name: users; Type: TABLE; Schema: warden; Owner: -
--

CREATE TABLE warden.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    display_name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_display_name_check CHECK ((length(display_name) <= 200)),
    CONSTRAINT users_email_check CHECK (((email ~ '^[^@\s]+@[^@\s]+$'::text) AND (length(email) <= 320)))
);

ALTER TABLE ONLY warden.users FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE users; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON TABLE warden.users IS 'A person who signs in to Warden; belongs to tenants through tenant memberships.';

--
-- Name: COLUMN users.id; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.users.id IS 'User id; the subject of user tokens.';

--
-- Name: COLUMN users.email; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.users.email IS 'Email address, unique regardless of case.';

--
-- Name: COLUMN users.display_name; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.users.display_name IS 'Name shown for the user.';

--
-- Name: COLUMN users.created_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.users.created_at IS 'When the user was created.';

--
-- Name: COLUMN users.updated_at; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON COLUMN warden.users.updated_at IS 'When the user was last changed.';

--
-- Name: api_key_secrets; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.api_key_secrets (
    api_key_id uuid NOT NULL,
    key_hash bytea NOT NULL
);

ALTER TABLE ONLY warden_private.api_key_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE api_key_secrets; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.api_key_secrets IS 'SHA-256 of each API key secret; the key itself is never stored.';

--
-- Name: COLUMN api_key_secrets.api_key_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.api_key_secrets.api_key_id IS 'The API key.';

--
-- Name: COLUMN api_key_secrets.key_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.api_key_secrets.key_hash IS 'sha256 of the full key string.';

--
-- Name: audit_events_default; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.audit_events_default (
    event_id uuid DEFAULT warden_private.uuid_v7() NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    recorded_at timestamp with time zone DEFAULT statement_timestamp() NOT NULL,
    tenant_id uuid,
    event_type text NOT NULL,
    category text NOT NULL,
    action text NOT NULL,
    outcome warden.audit_outcome DEFAULT 'success'::warden.audit_outcome NOT NULL,
    severity warden.audit_severity DEFAULT 'info'::warden.audit_severity NOT NULL,
    actor_type warden.actor_type NOT NULL,
    actor_id text NOT NULL,
    actor_ip inet,
    user_agent text,
    resource_type text,
    resource_id text,
    correlation_id text,
    trace_id text,
    parent_event_id uuid,
    service text,
    txid bigint DEFAULT ((pg_current_xact_id())::text)::bigint NOT NULL,
    table_name text,
    row_pk jsonb,
    changed_fields text[],
    old_values jsonb,
    new_values jsonb,
    event_data jsonb,
    CONSTRAINT audit_events_action_check CHECK (((length(action) >= 1) AND (length(action) <= 64))),
    CONSTRAINT audit_events_actor_id_check CHECK (((length(actor_id) >= 1) AND (length(actor_id) <= 256))),
    CONSTRAINT audit_events_category_check CHECK (((length(category) >= 1) AND (length(category) <= 64))),
    CONSTRAINT audit_events_correlation_id_check CHECK ((length(correlation_id) <= 200)),
    CONSTRAINT audit_events_event_type_check CHECK (((event_type ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)+$'::text) AND (length(event_type) <= 200))),
    CONSTRAINT audit_events_resource_id_check CHECK ((length(resource_id) <= 1024)),
    CONSTRAINT audit_events_resource_type_check CHECK ((length(resource_type) <= 200)),
    CONSTRAINT audit_events_service_check CHECK ((length(service) <= 200)),
    CONSTRAINT audit_events_system_actor CHECK (((actor_type <> 'system'::warden.actor_type) OR (actor_id = 'system'::text))),
    CONSTRAINT audit_events_trace_id_check CHECK ((length(trace_id) <= 200)),
    CONSTRAINT audit_events_user_agent_check CHECK ((length(user_agent) <= 1024))
);

ALTER TABLE ONLY warden_private.audit_events_default FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE audit_events_default; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.audit_events_default IS 'Default partition: catches events outside every monthly partition (far past or future); warden.drain_default_partition() moves them out.';

--
-- Name: audited_schemas; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.audited_schemas (
    schema_name text NOT NULL,
    options jsonb DEFAULT '{}'::jsonb NOT NULL,
    enabled_at timestamp with time zone DEFAULT now() NOT NULL,
    enabled_by text DEFAULT SESSION_USER NOT NULL
);

ALTER TABLE ONLY warden_private.audited_schemas FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE audited_schemas; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.audited_schemas IS 'Schemas whose new tables are audited automatically, with the options to use.';

--
-- Name: COLUMN audited_schemas.schema_name; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_schemas.schema_name IS 'The schema.';

--
-- Name: COLUMN audited_schemas.options; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_schemas.options IS 'enable_auditing options for its tables.';

--
-- Name: COLUMN audited_schemas.enabled_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_schemas.enabled_at IS 'When schema auditing was enabled.';

--
-- Name: COLUMN audited_schemas.enabled_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.audited_schemas.enabled_by IS 'Database role that enabled it.';

--
-- Name: audited_tables_id_seq; Type: SEQUENCE; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.audited_tables ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME warden_private.audited_tables_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: capture_generation; Type: SEQUENCE; Schema: warden_private; Owner: -
--

CREATE SEQUENCE warden_private.capture_generation
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: SEQUENCE capture_generation; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON SEQUENCE warden_private.capture_generation IS 'Capture log generation: writers append to slot (last value mod 2). Sequences are not transactional, so a flip is seen by every writer at once, whatever its isolation level.';

--
-- Name: capture_ingest_counts; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_ingest_counts (
    service text NOT NULL,
    operation text NOT NULL,
    n bigint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY warden_private.capture_ingest_counts FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_ingest_counts; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_ingest_counts IS 'Promoted trigger-captured events by service (application_name of the writer, at most 200 distinct names, then other) and operation (insert, update, delete, truncate, ddl tag): the running totals behind warden_events_ingested_total{source="capture"}.';

--
-- Name: COLUMN capture_ingest_counts.service; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_ingest_counts.service IS 'The writer''s service (application_name), empty when none, other beyond 200 names.';

--
-- Name: COLUMN capture_ingest_counts.operation; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_ingest_counts.operation IS 'The captured operation (the event''s action).';

--
-- Name: COLUMN capture_ingest_counts.n; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_ingest_counts.n IS 'Events counted so far.';

--
-- Name: capture_ingest_tally; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_ingest_tally (
    id boolean DEFAULT true NOT NULL,
    tallied_below bigint DEFAULT 0 NOT NULL,
    CONSTRAINT capture_ingest_tally_id_check CHECK (id)
);

ALTER TABLE ONLY warden_private.capture_ingest_tally FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_ingest_tally; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_ingest_tally IS 'How far warden_private.capture_ingest_counts has counted (one row).';

--
-- Name: COLUMN capture_ingest_tally.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_ingest_tally.id IS 'Always true: one row.';

--
-- Name: COLUMN capture_ingest_tally.tallied_below; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_ingest_tally.tallied_below IS 'Captured events of transactions below this id are counted.';

--
-- Name: capture_round_parts; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_round_parts (
    round_id bigint NOT NULL,
    part integer NOT NULL,
    promoted bigint,
    claimed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY warden_private.capture_round_parts FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_round_parts; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_round_parts IS 'Parts of the open round claimed by a promoter: the claim and the part''s events commit together, so a part is promoted once.';

--
-- Name: COLUMN capture_round_parts.round_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_round_parts.round_id IS 'The round.';

--
-- Name: COLUMN capture_round_parts.part; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_round_parts.part IS 'The part number (0 .. parts - 1).';

--
-- Name: COLUMN capture_round_parts.promoted; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_round_parts.promoted IS 'Events the part promoted.';

--
-- Name: COLUMN capture_round_parts.claimed_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_round_parts.claimed_at IS 'When it was claimed.';

--
-- Name: capture_rounds; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rounds (
    id bigint NOT NULL,
    from_txid bigint NOT NULL,
    to_txid bigint NOT NULL,
    parts integer NOT NULL,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT capture_rounds_parts_check CHECK (((parts >= 1) AND (parts <= 64)))
);

ALTER TABLE ONLY warden_private.capture_rounds FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rounds; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rounds IS 'An open promotion round: the capture records of transactions in [from_txid, to_txid), promoted in parts (at most one round is open). Deleted when it is closed.';

--
-- Name: COLUMN capture_rounds.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rounds.id IS 'Round id.';

--
-- Name: COLUMN capture_rounds.from_txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rounds.from_txid IS 'The promotion watermark when the round opened.';

--
-- Name: COLUMN capture_rounds.to_txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rounds.to_txid IS 'The horizon when the round opened: every transaction below it had ended.';

--
-- Name: COLUMN capture_rounds.parts; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rounds.parts IS 'How many parts (a row goes to part = its row log block number mod parts).';

--
-- Name: COLUMN capture_rounds.opened_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rounds.opened_at IS 'When the round opened.';

--
-- Name: capture_rounds_id_seq; Type: SEQUENCE; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rounds ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME warden_private.capture_rounds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: capture_rows_1_v1_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_1_v1_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 text,
    n2 text,
    o3 timestamp with time zone,
    n3 timestamp with time zone,
    o4 timestamp with time zone,
    n4 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_1_v1_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_1_v1_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_1_v1_0 IS 'Capture row log of warden.tenants (version 1, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_1_v1_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_1_v1_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_1_v1_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_1_v1_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.o2 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_1_v1_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.n2 IS 'New value of name';

--
-- Name: COLUMN capture_rows_1_v1_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.o3 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_1_v1_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.n3 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_1_v1_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.o4 IS 'Old value of updated_at';

--
-- Name: COLUMN capture_rows_1_v1_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_0.n4 IS 'New value of updated_at';

--
-- Name: capture_rows_1_v1_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_1_v1_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 text,
    n2 text,
    o3 timestamp with time zone,
    n3 timestamp with time zone,
    o4 timestamp with time zone,
    n4 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_1_v1_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_1_v1_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_1_v1_1 IS 'Capture row log of warden.tenants (version 1, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_1_v1_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_1_v1_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_1_v1_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_1_v1_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.o2 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_1_v1_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.n2 IS 'New value of name';

--
-- Name: COLUMN capture_rows_1_v1_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.o3 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_1_v1_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.n3 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_1_v1_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.o4 IS 'Old value of updated_at';

--
-- Name: COLUMN capture_rows_1_v1_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_1_v1_1.n4 IS 'New value of updated_at';

--
-- Name: capture_rows_2_v1_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_2_v1_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 text,
    n2 text,
    o3 text,
    n3 text,
    o4 timestamp with time zone,
    n4 timestamp with time zone,
    o5 timestamp with time zone,
    n5 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_2_v1_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_2_v1_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_2_v1_0 IS 'Capture row log of warden.users (version 1, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_2_v1_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_2_v1_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_2_v1_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_2_v1_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.o2 IS 'Old value of email';

--
-- Name: COLUMN capture_rows_2_v1_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.n2 IS 'New value of email';

--
-- Name: COLUMN capture_rows_2_v1_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.o3 IS 'Old value of display_name';

--
-- Name: COLUMN capture_rows_2_v1_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.n3 IS 'New value of display_name';

--
-- Name: COLUMN capture_rows_2_v1_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.o4 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_2_v1_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.n4 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_2_v1_0.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.o5 IS 'Old value of updated_at';

--
-- Name: COLUMN capture_rows_2_v1_0.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_0.n5 IS 'New value of updated_at';

--
-- Name: capture_rows_2_v1_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_2_v1_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 text,
    n2 text,
    o3 text,
    n3 text,
    o4 timestamp with time zone,
    n4 timestamp with time zone,
    o5 timestamp with time zone,
    n5 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_2_v1_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_2_v1_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_2_v1_1 IS 'Capture row log of warden.users (version 1, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_2_v1_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_2_v1_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_2_v1_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_2_v1_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.o2 IS 'Old value of email';

--
-- Name: COLUMN capture_rows_2_v1_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.n2 IS 'New value of email';

--
-- Name: COLUMN capture_rows_2_v1_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.o3 IS 'Old value of display_name';

--
-- Name: COLUMN capture_rows_2_v1_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.n3 IS 'New value of display_name';

--
-- Name: COLUMN capture_rows_2_v1_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.o4 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_2_v1_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.n4 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_2_v1_1.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.o5 IS 'Old value of updated_at';

--
-- Name: COLUMN capture_rows_2_v1_1.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_2_v1_1.n5 IS 'New value of updated_at';

--
-- Name: capture_rows_3_v1_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_3_v1_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 uuid,
    n3 uuid,
    o4 warden.tenant_role,
    n4 warden.tenant_role,
    o5 timestamp with time zone,
    n5 timestamp with time zone,
    o6 text,
    n6 text
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_3_v1_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_3_v1_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_3_v1_0 IS 'Capture row log of warden.tenant_memberships (version 1, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_3_v1_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_3_v1_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_3_v1_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_3_v1_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_3_v1_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_3_v1_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.o3 IS 'Old value of user_id';

--
-- Name: COLUMN capture_rows_3_v1_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.n3 IS 'New value of user_id';

--
-- Name: COLUMN capture_rows_3_v1_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.o4 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_3_v1_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.n4 IS 'New value of role';

--
-- Name: COLUMN capture_rows_3_v1_0.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.o5 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_3_v1_0.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.n5 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_3_v1_0.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.o6 IS 'Old value of joined_via';

--
-- Name: COLUMN capture_rows_3_v1_0.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_0.n6 IS 'New value of joined_via';

--
-- Name: capture_rows_3_v1_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_3_v1_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 uuid,
    n3 uuid,
    o4 warden.tenant_role,
    n4 warden.tenant_role,
    o5 timestamp with time zone,
    n5 timestamp with time zone,
    o6 text,
    n6 text
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_3_v1_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_3_v1_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_3_v1_1 IS 'Capture row log of warden.tenant_memberships (version 1, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_3_v1_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_3_v1_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_3_v1_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_3_v1_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_3_v1_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_3_v1_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.o3 IS 'Old value of user_id';

--
-- Name: COLUMN capture_rows_3_v1_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.n3 IS 'New value of user_id';

--
-- Name: COLUMN capture_rows_3_v1_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.o4 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_3_v1_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.n4 IS 'New value of role';

--
-- Name: COLUMN capture_rows_3_v1_1.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.o5 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_3_v1_1.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.n5 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_3_v1_1.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.o6 IS 'Old value of joined_via';

--
-- Name: COLUMN capture_rows_3_v1_1.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_3_v1_1.n6 IS 'New value of joined_via';

--
-- Name: capture_rows_4_v1_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_4_v1_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 text,
    n4 text,
    o5 uuid,
    n5 uuid,
    o6 timestamp with time zone,
    n6 timestamp with time zone,
    o7 timestamp with time zone,
    n7 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_4_v1_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_4_v1_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_4_v1_0 IS 'Capture row log of warden.projects (version 1, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_4_v1_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_4_v1_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_4_v1_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_4_v1_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_4_v1_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_4_v1_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.o3 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_4_v1_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.n3 IS 'New value of name';

--
-- Name: COLUMN capture_rows_4_v1_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.o4 IS 'Old value of description';

--
-- Name: COLUMN capture_rows_4_v1_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.n4 IS 'New value of description';

--
-- Name: COLUMN capture_rows_4_v1_0.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.o5 IS 'Old value of created_by';

--
-- Name: COLUMN capture_rows_4_v1_0.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.n5 IS 'New value of created_by';

--
-- Name: COLUMN capture_rows_4_v1_0.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.o6 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_4_v1_0.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.n6 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_4_v1_0.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.o7 IS 'Old value of updated_at';

--
-- Name: COLUMN capture_rows_4_v1_0.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_0.n7 IS 'New value of updated_at';

--
-- Name: capture_rows_4_v1_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_4_v1_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 text,
    n4 text,
    o5 uuid,
    n5 uuid,
    o6 timestamp with time zone,
    n6 timestamp with time zone,
    o7 timestamp with time zone,
    n7 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_4_v1_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_4_v1_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_4_v1_1 IS 'Capture row log of warden.projects (version 1, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_4_v1_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_4_v1_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_4_v1_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_4_v1_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_4_v1_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_4_v1_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.o3 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_4_v1_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.n3 IS 'New value of name';

--
-- Name: COLUMN capture_rows_4_v1_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.o4 IS 'Old value of description';

--
-- Name: COLUMN capture_rows_4_v1_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.n4 IS 'New value of description';

--
-- Name: COLUMN capture_rows_4_v1_1.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.o5 IS 'Old value of created_by';

--
-- Name: COLUMN capture_rows_4_v1_1.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.n5 IS 'New value of created_by';

--
-- Name: COLUMN capture_rows_4_v1_1.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.o6 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_4_v1_1.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.n6 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_4_v1_1.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.o7 IS 'Old value of updated_at';

--
-- Name: COLUMN capture_rows_4_v1_1.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_4_v1_1.n7 IS 'New value of updated_at';

--
-- Name: capture_rows_5_v1_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_5_v1_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 uuid,
    n3 uuid,
    o4 uuid,
    n4 uuid,
    o5 warden.project_role,
    n5 warden.project_role,
    o6 timestamp with time zone,
    n6 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_5_v1_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_5_v1_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_5_v1_0 IS 'Capture row log of warden.project_members (version 1, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_5_v1_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_5_v1_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_5_v1_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_5_v1_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_5_v1_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_5_v1_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.o3 IS 'Old value of project_id';

--
-- Name: COLUMN capture_rows_5_v1_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.n3 IS 'New value of project_id';

--
-- Name: COLUMN capture_rows_5_v1_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.o4 IS 'Old value of user_id';

--
-- Name: COLUMN capture_rows_5_v1_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.n4 IS 'New value of user_id';

--
-- Name: COLUMN capture_rows_5_v1_0.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.o5 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_5_v1_0.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.n5 IS 'New value of role';

--
-- Name: COLUMN capture_rows_5_v1_0.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.o6 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_5_v1_0.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_0.n6 IS 'New value of created_at';

--
-- Name: capture_rows_5_v1_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_5_v1_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 uuid,
    n3 uuid,
    o4 uuid,
    n4 uuid,
    o5 warden.project_role,
    n5 warden.project_role,
    o6 timestamp with time zone,
    n6 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_5_v1_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_5_v1_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_5_v1_1 IS 'Capture row log of warden.project_members (version 1, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_5_v1_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_5_v1_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_5_v1_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_5_v1_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_5_v1_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_5_v1_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.o3 IS 'Old value of project_id';

--
-- Name: COLUMN capture_rows_5_v1_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.n3 IS 'New value of project_id';

--
-- Name: COLUMN capture_rows_5_v1_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.o4 IS 'Old value of user_id';

--
-- Name: COLUMN capture_rows_5_v1_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.n4 IS 'New value of user_id';

--
-- Name: COLUMN capture_rows_5_v1_1.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.o5 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_5_v1_1.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.n5 IS 'New value of role';

--
-- Name: COLUMN capture_rows_5_v1_1.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.o6 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_5_v1_1.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_5_v1_1.n6 IS 'New value of created_at';

--
-- Name: capture_rows_6_v1_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_6_v1_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 text,
    n4 text,
    o5 warden.tenant_role,
    n5 warden.tenant_role,
    o6 integer,
    n6 integer,
    o7 uuid,
    n7 uuid,
    o8 timestamp with time zone,
    n8 timestamp with time zone,
    o9 timestamp with time zone,
    n9 timestamp with time zone,
    o10 timestamp with time zone,
    n10 timestamp with time zone,
    o11 timestamp with time zone,
    n11 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_6_v1_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_6_v1_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_6_v1_0 IS 'Capture row log of warden.api_keys (version 1, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_6_v1_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_6_v1_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_6_v1_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_6_v1_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v1_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v1_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o3 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_6_v1_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n3 IS 'New value of name';

--
-- Name: COLUMN capture_rows_6_v1_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o4 IS 'Old value of prefix';

--
-- Name: COLUMN capture_rows_6_v1_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n4 IS 'New value of prefix';

--
-- Name: COLUMN capture_rows_6_v1_0.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o5 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_6_v1_0.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n5 IS 'New value of role';

--
-- Name: COLUMN capture_rows_6_v1_0.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o6 IS 'Old value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v1_0.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n6 IS 'New value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v1_0.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o7 IS 'Old value of created_by';

--
-- Name: COLUMN capture_rows_6_v1_0.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n7 IS 'New value of created_by';

--
-- Name: COLUMN capture_rows_6_v1_0.o8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o8 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_6_v1_0.n8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n8 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_6_v1_0.o9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o9 IS 'Old value of expires_at';

--
-- Name: COLUMN capture_rows_6_v1_0.n9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n9 IS 'New value of expires_at';

--
-- Name: COLUMN capture_rows_6_v1_0.o10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o10 IS 'Old value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v1_0.n10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n10 IS 'New value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v1_0.o11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.o11 IS 'Old value of revoked_at';

--
-- Name: COLUMN capture_rows_6_v1_0.n11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_0.n11 IS 'New value of revoked_at';

--
-- Name: capture_rows_6_v1_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_6_v1_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 text,
    n4 text,
    o5 warden.tenant_role,
    n5 warden.tenant_role,
    o6 integer,
    n6 integer,
    o7 uuid,
    n7 uuid,
    o8 timestamp with time zone,
    n8 timestamp with time zone,
    o9 timestamp with time zone,
    n9 timestamp with time zone,
    o10 timestamp with time zone,
    n10 timestamp with time zone,
    o11 timestamp with time zone,
    n11 timestamp with time zone
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_6_v1_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_6_v1_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_6_v1_1 IS 'Capture row log of warden.api_keys (version 1, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_6_v1_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_6_v1_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_6_v1_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_6_v1_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v1_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v1_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o3 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_6_v1_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n3 IS 'New value of name';

--
-- Name: COLUMN capture_rows_6_v1_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o4 IS 'Old value of prefix';

--
-- Name: COLUMN capture_rows_6_v1_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n4 IS 'New value of prefix';

--
-- Name: COLUMN capture_rows_6_v1_1.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o5 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_6_v1_1.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n5 IS 'New value of role';

--
-- Name: COLUMN capture_rows_6_v1_1.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o6 IS 'Old value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v1_1.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n6 IS 'New value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v1_1.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o7 IS 'Old value of created_by';

--
-- Name: COLUMN capture_rows_6_v1_1.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n7 IS 'New value of created_by';

--
-- Name: COLUMN capture_rows_6_v1_1.o8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o8 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_6_v1_1.n8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n8 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_6_v1_1.o9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o9 IS 'Old value of expires_at';

--
-- Name: COLUMN capture_rows_6_v1_1.n9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n9 IS 'New value of expires_at';

--
-- Name: COLUMN capture_rows_6_v1_1.o10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o10 IS 'Old value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v1_1.n10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n10 IS 'New value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v1_1.o11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.o11 IS 'Old value of revoked_at';

--
-- Name: COLUMN capture_rows_6_v1_1.n11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v1_1.n11 IS 'New value of revoked_at';

--
-- Name: capture_rows_6_v2_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_6_v2_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 text,
    n4 text,
    o5 warden.tenant_role,
    n5 warden.tenant_role,
    o6 integer,
    n6 integer,
    o7 uuid,
    n7 uuid,
    o8 timestamp with time zone,
    n8 timestamp with time zone,
    o9 timestamp with time zone,
    n9 timestamp with time zone,
    o10 timestamp with time zone,
    n10 timestamp with time zone,
    o11 timestamp with time zone,
    n11 timestamp with time zone,
    o12 text[],
    n12 text[]
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_6_v2_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_6_v2_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_6_v2_0 IS 'Capture row log of warden.api_keys (version 2, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_6_v2_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_6_v2_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_6_v2_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_6_v2_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v2_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v2_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o3 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_6_v2_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n3 IS 'New value of name';

--
-- Name: COLUMN capture_rows_6_v2_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o4 IS 'Old value of prefix';

--
-- Name: COLUMN capture_rows_6_v2_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n4 IS 'New value of prefix';

--
-- Name: COLUMN capture_rows_6_v2_0.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o5 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_6_v2_0.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n5 IS 'New value of role';

--
-- Name: COLUMN capture_rows_6_v2_0.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o6 IS 'Old value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v2_0.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n6 IS 'New value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v2_0.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o7 IS 'Old value of created_by';

--
-- Name: COLUMN capture_rows_6_v2_0.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n7 IS 'New value of created_by';

--
-- Name: COLUMN capture_rows_6_v2_0.o8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o8 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_6_v2_0.n8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n8 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_6_v2_0.o9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o9 IS 'Old value of expires_at';

--
-- Name: COLUMN capture_rows_6_v2_0.n9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n9 IS 'New value of expires_at';

--
-- Name: COLUMN capture_rows_6_v2_0.o10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o10 IS 'Old value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v2_0.n10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n10 IS 'New value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v2_0.o11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o11 IS 'Old value of revoked_at';

--
-- Name: COLUMN capture_rows_6_v2_0.n11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n11 IS 'New value of revoked_at';

--
-- Name: COLUMN capture_rows_6_v2_0.o12; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.o12 IS 'Old value of scopes';

--
-- Name: COLUMN capture_rows_6_v2_0.n12; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_0.n12 IS 'New value of scopes';

--
-- Name: capture_rows_6_v2_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_6_v2_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 text,
    n4 text,
    o5 warden.tenant_role,
    n5 warden.tenant_role,
    o6 integer,
    n6 integer,
    o7 uuid,
    n7 uuid,
    o8 timestamp with time zone,
    n8 timestamp with time zone,
    o9 timestamp with time zone,
    n9 timestamp with time zone,
    o10 timestamp with time zone,
    n10 timestamp with time zone,
    o11 timestamp with time zone,
    n11 timestamp with time zone,
    o12 text[],
    n12 text[]
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_6_v2_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_6_v2_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_6_v2_1 IS 'Capture row log of warden.api_keys (version 2, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_6_v2_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_6_v2_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_6_v2_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_6_v2_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v2_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_6_v2_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o3 IS 'Old value of name';

--
-- Name: COLUMN capture_rows_6_v2_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n3 IS 'New value of name';

--
-- Name: COLUMN capture_rows_6_v2_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o4 IS 'Old value of prefix';

--
-- Name: COLUMN capture_rows_6_v2_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n4 IS 'New value of prefix';

--
-- Name: COLUMN capture_rows_6_v2_1.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o5 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_6_v2_1.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n5 IS 'New value of role';

--
-- Name: COLUMN capture_rows_6_v2_1.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o6 IS 'Old value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v2_1.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n6 IS 'New value of rate_limit_per_second';

--
-- Name: COLUMN capture_rows_6_v2_1.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o7 IS 'Old value of created_by';

--
-- Name: COLUMN capture_rows_6_v2_1.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n7 IS 'New value of created_by';

--
-- Name: COLUMN capture_rows_6_v2_1.o8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o8 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_6_v2_1.n8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n8 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_6_v2_1.o9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o9 IS 'Old value of expires_at';

--
-- Name: COLUMN capture_rows_6_v2_1.n9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n9 IS 'New value of expires_at';

--
-- Name: COLUMN capture_rows_6_v2_1.o10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o10 IS 'Old value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v2_1.n10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n10 IS 'New value of last_used_at';

--
-- Name: COLUMN capture_rows_6_v2_1.o11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o11 IS 'Old value of revoked_at';

--
-- Name: COLUMN capture_rows_6_v2_1.n11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n11 IS 'New value of revoked_at';

--
-- Name: COLUMN capture_rows_6_v2_1.o12; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.o12 IS 'Old value of scopes';

--
-- Name: COLUMN capture_rows_6_v2_1.n12; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_6_v2_1.n12 IS 'New value of scopes';

--
-- Name: capture_rows_7_v1_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_7_v1_0 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 warden.tenant_role,
    n4 warden.tenant_role,
    o5 jsonb,
    n5 jsonb,
    o6 timestamp with time zone,
    n6 timestamp with time zone,
    o7 timestamp with time zone,
    n7 timestamp with time zone,
    o8 timestamp with time zone,
    n8 timestamp with time zone,
    o9 uuid,
    n9 uuid,
    o10 timestamp with time zone,
    n10 timestamp with time zone,
    o11 jsonb,
    n11 jsonb
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_7_v1_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_7_v1_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_7_v1_0 IS 'Capture row log of warden.tenant_invitations (version 1, slot 0): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_7_v1_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_0).';

--
-- Name: COLUMN capture_rows_7_v1_0.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_7_v1_0.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_7_v1_0.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_7_v1_0.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_7_v1_0.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o3 IS 'Old value of email';

--
-- Name: COLUMN capture_rows_7_v1_0.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n3 IS 'New value of email';

--
-- Name: COLUMN capture_rows_7_v1_0.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o4 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_7_v1_0.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n4 IS 'New value of role';

--
-- Name: COLUMN capture_rows_7_v1_0.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o5 IS 'Old value of invited_by';

--
-- Name: COLUMN capture_rows_7_v1_0.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n5 IS 'New value of invited_by';

--
-- Name: COLUMN capture_rows_7_v1_0.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o6 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_7_v1_0.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n6 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_7_v1_0.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o7 IS 'Old value of expires_at';

--
-- Name: COLUMN capture_rows_7_v1_0.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n7 IS 'New value of expires_at';

--
-- Name: COLUMN capture_rows_7_v1_0.o8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o8 IS 'Old value of accepted_at';

--
-- Name: COLUMN capture_rows_7_v1_0.n8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n8 IS 'New value of accepted_at';

--
-- Name: COLUMN capture_rows_7_v1_0.o9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o9 IS 'Old value of accepted_by';

--
-- Name: COLUMN capture_rows_7_v1_0.n9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n9 IS 'New value of accepted_by';

--
-- Name: COLUMN capture_rows_7_v1_0.o10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o10 IS 'Old value of revoked_at';

--
-- Name: COLUMN capture_rows_7_v1_0.n10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n10 IS 'New value of revoked_at';

--
-- Name: COLUMN capture_rows_7_v1_0.o11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.o11 IS 'Old value of revoked_by';

--
-- Name: COLUMN capture_rows_7_v1_0.n11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_0.n11 IS 'New value of revoked_by';

--
-- Name: capture_rows_7_v1_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_rows_7_v1_1 (
    txid bigint NOT NULL,
    o1 uuid,
    n1 uuid,
    o2 uuid,
    n2 uuid,
    o3 text,
    n3 text,
    o4 warden.tenant_role,
    n4 warden.tenant_role,
    o5 jsonb,
    n5 jsonb,
    o6 timestamp with time zone,
    n6 timestamp with time zone,
    o7 timestamp with time zone,
    n7 timestamp with time zone,
    o8 timestamp with time zone,
    n8 timestamp with time zone,
    o9 uuid,
    n9 uuid,
    o10 timestamp with time zone,
    n10 timestamp with time zone,
    o11 jsonb,
    n11 jsonb
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_rows_7_v1_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_rows_7_v1_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_rows_7_v1_1 IS 'Capture row log of warden.tenant_invitations (version 1, slot 1): per captured row, o<i>/n<i> hold the old/new value of column i of warden_private.capture_versions.columns. No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_rows_7_v1_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.txid IS 'Writing transaction (with cmin: its statement in warden_private.capture_statements_1).';

--
-- Name: COLUMN capture_rows_7_v1_1.o1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o1 IS 'Old value of id';

--
-- Name: COLUMN capture_rows_7_v1_1.n1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n1 IS 'New value of id';

--
-- Name: COLUMN capture_rows_7_v1_1.o2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o2 IS 'Old value of tenant_id';

--
-- Name: COLUMN capture_rows_7_v1_1.n2; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n2 IS 'New value of tenant_id';

--
-- Name: COLUMN capture_rows_7_v1_1.o3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o3 IS 'Old value of email';

--
-- Name: COLUMN capture_rows_7_v1_1.n3; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n3 IS 'New value of email';

--
-- Name: COLUMN capture_rows_7_v1_1.o4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o4 IS 'Old value of role';

--
-- Name: COLUMN capture_rows_7_v1_1.n4; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n4 IS 'New value of role';

--
-- Name: COLUMN capture_rows_7_v1_1.o5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o5 IS 'Old value of invited_by';

--
-- Name: COLUMN capture_rows_7_v1_1.n5; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n5 IS 'New value of invited_by';

--
-- Name: COLUMN capture_rows_7_v1_1.o6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o6 IS 'Old value of created_at';

--
-- Name: COLUMN capture_rows_7_v1_1.n6; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n6 IS 'New value of created_at';

--
-- Name: COLUMN capture_rows_7_v1_1.o7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o7 IS 'Old value of expires_at';

--
-- Name: COLUMN capture_rows_7_v1_1.n7; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n7 IS 'New value of expires_at';

--
-- Name: COLUMN capture_rows_7_v1_1.o8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o8 IS 'Old value of accepted_at';

--
-- Name: COLUMN capture_rows_7_v1_1.n8; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n8 IS 'New value of accepted_at';

--
-- Name: COLUMN capture_rows_7_v1_1.o9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o9 IS 'Old value of accepted_by';

--
-- Name: COLUMN capture_rows_7_v1_1.n9; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n9 IS 'New value of accepted_by';

--
-- Name: COLUMN capture_rows_7_v1_1.o10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o10 IS 'Old value of revoked_at';

--
-- Name: COLUMN capture_rows_7_v1_1.n10; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n10 IS 'New value of revoked_at';

--
-- Name: COLUMN capture_rows_7_v1_1.o11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.o11 IS 'Old value of revoked_by';

--
-- Name: COLUMN capture_rows_7_v1_1.n11; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_rows_7_v1_1.n11 IS 'New value of revoked_by';

--
-- Name: capture_state; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_state (
    id boolean DEFAULT true NOT NULL,
    promoted_below bigint DEFAULT 0 NOT NULL,
    generation bigint DEFAULT 1 NOT NULL,
    flip_xid bigint,
    truncated_generation bigint,
    promoted_total bigint DEFAULT 0 NOT NULL,
    last_promoted bigint DEFAULT 0 NOT NULL,
    last_promoted_at timestamp with time zone,
    CONSTRAINT capture_state_id_check CHECK (id)
);

ALTER TABLE ONLY warden_private.capture_state FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_state; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_state IS 'Promotion progress of the capture log (one row).';

--
-- Name: COLUMN capture_state.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.id IS 'Always true: one row.';

--
-- Name: COLUMN capture_state.promoted_below; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.promoted_below IS 'Every capture record of a transaction id below this has been promoted into warden.audit_events.';

--
-- Name: COLUMN capture_state.generation; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.generation IS 'The generation whose start is recorded in flip_xid.';

--
-- Name: COLUMN capture_state.flip_xid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.flip_xid IS 'First unassigned transaction id when that generation became active: once the horizon passes it, nothing can still be written to the other slot.';

--
-- Name: COLUMN capture_state.truncated_generation; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.truncated_generation IS 'The other slot was emptied while this generation was active.';

--
-- Name: COLUMN capture_state.promoted_total; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.promoted_total IS 'Events promoted since the log was created.';

--
-- Name: COLUMN capture_state.last_promoted; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.last_promoted IS 'Events promoted by the last pass.';

--
-- Name: COLUMN capture_state.last_promoted_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_state.last_promoted_at IS 'When the last pass that promoted something committed.';

--
-- Name: capture_statements_0; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_statements_0 (
    txid bigint NOT NULL,
    table_id integer NOT NULL,
    version integer NOT NULL,
    op "char" NOT NULL,
    row_count bigint,
    occurred_at timestamp with time zone NOT NULL,
    recorded_at timestamp with time zone NOT NULL,
    tenant_id uuid,
    actor_type warden.actor_type NOT NULL,
    actor_id text NOT NULL,
    actor_ip inet,
    user_agent text,
    trace_id text,
    correlation_id text,
    service text
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_statements_0 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_statements_0; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_statements_0 IS 'Capture statement log, slot 0: one record per captured statement (its rows are in the table''s row log, joined by txid and cmin). No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_statements_0.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.txid IS 'Writing transaction.';

--
-- Name: COLUMN capture_statements_0.table_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.table_id IS 'The audited table (warden_private.audited_tables).';

--
-- Name: COLUMN capture_statements_0.version; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.version IS 'Its capture version.';

--
-- Name: COLUMN capture_statements_0.op; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.op IS 'i(nsert), u(pdate), d(elete) or t(runcate).';

--
-- Name: COLUMN capture_statements_0.row_count; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.row_count IS 'Rows recorded in the row log (for TRUNCATE: rows the table held).';

--
-- Name: COLUMN capture_statements_0.occurred_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.occurred_at IS 'Start of the writing transaction (the events'' occurred_at).';

--
-- Name: COLUMN capture_statements_0.recorded_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.recorded_at IS 'When the statement was captured (the events'' recorded_at).';

--
-- Name: COLUMN capture_statements_0.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.tenant_id IS 'Tenant of the request context.';

--
-- Name: COLUMN capture_statements_0.actor_type; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.actor_type IS 'Actor type (db_role without a context).';

--
-- Name: COLUMN capture_statements_0.actor_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.actor_id IS 'Actor id (the session user without a context).';

--
-- Name: COLUMN capture_statements_0.actor_ip; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.actor_ip IS 'Client address.';

--
-- Name: COLUMN capture_statements_0.user_agent; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.user_agent IS 'User agent.';

--
-- Name: COLUMN capture_statements_0.trace_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.trace_id IS 'Trace id.';

--
-- Name: COLUMN capture_statements_0.correlation_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.correlation_id IS 'Correlation id (set_context extra).';

--
-- Name: COLUMN capture_statements_0.service; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_0.service IS 'Service (set_context extra, or application_name without a context).';

--
-- Name: capture_statements_1; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_statements_1 (
    txid bigint NOT NULL,
    table_id integer NOT NULL,
    version integer NOT NULL,
    op "char" NOT NULL,
    row_count bigint,
    occurred_at timestamp with time zone NOT NULL,
    recorded_at timestamp with time zone NOT NULL,
    tenant_id uuid,
    actor_type warden.actor_type NOT NULL,
    actor_id text NOT NULL,
    actor_ip inet,
    user_agent text,
    trace_id text,
    correlation_id text,
    service text
)
WITH (autovacuum_enabled=off);

ALTER TABLE ONLY warden_private.capture_statements_1 FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_statements_1; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_statements_1 IS 'Capture statement log, slot 1: one record per captured statement (its rows are in the table''s row log, joined by txid and cmin). No indexes; emptied by TRUNCATE once promoted.';

--
-- Name: COLUMN capture_statements_1.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.txid IS 'Writing transaction.';

--
-- Name: COLUMN capture_statements_1.table_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.table_id IS 'The audited table (warden_private.audited_tables).';

--
-- Name: COLUMN capture_statements_1.version; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.version IS 'Its capture version.';

--
-- Name: COLUMN capture_statements_1.op; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.op IS 'i(nsert), u(pdate), d(elete) or t(runcate).';

--
-- Name: COLUMN capture_statements_1.row_count; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.row_count IS 'Rows recorded in the row log (for TRUNCATE: rows the table held).';

--
-- Name: COLUMN capture_statements_1.occurred_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.occurred_at IS 'Start of the writing transaction (the events'' occurred_at).';

--
-- Name: COLUMN capture_statements_1.recorded_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.recorded_at IS 'When the statement was captured (the events'' recorded_at).';

--
-- Name: COLUMN capture_statements_1.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.tenant_id IS 'Tenant of the request context.';

--
-- Name: COLUMN capture_statements_1.actor_type; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.actor_type IS 'Actor type (db_role without a context).';

--
-- Name: COLUMN capture_statements_1.actor_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.actor_id IS 'Actor id (the session user without a context).';

--
-- Name: COLUMN capture_statements_1.actor_ip; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.actor_ip IS 'Client address.';

--
-- Name: COLUMN capture_statements_1.user_agent; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.user_agent IS 'User agent.';

--
-- Name: COLUMN capture_statements_1.trace_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.trace_id IS 'Trace id.';

--
-- Name: COLUMN capture_statements_1.correlation_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.correlation_id IS 'Correlation id (set_context extra).';

--
-- Name: COLUMN capture_statements_1.service; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_statements_1.service IS 'Service (set_context extra, or application_name without a context).';

--
-- Name: capture_versions; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.capture_versions (
    table_id integer NOT NULL,
    version integer NOT NULL,
    table_name text NOT NULL,
    event_prefix text NOT NULL,
    resource_type text NOT NULL,
    columns jsonb NOT NULL,
    pk text[],
    capture_function text NOT NULL,
    row_log text NOT NULL,
    select_sql text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    retired_at timestamp with time zone,
    dropped_at timestamp with time zone
);

ALTER TABLE ONLY warden_private.capture_versions FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE capture_versions; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.capture_versions IS 'One generated capture of an audited table: the columns it captures, the names of its capture function and row log, and the statement that turns its log records into events. A new version is made whenever the options or the table''s shape change; the old one is promoted to the end and dropped.';

--
-- Name: COLUMN capture_versions.table_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.table_id IS 'The audited table.';

--
-- Name: COLUMN capture_versions.version; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.version IS 'Version number (1, 2, ...).';

--
-- Name: COLUMN capture_versions.table_name; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.table_name IS 'schema.table as this version records it.';

--
-- Name: COLUMN capture_versions.event_prefix; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.event_prefix IS 'db.<schema>.<table>. (the operation is appended).';

--
-- Name: COLUMN capture_versions.resource_type; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.resource_type IS 'resource_type of its events.';

--
-- Name: COLUMN capture_versions.columns; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.columns IS 'Captured columns in log order: [{name, type, log_type, pk, tenant, value, hash, late_hash, compare}]; column i is stored as o<i>/n<i>.';

--
-- Name: COLUMN capture_versions.pk; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.pk IS 'Primary key columns; null for a table without one.';

--
-- Name: COLUMN capture_versions.capture_function; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.capture_function IS 'The generated trigger function.';

--
-- Name: COLUMN capture_versions.row_log; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.row_log IS 'Prefix of its row log tables (<row_log>_0 and <row_log>_1).';

--
-- Name: COLUMN capture_versions.select_sql; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.select_sql IS 'Generated select of its records as audit events (see warden_private.capture_promote).';

--
-- Name: COLUMN capture_versions.created_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.created_at IS 'When it was generated.';

--
-- Name: COLUMN capture_versions.retired_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.retired_at IS 'When a newer version (or disable_auditing) replaced it.';

--
-- Name: COLUMN capture_versions.dropped_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.capture_versions.dropped_at IS 'When its drained log tables and function were dropped.';

--
-- Name: checkpoint_anchors; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.checkpoint_anchors (
    sink text NOT NULL,
    tenant_key uuid NOT NULL,
    last_seq bigint NOT NULL,
    head_hash bytea NOT NULL,
    anchored_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY warden_private.checkpoint_anchors FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE checkpoint_anchors; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.checkpoint_anchors IS 'Per anchor sink and tenant: the last signed checkpoint written outside the database (src/audit/anchors.ts). The anchoring pass sends the checkpoints past it and then moves it; a failed write leaves it, so the checkpoint is sent again by the next pass.';

--
-- Name: COLUMN checkpoint_anchors.sink; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.checkpoint_anchors.sink IS 'The sink: file:<path> or nats:<subject prefix>.';

--
-- Name: COLUMN checkpoint_anchors.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.checkpoint_anchors.tenant_key IS 'The tenant (zero uuid for events outside any tenant).';

--
-- Name: COLUMN checkpoint_anchors.last_seq; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.checkpoint_anchors.last_seq IS 'last_seq of the last checkpoint the sink received.';

--
-- Name: COLUMN checkpoint_anchors.head_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.checkpoint_anchors.head_hash IS 'Its head hash.';

--
-- Name: COLUMN checkpoint_anchors.anchored_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.checkpoint_anchors.anchored_at IS 'When the sink received it.';

--
-- Name: context_commit_checks; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE UNLOGGED TABLE warden_private.context_commit_checks (
    backend_pid integer NOT NULL,
    armed boolean DEFAULT true NOT NULL
);

ALTER TABLE ONLY warden_private.context_commit_checks FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE context_commit_checks; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.context_commit_checks IS 'One row per database session that called warden.set_context: writing it queues the deferred check (warden_private.tg_context_commit_check) that warns when the context ended unused. Unlogged; each session removes the rows of ended sessions once.';

--
-- Name: COLUMN context_commit_checks.backend_pid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.context_commit_checks.backend_pid IS 'The session (pg_backend_pid()).';

--
-- Name: COLUMN context_commit_checks.armed; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.context_commit_checks.armed IS 'True while a check is queued for the session''s transaction.';

--
-- Name: dq_results_default; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.dq_results_default (
    id uuid DEFAULT warden_private.uuid_v7() NOT NULL,
    run_at timestamp with time zone DEFAULT now() NOT NULL,
    run_id uuid NOT NULL,
    rule_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    target_name text NOT NULL,
    rule_name text NOT NULL,
    check_type text NOT NULL,
    severity text NOT NULL,
    status text NOT NULL,
    message text,
    rows_checked bigint,
    rows_failing bigint,
    observed_value jsonb,
    duration_ms numeric(12,3),
    sample jsonb DEFAULT '[]'::jsonb NOT NULL,
    CONSTRAINT dq_results_sample_check CHECK (((jsonb_typeof(sample) = 'array'::text) AND (jsonb_array_length(sample) <= 20))),
    CONSTRAINT dq_results_status_check CHECK ((status = ANY (ARRAY['pass'::text, 'fail'::text, 'error'::text])))
);

ALTER TABLE ONLY warden_private.dq_results_default FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE dq_results_default; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.dq_results_default IS 'Default partition of warden.dq_results: results outside every monthly partition.';

--
-- Name: dq_schedule_state; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.dq_schedule_state (
    rule_id uuid NOT NULL,
    last_fired_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY warden_private.dq_schedule_state FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE dq_schedule_state; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.dq_schedule_state IS 'When the worker last started a scheduled run of each rule (the cron occurrence it ran for).';

--
-- Name: COLUMN dq_schedule_state.rule_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.dq_schedule_state.rule_id IS 'The rule.';

--
-- Name: COLUMN dq_schedule_state.last_fired_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.dq_schedule_state.last_fired_at IS 'The schedule occurrence of the last scheduled run.';

--
-- Name: erasure_record_signatures; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.erasure_record_signatures (
    event_id uuid NOT NULL,
    erased_payload_hash bytea NOT NULL,
    key_id text NOT NULL,
    signature bytea NOT NULL,
    signed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY warden_private.erasure_record_signatures FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE erasure_record_signatures; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.erasure_record_signatures IS 'Ed25519 signatures of erasure records by the sealing key: written by the API or CLI right after their erasure, or by an operator''s warden sign-records for records a SQL-side erasure left unsigned. Nothing signs records automatically after the fact. See src/audit/erasureRecords.ts.';

--
-- Name: COLUMN erasure_record_signatures.event_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_record_signatures.event_id IS 'The record''s event.';

--
-- Name: COLUMN erasure_record_signatures.erased_payload_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_record_signatures.erased_payload_hash IS 'The record''s erased payload hash.';

--
-- Name: COLUMN erasure_record_signatures.key_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_record_signatures.key_id IS 'Fingerprint of the signing key.';

--
-- Name: COLUMN erasure_record_signatures.signature; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_record_signatures.signature IS 'Ed25519 signature of the record message.';

--
-- Name: COLUMN erasure_record_signatures.signed_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_record_signatures.signed_at IS 'When it was signed.';

--
-- Name: erasure_records; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.erasure_records (
    event_id uuid NOT NULL,
    erased_payload_hash bytea NOT NULL,
    original_payload_hash bytea NOT NULL,
    tenant_key uuid NOT NULL,
    erasure_id uuid NOT NULL,
    recorded_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL
);

ALTER TABLE ONLY warden_private.erasure_records FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE erasure_records; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.erasure_records IS 'For each event an erasure rewrote: its payload hash before and after. The verifier uses original_payload_hash for an event whose current payload hashes to erased_payload_hash, only when a valid signature (erasure_record_signatures) covers the record.';

--
-- Name: COLUMN erasure_records.event_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_records.event_id IS 'The rewritten event.';

--
-- Name: COLUMN erasure_records.erased_payload_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_records.erased_payload_hash IS 'warden_private.audit_payload_hash of the event after the rewrite.';

--
-- Name: COLUMN erasure_records.original_payload_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_records.original_payload_hash IS 'Its payload hash before the rewrite (what the chain may have sealed).';

--
-- Name: COLUMN erasure_records.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_records.tenant_key IS 'The chain (tenant id).';

--
-- Name: COLUMN erasure_records.erasure_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_records.erasure_id IS 'The erasure that rewrote it.';

--
-- Name: COLUMN erasure_records.recorded_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasure_records.recorded_at IS 'When.';

--
-- Name: erasures; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.erasures (
    erasure_id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    subject_pseudonym text NOT NULL,
    reason text,
    requested_by jsonb NOT NULL,
    started_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    finished_at timestamp with time zone,
    receipt jsonb
);

ALTER TABLE ONLY warden_private.erasures FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE erasures; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.erasures IS 'One row per GDPR erasure: the subject only as its keyed pseudonym, who asked, why, and the receipt.';

--
-- Name: COLUMN erasures.erasure_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.erasure_id IS 'Erasure id (in the receipt and the erasure event).';

--
-- Name: COLUMN erasures.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.tenant_id IS 'The tenant.';

--
-- Name: COLUMN erasures.subject_pseudonym; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.subject_pseudonym IS 'hmac:<hex> of the subject id under the tenant''s key (the raw id is never stored).';

--
-- Name: COLUMN erasures.reason; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.reason IS 'Why (with the subject id replaced by its pseudonym).';

--
-- Name: COLUMN erasures.requested_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.requested_by IS 'warden.current_actor() of the caller.';

--
-- Name: COLUMN erasures.started_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.started_at IS 'When it started.';

--
-- Name: COLUMN erasures.finished_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.finished_at IS 'When it finished.';

--
-- Name: COLUMN erasures.receipt; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.erasures.receipt IS 'The receipt returned to the caller.';

--
-- Name: idempotency_keys; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.idempotency_keys (
    tenant_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    request_hash bytea NOT NULL,
    event_ids uuid[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    credential text DEFAULT ''::text NOT NULL,
    CONSTRAINT idempotency_keys_idempotency_key_check CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 255)))
);

ALTER TABLE ONLY warden_private.idempotency_keys FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE idempotency_keys; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.idempotency_keys IS 'Idempotency-Key of each accepted event batch and the ids it produced (kept 24 hours).';

--
-- Name: COLUMN idempotency_keys.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.idempotency_keys.tenant_id IS 'The tenant that posted.';

--
-- Name: COLUMN idempotency_keys.idempotency_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.idempotency_keys.idempotency_key IS 'The client''s Idempotency-Key header.';

--
-- Name: COLUMN idempotency_keys.request_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.idempotency_keys.request_hash IS 'sha256 of the batch, to refuse a reused key with a different body.';

--
-- Name: COLUMN idempotency_keys.event_ids; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.idempotency_keys.event_ids IS 'The ids returned the first time.';

--
-- Name: COLUMN idempotency_keys.created_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.idempotency_keys.created_at IS 'When the batch was accepted.';

--
-- Name: COLUMN idempotency_keys.credential; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.idempotency_keys.credential IS 'The credential that used the key: actor type and id (api_key:<id>, user:<id>). Empty for keys stored before keys were scoped to credentials; those match any credential of the tenant until they expire (24 hours).';

--
-- Name: legal_holds; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.legal_holds (
    id uuid DEFAULT warden_private.uuid_v7() NOT NULL,
    tenant_id uuid NOT NULL,
    resource_type text,
    resource_id text,
    correlation_id text,
    reason text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text,
    released_at timestamp with time zone,
    released_by text,
    CONSTRAINT legal_holds_correlation_id_check CHECK ((length(correlation_id) <= 200)),
    CONSTRAINT legal_holds_reason_check CHECK (((length(reason) >= 1) AND (length(reason) <= 2000))),
    CONSTRAINT legal_holds_resource_id_check CHECK ((length(resource_id) <= 1024)),
    CONSTRAINT legal_holds_resource_type_check CHECK ((length(resource_type) <= 200)),
    CONSTRAINT legal_holds_scope CHECK ((((resource_type IS NULL) AND (resource_id IS NULL) AND (correlation_id IS NULL)) OR ((resource_type IS NOT NULL) AND (resource_id IS NOT NULL) AND (correlation_id IS NULL)) OR ((resource_type IS NULL) AND (resource_id IS NULL) AND (correlation_id IS NOT NULL))))
);

ALTER TABLE ONLY warden_private.legal_holds FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE legal_holds; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.legal_holds IS 'Legal holds: while active (released_at null) retention purges none of the events they cover: every event of the tenant (no resource, no correlation id), of one resource (resource_type and resource_id), or of one correlation id.';

--
-- Name: COLUMN legal_holds.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.id IS 'Hold id.';

--
-- Name: COLUMN legal_holds.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.tenant_id IS 'The tenant whose events are held.';

--
-- Name: COLUMN legal_holds.resource_type; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.resource_type IS 'With resource_id: hold only the events of this resource.';

--
-- Name: COLUMN legal_holds.resource_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.resource_id IS 'With resource_type: hold only the events of this resource.';

--
-- Name: COLUMN legal_holds.correlation_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.correlation_id IS 'Hold only the events with this correlation id.';

--
-- Name: COLUMN legal_holds.reason; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.reason IS 'Why (case number, request).';

--
-- Name: COLUMN legal_holds.created_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.created_at IS 'When the hold was placed.';

--
-- Name: COLUMN legal_holds.created_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.created_by IS 'Who placed it (actor id, or the database role).';

--
-- Name: COLUMN legal_holds.released_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.released_at IS 'When it was released; null while active.';

--
-- Name: COLUMN legal_holds.released_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.legal_holds.released_by IS 'Who released it.';

--
-- Name: occurred_at_windows; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.occurred_at_windows (
    tenant_id uuid,
    max_future interval DEFAULT '00:05:00'::interval NOT NULL,
    max_past interval,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text,
    CONSTRAINT occurred_at_windows_max_future_check CHECK (((max_future >= '00:00:00'::interval) AND (max_future <= '1 day'::interval))),
    CONSTRAINT occurred_at_windows_max_past_check CHECK ((max_past > '00:00:00'::interval))
);

ALTER TABLE ONLY warden_private.occurred_at_windows FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE occurred_at_windows; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.occurred_at_windows IS 'The occurred_at window of posted audit events, per tenant or as the default (tenant_id null): later than now + max_future or earlier than now - max_past is refused (HTTP 400 occurred_at_out_of_window); older events need an API key with the backfill scope. Set with warden_private.set_occurred_at_window; read with warden_private.occurred_at_window.';

--
-- Name: COLUMN occurred_at_windows.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.occurred_at_windows.tenant_id IS 'The tenant; null: the default for every tenant without its own row.';

--
-- Name: COLUMN occurred_at_windows.max_future; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.occurred_at_windows.max_future IS 'How far ahead of the database clock an event may be dated (0 to 1 day; 5 minutes by default).';

--
-- Name: COLUMN occurred_at_windows.max_past; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.occurred_at_windows.max_past IS 'How far back an event may be dated without the backfill scope; null: as far back as the tenant''s longest retention.';

--
-- Name: COLUMN occurred_at_windows.updated_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.occurred_at_windows.updated_at IS 'When the window last changed.';

--
-- Name: COLUMN occurred_at_windows.updated_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.occurred_at_windows.updated_by IS 'Who changed it last (actor id, or the database role).';

--
-- Name: prune_record_signatures; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.prune_record_signatures (
    record_id bigint NOT NULL,
    signed_at timestamp with time zone NOT NULL,
    key_id text NOT NULL,
    signature bytea NOT NULL
);

ALTER TABLE ONLY warden_private.prune_record_signatures FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE prune_record_signatures; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.prune_record_signatures IS 'Ed25519 signatures of prune records by the sealing key (the key never enters the database): written by the retention run (warden retention, the worker job) in the transaction that wrote the record, or by an operator''s warden sign-records for records a SQL-side run left unsigned. Nothing signs records automatically after the fact.';

--
-- Name: COLUMN prune_record_signatures.record_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_record_signatures.record_id IS 'The prune record.';

--
-- Name: COLUMN prune_record_signatures.signed_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_record_signatures.signed_at IS 'When it was signed (part of the signed message).';

--
-- Name: COLUMN prune_record_signatures.key_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_record_signatures.key_id IS 'Fingerprint of the signing key.';

--
-- Name: COLUMN prune_record_signatures.signature; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_record_signatures.signature IS 'Ed25519 signature of the prune record message (see src/audit/pruneRecords.ts).';

--
-- Name: prune_records; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.prune_records (
    id bigint NOT NULL,
    tenant_key uuid NOT NULL,
    method text NOT NULL,
    partition_name text NOT NULL,
    range_from timestamp with time zone,
    range_to timestamp with time zone,
    sealed_through bigint DEFAULT 0 NOT NULL,
    event_ids uuid[],
    event_count bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT prune_records_check CHECK ((((method = 'partition'::text) AND (range_from IS NOT NULL) AND (range_to IS NOT NULL) AND (event_ids IS NULL)) OR ((method = 'rows'::text) AND (event_ids IS NOT NULL) AND (cardinality(event_ids) = event_count)))),
    CONSTRAINT prune_records_event_count_check CHECK ((event_count >= 0)),
    CONSTRAINT prune_records_method_check CHECK ((method = ANY (ARRAY['partition'::text, 'rows'::text])))
);

ALTER TABLE ONLY warden_private.prune_records FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE prune_records; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.prune_records IS 'What retention removed, per tenant: a dropped partition''s time range (events of the tenant sealed at or before sealed_through with occurred_at in [range_from, range_to)) or the exact event ids of a row batch. The verifier accepts a missing sealed event only when a prune record signed with the sealing key covers it.';

--
-- Name: COLUMN prune_records.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.id IS 'Record id (part of the signed message).';

--
-- Name: COLUMN prune_records.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.tenant_key IS 'The tenant (zero uuid for events outside any tenant).';

--
-- Name: COLUMN prune_records.method; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.method IS 'partition (a whole monthly partition dropped) or rows (a batch of deleted rows).';

--
-- Name: COLUMN prune_records.partition_name; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.partition_name IS 'The partition the events were in.';

--
-- Name: COLUMN prune_records.range_from; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.range_from IS 'partition: start of the dropped range (inclusive).';

--
-- Name: COLUMN prune_records.range_to; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.range_to IS 'partition: end of the dropped range (exclusive).';

--
-- Name: COLUMN prune_records.sealed_through; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.sealed_through IS 'partition: the tenant''s last sealed sequence number when the partition was dropped; events sealed later are not covered.';

--
-- Name: COLUMN prune_records.event_ids; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.event_ids IS 'rows: the deleted events.';

--
-- Name: COLUMN prune_records.event_count; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.event_count IS 'How many events were removed.';

--
-- Name: COLUMN prune_records.created_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.prune_records.created_at IS 'When they were removed.';

--
-- Name: prune_records_id_seq; Type: SEQUENCE; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.prune_records ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME warden_private.prune_records_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: redaction_counts; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.redaction_counts (
    mode text NOT NULL,
    method text NOT NULL,
    shard integer NOT NULL,
    n bigint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY warden_private.redaction_counts FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE redaction_counts; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.redaction_counts IS 'Write-time redaction matches by mode (log, enforce) and method, in shards (sum them).';

--
-- Name: COLUMN redaction_counts.mode; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.redaction_counts.mode IS 'log or enforce.';

--
-- Name: COLUMN redaction_counts.method; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.redaction_counts.method IS 'mask, remove or hash.';

--
-- Name: COLUMN redaction_counts.shard; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.redaction_counts.shard IS 'pg_backend_pid() % 16 of the writer.';

--
-- Name: COLUMN redaction_counts.n; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.redaction_counts.n IS 'Fields matched.';

--
-- Name: retention_policies; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.retention_policies (
    id uuid DEFAULT warden_private.uuid_v7() NOT NULL,
    tenant_id uuid,
    event_type_pattern text DEFAULT '*'::text NOT NULL,
    days integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT retention_policies_days_check CHECK (((days >= 1) AND (days <= 2557))),
    CONSTRAINT retention_policies_event_type_pattern_check CHECK (((event_type_pattern = '*'::text) OR ((event_type_pattern ~ '^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$'::text) AND (length(event_type_pattern) <= 200))))
);

ALTER TABLE ONLY warden_private.retention_policies FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE retention_policies; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.retention_policies IS 'How long audit events are kept, in days (1 day to 7 years). The most specific policy wins: a tenant''s own over the default for all tenants (tenant_id null), then an exact event type over the longest matching prefix pattern (gateway.*) over *. Without any, AUDIT_RETENTION_DAYS (30 when unset).';

--
-- Name: COLUMN retention_policies.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_policies.id IS 'Policy id.';

--
-- Name: COLUMN retention_policies.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_policies.tenant_id IS 'The tenant; null: the default for every tenant (and for events outside any tenant).';

--
-- Name: COLUMN retention_policies.event_type_pattern; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_policies.event_type_pattern IS 'An exact event type (gateway.request.sent), a prefix pattern ending in .* (gateway.*), or * for every event type.';

--
-- Name: COLUMN retention_policies.days; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_policies.days IS 'Events older than this many days are purged (1..2557).';

--
-- Name: COLUMN retention_policies.created_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_policies.created_at IS 'When the policy was created.';

--
-- Name: COLUMN retention_policies.created_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_policies.created_by IS 'Who created or last changed it (actor id, or the database role).';

--
-- Name: COLUMN retention_policies.updated_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_policies.updated_at IS 'When the policy last changed.';

--
-- Name: retention_state; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.retention_state (
    id boolean DEFAULT true NOT NULL,
    last_run_at timestamp with time zone,
    rows_deleted bigint DEFAULT 0 NOT NULL,
    partitions_dropped bigint DEFAULT 0 NOT NULL,
    CONSTRAINT retention_state_id_check CHECK (id)
);

ALTER TABLE ONLY warden_private.retention_state FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE retention_state; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.retention_state IS 'Retention totals (for metrics): one row.';

--
-- Name: COLUMN retention_state.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_state.id IS 'Always true: one row.';

--
-- Name: COLUMN retention_state.last_run_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_state.last_run_at IS 'When the last retention run (not a dry run) finished.';

--
-- Name: COLUMN retention_state.rows_deleted; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_state.rows_deleted IS 'Audit events deleted by retention so far (row batches and dropped partitions).';

--
-- Name: COLUMN retention_state.partitions_dropped; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.retention_state.partitions_dropped IS 'Audit partitions dropped by retention so far.';

--
-- Name: seal_blocks; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.seal_blocks (
    tenant_key uuid NOT NULL,
    first_seq bigint NOT NULL,
    last_seq bigint NOT NULL,
    min_txid bigint NOT NULL,
    max_txid bigint NOT NULL,
    event_ids uuid[] NOT NULL,
    leaf_prefixes bytea NOT NULL,
    prev_hash bytea NOT NULL,
    head_hash bytea NOT NULL,
    sealed_at timestamp with time zone DEFAULT now() NOT NULL,
    occurred_micros bytea,
    CONSTRAINT seal_blocks_check CHECK ((((last_seq - first_seq) + 1) = cardinality(event_ids))),
    CONSTRAINT seal_blocks_check1 CHECK ((length(leaf_prefixes) = (8 * cardinality(event_ids)))),
    CONSTRAINT seal_blocks_occurred_micros_length CHECK (((occurred_micros IS NULL) OR (length(occurred_micros) = (8 * cardinality(event_ids)))))
);

ALTER TABLE ONLY warden_private.seal_blocks FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE seal_blocks; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.seal_blocks IS 'A run of one tenant''s chain: events first_seq..last_seq in order. hash_i = sha256(hash_{i-1} || envelope_i || sha256(payload_i)).';

--
-- Name: COLUMN seal_blocks.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.tenant_key IS 'The tenant (zero uuid for events outside any tenant).';

--
-- Name: COLUMN seal_blocks.first_seq; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.first_seq IS 'Sequence number of the first event.';

--
-- Name: COLUMN seal_blocks.last_seq; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.last_seq IS 'Sequence number of the last event.';

--
-- Name: COLUMN seal_blocks.min_txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.min_txid IS 'Lowest transaction id among the events (bounds the scan when verifying).';

--
-- Name: COLUMN seal_blocks.max_txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.max_txid IS 'Highest transaction id among the events.';

--
-- Name: COLUMN seal_blocks.event_ids; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.event_ids IS 'The events, in chain order.';

--
-- Name: COLUMN seal_blocks.leaf_prefixes; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.leaf_prefixes IS 'First 8 bytes of sha256(envelope || sha256(payload)) of each event, to pinpoint tampering.';

--
-- Name: COLUMN seal_blocks.prev_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.prev_hash IS 'Chain hash before the first event.';

--
-- Name: COLUMN seal_blocks.head_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.head_hash IS 'Chain hash after the last event.';

--
-- Name: COLUMN seal_blocks.sealed_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.sealed_at IS 'When the block was sealed.';

--
-- Name: COLUMN seal_blocks.occurred_micros; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_blocks.occurred_micros IS 'occurred_at of each event as 8-byte big-endian microseconds since 1970 (null in blocks sealed before retention existed), to match pruned events to prune records.';

--
-- Name: seal_checkpoints; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.seal_checkpoints (
    tenant_key uuid NOT NULL,
    first_seq bigint NOT NULL,
    last_seq bigint NOT NULL,
    head_hash bytea NOT NULL,
    signed_at timestamp with time zone NOT NULL,
    key_id text NOT NULL,
    signature bytea NOT NULL
);

ALTER TABLE ONLY warden_private.seal_checkpoints FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE seal_checkpoints; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.seal_checkpoints IS 'Signed checkpoints: (tenant, sequence range, head hash, time) signed with Ed25519 by the sealer; the private key is never in the database.';

--
-- Name: COLUMN seal_checkpoints.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_checkpoints.tenant_key IS 'The tenant (zero uuid for events outside any tenant).';

--
-- Name: COLUMN seal_checkpoints.first_seq; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_checkpoints.first_seq IS 'First sequence number covered by this checkpoint.';

--
-- Name: COLUMN seal_checkpoints.last_seq; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_checkpoints.last_seq IS 'Last sequence number covered.';

--
-- Name: COLUMN seal_checkpoints.head_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_checkpoints.head_hash IS 'Chain hash after last_seq.';

--
-- Name: COLUMN seal_checkpoints.signed_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_checkpoints.signed_at IS 'When it was signed.';

--
-- Name: COLUMN seal_checkpoints.key_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_checkpoints.key_id IS 'Fingerprint of the signing key (first 16 hex of sha256 of its public key).';

--
-- Name: COLUMN seal_checkpoints.signature; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_checkpoints.signature IS 'Ed25519 signature of the checkpoint message (see src/audit/checkpoint.ts).';

--
-- Name: seal_heads; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.seal_heads (
    tenant_key uuid NOT NULL,
    last_seq bigint NOT NULL,
    head_hash bytea NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY warden_private.seal_heads FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE seal_heads; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.seal_heads IS 'Head of each tenant''s hash chain.';

--
-- Name: COLUMN seal_heads.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_heads.tenant_key IS 'The tenant (zero uuid for events outside any tenant).';

--
-- Name: COLUMN seal_heads.last_seq; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_heads.last_seq IS 'Sequence number of the last sealed event.';

--
-- Name: COLUMN seal_heads.head_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_heads.head_hash IS 'Chain hash after the last sealed event.';

--
-- Name: COLUMN seal_heads.updated_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_heads.updated_at IS 'When the head last moved.';

--
-- Name: seal_state; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.seal_state (
    id boolean DEFAULT true NOT NULL,
    watermark bigint DEFAULT 0 NOT NULL,
    last_run_at timestamp with time zone,
    last_sealed bigint DEFAULT 0 NOT NULL,
    CONSTRAINT seal_state_id_check CHECK (id)
);

ALTER TABLE ONLY warden_private.seal_state FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE seal_state; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.seal_state IS 'Sealer progress: every transaction id below watermark has been sealed.';

--
-- Name: COLUMN seal_state.id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_state.id IS 'Always true: one row.';

--
-- Name: COLUMN seal_state.watermark; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_state.watermark IS 'Transaction ids below this are sealed (the xmin horizon of the last pass).';

--
-- Name: COLUMN seal_state.last_run_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_state.last_run_at IS 'When the last sealing pass committed.';

--
-- Name: COLUMN seal_state.last_sealed; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.seal_state.last_sealed IS 'Events sealed by the last pass.';

--
-- Name: soft_delete_tables; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.soft_delete_tables (
    target regclass NOT NULL,
    tenant_column text,
    purge_after interval,
    rls_enabled_by_warden boolean DEFAULT false NOT NULL,
    enabled_at timestamp with time zone DEFAULT now() NOT NULL,
    enabled_by text DEFAULT SESSION_USER NOT NULL,
    CONSTRAINT soft_delete_tables_purge_after_check CHECK ((purge_after >= '00:00:00'::interval))
);

ALTER TABLE ONLY warden_private.soft_delete_tables FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE soft_delete_tables; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.soft_delete_tables IS 'Tables with soft delete enabled (warden.enable_soft_delete) and how long soft-deleted rows are kept.';

--
-- Name: COLUMN soft_delete_tables.target; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.soft_delete_tables.target IS 'The table.';

--
-- Name: COLUMN soft_delete_tables.tenant_column; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.soft_delete_tables.tenant_column IS 'Column holding the row''s tenant (for the tenant of audit events); null when the table has none.';

--
-- Name: COLUMN soft_delete_tables.purge_after; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.soft_delete_tables.purge_after IS 'How long a soft-deleted row is kept before the worker purges it; null: the worker''s default (SOFT_DELETE_PURGE_DAYS, 30 days).';

--
-- Name: COLUMN soft_delete_tables.rls_enabled_by_warden; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.soft_delete_tables.rls_enabled_by_warden IS 'True when enable_soft_delete turned row-level security on (disable_soft_delete turns it off again).';

--
-- Name: COLUMN soft_delete_tables.enabled_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.soft_delete_tables.enabled_at IS 'When soft delete was (last) enabled.';

--
-- Name: COLUMN soft_delete_tables.enabled_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.soft_delete_tables.enabled_by IS 'Database role that enabled it.';

--
-- Name: suspect_acknowledgements; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.suspect_acknowledgements (
    event_id uuid NOT NULL,
    reason text NOT NULL,
    acknowledged_by jsonb NOT NULL,
    acknowledged_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT suspect_acknowledgements_reason_check CHECK (((length(btrim(reason)) >= 1) AND (length(btrim(reason)) <= 1000)))
);

ALTER TABLE ONLY warden_private.suspect_acknowledgements FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE suspect_acknowledgements; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.suspect_acknowledgements IS 'Suspect events an operator reviewed and acknowledged (warden.acknowledge_suspect_events): verify reports them but no longer fails. Append-only.';

--
-- Name: COLUMN suspect_acknowledgements.event_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_acknowledgements.event_id IS 'The suspect event.';

--
-- Name: COLUMN suspect_acknowledgements.reason; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_acknowledgements.reason IS 'Why it was acknowledged (1 to 1000 characters).';

--
-- Name: COLUMN suspect_acknowledgements.acknowledged_by; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_acknowledgements.acknowledged_by IS 'Who acknowledged it (warden.current_actor()).';

--
-- Name: COLUMN suspect_acknowledgements.acknowledged_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_acknowledgements.acknowledged_at IS 'When.';

--
-- Name: suspect_events; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.suspect_events (
    event_id uuid NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    recorded_at timestamp with time zone NOT NULL,
    tenant_id uuid,
    txid bigint NOT NULL,
    reason text NOT NULL,
    window_earliest timestamp with time zone NOT NULL,
    window_latest timestamp with time zone NOT NULL,
    flagged_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT suspect_events_reason_check CHECK ((reason = ANY (ARRAY['backdated'::text, 'future_dated'::text])))
);

ALTER TABLE ONLY warden_private.suspect_events FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE suspect_events; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.suspect_events IS 'Events the sealer refused to seal: dated outside their tenant''s occurred_at window when sealed, without the backfill marker ingest sets. They stay in the store, unsealed, and verify reports them as suspect. Append-only.';

--
-- Name: COLUMN suspect_events.event_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.event_id IS 'The event (in warden.audit_events).';

--
-- Name: COLUMN suspect_events.occurred_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.occurred_at IS 'Its occurred_at.';

--
-- Name: COLUMN suspect_events.recorded_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.recorded_at IS 'Its recorded_at (when the writer says it stored it).';

--
-- Name: COLUMN suspect_events.tenant_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.tenant_id IS 'Its tenant.';

--
-- Name: COLUMN suspect_events.txid; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.txid IS 'The transaction that wrote it.';

--
-- Name: COLUMN suspect_events.reason; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.reason IS 'backdated (earlier than the window) or future_dated (later).';

--
-- Name: COLUMN suspect_events.window_earliest; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.window_earliest IS 'The tenant''s window when it was flagged: earliest.';

--
-- Name: COLUMN suspect_events.window_latest; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.window_latest IS 'The tenant''s window when it was flagged: latest.';

--
-- Name: COLUMN suspect_events.flagged_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.suspect_events.flagged_at IS 'When the sealer set it aside.';

--
-- Name: tenant_hash_keys; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.tenant_hash_keys (
    tenant_key uuid NOT NULL,
    inner_key bytea NOT NULL,
    outer_key bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY warden_private.tenant_hash_keys FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE tenant_hash_keys; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.tenant_hash_keys IS 'Per-tenant HMAC key, stored pre-padded (key xor ipad, key xor opad).';

--
-- Name: COLUMN tenant_hash_keys.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.tenant_hash_keys.tenant_key IS 'The tenant (the zero uuid for events outside any tenant).';

--
-- Name: COLUMN tenant_hash_keys.inner_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.tenant_hash_keys.inner_key IS 'Key xor 0x36 repeated (64 bytes).';

--
-- Name: COLUMN tenant_hash_keys.outer_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.tenant_hash_keys.outer_key IS 'Key xor 0x5c repeated (64 bytes).';

--
-- Name: COLUMN tenant_hash_keys.created_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.tenant_hash_keys.created_at IS 'When the key was made.';

--
-- Name: tenant_invitation_secrets; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.tenant_invitation_secrets (
    invitation_id uuid NOT NULL,
    token_hash bytea NOT NULL
);

ALTER TABLE ONLY warden_private.tenant_invitation_secrets FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE tenant_invitation_secrets; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.tenant_invitation_secrets IS 'SHA-256 of each invitation token; the token itself is never stored.';

--
-- Name: COLUMN tenant_invitation_secrets.invitation_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.tenant_invitation_secrets.invitation_id IS 'The invitation.';

--
-- Name: COLUMN tenant_invitation_secrets.token_hash; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.tenant_invitation_secrets.token_hash IS 'sha256 of the full token string.';

--
-- Name: user_identities; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.user_identities (
    provider_id uuid NOT NULL,
    subject text NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_identities_subject_check CHECK (((length(subject) >= 1) AND (length(subject) <= 1024)))
);

ALTER TABLE ONLY warden_private.user_identities FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE user_identities; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.user_identities IS 'Which Warden user a provider''s subject (sub claim) is, for providers that map by sub.';

--
-- Name: COLUMN user_identities.provider_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.user_identities.provider_id IS 'The identity provider.';

--
-- Name: COLUMN user_identities.subject; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.user_identities.subject IS 'The provider''s sub claim.';

--
-- Name: COLUMN user_identities.user_id; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.user_identities.user_id IS 'The Warden user.';

--
-- Name: COLUMN user_identities.created_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.user_identities.created_at IS 'When the subject was first seen.';

--
-- Name: verify_positions; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.verify_positions (
    tenant_key uuid NOT NULL,
    verified_seq bigint DEFAULT 0 NOT NULL,
    verified_head bytea DEFAULT '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea NOT NULL,
    verified_watermark bigint DEFAULT 0 NOT NULL,
    last_success_at timestamp with time zone,
    last_failure_at timestamp with time zone,
    last_failure jsonb,
    failures bigint DEFAULT 0 NOT NULL,
    CONSTRAINT verify_positions_check CHECK (((verified_seq >= 0) AND (length(verified_head) = 32) AND (failures >= 0)))
);

ALTER TABLE ONLY warden_private.verify_positions FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE verify_positions; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.verify_positions IS 'Per tenant: how far the scheduled verification (task verify_audit_trail) has verified the chain, and its outcome. The next run starts from verified_seq (a signed checkpoint whose head must still be verified_head). /metrics exports warden_verify_last_success_timestamp_seconds{tenant} and warden_verify_failures_total from it.';

--
-- Name: COLUMN verify_positions.tenant_key; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.tenant_key IS 'The tenant (zero uuid for events outside any tenant).';

--
-- Name: COLUMN verify_positions.verified_seq; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.verified_seq IS 'The chain is verified up to this sequence number (the last_seq of a signed checkpoint).';

--
-- Name: COLUMN verify_positions.verified_head; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.verified_head IS 'The chain hash at verified_seq.';

--
-- Name: COLUMN verify_positions.verified_watermark; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.verified_watermark IS 'The sealing watermark when it was verified: events of later transactions are checked for insertion next time.';

--
-- Name: COLUMN verify_positions.last_success_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.last_success_at IS 'When a run last verified the tenant without a finding.';

--
-- Name: COLUMN verify_positions.last_failure_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.last_failure_at IS 'When a run last found a problem.';

--
-- Name: COLUMN verify_positions.last_failure; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.last_failure IS 'What it found (status, first_bad, truncated range).';

--
-- Name: COLUMN verify_positions.failures; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.verify_positions.failures IS 'Runs that found a problem, in total.';

--
-- Name: worker_heartbeats; Type: TABLE; Schema: warden_private; Owner: -
--

CREATE TABLE warden_private.worker_heartbeats (
    task text NOT NULL,
    runs bigint DEFAULT 0 NOT NULL,
    last_run_at timestamp with time zone DEFAULT now() NOT NULL,
    last_payload jsonb
);

ALTER TABLE ONLY warden_private.worker_heartbeats FORCE ROW LEVEL SECURITY;

--
-- Name: TABLE worker_heartbeats; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON TABLE warden_private.worker_heartbeats IS 'One row per task that reports liveness: how often and when it last ran.';

--
-- Name: COLUMN worker_heartbeats.task; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.worker_heartbeats.task IS 'Task identifier.';

--
-- Name: COLUMN worker_heartbeats.runs; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.worker_heartbeats.runs IS 'How many times the task has run.';

--
-- Name: COLUMN worker_heartbeats.last_run_at; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.worker_heartbeats.last_run_at IS 'When it last ran.';

--
-- Name: COLUMN worker_heartbeats.last_payload; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON COLUMN warden_private.worker_heartbeats.last_payload IS 'The payload of its last run.';

--
-- Name: audit_events_default; Type: TABLE ATTACH; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden.audit_events ATTACH PARTITION warden_private.audit_events_default DEFAULT;

--
-- Name: dq_results_default; Type: TABLE ATTACH; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden.dq_results ATTACH PARTITION warden_private.dq_results_default DEFAULT;

--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

--
-- Name: api_keys api_keys_prefix_key; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.api_keys
    ADD CONSTRAINT api_keys_prefix_key UNIQUE (prefix);

--
-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (event_id, occurred_at);

--
-- Name: dq_enforcements dq_enforcements_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_enforcements
    ADD CONSTRAINT dq_enforcements_pkey PRIMARY KEY (tenant_id, target);

--
-- Name: dq_results dq_results_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_results
    ADD CONSTRAINT dq_results_pkey PRIMARY KEY (id, run_at);

--
-- Name: dq_rules dq_rules_name_unique; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_rules
    ADD CONSTRAINT dq_rules_name_unique UNIQUE (tenant_id, target, name);

--
-- Name: CONSTRAINT dq_rules_name_unique ON dq_rules; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON CONSTRAINT dq_rules_name_unique ON warden.dq_rules IS '@behavior -single -update -delete
One rule of a name per tenant and target.';

--
-- Name: dq_rules dq_rules_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_rules
    ADD CONSTRAINT dq_rules_pkey PRIMARY KEY (id);

--
-- Name: dq_runs dq_runs_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_runs
    ADD CONSTRAINT dq_runs_pkey PRIMARY KEY (id);

--
-- Name: identity_providers identity_providers_issuer_audience_key; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.identity_providers
    ADD CONSTRAINT identity_providers_issuer_audience_key UNIQUE (issuer, audience);

--
-- Name: CONSTRAINT identity_providers_issuer_audience_key ON identity_providers; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON CONSTRAINT identity_providers_issuer_audience_key ON warden.identity_providers IS '@behavior -single -update -delete
One (issuer, audience) pair is trusted by one tenant only: a token names the tenant it acts in through them.';

--
-- Name: identity_providers identity_providers_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.identity_providers
    ADD CONSTRAINT identity_providers_pkey PRIMARY KEY (id);

--
-- Name: identity_providers identity_providers_tenant_id_name_key; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.identity_providers
    ADD CONSTRAINT identity_providers_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: CONSTRAINT identity_providers_tenant_id_name_key ON identity_providers; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON CONSTRAINT identity_providers_tenant_id_name_key ON warden.identity_providers IS '@behavior -single -update -delete
Provider names are unique within a tenant.';

--
-- Name: project_members project_members_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.project_members
    ADD CONSTRAINT project_members_pkey PRIMARY KEY (id);

--
-- Name: project_members project_members_project_id_user_id_key; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.project_members
    ADD CONSTRAINT project_members_project_id_user_id_key UNIQUE (project_id, user_id);

--
-- Name: projects projects_id_tenant_id_key; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.projects
    ADD CONSTRAINT projects_id_tenant_id_key UNIQUE (id, tenant_id);

--
-- Name: CONSTRAINT projects_id_tenant_id_key ON projects; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON CONSTRAINT projects_id_tenant_id_key ON warden.projects IS '@behavior -single -update -delete
Lets project members reference (project, tenant) so a member row can never point across tenants.';

--
-- Name: projects projects_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);

--
-- Name: projects projects_tenant_id_name_key; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.projects
    ADD CONSTRAINT projects_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: redaction_policies redaction_policies_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.redaction_policies
    ADD CONSTRAINT redaction_policies_pkey PRIMARY KEY (tenant_id);

--
-- Name: tenant_invitations tenant_invitations_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenant_invitations
    ADD CONSTRAINT tenant_invitations_pkey PRIMARY KEY (id);

--
-- Name: tenant_memberships tenant_memberships_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenant_memberships
    ADD CONSTRAINT tenant_memberships_pkey PRIMARY KEY (id);

--
-- Name: tenant_memberships tenant_memberships_tenant_id_user_id_key; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenant_memberships
    ADD CONSTRAINT tenant_memberships_tenant_id_user_id_key UNIQUE (tenant_id, user_id);

--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);

--
-- Name: user_sessions user_sessions_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.user_sessions
    ADD CONSTRAINT user_sessions_pkey PRIMARY KEY (id);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: api_key_secrets api_key_secrets_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.api_key_secrets
    ADD CONSTRAINT api_key_secrets_pkey PRIMARY KEY (api_key_id);

--
-- Name: audit_events_default audit_events_default_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.audit_events_default
    ADD CONSTRAINT audit_events_default_pkey PRIMARY KEY (event_id, occurred_at);

--
-- Name: audited_schemas audited_schemas_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.audited_schemas
    ADD CONSTRAINT audited_schemas_pkey PRIMARY KEY (schema_name);

--
-- Name: audited_tables audited_tables_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.audited_tables
    ADD CONSTRAINT audited_tables_pkey PRIMARY KEY (id);

--
-- Name: capture_ingest_counts capture_ingest_counts_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_ingest_counts
    ADD CONSTRAINT capture_ingest_counts_pkey PRIMARY KEY (service, operation);

--
-- Name: capture_ingest_tally capture_ingest_tally_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_ingest_tally
    ADD CONSTRAINT capture_ingest_tally_pkey PRIMARY KEY (id);

--
-- Name: capture_round_parts capture_round_parts_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_round_parts
    ADD CONSTRAINT capture_round_parts_pkey PRIMARY KEY (round_id, part);

--
-- Name: capture_rounds capture_rounds_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_rounds
    ADD CONSTRAINT capture_rounds_pkey PRIMARY KEY (id);

--
-- Name: capture_state capture_state_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_state
    ADD CONSTRAINT capture_state_pkey PRIMARY KEY (id);

--
-- Name: capture_versions capture_versions_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_versions
    ADD CONSTRAINT capture_versions_pkey PRIMARY KEY (table_id, version);

--
-- Name: checkpoint_anchors checkpoint_anchors_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.checkpoint_anchors
    ADD CONSTRAINT checkpoint_anchors_pkey PRIMARY KEY (sink, tenant_key);

--
-- Name: context_commit_checks context_commit_checks_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.context_commit_checks
    ADD CONSTRAINT context_commit_checks_pkey PRIMARY KEY (backend_pid);

--
-- Name: dq_results_default dq_results_default_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.dq_results_default
    ADD CONSTRAINT dq_results_default_pkey PRIMARY KEY (id, run_at);

--
-- Name: dq_schedule_state dq_schedule_state_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.dq_schedule_state
    ADD CONSTRAINT dq_schedule_state_pkey PRIMARY KEY (rule_id);

--
-- Name: erasure_record_signatures erasure_record_signatures_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.erasure_record_signatures
    ADD CONSTRAINT erasure_record_signatures_pkey PRIMARY KEY (event_id, erased_payload_hash, key_id);

--
-- Name: erasure_records erasure_records_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.erasure_records
    ADD CONSTRAINT erasure_records_pkey PRIMARY KEY (event_id, erased_payload_hash);

--
-- Name: erasures erasures_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.erasures
    ADD CONSTRAINT erasures_pkey PRIMARY KEY (erasure_id);

--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, credential, idempotency_key);

--
-- Name: legal_holds legal_holds_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.legal_holds
    ADD CONSTRAINT legal_holds_pkey PRIMARY KEY (id);

--
-- Name: occurred_at_windows occurred_at_windows_one_per_tenant; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.occurred_at_windows
    ADD CONSTRAINT occurred_at_windows_one_per_tenant UNIQUE NULLS NOT DISTINCT (tenant_id);

--
-- Name: prune_record_signatures prune_record_signatures_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.prune_record_signatures
    ADD CONSTRAINT prune_record_signatures_pkey PRIMARY KEY (record_id);

--
-- Name: prune_records prune_records_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.prune_records
    ADD CONSTRAINT prune_records_pkey PRIMARY KEY (id);

--
-- Name: redaction_counts redaction_counts_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.redaction_counts
    ADD CONSTRAINT redaction_counts_pkey PRIMARY KEY (mode, method, shard);

--
-- Name: retention_policies retention_policies_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.retention_policies
    ADD CONSTRAINT retention_policies_pkey PRIMARY KEY (id);

--
-- Name: retention_policies retention_policies_unique; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.retention_policies
    ADD CONSTRAINT retention_policies_unique UNIQUE NULLS NOT DISTINCT (tenant_id, event_type_pattern);

--
-- Name: retention_state retention_state_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.retention_state
    ADD CONSTRAINT retention_state_pkey PRIMARY KEY (id);

--
-- Name: seal_blocks seal_blocks_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.seal_blocks
    ADD CONSTRAINT seal_blocks_pkey PRIMARY KEY (tenant_key, first_seq);

--
-- Name: seal_checkpoints seal_checkpoints_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.seal_checkpoints
    ADD CONSTRAINT seal_checkpoints_pkey PRIMARY KEY (tenant_key, last_seq);

--
-- Name: seal_heads seal_heads_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.seal_heads
    ADD CONSTRAINT seal_heads_pkey PRIMARY KEY (tenant_key);

--
-- Name: seal_state seal_state_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.seal_state
    ADD CONSTRAINT seal_state_pkey PRIMARY KEY (id);

--
-- Name: soft_delete_tables soft_delete_tables_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.soft_delete_tables
    ADD CONSTRAINT soft_delete_tables_pkey PRIMARY KEY (target);

--
-- Name: suspect_acknowledgements suspect_acknowledgements_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.suspect_acknowledgements
    ADD CONSTRAINT suspect_acknowledgements_pkey PRIMARY KEY (event_id);

--
-- Name: suspect_events suspect_events_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.suspect_events
    ADD CONSTRAINT suspect_events_pkey PRIMARY KEY (event_id);

--
-- Name: tenant_hash_keys tenant_hash_keys_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.tenant_hash_keys
    ADD CONSTRAINT tenant_hash_keys_pkey PRIMARY KEY (tenant_key);

--
-- Name: tenant_invitation_secrets tenant_invitation_secrets_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.tenant_invitation_secrets
    ADD CONSTRAINT tenant_invitation_secrets_pkey PRIMARY KEY (invitation_id);

--
-- Name: tenant_invitation_secrets tenant_invitation_secrets_token_hash_key; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.tenant_invitation_secrets
    ADD CONSTRAINT tenant_invitation_secrets_token_hash_key UNIQUE (token_hash);

--
-- Name: user_identities user_identities_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.user_identities
    ADD CONSTRAINT user_identities_pkey PRIMARY KEY (provider_id, subject);

--
-- Name: verify_positions verify_positions_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.verify_positions
    ADD CONSTRAINT verify_positions_pkey PRIMARY KEY (tenant_key);

--
-- Name: worker_heartbeats worker_heartbeats_pkey; Type: CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.worker_heartbeats
    ADD CONSTRAINT worker_heartbeats_pkey PRIMARY KEY (task);

--
-- Name: api_keys_created_by_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX api_keys_created_by_idx ON warden.api_keys USING btree (created_by);

--
-- Name: api_keys_tenant_id_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX api_keys_tenant_id_idx ON warden.api_keys USING btree (tenant_id);

--
-- Name: audit_events_actor_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_actor_idx ON ONLY warden.audit_events USING btree (tenant_id, actor_id, occurred_at);

--
-- Name: audit_events_correlation_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_correlation_idx ON ONLY warden.audit_events USING btree (tenant_id, correlation_id) WHERE (correlation_id IS NOT NULL);

--
-- Name: audit_events_data_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_data_idx ON ONLY warden.audit_events USING gin (event_data jsonb_path_ops) WHERE (event_data IS NOT NULL);

--
-- Name: audit_events_outcome_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_outcome_idx ON ONLY warden.audit_events USING btree (tenant_id, outcome, occurred_at) WHERE (outcome <> 'success'::warden.audit_outcome);

--
-- Name: audit_events_resource_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_resource_idx ON ONLY warden.audit_events USING btree (tenant_id, resource_type, resource_id, occurred_at);

--
-- Name: audit_events_tenant_time_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_tenant_time_idx ON ONLY warden.audit_events USING btree (tenant_id, occurred_at, event_id);

--
-- Name: INDEX audit_events_tenant_time_idx; Type: COMMENT; Schema: warden; Owner: -
--

COMMENT ON INDEX warden.audit_events_tenant_time_idx IS 'Tenant timeline in the exact order of audit reads (occurred_at, event_id): first pages, keyset cursor pages and exports.';

--
-- Name: audit_events_trace_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_trace_idx ON ONLY warden.audit_events USING btree (tenant_id, trace_id) WHERE (trace_id IS NOT NULL);

--
-- Name: audit_events_txid_brin; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_txid_brin ON ONLY warden.audit_events USING brin (txid) WITH (pages_per_range='16');

--
-- Name: audit_events_type_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX audit_events_type_idx ON ONLY warden.audit_events USING btree (tenant_id, event_type, occurred_at);

--
-- Name: dq_results_rule_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX dq_results_rule_idx ON ONLY warden.dq_results USING btree (rule_id, run_at);

--
-- Name: dq_results_run_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX dq_results_run_idx ON ONLY warden.dq_results USING btree (run_id);

--
-- Name: dq_results_tenant_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX dq_results_tenant_idx ON ONLY warden.dq_results USING btree (tenant_id, run_at);

--
-- Name: dq_rules_target_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX dq_rules_target_idx ON warden.dq_rules USING btree (target);

--
-- Name: dq_runs_tenant_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX dq_runs_tenant_idx ON warden.dq_runs USING btree (tenant_id, requested_at);

--
-- Name: identity_providers_created_by_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX identity_providers_created_by_idx ON warden.identity_providers USING btree (created_by);

--
-- Name: identity_providers_tenant_id_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX identity_providers_tenant_id_idx ON warden.identity_providers USING btree (tenant_id);

--
-- Name: project_members_tenant_user_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX project_members_tenant_user_idx ON warden.project_members USING btree (tenant_id, user_id);

--
-- Name: projects_created_by_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX projects_created_by_idx ON warden.projects USING btree (created_by);

--
-- Name: tenant_invitations_accepted_by_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX tenant_invitations_accepted_by_idx ON warden.tenant_invitations USING btree (accepted_by);

--
-- Name: tenant_invitations_email_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX tenant_invitations_email_idx ON warden.tenant_invitations USING btree (tenant_id, lower(email));

--
-- Name: tenant_invitations_tenant_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX tenant_invitations_tenant_idx ON warden.tenant_invitations USING btree (tenant_id, created_at);

--
-- Name: tenant_memberships_user_id_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX tenant_memberships_user_id_idx ON warden.tenant_memberships USING btree (user_id);

--
-- Name: user_sessions_ended_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX user_sessions_ended_idx ON warden.user_sessions USING btree (LEAST(COALESCE(revoked_at, expires_at), expires_at));

--
-- Name: user_sessions_tenant_user_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX user_sessions_tenant_user_idx ON warden.user_sessions USING btree (tenant_id, user_id, created_at DESC);

--
-- Name: user_sessions_user_id_idx; Type: INDEX; Schema: warden; Owner: -
--

CREATE INDEX user_sessions_user_id_idx ON warden.user_sessions USING btree (user_id);

--
-- Name: users_email_key; Type: INDEX; Schema: warden; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON warden.users USING btree (lower(email));

--
-- Name: audit_events_default_event_data_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_event_data_idx ON warden_private.audit_events_default USING gin (event_data jsonb_path_ops) WHERE (event_data IS NOT NULL);

--
-- Name: audit_events_default_tenant_id_actor_id_occurred_at_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_tenant_id_actor_id_occurred_at_idx ON warden_private.audit_events_default USING btree (tenant_id, actor_id, occurred_at);

--
-- Name: audit_events_default_tenant_id_correlation_id_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_tenant_id_correlation_id_idx ON warden_private.audit_events_default USING btree (tenant_id, correlation_id) WHERE (correlation_id IS NOT NULL);

--
-- Name: audit_events_default_tenant_id_event_type_occurred_at_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_tenant_id_event_type_occurred_at_idx ON warden_private.audit_events_default USING btree (tenant_id, event_type, occurred_at);

--
-- Name: audit_events_default_tenant_id_occurred_at_event_id_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_tenant_id_occurred_at_event_id_idx ON warden_private.audit_events_default USING btree (tenant_id, occurred_at, event_id);

--
-- Name: audit_events_default_tenant_id_outcome_occurred_at_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_tenant_id_outcome_occurred_at_idx ON warden_private.audit_events_default USING btree (tenant_id, outcome, occurred_at) WHERE (outcome <> 'success'::warden.audit_outcome);

--
-- Name: audit_events_default_tenant_id_resource_type_resource_id_oc_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_tenant_id_resource_type_resource_id_oc_idx ON warden_private.audit_events_default USING btree (tenant_id, resource_type, resource_id, occurred_at);

--
-- Name: audit_events_default_tenant_id_trace_id_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_tenant_id_trace_id_idx ON warden_private.audit_events_default USING btree (tenant_id, trace_id) WHERE (trace_id IS NOT NULL);

--
-- Name: audit_events_default_txid_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX audit_events_default_txid_idx ON warden_private.audit_events_default USING brin (txid) WITH (pages_per_range='16');

--
-- Name: audited_tables_relid_key; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE UNIQUE INDEX audited_tables_relid_key ON warden_private.audited_tables USING btree (relid) WHERE (dropped_at IS NULL);

--
-- Name: dq_results_default_rule_id_run_at_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX dq_results_default_rule_id_run_at_idx ON warden_private.dq_results_default USING btree (rule_id, run_at);

--
-- Name: dq_results_default_run_id_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX dq_results_default_run_id_idx ON warden_private.dq_results_default USING btree (run_id);

--
-- Name: dq_results_default_tenant_id_run_at_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX dq_results_default_tenant_id_run_at_idx ON warden_private.dq_results_default USING btree (tenant_id, run_at);

--
-- Name: erasure_records_erasure_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX erasure_records_erasure_idx ON warden_private.erasure_records USING btree (erasure_id);

--
-- Name: erasure_records_tenant_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX erasure_records_tenant_idx ON warden_private.erasure_records USING btree (tenant_key);

--
-- Name: legal_holds_active; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX legal_holds_active ON warden_private.legal_holds USING btree (tenant_id) WHERE (released_at IS NULL);

--
-- Name: user_identities_user_id_idx; Type: INDEX; Schema: warden_private; Owner: -
--

CREATE INDEX user_identities_user_id_idx ON warden_private.user_identities USING btree (user_id);

--
-- Name: audit_events_default_event_data_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_data_idx ATTACH PARTITION warden_private.audit_events_default_event_data_idx;

--
-- Name: audit_events_default_pkey; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_pkey ATTACH PARTITION warden_private.audit_events_default_pkey;

--
-- Name: audit_events_default_tenant_id_actor_id_occurred_at_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_actor_idx ATTACH PARTITION warden_private.audit_events_default_tenant_id_actor_id_occurred_at_idx;

--
-- Name: audit_events_default_tenant_id_correlation_id_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_correlation_idx ATTACH PARTITION warden_private.audit_events_default_tenant_id_correlation_id_idx;

--
-- Name: audit_events_default_tenant_id_event_type_occurred_at_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_type_idx ATTACH PARTITION warden_private.audit_events_default_tenant_id_event_type_occurred_at_idx;

--
-- Name: audit_events_default_tenant_id_occurred_at_event_id_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_tenant_time_idx ATTACH PARTITION warden_private.audit_events_default_tenant_id_occurred_at_event_id_idx;

--
-- Name: audit_events_default_tenant_id_outcome_occurred_at_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_outcome_idx ATTACH PARTITION warden_private.audit_events_default_tenant_id_outcome_occurred_at_idx;

--
-- Name: audit_events_default_tenant_id_resource_type_resource_id_oc_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_resource_idx ATTACH PARTITION warden_private.audit_events_default_tenant_id_resource_type_resource_id_oc_idx;

--
-- Name: audit_events_default_tenant_id_trace_id_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_trace_idx ATTACH PARTITION warden_private.audit_events_default_tenant_id_trace_id_idx;

--
-- Name: audit_events_default_txid_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.audit_events_txid_brin ATTACH PARTITION warden_private.audit_events_default_txid_idx;

--
-- Name: dq_results_default_pkey; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.dq_results_pkey ATTACH PARTITION warden_private.dq_results_default_pkey;

--
-- Name: dq_results_default_rule_id_run_at_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.dq_results_rule_idx ATTACH PARTITION warden_private.dq_results_default_rule_id_run_at_idx;

--
-- Name: dq_results_default_run_id_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.dq_results_run_idx ATTACH PARTITION warden_private.dq_results_default_run_id_idx;

--
-- Name: dq_results_default_tenant_id_run_at_idx; Type: INDEX ATTACH; Schema: warden_private; Owner: -
--

ALTER INDEX warden.dq_results_tenant_idx ATTACH PARTITION warden_private.dq_results_default_tenant_id_run_at_idx;

--
-- Name: audit_events _010_append_only; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden.audit_events FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: audit_events _010_append_only_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _010_append_only_truncate BEFORE TRUNCATE ON warden.audit_events FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: identity_providers _100_timestamps; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON warden.identity_providers FOR EACH ROW EXECUTE FUNCTION warden_private.tg__timestamps();

--
-- Name: projects _100_timestamps; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON warden.projects FOR EACH ROW EXECUTE FUNCTION warden_private.tg__timestamps();

--
-- Name: tenants _100_timestamps; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON warden.tenants FOR EACH ROW EXECUTE FUNCTION warden_private.tg__timestamps();

--
-- Name: users _100_timestamps; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON warden.users FOR EACH ROW EXECUTE FUNCTION warden_private.tg__timestamps();

--
-- Name: dq_rules _100_validate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _100_validate BEFORE INSERT OR UPDATE ON warden.dq_rules FOR EACH ROW EXECUTE FUNCTION warden_private.tg_dq_rules_validate();

--
-- Name: api_keys _200_guard; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _200_guard BEFORE UPDATE ON warden.api_keys FOR EACH ROW EXECUTE FUNCTION warden_private.tg_api_keys__guard();

--
-- Name: user_sessions _200_guard; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _200_guard BEFORE UPDATE ON warden.user_sessions FOR EACH ROW EXECUTE FUNCTION warden_private.tg_user_sessions__guard();

--
-- Name: tenant_memberships _200_owner_guard; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _200_owner_guard BEFORE DELETE OR UPDATE ON warden.tenant_memberships FOR EACH ROW EXECUTE FUNCTION warden_private.tg_tenant_memberships__owner_guard();

--
-- Name: projects _500_add_creator; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _500_add_creator AFTER INSERT ON warden.projects FOR EACH ROW EXECUTE FUNCTION warden_private.tg_projects__add_creator();

--
-- Name: tenant_memberships _800_keep_owner; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _800_keep_owner AFTER DELETE OR UPDATE ON warden.tenant_memberships FOR EACH ROW EXECUTE FUNCTION warden_private.tg_tenant_memberships__keep_owner();

--
-- Name: api_keys _850_governance; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _850_governance AFTER INSERT OR UPDATE ON warden.api_keys FOR EACH ROW EXECUTE FUNCTION warden_private.tg_api_keys__governance();

--
-- Name: identity_providers _850_governance; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _850_governance AFTER INSERT OR DELETE OR UPDATE ON warden.identity_providers FOR EACH ROW EXECUTE FUNCTION warden_private.tg_identity_providers__governance();

--
-- Name: tenant_memberships _850_governance; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _850_governance AFTER INSERT OR DELETE OR UPDATE ON warden.tenant_memberships FOR EACH ROW EXECUTE FUNCTION warden_private.tg_tenant_memberships__governance();

--
-- Name: user_sessions _850_governance; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _850_governance AFTER INSERT OR UPDATE ON warden.user_sessions FOR EACH ROW EXECUTE FUNCTION warden_private.tg_user_sessions__governance();

--
-- Name: dq_rules _900_audit; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON warden.dq_rules FOR EACH ROW EXECUTE FUNCTION warden_private.tg_dq_rules_audit();

--
-- Name: api_keys _900_audit_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_delete AFTER DELETE ON warden.api_keys REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_6_v2();

--
-- Name: project_members _900_audit_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_delete AFTER DELETE ON warden.project_members REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_5_v1();

--
-- Name: projects _900_audit_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_delete AFTER DELETE ON warden.projects REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_4_v1();

--
-- Name: tenant_invitations _900_audit_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_delete AFTER DELETE ON warden.tenant_invitations REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_7_v1();

--
-- Name: tenant_memberships _900_audit_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_delete AFTER DELETE ON warden.tenant_memberships REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_3_v1();

--
-- Name: tenants _900_audit_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_delete AFTER DELETE ON warden.tenants REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_1_v1();

--
-- Name: users _900_audit_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_delete AFTER DELETE ON warden.users REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_2_v1();

--
-- Name: api_keys _900_audit_insert; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_insert AFTER INSERT ON warden.api_keys REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_6_v2();

--
-- Name: project_members _900_audit_insert; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_insert AFTER INSERT ON warden.project_members REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_5_v1();

--
-- Name: projects _900_audit_insert; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_insert AFTER INSERT ON warden.projects REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_4_v1();

--
-- Name: tenant_invitations _900_audit_insert; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_insert AFTER INSERT ON warden.tenant_invitations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_7_v1();

--
-- Name: tenant_memberships _900_audit_insert; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_insert AFTER INSERT ON warden.tenant_memberships REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_3_v1();

--
-- Name: tenants _900_audit_insert; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_insert AFTER INSERT ON warden.tenants REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_1_v1();

--
-- Name: users _900_audit_insert; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_insert AFTER INSERT ON warden.users REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_2_v1();

--
-- Name: api_keys _900_audit_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_truncate BEFORE TRUNCATE ON warden.api_keys FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_6_v2();

--
-- Name: project_members _900_audit_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_truncate BEFORE TRUNCATE ON warden.project_members FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_5_v1();

--
-- Name: projects _900_audit_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_truncate BEFORE TRUNCATE ON warden.projects FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_4_v1();

--
-- Name: tenant_invitations _900_audit_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_truncate BEFORE TRUNCATE ON warden.tenant_invitations FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_7_v1();

--
-- Name: tenant_memberships _900_audit_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_truncate BEFORE TRUNCATE ON warden.tenant_memberships FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_3_v1();

--
-- Name: tenants _900_audit_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_truncate BEFORE TRUNCATE ON warden.tenants FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_1_v1();

--
-- Name: users _900_audit_truncate; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_truncate BEFORE TRUNCATE ON warden.users FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_2_v1();

--
-- Name: api_keys _900_audit_update; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_update AFTER UPDATE ON warden.api_keys REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_6_v2();

--
-- Name: project_members _900_audit_update; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_update AFTER UPDATE ON warden.project_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_5_v1();

--
-- Name: projects _900_audit_update; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_update AFTER UPDATE ON warden.projects REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_4_v1();

--
-- Name: tenant_invitations _900_audit_update; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_update AFTER UPDATE ON warden.tenant_invitations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_7_v1();

--
-- Name: tenant_memberships _900_audit_update; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_update AFTER UPDATE ON warden.tenant_memberships REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_3_v1();

--
-- Name: tenants _900_audit_update; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_update AFTER UPDATE ON warden.tenants REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_1_v1();

--
-- Name: users _900_audit_update; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_audit_update AFTER UPDATE ON warden.users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION warden_private.capture_2_v1();

--
-- Name: api_keys _900_auth_invalidation; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_auth_invalidation AFTER UPDATE ON warden.api_keys FOR EACH ROW WHEN ((((((old.revoked_at IS DISTINCT FROM new.revoked_at) OR (old.expires_at IS DISTINCT FROM new.expires_at)) OR (old.role IS DISTINCT FROM new.role)) OR (old.rate_limit_per_second IS DISTINCT FROM new.rate_limit_per_second)) OR (old.tenant_id IS DISTINCT FROM new.tenant_id))) EXECUTE FUNCTION warden_private.tg__notify_auth_invalidation('api_key');

--
-- Name: tenant_memberships _900_auth_invalidation; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_auth_invalidation AFTER UPDATE ON warden.tenant_memberships FOR EACH ROW WHEN ((((old.role IS DISTINCT FROM new.role) OR (old.tenant_id IS DISTINCT FROM new.tenant_id)) OR (old.user_id IS DISTINCT FROM new.user_id))) EXECUTE FUNCTION warden_private.tg__notify_auth_invalidation('membership');

--
-- Name: user_sessions _900_auth_invalidation; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _900_auth_invalidation AFTER UPDATE ON warden.user_sessions FOR EACH ROW WHEN (((old.revoked_at IS DISTINCT FROM new.revoked_at) OR (old.expires_at IS DISTINCT FROM new.expires_at))) EXECUTE FUNCTION warden_private.tg__notify_auth_invalidation('session');

--
-- Name: api_keys _901_auth_invalidation_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _901_auth_invalidation_delete AFTER DELETE ON warden.api_keys FOR EACH ROW EXECUTE FUNCTION warden_private.tg__notify_auth_invalidation('api_key');

--
-- Name: tenant_memberships _901_auth_invalidation_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _901_auth_invalidation_delete AFTER DELETE ON warden.tenant_memberships FOR EACH ROW EXECUTE FUNCTION warden_private.tg__notify_auth_invalidation('membership');

--
-- Name: user_sessions _901_auth_invalidation_delete; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _901_auth_invalidation_delete AFTER DELETE ON warden.user_sessions FOR EACH ROW WHEN ((old.revoked_at IS NULL)) EXECUTE FUNCTION warden_private.tg__notify_auth_invalidation('session');

--
-- Name: dq_rules _950_sync_enforcement; Type: TRIGGER; Schema: warden; Owner: -
--

CREATE TRIGGER _950_sync_enforcement AFTER INSERT OR DELETE OR UPDATE ON warden.dq_rules FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_dq_rules_sync();

--
-- Name: capture_rows_1_v1_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_1_v1_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_1_v1_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_1_v1_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_2_v1_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_2_v1_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_2_v1_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_2_v1_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_3_v1_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_3_v1_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_3_v1_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_3_v1_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_4_v1_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_4_v1_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_4_v1_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_4_v1_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_5_v1_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_5_v1_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_5_v1_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_5_v1_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_6_v1_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_6_v1_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_6_v1_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_6_v1_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_6_v2_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_6_v2_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_6_v2_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_6_v2_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_7_v1_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_7_v1_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_rows_7_v1_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_rows_7_v1_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_statements_0 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_statements_0 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: capture_statements_1 _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE OR TRUNCATE ON warden_private.capture_statements_1 FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_capture_log_guard();

--
-- Name: erasure_record_signatures _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.erasure_record_signatures FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: erasure_records _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.erasure_records FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: erasures _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.erasures FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: prune_record_signatures _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.prune_record_signatures FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: prune_records _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.prune_records FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: seal_blocks _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.seal_blocks FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: seal_checkpoints _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.seal_checkpoints FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: suspect_acknowledgements _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.suspect_acknowledgements FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: suspect_events _010_append_only; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only BEFORE DELETE OR UPDATE ON warden_private.suspect_events FOR EACH ROW EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: audit_events_default _010_append_only_truncate; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE TRIGGER _010_append_only_truncate BEFORE TRUNCATE ON warden_private.audit_events_default FOR EACH STATEMENT EXECUTE FUNCTION warden_private.tg_audit_append_only();

--
-- Name: context_commit_checks _500_commit_check; Type: TRIGGER; Schema: warden_private; Owner: -
--

CREATE CONSTRAINT TRIGGER _500_commit_check AFTER INSERT OR UPDATE ON warden_private.context_commit_checks DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (new.armed) EXECUTE FUNCTION warden_private.tg_context_commit_check();

--
-- Name: api_keys api_keys_created_by_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.api_keys
    ADD CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (created_by) REFERENCES warden.users(id) ON DELETE SET NULL;

--
-- Name: api_keys api_keys_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.api_keys
    ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: dq_enforcements dq_enforcements_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_enforcements
    ADD CONSTRAINT dq_enforcements_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: dq_rules dq_rules_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_rules
    ADD CONSTRAINT dq_rules_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: dq_runs dq_runs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.dq_runs
    ADD CONSTRAINT dq_runs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: identity_providers identity_providers_created_by_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.identity_providers
    ADD CONSTRAINT identity_providers_created_by_fkey FOREIGN KEY (created_by) REFERENCES warden.users(id) ON DELETE SET NULL;

--
-- Name: identity_providers identity_providers_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.identity_providers
    ADD CONSTRAINT identity_providers_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: project_members project_members_project_id_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.project_members
    ADD CONSTRAINT project_members_project_id_tenant_id_fkey FOREIGN KEY (project_id, tenant_id) REFERENCES warden.projects(id, tenant_id) ON DELETE CASCADE;

--
-- Name: project_members project_members_tenant_id_user_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.project_members
    ADD CONSTRAINT project_members_tenant_id_user_id_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES warden.tenant_memberships(tenant_id, user_id) ON DELETE CASCADE;

--
-- Name: projects projects_created_by_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.projects
    ADD CONSTRAINT projects_created_by_fkey FOREIGN KEY (created_by) REFERENCES warden.users(id) ON DELETE SET NULL;

--
-- Name: projects projects_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.projects
    ADD CONSTRAINT projects_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: redaction_policies redaction_policies_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.redaction_policies
    ADD CONSTRAINT redaction_policies_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: tenant_invitations tenant_invitations_accepted_by_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenant_invitations
    ADD CONSTRAINT tenant_invitations_accepted_by_fkey FOREIGN KEY (accepted_by) REFERENCES warden.users(id) ON DELETE SET NULL;

--
-- Name: tenant_invitations tenant_invitations_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenant_invitations
    ADD CONSTRAINT tenant_invitations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: tenant_memberships tenant_memberships_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenant_memberships
    ADD CONSTRAINT tenant_memberships_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: tenant_memberships tenant_memberships_user_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.tenant_memberships
    ADD CONSTRAINT tenant_memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES warden.users(id) ON DELETE CASCADE;

--
-- Name: user_sessions user_sessions_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.user_sessions
    ADD CONSTRAINT user_sessions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: user_sessions user_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: warden; Owner: -
--

ALTER TABLE ONLY warden.user_sessions
    ADD CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES warden.users(id) ON DELETE CASCADE;

--
-- Name: api_key_secrets api_key_secrets_api_key_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.api_key_secrets
    ADD CONSTRAINT api_key_secrets_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES warden.api_keys(id) ON DELETE CASCADE;

--
-- Name: capture_round_parts capture_round_parts_round_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_round_parts
    ADD CONSTRAINT capture_round_parts_round_id_fkey FOREIGN KEY (round_id) REFERENCES warden_private.capture_rounds(id) ON DELETE CASCADE;

--
-- Name: capture_versions capture_versions_table_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.capture_versions
    ADD CONSTRAINT capture_versions_table_id_fkey FOREIGN KEY (table_id) REFERENCES warden_private.audited_tables(id);

--
-- Name: dq_schedule_state dq_schedule_state_rule_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.dq_schedule_state
    ADD CONSTRAINT dq_schedule_state_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES warden.dq_rules(id) ON DELETE CASCADE;

--
-- Name: erasure_record_signatures erasure_record_signatures_event_id_erased_payload_hash_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.erasure_record_signatures
    ADD CONSTRAINT erasure_record_signatures_event_id_erased_payload_hash_fkey FOREIGN KEY (event_id, erased_payload_hash) REFERENCES warden_private.erasure_records(event_id, erased_payload_hash);

--
-- Name: erasure_records erasure_records_erasure_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.erasure_records
    ADD CONSTRAINT erasure_records_erasure_id_fkey FOREIGN KEY (erasure_id) REFERENCES warden_private.erasures(erasure_id);

--
-- Name: legal_holds legal_holds_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.legal_holds
    ADD CONSTRAINT legal_holds_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: occurred_at_windows occurred_at_windows_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.occurred_at_windows
    ADD CONSTRAINT occurred_at_windows_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: prune_record_signatures prune_record_signatures_record_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.prune_record_signatures
    ADD CONSTRAINT prune_record_signatures_record_id_fkey FOREIGN KEY (record_id) REFERENCES warden_private.prune_records(id);

--
-- Name: retention_policies retention_policies_tenant_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.retention_policies
    ADD CONSTRAINT retention_policies_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES warden.tenants(id) ON DELETE CASCADE;

--
-- Name: suspect_acknowledgements suspect_acknowledgements_event_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.suspect_acknowledgements
    ADD CONSTRAINT suspect_acknowledgements_event_id_fkey FOREIGN KEY (event_id) REFERENCES warden_private.suspect_events(event_id);

--
-- Name: tenant_invitation_secrets tenant_invitation_secrets_invitation_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.tenant_invitation_secrets
    ADD CONSTRAINT tenant_invitation_secrets_invitation_id_fkey FOREIGN KEY (invitation_id) REFERENCES warden.tenant_invitations(id) ON DELETE CASCADE;

--
-- Name: user_identities user_identities_provider_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.user_identities
    ADD CONSTRAINT user_identities_provider_id_fkey FOREIGN KEY (provider_id) REFERENCES warden.identity_providers(id) ON DELETE CASCADE;

--
-- Name: user_identities user_identities_user_id_fkey; Type: FK CONSTRAINT; Schema: warden_private; Owner: -
--

ALTER TABLE ONLY warden_private.user_identities
    ADD CONSTRAINT user_identities_user_id_fkey FOREIGN KEY (user_id) REFERENCES warden.users(id) ON DELETE CASCADE;

--
-- Name: api_keys; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_events; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.audit_events ENABLE ROW LEVEL SECURITY;

--
-- Name: projects delete_owner; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY delete_owner ON warden.projects FOR DELETE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_project_role(id, 'owner'::warden.project_role)));

--
-- Name: dq_enforcements; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.dq_enforcements ENABLE ROW LEVEL SECURITY;

--
-- Name: dq_results; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.dq_results ENABLE ROW LEVEL SECURITY;

--
-- Name: dq_rules; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.dq_rules ENABLE ROW LEVEL SECURITY;

--
-- Name: dq_runs; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.dq_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: identity_providers; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.identity_providers ENABLE ROW LEVEL SECURITY;

--
-- Name: projects insert_tenant; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY insert_tenant ON warden.projects FOR INSERT TO warden_visitor WITH CHECK (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,member}'::warden.tenant_role[])));

--
-- Name: identity_providers manage_admin; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_admin ON warden.identity_providers TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[]))) WITH CHECK (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[])));

--
-- Name: dq_rules manage_delete; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_delete ON warden.dq_rules FOR DELETE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[])));

--
-- Name: project_members manage_delete; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_delete ON warden.project_members FOR DELETE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_project_role(project_id, 'admin'::warden.project_role)));

--
-- Name: tenant_memberships manage_delete; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_delete ON warden.tenant_memberships FOR DELETE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[])));

--
-- Name: dq_rules manage_insert; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_insert ON warden.dq_rules FOR INSERT TO warden_visitor WITH CHECK (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[])));

--
-- Name: project_members manage_insert; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_insert ON warden.project_members FOR INSERT TO warden_visitor WITH CHECK (((tenant_id = warden.current_tenant_id()) AND warden.has_project_role(project_id, 'admin'::warden.project_role) AND ((role <> 'owner'::warden.project_role) OR warden.has_project_role(project_id, 'owner'::warden.project_role))));

--
-- Name: dq_rules manage_update; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_update ON warden.dq_rules FOR UPDATE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[]))) WITH CHECK ((tenant_id = warden.current_tenant_id()));

--
-- Name: project_members manage_update; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_update ON warden.project_members FOR UPDATE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_project_role(project_id, 'admin'::warden.project_role))) WITH CHECK (((tenant_id = warden.current_tenant_id()) AND warden.has_project_role(project_id, 'admin'::warden.project_role) AND ((role <> 'owner'::warden.project_role) OR warden.has_project_role(project_id, 'owner'::warden.project_role))));

--
-- Name: tenant_memberships manage_update; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY manage_update ON warden.tenant_memberships FOR UPDATE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[]))) WITH CHECK (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[])));

--
-- Name: api_keys owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.api_keys TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: audit_events owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.audit_events TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: dq_enforcements owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.dq_enforcements TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: dq_results owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.dq_results TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: dq_rules owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.dq_rules TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: dq_runs owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.dq_runs TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: identity_providers owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.identity_providers TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: project_members owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.project_members TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: projects owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.projects TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: redaction_policies owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.redaction_policies TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: tenant_invitations owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.tenant_invitations TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: tenant_memberships owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.tenant_memberships TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: tenants owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.tenants TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: user_sessions owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.user_sessions TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: users owner_maintenance; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY owner_maintenance ON warden.users TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: project_members; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.project_members ENABLE ROW LEVEL SECURITY;

--
-- Name: projects; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.projects ENABLE ROW LEVEL SECURITY;

--
-- Name: redaction_policies; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.redaction_policies ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys select_admin; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_admin ON warden.api_keys FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[])));

--
-- Name: tenant_invitations select_admin; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_admin ON warden.tenant_invitations FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[])));

--
-- Name: audit_events select_auditors; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_auditors ON warden.audit_events FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[])));

--
-- Name: users select_members; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_members ON warden.users FOR SELECT TO warden_visitor USING (((id = warden.current_user_id()) OR (EXISTS ( SELECT 1
   FROM warden.tenant_memberships m
  WHERE ((m.user_id = users.id) AND (m.tenant_id = warden.current_tenant_id()) AND (m.joined_via <> 'unconfirmed'::text))))));

--
-- Name: tenants select_own; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_own ON warden.tenants FOR SELECT TO warden_visitor USING ((id = warden.current_tenant_id()));

--
-- Name: user_sessions select_own_or_admin; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_own_or_admin ON warden.user_sessions FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND ((user_id = warden.current_user_id()) OR warden.has_tenant_role('{owner,admin}'::warden.tenant_role[]))));

--
-- Name: dq_enforcements select_tenant; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_tenant ON warden.dq_enforcements FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[])));

--
-- Name: dq_results select_tenant; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_tenant ON warden.dq_results FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[])));

--
-- Name: dq_rules select_tenant; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_tenant ON warden.dq_rules FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[])));

--
-- Name: dq_runs select_tenant; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_tenant ON warden.dq_runs FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[])));

--
-- Name: redaction_policies select_tenant; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_tenant ON warden.redaction_policies FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[])));

--
-- Name: tenant_memberships select_tenant; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_tenant ON warden.tenant_memberships FOR SELECT TO warden_visitor USING ((tenant_id = warden.current_tenant_id()));

--
-- Name: project_members select_visible; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_visible ON warden.project_members FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND (warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[]) OR warden.has_project_role(project_id, 'viewer'::warden.project_role))));

--
-- Name: projects select_visible; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY select_visible ON warden.projects FOR SELECT TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND (warden.has_tenant_role('{owner,admin,auditor}'::warden.tenant_role[]) OR warden.has_project_role(id, 'viewer'::warden.project_role) OR (created_by = warden.current_user_id()))));

--
-- Name: tenant_invitations; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.tenant_invitations ENABLE ROW LEVEL SECURITY;

--
-- Name: tenant_memberships; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.tenant_memberships ENABLE ROW LEVEL SECURITY;

--
-- Name: tenants; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.tenants ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys update_admin; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY update_admin ON warden.api_keys FOR UPDATE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[]))) WITH CHECK ((tenant_id = warden.current_tenant_id()));

--
-- Name: projects update_admin; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY update_admin ON warden.projects FOR UPDATE TO warden_visitor USING (((tenant_id = warden.current_tenant_id()) AND warden.has_project_role(id, 'admin'::warden.project_role))) WITH CHECK ((tenant_id = warden.current_tenant_id()));

--
-- Name: tenants update_own; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY update_own ON warden.tenants FOR UPDATE TO warden_visitor USING (((id = warden.current_tenant_id()) AND warden.has_tenant_role('{owner,admin}'::warden.tenant_role[]))) WITH CHECK ((id = warden.current_tenant_id()));

--
-- Name: users update_self; Type: POLICY; Schema: warden; Owner: -
--

CREATE POLICY update_self ON warden.users FOR UPDATE TO warden_visitor USING ((id = warden.current_user_id())) WITH CHECK ((id = warden.current_user_id()));

--
-- Name: user_sessions; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.user_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: ROW SECURITY; Schema: warden; Owner: -
--

ALTER TABLE warden.users ENABLE ROW LEVEL SECURITY;

--
-- Name: api_key_secrets; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.api_key_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_events_default; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.audit_events_default ENABLE ROW LEVEL SECURITY;

--
-- Name: audited_schemas; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.audited_schemas ENABLE ROW LEVEL SECURITY;

--
-- Name: audited_tables; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.audited_tables ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_ingest_counts; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_ingest_counts ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_ingest_tally; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_ingest_tally ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_round_parts; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_round_parts ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rounds; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rounds ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_1_v1_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_1_v1_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_1_v1_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_1_v1_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_2_v1_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_2_v1_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_2_v1_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_2_v1_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_3_v1_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_3_v1_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_3_v1_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_3_v1_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_4_v1_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_4_v1_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_4_v1_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_4_v1_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_5_v1_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_5_v1_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_5_v1_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_5_v1_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_6_v1_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_6_v1_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_6_v1_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_6_v1_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_6_v2_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_6_v2_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_6_v2_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_6_v2_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_7_v1_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_7_v1_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_rows_7_v1_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_rows_7_v1_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_state; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_state ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_statements_0; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_statements_0 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_statements_1; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_statements_1 ENABLE ROW LEVEL SECURITY;

--
-- Name: capture_versions; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.capture_versions ENABLE ROW LEVEL SECURITY;

--
-- Name: checkpoint_anchors; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.checkpoint_anchors ENABLE ROW LEVEL SECURITY;

--
-- Name: context_commit_checks; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.context_commit_checks ENABLE ROW LEVEL SECURITY;

--
-- Name: dq_results_default; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.dq_results_default ENABLE ROW LEVEL SECURITY;

--
-- Name: dq_schedule_state; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.dq_schedule_state ENABLE ROW LEVEL SECURITY;

--
-- Name: erasure_record_signatures; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.erasure_record_signatures ENABLE ROW LEVEL SECURITY;

--
-- Name: erasure_records; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.erasure_records ENABLE ROW LEVEL SECURITY;

--
-- Name: erasures; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.erasures ENABLE ROW LEVEL SECURITY;

--
-- Name: idempotency_keys; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.idempotency_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: legal_holds; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.legal_holds ENABLE ROW LEVEL SECURITY;

--
-- Name: occurred_at_windows; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.occurred_at_windows ENABLE ROW LEVEL SECURITY;

--
-- Name: api_key_secrets owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.api_key_secrets TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: audit_events_default owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.audit_events_default TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: audited_schemas owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.audited_schemas TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: audited_tables owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.audited_tables TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_ingest_counts owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_ingest_counts TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: POLICY owner_maintenance ON capture_ingest_counts; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON POLICY owner_maintenance ON warden_private.capture_ingest_counts IS 'Only Warden''s owner role reads and writes the tallies.';

--
-- Name: capture_ingest_tally owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_ingest_tally TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: POLICY owner_maintenance ON capture_ingest_tally; Type: COMMENT; Schema: warden_private; Owner: -
--

COMMENT ON POLICY owner_maintenance ON warden_private.capture_ingest_tally IS 'Only Warden''s owner role reads and writes the tally state.';

--
-- Name: capture_round_parts owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_round_parts TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rounds owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rounds TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_1_v1_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_1_v1_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_1_v1_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_1_v1_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_2_v1_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_2_v1_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_2_v1_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_2_v1_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_3_v1_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_3_v1_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_3_v1_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_3_v1_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_4_v1_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_4_v1_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_4_v1_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_4_v1_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_5_v1_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_5_v1_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_5_v1_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_5_v1_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_6_v1_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_6_v1_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_6_v1_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_6_v1_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_6_v2_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_6_v2_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_6_v2_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_6_v2_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_7_v1_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_7_v1_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_rows_7_v1_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_rows_7_v1_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_state owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_state TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_statements_0 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_statements_0 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_statements_1 owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_statements_1 TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: capture_versions owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.capture_versions TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: checkpoint_anchors owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.checkpoint_anchors TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: context_commit_checks owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.context_commit_checks TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: dq_results_default owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.dq_results_default TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: dq_schedule_state owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.dq_schedule_state TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: erasure_record_signatures owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.erasure_record_signatures TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: erasure_records owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.erasure_records TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: erasures owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.erasures TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: idempotency_keys owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.idempotency_keys TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: legal_holds owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.legal_holds TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: occurred_at_windows owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.occurred_at_windows TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: prune_record_signatures owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.prune_record_signatures TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: prune_records owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.prune_records TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: redaction_counts owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.redaction_counts TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: retention_policies owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.retention_policies TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: retention_state owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.retention_state TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: seal_blocks owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.seal_blocks TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: seal_checkpoints owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.seal_checkpoints TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: seal_heads owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.seal_heads TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: seal_state owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.seal_state TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: soft_delete_tables owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.soft_delete_tables TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: suspect_acknowledgements owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.suspect_acknowledgements TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: suspect_events owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.suspect_events TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: tenant_hash_keys owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.tenant_hash_keys TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: tenant_invitation_secrets owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.tenant_invitation_secrets TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: user_identities owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.user_identities TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: verify_positions owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.verify_positions TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: worker_heartbeats owner_maintenance; Type: POLICY; Schema: warden_private; Owner: -
--

CREATE POLICY owner_maintenance ON warden_private.worker_heartbeats TO warden_owner USING (true) WITH CHECK (true);

--
-- Name: prune_record_signatures; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.prune_record_signatures ENABLE ROW LEVEL SECURITY;

--
-- Name: prune_records; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.prune_records ENABLE ROW LEVEL SECURITY;

--
-- Name: redaction_counts; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.redaction_counts ENABLE ROW LEVEL SECURITY;

--
-- Name: retention_policies; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.retention_policies ENABLE ROW LEVEL SECURITY;

--
-- Name: retention_state; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.retention_state ENABLE ROW LEVEL SECURITY;

--
-- Name: seal_blocks; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.seal_blocks ENABLE ROW LEVEL SECURITY;

--
-- Name: seal_checkpoints; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.seal_checkpoints ENABLE ROW LEVEL SECURITY;

--
-- Name: seal_heads; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.seal_heads ENABLE ROW LEVEL SECURITY;

--
-- Name: seal_state; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.seal_state ENABLE ROW LEVEL SECURITY;

--
-- Name: soft_delete_tables; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.soft_delete_tables ENABLE ROW LEVEL SECURITY;

--
-- Name: suspect_acknowledgements; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.suspect_acknowledgements ENABLE ROW LEVEL SECURITY;

--
-- Name: suspect_events; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.suspect_events ENABLE ROW LEVEL SECURITY;

--
-- Name: tenant_hash_keys; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.tenant_hash_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: tenant_invitation_secrets; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.tenant_invitation_secrets ENABLE ROW LEVEL SECURITY;

--
-- Name: user_identities; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.user_identities ENABLE ROW LEVEL SECURITY;

--
-- Name: verify_positions; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.verify_positions ENABLE ROW LEVEL SECURITY;

--
-- Name: worker_heartbeats; Type: ROW SECURITY; Schema: warden_private; Owner: -
--

ALTER TABLE warden_private.worker_heartbeats ENABLE ROW LEVEL SECURITY;

--
-- Name: SCHEMA warden; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA warden TO warden_visitor;
GRANT USAGE ON SCHEMA warden TO warden_dq_sandbox;

--
-- Name: SCHEMA warden_private; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA warden_private TO warden_authenticator;

--
-- Name: TYPE dq_tally; Type: ACL; Schema: warden; Owner: -
--

GRANT ALL ON TYPE warden.dq_tally TO warden_dq_sandbox;

--
-- Name: FUNCTION current_tenant_id(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.current_tenant_id() FROM PUBLIC;
GRANT ALL ON FUNCTION warden.current_tenant_id() TO warden_visitor;
GRANT ALL ON FUNCTION warden.current_tenant_id() TO warden_dq_sandbox;

--
-- Name: TABLE tenant_memberships; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT,DELETE ON TABLE warden.tenant_memberships TO warden_visitor;

--
-- Name: COLUMN tenant_memberships.role; Type: ACL; Schema: warden; Owner: -
--

GRANT UPDATE(role) ON TABLE warden.tenant_memberships TO warden_visitor;

--
-- Name: FUNCTION accept_tenant_invitation(token text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.accept_tenant_invitation(token text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.accept_tenant_invitation(token text) TO warden_visitor;

--
-- Name: FUNCTION acknowledge_suspect_events(event_ids uuid[], reason text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.acknowledge_suspect_events(event_ids uuid[], reason text) FROM PUBLIC;

--
-- Name: FUNCTION apply_retention(dry_run boolean); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.apply_retention(dry_run boolean) FROM PUBLIC;

--
-- Name: FUNCTION audit_coverage(schemas text[]); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.audit_coverage(schemas text[]) FROM PUBLIC;

--
-- Name: FUNCTION audit_row_history(table_name text, pk jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.audit_row_history(table_name text, pk jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.audit_row_history(table_name text, pk jsonb) TO warden_visitor;

--
-- Name: FUNCTION capture_gaps(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.capture_gaps() FROM PUBLIC;

--
-- Name: FUNCTION create_api_key(name text, role warden.tenant_role, rate_limit_per_second integer, OUT id uuid, OUT key text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.create_api_key(name text, role warden.tenant_role, rate_limit_per_second integer, OUT id uuid, OUT key text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.create_api_key(name text, role warden.tenant_role, rate_limit_per_second integer, OUT id uuid, OUT key text) TO warden_visitor;

--
-- Name: FUNCTION create_user_session(expires_at timestamp with time zone); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.create_user_session(expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.create_user_session(expires_at timestamp with time zone) TO warden_visitor;

--
-- Name: FUNCTION current_actor(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.current_actor() FROM PUBLIC;
GRANT ALL ON FUNCTION warden.current_actor() TO warden_visitor;
GRANT ALL ON FUNCTION warden.current_actor() TO warden_dq_sandbox;

--
-- Name: FUNCTION current_actor_type(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.current_actor_type() FROM PUBLIC;
GRANT ALL ON FUNCTION warden.current_actor_type() TO warden_visitor;
GRANT ALL ON FUNCTION warden.current_actor_type() TO warden_dq_sandbox;

--
-- Name: FUNCTION current_tenant_role(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.current_tenant_role() FROM PUBLIC;
GRANT ALL ON FUNCTION warden.current_tenant_role() TO warden_visitor;
GRANT ALL ON FUNCTION warden.current_tenant_role() TO warden_dq_sandbox;

--
-- Name: FUNCTION current_trace_id(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.current_trace_id() FROM PUBLIC;
GRANT ALL ON FUNCTION warden.current_trace_id() TO warden_visitor;
GRANT ALL ON FUNCTION warden.current_trace_id() TO warden_dq_sandbox;

--
-- Name: FUNCTION current_user_id(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.current_user_id() FROM PUBLIC;
GRANT ALL ON FUNCTION warden.current_user_id() TO warden_visitor;
GRANT ALL ON FUNCTION warden.current_user_id() TO warden_dq_sandbox;

--
-- Name: FUNCTION disable_auditing(target regclass); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.disable_auditing(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION disable_soft_delete(target regclass); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.disable_soft_delete(target regclass) FROM PUBLIC;

--
-- Name: TABLE dq_rules; Type: ACL; Schema: warden; Owner: -
--

GRANT DELETE ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(id) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.tenant_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(tenant_id) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.target; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(target),INSERT(target) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.target_name; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(target_name),INSERT(target_name) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.name; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(name),INSERT(name),UPDATE(name) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.check_type; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(check_type),INSERT(check_type) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.params; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(params),INSERT(params),UPDATE(params) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.severity; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(severity),INSERT(severity),UPDATE(severity) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.enabled; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(enabled),INSERT(enabled),UPDATE(enabled) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.schedule; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(schedule),INSERT(schedule),UPDATE(schedule) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.timeout_ms; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(timeout_ms),INSERT(timeout_ms),UPDATE(timeout_ms) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.tenant_column; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(tenant_column),INSERT(tenant_column) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.description; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(description),INSERT(description),UPDATE(description) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.created_at; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(created_at) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.created_by; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(created_by) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.updated_at; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(updated_at) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: COLUMN dq_rules.updated_by; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(updated_by) ON TABLE warden.dq_rules TO warden_visitor;

--
-- Name: FUNCTION dq_add_rule(target regclass, name text, check_type text, params jsonb, severity text, schedule text, enabled boolean, timeout_ms integer, tenant_column text, description text, tenant uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_add_rule(target regclass, name text, check_type text, params jsonb, severity text, schedule text, enabled boolean, timeout_ms integer, tenant_column text, description text, tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION dq_drop_rule(rule_id uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_drop_rule(rule_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION dq_drop_rule(target regclass, name text, tenant uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_drop_rule(target regclass, name text, tenant uuid) FROM PUBLIC;

--
-- Name: FUNCTION dq_enforce(target regclass, mode text, tenant uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_enforce(target regclass, mode text, tenant uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.dq_enforce(target regclass, mode text, tenant uuid) TO warden_visitor;

--
-- Name: FUNCTION dq_ensure_partitions(months_ahead integer); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_ensure_partitions(months_ahead integer) FROM PUBLIC;

--
-- Name: FUNCTION uuid_v7(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.uuid_v7() FROM PUBLIC;

--
-- Name: TABLE dq_runs; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.dq_runs TO warden_visitor;

--
-- Name: FUNCTION dq_request_run(target_name text, rule_ids uuid[]); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_request_run(target_name text, rule_ids uuid[]) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.dq_request_run(target_name text, rule_ids uuid[]) TO warden_visitor;

--
-- Name: FUNCTION dq_run(target regclass, rule_ids uuid[]); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_run(target regclass, rule_ids uuid[]) FROM PUBLIC;

--
-- Name: FUNCTION dq_tally_add(state warden.dq_tally, item jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_tally_add(state warden.dq_tally, item jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.dq_tally_add(state warden.dq_tally, item jsonb) TO warden_dq_sandbox;

--
-- Name: FUNCTION dq_tally_merge(a warden.dq_tally, b warden.dq_tally); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_tally_merge(a warden.dq_tally, b warden.dq_tally) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.dq_tally_merge(a warden.dq_tally, b warden.dq_tally) TO warden_dq_sandbox;

--
-- Name: FUNCTION dq_tally_result(state warden.dq_tally); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_tally_result(state warden.dq_tally) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.dq_tally_result(state warden.dq_tally) TO warden_dq_sandbox;

--
-- Name: FUNCTION drain_default_partition(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.drain_default_partition() FROM PUBLIC;

--
-- Name: FUNCTION enable_auditing(target regclass, options jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.enable_auditing(target regclass, options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION enable_auditing_schema(schema_name text, options jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.enable_auditing_schema(schema_name text, options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION enable_soft_delete(target regclass, options jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.enable_soft_delete(target regclass, options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION ensure_partitions(months_ahead integer); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.ensure_partitions(months_ahead integer) FROM PUBLIC;

--
-- Name: FUNCTION erase_subject(tenant uuid, subject_id text, reason text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.erase_subject(tenant uuid, subject_id text, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.erase_subject(tenant uuid, subject_id text, reason text) TO warden_visitor;

--
-- Name: FUNCTION erase_subject_finish(erasure_id uuid, subject_id text, totals jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.erase_subject_finish(erasure_id uuid, subject_id text, totals jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.erase_subject_finish(erasure_id uuid, subject_id text, totals jsonb) TO warden_visitor;

--
-- Name: FUNCTION erase_subject_start(tenant uuid, subject_id text, reason text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.erase_subject_start(tenant uuid, subject_id text, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.erase_subject_start(tenant uuid, subject_id text, reason text) TO warden_visitor;

--
-- Name: FUNCTION erase_subject_step(erasure_id uuid, subject_id text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.erase_subject_step(erasure_id uuid, subject_id text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.erase_subject_step(erasure_id uuid, subject_id text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer) TO warden_visitor;

--
-- Name: FUNCTION export_subject(tenant uuid, subject_id text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.export_subject(tenant uuid, subject_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.export_subject(tenant uuid, subject_id text) TO warden_visitor;

--
-- Name: FUNCTION flush_capture(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.flush_capture() FROM PUBLIC;

--
-- Name: FUNCTION has_project_role(project_id uuid, min_role warden.project_role); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.has_project_role(project_id uuid, min_role warden.project_role) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.has_project_role(project_id uuid, min_role warden.project_role) TO warden_visitor;

--
-- Name: FUNCTION has_tenant_role(roles warden.tenant_role[]); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.has_tenant_role(roles warden.tenant_role[]) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.has_tenant_role(roles warden.tenant_role[]) TO warden_visitor;
GRANT ALL ON FUNCTION warden.has_tenant_role(roles warden.tenant_role[]) TO warden_dq_sandbox;

--
-- Name: FUNCTION invite_to_tenant(email text, role warden.tenant_role, valid_days integer, OUT id uuid, OUT token text, OUT expires_at timestamp with time zone); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.invite_to_tenant(email text, role warden.tenant_role, valid_days integer, OUT id uuid, OUT token text, OUT expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.invite_to_tenant(email text, role warden.tenant_role, valid_days integer, OUT id uuid, OUT token text, OUT expires_at timestamp with time zone) TO warden_visitor;

--
-- Name: FUNCTION partition_health(); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.partition_health() FROM PUBLIC;

--
-- Name: FUNCTION place_legal_hold(reason text, resource_type text, resource_id text, correlation_id text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.place_legal_hold(reason text, resource_type text, resource_id text, correlation_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.place_legal_hold(reason text, resource_type text, resource_id text, correlation_id text) TO warden_visitor;

--
-- Name: FUNCTION purge(target regclass, pk jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.purge(target regclass, pk jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.purge(target regclass, pk jsonb) TO warden_visitor;

--
-- Name: FUNCTION record_audit_events(events jsonb, idempotency_key text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.record_audit_events(events jsonb, idempotency_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.record_audit_events(events jsonb, idempotency_key text) TO warden_visitor;

--
-- Name: FUNCTION record_audit_export(filter jsonb, format text, event_count bigint, complete boolean, details jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.record_audit_export(filter jsonb, format text, event_count bigint, complete boolean, details jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.record_audit_export(filter jsonb, format text, event_count bigint, complete boolean, details jsonb) TO warden_visitor;

--
-- Name: FUNCTION release_legal_hold(hold_id uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.release_legal_hold(hold_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.release_legal_hold(hold_id uuid) TO warden_visitor;

--
-- Name: FUNCTION remove_retention_policy(event_type_pattern text); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.remove_retention_policy(event_type_pattern text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.remove_retention_policy(event_type_pattern text) TO warden_visitor;

--
-- Name: FUNCTION restore(target regclass, pk jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.restore(target regclass, pk jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.restore(target regclass, pk jsonb) TO warden_visitor;

--
-- Name: TABLE tenant_invitations; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.tenant_invitations TO warden_visitor;

--
-- Name: FUNCTION revoke_tenant_invitation(invitation_id uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.revoke_tenant_invitation(invitation_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.revoke_tenant_invitation(invitation_id uuid) TO warden_visitor;

--
-- Name: TABLE user_sessions; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.user_sessions TO warden_visitor;

--
-- Name: FUNCTION revoke_user_session(session_id uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.revoke_user_session(session_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.revoke_user_session(session_id uuid) TO warden_visitor;

--
-- Name: FUNCTION revoke_user_sessions(user_id uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.revoke_user_sessions(user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.revoke_user_sessions(user_id uuid) TO warden_visitor;

--
-- Name: FUNCTION row_history(target regclass, pk jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.row_history(target regclass, pk jsonb) FROM PUBLIC;

--
-- Name: FUNCTION set_api_key_scopes(api_key_id uuid, scopes text[]); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.set_api_key_scopes(api_key_id uuid, scopes text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.set_api_key_scopes(api_key_id uuid, scopes text[]) TO warden_visitor;

--
-- Name: FUNCTION set_context(tenant_id uuid, actor_id text, actor_type text, trace_id text, extra jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.set_context(tenant_id uuid, actor_id text, actor_type text, trace_id text, extra jsonb) FROM PUBLIC;

--
-- Name: COLUMN redaction_policies.tenant_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(tenant_id) ON TABLE warden.redaction_policies TO warden_visitor;

--
-- Name: COLUMN redaction_policies.mode; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(mode) ON TABLE warden.redaction_policies TO warden_visitor;

--
-- Name: COLUMN redaction_policies.rules; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(rules) ON TABLE warden.redaction_policies TO warden_visitor;

--
-- Name: COLUMN redaction_policies.updated_at; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(updated_at) ON TABLE warden.redaction_policies TO warden_visitor;

--
-- Name: COLUMN redaction_policies.updated_by; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(updated_by) ON TABLE warden.redaction_policies TO warden_visitor;

--
-- Name: FUNCTION set_redaction_policy(mode text, rules jsonb, tenant uuid); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.set_redaction_policy(mode text, rules jsonb, tenant uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.set_redaction_policy(mode text, rules jsonb, tenant uuid) TO warden_visitor;

--
-- Name: FUNCTION set_retention_policy(event_type_pattern text, days integer); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.set_retention_policy(event_type_pattern text, days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.set_retention_policy(event_type_pattern text, days integer) TO warden_visitor;

--
-- Name: FUNCTION arm_context_check(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.arm_context_check() FROM PUBLIC;

--
-- Name: FUNCTION assert_tenant_admin(tenant uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.assert_tenant_admin(tenant uuid) FROM PUBLIC;

--
-- Name: COLUMN audit_events.event_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(event_id) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.occurred_at; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(occurred_at) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.recorded_at; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(recorded_at) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.tenant_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(tenant_id) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.event_type; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(event_type) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.category; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(category) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.action; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(action) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.outcome; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(outcome) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.severity; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(severity) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.actor_type; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(actor_type) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.actor_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(actor_id) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.resource_type; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(resource_type) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.resource_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(resource_id) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.correlation_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(correlation_id) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.trace_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(trace_id) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.parent_event_id; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(parent_event_id) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.service; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(service) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.txid; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(txid) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.table_name; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(table_name) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.row_pk; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(row_pk) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: COLUMN audit_events.changed_fields; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT(changed_fields) ON TABLE warden.audit_events TO warden_visitor;

--
-- Name: FUNCTION audit_envelope(e warden.audit_events); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_envelope(e warden.audit_events) FROM PUBLIC;

--
-- Name: FUNCTION audit_event_is_plainly_valid(item jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_event_is_plainly_valid(item jsonb) FROM PUBLIC;

--
-- Name: FUNCTION audit_event_problem_list(item jsonb, pointer text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_event_problem_list(item jsonb, pointer text) FROM PUBLIC;

--
-- Name: FUNCTION audit_event_problems(item jsonb, pointer text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_event_problems(item jsonb, pointer text) FROM PUBLIC;

--
-- Name: FUNCTION audit_event_rule_problems(item jsonb, pointer text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_event_rule_problems(item jsonb, pointer text) FROM PUBLIC;

--
-- Name: FUNCTION audit_event_type(target regclass, op text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_event_type(target regclass, op text) FROM PUBLIC;

--
-- Name: FUNCTION audit_partition_name(month_start date); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_partition_name(month_start date) FROM PUBLIC;

--
-- Name: FUNCTION audit_partitions(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_partitions() FROM PUBLIC;

--
-- Name: FUNCTION audit_payload_hash(e warden.audit_events); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_payload_hash(e warden.audit_events) FROM PUBLIC;

--
-- Name: FUNCTION audit_problem(pointer text, reason text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_problem(pointer text, reason text) FROM PUBLIC;

--
-- Name: FUNCTION audit_unknown_keys(obj jsonb, allowed text[], pointer text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.audit_unknown_keys(obj jsonb, allowed text[], pointer text) FROM PUBLIC;

--
-- Name: FUNCTION authenticate_api_key(key text, OUT api_key_id uuid, OUT tenant_id uuid, OUT role warden.tenant_role, OUT rate_limit_per_second integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.authenticate_api_key(key text, OUT api_key_id uuid, OUT tenant_id uuid, OUT role warden.tenant_role, OUT rate_limit_per_second integer) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.authenticate_api_key(key text, OUT api_key_id uuid, OUT tenant_id uuid, OUT role warden.tenant_role, OUT rate_limit_per_second integer) TO warden_authenticator;

--
-- Name: FUNCTION authenticate_session(session_id uuid, tenant_id uuid, user_id uuid, OUT tenant_role warden.tenant_role, OUT failure text, OUT expires_at timestamp with time zone); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.authenticate_session(session_id uuid, tenant_id uuid, user_id uuid, OUT tenant_role warden.tenant_role, OUT failure text, OUT expires_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.authenticate_session(session_id uuid, tenant_id uuid, user_id uuid, OUT tenant_role warden.tenant_role, OUT failure text, OUT expires_at timestamp with time zone) TO warden_authenticator;

--
-- Name: FUNCTION canonical_field(value text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.canonical_field(value text) FROM PUBLIC;

--
-- Name: FUNCTION capture_1_v1(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_1_v1() FROM PUBLIC;

--
-- Name: FUNCTION capture_2_v1(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_2_v1() FROM PUBLIC;

--
-- Name: FUNCTION capture_3_v1(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_3_v1() FROM PUBLIC;

--
-- Name: FUNCTION capture_4_v1(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_4_v1() FROM PUBLIC;

--
-- Name: FUNCTION capture_5_v1(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_5_v1() FROM PUBLIC;

--
-- Name: FUNCTION capture_6_v1(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_6_v1() FROM PUBLIC;

--
-- Name: FUNCTION capture_6_v2(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_6_v2() FROM PUBLIC;

--
-- Name: FUNCTION capture_7_v1(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_7_v1() FROM PUBLIC;

--
-- Name: FUNCTION capture_check_coverage(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_check_coverage() FROM PUBLIC;

--
-- Name: FUNCTION capture_claim_part(round_id bigint, part integer, from_txid bigint, to_txid bigint, parts integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_claim_part(round_id bigint, part integer, from_txid bigint, to_txid bigint, parts integer) FROM PUBLIC;

--
-- Name: FUNCTION capture_columns(target regclass, options jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_columns(target regclass, options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION capture_comparison(typ oid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_comparison(typ oid) FROM PUBLIC;

--
-- Name: FUNCTION capture_coverage_metrics(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_coverage_metrics() FROM PUBLIC;

--
-- Name: FUNCTION capture_disable(target regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_disable(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION capture_distinct(cmp text, a text, b text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_distinct(cmp text, a text, b text) FROM PUBLIC;

--
-- Name: FUNCTION capture_enable(target regclass, options jsonb, grantee text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_enable(target regclass, options jsonb, grantee text) FROM PUBLIC;

--
-- Name: FUNCTION capture_function_sql(fn text, target_name text, schema_name text, relation_name text, log_name text, table_id integer, version integer, cols jsonb, options jsonb, has_pk boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_function_sql(fn text, target_name text, schema_name text, relation_name text, log_name text, table_id integer, version integer, cols jsonb, options jsonb, has_pk boolean) FROM PUBLIC;

--
-- Name: FUNCTION capture_gap_closed(target regclass, how text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_gap_closed(target regclass, how text) FROM PUBLIC;

--
-- Name: FUNCTION capture_gap_opened(target regclass, reason text, event_type text, details jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_gap_opened(target regclass, reason text, event_type text, details jsonb) FROM PUBLIC;

--
-- Name: FUNCTION capture_ingest_counts_refresh(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_ingest_counts_refresh() FROM PUBLIC;

--
-- Name: FUNCTION capture_install(target regclass, options jsonb, grantee text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_install(target regclass, options jsonb, grantee text) FROM PUBLIC;

--
-- Name: FUNCTION capture_json_object(keys text[], exprs text[]); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_json_object(keys text[], exprs text[]) FROM PUBLIC;

--
-- Name: FUNCTION capture_maintain(below bigint); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_maintain(below bigint) FROM PUBLIC;

--
-- Name: FUNCTION capture_pending_events(target_table text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_pending_events(target_table text) FROM PUBLIC;

--
-- Name: FUNCTION capture_promote(horizon bigint, include_own boolean, wait boolean, purge_promoted boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_promote(horizon bigint, include_own boolean, wait boolean, purge_promoted boolean) FROM PUBLIC;

--
-- Name: FUNCTION capture_promote_window(from_txid bigint, to_txid bigint, own_txid bigint, parts integer, part integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_promote_window(from_txid bigint, to_txid bigint, own_txid bigint, parts integer, part integer) FROM PUBLIC;

--
-- Name: FUNCTION capture_registration(target regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_registration(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION capture_registry_entry(target regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_registry_entry(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION capture_round_close(round_id bigint); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_round_close(round_id bigint) FROM PUBLIC;

--
-- Name: FUNCTION capture_round_open(parts integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_round_open(parts integer) FROM PUBLIC;

--
-- Name: FUNCTION capture_round_part(round_id bigint, part integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_round_part(round_id bigint, part integer) FROM PUBLIC;

--
-- Name: FUNCTION capture_select_sql(table_name text, event_prefix text, resource_type text, log_name text, table_id integer, version integer, cols jsonb, pk text[], options jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_select_sql(table_name text, event_prefix text, resource_type text, log_name text, table_id integer, version integer, cols jsonb, pk text[], options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION capture_status(OUT backlog_events bigint, OUT backlog_statements bigint, OUT lag_seconds double precision, OUT promoted_total bigint, OUT promoted_below bigint, OUT last_promoted_at timestamp with time zone); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_status(OUT backlog_events bigint, OUT backlog_statements bigint, OUT lag_seconds double precision, OUT promoted_total bigint, OUT promoted_below bigint, OUT last_promoted_at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION capture_storage_type(typ oid, typmod integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_storage_type(typ oid, typmod integer) FROM PUBLIC;

--
-- Name: FUNCTION capture_table_changed(target regclass, event_type text, before jsonb, after jsonb, details jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.capture_table_changed(target regclass, event_type text, before jsonb, after jsonb, details jsonb) FROM PUBLIC;

--
-- Name: FUNCTION check_session_revoker(target_user_id uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.check_session_revoker(target_user_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION compact_user_sessions(retention_days integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.compact_user_sessions(retention_days integer) FROM PUBLIC;

--
-- Name: FUNCTION compile_read_marker(compiled jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.compile_read_marker(compiled jsonb) FROM PUBLIC;

--
-- Name: FUNCTION compile_redaction_fields(rules jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.compile_redaction_fields(rules jsonb) FROM PUBLIC;

--
-- Name: FUNCTION compile_redaction_rules(rules jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.compile_redaction_rules(rules jsonb) FROM PUBLIC;

--
-- Name: FUNCTION create_api_key(tenant_id uuid, name text, role warden.tenant_role, rate_limit_per_second integer, created_by uuid, OUT id uuid, OUT key text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.create_api_key(tenant_id uuid, name text, role warden.tenant_role, rate_limit_per_second integer, created_by uuid, OUT id uuid, OUT key text) FROM PUBLIC;

--
-- Name: FUNCTION create_audit_partition(month_start date); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.create_audit_partition(month_start date) FROM PUBLIC;

--
-- Name: FUNCTION create_tenant(name text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.create_tenant(name text) FROM PUBLIC;

--
-- Name: FUNCTION create_user(tenant_id uuid, email text, role warden.tenant_role, display_name text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.create_user(tenant_id uuid, email text, role warden.tenant_role, display_name text) FROM PUBLIC;

--
-- Name: FUNCTION create_user_session(tenant_id uuid, user_id uuid, expires_at timestamp with time zone, ip inet, user_agent text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.create_user_session(tenant_id uuid, user_id uuid, expires_at timestamp with time zone, ip inet, user_agent text) FROM PUBLIC;

--
-- Name: FUNCTION dq_abandon_stale_runs(older_than interval); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_abandon_stale_runs(older_than interval) FROM PUBLIC;

--
-- Name: FUNCTION dq_apply_retention(default_days integer, batch_size integer, dry_run boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_apply_retention(default_days integer, batch_size integer, dry_run boolean) FROM PUBLIC;

--
-- Name: FUNCTION dq_cast_check(value text, type_name text, what text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_cast_check(value text, type_name text, what text) FROM PUBLIC;

--
-- Name: FUNCTION dq_check_custom_sql(query text, target regclass, api boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_check_custom_sql(query text, target regclass, api boolean) FROM PUBLIC;

--
-- Name: FUNCTION dq_check_readable(target regclass, tenant_column text, api boolean, what text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_check_readable(target regclass, tenant_column text, api boolean, what text) FROM PUBLIC;

--
-- Name: FUNCTION dq_check_schedule(schedule text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_check_schedule(schedule text) FROM PUBLIC;

--
-- Name: FUNCTION dq_column(target regclass, column_name text, OUT attname text, OUT type_name text, OUT type_category text, OUT type_id oid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_column(target regclass, column_name text, OUT attname text, OUT type_name text, OUT type_category text, OUT type_id oid) FROM PUBLIC;

--
-- Name: FUNCTION dq_columns(target regclass, params jsonb, single_key text, list_key text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_columns(target regclass, params jsonb, single_key text, list_key text) FROM PUBLIC;

--
-- Name: FUNCTION dq_compile(tenant uuid, target regclass, check_type text, params jsonb, tenant_column text, api boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_compile(tenant uuid, target regclass, check_type text, params jsonb, tenant_column text, api boolean) FROM PUBLIC;

--
-- Name: FUNCTION dq_create_run(tenant uuid, target regclass, rule_ids uuid[], trigger text, requested_by text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_create_run(tenant uuid, target regclass, rule_ids uuid[], trigger text, requested_by text) FROM PUBLIC;

--
-- Name: FUNCTION dq_enqueue_run(run_id uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_enqueue_run(run_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION dq_execute_check(run_id uuid, "check" jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_execute_check(run_id uuid, "check" jsonb) FROM PUBLIC;

--
-- Name: FUNCTION dq_finish_run(run_id uuid, outcomes jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_finish_run(run_id uuid, outcomes jsonb) FROM PUBLIC;

--
-- Name: FUNCTION dq_function_allowed(fn oid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_function_allowed(fn oid) FROM PUBLIC;

--
-- Name: FUNCTION dq_judge(rule warden.dq_rules, raw jsonb, rows_total bigint); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_judge(rule warden.dq_rules, raw jsonb, rows_total bigint) FROM PUBLIC;

--
-- Name: FUNCTION dq_key_expr(target regclass, alias text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_key_expr(target regclass, alias text) FROM PUBLIC;

--
-- Name: FUNCTION dq_keys_check(check_type text, params jsonb, allowed text[]); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_keys_check(check_type text, params jsonb, allowed text[]) FROM PUBLIC;

--
-- Name: FUNCTION dq_param_bool(params jsonb, key text, default_value boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_param_bool(params jsonb, key text, default_value boolean) FROM PUBLIC;

--
-- Name: FUNCTION dq_param_int(params jsonb, key text, min_value bigint, max_value bigint); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_param_int(params jsonb, key text, min_value bigint, max_value bigint) FROM PUBLIC;

--
-- Name: FUNCTION dq_param_text(params jsonb, key text, required boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_param_text(params jsonb, key text, required boolean) FROM PUBLIC;

--
-- Name: FUNCTION dq_queue_scheduled(tenant uuid, target regclass, rule_ids uuid[], fired_at timestamp with time zone); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_queue_scheduled(tenant uuid, target regclass, rule_ids uuid[], fired_at timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION dq_raise(sqlstate text, message text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_raise(sqlstate text, message text) FROM PUBLIC;

--
-- Name: FUNCTION dq_record_result(run warden.dq_runs, rule warden.dq_rules, result jsonb, duration_ms numeric); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_record_result(run warden.dq_runs, rule warden.dq_rules, result jsonb, duration_ms numeric) FROM PUBLIC;

--
-- Name: FUNCTION dq_record_violations(rule_ids uuid[], measured jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_record_violations(rule_ids uuid[], measured jsonb) FROM PUBLIC;

--
-- Name: FUNCTION dq_redact_sample(tenant uuid, target_name text, sample jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_redact_sample(tenant uuid, target_name text, sample jsonb) FROM PUBLIC;

--
-- Name: FUNCTION dq_reject(rule_id uuid, failing_row jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_reject(rule_id uuid, failing_row jsonb) FROM PUBLIC;

--
-- Name: FUNCTION dq_resolve_target(name text, what text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_resolve_target(name text, what text) FROM PUBLIC;

--
-- Name: FUNCTION dq_resolve_tenant_column(target regclass, wanted text, what text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_resolve_tenant_column(target regclass, wanted text, what text) FROM PUBLIC;

--
-- Name: FUNCTION dq_results_partition_name(month_start date); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_results_partition_name(month_start date) FROM PUBLIC;

--
-- Name: FUNCTION dq_rule_public(r warden.dq_rules); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_rule_public(r warden.dq_rules) FROM PUBLIC;

--
-- Name: FUNCTION dq_sandbox_eval(query text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_sandbox_eval(query text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.dq_sandbox_eval(query text) TO warden_owner;

--
-- Name: FUNCTION dq_sandbox_explain(query text, search_path text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_sandbox_explain(query text, search_path text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.dq_sandbox_explain(query text, search_path text) TO warden_owner;

--
-- Name: FUNCTION dq_sandbox_parse(query text, search_path text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_sandbox_parse(query text, search_path text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.dq_sandbox_parse(query text, search_path text) TO warden_owner;

--
-- Name: FUNCTION dq_scan_sql(from_sql text, scope text, rules jsonb[]); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_scan_sql(from_sql text, scope text, rules jsonb[]) FROM PUBLIC;

--
-- Name: FUNCTION dq_scheduled_rules(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_scheduled_rules() FROM PUBLIC;

--
-- Name: FUNCTION dq_start_run(run_id uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_start_run(run_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION dq_sync_enforcement(target regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_sync_enforcement(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION dq_tenant_scope(target regclass, tenant_column text, tenant uuid, alias text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.dq_tenant_scope(target regclass, tenant_column text, tenant uuid, alias text) FROM PUBLIC;

--
-- Name: FUNCTION enqueue_job(identifier text, payload jsonb, run_at timestamp with time zone, job_key text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.enqueue_job(identifier text, payload jsonb, run_at timestamp with time zone, job_key text) FROM PUBLIC;

--
-- Name: FUNCTION erase_json(value jsonb, subject text, pseudonym text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.erase_json(value jsonb, subject text, pseudonym text) FROM PUBLIC;

--
-- Name: FUNCTION erase_text(value text, subject text, pseudonym text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.erase_text(value text, subject text, pseudonym text) FROM PUBLIC;

--
-- Name: FUNCTION event_mentions(e warden.audit_events, subject text, needle text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.event_mentions(e warden.audit_events, subject text, needle text) FROM PUBLIC;

--
-- Name: FUNCTION finish_retention_run(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.finish_retention_run() FROM PUBLIC;

--
-- Name: FUNCTION governance_drop_partition(partition_name text, default_days integer, expected_rows bigint, lock_timeout text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.governance_drop_partition(partition_name text, default_days integer, expected_rows bigint, lock_timeout text) FROM PUBLIC;

--
-- Name: FUNCTION governance_erase_subject_batch(erasure_id uuid, tenant uuid, subject text, pseudonym text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer, OUT scanned integer, OUT rewritten integer, OUT actor_matches integer, OUT resource_matches integer, OUT last_occurred_at timestamp with time zone, OUT last_event_id uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.governance_erase_subject_batch(erasure_id uuid, tenant uuid, subject text, pseudonym text, after_occurred_at timestamp with time zone, after_event_id uuid, batch_size integer, OUT scanned integer, OUT rewritten integer, OUT actor_matches integer, OUT resource_matches integer, OUT last_occurred_at timestamp with time zone, OUT last_event_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION governance_finish_erasure(erasure_id uuid, subject_id text, totals jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.governance_finish_erasure(erasure_id uuid, subject_id text, totals jsonb) FROM PUBLIC;

--
-- Name: FUNCTION governance_purge_rows(tenant_key uuid, default_days integer, batch_size integer, lock_timeout text, after timestamp with time zone); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.governance_purge_rows(tenant_key uuid, default_days integer, batch_size integer, lock_timeout text, after timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION governance_start_erasure(tenant uuid, subject_id text, reason text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.governance_start_erasure(tenant uuid, subject_id text, reason text) FROM PUBLIC;

--
-- Name: FUNCTION hmac_with(inner_key bytea, outer_key bytea, value text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.hmac_with(inner_key bytea, outer_key bytea, value text) FROM PUBLIC;

--
-- Name: FUNCTION identity_providers_for_issuer(issuer text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.identity_providers_for_issuer(issuer text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.identity_providers_for_issuer(issuer text) TO warden_authenticator;

--
-- Name: FUNCTION in_capture_promotion(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.in_capture_promotion() FROM PUBLIC;

--
-- Name: FUNCTION in_governance_operation(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.in_governance_operation() FROM PUBLIC;

--
-- Name: FUNCTION ingest_context_from_settings(settings jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.ingest_context_from_settings(settings jsonb) FROM PUBLIC;

--
-- Name: FUNCTION is_held(tenant_id uuid, resource_type text, resource_id text, correlation_id text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.is_held(tenant_id uuid, resource_type text, resource_id text, correlation_id text) FROM PUBLIC;

--
-- Name: FUNCTION json_needle(subject text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.json_needle(subject text) FROM PUBLIC;

--
-- Name: FUNCTION keyed_hash(tenant_key uuid, value text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.keyed_hash(tenant_key uuid, value text) FROM PUBLIC;

--
-- Name: FUNCTION new_api_key_secret(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.new_api_key_secret() FROM PUBLIC;

--
-- Name: FUNCTION notify_auth_invalidation(kind text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.notify_auth_invalidation(kind text) FROM PUBLIC;

--
-- Name: FUNCTION occurred_at_window(tenant_id uuid, OUT earliest timestamp with time zone, OUT latest timestamp with time zone); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.occurred_at_window(tenant_id uuid, OUT earliest timestamp with time zone, OUT latest timestamp with time zone) FROM PUBLIC;

--
-- Name: FUNCTION partition_is_held(partition regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.partition_is_held(partition regclass) FROM PUBLIC;

--
-- Name: FUNCTION policy_with_key(tenant_id uuid, compiled jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.policy_with_key(tenant_id uuid, compiled jsonb) FROM PUBLIC;

--
-- Name: FUNCTION primary_key_columns(target regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.primary_key_columns(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION protect_capture_log(log_table regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.protect_capture_log(log_table regclass) FROM PUBLIC;

--
-- Name: FUNCTION purge_soft_deleted(target regclass, older_than interval, batch_size integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.purge_soft_deleted(target regclass, older_than interval, batch_size integer) FROM PUBLIC;

--
-- Name: FUNCTION read_policy(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.read_policy() FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.read_policy() TO warden_visitor;

--
-- Name: FUNCTION record_audit_batch(requests jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.record_audit_batch(requests jsonb) FROM PUBLIC;

--
-- Name: FUNCTION record_audit_requests(requests jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.record_audit_requests(requests jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.record_audit_requests(requests jsonb) TO warden_authenticator;

--
-- Name: FUNCTION record_ddl_event(tag text, object_identity text, table_oid oid, extra jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.record_ddl_event(tag text, object_identity text, table_oid oid, extra jsonb) FROM PUBLIC;

--
-- Name: FUNCTION record_governance_event(event_type text, tenant_id uuid, resource_type text, resource_id text, before jsonb, after jsonb, details jsonb, severity warden.audit_severity, outcome warden.audit_outcome); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.record_governance_event(event_type text, tenant_id uuid, resource_type text, resource_id text, before jsonb, after jsonb, details jsonb, severity warden.audit_severity, outcome warden.audit_outcome) FROM PUBLIC;

--
-- Name: FUNCTION record_retention_event(tenant_key uuid, method text, partition_name text, rows_purged bigint, prune_record_id bigint, extra jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.record_retention_event(tenant_key uuid, method text, partition_name text, rows_purged bigint, prune_record_id bigint, extra jsonb) FROM PUBLIC;

--
-- Name: FUNCTION record_signed_records(key_id text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.record_signed_records(key_id text) FROM PUBLIC;

--
-- Name: FUNCTION record_soft_delete_event(operation text, target regclass, tenant_column text, row_data jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.record_soft_delete_event(operation text, target regclass, tenant_column text, row_data jsonb) FROM PUBLIC;

--
-- Name: FUNCTION redact_columns(policy jsonb, table_name text, row_values jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redact_columns(policy jsonb, table_name text, row_values jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.redact_columns(policy jsonb, table_name text, row_values jsonb) TO warden_visitor;

--
-- Name: FUNCTION redact_data(policy jsonb, event_data jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redact_data(policy jsonb, event_data jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.redact_data(policy jsonb, event_data jsonb) TO warden_visitor;

--
-- Name: FUNCTION redact_ip(policy jsonb, actor_ip inet); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redact_ip(policy jsonb, actor_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.redact_ip(policy jsonb, actor_ip inet) TO warden_visitor;

--
-- Name: FUNCTION redact_ip_by(method text, actor_ip inet); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redact_ip_by(method text, actor_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.redact_ip_by(method text, actor_ip inet) TO warden_visitor;

--
-- Name: FUNCTION redact_ua(policy jsonb, user_agent text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redact_ua(policy jsonb, user_agent text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.redact_ua(policy jsonb, user_agent text) TO warden_visitor;

--
-- Name: FUNCTION redact_ua_by(method text, user_agent text, inner_key bytea, outer_key bytea); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redact_ua_by(method text, user_agent text, inner_key bytea, outer_key bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.redact_ua_by(method text, user_agent text, inner_key bytea, outer_key bytea) TO warden_visitor;

--
-- Name: FUNCTION redact_values(obj jsonb, columns text[], tenant_key uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redact_values(obj jsonb, columns text[], tenant_key uuid) FROM PUBLIC;

--
-- Name: FUNCTION redaction_marker(policy jsonb, table_name text, actor_ip inet, user_agent text, old_values jsonb, new_values jsonb, event_data jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.redaction_marker(policy jsonb, table_name text, actor_ip inet, user_agent text, old_values jsonb, new_values jsonb, event_data jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.redaction_marker(policy jsonb, table_name text, actor_ip inet, user_agent text, old_values jsonb, new_values jsonb, event_data jsonb) TO warden_visitor;

--
-- Name: FUNCTION register_audited_schema(schema_name text, options jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.register_audited_schema(schema_name text, options jsonb) FROM PUBLIC;

--
-- Name: FUNCTION register_soft_delete_table(target regclass, tenant_column text, purge_after interval, rls_enabled boolean); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.register_soft_delete_table(target regclass, tenant_column text, purge_after interval, rls_enabled boolean) FROM PUBLIC;

--
-- Name: FUNCTION resolve_external_identity(provider_id uuid, subject text, email text, email_verified boolean, display_name text, OUT user_id uuid, OUT tenant_id uuid, OUT tenant_role warden.tenant_role, OUT failure text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.resolve_external_identity(provider_id uuid, subject text, email text, email_verified boolean, display_name text, OUT user_id uuid, OUT tenant_id uuid, OUT tenant_role warden.tenant_role, OUT failure text) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.resolve_external_identity(provider_id uuid, subject text, email text, email_verified boolean, display_name text, OUT user_id uuid, OUT tenant_id uuid, OUT tenant_role warden.tenant_role, OUT failure text) TO warden_authenticator;

--
-- Name: FUNCTION resolve_membership(tenant_id uuid, user_id uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.resolve_membership(tenant_id uuid, user_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION warden_private.resolve_membership(tenant_id uuid, user_id uuid) TO warden_authenticator;

--
-- Name: FUNCTION retention_days(tenant_id uuid, event_type text, default_days integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.retention_days(tenant_id uuid, event_type text, default_days integer) FROM PUBLIC;

--
-- Name: FUNCTION retention_default_days(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.retention_default_days() FROM PUBLIC;

--
-- Name: FUNCTION retention_droppable_partitions(default_days integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.retention_droppable_partitions(default_days integer) FROM PUBLIC;

--
-- Name: FUNCTION retention_max_days(default_days integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.retention_max_days(default_days integer) FROM PUBLIC;

--
-- Name: FUNCTION retention_min_days(tenant_key uuid, default_days integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.retention_min_days(tenant_key uuid, default_days integer) FROM PUBLIC;

--
-- Name: FUNCTION retention_plan(default_days integer); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.retention_plan(default_days integer) FROM PUBLIC;

--
-- Name: FUNCTION retention_tenant_keys(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.retention_tenant_keys() FROM PUBLIC;

--
-- Name: FUNCTION revoke_user_sessions(session_ids uuid[], revoked_by jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.revoke_user_sessions(session_ids uuid[], revoked_by jsonb) FROM PUBLIC;

--
-- Name: FUNCTION rfc3339_is_valid(value text); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.rfc3339_is_valid(value text) FROM PUBLIC;

--
-- Name: FUNCTION seal_flag_suspects(from_txid bigint, to_txid bigint); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.seal_flag_suspects(from_txid bigint, to_txid bigint) FROM PUBLIC;

--
-- Name: FUNCTION seal_horizon(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.seal_horizon() FROM PUBLIC;

--
-- Name: FUNCTION set_member_role(tenant_id uuid, user_id uuid, role warden.tenant_role, OUT previous_role warden.tenant_role, OUT new_role warden.tenant_role); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.set_member_role(tenant_id uuid, user_id uuid, role warden.tenant_role, OUT previous_role warden.tenant_role, OUT new_role warden.tenant_role) FROM PUBLIC;

--
-- Name: FUNCTION set_occurred_at_window(tenant_id uuid, max_future interval, max_past interval); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.set_occurred_at_window(tenant_id uuid, max_future interval, max_past interval) FROM PUBLIC;

--
-- Name: FUNCTION strip_paths(doc jsonb, data_rules jsonb); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.strip_paths(doc jsonb, data_rules jsonb) FROM PUBLIC;

--
-- Name: FUNCTION sync_redaction_trigger(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.sync_redaction_trigger() FROM PUBLIC;

--
-- Name: FUNCTION tenant_hash_key(tenant_key uuid, OUT inner_key bytea, OUT outer_key bytea); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tenant_hash_key(tenant_key uuid, OUT inner_key bytea, OUT outer_key bytea) FROM PUBLIC;

--
-- Name: FUNCTION tenant_key(tenant_id uuid); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tenant_key(tenant_id uuid) FROM PUBLIC;

--
-- Name: FUNCTION tg__notify_auth_invalidation(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg__notify_auth_invalidation() FROM PUBLIC;

--
-- Name: FUNCTION tg__timestamps(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg__timestamps() FROM PUBLIC;

--
-- Name: FUNCTION tg_api_keys__governance(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_api_keys__governance() FROM PUBLIC;

--
-- Name: FUNCTION tg_api_keys__guard(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_api_keys__guard() FROM PUBLIC;

--
-- Name: FUNCTION tg_audit_append_only(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_audit_append_only() FROM PUBLIC;

--
-- Name: FUNCTION tg_audit_capture(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_audit_capture() FROM PUBLIC;

--
-- Name: FUNCTION tg_audit_redact(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_audit_redact() FROM PUBLIC;

--
-- Name: FUNCTION tg_audit_redact_flush(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_audit_redact_flush() FROM PUBLIC;

--
-- Name: FUNCTION tg_capture_log_guard(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_capture_log_guard() FROM PUBLIC;

--
-- Name: FUNCTION tg_context_commit_check(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_context_commit_check() FROM PUBLIC;

--
-- Name: FUNCTION tg_dq_rules_audit(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_dq_rules_audit() FROM PUBLIC;

--
-- Name: FUNCTION tg_dq_rules_sync(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_dq_rules_sync() FROM PUBLIC;

--
-- Name: FUNCTION tg_dq_rules_validate(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_dq_rules_validate() FROM PUBLIC;

--
-- Name: FUNCTION tg_identity_providers__governance(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_identity_providers__governance() FROM PUBLIC;

--
-- Name: FUNCTION tg_projects__add_creator(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_projects__add_creator() FROM PUBLIC;

--
-- Name: FUNCTION tg_soft_delete(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_soft_delete() FROM PUBLIC;

--
-- Name: FUNCTION tg_soft_delete_guard(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_soft_delete_guard() FROM PUBLIC;

--
-- Name: FUNCTION tg_tenant_memberships__governance(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_tenant_memberships__governance() FROM PUBLIC;

--
-- Name: FUNCTION tg_tenant_memberships__keep_owner(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_tenant_memberships__keep_owner() FROM PUBLIC;

--
-- Name: FUNCTION tg_tenant_memberships__owner_guard(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_tenant_memberships__owner_guard() FROM PUBLIC;

--
-- Name: FUNCTION tg_user_sessions__governance(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_user_sessions__governance() FROM PUBLIC;

--
-- Name: FUNCTION tg_user_sessions__guard(); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.tg_user_sessions__guard() FROM PUBLIC;

--
-- Name: FUNCTION unregister_soft_delete_table(target regclass); Type: ACL; Schema: warden_private; Owner: -
--

REVOKE ALL ON FUNCTION warden_private.unregister_soft_delete_table(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION dq_failing(jsonb); Type: ACL; Schema: warden; Owner: -
--

REVOKE ALL ON FUNCTION warden.dq_failing(jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION warden.dq_failing(jsonb) TO warden_dq_sandbox;

--
-- Name: TABLE api_keys; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.api_keys TO warden_visitor;

--
-- Name: COLUMN api_keys.name; Type: ACL; Schema: warden; Owner: -
--

GRANT UPDATE(name) ON TABLE warden.api_keys TO warden_visitor;

--
-- Name: COLUMN api_keys.rate_limit_per_second; Type: ACL; Schema: warden; Owner: -
--

GRANT UPDATE(rate_limit_per_second) ON TABLE warden.api_keys TO warden_visitor;

--
-- Name: COLUMN api_keys.expires_at; Type: ACL; Schema: warden; Owner: -
--

GRANT UPDATE(expires_at) ON TABLE warden.api_keys TO warden_visitor;

--
-- Name: COLUMN api_keys.revoked_at; Type: ACL; Schema: warden; Owner: -
--

GRANT UPDATE(revoked_at) ON TABLE warden.api_keys TO warden_visitor;

--
-- Name: TABLE audit_events_redacted; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.audit_events_redacted TO warden_visitor;

--
-- Name: TABLE dq_results; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.dq_results TO warden_visitor;

--
-- Name: TABLE dq_daily_pass_rate; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.dq_daily_pass_rate TO warden_visitor;

--
-- Name: TABLE dq_enforcements; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.dq_enforcements TO warden_visitor;

--
-- Name: TABLE dq_rule_status; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.dq_rule_status TO warden_visitor;

--
-- Name: TABLE identity_providers; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT,DELETE ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.name; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(name),UPDATE(name) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.issuer; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(issuer),UPDATE(issuer) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.jwks_url; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(jwks_url),UPDATE(jwks_url) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.audience; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(audience),UPDATE(audience) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.user_claim; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(user_claim),UPDATE(user_claim) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.auto_provision; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(auto_provision),UPDATE(auto_provision) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.default_role; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(default_role),UPDATE(default_role) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: COLUMN identity_providers.enabled; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(enabled),UPDATE(enabled) ON TABLE warden.identity_providers TO warden_visitor;

--
-- Name: TABLE project_members; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT,DELETE ON TABLE warden.project_members TO warden_visitor;

--
-- Name: COLUMN project_members.tenant_id; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(tenant_id) ON TABLE warden.project_members TO warden_visitor;

--
-- Name: COLUMN project_members.project_id; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(project_id) ON TABLE warden.project_members TO warden_visitor;

--
-- Name: COLUMN project_members.user_id; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(user_id) ON TABLE warden.project_members TO warden_visitor;

--
-- Name: COLUMN project_members.role; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(role),UPDATE(role) ON TABLE warden.project_members TO warden_visitor;

--
-- Name: TABLE projects; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT,DELETE ON TABLE warden.projects TO warden_visitor;

--
-- Name: COLUMN projects.tenant_id; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(tenant_id) ON TABLE warden.projects TO warden_visitor;

--
-- Name: COLUMN projects.name; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(name),UPDATE(name) ON TABLE warden.projects TO warden_visitor;

--
-- Name: COLUMN projects.description; Type: ACL; Schema: warden; Owner: -
--

GRANT INSERT(description),UPDATE(description) ON TABLE warden.projects TO warden_visitor;

--
-- Name: TABLE tenants; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.tenants TO warden_visitor;

--
-- Name: COLUMN tenants.name; Type: ACL; Schema: warden; Owner: -
--

GRANT UPDATE(name) ON TABLE warden.tenants TO warden_visitor;

--
-- Name: TABLE users; Type: ACL; Schema: warden; Owner: -
--

GRANT SELECT ON TABLE warden.users TO warden_visitor;

--
-- Name: COLUMN users.display_name; Type: ACL; Schema: warden; Owner: -
--

GRANT UPDATE(display_name) ON TABLE warden.users TO warden_visitor;

--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: -; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE warden_owner REVOKE ALL ON FUNCTIONS  FROM PUBLIC;

--
-- PostgreSQL database dump complete
--
