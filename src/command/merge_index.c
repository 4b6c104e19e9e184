#include "command/merge_index.h"

#include <stdatomic.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/geo.h"
#include "core/banned.h"

#define HT_INITIAL_SLOTS 64
#define PLACE_CELL_MIN_M 25.0

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
	b = fq_xcalloc(1, sizeof(*b));
	b->node.key = key;
	ht_add(t, &b->node);
	return b;
}

/* Free b when its last item has left. */
static void bucket_put(struct fq_merge_index *idx, struct htable *t, struct bucket *b)
{
	if (!b || b->head != b->len)
		return;
	ht_del(t, &b->node);
	idx->slot_bytes -= b->alloc * sizeof(*b->slots);
	free(b->slots);
	free(b);
}

void fq__merge_bucket_insert(struct fq_merge_index *idx, struct bucket *b, int64_t t_ms, double lat,
			     double lon, void *item, long category_index)
{
	size_t pos;

	if (b->len == b->alloc) {
		if (b->head && b->head * 2 >= b->len) {
			/* Half of the array is the dead front: move the rest down. */
			memmove(b->slots, b->slots + b->head,
				(b->len - b->head) * sizeof(*b->slots));
			b->len -= b->head;
			b->head = 0;
		} else {
			size_t alloc = b->alloc ? b->alloc * 2 : 4;

			b->slots = fq_xrealloc(b->slots, alloc * sizeof(*b->slots));
			idx->slot_bytes += (alloc - b->alloc) * sizeof(*b->slots);
			b->alloc = alloc;
		}
	}
	pos = b->len;
	while (pos > b->head && b->slots[pos - 1].t_ms > t_ms)
		pos--;
	memmove(b->slots + pos + 1, b->slots + pos, (b->len - pos) * sizeof(*b->slots));
	b->slots[pos] = (struct slot){
	    .t_ms = t_ms, .lat = lat, .lon = lon, .item = item, .category_index = category_index};
	b->len++;
}

void fq__merge_bucket_remove(struct bucket *b, int64_t t_ms, const void *item)
{
	size_t lo = b->head;
	size_t hi = b->len;

	if (b->slots[lo].item != item) {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (b->slots[mid].t_ms < t_ms)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (;; lo++) {
			fq_assert(lo < b->len && b->slots[lo].t_ms == t_ms);
			if (b->slots[lo].item == item)
				break;
		}
	}
	if (lo == b->head) {
		b->head++;
	} else {
		memmove(b->slots + lo, b->slots + lo + 1, (b->len - lo - 1) * sizeof(*b->slots));
		b->len--;
	}
	if (b->head == b->len)
		b->head = b->len = 0;
}

const struct bucket *fq__merge_bucket_find(const struct htable *t, uint64_t key)
{
	const struct hnode *n = ht_find(t, key);

	return n ? container_of(n, const struct bucket, node) : NULL;
}

struct incident *fq__merge_incident_find(const struct fq_merge_index *idx, const char *id)
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

