#include "command/merge.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command/merge_index.h"
#include "core/alloc.h"
#include "core/geo.h"
#include "core/phone.h"
#include "core/text.h"
#include "core/banned.h"

#define DEFAULT_ACTIVE_WINDOW_S (24 * 3600)
#define CALLER_WINDOW_MAX_S	(7 * 86400)
#define PLACE_WINDOW_MAX_S	(90 * 86400)
#define PLACE_RADIUS_MAX_M	1000.0
#define CELL_SIZE_MIN_M		50.0
#define CELL_SIZE_MAX_M		5000.0
#define PREFILTER_MARGIN	1.01
#define SAME_ADDRESS_MAX_M	5000.0

/* What two categories allow (gates of merge.h): */
#define PAIR_SAME_CALLER      0x1u /* compatible, neither FQ_CATEGORY_MATCH_NONE */
#define PAIR_SAME_EVENT	      0x2u /* and both FQ_CATEGORY_MATCH_PLACE */
#define REFERENCE_LAT_MAX_DEG 80.0
#define WEIGHT_SUM_TOLERANCE  1e-9
#define SPAN_TEXT_MAX	      32
#define PHRASE_MAX	      40

/* ---- configuration ---- */

void fq_merge_config_init(struct fq_merge_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->repeat_caller_window_s = 24 * 3600;
	cfg->same_caller_base = 0.75;
	cfg->repeat_caller_event_window_s = 2 * 3600;
	cfg->same_caller_late_base = 0.5;
	cfg->same_address_max_m = 1000.0;
	cfg->place_agreement_bonus = 0.10;
	cfg->repeat_place_radius_m = 50.0;
	cfg->repeat_place_window_s = 30 * 86400;
	cfg->repeat_place_threshold = 3;
	cfg->auto_merge_threshold = 0.80;
	cfg->suggest_threshold = 0.35;
	cfg->max_candidates = 5;
	cfg->weight_time = 0.30;
	cfg->weight_distance = 0.30;
	cfg->weight_text = 0.25;
	cfg->weight_category = 0.15;
	cfg->text_full_similarity = 0.5;
	cfg->compatible_category_credit = 0.5;
	cfg->cell_size_m = 250.0;
	cfg->grid_reference_lat_deg = 30.0;
	cfg->max_active_alerts = 200000;
	cfg->max_history_reports = 2000000;
}

static int in_range(double x, double lo, double hi)
{
	return x >= lo && x <= hi; /* false for NaN */
}

static int config_error(struct fq_err *err, const char *field)
{
	return fq_err_set(err, FQ_EINVAL, "merge_config", field, "合并引擎设置 %s 超出范围", field);
}

