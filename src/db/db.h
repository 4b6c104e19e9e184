/*
 * The storage interface. Callers see no SQLite or PostgreSQL types: they
 * write portable SQL with `?` placeholders (a PostgreSQL backend rewrites
 * them to $1, $2, ...), bind typed values and read typed columns. Only the
 * SQLite backend exists today; `--db postgresql://...` is refused with a
 * clear error until the PostgreSQL backend lands.
 *
 * Portable-SQL rules for callers: standard types (TEXT, INTEGER for int64,
 * REAL, BLOB); time as integer UTC milliseconds; `INSERT ... ON CONFLICT`
 * rather than `INSERT OR ...`; no backend functions except those listed in
 * docs/internals.md. SQL text comes from the program, never from input.
 *
 * Threads: a struct fq_db is shared; each thread borrows a connection with
 * fq_db_acquire() and gives it back with fq_db_release(). A connection and
 * its statements are used by one thread at a time.
 */
#ifndef FQ_DB_DB_H
#define FQ_DB_DB_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct fq_db;
struct fq_dbc;
struct fq_stmt;

#define FQ_DB_ROW  1
#define FQ_DB_DONE 0

enum fq_db_kind { FQ_DB_SQLITE = 1, FQ_DB_POSTGRES = 2 };

struct fq_db_options {
	int pool_size;	      /* connections in the pool; 0: default (8) */
	int busy_timeout_ms;  /* wait for a lock before failing; 0: default (10 s) */
	int read_only;	      /* open without write access (audit verify, analysts) */
	int checkpoint_pages; /* WAL pages that start a checkpoint; 0: default (8,000) */
};

/*
 * Open a store. url is a file path (SQLite), "sqlite:PATH" or
 * "postgresql://..." (not yet implemented: FQ_EINVAL). The file is created
 * when missing unless read_only. Sets WAL, synchronous=FULL,
 * secure_delete=ON and foreign keys on every connection.
 */
int fq_db_open(const char *url, const struct fq_db_options *opt, struct fq_db **out,
	       struct fq_err *err) FQ_WUR;
void fq_db_close(struct fq_db *db);
enum fq_db_kind fq_db_kind(const struct fq_db *db);
const char *fq_db_path(const struct fq_db *db);

/*
 * Deferred WAL syncs, for a group committer that pipelines its syncs (the
 * alert intake): while c defers, a COMMIT on it returns once its frames are
 * written to the WAL, before they reach the disk (SQLite's synchronous=NORMAL;
 * checkpoints still sync). fq_db_wal_sync() then makes durable every
 * transaction whose COMMIT returned before it was called. Whoever defers must
 * acknowledge nothing before such a sync returned, and must stop deferring
 * before releasing c.
 */
int fq_dbc_defer_sync(struct fq_dbc *c, int defer, struct fq_err *err) FQ_WUR;
/* fdatasync the store's WAL. FQ_EINVAL when the store has no WAL file (in memory, read-only). */
int fq_db_wal_sync(struct fq_db *db, struct fq_err *err) FQ_WUR;
/*
 * Fault injection for tests: hold (1) makes every fq_db_wal_sync wait until
 * released (0); fail makes the next n syncs fail as a failed fdatasync does.
 */
void fq_db_test_hold_wal_sync(struct fq_db *db, int hold);
void fq_db_test_fail_wal_sync(struct fq_db *db, int n);

/* Borrow a connection (waits when all are busy); never NULL. */
struct fq_dbc *fq_db_acquire(struct fq_db *db);
void fq_db_release(struct fq_db *db, struct fq_dbc *c);

/* Transactions. A write transaction takes the write lock at once. */
int fq_dbc_begin(struct fq_dbc *c, int write, struct fq_err *err) FQ_WUR;
int fq_dbc_commit(struct fq_dbc *c, struct fq_err *err) FQ_WUR;
/* Roll back when a transaction is open; harmless otherwise. */
void fq_dbc_rollback(struct fq_dbc *c);
int fq_dbc_in_transaction(struct fq_dbc *c);
/* Rows inserted, updated or deleted on the connection since it opened (statements that failed
 * are not counted: SQLite undid them). */
int64_t fq_dbc_total_changes(struct fq_dbc *c);

/*
 * Savepoints inside an open transaction (standard SQL SAVEPOINT, RELEASE
 * SAVEPOINT, ROLLBACK TO SAVEPOINT). name is a program constant made of
 * [a-z_], never input. fq_dbc_savepoint_rollback undoes what was done
 * since the savepoint and releases it; the transaction stays open unless
 * the backend already aborted it (see fq_dbc_in_transaction).
 */
