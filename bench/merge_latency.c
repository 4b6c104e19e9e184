/*
 * Merge engine latency (issue 3: match p99 < 1 ms with 20,000 alerts in
 * the active windows). Build (against the release objects and libraries) and
 * run from the repository root:
 *
 *   make build/bench/merge_latency
 *   build/bench/merge_latency                   # 20,000 alerts in 24 h, 100,000 matches
 *   build/bench/merge_latency --days 50         # the same after 1,000,000 alerts
 *   build/bench/merge_latency --replay 1000000  # a year streamed through the index
 *   build/bench/merge_latency --addresses       # with addresses, a tenth without coordinates
 *
 * Default run: 20,000 synthetic alerts over 24 h in a 20 x 20 km town (a
 * third around 40 problem places of 300 m, a fifth of them further reports
 * of one of the ten alerts before, with up to 50 m of GPS jitter and other
 * words; a tenth without phone, a fifth from 5,000 frequent callers),
 * inserted in time order; then 100,000 matches, half near an alert of the
 * day (up to 80 m and 20 minutes later) and half anywhere at any time of
 * the day, each timed alone with CLOCK_MONOTONIC. Prints p50, p99, p99.9
 * and max in microseconds, the decisions, and the index sizes. Exits 2
 * when p99 misses the target.
 *
 * --days N: N such days inserted first (expiring as it goes), the matches
 * in the last one: with 50, 1,000,000 alerts have passed, 20,000 are in
 * the active window and 600,000 in the 30-day repeat-place records.
 *
 * --addresses (before the other options): every alert also has an address,
 * the same for the alerts in one 300 m square (about 160 a day at each
 * problem place: the worst case for the address map), written in three
 * ways (with and without the town, with 门口 or 附近), and a tenth of the
 * alerts and matches have no coordinates: the address path of the engine
 * (canonical form, same-address candidates, coarse fixes) is timed too.
 *
 * --replay N: N alerts spread over 365 days, each matched, inserted and
 * followed by fq_merge_expire at its received_at, as an import does; prints
 * the time, the index sizes at the end and the peak resident memory, to
 * show that only the windows stay in memory.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "command/merge.h"
#include "command/taxonomy.h"
#include "core/geo.h"

#define PER_DAY		20000 /* alerts a day: the active window holds one day */
#define DAYS		1     /* days of alerts inserted by default */
#define MATCHES		100000
#define DAY_MS		(24LL * 3600 * 1000)
#define TOWN_M		20000.0
#define HOTSPOTS	40
#define HOTSPOT_M	300.0
#define PHONES		5000000
#define FREQUENT_PHONES 5000
#define TARGET_P99_US	1000.0
#define RECENT		10 /* further reports refer to one of the last RECENT alerts */
#define RING		16

static const struct fq_geo_point centre = {29.7000, 120.2500};

/* Category mix, weights roughly as a town's calls. */
static const struct {
	const char *code;
	unsigned weight;
	const char *words[4];
} mix[] = {
    {"public_order.noise",
     14,
     {"楼上装修噪音太大", "广场舞音响太吵", "酒吧音乐声太大", "半夜有人唱歌"}},
    {"public_order.fight",
     8,
     {"烧烤店门口有人打架", "几个人在路边打架", "酒吧里打起来了", "有人打架受伤"}},
    {"criminal.theft", 10, {"电动车被偷了", "手机被偷", "店里东西被偷", "电瓶被偷"}},
    {"traffic.accident", 10, {"两车相撞", "电动车和汽车相撞", "路口发生车祸", "车子追尾"}},
    {"dispute.neighbour", 8, {"邻居吵架", "邻居占用楼道", "邻居漏水纠纷", "邻居之间吵起来了"}},
    {"dispute.family", 6, {"夫妻吵架", "家里人打起来了", "父子吵架", "家庭纠纷"}},
    {"help.medical", 6, {"老人晕倒了", "有人受伤流血", "小孩发高烧", "有人昏迷"}},
    {"help.lost_property", 5, {"钱包丢了", "手机丢了", "包落在出租车上", "证件丢失"}},
    {"help.locked_out", 4, {"钥匙锁在家里", "门打不开", "被锁在门外", "开锁求助"}},
    {"criminal.fraud", 4, {"被骗了五千元", "冒充客服退款被骗", "网购被骗", "刷单被骗"}},
    {"dispute.consumer", 4, {"饭店收费纠纷", "商店退货纠纷", "消费纠纷", "理发店收费太高"}},
    {"traffic.congestion", 4, {"路口堵车", "车辆违停堵路", "道路堵塞", "大货车堵在路口"}},
    {"public_order.drunk", 3, {"有人喝醉闹事", "醉汉在街上闹", "喝醉了砸东西", "醉酒滋事"}},
    {"help.missing_person", 2, {"老人走失", "小孩找不到了", "家人走失", "走失的老人"}},
    {"fire.fire", 2, {"着火了", "房子冒烟着火", "电动车起火", "垃圾堆着火"}},
    {"other.other", 5, {"其他情况", "反映情况", "咨询事情", "其他求助"}},
    {"report.clue", 2, {"有人聚众赌博", "出租屋可疑", "有人贩卖假货", "违法线索"}},
    {"other.harassing", 1, {"骚扰电话", "反复拨打", "无声电话", "恶意骚扰"}},
};

