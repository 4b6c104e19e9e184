/* The dispute KPIs of docs/disputes.md and docs/kpi.md, computed from the records. */
#include "cases/dispute.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cases/case_util.h"
#include "cases/dispute_internal.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define RESOLVED_STATES "('resolved_agreement', 'resolved', 'following_up', 'closed')"
#define CONCLUDED_STATES                                                                           \
	"('resolved_agreement', 'resolved', 'following_up', 'closed', 'referred', 'failed')"
#define OPEN_STATES "('graded', 'assigned', 'mediating', 'reopened')"

static json_t *rate_json(int64_t num, int64_t den)
{
	return den ? json_real(floor((double)num / (double)den * 10000 + 0.5) / 10000)
		   : json_null();
}

static json_t *avg_days_json(const struct fq_dispute_counts *n)
{
	return n->resolved ? json_real(floor((double)n->days_ms_sum / (double)n->resolved /
						 86400000.0 * 100 +
					     0.5) /
				       100)
			   : json_null();
}

/* The figures of one set of counts, into obj. */
static void put_counts(json_t *obj, const struct fq_dispute_counts *n)
{
	json_object_set_new(obj, "found", json_integer(n->found));
	json_object_set_new(obj, "resolved", json_integer(n->resolved));
	json_object_set_new(obj, "resolved_agreement", json_integer(n->resolved_agreement));
	json_object_set_new(obj, "referred", json_integer(n->referred));
	json_object_set_new(obj, "failed", json_integer(n->failed));
	json_object_set_new(obj, "open", json_integer(n->open));
	json_object_set_new(obj, "overdue", json_integer(n->overdue));
	json_object_set_new(obj, "mediated", json_integer(n->mediated));
	json_object_set_new(obj, "reopened", json_integer(n->reopened));
	json_object_set_new(obj, "escalated", json_integer(n->escalated));
	json_object_set_new(obj, "resolution_rate", rate_json(n->resolved, n->found));
	json_object_set_new(obj, "mediation_success_rate",
			    rate_json(n->mediated_resolved, n->mediated_concluded));
	json_object_set_new(obj, "avg_days_to_resolve", avg_days_json(n));
	json_object_set_new(obj, "grades",
			    json_pack("{s:I, s:I, s:I}", "general", (json_int_t)n->general, "key",
				      (json_int_t)n->key, "major", (json_int_t)n->major));
}

static void add_counts(struct fq_dispute_counts *t, const struct fq_dispute_counts *n)
{
	int64_t *a = (int64_t *)t;
	const int64_t *b = (const int64_t *)n;

	for (size_t i = 0; i < sizeof(*t) / sizeof(int64_t); i++)
		a[i] += b[i];
}

/*
 * The figures of each record, as the KPI counts them (d: a dispute; overdue
 * as of ?1).
 */
#define ROW_FIGURES                                                                                \
	" 1, CASE WHEN d.state IN " RESOLVED_STATES " THEN 1 ELSE 0 END,"                          \
	" CASE WHEN d.state IN " RESOLVED_STATES                                                   \
	" AND d.outcome = 'resolved_agreement' THEN 1 ELSE 0 END,"                                 \
	" CASE WHEN d.state = 'referred' THEN 1 ELSE 0 END,"                                       \
	" CASE WHEN d.state = 'failed' THEN 1 ELSE 0 END,"                                         \
	" CASE WHEN d.state IN " OPEN_STATES " THEN 1 ELSE 0 END,"                                 \
	" CASE WHEN d.state IN " OPEN_STATES " AND d.deadline_at < ?1 THEN 1 ELSE 0 END,"          \
	" CASE WHEN d.session_count > 0 THEN 1 ELSE 0 END,"                                        \
	" CASE WHEN d.session_count > 0 AND d.state IN " RESOLVED_STATES " THEN 1 ELSE 0 END,"     \
	" CASE WHEN d.session_count > 0 AND d.state IN " CONCLUDED_STATES " THEN 1 ELSE 0 END,"    \
	" CASE WHEN d.reopened_count > 0 THEN 1 ELSE 0 END,"                                       \
	" CASE WHEN d.escalated_at IS NOT NULL THEN 1 ELSE 0 END,"                                 \
	" CASE WHEN d.state IN " RESOLVED_STATES " THEN d.resolved_at - d.created_at ELSE 0 END,"  \
	" CASE WHEN d.grade = 'general' THEN 1 ELSE 0 END,"                                        \
	" CASE WHEN d.grade = 'key' THEN 1 ELSE 0 END,"                                            \
	" CASE WHEN d.grade = 'major' THEN 1 ELSE 0 END"
