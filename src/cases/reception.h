/*
 * The reception hall (暖心警务会客厅, docs/reception.md): the walk-in log
 * of a station (visitor, need, what was done, time spent, handled by) and
 * the conversion of a visit, with one action, into an alert (through the
 * command room's intake, reception_api.c) or a service request, dispute
 * or case, each made by its capability's own intake in the transaction
 * that marks the visit. Conversions stored as pending by earlier versions
 * (converted_to set, converted_id NULL, conversion_state "pending") are
 * completed by converting again to the same target.
 *
 * Writers expect an open write transaction on c (the caller audits in it).
 * Times are UTC ms; now_ms 0 means the wall clock.
 */
#ifndef FQ_CASES_RECEPTION_H
#define FQ_CASES_RECEPTION_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/phone.h"
#include "db/db.h"
#include "org/numbers.h"
#include "org/units.h"

#define FQ_RECEPTION_NAME_MAX 32
#define FQ_RECEPTION_TEXT_MAX 2000

enum fq_reception_need {
	FQ_NEED_CONSULTATION,
	FQ_NEED_HELP,
	FQ_NEED_LOST_FOUND,
	FQ_NEED_CERTIFICATE,
	FQ_NEED_MEDIATION,
	FQ_NEED_REPORT,
	FQ_NEED_COUNT
};

enum fq_reception_target {
	FQ_CONVERT_ALERT,
	FQ_CONVERT_SERVICE_REQUEST,
	FQ_CONVERT_DISPUTE,
	FQ_CONVERT_CASE,
	FQ_CONVERT_COUNT
};

/* Codes and zh-CN labels; NULL when out of range; from a code (or label): -1 when unknown. */
const char *fq_reception_need_code(enum fq_reception_need n);
const char *fq_reception_need_label(enum fq_reception_need n);
int fq_reception_need_from(const char *s);
const char *fq_reception_target_code(enum fq_reception_target t);
int fq_reception_target_from(const char *s);

struct fq_reception_new {
	const char *unit; /* the hall's station (or a unit under one), NULL: the actor's */
	const char *actor_unit;
	const char *scope_path;
	const char *visitor_name;
	const char *phone; /* optional, as given */
	const char *need;
	const char *what_done;
	int64_t started_at;	/* 0: now */
	int64_t ended_at;	/* 0: still there */
	const char *handled_by; /* a user of the station; NULL: the actor */
	const char *actor_id;
	int64_t now_ms;
};

/*
 * Log a visit (number JD-<station>-<date>-NNNN). FQ_EINVAL naming the
 * field: unit, visitor_name, phone, need, what_done, started_at (not in
 * the future), ended_at (not before started_at), handled_by.
 */
int fq_reception_create(struct fq_dbc *c, const struct fq_reception_new *in, char id[37],
			char station[FQ_UNIT_CODE_MAX], struct fq_err *err) FQ_WUR;

struct fq_reception_change {
	const char *what_done; /* NULL: unchanged */
	int64_t ended_at;      /* 0: unchanged */
	int64_t expected_version;
	const char *actor_id;
	int64_t now_ms;
};

/* Record what was done and when the visitor left; FQ_ECONFLICT "stale_version". */
int fq_reception_update(struct fq_dbc *c, const char *id, const struct fq_reception_change *ch,
			struct fq_err *err) FQ_WUR;

/* The visit's station path; FQ_ENOTFOUND when absent. */
int fq_reception_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			   struct fq_err *err) FQ_WUR;

/* What a conversion needs of a visit. */
struct fq_reception_visit {
	char station[FQ_UNIT_CODE_MAX];
	char visitor_name[FQ_RECEPTION_NAME_MAX * 4 + 1];
	char phone[FQ_PHONE_INPUT_MAX + 1]; /* "" when none */
	char need[16];
	char what_done[FQ_RECEPTION_TEXT_MAX * 4 + 1];
	int64_t started_at;
	int64_t version;
	int converted;	       /* a conversion is recorded (done or pending) */
	char converted_to[16]; /* its target code, "" when none */
	int pending;	       /* it is pending: converted_to set, no object yet */
};

int fq_reception_load(struct fq_dbc *c, const char *id, struct fq_reception_visit *out,
		      struct fq_err *err) FQ_WUR;

/*
 * Record the conversion of a visit into target: object_id is the object
 * made (NULL: pending, which the API no longer does; the demo's history
 * has some). A pending conversion is completed by an object of the same
 * target. FQ_ECONFLICT "already_converted" (converted, or pending for
 * another target) or "stale_version".
 */
int fq_reception_mark_converted(struct fq_dbc *c, const char *id, enum fq_reception_target target,
				const char *object_id, int64_t expected_version,
				const char *actor_id, int64_t now_ms, struct fq_err *err) FQ_WUR;

/* The visit as JSON; mask_phone masks the phone. */
int fq_reception_json(struct fq_dbc *c, const char *id, int mask_phone, json_t **out,
		      struct fq_err *err) FQ_WUR;

struct fq_reception_query {
	const char *scope_path;
	const char *need;	/* code or NULL */
	int converted;		/* -1 either, 0, 1 */
	int64_t from_ms, to_ms; /* started_at in [from, to); 0: open */
	int mask_phone;
	int64_t page, per_page;
};

/* Newest first: {"items", "total", "page", "per_page"}. */
int fq_reception_list(struct fq_dbc *c, const struct fq_reception_query *q, json_t **out,
		      struct fq_err *err) FQ_WUR;

/*
 * Counts of docs/kpi.md for the visits that started in [from, to) at
 * stations under unit_path.
 */
struct fq_reception_counts {
	int64_t visitors;
	int64_t by_need[FQ_NEED_COUNT];
	int64_t converted[FQ_CONVERT_COUNT]; /* done or pending */
	int64_t pending;		     /* conversions waiting for their capability */
	int64_t timed;			     /* visits with an end time */
	int64_t minutes;		     /* their total minutes spent */
};

int fq_reception_counts(struct fq_dbc *c, const char *unit_path, int64_t from_ms, int64_t to_ms,
			struct fq_reception_counts *out, struct fq_err *err) FQ_WUR;

/*
 * The KPI answer: unit, from, to, visitors, helps (need help), mediations
 * (need mediation), services (certificates and lost and found: 办实事),
 * by_need, converted, pending_conversions, average_minutes (null when no
 * visit has an end time; 1 decimal).
 */
int fq_reception_kpi_json(struct fq_dbc *c, const char *unit_code, int64_t from_ms, int64_t to_ms,
			  json_t **out, struct fq_err *err) FQ_WUR;

#endif
