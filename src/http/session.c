#include "http/session.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define CACHE_BUCKETS	 1024
#define CACHE_MAX	 20000
#define PERSIST_EVERY_MS (60 * 1000)

struct cached {
	struct cached *next;
	struct fq_principal p;
	int64_t expires_at;
	int64_t last_seen;
	int64_t persisted_seen;
};

static struct {
	pthread_mutex_t lock;
	struct cached *buckets[CACHE_BUCKETS];
	size_t count;
	int64_t poll_mark;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

void fq_session_global_init(void)
{
	cache.poll_mark = fq_now_ms();
}

void fq_session_global_cleanup(void)
{
	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < CACHE_BUCKETS; i++) {
		struct cached *e = cache.buckets[i];
		while (e) {
			struct cached *n = e->next;
			free(e);
			e = n;
		}
		cache.buckets[i] = NULL;
	}
	cache.count = 0;
	pthread_mutex_unlock(&cache.lock);
}

static void token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static unsigned bucket_of(const char *hash_hex)
{
	unsigned v = 0;
	for (int i = 0; i < 8; i++)
		v = v * 16 +
		    (unsigned)(hash_hex[i] <= '9' ? hash_hex[i] - '0' : hash_hex[i] - 'a' + 10);
	return v & (CACHE_BUCKETS - 1);
}

static void cache_drop_locked(const char *hash_hex)
{
	struct cached **pp = &cache.buckets[bucket_of(hash_hex)];
	while (*pp) {
		if (strcmp((*pp)->p.token_hash, hash_hex) == 0) {
			struct cached *dead = *pp;
			*pp = dead->next;
			free(dead);
			cache.count--;
			return;
		}
		pp = &(*pp)->next;
	}
}

static void cache_put(const struct fq_principal *p, int64_t expires, int64_t last_seen)
{
	struct cached *e = fq_xcalloc(1, sizeof(*e));
	unsigned b = bucket_of(p->token_hash);

	e->p = *p;
	e->expires_at = expires;
	e->last_seen = e->persisted_seen = last_seen;
	pthread_mutex_lock(&cache.lock);
	cache_drop_locked(p->token_hash);
	if (cache.count >= CACHE_MAX) {
		/* Crude but bounded: forget one bucket; entries reload from the store. */
		struct cached *x = cache.buckets[b];
		while (x) {
			struct cached *n = x->next;
			free(x);
			cache.count--;
			x = n;
		}
		cache.buckets[b] = NULL;
	}
	e->next = cache.buckets[b];
	cache.buckets[b] = e;
	cache.count++;
	pthread_mutex_unlock(&cache.lock);
}

static void fill_principal(struct fq_principal *p, const struct fq_user *u, const char *hash,
			   const char *csrf)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->user_id, u->id, sizeof(p->user_id));
	snprintf(p->username, sizeof(p->username), "%s", u->username);
	snprintf(p->display_name, sizeof(p->display_name), "%s", u->display_name);
	snprintf(p->unit_code, sizeof(p->unit_code), "%s", u->unit_code);
	snprintf(p->unit_path, sizeof(p->unit_path), "%s", u->unit_path);
	snprintf(p->csrf, sizeof(p->csrf), "%s", csrf);
	snprintf(p->token_hash, sizeof(p->token_hash), "%s", hash);
	p->roles = u->roles;
}

int fq_session_create(struct fq_dbc *c, const struct fq_user *u, const char *client,
		      char token[FQ_SESSION_TOKEN_CHARS + 1], struct fq_principal *p,
		      int64_t *expires_ms, struct fq_err *err)
{
	unsigned char raw[32];
	char csrf[FQ_SESSION_TOKEN_CHARS + 1];
	char hash[65];
	int64_t now = fq_now_ms();
	int rc;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, FQ_SESSION_TOKEN_CHARS + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(csrf, sizeof(csrf), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	token_hash(token, hash);
	rc = fq_dbc_run(c, err, NULL,
			"INSERT INTO user_session (token_hash, user_id, csrf_token, created_at,"
			" last_seen_at, expires_at, client) VALUES (?, ?, ?, ?, ?, ?, ?)",
			"tttiiit", hash, u->id, csrf, now, now, now + FQ_SESSION_MAX_MS, client);
	if (rc)
		return rc;
	fill_principal(p, u, hash, csrf);
	*expires_ms = now + FQ_SESSION_MAX_MS;
	return 0;
}

static int delete_session(struct fq_db *db, const char *hash, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	int rc =
	    fq_dbc_run(c, err, NULL, "DELETE FROM user_session WHERE token_hash = ?", "t", hash);
	fq_db_release(db, c);
	return rc;
}

static int persist_seen(struct fq_db *db, const char *hash, int64_t seen)
{
	struct fq_dbc *c = fq_db_acquire(db);
	int rc = fq_dbc_run(c, NULL, NULL,
			    "UPDATE user_session SET last_seen_at = ? WHERE token_hash = ?", "it",
			    seen, hash);
	fq_db_release(db, c);
	return rc;
}

static int load_from_store(struct fq_db *db, const char *hash, struct fq_principal *p,
			   int64_t *expires, int64_t *last_seen, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_stmt *st;
	char user_id[37] = "";
	char csrf[64] = "";
	struct fq_user u;
	int rc;

	rc = fq_dbc_query(c, err, &st,
			  "SELECT user_id, csrf_token, expires_at, last_seen_at FROM user_session"
			  " WHERE token_hash = ?",
			  "t", hash);
	if (rc)
		goto out;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		snprintf(user_id, sizeof(user_id), "%s", fq_stmt_text(st, 0));
		snprintf(csrf, sizeof(csrf), "%s", fq_stmt_text(st, 1));
		*expires = fq_stmt_int(st, 2);
		*last_seen = fq_stmt_int(st, 3);
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_EAUTH, "unauthenticated", NULL, "未登录或会话已失效");
	}
	fq_stmt_done(st);
	if (rc)
		goto out;
	rc = fq_user_load(c, user_id, &u, err);
	if (rc == FQ_ENOTFOUND || (!rc && u.disabled))
		rc = fq_err_set(err, FQ_EAUTH, "unauthenticated", NULL, "未登录或会话已失效");
	if (!rc)
		fill_principal(p, &u, hash, csrf);
