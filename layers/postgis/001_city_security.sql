-- City migration 1: roles, per-unit access (row-level security) and a database-side audit trail.
-- Tokens @s@ (schema) and @r_<role>@ (group roles) are substituted, already quoted, by store/migrations.
-- Runs in one transaction on a database created by PostgisStore.create (schema_version 1); changes no data.

-- Group roles: cluster-wide, so they carry the city's prefix; logins are members of exactly one of them.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY[@l_admin@, @l_planner@, @l_operator@, @l_gis_staff@, @l_data_officer@, @l_desk@] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END $$;

-- Which ward(s) or department(s) a database user works for (desks and operators).
CREATE TABLE @s@.ioc_user_units (
  db_user name NOT NULL,
  unit_kind text NOT NULL CHECK (unit_kind IN ('ward', 'department')),
  unit_id text NOT NULL,
  PRIMARY KEY (db_user, unit_kind, unit_id)
);

-- Units of the current user. Invoker rights: RLS on ioc_user_units shows each user only its own rows.
CREATE FUNCTION @s@.my_units(kind text) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(unit_id), '{}') FROM @s@.ioc_user_units WHERE db_user = current_user AND unit_kind = kind
$$;

-- Audit: every event row carries the database user and transaction, set by the database (cannot be faked).
ALTER TABLE @s@.report_events ADD COLUMN db_user text, ADD COLUMN tx bigint;
CREATE INDEX idx_report_events_tx ON @s@.report_events (report_id, tx);

CREATE FUNCTION @s@.stamp_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.db_user := current_user;
  NEW.tx := txid_current();
  RETURN NEW;
END $$;
CREATE TRIGGER stamp_event BEFORE INSERT ON @s@.report_events FOR EACH ROW EXECUTE FUNCTION @s@.stamp_event();

