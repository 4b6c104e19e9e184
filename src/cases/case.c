#include "cases/case.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case_util.h"
#include "cases/linkage.h"
#include "core/alloc.h"
#include "core/idnum.h"
#include "core/json.h"
#include "core/phone.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "org/users.h"
#include "core/banned.h"

#define DAY_MS	(24LL * 3600 * 1000)
#define HOUR_MS (3600LL * 1000)

/*
 * The case types a station meets (docs/cases.md). station_handles 0 marks
 * "两不办": criminal cases (入户盗窃 and 扒窃 are crimes whatever the amount,
 * 刑法 art. 264; telecom fraud), gambling, drugs and vice go to the unit
 * named; the rest are public-order cases (治安管理处罚法) the station's case
 * team handles.
 */
const struct fq_case_type fq_case_types[] = {
    {"ebike_theft", "盗窃电动车", "theft", 1, NULL, "治安管理处罚法第58条"},
    {"bicycle_theft", "盗窃自行车", "theft", 1, NULL, "治安管理处罚法第58条"},
    {"petty_theft", "盗窃（数额较小）", "theft", 1, NULL, "治安管理处罚法第58条"},
    {"burglary", "入室盗窃", "theft", 0, "criminal_investigation", "刑法第264条（入户盗窃）"},
    {"pickpocketing", "扒窃", "theft", 0, "criminal_investigation", "刑法第264条（扒窃）"},
    {"fraud", "诈骗（数额较小）", "fraud", 1, NULL, "治安管理处罚法第58条"},
    {"telecom_fraud", "电信网络诈骗", "fraud", 0, "anti_fraud", "刑法第266条"},
    {"property_damage", "故意损毁财物", "damage", 1, NULL, "治安管理处罚法第59条"},
    {"assault", "殴打他人", "violence", 1, NULL, "治安管理处罚法第51条"},
    {"minor_injury", "故意伤害（轻微伤）", "violence", 1, NULL, "治安管理处罚法第51条"},
    {"provocation", "寻衅滋事", "order", 1, NULL, "治安管理处罚法第30条"},
    {"gambling", "赌博", "vice", 0, "public_order", "治安管理处罚法第82条"},
    {"drug_use", "吸毒", "vice", 0, "drug", "治安管理处罚法第84条"},
    {"prostitution", "卖淫嫖娼", "vice", 0, "public_order", "治安管理处罚法第80条"},
    {NULL, NULL, NULL, 0, NULL, NULL},
};

static const struct {
	const char *code;
	const char *label;
} groups[] = {
    {"theft", "盗窃类"},    {"fraud", "诈骗类"}, {"damage", "损毁类"},
    {"violence", "伤害类"}, {"order", "扰序类"}, {"vice", "黄赌毒类"},
};

const struct fq_case_type *fq_case_type_find(const char *code)
{
	for (int i = 0; code && fq_case_types[i].code; i++)
		if (strcmp(fq_case_types[i].code, code) == 0)
			return &fq_case_types[i];
	return NULL;
}

const char *fq_case_group_label(const char *group)
{
	for (size_t i = 0; group && i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].code, group) == 0)
			return groups[i].label;
	return "?";
}

static const struct {
	const char *code;
	const char *label;
} states[FQ_CASE_STATE_COUNT] = {
    [FQ_CASE_ACCEPTED] = {"accepted", "已受理"},
    [FQ_CASE_INVESTIGATING] = {"investigating", "办理中"},
    [FQ_CASE_SOLVED] = {"solved", "已破案"},
    [FQ_CASE_CLOSED] = {"closed", "已结案"},
    [FQ_CASE_TRANSFERRED] = {"transferred", "已移交"},
    [FQ_CASE_REOPENED] = {"reopened", "已重启"},
};

static const char *const steps[FQ_CASE_STEP_COUNT] = {
    [FQ_CASE_INVESTIGATE] = "investigate", [FQ_CASE_SOLVE] = "solve",	[FQ_CASE_CLOSE] = "close",
    [FQ_CASE_TRANSFER] = "transfer",	   [FQ_CASE_REOPEN] = "reopen",
};

const char *fq_case_state_code(enum fq_case_state s)
{
	return (unsigned)s < FQ_CASE_STATE_COUNT ? states[s].code : NULL;
}

const char *fq_case_state_label(enum fq_case_state s)
{
	return (unsigned)s < FQ_CASE_STATE_COUNT ? states[s].label : NULL;
}

