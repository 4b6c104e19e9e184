#include "demo/demo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "demo/demo_disputes.h"
#include "demo/demo_people.h"
#include "demo/demo_units.h"
#include "demo/demo_cases.h"
#include "demo/demo_fraud.h"
#include "demo/demo_volunteers.h"
#include "demo/demo_grids.h"
#include "http/audit.h"
#include "org/rights.h"
#include "org/units.h"
#include "org/users.h"
#include "core/banned.h"

void fq_rng_seed(struct fq_rng *g, uint64_t seed)
{
	g->s = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
}

uint64_t fq_rng_next(struct fq_rng *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fq_rng_below(struct fq_rng *g, uint64_t n)
{
	return n ? fq_rng_next(g) % n : 0;
}

double fq_rng_unit(struct fq_rng *g)
{
	return (double)(fq_rng_next(g) >> 11) / 9007199254740992.0;
}

#define CITY_CODE   "339900"
#define BRANCH_CODE "339902"

struct station_plan {
	const char *code;
	const char *name;
	const char *town_code; /* GB/T 10114 township code (9 digits) */
	double lat0, lon0;     /* south-west corner */
	double dlat, dlon;     /* extent in degrees */
	int rows, cols;	       /* grid lattice */
	int communities;       /* the first N grids are communities, the rest villages */
};

/* The main station is the town of GLOSSARY.md: 374 km², 11 communities, 29 villages. */
static const struct station_plan stations[] = {
    {"339902510000", "枫溪派出所", "339902100", 29.660, 120.150, 0.175, 0.200, 5, 8, 11},
    {"339902520000", "清塘派出所", "339902101", 29.660, 120.350, 0.175, 0.120, 3, 4, 3},
    {"339902530000", "石岭派出所", "339902102", 29.835, 120.150, 0.090, 0.200, 3, 4, 2},
    {"339902540000", "青竹派出所", "339902103", 29.835, 120.350, 0.090, 0.120, 2, 4, 2},
};

static const char *const name_a[] = {"枫", "溪", "桥", "东", "西", "南", "北", "新", "上",
				     "下", "石", "竹", "梅", "桃", "柳", "青", "白", "金",
				     "杨", "陈", "王", "李", "何", "湖", "塘", "山", "岭",
				     "沙", "龙", "凤", "安", "宁", "永", "和", "平", "丰"};
static const char *const name_b[] = {"溪", "桥", "塘", "坞", "湾", "岗", "源", "坑",
				     "岭", "浦", "头", "埠", "园", "林", "庄", "港",
				     "墩", "口", "阳", "山", "江", "湖", "田", "家"};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct lattice {
	int rows, cols;
	double lat[9][10], lon[9][10];
};

/* Jittered lattice: neighbouring cells share vertices, so grids tile the station. */
static void make_lattice(struct fq_rng *g, const struct station_plan *s, struct lattice *L)
{
	L->rows = s->rows;
	L->cols = s->cols;
	for (int i = 0; i <= s->rows; i++)
		for (int j = 0; j <= s->cols; j++) {
			double jl = (i > 0 && i < s->rows) ? (fq_rng_unit(g) - 0.5) * 0.5 : 0;
			double jo = (j > 0 && j < s->cols) ? (fq_rng_unit(g) - 0.5) * 0.5 : 0;
			L->lat[i][j] = s->lat0 + (i + jl) * s->dlat / s->rows;
			L->lon[i][j] = s->lon0 + (j + jo) * s->dlon / s->cols;
		}
}

static int ring_json(struct fq_buf *b, const double *lat, const double *lon, int n)
{
	int rc = fq_buf_adds(b, "{\"type\":\"Polygon\",\"coordinates\":[[");
	for (int k = 0; !rc && k <= n; k++)
		rc = fq_buf_addf(b, "%s[%.6f,%.6f]", k ? "," : "", lon[k % n], lat[k % n]);
	return rc ? rc : fq_buf_adds(b, "]]}");
}

static void unique_name(struct fq_rng *g, char used[][16], int nused, char out[16])
{
	for (;;) {
		int dup = 0;
		snprintf(out, 16, "%s%s", name_a[fq_rng_below(g, ARRAY_LEN(name_a))],
			 name_b[fq_rng_below(g, ARRAY_LEN(name_b))]);
		for (int i = 0; i < nused; i++)
			if (strcmp(used[i], out) == 0)
				dup = 1;
		if (!dup)
			return;
	}
}

static int build_units(struct fq_dbc *c, struct fq_rng *g, struct fq_err *err)
{
	struct fq_unit_new u;
	char used[128][16];
	int nused = 0;
	int rc;

	memset(&u, 0, sizeof(u));
	u.code = CITY_CODE;
	u.name = "清江市公安局";
	u.kind = "city";
	u.has_centroid = 1;
	u.lat = 29.75;
	u.lon = 120.25;
	if ((rc = fq_unit_create(c, &u, err)))
		return rc;
	u.code = BRANCH_CODE;
	u.name = "枫溪县公安局";
	u.kind = "branch";
	u.parent = CITY_CODE;
	if ((rc = fq_unit_create(c, &u, err)))
		return rc;

	for (size_t s = 0; s < ARRAY_LEN(stations); s++) {
		const struct station_plan *sp = &stations[s];
		double slat[4] = {sp->lat0, sp->lat0, sp->lat0 + sp->dlat, sp->lat0 + sp->dlat};
		double slon[4] = {sp->lon0, sp->lon0 + sp->dlon, sp->lon0 + sp->dlon, sp->lon0};
		struct lattice L;
		struct fq_buf b;
		int n = 0;

		fq_buf_init(&b, 1 << 20);
		if ((rc = ring_json(&b, slat, slon, 4)))
			goto out_buf;
		memset(&u, 0, sizeof(u));
		u.code = sp->code;
		u.name = sp->name;
		u.kind = "station";
		u.parent = BRANCH_CODE;
		u.has_centroid = 1;
		u.lat = sp->lat0 + sp->dlat / 2;
		u.lon = sp->lon0 + sp->dlon / 2;
		u.boundary_geojson = b.buf;
		if ((rc = fq_unit_create(c, &u, err)))
			goto out_buf;

		make_lattice(g, sp, &L);
		/* Communities fill the cells nearest the centre; villages the rest. */
		for (int i = 0; i < L.rows; i++)
			for (int j = 0; j < L.cols; j++, n++) {
				double lat[4] = {L.lat[i][j], L.lat[i][j + 1], L.lat[i + 1][j + 1],
						 L.lat[i + 1][j]};
				double lon[4] = {L.lon[i][j], L.lon[i][j + 1], L.lon[i + 1][j + 1],
						 L.lon[i + 1][j]};
				char code[16], name[48], base[16];
				double ci = fabs(i + 0.5 - L.rows / 2.0) / L.rows;
				double cj = fabs(j + 0.5 - L.cols / 2.0) / L.cols;
				int rank = 0;

				/* Rank cells by distance to the centre to choose communities. */
				for (int a = 0; a < L.rows; a++)
					for (int bb = 0; bb < L.cols; bb++) {
						double da = fabs(a + 0.5 - L.rows / 2.0) / L.rows;
						double db = fabs(bb + 0.5 - L.cols / 2.0) / L.cols;
						double d1 = da * da + db * db,
						       d0 = ci * ci + cj * cj;
						if (d1 < d0 || (d1 == d0 && a * L.cols + bb < n))
							rank++;
					}
				unique_name(g, used, nused, base);
				memcpy(used[nused++], base, sizeof(base));
				if (rank < sp->communities) {
					snprintf(code, sizeof(code), "%s%03d", sp->town_code,
						 rank + 1);
					snprintf(name, sizeof(name), "%s社区", base);
				} else {
					snprintf(code, sizeof(code), "%s%03d", sp->town_code,
						 200 + rank - sp->communities + 1);
					snprintf(name, sizeof(name), "%s村", base);
				}
				fq_buf_reset(&b);
				if ((rc = ring_json(&b, lat, lon, 4)))
					goto out_buf;
				memset(&u, 0, sizeof(u));
				u.code = code;
				u.name = name;
				u.kind = "grid";
				u.parent = sp->code;
				u.has_centroid = 1;
				u.lat = (lat[0] + lat[1] + lat[2] + lat[3]) / 4;
				u.lon = (lon[0] + lon[1] + lon[2] + lon[3]) / 4;
				u.boundary_geojson = b.buf;
				if ((rc = fq_unit_create(c, &u, err)))
					goto out_buf;
			}
		/* Police posts (警务室) of the main station. */
		if (s == 0) {
			static const char *const posts[] = {
			    "中心警务室", "东片警务室", "西片警务室", "南片警务室", "北片警务室"};
			for (size_t k = 0; k < ARRAY_LEN(posts); k++) {
				char code[16], name[48];
				snprintf(code, sizeof(code), "%.9s%02zu", sp->code, 51 + k);
				snprintf(name, sizeof(name), "枫溪%s", posts[k]);
				memset(&u, 0, sizeof(u));
				u.code = code;
				u.name = name;
				u.kind = "post";
				u.parent = sp->code;
				u.has_centroid = 1;
				u.lat = sp->lat0 + sp->dlat * (0.2 + 0.6 * fq_rng_unit(g));
				u.lon = sp->lon0 + sp->dlon * (0.2 + 0.6 * fq_rng_unit(g));
				if ((rc = fq_unit_create(c, &u, err)))
					goto out_buf;
			}
		}
		rc = 0;
	out_buf:
		fq_buf_release(&b);
		if (rc)
			return rc;
	}
	return 0;
}

static void make_password(struct fq_rng *g, char out[20])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	memcpy(out, "Fq-", 3);
	for (int i = 3; i < 19; i++)
		out[i] = alphabet[fq_rng_below(g, sizeof(alphabet) - 1)];
	out[19] = '\0';
}

