#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

_Noreturn void fq_die(const char *what)
{
	fprintf(stderr, "fengqiao: fatal: %s\n", what);
	fflush(stderr);
	abort();
}

void *fq_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fq_die("out of memory");
	return p;
}

void *fq_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		fq_die("out of memory");
	return p;
}

void *fq_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		fq_die("out of memory");
	return q;
}

char *fq_xstrndup(const char *s, size_t n)
{
	char *p = fq_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *fq_xstrdup(const char *s)
{
	return fq_xstrndup(s, strlen(s));
}

void fq_xrwlock_init(pthread_rwlock_t *lock)
{
	pthread_rwlockattr_t attr;

	if (pthread_rwlockattr_init(&attr) ||
	    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP) ||
	    pthread_rwlock_init(lock, &attr))
		fq_die("pthread_rwlock_init");
	pthread_rwlockattr_destroy(&attr);
}
