/* Reading cases: JSON, the list, the KPI counts and the escalation job (cases/case.h). */
#include "cases/case.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case_util.h"
#include "cases/reception.h"
#include "cases/transfer.h"
#include "core/alloc.h"
#include "core/idnum.h"
#include "core/phone.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "db/row_json.h"
#include "core/banned.h"

#define CASE_COLS                                                                                  \
	"f.id, f.number, f.unit_code, su.name, f.grid_code, f.incident_id, f.origin, f.type,"      \
	" f.title, f.description, f.method, f.occurred_at, f.lat, f.lon, f.address, f.state,"      \
	" f.officer_id, ou.display_name, f.accepted_at, f.solved_at, f.closed_at,"                 \
	" f.transferred_at, f.result, f.lost_fen, f.recovered_fen, f.version, f.created_at,"       \
	" f.updated_at,"                                                                           \
	" COALESCE(f.next_due_at < ?, 0), f.next_due_at"
#define CASE_FROM                                                                                  \
	" FROM case_file f JOIN unit su ON su.code = f.unit_code"                                  \
	" LEFT JOIN app_user ou ON ou.id = f.officer_id"

static json_t *case_row(struct fq_stmt *st)
{
	const struct fq_case_type *t = fq_case_type_find(fq_stmt_text(st, 7));
	int s = fq_case_state_from_code(fq_stmt_text(st, 15));
	int64_t lost = fq_stmt_int(st, 23), rec = fq_stmt_int(st, 24);
	json_t *j = json_object();

	json_object_set_new(j, "id", fq_case_text_json(st, 0));
	json_object_set_new(j, "number", fq_case_text_json(st, 1));
	json_object_set_new(j, "unit", fq_case_text_json(st, 2));
	json_object_set_new(j, "unit_name", fq_case_text_json(st, 3));
	json_object_set_new(j, "grid", fq_case_text_json(st, 4));
	json_object_set_new(j, "incident_id", fq_case_text_json(st, 5));
	json_object_set_new(j, "origin", fq_case_text_json(st, 6));
	json_object_set_new(j, "type", fq_case_text_json(st, 7));
	json_object_set_new(j, "type_label", json_string(t ? t->label : "?"));
	json_object_set_new(j, "station_handles", json_boolean(t && t->station_handles));
	json_object_set_new(j, "title", fq_case_text_json(st, 8));
	json_object_set_new(j, "description", fq_case_text_json(st, 9));
	json_object_set_new(j, "method", fq_case_text_json(st, 10));
	json_object_set_new(j, "occurred_at", fq_case_time_json(st, 11));
	json_object_set_new(j, "location",
			    fq_stmt_is_null(st, 12)
				? json_null()
				: json_pack("{s:f, s:f}", "lat", fq_stmt_double(st, 12), "lon",
					    fq_stmt_double(st, 13)));
	json_object_set_new(j, "address", fq_case_text_json(st, 14));
	json_object_set_new(j, "state", fq_case_text_json(st, 15));
	json_object_set_new(j, "state_label", json_string(s >= 0 ? fq_case_state_label(s) : "?"));
	json_object_set_new(j, "officer_id", fq_case_text_json(st, 16));
	json_object_set_new(j, "officer_name", fq_case_text_json(st, 17));
	json_object_set_new(j, "accepted_at", fq_case_time_json(st, 18));
	json_object_set_new(j, "solved_at", fq_case_time_json(st, 19));
	json_object_set_new(j, "closed_at", fq_case_time_json(st, 20));
	json_object_set_new(j, "transferred_at", fq_case_time_json(st, 21));
	json_object_set_new(j, "result", fq_case_text_json(st, 22));
	json_object_set_new(j, "lost_fen", json_integer(lost));
	json_object_set_new(j, "lost_yuan", fq_case_yuan_json(lost));
	json_object_set_new(j, "recovered_fen", json_integer(rec));
	json_object_set_new(j, "recovered_yuan", fq_case_yuan_json(rec));
	json_object_set_new(j, "version", json_integer(fq_stmt_int(st, 25)));
	json_object_set_new(j, "created_at", fq_case_time_json(st, 26));
	json_object_set_new(j, "updated_at", fq_case_time_json(st, 27));
	json_object_set_new(j, "overdue", json_boolean(fq_stmt_int(st, 28) > 0));
	json_object_set_new(j, "next_due_at", fq_case_time_json(st, 29));
	return j;
}

