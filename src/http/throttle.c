#include "http/throttle.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

#define SLOTS 4096

struct slot {
	char client[64];
	int64_t window_start;
	int failures;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct slot *find(const char *client, int create, int64_t now)
{
	unsigned h = 2166136261u;
	struct slot *s;
	for (const char *p = client; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	s = &slots[h % SLOTS];
	if (strcmp(s->client, client) == 0)
		return s;
	/* One slot per hash: a colliding address takes over an expired slot. */
	if (!create || (s->client[0] && now - s->window_start < FQ_THROTTLE_WINDOW_MS &&
			s->failures >= FQ_THROTTLE_MAX_FAILURES))
		return NULL;
	snprintf(s->client, sizeof(s->client), "%s", client);
	s->window_start = now;
	s->failures = 0;
	return s;
}

int64_t fq_throttle_wait_s(const char *client, int64_t now_ms)
{
	int64_t wait = 0;
	struct slot *s;
	pthread_mutex_lock(&lock);
	s = find(client, 0, now_ms);
	if (s && s->failures >= FQ_THROTTLE_MAX_FAILURES &&
	    now_ms - s->window_start < FQ_THROTTLE_WINDOW_MS)
		wait = (s->window_start + FQ_THROTTLE_WINDOW_MS - now_ms + 999) / 1000;
	pthread_mutex_unlock(&lock);
	return wait;
}

void fq_throttle_failed(const char *client, int64_t now_ms)
{
	struct slot *s;
	pthread_mutex_lock(&lock);
	s = find(client, 1, now_ms);
	if (s) {
		if (now_ms - s->window_start >= FQ_THROTTLE_WINDOW_MS) {
			s->window_start = now_ms;
			s->failures = 0;
		}
		s->failures++;
	}
	pthread_mutex_unlock(&lock);
}
