/*
 * Sessions. A login issues a random 256-bit token (base64url in the
 * fq_session cookie, HttpOnly, SameSite=Strict) and a CSRF token; only the
 * SHA-256 of the session token is stored. A session ends after 30 minutes
 * without a request or 12 hours in all, at logout, or when the user is
 * disabled, moved to another unit or given a new password.
 *
 * Validated sessions are cached in memory; the cache is the only state
 * besides the store and is rebuilt lazily after a restart. Idle time is
 * written back at most once a minute. fq_session_poll() (run every second by
 * the server) drops cached sessions of users changed by another process,
 * e.g. `fengqiao user disable`. All functions are thread-safe.
 */
#ifndef FQ_HTTP_SESSION_H
#define FQ_HTTP_SESSION_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "http/request.h"
#include "org/users.h"

#define FQ_SESSION_IDLE_MS     (30LL * 60 * 1000)
#define FQ_SESSION_MAX_MS      (12LL * 60 * 60 * 1000)
#define FQ_SESSION_TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */
#define FQ_SESSION_COOKIE      "fq_session"

void fq_session_global_init(void);
void fq_session_global_cleanup(void);

/*
 * Create a session for u inside c's open write transaction. token receives
 * the cookie value; p the principal (with csrf). expires_ms: absolute end.
 */
int fq_session_create(struct fq_dbc *c, const struct fq_user *u, const char *client,
		      char token[FQ_SESSION_TOKEN_CHARS + 1], struct fq_principal *p,
		      int64_t *expires_ms, struct fq_err *err) FQ_WUR;

/*
 * Resolve a cookie token to its principal. FQ_EAUTH (machine code
 * "unauthenticated" or "session_expired") when there is no live session.
 */
int fq_session_resolve(struct fq_db *db, const char *token, struct fq_principal *p,
		       int64_t *expires_ms, struct fq_err *err) FQ_WUR;

/*
 * 1 when the session with this token hash is live at now_ms, without
 * counting as activity (long-lived streams check their session with it).
 */
int fq_session_alive(struct fq_db *db, const char *token_hash, int64_t now_ms);

/* End the session with this token hash (logout). */
int fq_session_end(struct fq_db *db, const char *token_hash, struct fq_err *err) FQ_WUR;

/* Drop every cached session of a user (after a change to the user). */
void fq_session_evict_user(const char *user_id);

/* Notice changes to users made elsewhere; run periodically. */
void fq_session_poll(struct fq_db *db);

#endif
