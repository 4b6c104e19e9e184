/*
 * The merge engine's index, private to src/command/ (merge.c and
 * merge_index.c): the structures that hold recent alerts and the
 * operations on them. merge.c checks input, takes the index's lock,
 * matches and scores; merge_index.c keeps the time-ordered lists, the hash
 * tables by alert id, incident id, phone and address, the two hash grids,
 * expiry and the memory estimate. merge.h explains the three tiers.
 *
 * None of the fq__merge_* functions locks: the caller holds idx->lock, for
 * writing around those that change the index, for reading at least around
 * the others. None of them fails; they take input merge.c has checked.
 */
#ifndef FQ_COMMAND_MERGE_INDEX_H
#define FQ_COMMAND_MERGE_INDEX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "command/merge.h"
#include "command/taxonomy.h"
#include "core/geo.h"
#include "core/phone.h"
#include "core/text.h"

#define SECOND_MS	  1000LL
#define MINUTE_MS	  (60 * SECOND_MS)
#define HOUR_MS		  (60 * MINUTE_MS)
#define DAY_MS		  (24 * HOUR_MS)
#define PI		  3.14159265358979323846
#define METRES_PER_DEGREE (FQ_GEO_EARTH_RADIUS_M * PI / 180.0)

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

/*
 * A bucket's record of one alert or report: what a scan tests before it
 * opens the item, side by side in the bucket's array, so that a scan reads
 * memory in order and opens only the items it keeps.
 */
struct slot {
	int64_t t_ms;
	double lat; /* the item's; 0 without coordinates (address buckets) */
	double lon;
	void *item;	     /* struct entry, or struct trace */
	long category_index; /* of an entry; 0 for a trace */
};

/*
 * A grid cell or an address: its alerts or reports in slots[head..len),
 * oldest first. Expiry takes from the front (head moves on) and arrivals
 * go to the back, each O(1) amortised; the dead front is reclaimed when it
 * is half the array.
 */
struct bucket {
	struct hnode node;
	struct slot *slots;
	size_t head;
	size_t len;
	size_t alloc;
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
	long category_index;
	int has_location;
	double lat;
	double lon;
	struct hnode node; /* key: hash of alert id */
	struct dlist time_link;
	struct dlist caller_link;
	struct dlist incident_link;
	struct bucket *cell;	/* NULL without coordinates */
	struct bucket *address; /* NULL without address */
	struct caller *caller;	/* NULL without phone */
	struct incident *incident;
	struct trace *trace; /* NULL once the report record has expired */
	const struct fq_category *category;
	char *description;
	struct fq_text_sorted words; /* of description, for text similarities */
	char alert_id[FQ_MERGE_ID_MAX + 1];
};

/* The compact record of a report, for repeat-place counts. */
struct trace {
	int64_t t_ms; /* first member: see time_at() */
	double lat;
	double lon;
	struct incident *incident;
	int has_location;
	struct dlist time_link;
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
	/*
	 * The entry grid keeps one bucket per cell and category group (the code's part
	 * before the dot: criminal, traffic ...), so that a same-event scan opens only
	 * the buckets of the groups that hold a possible partner.
	 */
	unsigned char *group;	/* ncat: the category's group, 0..FQ_MERGE_GROUPS_MAX-1 */
	uint32_t *event_groups; /* ncat: bit g set when group g holds a same_event partner */

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
	/*
	 * For fq_merge_prematch: generation tells indexes apart (one per
	 * fq_merge_index_new); inserts counts the alerts added, the n-th (from 0) kept in
	 * recent[n % FQ_MERGE_RECENT_MAX]; changes counts every other change that can
	 * alter a match: a move, a join, a close or reopen, an expiry that dropped
	 * something, an insert that changed its incident's state.
	 */
	uint64_t generation;
	uint64_t inserts;
	uint64_t changes;
	struct entry **recent;

	size_t nentries;
	size_t ntraces;
	size_t ncallers;
	size_t ncalls;
	size_t text_bytes;
	size_t slot_bytes; /* the buckets' arrays */
};

