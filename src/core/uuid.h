/*
 * UUIDv7 identifiers (RFC 9562): 48-bit Unix ms timestamp, a 42-bit counter
 * and 32 random bits from libsodium. Time-ordered and, within a process,
 * strictly increasing in the order they were made (also within one
 * millisecond and across threads); unique across stations. Thread-safe.
 * fq_uuid_global_init() (libsodium's sodium_init) must run first.
 */
#ifndef FQ_CORE_UUID_H
#define FQ_CORE_UUID_H

#include <stdint.h>

#define FQ_UUID_STR 37 /* 36 characters and the NUL */

int fq_uuid_global_init(void);
void fq_uuid7(uint8_t out[16]);
void fq_uuid_format(const uint8_t in[16], char out[FQ_UUID_STR]);
/* A new UUIDv7 in text form. */
void fq_uuid7_str(char out[FQ_UUID_STR]);
/* 1 when s is a canonical lower- or upper-case UUID text. */
int fq_uuid_valid(const char *s);

#endif
