#include "command/directive.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org/rights.h"
#include "org/users.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/phone.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "core/banned.h"

static const struct {
	const char *code;
	const char *label;
} states[FQ_DIRECTIVE_STATE_COUNT] = {
    [FQ_DIRECTIVE_ISSUED] = {"issued", "已下发"},
    [FQ_DIRECTIVE_ACCEPTED] = {"accepted", "已签收"},
    [FQ_DIRECTIVE_IN_PROGRESS] = {"in_progress", "办理中"},
    [FQ_DIRECTIVE_FEEDBACK_SUBMITTED] = {"feedback_submitted", "已反馈"},
    [FQ_DIRECTIVE_APPROVED] = {"approved", "已办结"},
    [FQ_DIRECTIVE_RETURNED] = {"returned", "已退回"},
};

static const struct {
	const char *code;
	const char *label;
} steps[FQ_DIRECTIVE_STEP_COUNT] = {
    [FQ_DIRECTIVE_ACCEPT] = {"accept", "签收"},
    [FQ_DIRECTIVE_START] = {"start", "开始办理"},
    [FQ_DIRECTIVE_FEEDBACK] = {"feedback", "提交反馈"},
    [FQ_DIRECTIVE_APPROVE] = {"approve", "审核通过"},
    [FQ_DIRECTIVE_RETURN] = {"return", "退回"},
};

static const char *const sources[FQ_DIRECTIVE_SRC_COUNT] = {
    [FQ_DIRECTIVE_SRC_INCIDENT] = "incident",
    [FQ_DIRECTIVE_SRC_REPEAT_CALLER] = "repeat_caller",
    [FQ_DIRECTIVE_SRC_REPEAT_PLACE] = "repeat_place",
    [FQ_DIRECTIVE_SRC_HOTSPOT] = "hotspot",
    [FQ_DIRECTIVE_SRC_MANUAL] = "manual",
};

static const struct {
	const char *code;
	const char *label;
} teams[FQ_DIRECTIVE_TEAM_COUNT] = {
    [FQ_DIRECTIVE_TEAM_COMMUNITY] = {"community", "社区警务队"},
    [FQ_DIRECTIVE_TEAM_CASE] = {"case", "案件办理队"},
    [FQ_DIRECTIVE_TEAM_COMMAND] = {"command", "综合指挥室"},
};

const char *fq_directive_state_code(enum fq_directive_state s)
{
	return (unsigned)s < FQ_DIRECTIVE_STATE_COUNT ? states[s].code : NULL;
}

const char *fq_directive_state_label(enum fq_directive_state s)
{
	return (unsigned)s < FQ_DIRECTIVE_STATE_COUNT ? states[s].label : NULL;
}

const char *fq_directive_step_code(enum fq_directive_step step)
{
	return (unsigned)step < FQ_DIRECTIVE_STEP_COUNT ? steps[step].code : NULL;
}

const char *fq_directive_source_code(enum fq_directive_source s)
{
	return (unsigned)s < FQ_DIRECTIVE_SRC_COUNT ? sources[s] : NULL;
}

const char *fq_directive_team_code(enum fq_directive_team t)
{
	return (unsigned)t < FQ_DIRECTIVE_TEAM_COUNT ? teams[t].code : NULL;
}

const char *fq_directive_team_label(enum fq_directive_team t)
{
	return (unsigned)t < FQ_DIRECTIVE_TEAM_COUNT ? teams[t].label : NULL;
}

int fq_directive_state_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_DIRECTIVE_STATE_COUNT; s++)
		if (strcmp(states[s].code, code) == 0)
			return s;
	return -1;
}

int fq_directive_step_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_DIRECTIVE_STEP_COUNT; s++)
		if (strcmp(steps[s].code, code) == 0)
			return s;
	return -1;
}

int fq_directive_source_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_DIRECTIVE_SRC_COUNT; s++)
		if (strcmp(sources[s], code) == 0)
			return s;
	return -1;
}

int fq_directive_team_from_code(const char *code)
{
	for (int t = 0; code && t < FQ_DIRECTIVE_TEAM_COUNT; t++)
		if (strcmp(teams[t].code, code) == 0)
			return t;
	return -1;
}

int fq_directive_step_target(enum fq_directive_state from, enum fq_directive_step step)
{
	switch (step) {
	case FQ_DIRECTIVE_ACCEPT:
		return from == FQ_DIRECTIVE_ISSUED ? FQ_DIRECTIVE_ACCEPTED : -1;
	case FQ_DIRECTIVE_START:
		return from == FQ_DIRECTIVE_ACCEPTED || from == FQ_DIRECTIVE_RETURNED
			   ? FQ_DIRECTIVE_IN_PROGRESS
			   : -1;
	case FQ_DIRECTIVE_FEEDBACK:
		return from == FQ_DIRECTIVE_IN_PROGRESS ? FQ_DIRECTIVE_FEEDBACK_SUBMITTED : -1;
	case FQ_DIRECTIVE_APPROVE:
		return from == FQ_DIRECTIVE_FEEDBACK_SUBMITTED ? FQ_DIRECTIVE_APPROVED : -1;
	case FQ_DIRECTIVE_RETURN:
		return from == FQ_DIRECTIVE_FEEDBACK_SUBMITTED ? FQ_DIRECTIVE_RETURNED : -1;
	default:
		return -1;
	}
}

