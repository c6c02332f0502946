-- City migration 5: the database holds against a hostile account (issue 15). No role but the owner can write
-- history, change a report without an event naming its database user, act on a report it may not see, refresh
-- deadlines with a made-up clock, or publish without a log entry. Changes no data (tested on a level-4 city).
--
-- Who is "the user": session_user, the login. Inside SECURITY DEFINER functions current_user is the owner, and a
-- login can SET ROLE only to groups it already belongs to, so session_user names the person's account and
-- cannot be changed without superuser rights (SET SESSION AUTHORIZATION).

-- The deadline scheduler (cron / systemd timer): may run the refresh and nothing else.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @l_scheduler@) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', @l_scheduler@);
  END IF;
END $$;
GRANT USAGE ON SCHEMA @s@ TO @r_scheduler@;

-- Privileged sessions: the owner (and superusers), or a login in the admin group. Everything else is a "desk-like"
-- account whose writes are checked.
CREATE FUNCTION @s@.session_is_owner() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT pg_has_role(session_user, (SELECT nspowner FROM pg_namespace WHERE oid = '@s@'::regnamespace), 'USAGE')
$$;
CREATE FUNCTION @s@.session_is_admin() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT @s@.session_is_owner() OR pg_has_role(session_user, @l_admin@, 'MEMBER')
$$;

-- The workflow of core/statuses.py (TRANSITIONS), as data the database checks; a unit test keeps them equal.
CREATE TABLE @s@.status_transitions (
  from_status text NOT NULL,
  to_status text NOT NULL,
  PRIMARY KEY (from_status, to_status)
);
INSERT INTO @s@.status_transitions (from_status, to_status) VALUES
  ('submitted', 'received'), ('submitted', 'rejected'), ('submitted', 'duplicate'),
  ('received', 'assigned'), ('received', 'in_progress'), ('received', 'rejected'), ('received', 'duplicate'),
  ('assigned', 'assigned'), ('assigned', 'in_progress'), ('assigned', 'resolved'), ('assigned', 'rejected'),
  ('assigned', 'duplicate'),
  ('in_progress', 'assigned'), ('in_progress', 'resolved'), ('in_progress', 'rejected'),
  ('resolved', 'closed'), ('resolved', 'in_progress'),
  ('closed', 'in_progress'),
  ('rejected', 'received'),
  ('duplicate', 'received');
REVOKE ALL ON @s@.status_transitions FROM PUBLIC;
GRANT SELECT ON @s@.status_transitions
  TO @r_admin@, @r_planner@, @r_operator@, @r_gis_staff@, @r_data_officer@, @r_desk@;

