/*
 * The steps of a dispute after intake (cases/dispute.h): grade override,
 * assignment, mediation sessions, the outcome, follow-ups, reopening and
 * the escalation of overdue disputes.
 */
#include "cases/dispute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/dispute_internal.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "org/users.h"
#include "core/banned.h"

static const char *const step_labels[FQ_DISPUTE_STEP_COUNT] = {
    [FQ_DISPUTE_STEP_ASSIGN] = "指派",	    [FQ_DISPUTE_STEP_SESSION] = "记录调解",
    [FQ_DISPUTE_STEP_OUTCOME] = "登记结果", [FQ_DISPUTE_STEP_FOLLOW_UP] = "登记回访",
    [FQ_DISPUTE_STEP_REOPEN] = "重新启动",  [FQ_DISPUTE_STEP_OVERRIDE] = "调整等级",
};

/* What a step needs of the dispute. */
struct current {
	int state;
	int grade;
	int64_t created_at;
	int64_t version;
	char unit[FQ_UNIT_CODE_MAX];
	char unit_path[FQ_UNIT_PATH_MAX];
};

static int load(struct fq_dbc *c, const char *id, enum fq_dispute_step step, struct current *cur,
		struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT d.state, d.grade, d.created_at, d.version, d.unit_code, u.path"
			 " FROM dispute d JOIN unit u ON u.code = d.unit_code WHERE d.id = ?",
			 "t", id);

	memset(cur, 0, sizeof(*cur));
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		cur->state = fq_dispute_state_from_code(fq_stmt_text(st, 0));
		cur->grade = fq_dispute_grade_from_code(fq_stmt_text(st, 1));
		cur->created_at = fq_stmt_int(st, 2);
		cur->version = fq_stmt_int(st, 3);
		snprintf(cur->unit, sizeof(cur->unit), "%s", fq_stmt_text(st, 4));
		snprintf(cur->unit_path, sizeof(cur->unit_path), "%s", fq_stmt_text(st, 5));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "纠纷不存在");
	}
	fq_stmt_done(st);
	if (rc)
		return rc;
	if (cur->state < 0 || cur->grade < 0)
		return fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "纠纷记录已损坏");
	if (!fq_dispute_step_allowed(cur->state, step))
		return fq_err_set(err, FQ_ECONFLICT, "invalid_transition", "state",
				  "纠纷当前为“%s”，不能%s", fq_dispute_state_label(cur->state),
				  step_labels[step]);
	return 0;
}

/* Update guarded by the version read in load: a concurrent change is a conflict. */
static int guarded(int rc, int64_t changed, struct fq_err *err)
{
	if (rc)
		return rc;
	return changed ? 0
		       : fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				    "该纠纷已被他人更新，请刷新后重试");
}

/* ---- grade override ---- */

int fq_dispute_override_grade(struct fq_dbc *c, const char *id, const char *grade,
			      const char *reason, const char *actor_id, int64_t now_ms,
			      enum fq_dispute_grade *from, enum fq_dispute_grade *to,
			      struct fq_err *err)
{
	int64_t now = fq__dispute_now(now_ms), changed = 0;
	struct current cur;
	char text[FQ_DISPUTE_NOTE_MAX * 4 + 128];
	int g, rc;