int fq_directive_step_by_team(enum fq_directive_step step)
{
	return step == FQ_DIRECTIVE_ACCEPT || step == FQ_DIRECTIVE_START ||
	       step == FQ_DIRECTIVE_FEEDBACK;
}

int fq_directive_overdue(enum fq_directive_state state, int64_t deadline_at, int64_t now_ms)
{
	return state != FQ_DIRECTIVE_APPROVED && deadline_at < now_ms;
}

/* ---- helpers ---- */

static int64_t now_or_clock(int64_t now_ms)
{
	return now_ms ? now_ms : fq_now_ms();
}

static int blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

static int check_len(const char *s, size_t max, const char *field, struct fq_err *err)
{
	if (s && fq_utf8_chars(s) > max)
		return fq_err_set(err, FQ_EINVAL, "too_long", field, "字段 %s 超过 %zu 个字符",
				  field, max);
	return 0;
}

static int check_required(const char *s, size_t max, const char *field, struct fq_err *err)
{
	if (blank(s))
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "请填写 %s", field);
	return check_len(s, max, field, err);
}

static json_t *time_json(struct fq_stmt *st, int col)
{
	char buf[FQ_RFC3339_MAX];
	if (fq_stmt_is_null(st, col))
		return json_null();
	fq_time_format_cst(fq_stmt_int(st, col), buf);
	return json_string(buf);
}

static json_t *text_json(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	return s ? json_string(s) : json_null();
}

/* "2026-11-23 20:29" in China Standard Time, for timeline texts. */
static void minute_cst(int64_t ms, char out[FQ_RFC3339_MAX])
{
	fq_time_format_cst(ms, out);
	out[10] = ' ';
	out[16] = '\0';
}

/* ---- issuing ---- */

/* What a directive needs of its source incident. */
struct source_incident {
	char unit[FQ_UNIT_CODE_MAX];
	char path[FQ_UNIT_PATH_MAX];
	char grid[FQ_UNIT_CODE_MAX]; /* "" when none */
	char place[FQ_DIRECTIVE_REF_MAX * 4 + 1];
	char phone[FQ_PHONE_MAX + 1]; /* latest caller's, "" when none */
};

static int load_incident(struct fq_dbc *c, const char *id, const char *scope_path,
			 struct source_incident *out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "incident_id",
				  "incident_id 不是有效的编号");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT i.unit_code, u.path, i.grid_code, i.address, i.lat, i.lon"
			  " FROM incident i JOIN unit u ON u.code = i.unit_code WHERE i.id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		const char *address = fq_stmt_text(st, 3);
		snprintf(out->unit, sizeof(out->unit), "%s", fq_stmt_text(st, 0));
		snprintf(out->path, sizeof(out->path), "%s", fq_stmt_text(st, 1));
		if (!fq_stmt_is_null(st, 2))
			snprintf(out->grid, sizeof(out->grid), "%s", fq_stmt_text(st, 2));
		if (address && *address)
			snprintf(out->place, sizeof(out->place), "%s", address);
		else if (!fq_stmt_is_null(st, 4))
			snprintf(out->place, sizeof(out->place), "%.6f,%.6f", fq_stmt_double(st, 4),
				 fq_stmt_double(st, 5));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	/* An incident outside the issuer's scope looks absent. */
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, out->path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_incident", "incident_id",
				  "警情事件不存在或不在您的辖区");
	if (rc)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT caller_phone_norm FROM alert WHERE incident_id = ?"
			  " AND COALESCE(caller_phone_norm, '') <> ''"
			  " ORDER BY received_at DESC, id DESC LIMIT 1",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		snprintf(out->phone, sizeof(out->phone), "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* The station of unit: itself, or the nearest station above it; in scope_path. */
static int station_of(struct fq_dbc *c, const char *unit, int asked, const char *scope_path,
		      char station[FQ_UNIT_CODE_MAX], char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT s.code, s.path FROM unit u JOIN unit s ON s.kind = 'station'"
			      " AND substr(u.path, 1, length(s.path)) = s.path WHERE u.code = ?",
			      "t", unit);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(station, FQ_UNIT_CODE_MAX, "%s", fq_stmt_text(st, 0));
		snprintf(path, FQ_UNIT_PATH_MAX, "%s", fq_stmt_text(st, 1));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	if (rc == FQ_ENOTFOUND && !asked)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
				  "您所在单位不是派出所：请用 unit 指明发令的派出所");
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				  "unit 应为您辖区内的派出所代码");
	return rc;
}

static int check_grid(struct fq_dbc *c, const char *grid, const char *station_path,
		      struct fq_err *err)
{
	struct fq_stmt *st;
	int ok = 0;
	int rc = fq_dbc_query(c, err, &st, "SELECT kind, path FROM unit WHERE code = ?", "t", grid);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		ok = strcmp(fq_stmt_text(st, 0), "grid") == 0 &&
		     fq_scope_covers(station_path, fq_stmt_text(st, 1));
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	return ok ? 0
		  : fq_err_set(err, FQ_EINVAL, "unknown_grid", "target_grid",
			       "target_grid 应为发令派出所辖区内的网格代码");
}