static int config_check(const struct fq_merge_config *c, struct fq_err *err)
{
	double weights = c->weight_time + c->weight_distance + c->weight_text + c->weight_category;

	if (c->repeat_caller_window_s < 1 || c->repeat_caller_window_s > CALLER_WINDOW_MAX_S)
		return config_error(err, "repeat_caller_window_s");
	if (!in_range(c->same_caller_base, 0.0, 1.0))
		return config_error(err, "same_caller_base");
	if (c->repeat_caller_event_window_s < 1 ||
	    c->repeat_caller_event_window_s > c->repeat_caller_window_s)
		return config_error(err, "repeat_caller_event_window_s");
	if (!in_range(c->same_caller_late_base, 0.0, c->same_caller_base))
		return config_error(err, "same_caller_late_base");
	if (!in_range(c->same_address_max_m, 0.0, SAME_ADDRESS_MAX_M))
		return config_error(err, "same_address_max_m");
	if (!in_range(c->place_agreement_bonus, 0.0, 1.0))
		return config_error(err, "place_agreement_bonus");
	if (!in_range(c->repeat_place_radius_m, 1.0, PLACE_RADIUS_MAX_M))
		return config_error(err, "repeat_place_radius_m");
	if (c->repeat_place_window_s < 1 || c->repeat_place_window_s > PLACE_WINDOW_MAX_S)
		return config_error(err, "repeat_place_window_s");
	if (c->repeat_place_threshold < 2)
		return config_error(err, "repeat_place_threshold");
	if (!in_range(c->auto_merge_threshold, 0.0, 1.0) || c->auto_merge_threshold <= 0.0)
		return config_error(err, "auto_merge_threshold");
	if (!in_range(c->suggest_threshold, 0.0, c->auto_merge_threshold) ||
	    c->suggest_threshold <= 0.0)
		return config_error(err, "suggest_threshold");
	if (c->max_candidates < 1 || c->max_candidates > FQ_MERGE_CANDIDATES_MAX)
		return config_error(err, "max_candidates");
	if (!in_range(c->weight_time, 0.0, 1.0) || !in_range(c->weight_distance, 0.0, 1.0) ||
	    !in_range(c->weight_text, 0.0, 1.0) || !in_range(c->weight_category, 0.0, 1.0) ||
	    fabs(weights - 1.0) > WEIGHT_SUM_TOLERANCE)
		return config_error(err, "weight_time");
	if (!in_range(c->text_full_similarity, 0.0, 1.0) || c->text_full_similarity <= 0.0)
		return config_error(err, "text_full_similarity");
	if (!in_range(c->compatible_category_credit, 0.0, 1.0))
		return config_error(err, "compatible_category_credit");
	if (!in_range(c->cell_size_m, CELL_SIZE_MIN_M, CELL_SIZE_MAX_M))
		return config_error(err, "cell_size_m");
	if (!in_range(c->grid_reference_lat_deg, -REFERENCE_LAT_MAX_DEG, REFERENCE_LAT_MAX_DEG))
		return config_error(err, "grid_reference_lat_deg");
	if (c->max_active_alerts < 1)
		return config_error(err, "max_active_alerts");
	if (c->max_history_reports < 1)
		return config_error(err, "max_history_reports");
	return 0;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t pair_window_ms(const struct fq_category *a, const struct fq_category *b)
{
	return max64(a->window_s, b->window_s) * SECOND_MS;
}

static double pair_radius_m(const struct fq_category *a, const struct fq_category *b)
{
	return fmax(a->radius_m, b->radius_m);
}

/* Per-category compatibility and search extents, so that matching never walks the taxonomy. */
static void category_tables_init(struct fq_merge_index *idx)
{
	int64_t active_ms =
	    max64(DEFAULT_ACTIVE_WINDOW_S, idx->cfg.repeat_caller_window_s) * SECOND_MS;

	idx->ncat = fq_taxonomy_count();
	idx->compatible = fq_xcalloc(idx->ncat * idx->ncat, 1);
	idx->search_window_ms = fq_xcalloc(idx->ncat, sizeof(*idx->search_window_ms));
	idx->search_radius_m = fq_xcalloc(idx->ncat, sizeof(*idx->search_radius_m));
	idx->group = fq_xcalloc(idx->ncat, sizeof(*idx->group));
	idx->event_groups = fq_xcalloc(idx->ncat, sizeof(*idx->event_groups));
	idx->caller_search_ms = idx->cfg.repeat_caller_window_s * SECOND_MS;

	/* Groups by the code's part before the dot, in taxonomy order; the last one shared. */
	for (size_t i = 0, ngroups = 0; i < idx->ncat; i++) {
		const char *code = fq_taxonomy_at(i)->code;
		size_t len = strcspn(code, "."), j;

		for (j = 0; j < i; j++) {
			const char *other = fq_taxonomy_at(j)->code;
			if (strcspn(other, ".") == len && !strncmp(other, code, len))
				break;
		}
		if (j < i)
			idx->group[i] = idx->group[j];
		else if (ngroups < FQ_MERGE_GROUPS_MAX)
			idx->group[i] = (unsigned char)ngroups++;
		else
			idx->group[i] = FQ_MERGE_GROUPS_MAX - 1;
	}

	for (size_t i = 0; i < idx->ncat; i++) {
		const struct fq_category *a = fq_taxonomy_at(i);

		active_ms = max64(active_ms, a->window_s * SECOND_MS);
		if (a->match == FQ_CATEGORY_MATCH_CALLER)
			idx->caller_search_ms =
			    max64(idx->caller_search_ms, a->window_s * SECOND_MS);
		for (size_t j = 0; j < idx->ncat; j++) {
			const struct fq_category *b = fq_taxonomy_at(j);

			if (!fq_taxonomy_compatible(a, b) || a->match == FQ_CATEGORY_MATCH_NONE ||
			    b->match == FQ_CATEGORY_MATCH_NONE)
				continue;
			idx->compatible[i * idx->ncat + j] = PAIR_SAME_CALLER;
			if (a->match != FQ_CATEGORY_MATCH_PLACE ||
			    b->match != FQ_CATEGORY_MATCH_PLACE)
				continue;
			idx->compatible[i * idx->ncat + j] |= PAIR_SAME_EVENT;
			idx->event_groups[i] |= UINT32_C(1) << idx->group[j];
			idx->search_window_ms[i] =
			    max64(idx->search_window_ms[i], pair_window_ms(a, b));
			idx->search_radius_m[i] =
			    fmax(idx->search_radius_m[i], pair_radius_m(a, b));
		}
	}
	idx->active_window_ms = active_ms;
}

int fq_merge_index_new(const struct fq_merge_config *cfg, struct fq_merge_index **out,
		       struct fq_err *err)
{
	struct fq_merge_index *idx;
	struct fq_merge_config defaults;
	int rc;

	*out = NULL;
	if (!cfg) {
		fq_merge_config_init(&defaults);
		cfg = &defaults;
	}
	rc = config_check(cfg, err);
	if (rc)
		return rc;

	idx = fq_xcalloc(1, sizeof(*idx));
	fq_xrwlock_init(&idx->lock);
	idx->cfg = *cfg;
	fq__merge_index_init(idx);
	category_tables_init(idx);
	*out = idx;
	return 0;
}

void fq_merge_index_free(struct fq_merge_index *idx)
{
	if (!idx)
		return;
	fq__merge_index_release(idx);
	free(idx->compatible);
	free(idx->group);
	free(idx->event_groups);
	free(idx->search_window_ms);
	free(idx->search_radius_m);
	pthread_rwlock_destroy(&idx->lock);
	free(idx);
}

/* ---- input checks ---- */

static int alert_error(struct fq_err *err, const char *field, const char *message)
{
	return fq_err_set(err, FQ_EINVAL, "merge_alert", field, "%s", message);
}

static int id_check(const char *id, int required, const char *field, struct fq_err *err)
{
	size_t n = strlen(fq__merge_nonnull(id));

	if (n > FQ_MERGE_ID_MAX)
		return alert_error(err, field, "编号过长");
	if (required && n == 0)
		return alert_error(err, field, "缺少编号");
	return 0;
}

static int alert_check(const struct fq_merge_alert *a, int inserting, long *category_index,
		       struct fq_err *err)
{
	int rc;

	rc = id_check(a->alert_id, inserting, "alert_id", err);
	if (!rc && inserting)
		rc = id_check(a->incident_id, 1, "incident_id", err);
	if (rc)
		return rc;
	*category_index = fq_taxonomy_index(a->category);
	if (*category_index < 0)
		return alert_error(err, "category", "警情类别未知");
	if (a->received_at_ms < 0 || a->received_at_ms > FQ_MERGE_TIME_MAX_MS)
		return alert_error(err, "received_at", "接警时间超出范围");
	if (a->has_location && !fq_geo_valid((struct fq_geo_point){a->lat, a->lon}))
		return alert_error(err, "location", "坐标超出范围");
	if (strlen(fq__merge_nonnull(a->phone)) > FQ_PHONE_MAX)
		return alert_error(err, "caller_phone", "电话号码过长");
	return 0;
}

/* ---- insert, move, close, expire ---- */

/* fq_merge_insert once checked, idx->lock held for writing. */
static int insert_locked(struct fq_merge_index *idx, const struct fq_merge_alert *a,
			 long category_index, struct fq_err *err)
{
	const char *phone = fq__merge_nonnull(a->phone);

	if (fq__merge_entry_find(idx, a->alert_id))
		return fq_err_set(err, FQ_ECONFLICT, "merge_duplicate", "alert_id",
				  "警情 %s 已在合并索引中", a->alert_id);
	if (idx->nentries >= idx->cfg.max_active_alerts ||
	    idx->ntraces >= idx->cfg.max_history_reports ||
	    (*phone && idx->ncalls >= idx->cfg.max_history_reports))
		return fq_err_set(err, FQ_ETOOBIG, "merge_full", NULL, "合并索引已满");
	fq__merge_add(idx, a, category_index);
	return 0;
}

int fq_merge_insert(struct fq_merge_index *idx, const struct fq_merge_alert *a, struct fq_err *err)
{
	long category_index;
	int rc;

	rc = alert_check(a, 1, &category_index, err);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&idx->lock);
	rc = insert_locked(idx, a, category_index, err);
	pthread_rwlock_unlock(&idx->lock);
	return rc;
}

