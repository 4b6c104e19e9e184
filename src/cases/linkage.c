#include "cases/linkage.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/case.h"
#include "cases/case_util.h"
#include "core/alloc.h"
#include "core/geo.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/uuid.h"
#include "org/rights.h"
#include "db/row_json.h"
#include "core/banned.h"

#define DAY_MS (24LL * 3600 * 1000)

static int is_night(int minute)
{
	return minute >= 22 * 60 || minute < 6 * 60;
}

/*
 * Token sets for the Dice similarity of core/text.h, prepared once per text:
 * the tokens of fq_text_tokenize as sorted 64-bit FNV-1a hashes, so that a
 * comparison is one merge without allocation. Equal to fq_text_similarity
 * but for hash collisions (about 2^-64 per pair of tokens).
 */
struct tokset {
	uint64_t *h;
	size_t n, cap;
	int empty; /* the text was NULL or "": no similarity can be said */
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void tokset_build(struct fq_text_tokens *scratch, const char *s, struct tokset *t)
{
	t->n = 0;
	t->empty = !s || !*s;
	if (t->empty || fq_text_tokenize(scratch, s, strlen(s)) != 0)
		return;
	if (scratch->count > t->cap) {
		t->cap = scratch->count + 16;
		t->h = fq_xrealloc(t->h, t->cap * sizeof(*t->h));
	}
	for (size_t i = 0; i < scratch->count; i++)
		t->h[t->n++] = fnv1a(fq_text_token(scratch, i));
	if (t->n < 24) {
		for (size_t i = 1; i < t->n; i++)
			for (size_t j = i; j > 0 && t->h[j - 1] > t->h[j]; j--) {
				uint64_t x = t->h[j];
				t->h[j] = t->h[j - 1];
				t->h[j - 1] = x;
			}
	} else {
		qsort(t->h, t->n, sizeof(*t->h), cmp_u64);
	}
}

/* Dice of the two multisets; -1 when a side had no text. */
static double tokset_dice(const struct tokset *a, const struct tokset *b)
{
	size_t common = 0;

	if (a->empty || b->empty)
		return -1;
	if (!a->n || !b->n)
		return 0;
	for (size_t i = 0, j = 0; i < a->n && j < b->n;) {
		if (a->h[i] == b->h[j]) {
			common++;
			i++;
			j++;
		} else if (a->h[i] < b->h[j]) {
			i++;
		} else {
			j++;
		}
	}
	return 2.0 * (double)common / (double)(a->n + b->n);
}

int64_t fq_linkage_signature(const char *norm)
{
	struct fq_text_tokens t;
	uint64_t sig = 0;

	if (!norm || !*norm)
		return 0;
	fq_text_tokens_init(&t);
	if (fq_text_tokenize(&t, norm, strlen(norm)) == 0)
		for (size_t i = 0; i < t.count; i++)
			sig |= 1ull << (fnv1a(fq_text_token(&t, i)) & 63);
	fq_text_tokens_release(&t);
	return (int64_t)sig;
}

/*
 * An upper bound of the Dice similarity of a prepared text a and a text
 * with signature sig_b: c, the tokens of a whose bit is set in sig_b, is at
 * least the common tokens; Dice = 2c'/(|a| + |b|) <= 2c/(|a| + c) as
 * |b| >= c' and c' <= c.
 */
static double dice_bound(const struct tokset *a, uint64_t sig_b)
{
	size_t c = 0;

	if (a->empty || !a->n || !sig_b)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		c += (sig_b >> (a->h[i] & 63)) & 1;
	return c ? 2.0 * (double)c / (double)(a->n + c) : 0;
}

/* Prepared texts of one case: method, property, suspect. */
struct prepared {
	struct tokset t[3];
};

static void prepare(struct fq_text_tokens *scratch, const struct fq_linkage_features *f,
		    struct prepared *p)
{
	tokset_build(scratch, f->method, &p->t[0]);
	tokset_build(scratch, f->property, &p->t[1]);
	tokset_build(scratch, f->suspect, &p->t[2]);
}

static void prepared_release(struct prepared *p)
{
	for (int i = 0; i < 3; i++)
		free(p->t[i].h);
}

/* The parts that need no text: type, time of day, place. */
static double cheap_parts(const struct fq_linkage_features *a, const struct fq_linkage_features *b,
			  struct fq_linkage_parts *p)
{
	int d = abs(a->minute - b->minute);
	double s = 0;

