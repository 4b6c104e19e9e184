/*
 * Case linkage (串并案): for a case, the similar cases within a scope (the
 * station for station users; every station under an analyst's unit), with
 * a similarity score in [0, 1] and plain Chinese reasons; and series, the
 * records that link cases together with a reason.
 *
 * The score is a weighted sum of six parts (docs/cases.md):
 *   type      0.30 same type, 0.15 same group (盗窃类 ...), else 0
 *   method    0.25 × Dice similarity of the normalised 作案手段 texts
 *   time      0.15 × max(0, 1 − Δ/4 h), Δ the difference in time of day
 *             (China Standard Time, across midnight)
 *   place     0.15 × max(0, 1 − d/3 km) when both have coordinates
 *   property  0.075 × similarity of the property-lost descriptions
 *   suspect   0.075 × similarity of the suspects' descriptions
 * Candidates are the cases of the same group that occurred within
 * FQ_LINKAGE_WINDOW_DAYS of the case, scoring at least min_score, best
 * first. Pure scoring functions are thread-safe.
 */
#ifndef FQ_CASES_LINKAGE_H
#define FQ_CASES_LINKAGE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_LINKAGE_WINDOW_DAYS 365
#define FQ_LINKAGE_MIN_SCORE   0.35
#define FQ_LINKAGE_LIMIT_MAX   50
#define FQ_SERIES_MEMBERS_MAX  200

#define FQ_LINKAGE_W_TYPE	0.30
#define FQ_LINKAGE_W_GROUP	0.15
#define FQ_LINKAGE_W_METHOD	0.25
#define FQ_LINKAGE_W_TIME	0.15
#define FQ_LINKAGE_W_PLACE	0.15
#define FQ_LINKAGE_W_PROPERTY	0.075
#define FQ_LINKAGE_W_SUSPECT	0.075
#define FQ_LINKAGE_TIME_SPAN_H	4.0
#define FQ_LINKAGE_PLACE_SPAN_M 3000.0

/* What linkage compares of a case. Texts are normalised (may be NULL or ""). */
struct fq_linkage_features {
	const char *type;
	const char *group;
	int minute; /* of the day, China Standard Time */
	int has_location;
	double lat, lon;
	const char *method;
	const char *property;
	const char *suspect;
};

/*
 * The token signature of a normalised text: bit (hash(token) mod 64) set
 * for each token of fq_text_tokenize (0 for no text). Stored with a case,
 * it bounds the similarity of two texts from above without reading them
 * (the first pass of fq_linkage_candidates).
 */
int64_t fq_linkage_signature(const char *norm);

/* The parts of a score, for reasons. */
struct fq_linkage_parts {
	int same_type, same_group;
	double hours_apart;  /* 0-12 */
	double distance_m;   /* < 0 when unknown */
	double method_sim;   /* < 0 when a side has no text */
	double property_sim; /* idem */
	double suspect_sim;  /* idem */
	int both_night;	     /* both between 22:00 and 06:00 */
	double score;
};

/* The score of b as a match for a, with its parts (parts may be NULL). */
double fq_linkage_score(const struct fq_linkage_features *a, const struct fq_linkage_features *b,
			struct fq_linkage_parts *parts);
/*
 * The reasons in plain Chinese, joined by "，" into out (cut to cap), e.g.
 * "同为夜间入室盗窃，相距 420 米，作案手段相似度 0.71". type_label is the
 * label of the shared type, group_label that of the group.
 */
void fq_linkage_reasons(const struct fq_linkage_parts *p, const char *type_label,
			const char *group_label, char *out, size_t cap);

/*
 * The candidates for case id among the cases under scope_path (the case
 * itself must be there: FQ_ENOTFOUND otherwise): {"case": {id, number},
 * "candidates": [{id, number, unit, type, type_label, title, state,
 * occurred_at, score, reasons}], "scanned"}. limit 1..FQ_LINKAGE_LIMIT_MAX.
 */
int fq_linkage_candidates(struct fq_dbc *c, const char *id, const char *scope_path, int limit,
			  double min_score, json_t **out, struct fq_err *err) FQ_WUR;

struct fq_series_new {
	const char *name;
	const char *reason;
	json_t *case_ids; /* borrowed: 2..FQ_SERIES_MEMBERS_MAX distinct case ids */
	const char *unit; /* the linking user's unit */
	const char *scope_path;
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Link cases into a series (number "CB-<unit>-<date>-NNNN"); each case
 * gets a timeline entry. FQ_EINVAL naming name, reason, case_ids
 * ("unknown_case" for one outside scope_path, "duplicate").
 */
int fq_series_create(struct fq_dbc *c, const struct fq_series_new *in, char id[37],
		     char number[FQ_NUMBER_MAX], struct fq_err *err) FQ_WUR;
/* The unit path of the series' unit; FQ_ENOTFOUND. */
int fq_series_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err) FQ_WUR;
/* The series with its members. */
int fq_series_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;
/* Series under scope_path, newest first (paged). */
int fq_series_list(struct fq_dbc *c, const char *scope_path, int64_t page, int64_t per_page,
		   json_t **out, struct fq_err *err) FQ_WUR;

#endif
