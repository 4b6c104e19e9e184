#include "demo/demo_people.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "community/registry.h"
#include "community/search.h"
#include "core/alloc.h"
#include "core/geo.h"
#include "core/idnum.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/uscc.h"
#include "core/uuid.h"
#include "demo/demo.h"
#include "http/audit.h"
#include "core/banned.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The town: the main demo station and its township name. */
#define TOWN_STATION "339902510000"
#define TOWN_NAME    "枫溪镇"
#define LOCAL_DIV    "339902"

/* GLOSSARY.md, "Scale of one town". */
#define TOWN_PEOPLE	97656
#define TOWN_HOUSES	45570
#define TOWN_ORGS	735
#define TOWN_REGULATED	149
#define TOWN_RENTED	700
#define TOWN_VACANT	1237
#define TOWN_COMMERCIAL 1050
#define TOWN_FLOATING	600
#define TOWN_SCHOOLS	32
#define TOWN_EMPLOYEES	9296

static enum fq_demo_registry registry_scale = FQ_DEMO_REGISTRY_FULL;

int fq_demo_set_registry(const char *scale)
{
	if (strcmp(scale, "full") == 0)
		registry_scale = FQ_DEMO_REGISTRY_FULL;
	else if (strcmp(scale, "small") == 0)
		registry_scale = FQ_DEMO_REGISTRY_SMALL;
	else if (strcmp(scale, "none") == 0)
		registry_scale = FQ_DEMO_REGISTRY_NONE;
	else
		return -1;
	return 0;
}

/* Surnames, most frequent first (repeated entries weigh the common ones). */
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "王", "李", "张", "刘", "陈",
    "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐",
    "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
    "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟",
    "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "方", "白", "邹", "孟", "熊",
    "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛"};
static const char *const male_chars[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
    "飞", "鑫", "波", "宁", "建", "国", "志", "海", "林", "峰", "文", "俊", "东", "亮", "浩",
    "宇", "龙", "成", "德", "福", "荣", "庆", "兵", "晨", "阳", "家", "振", "松", "春"};
static const char *const female_chars[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "玲", "燕", "红", "梅",
    "琳", "萍", "雪", "慧", "婷", "倩", "洁", "颖", "兰", "凤", "莉", "云", "佳", "欣",
    "怡", "悦", "桂", "珍", "月", "琴", "晓", "彤", "思", "雨", "诗", "梦"};
static const char *const roads[] = {"人民路", "解放路", "建设路", "中山路", "新华路", "文化路",
				    "和平路", "胜利路", "青年路", "东风路", "桃园路", "梅园路",
				    "滨江路", "学府路", "工业路", "光明路", "振兴路", "团结路",
				    "幸福路", "朝阳路", "长安路", "迎宾路", "府前路", "环城路"};
/* Where the floating population comes from: division code and registered residence. */
static const struct {
	const char *div, *place;
} origins[] = {
    {"510723", "四川省绵阳市盐亭县"}, {"431226", "湖南省怀化市麻阳苗族自治县"},
    {"522425", "贵州省毕节市织金县"}, {"410522", "河南省安阳市安阳县"},
    {"342401", "安徽省六安市"},	      {"360730", "江西省赣州市宁都县"},
    {"530381", "云南省曲靖市宣威市"}, {"622425", "甘肃省定西市渭源县"},
};
static const char *const shop_words[] = {"便民", "惠民", "鑫源", "家家乐", "好运来", "永兴",
					 "金华", "红旗", "平安", "兴旺",   "老街",   "阳光"};

struct grid {
	char code[FQ_UNIT_CODE_MAX];
	char path[FQ_UNIT_PATH_MAX];
	char name[64];
	int community;
	struct fq_geo_point ring[8];
	size_t n;
	double min_lat, min_lon, max_lat, max_lon;
	int houses, next_no;
	const char *road[2];
};

struct house_ref {
	int64_t rowid;
	char id[37];
	int grid;
	int use;
	char address[160];
};

