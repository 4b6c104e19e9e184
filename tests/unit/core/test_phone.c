#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/phone.h"

static void expect_phone(const char *in, enum fq_phone_kind kind, const char *number,
			 const char *area_code)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_phone ph;
	int rc = fq_phone_normalize(in, &ph, &err);

	if (rc)
		fail_msg("\"%s\": %s (%s)", in, err.machine, err.message);
	assert_int_equal(ph.kind, kind);
	assert_string_equal(ph.number, number);
	assert_string_equal(ph.area_code, area_code);
}

static void expect_error(const char *in, const char *machine)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_phone ph;

	assert_int_equal(fq_phone_normalize(in, &ph, &err), FQ_EINVAL);
	assert_string_equal(err.machine, machine);
	assert_string_equal(err.field, "phone");
	assert_int_equal(ph.kind, FQ_PHONE_INVALID);
	assert_string_equal(ph.number, "");
}

static void test_mobile(void **state)
{
	(void)state;
	expect_phone("13812345678", FQ_PHONE_MOBILE, "13812345678", "");
	expect_phone("+86 138-1234-5678", FQ_PHONE_MOBILE, "13812345678", "");
	expect_phone("0086 13812345678", FQ_PHONE_MOBILE, "13812345678", "");
	expect_phone("8613812345678", FQ_PHONE_MOBILE, "13812345678", "");
	expect_phone("(+86)199.1234.5678", FQ_PHONE_MOBILE, "19912345678", "");
	expect_phone(" 138 1234 5678 ", FQ_PHONE_MOBILE, "13812345678", "");
	expect_phone("１３８１２３４５６７８", FQ_PHONE_MOBILE, "13812345678", "");
	expect_phone("＋８６　１３８—１２３４—５６７８", FQ_PHONE_MOBILE, "13812345678", "");
}

static void test_landline(void **state)
{
	(void)state;
	expect_phone("(0575)87654321", FQ_PHONE_LANDLINE, "057587654321", "0575");
	expect_phone("0575-87654321", FQ_PHONE_LANDLINE, "057587654321", "0575");
	expect_phone("0575-8765432", FQ_PHONE_LANDLINE, "05758765432", "0575");
	expect_phone("010-62345678", FQ_PHONE_LANDLINE, "01062345678", "010");
	expect_phone("021 5555 6666", FQ_PHONE_LANDLINE, "02155556666", "021");
	expect_phone("（０５７５）８７６５４３２１", FQ_PHONE_LANDLINE, "057587654321", "0575");
	/* Written from abroad the trunk 0 is dropped; some keep it anyway. */
	expect_phone("+86 10 6234 5678", FQ_PHONE_LANDLINE, "01062345678", "010");
	expect_phone("+86 575 8765 4321", FQ_PHONE_LANDLINE, "057587654321", "0575");
	expect_phone("+86 (0575) 8765 4321", FQ_PHONE_LANDLINE, "057587654321", "0575");
	/* A local number without area code. */
	expect_phone("8765-4321", FQ_PHONE_LANDLINE, "87654321", "");
}

static void test_service(void **state)
{
	(void)state;
	expect_phone("110", FQ_PHONE_SERVICE, "110", "");
	expect_phone("12345", FQ_PHONE_SERVICE, "12345", "");
	expect_phone("10086", FQ_PHONE_SERVICE, "10086", "");
	expect_phone("95588", FQ_PHONE_SERVICE, "95588", "");
	expect_phone("96110", FQ_PHONE_SERVICE, "96110", "");
	expect_phone("400-810-8888", FQ_PHONE_SERVICE, "4008108888", "");
	expect_phone("800-820-8820", FQ_PHONE_SERVICE, "8008208820", "");
	expect_phone("+86 400 810 8888", FQ_PHONE_SERVICE, "4008108888", "");
}

static void test_international(void **state)
{
	(void)state;
	expect_phone("+63 917 123 4567", FQ_PHONE_INTERNATIONAL, "+639171234567", "");
	expect_phone("00852 2345 6789", FQ_PHONE_INTERNATIONAL, "+85223456789", "");
	expect_error("+1234", "phone_format");
	expect_error("+0123456789", "phone_format");
	expect_error("+1234567890123456", "phone_format");
}

static void test_errors(void **state)
{
	char longer[FQ_PHONE_INPUT_MAX + 2];

	(void)state;
	expect_error("", "phone_length");
	expect_error("  - ", "phone_length");
	expect_error("138abc45678", "phone_charset");
	expect_error("138+12345678", "phone_charset");
	expect_error("++8613812345678", "phone_charset");
	expect_error("电话13812345678", "phone_charset");
	expect_error("12", "phone_format");
	expect_error("1381234567", "phone_format");
	expect_error("138123456789", "phone_format");
	expect_error("12812345678", "phone_format");
	expect_error("0575-1234567", "phone_format");
	expect_error("0111-87654321", "phone_format");
	expect_error("+86", "phone_format");
	expect_error("123456789012345678901", "phone_length");
	memset(longer, ' ', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, "13812345678", 11);
	expect_error(longer, "phone_length");
}

static void test_kind_name(void **state)
{
	(void)state;
	assert_string_equal(fq_phone_kind_name(FQ_PHONE_MOBILE), "mobile");
	assert_string_equal(fq_phone_kind_name(FQ_PHONE_LANDLINE), "landline");
	assert_string_equal(fq_phone_kind_name(FQ_PHONE_SERVICE), "service");
	assert_string_equal(fq_phone_kind_name(FQ_PHONE_INTERNATIONAL), "international");
	assert_string_equal(fq_phone_kind_name(FQ_PHONE_INVALID), "invalid");
}

static void expect_mask(const char *number, const char *masked)
{
	char out[FQ_PHONE_MAX + 1];

	assert_int_equal(fq_phone_mask(number, out), 0);
	assert_string_equal(out, masked);
}

static void test_mask(void **state)
{
	char out[FQ_PHONE_MAX + 1];

	(void)state;
	expect_mask("13812345678", "138****5678");
	expect_mask("057587654321", "0575****4321");
	expect_mask("01062345678", "010****5678");
	expect_mask("87654321", "****4321");
	expect_mask("+639171234567", "+63******4567");
	expect_mask("110", "110");
	expect_mask("95588", "95588");
	expect_mask("4008108888", "4008108888");
	assert_int_equal(fq_phone_mask("138-1234-5678", out), FQ_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(fq_phone_mask("12345678901234567", out), FQ_EINVAL);
	assert_int_equal(fq_phone_mask("", out), FQ_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mobile),  cmocka_unit_test(test_landline),
	    cmocka_unit_test(test_service), cmocka_unit_test(test_international),
	    cmocka_unit_test(test_errors),  cmocka_unit_test(test_kind_name),
	    cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
