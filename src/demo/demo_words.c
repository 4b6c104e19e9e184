#include "demo/demo_words.h"

#include <string.h>

#include "core/alloc.h"
#include "core/banned.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int chance(struct fq_rng *g, double p)
{
	return fq_rng_unit(g) < p;
}

#define PICK(g, arr) ((arr)[fq_rng_below((g), ARRAY_LEN(arr))])

/* A table: one category a block, its phrases wrapped by hand. */
/* clang-format off */
const struct fq__demo_category fq__demo_categories[] = {
    {"criminal.theft", 5.5, DEMO_H_DAY, DEMO_PRIVATE, DEMO_PK_SHOP, 0.05, {NULL}, NULL,
     {"{L}{X}被偷了", "我在{L}{X}被人偷了", "{L}有小偷，偷了{X}",
      "刚才在{L}，{X}不见了，应该是被偷了"},
     {"监控可能拍到了", "就几分钟的事", "小偷往东边跑了"},
     {"手机", "钱包", "电动车电瓶", "一袋衣服", "包"}},
    {"criminal.burglary", 1.2, DEMO_H_PREDAWN, DEMO_PRIVATE, DEMO_PK_HOME, 0.1, {NULL}, NULL,
     {"{L}家里进贼了，{X}没了", "早上起来发现{L}家里被撬了", "{L}有人入室盗窃，丢了{X}"},
     {"门锁被撬坏了", "窗户被打开了", "屋里翻得乱七八糟"},
     {"现金", "金项链", "笔记本电脑", "手机"}},
    {"criminal.vehicle_theft", 2.5, DEMO_H_PREDAWN, DEMO_PRIVATE, DEMO_PK_HOME, 0.05, {NULL}, NULL,
     {"{L}楼下{X}被偷了", "停在{L}的{X}不见了", "{L}我的{X}被人偷走了"},
     {"锁被剪断了", "昨晚还在的"},
     {"电动车", "摩托车", "自行车", "三轮车"}},
    {"criminal.robbery", 0.25, DEMO_H_NIGHT, DEMO_PUBLIC, DEMO_PK_ANY, 0.1,
     {"criminal.assault"}, NULL,
     {"{L}有人抢劫，抢了{X}", "{L}刚才有人抢了我的{X}", "在{L}被人抢了{X}"},
     {"骑摩托车跑了", "往{L}方向跑了", "两个年轻男的"},
     {"包", "手机", "项链"}},
    {"criminal.assault", 0.6, DEMO_H_NIGHT, DEMO_PUBLIC, DEMO_PK_ANY, 0.1,
     {"public_order.fight"}, NULL,
     {"{L}有人被打伤了", "{L}有人拿刀伤人", "在{L}被人打了，{D}"},
     {"头上流血了", "人倒在地上", "打人的跑了"},
     {NULL}},
    {"criminal.fraud", 3.5, DEMO_H_DAY, DEMO_PRIVATE, DEMO_PK_HOME, 0.15, {NULL}, NULL,
     {"被骗了{X}，对方说是{D}", "接到电话说是{D}，转了{X}", "网上刷单被骗了{X}",
      "我被电信诈骗了，转了{X}过去"},
     {"公安局的", "银行客服", "快递理赔", "领导要钱"},
     {"两万块", "五千块", "三万八", "一万二"}},
    {"public_order.fight", 4.5, DEMO_H_NIGHT, DEMO_PUBLIC, DEMO_PK_SHOP, 0.08,
     {"public_order.provocation", "public_order.drunk"}, "dispute.neighbour",
     {"{L}门口有人打架", "{L}这边{P}打起来了", "{L}有{P}在打架斗殴", "在{L}看到{P}打架",
      "{L}附近打架了，{D}"},
     {"有人拿酒瓶", "有人流血了", "打得很凶", "喝多了在打"},
     {NULL}},
    {"public_order.provocation", 1.0, DEMO_H_NIGHT, DEMO_PUBLIC, DEMO_PK_SHOP, 0.08,
     {"public_order.fight"}, NULL,
     {"{L}有{P}闹事", "{L}{P}在寻衅滋事", "{L}有人砸东西闹事"},
     {"骂骂咧咧的", "拿着棍子", "砸了店里的东西"},
     {NULL}},
    {"public_order.drunk", 2.5, DEMO_H_NIGHT, DEMO_SEMI, DEMO_PK_SHOP, 0.08,
     {"public_order.fight"}, NULL,
     {"{L}有人喝醉了闹事", "{L}一个醉汉在发酒疯", "{L}有人喝多了躺在路上", "{L}有醉酒的人在骂人"},
     {"拦着过路的车", "在砸东西", "站都站不稳"},
     {NULL}},
    {"public_order.noise", 7, DEMO_H_NIGHT, DEMO_SEMI, DEMO_PK_HOME, 0.2,
     {NULL}, "dispute.neighbour",
     {"{L}楼上太吵了", "{L}噪音扰民，{D}", "{L}半夜还在{D}，吵得睡不着", "{L}有人大声放音乐"},
     {"唱卡拉OK", "装修敲墙", "打麻将", "大声喧哗"},
     {NULL}},
    {"public_order.gambling", 0.6, DEMO_H_NIGHT, DEMO_PRIVATE, DEMO_PK_SHOP, 0.05, {NULL}, NULL,
     {"{L}有人聚众赌博", "举报{L}里面有人赌钱", "{L}有赌博的，{D}"},
     {"一桌好几万", "天天都在赌", "楼上有人放风"},
     {NULL}},
    {"public_order.drugs", 0.15, DEMO_H_NIGHT, DEMO_PRIVATE, DEMO_PK_HOME, 0.05, {NULL}, NULL,
     {"{L}好像有人吸毒", "举报{L}有人吸毒"},
     {"闻到奇怪的味道", "经常有陌生人进出"},
     {NULL}},
    {"public_order.vice", 0.2, DEMO_H_NIGHT, DEMO_PRIVATE, DEMO_PK_SHOP, 0.05, {NULL}, NULL,
     {"举报{L}有卖淫嫖娼", "{L}的按摩店有色情服务"},
     {"晚上很多人进出"},
     {NULL}},
    {"traffic.accident", 10, DEMO_H_RUSH, DEMO_PUBLIC, DEMO_PK_CROSSING, 0.05,
     {"dispute.traffic", "help.medical"}, "traffic.congestion",
     {"{L}{V}和{W}撞了", "{L}发生交通事故，{V}撞了{W}", "{L}出车祸了，{D}", "{L}有车祸，{V}和{W}",
      "在{L}{V}把{W}撞了"},
     {"有人受伤了", "人倒在地上", "没人受伤", "路堵住了"},
     {NULL}},
    {"traffic.hit_and_run", 0.8, DEMO_H_RUSH, DEMO_PUBLIC, DEMO_PK_CROSSING, 0.1,
     {"traffic.accident"}, NULL,
     {"{L}{V}撞了人跑了", "{L}有车撞人后逃逸", "在{L}被{V}撞了，司机跑了"},
     {"车牌没看清", "往{L}方向开走了", "人受伤了"},
     {NULL}},
    {"traffic.drunk_driving", 0.5, DEMO_H_NIGHT, DEMO_SEMI, DEMO_PK_CROSSING, 0.05, {NULL}, NULL,
     {"{L}有人酒驾", "{L}一辆{V}开得歪歪扭扭，可能喝酒了", "举报{L}有人喝了酒开车"},
     {"车开得很快", "刚从饭店出来"},
     {NULL}},
    {"traffic.congestion", 1.8, DEMO_H_RUSH, DEMO_SEMI, DEMO_PK_CROSSING, 0.05, {NULL}, NULL,
     {"{L}堵死了", "{L}交通堵塞，{D}", "{L}车堵了好久"},
     {"有车抛锚了", "红绿灯坏了", "大货车占道"},
     {NULL}},
    {"dispute.neighbour", 6, DEMO_H_EVENING, DEMO_PRIVATE, DEMO_PK_HOME, 0.12, {NULL}, NULL,
     {"{L}和邻居吵起来了，{D}", "{L}邻居纠纷，{D}", "{L}楼下邻居{D}，吵架了"},
     {"因为漏水", "因为停车位", "因为垃圾乱堆", "因为养狗"},
     {NULL}},
    {"dispute.family", 5.5, DEMO_H_EVENING, DEMO_PRIVATE, DEMO_PK_HOME, 0.2, {NULL}, NULL,
     {"{L}家里老公打人", "{L}两口子吵架打起来了", "{L}家庭纠纷，{D}", "{L}我老公喝了酒打我"},
     {"摔东西", "孩子在哭", "要离婚", "动手了"},
     {NULL}},
    {"dispute.land", 0.6, DEMO_H_DAY, DEMO_SEMI, DEMO_PK_FIELD, 0.1, {NULL}, NULL,
     {"{L}为了地界吵起来了", "{L}土地纠纷，{D}", "{L}有人占我家的地"},
     {"在砍树", "挖了田埂"},
     {NULL}},
    {"dispute.labour", 1.5, DEMO_H_DAY, DEMO_SEMI, DEMO_PK_FACTORY, 0.1, {NULL}, NULL,
     {"{L}老板拖欠工资", "{L}{P}在讨薪", "{L}欠我们工资不给，{D}"},
     {"欠了三个月", "老板跑了", "工人堵门了"},
     {NULL}},
    {"dispute.consumer", 3.5, DEMO_H_DAY, DEMO_PRIVATE, DEMO_PK_SHOP, 0.05, {NULL}, NULL,
     {"{L}买东西和老板吵起来了", "{L}消费纠纷，{D}", "在{L}被宰了，{D}"},
     {"不给退货", "多收了钱", "东西是假的"},
     {NULL}},
    {"dispute.property_mgmt", 1.5, DEMO_H_DAY, DEMO_PRIVATE, DEMO_PK_HOME, 0.1, {NULL}, NULL,
     {"{L}和物业吵起来了", "{L}物业{D}", "{L}物业纠纷，{D}"},
     {"停水停电", "不让车进", "乱收费"},
     {NULL}},
    {"dispute.traffic", 3, DEMO_H_RUSH, DEMO_SEMI, DEMO_PK_CROSSING, 0.05,
     {"traffic.accident"}, NULL,
     {"{L}{V}和{W}蹭了，双方吵起来了", "{L}交通纠纷，{D}", "{L}刮擦了，对方不肯赔"},
     {"谈不拢", "堵在路中间"},
     {NULL}},
    {"help.missing_person", 1.2, DEMO_H_EVENING, DEMO_SEMI, DEMO_PK_HOME, 0.3, {NULL}, NULL,
     {"{L}家里{X}走丢了", "{X}不见了，最后在{L}", "{L}{X}出去一直没回来", "找不到{X}了，{D}"},
     {"有老年痴呆", "穿红衣服", "手机打不通"},
     {"老人", "孩子", "八岁的儿子", "老母亲"}},
    {"help.lost_property", 3.5, DEMO_H_DAY, DEMO_PRIVATE, DEMO_PK_SHOP, 0.05, {NULL}, NULL,
     {"在{L}{X}丢了", "{L}附近丢了{X}", "{X}落在{L}了"},
     {"里面有身份证", "可能落在出租车上"},
     {"钱包", "手机", "包", "钥匙"}},
    {"help.medical", 1.8, DEMO_H_FLAT, DEMO_SEMI, DEMO_PK_ANY, 0.1, {NULL}, NULL,
     {"{L}有人晕倒了", "{L}有个老人倒在地上", "{L}有人突发疾病，{D}"},
     {"叫不醒", "已经打了120"},
     {NULL}},
    {"help.locked_out", 2.8, DEMO_H_EVENING, DEMO_PRIVATE, DEMO_PK_HOME, 0.05, {NULL}, NULL,
     {"{L}钥匙锁在屋里了", "{L}进不了门，要开锁", "{L}小孩反锁在家里"},
     {"煤气还开着", "孩子还小"},
     {NULL}},
    {"help.other", 3.5, DEMO_H_FLAT, DEMO_PRIVATE, DEMO_PK_ANY, 0.05, {NULL}, NULL,
     {"{L}{X}", "{L}这边{X}，{D}", "我在{L}，{X}"},
     {"很危险", "请派人看看"},
     {"有条狗咬人", "有马蜂窝", "下水道井盖没了", "有人要跳楼", "家里有陌生人"}},
    {"fire.fire", 0.9, DEMO_H_FLAT, DEMO_PUBLIC, DEMO_PK_ANY, 0.05, {"fire.gas_leak"}, NULL,
     {"{L}着火了", "{L}冒烟了，好像着火了", "{L}起火了，{D}", "看到{L}那边有火"},
     {"火很大", "有人在里面", "烟很大"},
     {NULL}},
    {"fire.gas_leak", 0.4, DEMO_H_FLAT, DEMO_SEMI, DEMO_PK_HOME, 0.05, {"fire.fire"}, NULL,
     {"{L}煤气泄漏了", "{L}闻到很浓的煤气味", "{L}燃气泄漏"},
     {"楼道里都是味道"},
     {NULL}},
    {"report.clue", 0.8, DEMO_H_DAY, DEMO_PRIVATE, DEMO_PK_ANY, 0.05, {NULL}, NULL,
     {"举报{L}有人{D}", "提供线索，{L}{D}"},
     {"卖假烟", "收赃物", "藏了通缉犯"},
     {NULL}},
    {"report.illegal_business", 0.8, DEMO_H_DAY, DEMO_PRIVATE, DEMO_PK_SHOP, 0.05, {NULL}, NULL,
     {"举报{L}无证经营", "{L}{D}", "举报{L}非法经营，{D}"},
     {"卖过期食品", "黑网吧接待未成年人", "非法加油点"},
     {NULL}},
    {"other.harassing", 0, DEMO_H_NIGHT, DEMO_PRIVATE, DEMO_PK_HOME, 0, {NULL}, NULL,
     {"{D}", "又是我，{D}", "{D}，你们管不管"},
     {"说有人要害他", "骂接警员", "不说话就挂了", "说外星人在监视他"},
     {NULL}},
    {"other.invalid", 2.5, DEMO_H_FLAT, DEMO_PRIVATE, DEMO_PK_ANY, 0, {NULL}, NULL,
     {"误拨", "小孩玩电话", "打错了"},
     {NULL},
     {NULL}},
    {"other.other", 2, DEMO_H_FLAT, DEMO_PRIVATE, DEMO_PK_ANY, 0.05, {NULL}, NULL,
     {"{L}{D}", "咨询一下，{D}"},
     {"办身份证要带什么", "路灯坏了", "有人乱停车"},
     {NULL}},
};
/* clang-format on */

