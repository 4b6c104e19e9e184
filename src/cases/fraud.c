#include "cases/fraud.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case_util.h"
#include "command/alert.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

const int64_t fq_fraud_default_deadline_min[FQ_FRAUD_LEVELS] = {30, 120, 24 * 60, 72 * 60};

struct code_label {
	const char *code;
	const char *label;
};

static const struct code_label types[] = {
    {"rebate", "刷单返利"},
    {"investment", "虚假投资理财"},
    {"customer_service", "冒充电商物流客服"},
    {"impersonate_police", "冒充公检法"},
    {"loan", "虚假贷款"},
    {"game_trading", "网络游戏产品虚假交易"},
    {"romance", "网络婚恋交友"},
    {"credit", "虚假征信"},
    {"impersonate_acquaintance", "冒充领导熟人"},
    {"other", "其他"},
    {NULL, NULL},
};

static const struct code_label states[] = {
    {"received", "已接收"},	{"assigned", "已指派"},	     {"contacting", "劝阻中"},
    {"dissuaded", "已劝阻"},	{"not_reached", "未联系上"}, {"already_paid", "已被骗"},
    {"not_involved", "未涉诈"}, {"closed", "已办结"},	     {NULL, NULL},
};

static const struct code_label methods[] = {
    {"phone", "电话"},	  {"visit", "上门"},	     {"sms", "短信"},	{"family", "联系家属"},
    {"bank", "联合银行"}, {"grid_worker", "网格员"}, {"other", "其他"}, {NULL, NULL},
};

static const struct code_label person_states[] = {
    {"already_paid", "已转账"},
    {"about_to_pay", "准备转账"},
    {"not_involved", "未涉诈"},
    {"unknown", "不明"},
    {NULL, NULL},
};

static const struct code_label outreach_kinds[] = {
    {"talk", "宣讲"},
    {"leaflets", "发放传单"},
    {"school", "进校园"},
    {"village", "进村"},
    {"market", "进集市"},
    {"community", "进社区"},
    {"enterprise", "进企业"},
    {"bank", "进银行网点"},
    {"online", "线上宣传"},
    {"other", "其他"},
    {NULL, NULL},
};

static const struct code_label audiences[] = {
    {"residents", "居民"}, {"elderly", "老年人"}, {"students", "学生"}, {"workers", "务工人员"},
    {"merchants", "商户"}, {"tourists", "游客"},  {"mixed", "混合"},	{NULL, NULL},
};

static const struct code_label *const tables[FQ_FRAUD_TABLE_COUNT] = {
    [FQ_FRAUD_TYPE] = types,
    [FQ_FRAUD_STATE] = states,
    [FQ_FRAUD_METHOD] = methods,
    [FQ_FRAUD_PERSON_STATE] = person_states,
    [FQ_FRAUD_OUTREACH_KIND] = outreach_kinds,
    [FQ_FRAUD_AUDIENCE] = audiences,
};

static int table_size(enum fq_fraud_table t)
{
	int n = 0;
	while (tables[t][n].code)
		n++;
	return n;
}

const char *fq_fraud_code(enum fq_fraud_table t, int i)
{
	if ((unsigned)t >= FQ_FRAUD_TABLE_COUNT || i < 0 || i >= table_size(t))
		return NULL;
	return tables[t][i].code;
}

const char *fq_fraud_label(enum fq_fraud_table t, int i)
{
	if ((unsigned)t >= FQ_FRAUD_TABLE_COUNT || i < 0 || i >= table_size(t))
		return NULL;
	return tables[t][i].label;
}

int fq_fraud_lookup(enum fq_fraud_table t, const char *s)
{
	if ((unsigned)t >= FQ_FRAUD_TABLE_COUNT || !s)
		return -1;
	for (int i = 0; tables[t][i].code; i++)
		if (strcmp(tables[t][i].code, s) == 0 || strcmp(tables[t][i].label, s) == 0)
			return i;
	return -1;
}

static const char *label_of(enum fq_fraud_table t, const char *code)
{
	int i = fq_fraud_lookup(t, code);
	return i < 0 ? NULL : tables[t][i].label;
}

int64_t fq_fraud_deadline_at(int64_t received_at, int level, const int64_t minutes[FQ_FRAUD_LEVELS])
{
	if (level < 1)
		level = 1;
	if (level > FQ_FRAUD_LEVELS)
		level = FQ_FRAUD_LEVELS;
	return received_at + minutes[level - 1] * 60 * 1000;
}

