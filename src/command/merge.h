/*
 * The merge engine: which incident a new alert belongs to (DESIGN.md §4).
 *
 * An in-memory index of recent alerts answers, for a new alert, the ranked
 * incidents it may belong to, each with a score in [0,1], a kind and plain
 * zh-CN reasons, the decision (merge automatically, suggest, or open a new
 * incident), and two flags:
 *
 *   repeat caller (一人多报)   an earlier report from the same normalised
 *                             phone within repeat_caller_window_s, with the
 *                             phone's 7/30/90-day counts;
 *   repeat place (一地多报)    earlier reports within repeat_place_radius_m
 *                             or at the same address (canonical) within
 *                             repeat_place_window_s, with a proposal for a
 *                             governance directive once the number of
 *                             occasions reaches repeat_place_threshold.
 *
 * The store is the source of truth. The index holds only what matching
 * needs and is rebuilt at start by inserting the stored alerts of the last
 * FQ_MERGE_CALLER_HISTORY_S seconds in time order, each followed by
 * fq_merge_expire at its received_at (so that the active window never
 * holds more than a day, whatever the history), then fq_merge_expire with
 * the wall clock. It keeps three tiers, each for its own window:
 *   - active alerts (ids, category, phone, place, description) for the
 *     longest merge window: max(repeat_caller_window_s, the longest
 *     category window, 24 h by default); only these are merge candidates;
 *   - a compact record per report (time, place, incident) for
 *     repeat_place_window_s (30 days), for the repeat-place counts;
 *   - per phone, the times of its calls for FQ_MERGE_CALLER_HISTORY_S
 *     (90 days), for the repeat-caller counts.
 * Active alerts are found through a hash grid of about cell_size_m square
 * cells (an equirectangular projection of latitude and longitude to
 * integer cell coordinates), a map by phone and a map by normalised
 * address (a 64-bit hash of it); the place records through a second grid,
 * of cells as large as repeat_place_radius_m, and an address map. Every
 * list, and every cell's or address's array of records, is ordered by
 * time, so a search stops at the first report outside its window and
 * expiry takes the oldest first. docs/merge.md explains the
 * definitions, the score, the defaults and the reasons' wording.
 *
 * Scores (w_* are the weights of the config, which sum to 1):
 *   different callers (same_event):
 *     score = min(1, w_time * f_t + w_distance * f_d + w_text * f_x
 *                    + w_category * c + place_agreement_bonus * agree)
 *   same caller (repeat_caller):
 *     score = b + (1 - same_caller_base) * (f_p + f_x) / 2
 *     b = same_caller_base within the caller's event window, else
 *         same_caller_late_base (at most a suggestion by default)
 * with, for the pair of the new alert and an indexed one,
 *   W, R  the larger window and radius of the two categories;
 *   f_t = 1 - (dt / W)^2    dt the time between the reports;
 *   f_d = 1 - (d / R)^2     d the great-circle distance when both have
 *                           coordinates; 1 for the same address
 *                           (fq_merge_address_canonical) when either has
 *                           none, or when both have and d is at most
 *                           same_address_max_m;
 *   agree = 1 when both have coordinates, d <= R and the same address;
 *   event window = the caller-matched categories' own window, else the
 *         longer of repeat_caller_event_window_s and W;
 *   f_p = f_d when both have coordinates (1 for the same address up to
 *         same_address_max_m apart), 1 or 0 for the same or another
 *         address when either has none, 0 when the places cannot be
 *         compared; 1 when the categories match by caller only (R = 0);
 *   f_x = min(1, s / text_full_similarity), s = fq_text_similarity of the
 *         two descriptions (0 when either is empty);
 *   c   = 1 for the same category, compatible_category_credit otherwise.
 * Gates come before scores: categories compatible (fq_taxonomy_compatible)
 * and neither FQ_CATEGORY_MATCH_NONE; the indexed alert's incident open;
 * for same_event both categories FQ_CATEGORY_MATCH_PLACE, dt <= W and
 * d <= R (or the same address when either has no coordinates, or when
 * both have and d <= same_address_max_m) and the
 * phones different or unknown; for repeat_caller the same non-empty phone
 * and dt <= repeat_caller_window_s (for caller-matched categories such as
 * criminal.fraud, their own window when longer).
 *
 * Thread-safety: an index carries a read-write lock. fq_merge_match and
 * fq_merge_stats take it for reading and run in parallel; insert, move,
 * join, close, reopen and expire take it for writing. Matching and
 * inserting are separate steps: a caller that needs two simultaneous
 * reports of one event to see each other serialises "match, decide,
 * insert" itself (the intake does it under one mutex).
 */