struct incident *fq__merge_incident_get(struct fq_merge_index *idx, const char *id)
{
	struct incident *inc = fq__merge_incident_find(idx, id);

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

struct caller *fq__merge_caller_find(const struct fq_merge_index *idx, const char *phone)
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
	struct caller *c = fq__merge_caller_find(idx, phone);

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

unsigned fq__merge_calls_between(const struct caller *c, int64_t from_ms, int64_t to_ms)
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

/* The entry grid's bucket of a cell for one category group. */
static uint64_t group_key(uint64_t cell, unsigned group)
{
	return cell ^ ((uint64_t)(group + 1) * UINT64_C(0x9e3779b97f4a7c15));
}

/*
 * Enumerates the cells of the bounding box, or every bucket when that is
 * cheaper (large radii, boxes widened at the poles or the antimeridian).
 * grouped: the buckets of each cell for the groups in groups (group_key),
 * else the cell's one bucket.
 */
static void grid_visit(const struct grid *g, double lat, double lon, double radius_m, int grouped,
		       uint32_t groups, void (*visit)(void *, const struct bucket *), void *ctx)
{
	struct fq_geo_bbox box = fq_geo_bbox_around((struct fq_geo_point){lat, lon}, radius_m);
	const struct htable *t = &g->cells;
	int64_t x0 = cell_coord(box.min_lon, g->dlon);
	int64_t x1 = cell_coord(box.max_lon, g->dlon);
	int64_t y0 = cell_coord(box.min_lat, g->dlat);
	int64_t y1 = cell_coord(box.max_lat, g->dlat);
	double nkeys = (double)(x1 - x0 + 1) * (double)(y1 - y0 + 1) *
		       (grouped ? (double)__builtin_popcount(groups) : 1.0);

	if (grouped && !groups)
		return;
	if (nkeys > (double)t->count) {
		for (size_t s = 0; s <= t->mask; s++) {
			for (const struct hnode *n = t->slots[s]; n; n = n->next)
				visit(ctx, container_of(n, const struct bucket, node));
		}
		return;
	}
	for (int64_t y = y0; y <= y1; y++) {
		for (int64_t x = x0; x <= x1; x++) {
			uint64_t cell = cell_key(x, y);
			/* Ungrouped: one pass with the cell's own key. */
			uint32_t left = grouped ? groups : 1;

			for (; left; left &= left - 1) {
				const struct hnode *n = ht_find(
				    t, grouped ? group_key(cell, (unsigned)__builtin_ctz(left))
					       : cell);

				if (n)
					visit(ctx, container_of(n, const struct bucket, node));
			}
		}
	}
}

void fq__merge_entry_grid_visit(const struct fq_merge_index *idx, double lat, double lon,
				double radius_m, uint32_t groups,
				void (*visit)(void *, const struct bucket *), void *ctx)
{
	grid_visit(&idx->grid, lat, lon, radius_m, 1, groups, visit, ctx);
}

void fq__merge_grid_visit(const struct grid *g, double lat, double lon, double radius_m,
			  void (*visit)(void *, const struct bucket *), void *ctx)
{
	grid_visit(g, lat, lon, radius_m, 0, 0, visit, ctx);
}

/* ---- entries and traces ---- */

struct entry *fq__merge_entry_find(const struct fq_merge_index *idx, const char *alert_id)
{
	uint64_t key = hash_string(alert_id);

	for (struct hnode *n = ht_find(&idx->alerts, key); n; n = ht_next_with_key(n->next, key)) {
		struct entry *e = container_of(n, struct entry, node);

		if (!strcmp(e->alert_id, alert_id))
			return e;
	}
	return NULL;
}

size_t fq__merge_text_kept_len(const char *s)
{
	size_t n = strnlen(s, FQ_MERGE_TEXT_MAX + 1);

	if (n <= FQ_MERGE_TEXT_MAX)
		return n;
	n = FQ_MERGE_TEXT_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

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
		fq__merge_bucket_insert(idx, tr->cell, tr->t_ms, tr->lat, tr->lon, tr, 0);
	}
	if (address_key) {
		tr->address = bucket_get(&idx->place_addresses, address_key);
		fq__merge_bucket_insert(idx, tr->address, tr->t_ms, tr->lat, tr->lon, tr, 0);
	}
	idx->ntraces++;
	return tr;
}

static struct entry *entry_new(struct fq_merge_index *idx, const struct fq_merge_alert *a,
			       long category_index, struct incident *inc, uint64_t address_key)
{
	struct entry *e = fq_xcalloc(1, sizeof(*e));
	const char *desc = fq__merge_nonnull(a->description);
	size_t desc_len = fq__merge_text_kept_len(desc);

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
	/* Kept within FQ_TEXT_MAX_BYTES: tokenising cannot fail. */
	(void)fq_text_sorted_init(&e->words, e->description);
	idx->text_bytes += desc_len + 1 + e->words.bytes;

	ht_add(&idx->alerts, &e->node);
	dlist_insert_by_time(&idx->active, &e->time_link, offsetof(struct entry, time_link));
	dlist_insert_after(inc->alerts.prev, &e->incident_link);
	dlist_init(&e->caller_link);
	if (e->has_location) {
		e->cell =
		    bucket_get(&idx->grid.cells, group_key(cell_key_of(&idx->grid, e->lat, e->lon),
							   idx->group[category_index]));
		fq__merge_bucket_insert(idx, e->cell, e->t_ms, e->lat, e->lon, e, category_index);
	}
	if (address_key) {
		e->address = bucket_get(&idx->addresses, address_key);
		fq__merge_bucket_insert(idx, e->address, e->t_ms, e->lat, e->lon, e,
					category_index);
	}
	idx->nentries++;
	return e;
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t utf8_char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Characters an address loses in its canonical form: spaces and punctuation. */
static size_t address_skip(const char *s)
{
	static const char *const marks[] = {"，", "、", "。", "（", "）", "：", "；",
					    "－", "—",	"·",  "“",  "”",  "＃", "　"};

	if ((unsigned char)*s < 0x80)
		return isspace((unsigned char)*s) || strchr(",.;:()'\"", *s) ? 1 : 0;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (starts_with(s, marks[i]))
			return strlen(marks[i]);
	}
	return 0;
}