static int check_target_user(struct fq_dbc *c, const char *id, const char *station_path,
			     struct fq_err *err)
{
	struct fq_user u;
	int rc;

	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "target_user_id",
				  "target_user_id 不是有效的用户编号");
	rc = fq_user_load(c, id, &u, err);
	if (rc == FQ_ENOTFOUND ||
	    (!rc && (u.disabled || !fq_scope_covers(station_path, u.unit_path))))
		return fq_err_set(err, FQ_EINVAL, "unknown_user", "target_user_id",
				  "target_user_id 应为发令派出所的在岗民警");
	if (rc)
		return rc;
	if (!fq_roles_can(u.roles, FQ_ACT_INCIDENT_READ))
		return fq_err_set(err, FQ_EINVAL, "user_cannot_act", "target_user_id",
				  "该用户的角色不能查看和办理指令");
	return 0;
}

/* The source and its reference (source_ref) from the members given. */
static int resolve_source(const struct fq_directive_new *in, const struct source_incident *inc,
			  int *source, const char **ref, struct fq_phone *phone, struct fq_err *err)
{
	int given = !!in->repeat_place + !!in->repeat_caller + !!in->hotspot;
	int inferred = in->repeat_place	   ? FQ_DIRECTIVE_SRC_REPEAT_PLACE
		       : in->repeat_caller ? FQ_DIRECTIVE_SRC_REPEAT_CALLER
		       : in->hotspot	   ? FQ_DIRECTIVE_SRC_HOTSPOT
		       : in->incident_id   ? FQ_DIRECTIVE_SRC_INCIDENT
					   : FQ_DIRECTIVE_SRC_MANUAL;
	int rc;

	*ref = NULL;
	*source = inferred;
	if (given > 1)
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields",
				  in->repeat_place ? "repeat_place" : "repeat_caller",
				  "repeat_place、repeat_caller、hotspot 只能给出一个");
	*source = in->source ? fq_directive_source_from_code(in->source) : inferred;
	if (*source < 0)
		return fq_err_set(
		    err, FQ_EINVAL, "invalid_value", "source",
		    "来源应为 incident、repeat_caller、repeat_place、hotspot 或 manual");
	if (given && *source != inferred)
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "source",
				  "source 与给出的来源字段不一致");
	switch (*source) {
	case FQ_DIRECTIVE_SRC_INCIDENT:
		if (!in->incident_id)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "incident_id",
					  "来源为警情事件时须给出 incident_id");
		*ref = in->incident_id;
		return 0;
	case FQ_DIRECTIVE_SRC_REPEAT_PLACE:
		*ref = in->repeat_place ? in->repeat_place : inc && *inc->place ? inc->place : NULL;
		if (blank(*ref))
			return fq_err_set(err, FQ_EINVAL, "missing_field", "repeat_place",
					  "请说明多报地点（repeat_place）或给出其警情事件");
		return check_len(*ref, FQ_DIRECTIVE_REF_MAX, "repeat_place", err);
	case FQ_DIRECTIVE_SRC_REPEAT_CALLER:
		if (in->repeat_caller) {
			rc = fq_phone_normalize(in->repeat_caller, phone, err);
			if (rc) {
				if (err)
					snprintf(err->field, sizeof(err->field), "repeat_caller");
				return rc;
			}
			*ref = phone->number;
		} else if (inc && *inc->phone) {
			*ref = inc->phone;
		}
		if (blank(*ref))
			return fq_err_set(err, FQ_EINVAL, "missing_field", "repeat_caller",
					  "请给出多报来电号码（repeat_caller）或其警情事件");
		return 0;
	case FQ_DIRECTIVE_SRC_HOTSPOT:
		if (in->incident_id)
			return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "incident_id",
					  "热点来源的指令不关联单个警情事件");
		*ref = in->hotspot;
		if (blank(*ref))
			return fq_err_set(err, FQ_EINVAL, "missing_field", "hotspot",
					  "请说明热点（hotspot）");
		return check_len(*ref, FQ_DIRECTIVE_REF_MAX, "hotspot", err);
	default:
		if (in->incident_id)
			return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "incident_id",
					  "手工指令不关联警情事件；来源请用 incident");
		return 0;
	}
}

static int check_deadline(int64_t deadline_at, int64_t now, struct fq_err *err)
{
	if (deadline_at <= now)
		return fq_err_set(err, FQ_EINVAL, "deadline_passed", "deadline_at",
				  "办理期限须晚于当前时间");
	if (deadline_at - now > FQ_DIRECTIVE_DEADLINE_MAX_MS)
		return fq_err_set(err, FQ_EINVAL, "deadline_too_far", "deadline_at",
				  "办理期限最长为下发后 90 天");
	return 0;
}

