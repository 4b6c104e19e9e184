#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "db/db.h"
#include "unit/fq_test.h"

static int setup(void **state)
{
	*state = fq_test_store_new_unmigrated("migrate", NULL);
	return *state ? 0 : -1;
}

static int64_t count(struct fq_db *db, const char *sql, const char *arg)
{
	struct fq_dbc *c = fq_db_acquire(db);
	struct fq_err err = FQ_ERR_INIT;
	struct fq_stmt *st;
	int64_t n = -1;
	int rc =
	    arg ? fq_dbc_query(c, &err, &st, sql, "t", arg) : fq_dbc_query(c, &err, &st, sql, "");

	if (rc)
		fail_msg("%s: %s", sql, err.message);
	if (fq_stmt_step(st, &err) == FQ_DB_ROW)
		n = fq_stmt_int(st, 0);
	fq_stmt_done(st);
	fq_db_release(db, c);
	return n;
}

static int table_exists(struct fq_db *db, const char *name)
{
	return (int)count(
	    db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", name);
}

static int migration_version(const char *name)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return name[4] == '_' ? v : -1;
}

static void test_embedded_migrations_well_formed(void **state)
{
	int prev = 0;

	(void)state;
	assert_true(fq_embedded_migrations_count >= 1);
	assert_string_equal(fq_embedded_migrations[0].name, "0001_foundation.sql");
	for (size_t i = 0; i < fq_embedded_migrations_count; i++) {
		const struct fq_embedded_file *m = &fq_embedded_migrations[i];
		int v = migration_version(m->name);
		size_t n = strlen(m->name);
		if (v <= prev)
			fail_msg("migration %s out of order or misnamed", m->name);
		prev = v;
		assert_true(n > 9 && strcmp(m->name + n - 4, ".sql") == 0);
		assert_true(m->len > 0);
		assert_int_equal(strlen((const char *)m->data), m->len);
	}
	assert_int_equal(fq_db_schema_latest(), prev);
}

static void test_empty_store(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_db_schema_version(f->db, &err), 0);
	assert_int_equal(table_exists(f->db, "unit"), 0);
}

static void test_migrate_applies_all_then_nothing(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	int applied = -1;

	assert_int_equal(fq_db_migrate(f->db, &applied, &err), 0);
	assert_int_equal(applied, (int)fq_embedded_migrations_count);
	assert_int_equal(fq_db_schema_version(f->db, &err), fq_db_schema_latest());
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migration", NULL),
			 (int64_t)fq_embedded_migrations_count);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migration WHERE name = ?",
			       "0001_foundation.sql"),
			 1);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM schema_migration WHERE applied_at <= 0", NULL), 0);

	applied = -1;
	assert_int_equal(fq_db_migrate(f->db, &applied, &err), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(fq_db_schema_version(f->db, &err), fq_db_schema_latest());
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM schema_migration", NULL),
			 (int64_t)fq_embedded_migrations_count);
	/* applied may be NULL. */
	assert_int_equal(fq_db_migrate(f->db, NULL, &err), 0);
}

static void test_foundation_schema(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	static const char *const tables[] = {
	    "unit",	   "app_user", "user_role",	  "user_session",
	    "audit_entry", "setting",  "schema_migration"};

	assert_int_equal(fq_db_migrate(f->db, NULL, &err), 0);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (table_exists(f->db, tables[i]) != 1)
			fail_msg("table %s missing", tables[i]);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?",
		  "audit_entry_no_update"),
	    1);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?",
		  "audit_entry_no_delete"),
	    1);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
		  "app_user_unit"),
	    1);
}