typedef json_t *(*row_fn)(struct fq_stmt *st, int mask);

static int rows_json(struct fq_dbc *c, const char *sql, const char *id, row_fn fn, int mask,
		     json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *arr;
	int rc = fq_dbc_query(c, err, &st, sql, "t", id);

	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(arr, fn(st, mask));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static json_t *party_row(struct fq_stmt *st, int mask)
{
	const char *phone = fq_stmt_text(st, 3), *idn = fq_stmt_text(st, 4);
	char pm[FQ_PHONE_MAX + 1], im[FQ_IDNUM_LEN + 1];
	json_t *j = json_pack("{s:o, s:o, s:o}", "id", fq_case_text_json(st, 0), "role",
			      fq_case_text_json(st, 1), "name", fq_case_text_json(st, 2));

	if (phone && mask)
		json_object_set_new(j, "phone",
				    json_string(fq_phone_mask(phone, pm) == 0 ? pm : "***"));
	else
		json_object_set_new(j, "phone", phone ? json_string(phone) : json_null());
	if (idn && mask)
		json_object_set_new(j, "id_number",
				    json_string(fq_idnum_mask(idn, im) == 0 ? im : "***"));
	else
		json_object_set_new(j, "id_number", idn ? json_string(idn) : json_null());
	json_object_set_new(j, "description", fq_case_text_json(st, 5));
	return j;
}

static json_t *item_row(struct fq_stmt *st, int mask)
{
	(void)mask;
	return json_pack("{s:o, s:o, s:I, s:o, s:o}", "id", fq_case_text_json(st, 0), "description",
			 fq_case_text_json(st, 1), "value_fen", (json_int_t)fq_stmt_int(st, 2),
			 "value_yuan", fq_case_yuan_json(fq_stmt_int(st, 2)), "recovered_at",
			 fq_case_time_json(st, 3));
}

static json_t *evidence_row(struct fq_stmt *st, int mask)
{
	(void)mask;
	return json_pack("{s:o, s:o, s:o}", "id", fq_case_text_json(st, 0), "description",
			 fq_case_text_json(st, 1), "collected_at", fq_case_time_json(st, 2));
}

static json_t *event_row(struct fq_stmt *st, int mask)
{
	(void)mask;
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "at", fq_case_time_json(st, 0), "kind",
			 fq_case_text_json(st, 1), "text", fq_case_text_json(st, 2), "by_id",
			 fq_case_text_json(st, 3), "by", fq_case_text_json(st, 4));
}

static json_t *series_row(struct fq_stmt *st, int mask)
{
	(void)mask;
	return json_pack("{s:o, s:o, s:o}", "id", fq_case_text_json(st, 0), "number",
			 fq_case_text_json(st, 1), "name", fq_case_text_json(st, 2));
}

/*
 * The reception hall's visit that was turned into this case (docs/reception.md:
 * the link is the visit's converted_id), or JSON null. No visitor details:
 * the case page links to the visit, which the reception log shows to its readers.
 */
static int reception_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT id, number, need, started_at FROM reception_visit"
			      " WHERE converted_id = ? AND converted_to = 'case' LIMIT 1",
			      "t", id);
	*out = NULL;
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		const char *label = fq_reception_need_label(
		    (enum fq_reception_need)fq_reception_need_from(fq_stmt_text(st, 2)));
		*out =
		    json_pack("{s:o, s:o, s:o, s:s?, s:o}", "id", fq_case_text_json(st, 0),
			      "number", fq_case_text_json(st, 1), "need", fq_case_text_json(st, 2),
			      "need_label", label, "started_at", fq_case_time_json(st, 3));
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	if (!*out)
		*out = json_null();
	return 0;
}