-- Local reports created by desks/operators get their id from the server (item 8: an id chosen by the client
-- would answer "duplicate key" for another ward's report).
CREATE SEQUENCE @s@.local_report_seq;
REVOKE ALL ON SEQUENCE @s@.local_report_seq FROM PUBLIC;

-- One guard before every write of a report (named a_… so it runs before derive_report_columns, which derives
-- the deadline state from requested_at). Replaces migration 3's bump_report_version.
--  * new reports from non-admin accounts: server id, server times, source 'local', version 1, and a starting
--    status (submitted/received);
--  * status changes follow status_transitions for non-admin accounts (the admin group runs the Open311 pull,
--    where the city's server is the authority; audited like every change);
--  * any content change bumps version by exactly one, whatever the client wrote, and stamps updated_at with
--    the server's time (the admin group may carry the Open311 server's updated_at); a "change" of version
--    alone is ignored.
-- Plain column comparisons, not row → jsonb: the 20-desk bench pays for every microsecond here. Invoker rights
-- (only the sequence needs a grant), so no definer context switch on every write.
CREATE FUNCTION @s@.guard_report() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT @s@.session_is_admin() THEN
      NEW.report_id := 'L' || lpad(nextval('@s@.local_report_seq')::text, 9, '0');
      NEW.requested_at := now();
      NEW.updated_at := now();
      NEW.source := 'local';
      NEW.version := 1;
      IF NEW.status IS DISTINCT FROM 'submitted' AND NEW.status IS DISTINCT FROM 'received' THEN
        RAISE EXCEPTION 'a new report starts as submitted or received, not %', NEW.status
          USING ERRCODE = 'check_violation';
      END IF;
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status
     AND NOT EXISTS (SELECT 1 FROM @s@.status_transitions WHERE from_status = OLD.status AND to_status = NEW.status)
     AND NOT @s@.session_is_admin()
  THEN
    RAISE EXCEPTION 'cannot change a report from ''%'' to ''%''', OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF (NEW.report_id, NEW.source, NEW.service_code, NEW.service_name, NEW.priority, NEW.status, NEW.status_notes,
      NEW.description, NEW.address, NEW.ward_id, NEW.agency_responsible, NEW.assigned_to, NEW.requested_at,
      NEW.updated_at, NEW.expected_at, NEW.due_at, NEW.resolved_at, NEW.lat, NEW.lon, NEW.media_url,
      NEW.reporter_name, NEW.reporter_phone, NEW.reporter_email, NEW.geom)
     IS DISTINCT FROM
     (OLD.report_id, OLD.source, OLD.service_code, OLD.service_name, OLD.priority, OLD.status, OLD.status_notes,
      OLD.description, OLD.address, OLD.ward_id, OLD.agency_responsible, OLD.assigned_to, OLD.requested_at,
      OLD.updated_at, OLD.expected_at, OLD.due_at, OLD.resolved_at, OLD.lat, OLD.lon, OLD.media_url,
      OLD.reporter_name, OLD.reporter_phone, OLD.reporter_email, OLD.geom)
  THEN
    NEW.version := coalesce(OLD.version, 0) + 1;
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at OR NOT @s@.session_is_admin() THEN
      NEW.updated_at := now();
    END IF;
  ELSE
    NEW.version := OLD.version;
  END IF;
  RETURN NEW;
END $$;
GRANT USAGE ON SEQUENCE @s@.local_report_seq TO @r_desk@, @r_operator@, @r_admin@;
DROP TRIGGER bump_report_version ON @s@.field_reports;
DROP FUNCTION @s@.bump_report_version();
CREATE TRIGGER a_guard_report BEFORE INSERT OR UPDATE OF
  report_id, source, service_code, service_name, priority, status, status_notes, description, address, ward_id,
  agency_responsible, assigned_to, requested_at, updated_at, expected_at, due_at, resolved_at, lat, lon, media_url,
  reporter_name, reporter_phone, reporter_email, version, geom
  ON @s@.field_reports FOR EACH ROW EXECUTE FUNCTION @s@.guard_report();

-- Events: the database user and the server's time are stamped on every row; only the owner may write another
-- time (the demo generator, imports of old history).
CREATE OR REPLACE FUNCTION @s@.stamp_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.db_user := session_user;
  NEW.tx := txid_current();
  IF NEW.at IS DISTINCT FROM now() AND (NEW.at IS NULL OR NOT @s@.session_is_owner()) THEN
    NEW.at := now();
  END IF;
  RETURN NEW;
END $$;

-- Audit: every change of a report is recorded, field by field, in the same statement, by the database, whatever
-- else the transaction wrote (migration 1 skipped reports that already had an event in the transaction, so a
-- decoy note hid the real change). The plugin passes the person's name and note in ioc.actor / ioc.note
-- (claims, shown after the database user); a change from any other tool gets the login as actor and note
-- 'database'. Owner rights: event rows other than notes are written only here. The per-column tests are
-- generated from one list (the columns of field_reports but fid, version and the derived ones).
DO $gen$
DECLARE
  cols text[] := ARRAY['report_id', 'source', 'service_code', 'service_name', 'priority', 'status', 'status_notes',
    'description', 'address', 'ward_id', 'agency_responsible', 'assigned_to', 'requested_at', 'updated_at',
    'expected_at', 'due_at', 'resolved_at', 'lat', 'lon', 'media_url', 'reporter_name', 'reporter_phone',
    'reporter_email', 'geom'];
  c text; act text; o text; n text; body text := '';
BEGIN
  FOREACH c IN ARRAY cols LOOP
    act := CASE c WHEN 'status' THEN 'status' WHEN 'assigned_to' THEN 'assign' WHEN 'agency_responsible' THEN 'assign'
                  WHEN 'priority' THEN 'priority' ELSE 'edit:' || c END;
    IF c = 'geom' THEN
      o := 'ST_AsText(OLD.geom)'; n := 'ST_AsText(NEW.geom)';
    ELSE  -- the same text as a JSON value (ISO times whatever the session's DateStyle)
      o := format('to_jsonb(OLD.%I) #>> ''{}''', c); n := format('to_jsonb(NEW.%I) #>> ''{}''', c);
    END IF;
    body := body || format(
      E'    IF NEW.%1$I IS DISTINCT FROM OLD.%1$I%2$s THEN\n'
      || E'      INSERT INTO @s@.report_events (report_id, at, actor, action, old_value, new_value, note)\n'
      || E'      VALUES (rid, now(), who, %3$L, coalesce(%4$s, %6$L), coalesce(%5$s, %6$L), why);\n'
      || E'    END IF;\n',
      c, CASE WHEN c = 'updated_at' THEN ' AND NEW.updated_at <> now()' ELSE '' END,  -- the server's own stamp
      act, o, n, '');
  END LOOP;
  EXECUTE format($f$
CREATE OR REPLACE FUNCTION @s@.audit_report_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $body$
DECLARE
  rid text := CASE WHEN TG_OP = 'DELETE' THEN OLD.report_id ELSE NEW.report_id END;
  claimed text := nullif(current_setting('ioc.actor', true), '');
  who text := coalesce(claimed, session_user);
  why text := CASE WHEN claimed IS NULL THEN 'database' ELSE coalesce(current_setting('ioc.note', true), '') END;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO @s@.report_events (report_id, at, actor, action, old_value, new_value, note)
    VALUES (rid, now(), who, 'created', '', coalesce(NEW.status, ''), why);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO @s@.report_events (report_id, at, actor, action, old_value, new_value, note)
    VALUES (rid, now(), who, 'deleted', coalesce(OLD.status, ''), '', why);
  ELSE
%s  END IF;
  RETURN NULL;
END $body$$f$, body);
END $gen$;

DROP TRIGGER audit_report_change ON @s@.field_reports;
CREATE TRIGGER audit_report_change AFTER INSERT OR DELETE OR UPDATE OF
  report_id, source, service_code, service_name, priority, status, status_notes, description, address, ward_id,
  agency_responsible, assigned_to, requested_at, updated_at, expected_at, due_at, resolved_at, lat, lon, media_url,
  reporter_name, reporter_phone, reporter_email, geom
  ON @s@.field_reports FOR EACH ROW EXECUTE FUNCTION @s@.audit_report_change();

-- Event rows: every account may annotate a report it can see (a note, an attachment's name); all other events
-- come from the trigger above. Nobody but the owner updates or deletes them (the admin group included).
DROP POLICY any_insert ON @s@.report_events;
DROP POLICY admin_all ON @s@.report_events;
CREATE POLICY note_insert ON @s@.report_events FOR INSERT WITH CHECK (
  action IN ('note', 'attach') AND EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_events.report_id));
CREATE POLICY admin_read ON @s@.report_events FOR SELECT TO @r_admin@ USING (true);
-- the admin group: everything through the audited paths; nothing that skips triggers or rewrites history
REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA @s@ FROM @r_admin@;
REVOKE UPDATE, DELETE ON @s@.report_events FROM @r_admin@;
REVOKE INSERT, UPDATE, DELETE ON @s@.status_transitions FROM @r_admin@;

-- Reports: desks and the planner change workflow fields only. Where a report came from, when it was requested,
-- where it is and who reported it are the citizen's/the server's (forbidden to them; the admin group may change
-- them, audited and versioned like any change). updated_at/version stay grantable because the plugin writes
-- them, but guard_report overrides both.
REVOKE UPDATE ON @s@.field_reports FROM @r_desk@, @r_planner@;
GRANT UPDATE (service_code, service_name, priority, status, status_notes, description, address, ward_id,
              agency_responsible, assigned_to, expected_at, due_at, resolved_at, media_url, updated_at, version)
  ON @s@.field_reports TO @r_desk@, @r_planner@;

-- Outbox: only for reports the account can see (so nobody pushes a change of another ward's report to the city's
-- Open311); desks and the planner mark what they pushed as sent/failed, and nothing else.
DROP POLICY any_insert ON @s@.report_outbox;
CREATE POLICY visible_insert ON @s@.report_outbox FOR INSERT
  WITH CHECK (EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_outbox.report_id));
CREATE POLICY visible_update ON @s@.report_outbox FOR UPDATE TO @r_desk@, @r_planner@
  USING (EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_outbox.report_id))
  WITH CHECK (EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_outbox.report_id));