struct gen {
	struct fq_dbc *c;
	struct fq_rng g;
	int64_t now_ms;
	struct grid grids[64];
	int ngrids;
	struct house_ref *houses;
	int nhouses;
	int64_t person_rowid, org_rowid;
	struct fq_search_doc doc;
	struct fq_demo_registry_counts counts;
};

static const char *pick(struct fq_rng *g, const char *const *list, size_t n)
{
	return list[fq_rng_below(g, n)];
}

#define PICK(g, list) pick((g), (list), ARRAY_LEN(list))

static int load_grids(struct gen *s, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(s->c, err, &st,
			      "SELECT g.code, g.path, g.name, g.boundary FROM unit g"
			      " WHERE g.kind = 'grid' AND g.parent = ? AND g.boundary IS NOT NULL"
			      " ORDER BY g.code",
			      "t", TOWN_STATION);
	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW && s->ngrids < (int)ARRAY_LEN(s->grids)) {
		struct grid *gr = &s->grids[s->ngrids];
		json_t *b = json_loads(fq_stmt_text(st, 3), 0, NULL);
		json_t *ring = json_array_get(json_object_get(b, "coordinates"), 0);
		json_t *pt;
		size_t i;

		memset(gr, 0, sizeof(*gr));
		snprintf(gr->code, sizeof(gr->code), "%s", fq_stmt_text(st, 0));
		snprintf(gr->path, sizeof(gr->path), "%s", fq_stmt_text(st, 1));
		snprintf(gr->name, sizeof(gr->name), "%s", fq_stmt_text(st, 2));
		gr->community = strstr(gr->name, "社区") != NULL;
		gr->min_lat = gr->min_lon = 1e9;
		gr->max_lat = gr->max_lon = -1e9;
		json_array_foreach(ring, i, pt)
		{
			struct fq_geo_point p = {.lon = json_number_value(json_array_get(pt, 0)),
						 .lat = json_number_value(json_array_get(pt, 1))};
			if (gr->n == ARRAY_LEN(gr->ring))
				break;
			gr->ring[gr->n++] = p;
			gr->min_lat = p.lat < gr->min_lat ? p.lat : gr->min_lat;
			gr->max_lat = p.lat > gr->max_lat ? p.lat : gr->max_lat;
			gr->min_lon = p.lon < gr->min_lon ? p.lon : gr->min_lon;
			gr->max_lon = p.lon > gr->max_lon ? p.lon : gr->max_lon;
		}
		json_decref(b);
		if (gr->n >= 3)
			s->ngrids++;
	}
	fq_stmt_done(st);
	return rc < 0 ? rc : 0;
}

/* A point strictly inside the grid (rejection sampling in its box). */
static struct fq_geo_point point_in(struct gen *s, const struct grid *gr)
{
	for (int tries = 0; tries < 1000; tries++) {
		struct fq_geo_point p = {
		    .lat = gr->min_lat + (gr->max_lat - gr->min_lat) * fq_rng_unit(&s->g),
		    .lon = gr->min_lon + (gr->max_lon - gr->min_lon) * fq_rng_unit(&s->g)};
		if (fq_geo_polygon_contains(gr->ring, gr->n, p))
			return p;
	}
	return gr->ring[0];
}

static int index_doc(struct gen *s, enum fq_search_table t, int64_t rowid, const char *path,
		     struct fq_err *err)
{
	int rc = fq_search_doc_scope(&s->doc, path);
	return rc ? rc : fq_search_put(s->c, t, rowid, &s->doc, err);
}

/* ---- houses ---- */

static int make_houses(struct gen *s, int total, int rented, int vacant, int commercial,
		       struct fq_err *err)
{
	int weight = 0, made = 0, left = total, rc = 0;

