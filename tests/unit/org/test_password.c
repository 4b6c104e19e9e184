#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "org/password.h"
#include "unit/fq_test.h"

static void policy_ok(const char *password, const char *username)
{
	struct fq_err err = FQ_ERR_INIT;

	if (fq_password_check_policy(password, username, "password", &err) != 0)
		fail_msg("\"%s\" (user %s) refused: %s", password, username ? username : "-",
			 err.machine);
}

static void policy_bad(const char *password, const char *username, const char *machine)
{
	struct fq_err err = FQ_ERR_INIT;
	int rc = fq_password_check_policy(password, username, "new_password", &err);

	if (rc != FQ_EINVAL)
		fail_msg("\"%s\" (user %s): got %d, want FQ_EINVAL %s", password,
			 username ? username : "-", rc, machine);
	if (strcmp(err.machine, machine) != 0)
		fail_msg("\"%s\": machine %s, want %s", password, err.machine, machine);
	assert_string_equal(err.field, "new_password");
	assert_true(err.message[0] != '\0');
}

static void test_length(void **state)
{
	(void)state;
	policy_bad("", NULL, "password_too_short");
	policy_bad("Xk9#mPq2", NULL, "password_too_short");
	policy_bad("Xk9#mPq2$vL", NULL, "password_too_short"); /* 11 */
	policy_ok("Xk9#mPq2$vLw", NULL);		       /* exactly 12 */
	policy_ok("Xk9#mPq2$vLw-and-a-long-tail", NULL);
}

static void test_max_bytes(void **state)
{
	char pw[FQ_PASSWORD_MAX_BYTES + 2];

	(void)state;
	for (int i = 0; i < FQ_PASSWORD_MAX_BYTES; i++)
		pw[i] = "Ab1!x9Qz"[i % 8];
	pw[FQ_PASSWORD_MAX_BYTES] = '\0';
	policy_ok(pw, NULL);
	pw[FQ_PASSWORD_MAX_BYTES] = 'k';
	pw[FQ_PASSWORD_MAX_BYTES + 1] = '\0';
	policy_bad(pw, NULL, "password_too_long");
}

static void test_chinese_counts_characters(void **state)
{
	(void)state;
	/* 5 characters in 15 bytes: too short although over 12 bytes. */
	policy_bad("枫桥经验好", NULL, "password_too_short");
	/* 11 characters, 33 bytes. */
	policy_bad("枫桥经验发源地诸暨市公", NULL, "password_too_short");
	/* 13 characters. */
	policy_ok("枫桥经验发源地诸暨市公安局", NULL);
	/* 12 characters mixing scripts. */
	policy_ok("我的密码Pw9!很安全哦", NULL);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	policy_bad("abcdefgh\xff\xfeijklmn", NULL, "invalid_utf8");
	policy_bad("\xe6\x9e\xab\xe6\x9e\xab\xe6\x9e\xab\xe6\x9e\xab\xe6\x9e", NULL,
		   "invalid_utf8");
	policy_bad("overlong\xc0\xafslash!!", NULL, "invalid_utf8");
}

static void test_common_passwords(void **state)
{
	(void)state;
	policy_bad("password1234", NULL, "password_common");
	policy_bad("Password1234", NULL, "password_common");
	policy_bad("PASSWORD1234", NULL, "password_common");
	policy_bad("FengQiao1234", NULL, "password_common");
	policy_bad("P@ssw0rd1234", NULL, "password_common");
	policy_bad("woaini1314520", NULL, "password_common");
	policy_bad("Administrator", NULL, "password_common");
	/* Near misses are not on the list. */
	policy_ok("password1234x", NULL);
}

static void test_runs_and_sequences(void **state)
{
	(void)state;
	policy_bad("aaaaaaaaaaaaaa", NULL, "password_common");
	policy_bad("##############", NULL, "password_common");
	policy_bad("2345678901234", NULL, "password_common");
	policy_bad("9876543210987", NULL, "password_common");
	policy_bad("abcdefghijklmn", NULL, "password_common");
	policy_bad("ABCDEFGHIJKLMN", NULL, "password_common");
	policy_bad("zyxwvutsrqpon", NULL, "password_common");
	policy_bad("qwertyuiopasd", NULL, "password_common");
	policy_bad("QwErTyUiOpAsDf", NULL, "password_common");
	/* A sequence inside other characters is acceptable. */
	policy_ok("x-abcdefghijkl-9", NULL);
	policy_ok("abcdefghijklmo", NULL);
}