int fq_directive_create(struct fq_dbc *c, const struct fq_directive_new *in, char id[37],
			char number[FQ_NUMBER_MAX], struct fq_err *err)
{
	struct source_incident inc;
	struct fq_phone phone;
	char station[FQ_UNIT_CODE_MAX], station_path[FQ_UNIT_PATH_MAX];
	const char *ref, *grid = in->target_grid;
	int64_t now = now_or_clock(in->now_ms);
	int source, team, rc;

	team = fq_directive_team_from_code(in->target_team);
	if (team < 0)
		return in->target_team ? fq_err_set(err, FQ_EINVAL, "invalid_value", "target_team",
						    "目标队伍应为 community、case 或 command")
				       : fq_err_set(err, FQ_EINVAL, "missing_field", "target_team",
						    "请指定目标队伍（target_team）");
	if ((rc = check_required(in->title, FQ_DIRECTIVE_TITLE_MAX, "title", err)) ||
	    (rc = check_required(in->what_to_do, FQ_DIRECTIVE_TEXT_MAX, "what_to_do", err)) ||
	    (rc = check_deadline(in->deadline_at, now, err)))
		return rc;
	if (in->incident_id) {
		if ((rc = load_incident(c, in->incident_id, in->scope_path, &inc, err)))
			return rc;
		if (in->unit && strcmp(in->unit, inc.unit) != 0)
			return fq_err_set(err, FQ_EINVAL, "unit_mismatch", "unit",
					  "指令须由警情事件所属派出所（%s）下发", inc.unit);
		snprintf(station, sizeof(station), "%s", inc.unit);
		snprintf(station_path, sizeof(station_path), "%s", inc.path);
		if (!grid && inc.grid[0])
			grid = inc.grid;
	} else if ((rc = station_of(c, in->unit ? in->unit : in->actor_unit, in->unit != NULL,
				    in->scope_path, station, station_path, err))) {
		return rc;
	}
	if ((rc = resolve_source(in, in->incident_id ? &inc : NULL, &source, &ref, &phone, err)))
		return rc;
	if (grid && (rc = check_grid(c, grid, station_path, err)))
		return rc;
	if (in->target_user_id &&
	    (rc = check_target_user(c, in->target_user_id, station_path, err)))
		return rc;

	fq_uuid7_str(id);
	if ((rc = fq_number_next(c, "ZL", station, now, number, err)))
		return rc;
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO directive (id, number, unit_code, source, source_ref,"
			  " incident_id, target_team, target_user_id, target_grid, title,"
			  " what_to_do, deadline_at, state, issued_at, issued_by, created_at,"
			  " created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
			  " ?, ?, ?, 'issued', ?, ?, ?, ?, ?, ?)",
			  "tttttttttttiititit", id, number, station, sources[source], ref,
			  in->incident_id, teams[team].code, in->target_user_id, grid, in->title,
			  in->what_to_do, in->deadline_at, now, in->actor_id, now, in->actor_id,
			  now, in->actor_id);
}

/* ---- the state machine ---- */

static int append_timeline(struct fq_dbc *c, const char *directive_id, int64_t at, const char *by,
			   const char *kind, const char *text, struct fq_err *err)
{
	char id[FQ_UUID_STR];

	fq_uuid7_str(id);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO directive_feedback (id, directive_id, seq, at, by_user, text, kind)"
	    " VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM directive_feedback"
	    " WHERE directive_id = ?), ?, ?, ?, ?)",
	    "tttittt", id, directive_id, directive_id, at, by, text, kind);
}

/* The API's name of a step's text, and the timeline kind it is kept as. */
static const char *text_field(enum fq_directive_step step)
{
	switch (step) {
	case FQ_DIRECTIVE_FEEDBACK:
		return "text";
	case FQ_DIRECTIVE_RETURN:
		return "reason";
	default:
		return "note";
	}
}

static const char *timeline_kind(enum fq_directive_step step)
{
	switch (step) {
	case FQ_DIRECTIVE_FEEDBACK:
		return "feedback";
	case FQ_DIRECTIVE_RETURN:
		return "return_reason";
	case FQ_DIRECTIVE_APPROVE:
		return "approval_note";
	default:
		return NULL;
	}
}

static int check_step_text(const struct fq_directive_change *ch, struct fq_err *err)
{
	const char *field = text_field(ch->step);
	int rc = check_len(ch->text, FQ_DIRECTIVE_TEXT_MAX, field, err);

	if (rc)
		return rc;
	if (ch->step == FQ_DIRECTIVE_FEEDBACK && blank(ch->text))
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "请填写反馈内容");
	if (ch->step == FQ_DIRECTIVE_RETURN && blank(ch->text))
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "退回须说明原因");
	return 0;
}

int fq_directive_transition(struct fq_dbc *c, const char *id, const struct fq_directive_change *ch,
			    enum fq_directive_state *from_out, enum fq_directive_state *to_out,
			    struct fq_err *err)
{
	struct fq_stmt *st;
	char target_user[37] = "";
	const char *step;
	int64_t version = 0, changed = 0, now = now_or_clock(ch->now_ms);
	int from = -1, to, rc;

