#include "command/merge.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/geo.h"
#include "core/phone.h"
#include "core/text.h"
#include "core/banned.h"

#define SECOND_MS	  1000LL
#define MINUTE_MS	  (60 * SECOND_MS)
#define HOUR_MS		  (60 * MINUTE_MS)
#define DAY_MS		  (24 * HOUR_MS)
#define PI		  3.14159265358979323846
#define METRES_PER_DEGREE (FQ_GEO_EARTH_RADIUS_M * PI / 180.0)

#define DEFAULT_ACTIVE_WINDOW_S (24 * 3600)
#define CALLER_WINDOW_MAX_S	(7 * 86400)
#define PLACE_WINDOW_MAX_S	(90 * 86400)
#define PLACE_RADIUS_MAX_M	1000.0
#define CELL_SIZE_MIN_M		50.0
#define CELL_SIZE_MAX_M		5000.0
#define PLACE_CELL_MIN_M	25.0
#define PREFILTER_MARGIN	1.01

/* What two categories allow (gates of merge.h): */
#define PAIR_SAME_CALLER      0x1u /* compatible, neither FQ_CATEGORY_MATCH_NONE */
#define PAIR_SAME_EVENT	      0x2u /* and both FQ_CATEGORY_MATCH_PLACE */
#define REFERENCE_LAT_MAX_DEG 80.0
#define WEIGHT_SUM_TOLERANCE  1e-9
#define HT_INITIAL_SLOTS      64
#define SPAN_TEXT_MAX	      32
#define PHRASE_MAX	      40

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Intrusive doubly linked list with a sentinel head (empty: head->next == head). */
struct dlist {
	struct dlist *prev;
	struct dlist *next;
};

/* Chained hash table of intrusive nodes; several nodes may share a key. */
struct hnode {
	uint64_t key;
	struct hnode *next;
};

struct htable {
	struct hnode **slots;
	size_t mask;
	size_t count;
};

struct incident {
	struct hnode node; /* key: hash of id */
	char id[FQ_MERGE_ID_MAX + 1];
	int closed;
	struct dlist alerts;  /* struct entry.incident_link */
	struct dlist reports; /* struct trace.incident_link */
};

/* A grid cell or an address: its alerts or reports, oldest first. */
struct bucket {
	struct hnode node;
	struct dlist items;
};

/*
 * A phone. Lives while it has a call in the last FQ_MERGE_CALLER_HISTORY_S
 * (ordered in the index's caller list by its last call).
 */
struct caller {
	int64_t last_ms;   /* first member: see time_at() */
	struct hnode node; /* key: hash of phone */
	struct dlist lru_link;
	struct dlist entries; /* its active alerts, oldest first */
	char phone[FQ_PHONE_MAX + 1];
	int64_t *calls_ms; /* ascending */
	size_t ncalls;
	size_t alloc;
};

/* An alert of the active window. */
struct entry {
	int64_t t_ms; /* first member: see time_at() */
	struct dlist cell_link;
	long category_index;
	int has_location;
	double lat;
	double lon;
	struct hnode node; /* key: hash of alert id */
	struct dlist time_link;
	struct dlist address_link;
	struct dlist caller_link;
	struct dlist incident_link;
	struct bucket *cell;	/* NULL without coordinates */
	struct bucket *address; /* NULL without address */
	struct caller *caller;	/* NULL without phone */
	struct incident *incident;
	struct trace *trace; /* NULL once the report record has expired */
	const struct fq_category *category;
	char *description;
	char alert_id[FQ_MERGE_ID_MAX + 1];
};

/*
 * The compact record of a report, for repeat-place counts. What a grid
 * scan reads comes first, to share a cache line.
 */
struct trace {
	int64_t t_ms; /* first member: see time_at() */
	struct dlist cell_link;
	double lat;
	double lon;
	struct incident *incident;
	int has_location;
	struct dlist time_link;
	struct dlist address_link;
	struct dlist incident_link;
	struct bucket *cell;
	struct bucket *address;
	struct entry *entry; /* NULL once the alert has left the active window */
};

_Static_assert(offsetof(struct entry, t_ms) == 0, "time_at reads the first member");
_Static_assert(offsetof(struct trace, t_ms) == 0, "time_at reads the first member");
_Static_assert(offsetof(struct caller, last_ms) == 0, "time_at reads the first member");

/*
 * A hash grid: buckets keyed by integer cell coordinates of an
 * equirectangular projection (cells of dlat x dlon degrees).
 */
struct grid {
	struct htable cells; /* struct bucket */
	double dlat;
	double dlon;
};

struct fq_merge_index {
	pthread_rwlock_t lock;
	struct fq_merge_config cfg;
	int64_t active_window_ms;
	int64_t caller_search_ms; /* longest same-caller pair window */

	/* Per category, in taxonomy order. */
	size_t ncat;
	unsigned char *compatible; /* ncat x ncat, PAIR_* bits */
	int64_t *search_window_ms; /* longest same_event pair window, 0: no same_event */
	double *search_radius_m;