int fq_merge_insert_many(struct fq_merge_index *idx, const struct fq_merge_alert *a, size_t n,
			 int try_only, int *rc, struct fq_err *err)
{
	if (!try_only)
		pthread_rwlock_wrlock(&idx->lock);
	else if (pthread_rwlock_trywrlock(&idx->lock))
		return FQ_EUNAVAIL;
	for (size_t i = 0; i < n; i++) {
		long category_index;

		rc[i] = alert_check(&a[i], 1, &category_index, &err[i]);
		if (!rc[i])
			rc[i] = insert_locked(idx, &a[i], category_index, &err[i]);
	}
	pthread_rwlock_unlock(&idx->lock);
	return 0;
}

int fq_merge_may_see(const struct fq_merge_index *idx, const struct fq_merge_alert *a,
		     const struct fq_merge_alert *b)
{
	return fq_merge_may_see_any(idx, a, b, 1);
}

int fq_merge_may_see_any(const struct fq_merge_index *idx, const struct fq_merge_alert *a,
			 const struct fq_merge_alert *b, size_t n)
{
	struct fq_err ignored = FQ_ERR_INIT;
	const char *phone = fq__merge_nonnull(a->phone);
	uint64_t ka;
	long category_index;
	double reach;

	if (alert_check(a, 0, &category_index, &ignored))
		return n > 0;
	ka = a->has_address_key ? a->address_key : fq__merge_address_key(a->address);
	/* The grids: nothing beyond these radii is taken (the margin is to spare). */
	reach = fmax(idx->search_radius_m[category_index], idx->cfg.repeat_place_radius_m) *
		PREFILTER_MARGIN;
	for (size_t i = 0; i < n; i++) {
		const struct fq_merge_alert *o = &b[i];

		/* The caller scan: any distance, any time. */
		if (*phone && !strcmp(phone, fq__merge_nonnull(o->phone)))
			return 1;
		/* The address scans: any distance. */
		if (ka &&
		    ka == (o->has_address_key ? o->address_key : fq__merge_address_key(o->address)))
			return 1;
		if (a->has_location && o->has_location &&
		    fq_geo_distance_m((struct fq_geo_point){a->lat, a->lon},
				      (struct fq_geo_point){o->lat, o->lon}) <= reach)
			return 1;
	}
	return 0;
}

int fq_merge_move(struct fq_merge_index *idx, const char *alert_id, const char *incident_id,
		  struct fq_err *err)
{
	struct entry *e;
	int rc;

	rc = id_check(alert_id, 1, "alert_id", err);
	if (!rc)
		rc = id_check(incident_id, 1, "incident_id", err);
	if (rc)
		return rc;

	pthread_rwlock_wrlock(&idx->lock);
	e = fq__merge_entry_find(idx, alert_id);
	if (!e)
		rc = fq_err_set(err, FQ_ENOTFOUND, "merge_not_found", "alert_id",
				"警情 %s 不在合并索引中", alert_id);
	else
		fq__merge_entry_set_incident(idx, e, fq__merge_incident_get(idx, incident_id));
	pthread_rwlock_unlock(&idx->lock);
	return rc;
}

int fq_merge_join_incidents(struct fq_merge_index *idx, const char *from_id, const char *into_id,
			    struct fq_err *err)
{
	struct incident *from;
	struct incident *into;
	int rc;

	rc = id_check(from_id, 1, "from", err);
	if (!rc)
		rc = id_check(into_id, 1, "into", err);
	if (!rc && !strcmp(from_id, into_id))
		rc = alert_error(err, "into", "不能与自身合并");
	if (rc)
		return rc;

	pthread_rwlock_wrlock(&idx->lock);
	from = fq__merge_incident_find(idx, from_id);
	if (!from) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "merge_not_found", "from",
				"警情事件 %s 不在合并索引中", from_id);
		goto out_unlock;
	}
	into = fq__merge_incident_get(idx, into_id);
	fq__merge_incident_join(idx, from, into);
out_unlock:
	pthread_rwlock_unlock(&idx->lock);
	return rc;
}

static int incident_set_closed(struct fq_merge_index *idx, const char *incident_id, int closed,
			       struct fq_err *err)
{
	struct incident *inc;
	int rc;

	rc = id_check(incident_id, 1, "incident_id", err);
	if (rc)
		return rc;
	pthread_rwlock_wrlock(&idx->lock);
	inc = fq__merge_incident_find(idx, incident_id);
	if (inc && inc->closed != closed) {
		inc->closed = closed;
		idx->changes++;
	} else if (!inc)
		rc = fq_err_set(err, FQ_ENOTFOUND, "merge_not_found", "incident_id",
				"警情事件 %s 不在合并索引中", incident_id);
	pthread_rwlock_unlock(&idx->lock);
	return rc;
}

int fq_merge_close_incident(struct fq_merge_index *idx, const char *incident_id, struct fq_err *err)
{
	return incident_set_closed(idx, incident_id, 1, err);
}

int fq_merge_reopen_incident(struct fq_merge_index *idx, const char *incident_id,
			     struct fq_err *err)
{
	return incident_set_closed(idx, incident_id, 0, err);
}

void fq_merge_expire(struct fq_merge_index *idx, int64_t now_ms)
{
	pthread_rwlock_wrlock(&idx->lock);
	fq__merge_expire(idx, now_ms);
	pthread_rwlock_unlock(&idx->lock);
}

void fq_merge_stats(struct fq_merge_index *idx, struct fq_merge_stats *out)
{
	pthread_rwlock_rdlock(&idx->lock);
	fq__merge_stats(idx, out);
	pthread_rwlock_unlock(&idx->lock);
}

/* ---- matching ---- */

/* The best evidence for one incident. */
struct hit {
	const struct entry *entry;
	const struct incident *incident; /* entry's, when the hit was made */
	enum fq_merge_kind kind;
	double score;
	double time_factor;
	double place_factor;
	double text_similarity;
	double text_factor;
	double category_credit;
	double distance_m; /* -1: not both located */
	int same_address;
	int place_compared;    /* repeat_caller: whether a place phrase applies */
	int64_t late_after_ms; /* repeat_caller: the event window it is beyond, else 0 */
	int by_address;	       /* same_event: placed by the same address, not the distance */
	int place_agree;       /* same_event: within the radius and at the same address */
};

