#include "command/incident_merge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/incident.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/numbers.h"
#include "org/units.h"
#include "core/banned.h"

struct inc {
	char state[16];
	char unit[FQ_UNIT_CODE_MAX];
	char number[FQ_NUMBER_MAX];
	int64_t version;
	int64_t alert_count;
	int merged;
};

static int load(struct fq_dbc *c, const char *id, const char *field, struct inc *out,
		struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT state, unit_code, number, version, alert_count,"
			      " merged_into IS NOT NULL FROM incident WHERE id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(out->state, sizeof(out->state), "%s", fq_stmt_text(st, 0));
		snprintf(out->unit, sizeof(out->unit), "%s", fq_stmt_text(st, 1));
		snprintf(out->number, sizeof(out->number), "%s", fq_stmt_text(st, 2));
		out->version = fq_stmt_int(st, 3);
		out->alert_count = fq_stmt_int(st, 4);
		out->merged = (int)fq_stmt_int(st, 5);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", field, "警情事件不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static int check_open(const struct inc *i, const char *field, struct fq_err *err)
{
	if (i->merged)
		return fq_err_set(err, FQ_ECONFLICT, "incident_merged", field,
				  "警情 %s 已并入其他警情", i->number);
	if (strcmp(i->state, "closed") == 0)
		return fq_err_set(err, FQ_ECONFLICT, "incident_closed", field,
				  "警情 %s 已结案，不能合并或拆分", i->number);
	return 0;
}

static int check_reason(const char *reason, struct fq_err *err)
{
	if (!reason || !reason[strspn(reason, " \t\r\n")])
		return fq_err_set(err, FQ_EINVAL, "missing_field", "reason", "请填写原因");
	if (fq_utf8_chars(reason) > FQ_MERGE_REASON_TEXT_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_long", "reason", "原因超过 %d 个字符",
				  FQ_MERGE_REASON_TEXT_MAX);
	return 0;
}

/* A decision row for an alert moved by an operator. */
static int record_decision(struct fq_dbc *c, const char *alert_id, const char *incident_id,
			   const char *decision, const char *reason, const char *actor_id,
			   int64_t now, struct fq_err *err)
{
	char id[FQ_UUID_STR];
	json_t *rj = json_pack("[s]", reason);
	char *reasons = rj ? json_dumps(rj, JSON_COMPACT) : NULL;
	int rc;

	json_decref(rj);
	fq_uuid7_str(id);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO merge_decision (id, alert_id, incident_id, decision, kind,"
			" score, reasons, automatic, decided_by, decided_at)"
			" VALUES (?, ?, ?, ?, NULL, NULL, ?, 0, ?, ?)",
			"tttttti", id, alert_id, incident_id, decision, reasons ? reasons : "[]",
			actor_id, now);
	free(reasons);
	return rc;
}

/*
 * Before alerts leave incident_id (all of them, or only alert_id): their intake decisions and
 * "alert" timeline entries, which their rows hold while they stay where intake put them, are
 * written out as rows of incident_id, so they stay with it (migration 0019).
 */
static int settle_intake(struct fq_dbc *c, const char *incident_id, const char *alert_id,
			 struct fq_err *err)
{
	static const char *const steps[] = {
	    "INSERT INTO merge_decision (id, alert_id, incident_id, decision, kind, score, reasons,"
	    " automatic, decided_by, decided_at)"
	    " SELECT id, alert_id, incident_id, decision, kind, score, reasons, automatic,"
	    " decided_by, decided_at FROM alert_intake_decision"
	    " WHERE incident_id = ?1 AND (?2 IS NULL OR alert_id = ?2)",
	    "INSERT INTO incident_event (id, incident_id, at, by_user, kind, from_state, to_state,"
	    " note)"
	    " SELECT id, incident_id, at, by_user, kind, from_state, to_state, note"
	    " FROM alert_intake_event WHERE incident_id = ?1 AND (?2 IS NULL OR id = ?2)",
	    "UPDATE alert SET intake_decision = NULL, intake_kind = NULL, intake_score = NULL,"
	    " intake_reasons = NULL WHERE incident_id = ?1 AND (?2 IS NULL OR id = ?2)"
	    " AND intake_decision IS NOT NULL",
	};
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(steps) / sizeof(steps[0]); i++)
		rc = fq_dbc_run(c, err, NULL, steps[i], "tt", incident_id, alert_id);
	return rc;
}

