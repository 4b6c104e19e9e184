/*
 * Passwords: policy and argon2id hashing (libsodium).
 *
 * Hashes use argon2id with 2 passes and 19 MiB of memory (the OWASP
 * minimum), stored in libsodium's encoded string form, which records the
 * parameters so they can be raised later. fq_password_global_init() must run
 * before use (it also prepares the dummy hash used to make an unknown user's
 * login take as long as a wrong password). At most FQ_PASSWORD_PARALLEL
 * hashes are computed at once, so a burst of logins cannot exhaust memory.
 */
#ifndef FQ_ORG_PASSWORD_H
#define FQ_ORG_PASSWORD_H

#include <stddef.h>

#include "core/err.h"

#define FQ_PASSWORD_MIN_CHARS 12
#define FQ_PASSWORD_MAX_BYTES 256
#define FQ_PASSWORD_HASH_MAX  128
#define FQ_PASSWORD_OPSLIMIT  2
#define FQ_PASSWORD_MEMLIMIT  (19u * 1024u * 1024u)
#define FQ_PASSWORD_PARALLEL  4

int fq_password_global_init(void) FQ_WUR;

/*
 * Check a new password: 12 to 256 bytes of valid UTF-8 with at least 12
 * characters, not a common password, not containing the username, not a
 * run of one character or a keyboard/number sequence. field names the field
 * for the error.
 */
int fq_password_check_policy(const char *password, const char *username, const char *field,
			     struct fq_err *err) FQ_WUR;

/* Hash into out (NUL-terminated). */
int fq_password_hash(const char *password, char out[FQ_PASSWORD_HASH_MAX],
		     struct fq_err *err) FQ_WUR;

/*
 * 1 when password matches hash, 0 otherwise. hash NULL verifies against the
 * dummy hash (always 0), taking the same time.
 */
int fq_password_verify(const char *hash, const char *password);

#endif