const size_t fq__demo_category_count = ARRAY_LEN(fq__demo_categories);

const struct fq__demo_category *fq__demo_category_find(const char *code)
{
	for (size_t i = 0; i < fq__demo_category_count; i++)
		if (strcmp(fq__demo_categories[i].code, code) == 0)
			return &fq__demo_categories[i];
	return NULL;
}

static size_t count_nonnull(const char *const *v, size_t cap)
{
	size_t n = 0;
	while (n < cap && v[n])
		n++;
	return n;
}

static const char *const people[] = {"两个人", "三四个人", "一群人", "五六个人", "几个年轻人"};
static const char *const vehicles[] = {"一辆白色轿车", "小车",	 "面包车", "货车",
				       "电动车",       "摩托车", "出租车", "三轮车"};
static const char *const openings[] = {"你好，",     "喂，",	 "警察同志，",
				       "我要报警，", "快来人，", "麻烦一下，"};
static const char *const closings[] = {"，快点来", "，麻烦快派人过来", "，你们来看看",
				       "，赶紧来处理一下"};
/* How 110 operators open the summary they type while the caller speaks. */
static const char *const operator_openings[] = {"报警人称", "报警称", "来电称", "报警人称：",
						"群众报警称"};
static const char *const callbacks[] = {"我刚才报过警了，", "怎么还没人来？", "又打电话来，",
					"还没处理好，", "再说一下，"};

