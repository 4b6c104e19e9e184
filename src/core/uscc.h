/*
 * Unified social credit codes (统一社会信用代码, GB 32100-2015).
 *
 * 18 characters from the 31-character set 0-9 A-H J-N P-R T U W-Y (no I, O,
 * S, V, Z):
 *   1      registration authority (登记管理部门码), e.g. '9' market regulation
 *   2      organisation type within that authority (机构类别码)
 *   3-8    administrative division code (GB/T 2260)
 *   9-17   organisation code (主体标识码, GB 11714, its own check last)
 *   18     check character: 31 - (sum of value(c_i) * 3^(i-1) mod 31) mod 31
 *
 * Leading and trailing ASCII blanks are trimmed and lower-case letters are
 * upper-cased. Every function here is pure: no allocation, no global
 * state, safe to call from any thread.
 */
#ifndef FQ_CORE_USCC_H
#define FQ_CORE_USCC_H

#include <stdbool.h>

#include "core/err.h"

#define FQ_USCC_LEN 18

struct fq_uscc {
	char code[FQ_USCC_LEN + 1]; /* normalised, upper case */
	char authority;		    /* registration authority code, e.g. '9' */
	char type;		    /* organisation type code, e.g. '1' */
	char division[7];	    /* "350100"; "100000" for national bodies */
	char org_code[10];	    /* the 9-character GB 11714 organisation code */
	/*
	 * Whether org_code carries a valid GB 11714 check character. Informative
	 * only: codes issued to some sole traders and in early local batches do
	 * not satisfy it, so a mismatch is not a parse error.
	 */
	bool org_code_check_ok;
};

/*
 * Parse and validate the code s (NUL-terminated). field names the input
 * field in errors (may be NULL).
 *
 * Returns 0 and fills *out, or FQ_EINVAL with one of these machine codes in
 * err (out is then zeroed), checked in this order:
 *   uscc_charset   a character outside the 31-character set
 *   uscc_length    not 18 characters after trimming
 *   uscc_authority unknown registration authority code
 *   uscc_type      organisation type code not defined for that authority
 *   uscc_region    division code is not 6 digits of a known province
 *                  (10 national, 11-82 as in GB/T 2260)
 *   uscc_checksum  the check character does not match
 */
int fq_uscc_parse(const char *s, const char *field, struct fq_uscc *out, struct fq_err *err) FQ_WUR;

/*
 * The check character for the 17 characters at first17, or '\0' if one of
 * them is outside the character set (upper case only).
 */
char fq_uscc_check_char(const char *first17);

/*
 * Chinese name of a registration authority ("工商" for '9'), or NULL when
 * the code is unknown. Static storage.
 */
const char *fq_uscc_authority_name(char authority);

/*
 * Chinese name of an organisation type ("个体工商户" for '9','2'), or NULL
 * when the pair is unknown. Static storage.
 */
const char *fq_uscc_type_name(char authority, char type);

#endif