	/* Communities are dense: three times a village's houses. */
	for (int i = 0; i < s->ngrids; i++)
		weight += s->grids[i].community ? 3 : 1;
	s->houses = fq_xcalloc((size_t)total, sizeof(*s->houses));
	for (int i = 0; i < s->ngrids; i++) {
		struct grid *gr = &s->grids[i];
		gr->houses = (int)((int64_t)total * (gr->community ? 3 : 1) / weight);
		gr->road[0] = roads[(2 * i) % ARRAY_LEN(roads)];
		gr->road[1] = roads[(2 * i + 1) % ARRAY_LEN(roads)];
	}
	/* What the division leaves over goes to the first grid. */
	for (int i = 0; i < s->ngrids; i++)
		left -= s->grids[i].houses;
	s->grids[0].houses += left;
	for (int i = 0; i < s->ngrids && !rc; i++) {
		struct grid *gr = &s->grids[i];
		for (int k = 0; k < gr->houses && made < total && !rc; k++) {
			struct house_ref *h = &s->houses[made];
			struct fq_geo_point p = point_in(s, gr);
			int no = gr->next_no++;
			double u = fq_rng_unit(&s->g);

			if (gr->community) {
				/* Flats: 6 buildings x 24 flats per street number. */
				int street = no / 144 + 1, building = (no % 144) / 24 + 1,
				    flat = no % 24;
				snprintf(h->address, sizeof(h->address),
					 TOWN_NAME "%s%d号%d幢%d%02d室", gr->road[no % 2], street,
					 building, flat / 4 + 1, flat % 4 + 1);
			} else {
				snprintf(h->address, sizeof(h->address), TOWN_NAME "%s%d组%d号",
					 gr->name, no / 80 + 1, no % 80 + 1);
			}
			h->grid = i;
			h->use = u < (double)rented / total		 ? FQ_HOUSE_RENTED
				 : u < (double)(rented + vacant) / total ? FQ_HOUSE_VACANT
				 : u < (double)(rented + vacant + commercial) / total
				     ? FQ_HOUSE_COMMERCIAL
				     : FQ_HOUSE_SELF;
			h->rowid = made + 1;
			fq_uuid7_str(h->id);
			/* Generated text is already in normalised form (Simplified, no spaces). */
			rc = fq_dbc_run(
			    s->c, err, NULL,
			    "INSERT INTO house (rowid, id, unit, unit_path, station, grid,"
			    " address, address_norm, lat, lon, use, version, created_at,"
			    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
			    "itttttttddtii", h->rowid, h->id, gr->code, gr->path, TOWN_STATION,
			    gr->code, h->address, h->address, p.lat, p.lon,
			    fq_house_use_code(h->use), s->now_ms, s->now_ms);
			if (!rc) {
				fq_search_doc_reset(&s->doc);
				rc = fq_search_doc_norm(&s->doc, h->address);
			}
			if (!rc)
				rc = index_doc(s, FQ_SEARCH_HOUSE, h->rowid, gr->path, err);
			made++;
		}
	}
	if (rc)
		return rc;
	s->nhouses = made;
	s->counts.houses = made;
	return 0;
}

/* ---- people ---- */

static void person_name(struct gen *s, char sex, char out[32])
{
	const char *const *chars = sex == 'M' ? male_chars : female_chars;
	size_t n = sex == 'M' ? ARRAY_LEN(male_chars) : ARRAY_LEN(female_chars);
	const char *sur = PICK(&s->g, surnames);

	if (fq_rng_unit(&s->g) < 0.3)
		snprintf(out, 32, "%s%s", sur, pick(&s->g, chars, n));
	else
		snprintf(out, 32, "%s%s%s", sur, pick(&s->g, chars, n), pick(&s->g, chars, n));
}

static void mobile(struct gen *s, char out[16])
{
	static const char *const prefixes[] = {"138", "139", "137", "135", "150", "151", "152",
					       "158", "159", "182", "183", "187", "188", "130",
					       "131", "132", "155", "156", "186", "133", "153",
					       "180", "181", "189", "177", "199"};
	snprintf(out, 16, "%s%08llu", PICK(&s->g, prefixes),
		 (unsigned long long)fq_rng_below(&s->g, 100000000));
}