void fq__demo_draw_facts(struct fq_rng *g, struct fq__demo_facts *f)
{
	const struct fq__demo_category *cat = f->cat;

	f->people = (size_t)fq_rng_below(g, ARRAY_LEN(people));
	f->vehicle1 = (size_t)fq_rng_below(g, ARRAY_LEN(vehicles));
	f->vehicle2 = (f->vehicle1 + 1 + (size_t)fq_rng_below(g, ARRAY_LEN(vehicles) - 1)) %
		      ARRAY_LEN(vehicles);
	f->detail = (size_t)fq_rng_below(g, count_nonnull(cat->details, ARRAY_LEN(cat->details)));
	f->item = (size_t)fq_rng_below(g, count_nonnull(cat->items, ARRAY_LEN(cat->items)));
}

/* Expand a template with the event's facts and the caller's name for the place. */
static void expand(const struct fq__demo_facts *f, const char *tpl, const char *place,
		   struct fq_buf *out)
{
	const struct fq__demo_category *cat = f->cat;

	for (const char *s = tpl; *s; s++) {
		const char *v = NULL;
		if (s[0] == '{' && s[1] && s[2] == '}') {
			switch (s[1]) {
			case 'L':
				v = place;
				break;
			case 'P':
				v = people[f->people];
				break;
			case 'V':
				v = vehicles[f->vehicle1];
				break;
			case 'W':
				v = vehicles[f->vehicle2];
				break;
			case 'D':
				v = cat->details[f->detail] ? cat->details[f->detail] : "";
				break;
			case 'X':
				v = cat->items[f->item] ? cat->items[f->item] : "";
				break;
			}
		}
		if (v) {
			fq_assert(fq_buf_adds(out, v) == 0);
			s += 2;
		} else {
			fq_assert(fq_buf_addch(out, *s) == 0);
		}
	}
}