const char *fq_case_step_code(enum fq_case_step s)
{
	return (unsigned)s < FQ_CASE_STEP_COUNT ? steps[s] : NULL;
}

int fq_case_state_from_code(const char *code)
{
	for (int i = 0; code && i < FQ_CASE_STATE_COUNT; i++)
		if (strcmp(states[i].code, code) == 0)
			return i;
	return -1;
}

int fq_case_step_from_code(const char *code)
{
	for (int i = 0; code && i < FQ_CASE_STEP_COUNT; i++)
		if (strcmp(steps[i], code) == 0)
			return i;
	return -1;
}

int fq_case_step_target(enum fq_case_state from, enum fq_case_step step)
{
	int open =
	    from == FQ_CASE_ACCEPTED || from == FQ_CASE_INVESTIGATING || from == FQ_CASE_REOPENED;

	switch (step) {
	case FQ_CASE_INVESTIGATE:
		return from == FQ_CASE_ACCEPTED || from == FQ_CASE_REOPENED ? FQ_CASE_INVESTIGATING
									    : -1;
	case FQ_CASE_SOLVE:
		return from == FQ_CASE_INVESTIGATING ? FQ_CASE_SOLVED : -1;
	case FQ_CASE_CLOSE:
		return open || from == FQ_CASE_TRANSFERRED ? FQ_CASE_CLOSED : -1;
	case FQ_CASE_TRANSFER:
		return open ? FQ_CASE_TRANSFERRED : -1;
	case FQ_CASE_REOPEN:
		return from == FQ_CASE_SOLVED || from == FQ_CASE_CLOSED ? FQ_CASE_REOPENED : -1;
	default:
		return -1;
	}
}

/* ---- deadlines ---- */

void fq_case_deadlines_default(struct fq_case_deadlines *d)
{
	d->decide_ms = 3 * DAY_MS;
	d->conclude_ms = 30 * DAY_MS;
	d->extend_ms = 30 * DAY_MS;
	d->transfer_ms = 3 * DAY_MS;
}

static struct fq_case_deadlines deadlines;
static pthread_once_t deadlines_once = PTHREAD_ONCE_INIT;

static void env_override(const char *name, int64_t unit_ms, int64_t *out)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return;
	v = strtol(s, &end, 10);
	if (*end == '\0' && v > 0 && v < 100000)
		*out = v * unit_ms;
}

static void load_deadlines(void)
{
	fq_case_deadlines_default(&deadlines);
	env_override("FQ_CASE_DECIDE_HOURS", HOUR_MS, &deadlines.decide_ms);
	env_override("FQ_CASE_CONCLUDE_DAYS", DAY_MS, &deadlines.conclude_ms);
	env_override("FQ_CASE_EXTEND_DAYS", DAY_MS, &deadlines.extend_ms);
	env_override("FQ_CASE_TRANSFER_HOURS", HOUR_MS, &deadlines.transfer_ms);
}

const struct fq_case_deadlines *fq_case_deadlines(void)
{
	pthread_once(&deadlines_once, load_deadlines);
	return &deadlines;
}

int fq_case_step_overdue(int64_t due_at, int64_t done_at, int64_t now_ms)
{
	return done_at == 0 && due_at < now_ms;
}

int fq_case_yuan_to_fen(double yuan, const char *field, int64_t *fen, struct fq_err *err)
{
	double f = yuan * 100.0, r = round(f);

	if (!isfinite(yuan) || yuan < 0 || r > (double)FQ_CASE_VALUE_MAX_FEN)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", field,
				  "%s 应为 0 至 10 亿元之间的金额", field);
	if (fabs(f - r) > 1e-6 * (fabs(f) > 1 ? fabs(f) : 1))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", field,
				  "%s 最多保留两位小数（分）", field);
	*fen = (int64_t)r;
	return 0;
}

/* ---- creating ---- */

struct case_incident {
	char unit[FQ_UNIT_CODE_MAX];
	char path[FQ_UNIT_PATH_MAX];
	char grid[FQ_UNIT_CODE_MAX];
	char address[1024];
	int has_location;
	double lat, lon;
};