#ifndef FQ_COMMAND_MERGE_H
#define FQ_COMMAND_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "command/taxonomy.h"
#include "core/err.h"
#include "core/text.h"

/* Longest alert or incident id: a text UUID, in bytes without the NUL. */
#define FQ_MERGE_ID_MAX 36
/* Descriptions are compared on their first FQ_MERGE_TEXT_MAX bytes (cut at a character). */
#define FQ_MERGE_TEXT_MAX 1024
/* Capacity of a result: the most candidates a match returns. */
#define FQ_MERGE_CANDIDATES_MAX 8
/* Reasons per candidate, and the size of one reason in bytes with its NUL. */
#define FQ_MERGE_REASONS_MAX 2
#define FQ_MERGE_REASON_MAX  192
/* How far back the per-phone counts reach: 90 days. */
#define FQ_MERGE_CALLER_HISTORY_S (90 * 86400)
/* Latest received_at accepted: the end of year 9999, UTC. */
#define FQ_MERGE_TIME_MAX_MS 253402300799999LL

/* Settings; fq_merge_config_init gives the defaults shown. */
struct fq_merge_config {
	/* Repeat caller: same phone within this window (86,400 s, 24 h; at most 7 days). */
	int64_t repeat_caller_window_s;
	/* Score of a same-caller candidate without any other evidence (0.75). */
	double same_caller_base;
	/*
	 * The same caller about one event: within this time (7,200 s, 2 h; at
	 * most repeat_caller_window_s) or the larger window of the two
	 * categories, whichever is longer (for caller-matched categories their
	 * own window) ...
	 */
	int64_t repeat_caller_event_window_s;
	/* ... beyond it the base of the score is this instead (0.5): at most a suggestion. */
	double same_caller_late_base;

	/* Repeat place: within this radius (50 m; 1 to 1,000) or the same address ... */
	double repeat_place_radius_m;
	/* ... within this window (2,592,000 s, 30 days; at most 90 days) ... */
	int64_t repeat_place_window_s;
	/* ... this many occasions, the present one included, propose a directive (3; >= 2). */
	unsigned repeat_place_threshold;

	/*
	 * Different callers at the same address (canonical form, merge_index.h)
	 * are at the same place when either has no coordinates, and also when
	 * both have and they are further apart than the radius but at most
	 * this far (1,000 m; 0 to 5,000, 0: never): a cell-tower fix.
	 */
	double same_address_max_m;
	/*
	 * Added to a same_event score (capped at 1) when the coordinates are within
	 * the radius and the address is the same: the two agree (0.10; 0 to 1).
	 */
	double place_agreement_bonus;

	/* Decision on the best score: merged at or above (0.85), suggested at or above (0.35). */
	double auto_merge_threshold;
	double suggest_threshold;
	/* Candidates returned (5; 1 to FQ_MERGE_CANDIDATES_MAX). */
	unsigned max_candidates;

	/* Weights of the same_event score, >= 0 and summing to 1 (0.30, 0.30, 0.25, 0.15). */
	double weight_time;
	double weight_distance;
	double weight_text;
	double weight_category;
	/* Text similarity that counts as fully similar (0.5; 0 < x <= 1). */
	double text_full_similarity;
	/* Credit c of compatible but different categories (0.5; 0 to 1). */
	double compatible_category_credit;

	/* Grid: cell side (250 m; 50 to 5,000) at this latitude (30°; -80 to 80). */
	double cell_size_m;
	double grid_reference_lat_deg;
	/* Limits: alerts in the active window (200,000); compact reports and call times
	 * (2,000,000). */
	size_t max_active_alerts;
	size_t max_history_reports;
};

/*
 * One alert, for matching or inserting. Strings are borrowed for the
 * duration of the call and must be NUL-terminated; NULL counts as "".
 * Text fields are expected normalised (core/phone.h, core/text.h): the
 * engine compares them as they are.
 */
