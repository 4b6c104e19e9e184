#include "command/taxonomy.h"

#include <string.h>
#include <strings.h>

#include "core/banned.h"

#define MIN_S  60
#define HOUR_S 3600

#define PLACE  FQ_CATEGORY_MATCH_PLACE
#define CALLER FQ_CATEGORY_MATCH_CALLER
#define NEVER  FQ_CATEGORY_MATCH_NONE
#define INJURY FQ_CATEGORY_INJURY

struct top_level {
	const char *code;
	const char *label;
};

static const struct top_level top_levels[] = {
    {"criminal", "刑事类"}, {"public_order", "治安类"}, {"traffic", "交通类"},
    {"dispute", "纠纷类"},  {"help", "求助类"},		{"fire", "火灾类"},
    {"report", "举报类"},   {"other", "其他类"},
};

/* TAXONOMY.md, in its order; docs/taxonomy.md must show the same rows. */
static const struct fq_category categories[] = {
    {"criminal.theft", "盗窃", "criminal", "刑事类", 2, 2 * HOUR_S, 150, PLACE, 0},
    {"criminal.burglary", "入室盗窃", "criminal", "刑事类", 2, 2 * HOUR_S, 100, PLACE, 0},
    {"criminal.vehicle_theft", "盗窃车辆", "criminal", "刑事类", 2, 2 * HOUR_S, 200, PLACE, 0},
    {"criminal.robbery", "抢劫抢夺", "criminal", "刑事类", 1, 30 * MIN_S, 500, PLACE, INJURY},
    {"criminal.assault", "故意伤害", "criminal", "刑事类", 1, 30 * MIN_S, 300, PLACE, INJURY},
    {"criminal.fraud", "诈骗", "criminal", "刑事类", 2, 24 * HOUR_S, 0, CALLER, 0},
    {"public_order.fight", "打架斗殴", "public_order", "治安类", 1, 30 * MIN_S, 300, PLACE, INJURY},
    {"public_order.provocation", "寻衅滋事", "public_order", "治安类", 1, 30 * MIN_S, 300, PLACE,
     INJURY},
    {"public_order.drunk", "醉酒滋事", "public_order", "治安类", 2, 30 * MIN_S, 200, PLACE, 0},
    {"public_order.noise", "噪音扰民", "public_order", "治安类", 3, 60 * MIN_S, 200, PLACE, 0},
    {"public_order.gambling", "涉赌", "public_order", "治安类", 2, 2 * HOUR_S, 100, PLACE, 0},
    {"public_order.drugs", "涉毒", "public_order", "治安类", 2, 2 * HOUR_S, 100, PLACE, 0},
    {"public_order.vice", "涉黄", "public_order", "治安类", 2, 2 * HOUR_S, 100, PLACE, 0},
    {"traffic.accident", "交通事故", "traffic", "交通类", 1, 30 * MIN_S, 300, PLACE, INJURY},
    {"traffic.hit_and_run", "肇事逃逸", "traffic", "交通类", 1, 30 * MIN_S, 500, PLACE, INJURY},
    {"traffic.drunk_driving", "酒驾醉驾", "traffic", "交通类", 1, 30 * MIN_S, 1000, PLACE, 0},
    {"traffic.congestion", "交通堵塞", "traffic", "交通类", 3, 60 * MIN_S, 500, PLACE, 0},
    {"dispute.neighbour", "邻里纠纷", "dispute", "纠纷类", 2, 2 * HOUR_S, 100, PLACE, 0},
    {"dispute.family", "家庭纠纷", "dispute", "纠纷类", 2, 2 * HOUR_S, 100, PLACE, 0},
    {"dispute.land", "土地山林纠纷", "dispute", "纠纷类", 3, 24 * HOUR_S, 300, PLACE, 0},
    {"dispute.labour", "劳资纠纷", "dispute", "纠纷类", 2, 4 * HOUR_S, 300, PLACE, 0},
    {"dispute.consumer", "消费纠纷", "dispute", "纠纷类", 3, 2 * HOUR_S, 100, PLACE, 0},
    {"dispute.property_mgmt", "物业纠纷", "dispute", "纠纷类", 3, 4 * HOUR_S, 200, PLACE, 0},
    {"dispute.traffic", "交通纠纷", "dispute", "纠纷类", 2, 60 * MIN_S, 300, PLACE, 0},
    {"help.missing_person", "人员走失", "help", "求助类", 1, 6 * HOUR_S, 2000, PLACE, 0},
    {"help.lost_property", "物品遗失", "help", "求助类", 3, 24 * HOUR_S, 1000, PLACE, 0},
    {"help.medical", "急病求助", "help", "求助类", 1, 30 * MIN_S, 200, PLACE, 0},
    {"help.locked_out", "开锁求助", "help", "求助类", 3, 60 * MIN_S, 100, PLACE, 0},
    {"help.other", "其他求助", "help", "求助类", 3, 60 * MIN_S, 200, PLACE, 0},
    {"fire.fire", "火灾", "fire", "火灾类", 1, 60 * MIN_S, 1000, PLACE, INJURY},
    {"fire.gas_leak", "燃气泄漏", "fire", "火灾类", 1, 60 * MIN_S, 300, PLACE, INJURY},
    {"report.clue", "违法犯罪线索", "report", "举报类", 2, 0, 0, NEVER, 0},
    {"report.illegal_business", "非法经营举报", "report", "举报类", 3, 24 * HOUR_S, 100, PLACE, 0},
    {"other.harassing", "骚扰电话", "other", "其他类", 4, 2 * HOUR_S, 0, CALLER, 0},
    {"other.invalid", "无效警情", "other", "其他类", 4, 0, 0, NEVER, 0},
    {"other.other", "其他", "other", "其他类", 3, 60 * MIN_S, 200, PLACE, 0},
};

