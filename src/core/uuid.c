#include "core/uuid.h"

#include <sodium.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/banned.h"

int fq_uuid_global_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void fq_uuid7(uint8_t out[16])
{
	uint64_t ms = (uint64_t)fq_now_ms();

	randombytes_buf(out + 6, 10);
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)(ms >> (40 - 8 * i));
	out[6] = (uint8_t)(0x70 | (out[6] & 0x0f));
	out[8] = (uint8_t)(0x80 | (out[8] & 0x3f));
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
