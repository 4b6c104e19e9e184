/*
 * The audit log: append-only, numbered and chained by SHA-256.
 *
 * Entry n stores hash_n = SHA-256(prev_hash || canonical fields of n), with
 * prev_hash of entry 1 being 64 zeros. Each field enters the hash with its
 * length, so no two different entries hash alike. Database triggers refuse
 * UPDATE and DELETE on the table; fq_audit_verify() recomputes the chain and
 * reports the first edited, deleted, inserted or reordered entry.
 *
 * Every write of the system appends an entry inside the same transaction as
 * the write (fq_audit_append on the caller's connection), so a change and
 * its record land together. Reads of personal data append their own entry
 * (http/request.h: fq_req_audit_read).
 */
#ifndef FQ_HTTP_AUDIT_H
#define FQ_HTTP_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

struct fq_audit_entry {
	const char *user_id;	 /* NULL for system or anonymous */
	const char *username;	 /* as given, also for failed logins */
	const char *role;	 /* the role under which the action was taken */
	const char *unit_code;	 /* the actor's unit */
	const char *action;	 /* "user.create", "session.login", "person.read", ... */
	const char *object_type; /* "user", "unit", "person", ... */
	const char *object_id;
	const char *client;  /* client address, or "cli" */
	const char *outcome; /* "ok", "failed", "denied" */
	const char *reason;  /* required for some actions (reveal, override) */
	const char *detail;  /* compact JSON with what changed, or NULL */
};

/*
 * Append an entry at time at_ms on c, which must be inside a write
 * transaction. *seq_out (may be NULL) receives the entry's number.
 */
int fq_audit_append(struct fq_dbc *c, const struct fq_audit_entry *e, int64_t at_ms,
		    int64_t *seq_out, struct fq_err *err) FQ_WUR;

/* Append in a transaction of its own. */
int fq_audit_append_tx(struct fq_db *db, const struct fq_audit_entry *e, int64_t *seq_out,
		       struct fq_err *err) FQ_WUR;

struct fq_audit_report {
	int64_t entries;    /* entries checked */
	int64_t first_bad;  /* seq of the first bad entry, 0 when all is well */
	char problem[160];  /* what is wrong with it */
	char head_hash[65]; /* hash of the newest entry checked */
};

/*
 * Recompute the chain. Returns 0 when intact, FQ_ECONFLICT when tampered.
 * The chain alone cannot show that its newest entries were cut off; anchors
 * can: the server writes the head (seq and hash) to its log every minute it
 * changed, and anchor_seq/anchor_hash (0/NULL: none) name such a head, which
 * must still be in the chain with that hash.
 */
int fq_audit_verify(struct fq_db *db, int64_t anchor_seq, const char *anchor_hash,
		    struct fq_audit_report *rep, struct fq_err *err) FQ_WUR;

/* The newest entry: *seq 0 and hash "" for an empty log. */
int fq_audit_head(struct fq_db *db, int64_t *seq, char hash[65], struct fq_err *err) FQ_WUR;

struct fq_audit_query {
	const char *scope_path; /* entries by actors of units under this path, or by no one */
	const char *username;
	const char *object_type;
	const char *object_id;
	const char *action;
	int64_t from_ms, to_ms; /* 0: open */
	int64_t page, per_page;
};

/* Entries newest first: {"items":[...], "total", "page", "per_page"}. */
int fq_audit_list(struct fq_dbc *c, const struct fq_audit_query *q, json_t **out,
		  struct fq_err *err) FQ_WUR;

#endif