/* Steps need now: built here rather than through rows_json. */
static int steps_json(struct fq_dbc *c, const char *id, int64_t now, json_t **out,
		      struct fq_err *err)
{
	static const struct {
		const char *code, *label;
	} labels[] = {{"decide", "受案审查（立案/不予立案决定）"},
		      {"conclude", "办案期限"},
		      {"transfer", "移交专业警种"}};
	struct fq_stmt *st;
	json_t *arr;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT step, due_at, done_at, extended, escalated_at FROM case_step"
			      " WHERE case_id = ? ORDER BY due_at, step",
			      "t", id);
	if (rc)
		return rc;
	arr = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *code = fq_stmt_text(st, 0), *label = code;
		int64_t done = fq_stmt_is_null(st, 2) ? 0 : fq_stmt_int(st, 2);
		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
			if (strcmp(labels[i].code, code) == 0)
				label = labels[i].label;
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:o, s:o, s:b, s:b, s:o}", "step", code, "label",
				   label, "due_at", fq_case_time_json(st, 1), "done_at",
				   fq_case_time_json(st, 2), "extended", fq_stmt_int(st, 3) > 0,
				   "overdue", fq_case_step_overdue(fq_stmt_int(st, 1), done, now),
				   "escalated_at", fq_case_time_json(st, 4)));
	}
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int fq_case_json(struct fq_dbc *c, const char *id, int detail, int mask, int64_t now_ms,
		 json_t **out, struct fq_err *err)
{
	int64_t now = fq_case_now(now_ms);
	struct fq_stmt *st;
	json_t *j, *part = NULL;
	int rc;

	*out = NULL;
	rc = fq_dbc_query(c, err, &st, "SELECT " CASE_COLS CASE_FROM " WHERE f.id = ?", "it", now,
			  id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc != FQ_DB_ROW) {
		fq_stmt_done(st);
		return rc < 0 ? rc : fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "案件不存在");
	}
	j = case_row(st);
	fq_stmt_done(st);
	rc = steps_json(c, id, now, &part, err);
	if (!rc)
		json_object_set_new(j, "steps", part);
	if (detail) {
		static const struct {
			const char *key, *sql;
			row_fn fn;
		} parts[] = {
		    {"parties",
		     "SELECT id, role, name, phone, id_number, description FROM case_party"
		     " WHERE case_id = ? ORDER BY seq",
		     party_row},
		    {"lost",
		     "SELECT id, description, value_fen, at FROM case_property WHERE case_id = ?"
		     " AND kind = 'lost' ORDER BY seq",
		     item_row},
		    {"recovered",
		     "SELECT id, description, value_fen, at FROM case_property WHERE case_id = ?"
		     " AND kind = 'recovered' ORDER BY seq",
		     item_row},
		    {"evidence",
		     "SELECT id, description, collected_at FROM case_evidence WHERE case_id = ?"
		     " ORDER BY seq",
		     evidence_row},
		    {"timeline",
		     "SELECT e.at, e.kind, e.text, e.by_user, u.display_name FROM case_event e"
		     " LEFT JOIN app_user u ON u.id = e.by_user WHERE e.case_id = ?"
		     " ORDER BY e.at, e.id",
		     event_row},
		    {"series",
		     "SELECT s.id, s.number, s.name FROM case_series s JOIN case_series_member m"
		     " ON m.series_id = s.id WHERE m.case_id = ? ORDER BY s.created_at",
		     series_row},
		};
		for (size_t i = 0; !rc && i < sizeof(parts) / sizeof(parts[0]); i++) {
			rc = rows_json(c, parts[i].sql, id, parts[i].fn, mask, &part, err);
			if (!rc)
				json_object_set_new(j, parts[i].key, part);
		}
		if (!rc)
			rc = fq_transfer_list_for_case(c, id, &part, err);
		if (!rc)
			json_object_set_new(j, "transfers", part);
		if (!rc)
			rc = reception_json(c, id, &part, err);
		if (!rc)
			json_object_set_new(j, "reception_visit", part);
	}
	if (rc) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

/* ---- the list ---- */

