#include "cases/dispute.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/dispute_internal.h"
#include "command/alert.h"
#include "core/geo.h"
#include "core/idnum.h"
#include "core/json.h"
#include "core/phone.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

struct code_label {
	const char *code;
	const char *label;
};

static const struct code_label states[FQ_DISPUTE_STATE_COUNT] = {
    [FQ_DISPUTE_GRADED] = {"graded", "已分级"},
    [FQ_DISPUTE_ASSIGNED] = {"assigned", "已指派"},
    [FQ_DISPUTE_MEDIATING] = {"mediating", "调解中"},
    [FQ_DISPUTE_RESOLVED_AGREEMENT] = {"resolved_agreement", "调解成功（达成协议）"},
    [FQ_DISPUTE_RESOLVED] = {"resolved", "已化解"},
    [FQ_DISPUTE_REFERRED] = {"referred", "已移送"},
    [FQ_DISPUTE_FAILED] = {"failed", "调解未成"},
    [FQ_DISPUTE_FOLLOWING_UP] = {"following_up", "回访中"},
    [FQ_DISPUTE_CLOSED] = {"closed", "已办结"},
    [FQ_DISPUTE_REOPENED] = {"reopened", "已重新启动"},
};

static const struct code_label types[] = {
    {"neighbour", "邻里纠纷"},	  {"family", "家庭纠纷"},
    {"marriage", "婚姻纠纷"},	  {"land_boundary", "土地地界纠纷"},
    {"labour_wages", "劳资纠纷"}, {"consumer", "消费纠纷"},
    {"traffic", "交通事故纠纷"},  {"property_management", "物业纠纷"},
    {"other", "其他纠纷"},	  {NULL, NULL},
};

static const struct code_label sources[] = {
    {"incident", "警情转入"},
    {"visit", "走访排查"},
    {"grid_worker", "网格员上报"},
    {"volunteer", "志愿者上报"},
    {"walk_in", "群众来访"},
    {"resident_message", "群众留言"},
    {NULL, NULL},
};

static const struct code_label departments[] = {
    {"court", "人民法庭"},
    {"justice_office", "司法所"},
    {"township_government", "乡镇人民政府"},
    {"village_committee", "村（居）民委员会"},
    {NULL, NULL},
};

static const char *find_label(const struct code_label *t, const char *code)
{
	for (int i = 0; code && t[i].code; i++)
		if (strcmp(t[i].code, code) == 0)
			return t[i].label;
	return NULL;
}

const char *fq_dispute_state_code(enum fq_dispute_state s)
{
	return (unsigned)s < FQ_DISPUTE_STATE_COUNT ? states[s].code : NULL;
}

const char *fq_dispute_state_label(enum fq_dispute_state s)
{
	return (unsigned)s < FQ_DISPUTE_STATE_COUNT ? states[s].label : NULL;
}

int fq_dispute_state_from_code(const char *code)
{
	for (int s = 0; code && s < FQ_DISPUTE_STATE_COUNT; s++)
		if (strcmp(states[s].code, code) == 0)
			return s;
	return -1;
}

const char *fq_dispute_type_label(const char *code)
{
	return find_label(types, code);
}

const char *fq_dispute_source_label(const char *code)
{
	return find_label(sources, code);
}

const char *fq_dispute_department_label(const char *code)
{
	return find_label(departments, code);
}

int fq_dispute_state_open(enum fq_dispute_state s)
{
	return s == FQ_DISPUTE_GRADED || s == FQ_DISPUTE_ASSIGNED || s == FQ_DISPUTE_MEDIATING ||
	       s == FQ_DISPUTE_REOPENED;
}

int fq_dispute_step_allowed(enum fq_dispute_state s, enum fq_dispute_step step)
{
	if ((unsigned)s >= FQ_DISPUTE_STATE_COUNT)
		return 0;
	switch (step) {
	case FQ_DISPUTE_STEP_ASSIGN:
	case FQ_DISPUTE_STEP_SESSION:
	case FQ_DISPUTE_STEP_OUTCOME:
		return fq_dispute_state_open(s);
	case FQ_DISPUTE_STEP_FOLLOW_UP:
		return s == FQ_DISPUTE_RESOLVED_AGREEMENT || s == FQ_DISPUTE_RESOLVED ||
		       s == FQ_DISPUTE_FOLLOWING_UP;
	case FQ_DISPUTE_STEP_REOPEN:
		return s == FQ_DISPUTE_RESOLVED_AGREEMENT || s == FQ_DISPUTE_RESOLVED ||
		       s == FQ_DISPUTE_FOLLOWING_UP || s == FQ_DISPUTE_CLOSED;
	case FQ_DISPUTE_STEP_OVERRIDE:
		return s != FQ_DISPUTE_CLOSED;
	default:
		return 0;
	}
}

int fq_dispute_overdue(enum fq_dispute_state s, int64_t deadline_at, int64_t now_ms)
{
	return fq_dispute_state_open(s) && deadline_at < now_ms;
}

