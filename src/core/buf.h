/*
 * A growable byte string with a mandatory maximum.
 *
 * Invariants (as git's strbuf): buf is never NULL and always NUL-terminated,
 * so b->buf can be passed where a C string is expected right after
 * fq_buf_init(). A buffer never grows past its max: appends that would pass
 * it return FQ_ETOOBIG and leave the content unchanged.
 */
#ifndef FQ_CORE_BUF_H
#define FQ_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

struct fq_buf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
};

/* Default maximum for buffers that hold one API answer or one row. */
#define FQ_BUF_DEFAULT_MAX (64u * 1024u * 1024u)

void fq_buf_init(struct fq_buf *b, size_t max);
void fq_buf_release(struct fq_buf *b);
/* Empty the buffer, keep its memory. */
void fq_buf_reset(struct fq_buf *b);
/* Hand the string to the caller (free() it); the buffer is re-initialised. */
char *fq_buf_detach(struct fq_buf *b, size_t *len);

/* Make room for extra more bytes now, so that the appends after it do not reallocate. */
int fq_buf_reserve(struct fq_buf *b, size_t extra) FQ_WUR;
int fq_buf_add(struct fq_buf *b, const void *data, size_t n) FQ_WUR;
int fq_buf_adds(struct fq_buf *b, const char *s) FQ_WUR;
int fq_buf_addch(struct fq_buf *b, char c) FQ_WUR;
int fq_buf_addf(struct fq_buf *b, const char *fmt, ...) FQ_PRINTF(2, 3) FQ_WUR;
int fq_buf_vaddf(struct fq_buf *b, const char *fmt, va_list ap) FQ_WUR;

#endif