#define LIST_WHERE                                                                                 \
	" WHERE f.unit_code IN (SELECT code FROM unit WHERE substr(path, 1, length(?)) = ?)"       \
	" AND (? IS NULL OR f.state = ?)"                                                          \
	" AND (? = 0 OR f.state IN ('accepted', 'investigating', 'reopened'))"                     \
	" AND (? IS NULL OR f.type = ?) AND (? IS NULL OR f.officer_id = ?)"                       \
	" AND (? IS NULL OR f.incident_id = ?) AND (? = 0 OR f.accepted_at >= ?)"                  \
	" AND (? = 0 OR f.accepted_at < ?)"                                                        \
	" AND (? < 0 OR COALESCE(f.next_due_at < ?, 0) = ?)" LIST_SEARCH
/*
 * The text search names only f.id, so that without q the list still reads the
 * covering index alone; the matching ids are computed once, when q is given.
 */
#define LIST_SEARCH                                                                                \
	" AND (? IS NULL OR f.id IN (SELECT id FROM case_file WHERE instr(number, ?) > 0"          \
	"  OR instr(title, ?) > 0 OR instr(COALESCE(address, ''), ?) > 0"                          \
	"  UNION SELECT case_id FROM case_party WHERE name = ?))"
#define LIST_TYPES                                                                                 \
	"ttttitttttt"                                                                              \
	"iiiiiii"                                                                                  \
	"ttttt"
#define LIST_ARGS(q, state, open_only, now)                                                        \
	(q)->scope_path, (q)->scope_path, state, state, (int64_t)(open_only), (q)->type,           \
	    (q)->type, (q)->officer_id, (q)->officer_id, (q)->incident_id, (q)->incident_id,       \
	    (q)->from_ms, (q)->from_ms, (q)->to_ms, (q)->to_ms, (int64_t)(q)->overdue, now,        \
	    (int64_t)(q)->overdue, (q)->q, (q)->q, (q)->q, (q)->q, (q)->q

/*
 * index: the sort order's covering index (migration 0015), which a page
 * without a period filter walks in order, stopping after its rows.
 */
static const struct {
	const char *name;
	const char *order, *index;
} list_orders[] = {
    {"-accepted", " ORDER BY f.accepted_at DESC, f.id DESC", "case_file_accepted_cover"},
    {"accepted", " ORDER BY f.accepted_at, f.id", "case_file_accepted_cover"},
    {"-occurred", " ORDER BY f.occurred_at DESC, f.id DESC", "case_file_occurred_cover"},
    {"occurred", " ORDER BY f.occurred_at, f.id", "case_file_occurred_cover"},
    {"-lost", " ORDER BY f.lost_fen DESC, f.id DESC", "case_file_lost_cover"},
    {"due", " ORDER BY f.next_due_at IS NULL, f.next_due_at, f.id", "case_file_due_cover"},
};

int fq_case_list(struct fq_dbc *c, const struct fq_case_query *q, json_t **out, struct fq_err *err)
{
	int open_only = q->state && strcmp(q->state, "open") == 0;
	const char *state = open_only ? NULL : q->state;
	int64_t now = fq_case_now(q->now_ms), total = 0;
	char sql[4096];
	struct fq_stmt *st;
	json_t *items;
	int order = -1, walk, rc;

	*out = NULL;
	for (size_t i = 0; i < sizeof(list_orders) / sizeof(list_orders[0]); i++)
		if (strcmp(list_orders[i].name, q->sort ? q->sort : "-accepted") == 0)
			order = (int)i;
	if (order < 0)
		return fq_err_set(
		    err, FQ_EINVAL, "invalid_query", "sort",
		    "排序应为 -accepted、accepted、-occurred、occurred、-lost 或 due");
	if (state && fq_case_state_from_code(state) < 0)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "state",
				  "状态应为 open 或 accepted、investigating 等状态代码");
	if (q->type && !fq_case_type_find(q->type))
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "type", "未知的案件类别");
	if (q->overdue < -1 || q->overdue > 1)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "overdue",
				  "overdue 应为 0 或 1");
	if ((rc = fq_dbc_count(c, err, &total, "SELECT COUNT(*) FROM case_file f" LIST_WHERE,
			       LIST_TYPES, LIST_ARGS(q, state, open_only, now))))
		return rc;
	/*
	 * The page's ids from an index first, then their rows: no wide rows to
	 * sort. Without a period, walked in the sort order's covering index.
	 */
	walk = list_orders[order].index && !q->from_ms && !q->to_ms;
	snprintf(sql, sizeof(sql),
		 "SELECT " CASE_COLS CASE_FROM
		 " WHERE f.id IN (SELECT f.id FROM case_file f%s%s" LIST_WHERE
		 "%s LIMIT ? OFFSET ?)%s",
		 walk ? " INDEXED BY " : "", walk ? list_orders[order].index : "",
		 list_orders[order].order, list_orders[order].order);
	rc = fq_dbc_query(c, err, &st, sql, "i" LIST_TYPES "ii", now,
			  LIST_ARGS(q, state, open_only, now), q->per_page,
			  (q->page - 1) * q->per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(items, case_row(st));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, q->page, q->per_page);
	return 0;
}

