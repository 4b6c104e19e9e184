/*
 * Masking of personal identifiers in registry answers (docs/community.md
 * has the matrix of who sees what):
 *   ID number   "110105********1234" (first 6 and last 4 kept)
 *   phone       "138****5678" (core/phone.h's fq_phone_mask)
 *   address     the part before the first digit kept, the rest "****":
 *               "枫溪镇桃园路12号3栋" -> "枫溪镇桃园路****"; an address
 *               without digits keeps its first 6 characters.
 * Every function writes "" rather than an unmasked value when its input
 * is not of the expected form. Pure, thread-safe.
 */
#ifndef FQ_COMMUNITY_MASK_H
#define FQ_COMMUNITY_MASK_H

#include "core/buf.h"
#include "core/idnum.h"
#include "core/phone.h"

/* Characters kept of an address that has no digit. */
#define FQ_MASK_ADDRESS_KEEP 6

void fq_mask_id_number(const char *id, char out[FQ_IDNUM_LEN + 1]);
void fq_mask_phone(const char *phone, char out[FQ_PHONE_MAX + 1]);
/* Append the masked address to out (which holds at least the input's size). */
int fq_mask_address(const char *address, struct fq_buf *out) FQ_WUR;

#endif
