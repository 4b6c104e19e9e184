-- How an alert found its incident at intake (the merge engine's decision, its
-- kind, score and reasons) and the "alert" entry of that incident's timeline
-- are kept in the alert row itself while the alert stays in the incident it
-- joined at intake, instead of as a merge_decision row and an incident_event
-- row of their own; and an incident's first timeline entry (the transition to
-- 'received' at its creation, by its creator) is read from the incident row.
-- Each row so saved is three B-trees the committer no longer writes (table,
-- primary key, index): six per alert and three more per new incident
-- (bench/README.md, "Figures (2026-11-24, late evening …)").
--
-- An operator's split or merge that moves the alert first writes both out as
-- real rows (the alert's id as their id, the intake incident as theirs) and
-- clears intake_decision, so the decision and the event stay with the
-- incident the alert joined, as they always did. Readers use the views
-- merge_decision_all and incident_timeline, which see all kinds alike.
--
-- Number 0019, not 0018: a migration 0018 (WITHOUT ROWID timeline tables)
-- was committed and dropped before it landed, and stores a development build
-- migrated record it; the migrator refuses a store whose recorded name for a
-- version differs from the embedded one (src/db/migrate.c).
--
-- Alerts stored before this migration have their rows already; their
-- intake_decision is NULL, so nothing is seen twice. Their incidents' creation
-- entries are deleted from incident_event below: the view shows them from the
-- incident row, with the same time, author and states.
ALTER TABLE alert ADD COLUMN intake_decision TEXT
	CHECK (intake_decision IN ('merged', 'suggested', 'new', 'confirmed'));
ALTER TABLE alert ADD COLUMN intake_kind TEXT; -- repeat_caller, same_event, or NULL
ALTER TABLE alert ADD COLUMN intake_score REAL;
ALTER TABLE alert ADD COLUMN intake_reasons TEXT; -- JSON array of strings

-- The intake decision of each alert still in its intake incident, as a merge_decision row.
-- Only an operator's confirmation ('confirmed') is not automatic; its decider made the alert.
CREATE VIEW alert_intake_decision AS
	SELECT id, id AS alert_id, incident_id, intake_decision AS decision, intake_kind AS kind,
		intake_score AS score, intake_reasons AS reasons,
		CASE WHEN intake_decision = 'confirmed' THEN 0 ELSE 1 END AS automatic,
		CASE WHEN intake_decision = 'confirmed' THEN created_by END AS decided_by,
		created_at AS decided_at
	FROM alert WHERE intake_decision IS NOT NULL;

-- The "alert" timeline entry of each alert still in its intake incident, as an incident_event row.
CREATE VIEW alert_intake_event AS
	SELECT id, incident_id, created_at AS at, created_by AS by_user, 'alert' AS kind,
		NULL AS from_state, NULL AS to_state, number AS note
	FROM alert WHERE intake_decision IS NOT NULL;

CREATE VIEW merge_decision_all AS
	SELECT id, alert_id, incident_id, decision, kind, score, reasons, automatic, decided_by,
		decided_at
	FROM merge_decision
	UNION ALL
	SELECT id, alert_id, incident_id, decision, kind, score, reasons, automatic, decided_by,
		decided_at
	FROM alert_intake_decision;

-- The creation entry of each incident: the only transition without a from_state.
CREATE VIEW incident_created_event AS
	SELECT id, id AS incident_id, created_at AS at, created_by AS by_user, 'transition' AS kind,
		NULL AS from_state, 'received' AS to_state, NULL AS note
	FROM incident;

DELETE FROM incident_event
	WHERE kind = 'transition' AND from_state IS NULL AND to_state = 'received'
	AND EXISTS (SELECT 1 FROM incident i WHERE i.id = incident_event.incident_id
		AND i.created_at = incident_event.at AND i.created_by IS incident_event.by_user);

CREATE VIEW incident_timeline AS
	SELECT id, incident_id, at, by_user, kind, from_state, to_state, note FROM incident_event
	UNION ALL
	SELECT id, incident_id, at, by_user, kind, from_state, to_state, note
	FROM incident_created_event
	UNION ALL
	SELECT id, incident_id, at, by_user, kind, from_state, to_state, note FROM alert_intake_event;

-- The incident's merges were read by a scan of merge_decision; the table now holds only
-- operators' decisions and moved alerts' intake decisions, and this index serves that read.
CREATE INDEX merge_decision_incident ON merge_decision(incident_id, decided_at);