int fq_fraud_deadline_minutes(struct fq_dbc *c, int64_t out[FQ_FRAUD_LEVELS], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	memcpy(out, fq_fraud_default_deadline_min, sizeof(fq_fraud_default_deadline_min));
	rc = fq_dbc_query(
	    c, err, &st, "SELECT key, value FROM setting WHERE key LIKE 'fraud.deadline_minutes.%'",
	    "");
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *key = fq_stmt_text(st, 0), *value = fq_stmt_text(st, 1);
		const char *n = key + strlen("fraud.deadline_minutes.");
		char *end;
		long long v = strtoll(value ? value : "", &end, 10);
		if (strlen(n) != 1 || n[0] < '1' || n[0] > '0' + FQ_FRAUD_LEVELS || !value ||
		    !*value || *end || v < 1 || v > FQ_FRAUD_DEADLINE_MAX_MIN) {
			fq_warn("setting %s = %s ignored: want 1..%d minutes", key,
				value ? value : "", FQ_FRAUD_DEADLINE_MAX_MIN);
			continue;
		}
		out[n[0] - '1'] = v;
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int fq_fraud_overdue(const char *state, int reached, int64_t deadline_at, int64_t now_ms)
{
	return !reached && strcmp(state, "closed") != 0 && deadline_at < now_ms;
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

static json_t *time_json(struct fq_stmt *st, int col)
{
	char buf[FQ_RFC3339_MAX];
	if (fq_stmt_is_null(st, col))
		return json_null();
	fq_time_format_cst(fq_stmt_int(st, col), buf);
	return json_string(buf);
}

static json_t *ms_json(int64_t ms)
{
	char buf[FQ_RFC3339_MAX];
	fq_time_format_cst(ms, buf);
	return json_string(buf);
}

static json_t *text_json(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	return s ? json_string(s) : json_null();
}

static json_t *yuan_json(int64_t fen)
{
	return json_real((double)fen / 100.0);
}

/* The station of unit (itself, or the nearest station above it) and its path. */
static int station_of(struct fq_dbc *c, const char *unit, char station[FQ_UNIT_CODE_MAX],
		      char path[FQ_UNIT_PATH_MAX], struct fq_err *err)
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
	return rc;
}

/* The first enabled community officer working at unit; "" when none. */
static int officer_of(struct fq_dbc *c, const char *unit, char out[37], struct fq_err *err)
{
	return fq_dbc_lookup_text(c,
				  "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id"
				  " AND r.role = 'community_officer' WHERE u.unit_code = ?"
				  " AND u.disabled = 0 ORDER BY u.created_at, u.id LIMIT 1",
				  unit, out, 37, "", err);
}

/* ---- routing ---- */

int fq_fraud_route(struct fq_dbc *c, const char *unit, const char *actor_unit,
		   const char *scope_path, int has_location, double lat, double lon,
		   const char *phone_norm, struct fq_fraud_route *out, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX];
	struct fq_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = fq_unit_path(c, unit ? unit : actor_unit, path, err);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(scope_path, path)))
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				  "unit 应为您辖区内的单位代码");
	if (rc)
		return rc;
	/* 1. The grid containing the place, among the stations under the unit (or above it). */
	if (has_location) {
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT code, path FROM unit WHERE kind = 'station' AND"
		    " (substr(path, 1, length(?1)) = ?1 OR substr(?1, 1, length(path)) = path)"
		    " ORDER BY code",
		    "t", path);
		if (rc)
			return rc;
		while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && !out->grid[0]) {
			char grid[FQ_UNIT_CODE_MAX];
			fq_alert_grid_at(c, fq_stmt_text(st, 0), lat, lon, grid);
			if (grid[0]) {
				snprintf(out->grid, sizeof(out->grid), "%s", grid);
				snprintf(out->station, sizeof(out->station), "%s",
					 fq_stmt_text(st, 0));
				snprintf(out->station_path, sizeof(out->station_path), "%s",
					 fq_stmt_text(st, 1));
				out->route = "location";
			}
		}
		fq_stmt_done(st);
		if (rc < 0)
			return rc;
	}
	/* 2. The grid of the latest alert from the same phone under the unit. */
	if (!out->grid[0] && phone_norm && *phone_norm) {
		rc = fq_dbc_query(c, err, &st,
				  "SELECT a.grid_code, s.code, s.path FROM alert a"
				  " JOIN unit s ON s.code = a.unit_code"
				  " WHERE a.caller_phone_norm = ? AND a.grid_code IS NOT NULL"
				  " AND (substr(s.path, 1, length(?2)) = ?2"
				  " OR substr(?2, 1, length(s.path)) = s.path)"
				  " ORDER BY a.received_at DESC LIMIT 1",
				  "tt", phone_norm, path);
		if (rc)
			return rc;
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW) {
			snprintf(out->grid, sizeof(out->grid), "%s", fq_stmt_text(st, 0));
			snprintf(out->station, sizeof(out->station), "%s", fq_stmt_text(st, 1));
			snprintf(out->station_path, sizeof(out->station_path), "%s",
				 fq_stmt_text(st, 2));
			out->route = "phone_history";
		}
		fq_stmt_done(st);
		if (rc < 0)
			return rc;
	}
	/* The grid must be reachable by the receiver: a station outside the scope is not. */
	if (out->grid[0] && !fq_scope_covers(scope_path, out->station_path)) {
		out->grid[0] = out->station[0] = out->station_path[0] = '\0';
		out->route = NULL;
	}
	/* 3. The receiving unit's own station. */
	if (!out->grid[0]) {
		rc = station_of(c, unit ? unit : actor_unit, out->station, out->station_path, err);
		if (rc == FQ_ENOTFOUND)
			return fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
					  "无法按地点或号码确定网格：请用 unit 指明派出所");
		if (rc)
			return rc;
		out->route = "station";
	}
	if (out->grid[0] && (rc = officer_of(c, out->grid, out->officer, err)) &&
	    rc != FQ_ENOTFOUND)
		return rc;
	if (!out->officer[0] && (rc = officer_of(c, out->station, out->officer, err)) &&
	    rc != FQ_ENOTFOUND)
		return rc;
	if (rc == FQ_ENOTFOUND)
		out->officer[0] = '\0';
	return 0;
}

/* ---- creating ---- */

int fq_fraud_validate(struct fq_fraud_new *in, struct fq_err *err)
{
	int64_t now = now_or_clock(in->now_ms);
	int rc;

	in->now_ms = now;
	memset(&in->phone_n, 0, sizeof(in->phone_n));
	memset(&in->id_n, 0, sizeof(in->id_n));
	if (blank(in->phone) && blank(in->id_number) && blank(in->person_name))
		return fq_err_set(err, FQ_EINVAL, "missing_field", "phone",
				  "请给出被预警人的电话号码、身份证号或姓名");
	if (!blank(in->phone) && (rc = fq_phone_normalize(in->phone, &in->phone_n, err))) {
		if (err)
			snprintf(err->field, sizeof(err->field), "phone");
		return rc;
	}
	if (!blank(in->id_number) &&
	    (rc = fq_idnum_parse(in->id_number, "id_number", now, &in->id_n, err)))
		return rc;
	if ((rc = check_len(in->person_name, FQ_FRAUD_NAME_MAX, "person_name", err)) ||
	    (rc = check_len(in->address, FQ_FRAUD_ADDRESS_MAX, "address", err)) ||
	    (rc = check_len(in->description, FQ_FRAUD_TEXT_MAX, "description", err)) ||
	    (rc = check_len(in->external_ref, FQ_FRAUD_REF_MAX, "external_ref", err)) ||
	    (rc = check_len(in->person_id, 64, "person_id", err)))
		return rc;
	if (blank(in->warning_type))
		return fq_err_set(err, FQ_EINVAL, "missing_field", "warning_type",
				  "请给出预警类型");
	in->type = fq_fraud_lookup(FQ_FRAUD_TYPE, in->warning_type);
	if (in->type < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "warning_type",
				  "预警类型“%s”不在类型表中（见 docs/fraud.md）", in->warning_type);
	if (in->level < 1 || in->level > FQ_FRAUD_LEVELS)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "level",
				  "预警级别应为 1（最紧急）到 %d", FQ_FRAUD_LEVELS);
	if (in->has_location && (!isfinite(in->lat) || !isfinite(in->lon) || in->lat < -90 ||
				 in->lat > 90 || in->lon < -180 || in->lon > 180))
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "location", "坐标超出范围");
	if (!in->warned_at)
		in->warned_at = now;
	if (in->warned_at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "in_future", "warned_at",
				  "预警时间不能晚于当前时间");
	if (!in->source)
		in->source = "manual";
	return 0;
}

int fq_fraud_create(struct fq_dbc *c, struct fq_fraud_new *in, char id[37],
		    char number[FQ_NUMBER_MAX], struct fq_err *err)
{
	struct fq_fraud_route route;
	int64_t minutes[FQ_FRAUD_LEVELS], deadline;
	int rc;

	if ((rc = fq_fraud_validate(in, err)) || (rc = fq_fraud_deadline_minutes(c, minutes, err)))
		return rc;
	rc = fq_fraud_route(c, in->unit, in->actor_unit, in->scope_path, in->has_location, in->lat,
			    in->lon, in->phone_n.number, &route, err);
	if (rc)
		return rc;
	deadline = fq_fraud_deadline_at(in->now_ms, (int)in->level, minutes);
	if ((rc = fq_number_next(c, "YJ", route.station, in->now_ms, number, err)))
		return rc;
	fq_uuid7_str(id);
	rc = fq_dbc_run(
	    c, err, NULL,
	    "INSERT INTO fraud_warning (id, number, unit_code, grid_code, assigned_to, route,"
	    " source, external_ref, phone, phone_norm, person_name, id_number, person_id, address,"
	    " lat, lon, warning_type, level, warned_at, received_at, deadline_at, state,"
	    " description, created_at, created_by, updated_at, updated_by)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'assigned', ?,"
	    " ?, ?, ?, ?)",
	    "ttttttttttttttDDtiiiititit", id, number, route.station,
	    route.grid[0] ? route.grid : NULL, route.officer[0] ? route.officer : NULL, route.route,
	    in->source, blank(in->external_ref) ? NULL : in->external_ref,
	    blank(in->phone) ? NULL : in->phone, in->phone_n.number,
	    blank(in->person_name) ? NULL : in->person_name, in->id_n.number,
	    blank(in->person_id) ? NULL : in->person_id, blank(in->address) ? NULL : in->address,
	    in->has_location ? in->lat : NAN, in->has_location ? in->lon : NAN,
	    fq_fraud_code(FQ_FRAUD_TYPE, in->type), in->level, in->warned_at, in->now_ms, deadline,
	    blank(in->description) ? NULL : in->description, in->now_ms, in->actor_id, in->now_ms,
	    in->actor_id);
	if (rc == FQ_ECONFLICT)
		return fq_err_set(err, FQ_ECONFLICT, "duplicate", "external_ref",
				  "该预警（external_ref）已经接收过");
	return rc;
}

