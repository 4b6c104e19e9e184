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
	assert_string_equal(fq_action_code(FQ_ACT_DISPUTE_READ), "dispute.read");
	assert_string_equal(fq_action_code(FQ_ACT_DISPUTE_MEDIATE), "dispute.mediate");
	assert_string_equal(fq_action_code(FQ_ACT_CASE_MANAGE), "case.manage");
	assert_null(fq_action_code(FQ_ACT_COUNT));
	assert_null(fq_action_code((enum fq_action) - 1));
}

/* The actions of role restricted to mask: each capability checks its own slice. */
static uint64_t granted(uint32_t role_bits, uint64_t mask)
{
	return fq_roles_actions(role_bits) & mask;
}

#define FOUNDATION_COMMAND                                                                         \
	(A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE) | A(AUDIT_READ) |           \
	 A(PERSON_READ) | A(PERSON_REVEAL) | A(ALERT_CREATE) | A(INCIDENT_READ) |                  \
	 A(INCIDENT_MANAGE) | A(PHONE_READ))
#define FIELD                                                                                      \
	(A(FIELD_READ) | A(CARD_MANAGE) | A(MESSAGE_HANDLE) | A(SERVICE_MANAGE) | A(CLUE_REPORT) | \
	 A(CLUE_MANAGE))
/* Disputes: reporters read and report; mediators also mediate; officers also manage. */
#define DISPUTE_REPORT	(A(DISPUTE_READ) | A(DISPUTE_REPORT))
#define DISPUTE_MEDIATE (DISPUTE_REPORT | A(DISPUTE_MEDIATE))
#define DISPUTE_ALL	(DISPUTE_MEDIATE | A(DISPUTE_MANAGE))