struct fq_merge_alert {
	const char *alert_id;	 /* 1..FQ_MERGE_ID_MAX bytes; may be empty for a match */
	const char *incident_id; /* insert: the incident it joined; ignored by match */
	int64_t received_at_ms;	 /* UTC ms, 0..FQ_MERGE_TIME_MAX_MS */
	/*
	 * Normalised phone (at most FQ_PHONE_MAX bytes) or "" when unknown.
	 * Pass "" for numbers that name no person (service numbers, "110").
	 */
	const char *phone;
	int has_location; /* lat/lon valid WGS-84 degrees when set */
	double lat;
	double lon;
	const char *address;		    /* normalised address, "" when unknown */
	const struct fq_category *category; /* from command/taxonomy.h; required */
	const char *description;	    /* normalised description, may be "" */
	int incident_closed;		    /* insert: whether that incident is closed */
	/*
	 * fq_merge_address_key(address) when has_address_key, so that an alert matched and
	 * then inserted has its address made canonical once; computed here otherwise.
	 */
	uint64_t address_key;
	int has_address_key;
};

enum fq_merge_decision {
	FQ_MERGE_NEW = 0,   /* "new": open a new incident */
	FQ_MERGE_SUGGESTED, /* "suggested": the operator confirms candidates[0] or not */
	FQ_MERGE_MERGED,    /* "merged": join candidates[0] automatically */
};

enum fq_merge_kind {
	FQ_MERGE_KIND_NONE = 0,
	FQ_MERGE_KIND_REPEAT_CALLER, /* "repeat_caller": same phone */
	FQ_MERGE_KIND_SAME_EVENT,    /* "same_event": other callers, close in time and space */
};

/* One candidate incident, with the evidence of its best-matching alert. */
struct fq_merge_candidate {
	char incident_id[FQ_MERGE_ID_MAX + 1];
	char alert_id[FQ_MERGE_ID_MAX + 1]; /* the indexed alert that gave the score */
	double score;			    /* in [0,1] */
	enum fq_merge_kind kind;
	int64_t earlier_ms;	/* new received_at minus the alert's; negative if later */
	double distance_m;	/* great-circle distance, -1 when not both located */
	int same_address;	/* both addresses known and equal */
	double text_similarity; /* s, Dice over bigrams */
	double time_factor;	/* f_t (same_event; 0 for repeat_caller) */
	double place_factor;	/* f_d for same_event, f_p for repeat_caller */
	double text_factor;	/* f_x */
	double category_credit; /* c */
	unsigned reason_count;
	char reasons[FQ_MERGE_REASONS_MAX][FQ_MERGE_REASON_MAX];
};

struct fq_merge_result {
	enum fq_merge_decision decision;
	enum fq_merge_kind kind; /* candidates[0].kind unless decision is FQ_MERGE_NEW */
	unsigned candidate_count;
	/* Best first: score descending, then the more recent alert, then incident id. */
	struct fq_merge_candidate candidates[FQ_MERGE_CANDIDATES_MAX];

	/* Repeat caller: an earlier call from this phone within repeat_caller_window_s. */
	int repeat_caller;
	/* Earlier calls from this phone (the present one not counted), in the window and days. */
	unsigned caller_calls_window;
	unsigned caller_calls_7d;
	unsigned caller_calls_30d;
	unsigned caller_calls_90d;
	char repeat_caller_reason[FQ_MERGE_REASON_MAX]; /* "" unless repeat_caller */

	/*
	 * Repeat place: earlier reports at this place within
	 * repeat_place_window_s, and the occasions (distinct incidents) they
	 * and the present report make: the present report counts as an
	 * occasion of its own unless the decision merges it into one of
	 * theirs. repeat_place is set from 2 occasions on,
	 * propose_directive from repeat_place_threshold on.
	 */
	int repeat_place;
	int propose_directive;
	unsigned place_reports;
	unsigned place_occasions;
	char repeat_place_reason[FQ_MERGE_REASON_MAX]; /* "" unless repeat_place */
};