/*
 * The administrative prefix at s (枫溪镇, 诸暨市, 城关街道): at most
 * ADMIN_PREFIX_CHARS characters ending in one of the markers, before any
 * digit or road word; its length in bytes, or 0.
 */
#define ADMIN_PREFIX_CHARS 8
static size_t admin_prefix(const char *s)
{
	static const char *const markers[] = {"省", "市", "县", "镇", "乡", "街道", "区"};
	static const char *const stops[] = {"路", "街", "巷", "弄", "村", "号", "小区", "社区"};
	size_t off = 0;

	for (int chars = 0; s[off] && chars < ADMIN_PREFIX_CHARS; chars++) {
		if (isdigit((unsigned char)s[off]))
			return 0;
		for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
			if (off > 0 && starts_with(s + off, markers[i]))
				return off + strlen(markers[i]);
		}
		for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
			if (starts_with(s + off, stops[i]))
				return 0;
		}
		off += utf8_char_len(s + off);
	}
	return 0;
}

size_t fq_merge_address_canonical(const char *address, char *out, size_t cap)
{
	static const char *const around[] = {"门口", "门前", "附近", "对面", "旁边", "边上",
					     "楼下", "一带", "周边", "那边", "这边", "这里"};
	const char *s = fq__merge_nonnull(address);
	size_t n = 0;
	size_t k;
	int again = 1;

	if (!cap)
		return 0;
	/* Spaces and punctuation out; 与 between two roads out; 交叉口 and 十字路口 are 路口. */
	while (*s) {
		const char *word = NULL;
		size_t skip = address_skip(s);

		if (skip) {
			s += skip;
			continue;
		}
		if (starts_with(s, "交叉口"))
			word = "路口", skip = strlen("交叉口");
		else if (starts_with(s, "十字路口"))
			word = "路口", skip = strlen("十字路口");
		else if (starts_with(s, "与") && n &&
			 (ends_with(out, n, "路") || ends_with(out, n, "街") ||
			  ends_with(out, n, "道")))
			word = "", skip = strlen("与");
		if (!word) {
			skip = utf8_char_len(s);
			word = NULL;
		}
		k = word ? strlen(word) : skip;
		if (n + k >= cap)
			break;
		memcpy(out + n, word ? word : s, k);
		n += k;
		s += skip;
	}
	out[n] = '\0';
	/* Administrative prefixes (诸暨市枫桥镇) out, while something is left. */
	while ((k = admin_prefix(out)) && k < n) {
		memmove(out, out + k, n - k + 1);
		n -= k;
	}
	/* Words around the place (门口, 附近, 对面) out at the end. */
	while (again) {
		again = 0;
		for (size_t i = 0; i < sizeof(around) / sizeof(around[0]); i++) {
			size_t w = strlen(around[i]);

			if (n > w && ends_with(out, n, around[i])) {
				n -= w;
				out[n] = '\0';
				again = 1;
			}
		}
	}
	return n;
}

uint64_t fq_merge_address_key(const char *address)
{
	return fq__merge_address_key(address);
}

uint64_t fq__merge_address_key(const char *address)
{
	char canonical[FQ_MERGE_ADDRESS_KEY_MAX];

	if (!*fq__merge_nonnull(address))
		return 0;
	if (!fq_merge_address_canonical(address, canonical, sizeof(canonical)))
		return hash_string(address);
	return hash_string(canonical);
}

static void trace_free(struct fq_merge_index *idx, struct trace *tr)
{
	dlist_unlink(&tr->time_link);
	if (tr->cell) {
		fq__merge_bucket_remove(tr->cell, tr->t_ms, tr);
		bucket_put(idx, &idx->place_grid.cells, tr->cell);
	}
	if (tr->address) {
		fq__merge_bucket_remove(tr->address, tr->t_ms, tr);
		bucket_put(idx, &idx->place_addresses, tr->address);
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
		fq__merge_bucket_remove(e->cell, e->t_ms, e);
		bucket_put(idx, &idx->grid.cells, e->cell);
	}
	if (e->address) {
		fq__merge_bucket_remove(e->address, e->t_ms, e);
		bucket_put(idx, &idx->addresses, e->address);
	}
	if (e->caller)
		dlist_unlink(&e->caller_link);
	dlist_unlink(&e->incident_link);
	incident_put(idx, e->incident);
	if (e->trace)
		e->trace->entry = NULL;
	idx->text_bytes -= strlen(e->description) + 1 + e->words.bytes;
	idx->nentries--;
	free(e->description);
	fq_text_sorted_release(&e->words);
	free(e);
}

