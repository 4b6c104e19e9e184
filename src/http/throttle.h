/*
 * Login throttling per client address: after FQ_THROTTLE_MAX_FAILURES
 * failed logins within FQ_THROTTLE_WINDOW_MS, further logins from that
 * address are refused (429) until the window ends. In memory, bounded,
 * thread-safe; a restart forgets it (the per-account lock is in the store).
 * A successful login does not clear an address's count: whoever holds one
 * account could otherwise guess at others without end.
 */
#ifndef FQ_HTTP_THROTTLE_H
#define FQ_HTTP_THROTTLE_H

#include <stdint.h>

#define FQ_THROTTLE_MAX_FAILURES 10
#define FQ_THROTTLE_WINDOW_MS	 (15 * 60 * 1000)

/* 0 when the address may try; else the seconds to wait. */
int64_t fq_throttle_wait_s(const char *client, int64_t now_ms);
void fq_throttle_failed(const char *client, int64_t now_ms);

#endif