/* A valid ID number for the division, birth year and sex; unique tries differ in sequence. */
static void id_number(struct gen *s, const char *div, int year, char sex, char out[19])
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int month = (int)fq_rng_below(&s->g, 12) + 1;
	int day = (int)fq_rng_below(&s->g, (uint64_t)mdays[month - 1]) + 1;
	int seq = (int)fq_rng_below(&s->g, 500) * 2 + (sex == 'M' ? 1 : 0);

	char buf[48];

	snprintf(buf, sizeof(buf), "%.6s%04d%02d%02d%03d", div, year % 10000, month, day,
		 seq % 1000);
	memcpy(out, buf, 17);
	out[17] = fq_idnum_check_char(out);
	out[18] = '\0';
}

struct person_gen {
	const char *div, *hukou;
	int age;
	char sex;
	unsigned cats;
	int house;
};

static int insert_person(struct gen *s, const struct person_gen *pg, struct fq_err *err)
{
	const struct house_ref *h = &s->houses[pg->house];
	const struct grid *gr = &s->grids[h->grid];
	char name[32], idn[19], phone[16], id[37], cats[96], birth[11], sex[2] = {pg->sex, 0};
	int year = 2026 - pg->age, rc = FQ_ECONFLICT;
	size_t n = 1;

	person_name(s, pg->sex, name);
	cats[0] = ',';
	for (int k = 0; k < FQ_CAT_COUNT; k++)
		if (pg->cats & FQ_CAT_BIT(k))
			n += (size_t)snprintf(cats + n, sizeof(cats) - n, "%s,",
					      fq_person_category_code(k));
	cats[n] = '\0';
	if (pg->age >= 12 && fq_rng_unit(&s->g) < 0.9)
		mobile(s, phone);
	else
		phone[0] = '\0';
	fq_uuid7_str(id);
	/* A clash of ID numbers (same division, date and sequence) draws another. */
	for (int tries = 0; rc == FQ_ECONFLICT && tries < 20; tries++) {
		id_number(s, pg->div, year, pg->sex, idn);
		snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", idn + 6, idn + 10, idn + 12);
		rc = fq_dbc_run(s->c, err, NULL,
				"INSERT INTO person (rowid, id, unit, unit_path, name, name_norm,"
				" id_number, sex, birth_date, phone, house_id, hukou, categories,"
				" version, created_at, updated_at)"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
				"ittttttttttttii", s->person_rowid + 1, id, gr->code, gr->path,
				name, name, idn, sex, birth, phone[0] ? phone : NULL, h->id,
				pg->hukou ? pg->hukou : h->address, cats, s->now_ms, s->now_ms);
	}
	if (rc)
		return rc;
	s->person_rowid++;
	fq_search_doc_reset(&s->doc);
	rc = fq_search_doc_norm(&s->doc, name);
	if (!rc)
		rc = fq_search_doc_norm(&s->doc, h->address);
	if (!rc && pg->hukou)
		rc = fq_search_doc_norm(&s->doc, pg->hukou);
	if (!rc)
		rc = fq_search_doc_number(&s->doc, idn);
	if (!rc && phone[0])
		rc = fq_search_doc_number(&s->doc, phone);
	if (!rc)
		rc = index_doc(s, FQ_SEARCH_PERSON, s->person_rowid, gr->path, err);
	if (!rc)
		s->counts.people++;
	return rc;
}

