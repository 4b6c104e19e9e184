/*
 * Transfers (移交): a case the station may not handle ("两不办"), or a clue
 * (线索: text + source, optionally tied to a case or an incident), handed to
 * another unit — criminal investigation, drug squad, economic crime, the
 * anti-fraud centre, the public-order (vice) squad, another station — with
 * what was handed over (items, evidence, people), when and by whom, the
 * receiver's acknowledgement (who, when) and the receiving unit's feedback
 * (result, when). A case transfer moves the case to "transferred"
 * (cases/case.h); once the feedback is in, the case may be closed.
 *
 * The record belongs to the handing-over station (for scope). Writers expect
 * an open write transaction on c. Times are UTC ms; now_ms 0 = the clock.
 */
#ifndef FQ_CASES_TRANSFER_H
#define FQ_CASES_TRANSFER_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_TRANSFER_ITEMS_MAX 50

/* Receiving-unit kinds: code and zh-CN label; NULL-terminated by code. */
struct fq_transfer_kind {
	const char *code;
	const char *label;
};
extern const struct fq_transfer_kind fq_transfer_kinds[];
/* The label of a kind, or NULL when unknown. */
const char *fq_transfer_kind_label(const char *code);

struct fq_transfer_new {
	const char *case_id;	 /* a case transfer: the case (in scope_path) */
	const char *clue_text;	 /* a clue transfer: the clue (required for clues) */
	const char *clue_source; /* where the clue came from (required for clues) */
	const char *incident_id; /* clues: optional link to an incident */
	const char *unit;	 /* clues without case or incident: the station */
	const char *receiver_name;
	const char *receiver_kind;
	json_t *items; /* borrowed: array of strings, at least one */
	const char *note;
	int64_t transferred_at; /* 0: now */
	const char *scope_path;
	const char *actor_unit;
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Record a transfer: of the case when case_id is set and clue_text is not
 * (the case must be in a state that may be transferred: FQ_ECONFLICT
 * "invalid_transition"), else of a clue. Number "YJ-…" for cases, "XS-…"
 * for clues. FQ_EINVAL naming receiver_name, receiver_kind, items,
 * clue_text, clue_source, case_id ("unknown_case"), incident_id, unit.
 */
int fq_transfer_create(struct fq_dbc *c, const struct fq_transfer_new *in, char id[37],
		       char number[FQ_NUMBER_MAX], struct fq_err *err) FQ_WUR;

/*
 * The receiver acknowledges (by: the receiver's name, at: 0 = now) — once:
 * FQ_ECONFLICT "already_acknowledged"; or the receiving unit's feedback
 * (result), after the acknowledgement ("not_acknowledged") and once
 * ("already_fed_back"). expected_version 0: don't check ("stale_version").
 */
int fq_transfer_acknowledge(struct fq_dbc *c, const char *id, const char *by, int64_t at,
			    int64_t expected_version, const char *actor_id, int64_t now_ms,
			    struct fq_err *err) FQ_WUR;
int fq_transfer_feedback(struct fq_dbc *c, const char *id, const char *result, int64_t at,
			 int64_t expected_version, const char *actor_id, int64_t now_ms,
			 struct fq_err *err) FQ_WUR;

/* The handing-over station's path; FQ_ENOTFOUND. */
int fq_transfer_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			  struct fq_err *err) FQ_WUR;
/* The record as JSON. */
int fq_transfer_json(struct fq_dbc *c, const char *id, json_t **out, struct fq_err *err) FQ_WUR;
/* The transfers of a case, oldest first. */
int fq_transfer_list_for_case(struct fq_dbc *c, const char *case_id, json_t **out,
			      struct fq_err *err) FQ_WUR;

struct fq_transfer_query {
	const char *scope_path;
	const char *kind;   /* "case", "clue" or NULL */
	const char *status; /* "pending_ack", "pending_feedback", "done" or NULL */
	int64_t page, per_page;
};
/* Newest first: {"items", "total", "page", "per_page"}. */
int fq_transfer_list(struct fq_dbc *c, const struct fq_transfer_query *q, json_t **out,
		     struct fq_err *err) FQ_WUR;

#endif