	if (d > 720)
		d = 1440 - d;
	p->same_type = a->type && b->type && strcmp(a->type, b->type) == 0;
	p->same_group = a->group && b->group && strcmp(a->group, b->group) == 0;
	p->hours_apart = d / 60.0;
	p->both_night = is_night(a->minute) && is_night(b->minute);
	p->distance_m = -1;
	if (a->has_location && b->has_location)
		p->distance_m = fq_geo_distance_m((struct fq_geo_point){a->lat, a->lon},
						  (struct fq_geo_point){b->lat, b->lon});
	s += p->same_type ? FQ_LINKAGE_W_TYPE : p->same_group ? FQ_LINKAGE_W_GROUP : 0;
	s += FQ_LINKAGE_W_TIME * fmax(0, 1 - p->hours_apart / FQ_LINKAGE_TIME_SPAN_H);
	if (p->distance_m >= 0)
		s += FQ_LINKAGE_W_PLACE * fmax(0, 1 - p->distance_m / FQ_LINKAGE_PLACE_SPAN_M);
	return s;
}

static double text_parts(const struct prepared *a, const struct prepared *b,
			 struct fq_linkage_parts *p)
{
	double s = 0;

	p->method_sim = tokset_dice(&a->t[0], &b->t[0]);
	p->property_sim = tokset_dice(&a->t[1], &b->t[1]);
	p->suspect_sim = tokset_dice(&a->t[2], &b->t[2]);
	s += FQ_LINKAGE_W_METHOD * fmax(0, p->method_sim);
	s += FQ_LINKAGE_W_PROPERTY * fmax(0, p->property_sim);
	s += FQ_LINKAGE_W_SUSPECT * fmax(0, p->suspect_sim);
	return s;
}

static double round3(double x)
{
	return round(x * 1000.0) / 1000.0;
}

double fq_linkage_score(const struct fq_linkage_features *a, const struct fq_linkage_features *b,
			struct fq_linkage_parts *parts)
{
	struct fq_linkage_parts local;
	struct fq_linkage_parts *p = parts ? parts : &local;

	struct fq_text_tokens scratch;
	struct prepared pa = {0}, pb = {0};