/* ---- KPIs ---- */

double fq_case_rate(int64_t num, int64_t den)
{
	if (den <= 0)
		return -1;
	return round((double)num / (double)den * 10000.0) / 10000.0;
}

int fq_case_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
		   struct fq_case_counts *out, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (to_ms <= from_ms)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "to",
				  "统计区间的 to 应晚于 from");
	rc = fq_dbc_query(c, err, &st,
			  "SELECT COUNT(*), COALESCE(SUM(f.state = 'solved'), 0),"
			  " COALESCE(SUM(f.transferred_at IS NOT NULL), 0),"
			  " COALESCE(SUM(f.lost_fen), 0), COALESCE(SUM(f.recovered_fen), 0)"
			  " FROM case_file f WHERE f.unit_code IN (SELECT code FROM unit"
			  " WHERE substr(path, 1, length(?)) = ?) AND f.accepted_at >= ?"
			  " AND f.accepted_at < ?",
			  "ttii", unit_path, unit_path, from_ms, to_ms);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		out->opened = fq_stmt_int(st, 0);
		out->solved = fq_stmt_int(st, 1);
		out->transferred = fq_stmt_int(st, 2);
		out->lost_fen = fq_stmt_int(st, 3);
		out->recovered_fen = fq_stmt_int(st, 4);
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT COUNT(*) FROM case_transfer t JOIN unit u ON u.code = t.unit_code"
			  " WHERE substr(u.path, 1, length(?)) = ? AND t.kind = 'clue'"
			  " AND t.transferred_at >= ? AND t.transferred_at < ?",
			  "ttii", unit_path, unit_path, from_ms, to_ms);
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		out->clues_transferred = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static json_t *rate_json(int64_t num, int64_t den)
{
	double r = fq_case_rate(num, den);
	return r < 0 ? json_null() : json_real(r);
}

int fq_case_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
		     json_t **out, struct fq_err *err)
{
	char path[FQ_UNIT_PATH_MAX], f[FQ_RFC3339_MAX], t[FQ_RFC3339_MAX];
	struct fq_case_counts n;
	int rc;

	*out = NULL;
	if ((rc = fq_unit_path(c, unit_code, path, err)) ||
	    (rc = fq_case_counts(c, path, from_ms, to_ms, &n, err)))
		return rc;
	fq_time_format_cst(from_ms, f);
	fq_time_format_cst(to_ms, t);
	*out = json_pack(
	    "{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:I, s:I, s:o, s:I, s:o, s:o, s:o}", "unit",
	    unit_code, "from", f, "to", t, "cases_opened", (json_int_t)n.opened, "cases_solved",
	    (json_int_t)n.solved, "solve_rate", rate_json(n.solved, n.opened - n.transferred),
	    "cases_transferred", (json_int_t)n.transferred, "clues_transferred",
	    (json_int_t)n.clues_transferred, "money_lost_fen", (json_int_t)n.lost_fen,
	    "money_lost_yuan", fq_case_yuan_json(n.lost_fen), "money_recovered_fen",
	    (json_int_t)n.recovered_fen, "money_recovered_yuan", fq_case_yuan_json(n.recovered_fen),
	    "recovery_rate", rate_json(n.recovered_fen, n.lost_fen), "definitions",
	    json_pack("{s:s, s:s, s:s}", "period", "cases by accepted_at, clues by transferred_at",
		      "solve_rate", "cases_solved / (cases_opened - cases_transferred)",
		      "recovery_rate",
		      "money_recovered / money_lost (cases opened in the period)"));
	return *out ? 0 : fq_err_set(err, FQ_EINTERNAL, NULL, NULL, "内部错误");
}

