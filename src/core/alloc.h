/*
 * Allocation. Out of memory is not recoverable here: the fq_x* functions log
 * and abort, so call sites never test for NULL. Sizes that come from input
 * must be checked against a named limit before they reach these functions.
 */
#ifndef FQ_CORE_ALLOC_H
#define FQ_CORE_ALLOC_H

#include <pthread.h>
#include <stddef.h>

void *fq_xmalloc(size_t n);
void *fq_xcalloc(size_t nmemb, size_t size);
void *fq_xrealloc(void *p, size_t n);
char *fq_xstrdup(const char *s);
char *fq_xstrndup(const char *s, size_t n);

/*
 * Initialise a read-write lock that lets no new reader in while a writer
 * waits (glibc's default lets readers overtake a waiting writer without
 * end). A thread must not take it for reading twice: with a writer
 * waiting in between, that deadlocks. Aborts when it cannot be set up.
 */
void fq_xrwlock_init(pthread_rwlock_t *lock);

/* Aborts with a message; for breaches of invariants (corrupted memory). */
_Noreturn void fq_die(const char *what);

#define fq_assert(cond)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fq_die("assertion failed: " #cond " at " __FILE__);                        \
	} while (0)

#endif