REVOKE UPDATE ON @s@.report_outbox FROM @r_desk@;
GRANT UPDATE (sent_at, attempts, last_error) ON @s@.report_outbox TO @r_desk@, @r_planner@;

-- Deadline refresh: the server's clock only, by the scheduler (and admin), recorded. The simulated-clock variant
-- is the owner's (tests, replays); no group may run it.
CREATE TABLE @s@.maintenance_log (
  fid bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  db_user text NOT NULL DEFAULT session_user,
  action text NOT NULL,
  as_of timestamptz,
  rows_changed bigint,
  detail text
);
REVOKE ALL ON @s@.maintenance_log FROM PUBLIC;
GRANT SELECT ON @s@.maintenance_log TO @r_admin@, @r_scheduler@;

-- City settings (due_soon_fraction changes every deadline state; sync cursors decide what is pulled) are the
-- admin group's to change, recorded here like everything else; the owner's migrations are not.
CREATE FUNCTION @s@.audit_meta() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  INSERT INTO @s@.maintenance_log (action, detail) VALUES (
    'ioc_meta ' || lower(TG_OP),
    CASE TG_OP WHEN 'INSERT' THEN NEW.key || ' = ' || coalesce(NEW.value, '')
               WHEN 'DELETE' THEN OLD.key || ' (was ' || coalesce(OLD.value, '') || ')'
               ELSE NEW.key || ': ' || coalesce(OLD.value, '') || ' → ' || coalesce(NEW.value, '') END);
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION @s@.audit_meta() FROM PUBLIC;
CREATE TRIGGER audit_meta AFTER INSERT OR UPDATE OR DELETE ON @s@.ioc_meta
  FOR EACH ROW WHEN (NOT @s@.session_is_owner()) EXECUTE FUNCTION @s@.audit_meta();