static int load_incident(struct fq_dbc *c, const char *id, const char *scope_path,
			 struct case_incident *out, struct fq_err *err)
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
		snprintf(out->unit, sizeof(out->unit), "%s", fq_stmt_text(st, 0));
		snprintf(out->path, sizeof(out->path), "%s", fq_stmt_text(st, 1));
		if (!fq_stmt_is_null(st, 2))
			snprintf(out->grid, sizeof(out->grid), "%s", fq_stmt_text(st, 2));
		if (!fq_stmt_is_null(st, 3))
			snprintf(out->address, sizeof(out->address), "%s", fq_stmt_text(st, 3));
		if (!fq_stmt_is_null(st, 4)) {
			out->has_location = 1;
			out->lat = fq_stmt_double(st, 4);
			out->lon = fq_stmt_double(st, 5);
		}
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, out->path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_incident", "incident_id",
				  "警情事件不存在或不在您的辖区");
	return rc;
}

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
				  "您所在单位不是派出所：请用 unit 指明受理案件的派出所");
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
		  : fq_err_set(err, FQ_EINVAL, "unknown_grid", "grid",
			       "grid 应为受理派出所辖区内的网格代码");
}

static int check_officer(struct fq_dbc *c, const char *id, const char *station_path,
			 const char *field, struct fq_err *err)
{
	struct fq_user u;
	int rc;

	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", field, "%s 不是有效的用户编号",
				  field);
	rc = fq_user_load(c, id, &u, err);
	if (rc == FQ_ENOTFOUND ||
	    (!rc && (u.disabled || !fq_scope_covers(station_path, u.unit_path))))
		return fq_err_set(err, FQ_EINVAL, "unknown_user", field,
				  "%s 应为受理派出所的在岗民警", field);
	if (rc)
		return rc;
	if (!fq_roles_can(u.roles, FQ_ACT_CASE_MANAGE))
		return fq_err_set(err, FQ_EINVAL, "user_cannot_act", field,
				  "该用户的角色不能办理案件");
	return 0;
}

static int check_party(const struct fq_case_party_in *p, int i, struct fq_phone *phone,
		       struct fq_idnum *idn, int64_t now, struct fq_err *err)
{
	char field[FQ_ERR_FIELD_MAX];
	int rc;

	phone->number[0] = '\0';
	idn->number[0] = '\0';
#define FIELD(name)                                                                                \
	(i >= 0 ? (snprintf(field, sizeof(field), "parties[%d].%s", i, name), field) : name)
	if (!p->role || (strcmp(p->role, "victim") != 0 && strcmp(p->role, "suspect") != 0 &&
			 strcmp(p->role, "witness") != 0))
		return fq_err_set(err, FQ_EINVAL, p->role ? "invalid_value" : "missing_field",
				  FIELD("role"), "当事人身份应为 victim、suspect 或 witness");
	if ((rc = fq_case_check_required(p->name, FQ_CASE_NAME_MAX, FIELD("name"), err)) ||
	    (rc = fq_case_check_len(p->description, FQ_CASE_ITEM_MAX, FIELD("description"), err)))
		return rc;
	if (p->phone && *p->phone && fq_phone_normalize(p->phone, phone, err) != 0) {
		snprintf(err->field, sizeof(err->field), "%s", FIELD("phone"));
		return FQ_EINVAL;
	}
	if (p->id_number && *p->id_number &&
	    (rc = fq_idnum_parse(p->id_number, FIELD("id_number"), now, idn, err)))
		return rc;
#undef FIELD
	return 0;
}

static int check_item(const struct fq_case_item_in *it, const char *list, int i, struct fq_err *err)
{
	char field[FQ_ERR_FIELD_MAX];

	snprintf(field, sizeof(field), "%s[%d].description", list, i);
	if (i < 0)
		snprintf(field, sizeof(field), "description");
	return fq_case_check_required(it->description, FQ_CASE_ITEM_MAX, field, err);
}

static int insert_party(struct fq_dbc *c, const char *case_id, const struct fq_case_party_in *p,
			const struct fq_phone *phone, const struct fq_idnum *idn,
			struct fq_err *err)
{
	char pid[37];

	fq_uuid7_str(pid);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO case_party (id, case_id, seq, role, name, phone, id_number,"
			  " description) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM"
			  " case_party WHERE case_id = ?), ?, ?, ?, ?, ?)",
			  "tttttttt", pid, case_id, case_id, p->role, p->name,
			  phone->number[0] ? phone->number : NULL,
			  idn->number[0] ? idn->number : NULL, p->description);
}