/* ---- attempts and closing ---- */

struct warning_row {
	char state[16];
	int64_t version;
	int reached;
};

static int load_state(struct fq_dbc *c, const char *id, struct warning_row *w, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "预警不存在");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT state, version, first_reached_at IS NOT NULL FROM fraud_warning"
			  " WHERE id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(w->state, sizeof(w->state), "%s", fq_stmt_text(st, 0));
		w->version = fq_stmt_int(st, 1);
		w->reached = (int)fq_stmt_int(st, 2);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "预警不存在");
	}
	fq_stmt_done(st);
	return rc;
}

static const char *static_state(const char *s)
{
	int i = fq_fraud_lookup(FQ_FRAUD_STATE, s);
	return i < 0 ? "received" : states[i].code;
}

int fq_fraud_attempt(struct fq_dbc *c, const char *id, const struct fq_fraud_attempt_in *in,
		     const char **from, const char **to, struct fq_err *err)
{
	int64_t now = now_or_clock(in->now_ms), at = in->at ? in->at : now;
	struct warning_row w;
	const char *next;
	char aid[37];
	int method, pstate = -1, rc;

	if ((rc = load_state(c, id, &w, err)))
		return rc;
	if (in->expected_version && in->expected_version != w.version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "预警已被他人修改，请刷新后重试");
	if (strcmp(w.state, "closed") == 0)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_transition", NULL,
				  "预警已办结，不能再记录劝阻");
	method = fq_fraud_lookup(FQ_FRAUD_METHOD, in->method);
	if (method < 0)
		return fq_err_set(
		    err, FQ_EINVAL, in->method ? "invalid_value" : "missing_field", "method",
		    "联系方式应为 phone、visit、sms、family、bank、grid_worker 或 other");
	if (at > now + 5 * 60 * 1000)
		return fq_err_set(err, FQ_EINVAL, "in_future", "at", "劝阻时间不能晚于当前时间");
	if (in->person_state &&
	    (pstate = fq_fraud_lookup(FQ_FRAUD_PERSON_STATE, in->person_state)) < 0)
		return fq_err_set(
		    err, FQ_EINVAL, "invalid_value", "person_state",
		    "当事人状态应为 already_paid、about_to_pay、not_involved 或 unknown");
	if (in->reached && pstate < 0)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "person_state",
				  "联系上当事人时请记录其状态");
	if (!in->reached && in->dissuaded)
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "dissuaded",
				  "未联系上当事人，不能记为劝阻成功");
	if (in->protected_fen < 0 || in->protected_fen > FQ_FRAUD_MONEY_MAX_FEN)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "money_protected_yuan",
				  "止付/保护金额超出范围");
	if (!in->reached && in->protected_fen)
		return fq_err_set(err, FQ_EINVAL, "conflicting_fields", "money_protected_yuan",
				  "未联系上当事人，不能记录保护金额");
	if ((rc = check_len(in->note, FQ_FRAUD_TEXT_MAX, "note", err)))
		return rc;
	/* The state after the attempt. */
	if (!in->reached)
		next = w.reached ? w.state : "not_reached";
	else if (in->dissuaded)
		next = "dissuaded";
	else if (pstate >= 0 && strcmp(person_states[pstate].code, "already_paid") == 0)
		next = "already_paid";
	else if (pstate >= 0 && strcmp(person_states[pstate].code, "not_involved") == 0)
		next = "not_involved";
	else if (strcmp(w.state, "dissuaded") == 0)
		next = "dissuaded"; /* a later call does not undo a dissuasion */
	else
		next = "contacting";
	fq_uuid7_str(aid);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO dissuasion_attempt (id, warning_id, seq, method, at, reached,"
			" person_state, dissuaded, protected_fen, note, by_user, created_at)"
			" VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM dissuasion_attempt"
			" WHERE warning_id = ?2), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tttiitiitti", aid, id, methods[method].code, at, (int64_t) !!in->reached,
			pstate >= 0 ? person_states[pstate].code : NULL, (int64_t) !!in->dissuaded,
			in->protected_fen, blank(in->note) ? NULL : in->note, in->actor_id, now);
	if (!rc)
		rc = fq_dbc_run(
		    c, err, NULL,
		    "UPDATE fraud_warning SET state = ?, attempts = attempts + 1,"
		    " first_reached_at = CASE WHEN ? AND (first_reached_at IS NULL OR"
		    " first_reached_at > ?) THEN ? ELSE first_reached_at END,"
		    " person_state = CASE WHEN ? THEN ? ELSE person_state END,"
		    " dissuaded = MAX(dissuaded, ?), protected_fen = protected_fen + ?,"
		    " version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
		    "tiiiitiiitt", next, (int64_t) !!in->reached, at, at, (int64_t) !!in->reached,
		    pstate >= 0 ? person_states[pstate].code : NULL, (int64_t) !!in->dissuaded,
		    in->protected_fen, now, in->actor_id, id);
	if (rc)
		return rc;
	if (from)
		*from = static_state(w.state);
	if (to)
		*to = static_state(next);
	return 0;
}

int fq_fraud_close(struct fq_dbc *c, const char *id, int64_t expected_version, const char *actor_id,
		   int64_t now_ms, const char **outcome, struct fq_err *err)
{
	struct warning_row w;
	int rc;

	if ((rc = load_state(c, id, &w, err)))
		return rc;
	if (expected_version && expected_version != w.version)
		return fq_err_set(err, FQ_ECONFLICT, "stale_version", "version",
				  "预警已被他人修改，请刷新后重试");
	if (strcmp(w.state, "dissuaded") != 0 && strcmp(w.state, "not_reached") != 0 &&
	    strcmp(w.state, "already_paid") != 0 && strcmp(w.state, "not_involved") != 0)
		return fq_err_set(err, FQ_ECONFLICT, "invalid_transition", NULL,
				  "预警处于“%s”状态，不能办结：请先记录劝阻结果",
				  label_of(FQ_FRAUD_STATE, w.state));
	rc = fq_dbc_run(c, err, NULL,
			"UPDATE fraud_warning SET state = 'closed', outcome = state,"
			" version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
			"itt", now_or_clock(now_ms), actor_id, id);
	if (!rc && outcome)
		*outcome = static_state(w.state);
	return rc;
}