DROP FUNCTION @s@.refresh_deadline_state(timestamptz);
CREATE FUNCTION @s@.refresh_deadline_state_at(as_of timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE n bigint; soon double precision := @s@.due_soon_fraction();
BEGIN
  UPDATE @s@.field_reports SET deadline_state = @s@.deadline_state_of(status, requested_at, due_at, resolved_at, as_of, soon)
  WHERE status IN ('submitted', 'received', 'assigned', 'in_progress')
    AND deadline_state IS DISTINCT FROM @s@.deadline_state_of(status, requested_at, due_at, resolved_at, as_of, soon);
  GET DIAGNOSTICS n = ROW_COUNT;
  UPDATE @s@.field_reports SET deadline_state =
    @s@.deadline_state_of(status, requested_at, due_at, resolved_at, as_of, soon) WHERE deadline_state IS NULL;
  INSERT INTO @s@.maintenance_log (action, as_of, rows_changed) VALUES ('refresh_deadline_state', as_of, n);
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION @s@.refresh_deadline_state_at(timestamptz) FROM PUBLIC;

CREATE FUNCTION @s@.refresh_deadline_state() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT @s@.refresh_deadline_state_at(now())
$$;
REVOKE ALL ON FUNCTION @s@.refresh_deadline_state() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @s@.refresh_deadline_state() TO @r_scheduler@, @r_admin@;

-- Publish log of exports (item 7): append-only, written only through log_publication, which stamps the login
-- and the server's time. Exporting roles (data officer, planner, admin) may call it; nobody edits the log.
CREATE TABLE @s@.publish_log (
  fid bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  db_user text NOT NULL DEFAULT session_user,
  entry jsonb NOT NULL CHECK (jsonb_typeof(entry) = 'object')
);
REVOKE ALL ON @s@.publish_log FROM PUBLIC;
GRANT SELECT ON @s@.publish_log TO @r_admin@, @r_planner@, @r_data_officer@;
CREATE FUNCTION @s@.log_publication(entry jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE id bigint;
BEGIN
  IF entry IS NULL OR jsonb_typeof(entry) <> 'object' OR octet_length(entry::text) > 65536 THEN
    RAISE EXCEPTION 'a publish log entry is a JSON object of at most 64 kB' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO @s@.publish_log (entry) VALUES (entry) RETURNING fid INTO id;
  RETURN id;
END $$;
REVOKE ALL ON FUNCTION @s@.log_publication(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @s@.log_publication(jsonb) TO @r_data_officer@, @r_planner@, @r_admin@;

-- Other functions of earlier levels: nothing for PUBLIC that is not needed.
REVOKE ALL ON FUNCTION @s@.session_is_owner(), @s@.session_is_admin(), @s@.guard_report(),
  @s@.audit_report_change(), @s@.stamp_event() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @s@.session_is_owner(), @s@.session_is_admin()
  TO @r_admin@, @r_planner@, @r_operator@, @r_gis_staff@, @r_data_officer@, @r_desk@, @r_scheduler@;

-- Side channels (item 8): table statistics views give other wards' counts (n_live_tup, n_tup_upd…). Only a
-- superuser may revoke on pg_catalog; a migration run by a non-superuser owner leaves them (README: residual).
DO $$
DECLARE v text;
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    FOREACH v IN ARRAY ARRAY['pg_stat_all_tables', 'pg_stat_user_tables', 'pg_stat_xact_all_tables',
                             'pg_stat_xact_user_tables', 'pg_statio_all_tables', 'pg_statio_user_tables',
                             'pg_stat_all_indexes', 'pg_stat_user_indexes', 'pg_statio_all_indexes',
                             'pg_statio_user_indexes'] LOOP
      EXECUTE format('REVOKE SELECT ON pg_catalog.%I FROM PUBLIC', v);
    END LOOP;
    FOREACH v IN ARRAY ARRAY['pg_stat_get_live_tuples', 'pg_stat_get_dead_tuples', 'pg_stat_get_tuples_inserted',
                             'pg_stat_get_tuples_updated', 'pg_stat_get_tuples_deleted',
                             'pg_stat_get_tuples_hot_updated', 'pg_stat_get_tuples_returned',
                             'pg_stat_get_tuples_fetched', 'pg_stat_get_numscans',
                             'pg_stat_get_xact_tuples_inserted', 'pg_stat_get_xact_tuples_updated',
                             'pg_stat_get_xact_tuples_deleted', 'pg_stat_get_mod_since_analyze',
                             'pg_stat_get_ins_since_vacuum', 'pg_stat_get_blocks_fetched',
                             'pg_stat_get_blocks_hit'] LOOP
      EXECUTE format('REVOKE EXECUTE ON FUNCTION pg_catalog.%I(oid) FROM PUBLIC', v);
    END LOOP;
  ELSE
    RAISE NOTICE 'not a superuser: table statistics views stay readable (README, residual risks)';
  END IF;
END $$;