static inline const char *fq__merge_nonnull(const char *s)
{
	return s ? s : "";
}

/*
 * Set up the empty grids, tables and lists of idx, whose cfg is set and
 * checked. fq__merge_index_release frees them and every alert, report,
 * incident and phone in them; idx itself, its lock and its category
 * tables stay the caller's.
 */
void fq__merge_index_init(struct fq_merge_index *idx);
void fq__merge_index_release(struct fq_merge_index *idx);

/* Length of the first FQ_MERGE_TEXT_MAX bytes of s, cut before a partial character. */
size_t fq__merge_text_kept_len(const char *s);
/*
 * Key of a normalised address in the address maps: a hash of its
 * canonical form (of the address itself when that is empty); 0 for none
 * ("" or NULL).
 */
uint64_t fq__merge_address_key(const char *address);

/* Lookups; NULL when absent. */
struct entry *fq__merge_entry_find(const struct fq_merge_index *idx, const char *alert_id);
struct incident *fq__merge_incident_find(const struct fq_merge_index *idx, const char *id);
struct caller *fq__merge_caller_find(const struct fq_merge_index *idx, const char *phone);
/* The bucket of key in an address map (idx->addresses or idx->place_addresses). */
const struct bucket *fq__merge_bucket_find(const struct htable *t, uint64_t key);

/*
 * Add item's record to b in time order, after those of the same time
 * (arrivals in time order cost O(1) amortised); idx->slot_bytes counts the
 * array. Remove item's record, added at t_ms; it must be in b.
 */
void fq__merge_bucket_insert(struct fq_merge_index *idx, struct bucket *b, int64_t t_ms, double lat,
			     double lon, void *item, long category_index);
void fq__merge_bucket_remove(struct bucket *b, int64_t t_ms, const void *item);

/* Calls of c in [from_ms, to_ms]. */
unsigned fq__merge_calls_between(const struct caller *c, int64_t from_ms, int64_t to_ms);

/*
 * Call visit(ctx, bucket) for every bucket of g whose cell may hold a
 * point within radius_m of (lat, lon), in no particular order.
 */
void fq__merge_grid_visit(const struct grid *g, double lat, double lon, double radius_m,
			  void (*visit)(void *, const struct bucket *), void *ctx);
/*
 * The same over the entry grid (idx->grid), opening in each cell only the
 * buckets of the category groups in groups (idx->event_groups of the new
 * alert's category). A visit may still see entries of other groups (a key
 * shared by chance, or every bucket when that is cheaper): visitors check
 * each entry's category as before.
 */
#define FQ_MERGE_GROUPS_MAX 32
void fq__merge_entry_grid_visit(const struct fq_merge_index *idx, double lat, double lon,
				double radius_m, uint32_t groups,
				void (*visit)(void *, const struct bucket *), void *ctx);

/*
 * Add a checked alert (ids present and fitting, category_index its
 * category's) to the three tiers, under the incident a->incident_id,
 * created when new; that incident's state becomes a->incident_closed.
 * The caller has checked that the alert id is not indexed and that the
 * limits leave room.
 */
void fq__merge_add(struct fq_merge_index *idx, const struct fq_merge_alert *a, long category_index);

/* The incident of this id, created open when new. id was checked to fit. */
struct incident *fq__merge_incident_get(struct fq_merge_index *idx, const char *id);
/* Move e and its report record to inc; frees the old incident when left empty. */
void fq__merge_entry_set_incident(struct fq_merge_index *idx, struct entry *e,
				  struct incident *inc);
/* Move every alert and report of from into into (another incident), and free from. */
void fq__merge_incident_join(struct fq_merge_index *idx, struct incident *from,
			     struct incident *into);

/* Drop what has left its window at now_ms (see fq_merge_expire in merge.h). */
void fq__merge_expire(struct fq_merge_index *idx, int64_t now_ms);
/* Fill out with the sizes of idx and an estimate of the heap it holds. */
void fq__merge_stats(const struct fq_merge_index *idx, struct fq_merge_stats *out);

#endif