static int insert_item(struct fq_dbc *c, const char *case_id, const char *kind,
		       const struct fq_case_item_in *it, const char *actor, int64_t now,
		       struct fq_err *err)
{
	char iid[37];

	fq_uuid7_str(iid);
	return fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO case_property (id, case_id, seq, kind, description, value_fen,"
	    " at, created_at, created_by) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0)"
	    " + 1 FROM case_property WHERE case_id = ?), ?, ?, ?, ?, ?, ?)",
	    "tttttiIit", iid, case_id, case_id, kind, it->description, it->value_fen,
	    strcmp(kind, "recovered") == 0 ? (it->at ? it->at : now) : INT64_MIN, now, actor);
}

static int insert_evidence(struct fq_dbc *c, const char *case_id, const char *text,
			   const char *actor, int64_t now, struct fq_err *err)
{
	char eid[37];

	fq_uuid7_str(eid);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO case_evidence (id, case_id, seq, description, collected_at,"
			  " created_by) VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM"
			  " case_evidence WHERE case_id = ?), ?, ?, ?)",
			  "ttttit", eid, case_id, case_id, text, now, actor);
}

/*
 * Recompute the derived columns from the child rows: sums of money and the
 * normalised property and suspect descriptions used by linkage.
 */
static int collect(struct fq_dbc *c, const char *sql, const char *id, struct fq_buf *b,
		   struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, sql, "t", id);

	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		if (fq_buf_adds(b, fq_stmt_text(st, 0)) || fq_buf_addch(b, ' ')) {
			rc = fq_err_set(err, FQ_ETOOBIG, "too_long", NULL, "案件描述过长");
			break;
		}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int refresh_derived(struct fq_dbc *c, const char *id, struct fq_err *err)
{
	struct fq_buf prop, susp;
	char *pn = NULL, *sn = NULL;
	int rc;

	fq_buf_init(&prop, 64 * 1024);
	fq_buf_init(&susp, 64 * 1024);
	rc = collect(c,
		     "SELECT description FROM case_property WHERE case_id = ? AND kind = 'lost'"
		     " ORDER BY seq",
		     id, &prop, err);
	if (!rc)
		rc = collect(c,
			     "SELECT COALESCE(description, '') FROM case_party"
			     " WHERE case_id = ? AND role = 'suspect' ORDER BY seq",
			     id, &susp, err);
	if (!rc)
		rc = fq_case_normalize(prop.buf, prop.len, &pn, err);
	if (!rc)
		rc = fq_case_normalize(susp.buf, susp.len, &sn, err);
	if (!rc)
		rc = fq_dbc_run(
		    c, err, NULL,
		    "UPDATE case_file SET property_norm = ?, suspect_norm = ?, property_sig = ?,"
		    " suspect_sig = ?,"
		    " lost_fen = (SELECT COALESCE(SUM(value_fen), 0) FROM case_property"
		    "  WHERE case_id = ? AND kind = 'lost'),"
		    " recovered_fen = (SELECT COALESCE(SUM(value_fen), 0) FROM case_property"
		    "  WHERE case_id = ? AND kind = 'recovered') WHERE id = ?",
		    "ttiittt", pn, sn, fq_linkage_signature(pn), fq_linkage_signature(sn), id, id,
		    id);
	free(pn);
	free(sn);
	fq_buf_release(&prop);
	fq_buf_release(&susp);
	return rc;
}

static int insert_steps(struct fq_dbc *c, const char *id, const struct fq_case_type *t,
			int64_t from, int decide, struct fq_err *err)
{
	const struct fq_case_deadlines *d = fq_case_deadlines();
	int rc = 0;

	if (decide)
		rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO case_step (case_id, step, due_at) VALUES (?, 'decide', ?)", "ti",
		    id, from + d->decide_ms);
	if (!rc)
		rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO case_step (case_id, step, due_at) VALUES (?, ?, ?)"
		    " ON CONFLICT (case_id, step) DO UPDATE SET due_at = excluded.due_at,"
		    " done_at = NULL, extended = 0, escalated_at = NULL,"
		    " escalated_to = NULL",
		    "tti", id, t->station_handles ? "conclude" : "transfer",
		    from + (t->station_handles ? d->conclude_ms : d->transfer_ms));
	return rc;
}

/* The earliest deadline of the steps not done, kept on the case for lists and filters. */
static int refresh_due(struct fq_dbc *c, const char *id, struct fq_err *err)
{
	return fq_dbc_run(c, err, NULL,
			  "UPDATE case_file SET next_due_at = (SELECT MIN(due_at) FROM case_step"
			  " WHERE case_id = ? AND done_at IS NULL) WHERE id = ?",
			  "tt", id, id);
}