	if ((unsigned)ch->step >= FQ_DIRECTIVE_STEP_COUNT)
		return fq_err_set(err, FQ_EINVAL, "invalid_step", NULL, "未知的指令操作");
	step = steps[ch->step].code;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT state, version, target_user_id FROM directive WHERE id = ?", "t",
			  id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		from = fq_directive_state_from_code(fq_stmt_text(st, 0));
		version = fq_stmt_int(st, 1);
		if (!fq_stmt_is_null(st, 2))
			snprintf(target_user, sizeof(target_user), "%s", fq_stmt_text(st, 2));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "治理指令不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (ch->expected_version && ch->expected_version != version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该指令已被他人更新（当前版本 %lld），请刷新后重试",
				  (long long)version);
	to = from < 0 ? -1 : fq_directive_step_target(from, ch->step);
	if (to < 0)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_transition", "state",
				  "指令当前为“%s”，不能%s", from >= 0 ? states[from].label : "?",
				  steps[ch->step].label);
	if (fq_directive_step_by_team(ch->step) && target_user[0] &&
	    (!ch->actor_id || strcmp(ch->actor_id, target_user) != 0))
		return fq_err_set(err, FQ_EFORBIDDEN, "not_assignee", NULL,
				  "该指令已指定承办民警，只有承办民警可以%s",
				  steps[ch->step].label);
	if ((rc = check_step_text(ch, err)))
		return rc;
	rc = fq_dbc_run(
	    c, err, &changed,
	    "UPDATE directive SET state = ?,"
	    " accepted_at = CASE WHEN ? = 'accept' THEN ? ELSE accepted_at END,"
	    " started_at = CASE WHEN ? = 'start' THEN ? ELSE started_at END,"
	    " feedback_submitted_at = CASE WHEN ? = 'feedback' THEN ?"
	    " ELSE feedback_submitted_at END,"
	    " approved_at = CASE WHEN ? = 'approve' THEN ? ELSE approved_at END,"
	    " returned_count = returned_count + CASE WHEN ? = 'return' THEN 1 ELSE 0 END,"
	    " updated_at = ?, updated_by = ?, version = version + 1"
	    " WHERE id = ? AND version = ?",
	    "ttitititititti", states[to].code, step, now, step, now, step, now, step, now, step,
	    now, ch->actor_id, id, version);
	if (rc)
		return rc;
	if (!changed)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "该指令已被他人更新，请刷新后重试");
	if (timeline_kind(ch->step) && !blank(ch->text) &&
	    (rc =
		 append_timeline(c, id, now, ch->actor_id, timeline_kind(ch->step), ch->text, err)))
		return rc;
	if (from_out)
		*from_out = from;
	if (to_out)
		*to_out = to;
	return 0;
}

int fq_directive_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			   struct fq_err *err)
{
	return fq_dbc_lookup_text(
	    c,
	    "SELECT u.path FROM directive d JOIN unit u ON u.code = d.unit_code"
	    " WHERE d.id = ?",
	    id, path, FQ_UNIT_PATH_MAX, "治理指令不存在", err);
}

/* ---- reading ---- */

#define DIRECTIVE_COLS                                                                             \
	"d.id, d.number, d.unit_code, su.name, d.source, d.source_ref, d.incident_id,"             \
	" d.target_team, d.target_user_id, tu.display_name, d.target_grid, gu.name, d.title,"      \
	" d.what_to_do, d.deadline_at, d.state, d.issued_at, d.issued_by, iu.display_name,"        \
	" d.accepted_at, d.started_at, d.feedback_submitted_at, d.approved_at,"                    \
	" d.returned_count, d.escalated_at, d.escalated_to, eu.display_name, d.version,"           \
	" d.created_at, d.updated_at"
#define DIRECTIVE_FROM                                                                             \
	" FROM directive d JOIN unit su ON su.code = d.unit_code"                                  \
	" LEFT JOIN app_user tu ON tu.id = d.target_user_id"                                       \
	" LEFT JOIN unit gu ON gu.code = d.target_grid"                                            \
	" LEFT JOIN app_user iu ON iu.id = d.issued_by"                                            \
	" LEFT JOIN app_user eu ON eu.id = d.escalated_to"

static json_t *source_ref_json(struct fq_stmt *st, int mask_phones)
{
	const char *source = fq_stmt_text(st, 4), *ref = fq_stmt_text(st, 5);
	char masked[FQ_PHONE_MAX + 1];

	if (!ref)
		return json_null();
	if (!mask_phones || strcmp(source, "repeat_caller") != 0)
		return json_string(ref);
	return json_string(fq_phone_mask(ref, masked) == 0 ? masked : "***");
}

