-- City migration 6: a rejected or duplicate report has no deadline, even when it carries a resolution time.
-- Until now deadline_state_of counted such a report as "resolved on time" (or late), so a desk that rejects
-- looked punctual in the panel and the summary; core.sla.deadline_state and the Processing algorithm already
-- treat them as returned (issue 20). Only the derived deadline_state column of those rows changes; the
-- report_summary trigger carries the change over, and no report field or history is touched.

CREATE OR REPLACE FUNCTION @s@.deadline_state_of(status text, requested timestamptz, due timestamptz,
                                                 resolved timestamptz, as_of timestamptz, soon double precision)
RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE
    WHEN requested IS NULL OR due IS NULL THEN 5
    WHEN status IN ('submitted', 'received', 'assigned', 'in_progress') THEN
      CASE WHEN as_of > due THEN 2 WHEN as_of >= due - (due - requested) * soon THEN 1 ELSE 0 END
    WHEN status IN ('rejected', 'duplicate') THEN 5
    WHEN resolved IS NULL THEN 5
    WHEN resolved > due THEN 4
    ELSE 3 END)::smallint
$$;

UPDATE @s@.field_reports SET deadline_state = 5
  WHERE status IN ('rejected', 'duplicate') AND deadline_state IS DISTINCT FROM 5;