	memset(p, 0, sizeof(*p));
	fq_text_tokens_init(&scratch);
	prepare(&scratch, a, &pa);
	prepare(&scratch, b, &pb);
	p->score = round3(cheap_parts(a, b, p) + text_parts(&pa, &pb, p));
	prepared_release(&pa);
	prepared_release(&pb);
	fq_text_tokens_release(&scratch);
	return p->score;
}

static void add(char *out, size_t cap, size_t *len, const char *fmt, ...) FQ_PRINTF(4, 5);

static void add(char *out, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	if (*len) {
		n = snprintf(out + *len, cap - *len, "，");
		*len += n > 0 ? (size_t)n : 0;
		if (*len >= cap) {
			*len = cap;
			return;
		}
	}
	va_start(ap, fmt);
	n = vsnprintf(out + *len, cap - *len, fmt, ap);
	va_end(ap);
	*len += n > 0 ? (size_t)n : 0;
	if (*len > cap)
		*len = cap;
}

void fq_linkage_reasons(const struct fq_linkage_parts *p, const char *type_label,
			const char *group_label, char *out, size_t cap)
{
	size_t len = 0;
	int night_said = 0;

	if (!cap)
		return;
	out[0] = '\0';
	if (p->same_type) {
		add(out, cap, &len, "同为%s%s", p->both_night ? "夜间" : "", type_label);
		night_said = p->both_night;
	} else if (p->same_group) {
		add(out, cap, &len, "同属%s", group_label);
	}
	if (!night_said && p->both_night)
		add(out, cap, &len, "同为夜间作案");
	else if (!p->both_night && p->hours_apart <= 2)
		add(out, cap, &len, "作案时段相近（相差 %.1f 小时）", p->hours_apart);
	if (p->distance_m >= 0 && p->distance_m < FQ_LINKAGE_PLACE_SPAN_M) {
		if (p->distance_m < 1000)
			add(out, cap, &len, "相距 %.0f 米", round(p->distance_m / 10) * 10);
		else
			add(out, cap, &len, "相距 %.1f 公里", p->distance_m / 1000);
	}
	if (p->method_sim >= 0.2)
		add(out, cap, &len, "作案手段相似度 %.2f", p->method_sim);
	if (p->property_sim >= 0.2)
		add(out, cap, &len, "财物描述相似度 %.2f", p->property_sim);
	if (p->suspect_sim >= 0.2)
		add(out, cap, &len, "嫌疑人特征相似度 %.2f", p->suspect_sim);
}

/* ---- candidates ---- */

struct target {
	char id[37], number[FQ_NUMBER_MAX], type[32], group[16];
	int64_t occurred_at;
	char *method, *property, *suspect;
	struct fq_linkage_features f;
};

static char *dup_col(struct fq_stmt *st, int col)
{
	const char *s = fq_stmt_text(st, col);
	return fq_xstrdup(s ? s : "");
}

static int load_target(struct fq_dbc *c, const char *id, const char *scope, struct target *t,
		       struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT f.number, f.type, f.type_group, f.occurred_at,"
			      " f.occurred_minute, f.lat, f.lon, f.method_norm, f.property_norm,"
			      " f.suspect_norm, u.path FROM case_file f JOIN unit u"
			      " ON u.code = f.unit_code WHERE f.id = ?",
			      "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW && fq_scope_covers(scope, fq_stmt_text(st, 10))) {
		snprintf(t->id, sizeof(t->id), "%s", id);
		snprintf(t->number, sizeof(t->number), "%s", fq_stmt_text(st, 0));
		snprintf(t->type, sizeof(t->type), "%s", fq_stmt_text(st, 1));
		snprintf(t->group, sizeof(t->group), "%s", fq_stmt_text(st, 2));
		t->occurred_at = fq_stmt_int(st, 3);
		t->f.minute = (int)fq_stmt_int(st, 4);
		t->f.has_location = !fq_stmt_is_null(st, 5);
		t->f.lat = fq_stmt_double(st, 5);
		t->f.lon = fq_stmt_double(st, 6);
		t->method = dup_col(st, 7);
		t->property = dup_col(st, 8);
		t->suspect = dup_col(st, 9);
		t->f.type = t->type;
		t->f.group = t->group;
		t->f.method = t->method;
		t->f.property = t->property;
		t->f.suspect = t->suspect;
		rc = 0;
	} else if (rc >= 0) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "案件不存在");
	}
	fq_stmt_done(st);
	return rc;
}

struct hit {
	double score;
	struct fq_linkage_parts parts;
	json_t *row; /* id, number, ... without score and reasons */
};

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(json_string_value(json_object_get(x->row, "number")),
		      json_string_value(json_object_get(y->row, "number")));
}

/* A candidate after the first pass: what the cheap parts need, and the score's bound. */
struct cand {
	char id[37];
	char type[24];
	int minute, has_location;
	double lat, lon, cheap;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->cheap != y->cheap)
		return x->cheap < y->cheap ? 1 : -1;
	return strcmp(x->id, y->id);
}

static int code_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The codes of the units under scope, sorted (for bsearch); *n set. */
static int scope_codes(struct fq_dbc *c, const char *scope, char ***out, size_t *n,
		       struct fq_err *err)
{
	struct fq_stmt *st;
	size_t cap = 64;
	char **v = fq_xcalloc(cap, sizeof(*v));
	int rc =
	    fq_dbc_query(c, err, &st, "SELECT code FROM unit WHERE substr(path, 1, length(?)) = ?",
			 "tt", scope, scope);

	*n = 0;
	if (rc) {
		free(v);
		return rc;
	}
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		if (*n == cap)
			v = fq_xrealloc(v, (cap *= 2) * sizeof(*v));
		v[(*n)++] = fq_xstrdup(fq_stmt_text(st, 0));
	}
	fq_stmt_done(st);
	qsort(v, *n, sizeof(*v), code_cmp);
	*out = v;
	return rc < 0 ? rc : 0;
}

/*
 * Two passes. The first reads, from the covering index case_file_linkage
 * alone, every case of the group within the window and scope: the cheap
 * parts (type, time of day, place) exactly, the text parts bounded from
 * above by the signatures (dice_bound); it sorts by that bound. The second
 * takes them best first, reads the texts of each and computes the score,
 * and stops as soon as the bound cannot reach the floor (min_score, or the
 * limit-th best score once there are limit hits): a branch and bound that
 * reads the texts of few cases, with the same answer as scoring them all.
 */