int64_t fq_dispute_deadline(enum fq_dispute_grade g, int64_t from_ms)
{
	int64_t days = g == FQ_DISPUTE_MAJOR ? FQ_DISPUTE_DEADLINE_DAYS_MAJOR
		       : g == FQ_DISPUTE_KEY ? FQ_DISPUTE_DEADLINE_DAYS_KEY
					     : FQ_DISPUTE_DEADLINE_DAYS_GENERAL;
	return from_ms + days * 86400000LL;
}

/* ---- helpers shared by the files of the module (dispute_internal.h) ---- */

int64_t fq__dispute_now(int64_t now_ms)
{
	return now_ms ? now_ms : fq_now_ms();
}

int fq__dispute_blank(const char *s)
{
	return !s || !s[strspn(s, " \t\r\n")];
}

int fq__dispute_check_text(const char *s, int required, size_t max, const char *field,
			   struct fq_err *err)
{
	if (required && fq__dispute_blank(s))
		return fq_err_set(err, FQ_EINVAL, "missing_field", field, "请填写 %s", field);
	if (s && fq_utf8_chars(s) > max)
		return fq_err_set(err, FQ_EINVAL, "too_long", field, "字段 %s 超过 %zu 个字符",
				  field, max);
	return 0;
}

json_t *fq__dispute_time_json(struct fq_stmt *st, int col)
{
	char buf[FQ_RFC3339_MAX];
	if (fq_stmt_is_null(st, col))
		return json_null();
	fq_time_format_cst(fq_stmt_int(st, col), buf);
	return json_string(buf);
}

json_t *fq__dispute_text_json(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	return s ? json_string(s) : json_null();
}

int fq__dispute_event(struct fq_dbc *c, const char *dispute_id, int64_t at, const char *by,
		      const char *kind, const char *text, struct fq_err *err)
{
	char id[FQ_UUID_STR];

	fq_uuid7_str(id);
	return fq_dbc_run(c, err, NULL,
			  "INSERT INTO dispute_event (id, dispute_id, seq, at, by_user, kind, text)"
			  " VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dispute_event"
			  " WHERE dispute_id = ?), ?, ?, ?, ?)",
			  "tttittt", id, dispute_id, dispute_id, at, by, kind, text);
}

/* ---- intake ---- */

struct station_ref {
	char station[FQ_UNIT_CODE_MAX];
	char grid[FQ_UNIT_CODE_MAX]; /* "" when none */
	/* the incident's place, the dispute's default */
	int has_location;
	double lat, lon;
	char address[FQ_DISPUTE_REF_MAX * 4 + 1];
};

static int from_incident(struct fq_dbc *c, const char *id, const char *scope_path,
			 struct station_ref *out, struct fq_err *err)
{
	struct fq_stmt *st;
	char path[FQ_UNIT_PATH_MAX] = "";
	int rc;

	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "incident_id",
				  "incident_id 不是有效的编号");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT i.unit_code, u.path, i.grid_code, i.lat, i.lon, i.address"
			  " FROM incident i"
			  " JOIN unit u ON u.code = i.unit_code WHERE i.id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(out->station, sizeof(out->station), "%s", fq_stmt_text(st, 0));
		snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 1));
		if (!fq_stmt_is_null(st, 2))
			snprintf(out->grid, sizeof(out->grid), "%s", fq_stmt_text(st, 2));
		if (!fq_stmt_is_null(st, 3)) {
			out->has_location = 1;
			out->lat = fq_stmt_double(st, 3);
			out->lon = fq_stmt_double(st, 4);
		}
		if (fq_stmt_text(st, 5))
			snprintf(out->address, sizeof(out->address), "%s", fq_stmt_text(st, 5));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_incident", "incident_id",
				  "警情事件不存在或不在您的辖区");
	return rc;
}

/* The station (and grid, when unit is one) of unit, which must lie in scope_path. */
static int from_unit(struct fq_dbc *c, const char *unit, int asked, const char *scope_path,
		     struct station_ref *out, struct fq_err *err)
{
	struct fq_stmt *st;
	char path[FQ_UNIT_PATH_MAX] = "";
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT u.kind, u.path, s.code FROM unit u JOIN unit s"
			 " ON s.kind = 'station' AND substr(u.path, 1, length(s.path)) = s.path"
			 " WHERE u.code = ?",
			 "t", unit);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		if (strcmp(fq_stmt_text(st, 0), "grid") == 0)
			snprintf(out->grid, sizeof(out->grid), "%s", unit);
		snprintf(path, sizeof(path), "%s", fq_stmt_text(st, 1));
		snprintf(out->station, sizeof(out->station), "%s", fq_stmt_text(st, 2));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = FQ_ENOTFOUND;
	}
	fq_stmt_done(st);
	if (rc == FQ_ENOTFOUND && !asked)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
				  "您所在单位不属于派出所：请用 unit 指明受理的派出所或网格");
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				  "unit 应为您辖区内的派出所或网格代码");
	return rc;
}

/* A validated party: normalised phone and identity number. */
struct party_ok {
	struct fq_phone phone;
	struct fq_idnum idnum;
	int has_phone, has_id;
};

