/* The merge index's own structures (src/command/merge_index.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "command/merge_index.h"

/* 2026-11-23 20:00 +08:00 */
#define FQ_T0 1795435200000LL

/* splitmix64 */
static uint64_t next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * A bucket's records against a model: arrivals out of time order and at
 * equal times, removals at the front and in the middle. The records stay in
 * time order, ties in arrival order, each with what it was added with; the
 * array stays within four times the most records it held.
 */
#define BUCKET_ITEMS 600
static void check_bucket(const struct fq_merge_index *idx, const struct bucket *b, const int *model,
			 size_t n, const int64_t *times, const int *items)
{
	assert_int_equal(b->len - b->head, n);
	assert_int_equal(idx->slot_bytes, b->alloc * sizeof(struct slot));
	for (size_t i = 0; i < n; i++) {
		const struct slot *s = &b->slots[b->head + i];

		assert_ptr_equal(s->item, &items[model[i]]);
		assert_int_equal(s->t_ms, times[model[i]]);
		assert_true(s->lat == (double)model[i] && s->lon == -(double)model[i]);
		assert_int_equal(s->category_index, model[i] % 7);
	}
}

static void test_bucket_records(void **state)
{
	static struct fq_merge_index idx; /* only slot_bytes is used */
	struct bucket b;
	static int items[BUCKET_ITEMS];
	int64_t times[BUCKET_ITEMS];
	int model[BUCKET_ITEMS];
	size_t n = 0, peak = 0;
	uint64_t seed = 42;
	int next = 0;
	int64_t clock = FQ_T0;

	(void)state;
	memset(&b, 0, sizeof(b));
	for (int op = 0; op < 20000; op++) {
		uint64_t r = next_random(&seed);
		int add = next < BUCKET_ITEMS && (n == 0 || r % 100 < 55);

		if (add) {
			int id = next++;
			size_t pos = n;

			/* Mostly forward, at times equal or a little back. */
			clock += (int64_t)(r >> 8) % 3;
			times[id] = clock - ((r >> 16) % 10 == 0 ? (int64_t)((r >> 24) % 5) : 0);
			fq__merge_bucket_insert(&idx, &b, times[id], (double)id, -(double)id,
						&items[id], id % 7);
			while (pos > 0 && times[model[pos - 1]] > times[id])
				pos--;
			memmove(model + pos + 1, model + pos, (n - pos) * sizeof(*model));
			model[pos] = id;
			n++;
		} else {
			/* The front half the time, else anywhere. */
			size_t pos = (r >> 8) % 2 ? 0 : (size_t)((r >> 16) % n);
			int id = model[pos];

			fq__merge_bucket_remove(&b, times[id], &items[id]);
			memmove(model + pos, model + pos + 1, (n - pos - 1) * sizeof(*model));
			n--;
		}
		peak = n > peak ? n : peak;
		check_bucket(&idx, &b, model, n, times, items);
		assert_true(b.alloc <= 4 * (peak > 4 ? peak : 4));
		if (next == BUCKET_ITEMS && n == 0)
			break;
	}
	assert_int_equal(next, BUCKET_ITEMS);

	/* Steady state, as at a busy place: one in at the back, one out at the front. */
	assert_int_equal(n, 0);
	assert_int_equal(b.head, 0);
	assert_int_equal(b.len, 0);

	/* An emptied bucket is freed (bucket_put); a new one starts small. */
	idx.slot_bytes -= b.alloc * sizeof(*b.slots);
	free(b.slots);
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < BUCKET_ITEMS; i++) {
		times[i] = FQ_T0 + i;
		fq__merge_bucket_insert(&idx, &b, times[i], (double)i, -(double)i, &items[i],
					i % 7);
		model[n++] = i;
		if (n > 10) {
			fq__merge_bucket_remove(&b, times[model[0]], &items[model[0]]);
			memmove(model, model + 1, --n * sizeof(*model));
		}
		check_bucket(&idx, &b, model, n, times, items);
	}
	assert_true(b.alloc <= 4 * 11);
	free(b.slots);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bucket_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
