/*
 * A request pool: a bump allocator whose memory is freed in one call.
 * Each HTTP request owns one; handlers allocate their temporaries there and
 * never free them one by one. Not thread-safe: one pool, one thread.
 */
#ifndef FQ_CORE_POOL_H
#define FQ_CORE_POOL_H

#include <stddef.h>

struct fq_pool_chunk;

struct fq_pool {
	struct fq_pool_chunk *head;
	size_t used_total;
};

void fq_pool_init(struct fq_pool *p);
/* Free everything allocated from the pool; the pool can be used again. */
void fq_pool_release(struct fq_pool *p);

/* Zeroed, 16-byte aligned memory that lives until fq_pool_release(). */
void *fq_pool_alloc(struct fq_pool *p, size_t n);
char *fq_pool_strdup(struct fq_pool *p, const char *s);
char *fq_pool_strndup(struct fq_pool *p, const char *s, size_t n);
char *fq_pool_printf(struct fq_pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