static int check_party(const struct fq_dispute_party_in *p, int i, int64_t now, struct party_ok *ok,
		       struct fq_err *err)
{
	char field[48], id18[FQ_IDNUM_LEN + 1];
	const char *idn = p->id_number;
	int rc;

	memset(ok, 0, sizeof(*ok));
	snprintf(field, sizeof(field), "parties[%d].name", i);
	if ((rc = fq__dispute_check_text(p->name, 1, FQ_DISPUTE_NAME_MAX, field, err)))
		return rc;
	if (p->phone && *p->phone) {
		if ((rc = fq_phone_normalize(p->phone, &ok->phone, err))) {
			if (err)
				snprintf(err->field, sizeof(err->field), "parties[%d].phone", i);
			return rc;
		}
		ok->has_phone = 1;
	}
	if (idn && *idn) {
		snprintf(field, sizeof(field), "parties[%d].id_number", i);
		if (strlen(idn) == FQ_IDNUM_OLD_LEN) {
			if ((rc = fq_idnum_from15(idn, field, id18, err)))
				return rc;
			idn = id18;
		}
		if ((rc = fq_idnum_parse(idn, field, now, &ok->idnum, err)))
			return rc;
		ok->has_id = 1;
	}
	if (p->person_id && strlen(p->person_id) > FQ_DISPUTE_PERSON_ID_MAX) {
		snprintf(field, sizeof(field), "parties[%d].person_id", i);
		return fq_err_set(err, FQ_EINVAL, "too_long", field, "person_id 过长");
	}
	return 0;
}

static int check_basics(const struct fq_dispute_new *in, int64_t now, struct fq_err *err)
{
	int rc;

	if (!in->type)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "type",
				  "请选择纠纷类型（type）");
	if (!fq_dispute_type_label(in->type))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "type",
				  "纠纷类型应为 neighbour、family、marriage、land_boundary、"
				  "labour_wages、consumer、traffic、property_management 或 other");
	if ((rc = fq__dispute_check_text(in->description, 1, FQ_DISPUTE_TEXT_MAX, "description",
					 err)))
		return rc;
	if (in->occurred_at <= 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "occurred_at",
				  "请填写纠纷发生时间（occurred_at）");
	if (in->occurred_at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "in_future", "occurred_at",
				  "纠纷发生时间不能晚于当前时间");
	if (in->has_location) {
		struct fq_geo_point p = {.lat = in->lat, .lon = in->lon};
		if ((rc = fq_geo_check(p, "location", err)))
			return rc;
	}
	if ((rc = fq__dispute_check_text(in->address, 0, FQ_DISPUTE_REF_MAX, "address", err)))
		return rc;
	/* From an incident, the place defaults to the incident's. */
	if (!in->has_location && fq__dispute_blank(in->address) && !in->incident_id)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "location",
				  "请给出纠纷地点：坐标（location）或地址（address）");
	if (in->nparties < 1)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "parties",
				  "请至少填写一名当事人");
	if (in->nparties > FQ_DISPUTE_PARTIES_MAX)
		return fq_err_set(err, FQ_EINVAL, "too_many", "parties", "当事人最多 %d 名",
				  FQ_DISPUTE_PARTIES_MAX);
	if (in->people_involved < 0 || in->people_involved > FQ_DISPUTE_PEOPLE_MAX ||
	    (in->people_involved && in->people_involved < in->nparties))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "people_involved",
				  "涉及人数应不少于当事人数，且不超过 %d", FQ_DISPUTE_PEOPLE_MAX);
	if (in->amount_fen < 0 || in->amount_fen > FQ_DISPUTE_AMOUNT_MAX_FEN)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "amount_yuan",
				  "涉及金额应在 0 到 100 亿元之间");
	return 0;
}

static int resolve_source(const struct fq_dispute_new *in, const char **source, struct fq_err *err)
{
	*source = in->source	       ? in->source
		  : in->incident_id    ? "incident"
		  : in->default_source ? in->default_source
				       : "walk_in";
	if (!fq_dispute_source_label(*source))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "source",
				  "来源应为 incident、visit、grid_worker、volunteer、walk_in 或 "
				  "resident_message");
	if (strcmp(*source, "incident") == 0 && !in->incident_id)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "incident_id",
				  "来源为警情时须给出 incident_id");
	if (strcmp(*source, "incident") != 0 && in->incident_id)
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "incident_id",
				  "只有来源为警情（incident）的纠纷才关联警情事件");
	return 0;
}

static int insert_parties(struct fq_dbc *c, const char *dispute_id, const struct fq_dispute_new *in,
			  const struct party_ok *ok, struct fq_err *err)
{
	for (int i = 0; i < in->nparties; i++) {
		const struct fq_dispute_party_in *p = &in->parties[i];
		char id[FQ_UUID_STR];
		int rc;
		fq_uuid7_str(id);
		rc = fq_dbc_run(
		    c, err, NULL,
		    "INSERT INTO dispute_party (id, dispute_id, seq, name, phone,"
		    " phone_norm, id_number, person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    "ttittttt", id, dispute_id, (int64_t)(i + 1), p->name,
		    ok[i].has_phone ? p->phone : NULL, ok[i].has_phone ? ok[i].phone.number : NULL,
		    ok[i].has_id ? ok[i].idnum.number : NULL,
		    p->person_id && *p->person_id ? p->person_id : NULL);
		if (rc)
			return rc;
	}
	return 0;
}