static void test_grants_table(void **state)
{
	const uint64_t fc = FOUNDATION_COMMAND;
	(void)state;
	assert_int_equal(granted(R(ADMIN), fc),
			 A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE));
	assert_int_equal(granted(R(CHIEF), fc), A(UNIT_READ) | A(USER_READ) | A(PERSON_READ) |
						    A(PERSON_REVEAL) | A(ALERT_CREATE) |
						    A(INCIDENT_READ) | A(INCIDENT_MANAGE) |
						    A(PHONE_READ));
	assert_int_equal(granted(R(OPERATOR), fc), A(UNIT_READ) | A(PERSON_READ) | A(ALERT_CREATE) |
						       A(INCIDENT_READ) | A(INCIDENT_MANAGE) |
						       A(PHONE_READ));
	assert_int_equal(granted(R(COMMUNITY_OFFICER), fc),
			 A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | A(INCIDENT_READ));
	assert_int_equal(granted(R(CASE_OFFICER), fc),
			 A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | A(INCIDENT_READ));
	assert_int_equal(granted(R(AUXILIARY), fc),
			 A(UNIT_READ) | A(PERSON_READ) | A(INCIDENT_READ));
	assert_int_equal(granted(R(GRID_WORKER), fc), A(UNIT_READ) | A(PERSON_READ));
	assert_int_equal(granted(R(VOLUNTEER), fc), A(UNIT_READ));
	assert_int_equal(granted(R(ANALYST), fc), A(UNIT_READ) | A(INCIDENT_READ));
	assert_int_equal(granted(R(AUDITOR), fc), A(UNIT_READ) | A(USER_READ) | A(AUDIT_READ));

	/* Community field work (docs/field.md). */
	assert_int_equal(granted(R(ADMIN), FIELD), 0);
	assert_int_equal(granted(R(CHIEF), FIELD), FIELD);
	assert_int_equal(granted(R(COMMUNITY_OFFICER), FIELD), FIELD);
	assert_int_equal(granted(R(OPERATOR), FIELD),
			 A(FIELD_READ) | A(CLUE_REPORT) | A(CLUE_MANAGE));
	assert_int_equal(granted(R(CASE_OFFICER), FIELD),
			 A(FIELD_READ) | A(CLUE_REPORT) | A(CLUE_MANAGE));
	assert_int_equal(granted(R(AUXILIARY), FIELD),
			 A(FIELD_READ) | A(MESSAGE_HANDLE) | A(SERVICE_MANAGE) | A(CLUE_REPORT));
	assert_int_equal(granted(R(GRID_WORKER), FIELD), A(CLUE_REPORT));
	assert_int_equal(granted(R(VOLUNTEER), FIELD), A(CLUE_REPORT));
	assert_int_equal(granted(R(ANALYST), FIELD), A(FIELD_READ));
	assert_int_equal(granted(R(AUDITOR), FIELD), 0);

	/* Disputes (docs/disputes.md). */
	assert_int_equal(granted(R(ADMIN), DISPUTE_ALL), 0);
	assert_int_equal(granted(R(CHIEF), DISPUTE_ALL), DISPUTE_ALL);
	assert_int_equal(granted(R(COMMUNITY_OFFICER), DISPUTE_ALL), DISPUTE_ALL);
	assert_int_equal(granted(R(OPERATOR), DISPUTE_ALL), DISPUTE_REPORT);
	assert_int_equal(granted(R(CASE_OFFICER), DISPUTE_ALL), DISPUTE_REPORT);
	assert_int_equal(granted(R(AUXILIARY), DISPUTE_ALL), DISPUTE_MEDIATE);
	assert_int_equal(granted(R(GRID_WORKER), DISPUTE_ALL), DISPUTE_MEDIATE);
	assert_int_equal(granted(R(VOLUNTEER), DISPUTE_ALL), DISPUTE_MEDIATE);
	assert_int_equal(granted(R(ANALYST), DISPUTE_ALL), A(DISPUTE_READ));
	assert_int_equal(granted(R(AUDITOR), DISPUTE_ALL), 0);

	/* Livelihood cases (docs/cases.md). */
	assert_int_equal(granted(R(CHIEF), A(CASE_READ) | A(CASE_MANAGE)),
			 A(CASE_READ) | A(CASE_MANAGE));
	assert_int_equal(granted(R(CASE_OFFICER), A(CASE_READ) | A(CASE_MANAGE)),
			 A(CASE_READ) | A(CASE_MANAGE));
	assert_int_equal(granted(R(COMMUNITY_OFFICER), A(CASE_READ) | A(CASE_MANAGE)),
			 A(CASE_READ));
	assert_int_equal(granted(R(ANALYST), A(CASE_READ) | A(CASE_MANAGE)), A(CASE_READ));
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if (r != FQ_ROLE_CHIEF && r != FQ_ROLE_CASE_OFFICER &&
		    r != FQ_ROLE_COMMUNITY_OFFICER && r != FQ_ROLE_ANALYST)
			assert_int_equal(granted(FQ_ROLE_BIT(r), A(CASE_READ) | A(CASE_MANAGE)), 0);

	/* Anti-fraud warnings and the reception hall (docs/fraud.md). */
	{
		const uint64_t fr =
		    A(FRAUD_READ) | A(FRAUD_HANDLE) | A(RECEPTION_READ) | A(RECEPTION_LOG);
		for (int r = 0; r < FQ_ROLE_COUNT; r++) {
			uint64_t want = 0;
			if (r == FQ_ROLE_CHIEF || r == FQ_ROLE_OPERATOR ||
			    r == FQ_ROLE_COMMUNITY_OFFICER || r == FQ_ROLE_CASE_OFFICER ||
			    r == FQ_ROLE_AUXILIARY)
				want = fr;
			else if (r == FQ_ROLE_ANALYST)
				want = A(FRAUD_READ) | A(RECEPTION_READ);
			assert_int_equal(granted(FQ_ROLE_BIT(r), fr), want);
		}
	}

	/* The registries (docs/community.md). */
	{
		const uint64_t rg =
		    A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ) | A(PERSON_CONCERN);
		assert_int_equal(granted(R(CHIEF), rg), rg);
		assert_int_equal(granted(R(COMMUNITY_OFFICER), rg), rg);
		assert_int_equal(granted(R(OPERATOR), rg), A(REGISTRY_READ));
		assert_int_equal(granted(R(CASE_OFFICER), rg),
				 A(REGISTRY_READ) | A(ADDRESS_READ) | A(PERSON_CONCERN));
		assert_int_equal(granted(R(AUXILIARY), rg),
				 A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ));
		assert_int_equal(granted(R(GRID_WORKER), rg),
				 A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ));
		assert_int_equal(granted(R(VOLUNTEER), rg), 0);
		assert_int_equal(granted(R(ANALYST), rg), 0);
		assert_int_equal(granted(R(ADMIN), rg), 0);
		assert_int_equal(granted(R(AUDITOR), rg), 0);
	}

	/* Volunteers and school posts (docs/volunteers.md). */
	{
		const uint64_t vs = A(VOLUNTEER_READ) | A(VOLUNTEER_KEEP) | A(VOLUNTEER_DUTY) |
				    A(SCHOOL_READ) | A(SCHOOL_MANAGE) | A(SCHOOL_ATTEND);
		const uint64_t keep = A(VOLUNTEER_READ) | A(VOLUNTEER_KEEP) | A(SCHOOL_READ) |
				      A(SCHOOL_MANAGE) | A(SCHOOL_ATTEND);
		assert_int_equal(granted(R(CHIEF), vs), keep);
		assert_int_equal(granted(R(COMMUNITY_OFFICER), vs), keep);
		assert_int_equal(granted(R(AUXILIARY), vs), A(VOLUNTEER_READ) | A(VOLUNTEER_KEEP) |
								A(SCHOOL_READ) | A(SCHOOL_ATTEND));
		assert_int_equal(granted(R(GRID_WORKER), vs), A(VOLUNTEER_READ) | A(SCHOOL_READ));
		assert_int_equal(granted(R(ANALYST), vs), A(VOLUNTEER_READ) | A(SCHOOL_READ));
		assert_int_equal(granted(R(VOLUNTEER), vs), A(VOLUNTEER_DUTY));
		assert_int_equal(granted(R(OPERATOR), vs), 0);
		assert_int_equal(granted(R(CASE_OFFICER), vs), 0);
		assert_int_equal(granted(R(ADMIN), vs), 0);
		assert_int_equal(granted(R(AUDITOR), vs), 0);
	}

	/* Grids and police posts (docs/community.md): all read, the chief and the admin set. */
	{
		const uint64_t gr = A(GRID_READ) | A(GRID_MANAGE);
		for (int r = 0; r < FQ_ROLE_COUNT; r++) {
			uint64_t want = A(GRID_READ);
			if (r == FQ_ROLE_CHIEF || r == FQ_ROLE_ADMIN)
				want = gr;
			else if (r == FQ_ROLE_VOLUNTEER || r == FQ_ROLE_AUDITOR)
				want = 0;
			assert_int_equal(granted(FQ_ROLE_BIT(r), gr), want);
		}
		assert_string_equal(fq_action_code(FQ_ACT_GRID_READ), "grid.read");
		assert_string_equal(fq_action_code(FQ_ACT_GRID_MANAGE), "grid.manage");
	}

	/* The auditor and the administrator get nothing else than listed above. */
	assert_int_equal(fq_roles_actions(R(AUDITOR)), A(UNIT_READ) | A(USER_READ) | A(AUDIT_READ));
	assert_int_equal(fq_roles_actions(R(ADMIN)) & ~(A(GRID_READ) | A(GRID_MANAGE)),
			 A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE));
	assert_int_equal(fq_roles_actions(0), 0);
	/* A set grants the union. */
	assert_int_equal(fq_roles_actions(R(ADMIN) | R(AUDITOR)),
			 A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE) |
			     A(AUDIT_READ) | A(GRID_READ) | A(GRID_MANAGE));
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
