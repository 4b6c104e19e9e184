#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/banned.h"

static char fq_buf_empty[1];

void fq_buf_init(struct fq_buf *b, size_t max)
{
	b->buf = fq_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max ? max : FQ_BUF_DEFAULT_MAX;
}

void fq_buf_release(struct fq_buf *b)
{
	if (b->alloc)
		free(b->buf);
	fq_buf_init(b, b->max);
}

void fq_buf_reset(struct fq_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

char *fq_buf_detach(struct fq_buf *b, size_t *len)
{
	char *s = b->alloc ? b->buf : fq_xstrdup("");
	if (len)
		*len = b->len;
	fq_buf_init(b, b->max);
	return s;
}

static int grow(struct fq_buf *b, size_t extra)
{
	size_t want;

	if (extra > b->max || b->len > b->max - extra)
		return FQ_ETOOBIG;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	if (b->alloc && want < b->alloc * 2)
		want = b->alloc * 2;
	if (want < 64)
		want = 64;
	if (b->alloc) {
		b->buf = fq_xrealloc(b->buf, want);
	} else {
		b->buf = fq_xmalloc(want);
		b->buf[0] = '\0';
	}
	b->alloc = want;
	return 0;
}

int fq_buf_reserve(struct fq_buf *b, size_t extra)
{
	return grow(b, extra);
}

int fq_buf_add(struct fq_buf *b, const void *data, size_t n)
{
	int rc = grow(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

int fq_buf_adds(struct fq_buf *b, const char *s)
{
	return fq_buf_add(b, s, strlen(s));
}

int fq_buf_addch(struct fq_buf *b, char c)
{
	return fq_buf_add(b, &c, 1);
}

int fq_buf_vaddf(struct fq_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	int rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return FQ_EINVAL;
	rc = grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int fq_buf_addf(struct fq_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = fq_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}