/* The risk facts of a new dispute. */
static int assess(struct fq_dbc *c, const struct fq_dispute_new *in, const struct party_ok *ok,
		  const char *description_norm, struct fq_dispute_risk *risk, struct fq_err *err)
{
	struct fq_dispute_party_key keys[FQ_DISPUTE_PARTIES_MAX];

	memset(risk, 0, sizeof(*risk));
	for (int i = 0; i < in->nparties; i++) {
		keys[i].phone_norm = ok[i].has_phone ? ok[i].phone.number : NULL;
		keys[i].id_number = ok[i].has_id ? ok[i].idnum.number : NULL;
		if (ok[i].has_id) {
			int age =
			    fq_dispute_age_years(ok[i].idnum.birth_year, ok[i].idnum.birth_month,
						 ok[i].idnum.birth_day, in->occurred_at);
			if (age >= FQ_DISPUTE_ELDERLY_AGE)
				risk->elderly++;
			else if (age < FQ_DISPUTE_ADULT_AGE)
				risk->minors++;
		}
	}
	risk->threat = fq_dispute_threat_scan(description_norm, &risk->threat_word);
	risk->people_involved = in->people_involved ? in->people_involved : in->nparties;
	risk->amount_fen = in->amount_fen;
	return fq_dispute_gather(c, keys, in->nparties, fq__dispute_now(in->now_ms),
				 in->incident_id, NULL, risk, err);
}

int fq_dispute_create(struct fq_dbc *c, const struct fq_dispute_new *in, char id[37],
		      char number[FQ_NUMBER_MAX], struct fq_err *err)
{
	struct party_ok ok[FQ_DISPUTE_PARTIES_MAX];
	struct station_ref ref;
	struct fq_dispute_risk risk;
	struct fq_dispute_new place;
	struct fq_buf norm;
	enum fq_dispute_grade grade;
	const char *source;
	char *reasons_text = NULL, event[200];
	json_t *reasons = NULL;
	int64_t now = fq__dispute_now(in->now_ms), score = 0;
	int rc;

	memset(&ref, 0, sizeof(ref));
	if ((rc = check_basics(in, now, err)) || (rc = resolve_source(in, &source, err)))
		return rc;
	for (int i = 0; i < in->nparties; i++)
		if ((rc = check_party(&in->parties[i], i, now, &ok[i], err)))
			return rc;
	if (in->incident_id) {
		if ((rc = from_incident(c, in->incident_id, in->scope_path, &ref, err)))
			return rc;
		if (in->unit && strcmp(in->unit, ref.station) != 0 &&
		    strcmp(in->unit, ref.grid) != 0)
			return fq_err_set(err, FQ_EINVAL, "unit_mismatch", "unit",
					  "纠纷须由警情所属派出所（%s）受理", ref.station);
	} else if ((rc = from_unit(c, in->unit ? in->unit : in->actor_unit, in->unit != NULL,
				   in->scope_path, &ref, err))) {
		return rc;
	}
	place = *in;
	if (in->incident_id && !in->has_location && fq__dispute_blank(in->address)) {
		place.has_location = ref.has_location;
		place.lat = ref.lat;
		place.lon = ref.lon;
		place.address = ref.address[0] ? ref.address : NULL;
		if (!place.has_location && !place.address)
			return fq_err_set(
			    err, FQ_EINVAL, "missing_field", "location",
			    "警情未记录地点：请给出坐标（location）或地址（address）");
	}
	if (!ref.grid[0] && place.has_location)
		fq_alert_grid_at(c, ref.station, place.lat, place.lon, ref.grid);

	fq_buf_init(&norm, FQ_TEXT_MAX_BYTES);
	if ((rc = fq_text_normalize(in->description, strlen(in->description), &norm, err)))
		goto out;
	if ((rc = assess(c, in, ok, norm.buf, &risk, err)))
		goto out;
	grade = fq_dispute_grade_compute(&risk, &score, &reasons);
	reasons_text = json_dumps(reasons, JSON_COMPACT);
	fq_uuid7_str(id);
	if ((rc = fq_number_next(c, "TJ", ref.station, now, number, err)))
		goto out;
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO dispute (id, number, unit_code, grid_code, type, description,"
	    " description_norm, occurred_at, lat, lon, address, people_involved, amount_fen,"
	    " source, incident_id, score, grade_auto, grade, grade_reasons, state, deadline_at,"
	    " created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'graded', ?, ?, ?, ?, ?)",
	    "tttttttiDDtiittitttiitit", id, number, ref.station, ref.grid[0] ? ref.grid : NULL,
	    in->type, in->description, norm.buf, in->occurred_at,
	    place.has_location ? place.lat : NAN, place.has_location ? place.lon : NAN,
	    fq__dispute_blank(place.address) ? NULL : place.address, risk.people_involved,
	    in->amount_fen, source, in->incident_id, score, fq_dispute_grade_code(grade),
	    fq_dispute_grade_code(grade), reasons_text, fq_dispute_deadline(grade, now), now,
	    in->actor_id, now, in->actor_id);
	if (rc)
		goto out;
	if ((rc = insert_parties(c, id, in, ok, err)))
		goto out;
	snprintf(event, sizeof(event), "受理纠纷（%s），系统评定为%s纠纷（风险分%lld分）",
		 fq_dispute_source_label(source), fq_dispute_grade_label(grade), (long long)score);
	rc = fq__dispute_event(c, id, now, in->actor_id, "reported", event, err);
out:
	free(reasons_text);
	json_decref(reasons);
	fq_buf_release(&norm);
	return rc;
}