/* A run of one Chinese character is a run of one character. */
static void test_run_of_one_chinese_character(void **state)
{
	(void)state;
	policy_bad("好好好好好好好好好好好好", NULL, "password_common");
}

static void test_contains_username(void **state)
{
	(void)state;
	policy_bad("my-zhangsan-2026!", "zhangsan", "password_contains_username");
	policy_bad("my-ZhangSan-2026!", "zhangsan", "password_contains_username");
	policy_bad("zhangsan2026!xyz", "zhangsan", "password_contains_username");
	policy_ok("my-zhang-san-2026!", "zhangsan");
	/* Usernames under 3 characters are not looked for. */
	policy_ok("li-strong-pass-99", "li");
	policy_ok("my-zhangsan-2026!", NULL);
	policy_ok("my-zhangsan-2026!", "");
}

static void test_no_err_struct(void **state)
{
	(void)state;
	assert_int_equal(fq_password_check_policy("short", NULL, "password", NULL), FQ_EINVAL);
	assert_int_equal(fq_password_check_policy("Xk9#mPq2$vLw", NULL, "password", NULL), 0);
}

static void test_hash_and_verify(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	char h1[FQ_PASSWORD_HASH_MAX], h2[FQ_PASSWORD_HASH_MAX];
	const char *pw = "correct horse battery staple";

	(void)state;
	assert_int_equal(fq_password_hash(pw, h1, &err), 0);
	assert_true(strlen(h1) < FQ_PASSWORD_HASH_MAX);
	if (strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31) != 0)
		fail_msg("unexpected encoding: %s", h1);
	assert_int_equal(fq_password_verify(h1, pw), 1);
	assert_int_equal(fq_password_verify(h1, "correct horse battery stapl"), 0);
	assert_int_equal(fq_password_verify(h1, "Correct horse battery staple"), 0);
	assert_int_equal(fq_password_verify(h1, ""), 0);

	/* Salted: the same password hashes differently, both verify. */
	assert_int_equal(fq_password_hash(pw, h2, &err), 0);
	assert_string_not_equal(h1, h2);
	assert_int_equal(fq_password_verify(h2, pw), 1);
}

static void test_hash_chinese(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	char h[FQ_PASSWORD_HASH_MAX];

	(void)state;
	assert_int_equal(fq_password_hash("枫桥经验发源地诸暨市公安局", h, &err), 0);
	assert_int_equal(fq_password_verify(h, "枫桥经验发源地诸暨市公安局"), 1);
	assert_int_equal(fq_password_verify(h, "枫桥经验发源地诸暨市公安"), 0);
}

static void test_verify_null_and_garbage(void **state)
{
	(void)state;
	assert_int_equal(fq_password_verify(NULL, "anything at all"), 0);
	assert_int_equal(fq_password_verify(NULL, ""), 0);
	assert_int_equal(fq_password_verify("", "anything at all"), 0);
	assert_int_equal(fq_password_verify("not a hash", "anything at all"), 0);
	assert_int_equal(fq_password_verify("$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB", "x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_length),
	    cmocka_unit_test(test_max_bytes),
	    cmocka_unit_test(test_chinese_counts_characters),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_common_passwords),
	    cmocka_unit_test(test_runs_and_sequences),
	    cmocka_unit_test(test_run_of_one_chinese_character),
	    cmocka_unit_test(test_contains_username),
	    cmocka_unit_test(test_no_err_struct),
	    cmocka_unit_test(test_hash_and_verify),
	    cmocka_unit_test(test_hash_chinese),
	    cmocka_unit_test(test_verify_null_and_garbage),
	};

	return cmocka_run_group_tests(tests, fq_test_global_setup_password,
				      fq_test_global_teardown);
}