out:
	fq_db_release(db, c);
	return rc;
}

int fq_session_resolve(struct fq_db *db, const char *token, struct fq_principal *p,
		       int64_t *expires_ms, struct fq_err *err)
{
	char hash[65];
	int64_t now = fq_now_ms(), expires = 0, last_seen = 0, persist = 0;
	struct cached *e;
	int found = 0, expired = 0, rc;

	if (!token || strlen(token) != FQ_SESSION_TOKEN_CHARS)
		return fq_err_set(err, FQ_EAUTH, "unauthenticated", NULL, "未登录或会话已失效");
	token_hash(token, hash);

	pthread_mutex_lock(&cache.lock);
	for (e = cache.buckets[bucket_of(hash)]; e; e = e->next) {
		if (strcmp(e->p.token_hash, hash) != 0)
			continue;
		found = 1;
		if (now - e->last_seen > FQ_SESSION_IDLE_MS || now >= e->expires_at) {
			expired = 1;
			cache_drop_locked(hash);
			break;
		}
		e->last_seen = now;
		if (now - e->persisted_seen >= PERSIST_EVERY_MS) {
			e->persisted_seen = now;
			persist = 1;
		}
		*p = e->p;
		expires = e->expires_at;
		break;
	}
	pthread_mutex_unlock(&cache.lock);

	if (found && !expired) {
		if (persist)
			(void)persist_seen(db, hash, now);
		*expires_ms = expires;
		return 0;
	}
	if (!found) {
		rc = load_from_store(db, hash, p, &expires, &last_seen, err);
		if (rc)
			return rc;
		if (now - last_seen > FQ_SESSION_IDLE_MS || now >= expires) {
			expired = 1;
		} else {
			cache_put(p, expires, now);
			(void)persist_seen(db, hash, now);
			*expires_ms = expires;
			return 0;
		}
	}
	(void)delete_session(db, hash, NULL);
	return fq_err_set(err, FQ_EAUTH, "session_expired", NULL, "会话已超时，请重新登录");
}

int fq_session_alive(struct fq_db *db, const char *hash, int64_t now_ms)
{
	struct fq_principal p;
	struct fq_err err = FQ_ERR_INIT;
	int64_t expires = 0, last_seen = 0;
	int found = 0, alive = 0;

	pthread_mutex_lock(&cache.lock);
	for (struct cached *e = cache.buckets[bucket_of(hash)]; e; e = e->next)
		if (strcmp(e->p.token_hash, hash) == 0) {
			found = 1;
			alive =
			    now_ms - e->last_seen <= FQ_SESSION_IDLE_MS && now_ms < e->expires_at;
			break;
		}
	pthread_mutex_unlock(&cache.lock);
	if (found)
		return alive;
	if (load_from_store(db, hash, &p, &expires, &last_seen, &err) != 0)
		return 0;
	return now_ms - last_seen <= FQ_SESSION_IDLE_MS && now_ms < expires;
}

int fq_session_end(struct fq_db *db, const char *hash, struct fq_err *err)
{
	pthread_mutex_lock(&cache.lock);
	cache_drop_locked(hash);
	pthread_mutex_unlock(&cache.lock);
	return delete_session(db, hash, err);
}

void fq_session_evict_user(const char *user_id)
{
	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < CACHE_BUCKETS; i++) {
		struct cached **pp = &cache.buckets[i];
		while (*pp) {
			if (strcmp((*pp)->p.user_id, user_id) == 0) {
				struct cached *dead = *pp;
				*pp = dead->next;
				free(dead);
				cache.count--;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
	pthread_mutex_unlock(&cache.lock);
}

void fq_session_poll(struct fq_db *db)
{
	struct fq_dbc *c;
	struct fq_stmt *st;
	int64_t mark = cache.poll_mark, newest = mark;
	int rc;

	c = fq_db_acquire(db);
	rc = fq_dbc_query(c, NULL, &st, "SELECT id, updated_at FROM app_user WHERE updated_at >= ?",
			  "i", mark);
	if (!rc) {
		while (fq_stmt_step(st, NULL) == FQ_DB_ROW) {
			int64_t at = fq_stmt_int(st, 1);
			fq_session_evict_user(fq_stmt_text(st, 0));
			if (at > newest)
				newest = at;
		}
		fq_stmt_done(st);
	}
	fq_db_release(db, c);
	/* Keep a margin: a change stamped just before a concurrent poll is seen twice. */
	cache.poll_mark = newest > mark ? newest - 1000 : mark;
	if (fq_now_ms() - cache.poll_mark > 5000)
		cache.poll_mark = fq_now_ms() - 5000;
}