/* Counts and times of an incident from its alerts, as they are now. */
static int recount(struct fq_dbc *c, const char *id, const char *actor_id, int64_t now,
		   struct fq_err *err)
{
	return fq_dbc_run(c, err, NULL,
			  "UPDATE incident SET"
			  " alert_count = (SELECT COUNT(*) FROM alert WHERE incident_id = ?1),"
			  " first_received_at = COALESCE((SELECT MIN(received_at) FROM alert"
			  " WHERE incident_id = ?1), first_received_at),"
			  " last_received_at = COALESCE((SELECT MAX(received_at) FROM alert"
			  " WHERE incident_id = ?1), last_received_at),"
			  " updated_at = ?2, updated_by = ?3, version = version + 1 WHERE id = ?1",
			  "tit", id, now, actor_id);
}

/* Close an incident as merged into into_id. */
static int close_merged(struct fq_dbc *c, const char *id, const char *into_id, const char *actor_id,
			int64_t now, struct fq_err *err)
{
	return fq_dbc_run(c, err, NULL,
			  "UPDATE incident SET state = 'closed', close_reason = 'merged',"
			  " merged_into = ?, closed_at = ?, updated_at = ?, updated_by = ?,"
			  " version = version + 1 WHERE id = ?",
			  "tiitt", into_id, now, now, actor_id, id);
}

int fq_incident_merge(struct fq_dbc *c, const char *into_id, const char *from_id,
		      int64_t expected_version, const char *reason, const char *actor_id,
		      int64_t *moved, struct fq_err *err)
{
	struct inc into, from;
	struct fq_stmt *st;
	char note[FQ_NUMBER_MAX * 2 + 4096];
	int64_t now = fq_now_ms(), n = 0;
	int rc;

	if (moved)
		*moved = 0;
	if ((rc = check_reason(reason, err)))
		return rc;
	if (strcmp(into_id, from_id) == 0)
		return fq_err_set(err, FQ_EUNPROC, "same_incident", "from_incident_id",
				  "不能将警情与自身合并");
	if ((rc = load(c, into_id, NULL, &into, err)) ||
	    (rc = load(c, from_id, "from_incident_id", &from, err)))
		return rc;
	if ((rc = check_open(&into, NULL, err)) ||
	    (rc = check_open(&from, "from_incident_id", err)))
		return rc;
	if (expected_version && expected_version != into.version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该警情已被他人更新（当前版本 %lld），请刷新后重试",
				  (long long)into.version);
	if (strcmp(into.unit, from.unit) != 0)
		return fq_err_set(err, FQ_EUNPROC, "different_station", "from_incident_id",
				  "两个警情属于不同的派出所，不能合并");

	/* One decision per alert moved, then the move itself. */
	rc = fq_dbc_query(c, err, &st, "SELECT id FROM alert WHERE incident_id = ? ORDER BY id",
			  "t", from_id);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		rc = record_decision(c, fq_stmt_text(st, 0), into_id, "manual_merge", reason,
				     actor_id, now, err);
		if (rc)
			break;
		n++;
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	if ((rc = settle_intake(c, from_id, NULL, err)) ||
	    (rc = fq_dbc_run(c, err, NULL, "UPDATE alert SET incident_id = ? WHERE incident_id = ?",
			     "tt", into_id, from_id)) ||
	    (rc = fq_dbc_run(c, err, NULL,
			     "UPDATE dispatch SET incident_id = ? WHERE incident_id = ?", "tt",
			     into_id, from_id)) ||
	    (rc = fq_dbc_run(c, err, NULL,
			     "UPDATE incident SET repeat_caller = MAX(repeat_caller,"
			     " (SELECT repeat_caller FROM incident WHERE id = ?2)),"
			     " repeat_place = MAX(repeat_place,"
			     " (SELECT repeat_place FROM incident WHERE id = ?2)) WHERE id = ?1",
			     "tt", into_id, from_id)) ||
	    (rc = recount(c, into_id, actor_id, now, err)) ||
	    (rc = recount(c, from_id, actor_id, now, err)) ||
	    (rc = close_merged(c, from_id, into_id, actor_id, now, err)))
		return rc;
	snprintf(note, sizeof(note), "并入警情 %s（%lld 条报警）：%s", from.number, (long long)n,
		 reason);
	if ((rc = fq_incident_event(c, into_id, now, actor_id, "merge", NULL, NULL, note, err)))
		return rc;
	snprintf(note, sizeof(note), "已并入警情 %s：%s", into.number, reason);
	if ((rc = fq_incident_event(c, from_id, now, actor_id, "merge", from.state, "closed", note,
				    err)))
		return rc;
	if (moved)
		*moved = n;
	return 0;
}

