#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "org/rights.h"

#define R(x) FQ_ROLE_BIT(FQ_ROLE_##x)
#define A(x) FQ_ACTION_BIT(FQ_ACT_##x)

static void test_role_codes_round_trip(void **state)
{
	static const char *const codes[FQ_ROLE_COUNT] = {
	    "admin",	 "chief",	"operator",  "community_officer", "case_officer",
	    "auxiliary", "grid_worker", "volunteer", "analyst",		  "auditor"};

	(void)state;
	for (int r = 0; r < FQ_ROLE_COUNT; r++) {
		assert_string_equal(fq_role_code((enum fq_role)r), codes[r]);
		assert_int_equal(fq_role_from_code(codes[r]), r);
		assert_non_null(fq_role_label((enum fq_role)r));
		assert_true(strlen(fq_role_label((enum fq_role)r)) > 0);
		for (int k = 0; k < r; k++)
			assert_string_not_equal(fq_role_label((enum fq_role)r),
						fq_role_label((enum fq_role)k));
	}
	assert_string_equal(fq_role_label(FQ_ROLE_CHIEF), "所长");
	assert_string_equal(fq_role_label(FQ_ROLE_AUDITOR), "审计员");
	assert_null(fq_role_code(FQ_ROLE_COUNT));
	assert_null(fq_role_label(FQ_ROLE_COUNT));
	assert_null(fq_role_code((enum fq_role) - 1));
	assert_int_equal(fq_role_from_code("Admin"), -1);
	assert_int_equal(fq_role_from_code("admin "), -1);
	assert_int_equal(fq_role_from_code(""), -1);
	assert_int_equal(fq_role_from_code("superuser"), -1);
}

static void test_action_codes(void **state)
{
	(void)state;
	assert_string_equal(fq_action_code(FQ_ACT_UNIT_READ), "unit.read");
	assert_string_equal(fq_action_code(FQ_ACT_UNIT_MANAGE), "unit.manage");
	assert_string_equal(fq_action_code(FQ_ACT_USER_READ), "user.read");
	assert_string_equal(fq_action_code(FQ_ACT_USER_MANAGE), "user.manage");
	assert_string_equal(fq_action_code(FQ_ACT_AUDIT_READ), "audit.read");
	assert_string_equal(fq_action_code(FQ_ACT_PERSON_READ), "person.read");
	assert_string_equal(fq_action_code(FQ_ACT_PERSON_REVEAL), "person.reveal");
	assert_string_equal(fq_action_code(FQ_ACT_ALERT_CREATE), "alert.create");
	assert_string_equal(fq_action_code(FQ_ACT_INCIDENT_READ), "incident.read");
	assert_string_equal(fq_action_code(FQ_ACT_INCIDENT_MANAGE), "incident.manage");
	assert_string_equal(fq_action_code(FQ_ACT_PHONE_READ), "phone.read");
	assert_null(fq_action_code(FQ_ACT_COUNT));
	assert_null(fq_action_code((enum fq_action) - 1));
}

/* The community registries' actions (docs/community.md). */
#define COMMUNITY_FIELD (A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ))
#define COMMUNITY_FULL	(COMMUNITY_FIELD | A(PERSON_CONCERN))

static void test_grants_table(void **state)
{
	(void)state;
	assert_int_equal(fq_roles_actions(R(ADMIN)),
			 A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE));
	assert_int_equal(fq_roles_actions(R(CHIEF)), A(UNIT_READ) | A(USER_READ) | A(PERSON_READ) |
							 A(PERSON_REVEAL) | A(ALERT_CREATE) |
							 A(INCIDENT_READ) | A(INCIDENT_MANAGE) |
							 A(PHONE_READ) | COMMUNITY_FULL);
	assert_int_equal(fq_roles_actions(R(OPERATOR)),
			 A(UNIT_READ) | A(PERSON_READ) | A(ALERT_CREATE) | A(INCIDENT_READ) |
			     A(INCIDENT_MANAGE) | A(PHONE_READ) | A(REGISTRY_READ));
	assert_int_equal(fq_roles_actions(R(COMMUNITY_OFFICER)),
			 A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | A(INCIDENT_READ) |
			     COMMUNITY_FULL);
	assert_int_equal(fq_roles_actions(R(CASE_OFFICER)),
			 A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | A(INCIDENT_READ) |
			     A(REGISTRY_READ) | A(ADDRESS_READ) | A(PERSON_CONCERN));
	assert_int_equal(fq_roles_actions(R(AUXILIARY)),
			 A(UNIT_READ) | A(PERSON_READ) | A(INCIDENT_READ) | COMMUNITY_FIELD);
	assert_int_equal(fq_roles_actions(R(GRID_WORKER)),
			 A(UNIT_READ) | A(PERSON_READ) | COMMUNITY_FIELD);
	assert_int_equal(fq_roles_actions(R(VOLUNTEER)), A(UNIT_READ));
	assert_int_equal(fq_roles_actions(R(ANALYST)), A(UNIT_READ) | A(INCIDENT_READ));
	assert_int_equal(fq_roles_actions(R(AUDITOR)), A(UNIT_READ) | A(USER_READ) | A(AUDIT_READ));
	assert_int_equal(fq_roles_actions(0), 0);
	/* A set grants the union. */
	assert_int_equal(fq_roles_actions(R(ADMIN) | R(AUDITOR)),
			 A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE) |
			     A(AUDIT_READ));
	/* Bits beyond the known roles grant nothing. */
	assert_int_equal(fq_roles_actions(FQ_ROLE_BIT(FQ_ROLE_COUNT) | 0x80000000u), 0);
}