struct matcher {
	const struct fq_merge_index *idx;
	const struct fq_merge_alert *a;
	long category_index;
	const char *alert_id;
	const char *phone;
	uint64_t address_key;
	/*
	 * The phone and address as the index holds them (matcher_bind, under the
	 * lock): NULL when no alert in it has them. An alert shares the new one's
	 * phone or address exactly when it points to the same one.
	 */
	const struct caller *caller;
	const struct bucket *address;
	double metres_per_degree_lon; /* at the new alert's latitude */
	char description[FQ_MERGE_TEXT_MAX + 1];
	struct fq_text_sorted words; /* of description, once words_ready */
	int words_ready;
	struct hit *hits;
	size_t nhits;
	size_t alloc;
	/* Repeat place: incidents of the reports found (with repeats) and their number. */
	const struct incident **place_incidents;
	size_t nplace;
	size_t place_alloc;
	int places_ready; /* place_collect has run (or a prematch's places were taken) */
};

/*
 * Whether (lat, lon) may lie within radius_m of the new alert: a cheap
 * test in the local equirectangular plane with a 1 % margin (the plane is
 * far closer than that to the sphere over a few kilometres), so that the
 * haversine runs only for points that can pass it.
 */
static int maybe_within(const struct matcher *m, double lat, double lon, double radius_m)
{
	double dy = (lat - m->a->lat) * METRES_PER_DEGREE;
	double dlon = lon - m->a->lon;
	double dx;
	double limit = radius_m * PREFILTER_MARGIN;

	if (dlon > 180.0)
		dlon -= 360.0;
	else if (dlon < -180.0)
		dlon += 360.0;
	dx = dlon * m->metres_per_degree_lon;
	return dx * dx + dy * dy <= limit * limit;
}

/* 1 - (x / limit)^2 on [0, limit], 0 beyond. */
static double falloff(double x, double limit)
{
	double r;

	if (limit <= 0.0)
		return x <= 0.0 ? 1.0 : 0.0;
	r = x / limit;
	return r >= 1.0 ? 0.0 : 1.0 - r * r;
}

static int64_t abs64(int64_t x)
{
	return x < 0 ? -x : x;
}

static void text_evidence(struct matcher *m, const struct entry *e, struct hit *h)
{
	h->text_similarity = 0.0;
	if (m->description[0] && e->description[0]) {
		if (!m->words_ready) { /* once per match, when first needed */
			(void)fq_text_sorted_init(&m->words, m->description);
			m->words_ready = 1;
		}
		h->text_similarity = fq_text_similarity_sorted(&m->words, &e->words);
	}
	h->text_factor = fmin(1.0, h->text_similarity / m->idx->cfg.text_full_similarity);
}

/*
 * Whether h represents its incident better than o: the higher score, then the later
 * alert, then same_event before repeat_caller (what a single scan, places first, kept),
 * then the smaller alert id. A total order, so that the hit kept does not depend on the
 * order alerts are seen in (fq_merge_match_from sees a prematch's delta after the rest).
 */
static int hit_better(const struct hit *h, const struct hit *o)
{
	if (h->score != o->score)
		return h->score > o->score;
	if (h->entry->t_ms != o->entry->t_ms)
		return h->entry->t_ms > o->entry->t_ms;
	if (h->kind != o->kind)
		return h->kind == FQ_MERGE_KIND_SAME_EVENT;
	return strcmp(h->entry->alert_id, o->entry->alert_id) < 0;
}

/* Keep h when its incident has no better hit yet. */
static void hit_add(struct matcher *m, const struct hit *h)
{
	for (size_t i = 0; i < m->nhits; i++) {
		struct hit *o = &m->hits[i];

		if (o->incident != h->incident)
			continue;
		if (hit_better(h, o))
			*o = *h;
		return;
	}
	if (m->nhits == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 16;
		m->hits = fq_xrealloc(m->hits, m->alloc * sizeof(*m->hits));
	}
	m->hits[m->nhits++] = *h;
}

static int is_self(const struct matcher *m, const struct entry *e)
{
	return m->alert_id[0] && !strcmp(m->alert_id, e->alert_id);
}

/* PAIR_* bits of the categories of the new alert and another (its index). */
static unsigned pair_rules_with(const struct matcher *m, long category_index)
{
	return m->idx
	    ->compatible[(size_t)m->category_index * m->idx->ncat + (size_t)category_index];
}

/* PAIR_* bits of the categories of the new alert and e. */
static unsigned pair_rules(const struct matcher *m, const struct entry *e)
{
	return pair_rules_with(m, e->category_index);
}

/*
 * A report of another caller at distance_m (< 0: not both located); by_address:
 * found at the same address, which stands for the place whatever the distance.
 */
static void consider_same_event(struct matcher *m, const struct entry *e, double distance_m,
				int by_address)
{
	const struct fq_merge_config *cfg = &m->idx->cfg;
	const struct fq_category *ca = m->a->category;
	const struct fq_category *ce = e->category;
	struct hit h;
	int64_t dt;

	if (!(pair_rules(m, e) & PAIR_SAME_EVENT))
		return;
	dt = abs64(m->a->received_at_ms - e->t_ms);
	if (dt > pair_window_ms(ca, ce) || (!by_address && distance_m > pair_radius_m(ca, ce)))
		return;
	if (e->incident->closed || is_self(m, e))
		return;
	if (m->caller && e->caller == m->caller)
		return;

	memset(&h, 0, sizeof(h));
	h.entry = e;
	h.incident = e->incident;
	h.kind = FQ_MERGE_KIND_SAME_EVENT;
	h.distance_m = distance_m;
	h.same_address = m->address && e->address == m->address;
	h.time_factor = falloff((double)dt, (double)pair_window_ms(ca, ce));
	h.place_factor = by_address ? 1.0 : falloff(distance_m, pair_radius_m(ca, ce));
	h.by_address = by_address;
	h.category_credit = ca == ce ? 1.0 : cfg->compatible_category_credit;
	text_evidence(m, e, &h);
	h.score = cfg->weight_time * h.time_factor + cfg->weight_distance * h.place_factor +
		  cfg->weight_text * h.text_factor + cfg->weight_category * h.category_credit;
	/* Coordinates and address agree: two independent signs of one place. */
	h.place_agree = h.same_address && distance_m >= 0.0 && distance_m <= pair_radius_m(ca, ce);
	if (h.place_agree)
		h.score = fmin(1.0, h.score + cfg->place_agreement_bonus);
	hit_add(m, &h);
}

