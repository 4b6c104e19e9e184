/*
 * The SQLite backend of db.h: a fixed pool of connections, each with a
 * statement cache keyed by SQL text.
 */
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "db/wal_vfs.h"
#include "core/banned.h"

#define STMT_CACHE_SLOTS 512 /* power of two */
#define DEFAULT_POOL	 8
#define MAX_POOL	 64
/*
 * Checkpoints: once the WAL holds this many pages (8 times SQLite's own
 * default: fewer passes and catch-ups under sustained intake, see
 * docs/internals.md), the writer that crossed it (the intake committer, most of the
 * time) does not copy the WAL back into the database itself, as SQLite's
 * automatic checkpoint would, but wakes a checkpointer thread that does it
 * (PASSIVE: beside the writer, never blocking it). The WAL can only start
 * over when every frame in it was copied, and the writer keeps adding
 * frames while the checkpointer copies; so the first writer to commit after
 * a pass catches up itself, copying only the frames written during the pass,
 * and the next write transaction starts the WAL from the beginning.
 */
#define CHECKPOINT_PAGES 8000

struct fq_stmt {
	sqlite3_stmt *st;
	struct fq_dbc *conn;
	char *sql;
	uint64_t hash;
	int cached;
	int busy;
};

struct fq_dbc {
	sqlite3 *h;
	struct fq_dbc *next_free;
	struct fq_stmt *cache[STMT_CACHE_SLOTS];
	int cached;
};

struct fq_db {
	char *path;
	int read_only;
	int pool_size;
	struct fq_dbc *conns;
	struct fq_dbc *free_list;
	pthread_mutex_t lock;
	pthread_cond_t available;

	/* the checkpointer (not in read-only stores) */
	struct fq_dbc ckpt_conn;
	pthread_t ckpt_thread;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_wake;
	int ckpt_running, ckpt_stop;
	int ckpt_due;	 /* a pass is asked for */
	int ckpt_passed; /* a pass ended: the next writer catches up */
	int ckpt_pages;	 /* the threshold: CHECKPOINT_PAGES unless the options say */

	/* fq_db_wal_sync */
	char *wal_path; /* NULL: no WAL file (in memory, read-only) */
	pthread_mutex_t wal_lock;
	int wal_fd;		  /* -1 until the first sync */
	int wal_fail;		  /* fq_db_test_fail_wal_sync */
	pthread_mutex_t wal_hold; /* fq_db_test_hold_wal_sync */
};

static int map_rc(sqlite3 *h, int rc, struct fq_err *err)
{
	int primary = rc & 0xff;

	if (primary == SQLITE_CONSTRAINT) {
		/* The schema's words stay in the log: answers never name tables or columns. */
		fq_warn("db: constraint: %s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		return fq_err_set(err, FQ_ECONFLICT, "constraint", NULL,
				  "数据冲突：与已有记录矛盾，请刷新后重试");
	}
	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
		return fq_err_set(err, FQ_EDB, "store_busy", NULL, "数据库繁忙，请稍后重试");
	if (primary == SQLITE_FULL)
		return fq_err_set(err, FQ_EDB, "store_full", NULL, "存储空间不足");
	fq_error("sqlite: %s (%d)", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc), rc);
	return fq_err_set(err, FQ_EDB, "storage_error", NULL, "数据库错误");
}

