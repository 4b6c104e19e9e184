/*
 * One HTTP request as handlers see it. The request owns a pool (freed when
 * the answer is sent); handlers allocate temporaries there.
 *
 * A handler returns 0 after setting the answer with fq_req_reply(), or a
 * negative FQ_E* code with r->err filled; the server turns the code into the
 * right status and the JSON error body {"error":{"code","message","field"}}
 * (one mapping table, http/response.c).
 */
#ifndef FQ_HTTP_REQUEST_H
#define FQ_HTTP_REQUEST_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"
#include "core/pool.h"
#include "db/db.h"
#include "org/rights.h"
#include "org/units.h"

struct fq_server;

#define FQ_REQ_MAX_PARAMS  4
#define FQ_REQ_MAX_HEADERS 8

/* The authenticated user of a request (a copy, owned by the request). */
struct fq_principal {
	char user_id[37];
	char username[33];
	char display_name[129];
	char unit_code[FQ_UNIT_CODE_MAX];
	char unit_path[FQ_UNIT_PATH_MAX];
	uint32_t roles;
	char csrf[64];
	char token_hash[65];
};

struct fq_req {
	struct fq_pool pool;
	struct fq_server *srv;
	struct fq_db *db;
	void *conn; /* struct MHD_Connection */
	const char *method;
	const char *path;
	char client[64];
	const char *params[FQ_REQ_MAX_PARAMS]; /* path parameters, in pattern order */
	int nparams;
	json_t *body;		   /* parsed JSON body, or NULL */
	struct fq_principal *user; /* NULL when anonymous */
	struct fq_err err;

	/* answer */
	int status;
	json_t *reply;
	const char *hdr_names[FQ_REQ_MAX_HEADERS];
	const char *hdr_values[FQ_REQ_MAX_HEADERS];
	int nhdrs;
	int answered;	   /* a response has been queued */
	int stream_queued; /* fq_req_reply_stream: 1 queued, -1 failed */
	json_t *events;	   /* live events queued by fq_req_publish, or NULL */
	char *bytes;	   /* a non-JSON answer (fq_req_reply_bytes), owned */
	size_t bytes_len;
	const char *bytes_type;
	int64_t start_ns;
	/* fq_req_suspend */
	int suspended;
	int (*resume)(struct fq_req *r);
	void *resume_arg;		  /* the handler's, for its continuation */
	void (*on_end)(struct fq_req *r); /* called when the request ends, answered or not */
};

/*
 * Answer later, without holding an HTTP thread meanwhile: the handler calls
 * fq_req_suspend(r, cont) and returns 0 (and must not touch r after handing
 * it to whoever will resume it). That party calls fq_req_resume(r) once, from
 * any thread; cont(r) then runs on an HTTP thread and finishes as a handler
 * does: its return value, its answer and the events it queued are sent.
 * Suspend before handing r over, so a resume can never come first.
 */
void fq_req_suspend(struct fq_req *r, int (*cont)(struct fq_req *r));
void fq_req_resume(struct fq_req *r);

/* Set the answer: status and JSON body (reference stolen). Returns 0. */
int fq_req_reply(struct fq_req *r, int status, json_t *body);
/*
 * Answer with a body produced piece by piece (a live stream): read is called
 * by the HTTP library for the next bytes and returns how many it wrote into
 * buf (at most max), 0 when it has nothing now (it must then have suspended
 * the connection, r->conn, and resume it later), or FQ_STREAM_END. free is
 * called once with cls when the answer ends, also when this call fails.
 * Headers added with fq_req_add_header go with it. Returns 0 or FQ_EINTERNAL.
 */
#define FQ_STREAM_END ((ssize_t)-1)
typedef ssize_t (*fq_stream_read_fn)(void *cls, uint64_t pos, char *buf, size_t max);
int fq_req_reply_stream(struct fq_req *r, int status, const char *content_type,
			fq_stream_read_fn read, void (*free_cls)(void *cls), void *cls) FQ_WUR;

/*
 * Set a non-JSON answer: status, Content-Type and the body's bytes. data
 * must come from malloc(); the request takes it over in every case and
 * frees it once sent (or when the request ends unsent, e.g. because the
 * handler then returns an error, which is answered as JSON instead). The
 * headers of fq_req_add_header (e.g. Content-Disposition) go with it;
 * Cache-Control is no-store, as for JSON. Replaces an earlier JSON answer
 * and vice versa. Returns 0.
 */
int fq_req_reply_bytes(struct fq_req *r, int status, const char *content_type, char *data,
		       size_t len);
/* Add a response header (name and value copied into the pool). */
void fq_req_add_header(struct fq_req *r, const char *name, const char *value);
/* Query argument, NULL when absent. */
const char *fq_req_query(struct fq_req *r, const char *name);
/* Request header, NULL when absent. */
const char *fq_req_header(struct fq_req *r, const char *name);

/*
 * Pagination from ?page=&per_page= (defaults 1 and 20, per_page at most 200),
 * with field-named errors.
 */
int fq_req_page(struct fq_req *r, int64_t *page, int64_t *per_page) FQ_WUR;

/*
 * Rights: fails with FQ_EFORBIDDEN unless one of the user's roles grants
 * action. Scope: FQ_ENOTFOUND unless the user's unit covers unit_path (so an
 * object outside the caller's scope is indistinguishable from a missing one).
 */
int fq_req_require(struct fq_req *r, enum fq_action action) FQ_WUR;
int fq_req_require_scope(struct fq_req *r, const char *unit_path) FQ_WUR;

/*
 * The scope of a list: ?unit= when that unit lies inside the caller's scope
 * (else FQ_ENOTFOUND naming "unit"), or the caller's own unit. path receives
 * the unit path.
 */
int fq_req_list_scope(struct fq_req *r, struct fq_dbc *c, char path[FQ_UNIT_PATH_MAX]) FQ_WUR;

/*
 * An object inside the caller's scope: path_of gives its unit path; a
 * missing object and one outside the scope both answer FQ_ENOTFOUND with
 * the message missing.
 */
int fq_req_object_scope(struct fq_req *r, struct fq_dbc *c,
			int (*path_of)(struct fq_dbc *c, const char *id,
				       char path[FQ_UNIT_PATH_MAX], struct fq_err *err),
			const char *id, const char *missing) FQ_WUR;

/* The role code to record in the audit log for action. */
const char *fq_req_audit_role(struct fq_req *r, enum fq_action action);

/*
 * Audit hooks. fq_req_audit fills an entry with the actor, unit and client
 * of the request and appends it on c (inside the caller's transaction); it
 * takes over the reference to detail (which may be NULL).
 * fq_req_audit_read records a read of personal data in its own transaction;
 * every handler that returns a person's details calls it.
 */
int fq_req_audit(struct fq_req *r, struct fq_dbc *c, enum fq_action action, const char *what,
		 const char *object_type, const char *object_id, const char *reason,
		 json_t *detail) FQ_WUR;
int fq_req_audit_read(struct fq_req *r, const char *object_type, const char *object_id,
		      const char *reason) FQ_WUR;

#endif