/* A same-event partner found through the entry grid (in the time window). */
static void cell_entry(struct matcher *m, const struct entry *e)
{
	const struct fq_merge_alert *a = m->a;
	double radius = m->idx->search_radius_m[m->category_index];
	double d;

	if (!(pair_rules(m, e) & PAIR_SAME_EVENT) || !maybe_within(m, e->lat, e->lon, radius))
		return;
	d = fq_geo_distance_m((struct fq_geo_point){a->lat, a->lon},
			      (struct fq_geo_point){e->lat, e->lon});
	/* At the same address within same_address_max_m: scored once, by address_entry. */
	if (m->idx->cfg.same_address_max_m > 0.0 && m->address && e->address == m->address &&
	    d <= m->idx->cfg.same_address_max_m)
		return;
	if (d <= radius)
		consider_same_event(m, e, d, 0);
}

/* Newest first: the time window is left at the first record older than it. */
static void visit_cell(void *ctx, const struct bucket *b)
{
	struct matcher *m = ctx;
	const struct fq_merge_alert *a = m->a;
	int64_t window = m->idx->search_window_ms[m->category_index];
	double radius = m->idx->search_radius_m[m->category_index];

	for (const struct slot *s = b->slots + b->len; s-- > b->slots + b->head;) {
		if (s->t_ms > a->received_at_ms + window)
			continue;
		if (s->t_ms < a->received_at_ms - window)
			break;
		/* The record's own test first: most entries of a cell are not opened. */
		if ((pair_rules_with(m, s->category_index) & PAIR_SAME_EVENT) &&
		    maybe_within(m, s->lat, s->lon, radius))
			cell_entry(m, s->item);
	}
}

/* A same-event partner at the same address (in the time window). */
static void address_entry(struct matcher *m, const struct entry *e)
{
	const struct fq_merge_alert *a = m->a;
	const struct fq_merge_config *cfg = &m->idx->cfg;

	if (!(a->has_location && e->has_location)) {
		consider_same_event(m, e, -1.0, 1);
	} else if (cfg->same_address_max_m > 0.0) {
		/* A coarse fix (a cell tower) off by more than the radius. */
		double d = fq_geo_distance_m((struct fq_geo_point){a->lat, a->lon},
					     (struct fq_geo_point){e->lat, e->lon});

		if (d <= cfg->same_address_max_m)
			consider_same_event(m, e, d, 1);
	}
}

static void scan_places(struct matcher *m)
{
	const struct fq_merge_index *idx = m->idx;
	const struct fq_merge_alert *a = m->a;
	int64_t window = idx->search_window_ms[m->category_index];
	const struct bucket *b;

	if (!window)
		return;
	if (a->has_location)
		fq__merge_entry_grid_visit(idx, a->lat, a->lon,
					   idx->search_radius_m[m->category_index],
					   idx->event_groups[m->category_index], visit_cell, m);
	if (!(b = m->address))
		return;
	for (const struct slot *s = b->slots + b->len; s-- > b->slots + b->head;) {
		if (s->t_ms > a->received_at_ms + window)
			continue;
		if (s->t_ms < a->received_at_ms - window)
			break;
		address_entry(m, s->item);
	}
}

/* f_p of a same-caller pair. */
static void caller_place_evidence(const struct matcher *m, const struct entry *e, struct hit *h)
{
	const struct fq_merge_alert *a = m->a;
	double radius = pair_radius_m(a->category, e->category);

	h->distance_m = -1.0;
	h->same_address = m->address && e->address == m->address;
	h->place_compared = 1;
	if (a->has_location && e->has_location)
		h->distance_m = fq_geo_distance_m((struct fq_geo_point){a->lat, a->lon},
						  (struct fq_geo_point){e->lat, e->lon});
	if (radius <= 0.0) {
		h->place_factor = 1.0;
		h->place_compared = 0;
	} else if (h->distance_m >= 0.0 && h->same_address &&
		   h->distance_m <= m->idx->cfg.same_address_max_m) {
		/* As for same_event: the address stands for the place over a coarse fix. */
		h->place_factor = 1.0;
		h->by_address = h->distance_m > radius;
	} else if (h->distance_m >= 0.0) {
		h->place_factor = falloff(h->distance_m, radius);
	} else if (m->address_key && e->address) {
		h->place_factor = h->same_address ? 1.0 : 0.0;
	} else {
		h->place_factor = 0.0;
	}
}

static int64_t caller_pair_window_ms(const struct fq_merge_config *cfg, const struct fq_category *a,
				     const struct fq_category *b)
{
	int64_t w = cfg->repeat_caller_window_s * SECOND_MS;

	if (a->match == FQ_CATEGORY_MATCH_CALLER)
		w = max64(w, a->window_s * SECOND_MS);
	if (b->match == FQ_CATEGORY_MATCH_CALLER)
		w = max64(w, b->window_s * SECOND_MS);
	return w;
}

/*
 * How long the same caller is taken to call about one event: the caller-matched
 * categories' own window (fraud: the same victim for 24 h), else the longer of
 * repeat_caller_event_window_s and the pair's same_event window.
 */
static int64_t caller_event_window_ms(const struct fq_merge_config *cfg,
				      const struct fq_category *a, const struct fq_category *b)
{
	int64_t w = 0;

	if (a->match == FQ_CATEGORY_MATCH_CALLER)
		w = a->window_s * SECOND_MS;
	if (b->match == FQ_CATEGORY_MATCH_CALLER)
		w = max64(w, b->window_s * SECOND_MS);
	if (w)
		return w;
	return max64(cfg->repeat_caller_event_window_s * SECOND_MS, pair_window_ms(a, b));
}

/* A report of the same caller (in the caller search window). */
static void caller_entry(struct matcher *m, const struct entry *e)
{
	const struct fq_merge_config *cfg = &m->idx->cfg;
	const struct fq_merge_alert *a = m->a;
	int64_t event_ms = caller_event_window_ms(cfg, a->category, e->category);
	double base = cfg->same_caller_base;
	struct hit h;

	if (!(pair_rules(m, e) & PAIR_SAME_CALLER) || e->incident->closed || is_self(m, e) ||
	    abs64(a->received_at_ms - e->t_ms) >
		caller_pair_window_ms(cfg, a->category, e->category))
		return;
	memset(&h, 0, sizeof(h));
	h.entry = e;
	h.incident = e->incident;
	h.kind = FQ_MERGE_KIND_REPEAT_CALLER;
	h.category_credit = a->category == e->category ? 1.0 : cfg->compatible_category_credit;
	caller_place_evidence(m, e, &h);
	text_evidence(m, e, &h);
	if (abs64(a->received_at_ms - e->t_ms) > event_ms) {
		h.late_after_ms = event_ms;
		base = cfg->same_caller_late_base;
	}
	h.score = base + (1.0 - cfg->same_caller_base) * (h.place_factor + h.text_factor) / 2.0;
	hit_add(m, &h);
}