/* How this caller names the place: its landmark mostly, else its road or something vaguer. */
static const char *place_words(struct fq_rng *g, const struct fq__demo_facts *f)
{
	static const char *const vague[] = {"这里", "这边", "我们这里"};
	double x = fq_rng_unit(g);

	if (x < 0.7)
		return f->landmark;
	if (x < 0.9)
		return f->road_name;
	if (f->home && chance(g, 0.5))
		return "我家楼下";
	return PICK(g, vague);
}

void fq__demo_describe(struct fq_rng *g, const struct fq__demo_facts *f, int callback,
		       int by_operator, struct fq_buf *out)
{
	const struct fq__demo_category *cat = f->cat;
	size_t ncores = count_nonnull(cat->cores, ARRAY_LEN(cat->cores));
	size_t ndetails = count_nonnull(cat->details, ARRAY_LEN(cat->details));
	const char *core = cat->cores[by_operator ? 0 : fq_rng_below(g, ncores)];

	fq_buf_reset(out);
	if (by_operator)
		fq_assert(fq_buf_adds(out, PICK(g, operator_openings)) == 0);
	if (callback)
		fq_assert(fq_buf_adds(out, by_operator ? "再次报警，" : PICK(g, callbacks)) == 0);
	else if (!by_operator && chance(g, 0.4))
		fq_assert(fq_buf_adds(out, PICK(g, openings)) == 0);
	expand(f, core, by_operator ? f->landmark : place_words(g, f), out);
	if (ndetails && !strstr(core, "{D}") && chance(g, 0.45)) {
		fq_assert(fq_buf_adds(out, "，") == 0);
		fq_assert(fq_buf_adds(out, cat->details[f->detail]) == 0);
	}
	if (!by_operator && chance(g, 0.35))
		fq_assert(fq_buf_adds(out, PICK(g, closings)) == 0);
}

