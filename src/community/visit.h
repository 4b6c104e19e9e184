/*
 * Household visits (入户走访): an officer, auxiliary or grid worker at a
 * house of the registry, when and where (the phone's fix), whom they met,
 * what they learned (needs, risks, a dispute found), an optional clue
 * reported from it (a clue of community/field.h, in the same transaction)
 * and a follow-up. Coverage: the share of a unit's houses visited in the
 * last N days. A visit belongs to its house's unit path (scope).
 * Writes run inside the caller's write transaction.
 */
#ifndef FQ_COMMUNITY_VISIT_H
#define FQ_COMMUNITY_VISIT_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_VISIT_TEXT_MAX   2000
#define FQ_VISIT_PEOPLE_MAX 20

struct fq_visit_new {
	const char *house_id;
	int64_t visited_at; /* 0: now */
	double lat, lon;    /* NAN when not given */
	json_t *people_met; /* array of strings (names or person ids), borrowed; may be NULL */
	const char *purpose;
	const char *learned, *needs, *risks; /* may be NULL */
	int dispute_found;
	const char *clue_text; /* a clue to report from the visit, or NULL */
	int64_t follow_up_at;  /* 0: none */
	const char *officer_id;
	int64_t now_ms;
};

/* Purposes: code and zh-CN label; NULL past the end. */
const char *fq_visit_purpose_code(int i);
const char *fq_visit_purpose_label(const char *code);

/*
 * Record a visit; id receives its id, clue_id the reported clue's ("" when
 * none). FQ_EINVAL naming house_id (unknown: also outside scope_path),
 * purpose, visited_at (in the future), follow_up_at (before the visit),
 * people_met.
 */
int fq_visit_create(struct fq_dbc *c, const struct fq_visit_new *in, const char *scope_path,
		    char id[37], char clue_id[37], struct fq_err *err) FQ_WUR;
int fq_visit_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
		       struct fq_err *err) FQ_WUR;
int fq_visit_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;

struct fq_visit_query {
	const char *scope_path;
	const char *house_id;	/* or NULL */
	const char *officer_id; /* or NULL */
	int follow_up_due;	/* 1: only visits whose follow-up is open and due by now_ms */
	int64_t from_ms, to_ms; /* 0: unbounded */
	int64_t now_ms;
	int64_t page, per_page;
};
int fq_visit_list(struct fq_dbc *c, const struct fq_visit_query *q, json_t **out,
		  struct fq_err *err) FQ_WUR;

/* Close a visit's follow-up with a note. FQ_ECONFLICT when none is open. */
int fq_visit_follow_up_done(struct fq_dbc *c, const char *id, int64_t expected_version,
			    const char *note, int64_t now_ms, struct fq_err *err) FQ_WUR;

/*
 * Coverage of the grids under scope_path: per grid, its houses and those
 * visited in [now_ms - days, now_ms], and the share; totals too.
 */
int fq_visit_coverage_json(struct fq_dbc *c, const char *scope_path, int days, int64_t now_ms,
			   json_t **out, struct fq_err *err) FQ_WUR;

#endif