int fq_linkage_candidates(struct fq_dbc *c, const char *id, const char *scope_path, int limit,
			  double min_score, json_t **out, struct fq_err *err)
{
	struct target t = {0};
	struct fq_text_tokens scratch;
	struct prepared pt = {0}, pb = {0};
	struct hit *hits = NULL;
	struct cand *cands = NULL;
	size_t ncand = 0, capcand = 0, ncodes = 0;
	char **codes = NULL;
	struct fq_stmt *st;
	int n = 0, rc;
	int64_t scored = 0;
	json_t *arr;

	*out = NULL;
	if (limit < 1 || limit > FQ_LINKAGE_LIMIT_MAX)
		return fq_err_set(err, FQ_EINVAL, "invalid_query", "limit",
				  "limit 应在 1 至 %d 之间", FQ_LINKAGE_LIMIT_MAX);
	if ((rc = load_target(c, id, scope_path, &t, err)))
		return rc;
	fq_text_tokens_init(&scratch);
	prepare(&scratch, &t.f, &pt);
	if ((rc = scope_codes(c, scope_path, &codes, &ncodes, err)))
		goto out;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT id, unit_code, type, occurred_minute, lat, lon, method_sig,"
			  " property_sig, suspect_sig FROM case_file"
			  " WHERE type_group = ? AND occurred_at >= ? AND occurred_at <= ?",
			  "tii", t.group, t.occurred_at - FQ_LINKAGE_WINDOW_DAYS * DAY_MS,
			  t.occurred_at + FQ_LINKAGE_WINDOW_DAYS * DAY_MS);
	if (rc)
		goto out;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		const char *cid = fq_stmt_text(st, 0), *unit = fq_stmt_text(st, 1);
		struct fq_linkage_features b = {0};
		struct fq_linkage_parts p;
		struct cand *k;

		if (strcmp(cid, id) == 0 ||
		    !bsearch(&unit, codes, ncodes, sizeof(*codes), code_cmp))
			continue;
		if (ncand == capcand)
			cands = fq_xrealloc(cands, (capcand = capcand ? 2 * capcand : 1024) *
						       sizeof(*cands));
		k = &cands[ncand++];
		snprintf(k->id, sizeof(k->id), "%s", cid);
		snprintf(k->type, sizeof(k->type), "%s", fq_stmt_text(st, 2));
		k->minute = (int)fq_stmt_int(st, 3);
		k->has_location = !fq_stmt_is_null(st, 4);
		k->lat = fq_stmt_double(st, 4);
		k->lon = fq_stmt_double(st, 5);
		b.type = k->type;
		b.group = t.group;
		b.minute = k->minute;
		b.has_location = k->has_location;
		b.lat = k->lat;
		b.lon = k->lon;
		k->cheap =
		    cheap_parts(&t.f, &b, &p) +
		    FQ_LINKAGE_W_METHOD * dice_bound(&pt.t[0], (uint64_t)fq_stmt_int(st, 6)) +
		    FQ_LINKAGE_W_PROPERTY * dice_bound(&pt.t[1], (uint64_t)fq_stmt_int(st, 7)) +
		    FQ_LINKAGE_W_SUSPECT * dice_bound(&pt.t[2], (uint64_t)fq_stmt_int(st, 8));
	}
	fq_stmt_done(st);
	if (rc < 0)
		goto out;
	qsort(cands, ncand, sizeof(*cands), cand_cmp);
	hits = fq_xcalloc((size_t)limit + 1, sizeof(*hits));
	for (size_t i = 0; i < ncand; i++) {
		struct fq_linkage_features b = {0};
		struct fq_linkage_parts p = {0};
		double floor = n == limit ? fmax(min_score, hits[n - 1].score) : min_score;
		double s;

		/* Sorted by the bound: nothing further can reach the floor. */
		if (cands[i].cheap < floor - 1e-9)
			break;
		rc = fq_dbc_query(
		    c, err, &st,
		    "SELECT number, unit_code, method_norm, property_norm, suspect_norm,"
		    " title, state, occurred_at FROM case_file WHERE id = ?",
		    "t", cands[i].id);
		if (rc)
			goto out;
		if ((rc = fq_stmt_step(st, err)) != FQ_DB_ROW) {
			fq_stmt_done(st);
			if (rc < 0)
				goto out;
			continue;
		}
		scored++;
		b.type = cands[i].type;
		b.group = t.group;
		b.minute = cands[i].minute;
		b.has_location = cands[i].has_location;
		b.lat = cands[i].lat;
		b.lon = cands[i].lon;
		b.method = fq_stmt_text(st, 2);
		b.property = fq_stmt_text(st, 3);
		b.suspect = fq_stmt_text(st, 4);
		s = cheap_parts(&t.f, &b, &p);
		prepare(&scratch, &b, &pb);
		s = round3(s + text_parts(&pt, &pb, &p));
		p.score = s;
		if (s < floor || (n == limit && s <= hits[n - 1].score)) {
			fq_stmt_done(st);
			continue;
		}
		if (n == limit)
			json_decref(hits[--n].row);
		hits[n].score = s;
		hits[n].parts = p;
		hits[n].row =
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", cands[i].id, "number",
			      fq_stmt_text(st, 0), "unit", fq_stmt_text(st, 1), "type", b.type,
			      "title", fq_stmt_text(st, 5), "state", fq_stmt_text(st, 6),
			      "occurred_at", fq_case_time_json(st, 7));
		fq_stmt_done(st);
		n++;
		qsort(hits, (size_t)n, sizeof(*hits), hit_cmp);
	}
	rc = 0;
	arr = json_array();
	for (int i = 0; i < n; i++) {
		const struct fq_case_type *ty =
		    fq_case_type_find(json_string_value(json_object_get(hits[i].row, "type")));
		char reasons[512];
		fq_linkage_reasons(&hits[i].parts, ty ? ty->label : "?",
				   fq_case_group_label(t.group), reasons, sizeof(reasons));
		json_object_set_new(hits[i].row, "type_label", json_string(ty ? ty->label : "?"));
		json_object_set_new(hits[i].row, "score", json_real(hits[i].score));
		json_object_set_new(hits[i].row, "reasons", json_string(reasons));
		json_array_append(arr, hits[i].row);
	}
	*out = json_pack("{s:{s:s, s:s}, s:o, s:I, s:I}", "case", "id", t.id, "number", t.number,
			 "candidates", arr, "scanned", (json_int_t)ncand, "scored",
			 (json_int_t)scored);
