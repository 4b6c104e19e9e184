/*
 * Operators' corrections of the merge engine (docs/merge.md, "Operator
 * merge and split"): merging two incidents that are one event, and
 * splitting an alert out of an incident it does not belong to.
 *
 * A merged incident ends closed with close_reason "merged" and
 * merged_into naming the survivor: it keeps its number and its timeline,
 * has no alerts left, and never reopens (fq_incident_transition refuses
 * every transition of it with FQ_ECONFLICT "incident_merged").
 *
 * Both functions write in the caller's write transaction on c: the moved
 * alerts, the counts and times of both incidents, a merge_decision row per
 * moved alert ("manual_merge" or "split", not automatic, the reason as its
 * only reason) and an event on the timeline of both incidents (kind
 * "merge" or "split", the note naming the other incident and the reason).
 * A moved alert's intake decision and "alert" timeline entry, held in its
 * row until then, are first written out as rows of the incident it leaves
 * (migration 0019; docs/merge.md), so they stay with that incident.
 * The caller checks rights and scope, audits, commits, and then updates
 * the merge index (fq_alert_index_join, fq_alert_index_move in alert.h).
 */
#ifndef FQ_COMMAND_INCIDENT_MERGE_H
#define FQ_COMMAND_INCIDENT_MERGE_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

#define FQ_MERGE_REASON_TEXT_MAX 500 /* characters of an operator's reason */

/*
 * Move every alert (and every dispatch) of incident from_id into into_id
 * and close from_id as merged. expected_version (0: don't check) is
 * into_id's version. *moved (may be NULL) receives the number of alerts
 * moved. Errors: FQ_ENOTFOUND (either missing; field names which),
 * FQ_EUNPROC (the same incident, "same_incident"; different stations,
 * "different_station"), FQ_ECONFLICT (either closed or merged,
 * "incident_closed"; a stale version, "stale_version"), FQ_EINVAL (reason
 * blank or too long, field "reason").
 */
int fq_incident_merge(struct fq_dbc *c, const char *into_id, const char *from_id,
		      int64_t expected_version, const char *reason, const char *actor_id,
		      int64_t *moved, struct fq_err *err) FQ_WUR;

/*
 * Move alert alert_id out of its incident, into to_id when given (an open
 * incident of the same station), else into a new incident in state
 * received with the alert's category, priority, place and grid. When the
 * alert was its incident's only one and to_id is given, the incident left
 * empty ends merged into to_id. into_out receives the incident the alert
 * is now in, from_out the one it left. Errors: FQ_ENOTFOUND (the alert, or
 * to_id, field "to_incident_id"), FQ_EUNPROC ("only_alert": the only alert
 * and no to_id; "same_incident": to_id is its incident; "different_station"),
 * FQ_ECONFLICT (either incident closed or merged), FQ_EINVAL (reason).
 */
int fq_incident_split(struct fq_dbc *c, const char *alert_id, const char *to_id, const char *reason,
		      const char *actor_id, char into_out[37], char from_out[37],
		      struct fq_err *err) FQ_WUR;

#endif