int fq_incident_split(struct fq_dbc *c, const char *alert_id, const char *to_id, const char *reason,
		      const char *actor_id, char into_out[37], char from_out[37],
		      struct fq_err *err)
{
	struct fq_incident_new ni = {0};
	struct inc from, to;
	struct fq_stmt *st;
	char alert_number[FQ_NUMBER_MAX], grid[FQ_UNIT_CODE_MAX] = "", category[64] = "";
	char address[1024] = "", new_number[FQ_NUMBER_MAX], note[FQ_NUMBER_MAX * 2 + 4096];
	int64_t now = fq_now_ms(), received_at = 0;
	int has_address = 0, rc;

	into_out[0] = from_out[0] = '\0';
	if ((rc = check_reason(reason, err)))
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT incident_id, number, grid_code, received_at, category, priority,"
			  " lat, lon, address FROM alert WHERE id = ?",
			  "t", alert_id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(from_out, 37, "%s", fq_stmt_text(st, 0));
		snprintf(alert_number, sizeof(alert_number), "%s", fq_stmt_text(st, 1));
		if (fq_stmt_text(st, 2))
			snprintf(grid, sizeof(grid), "%s", fq_stmt_text(st, 2));
		received_at = fq_stmt_int(st, 3);
		snprintf(category, sizeof(category), "%s", fq_stmt_text(st, 4));
		ni.priority = (int)fq_stmt_int(st, 5);
		ni.has_location = !fq_stmt_is_null(st, 6);
		ni.lat = fq_stmt_double(st, 6);
		ni.lon = fq_stmt_double(st, 7);
		has_address = fq_stmt_text(st, 8) != NULL;
		if (has_address)
			snprintf(address, sizeof(address), "%s", fq_stmt_text(st, 8));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "报警不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if ((rc = load(c, from_out, NULL, &from, err)) || (rc = check_open(&from, NULL, err)))
		return rc;
	if (to_id) {
		if (strcmp(to_id, from_out) == 0)
			return fq_err_set(err, FQ_EUNPROC, "same_incident", "to_incident_id",
					  "该报警已属于这个警情");
		if ((rc = load(c, to_id, "to_incident_id", &to, err)) ||
		    (rc = check_open(&to, "to_incident_id", err)))
			return rc;
		if (strcmp(to.unit, from.unit) != 0)
			return fq_err_set(err, FQ_EUNPROC, "different_station", "to_incident_id",
					  "目标警情属于其他派出所");
		snprintf(into_out, 37, "%s", to_id);
		snprintf(new_number, sizeof(new_number), "%s", to.number);
	} else {
		if (from.alert_count <= 1)
			return fq_err_set(err, FQ_EUNPROC, "only_alert", "to_incident_id",
					  "这是该警情唯一的报警，无需拆分；如要并入其他警情请指定 "
					  "to_incident_id");
		ni.unit_code = from.unit;
		ni.grid_code = grid[0] ? grid : NULL;
		ni.category = category;
		ni.address = has_address ? address : NULL;
		ni.received_at = received_at;
		ni.actor_id = actor_id;
		ni.now_ms = now;
		if ((rc = fq_incident_create(c, &ni, into_out, new_number, NULL, err)))
			return rc;
	}
	if ((rc = settle_intake(c, from_out, alert_id, err)) ||
	    (rc = fq_dbc_run(c, err, NULL, "UPDATE alert SET incident_id = ? WHERE id = ?", "tt",
			     into_out, alert_id)) ||
	    (rc = record_decision(c, alert_id, into_out, "split", reason, actor_id, now, err)) ||
	    (rc = fq_incident_add_alert(c, into_out, received_at, NULL, err)) ||
	    (rc = recount(c, from_out, actor_id, now, err)))
		return rc;
	if (from.alert_count <= 1 && (rc = close_merged(c, from_out, into_out, actor_id, now, err)))
		return rc;
	snprintf(note, sizeof(note), "报警 %s 拆出至警情 %s：%s", alert_number, new_number, reason);
	rc = fq_incident_event(c, from_out, now, actor_id, "split", NULL, NULL, note, err);
	if (!rc && from.alert_count <= 1)
		rc = fq_incident_event(c, from_out, now, actor_id, "merge", from.state, "closed",
				       "唯一的报警已移出，警情随之并入", err);
	if (rc)
		return rc;
	snprintf(note, sizeof(note), "报警 %s 自警情 %s 拆入：%s", alert_number, from.number,
		 reason);
	return fq_incident_event(c, into_out, now, actor_id, "split", NULL, NULL, note, err);
}