/* ---- reading ---- */

int fq_dispute_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			 struct fq_err *err)
{
	return fq_dbc_lookup_text(c,
				  "SELECT u.path FROM dispute d JOIN unit u"
				  " ON u.code = COALESCE(d.grid_code, d.unit_code) WHERE d.id = ?",
				  id, path, FQ_UNIT_PATH_MAX, "纠纷不存在", err);
}

int fq_dispute_grade_state(struct fq_dbc *c, const char *id, enum fq_dispute_grade *grade,
			   enum fq_dispute_state *state, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT grade, state FROM dispute WHERE id = ?", "t", id);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		*grade = fq_dispute_grade_from_code(fq_stmt_text(st, 0));
		*state = fq_dispute_state_from_code(fq_stmt_text(st, 1));
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "纠纷不存在");
	}
	fq_stmt_done(st);
	return rc;
}

#define DISPUTE_COLS                                                                               \
	"d.id, d.number, d.unit_code, su.name, d.grid_code, gu.name, d.type, d.description,"       \
	" d.occurred_at, d.lat, d.lon, d.address, d.people_involved, d.amount_fen, d.source,"      \
	" d.incident_id, d.score, d.grade_auto, d.grade, d.grade_reasons,"                         \
	" d.grade_override_reason, d.assigned_user_id, au.display_name, d.working_group,"          \
	" d.state, d.outcome, d.outcome_at, d.outcome_note, d.agreement_terms, d.referred_kind,"   \
	" d.referred_to, d.resolved_at, d.session_count, d.reopened_count, d.deadline_at,"         \
	" d.escalated_at, d.escalated_to, eu.display_name, d.version, d.created_at, d.updated_at," \
	" (SELECT COUNT(*) FROM dispute_party p WHERE p.dispute_id = d.id)"
#define DISPUTE_FROM                                                                               \
	" FROM dispute d JOIN unit su ON su.code = d.unit_code"                                    \
	" LEFT JOIN unit gu ON gu.code = d.grid_code"                                              \
	" JOIN unit ou ON ou.code = COALESCE(d.grid_code, d.unit_code)"                            \
	" LEFT JOIN app_user au ON au.id = d.assigned_user_id"                                     \
	" LEFT JOIN app_user eu ON eu.id = d.escalated_to"

static json_t *parsed_json(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	return j ? j : json_array();
}

static json_t *working_group_json(struct fq_stmt *st, int col)
{
	json_t *codes = parsed_json(st, col), *out = json_array(), *v;
	size_t i;

	json_array_foreach(codes, i, v)
	{
		const char *code = json_string_value(v);
		const char *label = fq_dispute_department_label(code);
		if (label)
			json_array_append_new(
			    out, json_pack("{s:s, s:s}", "code", code, "label", label));
	}
	json_decref(codes);
	return out;
}