int fq_fraud_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err)
{
	if (!fq_uuid_valid(id))
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "预警不存在");
	return fq_dbc_lookup_text(c,
				  "SELECT u.path FROM fraud_warning w JOIN unit u"
				  " ON u.code = w.unit_code WHERE w.id = ?",
				  id, path, FQ_UNIT_PATH_MAX, "预警不存在", err);
}

/* ---- reading ---- */

#define WARNING_COLUMNS                                                                            \
	"w.id, w.number, w.unit_code, w.grid_code, w.assigned_to, au.display_name, w.route,"       \
	" w.source, w.external_ref, w.phone_norm, w.person_name, w.id_number, w.person_id,"        \
	" w.address, w.lat, w.lon, w.warning_type, w.level, w.warned_at, w.received_at,"           \
	" w.deadline_at, w.state, w.outcome, w.attempts, w.first_reached_at, w.person_state,"      \
	" w.dissuaded, w.protected_fen, w.escalated_at, w.escalated_to, w.description,"            \
	" w.version, w.created_at, w.updated_at,"                                                  \
	" (SELECT COUNT(*) FROM fraud_link l WHERE l.warning_id = w.id)"
#define WARNING_FROM " FROM fraud_warning w LEFT JOIN app_user au ON au.id = w.assigned_to"
/* The warnings of the stations under the unit path bound as ?1 (uses the unit_code indexes). */
#define STATIONS_UNDER_1                                                                           \
	" w.unit_code IN (SELECT code FROM unit WHERE kind = 'station'"                            \
	" AND substr(path, 1, length(?1)) = ?1)"

static json_t *row_json(struct fq_stmt *st, int mask_phone, int mask_id, int64_t now)
{
	json_t *j = json_object();
	const char *phone = fq_stmt_text(st, 9), *idn = fq_stmt_text(st, 11);
	const char *state = fq_stmt_text(st, 21);
	int64_t deadline = fq_stmt_int(st, 20);
	int reached = !fq_stmt_is_null(st, 24);
	int open = strcmp(state, "closed") != 0;

	json_object_set_new(j, "id", text_json(st, 0));
	json_object_set_new(j, "number", text_json(st, 1));
	json_object_set_new(j, "unit", text_json(st, 2));
	json_object_set_new(j, "grid", text_json(st, 3));
	json_object_set_new(j, "assigned_to", text_json(st, 4));
	json_object_set_new(j, "assigned_to_name", text_json(st, 5));
	json_object_set_new(j, "route", text_json(st, 6));
	json_object_set_new(j, "source", text_json(st, 7));
	json_object_set_new(j, "external_ref", text_json(st, 8));
	if (phone && *phone) {
		char masked[FQ_PHONE_MAX + 1];
		if (mask_phone)
			(void)fq_phone_mask(phone, masked);
		json_object_set_new(j, "phone", json_string(mask_phone ? masked : phone));
	} else {
		json_object_set_new(j, "phone", json_null());
	}
	json_object_set_new(j, "person_name", text_json(st, 10));
	if (idn && *idn) {
		char masked[FQ_IDNUM_LEN + 1];
		if (mask_id)
			(void)fq_idnum_mask(idn, masked);
		json_object_set_new(j, "id_number", json_string(mask_id ? masked : idn));
	} else {
		json_object_set_new(j, "id_number", json_null());
	}
	json_object_set_new(j, "masked",
			    json_pack("{s:b, s:b}", "phone", mask_phone, "id_number", mask_id));
	json_object_set_new(j, "person_id", text_json(st, 12));
	json_object_set_new(j, "address", text_json(st, 13));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 14)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 14), "lon",
					    fq_stmt_double(st, 15)));
	json_object_set_new(j, "warning_type", text_json(st, 16));
	json_object_set_new(j, "warning_type_label",
			    json_string(label_of(FQ_FRAUD_TYPE, fq_stmt_text(st, 16))));
	json_object_set_new(j, "level", json_integer(fq_stmt_int(st, 17)));
	json_object_set_new(j, "warned_at", time_json(st, 18));
	json_object_set_new(j, "received_at", time_json(st, 19));
	json_object_set_new(j, "deadline_at", time_json(st, 20));
	json_object_set_new(j, "state", json_string(state));
	json_object_set_new(j, "state_label", json_string(label_of(FQ_FRAUD_STATE, state)));
	json_object_set_new(j, "outcome", text_json(st, 22));
	json_object_set_new(j, "attempts", json_integer(fq_stmt_int(st, 23)));
	json_object_set_new(j, "first_reached_at", time_json(st, 24));
	json_object_set_new(j, "reached_in_time",
			    reached ? json_boolean(fq_stmt_int(st, 24) <= deadline) : json_null());
	json_object_set_new(j, "person_state", text_json(st, 25));
	json_object_set_new(j, "dissuaded", json_boolean(fq_stmt_int(st, 26)));
	json_object_set_new(j, "money_protected_yuan", yuan_json(fq_stmt_int(st, 27)));
	json_object_set_new(j, "escalated_at", time_json(st, 28));
	json_object_set_new(j, "escalated_to", text_json(st, 29));
	json_object_set_new(j, "description", text_json(st, 30));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 31)));
	json_object_set_new(j, "created_at", time_json(st, 32));
	json_object_set_new(j, "updated_at", time_json(st, 33));
	json_object_set_new(j, "defrauded_after", json_boolean(fq_stmt_int(st, 34) > 0));
	/* The countdown runs until the person is reached or the warning closed. */
	json_object_set_new(j, "remaining_s",
			    !reached && open ? json_integer((deadline - now) / 1000) : json_null());
	json_object_set_new(j, "overdue",
			    json_boolean(fq_fraud_overdue(state, reached, deadline, now)));
	return j;
}

static int attempts_json(struct fq_dbc *c, const char *id, json_t *out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT a.seq, a.method, a.at, a.reached, a.person_state, a.dissuaded, a.protected_fen,"
	    " a.note, a.by_user, u.display_name FROM dissuasion_attempt a"
	    " LEFT JOIN app_user u ON u.id = a.by_user WHERE a.warning_id = ? ORDER BY a.seq",
	    "t", id);

	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    out, json_pack("{s:I, s:o, s:o, s:b, s:o, s:b, s:o, s:o, s:o, s:o}", "seq",
				   (json_int_t)fq_stmt_int(st, 0), "method", text_json(st, 1), "at",
				   time_json(st, 2), "reached", (int)fq_stmt_int(st, 3),
				   "person_state", text_json(st, 4), "dissuaded",
				   (int)fq_stmt_int(st, 5), "money_protected_yuan",
				   yuan_json(fq_stmt_int(st, 6)), "note", text_json(st, 7), "by",
				   text_json(st, 8), "by_name", text_json(st, 9)));
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int links_json(struct fq_dbc *c, const char *id, json_t *out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT kind, object_id, matched_by, reported_at, linked_at, linked_by,"
			 " note FROM fraud_link WHERE warning_id = ? ORDER BY linked_at",
			 "t", id);

	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    out, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "kind", text_json(st, 0),
				   "object_id", text_json(st, 1), "matched_by", text_json(st, 2),
				   "reported_at", time_json(st, 3), "linked_at", time_json(st, 4),
				   "linked_by", text_json(st, 5), "note", text_json(st, 6)));
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int fq_fraud_json(struct fq_dbc *c, const char *id, int detail, int mask_phone, int mask_id,
		  int64_t now_ms, json_t **out, struct fq_err *err)
{
	int64_t now = now_or_clock(now_ms);
	struct fq_stmt *st;
	json_t *j = NULL;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st, "SELECT " WARNING_COLUMNS WARNING_FROM " WHERE w.id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		j = row_json(st, mask_phone, mask_id, now);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "预警不存在");
	}
	fq_stmt_done(st);
	if (!rc && detail) {
		json_t *a = json_array(), *l = json_array();
		json_object_set_new(j, "attempt_log", a);
		json_object_set_new(j, "links", l);
		rc = attempts_json(c, id, a, err);
		if (!rc)
			rc = links_json(c, id, l, err);
	}
	if (rc) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