int fq_dbc_savepoint(struct fq_dbc *c, const char *name, struct fq_err *err) FQ_WUR;
int fq_dbc_savepoint_release(struct fq_dbc *c, const char *name, struct fq_err *err) FQ_WUR;
int fq_dbc_savepoint_rollback(struct fq_dbc *c, const char *name, struct fq_err *err) FQ_WUR;

/*
 * Prepare (or take from the connection's cache) a statement. It must be
 * handed back with fq_stmt_done() before the next prepare of the same SQL.
 */
int fq_dbc_prepare(struct fq_dbc *c, const char *sql, struct fq_stmt **out,
		   struct fq_err *err) FQ_WUR;
/* Bind 1-based parameters. A NULL text binds SQL NULL. */
int fq_stmt_bind_text(struct fq_stmt *st, int idx, const char *s) FQ_WUR;
int fq_stmt_bind_int(struct fq_stmt *st, int idx, int64_t v) FQ_WUR;
int fq_stmt_bind_double(struct fq_stmt *st, int idx, double v) FQ_WUR;
int fq_stmt_bind_blob(struct fq_stmt *st, int idx, const void *p, size_t n) FQ_WUR;
int fq_stmt_bind_null(struct fq_stmt *st, int idx) FQ_WUR;
/* FQ_DB_ROW, FQ_DB_DONE, or a negative error (FQ_ECONFLICT on a constraint). */
int fq_stmt_step(struct fq_stmt *st, struct fq_err *err) FQ_WUR;
/* Columns are 0-based. Text is valid until the next step or done; NULL -> NULL. */
const char *fq_stmt_text(struct fq_stmt *st, int col);
int64_t fq_stmt_int(struct fq_stmt *st, int col);
double fq_stmt_double(struct fq_stmt *st, int col);
const void *fq_stmt_blob(struct fq_stmt *st, int col, size_t *n);
int fq_stmt_is_null(struct fq_stmt *st, int col);
int fq_stmt_columns(struct fq_stmt *st);
/* Reset, clear bindings, hand back to the cache. NULL is accepted. */
void fq_stmt_done(struct fq_stmt *st);

/*
 * Run a statement with typed arguments: types is one letter per `?`:
 *   t  const char *   (NULL binds NULL)
 *   i  int64_t
 *   I  int64_t, where INT64_MIN binds NULL
 *   d  double
 *   D  double, where NAN binds NULL
 * Rows are discarded. *changes (may be NULL) receives the changed-row count.
 */
int fq_dbc_run(struct fq_dbc *c, struct fq_err *err, int64_t *changes, const char *sql,
	       const char *types, ...) FQ_WUR;
/* Prepare and bind as fq_dbc_run, leaving the statement for stepping. */
int fq_dbc_query(struct fq_dbc *c, struct fq_err *err, struct fq_stmt **out, const char *sql,
		 const char *types, ...) FQ_WUR;
/*
 * Run a query binding as fq_dbc_run whose first row's first column is an
 * integer (a COUNT(*), the total of a paged list) into *out; 0 when there is
 * no row.
 */
int fq_dbc_count(struct fq_dbc *c, struct fq_err *err, int64_t *out, const char *sql,
		 const char *types, ...) FQ_WUR;
/*
 * Run a one-parameter query (text key) whose first column of the first row
 * is text, and copy it into out (cut to cap - 1 bytes). When there is no row,
 * answer FQ_ENOTFOUND with machine code "not_found" and notfound_msg. The
 * usual "which unit owns this object" lookup of scope checks.
 */
int fq_dbc_lookup_text(struct fq_dbc *c, const char *sql, const char *key, char *out, size_t cap,
		       const char *notfound_msg, struct fq_err *err) FQ_WUR;

/* Run SQL without parameters, possibly several statements (migrations). */
int fq_dbc_exec_script(struct fq_dbc *c, const char *sql, struct fq_err *err) FQ_WUR;

/* Schema migrations embedded in the binary (db/migrate.c). */
struct fq_migration {
	int version;
	const char *name;
	const char *sql;
};
/* Apply pending migrations; *applied counts them (may be NULL). */
int fq_db_migrate(struct fq_db *db, int *applied, struct fq_err *err) FQ_WUR;
/* Highest applied version, 0 for an empty store. */
int fq_db_schema_version(struct fq_db *db, struct fq_err *err);
/* Highest version this binary knows. */
int fq_db_schema_latest(void);

/* Consistent online copy to a new file (refuses to overwrite). */
int fq_db_backup(struct fq_db *db, const char *dest_path, struct fq_err *err) FQ_WUR;

/* "ok" when a trivial query answers, else an error. */
int fq_db_ping(struct fq_db *db, struct fq_err *err) FQ_WUR;

#endif