static json_t *dispute_row(struct fq_stmt *st, int64_t now)
{
	int s = fq_dispute_state_from_code(fq_stmt_text(st, 24));
	int g = fq_dispute_grade_from_code(fq_stmt_text(st, 18));
	int ga = fq_dispute_grade_from_code(fq_stmt_text(st, 17));
	int64_t fen = fq_stmt_int(st, 13);
	json_t *j = json_object();

	json_object_set_new(j, "id", fq__dispute_text_json(st, 0));
	json_object_set_new(j, "number", fq__dispute_text_json(st, 1));
	json_object_set_new(j, "unit", fq__dispute_text_json(st, 2));
	json_object_set_new(j, "unit_name", fq__dispute_text_json(st, 3));
	json_object_set_new(j, "grid", fq__dispute_text_json(st, 4));
	json_object_set_new(j, "grid_name", fq__dispute_text_json(st, 5));
	json_object_set_new(j, "type", fq__dispute_text_json(st, 6));
	json_object_set_new(j, "type_label",
			    json_string(fq_dispute_type_label(fq_stmt_text(st, 6))));
	json_object_set_new(j, "description", fq__dispute_text_json(st, 7));
	json_object_set_new(j, "occurred_at", fq__dispute_time_json(st, 8));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 9)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 9), "lon",
					    fq_stmt_double(st, 10)));
	json_object_set_new(j, "address", fq__dispute_text_json(st, 11));
	json_object_set_new(j, "people_involved", json_integer(fq_stmt_int(st, 12)));
	json_object_set_new(j, "amount_fen", json_integer(fen));
	json_object_set_new(j, "amount_yuan", json_real((double)fen / 100.0));
	json_object_set_new(j, "source", fq__dispute_text_json(st, 14));
	json_object_set_new(j, "source_label",
			    json_string(fq_dispute_source_label(fq_stmt_text(st, 14))));
	json_object_set_new(j, "incident_id", fq__dispute_text_json(st, 15));
	json_object_set_new(j, "score", json_integer(fq_stmt_int(st, 16)));
	json_object_set_new(j, "grade", fq__dispute_text_json(st, 18));
	json_object_set_new(j, "grade_label",
			    json_string(g >= 0 ? fq_dispute_grade_label(g) : "?"));
	json_object_set_new(j, "grade_auto", fq__dispute_text_json(st, 17));
	json_object_set_new(j, "grade_auto_label",
			    json_string(ga >= 0 ? fq_dispute_grade_label(ga) : "?"));
	json_object_set_new(j, "grade_overridden", json_boolean(!fq_stmt_is_null(st, 20)));
	json_object_set_new(j, "grade_reasons", parsed_json(st, 19));
	json_object_set_new(j, "grade_override_reason", fq__dispute_text_json(st, 20));
	json_object_set_new(j, "handling",
			    json_string(g >= 0 ? fq_dispute_grade_handling(g) : "?"));
	json_object_set_new(j, "assigned_user_id", fq__dispute_text_json(st, 21));
	json_object_set_new(j, "assigned_user_name", fq__dispute_text_json(st, 22));
	json_object_set_new(j, "working_group", working_group_json(st, 23));
	json_object_set_new(j, "state", fq__dispute_text_json(st, 24));
	json_object_set_new(j, "state_label", json_string(s >= 0 ? states[s].label : "?"));
	json_object_set_new(j, "outcome", fq__dispute_text_json(st, 25));
	json_object_set_new(j, "outcome_at", fq__dispute_time_json(st, 26));
	json_object_set_new(j, "outcome_note", fq__dispute_text_json(st, 27));
	json_object_set_new(j, "agreement_terms", fq__dispute_text_json(st, 28));
	json_object_set_new(j, "referred_kind", fq__dispute_text_json(st, 29));
	json_object_set_new(j, "referred_to", fq__dispute_text_json(st, 30));
	json_object_set_new(j, "resolved_at", fq__dispute_time_json(st, 31));
	json_object_set_new(j, "session_count", json_integer(fq_stmt_int(st, 32)));
	json_object_set_new(j, "reopened_count", json_integer(fq_stmt_int(st, 33)));
	json_object_set_new(j, "deadline_at", fq__dispute_time_json(st, 34));
	json_object_set_new(
	    j, "overdue", json_boolean(s >= 0 && fq_dispute_overdue(s, fq_stmt_int(st, 34), now)));
	json_object_set_new(j, "escalated_at", fq__dispute_time_json(st, 35));
	json_object_set_new(j, "escalated_to", fq__dispute_text_json(st, 36));
	json_object_set_new(j, "escalated_to_name", fq__dispute_text_json(st, 37));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 38)));
	json_object_set_new(j, "reported_at", fq__dispute_time_json(st, 39));
	json_object_set_new(j, "updated_at", fq__dispute_time_json(st, 40));
	json_object_set_new(j, "party_count", json_integer(fq_stmt_int(st, 41)));
	return j;
}