int fq_fraud_list(struct fq_dbc *c, const struct fq_fraud_query *q, json_t **out,
		  struct fq_err *err)
{
	static const struct {
		const char *name, *sql;
	} sorts[] = {
	    {"deadline", "w.deadline_at, w.id"},
	    {"-deadline", "w.deadline_at DESC, w.id DESC"},
	    {"received", "w.received_at, w.id"},
	    {"-received", "w.received_at DESC, w.id DESC"},
	    {"level", "w.level, w.deadline_at, w.id"},
	};
	/*
	 * For choosing a page's ids (below): the sort order's covering index, and
	 * the same orders with a unary + (sorted rather than walked).
	 */
	static const char *const walk_index[] = {
	    "fraud_warning_deadline_cover", "fraud_warning_deadline_cover",
	    "fraud_warning_received_cover", "fraud_warning_received_cover",
	    "fraud_warning_level_cover",
	};
	static const char *const inner_sorts[] = {
	    "+w.deadline_at, +w.id",	       "+w.deadline_at DESC, +w.id DESC",
	    "+w.received_at, +w.id",	       "+w.received_at DESC, +w.id DESC",
	    "+w.level, +w.deadline_at, +w.id",
	};
	int64_t now = now_or_clock(q->now_ms);
	int64_t from = q->from_ms ? q->from_ms : INT64_MIN, to = q->to_ms ? q->to_ms : INT64_MAX;
	const char *order = sorts[0].sql, *inner = inner_sorts[0], *index = walk_index[0];
	const char *text = NULL, *digits = NULL;
	char where[1536];
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc, found = 0, open_only;

	if (q->sort) {
		for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
			if (strcmp(sorts[i].name, q->sort) == 0) {
				order = sorts[i].sql;
				inner = inner_sorts[i];
				index = walk_index[i];
				found = 1;
			}
		if (!found)
			return fq_err_set(
			    err, FQ_EINVAL, "invalid_query", "sort",
			    "sort 应为 deadline、-deadline、received、-received 或 level");
	}
	if (q->state && strcmp(q->state, "open") != 0 &&
	    fq_fraud_lookup(FQ_FRAUD_STATE, q->state) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "state", "未知的状态 %s",
				  q->state);
	if (q->warning_type && fq_fraud_lookup(FQ_FRAUD_TYPE, q->warning_type) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "warning_type",
				  "未知的预警类型 %s", q->warning_type);
	if (q->level && (q->level < 1 || q->level > FQ_FRAUD_LEVELS))
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "level", "level 应为 1 到 %d",
				  FQ_FRAUD_LEVELS);
	if (q->q) {
		size_t n = strlen(q->q), nd = 0;
		if (n > FQ_FRAUD_SEARCH_MAX)
			return fq_err_set(err, FQ_EINVAL, "too_long", "q",
					  "搜索内容不能超过 %d 个字符", FQ_FRAUD_SEARCH_MAX);
		if (n) {
			text = q->q;
			for (size_t i = 0; i < n; i++)
				nd += q->q[i] >= '0' && q->q[i] <= '9';
			if (!q->mask_phone && nd == n && n >= 4)
				digits = q->q;
		}
	}
	/*
	 * A state other than closed, or overdue, implies not closed: said in so
	 * many words, it lets the list read the partial index of the warnings
	 * not closed (migration 0015), a few among years of closed ones.
	 */
	open_only = (q->state && strcmp(q->state, "closed") != 0) || q->overdue == 1;
	/*
	 * Every filter is bound; an absent one binds NULL (or an open bound)
	 * and matches everything. Station and receipt time come first, for
	 * the (unit_code, ...) indexes.
	 */
	snprintf(where, sizeof(where),
		 " WHERE" STATIONS_UNDER_1 " AND w.received_at >= ?10 AND w.received_at < ?11"
		 " AND (?2 IS NULL OR (?2 = 'open' AND w.state <> 'closed') OR w.state = ?2)"
		 " AND (?3 IS NULL OR w.warning_type = ?3)"
		 " AND (?4 IS NULL OR w.grid_code = ?4)"
		 " AND (?5 IS NULL OR w.assigned_to = ?5)"
		 " AND (?6 = 0 OR w.level = ?6)"
		 " AND (?7 < 0 OR ?7 = (w.first_reached_at IS NULL AND w.state <> 'closed'"
		 " AND w.deadline_at < ?8))"
		 " AND (?9 < 0 OR ?9 = (w.escalated_at IS NOT NULL))"
		 " AND (?12 IS NULL OR instr(w.number, ?12) > 0"
		 " OR instr(COALESCE(w.external_ref, ''), ?12) > 0"
		 " OR instr(COALESCE(w.person_name, ''), ?12) > 0"
		 " OR instr(COALESCE(w.address, ''), ?12) > 0"
		 " OR (?13 IS NOT NULL AND instr(w.phone_norm, ?13) > 0))%s",
		 open_only ? " AND w.state <> 'closed'" : "");
	{
		char sql[4096];
		const char *wt =
		    q->warning_type ? fq_fraud_code(FQ_FRAUD_TYPE,
						    fq_fraud_lookup(FQ_FRAUD_TYPE, q->warning_type))
				    : NULL;
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM fraud_warning w%s%s",
			 open_only ? " INDEXED BY fraud_warning_open" : "", where);
		if ((rc =
			 fq_dbc_count(c, err, &total, sql, "tttttiiiiiitt", q->scope_path, q->state,
				      wt, q->grid, q->assigned_to, q->level, (int64_t)q->overdue,
				      now, (int64_t)q->escalated, from, to, text, digits)))
			return rc;
		/*
		 * The page's ids first, on index columns alone (migration 0015),
		 * then the columns of those rows only. Without a period, the page
		 * walks the sort order's covering index and stops after its rows;
		 * with one, the period's rows come from the station's covering
		 * index and are sorted (the unary + keeps the planner from
		 * walking).
		 */
		int walk = !q->from_ms && !q->to_ms;
		if (open_only) {
			/* The few warnings not closed, in deadline order: walked or sorted. */
			walk = strcmp(index, "fraud_warning_deadline_cover") == 0;
			index = "fraud_warning_open";
		}
		snprintf(sql, sizeof(sql),
			 "SELECT " WARNING_COLUMNS WARNING_FROM
			 " WHERE w.id IN (SELECT w.id FROM fraud_warning w%s%s%s ORDER BY %s"
			 " LIMIT ?14 OFFSET ?15) ORDER BY %s",
			 walk ? " INDEXED BY " : "", walk ? index : "", where, walk ? order : inner,
			 order);
		rc = fq_dbc_query(c, err, &st, sql, "tttttiiiiiittii", q->scope_path, q->state, wt,
				  q->grid, q->assigned_to, q->level, (int64_t)q->overdue, now,
				  (int64_t)q->escalated, from, to, text, digits, q->per_page,
				  (q->page - 1) * q->per_page);
		if (rc)
			return rc;
	}
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, row_json(st, q->mask_phone, q->mask_id, now));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

