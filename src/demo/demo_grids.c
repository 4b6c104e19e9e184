#include "demo/demo_grids.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "community/grid.h"
#include "core/json.h"
#include "demo/demo.h"
#include "http/audit.h"
#include "core/banned.h"

#define MAIN_STATION "339902510000"
#define USER_GRID    "339902100001" /* the demo grid worker's grid */
#define MAX_UNITS    256

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
				       "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
				       "何", "林", "罗", "高", "郑", "梁", "谢", "宋"};
static const char *const given[] = {"建军", "海燕", "志明", "丽华", "国庆", "秀英", "晓东",
				    "春梅", "立新", "红霞", "伟东", "小军", "玉兰", "卫国",
				    "文斌", "桂芳", "金良", "雪芬", "永康", "美娟"};

struct unit_row {
	char code[FQ_UNIT_CODE_MAX];
	char parent[FQ_UNIT_CODE_MAX];
	double lat, lon;
};

static json_t *named(struct fq_rng *g)
{
	char name[32], phone[16];

	snprintf(name, sizeof(name), "%s%s", surnames[fq_rng_below(g, ARRAY_LEN(surnames))],
		 given[fq_rng_below(g, ARRAY_LEN(given))]);
	snprintf(phone, sizeof(phone), "1%c%c%08llu", "35789"[fq_rng_below(g, 5)],
		 (char)('0' + fq_rng_below(g, 10)),
		 (unsigned long long)fq_rng_below(g, 100000000ull));
	return json_pack("{s:s, s:s}", "name", name, "phone", phone);
}

static json_t *user_or_named(struct fq_rng *g, const char *user_id)
{
	return user_id[0] ? json_pack("{s:s}", "user_id", user_id) : named(g);
}

static int user_id_of(struct fq_dbc *c, const char *username, char out[37], struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT id FROM app_user WHERE username = ?", "t", username);
	out[0] = '\0';
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		snprintf(out, 37, "%s", fq_stmt_text(st, 0));
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int read_units(struct fq_dbc *c, const char *kind, struct unit_row *rows, int *n,
		      struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT code, parent, centroid_lat, centroid_lon FROM unit"
			      " WHERE kind = ? AND centroid_lat IS NOT NULL ORDER BY code",
			      "t", kind);
	*n = 0;
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && *n < MAX_UNITS) {
		struct unit_row *u = &rows[(*n)++];
		snprintf(u->code, sizeof(u->code), "%s", fq_stmt_text(st, 0));
		snprintf(u->parent, sizeof(u->parent), "%s",
			 fq_stmt_text(st, 1) ? fq_stmt_text(st, 1) : "");
		u->lat = fq_stmt_double(st, 2);
		u->lon = fq_stmt_double(st, 3);
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

static int audit(struct fq_dbc *c, const char *action, const char *code, json_t *summary,
		 int64_t now_ms, struct fq_err *err)
{
	struct fq_audit_entry e = {.username = "demo",
				   .action = action,
				   .object_type = "unit",
				   .object_id = code,
				   .client = "cli",
				   .outcome = "ok"};
	char *text = json_dumps(summary, FQ_JSON_DUMP_FLAGS | JSON_SORT_KEYS);
	int rc;

	e.detail = text;
	rc = fq_audit_append(c, &e, now_ms, NULL, err);
	free(text);
	return rc;
}

/* Set one unit's assignment from body (reference taken) and audit it. */
static int assign(struct fq_dbc *c, int post, const char *code, json_t *body, int64_t now_ms,
		  struct fq_err *err)
{
	json_t *summary = NULL;
	int rc = post ? fq_post_set(c, code, body, NULL, now_ms, &summary, err)
		      : fq_grid_staff_set(c, code, body, NULL, now_ms, &summary, err);

	json_decref(body);
	if (!rc)
		rc = audit(c, post ? "post.assign" : "grid.staff", code, summary, now_ms, err);
	json_decref(summary);
	return rc;
}

int fq_grid_demo(struct fq_dbc *c, uint64_t seed, int64_t now_ms, struct fq_err *err)
{
	struct unit_row grids[MAX_UNITS],
	    posts[MAX_UNITS]; /* 40 KB of stack: the demo is a command */
	char community[37], auxiliary[37], gridworker[37];
	int ngrids, nposts, rc;
	struct fq_rng g;

	fq_rng_seed(&g, seed ^ 0x6772696473ull);
	if ((rc = user_id_of(c, "community", community, err)) ||
	    (rc = user_id_of(c, "auxiliary", auxiliary, err)) ||
	    (rc = user_id_of(c, "gridworker", gridworker, err)) ||
	    (rc = read_units(c, "grid", grids, &ngrids, err)) ||
	    (rc = read_units(c, "post", posts, &nposts, err)))
		return rc;

	for (int i = 0; i < ngrids; i++) {
		const struct unit_row *u = &grids[i];
		int main_station = strcmp(u->parent, MAIN_STATION) == 0;
		/* Communities are numbered 001-199 in their town, villages from 201. */
		int is_community = u->code[9] == '0' || u->code[9] == '1';
		json_t *aux = json_array(), *workers = json_array(), *body;
		int naux = is_community ? 2 : 1, nworkers = 1 + (int)fq_rng_below(&g, 3);

		if (strcmp(u->code, USER_GRID) == 0) {
			json_array_append_new(aux, user_or_named(&g, auxiliary));
			json_array_append_new(workers, user_or_named(&g, gridworker));
			json_array_append_new(workers, named(&g));
		} else {
			for (int k = 0; k < naux; k++)
				json_array_append_new(aux, named(&g));
			for (int k = 0; k < nworkers; k++)
				json_array_append_new(workers, named(&g));
		}
		body = json_pack("{s:o, s:o, s:o}", "officer",
				 main_station && is_community ? user_or_named(&g, community)
							      : named(&g),
				 "auxiliaries", aux, "grid_workers", workers);
		if ((rc = assign(c, 0, u->code, body, now_ms, err)))
			return rc;
	}

	for (int p = 0; p < nposts; p++) {
		json_t *list = json_array(), *staff = json_array(), *officer;
		/* A post looks after the grids of its station nearest to it. */
		for (int i = 0; i < ngrids; i++) {
			int best = -1;
			double bd = INFINITY;
			for (int q = 0; q < nposts; q++) {
				double dl = grids[i].lat - posts[q].lat,
				       dn = grids[i].lon - posts[q].lon;
				double d = dl * dl + dn * dn;
				if (strcmp(posts[q].parent, grids[i].parent) == 0 && d < bd) {
					bd = d;
					best = q;
				}
			}
			if (best == p)
				json_array_append_new(list, json_string(grids[i].code));
		}
		officer = p == 0 ? user_or_named(&g, community) : named(&g);
		json_object_set_new(officer, "duty", json_string("officer"));
		json_array_append_new(staff, officer);
		for (int k = 0; k < 2; k++) {
			json_t *m = named(&g);
			json_object_set_new(m, "duty", json_string("auxiliary"));
			json_array_append_new(staff, m);
		}
		if ((rc = assign(c, 1, posts[p].code,
				 json_pack("{s:o, s:o}", "grids", list, "staff", staff), now_ms,
				 err)))
			return rc;
	}
	return 0;
}
