/*
 * Writing one intake answer as JSON: jansson's json_dumpb beside fq_json_dump
 * (core/json.c), which writes the same bytes. Build (against the release
 * objects and libraries) and run from the repository root:
 *
 *   make build/bench/json_dump
 *   build/bench/json_dump
 *
 * The answer is the one POST /api/v1/alerts gave for a third report of one
 * caller (1.6 KB: the alert, its incident, the merge with one candidate and
 * the caller's counts). Each way writes it 200,000 times, in 7 rounds; the
 * median round is printed in microseconds per answer, with the ratio. Exits
 * 1 if the two ways ever write different bytes.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"

static const char answer[] =
    "{\"alert\":{\"id\":\"01a20d7f-8df5-77dc-80a8-05f100010bf8\",\"number\":"
    "\"JJ-339902510000-20261124-0003\",\"incident_id\":\"01a20d7f-8ddb-705b-b417-105d74ed6b0f\","
    "\"unit\":\"339902510000\",\"grid\":\"339902100005\",\"received_at\":"
    "\"2026-11-24T12:40:00.000+08:00\",\"source\":\"phone_110\",\"caller_name\":\"王先生\","
    "\"caller_phone\":\"+86 138 0000 1234\",\"location\":{\"lat\":29.7123,\"lon\":120.2456},"
    "\"address\":\"人民路88号酒吧门口\",\"category\":\"public_order.fight\",\"priority\":1,"
    "\"description\":\"酒吧门口有人打架，三四个人\",\"extra\":null},\"incident\":{\"id\":"
    "\"01a20d7f-8ddb-705b-b417-105d74ed6b0f\",\"number\":\"SJ-339902510000-20261124-0001\","
    "\"unit\":\"339902510000\",\"grid\":\"339902100005\",\"state\":\"received\",\"state_label\":"
    "\"已接警\",\"category\":\"public_order.fight\",\"priority\":1,\"location\":{\"lat\":29.7123,"
    "\"lon\":120.2456},\"address\":\"人民路88号酒吧门口\",\"first_received_at\":"
    "\"2026-11-24T12:40:00.000+08:00\",\"last_received_at\":\"2026-11-24T12:40:00.000+08:00\","
    "\"alert_count\":3,\"repeat_caller\":false,\"repeat_place\":false,\"disposal\":null,"
    "\"feedback\":null,\"close_reason\":null,\"closed_at\":null,\"version\":3,\"updated_at\":"
    "\"2026-11-24T20:19:52.949+08:00\",\"merged_into\":null},\"merge\":{\"decision\":\"merged\","
    "\"kind\":\"repeat_caller\",\"flags\":[\"repeat_caller\"],\"candidates\":[{\"incident_id\":"
    "\"01a20d7f-8ddb-705b-b417-105d74ed6b0f\",\"score\":1.0,\"kind\":\"repeat_caller\","
    "\"reasons\":[\"同一来电人 0 秒前报警\",\"相距 0 米，同类警情，描述相似度 1.00\"]}],"
    "\"repeat_caller\":{\"calls_7d\":2,\"calls_30d\":2,\"calls_90d\":2,\"reason\":"
    "\"该来电人 24 小时内第 3 次报警\"},\"repeat_place\":null}}";

#define ROUNDS 7
#define PER_ROUND 200000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	json_error_t je;
	json_t *j = json_loads(answer, 0, &je);
	double t_jansson[ROUNDS], t_ours[ROUNDS];
	static char out[8192];
	struct fq_buf b;
	size_t n;

	if (!j) {
		fprintf(stderr, "json_dump: the sample does not parse: %s\n", je.text);
		return 1;
	}
	fq_buf_init(&b, 0);
	n = json_dumpb(j, out, sizeof(out), FQ_JSON_DUMP_FLAGS);
	if (fq_json_dump(j, &b) != 0 || b.len != n || memcmp(b.buf, out, n) != 0) {
		fprintf(stderr, "json_dump: fq_json_dump and json_dumpb differ\n");
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_us();
		size_t sum = 0;

		for (int i = 0; i < PER_ROUND; i++)
			sum += json_dumpb(j, out, sizeof(out), FQ_JSON_DUMP_FLAGS);
		t_jansson[r] = (now_us() - t0) / PER_ROUND;
		t0 = now_us();
		for (int i = 0; i < PER_ROUND; i++) {
			fq_buf_reset(&b);
			if (fq_json_dump(j, &b) != 0)
				return 1;
			sum -= b.len;
		}
		t_ours[r] = (now_us() - t0) / PER_ROUND;
		if (sum != 0)
			return 1;
	}
	qsort(t_jansson, ROUNDS, sizeof(double), cmp);
	qsort(t_ours, ROUNDS, sizeof(double), cmp);
	printf("answer of %zu bytes, %d rounds of %d\n", n, ROUNDS, PER_ROUND);
	printf("json_dumpb (jansson %s): median %.2f us per answer\n", JANSSON_VERSION,
	       t_jansson[ROUNDS / 2]);
	printf("fq_json_dump:             median %.2f us per answer (x%.1f faster)\n",
	       t_ours[ROUNDS / 2], t_jansson[ROUNDS / 2] / t_ours[ROUNDS / 2]);
	fq_buf_release(&b);
	json_decref(j);
	return 0;
}