/* ---- follow-up: defrauded after the warning ---- */

int fq_fraud_link(struct fq_dbc *c, const char *warning_id, const char *kind, const char *object_id,
		  const char *scope_path, const char *note, const char *actor_id, int64_t now_ms,
		  struct fq_err *err)
{
	int64_t now = now_or_clock(now_ms), reported = now, changed = 0;
	struct warning_row w;
	int rc;

	if ((rc = load_state(c, warning_id, &w, err)))
		return rc;
	if (!kind || (strcmp(kind, "alert") != 0 && strcmp(kind, "case") != 0))
		return fq_err_set(err, FQ_EINVAL, kind ? "invalid_value" : "missing_field", "kind",
				  "kind 应为 alert 或 case");
	if (blank(object_id) || !fq_uuid_valid(object_id))
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "object_id",
				  "object_id 应为报警或案件的编号");
	if ((rc = check_len(note, FQ_FRAUD_TEXT_MAX, "note", err)))
		return rc;
	if (strcmp(kind, "alert") == 0) {
		struct fq_stmt *st;
		int ok = 0;
		rc = fq_dbc_query(c, err, &st,
				  "SELECT a.received_at, u.path FROM alert a JOIN unit u"
				  " ON u.code = a.unit_code WHERE a.id = ?",
				  "t", object_id);
		if (rc)
			return rc;
		if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
			reported = fq_stmt_int(st, 0);
			ok = fq_scope_covers(scope_path, fq_stmt_text(st, 1));
		}
		fq_stmt_done(st);
		if (rc < 0)
			return rc;
		if (!ok)
			return fq_err_set(err, FQ_EINVAL, "unknown_object", "object_id",
					  "报警不存在或不在您的辖区");
	}
	rc = fq_dbc_run(
	    c, err, &changed,
	    "INSERT OR IGNORE INTO fraud_link (warning_id, kind, object_id, matched_by,"
	    " reported_at, linked_at, linked_by, note) VALUES (?, ?, ?, 'manual', ?, ?, ?, ?)",
	    "tttiitt", warning_id, kind, object_id, reported, now, actor_id,
	    blank(note) ? NULL : note);
	if (!rc && !changed)
		return fq_err_set(err, FQ_ECONFLICT, "already_linked", "object_id", "已经关联过");
	if (!rc)
		rc = fq_dbc_run(c, err, NULL,
				"UPDATE fraud_warning SET version = version + 1, updated_at = ?,"
				" updated_by = ? WHERE id = ?",
				"itt", now, actor_id, warning_id);
	return rc;
}

struct pending_event {
	char warning_id[37];
	char number[FQ_NUMBER_MAX];
	char unit[FQ_UNIT_CODE_MAX];
	char object[37];
	int64_t deadline_at, reported_at;
};

int fq_fraud_link_scan(struct fq_dbc *c, int64_t now_ms, fq_fraud_event_fn on_linked, void *arg,
		       int *linked, struct fq_err *err)
{
	int64_t now = now_or_clock(now_ms);
	struct pending_event *ev = fq_xcalloc(FQ_FRAUD_ESCALATE_BATCH, sizeof(*ev));
	struct fq_stmt *st;
	int n = 0, count = 0, rc;

	if (linked)
		*linked = 0;
	if ((rc = fq_dbc_begin(c, 1, err)))
		goto out_free;
	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT w.id, w.number, w.unit_code, a.id, a.received_at FROM fraud_warning w"
	    " JOIN alert a ON a.caller_phone_norm = w.phone_norm AND a.received_at >= w.warned_at"
	    " AND a.received_at < w.warned_at + ? AND a.category = 'criminal.fraud'"
	    " WHERE w.phone_norm <> '' AND w.warned_at >= ? - ?"
	    " AND NOT EXISTS (SELECT 1 FROM fraud_link l WHERE l.warning_id = w.id"
	    " AND l.kind = 'alert' AND l.object_id = a.id)"
	    " ORDER BY a.received_at, w.id LIMIT ?",
	    "iiii", (int64_t)FQ_FRAUD_LINK_WINDOW_MS, now, (int64_t)FQ_FRAUD_LINK_WINDOW_MS,
	    (int64_t)FQ_FRAUD_ESCALATE_BATCH);
	if (rc)
		goto out_rollback;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && n < FQ_FRAUD_ESCALATE_BATCH) {
		struct pending_event *e = &ev[n++];
		snprintf(e->warning_id, sizeof(e->warning_id), "%s", fq_stmt_text(st, 0));
		snprintf(e->number, sizeof(e->number), "%s", fq_stmt_text(st, 1));
		snprintf(e->unit, sizeof(e->unit), "%s", fq_stmt_text(st, 2));
		snprintf(e->object, sizeof(e->object), "%s", fq_stmt_text(st, 3));
		e->reported_at = fq_stmt_int(st, 4);
	}
	fq_stmt_done(st);
	if (rc < 0)
		goto out_rollback;
	for (int i = 0; i < n; i++) {
		struct fq_fraud_event e = {.warning_id = ev[i].warning_id,
					   .number = ev[i].number,
					   .unit_code = ev[i].unit,
					   .object_id = ev[i].object,
					   .at = now};
		int64_t changed = 0;
		rc = fq_dbc_run(
		    c, err, &changed,
		    "INSERT OR IGNORE INTO fraud_link (warning_id, kind, object_id,"
		    " matched_by, reported_at, linked_at) VALUES (?, 'alert', ?, 'phone',"
		    " ?, ?)",
		    "ttii", ev[i].warning_id, ev[i].object, ev[i].reported_at, now);
		if (rc)
			goto out_rollback;
		if (!changed)
			continue;
		if (on_linked && (rc = on_linked(arg, c, &e, err)))
			goto out_rollback;
		count++;
	}
	if ((rc = fq_dbc_commit(c, err)))
		goto out_rollback;
	if (linked)
		*linked = count;
	goto out_free;
out_rollback:
	fq_dbc_rollback(c);
out_free:
	free(ev);
	return rc;
}

/* ---- escalation ---- */

