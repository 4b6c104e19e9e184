#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/idnum.h"

/* 2024-11-23 12:00 in China (04:00 UTC). */
#define NOW_MS INT64_C(1732334400000)
/* 2024-11-23 23:59:59 and 2024-11-24 00:00:00 in China. */
#define LAST_SECOND_OF_23_MS  INT64_C(1732377599000)
#define FIRST_SECOND_OF_24_MS INT64_C(1732377600000)

static void expect_error(const char *s, int64_t now_ms, const char *machine)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_idnum id;

	assert_int_equal(fq_idnum_parse(s, "id_number", now_ms, &id, &err), FQ_EINVAL);
	assert_string_equal(err.machine, machine);
	assert_string_equal(err.field, "id_number");
	assert_true(err.message[0] != '\0');
	assert_string_equal(id.number, "");
}

static void test_gb11643_sample(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_idnum id;

	(void)state;
	assert_int_equal(fq_idnum_parse("11010519491231002X", "id_number", NOW_MS, &id, &err), 0);
	assert_string_equal(id.number, "11010519491231002X");
	assert_string_equal(id.division, "110105");
	assert_int_equal(id.birth_year, 1949);
	assert_int_equal(id.birth_month, 12);
	assert_int_equal(id.birth_day, 31);
	assert_int_equal(id.sex, 'F');
	assert_int_equal(err.code, 0);
}

static void test_male_and_lower_x_and_blanks(void **state)
{
	struct fq_idnum id;

	(void)state;
	assert_int_equal(fq_idnum_parse("110105194912310011", NULL, NOW_MS, &id, NULL), 0);
	assert_int_equal(id.sex, 'M');

	assert_int_equal(fq_idnum_parse("  11010519491231002x\t\n", NULL, NOW_MS, &id, NULL), 0);
	assert_string_equal(id.number, "11010519491231002X");
	assert_int_equal(id.sex, 'F');
}

static void test_check_char(void **state)
{
	(void)state;
	assert_int_equal(fq_idnum_check_char("11010519491231002"), 'X');
	assert_int_equal(fq_idnum_check_char("44030620000229123"), '9');
	assert_int_equal(fq_idnum_check_char("51010219800101123"), '3');
	assert_int_equal(fq_idnum_check_char("1101051949123100A"), '\0');
}

/* The check character straight from ISO 7064 MOD 11-2: weights 2^(17-i) mod 11. */
static char reference_check_char(const char *first17)
{
	int sum = 0;

	for (int i = 0; i < 17; i++) {
		int weight = 1;

		for (int k = 0; k < 17 - i; k++)
			weight = weight * 2 % 11;
		sum += (first17[i] - '0') * weight;
	}
	return "10X98765432"[sum % 11];
}

static void test_check_char_against_definition(void **state)
{
	uint32_t seed = 12345;
	char digits[18];

	(void)state;
	for (int n = 0; n < 10000; n++) {
		for (int i = 0; i < 17; i++) {
			seed = seed * 1103515245u + 12345u;
			digits[i] = (char)('0' + (seed >> 16) % 10);
		}
		digits[17] = '\0';
		assert_int_equal(fq_idnum_check_char(digits), reference_check_char(digits));
	}
}

static void test_more_valid_numbers(void **state)
{
	struct fq_idnum id;

	(void)state;
	assert_int_equal(fq_idnum_parse("320583198807153577", NULL, NOW_MS, &id, NULL), 0);
	assert_string_equal(id.division, "320583");
	assert_int_equal(id.birth_year, 1988);
	assert_int_equal(id.birth_month, 7);
	assert_int_equal(id.birth_day, 15);
	assert_int_equal(id.sex, 'M');
	assert_int_equal(fq_idnum_parse("441581197309264822", NULL, NOW_MS, &id, NULL), 0);
	assert_int_equal(id.sex, 'F');
	expect_error("441581197309264823", NOW_MS, "id_checksum");
}

static void test_length_and_charset(void **state)
{
	(void)state;
	expect_error("", NOW_MS, "id_length");
	expect_error("11010519491231002", NOW_MS, "id_length");
	expect_error("11010519491231002X1", NOW_MS, "id_length");
	expect_error("110105194912310O2X", NOW_MS, "id_charset");
	expect_error("1101051949123100X2", NOW_MS, "id_charset");
	expect_error("110105 19491231 002X", NOW_MS, "id_charset");
	/* Full-width digits are the caller's to fold with NFKC. */
	expect_error("１１０１０５１９４９１２３１００２Ｘ", NOW_MS, "id_charset");
}