struct fq_merge_stats {
	size_t active_alerts;	 /* alerts in the active window */
	size_t place_reports;	 /* compact records for repeat-place counts */
	size_t callers;		 /* phones with history */
	size_t caller_calls;	 /* call times kept for the 7/30/90-day counts */
	size_t incidents;	 /* incidents referred to by either */
	size_t active_cells;	 /* non-empty grid buckets (cell and category group) of the active
				    window */
	size_t memory_bytes;	 /* estimate of the heap held */
	int64_t active_window_s; /* how long alerts stay merge candidates */
};

struct fq_merge_index; /* opaque */

/* Fill cfg with the defaults. */
void fq_merge_config_init(struct fq_merge_config *cfg);

/*
 * Create an empty index with a copy of cfg (NULL for the defaults). Returns
 * 0 and sets *out, or FQ_EINVAL ("merge_config", field names the setting)
 * when a setting is out of its range.
 */
int fq_merge_index_new(const struct fq_merge_config *cfg, struct fq_merge_index **out,
		       struct fq_err *err) FQ_WUR;

/* Free the index and everything in it; NULL is allowed. No call may be running on it. */
void fq_merge_index_free(struct fq_merge_index *idx);

/*
 * Match a new alert against the index and fill *out (entirely, also on
 * failure, when it says "new" with no candidates and no flags). The alert
 * is expected not to be in the index yet: an indexed alert of the same id
 * is never its own candidate, but the counts would include it.
 * Returns 0, or FQ_EINVAL (machine "merge_alert", field names the member)
 * for an alert without a known category, a location out of range, a phone
 * or an id too long, or received_at_ms out of range.
 */
int fq_merge_match(struct fq_merge_index *idx, const struct fq_merge_alert *a,
		   struct fq_merge_result *out, struct fq_err *err) FQ_WUR;

/*
 * A match in two steps, for the intake (command/intake.h): fq_merge_prematch
 * finds the alert's hits in the index as it is, outside the serial stage;
 * fq_merge_match_from later completes them with only the alerts added since
 * and gives exactly what fq_merge_match would give then. When the index
 * changed otherwise in between (a move, a join, a close or reopen, an expiry
 * that dropped something, a reload) or took more than FQ_MERGE_RECENT_MAX
 * alerts, it matches afresh.
 */
#define FQ_MERGE_RECENT_MAX 4096

struct fq_merge_prematch {
	uint64_t generation; /* of the index */
	uint64_t inserts;    /* alerts it had taken */
	uint64_t changes;    /* other changes it had seen */
	void *hits;	     /* merge.c's */
	size_t nhits;
	void *places; /* merge.c's: incidents of the reports at the alert's place */
	size_t nplaces;
	size_t places_alloc;
	struct fq_text_sorted words; /* of the alert's description, when words_ready */
	int words_ready;
	int ready;
};

/*
 * Fill *pm for a (which must stay unchanged until fq_merge_match_from):
 * errors as fq_merge_match's. Release it with fq_merge_prematch_release.
 */
int fq_merge_prematch(struct fq_merge_index *idx, const struct fq_merge_alert *a,
		      struct fq_merge_prematch *pm, struct fq_err *err) FQ_WUR;
/*
 * fq_merge_match, from pm when it still holds (pm NULL or not ready: from
 * scratch); *reused (when not NULL) says which. pm is spent either way.
 */
int fq_merge_match_from(struct fq_merge_index *idx, const struct fq_merge_alert *a,
			struct fq_merge_prematch *pm, struct fq_merge_result *out, int *reused,
			struct fq_err *err) FQ_WUR;
/* Free what pm holds; NULL and a zeroed pm are allowed. */
void fq_merge_prematch_release(struct fq_merge_prematch *pm);

/*
 * Add an alert once its incident is decided (and stored). The incident is
 * created in the index when new; its open/closed state becomes
 * a->incident_closed. Returns 0, or
 *   FQ_EINVAL    as for fq_merge_match, and for an empty alert or incident id
 *   FQ_ECONFLICT an alert with this id is in the active window
 *   FQ_ETOOBIG   max_active_alerts or max_history_reports reached (call
 *                fq_merge_expire, or raise the limits); nothing was added
 */
int fq_merge_insert(struct fq_merge_index *idx, const struct fq_merge_alert *a,
		    struct fq_err *err) FQ_WUR;
