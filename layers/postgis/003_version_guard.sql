-- City migration 3: edits made outside the plugin (psql, the QGIS attribute table on the PostGIS layer) also
-- bump `version`, so a desk holding an older copy gets ConflictError instead of overwriting them.
-- Only real content columns count: the deadline refresh (deadline_state) never causes a conflict.
CREATE FUNCTION @s@.bump_report_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.version IS NOT DISTINCT FROM OLD.version THEN
    NEW.version := coalesce(OLD.version, 0) + 1;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER bump_report_version BEFORE UPDATE OF
  report_id, service_code, service_name, priority, status, status_notes, description, address, ward_id,
  agency_responsible, assigned_to, expected_at, due_at, resolved_at, media_url, geom
  ON @s@.field_reports FOR EACH ROW EXECUTE FUNCTION @s@.bump_report_version();