static void scan_caller(struct matcher *m, const struct caller *c)
{
	const struct fq_merge_alert *a = m->a;
	int64_t window = m->idx->caller_search_ms;

	for (const struct dlist *n = c->entries.prev; n != &c->entries; n = n->prev) {
		const struct entry *e = container_of(n, const struct entry, caller_link);

		if (e->t_ms > a->received_at_ms + window)
			continue;
		if (e->t_ms < a->received_at_ms - window)
			break;
		caller_entry(m, e);
	}
}

/* Every hit the index holds for the new alert (idx->lock held). */
static void collect(struct matcher *m)
{
	const struct caller *c;

	scan_places(m);
	if ((c = m->caller))
		scan_caller(m, c);
}

/*
 * The hits of one alert added after a prematch: what collect() finds of it, under the
 * same windows.
 */
static void collect_one(struct matcher *m, const struct entry *e)
{
	const struct fq_merge_alert *a = m->a;
	int64_t window = m->idx->search_window_ms[m->category_index];

	if (window && e->t_ms <= a->received_at_ms + window &&
	    e->t_ms >= a->received_at_ms - window) {
		/* The grid holds the located alerts; scan_places opens it for located ones. */
		if (a->has_location && e->has_location)
			cell_entry(m, e);
		if (m->address && e->address == m->address)
			address_entry(m, e);
	}
	window = m->idx->caller_search_ms;
	if (m->caller && e->caller == m->caller && e->t_ms <= a->received_at_ms + window &&
	    e->t_ms >= a->received_at_ms - window)
		caller_entry(m, e);
}

static int hit_order(const void *pa, const void *pb)
{
	const struct hit *a = pa;
	const struct hit *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->entry->t_ms != b->entry->t_ms)
		return a->entry->t_ms > b->entry->t_ms ? -1 : 1;
	return strcmp(a->entry->incident->id, b->entry->incident->id);
}

/* "45 秒", "12 分钟", "2 小时", "2 小时 5 分钟" for a duration, rounded. */
static void format_span(int64_t ms, char *out, size_t n)
{
	int64_t s = (ms + SECOND_MS / 2) / SECOND_MS;
	int64_t min = (ms + MINUTE_MS / 2) / MINUTE_MS;

	if (s < 60)
		snprintf(out, n, "%lld 秒", (long long)s);
	else if (min < 60)
		snprintf(out, n, "%lld 分钟", (long long)min);
	else if (min % 60 == 0)
		snprintf(out, n, "%lld 小时", (long long)(min / 60));
	else
		snprintf(out, n, "%lld 小时 %lld 分钟", (long long)(min / 60),
			 (long long)(min % 60));
}

/* "30 天", "24 小时", "90 分钟" for a configured window. */
static void format_window(int64_t s, char *out, size_t n)
{
	if (s % 86400 == 0 && s > 86400)
		snprintf(out, n, "%lld 天", (long long)(s / 86400));
	else if (s % 3600 == 0)
		snprintf(out, n, "%lld 小时", (long long)(s / 3600));
	else
		snprintf(out, n, "%lld 分钟", (long long)((s + 30) / 60));
}

static void format_category(const struct fq_merge_alert *a, const struct hit *h, char *out,
			    size_t n)
{
	if (a->category == h->entry->category)
		snprintf(out, n, "同类警情");
	else
		snprintf(out, n, "关联警情（%s）", h->entry->category->label);
}

static void format_text(const struct matcher *m, const struct hit *h, char *out, size_t n)
{
	if (m->description[0] && h->entry->description[0])
		snprintf(out, n, "描述相似度 %.2f", h->text_similarity);
	else
		snprintf(out, n, "缺少描述");
}

static void format_place(const struct matcher *m, const struct hit *h, char *out, size_t n)
{
	if (h->place_agree)
		snprintf(out, n, "同一地址、相距 %.0f 米", h->distance_m);
	else if (h->by_address && h->distance_m >= 0.0)
		snprintf(out, n, "同一地址（坐标相距 %.0f 米）", h->distance_m);
	else if (h->distance_m >= 0.0)
		snprintf(out, n, "相距 %.0f 米", h->distance_m);
	else if (h->same_address)
		snprintf(out, n, "同一地址");
	else if (m->address_key && h->entry->address)
		snprintf(out, n, "地址不同");
	else
		snprintf(out, n, "地点无从比较");
}

static void candidate_fill(const struct matcher *m, const struct hit *h,
			   struct fq_merge_candidate *c)
{
	char span[SPAN_TEXT_MAX];
	char place[PHRASE_MAX];
	char category[PHRASE_MAX];
	char text[PHRASE_MAX];

	snprintf(c->incident_id, sizeof(c->incident_id), "%s", h->entry->incident->id);
	snprintf(c->alert_id, sizeof(c->alert_id), "%s", h->entry->alert_id);
	c->score = h->score;
	c->kind = h->kind;
	c->earlier_ms = m->a->received_at_ms - h->entry->t_ms;
	c->distance_m = h->distance_m;
	c->same_address = h->same_address;
	c->text_similarity = h->text_similarity;
	c->time_factor = h->time_factor;
	c->place_factor = h->place_factor;
	c->text_factor = h->text_factor;
	c->category_credit = h->category_credit;

	format_span(abs64(c->earlier_ms), span, sizeof(span));
	format_place(m, h, place, sizeof(place));
	format_category(m->a, h, category, sizeof(category));
	format_text(m, h, text, sizeof(text));
	if (h->kind == FQ_MERGE_KIND_SAME_EVENT) {
		snprintf(c->reasons[0], sizeof(c->reasons[0]), "%s、间隔 %s，%s，%s", place, span,
			 category, text);
		c->reason_count = 1;
		return;
	}
	snprintf(c->reasons[0], sizeof(c->reasons[0]), "同一来电人 %s%s报警", span,
		 c->earlier_ms >= 0 ? "前" : "后");
	if (h->late_after_ms) {
		char limit[SPAN_TEXT_MAX];
		size_t used = strlen(c->reasons[0]);

		format_span(h->late_after_ms, limit, sizeof(limit));
		snprintf(c->reasons[0] + used, sizeof(c->reasons[0]) - used, "（已超过 %s）",
			 limit);
	}
	if (h->place_compared)
		snprintf(c->reasons[1], sizeof(c->reasons[1]), "%s，%s，%s", place, category, text);
	else
		snprintf(c->reasons[1], sizeof(c->reasons[1]), "%s，%s", category, text);
	c->reason_count = 2;
}