#define MIX_COUNT (sizeof(mix) / sizeof(mix[0]))

struct synth {
	char address[64];
	int located;
	char alert_id[16];
	char incident_id[16];
	char phone[16];
	char description[96];
	int64_t t_ms;
	struct fq_geo_point p;
	size_t kind; /* index into mix */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static int with_addresses; /* --addresses */

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static double uniform(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static size_t pick_kind(void)
{
	unsigned total = 0, r;

	for (size_t i = 0; i < MIX_COUNT; i++)
		total += mix[i].weight;
	r = (unsigned)(rng() % total);
	for (size_t i = 0; i < MIX_COUNT; i++) {
		if (r < mix[i].weight)
			return i;
		r -= mix[i].weight;
	}
	return 0;
}

static struct fq_geo_point town_point(const struct fq_geo_point *hotspots)
{
	struct fq_geo_point p;

	if (uniform() < 0.33)
		return fq_geo_destination(hotspots[rng() % HOTSPOTS], uniform() * 360.0,
					  sqrt(uniform()) * HOTSPOT_M);
	p = fq_geo_destination(centre, 0.0, (uniform() - 0.5) * TOWN_M);
	return fq_geo_destination(p, 90.0, (uniform() - 0.5) * TOWN_M);
}

static void describe(struct synth *s, const char *place)
{
	snprintf(s->description, sizeof(s->description), "%s %s", place,
		 mix[s->kind].words[rng() % 4]);
}

/* A tenth unknown; a fifth from a small set of frequent callers; the rest rarely repeat. */
static void make_phone(char *out, size_t n)
{
	double u = uniform();

	if (u < 0.1)
		out[0] = '\0';
	else if (u < 0.3)
		snprintf(out, n, "139%08u", (unsigned)(rng() % FREQUENT_PHONES));
	else
		snprintf(out, n, "138%08u", (unsigned)(rng() % PHONES));
}

/* --addresses: the address of the 300 m square of s->p, as a caller may write it. */
static void make_address(struct synth *s)
{
	static const char *const roads[] = {"和平路", "人民路", "解放路", "建设路", "新华街", "中山路"};
	static const char *const around[] = {"", "门口", "附近"};
	long row = lround((s->p.lat - centre.lat) * 111195.0 / 300.0);
	long col = lround((s->p.lon - centre.lon) * 96500.0 / 300.0);
	unsigned long cell = (unsigned long)((row + 100) * 200 + (col + 100));

	s->located = 1;
	s->address[0] = '\0';
	if (!with_addresses)
		return;
	s->located = uniform() >= 0.1;
	snprintf(s->address, sizeof(s->address), "%s%s%lu号%s", uniform() < 0.5 ? "枫溪镇" : "",
		 roads[cell % 6], cell, around[rng() % 3]);
}

/* Alert number serial: another report of earlier when given, else a new event. */
static void synth_alert(struct synth *s, const struct synth *earlier, size_t serial, int64_t t_ms,
			const struct fq_geo_point *hotspots)
{
	static const char *places[] = {"和平路", "新街", "枫桥大桥", "菜市场", "学校门口", "老街"};

	snprintf(s->alert_id, sizeof(s->alert_id), "a%zu", serial);
	make_phone(s->phone, sizeof(s->phone));
	s->t_ms = t_ms;
	if (earlier) {
		snprintf(s->incident_id, sizeof(s->incident_id), "%s", earlier->incident_id);
		s->kind = earlier->kind;
		s->p = fq_geo_destination(earlier->p, uniform() * 360.0, uniform() * 50.0);
	} else {
		snprintf(s->incident_id, sizeof(s->incident_id), "i%zu", serial);
		s->kind = pick_kind();
		s->p = town_point(hotspots);
	}
	make_address(s);
	describe(s, places[rng() % 6]);
}

/* One of the last RECENT alerts of ring (serial alerts made so far) a fifth of the time. */
static const struct synth *maybe_earlier(const struct synth *ring, size_t serial)
{
	if (serial < RECENT || uniform() >= 0.2)
		return NULL;
	return &ring[(serial - 1 - rng() % RECENT) % RING];
}

static void make_hotspots(struct fq_geo_point *hotspots)
{
	for (size_t i = 0; i < HOTSPOTS; i++) {
		struct fq_geo_point p = fq_geo_destination(centre, 0.0, (uniform() - 0.5) * TOWN_M);

		hotspots[i] = fq_geo_destination(p, 90.0, (uniform() - 0.5) * TOWN_M);
	}
}

static struct fq_merge_alert to_alert(const struct synth *s)
{
	struct fq_merge_alert a;

	memset(&a, 0, sizeof(a));
	a.alert_id = s->alert_id;
	a.incident_id = s->incident_id;
	a.received_at_ms = s->t_ms;
	a.phone = s->phone;
	a.has_location = s->located;
	a.address = s->address;
	a.lat = s->p.lat;
	a.lon = s->p.lon;
	a.category = fq_taxonomy_find(mix[s->kind].code);
	a.description = s->description;
	return a;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double percentile_us(const int64_t *sorted, size_t n, double q)
{
	size_t k = (size_t)(q * (double)(n - 1) + 0.5);

	return (double)sorted[k] / 1000.0;
}

static void print_stats(struct fq_merge_index *idx)
{
	struct fq_merge_stats st;

	fq_merge_stats(idx, &st);
	printf("index: %zu active alerts (window %lld s), %zu place records, %zu phones with %zu "
	       "calls, %zu incidents, %zu cells, about %.1f MB\n",
	       st.active_alerts, (long long)st.active_window_s, st.place_reports, st.callers,
	       st.caller_calls, st.incidents, st.active_cells, (double)st.memory_bytes / 1e6);
}

static long peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int run_latency(size_t days)
{
	static struct synth ring[RING];
	static struct synth last_day[PER_DAY];
	struct fq_geo_point hotspots[HOTSPOTS];
	struct fq_merge_index *idx;
	struct fq_err err = FQ_ERR_INIT;
	int64_t *lat_ns = malloc(MATCHES * sizeof(*lat_ns));
	int64_t t0 = 1795435200000LL, last_start = t0 + (int64_t)(days - 1) * DAY_MS, start;
	size_t decisions[3] = {0, 0, 0}, candidates = 0, flagged_places = 0;
	double p99;

	if (!lat_ns || !days || fq_merge_index_new(NULL, &idx, &err)) {
		fprintf(stderr, "setup failed: %s\n", err.message);
		return 1;
	}
	make_hotspots(hotspots);
	start = now_ns();
	for (size_t serial = 0; serial < days * PER_DAY; serial++) {
		size_t day = serial / PER_DAY, i = serial % PER_DAY;
		struct synth s;
		struct fq_merge_alert a;

		synth_alert(&s, maybe_earlier(ring, serial), serial,
			    t0 + (int64_t)day * DAY_MS + DAY_MS * (int64_t)i / PER_DAY, hotspots);
		ring[serial % RING] = s;
		if (day == days - 1)
			last_day[i] = s;
		a = to_alert(&s);
		if (fq_merge_insert(idx, &a, &err)) {
			fprintf(stderr, "insert %zu: %s\n", serial, err.message);
			return 1;
		}
		if (serial % 1000 == 0)
			fq_merge_expire(idx, a.received_at_ms);
	}
	fq_merge_expire(idx, last_day[PER_DAY - 1].t_ms);
	printf("inserted %zu alerts (%d a day for %zu days) in %.2f s, expiring as it went\n",
	       days * PER_DAY, PER_DAY, days, (double)(now_ns() - start) / 1e9);
	print_stats(idx);

	for (size_t i = 0; i < MATCHES; i++) {
		struct synth q = last_day[rng() % PER_DAY];
		struct fq_merge_alert a;
		struct fq_merge_result r;
		int64_t t;

		snprintf(q.alert_id, sizeof(q.alert_id), "q%zu", i);
		if (i % 2) {
			q.p = fq_geo_destination(q.p, uniform() * 360.0, uniform() * 80.0);
			q.t_ms += (int64_t)(uniform() * 20 * 60 * 1000);
		} else {
			q.p = town_point(hotspots);
			q.t_ms = last_start + (int64_t)(uniform() * (double)DAY_MS);
			q.kind = pick_kind();
		}
		make_phone(q.phone, sizeof(q.phone));
		make_address(&q);
		describe(&q, "和平路");
		a = to_alert(&q);
		t = now_ns();
		if (fq_merge_match(idx, &a, &r, &err)) {
			fprintf(stderr, "match %zu: %s\n", i, err.message);
			return 1;
		}
		lat_ns[i] = now_ns() - t;
		decisions[r.decision]++;
		candidates += r.candidate_count;
		flagged_places += (size_t)r.repeat_place;
	}
	qsort(lat_ns, MATCHES, sizeof(*lat_ns), cmp_i64);
	p99 = percentile_us(lat_ns, MATCHES, 0.99);
	printf("%d matches: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us "
	       "(target p99 < %.0f us: %s)\n",
	       MATCHES, percentile_us(lat_ns, MATCHES, 0.50), p99,
	       percentile_us(lat_ns, MATCHES, 0.999), (double)lat_ns[MATCHES - 1] / 1000.0,
	       TARGET_P99_US, p99 < TARGET_P99_US ? "ok" : "MISSED");
	printf("decisions: %zu merged, %zu suggested, %zu new; %.2f candidates per match; "
	       "%zu repeat-place flags\n",
	       decisions[FQ_MERGE_MERGED], decisions[FQ_MERGE_SUGGESTED], decisions[FQ_MERGE_NEW],
	       (double)candidates / MATCHES, flagged_places);
	printf("peak resident memory: %.1f MB\n", (double)peak_rss_kb() / 1024.0);
	fq_merge_index_free(idx);
	free(lat_ns);
	return p99 < TARGET_P99_US ? 0 : 2;
}

static int run_replay(size_t n)
{
	static struct synth ring[RING];
	struct fq_geo_point hotspots[HOTSPOTS];
	struct fq_merge_index *idx;
	struct fq_err err = FQ_ERR_INIT;
	int64_t t0 = 1795435200000LL, start;
	const int64_t year_ms = 365LL * 24 * 3600 * 1000;
	size_t decisions[3] = {0, 0, 0};

	if (fq_merge_index_new(NULL, &idx, &err))
		return 1;
	make_hotspots(hotspots);
	start = now_ns();
	for (size_t i = 0; i < n; i++) {
		struct synth s;
		struct fq_merge_alert a;
		struct fq_merge_result r;

		synth_alert(&s, maybe_earlier(ring, i), i,
			    t0 + (int64_t)((double)year_ms * (double)i / (double)n), hotspots);
		ring[i % RING] = s;
		a = to_alert(&s);
		if (fq_merge_match(idx, &a, &r, &err) || fq_merge_insert(idx, &a, &err)) {
			fprintf(stderr, "replay %zu: %s\n", i, err.message);
			return 1;
		}
		decisions[r.decision]++;
		fq_merge_expire(idx, a.received_at_ms);
	}
	printf("replayed %zu alerts over 365 days (match, insert, expire) in %.2f s\n", n,
	       (double)(now_ns() - start) / 1e9);
	printf("decisions: %zu merged, %zu suggested, %zu new\n", decisions[FQ_MERGE_MERGED],
	       decisions[FQ_MERGE_SUGGESTED], decisions[FQ_MERGE_NEW]);
	print_stats(idx);
	printf("peak resident memory: %.1f MB\n", (double)peak_rss_kb() / 1024.0);
	fq_merge_index_free(idx);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--addresses")) {
		with_addresses = 1;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc == 3 && !strcmp(argv[1], "--replay"))
		return run_replay((size_t)strtoull(argv[2], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "--days"))
		return run_latency((size_t)strtoull(argv[2], NULL, 10));
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--addresses] [--days N | --replay N]\n", argv[0]);
		return 1;
	}
	return run_latency(DAYS);
}