int fq_fraud_escalate_overdue(struct fq_dbc *c, int64_t now_ms, fq_fraud_event_fn on_escalated,
			      void *arg, int *escalated, struct fq_err *err)
{
	int64_t now = now_or_clock(now_ms);
	struct pending_event *ev = fq_xcalloc(FQ_FRAUD_ESCALATE_BATCH, sizeof(*ev));
	struct fq_stmt *st;
	int n = 0, count = 0, rc;

	if (escalated)
		*escalated = 0;
	if ((rc = fq_dbc_begin(c, 1, err)))
		goto out_free;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT id, number, unit_code, deadline_at FROM fraud_warning"
			  " WHERE escalated_at IS NULL AND first_reached_at IS NULL"
			  " AND state <> 'closed' AND deadline_at < ? ORDER BY deadline_at, rowid"
			  " LIMIT ?",
			  "ii", now, (int64_t)FQ_FRAUD_ESCALATE_BATCH);
	if (rc)
		goto out_rollback;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && n < FQ_FRAUD_ESCALATE_BATCH) {
		struct pending_event *e = &ev[n++];
		snprintf(e->warning_id, sizeof(e->warning_id), "%s", fq_stmt_text(st, 0));
		snprintf(e->number, sizeof(e->number), "%s", fq_stmt_text(st, 1));
		snprintf(e->unit, sizeof(e->unit), "%s", fq_stmt_text(st, 2));
		e->deadline_at = fq_stmt_int(st, 3);
	}
	fq_stmt_done(st);
	if (rc < 0)
		goto out_rollback;
	for (int i = 0; i < n; i++) {
		struct fq_fraud_event e = {.warning_id = ev[i].warning_id,
					   .number = ev[i].number,
					   .unit_code = ev[i].unit,
					   .deadline_at = ev[i].deadline_at,
					   .at = now};
		int64_t changed = 0;
		rc = fq_dbc_lookup_text(
		    c,
		    "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id"
		    " AND r.role = 'chief' WHERE u.unit_code = ? AND u.disabled = 0"
		    " ORDER BY u.created_at, u.id LIMIT 1",
		    ev[i].unit, ev[i].object, sizeof(ev[i].object), "", err);
		if (rc == FQ_ENOTFOUND)
			ev[i].object[0] = '\0';
		else if (rc)
			goto out_rollback;
		rc =
		    fq_dbc_run(c, err, &changed,
			       "UPDATE fraud_warning SET escalated_at = ?, escalated_to = ?"
			       " WHERE id = ? AND escalated_at IS NULL",
			       "itt", now, ev[i].object[0] ? ev[i].object : NULL, ev[i].warning_id);
		if (rc)
			goto out_rollback;
		if (!changed)
			continue;
		e.object_id = ev[i].object[0] ? ev[i].object : NULL;
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
	free(ev);
	return rc;
}

/* ---- outreach ---- */

static json_t *outreach_row(struct fq_stmt *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:I, s:o}", "id",
			 text_json(st, 0), "unit", text_json(st, 1), "held_at", time_json(st, 2),
			 "place", text_json(st, 3), "kind", text_json(st, 4), "audience",
			 text_json(st, 5), "attendance", (json_int_t)fq_stmt_int(st, 6), "note",
			 text_json(st, 7), "version", (json_int_t)fq_stmt_int(st, 8), "created_at",
			 time_json(st, 9));
}

#define OUTREACH_COLUMNS                                                                           \
	"o.id, o.unit_code, o.held_at, o.place, o.kind, o.audience, o.attendance, o.note,"         \
	" o.version, o.created_at"

int fq_fraud_outreach_create(struct fq_dbc *c, const struct fq_fraud_outreach_new *in, char id[37],
			     json_t **out, struct fq_err *err)
{
	int64_t now = now_or_clock(in->now_ms);
	const char *unit = in->unit ? in->unit : in->actor_unit;
	char station[FQ_UNIT_CODE_MAX], path[FQ_UNIT_PATH_MAX], upath[FQ_UNIT_PATH_MAX];
	int kind, audience, rc;
	struct fq_stmt *st;

	*out = NULL;
	rc = fq_unit_path(c, unit, upath, err);
	if (rc == FQ_ENOTFOUND || (!rc && !fq_scope_covers(in->scope_path, upath)))
		return fq_err_set(err, FQ_EINVAL, "unknown_unit", "unit",
				  "unit 应为您辖区内的单位代码");
	if (rc)
		return rc;
	rc = station_of(c, unit, station, path, err);
	if (rc == FQ_ENOTFOUND)
		return fq_err_set(err, FQ_EINVAL, "missing_field", "unit",
				  "请用 unit 指明派出所、警务室或网格");
	if (rc)
		return rc;
	if (blank(in->place))
		return fq_err_set(err, FQ_EINVAL, "missing_field", "place", "请填写地点");
	if ((rc = check_len(in->place, FQ_FRAUD_ADDRESS_MAX, "place", err)) ||
	    (rc = check_len(in->note, FQ_FRAUD_TEXT_MAX, "note", err)))
		return rc;
	kind = fq_fraud_lookup(FQ_FRAUD_OUTREACH_KIND, in->kind);
	if (kind < 0)
		return fq_err_set(err, FQ_EINVAL, in->kind ? "invalid_value" : "missing_field",
				  "kind", "宣传形式不在类型表中（见 docs/fraud.md）");
	audience = fq_fraud_lookup(FQ_FRAUD_AUDIENCE, in->audience);
	if (audience < 0)
		return fq_err_set(err, FQ_EINVAL, in->audience ? "invalid_value" : "missing_field",
				  "audience", "受众不在类型表中（见 docs/fraud.md）");
	if (in->attendance < 0 || in->attendance > 1000000)
		return fq_err_set(err, FQ_EINVAL, "out_of_range", "attendance",
				  "参加人数应为 0 到 1000000");
	if (!in->held_at || in->held_at > now + 366LL * 86400 * 1000)
		return fq_err_set(err, FQ_EINVAL, "invalid_value", "held_at", "请给出活动时间");
	fq_uuid7_str(id);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO fraud_outreach (id, unit_code, held_at, place, kind, audience,"
			" attendance, note, created_at, created_by, updated_at, updated_by)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"ttitttititit", id, unit, in->held_at, in->place, outreach_kinds[kind].code,
			audiences[audience].code, in->attendance, blank(in->note) ? NULL : in->note,
			now, in->actor_id, now, in->actor_id);
	if (rc)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT " OUTREACH_COLUMNS " FROM fraud_outreach o WHERE o.id = ?", "t",
			  id);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		*out = outreach_row(st);
		json_object_set_new(*out, "station", json_string(station));
		rc = 0;
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int fq_fraud_outreach_list(struct fq_dbc *c, const char *scope_path, int64_t from_ms, int64_t to_ms,
			   int64_t page, int64_t per_page, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc =
	    fq_dbc_count(c, err, &total,
			 "SELECT COUNT(*) FROM fraud_outreach o JOIN unit u ON u.code = o.unit_code"
			 " WHERE substr(u.path, 1, length(?1)) = ?1"
			 " AND (?2 = 0 OR o.held_at >= ?2) AND (?3 = 0 OR o.held_at < ?3)",
			 "tii", scope_path, from_ms, to_ms);
	if (rc)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT " OUTREACH_COLUMNS
			  " FROM fraud_outreach o JOIN unit u ON u.code = o.unit_code"
			  " WHERE substr(u.path, 1, length(?1)) = ?1"
			  " AND (?2 = 0 OR o.held_at >= ?2) AND (?3 = 0 OR o.held_at < ?3)"
			  " ORDER BY o.held_at DESC, o.id DESC LIMIT ?4 OFFSET ?5",
			  "tiiii", scope_path, from_ms, to_ms, per_page, (page - 1) * per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, outreach_row(st));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}