int fq_case_event(struct fq_dbc *c, const char *case_id, int64_t at, const char *by,
		  const char *kind, const char *text, struct fq_err *err)
{
	char eid[37];

	fq_uuid7_str(eid);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO case_event (id, case_id, at, by_user, kind, text)"
			  " VALUES (?, ?, ?, ?, ?, ?)",
			  "ttittt", eid, case_id, at, by, kind, text);
}

int fq_case_create(struct fq_dbc *c, const struct fq_case_new *in, char id[37],
		   char number[FQ_NUMBER_MAX], struct fq_err *err)
{
	const struct fq_case_type *t = fq_case_type_find(in->type);
	struct case_incident inc;
	char station[FQ_UNIT_CODE_MAX], station_path[FQ_UNIT_PATH_MAX];
	const char *grid = in->grid, *address = in->address;
	int64_t now = fq_case_now(in->now_ms), occurred = in->occurred_at ? in->occurred_at : now;
	int has_loc = in->has_location;
	double lat = in->lat, lon = in->lon;
	char *method_norm = NULL;
	int rc;

	if (!t)
		return fq_err_set(err, FQ_EINVAL, in->type ? "invalid_value" : "missing_field",
				  "type", "请选择案件类别（见 GET /api/v1/case-types）");
	if ((rc = fq_case_check_required(in->title, FQ_CASE_TITLE_MAX, "title", err)) ||
	    (rc = fq_case_check_required(in->description, FQ_CASE_TEXT_MAX, "description", err)) ||
	    (rc = fq_case_check_len(in->method, FQ_CASE_TEXT_MAX, "method", err)) ||
	    (rc = fq_case_check_len(in->address, FQ_CASE_ITEM_MAX, "address", err)))
		return rc;
	if (occurred > now + 5 * 60 * 1000 || occurred < now - 3650 * DAY_MS)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "occurred_at",
				  "发案时间不能晚于现在，也不能早于十年前");
	if (in->incident_id) {
		if ((rc = load_incident(c, in->incident_id, in->scope_path, &inc, err)))
			return rc;
		snprintf(station, sizeof(station), "%s", inc.unit);
		snprintf(station_path, sizeof(station_path), "%s", inc.path);
		if (!grid && inc.grid[0])
			grid = inc.grid;
		if (!address && inc.address[0])
			address = inc.address;
		if (!has_loc && inc.has_location) {
			has_loc = 1;
			lat = inc.lat;
			lon = inc.lon;
		}
	} else if ((rc = station_of(c, in->unit ? in->unit : in->actor_unit, in->unit != NULL,
				    in->scope_path, station, station_path, err))) {
		return rc;
	}
	if (grid && (rc = check_grid(c, grid, station_path, err)))
		return rc;
	if (in->officer_id &&
	    (rc = check_officer(c, in->officer_id, station_path, "officer_id", err)))
		return rc;
	for (int i = 0; i < in->nparties; i++) {
		struct fq_phone ph;
		struct fq_idnum idn;
		if ((rc = check_party(&in->parties[i], i, &ph, &idn, now, err)))
			return rc;
	}
	for (int i = 0; i < in->nlost; i++)
		if ((rc = check_item(&in->lost[i], "lost", i, err)))
			return rc;
	for (int i = 0; i < in->nevidence; i++) {
		char field[32];
		snprintf(field, sizeof(field), "evidence[%d]", i);
		if ((rc = fq_case_check_required(in->evidence[i], FQ_CASE_ITEM_MAX, field, err)))
			return rc;
	}
	if (in->method &&
	    (rc = fq_case_normalize(in->method, strlen(in->method), &method_norm, err))) {
		snprintf(err->field, sizeof(err->field), "method");
		return rc;
	}

	fq_uuid7_str(id);
	rc = fq_number_next(c, "AJ", station, now, number, err);
	if (!rc)
		rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO case_file (id, number, unit_code, grid_code, incident_id, origin,"
		    " type, type_group, title, description, method, method_norm, method_sig,"
		    " occurred_at, occurred_minute, lat, lon, address, state, officer_id,"
		    " accepted_at, created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?,"
		    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?, ?, ?)",
		    "ttttttttttttiiiDDttiitit", id, number, station, grid, in->incident_id,
		    in->incident_id ? "incident" : "walk_in", t->code, t->group, in->title,
		    in->description, in->method, method_norm, fq_linkage_signature(method_norm),
		    occurred, fq_case_minute_of_day(occurred), has_loc ? lat : NAN,
		    has_loc ? lon : NAN, address, in->officer_id, now, now, in->actor_id, now,
		    in->actor_id);
	free(method_norm);
	for (int i = 0; !rc && i < in->nparties; i++) {
		struct fq_phone ph;
		struct fq_idnum idn;
		rc = check_party(&in->parties[i], i, &ph, &idn, now, err);
		if (!rc)
			rc = insert_party(c, id, &in->parties[i], &ph, &idn, err);
	}
	for (int i = 0; !rc && i < in->nlost; i++)
		rc = insert_item(c, id, "lost", &in->lost[i], in->actor_id, now, err);
	for (int i = 0; !rc && i < in->nevidence; i++)
		rc = insert_evidence(c, id, in->evidence[i], in->actor_id, now, err);
	if (!rc)
		rc = refresh_derived(c, id, err);
	if (!rc)
		rc = insert_steps(c, id, t, now, 1, err);
	if (!rc)
		rc = refresh_due(c, id, err);
	if (!rc)
		rc = fq_case_event(
		    c, id, now, in->actor_id, "accepted",
		    t->station_handles ? "受理案件" : "受理案件（属“两不办”类别，须移交专业警种）",
		    err);
	return rc;
}