#define BUCKET_FIGURES                                                                             \
	" b.found AS n1, b.resolved AS n2, b.resolved_agreement AS n3, b.referred AS n4,"          \
	" b.failed AS n5, b.open AS n6, 0 AS n7, b.mediated AS n8, b.mediated_resolved AS n9,"     \
	" b.mediated_concluded AS n10, b.reopened AS n11, b.escalated AS n12,"                     \
	" b.days_ms_sum AS n13, b.general AS n14, b.key AS n15, b.major AS n16"
#define OVERDUE_FIGURES " 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0"

/*
 * The disputes of [?2, ?3) owned under the unit of path ?8: those of the
 * stations under it, or, for a grid, those of the grid; per grid. The
 * aggregate buckets ?6 to ?7 (migration 0015) cover [?4, ?5); the records
 * of [?2, ?4) and [?5, ?3) are read one by one, and the open ones of
 * [?4, ?5) for the overdue count (which depends on the time ?1). SB and SD
 * are the scope test on the buckets (b) and on the disputes (d); OPEN the
 * partial index of the open disputes that fits it.
 */
#define STATIONS_OF(t)                                                                             \
	" " t ".unit_code IN (SELECT s.code FROM unit s WHERE s.kind = 'station'"                  \
	" AND substr(s.path, 1, length(?8)) = ?8)"
#define GRID_OF(t) " " t ".grid_code = (SELECT g.code FROM unit g WHERE g.path = ?8)"
#define STATIONS_B STATIONS_OF("b")
#define STATIONS_D STATIONS_OF("d")
#define GRID_B	   GRID_OF("b")
#define GRID_D	   GRID_OF("d")
#define KPI_SQL(SB, SD, OPEN)                                                                      \
	"SELECT NULLIF(k.g, ''), (SELECT gu.name FROM unit gu WHERE gu.code = k.g), SUM(k.n1),"    \
	" SUM(k.n2), SUM(k.n3), SUM(k.n4), SUM(k.n5), SUM(k.n6), SUM(k.n7), SUM(k.n8), SUM(k.n9)," \
	" SUM(k.n10), SUM(k.n11), SUM(k.n12), SUM(k.n13), SUM(k.n14), SUM(k.n15), SUM(k.n16)"      \
	" FROM (SELECT b.grid_code AS g," BUCKET_FIGURES " FROM dispute_kpi_bucket b WHERE" SB     \
	" AND b.bucket >= ?6 AND b.bucket <= ?7"                                                   \
	" UNION ALL SELECT COALESCE(d.grid_code, '')," ROW_FIGURES " FROM dispute d WHERE" SD      \
	" AND d.created_at >= ?2 AND d.created_at < ?4"                                            \
	" UNION ALL SELECT COALESCE(d.grid_code, '')," ROW_FIGURES " FROM dispute d WHERE" SD      \
	" AND d.created_at >= ?5 AND d.created_at < ?3"                                            \
	" UNION ALL SELECT COALESCE(d.grid_code, '')," OVERDUE_FIGURES                             \
	" FROM dispute d INDEXED BY " OPEN " WHERE" SD " AND d.state IN " OPEN_STATES              \
	" AND d.created_at >= ?4 AND d.created_at < ?5 AND d.deadline_at < ?1) AS k"               \
	" GROUP BY k.g HAVING SUM(k.n1) > 0 ORDER BY k.g"