/* Ages of a household: a couple, children, sometimes grandparents. */
static int make_people(struct gen *s, int total, int floating, struct fq_err *err)
{
	int floating_made = 0, rc = 0, hi = 0;

	while (s->counts.people < total && !rc) {
		const struct house_ref *h = &s->houses[hi % s->nhouses];
		struct person_gen pg = {.div = LOCAL_DIV, .house = hi % s->nhouses};
		int size;

		hi++;
		if (h->use == FQ_HOUSE_VACANT || (h->use == FQ_HOUSE_COMMERCIAL && hi % 3))
			continue;
		if (h->use == FQ_HOUSE_RENTED && floating_made < floating) {
			/* Tenants from elsewhere: the floating population. */
			int o = (int)fq_rng_below(&s->g, ARRAY_LEN(origins));
			size = 1 + (int)fq_rng_below(&s->g, 3);
			for (int k = 0; k < size && !rc; k++) {
				pg.div = origins[o].div;
				pg.hukou = origins[o].place;
				pg.age = 18 + (int)fq_rng_below(&s->g, 35);
				pg.sex = fq_rng_below(&s->g, 2) ? 'M' : 'F';
				pg.cats = FQ_CAT_BIT(FQ_CAT_FLOATING);
				rc = insert_person(s, &pg, err);
				floating_made++;
			}
			continue;
		}
		/* Households of 1 to 4; a lone old person is an elderly person living alone. */
		size = 1 + (int)fq_rng_below(&s->g, 4);
		if (fq_rng_unit(&s->g) < 0.06)
			size = 1;
		for (int k = 0; k < size && !rc && s->counts.people < total; k++) {
			pg.hukou = NULL;
			pg.sex = k == 0 ? 'M' : k == 1 ? 'F' : (fq_rng_below(&s->g, 2) ? 'M' : 'F');
			pg.age = k < 2 ? 28 + (int)fq_rng_below(&s->g, 55)
				       : (int)fq_rng_below(&s->g, 25);
			if (size == 1)
				pg.age = 60 + (int)fq_rng_below(&s->g, 35);
			pg.cats = FQ_CAT_BIT(FQ_CAT_RESIDENT);
			if (size == 1 && pg.age >= 70)
				pg.cats |= FQ_CAT_BIT(FQ_CAT_ELDERLY_ALONE);
			if (fq_rng_unit(&s->g) < 0.01)
				pg.cats |= FQ_CAT_BIT(FQ_CAT_NEEDS_CARE);
			if (fq_rng_unit(&s->g) < 0.001)
				pg.cats |= FQ_CAT_BIT(FQ_CAT_CONCERN);
			rc = insert_person(s, &pg, err);
		}
	}
	return rc;
}

static int make_rentals(struct gen *s, struct fq_err *err)
{
	struct fq_stmt *st = NULL;
	int rc = fq_dbc_query(s->c, err, &st,
			      "SELECT h.id, p.id FROM house h JOIN person p ON p.house_id = h.id"
			      " WHERE h.use = 'rented' AND instr(p.categories, ',floating,') > 0"
			      " ORDER BY h.id, p.id",
			      "");
	json_t *pairs = json_array(), *pair;
	char last[37] = "", rental[37] = "";
	size_t i;

	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		rc = 0;
		json_array_append_new(pairs,
				      json_pack("[ss]", fq_stmt_text(st, 0), fq_stmt_text(st, 1)));
	}
	fq_stmt_done(st);
	if (rc > 0)
		rc = 0;
	json_array_foreach(pairs, i, pair)
	{
		const char *house = json_string_value(json_array_get(pair, 0));
		if (rc)
			break;
		if (strcmp(house, last) != 0) {
			char start[32];
			snprintf(last, sizeof(last), "%s", house);
			fq_uuid7_str(rental);
			snprintf(start, sizeof(start), "2026-%02d-01",
				 1 + (int)fq_rng_below(&s->g, 10));
			rc = fq_dbc_run(s->c, err, NULL,
					"INSERT INTO rental (id, house_id, start_date, end_date,"
					" created_at) VALUES (?, ?, ?, '2027-06-30', ?)",
					"ttti", rental, house, start, s->now_ms);
			if (!rc)
				s->counts.rentals++;
		}
		if (!rc)
			rc = fq_dbc_run(
			    s->c, err, NULL,
			    "INSERT INTO rental_tenant (rental_id, person_id) VALUES (?, ?)", "tt",
			    rental, json_string_value(json_array_get(pair, 1)));
	}
	json_decref(pairs);
	return rc;
}