static int parties_json(struct fq_dbc *c, const char *id, int mask_phones, int mask_ids,
			json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT name, phone_norm, id_number, person_id FROM dispute_party"
			      " WHERE dispute_id = ? ORDER BY seq",
			      "t", id);
	json_t *arr;

	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *phone = fq_stmt_text(st, 1), *idn = fq_stmt_text(st, 2);
		char pm[FQ_PHONE_MAX + 1], im[FQ_IDNUM_LEN + 1];
		json_t *p = json_object();
		json_object_set_new(p, "name", fq__dispute_text_json(st, 0));
		if (phone && mask_phones)
			json_object_set_new(
			    p, "phone", json_string(fq_phone_mask(phone, pm) == 0 ? pm : "***"));
		else
			json_object_set_new(p, "phone", fq__dispute_text_json(st, 1));
		if (idn && mask_ids)
			json_object_set_new(p, "id_number",
					    json_string(fq_idnum_mask(idn, im) == 0 ? im : "***"));
		else
			json_object_set_new(p, "id_number", fq__dispute_text_json(st, 2));
		json_object_set_new(p, "person_id", fq__dispute_text_json(st, 3));
		json_array_append_new(arr, p);
	}
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int sessions_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT s.id, s.held_at, s.place, s.mediators, s.participants, s.said,"
			 " s.agreed, s.created_by, u.display_name FROM mediation_session s"
			 " LEFT JOIN app_user u ON u.id = s.created_by"
			 " WHERE s.dispute_id = ? ORDER BY s.seq",
			 "t", id);
	json_t *arr;

	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    arr,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			      fq__dispute_text_json(st, 0), "held_at", fq__dispute_time_json(st, 1),
			      "place", fq__dispute_text_json(st, 2), "mediators",
			      parsed_json(st, 3), "participants", parsed_json(st, 4), "said",
			      fq__dispute_text_json(st, 5), "agreed", fq__dispute_text_json(st, 6),
			      "recorded_by", fq__dispute_text_json(st, 8)));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int follow_ups_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT f.id, f.due_at, f.state, f.done_at, f.method, f.result,"
			      " f.flare_up, u.display_name FROM dispute_follow_up f"
			      " LEFT JOIN app_user u ON u.id = f.done_by"
			      " WHERE f.dispute_id = ? ORDER BY f.due_at, f.id",
			      "t", id);
	json_t *arr;

	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    arr,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "id",
			      fq__dispute_text_json(st, 0), "due_at", fq__dispute_time_json(st, 1),
			      "state", fq__dispute_text_json(st, 2), "done_at",
			      fq__dispute_time_json(st, 3), "method", fq__dispute_text_json(st, 4),
			      "result", fq__dispute_text_json(st, 5), "flare_up",
			      (int)fq_stmt_int(st, 6), "done_by", fq__dispute_text_json(st, 7)));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int timeline_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT e.at, e.kind, e.text, e.by_user, u.display_name"
			      " FROM dispute_event e LEFT JOIN app_user u ON u.id = e.by_user"
			      " WHERE e.dispute_id = ? ORDER BY e.seq",
			      "t", id);
	json_t *arr;

	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o}", "at",
						     fq__dispute_time_json(st, 0), "kind",
						     fq__dispute_text_json(st, 1), "text",
						     fq__dispute_text_json(st, 2), "by_id",
						     fq__dispute_text_json(st, 3), "by",
						     fq__dispute_text_json(st, 4)));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int fq_dispute_json(struct fq_dbc *c, const char *id, int detail, int mask_phones, int mask_ids,
		    int64_t now_ms, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *j, *part = NULL;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st, "SELECT " DISPUTE_COLS DISPUTE_FROM " WHERE d.id = ?", "t",
			  id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc != FQ_DB_ROW) {
		fq_stmt_done(st);
		return rc < 0 ? rc : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "纠纷不存在");
	}
	j = dispute_row(st, fq__dispute_now(now_ms));
	fq_stmt_done(st);
	if (detail) {
		if ((rc = parties_json(c, id, mask_phones, mask_ids, &part, err)))
			goto out_fail;
		json_object_set_new(j, "parties", part);
		if ((rc = sessions_json(c, id, &part, err)))
			goto out_fail;
		json_object_set_new(j, "sessions", part);
		if ((rc = follow_ups_json(c, id, &part, err)))
			goto out_fail;
		json_object_set_new(j, "follow_ups", part);
		if ((rc = timeline_json(c, id, &part, err)))
			goto out_fail;
		json_object_set_new(j, "timeline", part);
	}
	*out = j;
	return 0;
out_fail:
	json_decref(j);
	return rc;
}

#define OPEN_STATES "('graded', 'assigned', 'mediating', 'reopened')"
/*
 * The units under both the caller's scope (?1, ?2) and the unit filter (?3,
 * ?4). A dispute is under a unit when its owner (its grid, else its station)
 * is; a grid lies under its station, so for a set rooted at a station or
 * above that is its station being in the set, and for a set rooted below a
 * station (a post, a grid) its grid being in it: either test reads one
 * covering index (migration 0015) instead of the unit of every dispute.
 */
#define SCOPE_SET                                                                                  \
	"(SELECT code FROM unit WHERE substr(path, 1, length(?1)) = ?2"                            \
	" AND substr(path, 1, length(?3)) = ?4)"
static const char *const scope_where[] = {
    " WHERE d.unit_code IN " SCOPE_SET,
    " WHERE d.grid_code IN " SCOPE_SET,
    " WHERE (d.unit_code IN " SCOPE_SET " OR d.grid_code IN " SCOPE_SET ")",
};
#define LIST_FILTERS                                                                               \
	" AND (? IS NULL OR d.state = ?) AND (? = 0 OR d.state IN " OPEN_STATES ")"                \
	" AND (? IS NULL OR d.grade = ?) AND (? IS NULL OR d.type = ?)"                            \
	" AND (? < 0 OR (? = 1 AND d.state IN " OPEN_STATES " AND d.deadline_at < ?)"              \
	" OR (? = 0 AND (d.state NOT IN " OPEN_STATES " OR d.deadline_at >= ?)))"                  \
	" AND (? = 0 OR d.created_at >= ?) AND (? = 0 OR d.created_at < ?)"
#define LIST_TYPES "ttttttittttiiiiiiiii"
#define LIST_ARGS(q, upath, state, open_only, now)                                                 \
	(q)->scope_path, (q)->scope_path, upath, upath, state, state, (int64_t)(open_only),        \
	    (q)->grade, (q)->grade, (q)->type, (q)->type, (int64_t)(q)->overdue,                   \
	    (int64_t)(q)->overdue, now, (int64_t)(q)->overdue, now, (q)->reported_from,            \
	    (q)->reported_from, (q)->reported_to, (q)->reported_to

