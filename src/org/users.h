/*
 * Users: accounts with one or more roles and one home unit.
 *
 * These functions run on a borrowed connection; writers expect the caller to
 * hold a write transaction and to write the audit entry in it, so a change
 * and its audit record land together or not at all. Changing a user's unit,
 * disabling them or setting their password ends their sessions (rows deleted
 * and sessions_revoked_at stamped, which running servers watch).
 */
#ifndef FQ_ORG_USERS_H
#define FQ_ORG_USERS_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "db/db.h"
#include "org/units.h"

#define FQ_USERNAME_MAX	      32 /* bytes */
#define FQ_DISPLAY_NAME_MAX   32 /* characters */
#define FQ_LOGIN_MAX_FAILURES 5
#define FQ_LOGIN_LOCK_MS      (10 * 60 * 1000)

struct fq_user {
	char id[37];
	char username[FQ_USERNAME_MAX + 1];
	char display_name[FQ_DISPLAY_NAME_MAX * 4 + 1];
	char unit_code[FQ_UNIT_CODE_MAX];
	char unit_name[FQ_UNIT_NAME_MAX * 4 + 1];
	char unit_kind[16];
	char unit_path[FQ_UNIT_PATH_MAX];
	uint32_t roles; /* FQ_ROLE_BIT set */
	int disabled;
	int failed_logins;
	int64_t locked_until;
	int64_t last_login_at; /* 0: never */
	int64_t created_at;
	int64_t updated_at;
	int64_t version;
};

struct fq_user_new {
	const char *username;
	const char *display_name;
	const char *password;	   /* checked and hashed here, unless password_hash is set */
	const char *password_hash; /* from fq_user_hash_password, hashed before the transaction */
	const char *unit_code;
	uint32_t roles;
};

struct fq_user_patch {
	const char *display_name; /* NULL: unchanged */
	const char *unit_code;	  /* NULL: unchanged */
	int set_roles;
	uint32_t roles;
	int set_disabled;
	int disabled;
	int64_t expected_version; /* 0: don't check */
};

/* Username rule: 3–32 of [a-z0-9._-], starting with a letter. */
int fq_username_valid(const char *username);

/*
 * Parse a JSON array or comma-separated list of role codes into a set; an
 * empty set is refused. field names the field for errors.
 */
int fq_roles_parse_json(json_t *arr, uint32_t *out, const char *field, struct fq_err *err) FQ_WUR;
int fq_roles_parse_csv(const char *csv, uint32_t *out, const char *field,
		       struct fq_err *err) FQ_WUR;

int fq_user_create(struct fq_dbc *c, const struct fq_user_new *in, const char *actor_id,
		   struct fq_user *out, struct fq_err *err) FQ_WUR;
int fq_user_load(struct fq_dbc *c, const char *id, struct fq_user *out, struct fq_err *err) FQ_WUR;
/*
 * Load by username; hash (may be NULL) receives the password hash.
 * FQ_ENOTFOUND when there is no such user.
 */
int fq_user_load_by_name(struct fq_dbc *c, const char *username, struct fq_user *out, char *hash,
			 size_t hash_size, struct fq_err *err) FQ_WUR;
int fq_user_update(struct fq_dbc *c, const char *id, const struct fq_user_patch *p,
		   const char *actor_id, struct fq_user *out, struct fq_err *err) FQ_WUR;
/*
 * Check a new password against the policy (errors name field) and hash it.
 * Hashing takes tens of milliseconds: do it before opening the write
 * transaction, so other writers do not wait for it.
 */
int fq_user_hash_password(const char *username, const char *password, const char *field,
			  char hash[128], struct fq_err *err) FQ_WUR;
/* Set a password (policy errors name field), ending the user's sessions. */
int fq_user_set_password(struct fq_dbc *c, const char *id, const char *password, const char *field,
			 const char *actor_id, struct fq_err *err) FQ_WUR;
/* Set a password already hashed by fq_user_hash_password. */
int fq_user_set_password_hash(struct fq_dbc *c, const char *id, const char *hash,
			      const char *actor_id, struct fq_err *err) FQ_WUR;
/* End all sessions of a user. */
int fq_user_revoke_sessions(struct fq_dbc *c, const char *id, struct fq_err *err) FQ_WUR;

/* Login bookkeeping: count a failure (locking after 5) or a success. */
int fq_user_login_failed(struct fq_dbc *c, const char *id, int64_t now_ms,
			 struct fq_err *err) FQ_WUR;
int fq_user_login_succeeded(struct fq_dbc *c, const char *id, int64_t now_ms,
			    struct fq_err *err) FQ_WUR;

/* The user as API JSON (never the hash). */
json_t *fq_user_json(const struct fq_user *u);
/* Roles as a JSON array of codes. */
json_t *fq_roles_json(uint32_t roles);

struct fq_user_query {
	const char *scope_path; /* required */
	const char *q;		/* substring of username or display name */
	const char *unit_code;	/* only this unit's subtree */
	const char *sort;	/* username, -username, created_at, -created_at, unit */
	int64_t page, per_page;
};
int fq_user_list(struct fq_dbc *c, const struct fq_user_query *q, json_t **out,
		 struct fq_err *err) FQ_WUR;

/*
 * The staff directory: colleagues to pick when assigning work (a dispute, a
 * case, a directive). Only enabled users, and only id, display name, roles
 * and unit: no username, phone or login details. Sorted by unit, then name.
 */
struct fq_staff_query {
	const char *scope_path; /* required: the caller's scope */
	const char *unit_code;	/* only this unit's subtree (inside the scope) */
	const char *q;		/* substring of the display name */
	int filtered;		/* 1: only users with one of roles */
	uint32_t roles;		/* FQ_ROLE_BIT set, when filtered */
	int64_t page, per_page;
};
/*
 * *out = {"items":[{"id","display_name","roles","unit":{"code","name","kind"}}],
 * "total","page","per_page"}. FQ_EINVAL (field "unit") for an unknown unit,
 * FQ_ENOTFOUND (field "unit") for one outside the scope.
 */
int fq_staff_list(struct fq_dbc *c, const struct fq_staff_query *q, json_t **out,
		  struct fq_err *err) FQ_WUR;

#endif
