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

/*
 * 0019 keeps each new alert's intake decision and "alert" timeline entry in its row, and reads
 * an incident's creation entry from the incident row. Alerts stored before it have both as rows
 * of their own, and incidents their creation entry: after it, the views show each exactly once,
 * and a new-style alert beside them too.
 */
static void test_intake_decision_views_after_0019(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c;
	int applied = -1;

	assert_int_equal(fq_db_migrate(f->db, NULL, &err), 0);
	c = fq_db_acquire(f->db);
	fq_test_begin(c);
	fq_test_unit(c, "339900", "清江市公安局", "city", NULL);
	fq_test_unit(c, "339902", "枫溪县公安局", "branch", "339900");
	fq_test_unit(c, "339900000000", "测试派出所", "station", "339902");
	fq_test_commit(c);
	/* The store as 0017 left it, with an alert written then. */
	assert_int_equal(
	    fq_dbc_exec_script(
		c,
		"DROP VIEW incident_timeline; DROP VIEW merge_decision_all;"
		"DROP VIEW incident_created_event;"
		"DROP VIEW alert_intake_event; DROP VIEW alert_intake_decision;"
		"DROP INDEX merge_decision_incident;"
		"ALTER TABLE alert DROP COLUMN intake_decision;"
		"ALTER TABLE alert DROP COLUMN intake_kind;"
		"ALTER TABLE alert DROP COLUMN intake_score;"
		"ALTER TABLE alert DROP COLUMN intake_reasons;"
		"DELETE FROM schema_migration WHERE version = 19;"
		"INSERT INTO incident (id, number, unit_code, state, category, priority,"
		" first_received_at, last_received_at, created_at, updated_at)"
		" VALUES ('i1', 'SJ-1', '339900000000', 'received', 'dispute.neighbour', 3,"
		" 5, 6, 5, 5);"
		"INSERT INTO alert (id, number, incident_id, unit_code, received_at, source,"
		" category, priority, description, description_norm, created_at)"
		" VALUES ('a1', 'JJ-1', 'i1', '339900000000', 5, 'walk_in', 'dispute.neighbour',"
		" 3, '吵架', '吵架', 5);"
		"INSERT INTO merge_decision VALUES"
		" ('m1', 'a1', 'i1', 'new', NULL, NULL, '[]', 1, NULL, 5);"
		"INSERT INTO incident_event VALUES"
		" ('e1', 'i1', 5, NULL, 'transition', NULL, 'received', NULL),"
		" ('e2', 'i1', 5, NULL, 'alert', NULL, NULL, 'JJ-1'),"
		" ('e3', 'i1', 8, NULL, 'transition', 'received', 'dispatched', NULL);"
		"INSERT INTO incident (id, number, unit_code, state, category, priority,"
		" first_received_at, last_received_at, created_at, created_by, updated_at)"
		" VALUES ('i2', 'SJ-2', '339900000000', 'received', 'dispute.neighbour', 3,"
		" 20, 20, 20, 'u1', 20);"
		"INSERT INTO incident_event VALUES"
		" ('e4', 'i2', 20, 'u1', 'transition', NULL, 'received', NULL),"
		" ('e5', 'i2', 21, 'u1', 'transition', NULL, 'received', NULL),"
		" ('e6', 'i2', 20, 'u2', 'transition', NULL, 'received', NULL);",
		&err),
	    0);
	fq_db_release(f->db, c);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'merge_decision_all'",
		  NULL),
	    0);

	assert_int_equal(fq_db_migrate(f->db, &applied, &err), 0);
	assert_int_equal(applied, 1);
	c = fq_db_acquire(f->db);
	assert_int_equal(
	    fq_dbc_exec_script(
		c,
		"INSERT INTO alert (id, number, incident_id, unit_code, received_at, source,"
		" category, priority, description, description_norm, created_at, created_by,"
		" intake_decision, intake_kind, intake_score, intake_reasons)"
		" VALUES ('a2', 'JJ-2', 'i1', '339900000000', 6, 'walk_in', 'dispute.neighbour',"
		" 3, '又吵', '又吵', 7, 'u1', 'confirmed', 'same_event', 0.75, '[\"x\"]');",
		&err),
	    0);
	fq_db_release(f->db, c);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM merge_decision_all WHERE incident_id = ?", "i1"), 2);
	assert_int_equal(count(f->db,
			       "SELECT COUNT(*) FROM merge_decision_all WHERE id = 'm1'"
			       " AND alert_id = 'a1' AND decision = 'new' AND automatic = 1",
			       NULL),
			 1);
	assert_int_equal(
	    count(f->db,
		  "SELECT COUNT(*) FROM merge_decision_all WHERE id = 'a2' AND alert_id = 'a2'"
		  " AND incident_id = 'i1' AND decision = 'confirmed' AND kind = 'same_event'"
		  " AND score = 0.75 AND reasons = '[\"x\"]' AND automatic = 0"
		  " AND decided_by = 'u1' AND decided_at = 7",
		  NULL),
	    1);
	/* The creation entry now comes from the incident row, once; the other transition stays. */
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM incident_event WHERE id = 'e1'", NULL),
			 0);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM incident_event WHERE id = 'e3'", NULL),
			 1);
	/* Only a creation entry the incident row repeats exactly (time and author) goes. */
	assert_int_equal(count(f->db,
			       "SELECT COUNT(*) FROM incident_event WHERE incident_id = 'i2'"
			       " AND id IN ('e5', 'e6')",
			       NULL),
			 2);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM incident_event WHERE id = 'e4'", NULL),
			 0);
	assert_int_equal(count(f->db,
			       "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = 'i2'"
			       " AND at = 20 AND by_user = 'u1'",
			       NULL),
			 1);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = ?", "i1"), 4);
	assert_int_equal(count(f->db,
			       "SELECT COUNT(*) FROM incident_timeline WHERE incident_id = 'i1'"
			       " AND kind = 'transition' AND from_state IS NULL"
			       " AND to_state = 'received' AND at = 5 AND by_user IS NULL",
			       NULL),
			 1);
	assert_int_equal(count(f->db,
			       "SELECT COUNT(*) FROM incident_timeline WHERE kind = 'alert'"
			       " AND ((id = 'e2' AND note = 'JJ-1' AND at = 5)"
			       " OR (id = 'a2' AND note = 'JJ-2' AND at = 7 AND by_user = 'u1'))",
			       NULL),
			 2);
	/* Only the four intake decisions fit the column. */
	c = fq_db_acquire(f->db);
	assert_int_not_equal(
	    fq_dbc_exec_script(c, "UPDATE alert SET intake_decision = 'split' WHERE id = 'a2';",
			       &err),
	    0);
	assert_non_null(strstr(err.message, "CHECK"));
	fq_db_release(f->db, c);
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM alert WHERE intake_decision = 'confirmed'", NULL),
	    1);
	assert_int_equal(count(f->db, "SELECT COUNT(*) FROM pragma_foreign_key_check", NULL), 0);
}