out:
	for (int i = 0; hits && i < n; i++)
		json_decref(hits[i].row);
	free(hits);
	free(cands);
	for (size_t i = 0; i < ncodes; i++)
		free(codes[i]);
	free(codes);
	prepared_release(&pt);
	prepared_release(&pb);
	fq_text_tokens_release(&scratch);
	free(t.method);
	free(t.property);
	free(t.suspect);
	return rc;
}

/* ---- series ---- */

int fq_series_create(struct fq_dbc *c, const struct fq_series_new *in, char id[37],
		     char number[FQ_NUMBER_MAX], struct fq_err *err)
{
	int64_t now = fq_case_now(in->now_ms);
	size_t n = json_is_array(in->case_ids) ? json_array_size(in->case_ids) : 0;
	char text[512];
	int rc;

	if ((rc = fq_case_check_required(in->name, FQ_CASE_TITLE_MAX, "name", err)) ||
	    (rc = fq_case_check_required(in->reason, FQ_CASE_TEXT_MAX, "reason", err)))
		return rc;
	if (n < 2 || n > FQ_SERIES_MEMBERS_MAX)
		return fq_err_set(err, FQ_EINVAL, n < 2 ? "missing_field" : "too_many", "case_ids",
				  "串并案须包含 2 至 %d 起案件", FQ_SERIES_MEMBERS_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *cid = json_string_value(json_array_get(in->case_ids, i));
		char path[FQ_UNIT_PATH_MAX];
		struct fq_err e2 = FQ_ERR_INIT;
		if (!cid || !fq_uuid_valid(cid) || fq_case_unit_path(c, cid, path, &e2) != 0 ||
		    !fq_scope_covers(in->scope_path, path))
			return fq_err_set(err, FQ_EINVAL, "unknown_case", "case_ids",
					  "第 %zu 起案件不存在或不在您的辖区", i + 1);
		for (size_t k = 0; k < i; k++)
			if (strcmp(cid, json_string_value(json_array_get(in->case_ids, k))) == 0)
				return fq_err_set(err, FQ_EINVAL, "duplicate", "case_ids",
						  "案件重复");
	}
	fq_uuid7_str(id);
	if ((rc = fq_number_next(c, "CB", in->unit, now, number, err)) ||
	    (rc = fq_dbc_run(c, err, NULL,
			     "INSERT INTO case_series (id, number, unit_code, name, reason,"
			     " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
			     "tttttit", id, number, in->unit, in->name, in->reason, now,
			     in->actor_id)))
		return rc;
	snprintf(text, sizeof(text), "并入串并案 %s", number);
	for (size_t i = 0; !rc && i < n; i++) {
		const char *cid = json_string_value(json_array_get(in->case_ids, i));
		rc = fq_dbc_run(c, err, NULL,
				"INSERT INTO case_series_member (series_id, case_id) VALUES (?, ?)",
				"tt", id, cid);
		if (!rc)
			rc = fq_case_event(c, cid, now, in->actor_id, "series", text, err);
	}
	return rc;
}