	struct htable alerts;	       /* struct entry */
	struct htable incidents;       /* struct incident */
	struct htable callers;	       /* struct caller */
	struct grid grid;	       /* entries, cells of cell_size_m */
	struct htable addresses;       /* struct bucket of entries */
	struct grid place_grid;	       /* traces, cells of the repeat-place radius */
	struct htable place_addresses; /* struct bucket of traces */
	struct dlist active;	       /* entries, oldest first */
	struct dlist reports;	       /* traces, oldest first */
	struct dlist caller_lru;       /* callers by last call, oldest first */
	size_t nentries;
	size_t ntraces;
	size_t ncallers;
	size_t ncalls;
	size_t text_bytes;
};

/* ---- lists and tables ---- */

static void dlist_init(struct dlist *h)
{
	h->prev = h;
	h->next = h;
}

static int dlist_empty(const struct dlist *h)
{
	return h->next == h;
}

static void dlist_insert_after(struct dlist *pos, struct dlist *n)
{
	n->prev = pos;
	n->next = pos->next;
	pos->next->prev = n;
	pos->next = n;
}

static void dlist_unlink(struct dlist *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	dlist_init(n);
}

/* The time of the object whose first member is an int64_t and whose link sits at offset. */
static int64_t time_at(const struct dlist *n, size_t offset)
{
	const int64_t *t = (const int64_t *)(const void *)((const char *)n - offset);

	return *t;
}

