#include "core/pool.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/banned.h"

#define POOL_CHUNK_SIZE 8192u
#define POOL_ALIGN	16u

struct fq_pool_chunk {
	struct fq_pool_chunk *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

void fq_pool_init(struct fq_pool *p)
{
	p->head = NULL;
	p->used_total = 0;
}

void fq_pool_release(struct fq_pool *p)
{
	struct fq_pool_chunk *c = p->head;
	while (c) {
		struct fq_pool_chunk *next = c->next;
		free(c);
		c = next;
	}
	fq_pool_init(p);
}

void *fq_pool_alloc(struct fq_pool *p, size_t n)
{
	struct fq_pool_chunk *c = p->head;
	size_t need = (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	void *out;

	if (need < n)
		fq_die("pool allocation overflow");
	if (!c || c->size - c->used < need) {
		size_t size = need > POOL_CHUNK_SIZE ? need : POOL_CHUNK_SIZE;
		c = fq_xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = p->head;
		p->head = c;
	}
	out = c->data + c->used;
	c->used += need;
	p->used_total += need;
	memset(out, 0, n);
	return out;
}

char *fq_pool_strndup(struct fq_pool *p, const char *s, size_t n)
{
	char *d = fq_pool_alloc(p, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *fq_pool_strdup(struct fq_pool *p, const char *s)
{
	return fq_pool_strndup(p, s, strlen(s));
}

char *fq_pool_printf(struct fq_pool *p, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *d;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fq_pool_strdup(p, "");
	d = fq_pool_alloc(p, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}