/* ---- steps ---- */

/* Lock-free read of the state and version (the caller holds the write transaction). */
static int load_state(struct fq_dbc *c, const char *id, int *state, int64_t *version, char type[32],
		      struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT state, version, type FROM case_file WHERE id = ?", "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*state = fq_case_state_from_code(fq_stmt_text(st, 0));
		*version = fq_stmt_int(st, 1);
		snprintf(type, 32, "%s", fq_stmt_text(st, 2));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "案件不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static int bump(struct fq_dbc *c, const char *id, const char *actor, int64_t now,
		struct fq_err *err)
{
	return fq_dbc_run(
	    c, err, NULL,
	    "UPDATE case_file SET version = version + 1, updated_at = ?, updated_by = ?"
	    " WHERE id = ?",
	    "itt", now, actor, id);
}

static int done_steps(struct fq_dbc *c, const char *id, const char *const *names, int64_t now,
		      struct fq_err *err)
{
	int rc = 0;
	for (int i = 0; !rc && names[i]; i++)
		rc = fq_dbc_run(c, err, NULL,
				"UPDATE case_step SET done_at = ? WHERE case_id = ? AND step = ?"
				" AND done_at IS NULL",
				"itt", now, id, names[i]);
	return rc;
}

static int transferred_feedback(struct fq_dbc *c, const char *id, int *has, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT COUNT(*) FROM case_transfer WHERE case_id = ? AND kind = 'case'"
			 " AND feedback_at IS NOT NULL",
			 "t", id);
	*has = 0;
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		*has = fq_stmt_int(st, 0) > 0;
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int fq_case_transition(struct fq_dbc *c, const char *id, const struct fq_case_change *ch,
		       enum fq_case_state *from_out, enum fq_case_state *to_out, struct fq_err *err)
{
	static const char *const decide_conclude[] = {"decide", "conclude", NULL};
	static const char *const all_steps[] = {"decide", "conclude", "transfer", NULL};
	static const char *const decide_only[] = {"decide", NULL};
	int64_t now = fq_case_now(ch->now_ms), version;
	const char *text_field = NULL;
	char type[32], text[FQ_CASE_TEXT_MAX * 4 + 64];
	int from, to, rc;