-- At commit, a report changed without an event written in the same transaction (psql, QGIS attribute table,
-- other tools) gets one event per changed field, so no change escapes the trail. The plugin writes its own
-- events (with the person's name and note) and is not recorded twice.
CREATE FUNCTION @s@.audit_report_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rid text := coalesce(NEW.report_id, OLD.report_id);
  k text; old_v text; new_v text;
BEGIN
  IF EXISTS (SELECT 1 FROM @s@.report_events WHERE report_id = rid AND tx = txid_current()) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO @s@.report_events (report_id, at, actor, action, old_value, new_value, note)
    VALUES (rid, now(), current_user, 'created', '', coalesce(NEW.status, ''), 'database');
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO @s@.report_events (report_id, at, actor, action, old_value, new_value, note)
    VALUES (rid, now(), current_user, 'deleted', coalesce(OLD.status, ''), '', 'database');
  ELSE
    FOR k, new_v IN SELECT key, value FROM jsonb_each_text(to_jsonb(NEW)) LOOP
      CONTINUE WHEN k IN ('fid', 'geom', 'version', 'updated_at', 'deadline_state', 'ax', 'ay');
      old_v := to_jsonb(OLD) ->> k;
      IF old_v IS DISTINCT FROM new_v THEN
        INSERT INTO @s@.report_events (report_id, at, actor, action, old_value, new_value, note)
        VALUES (rid, now(), current_user,
                CASE k WHEN 'status' THEN 'status' WHEN 'assigned_to' THEN 'assign'
                       WHEN 'agency_responsible' THEN 'assign' WHEN 'priority' THEN 'priority' ELSE 'edit:' || k END,
                coalesce(old_v, ''), coalesce(new_v, ''), 'database');
      END IF;
    END LOOP;
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER audit_report_change AFTER INSERT OR DELETE OR UPDATE OF
  report_id, service_code, service_name, priority, status, status_notes, description, address, ward_id,
  agency_responsible, assigned_to, expected_at, due_at, resolved_at, media_url, geom
  ON @s@.field_reports DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION @s@.audit_report_change();

-- Privileges: nothing for PUBLIC; each group gets what its work needs.
REVOKE ALL ON SCHEMA @s@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @s@ FROM PUBLIC;
GRANT USAGE ON SCHEMA @s@ TO @r_admin@, @r_planner@, @r_operator@, @r_gis_staff@, @r_data_officer@, @r_desk@;
GRANT SELECT ON @s@.ioc_meta, @s@.wards, @s@.ioc_user_units
  TO @r_admin@, @r_planner@, @r_operator@, @r_gis_staff@, @r_data_officer@, @r_desk@;
GRANT ALL ON ALL TABLES IN SCHEMA @s@ TO @r_admin@;
GRANT ALL ON ALL SEQUENCES IN SCHEMA @s@ TO @r_admin@;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA @s@ TO @r_planner@, @r_operator@, @r_gis_staff@, @r_desk@;
-- planner/leader: reads everything, routes and updates reports
GRANT SELECT ON ALL TABLES IN SCHEMA @s@ TO @r_planner@;
GRANT UPDATE ON @s@.field_reports TO @r_planner@;
GRANT INSERT ON @s@.report_events, @s@.report_outbox TO @r_planner@;
-- data officer: reads everything, changes nothing
GRANT SELECT ON ALL TABLES IN SCHEMA @s@ TO @r_data_officer@;
-- GIS staff: reads everything, maintains the reference layers
GRANT SELECT ON ALL TABLES IN SCHEMA @s@ TO @r_gis_staff@;
GRANT INSERT, UPDATE, DELETE ON @s@.wards, @s@.parcels, @s@.planning_zones, @s@.street_lights, @s@.light_readings
  TO @r_gis_staff@;
-- operator: cameras of its area (status updates), reports of its area (a snapshot becomes a report)
GRANT SELECT ON @s@.cameras, @s@.street_lights, @s@.field_reports, @s@.report_events, @s@.report_attachments
  TO @r_operator@;
GRANT UPDATE (status, last_seen) ON @s@.cameras TO @r_operator@;
GRANT INSERT ON @s@.field_reports, @s@.report_events, @s@.report_attachments TO @r_operator@;
-- ward/department desk: its own reports and what is assigned to it
GRANT SELECT ON @s@.parcels, @s@.planning_zones, @s@.street_lights TO @r_desk@;
GRANT SELECT, INSERT, UPDATE ON @s@.field_reports, @s@.report_outbox TO @r_desk@;
GRANT SELECT, INSERT ON @s@.report_events, @s@.report_attachments TO @r_desk@;

-- Row-level security. Owner and superusers bypass it (they run migrations); every group role is subject to it.
ALTER TABLE @s@.field_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE @s@.report_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE @s@.report_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE @s@.report_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE @s@.cameras ENABLE ROW LEVEL SECURITY;
ALTER TABLE @s@.ioc_user_units ENABLE ROW LEVEL SECURITY;

CREATE POLICY own_units ON @s@.ioc_user_units FOR SELECT USING (db_user = current_user);
CREATE POLICY admin_all ON @s@.ioc_user_units TO @r_admin@ USING (true) WITH CHECK (true);

-- reports: everyone who reads the whole city
CREATE POLICY city_read ON @s@.field_reports FOR SELECT TO @r_planner@, @r_gis_staff@, @r_data_officer@ USING (true);
CREATE POLICY admin_all ON @s@.field_reports TO @r_admin@ USING (true) WITH CHECK (true);
CREATE POLICY planner_update ON @s@.field_reports FOR UPDATE TO @r_planner@ USING (true) WITH CHECK (true);
-- desk: reports of its wards, or assigned/addressed to its departments. A desk may hand a report on
-- (the updated row may leave its view), but can only insert reports it will see.
CREATE POLICY desk_read ON @s@.field_reports FOR SELECT TO @r_desk@ USING (
  ward_id = ANY ((SELECT @s@.my_units('ward'))::text[])
  OR assigned_to = ANY ((SELECT @s@.my_units('department'))::text[])
  OR agency_responsible = ANY ((SELECT @s@.my_units('department'))::text[]));
CREATE POLICY desk_update ON @s@.field_reports FOR UPDATE TO @r_desk@ USING (
  ward_id = ANY ((SELECT @s@.my_units('ward'))::text[])
  OR assigned_to = ANY ((SELECT @s@.my_units('department'))::text[])
  OR agency_responsible = ANY ((SELECT @s@.my_units('department'))::text[])) WITH CHECK (true);
CREATE POLICY desk_insert ON @s@.field_reports FOR INSERT TO @r_desk@ WITH CHECK (
  ward_id = ANY ((SELECT @s@.my_units('ward'))::text[])
  OR assigned_to = ANY ((SELECT @s@.my_units('department'))::text[])
  OR agency_responsible = ANY ((SELECT @s@.my_units('department'))::text[]));
-- operator: reports of its area
CREATE POLICY area_read ON @s@.field_reports FOR SELECT TO @r_operator@
  USING (ward_id = ANY ((SELECT @s@.my_units('ward'))::text[]));
CREATE POLICY area_insert ON @s@.field_reports FOR INSERT TO @r_operator@
  WITH CHECK (ward_id = ANY ((SELECT @s@.my_units('ward'))::text[]));

-- history, attachments, outbox follow the report (the subquery itself is filtered by field_reports' policies)
CREATE POLICY follows_report ON @s@.report_events FOR SELECT
  USING (EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_events.report_id));
CREATE POLICY any_insert ON @s@.report_events FOR INSERT WITH CHECK (true);
CREATE POLICY admin_all ON @s@.report_events TO @r_admin@ USING (true) WITH CHECK (true);
CREATE POLICY follows_report ON @s@.report_attachments FOR SELECT
  USING (EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_attachments.report_id));
CREATE POLICY follows_report_insert ON @s@.report_attachments FOR INSERT
  WITH CHECK (EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_attachments.report_id));
CREATE POLICY admin_all ON @s@.report_attachments TO @r_admin@ USING (true) WITH CHECK (true);
CREATE POLICY follows_report ON @s@.report_outbox FOR SELECT
  USING (EXISTS (SELECT 1 FROM @s@.field_reports r WHERE r.report_id = report_outbox.report_id));
CREATE POLICY any_insert ON @s@.report_outbox FOR INSERT WITH CHECK (true);
CREATE POLICY admin_all ON @s@.report_outbox TO @r_admin@ USING (true) WITH CHECK (true);

-- cameras: operators see and update the cameras of their area; the others read all
CREATE POLICY city_read ON @s@.cameras FOR SELECT TO @r_planner@, @r_gis_staff@, @r_data_officer@ USING (true);
CREATE POLICY admin_all ON @s@.cameras TO @r_admin@ USING (true) WITH CHECK (true);
CREATE POLICY area_read ON @s@.cameras FOR SELECT TO @r_operator@
  USING (ward_id = ANY ((SELECT @s@.my_units('ward'))::text[]));
CREATE POLICY area_update ON @s@.cameras FOR UPDATE TO @r_operator@
  USING (ward_id = ANY ((SELECT @s@.my_units('ward'))::text[])) WITH CHECK (ward_id = ANY ((SELECT @s@.my_units('ward'))::text[]));