/*
 * A version recorded under another file name (a migration dropped or renumbered after a build
 * applied it) stops the migration with a clear error; the store is left as it was.
 */
static void test_version_recorded_under_another_name_refused(void **state)
{
	struct fq_test_store *f = *state;
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c;
	int applied = -1;

	assert_int_equal(fq_db_migrate(f->db, NULL, &err), 0);
	c = fq_db_acquire(f->db);
	assert_int_equal(fq_dbc_exec_script(c,
					    "UPDATE schema_migration SET name = '0011_other.sql'"
					    " WHERE version = 11;"
					    "DELETE FROM schema_migration WHERE version = 12;",
					    &err),
			 0);
	fq_db_release(f->db, c);
	assert_int_equal(fq_db_migrate(f->db, &applied, &err), FQ_ECONFLICT);
	assert_string_equal(err.machine, "migration_mismatch");
	assert_non_null(strstr(err.message, "0011_other.sql"));
	assert_non_null(strstr(err.message, "0011_visits.sql"));
	assert_int_equal(applied, 0);
	/* Nothing after it was applied either. */
	assert_int_equal(
	    count(f->db, "SELECT COUNT(*) FROM schema_migration WHERE version = 12", NULL), 0);
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
	    T(test_intake_decision_views_after_0019),
	    T(test_version_recorded_under_another_name_refused),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