	if ((rc = load_state(c, id, &from, &version, type, err)))
		return rc;
	if (ch->expected_version && ch->expected_version != version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "案件已被他人修改（当前版本 %lld），请刷新后重试",
				  (long long)version);
	to = from < 0 ? -1 : fq_case_step_target(from, ch->step);
	if (to < 0)
		return fq_err_set(
		    err, FQ_ECONFLICT, "invalid_transition", NULL, "案件当前状态为“%s”，不能%s",
		    from >= 0 ? states[from].label : "?", fq_case_step_code(ch->step));
	if (ch->step == FQ_CASE_SOLVE && !fq_case_type_find(type)->station_handles)
		return fq_err_set(err, FQ_ECONFLICT, "must_transfer", NULL,
				  "该类案件属“两不办”，须移交专业警种办理，派出所不能自行破案");
	if (ch->step == FQ_CASE_SOLVE)
		text_field = "result";
	else if (ch->step == FQ_CASE_CLOSE || ch->step == FQ_CASE_REOPEN)
		text_field = "reason";
	if (text_field &&
	    (rc = fq_case_check_required(ch->text, FQ_CASE_TEXT_MAX, text_field, err)))
		return rc;
	if (ch->step == FQ_CASE_CLOSE && from == FQ_CASE_TRANSFERRED) {
		int has;
		if ((rc = transferred_feedback(c, id, &has, err)))
			return rc;
		if (!has)
			return fq_err_set(err, FQ_ECONFLICT, "awaiting_feedback", NULL,
					  "接收单位尚未反馈办理结果，不能结案");
	}
	switch (ch->step) {
	case FQ_CASE_INVESTIGATE:
		rc = done_steps(c, id, decide_only, now, err);
		break;
	case FQ_CASE_SOLVE:
		rc = done_steps(c, id, decide_conclude, now, err);
		if (!rc)
			rc = fq_dbc_run(
			    c, err, NULL,
			    "UPDATE case_file SET solved_at = ?, result = ? WHERE id = ?", "itt",
			    now, ch->text, id);
		break;
	case FQ_CASE_CLOSE:
		rc = done_steps(c, id, all_steps, now, err);
		if (!rc)
			rc = fq_dbc_run(
			    c, err, NULL,
			    "UPDATE case_file SET closed_at = ?, result = ? WHERE id = ?", "itt",
			    now, ch->text, id);
		break;
	case FQ_CASE_TRANSFER:
		rc = done_steps(c, id, all_steps, now, err);
		if (!rc)
			rc = fq_dbc_run(c, err, NULL,
					"UPDATE case_file SET transferred_at = ? WHERE id = ?",
					"it", now, id);
		break;
	case FQ_CASE_REOPEN:
		rc = insert_steps(c, id, fq_case_type_find(type), now, 0, err);
		if (!rc)
			rc = fq_dbc_run(c, err, NULL,
					"UPDATE case_file SET solved_at = NULL, closed_at = NULL,"
					" result = ? WHERE id = ?",
					"tt", ch->text, id);
		break;
	default:
		break;
	}
	if (!rc)
		rc = fq_dbc_run(c, err, NULL, "UPDATE case_file SET state = ? WHERE id = ?", "tt",
				states[to].code, id);
	if (!rc)
		rc = refresh_due(c, id, err);
	if (!rc)
		rc = bump(c, id, ch->actor_id, now, err);
	if (!rc) {
		snprintf(text, sizeof(text), "%s → %s%s%s", states[from].label, states[to].label,
			 ch->text ? "：" : "", ch->text ? ch->text : "");
		rc = fq_case_event(c, id, now, ch->actor_id, steps[ch->step], text, err);
	}
	if (rc)
		return rc;
	if (from_out)
		*from_out = from;
	if (to_out)
		*to_out = to;
	return 0;
}

int fq_case_extend(struct fq_dbc *c, const char *id, const char *reason, const char *actor_id,
		   int64_t now_ms, struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms), version, changed = 0;
	char type[32], text[FQ_CASE_TEXT_MAX * 4 + 64];
	int state, rc;

	if ((rc = fq_case_check_required(reason, FQ_CASE_TEXT_MAX, "reason", err)) ||
	    (rc = load_state(c, id, &state, &version, type, err)))
		return rc;
	rc = fq_dbc_run(c, err, &changed,
			"UPDATE case_step SET due_at = due_at + ?, extended = extended + 1,"
			" escalated_at = NULL, escalated_to = NULL WHERE case_id = ?"
			" AND step = 'conclude' AND done_at IS NULL AND extended = 0",
			"it", fq_case_deadlines()->extend_ms, id);
	if (rc)
		return rc;
	if (!changed) {
		struct fq_stmt *st;
		int extended = 0;
		if ((rc = fq_dbc_query(c, err, &st,
				       "SELECT extended FROM case_step WHERE case_id = ?"
				       " AND step = 'conclude' AND done_at IS NULL",
				       "t", id)))
			return rc;
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW)
			extended = 1;
		fq_stmt_done(st);
		if (rc < 0)
			return rc;
		return extended ? fq_err_set(err, FQ_ECONFLICT, "already_extended", NULL,
					     "办案期限只能延长一次")
				: fq_err_set(err, FQ_ECONFLICT, "no_deadline", NULL,
					     "该案件没有进行中的办案期限");
	}
	snprintf(text, sizeof(text), "办案期限延长 %lld 日：%s",
		 (long long)(fq_case_deadlines()->extend_ms / DAY_MS), reason);
	rc = refresh_due(c, id, err);
	if (!rc)
		rc = bump(c, id, actor_id, now, err);
	if (!rc)
		rc = fq_case_event(c, id, now, actor_id, "extend", text, err);
	return rc;
}