static void test_schema_constraints(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c;

	assert_int_equal(fq_db_migrate(f->db, NULL, &err), 0);
	c = fq_db_acquire(f->db);
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO unit (code, name, kind, path, created_at, updated_at)"
		       " VALUES (?, ?, ?, ?, ?, ?)",
		       "ttttii", "330600", "绍兴市公安局", "city", "/330600/", (int64_t)1,
		       (int64_t)1),
	    0);
	/* kind is checked. */
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO unit (code, name, kind, path, created_at, updated_at)"
		       " VALUES (?, ?, ?, ?, ?, ?)",
		       "ttttii", "x1", "x", "county", "/x1/", (int64_t)1, (int64_t)1),
	    FQ_ECONFLICT);
	/* Roles are checked. */
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash,"
		       " unit_code, password_changed_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		       "tttttiii", "u1", "wang", "王", "h", "330600", (int64_t)1, (int64_t)1,
		       (int64_t)1),
	    0);
	assert_int_equal(fq_dbc_run(c, &err, NULL,
				    "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
				    "u1", "superuser"),
			 FQ_ECONFLICT);
	assert_int_equal(fq_dbc_run(c, &err, NULL,
				    "INSERT INTO user_role (user_id, role) VALUES (?, ?)", "tt",
				    "u1", "auditor"),
			 0);
	/* Users must belong to an existing unit. */
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO app_user (id, username, display_name, password_hash,"
		       " unit_code, password_changed_at, created_at, updated_at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		       "tttttiii", "u2", "li", "李", "h", "999999", (int64_t)1, (int64_t)1,
		       (int64_t)1),
	    FQ_ECONFLICT);
	/* The audit log refuses UPDATE and DELETE. */
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL,
		       "INSERT INTO audit_entry (seq, at, action, outcome, prev_hash, hash)"
		       " VALUES (1, 1, 'x', 'ok', 'p', 'h')",
		       ""),
	    0);
	assert_int_equal(
	    fq_dbc_run(c, &err, NULL, "UPDATE audit_entry SET action = 'y' WHERE seq = 1", ""),
	    FQ_ECONFLICT);
	assert_int_equal(fq_dbc_run(c, &err, NULL, "DELETE FROM audit_entry WHERE seq = 1", ""),
			 FQ_ECONFLICT);
	assert_int_equal(fq_dbc_run(c, &err, NULL, "DELETE FROM audit_entry", ""), FQ_ECONFLICT);
	fq_db_release(f->db, c);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM audit_entry WHERE action = 'x'", NULL),
			 1);
}

static void test_newer_store_applies_nothing(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c = fq_db_acquire(f->db);
	int applied = -1;

	assert_int_equal(
	    fq_dbc_exec_script(c,
			       "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY,"
			       " name TEXT NOT NULL, applied_at INTEGER NOT NULL);"
			       "INSERT INTO schema_migration VALUES (9999, 'future', 1);",
			       &err),
	    0);
	fq_db_release(f->db, c);
	assert_int_equal(fq_db_schema_version(f->db, &err), 9999);
	assert_int_equal(fq_db_migrate(f->db, &applied, &err), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(table_exists(f->db, "unit"), 0);
}

/* A version missing below the highest recorded one is applied too. */
static void test_missing_version_applied(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c;
	int applied = -1;

	assert_int_equal(fq_db_migrate(f->db, &applied, &err), 0);
	assert_true(fq_db_schema_latest() > 11);
	c = fq_db_acquire(f->db);
	assert_int_equal(fq_dbc_exec_script(c,
					    "DROP TABLE household_visit;"
					    "DELETE FROM schema_migration WHERE version = 11;",
					    &err),
			 0);
	fq_db_release(f->db, c);
	assert_int_equal(table_exists(f->db, "household_visit"), 0);
	assert_int_equal(fq_db_schema_version(f->db, &err), fq_db_schema_latest());
	assert_int_equal(fq_db_migrate(f->db, &applied, &err), 0);
	assert_int_equal(applied, 1);
	assert_int_equal(table_exists(f->db, "household_visit"), 1);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM schema_migration WHERE version = 11", NULL), 1);
}

static void test_failed_migration_rolls_back(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c = fq_db_acquire(f->db);
	int applied = -1;

	/* A table in the way makes 0001 fail half-way. */
	assert_int_equal(fq_dbc_exec_script(c, "CREATE TABLE user_role (x INTEGER);", &err), 0);
	fq_db_release(f->db, c);
	assert_int_equal(fq_db_migrate(f->db, &applied, &err), FQ_EDB);
	assert_int_equal(applied, 0);
	assert_true(err.message[0] != '\0');
	/* Nothing of 0001 stayed behind, and no version was recorded. */
	assert_int_equal(table_exists(f->db, "unit"), 0);
	assert_int_equal(table_exists(f->db, "app_user"), 0);
	assert_int_equal(fq_db_schema_version(f->db, &err), 0);
	/* The connection is not left inside a transaction. */
	c = fq_db_acquire(f->db);
	assert_false(fq_dbc_in_transaction(c));
	assert_int_equal(fq_dbc_exec_script(c, "DROP TABLE user_role;", &err), 0);
	fq_db_release(f->db, c);
	assert_int_equal(fq_db_migrate(f->db, &applied, &err), 0);
	assert_int_equal(applied, (int)fq_embedded_migrations_count);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fq_test_store_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_embedded_migrations_well_formed),
	    T(test_empty_store),
	    T(test_migrate_applies_all_then_nothing),
	    T(test_foundation_schema),
	    T(test_schema_constraints),
	    T(test_newer_store_applies_nothing),
	    T(test_failed_migration_rolls_back),
	    T(test_missing_version_applied),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