static void test_only_auditor_reads_audit(void **state)
{
	(void)state;
	for (int r = 0; r < FQ_ROLE_COUNT; r++) {
		uint32_t set = FQ_ROLE_BIT(r);
		assert_int_equal(fq_roles_can(set, FQ_ACT_AUDIT_READ), r == FQ_ROLE_AUDITOR);
		assert_int_equal(fq_roles_can(set, FQ_ACT_USER_MANAGE), r == FQ_ROLE_ADMIN);
		assert_int_equal(fq_roles_can(set, FQ_ACT_UNIT_MANAGE), r == FQ_ROLE_ADMIN);
		/* Every role sees units. */
		assert_true(fq_roles_can(set, FQ_ACT_UNIT_READ));
	}
	/* The auditor reads no personal data; the admin neither. */
	assert_false(fq_roles_can(R(AUDITOR), FQ_ACT_PERSON_READ));
	assert_false(fq_roles_can(R(ADMIN), FQ_ACT_PERSON_READ));
	assert_false(fq_roles_can(R(ADMIN), FQ_ACT_AUDIT_READ));
	assert_false(fq_roles_can(0, FQ_ACT_UNIT_READ));
	assert_false(fq_roles_can(R(ADMIN), FQ_ACT_COUNT));
	assert_false(fq_roles_can(R(ADMIN), (enum fq_action) - 1));
}

static void test_granting(void **state)
{
	(void)state;
	assert_int_equal(fq_roles_granting(R(CHIEF) | R(AUDITOR), FQ_ACT_USER_READ), FQ_ROLE_CHIEF);
	assert_int_equal(fq_roles_granting(R(CHIEF) | R(AUDITOR), FQ_ACT_AUDIT_READ),
			 FQ_ROLE_AUDITOR);
	assert_int_equal(fq_roles_granting(R(VOLUNTEER) | R(CASE_OFFICER), FQ_ACT_PERSON_REVEAL),
			 FQ_ROLE_CASE_OFFICER);
	assert_int_equal(fq_roles_granting(R(VOLUNTEER), FQ_ACT_PERSON_READ), -1);
	assert_int_equal(fq_roles_granting(0, FQ_ACT_UNIT_READ), -1);
}

static void test_scope_covers(void **state)
{
	(void)state;
	/* Self, child, grandchild. */
	assert_true(fq_scope_covers("/339902/", "/339902/"));
	assert_true(fq_scope_covers("/339902/", "/339902/3399025/"));
	assert_true(fq_scope_covers("/339902/", "/339902/3399025/339902510000/"));
	assert_true(fq_scope_covers("/339902/3399025/", "/339902/3399025/339902510000/"));
	/* Parent and siblings are not covered. */
	assert_false(fq_scope_covers("/339902/3399025/", "/339902/"));
	assert_false(fq_scope_covers("/339902/3399025/", "/339902/3399026/"));
	/* A sibling whose code starts with this unit's code. */
	assert_false(fq_scope_covers("/339902/3399025/", "/339902/339902510000/"));
	assert_false(fq_scope_covers("/339902/3399025/", "/339902/33990251/x/"));
	assert_false(fq_scope_covers("/33/", "/330600/"));
	/* Covered only from the root down, never in the middle. */
	assert_false(fq_scope_covers("/3399025/", "/339902/3399025/"));
}

static void test_scope_malformed(void **state)
{
	(void)state;
	assert_false(fq_scope_covers(NULL, "/339902/"));
	assert_false(fq_scope_covers("/339902/", NULL));
	assert_false(fq_scope_covers(NULL, NULL));
	assert_false(fq_scope_covers("", "/339902/"));
	assert_false(fq_scope_covers("", ""));
	assert_false(fq_scope_covers("/", "/339902/"));
	assert_false(fq_scope_covers("339902/", "339902/"));
	assert_false(fq_scope_covers("/339902", "/339902/3399025/"));
	assert_false(fq_scope_covers("/339902", "/3399020/"));
	assert_false(fq_scope_covers("/339902/", ""));
	assert_false(fq_scope_covers("/339902/", "/339902"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_role_codes_round_trip),
	    cmocka_unit_test(test_action_codes),
	    cmocka_unit_test(test_grants_table),
	    cmocka_unit_test(test_only_auditor_reads_audit),
	    cmocka_unit_test(test_granting),
	    cmocka_unit_test(test_scope_covers),
	    cmocka_unit_test(test_scope_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