static void caller_flags(const struct matcher *m, struct fq_merge_result *out)
{
	const struct fq_merge_index *idx = m->idx;
	int64_t t = m->a->received_at_ms;
	const struct caller *c;
	char window[SPAN_TEXT_MAX];

	if (!(c = m->caller))
		return;
	out->caller_calls_window =
	    fq__merge_calls_between(c, t - idx->cfg.repeat_caller_window_s * SECOND_MS, t);
	out->caller_calls_7d = fq__merge_calls_between(c, t - 7 * DAY_MS, t);
	out->caller_calls_30d = fq__merge_calls_between(c, t - 30 * DAY_MS, t);
	out->caller_calls_90d = fq__merge_calls_between(c, t - 90 * DAY_MS, t);
	out->repeat_caller = out->caller_calls_window > 0;
	if (!out->repeat_caller)
		return;
	format_window(idx->cfg.repeat_caller_window_s, window, sizeof(window));
	snprintf(out->repeat_caller_reason, sizeof(out->repeat_caller_reason),
		 "该来电人 %s内已报警 %u 次（7 天 %u 次、30 天 %u 次、90 天 %u 次）", window,
		 out->caller_calls_window, out->caller_calls_7d, out->caller_calls_30d,
		 out->caller_calls_90d);
}

static void place_add(struct matcher *m, const struct trace *tr)
{
	if (m->nplace == m->place_alloc) {
		m->place_alloc = m->place_alloc ? m->place_alloc * 2 : 16;
		m->place_incidents =
		    fq_xrealloc(m->place_incidents, m->place_alloc * sizeof(*m->place_incidents));
	}
	m->place_incidents[m->nplace++] = tr->incident;
}

/* A report at t_ms is inside the repeat-place window. */
static int place_in_window(const struct matcher *m, int64_t t_ms)
{
	int64_t t = m->a->received_at_ms;

	return t_ms <= t && t_ms >= t - m->idx->cfg.repeat_place_window_s * SECOND_MS;
}

/* (lat, lon) is within the repeat-place radius of the located alert. */
static int place_near_point(const struct matcher *m, double lat, double lon)
{
	double radius = m->idx->cfg.repeat_place_radius_m;

	return maybe_within(m, lat, lon, radius) &&
	       fq_geo_distance_m((struct fq_geo_point){m->a->lat, m->a->lon},
				 (struct fq_geo_point){lat, lon}) <= radius;
}

static int place_near(const struct matcher *m, const struct trace *tr)
{
	return m->a->has_location && tr->has_location && place_near_point(m, tr->lat, tr->lon);
}

/* Newest first, as visit_cell; the place grid holds located reports only. */
static void visit_place_cell(void *ctx, const struct bucket *b)
{
	struct matcher *m = ctx;

	for (const struct slot *s = b->slots + b->len; s-- > b->slots + b->head;) {
		if (s->t_ms > m->a->received_at_ms)
			continue;
		if (!place_in_window(m, s->t_ms))
			break;
		if (place_near_point(m, s->lat, s->lon))
			place_add(m, s->item);
	}
}

static int pointer_order(const void *pa, const void *pb)
{
	uintptr_t a = (uintptr_t) * (const struct incident *const *)pa;
	uintptr_t b = (uintptr_t) * (const struct incident *const *)pb;

	return a < b ? -1 : a > b;
}

/*
 * The earlier reports at the alert's place (within the repeat-place radius, or
 * elsewhere at the same normalised address) inside the repeat-place window,
 * into m->place_incidents.
 */
static void place_collect(struct matcher *m)
{
	const struct fq_merge_index *idx = m->idx;
	const struct bucket *b;

	m->places_ready = 1;
	if (m->a->has_location)
		fq__merge_grid_visit(&idx->place_grid, m->a->lat, m->a->lon,
				     idx->cfg.repeat_place_radius_m, visit_place_cell, m);
	if (m->address_key && (b = fq__merge_bucket_find(&idx->place_addresses, m->address_key))) {
		for (const struct slot *s = b->slots + b->len; s-- > b->slots + b->head;) {
			if (s->t_ms > m->a->received_at_ms)
				continue;
			if (!place_in_window(m, s->t_ms))
				break;
			if (!place_near(m, s->item))
				place_add(m, s->item);
		}
	}
}

/*
 * What place_collect finds of one report added after a prematch: near, or
 * not near and at the same address (address: the alert's bucket of
 * place_addresses, or NULL).
 */
static void place_collect_one(struct matcher *m, const struct trace *tr,
			      const struct bucket *address)
{
	if (tr->t_ms > m->a->received_at_ms || !place_in_window(m, tr->t_ms))
		return;
	if (place_near(m, tr) || (address && tr->address == address))
		place_add(m, tr);
}

/* The repeat-place flag from the reports place_collect found; joined: the incident merged into. */
static void place_flags(struct matcher *m, const struct incident *joined,
			struct fq_merge_result *out)
{
	const struct fq_merge_index *idx = m->idx;
	size_t distinct = 0;
	int joins_earlier = 0;
	char window[SPAN_TEXT_MAX];

	if (!m->places_ready)
		place_collect(m);
	if (!m->nplace)
		return;

	qsort(m->place_incidents, m->nplace, sizeof(*m->place_incidents), pointer_order);
	for (size_t i = 0; i < m->nplace; i++) {
		if (i && m->place_incidents[i] == m->place_incidents[i - 1])
			continue;
		distinct++;
		if (m->place_incidents[i] == joined)
			joins_earlier = 1;
	}
	out->place_reports = (unsigned)m->nplace;
	out->place_occasions = (unsigned)distinct + (joins_earlier ? 0 : 1);
	out->repeat_place = out->place_occasions >= 2;
	out->propose_directive = out->place_occasions >= idx->cfg.repeat_place_threshold;
	if (!out->repeat_place)
		return;
	format_window(idx->cfg.repeat_place_window_s, window, sizeof(window));
	snprintf(out->repeat_place_reason, sizeof(out->repeat_place_reason),
		 "此地 %s内第 %u 起警情（此前报警 %u 次）%s", window, out->place_occasions,
		 out->place_reports, out->propose_directive ? "，建议下发治理指令" : "");
}