/* ---- KPIs ---- */

/* The figures of one warning w as the KPI counts them, as of ?4. */
#define ROW_FIGURES                                                                                \
	" 1, w.first_reached_at IS NOT NULL,"                                                      \
	" w.first_reached_at IS NOT NULL AND w.first_reached_at <= w.deadline_at,"                 \
	" (w.first_reached_at IS NOT NULL AND w.first_reached_at > w.deadline_at)"                 \
	" OR (w.first_reached_at IS NULL AND (w.deadline_at < ?4 OR w.state = 'closed')),"         \
	" w.first_reached_at IS NULL AND w.deadline_at >= ?4 AND w.state <> 'closed',"             \
	" w.dissuaded,"                                                                            \
	" w.first_reached_at IS NOT NULL AND w.dissuaded = 0 AND w.person_state = 'not_involved'," \
	" w.first_reached_at IS NOT NULL AND w.dissuaded = 0 AND w.person_state = 'already_paid'," \
	" w.protected_fen, w.escalated_at IS NOT NULL"

int fq_fraud_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
		    int64_t now_ms, struct fq_fraud_counts *out, struct fq_err *err)
{
	int64_t now = now_or_clock(now_ms), b1, b2, e1, e2;
	struct fq_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	fq_kpi_buckets(from_ms, to_ms, &b1, &b2, &e1, &e2);
	/*
	 * The aggregate buckets ?7 to ?8 (migration 0015) cover [?5, ?6) with
	 * the figures that do not depend on the time ?4; the warnings of [?2,
	 * ?5) and [?6, ?3) are read one by one, and those of [?5, ?6) neither
	 * reached nor closed for missed and pending, which do.
	 */
	rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT COALESCE(SUM(k.n1), 0), COALESCE(SUM(k.n2), 0), COALESCE(SUM(k.n3), 0),"
	    " COALESCE(SUM(k.n4), 0), COALESCE(SUM(k.n5), 0), COALESCE(SUM(k.n6), 0),"
	    " COALESCE(SUM(k.n7), 0), COALESCE(SUM(k.n8), 0), COALESCE(SUM(k.n9), 0),"
	    " COALESCE(SUM(k.n10), 0) FROM ("
	    "SELECT b.warnings AS n1, b.reached AS n2, b.reached_in_time AS n3, b.missed_closed AS "
	    "n4,"
	    " 0 AS n5, b.dissuaded AS n6, b.not_involved AS n7, b.already_paid AS n8,"
	    " b.protected_fen AS n9, b.escalated AS n10 FROM fraud_kpi_bucket b"
	    " WHERE b.unit_code IN (SELECT code FROM unit WHERE kind = 'station'"
	    " AND substr(path, 1, length(?1)) = ?1) AND b.bucket >= ?7 AND b.bucket <= ?8"
	    " UNION ALL SELECT" ROW_FIGURES " FROM fraud_warning w WHERE" STATIONS_UNDER_1
	    " AND w.received_at >= ?2 AND w.received_at < ?5"
	    " UNION ALL SELECT" ROW_FIGURES " FROM fraud_warning w WHERE" STATIONS_UNDER_1
	    " AND w.received_at >= ?6 AND w.received_at < ?3"
	    " UNION ALL SELECT 0, 0, 0, w.deadline_at < ?4, w.deadline_at >= ?4, 0, 0, 0, 0, 0"
	    " FROM fraud_warning w INDEXED BY fraud_warning_unreached WHERE" STATIONS_UNDER_1
	    " AND w.first_reached_at IS NULL AND w.state <> 'closed'"
	    " AND w.received_at >= ?5 AND w.received_at < ?6) AS k",
	    "tiiiiiii", unit_path, from_ms, to_ms, now, e1, e2, b1, b2);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		out->warnings = fq_stmt_int(st, 0);
		out->reached = fq_stmt_int(st, 1);
		out->reached_in_time = fq_stmt_int(st, 2);
		out->missed = fq_stmt_int(st, 3);
		out->pending = fq_stmt_int(st, 4);
		out->dissuaded = fq_stmt_int(st, 5);
		out->not_involved = fq_stmt_int(st, 6);
		out->already_paid = fq_stmt_int(st, 7);
		out->protected_fen = fq_stmt_int(st, 8);
		out->escalated = fq_stmt_int(st, 9);
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = fq_dbc_query(
	    c, err, &st,
	    /* The links first (CROSS JOIN keeps that order): a few, against years of warnings. */
	    "SELECT COUNT(DISTINCT l.warning_id) FROM fraud_link l"
	    " CROSS JOIN fraud_warning w ON w.id = l.warning_id"
	    " WHERE" STATIONS_UNDER_1 " AND w.received_at >= ?2 AND w.received_at < ?3",
	    "tii", unit_path, from_ms, to_ms);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		out->defrauded_after = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT COUNT(*), COALESCE(SUM(o.attendance), 0) FROM fraud_outreach o"
			  " JOIN unit u ON u.code = o.unit_code"
			  " WHERE substr(u.path, 1, length(?1)) = ?1 AND o.held_at >= ?2"
			  " AND o.held_at < ?3",
			  "tii", unit_path, from_ms, to_ms);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		out->outreach_events = fq_stmt_int(st, 0);
		out->outreach_attendance = fq_stmt_int(st, 1);
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

json_t *fq_fraud_rate_json(int64_t num, int64_t den)
{
	if (den <= 0)
		return json_null();
	return json_real(round((double)num / (double)den * 10000.0) / 10000.0);
}

int fq_fraud_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
		      int64_t now_ms, json_t **out, struct fq_err *err)
{
	int64_t now = now_or_clock(now_ms);
	char path[FQ_UNIT_PATH_MAX];
	struct fq_fraud_counts k;
	int rc;

	*out = NULL;
	if (to_ms <= from_ms)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "to", "to 应晚于 from");
	if ((rc = fq_unit_path(c, unit_code, path, err)) ||
	    (rc = fq_fraud_counts(c, path, from_ms, to_ms, now, &k, err)))
		return rc;
	*out = json_pack(
	    "{s:s, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, "
	    "s:I},"
	    " s:{s:o, s:o}}",
	    "unit", unit_code, "from", ms_json(from_ms), "to", ms_json(to_ms), "as_of",
	    ms_json(now), "counts", "warnings", (json_int_t)k.warnings, "reached",
	    (json_int_t)k.reached, "reached_in_time", (json_int_t)k.reached_in_time, "missed",
	    (json_int_t)k.missed, "pending", (json_int_t)k.pending, "dissuaded",
	    (json_int_t)k.dissuaded, "not_involved", (json_int_t)k.not_involved, "already_paid",
	    (json_int_t)k.already_paid, "money_protected_yuan", yuan_json(k.protected_fen),
	    "escalated", (json_int_t)k.escalated, "defrauded_after_warning",
	    (json_int_t)k.defrauded_after, "outreach_events", (json_int_t)k.outreach_events,
	    "outreach_attendance", (json_int_t)k.outreach_attendance, "rates", "reach",
	    fq_fraud_rate_json(k.reached_in_time, k.reached_in_time + k.missed), "dissuasion",
	    fq_fraud_rate_json(k.dissuaded, k.reached - k.not_involved));
	return 0;
}