#define CATEGORY_COUNT (sizeof(categories) / sizeof(categories[0]))

/* Pairs of different top levels that may still be one event (besides help.medical + injury). */
static const char *const compatible_pairs[][2] = {
    {"traffic.accident", "traffic.hit_and_run"},
    {"traffic.accident", "dispute.traffic"},
};

/* Top levels whose categories are all compatible with each other. */
static const char *const compatible_tops[] = {"public_order", "fire"};

/* The one category that merges with every FQ_CATEGORY_INJURY category. */
#define MEDICAL_CODE "help.medical"

size_t fq_taxonomy_count(void)
{
	return CATEGORY_COUNT;
}

const struct fq_category *fq_taxonomy_at(size_t i)
{
	return i < CATEGORY_COUNT ? &categories[i] : NULL;
}

long fq_taxonomy_index(const struct fq_category *cat)
{
	for (size_t i = 0; i < CATEGORY_COUNT; i++) {
		if (cat == &categories[i])
			return (long)i;
	}
	return -1;
}

const struct fq_category *fq_taxonomy_find(const char *code)
{
	if (!code)
		return NULL;
	for (size_t i = 0; i < CATEGORY_COUNT; i++) {
		if (!strcmp(categories[i].code, code))
			return &categories[i];
	}
	return NULL;
}

const char *fq_taxonomy_top_label(const char *top)
{
	if (!top)
		return NULL;
	for (size_t i = 0; i < sizeof(top_levels) / sizeof(top_levels[0]); i++) {
		if (!strcmp(top_levels[i].code, top))
			return top_levels[i].label;
	}
	return NULL;
}

static int is_pair(const struct fq_category *a, const struct fq_category *b, const char *x,
		   const char *y)
{
	return (!strcmp(a->code, x) && !strcmp(b->code, y)) ||
	       (!strcmp(a->code, y) && !strcmp(b->code, x));
}

static int medical_with_injury(const struct fq_category *a, const struct fq_category *b)
{
	return !strcmp(a->code, MEDICAL_CODE) && (b->flags & FQ_CATEGORY_INJURY);
}

int fq_taxonomy_compatible(const struct fq_category *a, const struct fq_category *b)
{
	if (!a || !b)
		return 0;
	if (a == b || !strcmp(a->code, b->code))
		return 1;
	if (!strcmp(a->top, b->top)) {
		for (size_t i = 0; i < sizeof(compatible_tops) / sizeof(compatible_tops[0]); i++) {
			if (!strcmp(a->top, compatible_tops[i]))
				return 1;
		}
	}
	for (size_t i = 0; i < sizeof(compatible_pairs) / sizeof(compatible_pairs[0]); i++) {
		if (is_pair(a, b, compatible_pairs[i][0], compatible_pairs[i][1]))
			return 1;
	}
	return medical_with_injury(a, b) || medical_with_injury(b, a);
}

/* Montgomery County 911 titles: the first rule whose keyword the description holds wins. */
struct montco_rule {
	const char *keyword;
	const char *code;
};

static const struct montco_rule montco_rules[] = {
    {"VEHICLE ACCIDENT", "traffic.accident"},
    {"ASSAULT", "criminal.assault"},
    {"GAS-ODOR", "fire.gas_leak"},
    {"LEAK", "fire.gas_leak"},
    {"CARBON MONOXIDE", "fire.gas_leak"},
    {"HAZARDOUS MATERIALS", "fire.gas_leak"},
    {"DISABLED VEHICLE", "traffic.congestion"},
    {"ROAD OBSTRUCTION", "traffic.congestion"},
    {"HAZARDOUS ROAD", "traffic.congestion"},
    {"DEBRIS", "traffic.congestion"},
    {"TRANSFERRED CALL", "other.other"},
    {"SPECIAL SERVICE", "help.other"},
    {"FIRE POLICE", "help.other"},
    {"RESCUE", "help.other"},
    {"FIRE", "fire.fire"},
    {"CARDIAC", "help.medical"},
    {"VICTIM", "help.medical"},
};

static const struct montco_rule montco_agencies[] = {
    {"EMS", "help.medical"},
    {"Fire", "help.other"},
    {"Traffic", "traffic.congestion"},
};

/* Whether the n bytes at s hold keyword, compared without ASCII case. */
static int contains_nocase(const char *s, size_t n, const char *keyword)
{
	size_t k = strlen(keyword);

	for (size_t i = 0; i + k <= n; i++) {
		if (!strncasecmp(s + i, keyword, k))
			return 1;
	}
	return 0;
}

const struct fq_category *fq_taxonomy_from_montco(const char *title)
{
	const char *colon;
	const char *desc;
	const char *agency = NULL;
	size_t agency_len;
	size_t desc_len;

	if (!title || !(colon = strchr(title, ':')))
		return NULL;
	agency_len = (size_t)(colon - title);
	for (size_t i = 0; i < sizeof(montco_agencies) / sizeof(montco_agencies[0]); i++) {
		if (strlen(montco_agencies[i].keyword) == agency_len &&
		    !strncasecmp(title, montco_agencies[i].keyword, agency_len))
			agency = montco_agencies[i].code;
	}
	if (!agency)
		return NULL;

	desc = colon + 1;
	desc_len = strlen(desc);
	for (size_t i = 0; i < sizeof(montco_rules) / sizeof(montco_rules[0]); i++) {
		if (contains_nocase(desc, desc_len, montco_rules[i].keyword))
			return fq_taxonomy_find(montco_rules[i].code);
	}
	return fq_taxonomy_find(agency);
}
