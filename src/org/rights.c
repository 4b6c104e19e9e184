#include "org/rights.h"

#include <string.h>

#include "core/banned.h"

static const struct {
	const char *code;
	const char *label;
} roles[FQ_ROLE_COUNT] = {
    [FQ_ROLE_ADMIN] = {"admin", "系统管理员"},
    [FQ_ROLE_CHIEF] = {"chief", "所长"},
    [FQ_ROLE_OPERATOR] = {"operator", "接警员"},
    [FQ_ROLE_COMMUNITY_OFFICER] = {"community_officer", "社区民警"},
    [FQ_ROLE_CASE_OFFICER] = {"case_officer", "办案民警"},
    [FQ_ROLE_AUXILIARY] = {"auxiliary", "辅警"},
    [FQ_ROLE_GRID_WORKER] = {"grid_worker", "网格员"},
    [FQ_ROLE_VOLUNTEER] = {"volunteer", "志愿者"},
    [FQ_ROLE_ANALYST] = {"analyst", "研判分析员"},
    [FQ_ROLE_AUDITOR] = {"auditor", "审计员"},
};

static const char *const actions[FQ_ACT_COUNT] = {
    [FQ_ACT_UNIT_READ] = "unit.read",		[FQ_ACT_UNIT_MANAGE] = "unit.manage",
    [FQ_ACT_USER_READ] = "user.read",		[FQ_ACT_USER_MANAGE] = "user.manage",
    [FQ_ACT_AUDIT_READ] = "audit.read",		[FQ_ACT_PERSON_READ] = "person.read",
    [FQ_ACT_PERSON_REVEAL] = "person.reveal",	[FQ_ACT_ALERT_CREATE] = "alert.create",
    [FQ_ACT_INCIDENT_READ] = "incident.read",	[FQ_ACT_INCIDENT_MANAGE] = "incident.manage",
    [FQ_ACT_PHONE_READ] = "phone.read",		[FQ_ACT_REGISTRY_READ] = "registry.read",
    [FQ_ACT_REGISTRY_WRITE] = "registry.write", [FQ_ACT_ADDRESS_READ] = "address.read",
    [FQ_ACT_PERSON_CONCERN] = "person.concern",
};

#define A(x) FQ_ACTION_BIT(FQ_ACT_##x)

/*
 * What each role may do. The auditor reads the audit log and nothing else
 * of the station's data; no role may change the audit log.
 */
#define COMMAND_READ	(A(INCIDENT_READ))
#define COMMAND_OPERATE (A(ALERT_CREATE) | A(INCIDENT_READ) | A(INCIDENT_MANAGE) | A(PHONE_READ))

static const uint64_t grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_ADMIN] = A(UNIT_READ) | A(UNIT_MANAGE) | A(USER_READ) | A(USER_MANAGE),
    [FQ_ROLE_CHIEF] =
	A(UNIT_READ) | A(USER_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | COMMAND_OPERATE,
    [FQ_ROLE_OPERATOR] = A(UNIT_READ) | A(PERSON_READ) | COMMAND_OPERATE,
    [FQ_ROLE_COMMUNITY_OFFICER] = A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | COMMAND_READ,
    [FQ_ROLE_CASE_OFFICER] = A(UNIT_READ) | A(PERSON_READ) | A(PERSON_REVEAL) | COMMAND_READ,
    [FQ_ROLE_AUXILIARY] = A(UNIT_READ) | A(PERSON_READ) | COMMAND_READ,
    [FQ_ROLE_GRID_WORKER] = A(UNIT_READ) | A(PERSON_READ),
    [FQ_ROLE_VOLUNTEER] = A(UNIT_READ),
    [FQ_ROLE_ANALYST] = A(UNIT_READ) | COMMAND_READ,
    [FQ_ROLE_AUDITOR] = A(UNIT_READ) | A(AUDIT_READ) | A(USER_READ),
};

/*
 * The community registries (docs/community.md has the matrix and the
 * reasons): every role that reads people reads houses and venues; the
 * community team and grid workers collect and edit the registries; addresses
 * are masked for the command room's operators; only officers who work
 * with them (chief, community and case officers) see who is a person of
 * concern. Volunteers see no registry.
 */
static const uint64_t community_grants[FQ_ROLE_COUNT] = {
    [FQ_ROLE_CHIEF] = A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ) | A(PERSON_CONCERN),
    [FQ_ROLE_OPERATOR] = A(REGISTRY_READ),
    [FQ_ROLE_COMMUNITY_OFFICER] =
	A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ) | A(PERSON_CONCERN),
    [FQ_ROLE_CASE_OFFICER] = A(REGISTRY_READ) | A(ADDRESS_READ) | A(PERSON_CONCERN),
    [FQ_ROLE_AUXILIARY] = A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ),
    [FQ_ROLE_GRID_WORKER] = A(REGISTRY_READ) | A(REGISTRY_WRITE) | A(ADDRESS_READ),
};

#undef COMMAND_READ
#undef COMMAND_OPERATE
#undef A

const char *fq_role_code(enum fq_role r)
{
	return (unsigned)r < FQ_ROLE_COUNT ? roles[r].code : NULL;
}

const char *fq_role_label(enum fq_role r)
{
	return (unsigned)r < FQ_ROLE_COUNT ? roles[r].label : NULL;
}

int fq_role_from_code(const char *code)
{
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if (strcmp(roles[r].code, code) == 0)
			return r;
	return -1;
}

const char *fq_action_code(enum fq_action a)
{
	return (unsigned)a < FQ_ACT_COUNT ? actions[a] : NULL;
}

uint64_t fq_roles_actions(uint32_t set)
{
	uint64_t out = 0;
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if (set & FQ_ROLE_BIT(r))
			out |= grants[r] | community_grants[r];
	return out;
}

int fq_roles_can(uint32_t set, enum fq_action action)
{
	return (unsigned)action < FQ_ACT_COUNT &&
	       (fq_roles_actions(set) & FQ_ACTION_BIT(action)) != 0;
}

int fq_roles_granting(uint32_t set, enum fq_action action)
{
	for (int r = 0; r < FQ_ROLE_COUNT; r++)
		if ((set & FQ_ROLE_BIT(r)) &&
		    ((grants[r] | community_grants[r]) & FQ_ACTION_BIT(action)))
			return r;
	return -1;
}

int fq_scope_covers(const char *user_path, const char *object_path)
{
	size_t n;

	if (!user_path || !object_path || user_path[0] != '/')
		return 0;
	n = strlen(user_path);
	if (n < 2 || user_path[n - 1] != '/')
		return 0;
	return strncmp(user_path, object_path, n) == 0;
}
