#include "community/mask.h"

#include <string.h>

#include "core/banned.h"

void fq_mask_id_number(const char *id, char out[FQ_IDNUM_LEN + 1])
{
	if (!id || fq_idnum_mask(id, out) != 0)
		out[0] = '\0';
}

void fq_mask_phone(const char *phone, char out[FQ_PHONE_MAX + 1])
{
	if (!phone || fq_phone_mask(phone, out) != 0)
		out[0] = '\0';
}

/* Length of the UTF-8 sequence starting with byte b (1 for stray bytes). */
static size_t seq_len(unsigned char b)
{
	return b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
}

/* Whether s starts with an ASCII or a full-width digit ("０".."９"). */
static int digit_at(const unsigned char *s)
{
	return (s[0] >= '0' && s[0] <= '9') ||
	       (s[0] == 0xef && s[1] == 0xbc && s[2] >= 0x90 && s[2] <= 0x99);
}

int fq_mask_address(const char *address, struct fq_buf *out)
{
	const unsigned char *s = (const unsigned char *)(address ? address : "");
	size_t i = 0, chars = 0, keep = 0, n = strlen((const char *)s);
	int has_digit = 0;

	for (size_t k = 0; k < n; k += seq_len(s[k]))
		if (digit_at(s + k)) {
			has_digit = 1;
			break;
		}
	while (i < n) {
		size_t l = seq_len(s[i]);
		if (i + l > n)
			break;
		if (has_digit ? digit_at(s + i) : chars == FQ_MASK_ADDRESS_KEEP)
			break;
		i += l;
		chars++;
	}
	keep = i;
	if (keep == n)
		return fq_buf_add(out, s, n);
	return fq_buf_add(out, s, keep) ? FQ_ETOOBIG : fq_buf_adds(out, "****");
}