/* ---- organisations ---- */

static void make_uscc(struct gen *s, char authority, char type, char out[19])
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	out[0] = authority;
	out[1] = type;
	memcpy(out + 2, LOCAL_DIV, 6);
	for (int i = 8; i < 17; i++)
		out[i] = set[fq_rng_below(&s->g, 31)];
	out[17] = fq_uscc_check_char(out);
	out[18] = '\0';
}

static int make_orgs(struct gen *s, int total, int regulated, int schools, struct fq_err *err)
{
	static const struct {
		const char *type, *suffix;
	} regulated_kinds[] = {
	    {"hotel", "宾馆"}, {"internet_cafe", "网吧"}, {"entertainment", "KTV"}};
	static const struct {
		const char *type, *suffix;
	} small_kinds[] = {{"small_shop", "便利店"},	    {"small_restaurant", "小吃店"},
			   {"small_hotel", "旅社"},	    {"small_entertainment", "歌舞厅"},
			   {"small_internet_cafe", "网咖"}, {"small_beauty_bath", "美容院"},
			   {"small_workshop", "加工厂"},    {"small_clinic", "诊所"},
			   {"small_school", "幼儿园"}};
	int employees_left = total ? TOWN_EMPLOYEES * total / TOWN_ORGS : 0, rc = 0;

	for (int i = 0; i < total && !rc; i++) {
		const struct house_ref *h = &s->houses[fq_rng_below(&s->g, (uint64_t)s->nhouses)];
		const struct grid *gr = &s->grids[h->grid];
		const char *type, *suffix;
		char name[96], code[19], addr[200], resp[32], phone[16], id[37];
		int emp;

		if (i < regulated) {
			type = regulated_kinds[i % 3].type;
			suffix = regulated_kinds[i % 3].suffix;
			make_uscc(s, '9', '1', code);
		} else if (i < regulated + schools) {
			type = "school";
			suffix = i % 4 ? "小学" : "中学";
			make_uscc(s, '1', '2', code);
		} else if (i < total - total / 7) {
			int k = (int)fq_rng_below(&s->g, ARRAY_LEN(small_kinds));
			type = small_kinds[k].type;
			suffix = small_kinds[k].suffix;
			make_uscc(s, '9', '2', code);
		} else {
			type = "enterprise";
			suffix = "有限公司";
			make_uscc(s, '9', '1', code);
		}
		if (strcmp(type, "school") == 0)
			snprintf(name, sizeof(name), TOWN_NAME "%.*s%s", 6, gr->name, suffix);
		else
			snprintf(name, sizeof(name), "%s%s%s", PICK(&s->g, shop_words),
				 strcmp(type, "enterprise") == 0 ? "科技" : "", suffix);
		snprintf(addr, sizeof(addr), "%s商铺%d号", h->address, i + 1);
		person_name(s, fq_rng_below(&s->g, 2) ? 'M' : 'F', resp);
		mobile(s, phone);
		emp = strcmp(type, "enterprise") == 0 ? 30 + (int)fq_rng_below(&s->g, 60)
		      : strcmp(type, "school") == 0   ? 40 + (int)fq_rng_below(&s->g, 40)
						      : 2 + (int)fq_rng_below(&s->g, 12);
		if (emp > employees_left)
			emp = employees_left;
		employees_left -= emp;
		fq_uuid7_str(id);
		s->org_rowid++;
		rc = fq_dbc_run(
		    s->c, err, NULL,
		    "INSERT INTO organisation (rowid, id, unit, unit_path, station, grid,"
		    " name, name_norm, uscc, type, regulated, address, address_norm, lat,"
		    " lon, responsible_name, responsible_phone, employees, version,"
		    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, (SELECT lat FROM house WHERE id = ?), (SELECT lon FROM house"
		    " WHERE id = ?), ?, ?, ?, 1, ?, ?)",
		    "itttttttttittttttiii", s->org_rowid, id, gr->code, gr->path, TOWN_STATION,
		    gr->code, name, name, code, type, (int64_t)(i < regulated), addr, addr, h->id,
		    h->id, resp, phone, (int64_t)emp, s->now_ms, s->now_ms);
		if (!rc) {
			char lower[19];
			for (int k = 0; k < 19; k++)
				lower[k] = code[k] >= 'A' && code[k] <= 'Z' ? (char)(code[k] + 32)
									    : code[k];
			fq_search_doc_reset(&s->doc);
			rc = fq_search_doc_norm(&s->doc, name);
			if (!rc)
				rc = fq_search_doc_norm(&s->doc, addr);
			if (!rc)
				rc = fq_search_doc_norm(&s->doc, resp);
			if (!rc)
				rc = fq_search_doc_number(&s->doc, lower);
			if (!rc)
				rc = index_doc(s, FQ_SEARCH_ORGANISATION, s->org_rowid, gr->path,
					       err);
		}
		if (!rc) {
			s->counts.organisations++;
			s->counts.regulated += i < regulated;
		}
	}
	return rc;
}

static int audit(struct gen *s, struct fq_err *err)
{
	struct fq_audit_entry e = {.username = "demo",
				   .action = "registry.demo",
				   .object_type = "registry",
				   .client = "cli",
				   .outcome = "ok"};
	char detail[256];

	snprintf(detail, sizeof(detail),
		 "{\"people\":%lld,\"houses\":%lld,\"organisations\":%lld,\"regulated\":%lld,"
		 "\"rentals\":%lld}",
		 (long long)s->counts.people, (long long)s->counts.houses,
		 (long long)s->counts.organisations, (long long)s->counts.regulated,
		 (long long)s->counts.rentals);
	e.detail = detail;
	return fq_audit_append(s->c, &e, s->now_ms, NULL, err);
}

int fq_community_demo(struct fq_dbc *c, uint64_t seed, struct fq_demo_registry_counts *counts,
		      struct fq_err *err)
{
	struct gen *s;
	int div, rc;

	if (counts)
		memset(counts, 0, sizeof(*counts));
	if (registry_scale == FQ_DEMO_REGISTRY_NONE)
		return 0;
	div = registry_scale == FQ_DEMO_REGISTRY_SMALL ? 100 : 1;
	s = fq_xcalloc(1, sizeof(*s));
	s->c = c;
	s->now_ms = fq_now_ms();
	fq_rng_seed(&s->g, seed ^ 0x5eed0c0117u);
	fq_search_doc_init(&s->doc);
	/*
	 * The registries are written in one transaction with random keys (ID
	 * numbers, UUIDs): a page cache that holds them keeps SQLite from
	 * spilling to the file mid-transaction. SQLite-specific, as the demo's
	 * search index is; set back to the default afterwards.
	 */
	rc = fq_dbc_exec_script(c, "PRAGMA cache_size = -262144", err);
	if (!rc)
		rc = load_grids(s, err);
	if (!rc && s->ngrids == 0)
		rc = fq_err_set(err, FQ_EINTERNAL, "demo", NULL, "演示派出所没有网格");
	if (!rc)
		rc = make_houses(s, TOWN_HOUSES / div, TOWN_RENTED / div, TOWN_VACANT / div,
				 TOWN_COMMERCIAL / div, err);
	if (!rc)
		rc = make_people(s, TOWN_PEOPLE / div, TOWN_FLOATING / div, err);
	if (!rc)
		rc = make_rentals(s, err);
	if (!rc)
		rc = make_orgs(s, TOWN_ORGS / div, TOWN_REGULATED / div, TOWN_SCHOOLS / div, err);
	if (!rc)
		rc = audit(s, err);
	if (!rc && counts)
		*counts = s->counts;
	if (fq_dbc_exec_script(c, "PRAGMA cache_size = -2000", NULL) != 0)
		fq_warn("demo: cache size not restored");
	fq_search_doc_release(&s->doc);
	free(s->houses);
	free(s);
	return rc;
}