	g = fq_dispute_grade_from_code(grade);
	if (g < 0)
		return grade ? fq_err_set(err, FQ_EINVAL, "invalid_value", "grade",
					  "等级应为 general、key 或 major")
			     : fq_err_set(err, FQ_EINVAL, "missing_field", "grade", "请给出等级");
	if ((rc = fq__dispute_check_text(reason, 1, FQ_DISPUTE_NOTE_MAX, "reason", err)) ||
	    (rc = load(c, id, FQ_DISPUTE_STEP_OVERRIDE, &cur, err)))
		return rc;
	if (g == cur.grade)
		return fq_err_set(err, FQ_ECONFLICT, "same_grade", "grade", "纠纷已是%s等级",
				  fq_dispute_grade_label(g));
	/* A reopened dispute's deadline runs from the reopening, kept as updated_at there. */
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE dispute SET grade = ?, grade_override_reason = ?,"
			" grade_overridden_by = ?,"
			" deadline_at = CASE WHEN state IN ('graded', 'assigned', 'mediating')"
			" THEN ? ELSE deadline_at END,"
			" updated_at = ?, updated_by = ?, version = version + 1"
			" WHERE id = ? AND version = ?",
			"tttiitti", fq_dispute_grade_code(g), reason, actor_id,
			fq_dispute_deadline(g, cur.created_at), now, actor_id, id, cur.version);
	if ((rc = guarded(rc, changed, err)))
		return rc;
	snprintf(text, sizeof(text), "等级由%s调整为%s，理由：%s",
		 fq_dispute_grade_label(cur.grade), fq_dispute_grade_label(g), reason);
	if ((rc = fq__dispute_event(c, id, now, actor_id, "grade_override", text, err)))
		return rc;
	if (from)
		*from = cur.grade;
	if (to)
		*to = g;
	return 0;
}

/* ---- assignment ---- */

static int check_officer(struct fq_dbc *c, const char *user_id, const char *station_path,
			 char name[FQ_DISPLAY_NAME_MAX * 4 + 1], struct fq_err *err)
{
	struct fq_user u;
	int rc;

	if (!fq_uuid_valid(user_id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "user_id",
				  "user_id 不是有效的用户编号");
	rc = fq_user_load(c, user_id, &u, err);
	if (rc == FQ_ENOTFOUND ||
	    (!rc && (u.disabled || !fq_scope_covers(station_path, u.unit_path))))
		return fq_err_set(err, FQ_EINVAL, "unknown_user", "user_id",
				  "user_id 应为本所的在岗人员");
	if (rc)
		return rc;
	if (!fq_roles_can(u.roles, FQ_ACT_DISPUTE_MANAGE))
		return fq_err_set(err, FQ_EINVAL, "user_cannot_act", "user_id",
				  "重点、重大纠纷须指派民警（能管理纠纷的角色）");
	snprintf(name, FQ_DISPLAY_NAME_MAX * 4 + 1, "%s", u.display_name);
	return 0;
}

int fq_dispute_assign(struct fq_dbc *c, const char *id, const char *user_id,
		      const char *const *departments, const char *actor_id, int64_t now_ms,
		      struct fq_err *err)
{
	int64_t now = fq__dispute_now(now_ms), changed = 0;
	char name[FQ_DISPLAY_NAME_MAX * 4 + 1] = "", text[512], *group = NULL;
	struct current cur;
	json_t *codes = json_array();
	size_t used;
	int rc, ndep = 0;

	if ((rc = load(c, id, FQ_DISPUTE_STEP_ASSIGN, &cur, err)))
		goto out;
	for (; departments && departments[ndep]; ndep++) {
		if (!fq_dispute_department_label(departments[ndep])) {
			rc = fq_err_set(err, FQ_EINVAL, "invalid_value", "departments",
					"部门应为 court、justice_office、township_government 或 "
					"village_committee");
			goto out;
		}
		json_array_append_new(codes, json_string(departments[ndep]));
	}
	if (!user_id && cur.grade != FQ_DISPUTE_GENERAL) {
		rc = fq_err_set(err, FQ_EINVAL, "missing_field", "user_id", "%s纠纷须指派负责民警",
				fq_dispute_grade_label(cur.grade));
		goto out;
	}
	if (!ndep && cur.grade == FQ_DISPUTE_MAJOR) {
		rc = fq_err_set(err, FQ_EINVAL, "missing_field", "departments",
				"重大纠纷须成立工作组：请至少选择一个联动部门");
		goto out;
	}
	if (user_id && (rc = check_officer(c, user_id, cur.unit_path, name, err)))
		goto out;
	group = ndep ? json_dumps(codes, JSON_COMPACT) : NULL;
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE dispute SET assigned_user_id = ?, working_group = ?,"
			" state = CASE WHEN state = 'graded' THEN 'assigned' ELSE state END,"
			" updated_at = ?, updated_by = ?, version = version + 1"
			" WHERE id = ? AND version = ?",
			"ttitti", user_id, group, now, actor_id, id, cur.version);
	if ((rc = guarded(rc, changed, err)))
		goto out;
	used = (size_t)snprintf(text, sizeof(text), "%s", name[0] ? "指派负责民警：" : "指派调解");
	if (name[0] && used < sizeof(text))
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s", name);
	for (int i = 0; i < ndep && used < sizeof(text); i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s",
					 i ? "、" : "；工作组：",
					 fq_dispute_department_label(departments[i]));
	rc = fq__dispute_event(c, id, now, actor_id, "assigned", text, err);
out:
	free(group);
	json_decref(codes);
	return rc;
}

