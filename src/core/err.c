#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static void copy_bounded(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Cut a partial UTF-8 sequence left at the end by truncation. */
static void trim_utf8(char *s)
{
	size_t n = strlen(s), i = n, need;
	unsigned char c;

	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

const char *fq_err_default_machine(int code)
{
	switch (code) {
	case FQ_OK:
		return "ok";
	case FQ_EINVAL:
		return "invalid";
	case FQ_ENOTFOUND:
		return "not_found";
	case FQ_ECONFLICT:
		return "conflict";
	case FQ_EFORBIDDEN:
		return "forbidden";
	case FQ_EDB:
		return "storage_error";
	case FQ_ETOOBIG:
		return "too_large";
	case FQ_EAUTH:
		return "unauthenticated";
	case FQ_ERATE:
		return "rate_limited";
	case FQ_EUNPROC:
		return "unprocessable";
	case FQ_EIO:
		return "io_error";
	case FQ_EMEDIA:
		return "unsupported_media_type";
	case FQ_EMETHOD:
		return "method_not_allowed";
	case FQ_EUNAVAIL:
		return "unavailable";
	default:
		return "internal";
	}
}

int fq_err_set(struct fq_err *err, int code, const char *machine, const char *field,
	       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	copy_bounded(err->machine, sizeof(err->machine),
		     machine ? machine : fq_err_default_machine(code));
	copy_bounded(err->field, sizeof(err->field), field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	trim_utf8(err->message);
	return code;
}

void fq_err_clear(struct fq_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->machine[0] = err->field[0] = err->message[0] = '\0';
}