static json_t *directive_row(struct fq_stmt *st, int mask_phones, int64_t now)
{
	int s = fq_directive_state_from_code(fq_stmt_text(st, 15));
	int t = fq_directive_team_from_code(fq_stmt_text(st, 7));
	int64_t deadline = fq_stmt_int(st, 14);
	json_t *j = json_object();

	json_object_set_new(j, "id", text_json(st, 0));
	json_object_set_new(j, "number", text_json(st, 1));
	json_object_set_new(j, "unit", text_json(st, 2));
	json_object_set_new(j, "unit_name", text_json(st, 3));
	json_object_set_new(j, "source", text_json(st, 4));
	json_object_set_new(j, "source_ref", source_ref_json(st, mask_phones));
	json_object_set_new(j, "incident_id", text_json(st, 6));
	json_object_set_new(j, "target_team", text_json(st, 7));
	json_object_set_new(j, "target_team_label", json_string(t >= 0 ? teams[t].label : "?"));
	json_object_set_new(j, "target_user_id", text_json(st, 8));
	json_object_set_new(j, "target_user_name", text_json(st, 9));
	json_object_set_new(j, "target_grid", text_json(st, 10));
	json_object_set_new(j, "target_grid_name", text_json(st, 11));
	json_object_set_new(j, "title", text_json(st, 12));
	json_object_set_new(j, "what_to_do", text_json(st, 13));
	json_object_set_new(j, "deadline_at", time_json(st, 14));
	json_object_set_new(j, "state", text_json(st, 15));
	json_object_set_new(j, "state_label", json_string(s >= 0 ? states[s].label : "?"));
	json_object_set_new(j, "overdue",
			    json_boolean(s >= 0 && fq_directive_overdue(s, deadline, now)));
	json_object_set_new(j, "issued_at", time_json(st, 16));
	json_object_set_new(j, "issued_by", text_json(st, 17));
	json_object_set_new(j, "issued_by_name", text_json(st, 18));
	json_object_set_new(j, "accepted_at", time_json(st, 19));
	json_object_set_new(j, "started_at", time_json(st, 20));
	json_object_set_new(j, "feedback_submitted_at", time_json(st, 21));
	json_object_set_new(j, "approved_at", time_json(st, 22));
	json_object_set_new(j, "returned_count", json_integer(fq_stmt_int(st, 23)));
	json_object_set_new(j, "escalated_at", time_json(st, 24));
	json_object_set_new(j, "escalated_to", text_json(st, 25));
	json_object_set_new(j, "escalated_to_name", text_json(st, 26));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 27)));
	json_object_set_new(j, "created_at", time_json(st, 28));
	json_object_set_new(j, "updated_at", time_json(st, 29));
	return j;
}

static int timeline_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *arr;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT f.at, f.kind, f.text, f.by_user, u.display_name"
			      " FROM directive_feedback f LEFT JOIN app_user u ON u.id = f.by_user"
			      " WHERE f.directive_id = ? ORDER BY f.seq",
			      "t", id);
	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(arr,
				      json_pack("{s:o, s:o, s:o, s:o, s:o}", "at", time_json(st, 0),
						"kind", text_json(st, 1), "text", text_json(st, 2),
						"by_id", text_json(st, 3), "by", text_json(st, 4)));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int fq_directive_json(struct fq_dbc *c, const char *id, int detail, int mask_phones, int64_t now_ms,
		      json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *j, *timeline;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st, "SELECT " DIRECTIVE_COLS DIRECTIVE_FROM " WHERE d.id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc != FQ_DB_ROW) {
		fq_stmt_done(st);
		return rc < 0 ? rc
			      : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "治理指令不存在");
	}
	j = directive_row(st, mask_phones, now_or_clock(now_ms));
	fq_stmt_done(st);
	if (detail) {
		rc = timeline_json(c, id, &timeline, err);
		if (rc) {
			json_decref(j);
			return rc;
		}
		json_object_set_new(j, "timeline", timeline);
	}
	*out = j;
	return 0;
}

#define LIST_WHERE                                                                                 \
	" WHERE substr(su.path, 1, length(?)) = ? AND (? IS NULL OR d.state = ?)"                  \
	" AND (? = 0 OR d.state <> 'approved') AND (? IS NULL OR d.target_team = ?)"               \
	" AND (? IS NULL OR d.target_grid = ?) AND (? IS NULL OR d.target_user_id = ?)"            \
	" AND (? < 0 OR (? = 1 AND d.state <> 'approved' AND d.deadline_at < ?)"                   \
	" OR (? = 0 AND (d.state = 'approved' OR d.deadline_at >= ?)))"
#define LIST_TYPES "ttttittttttiiiii"
#define LIST_ARGS(q, state, open_only, now)                                                        \
	(q)->scope_path, (q)->scope_path, state, state, (int64_t)(open_only), (q)->target_team,    \
	    (q)->target_team, (q)->grid, (q)->grid, (q)->target_user_id, (q)->target_user_id,      \
	    (int64_t)(q)->overdue, (int64_t)(q)->overdue, now, (int64_t)(q)->overdue, now

static const struct {
	const char *name;
	const char *sql;
} list_orders[] = {
    {"deadline", "SELECT " DIRECTIVE_COLS DIRECTIVE_FROM LIST_WHERE
		 " ORDER BY d.deadline_at, d.id LIMIT ? OFFSET ?"},
    {"-deadline", "SELECT " DIRECTIVE_COLS DIRECTIVE_FROM LIST_WHERE
		  " ORDER BY d.deadline_at DESC, d.id DESC LIMIT ? OFFSET ?"},
    {"issued", "SELECT " DIRECTIVE_COLS DIRECTIVE_FROM LIST_WHERE
	       " ORDER BY d.issued_at, d.id LIMIT ? OFFSET ?"},
    {"-issued", "SELECT " DIRECTIVE_COLS DIRECTIVE_FROM LIST_WHERE
		" ORDER BY d.issued_at DESC, d.id DESC LIMIT ? OFFSET ?"},
};