/* ---- mediation sessions ---- */

static int check_names(json_t *arr, const char *field, struct fq_err *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "请填写 %s", field);
	if (json_array_size(arr) > FQ_DISPUTE_NAMES_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_many", field, "%s 最多 %d 人", field,
				  FQ_DISPUTE_NAMES_MAX);
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		if (!s || fq__dispute_blank(s) || fq_utf8_chars(s) > FQ_DISPUTE_NAME_MAX)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", field,
					  "%s 应为 1 到 %d 个字的姓名", field, FQ_DISPUTE_NAME_MAX);
	}
	return 0;
}

int fq_dispute_add_session(struct fq_dbc *c, const char *id, const struct fq_dispute_session_in *in,
			   char session_id[37], struct fq_err *err)
{
	int64_t now = fq__dispute_now(in->now_ms), changed = 0;
	char *mediators = NULL, *participants = NULL, text[FQ_DISPUTE_REF_MAX * 4 + 128];
	char when[FQ_RFC3339_MAX];
	struct current cur;
	int rc;

	if (in->held_at <= 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "held_at", "请填写调解时间");
	if (in->held_at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "in_future", "held_at",
				  "调解时间不能晚于当前时间");
	if ((rc = fq__dispute_check_text(in->place, 1, FQ_DISPUTE_REF_MAX, "place", err)) ||
	    (rc = check_names(in->mediators, "mediators", err)) ||
	    (rc = check_names(in->participants, "participants", err)) ||
	    (rc = fq__dispute_check_text(in->said, 1, FQ_DISPUTE_TEXT_MAX, "said", err)) ||
	    (rc = fq__dispute_check_text(in->agreed, 0, FQ_DISPUTE_TEXT_MAX, "agreed", err)) ||
	    (rc = load(c, id, FQ_DISPUTE_STEP_SESSION, &cur, err)))
		return rc;
	mediators = json_dumps(in->mediators, JSON_COMPACT);
	participants = json_dumps(in->participants, JSON_COMPACT);
	fq_uuid7_str(session_id);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO mediation_session (id, dispute_id, seq, held_at, place,"
			" mediators, participants, said, agreed, created_at, created_by)"
			" VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM mediation_session"
			" WHERE dispute_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)",
			"tttitttttit", session_id, id, id, in->held_at, in->place, mediators,
			participants, in->said, fq__dispute_blank(in->agreed) ? NULL : in->agreed,
			now, in->actor_id);
	if (rc)
		goto out;
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE dispute SET state = 'mediating', session_count = session_count + 1,"
			" updated_at = ?, updated_by = ?, version = version + 1"
			" WHERE id = ? AND version = ?",
			"itti", now, in->actor_id, id, cur.version);
	if ((rc = guarded(rc, changed, err)))
		goto out;
	fq_time_format_cst(in->held_at, when);
	when[16] = '\0';
	when[10] = ' ';
	snprintf(text, sizeof(text), "%s 在%s调解", when, in->place);
	rc = fq__dispute_event(c, id, now, in->actor_id, "session", text, err);
out:
	free(mediators);
	free(participants);
	return rc;
}

/* ---- outcome ---- */

static const char *const outcome_labels[][2] = {
    {"resolved_agreement", "调解成功，达成调解协议"},
    {"resolved", "已化解（未签协议）"},
    {"referred", "已移送"},
    {"failed", "调解未成"},
};