int fq_case_add_party(struct fq_dbc *c, const char *id, const struct fq_case_party_in *p,
		      const char *actor_id, int64_t now_ms, struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms), version;
	struct fq_phone ph;
	struct fq_idnum idn;
	char type[32];
	int state, rc;

	if ((rc = load_state(c, id, &state, &version, type, err)) ||
	    (rc = check_party(p, -1, &ph, &idn, now, err)) ||
	    (rc = insert_party(c, id, p, &ph, &idn, err)) || (rc = refresh_derived(c, id, err)) ||
	    (rc = bump(c, id, actor_id, now, err)))
		return rc;
	return fq_case_event(c, id, now, actor_id, "party",
			     strcmp(p->role, "victim") == 0    ? "增加被害人"
			     : strcmp(p->role, "suspect") == 0 ? "增加嫌疑人"
							       : "增加证人",
			     err);
}

int fq_case_add_item(struct fq_dbc *c, const char *id, const char *kind,
		     const struct fq_case_item_in *item, const char *actor_id, int64_t now_ms,
		     struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms), version;
	char type[32], text[FQ_CASE_ITEM_MAX * 4 + 64];
	int state, rc;

	if (item->at && item->at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "recovered_at",
				  "挽损时间不能晚于现在");
	if ((rc = load_state(c, id, &state, &version, type, err)) ||
	    (rc = check_item(item, kind, -1, err)) ||
	    (rc = insert_item(c, id, kind, item, actor_id, now, err)) ||
	    (rc = refresh_derived(c, id, err)) || (rc = bump(c, id, actor_id, now, err)))
		return rc;
	snprintf(text, sizeof(text), "%s：%s，%lld.%02lld 元",
		 strcmp(kind, "recovered") == 0 ? "挽回损失" : "登记损失", item->description,
		 (long long)(item->value_fen / 100), (long long)(item->value_fen % 100));
	return fq_case_event(c, id, now, actor_id, kind, text, err);
}

int fq_case_add_evidence(struct fq_dbc *c, const char *id, const char *text, const char *actor_id,
			 int64_t now_ms, struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms), version;
	char type[32];
	int state, rc;

	if ((rc = fq_case_check_required(text, FQ_CASE_ITEM_MAX, "description", err)) ||
	    (rc = load_state(c, id, &state, &version, type, err)) ||
	    (rc = insert_evidence(c, id, text, actor_id, now, err)) ||
	    (rc = bump(c, id, actor_id, now, err)))
		return rc;
	return fq_case_event(c, id, now, actor_id, "evidence", "登记证据", err);
}

int fq_case_assign(struct fq_dbc *c, const char *id, const char *officer_id, const char *actor_id,
		   int64_t now_ms, struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms);
	char path[FQ_UNIT_PATH_MAX];
	int rc;

	if (!officer_id)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "officer_id",
				  "请指定办案民警（officer_id）");
	if ((rc = fq_case_unit_path(c, id, path, err)) ||
	    (rc = check_officer(c, officer_id, path, "officer_id", err)) ||
	    (rc = fq_dbc_run(c, err, NULL, "UPDATE case_file SET officer_id = ? WHERE id = ?", "tt",
			     officer_id, id)) ||
	    (rc = bump(c, id, actor_id, now, err)))
		return rc;
	return fq_case_event(c, id, now, actor_id, "assign", "指定办案民警", err);
}

int fq_case_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		      struct fq_err *err)
{
	return fq_dbc_lookup_text(
	    c,
	    "SELECT u.path FROM case_file f JOIN unit u ON u.code = f.unit_code"
	    " WHERE f.id = ?",
	    id, path, FQ_UNIT_PATH_MAX, "案件不存在", err);
}