/*
 * fq_merge_insert of a[0..n) in order, under one hold of the index's lock;
 * rc[i] and err[i] are a[i]'s answer. Returns 0; with try_only, FQ_EUNAVAIL
 * instead of waiting when the lock is held (nothing inserted then).
 */
int fq_merge_insert_many(struct fq_merge_index *idx, const struct fq_merge_alert *a, size_t n,
			 int try_only, int *rc, struct fq_err *err);
/*
 * Whether a match of a could find anything of b once b is inserted: a
 * candidate, a report at its place or a call. 0 only when they share no
 * phone and no address key and are not both located within reach of each
 * other (a's longest same-event radius, or the repeat-place radius); so a
 * match of a over an index without b gives what it gives with b, and an
 * inserter may hold b back past a's match (the intake does, to take the
 * index's lock once for several alerts). 1 for an alert not valid to match.
 */
int fq_merge_may_see(const struct fq_merge_index *idx, const struct fq_merge_alert *a,
		     const struct fq_merge_alert *b);
/* Whether a may see any of b[0..n). */
int fq_merge_may_see_any(const struct fq_merge_index *idx, const struct fq_merge_alert *a,
			 const struct fq_merge_alert *b, size_t n);

/*
 * Move an alert to another incident (an operator's split or correction);
 * a new incident id starts open. Returns 0, FQ_EINVAL for an empty or too
 * long id, or FQ_ENOTFOUND when the alert is not in the active window
 * (older alerts keep their incident in the repeat-place records: only the
 * counts of occasions can be off).
 */
int fq_merge_move(struct fq_merge_index *idx, const char *alert_id, const char *incident_id,
		  struct fq_err *err) FQ_WUR;

/*
 * Move every alert and report of incident from_id into into_id (an
 * operator merging two incidents); into_id keeps its state, or starts
 * open when new. Returns 0, FQ_EINVAL for an empty or too long id or
 * from_id equal to into_id, or FQ_ENOTFOUND when from_id is not indexed.
 */
int fq_merge_join_incidents(struct fq_merge_index *idx, const char *from_id, const char *into_id,
			    struct fq_err *err) FQ_WUR;

/*
 * Mark an incident closed or open again. Closed incidents are never merge
 * candidates but their reports still count for the repeat caller and
 * repeat place flags. Returns 0, or FQ_ENOTFOUND when the incident has no
 * report in the index (nothing to do then).
 */
int fq_merge_close_incident(struct fq_merge_index *idx, const char *incident_id,
			    struct fq_err *err) FQ_WUR;
int fq_merge_reopen_incident(struct fq_merge_index *idx, const char *incident_id,
			     struct fq_err *err) FQ_WUR;

/*
 * Drop what has left its window at now_ms: active alerts received before
 * now_ms - active window, repeat-place records before now_ms -
 * repeat_place_window_s, phones without a call since now_ms -
 * FQ_MERGE_CALLER_HISTORY_S. Cheap (oldest first): the server calls it
 * every minute with the wall clock, an import with the received_at of
 * the row it just inserted. Matching never depends on it: windows are
 * checked on every candidate.
 */
void fq_merge_expire(struct fq_merge_index *idx, int64_t now_ms);

/* Sizes of the index. */
void fq_merge_stats(struct fq_merge_index *idx, struct fq_merge_stats *out);

/* Bytes of a canonical address kept for its key, with the NUL. */
#define FQ_MERGE_ADDRESS_KEY_MAX 256

/*
 * The canonical form of a normalised address, written to out (cap bytes,
 * NUL-terminated, cut at cap): without spaces and punctuation, without
 * administrative prefixes (诸暨市, 枫溪镇, 城关街道) while something
 * is left, without words around the place at the end (门口, 附近, 对面,
 * 旁边 …), and with a crossing written one way ("A路与B路交叉口", "A路B路
 * 十字路口" and "A路B路路口" are all "A路B路路口"). Returns its length.
 */
size_t fq_merge_address_canonical(const char *address, char *out, size_t cap);

/* The index's key of a normalised address (a hash of its canonical form); 0 for "" or NULL. */
uint64_t fq_merge_address_key(const char *address);

/* "merged", "suggested", "new"; and "repeat_caller", "same_event", or NULL for none. */
const char *fq_merge_decision_name(enum fq_merge_decision d);
const char *fq_merge_kind_name(enum fq_merge_kind k);

#endif