/* ---- noise on the text ---- */

static const char *const simp_trad[][2] = {
    {"门", "門"}, {"个", "個"}, {"车", "車"}, {"东", "東"}, {"开", "開"}, {"说", "說"},
    {"楼", "樓"}, {"发", "發"}, {"现", "現"}, {"们", "們"}, {"报", "報"}, {"闹", "鬧"},
    {"伤", "傷"}, {"钱", "錢"}, {"这", "這"}, {"边", "邊"}, {"过", "過"}, {"还", "還"},
    {"来", "來"}, {"没", "沒"}, {"对", "對"}, {"电", "電"}, {"话", "話"}, {"辆", "輛"},
    {"骑", "騎"}, {"动", "動"}, {"头", "頭"}, {"医", "醫"}, {"间", "間"}, {"区", "區"},
    {"号", "號"}, {"场", "場"}, {"广", "廣"}, {"乡", "鄉"}, {"镇", "鎮"}, {"桥", "橋"},
    {"龙", "龍"}, {"阳", "陽"}, {"丰", "豐"}, {"杨", "楊"}, {"陈", "陳"}, {"赌", "賭"},
    {"烟", "煙"}, {"贼", "賊"}, {"脑", "腦"}, {"邻", "鄰"}, {"纠", "糾"}, {"纷", "紛"},
    {"时", "時"}, {"里", "裡"}, {"见", "見"}, {"儿", "兒"}, {"亲", "親"}, {"进", "進"},
    {"员", "員"}, {"样", "樣"}, {"几", "幾"}, {"轻", "輕"}, {"杂", "雜"}, {"货", "貨"},
    {"处", "處"}, {"欢", "歡"}, {"乐", "樂"}, {"后", "後"}, {"总", "總"}, {"万", "萬"},
    {"块", "塊"}, {"诈", "詐"}, {"骗", "騙"}, {"问", "問"}, {"题", "題"}, {"经", "經"},
    {"营", "營"}, {"举", "舉"}, {"线", "線"}, {"烧", "燒"}, {"着", "著"}, {"灯", "燈"},
    {"坏", "壞"}, {"劳", "勞"}, {"资", "資"}, {"业", "業"}, {"饭", "飯"}, {"面", "麵"},
    {"药", "藥"}, {"厂", "廠"}, {"导", "導"}, {"险", "險"}, {"听", "聽"}, {"疯", "瘋"},
    {"爷", "爺"}, {"挡", "擋"}, {"两", "兩"}, {"丢", "丟"},
};