static const char *outcome_label(const char *code)
{
	for (size_t i = 0; code && i < sizeof(outcome_labels) / sizeof(outcome_labels[0]); i++)
		if (strcmp(outcome_labels[i][0], code) == 0)
			return outcome_labels[i][1];
	return NULL;
}

static int check_outcome(const struct fq_dispute_outcome_in *in, int *resolution,
			 struct fq_err *err)
{
	int rc;

	if (!in->outcome)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "outcome", "请给出调处结果");
	if (!outcome_label(in->outcome))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "outcome",
				  "结果应为 resolved_agreement、resolved、referred 或 failed");
	*resolution =
	    strcmp(in->outcome, "resolved_agreement") == 0 || strcmp(in->outcome, "resolved") == 0;
	if (strcmp(in->outcome, "resolved_agreement") == 0 &&
	    (rc = fq__dispute_check_text(in->terms, 1, FQ_DISPUTE_TEXT_MAX, "terms", err)))
		return rc;
	if (strcmp(in->outcome, "resolved_agreement") != 0 && in->terms)
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "terms",
				  "只有达成协议（resolved_agreement）时才填写协议条款");
	if (strcmp(in->outcome, "referred") == 0) {
		if (!in->referred_kind)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "referred_kind",
					  "请选择移送去向：court、arbitration 或 department");
		if (strcmp(in->referred_kind, "court") != 0 &&
		    strcmp(in->referred_kind, "arbitration") != 0 &&
		    strcmp(in->referred_kind, "department") != 0)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "referred_kind",
					  "移送去向应为 court、arbitration 或 department");
		if ((rc = fq__dispute_check_text(in->referred_to, 1, FQ_DISPUTE_REF_MAX,
						 "referred_to", err)))
			return rc;
	} else if (in->referred_kind || in->referred_to) {
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields",
				  in->referred_kind ? "referred_kind" : "referred_to",
				  "只有移送（referred）时才填写移送去向");
	}
	if ((rc = fq__dispute_check_text(in->note, strcmp(in->outcome, "failed") == 0,
					 FQ_DISPUTE_NOTE_MAX, "note", err)))
		return rc;
	if (in->follow_up_days && !*resolution)
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "follow_up_days",
				  "只有化解的纠纷才安排回访");
	if (in->follow_up_days &&
	    (in->nfollow_up_days < 1 || in->nfollow_up_days > FQ_DISPUTE_FOLLOW_UPS_MAX))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "follow_up_days",
				  "回访安排应为 1 到 %d 个天数", FQ_DISPUTE_FOLLOW_UPS_MAX);
	for (int i = 0; in->follow_up_days && i < in->nfollow_up_days; i++)
		if (in->follow_up_days[i] < 1 ||
		    in->follow_up_days[i] > FQ_DISPUTE_FOLLOW_UP_DAYS_MAX)
			return fq_err_set(err, FQ_EINVAL, "invalid_value", "follow_up_days",
					  "回访天数应在 1 到 %d 之间",
					  FQ_DISPUTE_FOLLOW_UP_DAYS_MAX);
	return 0;
}

static int schedule_follow_ups(struct fq_dbc *c, const char *id,
			       const struct fq_dispute_outcome_in *in, int64_t now,
			       struct fq_err *err)
{
	static const int64_t defaults[] = FQ_DISPUTE_FOLLOW_UP_DEFAULT;
	const int64_t *days = in->follow_up_days ? in->follow_up_days : defaults;
	int n = in->follow_up_days ? in->nfollow_up_days
				   : (int)(sizeof(defaults) / sizeof(defaults[0]));

	for (int i = 0; i < n; i++) {
		char fid[FQ_UUID_STR];
		int rc;
		fq_uuid7_str(fid);
		rc = fq_dbc_run(c, err, NULL,
				"INSERT INTO dispute_follow_up (id, dispute_id, due_at, state)"
				" VALUES (?, ?, ?, 'pending')",
				"tti", fid, id, now + days[i] * 86400000LL);
		if (rc)
			return rc;
	}
	return 0;
}