static int check_query(const struct fq_directive_query *q, int *order, struct fq_err *err)
{
	*order = -1;
	for (size_t i = 0; i < sizeof(list_orders) / sizeof(list_orders[0]); i++)
		if (strcmp(list_orders[i].name, q->sort ? q->sort : "deadline") == 0)
			*order = (int)i;
	if (*order < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "sort",
				  "排序应为 deadline、-deadline、issued 或 -issued");
	if (q->state && strcmp(q->state, "open") != 0 && fq_directive_state_from_code(q->state) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "state",
				  "状态应为 open 或 issued、accepted 等状态代码");
	if (q->target_team && fq_directive_team_from_code(q->target_team) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "target_team",
				  "目标队伍应为 community、case 或 command");
	if (q->overdue < -1 || q->overdue > 1)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "overdue",
				  "overdue 应为 0 或 1");
	return 0;
}

int fq_directive_list(struct fq_dbc *c, const struct fq_directive_query *q, json_t **out,
		      struct fq_err *err)
{
	int open_only = q->state && strcmp(q->state, "open") == 0;
	const char *state = open_only ? NULL : q->state;
	int64_t now = now_or_clock(q->now_ms), total = 0;
	struct fq_stmt *st;
	json_t *items;
	int order, rc;

	*out = NULL;
	if ((rc = check_query(q, &order, err)))
		return rc;
	if ((rc = fq_dbc_count(c, err, &total, "SELECT COUNT(*)" DIRECTIVE_FROM LIST_WHERE,
			       LIST_TYPES, LIST_ARGS(q, state, open_only, now))))
		return rc;
	rc = fq_dbc_query(c, err, &st, list_orders[order].sql, LIST_TYPES "ii",
			  LIST_ARGS(q, state, open_only, now), q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, directive_row(st, q->mask_phones, now));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

/* ---- KPIs (docs/kpi.md) ---- */

static json_t *counts_json(const struct fq_directive_counts *n)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "issued", (json_int_t)n->issued, "on_time",
			 (json_int_t)n->on_time, "overdue", (json_int_t)n->overdue, "pending",
			 (json_int_t)n->pending, "returned", (json_int_t)n->returned);
}

static json_t *rate_json(int64_t num, int64_t den)
{
	return den ? json_real(floor((double)num / (double)den * 10000 + 0.5) / 10000)
		   : json_null();
}

static json_t *rates_json(const struct fq_directive_counts *n)
{
	return json_pack("{s:o, s:o}", "on_time", rate_json(n->on_time, n->on_time + n->overdue),
			 "returned", rate_json(n->returned, n->issued));
}

/*
 * Count per station under unit_path; sum into *total and, when stations is
 * not NULL, append one object per station to it.
 */
static int count_by_station(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
			    int64_t now, struct fq_directive_counts *total, json_t *stations,
			    struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	memset(total, 0, sizeof(*total));
	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT d.unit_code, s.name, COUNT(*),"
	    " SUM(CASE WHEN d.state = 'approved' AND d.approved_at <= d.deadline_at"
	    " THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN d.state = 'approved' AND d.approved_at > d.deadline_at THEN 1"
	    " WHEN d.state <> 'approved' AND d.deadline_at < ? THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN d.returned_count > 0 THEN 1 ELSE 0 END)"
	    " FROM directive d JOIN unit s ON s.code = d.unit_code"
	    " WHERE substr(s.path, 1, length(?)) = ? AND d.issued_at >= ? AND d.issued_at < ?"
	    " GROUP BY d.unit_code, s.name ORDER BY d.unit_code",
	    "ittii", now, unit_path, unit_path, from_ms, to_ms);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct fq_directive_counts n = {
		    .issued = fq_stmt_int(st, 2),
		    .on_time = fq_stmt_int(st, 3),
		    .overdue = fq_stmt_int(st, 4),
		    .returned = fq_stmt_int(st, 5),
		};
		n.pending = n.issued - n.on_time - n.overdue;
		total->issued += n.issued;
		total->on_time += n.on_time;
		total->overdue += n.overdue;
		total->pending += n.pending;
		total->returned += n.returned;
		if (stations)
			json_array_append_new(
			    stations, json_pack("{s:o, s:o, s:o, s:o}", "unit", text_json(st, 0),
						"name", text_json(st, 1), "counts", counts_json(&n),
						"rates", rates_json(&n)));
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int check_period(int64_t from_ms, int64_t to_ms, struct fq_err *err)
{
	if (to_ms <= from_ms)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "to",
				  "统计区间的 to 须晚于 from");
	return 0;
}

int fq_directive_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
			int64_t now_ms, struct fq_directive_counts *out, struct fq_err *err)
{
	int rc = check_period(from_ms, to_ms, err);

	memset(out, 0, sizeof(*out));
	return rc ? rc
		  : count_by_station(c, unit_path, from_ms, to_ms, now_or_clock(now_ms), out, NULL,
				     err);
}

int fq_directive_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
			  int64_t now_ms, json_t **out, struct fq_err *err)
{
	struct fq_directive_counts total;
	char path[FQ_UNIT_PATH_MAX], from[FQ_RFC3339_MAX], to[FQ_RFC3339_MAX],
	    as_of[FQ_RFC3339_MAX];
	int64_t now = now_or_clock(now_ms);
	json_t *stations;
	int rc;

	*out = NULL;
	if ((rc = check_period(from_ms, to_ms, err)) ||
	    (rc = fq_unit_path(c, unit_code, path, err)))
		return rc;
	stations = json_array();
	rc = count_by_station(c, path, from_ms, to_ms, now, &total, stations, err);
	if (rc) {
		json_decref(stations);
		return rc;
	}
	fq_time_format_cst(from_ms, from);
	fq_time_format_cst(to_ms, to);
	fq_time_format_cst(now, as_of);
	*out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "unit", unit_code, "from", from,
			 "to", to, "as_of", as_of, "counts", counts_json(&total), "rates",
			 rates_json(&total), "stations", stations);
	return 0;
}