static const char *const typos[][2] = {
    {"打架", "打驾"}, {"报警", "抱警"},	    {"门口", "们口"}, {"受伤", "受商"},
    {"小区", "小去"}, {"电动车", "电东车"}, {"在", "再"},     {"的", "得"},
    {"吵", "炒"},     {"撞", "装"},	    {"钱包", "钱抱"}, {"邻居", "邻局"},
    {"老婆", "老破"}, {"孩子", "孩字"},	    {"着火", "着伙"}, {"煤气", "媒气"},
    {"喝醉", "喝最"}, {"车祸", "车货"},	    {"纠纷", "纠分"}, {"偷", "透"},
    {"已经", "以经"}, {"一群", "一裙"},	    {"路口", "路扣"}, {"摩托车", "魔托车"},
};

/* Length of the UTF-8 character at s. */
static size_t utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Some Simplified characters written in Traditional, as a Traditional input method would. */
static void to_traditional(struct fq_rng *g, struct fq_buf *b)
{
	struct fq_buf out;
	const char *s = b->buf;

	fq_buf_init(&out, b->max);
	while (*s) {
		size_t n = utf8_len(s), k;
		for (k = 0; k < ARRAY_LEN(simp_trad); k++)
			if (strncmp(s, simp_trad[k][0], n) == 0 && strlen(simp_trad[k][0]) == n)
				break;
		if (k < ARRAY_LEN(simp_trad) && chance(g, 0.8))
			fq_assert(fq_buf_adds(&out, simp_trad[k][1]) == 0);
		else
			fq_assert(fq_buf_add(&out, s, n) == 0);
		s += n;
	}
	fq_buf_release(b);
	*b = out;
}

/* One homophone typo; 0 when the text has none of the usual suspects. */
static int add_typo(struct fq_rng *g, struct fq_buf *b)
{
	size_t start = (size_t)fq_rng_below(g, ARRAY_LEN(typos));

	for (size_t i = 0; i < ARRAY_LEN(typos); i++) {
		const char *const *t = typos[(start + i) % ARRAY_LEN(typos)];
		const char *at = strstr(b->buf, t[0]);
		if (at) {
			struct fq_buf out;
			fq_buf_init(&out, b->max);
			fq_assert(fq_buf_add(&out, b->buf, (size_t)(at - b->buf)) == 0 &&
				  fq_buf_adds(&out, t[1]) == 0 &&
				  fq_buf_adds(&out, at + strlen(t[0])) == 0);
			fq_buf_release(b);
			*b = out;
			return 1;
		}
	}
	return 0;
}

/* ASCII digits as full-width ones (１２３), as some input methods type them. */
int fq__demo_full_width_digits(struct fq_buf *b)
{
	struct fq_buf out;
	int any = 0;

	fq_buf_init(&out, b->max);
	for (const char *s = b->buf; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			char fw[4] = {(char)0xef, (char)0xbc, (char)(0x90 + (*s - '0')), 0};
			fq_assert(fq_buf_adds(&out, fw) == 0);
			any = 1;
		} else {
			fq_assert(fq_buf_addch(&out, *s) == 0);
		}
	}
	fq_buf_release(b);
	*b = out;
	return any;
}

void fq__demo_text_noise(struct fq_rng *g, const struct fq_demo_alerts_noise *noise,
			 struct fq_buf *text, struct fq_buf *tags)
{
	if (chance(g, noise->traditional)) {
		to_traditional(g, text);
		fq__demo_tag(tags, "traditional");
	}
	if (chance(g, noise->typo) && add_typo(g, text))
		fq__demo_tag(tags, "typo");
	if (chance(g, noise->full_width) && strpbrk(text->buf, "0123456789") &&
	    fq__demo_full_width_digits(text))
		fq__demo_tag(tags, "full_width");
}

void fq__demo_tag(struct fq_buf *tags, const char *tag)
{
	fq_assert(fq_buf_addf(tags, "%s%s", tags->len ? ";" : "", tag) == 0);
}
