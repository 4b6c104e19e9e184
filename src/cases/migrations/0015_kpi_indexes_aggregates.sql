-- Covering indexes for the registers and KPIs of disputes, fraud warnings and
-- reception visits on ten years of a county (issue 4, bench/county_queries.sh,
-- docs/kpi.md "Performance"). Each leads with the owning unit and the date
-- that puts a record into a KPI period, then holds every column the list
-- filters and sorts on and the KPI counts, so that a count, a page's ids and
-- a period's figures are read from the index alone, never from the wide rows.

-- Disputes: owned by their station (unit_code) or, below a station, by their
-- grid (grid_code); the list and the KPIs choose one of the two by the scope.
DROP INDEX dispute_unit_created;
DROP INDEX dispute_grid_created;
CREATE INDEX dispute_unit_cover ON dispute(unit_code, created_at, grid_code, state, grade, type,
	deadline_at, score, outcome, session_count, reopened_count, escalated_at, resolved_at, id);
CREATE INDEX dispute_grid_cover ON dispute(grid_code, created_at, unit_code, state, grade, type,
	deadline_at, score, outcome, session_count, reopened_count, escalated_at, resolved_at, id);

-- The register's sort orders, each with every column the list filters on: a
-- page without a period filter walks one of them in order and stops after its
-- rows, reading no row it does not show (they replace the narrower ones).
DROP INDEX dispute_deadline;
DROP INDEX dispute_created;
CREATE INDEX dispute_deadline_cover ON dispute(deadline_at, id, unit_code, grid_code, state,
	grade, type, created_at);
CREATE INDEX dispute_created_cover ON dispute(created_at, id, unit_code, grid_code, state,
	grade, type, deadline_at);
CREATE INDEX dispute_score_cover ON dispute(score, created_at, id, unit_code, grid_code, state,
	grade, type, deadline_at);

