-- City migration 2: what the panel, the deadline monitor and hot-spot grids need at 10 million reports.
-- Adds derived columns (filled for existing rows, so nothing is lost), their triggers and covering indexes.

-- Deadline state as stored in the panel (values of core.sla.DeadlineState), same rules as the numpy version.
CREATE FUNCTION @s@.deadline_state_of(status text, requested timestamptz, due timestamptz, resolved timestamptz,
                                      as_of timestamptz, soon double precision) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE
    WHEN requested IS NULL OR due IS NULL THEN 5
    WHEN status IN ('submitted', 'received', 'assigned', 'in_progress') THEN
      CASE WHEN as_of > due THEN 2 WHEN as_of >= due - (due - requested) * soon THEN 1 ELSE 0 END
    WHEN resolved IS NULL THEN 5
    WHEN resolved > due THEN 4
    ELSE 3 END)::smallint
$$;

CREATE FUNCTION @s@.due_soon_fraction() RETURNS double precision LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT value::double precision FROM @s@.ioc_meta WHERE key = 'due_soon_fraction'), 0.25)
$$;

CREATE FUNCTION @s@.analysis_srid() RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT (SELECT value::integer FROM @s@.ioc_meta WHERE key = 'analysis_srid')
$$;

-- ax/ay: the point in the city's analysis CRS (VN-2000 TM-3 of the province, from ioc_meta), so grid
-- aggregation is arithmetic instead of 10 million ST_Transform calls.
ALTER TABLE @s@.field_reports
  ADD COLUMN deadline_state smallint,
  ADD COLUMN ax double precision,
  ADD COLUMN ay double precision;

CREATE FUNCTION @s@.derive_report_columns() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE srid integer;
BEGIN
  NEW.deadline_state := @s@.deadline_state_of(NEW.status, NEW.requested_at, NEW.due_at, NEW.resolved_at, now(),
                                               @s@.due_soon_fraction());
  IF TG_OP = 'INSERT' OR NEW.geom IS DISTINCT FROM OLD.geom THEN
    srid := @s@.analysis_srid();
    IF NEW.geom IS NULL OR srid IS NULL THEN
      NEW.ax := NULL; NEW.ay := NULL;
    ELSE
      SELECT ST_X(p), ST_Y(p) INTO NEW.ax, NEW.ay FROM ST_Transform(NEW.geom, srid) AS p;
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER derive_report_columns BEFORE INSERT OR UPDATE OF status, requested_at, due_at, resolved_at, geom
  ON @s@.field_reports FOR EACH ROW EXECUTE FUNCTION @s@.derive_report_columns();

-- Existing rows (an older database with data): fill the derived columns once.
UPDATE @s@.field_reports SET
  deadline_state = @s@.deadline_state_of(status, requested_at, due_at, resolved_at, now(), @s@.due_soon_fraction()),
  ax = CASE WHEN geom IS NOT NULL AND @s@.analysis_srid() IS NOT NULL
            THEN ST_X(ST_Transform(geom, @s@.analysis_srid())) END,
  ay = CASE WHEN geom IS NOT NULL AND @s@.analysis_srid() IS NOT NULL
            THEN ST_Y(ST_Transform(geom, @s@.analysis_srid())) END;

-- Time moves on: only open reports change state without being edited; this index keeps the refresh to them.
CREATE INDEX idx_field_reports_open_due ON @s@.field_reports (due_at)
  WHERE status IN ('submitted', 'received', 'assigned', 'in_progress');
-- Panel filters + counts (and RLS columns) answered from the index alone.
CREATE INDEX idx_field_reports_panel ON @s@.field_reports (requested_at)
  INCLUDE (ward_id, service_code, status, priority, deadline_state, assigned_to, agency_responsible, ax, ay);
CREATE INDEX idx_field_reports_ward_time ON @s@.field_reports (ward_id, requested_at)
  INCLUDE (service_code, status, deadline_state);
CREATE INDEX idx_field_reports_state_missing ON @s@.field_reports (fid) WHERE deadline_state IS NULL;
CREATE INDEX idx_field_reports_assigned ON @s@.field_reports (assigned_to);
CREATE INDEX idx_field_reports_agency ON @s@.field_reports (agency_responsible);

-- Recompute the state of open reports (and any never computed); definer rights so every role may run it
-- and it touches nothing but deadline_state.
CREATE FUNCTION @s@.refresh_deadline_state(as_of timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE n bigint; soon double precision := @s@.due_soon_fraction();
BEGIN
  UPDATE @s@.field_reports SET deadline_state = @s@.deadline_state_of(status, requested_at, due_at, resolved_at, as_of, soon)
  WHERE status IN ('submitted', 'received', 'assigned', 'in_progress')
    AND deadline_state IS DISTINCT FROM @s@.deadline_state_of(status, requested_at, due_at, resolved_at, as_of, soon);
  GET DIAGNOSTICS n = ROW_COUNT;
  UPDATE @s@.field_reports SET deadline_state =
    @s@.deadline_state_of(status, requested_at, due_at, resolved_at, as_of, soon) WHERE deadline_state IS NULL;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION @s@.refresh_deadline_state(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @s@.refresh_deadline_state(timestamptz)
  TO @r_admin@, @r_planner@, @r_operator@, @r_gis_staff@, @r_data_officer@, @r_desk@;