struct demo_user {
	const char *username;
	const char *display_name;
	enum fq_role role;
	const char *unit;
};

static const struct demo_user demo_users[] = {
    {"chief", "周建国", FQ_ROLE_CHIEF, "339902510000"},
    {"operator", "李晓燕", FQ_ROLE_OPERATOR, "339902510000"},
    {"community", "王志强", FQ_ROLE_COMMUNITY_OFFICER, "339902510000"},
    {"caseofficer", "陈立伟", FQ_ROLE_CASE_OFFICER, "339902510000"},
    {"auxiliary", "张伟", FQ_ROLE_AUXILIARY, "339902510000"},
    {"gridworker", "刘芳", FQ_ROLE_GRID_WORKER, "339902100001"},
    {"volunteer", "赵大妈", FQ_ROLE_VOLUNTEER, "339902100001"},
    {"analyst", "孙明", FQ_ROLE_ANALYST, BRANCH_CODE},
    {"auditor", "吴静", FQ_ROLE_AUDITOR, BRANCH_CODE},
    {"admin", "郑强", FQ_ROLE_ADMIN, BRANCH_CODE},
    {"chief2", "黄海", FQ_ROLE_CHIEF, "339902520000"},
};

int fq_demo_build(struct fq_db *db, uint64_t seed, FILE *out, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_stmt *st;
	struct fq_rng g;
	char passwords[ARRAY_LEN(demo_users)][20];
	int rc;

	fq_rng_seed(&g, seed);
	rc = fq_dbc_query(c, err, &st, "SELECT COUNT(*) FROM unit", "");
	if (rc)
		goto out;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		rc = fq_stmt_int(st, 0) > 0 ? fq_err_set(err, FQ_ECONFLICT, "not_empty", "db",
							 "数据库中已有数据；演示数据只能写入空库")
					    : 0;
	fq_stmt_done(st);
	if (rc)
		goto out;
	rc = fq_dbc_begin(c, 1, err);
	if (rc)
		goto out;
	rc = build_units(c, &g, err);
	for (size_t i = 0; !rc && i < ARRAY_LEN(demo_users); i++) {
		const struct demo_user *d = &demo_users[i];
		struct fq_user_new in = {.username = d->username,
					 .display_name = d->display_name,
					 .password = passwords[i],
					 .unit_code = d->unit,
					 .roles = FQ_ROLE_BIT(d->role)};
		struct fq_audit_entry e = {.username = "demo",
					   .action = "user.create",
					   .object_type = "user",
					   .client = "cli",
					   .outcome = "ok"};
		struct fq_user u;
		make_password(&g, passwords[i]);
		rc = fq_user_create(c, &in, NULL, &u, err);
		e.object_id = u.id;
		if (!rc)
			rc = fq_audit_append(c, &e, fq_now_ms(), NULL, err);
	}
	if (!rc)
		rc = fq_dispatch_demo(c, &g, err);
	if (!rc)
		rc = fq_dispute_demo(c, &g, fq_now_ms(), NULL, err);
	if (!rc)
		rc = fq_demo_cases(c, &g, "339902510000", fq_now_ms(), err);
	if (!rc)
		rc = fq_demo_fraud(c, &g, fq_now_ms(), err);
	if (!rc)
		rc = fq_community_demo(c, seed, NULL, err);
	if (!rc)
		rc = fq_demo_volunteers(c, &g, fq_now_ms(), err);
	if (!rc)
		rc = fq_grid_demo(c, seed, fq_now_ms(), err);
	if (rc) {
		fq_dbc_rollback(c);
		goto out;
	}
	rc = fq_dbc_commit(c, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < ARRAY_LEN(demo_users); i++)
		fprintf(out, "login: %s %s %s %s\n", demo_users[i].username, passwords[i],
			fq_role_code(demo_users[i].role), demo_users[i].unit);
	fflush(out);
out:
	fq_db_release(db, c);
	return rc;
}