static void test_checksum(void **state)
{
	(void)state;
	expect_error("110105194912310021", NOW_MS, "id_checksum");
	/* Two digits swapped: date still valid, checksum catches it. */
	expect_error("11010519491231020X", NOW_MS, "id_checksum");
	expect_error("510102198001011232", NOW_MS, "id_checksum");
}

static void test_region(void **state)
{
	struct fq_idnum id;

	(void)state;
	expect_error("990105194912310023", NOW_MS, "id_region");
	expect_error("100105194912310028", NOW_MS, "id_region");
	/* Hong Kong, Taiwan residence permits and the GB/T 2260 Taiwan code. */
	assert_int_equal(fq_idnum_parse("810000199001010019", NULL, NOW_MS, &id, NULL), 0);
	assert_int_equal(fq_idnum_parse("830000199001010020", NULL, NOW_MS, &id, NULL), 0);
	assert_int_equal(fq_idnum_parse("710000199001010015", NULL, NOW_MS, &id, NULL), 0);
	assert_string_equal(id.division, "710000");
}

static void test_birth_date(void **state)
{
	struct fq_idnum id;

	(void)state;
	/* 2000 is a leap year, 1900 is not. */
	assert_int_equal(fq_idnum_parse("440306200002291239", NULL, NOW_MS, &id, NULL), 0);
	assert_int_equal(id.birth_month, 2);
	assert_int_equal(id.birth_day, 29);
	expect_error("330602190002290016", NOW_MS, "id_birth_date");
	expect_error("110105189912310015", NOW_MS, "id_birth_date");
	expect_error("110105209912310010", NOW_MS, "id_birth_date");
}

static void test_birth_date_today_in_china(void **state)
{
	struct fq_idnum id;

	(void)state;
	/* Born 2024-11-23: fine on that day. */
	assert_int_equal(fq_idnum_parse("33060220241123001X", NULL, NOW_MS, &id, NULL), 0);
	/* Born 2024-11-24: in the future until midnight in China (16:00 UTC). */
	expect_error("330602202411240015", NOW_MS, "id_birth_date");
	expect_error("330602202411240015", LAST_SECOND_OF_23_MS, "id_birth_date");
	assert_int_equal(
	    fq_idnum_parse("330602202411240015", NULL, FIRST_SECOND_OF_24_MS, &id, NULL), 0);
	assert_int_equal(id.birth_day, 24);
	/* A nonsensical clock makes every date lie in the future, never crashes. */
	expect_error("330602202411240015", INT64_MIN, "id_birth_date");
	assert_int_equal(fq_idnum_parse("330602202411240015", NULL, INT64_MAX, &id, NULL), 0);
}

static void test_from15(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	char out[FQ_IDNUM_LEN + 1];
	struct fq_idnum id;

	(void)state;
	assert_int_equal(fq_idnum_from15(" 110105491231002 ", "old_id", out, &err), 0);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(fq_idnum_parse(out, NULL, NOW_MS, &id, NULL), 0);

	assert_int_equal(fq_idnum_from15("11010549123100", "old_id", out, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "id_length");
	assert_string_equal(err.field, "old_id");
	assert_string_equal(out, "");
	assert_int_equal(fq_idnum_from15("11010549123100X", "old_id", out, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "id_charset");
}

static void test_mask(void **state)
{
	char out[FQ_IDNUM_LEN + 1];

	(void)state;
	assert_int_equal(fq_idnum_mask("11010519491231002X", out), 0);
	assert_string_equal(out, "110105********002X");
	assert_int_equal(fq_idnum_mask("11010519491231002", out), FQ_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(fq_idnum_mask("11010519491231002X0", out), FQ_EINVAL);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gb11643_sample),
	    cmocka_unit_test(test_male_and_lower_x_and_blanks),
	    cmocka_unit_test(test_check_char),
	    cmocka_unit_test(test_check_char_against_definition),
	    cmocka_unit_test(test_more_valid_numbers),
	    cmocka_unit_test(test_length_and_charset),
	    cmocka_unit_test(test_checksum),
	    cmocka_unit_test(test_region),
	    cmocka_unit_test(test_birth_date),
	    cmocka_unit_test(test_birth_date_today_in_china),
	    cmocka_unit_test(test_from15),
	    cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