/* ---- escalation ---- */

struct overdue_step {
	char id[37];
	char number[FQ_NUMBER_MAX];
	char unit[FQ_UNIT_CODE_MAX];
	char step[16];
	int64_t due_at;
};

int fq_case_escalate_overdue(struct fq_dbc *c, int64_t now_ms,
			     int (*on_escalated)(void *arg, struct fq_dbc *c,
						 const struct fq_case_escalation *e,
						 struct fq_err *err),
			     void *arg, int *escalated, struct fq_err *err)
{
	struct overdue_step *due = fq_xcalloc(FQ_CASE_ESCALATE_BATCH, sizeof(*due));
	int64_t now = fq_case_now(now_ms);
	struct fq_stmt *st;
	int n = 0, count = 0, rc;

	if (escalated)
		*escalated = 0;
	if ((rc = fq_dbc_begin(c, 1, err)))
		goto out_free;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT f.id, f.number, f.unit_code, s.step, s.due_at FROM case_step s"
			  " JOIN case_file f ON f.id = s.case_id WHERE s.done_at IS NULL"
			  " AND s.escalated_at IS NULL AND s.due_at < ? ORDER BY s.due_at LIMIT ?",
			  "ii", now, (int64_t)FQ_CASE_ESCALATE_BATCH);
	if (rc)
		goto out_rollback;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && n < FQ_CASE_ESCALATE_BATCH) {
		struct overdue_step *d = &due[n++];
		snprintf(d->id, sizeof(d->id), "%s", fq_stmt_text(st, 0));
		snprintf(d->number, sizeof(d->number), "%s", fq_stmt_text(st, 1));
		snprintf(d->unit, sizeof(d->unit), "%s", fq_stmt_text(st, 2));
		snprintf(d->step, sizeof(d->step), "%s", fq_stmt_text(st, 3));
		d->due_at = fq_stmt_int(st, 4);
	}
	fq_stmt_done(st);
	if (rc < 0)
		goto out_rollback;
	for (int i = 0; i < n; i++) {
		struct fq_case_escalation e;
		char chief[37], due_s[FQ_RFC3339_MAX], text[256];
		int64_t changed = 0;
		if ((rc = fq_case_station_chief(c, due[i].unit, chief, err)))
			goto out_rollback;
		rc = fq_dbc_run(c, err, &changed,
				"UPDATE case_step SET escalated_at = ?, escalated_to = ?"
				" WHERE case_id = ? AND step = ? AND escalated_at IS NULL",
				"ittt", now, chief[0] ? chief : NULL, due[i].id, due[i].step);
		if (rc)
			goto out_rollback;
		if (!changed)
			continue;
		fq_time_format_cst(due[i].due_at, due_s);
		due_s[16] = '\0';
		due_s[10] = ' ';
		snprintf(text, sizeof(text), "%s 逾期（期限 %s），%s",
			 strcmp(due[i].step, "decide") == 0	? "受案审查"
			 : strcmp(due[i].step, "conclude") == 0 ? "办案期限"
								: "移交",
			 due_s, chief[0] ? "已报告所长" : "本所未设所长账号");
		if ((rc = fq_case_event(c, due[i].id, now, NULL, "escalation", text, err)))
			goto out_rollback;
		e.case_id = due[i].id;
		e.number = due[i].number;
		e.unit_code = due[i].unit;
		e.step = due[i].step;
		e.chief_id = chief[0] ? chief : NULL;
		e.due_at = due[i].due_at;
		e.at = now;
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
