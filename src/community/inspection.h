/*
 * Inspections of organisations and venues (安全检查): a checklist per venue
 * type (common items for every venue plus the type's own: guest
 * registration for hotels, minors kept out of internet cafés, gate guards
 * at schools, ...). Every item is passed or failed; a failed item becomes a
 * hazard (隐患) with a rectification deadline, and a re-inspection closes
 * it or finds it still open (optionally with a new deadline). A hazard is
 * overdue when open past its deadline (derived). Scope: the organisation's
 * unit path. Writes run inside the caller's write transaction.
 */
#ifndef FQ_COMMUNITY_INSPECTION_H
#define FQ_COMMUNITY_INSPECTION_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_INSPECTION_TEXT_MAX 2000

/* The checklist of an organisation type (its code) as [{code, label}], new reference. */
json_t *fq_inspection_checklist(const char *org_type);

/*
 * Record an inspection of organisation_id (inside scope_path) from body
 * members: items ([{code, ok, note?, deadline_at? (RFC 3339, required and
 * in the future when ok is false)}], exactly the checklist's items, each
 * once), inspected_at (optional, not in the future), notes. Errors name the
 * field ("items[2].deadline_at", "items" for a missing item). id receives
 * the inspection's id; *hazards the number of hazards opened.
 */
int fq_inspection_create(struct fq_dbc *c, json_t *body, const char *scope_path,
			 const char *inspector_id, int64_t now_ms, char id[37], int *hazards,
			 struct fq_err *err) FQ_WUR;
int fq_inspection_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			    struct fq_err *err) FQ_WUR;
/* The inspection with its items and the hazards it opened. */
int fq_inspection_json(struct fq_dbc *c, const char *id, int64_t now_ms, json_t **out,
		       struct fq_err *err) FQ_WUR;
int fq_inspection_list(struct fq_dbc *c, const char *scope_path, const char *organisation_id,
		       int64_t page, int64_t per_page, json_t **out, struct fq_err *err) FQ_WUR;

int fq_hazard_unit_path(struct fq_dbc *c, const char *id, char path[FQ_UNIT_PATH_MAX],
			struct fq_err *err) FQ_WUR;
int fq_hazard_json(struct fq_dbc *c, const char *id, int64_t now_ms, json_t **out,
		   struct fq_err *err) FQ_WUR;
/* state: "open", "rectified" or NULL; overdue_only: open past the deadline at now_ms. */
int fq_hazard_list(struct fq_dbc *c, const char *scope_path, const char *state, int overdue_only,
		   int64_t now_ms, int64_t page, int64_t per_page, json_t **out,
		   struct fq_err *err) FQ_WUR;

/*
 * Re-inspect an open hazard: rectified closes it; otherwise it stays open,
 * with new_deadline_at (0: unchanged; else must be in the future). note is
 * required. FQ_ECONFLICT "invalid_state" when already rectified.
 */
int fq_hazard_reinspect(struct fq_dbc *c, const char *id, int64_t expected_version, int rectified,
			const char *note, int64_t new_deadline_at, const char *actor_id,
			int64_t now_ms, struct fq_err *err) FQ_WUR;

#endif
