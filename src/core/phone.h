/*
 * Chinese telephone numbers: normalisation, classification and masking.
 *
 * Input is UTF-8 as people type it: "+86 138-1234-5678", "0086 13812345678",
 * "(0575)87654321", "０５７５－８７６５４３２１", "12345". Separators are
 * dropped (ASCII and full-width blanks, '-', '.', parentheses, en and em
 * dashes), full-width digits and '＋' are folded, and a Chinese country
 * code (+86, 0086, or a bare 86 in front of a mobile number) is removed.
 *
 * The normalised number holds digits only, without separators, so that
 * numbers compare with strcmp and match caller ID from the switchboard:
 *   mobile         "13812345678"   11 digits, 1[3-9]...
 *   landline       "057587654321"  area code (010, 02X or 0XXX) and a 7-8
 *                                  digit local number not starting 0 or 1;
 *                                  area_code says where the split is, for
 *                                  display as "0575-87654321"
 *                  "87654321"      a local number given without area code
 *                                  (area_code "")
 *   service        "110", "12345", "10086", "95588", "96110", "4008123123"
 *                                  emergency, government, carrier, bank and
 *                                  other hotlines, 400/800 business numbers
 *   international  "+639171234567" '+', then 7-15 digits of another country
 * Extensions ("转 8001") are not accepted.
 *
 * Pure functions: no allocation, no global state, safe from any thread.
 */
#ifndef FQ_CORE_PHONE_H
#define FQ_CORE_PHONE_H

#include "core/err.h"

/* Longest normalised number: '+' and 15 digits (E.164). */
#define FQ_PHONE_MAX 16
/* Longest input accepted, in bytes, separators and full-width forms included. */
#define FQ_PHONE_INPUT_MAX 64

enum fq_phone_kind {
	FQ_PHONE_INVALID = 0,
	FQ_PHONE_MOBILE,
	FQ_PHONE_LANDLINE,
	FQ_PHONE_SERVICE,
	FQ_PHONE_INTERNATIONAL,
};

struct fq_phone {
	enum fq_phone_kind kind;
	char number[FQ_PHONE_MAX + 1]; /* normalised, see above */
	char area_code[5];	       /* landlines: "0575", "010"; otherwise "" */
};

/*
 * Normalise and classify the NUL-terminated input in.
 *
 * Returns 0 and fills *out, or FQ_EINVAL with out->kind FQ_PHONE_INVALID,
 * out->number "" and one of these machine codes in err, whose field is
 * "phone" (callers validating another field overwrite err->field):
 *   phone_length   empty, or longer than FQ_PHONE_INPUT_MAX bytes or 20 digits
 *   phone_charset  a character that is neither a digit nor a separator, or
 *                  '+' anywhere but in front
 *   phone_format   the digits are no mobile, landline, service or
 *                  international number
 */
int fq_phone_normalize(const char *in, struct fq_phone *out, struct fq_err *err) FQ_WUR;

/* "mobile", "landline", "service", "international" or "invalid". */
const char *fq_phone_kind_name(enum fq_phone_kind kind);

/*
 * Masked copy of a normalised number for display, same length, the middle
 * replaced by '*': "138****5678", "0575****4321", "+63******4567",
 * "****4321". Service numbers (up to 6 digits, 400/800 numbers) are public
 * and copied unchanged. When number is not a normalised number (longer than
 * FQ_PHONE_MAX, or characters other than digits and a leading '+'), out is
 * set to "" and FQ_EINVAL returned.
 */
int fq_phone_mask(const char *number, char out[FQ_PHONE_MAX + 1]);

#endif
