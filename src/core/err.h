/*
 * Errors: the one convention of the project.
 *
 * A fallible function returns int: 0 on success or a negative FQ_E* code.
 * When the caller passes a struct fq_err, the callee fills in a human
 * message (zh-CN or English, never internals) and, for input problems, the
 * name of the offending field. The HTTP layer maps codes to statuses in one
 * table (http/response.c).
 */
#ifndef FQ_CORE_ERR_H
#define FQ_CORE_ERR_H

#include <stddef.h>

#define FQ_WUR		__attribute__((warn_unused_result))
#define FQ_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum fq_errcode {
	FQ_OK = 0,
	FQ_EINVAL = -1,	    /* invalid input; field names what */
	FQ_ENOTFOUND = -2,  /* no such object (or not in the caller's scope) */
	FQ_ECONFLICT = -3,  /* state or version conflict, duplicate */
	FQ_EFORBIDDEN = -4, /* authenticated but not allowed */
	FQ_EDB = -5,	    /* storage failure */
	FQ_ETOOBIG = -6,    /* input over a named limit */
	FQ_EAUTH = -7,	    /* not authenticated / bad credentials */
	FQ_ERATE = -8,	    /* throttled */
	FQ_EUNPROC = -9,    /* well-formed but cannot be processed (422) */
	FQ_EIO = -10,	    /* file or system I/O failure */
	FQ_EINTERNAL = -11, /* bug or unexpected condition */
	FQ_EMEDIA = -12,    /* unsupported media type */
	FQ_EMETHOD = -13,   /* method not allowed */
	FQ_EUNAVAIL = -14,  /* temporarily unavailable (503) */
};

#define FQ_ERR_MSG_MAX	 256
#define FQ_ERR_FIELD_MAX 64
#define FQ_ERR_CODE_MAX	 48

struct fq_err {
	int code;		       /* enum fq_errcode */
	char machine[FQ_ERR_CODE_MAX]; /* machine code for the API, e.g. "invalid_field" */
	char field[FQ_ERR_FIELD_MAX];  /* offending field, "" when none */
	char message[FQ_ERR_MSG_MAX];  /* human-readable message */
};

#define FQ_ERR_INIT                                                                                \
	{                                                                                          \
		0, "", "", ""                                                                      \
	}

/*
 * Record an error in err (which may be NULL) and return code, so callers can
 * write `return fq_err_set(err, FQ_EINVAL, "bad_phone", "phone", "...")`.
 * machine and field may be NULL.
 */
int fq_err_set(struct fq_err *err, int code, const char *machine, const char *field,
	       const char *fmt, ...) FQ_PRINTF(5, 6);

/* Reset err to "no error". */
void fq_err_clear(struct fq_err *err);

/* Default machine code for a FQ_E* code ("invalid", "not_found", ...). */
const char *fq_err_default_machine(int code);

#endif
