/*
 * Fixtures shared by the unit tests: a throw-away directory under /tmp, a
 * SQLite store in it, the process-wide set-up the org and http modules need,
 * and transaction steps that must not fail.
 *
 * Each test is its own program, so everything here is static inline: a test
 * compiles only what it calls, without unused-function warnings. Include it
 * as "unit/fq_test.h" (the Makefile passes -Itests).
 *
 * A store fixture is a struct fq_test_store. fq_test_store_new() allocates
 * one with a fresh directory and a migrated store holding one borrowed
 * connection, fq_test_store_new_unmigrated() one with a bare store opened
 * with given options; fq_test_store_teardown() is the matching cmocka
 * teardown. fq_test_store_attach() and _close() open and close a second store
 * in the directory of the first.
 *
 * fq_test_unit() creates one unit of a test's organisation tree or fails the
 * test.
 */
#ifndef FQ_TEST_H
#define FQ_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "core/uuid.h"
#include "db/db.h"
#include "org/password.h"
#include "org/units.h"

struct fq_test_store {
	char dir[64];	  /* /tmp/fq-test-<name>.XXXXXX, made by mkdtemp */
	char path[128];	  /* the store file last opened in dir */
	struct fq_db *db; /* NULL until opened */
	struct fq_dbc *c; /* borrowed once migrated; NULL otherwise */
};

/* Removes dir and the files directly in it (a store and its -wal, -shm). */
static inline void fq_test_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* Makes s->dir, a new directory /tmp/fq-test-<name>.XXXXXX. 0, or -1. */
static inline int fq_test_store_make_dir(struct fq_test_store *s, const char *name)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/fq-test-%s.XXXXXX", name);
	return mkdtemp(s->dir) ? 0 : -1;
}

/*
 * Opens <s->dir>/<file> into s->db with opt (NULL: defaults), neither
 * migrated nor with a connection borrowed. 0, or -1 with the reason on stderr.
 */
static inline int fq_test_store_open_file(struct fq_test_store *s, const char *file,
					  const struct fq_db_options *opt)
{
	struct fq_err err = FQ_ERR_INIT;

	snprintf(s->path, sizeof(s->path), "%s/%s", s->dir, file);
	if (fq_db_open(s->path, opt, &s->db, &err) != 0) {
		fprintf(stderr, "open %s: %s (%s)\n", s->path, err.machine, err.message);
		return -1;
	}
	return 0;
}

/* Migrates s->db to the current schema and borrows s->c. 0, or -1 with the reason on stderr. */
static inline int fq_test_store_migrate(struct fq_test_store *s)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_db_migrate(s->db, NULL, &err) != 0) {
		fprintf(stderr, "migrate %s: %s\n", s->path, err.message);
		return -1;
	}
	s->c = fq_db_acquire(s->db);
	return 0;
}

/*
 * Opens <s->dir>/<file> with default options, migrated and with s->c
 * borrowed. s->dir must exist already: a second store may share the directory
 * of the first. 0, or -1 with the reason on stderr.
 */
static inline int fq_test_store_attach(struct fq_test_store *s, const char *file)
{
	if (fq_test_store_open_file(s, file, NULL) != 0)
		return -1;
	return fq_test_store_migrate(s);
}

/* Gives back s->c and closes s->db; the directory stays. Either may be NULL. */
static inline void fq_test_store_close(struct fq_test_store *s)
{
	fq_db_release(s->db, s->c);
	fq_db_close(s->db);
	s->c = NULL;
	s->db = NULL;
}

/* Closes the store, removes its directory and frees s. */
static inline void fq_test_store_free(struct fq_test_store *s)
{
	fq_test_store_close(s);
	fq_test_remove_dir(s->dir);
	free(s);
}

/*
 * A new directory /tmp/fq-test-<name>.XXXXXX with store.db opened in it with
 * opt (NULL: defaults), neither migrated nor with a connection borrowed. NULL
 * on failure, with nothing left behind.
 */
static inline struct fq_test_store *fq_test_store_new_unmigrated(const char *name,
								 const struct fq_db_options *opt)
{
	struct fq_test_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (fq_test_store_make_dir(s, name) != 0)
		goto out_free;
	if (fq_test_store_open_file(s, "store.db", opt) != 0)
		goto out_remove_dir;
	return s;

out_remove_dir:
	fq_test_remove_dir(s->dir);
out_free:
	free(s);
	return NULL;
}

/*
 * fq_test_store_new_unmigrated, then script run on it (the tables of a test that does not need
 * the project's schema). NULL on failure, with nothing left behind.
 */
static inline struct fq_test_store *
fq_test_store_new_scripted(const char *name, const struct fq_db_options *opt, const char *script)
{
	struct fq_test_store *s = fq_test_store_new_unmigrated(name, opt);
	struct fq_err err = FQ_ERR_INIT;
	struct fq_dbc *c;
	int rc;

	if (!s)
		return NULL;
	c = fq_db_acquire(s->db);
	rc = fq_dbc_exec_script(c, script, &err);
	fq_db_release(s->db, c);
	if (rc) {
		fprintf(stderr, "test store %s: %s\n", name, err.message);
		fq_test_store_free(s);
		return NULL;
	}
	return s;
}

/*
 * fq_test_store_new_unmigrated with default options, then migrated and with
 * s->c borrowed. NULL on failure, with nothing left behind.
 */
static inline struct fq_test_store *fq_test_store_new(const char *name)
{
	struct fq_test_store *s = fq_test_store_new_unmigrated(name, NULL);

	if (s && fq_test_store_migrate(s) != 0) {
		fq_test_store_free(s);
		return NULL;
	}
	return s;
}

/* cmocka teardown for a store from fq_test_store_new*() in *state. */
static inline int fq_test_store_teardown(void **state)
{
	fq_test_store_free(*state);
	return 0;
}

/* cmocka group setup for code that makes UUIDs or folds text. */
static inline int fq_test_global_setup(void **state)
{
	(void)state;
	if (fq_uuid_global_init() != 0 || fq_text_global_init() != 0)
		return -1;
	return 0;
}

/* fq_test_global_setup, and the password hasher (one Argon2id hash: slow). */
static inline int fq_test_global_setup_password(void **state)
{
	if (fq_test_global_setup(state) != 0 || fq_password_global_init() != 0)
		return -1;
	return 0;
}

/* cmocka group teardown after either global setup. */
static inline int fq_test_global_teardown(void **state)
{
	(void)state;
	fq_text_global_cleanup();
	return 0;
}

/* Starts a write transaction on c; the test fails if it cannot. */
static inline void fq_test_begin(struct fq_dbc *c)
{
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_dbc_begin(c, 1, &err), 0);
}

/* Commits the transaction on c; the test fails if it cannot. */
static inline void fq_test_commit(struct fq_dbc *c)
{
	struct fq_err err = FQ_ERR_INIT;

	assert_int_equal(fq_dbc_commit(c, &err), 0);
}

/* Creates unit code (name, kind, under parent or NULL) in c; the test fails if it cannot. */
static inline void fq_test_unit(struct fq_dbc *c, const char *code, const char *name,
				const char *kind, const char *parent)
{
	struct fq_unit_new u = {.code = code, .name = name, .kind = kind, .parent = parent};
	struct fq_err err = FQ_ERR_INIT;

	if (fq_unit_create(c, &u, &err) != 0)
		fail_msg("unit %s: %s %s (%s)", code, err.machine, err.field, err.message);
}

#endif