int fq_dispute_record_outcome(struct fq_dbc *c, const char *id,
			      const struct fq_dispute_outcome_in *in, struct fq_err *err)
{
	int64_t now = fq__dispute_now(in->now_ms), changed = 0;
	char text[FQ_DISPUTE_REF_MAX * 4 + 128];
	struct current cur;
	int resolution = 0, rc;

	if ((rc = check_outcome(in, &resolution, err)) ||
	    (rc = load(c, id, FQ_DISPUTE_STEP_OUTCOME, &cur, err)))
		return rc;
	rc = fq_dbc_run(
	    c, err, &changed,
	    "UPDATE dispute SET state = ?, outcome = ?, outcome_at = ?,"
	    " outcome_note = ?, agreement_terms = ?, referred_kind = ?, referred_to = ?,"
	    " resolved_at = CASE WHEN ? = 1 THEN ? ELSE resolved_at END,"
	    " updated_at = ?, updated_by = ?, version = version + 1"
	    " WHERE id = ? AND version = ?",
	    "ttittttiiitti", in->outcome, in->outcome, now,
	    fq__dispute_blank(in->note) ? NULL : in->note, in->terms, in->referred_kind,
	    in->referred_to, (int64_t)resolution, now, now, in->actor_id, id, cur.version);
	if ((rc = guarded(rc, changed, err)))
		return rc;
	if (resolution && (rc = schedule_follow_ups(c, id, in, now, err)))
		return rc;
	if (in->referred_to)
		snprintf(text, sizeof(text), "%s：%s", outcome_label(in->outcome), in->referred_to);
	else
		snprintf(text, sizeof(text), "%s", outcome_label(in->outcome));
	return fq__dispute_event(c, id, now, in->actor_id, "outcome", text, err);
}

/* ---- follow-ups and reopening ---- */

static int reopen(struct fq_dbc *c, const char *id, const struct current *cur, const char *why,
		  const char *actor_id, int64_t now, enum fq_dispute_grade *to, struct fq_err *err)
{
	enum fq_dispute_grade g = fq_dispute_grade_raise(cur->grade);
	char text[FQ_DISPUTE_NOTE_MAX * 4 + 160];
	int64_t changed = 0;
	int rc;

	rc = fq_dbc_run(c, err, &changed,
			"UPDATE dispute SET state = 'reopened', grade = ?, outcome = NULL,"
			" outcome_at = NULL, outcome_note = NULL, referred_kind = NULL,"
			" referred_to = NULL, reopened_count = reopened_count + 1,"
			" deadline_at = ?, updated_at = ?, updated_by = ?, version = version + 1"
			" WHERE id = ? AND version = ?",
			"tiitti", fq_dispute_grade_code(g), fq_dispute_deadline(g, now), now,
			actor_id, id, cur->version);
	if ((rc = guarded(rc, changed, err)))
		return rc;
	if ((rc = fq_dbc_run(c, err, NULL,
			     "UPDATE dispute_follow_up SET state = 'cancelled'"
			     " WHERE dispute_id = ? AND state = 'pending'",
			     "t", id)))
		return rc;
	snprintf(text, sizeof(text), "矛盾反弹，重新启动调处，等级由%s升为%s：%s",
		 fq_dispute_grade_label(cur->grade), fq_dispute_grade_label(g), why);
	*to = g;
	return fq__dispute_event(c, id, now, actor_id, "reopened", text, err);
}

int fq_dispute_reopen(struct fq_dbc *c, const char *id, const char *reason, const char *actor_id,
		      int64_t now_ms, enum fq_dispute_grade *from_grade,
		      enum fq_dispute_grade *to_grade, struct fq_err *err)
{
	enum fq_dispute_grade to;
	struct current cur;
	int rc;

	if ((rc = fq__dispute_check_text(reason, 1, FQ_DISPUTE_NOTE_MAX, "reason", err)) ||
	    (rc = load(c, id, FQ_DISPUTE_STEP_REOPEN, &cur, err)) ||
	    (rc = reopen(c, id, &cur, reason, actor_id, fq__dispute_now(now_ms), &to, err)))
		return rc;
	if (from_grade)
		*from_grade = cur.grade;
	if (to_grade)
		*to_grade = to;
	return 0;
}

