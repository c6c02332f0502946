-- City migration 4: a summary of reports per UTC day × ward × category × status × deadline state, so the panel's
-- counts do not scan 10 million rows. Kept exact in the same transaction as every change of field_reports
-- (statement-level triggers with transition tables: one aggregated, key-ordered upsert per statement), so it is
-- never stale: a report counts in the summary exactly when it exists in field_reports, with its current values
-- (deadline_state included: refresh_deadline_state updates field_reports and the trigger carries that over).
-- Needs PostgreSQL 15 (UNIQUE NULLS NOT DISTINCT: reports without ward, category or date are counted too).
-- Bulk loads that switch triggers off (session_replication_role = replica) must call rebuild_report_summary().

CREATE TABLE @s@.report_summary (
  day date,                 -- (requested_at AT TIME ZONE 'UTC')::date
  ward_id text,
  service_code text,
  status text,
  deadline_state smallint,
  n bigint NOT NULL,
  CONSTRAINT report_summary_key UNIQUE NULLS NOT DISTINCT (day, ward_id, service_code, status, deadline_state)
);
CREATE INDEX idx_report_summary_ward_day ON @s@.report_summary (ward_id, day)
  INCLUDE (service_code, status, deadline_state, n);

-- Apply the net change of one statement: old rows count -1, new rows +1, unchanged keys cancel out (an edit of
-- notes or a refresh that changes nothing writes nothing). Keys are upserted in a fixed order, so two statements
-- touching the same summary rows lock them in the same order (no deadlock between desks). Owner rights: users
-- never write the summary themselves.
CREATE FUNCTION @s@.report_summary_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO @s@.report_summary AS s (day, ward_id, service_code, status, deadline_state, n)
    SELECT (requested_at AT TIME ZONE 'UTC')::date, ward_id, service_code, status, deadline_state, count(*)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_summary_key DO UPDATE SET n = s.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO @s@.report_summary AS s (day, ward_id, service_code, status, deadline_state, n)
    SELECT (requested_at AT TIME ZONE 'UTC')::date, ward_id, service_code, status, deadline_state, -count(*)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_summary_key DO UPDATE SET n = s.n + EXCLUDED.n;
  ELSE
    INSERT INTO @s@.report_summary AS s (day, ward_id, service_code, status, deadline_state, n)
    SELECT day, ward_id, service_code, status, deadline_state, sum(d) FROM (
      SELECT (requested_at AT TIME ZONE 'UTC')::date AS day, ward_id, service_code, status, deadline_state, -1 AS d
      FROM old_rows
      UNION ALL
      SELECT (requested_at AT TIME ZONE 'UTC')::date, ward_id, service_code, status, deadline_state, 1 FROM new_rows
    ) c GROUP BY 1, 2, 3, 4, 5 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_summary_key DO UPDATE SET n = s.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;
-- (transition tables allow one event per trigger and no column list)
CREATE TRIGGER report_summary_insert AFTER INSERT ON @s@.field_reports
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @s@.report_summary_apply();
CREATE TRIGGER report_summary_update AFTER UPDATE ON @s@.field_reports
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION @s@.report_summary_apply();
CREATE TRIGGER report_summary_delete AFTER DELETE ON @s@.field_reports
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION @s@.report_summary_apply();

CREATE FUNCTION @s@.report_summary_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  TRUNCATE @s@.report_summary;
  RETURN NULL;
END $$;
CREATE TRIGGER report_summary_truncate AFTER TRUNCATE ON @s@.field_reports
  FOR EACH STATEMENT EXECUTE FUNCTION @s@.report_summary_truncate();

-- Recount from field_reports (migration, after a bulk load with triggers off). Blocks writers meanwhile.
CREATE FUNCTION @s@.rebuild_report_summary() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE n bigint;
BEGIN
  LOCK TABLE @s@.field_reports IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM @s@.report_summary;
  INSERT INTO @s@.report_summary (day, ward_id, service_code, status, deadline_state, n)
  SELECT (requested_at AT TIME ZONE 'UTC')::date, ward_id, service_code, status, deadline_state, count(*)
  FROM @s@.field_reports GROUP BY 1, 2, 3, 4, 5;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION @s@.rebuild_report_summary() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @s@.rebuild_report_summary() TO @r_admin@;

-- Existing reports of an upgraded database.
SELECT @s@.rebuild_report_summary();

-- Department desks see reports assigned/addressed to them in any ward; those are counted from field_reports.
-- (These replace the single-column indexes of migration 2, which they cover.)
DROP INDEX @s@.idx_field_reports_assigned;
DROP INDEX @s@.idx_field_reports_agency;
CREATE INDEX idx_field_reports_assigned_time ON @s@.field_reports (assigned_to, requested_at)
  INCLUDE (ward_id, service_code, status, deadline_state);
CREATE INDEX idx_field_reports_agency_time ON @s@.field_reports (agency_responsible, requested_at)
  INCLUDE (ward_id, service_code, status, deadline_state);

-- Read access follows field_reports: the city-wide roles see every row; desks and operators only the rows of
-- their wards (all of which they may see in field_reports too); nobody but the owner writes.
REVOKE ALL ON @s@.report_summary FROM PUBLIC;
GRANT SELECT ON @s@.report_summary TO @r_admin@, @r_planner@, @r_operator@, @r_gis_staff@, @r_data_officer@, @r_desk@;
ALTER TABLE @s@.report_summary ENABLE ROW LEVEL SECURITY;
CREATE POLICY city_read ON @s@.report_summary FOR SELECT
  TO @r_admin@, @r_planner@, @r_gis_staff@, @r_data_officer@ USING (true);
CREATE POLICY ward_read ON @s@.report_summary FOR SELECT TO @r_desk@, @r_operator@
  USING (ward_id = ANY ((SELECT @s@.my_units('ward'))::text[]));
