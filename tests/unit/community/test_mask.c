/* Masking of identifiers and addresses (community/mask.h). */
#include "unit/fq_test.h"

#include "community/mask.h"

static void test_id_numbers(void **state)
{
	char out[FQ_IDNUM_LEN + 1];
	(void)state;
	fq_mask_id_number("11010519491231002X", out);
	assert_string_equal(out, "110105********002X");
	/* Never shown unmasked when malformed. */
	fq_mask_id_number("1101051949", out);
	assert_string_equal(out, "");
	fq_mask_id_number(NULL, out);
	assert_string_equal(out, "");
}

static void test_phones(void **state)
{
	char out[FQ_PHONE_MAX + 1];
	(void)state;
	fq_mask_phone("13812345678", out);
	assert_string_equal(out, "138****5678");
	fq_mask_phone("057587654321", out);
	assert_string_equal(out, "0575****4321");
	fq_mask_phone("138-1234-5678", out);
	assert_string_equal(out, "");
	fq_mask_phone(NULL, out);
	assert_string_equal(out, "");
}

static void check_address(const char *in, const char *want)
{
	struct fq_buf b;
	fq_buf_init(&b, 1024);
	assert_int_equal(fq_mask_address(in, &b), 0);
	assert_string_equal(b.buf, want);
	fq_buf_release(&b);
}

static void test_addresses(void **state)
{
	(void)state;
	check_address("枫溪镇桃园路12号3栋201室", "枫溪镇桃园路****");
	check_address("枫溪镇桃园路１２号", "枫溪镇桃园路****");
	check_address("12号", "****");
	check_address("枫溪镇梅岭村五组老屋", "枫溪镇梅岭村****");
	check_address("梅岭村", "梅岭村");
	check_address("", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_numbers),
	    cmocka_unit_test(test_phones),
	    cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