/* ---- the index ---- */

/* Generations of indexes: a prematch names the index it was made in. */
static _Atomic uint64_t generations;

void fq__merge_index_init(struct fq_merge_index *idx)
{
	const struct fq_merge_config *cfg = &idx->cfg;

	idx->generation = atomic_fetch_add(&generations, 1) + 1;
	idx->recent = fq_xcalloc(FQ_MERGE_RECENT_MAX, sizeof(*idx->recent));

	grid_init(&idx->grid, cfg->cell_size_m, cfg->grid_reference_lat_deg);
	grid_init(&idx->place_grid, fmax(cfg->repeat_place_radius_m, PLACE_CELL_MIN_M),
		  cfg->grid_reference_lat_deg);
	ht_init(&idx->alerts);
	ht_init(&idx->incidents);
	ht_init(&idx->callers);
	ht_init(&idx->addresses);
	ht_init(&idx->place_addresses);
	dlist_init(&idx->active);
	dlist_init(&idx->reports);
	dlist_init(&idx->caller_lru);
}

void fq__merge_index_release(struct fq_merge_index *idx)
{
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
	free(idx->recent);
	idx->recent = NULL;
}

/* ---- adding, moving, expiring ---- */

void fq__merge_add(struct fq_merge_index *idx, const struct fq_merge_alert *a, long category_index)
{
	const char *phone = fq__merge_nonnull(a->phone);
	uint64_t addr = a->has_address_key ? a->address_key : fq__merge_address_key(a->address);
	struct incident *inc = fq__merge_incident_get(idx, a->incident_id);
	struct entry *e;

	if (inc->closed != (a->incident_closed != 0)) {
		inc->closed = a->incident_closed != 0;
		idx->changes++;
	}
	e = entry_new(idx, a, category_index, inc, addr);
	idx->recent[idx->inserts % FQ_MERGE_RECENT_MAX] = e;
	idx->inserts++;
	e->trace = trace_new(idx, a, inc, addr);
	e->trace->entry = e;
	if (*phone) {
		e->caller = caller_get(idx, phone);
		dlist_insert_by_time(&e->caller->entries, &e->caller_link,
				     offsetof(struct entry, caller_link));
		caller_add_call(idx, e->caller, e->t_ms);
	}
}

void fq__merge_entry_set_incident(struct fq_merge_index *idx, struct entry *e, struct incident *inc)
{
	struct incident *old = e->incident;

	if (old == inc)
		return;
	idx->changes++;
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

void fq__merge_incident_join(struct fq_merge_index *idx, struct incident *from,
			     struct incident *into)
{
	idx->changes++;
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
}

void fq__merge_expire(struct fq_merge_index *idx, int64_t now_ms)
{
	int64_t active_cut = now_ms - idx->active_window_ms;
	int64_t place_cut = now_ms - idx->cfg.repeat_place_window_s * SECOND_MS;
	int64_t caller_cut = now_ms - FQ_MERGE_CALLER_HISTORY_S * SECOND_MS;
	size_t before = idx->nentries + idx->ntraces + idx->ncallers;

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
	if (idx->nentries + idx->ntraces + idx->ncallers != before)
		idx->changes++;
}

/* ---- memory accounting ---- */

void fq__merge_stats(const struct fq_merge_index *idx, struct fq_merge_stats *out)
{
	size_t slots;

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
	out->memory_bytes = sizeof(*idx) + FQ_MERGE_RECENT_MAX * sizeof(*idx->recent) +
			    slots * sizeof(struct hnode *) + idx->nentries * sizeof(struct entry) +
			    idx->text_bytes + idx->ntraces * sizeof(struct trace) +
			    idx->incidents.count * sizeof(struct incident) +
			    idx->ncallers * sizeof(struct caller) + idx->ncalls * sizeof(int64_t) +
			    (idx->grid.cells.count + idx->addresses.count +
			     idx->place_grid.cells.count + idx->place_addresses.count) *
				sizeof(struct bucket) +
			    idx->slot_bytes;
}