/* 1 in *grid when the unit of path is a grid. */
static int unit_is_grid(struct fq_dbc *c, const char *path, int *grid, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT kind FROM unit WHERE path = ?", "t", path);

	*grid = 0;
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		*grid = strcmp(fq_stmt_text(st, 0), "grid") == 0;
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* Count per grid under unit_path; sum into *total; one object per grid into grids (may be NULL). */
static int count_by_grid(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
			 int64_t now, struct fq_dispute_counts *total, json_t *grids,
			 struct fq_err *err)
{
	struct fq_stmt *st;
	int64_t b1, b2, e1, e2;
	int grid = 0, rc;

	memset(total, 0, sizeof(*total));
	if ((rc = unit_is_grid(c, unit_path, &grid, err)))
		return rc;
	fq_kpi_buckets(from_ms, to_ms, &b1, &b2, &e1, &e2);
	rc = fq_dbc_query(c, err, &st,
			  grid ? KPI_SQL(GRID_B, GRID_D, "dispute_open_grid")
			       : KPI_SQL(STATIONS_B, STATIONS_D, "dispute_open_unit"),
			  "iiiiiiit", now, from_ms, to_ms, e1, e2, b1, b2, unit_path);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		struct fq_dispute_counts n = {
		    .found = fq_stmt_int(st, 2),
		    .resolved = fq_stmt_int(st, 3),
		    .resolved_agreement = fq_stmt_int(st, 4),
		    .referred = fq_stmt_int(st, 5),
		    .failed = fq_stmt_int(st, 6),
		    .open = fq_stmt_int(st, 7),
		    .overdue = fq_stmt_int(st, 8),
		    .mediated = fq_stmt_int(st, 9),
		    .mediated_resolved = fq_stmt_int(st, 10),
		    .mediated_concluded = fq_stmt_int(st, 11),
		    .reopened = fq_stmt_int(st, 12),
		    .escalated = fq_stmt_int(st, 13),
		    .days_ms_sum = fq_stmt_int(st, 14),
		    .general = fq_stmt_int(st, 15),
		    .key = fq_stmt_int(st, 16),
		    .major = fq_stmt_int(st, 17),
		};
		add_counts(total, &n);
		if (grids) {
			json_t *g = json_object();
			json_object_set_new(g, "grid", fq__dispute_text_json(st, 0));
			json_object_set_new(g, "name", fq__dispute_text_json(st, 1));
			put_counts(g, &n);
			json_array_append_new(grids, g);
		}
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

int fq_dispute_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
		      int64_t now_ms, struct fq_dispute_counts *out, struct fq_err *err)
{
	int rc = check_period(from_ms, to_ms, err);

	memset(out, 0, sizeof(*out));
	return rc ? rc
		  : count_by_grid(c, unit_path, from_ms, to_ms, fq__dispute_now(now_ms), out, NULL,
				  err);
}

int fq_dispute_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
			int64_t now_ms, json_t **out, struct fq_err *err)
{
	struct fq_dispute_counts total;
	char path[FQ_UNIT_PATH_MAX], from[FQ_RFC3339_MAX], to[FQ_RFC3339_MAX],
	    as_of[FQ_RFC3339_MAX];
	int64_t now = fq__dispute_now(now_ms);
	json_t *grids, *j;
	int rc;

	*out = NULL;
	if ((rc = check_period(from_ms, to_ms, err)) ||
	    (rc = fq_unit_path(c, unit_code, path, err)))
		return rc;
	grids = json_array();
	rc = count_by_grid(c, path, from_ms, to_ms, now, &total, grids, err);
	if (rc) {
		json_decref(grids);
		return rc;
	}
	fq_time_format_cst(from_ms, from);
	fq_time_format_cst(to_ms, to);
	fq_time_format_cst(now, as_of);
	j = json_pack("{s:s, s:s, s:s, s:s}", "unit", unit_code, "from", from, "to", to, "as_of",
		      as_of);
	put_counts(j, &total);
	json_object_set_new(j, "grids", grids);
	*out = j;
	return 0;
}