static int matcher_init(struct matcher *m, const struct fq_merge_index *idx,
			const struct fq_merge_alert *a, struct fq_err *err)
{
	size_t desc_len;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = alert_check(a, 0, &m->category_index, err);
	if (rc)
		return rc;
	m->idx = idx;
	m->a = a;
	m->alert_id = fq__merge_nonnull(a->alert_id);
	m->phone = fq__merge_nonnull(a->phone);
	m->address_key = a->has_address_key ? a->address_key : fq__merge_address_key(a->address);
	if (a->has_location)
		m->metres_per_degree_lon = METRES_PER_DEGREE * cos(a->lat * PI / 180.0);
	desc_len = fq__merge_text_kept_len(fq__merge_nonnull(a->description));
	memcpy(m->description, fq__merge_nonnull(a->description), desc_len);
	m->description[desc_len] = '\0';
	return 0;
}

/* m->caller and m->address (idx->lock held). */
static void matcher_bind(struct matcher *m)
{
	m->caller = m->phone[0] ? fq__merge_caller_find(m->idx, m->phone) : NULL;
	m->address =
	    m->address_key ? fq__merge_bucket_find(&m->idx->addresses, m->address_key) : NULL;
}

/* From the hits to the result (idx->lock held); frees what m holds. */
static void finish(struct matcher *m, struct fq_merge_result *out)
{
	const struct fq_merge_config *cfg = &m->idx->cfg;
	const struct incident *joined = NULL;

	if (m->nhits > 1)
		qsort(m->hits, m->nhits, sizeof(*m->hits), hit_order);
	for (size_t i = 0; i < m->nhits && i < cfg->max_candidates; i++)
		candidate_fill(m, &m->hits[i], &out->candidates[i]);
	out->candidate_count =
	    (unsigned)(m->nhits < cfg->max_candidates ? m->nhits : cfg->max_candidates);
	if (m->nhits && m->hits[0].score >= cfg->auto_merge_threshold) {
		out->decision = FQ_MERGE_MERGED;
		joined = m->hits[0].entry->incident;
	} else if (m->nhits && m->hits[0].score >= cfg->suggest_threshold) {
		out->decision = FQ_MERGE_SUGGESTED;
	}
	if (out->decision != FQ_MERGE_NEW)
		out->kind = m->hits[0].kind;
	caller_flags(m, out);
	place_flags(m, joined, out);
	free(m->hits);
	free(m->place_incidents);
	fq_text_sorted_release(&m->words);
	m->hits = NULL;
	m->place_incidents = NULL;
}

int fq_merge_match(struct fq_merge_index *idx, const struct fq_merge_alert *a,
		   struct fq_merge_result *out, struct fq_err *err)
{
	return fq_merge_match_from(idx, a, NULL, out, NULL, err);
}

int fq_merge_prematch(struct fq_merge_index *idx, const struct fq_merge_alert *a,
		      struct fq_merge_prematch *pm, struct fq_err *err)
{
	struct matcher m;
	int rc;

	memset(pm, 0, sizeof(*pm));
	if ((rc = matcher_init(&m, idx, a, err)))
		return rc;
	pthread_rwlock_rdlock(&idx->lock);
	pm->generation = idx->generation;
	pm->inserts = idx->inserts;
	pm->changes = idx->changes;
	matcher_bind(&m);
	collect(&m);
	place_collect(&m);
	pthread_rwlock_unlock(&idx->lock);
	pm->hits = m.hits;
	pm->nhits = m.nhits;
	pm->places = m.place_incidents;
	pm->nplaces = m.nplace;
	pm->places_alloc = m.place_alloc;
	pm->words = m.words; /* for the alerts added since, if any is compared by text */
	pm->words_ready = m.words_ready;
	pm->ready = 1;
	return 0;
}

void fq_merge_prematch_release(struct fq_merge_prematch *pm)
{
	if (!pm)
		return;
	free(pm->hits);
	free(pm->places);
	fq_text_sorted_release(&pm->words);
	memset(pm, 0, sizeof(*pm));
}

/* Whether pm's hits still hold in idx, completed by the alerts added since (idx->lock held). */
static int prematch_holds(const struct fq_merge_index *idx, const struct fq_merge_prematch *pm)
{
	return pm && pm->ready && pm->generation == idx->generation &&
	       pm->changes == idx->changes && idx->inserts >= pm->inserts &&
	       idx->inserts - pm->inserts <= FQ_MERGE_RECENT_MAX;
}

int fq_merge_match_from(struct fq_merge_index *idx, const struct fq_merge_alert *a,
			struct fq_merge_prematch *pm, struct fq_merge_result *out, int *reused,
			struct fq_err *err)
{
	struct matcher m;
	int rc;

	memset(out, 0, sizeof(*out));
	if (reused)
		*reused = 0;
	if ((rc = matcher_init(&m, idx, a, err))) {
		fq_merge_prematch_release(pm);
		return rc;
	}
	if (pm && pm->ready) { /* the same alert's tokens, whether its hits hold or not */
		m.words = pm->words;
		m.words_ready = pm->words_ready;
		memset(&pm->words, 0, sizeof(pm->words));
	}
	pthread_rwlock_rdlock(&idx->lock);
	matcher_bind(&m);
	if (prematch_holds(idx, pm)) {
		/* Its alerts are all still there, as they were: only the newer ones to see. */
		const struct bucket *place_address =
		    m.address_key ? fq__merge_bucket_find(&idx->place_addresses, m.address_key)
				  : NULL;

		m.hits = pm->hits; /* m's now */
		m.nhits = m.alloc = pm->nhits;
		pm->hits = NULL;
		m.place_incidents = pm->places;
		m.nplace = pm->nplaces;
		m.place_alloc = pm->places_alloc;
		m.places_ready = 1;
		pm->places = NULL;
		for (uint64_t n = pm->inserts; n < idx->inserts; n++) {
			const struct entry *e = idx->recent[n % FQ_MERGE_RECENT_MAX];

			collect_one(&m, e);
			place_collect_one(&m, e->trace, place_address);
		}
		if (reused)
			*reused = 1;
	} else {
		collect(&m);
	}
	fq_merge_prematch_release(pm); /* spent: what it held is m's now, or no longer holds */
	finish(&m, out);
	pthread_rwlock_unlock(&idx->lock);
	return 0;
}

const char *fq_merge_decision_name(enum fq_merge_decision d)
{
	switch (d) {
	case FQ_MERGE_MERGED:
		return "merged";
	case FQ_MERGE_SUGGESTED:
		return "suggested";
	case FQ_MERGE_NEW:
		return "new";
	}
	return "new";
}

const char *fq_merge_kind_name(enum fq_merge_kind k)
{
	switch (k) {
	case FQ_MERGE_KIND_REPEAT_CALLER:
		return "repeat_caller";
	case FQ_MERGE_KIND_SAME_EVENT:
		return "same_event";
	case FQ_MERGE_KIND_NONE:
		break;
	}
	return NULL;
}
