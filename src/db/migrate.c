/*
 * Schema migrations: numbered .sql files (NNNN_name.sql) from each
 * capability's migrations/ folder, embedded at build time and applied in
 * order, each in its own write transaction with its version recorded.
 * Every version not recorded yet is applied, not only those above the
 * highest recorded: capabilities developed side by side land migrations
 * whose numbers were reserved in advance, so a store may have 0014 and
 * still lack 0013. A version recorded under another file name stops the
 * migration with "migration_mismatch": a number is never reused.
 */
#include "db/db.h"

#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char create_version_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migration ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";

static int version_of(const char *name)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return name[4] == '_' ? v : -1;
}

int fq_db_schema_latest(void)
{
	int latest = 0;
	for (size_t i = 0; i < fq_embedded_migrations_count; i++) {
		int v = version_of(fq_embedded_migrations[i].name);
		if (v > latest)
			latest = v;
	}
	return latest;
}

static int current_version(struct fq_dbc *c, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc =
	    fq_dbc_prepare(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migration", &st, err);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW)
		rc = (int)fq_stmt_int(st, 0);
	fq_stmt_done(st);
	return rc;
}

/*
 * 1 when version v is recorded as name, 0 when not recorded, or a negative FQ_E* code:
 * FQ_ECONFLICT when it is recorded under another name (a migration dropped or renumbered
 * after a build applied it: the store's schema is not the one this binary expects).
 */
static int applied_already(struct fq_dbc *c, int v, const char *name, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st, "SELECT name FROM schema_migration WHERE version = ?",
			      "i", (int64_t)v);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		const char *recorded = fq_stmt_text(st, 0);

		rc = 1;
		if (!recorded || strcmp(recorded, name) != 0)
			rc = fq_err_set(err, FQ_ECONFLICT, "migration_mismatch", NULL,
					"store records migration %04d as %s, this binary has %s;"
					" restore a backup made before it or use the build that"
					" applied it",
					v, recorded ? recorded : "(no name)", name);
	} else if (rc == FQ_DB_DONE) {
		rc = 0;
	}
	fq_stmt_done(st);
	return rc;
}

int fq_db_schema_version(struct fq_db *db, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_stmt *st;
	int rc = fq_dbc_prepare(c,
				"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
				" AND name = 'schema_migration'",
				&st, err);

	if (!rc) {
		rc = fq_stmt_step(st, err);
		if (rc == FQ_DB_ROW)
			rc = (int)fq_stmt_int(st, 0);
		fq_stmt_done(st);
	}
	/* A store never migrated has no version table: version 0. */
	if (rc > 0)
		rc = current_version(c, err);
	fq_db_release(db, c);
	return rc;
}

int fq_db_migrate(struct fq_db *db, int *applied, struct fq_err *err)
{
	struct fq_dbc *c = fq_db_acquire(db);
	int count = 0, last = 0, rc;

	rc = fq_dbc_exec_script(c, create_version_table, err);
	if (rc)
		goto out;
	/* A store migrated by a newer binary is left as it is. */
	rc = current_version(c, err);
	if (rc < 0)
		goto out;
	if (rc > fq_db_schema_latest()) {
		fq_warn("store schema version %d is newer than this binary's %d: not migrated", rc,
			fq_db_schema_latest());
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < fq_embedded_migrations_count; i++) {
		const struct fq_embedded_file *m = &fq_embedded_migrations[i];
		int v = version_of(m->name);
		int done;

		if (v <= 0 || v <= last) {
			rc = fq_err_set(err, FQ_EINTERNAL, "bad_migration", NULL,
					"migration %s: bad or repeated number", m->name);
			goto out;
		}
		last = v;
		rc = fq_dbc_begin(c, 1, err);
		if (rc)
			goto out;
		done = applied_already(c, v, m->name, err);
		if (done < 0) {
			rc = done;
			goto out_rollback;
		}
		if (done) {
			fq_dbc_rollback(c);
			continue;
		}
		rc = fq_dbc_exec_script(c, (const char *)m->data, err);
		if (rc)
			goto out_rollback;
		rc = fq_dbc_run(c, err, NULL,
				"INSERT INTO schema_migration (version, name, applied_at)"
				" VALUES (?, ?, ?)",
				"iti", (int64_t)v, m->name, fq_now_ms());
		if (rc)
			goto out_rollback;
		rc = fq_dbc_commit(c, err);
		if (rc)
			goto out;
		fq_info("migration %s applied", m->name);
		count++;
	}
	rc = 0;
	goto out;
out_rollback:
	fq_dbc_rollback(c);
out:
	fq_db_release(db, c);
	if (applied)
		*applied = count;
	return rc;
}
