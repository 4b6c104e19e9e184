/*
 * Live events: an in-process bus and its server-sent-events stream,
 * GET /api/v1/events (text/event-stream).
 *
 * A writer publishes an event after its transaction committed (never before
 * the write is durable): a type ("incident.updated"), the unit path of the
 * object (its scope), the action a reader needs to see it, and a small JSON
 * object that names the object and never carries personal data (clients
 * fetch what they show through the API, which masks and audits).
 *
 * The bus keeps the last FQ_EVENTS_RING events in memory. Event ids are
 * integers, increasing, and unique across restarts (the first id of a run is
 * its start time in milliseconds × 1000). A client that reconnects with
 * Last-Event-ID (or ?last_event_id=) gets every event it missed that it may
 * see; when the missed events are no longer held (too many, or a restart in
 * between), it gets one "reset" event and must reload its data.
 *
 * A stream delivers only the events whose unit path lies inside the user's
 * scope and whose action one of the user's roles grants. It ends when the
 * session ends (logout, idle or absolute expiry, the user disabled or moved:
 * checked every FQ_EVENTS_CHECK_MS without extending the session), and
 * when the server stops. A comment line is sent every FQ_EVENTS_PING_MS so
 * proxies and clients see a live connection.
 *
 * Streams wait as suspended libmicrohttpd connections: they hold no thread.
 * All functions are thread-safe.
 */
#ifndef FQ_HTTP_EVENTS_H
#define FQ_HTTP_EVENTS_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/rights.h"

#define FQ_EVENTS_RING	   8192
#define FQ_EVENTS_PING_MS  15000
#define FQ_EVENTS_CHECK_MS 5000
#define FQ_EVENTS_DATA_MAX 4096 /* bytes of one event's JSON; larger data is refused */

/* Start the bus (idempotent). The first event id is start_ms * 1000 + 1. */
void fq_events_init(int64_t start_ms);

/*
 * Publish an event. unit_path: the object's unit path ("/…/339902510000/");
 * the event's data gets "unit" (the path's last code) added. data: a JSON
 * object, reference stolen (NULL publishes {}). Returns the event's id, or
 * 0 when the bus is not started or the data is too large (logged).
 */
int64_t fq_events_publish(const char *type, const char *unit_path, enum fq_action action,
			  json_t *data);

/*
 * Publish a summary of an API object: copies only the fields that name it
 * and its state (id, number, state, status, version, incident_id, category,
 * priority, decision, kind, …) from object (borrowed). Returns as above.
 */
int64_t fq_events_publish_summary(const char *type, const char *unit_path, enum fq_action action,
				  const json_t *object);

struct fq_req;

/*
 * For API handlers, after their transaction committed: queue a summary of
 * object (borrowed; the fields fq_events_publish_summary copies) scoped to
 * the unit whose code is unit_code, or when NULL the object's own "unit"
 * field. The server publishes the request's queued events once the handler
 * returned (fq_req_flush_events), when it holds no store connection: unit
 * paths come from an in-memory map, and a unit unknown to it is looked up
 * then. Does nothing when the unit is unknown (logged).
 */
void fq_req_publish(struct fq_req *r, const char *type, enum fq_action action, const json_t *object,
		    const char *unit_code);

/* Publish and forget the request's queued events (the server calls it). */
void fq_req_flush_events(struct fq_req *r);

/* Load every unit's path into the publishers' map (at server start). */
int fq_events_load_units(struct fq_db *db, struct fq_err *err) FQ_WUR;

/* Free the map (at exit). */
void fq_events_cleanup(void);

/* The id of the last event published (0 when none). */
int64_t fq_events_last_id(void);

/*
 * Called from the server's housekeeping thread a few times a second: wakes
 * streams that are due a ping or a session check.
 */
void fq_events_tick(int64_t now_ms);

/* Ends every stream (server stopping); later streams end at once. */
void fq_events_close_all(void);

#endif