/* The follow-up to record: the one named (pending, of this dispute) or the earliest pending. */
static int pick_follow_up(struct fq_dbc *c, const char *id, const char *fid, char out[37],
			  struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT id FROM dispute_follow_up WHERE dispute_id = ?"
			      " AND state = 'pending' AND (? IS NULL OR id = ?)"
			      " ORDER BY due_at, id LIMIT 1",
			      "ttt", id, fid, fid);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		snprintf(out, 37, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE)
		return fid ? fq_err_set(err, FQ_EINVAL, "unknown_follow_up", "follow_up_id",
					"该回访不存在或已完成")
			   : fq_err_set(err, FQ_ECONFLICT, "no_follow_up", NULL,
					"该纠纷没有待办的回访");
	return rc < 0 ? rc : 0;
}

int fq_dispute_record_follow_up(struct fq_dbc *c, const char *id,
				const struct fq_dispute_follow_up_in *in, int *reopened,
				enum fq_dispute_grade *from_grade, enum fq_dispute_grade *to_grade,
				struct fq_err *err)
{
	int64_t now = fq__dispute_now(in->now_ms), pending = 0, changed = 0;
	char fid[37], text[FQ_DISPUTE_NOTE_MAX * 4 + 64];
	struct current cur;
	enum fq_dispute_grade to;
	int rc;

	if (reopened)
		*reopened = 0;
	if (!in->method)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "method",
				  "请选择回访方式：phone 或 visit");
	if (strcmp(in->method, "phone") != 0 && strcmp(in->method, "visit") != 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "method",
				  "回访方式应为 phone 或 visit");
	if ((rc = fq__dispute_check_text(in->result, 1, FQ_DISPUTE_NOTE_MAX, "result", err)) ||
	    (rc = load(c, id, FQ_DISPUTE_STEP_FOLLOW_UP, &cur, err)) ||
	    (rc = pick_follow_up(c, id, in->follow_up_id, fid, err)))
		return rc;
	rc = fq_dbc_run(c, err, NULL,
			"UPDATE dispute_follow_up SET state = 'done', done_at = ?, method = ?,"
			" result = ?, flare_up = ?, done_by = ? WHERE id = ?",
			"ittitt", now, in->method, in->result, (int64_t)(in->flare_up != 0),
			in->actor_id, fid);
	if (rc)
		return rc;
	snprintf(text, sizeof(text), "%s回访：%s",
		 strcmp(in->method, "phone") == 0 ? "电话" : "上门", in->result);
	if ((rc = fq__dispute_event(c, id, now, in->actor_id, "follow_up", text, err)))
		return rc;
	if (in->flare_up) {
		if ((rc = reopen(c, id, &cur, in->result, in->actor_id, now, &to, err)))
			return rc;
		if (reopened)
			*reopened = 1;
		if (from_grade)
			*from_grade = cur.grade;
		if (to_grade)
			*to_grade = to;
		return 0;
	}
	if ((rc = fq_dbc_count(c, err, &pending,
			       "SELECT COUNT(*) FROM dispute_follow_up WHERE dispute_id = ?"
			       " AND state = 'pending'",
			       "t", id)))
		return rc;
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE dispute SET state = ?, updated_at = ?, updated_by = ?,"
			" version = version + 1 WHERE id = ? AND version = ?",
			"titti", pending ? "following_up" : "closed", now, in->actor_id, id,
			cur.version);
	if ((rc = guarded(rc, changed, err)))
		return rc;
	if (!pending)
		rc = fq__dispute_event(c, id, now, in->actor_id, "closed",
				       "回访完毕，矛盾未反弹，纠纷办结", err);
	if (from_grade)
		*from_grade = cur.grade;
	if (to_grade)
		*to_grade = cur.grade;
	return rc;
}

/* ---- escalation ---- */

struct overdue_dispute {
	char id[37];
	char number[FQ_NUMBER_MAX];
	char unit[FQ_UNIT_CODE_MAX];
	int64_t deadline_at;
};