/* After each commit on a connection (see CHECKPOINT_PAGES, db->ckpt_pages). */
static int wal_hook(void *arg, sqlite3 *h, const char *schema, int pages)
{
	struct fq_db *db = arg;
	int catch_up = 0;

	if (pages < db->ckpt_pages)
		return SQLITE_OK;
	pthread_mutex_lock(&db->ckpt_lock);
	if (db->ckpt_passed) {
		db->ckpt_passed = 0;
		catch_up = 1;
	} else if (!db->ckpt_due) {
		db->ckpt_due = 1;
		pthread_cond_signal(&db->ckpt_wake);
	}
	pthread_mutex_unlock(&db->ckpt_lock);
	if (catch_up) {
		int rc =
		    sqlite3_wal_checkpoint_v2(h, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
			fq_warn("db: checkpoint: %s", sqlite3_errmsg(h));
	}
	return SQLITE_OK;
}

static int conn_setup(struct fq_db *db, struct fq_dbc *c, int busy_ms, struct fq_err *err)
{
	static const char *pragmas =
	    "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON; PRAGMA synchronous=FULL;"
	    "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;";
	int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
	int rc;

	flags |=
	    db->read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	rc = sqlite3_open_v2(db->path, &c->h, flags, FQ_WAL_VFS_NAME);
	if (rc != SQLITE_OK) {
		fq_err_set(err, FQ_EDB, "store_open", NULL, "无法打开数据库 %s：%s", db->path,
			   c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
		sqlite3_close(c->h);
		c->h = NULL;
		return FQ_EDB;
	}
	sqlite3_extended_result_codes(c->h, 1);
	sqlite3_busy_timeout(c->h, busy_ms);
	if (!db->read_only) {
		rc = sqlite3_exec(c->h, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return map_rc(c->h, rc, err);
	}
	rc = sqlite3_exec(c->h, pragmas, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return map_rc(c->h, rc, err);
	if (!db->read_only)
		sqlite3_wal_hook(c->h, wal_hook, db); /* replaces the automatic checkpoint */
	return 0;
}

static void conn_teardown(struct fq_dbc *c);

static void *checkpointer_main(void *arg)
{
	struct fq_db *db = arg;

	pthread_mutex_lock(&db->ckpt_lock);
	for (;;) {
		int rc;

		while (!db->ckpt_due && !db->ckpt_stop)
			pthread_cond_wait(&db->ckpt_wake, &db->ckpt_lock);
		if (db->ckpt_stop)
			break;
		pthread_mutex_unlock(&db->ckpt_lock);
		rc = sqlite3_wal_checkpoint_v2(db->ckpt_conn.h, NULL, SQLITE_CHECKPOINT_PASSIVE,
					       NULL, NULL);
		if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
			fq_warn("db: checkpoint: %s", sqlite3_errmsg(db->ckpt_conn.h));
		pthread_mutex_lock(&db->ckpt_lock);
		db->ckpt_due = 0;
		db->ckpt_passed = 1;
	}
	pthread_mutex_unlock(&db->ckpt_lock);
	return NULL;
}

static int checkpointer_start(struct fq_db *db, int busy_ms, struct fq_err *err)
{
	int rc = conn_setup(db, &db->ckpt_conn, busy_ms, err);
	if (rc) {
		conn_teardown(&db->ckpt_conn); /* a handle opened before a pragma failed */
		return rc;
	}
	sqlite3_wal_hook(db->ckpt_conn.h, NULL, NULL);
	if (pthread_create(&db->ckpt_thread, NULL, checkpointer_main, db) != 0)
		fq_die("cannot start the checkpointer thread");
	db->ckpt_running = 1;
	return 0;
}

static void checkpointer_stop(struct fq_db *db)
{
	if (!db->ckpt_running)
		return;
	pthread_mutex_lock(&db->ckpt_lock);
	db->ckpt_stop = 1;
	pthread_cond_signal(&db->ckpt_wake);
	pthread_mutex_unlock(&db->ckpt_lock);
	pthread_join(db->ckpt_thread, NULL);
	db->ckpt_running = 0;
	conn_teardown(&db->ckpt_conn);
}

static void conn_teardown(struct fq_dbc *c)
{
	for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
		struct fq_stmt *s = c->cache[i];
		if (!s)
			continue;
		sqlite3_finalize(s->st);
		free(s->sql);
		free(s);
		c->cache[i] = NULL;
	}
	if (c->h)
		sqlite3_close(c->h);
	c->h = NULL;
}

static void sqlite_global_init(void)
{
	/* Memory statistics take a global mutex on every allocation. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
	if (fq_wal_vfs_register() != SQLITE_OK)
		fq_die("cannot register the " FQ_WAL_VFS_NAME " SQLite VFS");
}

int fq_db_open(const char *url, const struct fq_db_options *opt, struct fq_db **out,
	       struct fq_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct fq_db *db;
	const char *path = url;
	int busy_ms = opt && opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 10000;
	int rc;

	*out = NULL;
	pthread_once(&once, sqlite_global_init);
	if (!url || !*url)
		return fq_err_set(err, FQ_EINVAL, "invalid_db", "db", "未指定数据库 (--db)");
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return fq_err_set(err, FQ_EINVAL, "backend_unavailable", "db",
				  "PostgreSQL 后端尚未实现；请使用 SQLite 文件路径");
	if (strncmp(url, "sqlite:", 7) == 0)
		path = url + 7;
	if (!*path)
		return fq_err_set(err, FQ_EINVAL, "invalid_db", "db", "数据库路径为空");

	db = fq_xcalloc(1, sizeof(*db));
	db->path = fq_xstrdup(path);
	db->read_only = opt ? opt->read_only : 0;
	db->ckpt_pages =
	    opt && opt->checkpoint_pages > 0 ? opt->checkpoint_pages : CHECKPOINT_PAGES;
	db->pool_size = opt && opt->pool_size > 0 ? opt->pool_size : DEFAULT_POOL;
	if (db->pool_size > MAX_POOL)
		db->pool_size = MAX_POOL;
	pthread_mutex_init(&db->lock, NULL);
	pthread_cond_init(&db->available, NULL);
	pthread_mutex_init(&db->ckpt_lock, NULL);
	pthread_cond_init(&db->ckpt_wake, NULL);
	pthread_mutex_init(&db->wal_lock, NULL);
	pthread_mutex_init(&db->wal_hold, NULL);
	db->wal_fd = -1;
	db->conns = fq_xcalloc((size_t)db->pool_size, sizeof(*db->conns));
	for (int i = 0; i < db->pool_size; i++) {
		rc = conn_setup(db, &db->conns[i], busy_ms, err);
		if (rc) {
			db->pool_size = i + 1;
			fq_db_close(db);
			return rc;
		}
		db->conns[i].next_free = db->free_list;
		db->free_list = &db->conns[i];
	}
	if (!db->read_only && (rc = checkpointer_start(db, busy_ms, err))) {
		fq_db_close(db);
		return rc;
	}
	if (!db->read_only) {
		const char *name = sqlite3_db_filename(db->conns[0].h, "main");
		if (name && *name)
			db->wal_path = fq_xstrdup(sqlite3_filename_wal(name));
	}
	*out = db;
	return 0;
}

void fq_db_close(struct fq_db *db)
{
	if (!db)
		return;
	checkpointer_stop(db);
	for (int i = 0; i < db->pool_size; i++)
		conn_teardown(&db->conns[i]);
	free(db->conns);
	pthread_mutex_destroy(&db->lock);
	pthread_cond_destroy(&db->available);
	pthread_mutex_destroy(&db->ckpt_lock);
	pthread_cond_destroy(&db->ckpt_wake);
	if (db->wal_fd >= 0)
		close(db->wal_fd);
	pthread_mutex_destroy(&db->wal_lock);
	pthread_mutex_destroy(&db->wal_hold);
	free(db->wal_path);
	free(db->path);
	free(db);
}

enum fq_db_kind fq_db_kind(const struct fq_db *db)
{
	(void)db;
	return FQ_DB_SQLITE;
}

const char *fq_db_path(const struct fq_db *db)
{
	return db->path;
}

int fq_dbc_defer_sync(struct fq_dbc *c, int defer, struct fq_err *err)
{
	int rc = sqlite3_exec(c->h, defer ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
			      NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : map_rc(c->h, rc, err);
}

/* Whether fd is still the file at path (SQLite removes the WAL only when the last connection
 * closes). */
static int same_file(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int fq_db_wal_sync(struct fq_db *db, struct fq_err *err)
{
	int rc = 0;

	if (!db->wal_path)
		return fq_err_set(err, FQ_EINVAL, "no_wal", NULL, "数据库没有预写日志文件");
	pthread_mutex_lock(&db->wal_hold); /* uncontended unless a test holds it */
	pthread_mutex_unlock(&db->wal_hold);
	pthread_mutex_lock(&db->wal_lock);
	if (db->wal_fail > 0) {
		db->wal_fail--;
		pthread_mutex_unlock(&db->wal_lock);
		fq_error("db: fdatasync %s: injected failure", db->wal_path);
		return fq_err_set(err, FQ_EDB, "storage_error", NULL, "数据库错误");
	}
	if (db->wal_fd >= 0 && !same_file(db->wal_fd, db->wal_path)) {
		close(db->wal_fd);
		db->wal_fd = -1;
	}
	if (db->wal_fd < 0)
		db->wal_fd = open(db->wal_path, O_RDONLY | O_CLOEXEC);
	if (db->wal_fd < 0) {
		/* No WAL file yet: nothing was committed into one. */
		if (errno != ENOENT)
			rc = fq_err_set(err, FQ_EDB, "storage_error", NULL,
					"无法打开预写日志 %s：%s", db->wal_path, strerror(errno));
	} else if (fdatasync(db->wal_fd) != 0) {
		fq_error("db: fdatasync %s: %s", db->wal_path, strerror(errno));
		rc = fq_err_set(err, FQ_EDB, "storage_error", NULL, "数据库错误");
	}
	pthread_mutex_unlock(&db->wal_lock);
	return rc;
}

void fq_db_test_hold_wal_sync(struct fq_db *db, int hold)
{
	if (hold)
		pthread_mutex_lock(&db->wal_hold);
	else
		pthread_mutex_unlock(&db->wal_hold);
}

void fq_db_test_fail_wal_sync(struct fq_db *db, int n)
{
	pthread_mutex_lock(&db->wal_lock);
	db->wal_fail = n;
	pthread_mutex_unlock(&db->wal_lock);
}

struct fq_dbc *fq_db_acquire(struct fq_db *db)
{
	struct fq_dbc *c;

	pthread_mutex_lock(&db->lock);
	while (!db->free_list)
		pthread_cond_wait(&db->available, &db->lock);
	c = db->free_list;
	db->free_list = c->next_free;
	pthread_mutex_unlock(&db->lock);
	return c;
}

void fq_db_release(struct fq_db *db, struct fq_dbc *c)
{
	if (!c)
		return;
	if (!sqlite3_get_autocommit(c->h)) {
		fq_warn("db: connection released inside a transaction; rolling back");
		fq_dbc_rollback(c);
	}
	pthread_mutex_lock(&db->lock);
	c->next_free = db->free_list;
	db->free_list = c;
	pthread_cond_signal(&db->available);
	pthread_mutex_unlock(&db->lock);
}

int fq_dbc_begin(struct fq_dbc *c, int write, struct fq_err *err)
{
	int rc = sqlite3_exec(c->h, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : map_rc(c->h, rc, err);
}

int fq_dbc_commit(struct fq_dbc *c, struct fq_err *err)
{
	int rc = sqlite3_exec(c->h, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	rc = map_rc(c->h, rc, err);
	fq_dbc_rollback(c);
	return rc;
}

void fq_dbc_rollback(struct fq_dbc *c)
{
	if (!sqlite3_get_autocommit(c->h))
		(void)sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
}

int fq_dbc_in_transaction(struct fq_dbc *c)
{
	return !sqlite3_get_autocommit(c->h);
}

int64_t fq_dbc_total_changes(struct fq_dbc *c)
{
	return sqlite3_total_changes64(c->h);
}

/* verb names the savepoint with one %s; the statement is kept in the connection's cache. */
static int savepoint_exec(struct fq_dbc *c, const char *verb, const char *name, struct fq_err *err)
{
	char sql[128];
	struct fq_stmt *st;
	int rc;

	for (const char *p = name; *p; p++)
		fq_assert((*p >= 'a' && *p <= 'z') || *p == '_');
	fq_assert(strlen(name) < 64);
	snprintf(sql, sizeof(sql), verb, name);
	if ((rc = fq_dbc_prepare(c, sql, &st, err)))
		return rc;
	rc = fq_stmt_step(st, err);
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int fq_dbc_savepoint(struct fq_dbc *c, const char *name, struct fq_err *err)
{
	if (sqlite3_get_autocommit(c->h))
		return fq_err_set(err, FQ_EINTERNAL, "internal", NULL,
				  "internal: savepoint outside a transaction");
	return savepoint_exec(c, "SAVEPOINT %s", name, err);
}

int fq_dbc_savepoint_release(struct fq_dbc *c, const char *name, struct fq_err *err)
{
	return savepoint_exec(c, "RELEASE SAVEPOINT %s", name, err);
}

int fq_dbc_savepoint_rollback(struct fq_dbc *c, const char *name, struct fq_err *err)
{
	if (sqlite3_get_autocommit(c->h)) /* the backend rolled the whole transaction back */
		return fq_err_set(err, FQ_EDB, "storage_error", NULL, "数据库错误");
	int rc = savepoint_exec(c, "ROLLBACK TO SAVEPOINT %s", name, err);
	return rc ? rc : savepoint_exec(c, "RELEASE SAVEPOINT %s", name, err);
}

/*
 * The statement cache's key: a statement's text is a few hundred bytes and is hashed on every
 * run, so eight bytes at a time (multiply and fold) rather than one.
 */
static uint64_t sql_hash(const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = n * k, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * k;
	return h ^ (h >> 32);
}

int fq_dbc_prepare(struct fq_dbc *c, const char *sql, struct fq_stmt **out, struct fq_err *err)
{
	size_t len = strlen(sql);
	uint64_t h = sql_hash(sql, len);
	unsigned slot = (unsigned)(h & (STMT_CACHE_SLOTS - 1));
	struct fq_stmt *s;
	int rc;

	*out = NULL;
	for (unsigned i = 0; i < STMT_CACHE_SLOTS; i++) {
		s = c->cache[(slot + i) & (STMT_CACHE_SLOTS - 1)];
		if (!s)
			break;
		if (s->hash == h && !s->busy && strcmp(s->sql, sql) == 0) {
			s->busy = 1;
			*out = s;
			return 0;
		}
	}
	s = fq_xcalloc(1, sizeof(*s));
	rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	if (rc != SQLITE_OK) {
		free(s);
		return map_rc(c->h, rc, err);
	}
	s->conn = c;
	s->sql = fq_xstrdup(sql);
	s->hash = h;
	s->busy = 1;
	if (c->cached < STMT_CACHE_SLOTS / 2) {
		for (unsigned i = 0; i < STMT_CACHE_SLOTS; i++) {
			unsigned k = (slot + i) & (STMT_CACHE_SLOTS - 1);
			if (!c->cache[k]) {
				c->cache[k] = s;
				s->cached = 1;
				c->cached++;
				break;
			}
		}
	}
	*out = s;
	return 0;
}

static int bind_rc(struct fq_stmt *st, int rc)
{
	return rc == SQLITE_OK ? 0 : map_rc(st->conn->h, rc, NULL);
}

int fq_stmt_bind_text(struct fq_stmt *st, int idx, const char *s)
{
	if (!s)
		return bind_rc(st, sqlite3_bind_null(st->st, idx));
	return bind_rc(st, sqlite3_bind_text(st->st, idx, s, -1, SQLITE_TRANSIENT));
}

int fq_stmt_bind_int(struct fq_stmt *st, int idx, int64_t v)
{
	return bind_rc(st, sqlite3_bind_int64(st->st, idx, v));
}

int fq_stmt_bind_double(struct fq_stmt *st, int idx, double v)
{
	return bind_rc(st, sqlite3_bind_double(st->st, idx, v));
}

int fq_stmt_bind_blob(struct fq_stmt *st, int idx, const void *p, size_t n)
{
	return bind_rc(st, sqlite3_bind_blob64(st->st, idx, p, n, SQLITE_TRANSIENT));
}

int fq_stmt_bind_null(struct fq_stmt *st, int idx)
{
	return bind_rc(st, sqlite3_bind_null(st->st, idx));
}

int fq_stmt_step(struct fq_stmt *st, struct fq_err *err)
{
	int rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return FQ_DB_ROW;
	if (rc == SQLITE_DONE)
		return FQ_DB_DONE;
	return map_rc(st->conn->h, rc, err);
}

const char *fq_stmt_text(struct fq_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->st, col);
}

int64_t fq_stmt_int(struct fq_stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

double fq_stmt_double(struct fq_stmt *st, int col)
{
	return sqlite3_column_double(st->st, col);
}

const void *fq_stmt_blob(struct fq_stmt *st, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(st->st, col);
	*n = (size_t)sqlite3_column_bytes(st->st, col);
	return p;
}

int fq_stmt_is_null(struct fq_stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int fq_stmt_columns(struct fq_stmt *st)
{
	return sqlite3_column_count(st->st);
}

void fq_stmt_done(struct fq_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->busy = 0;
	if (!st->cached) {
		sqlite3_finalize(st->st);
		free(st->sql);
		free(st);
	}
}

/*
 * copy 0: text is bound without a copy (SQLITE_STATIC), for callers that step the statement
 * before they return, while the caller's strings are still there, and clear the bindings after.
 */
static int bind_va(struct fq_stmt *st, const char *types, va_list ap, int copy, struct fq_err *err)
{
	int nparams = sqlite3_bind_parameter_count(st->st);
	int idx = 1;
	int rc = 0;

	if ((int)strlen(types) != nparams)
		return fq_err_set(err, FQ_EINTERNAL, "internal", NULL,
				  "internal: %d placeholders, %zu arguments", nparams,
				  strlen(types));
	for (const char *t = types; *t && !rc; t++, idx++) {
		switch (*t) {
		case 't': {
			const char *v = va_arg(ap, const char *);
			rc =
			    copy || !v
				? fq_stmt_bind_text(st, idx, v)
				: bind_rc(st, sqlite3_bind_text(st->st, idx, v, -1, SQLITE_STATIC));
			break;
		}
		case 'i':
			rc = fq_stmt_bind_int(st, idx, va_arg(ap, int64_t));
			break;
		case 'I': {
			int64_t v = va_arg(ap, int64_t);
			rc = v == INT64_MIN ? fq_stmt_bind_null(st, idx)
					    : fq_stmt_bind_int(st, idx, v);
			break;
		}
		case 'd':
			rc = fq_stmt_bind_double(st, idx, va_arg(ap, double));
			break;
		case 'D': {
			double v = va_arg(ap, double);
			rc =
			    isnan(v) ? fq_stmt_bind_null(st, idx) : fq_stmt_bind_double(st, idx, v);
			break;
		}
		default:
			fq_die("fq_dbc_run: unknown type letter");
		}
	}
	if (rc)
		return fq_err_set(err, rc, NULL, NULL, "数据库参数绑定失败");
	return 0;
}

int fq_dbc_query(struct fq_dbc *c, struct fq_err *err, struct fq_stmt **out, const char *sql,
		 const char *types, ...)
{
	va_list ap;
	int rc = fq_dbc_prepare(c, sql, out, err);

	if (rc)
		return rc;
	va_start(ap, types);
	rc = bind_va(*out, types, ap, 1, err);
	va_end(ap);
	if (rc) {
		fq_stmt_done(*out);
		*out = NULL;
	}
	return rc;
}

int fq_dbc_count(struct fq_dbc *c, struct fq_err *err, int64_t *out, const char *sql,
		 const char *types, ...)
{
	struct fq_stmt *st;
	va_list ap;
	int rc = fq_dbc_prepare(c, sql, &st, err);

	*out = 0;
	if (rc)
		return rc;
	va_start(ap, types);
	rc = bind_va(st, types, ap, 0, err);
	va_end(ap);
	if (!rc) {
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW)
			*out = fq_stmt_int(st, 0);
		rc = rc < 0 ? rc : 0;
	}
	sqlite3_clear_bindings(st->st); /* bound without a copy */
	fq_stmt_done(st);
	return rc;
}

int fq_dbc_run(struct fq_dbc *c, struct fq_err *err, int64_t *changes, const char *sql,
	       const char *types, ...)
{
	struct fq_stmt *st;
	va_list ap;
	int rc = fq_dbc_prepare(c, sql, &st, err);

	if (rc)
		return rc;
	va_start(ap, types);
	rc = bind_va(st, types, ap, 0, err);
	va_end(ap);
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW)
		rc = 0;
	if (rc == FQ_DB_DONE && changes)
		*changes = sqlite3_changes64(c->h);
	sqlite3_clear_bindings(st->st); /* bound without a copy */
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

int fq_dbc_lookup_text(struct fq_dbc *c, const char *sql, const char *key, char *out, size_t cap,
		       const char *notfound_msg, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, sql, "t", key);

	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		const char *v = fq_stmt_text(st, 0);
		size_t n = v ? strlen(v) : 0;
		if (n >= cap)
			n = cap - 1;
		if (n)
			memcpy(out, v, n);
		out[n] = '\0';
		rc = 0;
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "%s", notfound_msg);
	}
	fq_stmt_done(st);
	return rc;
}

int fq_dbc_exec_script(struct fq_dbc *c, const char *sql, struct fq_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	fq_err_set(err, FQ_EDB, "storage_error", NULL, "SQL 执行失败：%s", msg ? msg : "?");
	sqlite3_free(msg);
	return FQ_EDB;
}

int fq_db_ping(struct fq_db *db, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_stmt *st;
	int rc = fq_dbc_prepare(c, "SELECT 1", &st, err);
	if (!rc) {
		rc = fq_stmt_step(st, err);
		rc = rc == FQ_DB_ROW ? 0 : rc;
		fq_stmt_done(st);
	}
	fq_db_release(db, c);
	return rc;
}

int fq_db_backup(struct fq_db *db, const char *dest_path, struct fq_err *err)
{
	struct fq_dbc *c;
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	struct stat sb;
	int rc, fd;

	if (stat(dest_path, &sb) == 0)
		return fq_err_set(err, FQ_ECONFLICT, "exists", "file",
				  "备份文件已存在，不会覆盖：%s", dest_path);
	rc = sqlite3_open_v2(dest_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(dst);
		return fq_err_set(err, FQ_EIO, "backup_open", "file", "无法创建备份文件：%s",
				  dest_path);
	}
	c = fq_db_acquire(db);
	bk = sqlite3_backup_init(dst, "main", c->h, "main");
	if (!bk) {
		rc = fq_err_set(err, FQ_EDB, "backup_failed", NULL, "备份失败：%s",
				sqlite3_errmsg(dst));
		goto out_release;
	}
	rc = sqlite3_backup_step(bk, -1);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		rc = fq_err_set(err, FQ_EDB, "backup_failed", NULL, "备份失败：%s",
				sqlite3_errstr(rc));
		goto out_release;
	}
	rc = 0;
out_release:
	fq_db_release(db, c);
	sqlite3_close(dst);
	if (rc) {
		unlink(dest_path);
		return rc;
	}
	fd = open(dest_path, O_RDONLY);
	if (fd >= 0) {
		if (fsync(fd) != 0)
			rc = fq_err_set(err, FQ_EIO, "backup_sync", "file", "备份文件写盘失败");
		close(fd);
	}
	return rc;
}
