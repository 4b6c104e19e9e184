#include "org/password.h"

#include <ctype.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/text.h"
#include "core/banned.h"

/*
 * Common passwords of 12 or more characters (shorter ones fail the length
 * rule already), lower-case; compared case-insensitively. Collected by hand
 * from published breach statistics; extend as needed.
 */
static const char *const common_passwords[] = {
    "123456789012",   "1234567890123", "12345678901234",   "123456789123",     "1234567890qwe",
    "123456123456",   "111111111111",  "000000000000",	   "123123123123",     "qwertyuiopas",
    "qwertyuiop123",  "qwerty123456",  "1qaz2wsx3edc",	   "1qaz2wsx3edc4rfv", "1q2w3e4r5t6y",
    "q1w2e3r4t5y6",   "zaq12wsxcde3",  "passwordpassword", "password1234",     "password12345",
    "password123456", "p@ssw0rd1234",  "p@ssword1234",	   "passw0rd1234",     "administrator",
    "administrator1", "admin1234567",  "admin123456789",   "adminadmin123",    "iloveyou1234",
    "woaini1314520",  "woaini521521",  "woaiwojia123",	   "abcdefghijkl",     "abc123456789",
    "abcd12345678",   "a1234567890b",  "aa1234567890",	   "qq1234567890",     "welcome12345",
    "letmein12345",   "changeme1234",  "sunshine1234",	   "football1234",     "baseball1234",
    "princess1234",   "dragon123456",  "monkey123456",	   "master123456",     "superman1234",
    "trustno11234",   "starwars1234",  "computer1234",	   "internet1234",     "fengqiao1234",
    "fengqiao123456", "police123456",  "police110110",	   "gongan123456",     "jingcha12345",
    "paichusuo123",   "110110110110",  "520520520520",	   "147258369147",     "159753159753",
    "789456123789",   "987654321098",  "zxcvbnm12345",	   "asdfghjkl123",     "qazwsxedcrfv",
    "1357924680ab",   "aaaaaaaaaaaa",  "abcabcabcabc",	   "testtest1234",     "test12345678",
    "user12345678",   "guest1234567",  "default12345",	   "root12345678",     NULL,
};

static char dummy_hash[crypto_pwhash_STRBYTES];
static sem_t hash_slots;

int fq_password_global_init(void)
{
	unsigned char junk[32];

	if (sodium_init() < 0)
		return FQ_EINTERNAL;
	if (sem_init(&hash_slots, 0, FQ_PASSWORD_PARALLEL) != 0)
		return FQ_EINTERNAL;
	randombytes_buf(junk, sizeof(junk));
	if (crypto_pwhash_str_alg(dummy_hash, (const char *)junk, sizeof(junk),
				  FQ_PASSWORD_OPSLIMIT, FQ_PASSWORD_MEMLIMIT,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return FQ_EINTERNAL;
	return 0;
}

static int is_sequence(const char *p)
{
	static const char *const rows[] = {
	    "0123456789012345678901234567890", "9876543210987654321098765432109",
	    "abcdefghijklmnopqrstuvwxyz",      "qwertyuiopasdfghjklzxcvbnm",
	    "zyxwvutsrqponmlkjihgfedcba",      NULL};
	char lower[FQ_PASSWORD_MAX_BYTES + 1];
	size_t n = strlen(p);

	if (n > FQ_PASSWORD_MAX_BYTES)
		return 0;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)p[i]);
	for (int r = 0; rows[r]; r++)
		if (strstr(rows[r], lower))
			return 1;
	return 0;
}

/* 1 when the (valid UTF-8) string repeats one character, which may be multi-byte. */
static int one_char_run(const char *p)
{
	size_t n = strlen(p), first = 1;

	while (first < n && ((unsigned char)p[first] & 0xc0) == 0x80)
		first++;
	if (n % first)
		return 0;
	for (size_t i = first; i < n; i += first)
		if (memcmp(p + i, p, first) != 0)
			return 0;
	return 1;
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (n < 3)
		return 0;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

int fq_password_check_policy(const char *password, const char *username, const char *field,
			     struct fq_err *err)
{
	size_t bytes = strlen(password);

	if (bytes > FQ_PASSWORD_MAX_BYTES)
		return fq_err_set(err, FQ_EINVAL, "password_too_long", field,
				  "密码不能超过 %d 字节", FQ_PASSWORD_MAX_BYTES);
	if (!fq_utf8_valid(password, bytes))
		return fq_err_set(err, FQ_EINVAL, "invalid_utf8", field, "密码不是有效的 UTF-8");
	if (fq_utf8_chars(password) < FQ_PASSWORD_MIN_CHARS)
		return fq_err_set(err, FQ_EINVAL, "password_too_short", field,
				  "密码至少需要 %d 个字符", FQ_PASSWORD_MIN_CHARS);
	for (int i = 0; common_passwords[i]; i++)
		if (strcasecmp(password, common_passwords[i]) == 0)
			return fq_err_set(err, FQ_EINVAL, "password_common", field,
					  "该密码过于常见，请换一个");
	if (one_char_run(password) || is_sequence(password))
		return fq_err_set(err, FQ_EINVAL, "password_common", field,
				  "密码不能是重复字符或连续序列");
	if (username && contains_ci(password, username))
		return fq_err_set(err, FQ_EINVAL, "password_contains_username", field,
				  "密码不能包含用户名");
	return 0;
}

int fq_password_hash(const char *password, char out[FQ_PASSWORD_HASH_MAX], struct fq_err *err)
{
	char h[crypto_pwhash_STRBYTES];
	int rc;

	sem_wait(&hash_slots);
	rc = crypto_pwhash_str_alg(h, password, strlen(password), FQ_PASSWORD_OPSLIMIT,
				   FQ_PASSWORD_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&hash_slots);
	if (rc != 0)
		return fq_err_set(err, FQ_EINTERNAL, "hash_failed", NULL, "密码处理失败");
	if (strlen(h) >= FQ_PASSWORD_HASH_MAX)
		return fq_err_set(err, FQ_EINTERNAL, "hash_failed", NULL, "密码处理失败");
	memcpy(out, h, strlen(h) + 1);
	return 0;
}

int fq_password_verify(const char *hash, const char *password)
{
	int ok;

	sem_wait(&hash_slots);
	if (!hash) {
		/* Same work as a real check; the result cannot be a match. */
		int dummy = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));
		(void)dummy;
		ok = 0;
	} else {
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	}
	sem_post(&hash_slots);
	return ok;
}
