#include "core/pool.h"

#include <pthread.h>
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

/*
 * Each thread keeps one spare chunk of the standard size: a request's pool
 * takes it instead of a fresh malloc and gives it back at release. Besides
 * the malloc and free saved, an 8 KiB allocation per request made glibc
 * consolidate its fast bins every time (malloc_consolidate, measured at 3%
 * of the intake benchmark's CPU). The spare is freed when its thread ends,
 * or at exit for the thread that exits.
 */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

/* At exit: the exiting thread's spare (key destructors do not run for it). */
static void spare_free_at_exit(void)
{
	free(pthread_getspecific(spare_key));
	pthread_setspecific(spare_key, NULL);
}

static void spare_make_key(void)
{
	if (pthread_key_create(&spare_key, free) != 0)
		fq_die("cannot create the pool's thread key");
	atexit(spare_free_at_exit);
}

static struct fq_pool_chunk *spare_take(void)
{
	struct fq_pool_chunk *c;

	pthread_once(&spare_once, spare_make_key);
	c = pthread_getspecific(spare_key);
	if (c)
		pthread_setspecific(spare_key, NULL);
	return c;
}

/* 1 when kept as the thread's spare (the caller must not free it). */
static int spare_keep(struct fq_pool_chunk *c)
{
	if (c->size != POOL_CHUNK_SIZE)
		return 0;
	pthread_once(&spare_once, spare_make_key);
	if (pthread_getspecific(spare_key))
		return 0;
	return pthread_setspecific(spare_key, c) == 0;
}

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
		if (!spare_keep(c))
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
		c = size == POOL_CHUNK_SIZE ? spare_take() : NULL;
		if (!c)
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