/* Insert n into a list kept in time order; in-order arrivals cost O(1). */
static void dlist_insert_by_time(struct dlist *head, struct dlist *n, size_t offset)
{
	struct dlist *pos = head->prev;
	int64_t t = time_at(n, offset);

	while (pos != head && time_at(pos, offset) > t)
		pos = pos->prev;
	dlist_insert_after(pos, n);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* FNV-1a; 0 is kept for "no string". */
static uint64_t hash_string(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

static void ht_init(struct htable *t)
{
	t->slots = fq_xcalloc(HT_INITIAL_SLOTS, sizeof(*t->slots));
	t->mask = HT_INITIAL_SLOTS - 1;
	t->count = 0;
}

static void ht_release(struct htable *t)
{
	free(t->slots);
	t->slots = NULL;
}

static void ht_grow(struct htable *t)
{
	size_t nslots = (t->mask + 1) * 2;
	struct hnode **slots = fq_xcalloc(nslots, sizeof(*slots));

	for (size_t i = 0; i <= t->mask; i++) {
		struct hnode *n = t->slots[i];

		while (n) {
			struct hnode *next = n->next;
			size_t s = mix64(n->key) & (nslots - 1);

			n->next = slots[s];
			slots[s] = n;
			n = next;
		}
	}
	free(t->slots);
	t->slots = slots;
	t->mask = nslots - 1;
}

static void ht_add(struct htable *t, struct hnode *n)
{
	size_t s;

	if (t->count > t->mask)
		ht_grow(t);
	s = mix64(n->key) & t->mask;
	n->next = t->slots[s];
	t->slots[s] = n;
	t->count++;
}

static void ht_del(struct htable *t, struct hnode *n)
{
	struct hnode **pp = &t->slots[mix64(n->key) & t->mask];

	while (*pp != n) {
		fq_assert(*pp);
		pp = &(*pp)->next;
	}
	*pp = n->next;
	t->count--;
}

static struct hnode *ht_next_with_key(struct hnode *n, uint64_t key)
{
	for (; n; n = n->next) {
		if (n->key == key)
			return n;
	}
	return NULL;
}

static struct hnode *ht_find(const struct htable *t, uint64_t key)
{
	return ht_next_with_key(t->slots[mix64(key) & t->mask], key);
}

/* ---- buckets, incidents, callers ---- */

static struct bucket *bucket_get(struct htable *t, uint64_t key)
{
	struct hnode *n = ht_find(t, key);
	struct bucket *b;

	if (n)
		return container_of(n, struct bucket, node);
	b = fq_xmalloc(sizeof(*b));
	b->node.key = key;
	dlist_init(&b->items);
	ht_add(t, &b->node);
	return b;
}

/* Free b when its last item has left. */
static void bucket_put(struct htable *t, struct bucket *b)
{
	if (!b || !dlist_empty(&b->items))
		return;
	ht_del(t, &b->node);
	free(b);
}

static const char *nonnull(const char *s)
{
	return s ? s : "";
}

static struct incident *incident_find(const struct fq_merge_index *idx, const char *id)
{
	uint64_t key = hash_string(id);

	for (struct hnode *n = ht_find(&idx->incidents, key); n;
	     n = ht_next_with_key(n->next, key)) {
		struct incident *inc = container_of(n, struct incident, node);

		if (!strcmp(inc->id, id))
			return inc;
	}
	return NULL;
}

/* The incident of this id, created open when new. id was checked to fit. */
static struct incident *incident_get(struct fq_merge_index *idx, const char *id)
{
	struct incident *inc = incident_find(idx, id);

	if (inc)
		return inc;
	inc = fq_xcalloc(1, sizeof(*inc));
	inc->node.key = hash_string(id);
	snprintf(inc->id, sizeof(inc->id), "%s", id);
	dlist_init(&inc->alerts);
	dlist_init(&inc->reports);
	ht_add(&idx->incidents, &inc->node);
	return inc;
}

static void incident_put(struct fq_merge_index *idx, struct incident *inc)
{
	if (!dlist_empty(&inc->alerts) || !dlist_empty(&inc->reports))
		return;
	ht_del(&idx->incidents, &inc->node);
	free(inc);
}

static struct caller *caller_find(const struct fq_merge_index *idx, const char *phone)
{
	uint64_t key = hash_string(phone);

	for (struct hnode *n = ht_find(&idx->callers, key); n; n = ht_next_with_key(n->next, key)) {
		struct caller *c = container_of(n, struct caller, node);

		if (!strcmp(c->phone, phone))
			return c;
	}
	return NULL;
}

static struct caller *caller_get(struct fq_merge_index *idx, const char *phone)
{
	struct caller *c = caller_find(idx, phone);

	if (c)
		return c;
	c = fq_xcalloc(1, sizeof(*c));
	c->last_ms = INT64_MIN;
	c->node.key = hash_string(phone);
	snprintf(c->phone, sizeof(c->phone), "%s", phone);
	dlist_init(&c->entries);
	dlist_insert_after(&idx->caller_lru, &c->lru_link);
	ht_add(&idx->callers, &c->node);
	idx->ncallers++;
	return c;
}

static void caller_free(struct fq_merge_index *idx, struct caller *c)
{
	fq_assert(dlist_empty(&c->entries));
	ht_del(&idx->callers, &c->node);
	dlist_unlink(&c->lru_link);
	idx->ncalls -= c->ncalls;
	idx->ncallers--;
	free(c->calls_ms);
	free(c);
}

/* Index of the first call at or after t_ms. */
static size_t calls_lower_bound(const struct caller *c, int64_t t_ms)
{
	size_t lo = 0, hi = c->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->calls_ms[mid] < t_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Calls in [from_ms, to_ms]. */
static unsigned calls_between(const struct caller *c, int64_t from_ms, int64_t to_ms)
{
	size_t lo = calls_lower_bound(c, from_ms);
	size_t hi = calls_lower_bound(c, to_ms == INT64_MAX ? to_ms : to_ms + 1);

	return hi > lo ? (unsigned)(hi - lo) : 0;
}

/* Record a call; drop the calls more than the history before the newest. */
static void caller_add_call(struct fq_merge_index *idx, struct caller *c, int64_t t_ms)
{
	size_t pos, old;

	if (c->ncalls == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 4;
		c->calls_ms = fq_xrealloc(c->calls_ms, c->alloc * sizeof(*c->calls_ms));
	}
	pos = calls_lower_bound(c, t_ms + 1);
	memmove(c->calls_ms + pos + 1, c->calls_ms + pos, (c->ncalls - pos) * sizeof(*c->calls_ms));
	c->calls_ms[pos] = t_ms;
	c->ncalls++;
	idx->ncalls++;

	if (t_ms > c->last_ms) {
		c->last_ms = t_ms;
		dlist_unlink(&c->lru_link);
		dlist_insert_by_time(&idx->caller_lru, &c->lru_link,
				     offsetof(struct caller, lru_link));
	}
	old = calls_lower_bound(c, c->last_ms - FQ_MERGE_CALLER_HISTORY_S * SECOND_MS);
	if (old) {
		memmove(c->calls_ms, c->calls_ms + old, (c->ncalls - old) * sizeof(*c->calls_ms));
		c->ncalls -= old;
		idx->ncalls -= old;
	}
}

/* ---- the grid ---- */

static int64_t cell_coord(double deg, double cell_deg)
{
	return (int64_t)floor(deg / cell_deg);
}

static uint64_t cell_key(int64_t x, int64_t y)
{
	return ((uint64_t)(uint32_t)(int32_t)x << 32) | (uint64_t)(uint32_t)(int32_t)y;
}

static uint64_t cell_key_of(const struct grid *g, double lat, double lon)
{
	return cell_key(cell_coord(lon, g->dlon), cell_coord(lat, g->dlat));
}

static void grid_init(struct grid *g, double cell_m, double reference_lat_deg)
{
	ht_init(&g->cells);
	g->dlat = cell_m / METRES_PER_DEGREE;
	g->dlon = cell_m / (METRES_PER_DEGREE * cos(reference_lat_deg * PI / 180.0));
}

/*
 * Call visit(ctx, bucket) for every bucket of t whose cell may hold a
 * point within radius_m of (lat, lon). Enumerates the cells of the
 * bounding box, or every bucket when that is cheaper (large radii, boxes
 * widened at the poles or the antimeridian).
 */
static void grid_visit(const struct grid *g, double lat, double lon, double radius_m,
		       void (*visit)(void *, const struct bucket *), void *ctx)
{
	struct fq_geo_bbox box = fq_geo_bbox_around((struct fq_geo_point){lat, lon}, radius_m);
	const struct htable *t = &g->cells;
	int64_t x0 = cell_coord(box.min_lon, g->dlon);
	int64_t x1 = cell_coord(box.max_lon, g->dlon);
	int64_t y0 = cell_coord(box.min_lat, g->dlat);
	int64_t y1 = cell_coord(box.max_lat, g->dlat);
	double ncells = (double)(x1 - x0 + 1) * (double)(y1 - y0 + 1);

	if (ncells > (double)t->count) {
		for (size_t s = 0; s <= t->mask; s++) {
			for (const struct hnode *n = t->slots[s]; n; n = n->next)
				visit(ctx, container_of(n, const struct bucket, node));
		}
		return;
	}
	for (int64_t y = y0; y <= y1; y++) {
		for (int64_t x = x0; x <= x1; x++) {
			const struct hnode *n = ht_find(t, cell_key(x, y));

			if (n)
				visit(ctx, container_of(n, const struct bucket, node));
		}
	}
}

/* ---- configuration ---- */

void fq_merge_config_init(struct fq_merge_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->repeat_caller_window_s = 24 * 3600;
	cfg->same_caller_base = 0.75;
	cfg->repeat_place_radius_m = 50.0;
	cfg->repeat_place_window_s = 30 * 86400;
	cfg->repeat_place_threshold = 3;
	cfg->auto_merge_threshold = 0.85;
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
	idx->caller_search_ms = idx->cfg.repeat_caller_window_s * SECOND_MS;

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
	if (pthread_rwlock_init(&idx->lock, NULL))
		fq_die("pthread_rwlock_init");
	idx->cfg = *cfg;
	grid_init(&idx->grid, cfg->cell_size_m, cfg->grid_reference_lat_deg);
	grid_init(&idx->place_grid, fmax(cfg->repeat_place_radius_m, PLACE_CELL_MIN_M),
		  cfg->grid_reference_lat_deg);
	category_tables_init(idx);
	ht_init(&idx->alerts);
	ht_init(&idx->incidents);
	ht_init(&idx->callers);
	ht_init(&idx->addresses);
	ht_init(&idx->place_addresses);
	dlist_init(&idx->active);
	dlist_init(&idx->reports);
	dlist_init(&idx->caller_lru);
	*out = idx;
	return 0;
}

/* ---- entries and traces ---- */

static struct entry *entry_find(const struct fq_merge_index *idx, const char *alert_id)
{
	uint64_t key = hash_string(alert_id);

	for (struct hnode *n = ht_find(&idx->alerts, key); n; n = ht_next_with_key(n->next, key)) {
		struct entry *e = container_of(n, struct entry, node);

		if (!strcmp(e->alert_id, alert_id))
			return e;
	}
	return NULL;
}

static void trace_free(struct fq_merge_index *idx, struct trace *tr)
{
	dlist_unlink(&tr->time_link);
	if (tr->cell) {
		dlist_unlink(&tr->cell_link);
		bucket_put(&idx->place_grid.cells, tr->cell);
	}
	if (tr->address) {
		dlist_unlink(&tr->address_link);
		bucket_put(&idx->place_addresses, tr->address);
	}
	dlist_unlink(&tr->incident_link);
	incident_put(idx, tr->incident);
	if (tr->entry)
		tr->entry->trace = NULL;
	idx->ntraces--;
	free(tr);
}

static void entry_free(struct fq_merge_index *idx, struct entry *e)
{
	ht_del(&idx->alerts, &e->node);
	dlist_unlink(&e->time_link);
	if (e->cell) {
		dlist_unlink(&e->cell_link);
		bucket_put(&idx->grid.cells, e->cell);
	}
	if (e->address) {
		dlist_unlink(&e->address_link);
		bucket_put(&idx->addresses, e->address);
	}
	if (e->caller)
		dlist_unlink(&e->caller_link);
	dlist_unlink(&e->incident_link);
	incident_put(idx, e->incident);
	if (e->trace)
		e->trace->entry = NULL;
	idx->text_bytes -= strlen(e->description) + 1;
	idx->nentries--;
	free(e->description);
	free(e);
}

void fq_merge_index_free(struct fq_merge_index *idx)
{
	if (!idx)
		return;
	while (!dlist_empty(&idx->active))
		entry_free(idx, container_of(idx->active.next, struct entry, time_link));
	while (!dlist_empty(&idx->reports))
		trace_free(idx, container_of(idx->reports.next, struct trace, time_link));
	while (!dlist_empty(&idx->caller_lru))
		caller_free(idx, container_of(idx->caller_lru.next, struct caller, lru_link));
	fq_assert(idx->incidents.count == 0);
	ht_release(&idx->alerts);
	ht_release(&idx->incidents);
	ht_release(&idx->callers);
	ht_release(&idx->grid.cells);
	ht_release(&idx->addresses);
	ht_release(&idx->place_grid.cells);
	ht_release(&idx->place_addresses);
	free(idx->compatible);
	free(idx->search_window_ms);
	free(idx->search_radius_m);
	pthread_rwlock_destroy(&idx->lock);
	free(idx);
}

/* Length of the first FQ_MERGE_TEXT_MAX bytes of s, cut before a partial character. */
static size_t text_kept_len(const char *s)
{
	size_t n = strnlen(s, FQ_MERGE_TEXT_MAX + 1);

	if (n <= FQ_MERGE_TEXT_MAX)
		return n;
	n = FQ_MERGE_TEXT_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* ---- input checks ---- */

static int alert_error(struct fq_err *err, const char *field, const char *message)
{
	return fq_err_set(err, FQ_EINVAL, "merge_alert", field, "%s", message);
}

static int id_check(const char *id, int required, const char *field, struct fq_err *err)
{
	size_t n = strlen(nonnull(id));

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
	if (strlen(nonnull(a->phone)) > FQ_PHONE_MAX)
		return alert_error(err, "caller_phone", "电话号码过长");
	return 0;
}

/* ---- insert, move, close, expire ---- */

static struct trace *trace_new(struct fq_merge_index *idx, const struct fq_merge_alert *a,
			       struct incident *inc, uint64_t address_key)
{
	struct trace *tr = fq_xcalloc(1, sizeof(*tr));

	tr->t_ms = a->received_at_ms;
	tr->incident = inc;
	tr->has_location = a->has_location != 0;
	tr->lat = a->lat;
	tr->lon = a->lon;
	dlist_insert_by_time(&idx->reports, &tr->time_link, offsetof(struct trace, time_link));
	dlist_insert_after(inc->reports.prev, &tr->incident_link);
	if (tr->has_location) {
		tr->cell = bucket_get(&idx->place_grid.cells,
				      cell_key_of(&idx->place_grid, tr->lat, tr->lon));
		dlist_insert_by_time(&tr->cell->items, &tr->cell_link,
				     offsetof(struct trace, cell_link));
	}
	if (address_key) {
		tr->address = bucket_get(&idx->place_addresses, address_key);
		dlist_insert_by_time(&tr->address->items, &tr->address_link,
				     offsetof(struct trace, address_link));
	}
	idx->ntraces++;
	return tr;
}

static struct entry *entry_new(struct fq_merge_index *idx, const struct fq_merge_alert *a,
			       long category_index, struct incident *inc, uint64_t address_key)
{
	struct entry *e = fq_xcalloc(1, sizeof(*e));
	const char *desc = nonnull(a->description);
	size_t desc_len = text_kept_len(desc);

	e->t_ms = a->received_at_ms;
	e->node.key = hash_string(a->alert_id);
	snprintf(e->alert_id, sizeof(e->alert_id), "%s", a->alert_id);
	e->incident = inc;
	e->category = a->category;
	e->category_index = category_index;
	e->has_location = a->has_location != 0;
	e->lat = a->lat;
	e->lon = a->lon;
	e->description = fq_xstrndup(desc, desc_len);
	idx->text_bytes += desc_len + 1;

	ht_add(&idx->alerts, &e->node);
	dlist_insert_by_time(&idx->active, &e->time_link, offsetof(struct entry, time_link));
	dlist_insert_after(inc->alerts.prev, &e->incident_link);
	dlist_init(&e->cell_link);
	dlist_init(&e->address_link);
	dlist_init(&e->caller_link);
	if (e->has_location) {
		e->cell = bucket_get(&idx->grid.cells, cell_key_of(&idx->grid, e->lat, e->lon));
		dlist_insert_by_time(&e->cell->items, &e->cell_link,
				     offsetof(struct entry, cell_link));
	}
	if (address_key) {
		e->address = bucket_get(&idx->addresses, address_key);
		dlist_insert_by_time(&e->address->items, &e->address_link,
				     offsetof(struct entry, address_link));
	}
	idx->nentries++;
	return e;
}

static uint64_t address_key(const char *address)
{
	return *nonnull(address) ? hash_string(address) : 0;
}

int fq_merge_insert(struct fq_merge_index *idx, const struct fq_merge_alert *a, struct fq_err *err)
{
	const char *phone = nonnull(a->phone);
	uint64_t addr = address_key(a->address);
	struct incident *inc;
	struct entry *e;
	long category_index;
	int rc;

	rc = alert_check(a, 1, &category_index, err);
	if (rc)
		return rc;

	pthread_rwlock_wrlock(&idx->lock);
	if (entry_find(idx, a->alert_id)) {
		rc = fq_err_set(err, FQ_ECONFLICT, "merge_duplicate", "alert_id",
				"警情 %s 已在合并索引中", a->alert_id);
		goto out_unlock;
	}
	if (idx->nentries >= idx->cfg.max_active_alerts ||
	    idx->ntraces >= idx->cfg.max_history_reports ||
	    (*phone && idx->ncalls >= idx->cfg.max_history_reports)) {
		rc = fq_err_set(err, FQ_ETOOBIG, "merge_full", NULL, "合并索引已满");
		goto out_unlock;
	}

	inc = incident_get(idx, a->incident_id);
	inc->closed = a->incident_closed != 0;
	e = entry_new(idx, a, category_index, inc, addr);
	e->trace = trace_new(idx, a, inc, addr);
	e->trace->entry = e;
	if (*phone) {
		e->caller = caller_get(idx, phone);
		dlist_insert_by_time(&e->caller->entries, &e->caller_link,
				     offsetof(struct entry, caller_link));
		caller_add_call(idx, e->caller, e->t_ms);
	}
out_unlock:
	pthread_rwlock_unlock(&idx->lock);
	return rc;
}

static void entry_set_incident(struct fq_merge_index *idx, struct entry *e, struct incident *inc)
{
	struct incident *old = e->incident;

	if (old == inc)
		return;
	dlist_unlink(&e->incident_link);
	dlist_insert_after(inc->alerts.prev, &e->incident_link);
	e->incident = inc;
	if (e->trace) {
		dlist_unlink(&e->trace->incident_link);
		dlist_insert_after(inc->reports.prev, &e->trace->incident_link);
		e->trace->incident = inc;
	}
	incident_put(idx, old);
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
	e = entry_find(idx, alert_id);
	if (!e)
		rc = fq_err_set(err, FQ_ENOTFOUND, "merge_not_found", "alert_id",
				"警情 %s 不在合并索引中", alert_id);
	else
		entry_set_incident(idx, e, incident_get(idx, incident_id));
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
	from = incident_find(idx, from_id);
	if (!from) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "merge_not_found", "from",
				"警情事件 %s 不在合并索引中", from_id);
		goto out_unlock;
	}
	into = incident_get(idx, into_id);
	while (!dlist_empty(&from->reports)) {
		struct trace *tr = container_of(from->reports.next, struct trace, incident_link);

		dlist_unlink(&tr->incident_link);
		dlist_insert_after(into->reports.prev, &tr->incident_link);
		tr->incident = into;
	}
	while (!dlist_empty(&from->alerts)) {
		struct entry *e = container_of(from->alerts.next, struct entry, incident_link);

		dlist_unlink(&e->incident_link);
		dlist_insert_after(into->alerts.prev, &e->incident_link);
		e->incident = into;
	}
	incident_put(idx, from);
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
	inc = incident_find(idx, incident_id);
	if (inc)
		inc->closed = closed;
	else
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
	int64_t active_cut = now_ms - idx->active_window_ms;
	int64_t place_cut = now_ms - idx->cfg.repeat_place_window_s * SECOND_MS;
	int64_t caller_cut = now_ms - FQ_MERGE_CALLER_HISTORY_S * SECOND_MS;

	pthread_rwlock_wrlock(&idx->lock);
	while (!dlist_empty(&idx->active)) {
		struct entry *e = container_of(idx->active.next, struct entry, time_link);

		if (e->t_ms >= active_cut)
			break;
		entry_free(idx, e);
	}
	while (!dlist_empty(&idx->reports)) {
		struct trace *tr = container_of(idx->reports.next, struct trace, time_link);

		if (tr->t_ms >= place_cut)
			break;
		trace_free(idx, tr);
	}
	while (!dlist_empty(&idx->caller_lru)) {
		struct caller *c = container_of(idx->caller_lru.next, struct caller, lru_link);

		if (c->last_ms >= caller_cut)
			break;
		caller_free(idx, c);
	}
	pthread_rwlock_unlock(&idx->lock);
}

void fq_merge_stats(struct fq_merge_index *idx, struct fq_merge_stats *out)
{
	size_t slots;

	pthread_rwlock_rdlock(&idx->lock);
	memset(out, 0, sizeof(*out));
	out->active_alerts = idx->nentries;
	out->place_reports = idx->ntraces;
	out->callers = idx->ncallers;
	out->caller_calls = idx->ncalls;
	out->incidents = idx->incidents.count;
	out->active_cells = idx->grid.cells.count;
	out->active_window_s = idx->active_window_ms / SECOND_MS;
	slots = idx->alerts.mask + idx->incidents.mask + idx->callers.mask + idx->grid.cells.mask +
		idx->addresses.mask + idx->place_grid.cells.mask + idx->place_addresses.mask + 7;
	out->memory_bytes = sizeof(*idx) + slots * sizeof(struct hnode *) +
			    idx->nentries * sizeof(struct entry) + idx->text_bytes +
			    idx->ntraces * sizeof(struct trace) +
			    idx->incidents.count * sizeof(struct incident) +
			    idx->ncallers * sizeof(struct caller) + idx->ncalls * sizeof(int64_t) +
			    (idx->grid.cells.count + idx->addresses.count +
			     idx->place_grid.cells.count + idx->place_addresses.count) *
				sizeof(struct bucket);
	pthread_rwlock_unlock(&idx->lock);
}

/* ---- matching ---- */

/* The best evidence for one incident. */
struct hit {
	const struct entry *entry;
	enum fq_merge_kind kind;
	double score;
	double time_factor;
	double place_factor;
	double text_similarity;
	double text_factor;
	double category_credit;
	double distance_m; /* -1: not both located */
	int same_address;
	int place_compared; /* repeat_caller: whether a place phrase applies */
};

struct matcher {
	const struct fq_merge_index *idx;
	const struct fq_merge_alert *a;
	long category_index;
	const char *alert_id;
	const char *phone;
	uint64_t address_key;
	double metres_per_degree_lon; /* at the new alert's latitude */
	char description[FQ_MERGE_TEXT_MAX + 1];
	struct hit *hits;
	size_t nhits;
	size_t alloc;
	/* Repeat place: incidents of the reports found (with repeats) and their number. */
	const struct incident **place_incidents;
	size_t nplace;
	size_t place_alloc;
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

static void text_evidence(const struct matcher *m, const struct entry *e, struct hit *h)
{
	h->text_similarity = 0.0;
	if (m->description[0] && e->description[0])
		h->text_similarity = fq_text_similarity(m->description, e->description);
	h->text_factor = fmin(1.0, h->text_similarity / m->idx->cfg.text_full_similarity);
}

/* Keep h when its incident has no better hit yet. */
static void hit_add(struct matcher *m, const struct hit *h)
{
	for (size_t i = 0; i < m->nhits; i++) {
		struct hit *o = &m->hits[i];

		if (o->entry->incident != h->entry->incident)
			continue;
		if (h->score > o->score ||
		    (h->score == o->score && h->entry->t_ms > o->entry->t_ms))
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

/* PAIR_* bits of the categories of the new alert and e. */
static unsigned pair_rules(const struct matcher *m, const struct entry *e)
{
	return m->idx
	    ->compatible[(size_t)m->category_index * m->idx->ncat + (size_t)e->category_index];
}

/* A report of another caller; distance_m < 0 when the match is by address. */
static void consider_same_event(struct matcher *m, const struct entry *e, double distance_m)
{
	const struct fq_merge_config *cfg = &m->idx->cfg;
	const struct fq_category *ca = m->a->category;
	const struct fq_category *ce = e->category;
	struct hit h;
	int64_t dt;

	if (!(pair_rules(m, e) & PAIR_SAME_EVENT))
		return;
	dt = abs64(m->a->received_at_ms - e->t_ms);
	if (dt > pair_window_ms(ca, ce) || distance_m > pair_radius_m(ca, ce))
		return;
	if (e->incident->closed || is_self(m, e))
		return;
	if (m->phone[0] && e->caller && !strcmp(m->phone, e->caller->phone))
		return;

	memset(&h, 0, sizeof(h));
	h.entry = e;
	h.kind = FQ_MERGE_KIND_SAME_EVENT;
	h.distance_m = distance_m;
	h.same_address = m->address_key && e->address && e->address->node.key == m->address_key;
	h.time_factor = falloff((double)dt, (double)pair_window_ms(ca, ce));
	h.place_factor = distance_m >= 0.0 ? falloff(distance_m, pair_radius_m(ca, ce)) : 1.0;
	h.category_credit = ca == ce ? 1.0 : cfg->compatible_category_credit;
	text_evidence(m, e, &h);
	h.score = cfg->weight_time * h.time_factor + cfg->weight_distance * h.place_factor +
		  cfg->weight_text * h.text_factor + cfg->weight_category * h.category_credit;
	hit_add(m, &h);
}

static void visit_cell(void *ctx, const struct bucket *b)
{
	struct matcher *m = ctx;
	const struct fq_merge_alert *a = m->a;
	int64_t window = m->idx->search_window_ms[m->category_index];
	double radius = m->idx->search_radius_m[m->category_index];
	struct fq_geo_point here = {a->lat, a->lon};

	for (const struct dlist *n = b->items.prev; n != &b->items; n = n->prev) {
		const struct entry *e = container_of(n, const struct entry, cell_link);
		double d;

		if (e->t_ms > a->received_at_ms + window)
			continue;
		if (e->t_ms < a->received_at_ms - window)
			break;
		if (!(pair_rules(m, e) & PAIR_SAME_EVENT) ||
		    !maybe_within(m, e->lat, e->lon, radius))
			continue;
		d = fq_geo_distance_m(here, (struct fq_geo_point){e->lat, e->lon});
		if (d <= radius)
			consider_same_event(m, e, d);
	}
}

static void scan_places(struct matcher *m)
{
	const struct fq_merge_index *idx = m->idx;
	const struct fq_merge_alert *a = m->a;
	int64_t window = idx->search_window_ms[m->category_index];
	const struct hnode *n;
	const struct bucket *b;

	if (!window)
		return;
	if (a->has_location)
		grid_visit(&idx->grid, a->lat, a->lon, idx->search_radius_m[m->category_index],
			   visit_cell, m);
	if (!m->address_key || !(n = ht_find(&idx->addresses, m->address_key)))
		return;
	b = container_of(n, const struct bucket, node);
	for (const struct dlist *l = b->items.prev; l != &b->items; l = l->prev) {
		const struct entry *e = container_of(l, const struct entry, address_link);

		if (e->t_ms > a->received_at_ms + window)
			continue;
		if (e->t_ms < a->received_at_ms - window)
			break;
		if (!(a->has_location && e->has_location))
			consider_same_event(m, e, -1.0);
	}
}

/* f_p of a same-caller pair. */
static void caller_place_evidence(const struct matcher *m, const struct entry *e, struct hit *h)
{
	const struct fq_merge_alert *a = m->a;
	double radius = pair_radius_m(a->category, e->category);

	h->distance_m = -1.0;
	h->same_address = m->address_key && e->address && e->address->node.key == m->address_key;
	h->place_compared = 1;
	if (a->has_location && e->has_location)
		h->distance_m = fq_geo_distance_m((struct fq_geo_point){a->lat, a->lon},
						  (struct fq_geo_point){e->lat, e->lon});
	if (radius <= 0.0) {
		h->place_factor = 1.0;
		h->place_compared = 0;
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

static void scan_caller(struct matcher *m, const struct caller *c)
{
	const struct fq_merge_config *cfg = &m->idx->cfg;
	const struct fq_merge_alert *a = m->a;
	int64_t window = m->idx->caller_search_ms;

	for (const struct dlist *n = c->entries.prev; n != &c->entries; n = n->prev) {
		const struct entry *e = container_of(n, const struct entry, caller_link);
		struct hit h;

		if (e->t_ms > a->received_at_ms + window)
			continue;
		if (e->t_ms < a->received_at_ms - window)
			break;
		if (!(pair_rules(m, e) & PAIR_SAME_CALLER) || e->incident->closed ||
		    is_self(m, e) ||
		    abs64(a->received_at_ms - e->t_ms) >
			caller_pair_window_ms(cfg, a->category, e->category))
			continue;
		memset(&h, 0, sizeof(h));
		h.entry = e;
		h.kind = FQ_MERGE_KIND_REPEAT_CALLER;
		h.category_credit =
		    a->category == e->category ? 1.0 : cfg->compatible_category_credit;
		caller_place_evidence(m, e, &h);
		text_evidence(m, e, &h);
		h.score = cfg->same_caller_base +
			  (1.0 - cfg->same_caller_base) * (h.place_factor + h.text_factor) / 2.0;
		hit_add(m, &h);
	}
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
	if (h->distance_m >= 0.0)
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

	if (!m->phone[0] || !(c = caller_find(idx, m->phone)))
		return;
	out->caller_calls_window =
	    calls_between(c, t - idx->cfg.repeat_caller_window_s * SECOND_MS, t);
	out->caller_calls_7d = calls_between(c, t - 7 * DAY_MS, t);
	out->caller_calls_30d = calls_between(c, t - 30 * DAY_MS, t);
	out->caller_calls_90d = calls_between(c, t - 90 * DAY_MS, t);
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

static int place_in_window(const struct matcher *m, const struct trace *tr)
{
	int64_t t = m->a->received_at_ms;

	return tr->t_ms <= t && tr->t_ms >= t - m->idx->cfg.repeat_place_window_s * SECOND_MS;
}

static int place_near(const struct matcher *m, const struct trace *tr)
{
	double radius = m->idx->cfg.repeat_place_radius_m;

	return m->a->has_location && tr->has_location &&
	       maybe_within(m, tr->lat, tr->lon, radius) &&
	       fq_geo_distance_m((struct fq_geo_point){m->a->lat, m->a->lon},
				 (struct fq_geo_point){tr->lat, tr->lon}) <= radius;
}

static void visit_place_cell(void *ctx, const struct bucket *b)
{
	struct matcher *m = ctx;

	for (const struct dlist *n = b->items.prev; n != &b->items; n = n->prev) {
		const struct trace *tr = container_of(n, const struct trace, cell_link);

		if (tr->t_ms > m->a->received_at_ms)
			continue;
		if (!place_in_window(m, tr))
			break;
		if (place_near(m, tr))
			place_add(m, tr);
	}
}

static int pointer_order(const void *pa, const void *pb)
{
	uintptr_t a = (uintptr_t) * (const struct incident *const *)pa;
	uintptr_t b = (uintptr_t) * (const struct incident *const *)pb;

	return a < b ? -1 : a > b;
}

static void place_flags(struct matcher *m, const struct incident *joined,
			struct fq_merge_result *out)
{
	const struct fq_merge_index *idx = m->idx;
	const struct hnode *n;
	size_t distinct = 0;
	int joins_earlier = 0;
	char window[SPAN_TEXT_MAX];

	if (m->a->has_location)
		grid_visit(&idx->place_grid, m->a->lat, m->a->lon, idx->cfg.repeat_place_radius_m,
			   visit_place_cell, m);
	if (m->address_key && (n = ht_find(&idx->place_addresses, m->address_key))) {
		const struct bucket *b = container_of(n, const struct bucket, node);

		for (const struct dlist *l = b->items.prev; l != &b->items; l = l->prev) {
			const struct trace *tr = container_of(l, const struct trace, address_link);

			if (tr->t_ms > m->a->received_at_ms)
				continue;
			if (!place_in_window(m, tr))
				break;
			if (!place_near(m, tr))
				place_add(m, tr);
		}
	}
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

int fq_merge_match(struct fq_merge_index *idx, const struct fq_merge_alert *a,
		   struct fq_merge_result *out, struct fq_err *err)
{
	const struct fq_merge_config *cfg = &idx->cfg;
	const struct incident *joined = NULL;
	const struct caller *c;
	struct matcher m;
	size_t desc_len;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	rc = alert_check(a, 0, &m.category_index, err);
	if (rc)
		return rc;
	m.idx = idx;
	m.a = a;
	m.alert_id = nonnull(a->alert_id);
	m.phone = nonnull(a->phone);
	m.address_key = address_key(a->address);
	if (a->has_location)
		m.metres_per_degree_lon = METRES_PER_DEGREE * cos(a->lat * PI / 180.0);
	desc_len = text_kept_len(nonnull(a->description));
	memcpy(m.description, nonnull(a->description), desc_len);
	m.description[desc_len] = '\0';

	pthread_rwlock_rdlock(&idx->lock);
	scan_places(&m);
	if (m.phone[0] && (c = caller_find(idx, m.phone)))
		scan_caller(&m, c);
	if (m.nhits > 1)
		qsort(m.hits, m.nhits, sizeof(*m.hits), hit_order);
	for (size_t i = 0; i < m.nhits && i < cfg->max_candidates; i++)
		candidate_fill(&m, &m.hits[i], &out->candidates[i]);
	out->candidate_count =
	    (unsigned)(m.nhits < cfg->max_candidates ? m.nhits : cfg->max_candidates);
	if (m.nhits && m.hits[0].score >= cfg->auto_merge_threshold) {
		out->decision = FQ_MERGE_MERGED;
		joined = m.hits[0].entry->incident;
	} else if (m.nhits && m.hits[0].score >= cfg->suggest_threshold) {
		out->decision = FQ_MERGE_SUGGESTED;
	}
	if (out->decision != FQ_MERGE_NEW)
		out->kind = m.hits[0].kind;
	caller_flags(&m, out);
	place_flags(&m, joined, out);
	pthread_rwlock_unlock(&idx->lock);

	free(m.hits);
	free(m.place_incidents);
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