/*
 * A page's ids are chosen on index columns alone (migration 0015), then the
 * columns (names, the party count) are read for those rows only. Without a
 * period filter, in a scope of stations, the page walks the sort order's
 * covering index (index) in order and stops after its rows; otherwise the
 * rows of the scope and period are taken from the owner's covering index and
 * sorted (sorted: the unary + keeps the planner from walking a sort-order
 * index). order is the same order without the +.
 */
static const struct {
	const char *name;
	const char *index, *sorted, *order;
} list_orders[] = {
    {"deadline", "dispute_deadline_cover", "+d.deadline_at, +d.id", "d.deadline_at, d.id"},
    {"-deadline", "dispute_deadline_cover", "+d.deadline_at DESC, +d.id DESC",
     "d.deadline_at DESC, d.id DESC"},
    {"reported", "dispute_created_cover", "+d.created_at, +d.id", "d.created_at, d.id"},
    {"-reported", "dispute_created_cover", "+d.created_at DESC, +d.id DESC",
     "d.created_at DESC, d.id DESC"},
    {"-score", "dispute_score_cover", "+d.score DESC, +d.created_at DESC, +d.id DESC",
     "d.score DESC, d.created_at DESC, d.id DESC"},
};

/*
 * Which test of scope_where[] fits the units under both paths: the deeper
 * path decides (when neither contains the other the set is empty and any
 * test answers nothing); 2, both tests, when it is no unit's path.
 */
static int scope_test(struct fq_dbc *c, const char *scope_path, const char *upath,
		      struct fq_err *err)
{
	const char *deep = strlen(upath) > strlen(scope_path) ? upath : scope_path;
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT kind FROM unit WHERE path = ?", "t", deep);
	int which = 2;

	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *kind = fq_stmt_text(st, 0);
		which = strcmp(kind, "grid") == 0 || strcmp(kind, "post") == 0 ? 1 : 0;
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : which;
}

static int check_query(struct fq_dbc *c, const struct fq_dispute_query *q, int *order,
		       char upath[FQ_UNIT_PATH_MAX], struct fq_err *err)
{
	*order = -1;
	for (size_t i = 0; i < sizeof(list_orders) / sizeof(list_orders[0]); i++)
		if (strcmp(list_orders[i].name, q->sort ? q->sort : "deadline") == 0)
			*order = (int)i;
	if (*order < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "sort",
				  "排序应为 deadline、-deadline、reported、-reported 或 -score");
	if (q->state && strcmp(q->state, "open") != 0 && fq_dispute_state_from_code(q->state) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "state",
				  "状态应为 open 或 graded、mediating 等状态代码");
	if (q->grade && fq_dispute_grade_from_code(q->grade) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "grade",
				  "等级应为 general、key 或 major");
	if (q->type && !fq_dispute_type_label(q->type))
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "type", "未知的纠纷类型");
	if (q->overdue < -1 || q->overdue > 1)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "overdue",
				  "overdue 应为 0 或 1");
	snprintf(upath, FQ_UNIT_PATH_MAX, "%s", q->scope_path);
	if (q->unit) {
		int rc = fq_unit_path(c, q->unit, upath, err);
		if (rc == FQ_ENOTFOUND)
			return fq_err_set(err, FQ_EINVAL, "invalid_query", "unit",
					  "未知的单位代码");
		return rc;
	}
	return 0;
}

int fq_dispute_list(struct fq_dbc *c, const struct fq_dispute_query *q, json_t **out,
		    struct fq_err *err)
{
	int open_only = q->state && strcmp(q->state, "open") == 0;
	const char *state = open_only ? NULL : q->state;
	int64_t now = fq__dispute_now(q->now_ms), total = 0;
	char upath[FQ_UNIT_PATH_MAX], sql[4096];
	struct fq_stmt *st;
	json_t *items;
	int order, which, walk, rc;

	*out = NULL;
	if ((rc = check_query(c, q, &order, upath, err)))
		return rc;
	if ((which = scope_test(c, q->scope_path, upath, err)) < 0)
		return which;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM dispute d%s" LIST_FILTERS,
		 scope_where[which]);
	if ((rc = fq_dbc_count(c, err, &total, sql, LIST_TYPES,
			       LIST_ARGS(q, upath, state, open_only, now))))
		return rc;
	walk = which == 0 && !q->reported_from && !q->reported_to;
	snprintf(sql, sizeof(sql),
		 "SELECT " DISPUTE_COLS DISPUTE_FROM
		 " WHERE d.id IN (SELECT d.id FROM dispute d%s%s%s" LIST_FILTERS
		 " ORDER BY %s LIMIT ? OFFSET ?) ORDER BY %s",
		 walk ? " INDEXED BY " : "", walk ? list_orders[order].index : "",
		 scope_where[which], walk ? list_orders[order].order : list_orders[order].sorted,
		 list_orders[order].order);
	rc = fq_dbc_query(c, err, &st, sql, LIST_TYPES "ii",
			  LIST_ARGS(q, upath, state, open_only, now), q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, dispute_row(st, now));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}