-- Cases: the register's sort orders with the list's filters, as for disputes
-- (the list's first step and the KPIs read case_file_list, migration 0008).
CREATE INDEX case_file_accepted_cover ON case_file(accepted_at, id, unit_code, state, type,
	officer_id, incident_id, next_due_at);
CREATE INDEX case_file_occurred_cover ON case_file(occurred_at, id, unit_code, accepted_at, state,
	type, officer_id, incident_id, next_due_at);
CREATE INDEX case_file_lost_cover ON case_file(lost_fen, id, unit_code, accepted_at, state, type,
	officer_id, incident_id, next_due_at);
CREATE INDEX case_file_due_cover ON case_file(next_due_at IS NULL, next_due_at, id, unit_code,
	accepted_at, state, type, officer_id, incident_id);

-- Fraud warnings: the KPI's columns (as before) and the list's filters.
DROP INDEX fraud_warning_unit_received;
CREATE INDEX fraud_warning_unit_cover ON fraud_warning(unit_code, received_at, deadline_at,
	first_reached_at, state, dissuaded, person_state, protected_fen, escalated_at, level,
	warning_type, grid_code, assigned_to, id);

-- The list's sort orders with its filters, as for disputes.
DROP INDEX fraud_warning_unit_deadline;
CREATE INDEX fraud_warning_deadline_cover ON fraud_warning(deadline_at, id, unit_code,
	received_at, state, warning_type, grid_code, assigned_to, level, first_reached_at,
	escalated_at);
CREATE INDEX fraud_warning_received_cover ON fraud_warning(received_at, id, unit_code,
	deadline_at, state, warning_type, grid_code, assigned_to, level, first_reached_at,
	escalated_at);
CREATE INDEX fraud_warning_level_cover ON fraud_warning(level, deadline_at, id, unit_code,
	received_at, state, warning_type, grid_code, assigned_to, first_reached_at, escalated_at);
-- The warnings not closed (a few days' worth), for the open and overdue lists.
CREATE INDEX fraud_warning_open ON fraud_warning(deadline_at, id, unit_code, received_at, state,
	warning_type, grid_code, assigned_to, level, first_reached_at, escalated_at)
	WHERE state <> 'closed';

-- Reception visits: the list's filters and the KPI's columns.
DROP INDEX reception_visit_unit_started;
CREATE INDEX reception_visit_unit_cover ON reception_visit(unit_code, started_at, need,
	converted_to, conversion_state, ended_at, id);
-- The list's order (newest first) with its filters, as for disputes.
CREATE INDEX reception_visit_started_cover ON reception_visit(started_at, id, unit_code, need,
	converted_to);

-- KPI aggregates (docs/kpi.md, "How the figures are read"): per owning station (and
-- grid), per 30-day bucket of the date that puts a record into a KPI period
-- (bucket = floor(ms / 2592000000)), the counts that do not depend on the time of
-- the request. Triggers keep them in the same transaction as every insert,
-- update and delete of a dispute or a warning (each row's share is taken out
-- as it was and put back as it is). A KPI sums the buckets wholly inside its
-- period, reads the records of the partial buckets at its two ends, and
-- counts the time-dependent figures (overdue; a warning's missed or pending
-- while it is neither reached nor closed) from the open records, through the
-- partial indexes below. (The triggers spell state lists as ORs: an IN list
-- would be built into a temporary table at every row a trigger handles.)
-- tests/unit/cases/test_kpi_aggregates.c checks the
-- buckets and the KPIs against a recomputation from the records after
-- random writes.

CREATE TABLE dispute_kpi_bucket (
	unit_code TEXT NOT NULL,
	grid_code TEXT NOT NULL, -- '' for disputes without a grid
	bucket INTEGER NOT NULL,
	found INTEGER NOT NULL DEFAULT 0,
	resolved INTEGER NOT NULL DEFAULT 0,
	resolved_agreement INTEGER NOT NULL DEFAULT 0,
	referred INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	open INTEGER NOT NULL DEFAULT 0,
	mediated INTEGER NOT NULL DEFAULT 0,
	mediated_resolved INTEGER NOT NULL DEFAULT 0,
	mediated_concluded INTEGER NOT NULL DEFAULT 0,
	reopened INTEGER NOT NULL DEFAULT 0,
	escalated INTEGER NOT NULL DEFAULT 0,
	days_ms_sum INTEGER NOT NULL DEFAULT 0,
	general INTEGER NOT NULL DEFAULT 0,
	key INTEGER NOT NULL DEFAULT 0,
	major INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (unit_code, grid_code, bucket)
) WITHOUT ROWID;
INSERT INTO dispute_kpi_bucket (unit_code, grid_code, bucket, found, resolved, resolved_agreement, referred, failed, open, mediated, mediated_resolved, mediated_concluded, reopened, escalated, days_ms_sum, general, key, major)
SELECT d.unit_code,
	COALESCE(d.grid_code, ''),
	(CASE WHEN d.created_at >= 0 THEN d.created_at / 2592000000 ELSE (d.created_at - 2591999999) / 2592000000 END),
	SUM(1),
	SUM(CASE WHEN d.state IN ('resolved_agreement', 'resolved', 'following_up', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.state IN ('resolved_agreement', 'resolved', 'following_up', 'closed') AND d.outcome = 'resolved_agreement' THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.state = 'referred' THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.state = 'failed' THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.state IN ('graded', 'assigned', 'mediating', 'reopened') THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.session_count > 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.session_count > 0 AND d.state IN ('resolved_agreement', 'resolved', 'following_up', 'closed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.session_count > 0 AND d.state IN ('resolved_agreement', 'resolved', 'following_up', 'closed', 'referred', 'failed') THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.reopened_count > 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.escalated_at IS NOT NULL THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.state IN ('resolved_agreement', 'resolved', 'following_up', 'closed') THEN COALESCE(1 * (d.resolved_at - d.created_at), 0) ELSE 0 END),
	SUM(CASE WHEN d.grade = 'general' THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.grade = 'key' THEN 1 ELSE 0 END),
	SUM(CASE WHEN d.grade = 'major' THEN 1 ELSE 0 END)
FROM dispute d GROUP BY 1, 2, 3;
CREATE TRIGGER dispute_kpi_bucket_ins AFTER INSERT ON dispute BEGIN
	INSERT INTO dispute_kpi_bucket (unit_code, grid_code, bucket, found, resolved, resolved_agreement, referred, failed, open, mediated, mediated_resolved, mediated_concluded, reopened, escalated, days_ms_sum, general, key, major)
	VALUES (NEW.unit_code,
		COALESCE(NEW.grid_code, ''),
		(CASE WHEN NEW.created_at >= 0 THEN NEW.created_at / 2592000000 ELSE (NEW.created_at - 2591999999) / 2592000000 END),
		1,
		CASE WHEN (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') THEN 1 ELSE 0 END,
		CASE WHEN (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') AND NEW.outcome = 'resolved_agreement' THEN 1 ELSE 0 END,
		CASE WHEN NEW.state = 'referred' THEN 1 ELSE 0 END,
		CASE WHEN NEW.state = 'failed' THEN 1 ELSE 0 END,
		CASE WHEN (NEW.state = 'graded' OR NEW.state = 'assigned' OR NEW.state = 'mediating' OR NEW.state = 'reopened') THEN 1 ELSE 0 END,
		CASE WHEN NEW.session_count > 0 THEN 1 ELSE 0 END,
		CASE WHEN NEW.session_count > 0 AND (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') THEN 1 ELSE 0 END,
		CASE WHEN NEW.session_count > 0 AND (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed' OR NEW.state = 'referred' OR NEW.state = 'failed') THEN 1 ELSE 0 END,
		CASE WHEN NEW.reopened_count > 0 THEN 1 ELSE 0 END,
		CASE WHEN NEW.escalated_at IS NOT NULL THEN 1 ELSE 0 END,
		CASE WHEN (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') THEN COALESCE(1 * (NEW.resolved_at - NEW.created_at), 0) ELSE 0 END,
		CASE WHEN NEW.grade = 'general' THEN 1 ELSE 0 END,
		CASE WHEN NEW.grade = 'key' THEN 1 ELSE 0 END,
		CASE WHEN NEW.grade = 'major' THEN 1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET found = found + excluded.found, resolved = resolved + excluded.resolved, resolved_agreement = resolved_agreement + excluded.resolved_agreement, referred = referred + excluded.referred, failed = failed + excluded.failed, open = open + excluded.open, mediated = mediated + excluded.mediated, mediated_resolved = mediated_resolved + excluded.mediated_resolved, mediated_concluded = mediated_concluded + excluded.mediated_concluded, reopened = reopened + excluded.reopened, escalated = escalated + excluded.escalated, days_ms_sum = days_ms_sum + excluded.days_ms_sum, general = general + excluded.general, key = key + excluded.key, major = major + excluded.major;
END;
CREATE TRIGGER dispute_kpi_bucket_upd AFTER UPDATE OF unit_code, grid_code, created_at, state,
	outcome, session_count, reopened_count, escalated_at, resolved_at, grade ON dispute BEGIN
	INSERT INTO dispute_kpi_bucket (unit_code, grid_code, bucket, found, resolved, resolved_agreement, referred, failed, open, mediated, mediated_resolved, mediated_concluded, reopened, escalated, days_ms_sum, general, key, major)
	VALUES (OLD.unit_code,
		COALESCE(OLD.grid_code, ''),
		(CASE WHEN OLD.created_at >= 0 THEN OLD.created_at / 2592000000 ELSE (OLD.created_at - 2591999999) / 2592000000 END),
		-1,
		CASE WHEN (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') THEN -1 ELSE 0 END,
		CASE WHEN (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') AND OLD.outcome = 'resolved_agreement' THEN -1 ELSE 0 END,
		CASE WHEN OLD.state = 'referred' THEN -1 ELSE 0 END,
		CASE WHEN OLD.state = 'failed' THEN -1 ELSE 0 END,
		CASE WHEN (OLD.state = 'graded' OR OLD.state = 'assigned' OR OLD.state = 'mediating' OR OLD.state = 'reopened') THEN -1 ELSE 0 END,
		CASE WHEN OLD.session_count > 0 THEN -1 ELSE 0 END,
		CASE WHEN OLD.session_count > 0 AND (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') THEN -1 ELSE 0 END,
		CASE WHEN OLD.session_count > 0 AND (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed' OR OLD.state = 'referred' OR OLD.state = 'failed') THEN -1 ELSE 0 END,
		CASE WHEN OLD.reopened_count > 0 THEN -1 ELSE 0 END,
		CASE WHEN OLD.escalated_at IS NOT NULL THEN -1 ELSE 0 END,
		CASE WHEN (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') THEN COALESCE(-1 * (OLD.resolved_at - OLD.created_at), 0) ELSE 0 END,
		CASE WHEN OLD.grade = 'general' THEN -1 ELSE 0 END,
		CASE WHEN OLD.grade = 'key' THEN -1 ELSE 0 END,
		CASE WHEN OLD.grade = 'major' THEN -1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET found = found + excluded.found, resolved = resolved + excluded.resolved, resolved_agreement = resolved_agreement + excluded.resolved_agreement, referred = referred + excluded.referred, failed = failed + excluded.failed, open = open + excluded.open, mediated = mediated + excluded.mediated, mediated_resolved = mediated_resolved + excluded.mediated_resolved, mediated_concluded = mediated_concluded + excluded.mediated_concluded, reopened = reopened + excluded.reopened, escalated = escalated + excluded.escalated, days_ms_sum = days_ms_sum + excluded.days_ms_sum, general = general + excluded.general, key = key + excluded.key, major = major + excluded.major;
	INSERT INTO dispute_kpi_bucket (unit_code, grid_code, bucket, found, resolved, resolved_agreement, referred, failed, open, mediated, mediated_resolved, mediated_concluded, reopened, escalated, days_ms_sum, general, key, major)
	VALUES (NEW.unit_code,
		COALESCE(NEW.grid_code, ''),
		(CASE WHEN NEW.created_at >= 0 THEN NEW.created_at / 2592000000 ELSE (NEW.created_at - 2591999999) / 2592000000 END),
		1,
		CASE WHEN (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') THEN 1 ELSE 0 END,
		CASE WHEN (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') AND NEW.outcome = 'resolved_agreement' THEN 1 ELSE 0 END,
		CASE WHEN NEW.state = 'referred' THEN 1 ELSE 0 END,
		CASE WHEN NEW.state = 'failed' THEN 1 ELSE 0 END,
		CASE WHEN (NEW.state = 'graded' OR NEW.state = 'assigned' OR NEW.state = 'mediating' OR NEW.state = 'reopened') THEN 1 ELSE 0 END,
		CASE WHEN NEW.session_count > 0 THEN 1 ELSE 0 END,
		CASE WHEN NEW.session_count > 0 AND (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') THEN 1 ELSE 0 END,
		CASE WHEN NEW.session_count > 0 AND (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed' OR NEW.state = 'referred' OR NEW.state = 'failed') THEN 1 ELSE 0 END,
		CASE WHEN NEW.reopened_count > 0 THEN 1 ELSE 0 END,
		CASE WHEN NEW.escalated_at IS NOT NULL THEN 1 ELSE 0 END,
		CASE WHEN (NEW.state = 'resolved_agreement' OR NEW.state = 'resolved' OR NEW.state = 'following_up' OR NEW.state = 'closed') THEN COALESCE(1 * (NEW.resolved_at - NEW.created_at), 0) ELSE 0 END,
		CASE WHEN NEW.grade = 'general' THEN 1 ELSE 0 END,
		CASE WHEN NEW.grade = 'key' THEN 1 ELSE 0 END,
		CASE WHEN NEW.grade = 'major' THEN 1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET found = found + excluded.found, resolved = resolved + excluded.resolved, resolved_agreement = resolved_agreement + excluded.resolved_agreement, referred = referred + excluded.referred, failed = failed + excluded.failed, open = open + excluded.open, mediated = mediated + excluded.mediated, mediated_resolved = mediated_resolved + excluded.mediated_resolved, mediated_concluded = mediated_concluded + excluded.mediated_concluded, reopened = reopened + excluded.reopened, escalated = escalated + excluded.escalated, days_ms_sum = days_ms_sum + excluded.days_ms_sum, general = general + excluded.general, key = key + excluded.key, major = major + excluded.major;
END;
CREATE TRIGGER dispute_kpi_bucket_del AFTER DELETE ON dispute BEGIN
	INSERT INTO dispute_kpi_bucket (unit_code, grid_code, bucket, found, resolved, resolved_agreement, referred, failed, open, mediated, mediated_resolved, mediated_concluded, reopened, escalated, days_ms_sum, general, key, major)
	VALUES (OLD.unit_code,
		COALESCE(OLD.grid_code, ''),
		(CASE WHEN OLD.created_at >= 0 THEN OLD.created_at / 2592000000 ELSE (OLD.created_at - 2591999999) / 2592000000 END),
		-1,
		CASE WHEN (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') THEN -1 ELSE 0 END,
		CASE WHEN (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') AND OLD.outcome = 'resolved_agreement' THEN -1 ELSE 0 END,
		CASE WHEN OLD.state = 'referred' THEN -1 ELSE 0 END,
		CASE WHEN OLD.state = 'failed' THEN -1 ELSE 0 END,
		CASE WHEN (OLD.state = 'graded' OR OLD.state = 'assigned' OR OLD.state = 'mediating' OR OLD.state = 'reopened') THEN -1 ELSE 0 END,
		CASE WHEN OLD.session_count > 0 THEN -1 ELSE 0 END,
		CASE WHEN OLD.session_count > 0 AND (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') THEN -1 ELSE 0 END,
		CASE WHEN OLD.session_count > 0 AND (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed' OR OLD.state = 'referred' OR OLD.state = 'failed') THEN -1 ELSE 0 END,
		CASE WHEN OLD.reopened_count > 0 THEN -1 ELSE 0 END,
		CASE WHEN OLD.escalated_at IS NOT NULL THEN -1 ELSE 0 END,
		CASE WHEN (OLD.state = 'resolved_agreement' OR OLD.state = 'resolved' OR OLD.state = 'following_up' OR OLD.state = 'closed') THEN COALESCE(-1 * (OLD.resolved_at - OLD.created_at), 0) ELSE 0 END,
		CASE WHEN OLD.grade = 'general' THEN -1 ELSE 0 END,
		CASE WHEN OLD.grade = 'key' THEN -1 ELSE 0 END,
		CASE WHEN OLD.grade = 'major' THEN -1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET found = found + excluded.found, resolved = resolved + excluded.resolved, resolved_agreement = resolved_agreement + excluded.resolved_agreement, referred = referred + excluded.referred, failed = failed + excluded.failed, open = open + excluded.open, mediated = mediated + excluded.mediated, mediated_resolved = mediated_resolved + excluded.mediated_resolved, mediated_concluded = mediated_concluded + excluded.mediated_concluded, reopened = reopened + excluded.reopened, escalated = escalated + excluded.escalated, days_ms_sum = days_ms_sum + excluded.days_ms_sum, general = general + excluded.general, key = key + excluded.key, major = major + excluded.major;
END;

-- The open disputes, for the overdue count.
CREATE INDEX dispute_open_unit ON dispute(unit_code, created_at, deadline_at, grid_code)
	WHERE state IN ('graded', 'assigned', 'mediating', 'reopened');
CREATE INDEX dispute_open_grid ON dispute(grid_code, created_at, deadline_at)
	WHERE state IN ('graded', 'assigned', 'mediating', 'reopened');

CREATE TABLE fraud_kpi_bucket (
	unit_code TEXT NOT NULL,
	bucket INTEGER NOT NULL,
	warnings INTEGER NOT NULL DEFAULT 0,
	reached INTEGER NOT NULL DEFAULT 0,
	reached_in_time INTEGER NOT NULL DEFAULT 0,
	missed_closed INTEGER NOT NULL DEFAULT 0,
	dissuaded INTEGER NOT NULL DEFAULT 0,
	not_involved INTEGER NOT NULL DEFAULT 0,
	already_paid INTEGER NOT NULL DEFAULT 0,
	protected_fen INTEGER NOT NULL DEFAULT 0,
	escalated INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (unit_code, bucket)
) WITHOUT ROWID;
INSERT INTO fraud_kpi_bucket (unit_code, bucket, warnings, reached, reached_in_time, missed_closed, dissuaded, not_involved, already_paid, protected_fen, escalated)
SELECT w.unit_code,
	(CASE WHEN w.received_at >= 0 THEN w.received_at / 2592000000 ELSE (w.received_at - 2591999999) / 2592000000 END),
	SUM(1),
	SUM(CASE WHEN w.first_reached_at IS NOT NULL THEN 1 ELSE 0 END),
	SUM(CASE WHEN w.first_reached_at IS NOT NULL AND w.first_reached_at <= w.deadline_at THEN 1 ELSE 0 END),
	SUM(CASE WHEN (w.first_reached_at IS NOT NULL AND w.first_reached_at > w.deadline_at) OR (w.first_reached_at IS NULL AND w.state = 'closed') THEN 1 ELSE 0 END),
	SUM(1 * w.dissuaded),
	SUM(CASE WHEN w.first_reached_at IS NOT NULL AND w.dissuaded = 0 AND w.person_state = 'not_involved' THEN 1 ELSE 0 END),
	SUM(CASE WHEN w.first_reached_at IS NOT NULL AND w.dissuaded = 0 AND w.person_state = 'already_paid' THEN 1 ELSE 0 END),
	SUM(1 * w.protected_fen),
	SUM(CASE WHEN w.escalated_at IS NOT NULL THEN 1 ELSE 0 END)
FROM fraud_warning w GROUP BY 1, 2;
CREATE TRIGGER fraud_kpi_bucket_ins AFTER INSERT ON fraud_warning BEGIN
	INSERT INTO fraud_kpi_bucket (unit_code, bucket, warnings, reached, reached_in_time, missed_closed, dissuaded, not_involved, already_paid, protected_fen, escalated)
	VALUES (NEW.unit_code,
		(CASE WHEN NEW.received_at >= 0 THEN NEW.received_at / 2592000000 ELSE (NEW.received_at - 2591999999) / 2592000000 END),
		1,
		CASE WHEN NEW.first_reached_at IS NOT NULL THEN 1 ELSE 0 END,
		CASE WHEN NEW.first_reached_at IS NOT NULL AND NEW.first_reached_at <= NEW.deadline_at THEN 1 ELSE 0 END,
		CASE WHEN (NEW.first_reached_at IS NOT NULL AND NEW.first_reached_at > NEW.deadline_at) OR (NEW.first_reached_at IS NULL AND NEW.state = 'closed') THEN 1 ELSE 0 END,
		1 * NEW.dissuaded,
		CASE WHEN NEW.first_reached_at IS NOT NULL AND NEW.dissuaded = 0 AND NEW.person_state = 'not_involved' THEN 1 ELSE 0 END,
		CASE WHEN NEW.first_reached_at IS NOT NULL AND NEW.dissuaded = 0 AND NEW.person_state = 'already_paid' THEN 1 ELSE 0 END,
		1 * NEW.protected_fen,
		CASE WHEN NEW.escalated_at IS NOT NULL THEN 1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET warnings = warnings + excluded.warnings, reached = reached + excluded.reached, reached_in_time = reached_in_time + excluded.reached_in_time, missed_closed = missed_closed + excluded.missed_closed, dissuaded = dissuaded + excluded.dissuaded, not_involved = not_involved + excluded.not_involved, already_paid = already_paid + excluded.already_paid, protected_fen = protected_fen + excluded.protected_fen, escalated = escalated + excluded.escalated;
END;
CREATE TRIGGER fraud_kpi_bucket_upd AFTER UPDATE OF unit_code, received_at, first_reached_at,
	deadline_at, state, dissuaded, person_state, protected_fen, escalated_at ON fraud_warning BEGIN
	INSERT INTO fraud_kpi_bucket (unit_code, bucket, warnings, reached, reached_in_time, missed_closed, dissuaded, not_involved, already_paid, protected_fen, escalated)
	VALUES (OLD.unit_code,
		(CASE WHEN OLD.received_at >= 0 THEN OLD.received_at / 2592000000 ELSE (OLD.received_at - 2591999999) / 2592000000 END),
		-1,
		CASE WHEN OLD.first_reached_at IS NOT NULL THEN -1 ELSE 0 END,
		CASE WHEN OLD.first_reached_at IS NOT NULL AND OLD.first_reached_at <= OLD.deadline_at THEN -1 ELSE 0 END,
		CASE WHEN (OLD.first_reached_at IS NOT NULL AND OLD.first_reached_at > OLD.deadline_at) OR (OLD.first_reached_at IS NULL AND OLD.state = 'closed') THEN -1 ELSE 0 END,
		-1 * OLD.dissuaded,
		CASE WHEN OLD.first_reached_at IS NOT NULL AND OLD.dissuaded = 0 AND OLD.person_state = 'not_involved' THEN -1 ELSE 0 END,
		CASE WHEN OLD.first_reached_at IS NOT NULL AND OLD.dissuaded = 0 AND OLD.person_state = 'already_paid' THEN -1 ELSE 0 END,
		-1 * OLD.protected_fen,
		CASE WHEN OLD.escalated_at IS NOT NULL THEN -1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET warnings = warnings + excluded.warnings, reached = reached + excluded.reached, reached_in_time = reached_in_time + excluded.reached_in_time, missed_closed = missed_closed + excluded.missed_closed, dissuaded = dissuaded + excluded.dissuaded, not_involved = not_involved + excluded.not_involved, already_paid = already_paid + excluded.already_paid, protected_fen = protected_fen + excluded.protected_fen, escalated = escalated + excluded.escalated;
	INSERT INTO fraud_kpi_bucket (unit_code, bucket, warnings, reached, reached_in_time, missed_closed, dissuaded, not_involved, already_paid, protected_fen, escalated)
	VALUES (NEW.unit_code,
		(CASE WHEN NEW.received_at >= 0 THEN NEW.received_at / 2592000000 ELSE (NEW.received_at - 2591999999) / 2592000000 END),
		1,
		CASE WHEN NEW.first_reached_at IS NOT NULL THEN 1 ELSE 0 END,
		CASE WHEN NEW.first_reached_at IS NOT NULL AND NEW.first_reached_at <= NEW.deadline_at THEN 1 ELSE 0 END,
		CASE WHEN (NEW.first_reached_at IS NOT NULL AND NEW.first_reached_at > NEW.deadline_at) OR (NEW.first_reached_at IS NULL AND NEW.state = 'closed') THEN 1 ELSE 0 END,
		1 * NEW.dissuaded,
		CASE WHEN NEW.first_reached_at IS NOT NULL AND NEW.dissuaded = 0 AND NEW.person_state = 'not_involved' THEN 1 ELSE 0 END,
		CASE WHEN NEW.first_reached_at IS NOT NULL AND NEW.dissuaded = 0 AND NEW.person_state = 'already_paid' THEN 1 ELSE 0 END,
		1 * NEW.protected_fen,
		CASE WHEN NEW.escalated_at IS NOT NULL THEN 1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET warnings = warnings + excluded.warnings, reached = reached + excluded.reached, reached_in_time = reached_in_time + excluded.reached_in_time, missed_closed = missed_closed + excluded.missed_closed, dissuaded = dissuaded + excluded.dissuaded, not_involved = not_involved + excluded.not_involved, already_paid = already_paid + excluded.already_paid, protected_fen = protected_fen + excluded.protected_fen, escalated = escalated + excluded.escalated;
END;
CREATE TRIGGER fraud_kpi_bucket_del AFTER DELETE ON fraud_warning BEGIN
	INSERT INTO fraud_kpi_bucket (unit_code, bucket, warnings, reached, reached_in_time, missed_closed, dissuaded, not_involved, already_paid, protected_fen, escalated)
	VALUES (OLD.unit_code,
		(CASE WHEN OLD.received_at >= 0 THEN OLD.received_at / 2592000000 ELSE (OLD.received_at - 2591999999) / 2592000000 END),
		-1,
		CASE WHEN OLD.first_reached_at IS NOT NULL THEN -1 ELSE 0 END,
		CASE WHEN OLD.first_reached_at IS NOT NULL AND OLD.first_reached_at <= OLD.deadline_at THEN -1 ELSE 0 END,
		CASE WHEN (OLD.first_reached_at IS NOT NULL AND OLD.first_reached_at > OLD.deadline_at) OR (OLD.first_reached_at IS NULL AND OLD.state = 'closed') THEN -1 ELSE 0 END,
		-1 * OLD.dissuaded,
		CASE WHEN OLD.first_reached_at IS NOT NULL AND OLD.dissuaded = 0 AND OLD.person_state = 'not_involved' THEN -1 ELSE 0 END,
		CASE WHEN OLD.first_reached_at IS NOT NULL AND OLD.dissuaded = 0 AND OLD.person_state = 'already_paid' THEN -1 ELSE 0 END,
		-1 * OLD.protected_fen,
		CASE WHEN OLD.escalated_at IS NOT NULL THEN -1 ELSE 0 END)
	ON CONFLICT DO UPDATE SET warnings = warnings + excluded.warnings, reached = reached + excluded.reached, reached_in_time = reached_in_time + excluded.reached_in_time, missed_closed = missed_closed + excluded.missed_closed, dissuaded = dissuaded + excluded.dissuaded, not_involved = not_involved + excluded.not_involved, already_paid = already_paid + excluded.already_paid, protected_fen = protected_fen + excluded.protected_fen, escalated = escalated + excluded.escalated;
END;

-- The warnings neither reached nor closed, for missed and pending.
CREATE INDEX fraud_warning_unreached ON fraud_warning(unit_code, received_at, deadline_at)
	WHERE first_reached_at IS NULL AND state <> 'closed';
