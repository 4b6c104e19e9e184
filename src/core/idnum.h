/*
 * Citizen identity numbers (公民身份号码, GB 11643-1999).
 *
 * An 18-character number: a 6-digit administrative division code of the
 * place of first registration, the birth date as YYYYMMDD, a 3-digit
 * sequence code whose last digit is odd for men and even for women, and a
 * check character computed with ISO 7064 MOD 11-2 ('0'-'9' or 'X').
 * Residence permits of Hong Kong, Macao and Taiwan residents (division
 * codes 81xxxx, 82xxxx, 83xxxx) use the same format and are accepted.
 *
 * Input is ASCII: callers holding user text run it through NFKC first
 * (fq_text_normalize does), which turns full-width digits into ASCII ones.
 * Leading and trailing ASCII blanks are trimmed; a lower-case 'x' is
 * accepted and normalised to 'X'.
 *
 * Every function here is pure: no allocation, no global state, safe to call
 * from any thread.
 */
#ifndef FQ_CORE_IDNUM_H
#define FQ_CORE_IDNUM_H

#include <stdint.h>

#include "core/err.h"

#define FQ_IDNUM_LEN	 18
#define FQ_IDNUM_OLD_LEN 15
/* Earliest birth year accepted; older numbers are data-entry mistakes. */
#define FQ_IDNUM_MIN_BIRTH_YEAR 1900

struct fq_idnum {
	char number[FQ_IDNUM_LEN + 1]; /* normalised: 17 digits then a digit or 'X' */
	char division[7];	       /* administrative division code, e.g. "110105" */
	int birth_year;
	int birth_month; /* 1-12 */
	int birth_day;	 /* 1-31 */
	char sex;	 /* 'M' or 'F' */
};

/*
 * Parse and validate the identity number s (NUL-terminated).
 *
 * now_ms is the current time in UTC milliseconds since the Unix epoch; the
 * birth date may not lie after today's date in China (UTC+8). field names
 * the input field in errors (may be NULL).
 *
 * Returns 0 and fills *out, or FQ_EINVAL with one of these machine codes in
 * err (out is then zeroed):
 *   id_length     not 18 characters after trimming
 *   id_charset    a character other than a digit, or 'X' other than last
 *   id_region     the province part of the division code is not a province
 *                 of GB/T 2260 (11-15, 21-23, 31-37, 41-46, 50-54, 61-65,
 *                 71, 81, 82) nor 83 (Taiwan residents' residence permits)
 *   id_birth_date not a calendar date, before 1900 or in the future
 *   id_checksum   the check character does not match
 * The checks run in that order, so the first problem found is reported.
 */
int fq_idnum_parse(const char *s, const char *field, int64_t now_ms, struct fq_idnum *out,
		   struct fq_err *err) FQ_WUR;

/*
 * The check character ('0'-'9' or 'X') for the 17 digits at first17, or
 * '\0' if one of them is not a digit.
 */
char fq_idnum_check_char(const char *first17);

/*
 * Convert an old 15-digit number (GB 11643-1989: 6-digit division code,
 * YYMMDD birth date in the 1900s, 3-digit sequence code, no check
 * character) to the 18-character form by inserting "19" before the year
 * and appending the check character. Leading and trailing ASCII blanks are
 * trimmed. Only the form is checked here: pass the result to
 * fq_idnum_parse to validate division code and date.
 *
 * Returns 0 and writes the NUL-terminated number into out, or FQ_EINVAL
 * with id_length or id_charset in err (out is then "").
 */
int fq_idnum_from15(const char *s, const char *field, char out[FQ_IDNUM_LEN + 1],
		    struct fq_err *err) FQ_WUR;

/*
 * Masked copy for display: the first 6 and the last 4 characters kept, the
 * 8 in between replaced by '*' ("110105********002X"). id18 must be 18
 * characters; otherwise out is set to "" and FQ_EINVAL returned, so that a
 * malformed number is never shown unmasked.
 */
int fq_idnum_mask(const char *id18, char out[FQ_IDNUM_LEN + 1]);

#endif
