#include "core/uuid.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/banned.h"

int fq_uuid_global_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

/*
 * Monotonic within the process (RFC 9562, section 6.2, method 1): after the
 * 48-bit millisecond come a 42-bit counter (rand_a's 12 bits and the first
 * 30 of rand_b) and 32 random bits. A new millisecond starts the counter at a
 * random value below 2^41; each further id in the same millisecond adds one,
 * so ids made one after the other sort in the order they were made (an ORDER
 * BY id breaks ties the way things happened). A clock that steps back keeps
 * the last millisecond; a counter that runs out (2^41 ids in one
 * millisecond) moves on to the next.
 */
#define COUNTER_BITS 42
#define COUNTER_MAX  ((UINT64_C(1) << COUNTER_BITS) - 1)

static pthread_mutex_t uuid_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_ms, counter;

/*
 * Random bytes for the ids, taken from libsodium 256 at a time: a getrandom call or two per
 * id showed in the intake's profile. Per thread, and emptied in a forked child, which must not
 * hand out its parent's bytes again.
 */
#define POOL_BYTES 256
static _Thread_local uint8_t pool[POOL_BYTES];
static _Thread_local unsigned pool_left;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_forget(void)
{
	pool_left = 0;
}

static void pool_register(void)
{
	pthread_atfork(NULL, NULL, pool_forget);
}

static void random_take(void *out, unsigned n)
{
	pthread_once(&pool_once, pool_register);
	if (pool_left < n) {
		randombytes_buf(pool, sizeof(pool));
		pool_left = sizeof(pool);
	}
	pool_left -= n;
	memcpy(out, pool + pool_left, n); /* ids are public: no need to wipe what was used */
}

void fq_uuid7(uint8_t out[16])
{
	uint64_t now = (uint64_t)fq_now_ms(), ms, n, seed;

	random_take(out + 12, 4);
	pthread_mutex_lock(&uuid_lock);
	if (now > last_ms) {
		random_take(&seed, sizeof(seed));
		last_ms = now;
		counter = seed & (COUNTER_MAX >> 1);
	} else if (counter == COUNTER_MAX) {
		last_ms++;
		counter = 0;
	} else {
		counter++;
	}
	ms = last_ms;
	n = counter;
	pthread_mutex_unlock(&uuid_lock);

	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)(ms >> (40 - 8 * i));
	out[6] = (uint8_t)(0x70 | ((n >> 38) & 0x0f));
	out[7] = (uint8_t)(n >> 30);
	out[8] = (uint8_t)(0x80 | ((n >> 24) & 0x3f));
	out[9] = (uint8_t)(n >> 16);
	out[10] = (uint8_t)(n >> 8);
	out[11] = (uint8_t)n;
}

void fq_uuid_format(const uint8_t in[16], char out[FQ_UUID_STR])
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[in[i] >> 4];
		out[o++] = hex[in[i] & 15];
	}
	out[o] = '\0';
}

void fq_uuid7_str(char out[FQ_UUID_STR])
{
	uint8_t u[16];
	fq_uuid7(u);
	fq_uuid_format(u, out);
}

int fq_uuid_valid(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}