static int find_overdue(struct fq_dbc *c, int64_t now, struct overdue_dispute *out, int *n,
			struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT id, number, unit_code, deadline_at FROM dispute"
			      " WHERE escalated_at IS NULL"
			      " AND state IN ('graded', 'assigned', 'mediating', 'reopened')"
			      " AND deadline_at < ? ORDER BY deadline_at, id LIMIT ?",
			      "ii", now, (int64_t)FQ_DISPUTE_ESCALATE_BATCH);

	*n = 0;
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && *n < FQ_DISPUTE_ESCALATE_BATCH) {
		struct overdue_dispute *d = &out[(*n)++];
		snprintf(d->id, sizeof(d->id), "%s", fq_stmt_text(st, 0));
		snprintf(d->number, sizeof(d->number), "%s", fq_stmt_text(st, 1));
		snprintf(d->unit, sizeof(d->unit), "%s", fq_stmt_text(st, 2));
		d->deadline_at = fq_stmt_int(st, 3);
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

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

static int escalate_one(struct fq_dbc *c, const struct overdue_dispute *d, int64_t now,
			char chief[37], struct fq_dispute_escalation *e, int *done,
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
			"UPDATE dispute SET escalated_at = ?, escalated_to = ?"
			" WHERE id = ? AND escalated_at IS NULL",
			"itt", now, chief[0] ? chief : NULL, d->id);
	if (rc || !changed)
		return rc;
	fq_time_format_cst(d->deadline_at, deadline);
	deadline[10] = ' ';
	deadline[16] = '\0';
	if (chief[0])
		snprintf(text, sizeof(text), "逾期未化解（期限 %s），已报告所长%s", deadline,
			 chief_name);
	else
		snprintf(text, sizeof(text), "逾期未化解（期限 %s），本所未设所长账号", deadline);
	if ((rc = fq__dispute_event(c, d->id, now, NULL, "escalation", text, err)))
		return rc;
	e->dispute_id = d->id;
	e->number = d->number;
	e->unit_code = d->unit;
	e->chief_id = chief[0] ? chief : NULL;
	e->deadline_at = d->deadline_at;
	e->at = now;
	*done = 1;
	return 0;
}

int fq_dispute_escalate_due(struct fq_dbc *c, int64_t now_ms,
			    int (*on_escalated)(void *arg, struct fq_dbc *c,
						const struct fq_dispute_escalation *e,
						struct fq_err *err),
			    void *arg, int *escalated, struct fq_err *err)
{
	struct overdue_dispute *due = fq_xcalloc(FQ_DISPUTE_ESCALATE_BATCH, sizeof(*due));
	int64_t now = fq__dispute_now(now_ms);
	int n = 0, count = 0, rc;

	if ((rc = find_overdue(c, now, due, &n, err)))
		goto out_free;
	for (int i = 0; i < n; i++) {
		struct fq_dispute_escalation e;
		char chief[37];
		int done;
		if ((rc = escalate_one(c, &due[i], now, chief, &e, &done, err)))
			goto out_free;
		if (!done)
			continue;
		if (on_escalated && (rc = on_escalated(arg, c, &e, err)))
			goto out_free;
		count++;
	}
out_free:
	free(due);
	if (escalated)
		*escalated = rc ? 0 : count;
	return rc;
}

int fq_dispute_escalate_overdue(struct fq_dbc *c, int64_t now_ms,
				int (*on_escalated)(void *arg, struct fq_dbc *c,
						    const struct fq_dispute_escalation *e,
						    struct fq_err *err),
				void *arg, int *escalated, struct fq_err *err)
{
	int count = 0, rc;

	if (escalated)
		*escalated = 0;
	if ((rc = fq_dbc_begin(c, 1, err)))
		return rc;
	if ((rc = fq_dispute_escalate_due(c, now_ms, on_escalated, arg, &count, err)) ||
	    (rc = fq_dbc_commit(c, err))) {
		fq_dbc_rollback(c);
		return rc;
	}
	if (escalated)
		*escalated = count;
	return 0;
}