int fq_series_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err)
{
	return fq_dbc_lookup_text(
	    c,
	    "SELECT u.path FROM case_series s JOIN unit u ON u.code = s.unit_code"
	    " WHERE s.id = ?",
	    id, path, FQ_UNIT_PATH_MAX, "串并案不存在", err);
}

int fq_series_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *j = NULL, *members;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT s.id, s.number, s.unit_code, s.name, s.reason, s.created_at,"
			      " s.created_by, u.display_name FROM case_series s"
			      " LEFT JOIN app_user u ON u.id = s.created_by WHERE s.id = ?",
			      "t", id);
	*out = NULL;
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		j = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
			      fq_case_text_json(st, 0), "number", fq_case_text_json(st, 1), "unit",
			      fq_case_text_json(st, 2), "name", fq_case_text_json(st, 3), "reason",
			      fq_case_text_json(st, 4), "created_at", fq_case_time_json(st, 5),
			      "created_by", fq_case_text_json(st, 6), "created_by_name",
			      fq_case_text_json(st, 7));
	fq_stmt_done(st);
	if (rc == FQ_DB_DONE)
		return fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "串并案不存在");
	if (rc < 0)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT f.id, f.number, f.type, f.title, f.state, f.occurred_at,"
			  " f.unit_code FROM case_series_member m JOIN case_file f"
			  " ON f.id = m.case_id WHERE m.series_id = ? ORDER BY f.occurred_at",
			  "t", id);
	if (rc) {
		json_decref(j);
		return rc;
	}
	members = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    members,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", fq_case_text_json(st, 0),
			      "number", fq_case_text_json(st, 1), "type", fq_case_text_json(st, 2),
			      "title", fq_case_text_json(st, 3), "state", fq_case_text_json(st, 4),
			      "occurred_at", fq_case_time_json(st, 5), "unit",
			      fq_case_text_json(st, 6)));
	fq_stmt_done(st);
	json_object_set_new(j, "members", members);
	if (rc < 0) {
		json_decref(j);
		return rc;
	}
	*out = j;
	return 0;
}

int fq_series_list(struct fq_dbc *c, const char *scope_path, int64_t page, int64_t per_page,
		   json_t **out, struct fq_err *err)
{
	struct fq_stmt *st;
	json_t *items;
	int64_t total = 0;
	int rc =
	    fq_dbc_query(c, err, &st,
			 "SELECT COUNT(*) FROM case_series s JOIN unit u ON u.code = s.unit_code"
			 " WHERE substr(u.path, 1, length(?)) = ?",
			 "tt", scope_path, scope_path);
	*out = NULL;
	if (rc)
		return rc;
	if ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		total = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	rc = fq_dbc_query(c, err, &st,
			  "SELECT s.id, s.number, s.unit_code, s.name, s.reason, s.created_at,"
			  " (SELECT COUNT(*) FROM case_series_member m WHERE m.series_id = s.id)"
			  " FROM case_series s JOIN unit u ON u.code = s.unit_code"
			  " WHERE substr(u.path, 1, length(?)) = ?"
			  " ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?",
			  "ttii", scope_path, scope_path, per_page, (page - 1) * per_page);
	if (rc)
		return rc;
	items = json_array();
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		json_array_append_new(
		    items,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I}", "id", fq_case_text_json(st, 0),
			      "number", fq_case_text_json(st, 1), "unit", fq_case_text_json(st, 2),
			      "name", fq_case_text_json(st, 3), "reason", fq_case_text_json(st, 4),
			      "created_at", fq_case_time_json(st, 5), "members",
			      (json_int_t)fq_stmt_int(st, 6)));
	fq_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = fq_page_json(items, total, page, per_page);
	return 0;
}