/* ---- escalation ---- */

struct overdue_directive {
	char id[37];
	char number[FQ_NUMBER_MAX];
	char unit[FQ_UNIT_CODE_MAX];
	int64_t deadline_at;
};

static int find_overdue(struct fq_dbc *c, int64_t now, struct overdue_directive *out, int *n,
			struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT id, number, unit_code, deadline_at FROM directive"
			      " WHERE escalated_at IS NULL AND state <> 'approved'"
			      " AND deadline_at < ? ORDER BY deadline_at, id LIMIT ?",
			      "ii", now, (int64_t)FQ_DIRECTIVE_ESCALATE_BATCH);

	*n = 0;
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && *n < FQ_DIRECTIVE_ESCALATE_BATCH) {
		struct overdue_directive *d = &out[(*n)++];
		snprintf(d->id, sizeof(d->id), "%s", fq_stmt_text(st, 0));
		snprintf(d->number, sizeof(d->number), "%s", fq_stmt_text(st, 1));
		snprintf(d->unit, sizeof(d->unit), "%s", fq_stmt_text(st, 2));
		d->deadline_at = fq_stmt_int(st, 3);
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* The station's first enabled chief: id and name, "" when none. */
static int station_chief(struct fq_dbc *c, const char *station, char id[37],
			 char name[FQ_DISPLAY_NAME_MAX * 4 + 1], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT u.id, u.display_name FROM app_user u JOIN user_role r"
			      " ON r.user_id = u.id AND r.role = 'chief'"
			      " WHERE u.unit_code = ? AND u.disabled = 0"
			      " ORDER BY u.created_at, u.id LIMIT 1",
			      "t", station);

	id[0] = name[0] = '\0';
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(id, 37, "%s", fq_stmt_text(st, 0));
		snprintf(name, FQ_DISPLAY_NAME_MAX * 4 + 1, "%s", fq_stmt_text(st, 1));
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Escalate one; *done 0 when another server did it first. */
static int escalate_one(struct fq_dbc *c, const struct overdue_directive *d, int64_t now,
			char chief[37], struct fq_directive_escalation *e, int *done,
			struct fq_err *err)
{
	char chief_name[FQ_DISPLAY_NAME_MAX * 4 + 1], deadline[FQ_RFC3339_MAX];
	char text[FQ_DISPLAY_NAME_MAX * 4 + 128];
	int64_t changed = 0;
	int rc;

	*done = 0;
	if ((rc = station_chief(c, d->unit, chief, chief_name, err)))
		return rc;
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE directive SET escalated_at = ?, escalated_to = ?"
			" WHERE id = ? AND escalated_at IS NULL",
			"itt", now, chief[0] ? chief : NULL, d->id);
	if (rc || !changed)
		return rc;
	minute_cst(d->deadline_at, deadline);
	if (chief[0])
		snprintf(text, sizeof(text), "逾期未办结（期限 %s），已报告所长%s", deadline,
			 chief_name);
	else
		snprintf(text, sizeof(text), "逾期未办结（期限 %s），本所未设所长账号", deadline);
	if ((rc = append_timeline(c, d->id, now, NULL, "escalation", text, err)))
		return rc;
	e->directive_id = d->id;
	e->number = d->number;
	e->unit_code = d->unit;
	e->chief_id = chief[0] ? chief : NULL;
	e->deadline_at = d->deadline_at;
	e->at = now;
	*done = 1;
	return 0;
}

int fq_directive_escalate_overdue(struct fq_dbc *c, int64_t now_ms,
				  int (*on_escalated)(void *arg, struct fq_dbc *c,
						      const struct fq_directive_escalation *e,
						      struct fq_err *err),
				  void *arg, int *escalated, struct fq_err *err)
{
	struct overdue_directive *due = fq_xcalloc(FQ_DIRECTIVE_ESCALATE_BATCH, sizeof(*due));
	int64_t now = now_or_clock(now_ms);
	int n = 0, count = 0, rc;

	if (escalated)
		*escalated = 0;
	if ((rc = fq_dbc_begin(c, 1, err)))
		goto out_free;
	if ((rc = find_overdue(c, now, due, &n, err)))
		goto out_rollback;
	for (int i = 0; i < n; i++) {
		struct fq_directive_escalation e;
		char chief[37];
		int done;
		if ((rc = escalate_one(c, &due[i], now, chief, &e, &done, err)))
			goto out_rollback;
		if (!done)
			continue;
		if (on_escalated && (rc = on_escalated(arg, c, &e, err)))
			goto out_rollback;
		count++;
	}
	if ((rc = fq_dbc_commit(c, err)))
		goto out_rollback;
	if (escalated)
		*escalated = count;
	goto out_free;
out_rollback:
	fq_dbc_rollback(c);
out_free:
	free(due);
	return rc;
}
