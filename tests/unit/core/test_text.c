#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <opencc/opencc.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "core/opencc_dict.h"
#include "core/text.h"

static void expect_normal(const char *in, const char *want)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_buf out;
	int rc;

	fq_buf_init(&out, 0);
	rc = fq_text_normalize(in, strlen(in), &out, &err);
	if (rc)
		fail_msg("\"%s\": %s (%s)", in, err.machine, err.message);
	assert_string_equal(out.buf, want);
	assert_int_equal(out.len, strlen(want));
	fq_buf_release(&out);
}

static int setup(void **state)
{
	(void)state;
	return fq_text_global_init();
}

static int teardown(void **state)
{
	(void)state;
	fq_text_global_cleanup();
	return 0;
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(fq_utf8_valid("", 0));
	assert_true(fq_utf8_valid("abc", 3));
	assert_true(fq_utf8_valid("警察", strlen("警察")));
	assert_true(fq_utf8_valid("\xf0\x9f\x9a\x93", 4)); /* U+1F693 police car */
	assert_true(fq_utf8_valid("\xf4\x8f\xbf\xbf", 4)); /* U+10FFFF */
	assert_true(fq_utf8_valid("\xed\x9f\xbf", 3));	   /* U+D7FF */
	assert_true(fq_utf8_valid("a\0b", 3));
	assert_false(fq_utf8_valid("\xc0\x80", 2));	/* overlong NUL */
	assert_false(fq_utf8_valid("\xc1\xbf", 2));	/* overlong */
	assert_false(fq_utf8_valid("\xe0\x80\x80", 3)); /* overlong */
	assert_false(fq_utf8_valid("\xf0\x80\x80\x80", 4));
	assert_false(fq_utf8_valid("\xed\xa0\x80", 3));	    /* surrogate U+D800 */
	assert_false(fq_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(fq_utf8_valid("\xf5\x80\x80\x80", 4));
	assert_false(fq_utf8_valid("\x80", 1));
	assert_false(fq_utf8_valid("\xe8\xad", 2));	/* truncated 警 */
	assert_false(fq_utf8_valid("\xe8\xad\xa6", 2)); /* len cuts the sequence */
	assert_false(fq_utf8_valid("\xe8\x41\xa6", 3));
}

static void test_traditional_to_simplified(void **state)
{
	(void)state;
	expect_normal("臺灣警察局門口發生打架", "台湾警察局门口发生打架");
	expect_normal("派出所接獲報案後，立即趕赴現場。", "派出所接获报案后 立即赶赴现场");
	expect_normal("已经是简体字", "已经是简体字");
}

static void test_fullwidth_and_case(void **state)
{
	(void)state;
	expect_normal("ＡＢＣ１２３", "abc123");
	expect_normal("Hello WORLD", "hello world");
	expect_normal("①号楼", "1号楼");
	expect_normal("Straße", "strasse");
	expect_normal("\xef\xac\x81le", "file"); /* ligature fi */
	/* Zero-width space disappears, it does not split words. */
	expect_normal("ab\xe2\x80\x8b"
		      "cd",
		      "abcd");
}

static void test_punctuation_and_spaces(void **state)
{
	(void)state;
	expect_normal("你好，世界！（测试）【通知】《法》“引号”‘单’。、；：？",
		      "你好 世界 测试 通知 法 引号 单");
	expect_normal("Hi, there... (ok)?!", "hi there ok");
	expect_normal("  甲 \t\n 乙　　丙  ", "甲 乙 丙");
	expect_normal("3#楼-2单元/501室", "3 楼 2单元 501室");
	expect_normal("，。！", "");
	expect_normal("", "");
}

static void test_embedded_nul(void **state)
{
	struct fq_buf out;

	(void)state;
	fq_buf_init(&out, 0);
	assert_int_equal(fq_text_normalize("門\0口", strlen("門") + 1 + strlen("口"), &out, NULL),
			 0);
	assert_string_equal(out.buf, "门 口");
	fq_buf_release(&out);
}

static void test_appends_and_keeps_input(void **state)
{
	char in[] = "臺灣 ＡＢＣ";
	char copy[sizeof(in)];
	struct fq_buf out;

	(void)state;
	memcpy(copy, in, sizeof(in));
	fq_buf_init(&out, 0);
	assert_int_equal(fq_buf_adds(&out, "["), 0);
	assert_int_equal(fq_text_normalize(in, strlen(in), &out, NULL), 0);
	assert_string_equal(out.buf, "[台湾 abc");
	assert_memory_equal(in, copy, sizeof(in));
	fq_buf_release(&out);
}

static void test_idempotent(void **state)
{
	static const char *samples[] = {
	    "臺灣警察局門口發生打架",
	    "ＡＢＣ１２３，「測試」",
	    "  Mixed 中文 and English; 電話：１３８-1234-5678 ",
	    "乾隆皇帝頭髮",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct fq_buf once;
		struct fq_buf twice;

		fq_buf_init(&once, 0);
		fq_buf_init(&twice, 0);
		assert_int_equal(fq_text_normalize(samples[i], strlen(samples[i]), &once, NULL), 0);
		assert_int_equal(fq_text_normalize(once.buf, once.len, &twice, NULL), 0);
		assert_string_equal(once.buf, twice.buf);
		fq_buf_release(&once);
		fq_buf_release(&twice);
	}
}

static void test_errors(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_buf out;
	size_t big_len = FQ_TEXT_MAX_BYTES + 1;
	char *big;

	(void)state;
	fq_buf_init(&out, 0);
	assert_int_equal(fq_buf_adds(&out, "kept"), 0);
	assert_int_equal(fq_text_normalize("ab\xff", 3, &out, &err), FQ_EINVAL);
	assert_string_equal(err.machine, "text_encoding");
	assert_string_equal(err.field, "");
	assert_string_equal(out.buf, "kept");

	big = malloc(big_len);
	assert_non_null(big);
	memset(big, 'a', big_len);
	assert_int_equal(fq_text_normalize(big, big_len, &out, &err), FQ_ETOOBIG);
	assert_string_equal(err.machine, "text_too_long");
	assert_string_equal(out.buf, "kept");
	/* At the limit it works. */
	assert_int_equal(fq_text_normalize(big, big_len - 1, &out, &err), 0);
	assert_int_equal(out.len, 4 + big_len - 1);
	free(big);
	fq_buf_release(&out);

	/* The output buffer's own maximum holds, and a failure leaves it as it was. */
	fq_buf_init(&out, 8);
	assert_int_equal(fq_buf_adds(&out, "ab"), 0);
	assert_int_equal(fq_text_normalize("臺灣警察", strlen("臺灣警察"), &out, &err), FQ_ETOOBIG);
	assert_string_equal(err.machine, "text_too_long");
	assert_string_equal(out.buf, "ab");
	assert_int_equal(out.len, 2);
	assert_int_equal(fq_text_normalize("ＡＢＣＤＥＦＧ", strlen("ＡＢＣＤＥＦＧ"), &out, &err),
			 FQ_ETOOBIG);
	assert_string_equal(out.buf, "ab");
	/* Spaces folded away do not count against it. */
	assert_int_equal(fq_text_normalize("  x  ,  y   ", 12, &out, &err), 0);
	assert_string_equal(out.buf, "abx y");
	fq_buf_release(&out);
}

/* Every key of t2s.json's conversion dictionaries, as core/opencc_dict.h gives them. */
struct key_list {
	char **keys;
	bool *changes;
	size_t count;
	size_t alloc;
	size_t changing;
};

static int collect_key(void *ctx, const char *key, size_t len, bool changes)
{
	struct key_list *l = ctx;

	if (l->count == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 1024;
		l->keys = realloc(l->keys, l->alloc * sizeof(*l->keys));
		l->changes = realloc(l->changes, l->alloc * sizeof(*l->changes));
		assert_non_null(l->keys);
		assert_non_null(l->changes);
	}
	l->keys[l->count] = strndup(key, len);
	assert_non_null(l->keys[l->count]);
	l->changes[l->count++] = changes;
	l->changing += changes;
	return 0;
}

static void key_list_free(struct key_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->keys[i]);
	free(l->keys);
	free(l->changes);
}

static int stop_at_third(void *ctx, const char *key, size_t len, bool changes)
{
	int *seen = ctx;

	(void)key;
	(void)len;
	(void)changes;
	return ++*seen == 3 ? 42 : 0;
}

static void test_opencc_dict_keys(void **state)
{
	struct key_list l = {0};
	char msg[160];
	int seen = 0;

	(void)state;
	assert_int_equal(
	    fq_opencc_dict_keys(FQ_TEXT_OPENCC_CONFIG, collect_key, &l, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	/* TSPhrases and TSCharacters: thousands of keys, most of them Traditional characters. */
	assert_true(l.count > 3000);
	assert_true(l.changing > 2000);
	assert_true(l.changing < l.count);
	for (size_t i = 0; i < l.count; i++) {
		if (strcmp(l.keys[i], "發") == 0)
			assert_true(l.changes[i]);
	}
	key_list_free(&l);

	assert_int_equal(
	    fq_opencc_dict_keys(FQ_TEXT_OPENCC_CONFIG, stop_at_third, &seen, msg, sizeof(msg)), 42);
	assert_int_equal(seen, 3);
	seen = 0;
	assert_int_equal(
	    fq_opencc_dict_keys("no-such-config.json", stop_at_third, &seen, msg, sizeof(msg)), -1);
	assert_int_equal(seen, 0);
	assert_true(strlen(msg) > 0);
}

/*
 * A text that normalisation leaves to OpenCC alone: NFKC_Casefold-stable and
 * without the characters that are folded to spaces.
 */
static bool only_opencc_changes(const char *s)
{
	UErrorCode status = U_ZERO_ERROR;
	const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&status);
	UChar u[256];
	int32_t n = 0, i = 0, len = (int32_t)strlen(s);
	UChar32 c;

	assert_false(U_FAILURE(status));
	while (i < len) {
		U8_NEXT((const uint8_t *)s, i, len, c);
		if (c < 0 || (U_GET_GC_MASK(c) & (U_GC_P_MASK | U_GC_S_MASK | U_GC_Z_MASK |
						  U_GC_CC_MASK | U_GC_CF_MASK)))
			return false;
	}
	u_strFromUTF8(u, 256, &n, s, len, &status);
	if (U_FAILURE(status))
		return false;
	return unorm2_isNormalized(nfkc_cf, u, n, &status) && !U_FAILURE(status);
}

/* fq_text_normalize(s) is what OpenCC itself makes of s, when it calls OpenCC or not. */
static int check_as_opencc(opencc_t h, const char *s, unsigned long *skipped)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_buf out;
	unsigned long before;
	char *want;

	if (!only_opencc_changes(s))
		return 0;
	want = opencc_convert_utf8(h, s, strlen(s));
	assert_non_null(want);
	if (!only_opencc_changes(want)) {
		opencc_convert_utf8_free(want);
		return 0;
	}
	fq_buf_init(&out, 0);
	before = fq_text_opencc_calls();
	if (fq_text_normalize(s, strlen(s), &out, &err))
		fail_msg("\"%s\": %s", s, err.message);
	if (strcmp(out.buf, want) != 0)
		fail_msg("\"%s\": normalised to \"%s\", OpenCC gives \"%s\"", s, out.buf, want);
	if (fq_text_opencc_calls() == before)
		(*skipped)++;
	fq_buf_release(&out);
	opencc_convert_utf8_free(want);
	return 1;
}

/* The first n characters of s (at most its length). */
static size_t char_prefix(const char *s, size_t n)
{
	int32_t i = 0, len = (int32_t)strlen(s);

	while (n-- && i < len)
		U8_FWD_1((const uint8_t *)s, i, len);
	return (size_t)i;
}

static void test_opencc_skipped_only_when_unchanged(void **state)
{
	static const char *const common[] = {"的", "一", "不", "有", "人", "在", "门", "口",
					     "打", "架", "酒", "吧", "手", "机", "大", "老",
					     "路", "号", "着", "于", "干", "后", "里", "发",
					     "面", "台", "云", "只", "系", "松"};
	const size_t ncommon = sizeof(common) / sizeof(common[0]);
	struct key_list l = {0};
	unsigned long skipped = 0;
	size_t checked = 0, tried = 0, nsame = 0;
	const char **same;
	char msg[160], s[256];
	unsigned seed = 20261124;
	opencc_t h;

	(void)state;
	assert_int_equal(
	    fq_opencc_dict_keys(FQ_TEXT_OPENCC_CONFIG, collect_key, &l, msg, sizeof(msg)), 0);
	h = opencc_open(FQ_TEXT_OPENCC_CONFIG);
	assert_true(h != (opencc_t)-1);
	same = calloc(l.count, sizeof(*same));
	assert_non_null(same);

	/* Every key: alone, between two characters, before the next key, and cut short. */
	for (size_t i = 0; i < l.count; i++) {
		const char *next = l.keys[(i + 1) % l.count];

		tried += 4;
		checked += (size_t)check_as_opencc(h, l.keys[i], &skipped);
		snprintf(s, sizeof(s), "甲%s乙", l.keys[i]);
		checked += (size_t)check_as_opencc(h, s, &skipped);
		snprintf(s, sizeof(s), "%s%s", l.keys[i], next);
		checked += (size_t)check_as_opencc(h, s, &skipped);
		snprintf(s, sizeof(s), "有%.*s", (int)char_prefix(l.keys[i], 1), l.keys[i]);
		checked += (size_t)check_as_opencc(h, s, &skipped);
	}
	/*
	 * Random mixes: mostly common simplified characters and the keys OpenCC maps to themselves
	 * (whole or cut short), some keys of any kind.
	 */
	for (size_t i = 0; i < l.count; i++) {
		if (!l.changes[i])
			same[nsame++] = l.keys[i];
	}
	assert_true(nsame > 10);
	for (int n = 0; n < 20000; n++) {
		int pieces = 1 + (int)(rand_r(&seed) % 8);
		size_t len = 0;

		s[0] = '\0';
		for (int p = 0; p < pieces; p++) {
			const char *piece;
			size_t plen;
			unsigned r = (unsigned)rand_r(&seed);

			if (r % 10 < 6) {
				piece = common[(r / 10) % ncommon];
				plen = strlen(piece);
			} else if (r % 10 < 8) {
				piece = same[(r / 10) % nsame];
				plen = r % 10 == 6 ? strlen(piece)
						   : char_prefix(piece, 1 + (r / 7) % 3);
			} else {
				piece = l.keys[(r / 10) % l.count];
				plen = r % 10 == 8 ? strlen(piece)
						   : char_prefix(piece, 1 + (r / 7) % 3);
			}
			if (len + plen >= sizeof(s))
				break;
			memcpy(s + len, piece, plen);
			s[len += plen] = '\0';
		}
		tried++;
		checked += (size_t)check_as_opencc(h, s, &skipped);
	}
	/* Nearly every text qualified, and the filter let many of them skip OpenCC. */
	assert_true(checked * 10 > tried * 9);
	print_message("%zu of %zu texts checked, %lu without OpenCC\n", checked, tried, skipped);
	assert_true(skipped > checked / 10);
	opencc_close(h);
	free(same);
	key_list_free(&l);
}

/* How many times normalising s calls OpenCC. */
static unsigned long opencc_calls_for(const char *s)
{
	unsigned long before = fq_text_opencc_calls();
	struct fq_buf out;

	fq_buf_init(&out, 0);
	assert_int_equal(fq_text_normalize(s, strlen(s), &out, NULL), 0);
	fq_buf_release(&out);
	return fq_text_opencc_calls() - before;
}

static void test_opencc_called_only_when_needed(void **state)
{
	static const struct {
		const char *text;
		unsigned long calls;
	} cases[] = {
	    {"楼上深夜装修噪音扰民", 0},	 {"有人喝醉了躺在路边", 0},
	    {"接到冒充公检法电话被骗两万元", 0}, {"枫溪镇人民路12号附近", 0},
	    {"老人走失，穿蓝色外套", 0},	 {"ABC 123", 0},
	    {"樓下KTV太吵了，睡不著", 1},	 {"手機在菜市場被偷", 1},
	    {"鄰居占用樓道堆放雜物發生爭吵", 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (opencc_calls_for(cases[i].text) != cases[i].calls)
			fail_msg("\"%s\": OpenCC not called %lu time(s)", cases[i].text,
				 cases[i].calls);
	expect_normal("手機在菜市場被偷", "手机在菜市场被偷");
	expect_normal("楼上深夜装修噪音扰民", "楼上深夜装修噪音扰民");
}

static void test_global_init_cleanup(void **state)
{
	(void)state;
	assert_int_equal(fq_text_global_init(), 0);
	assert_int_equal(fq_text_global_init(), 0);
	fq_text_global_cleanup();
	/* Loaded again on first use. */
	expect_normal("發", "发");
	fq_text_global_cleanup();
	fq_text_global_cleanup();
	assert_int_equal(fq_text_global_init(), 0);
}

#define THREADS	   4
#define ITERATIONS 200

static void *normalize_many(void *arg)
{
	const char *in = "臺灣警察局門口發生打架，ＡＢＣ";
	int *failures = arg;

	for (int i = 0; i < ITERATIONS; i++) {
		struct fq_buf out;

		fq_buf_init(&out, 0);
		if (fq_text_normalize(in, strlen(in), &out, NULL) ||
		    strcmp(out.buf, "台湾警察局门口发生打架 abc") != 0)
			(*failures)++;
		fq_buf_release(&out);
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t threads[THREADS];
	int failures[THREADS] = {0};
	int created[THREADS];
	int joined[THREADS] = {0};

	(void)state;
	for (int i = 0; i < THREADS; i++)
		created[i] = pthread_create(&threads[i], NULL, normalize_many, &failures[i]);
	/* Join all before checking, so that a failed check leaves no thread behind. */
	for (int i = 0; i < THREADS; i++) {
		if (created[i] == 0)
			joined[i] = pthread_join(threads[i], NULL);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(created[i], 0);
		assert_int_equal(joined[i], 0);
		assert_int_equal(failures[i], 0);
	}
}

static void expect_tokens(const char *text, const char *const *want, size_t n)
{
	struct fq_text_tokens t;

	fq_text_tokens_init(&t);
	assert_int_equal(fq_text_tokenize(&t, text, strlen(text)), 0);
	assert_int_equal(t.count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(fq_text_token(&t, i), want[i]);
	fq_text_tokens_release(&t);
}

static void test_tokenize(void **state)
{
	static const char *const mixed[] = {"台湾", "湾警", "警察", "察局", "abc123", "门口"};
	static const char *const single[] = {"打", "x"};
	static const char *const building[] = {"3", "号楼", "501", "室"};
	static const char *const repeated[] = {"哈哈", "哈哈"};

	(void)state;
	expect_tokens("台湾警察局 abc123 门口", mixed, 6);
	expect_tokens("打 x", single, 2);
	expect_tokens("3号楼501室", building, 4);
	expect_tokens("哈哈哈", repeated, 2);
	expect_tokens("", NULL, 0);
	expect_tokens("   ", NULL, 0);
}

static void test_tokenize_reuse_and_bad_input(void **state)
{
	static const char *const after[] = {"ab", "cd"};
	struct fq_text_tokens t;
	char *big;

	(void)state;
	fq_text_tokens_init(&t);
	assert_int_equal(fq_text_tokenize(&t, "警察 局长", strlen("警察 局长")), 0);
	assert_int_equal(t.count, 2);
	/* Ill-formed bytes split like spaces. */
	assert_int_equal(fq_text_tokenize(&t,
					  "ab\xff"
					  "cd",
					  5),
			 0);
	assert_int_equal(t.count, 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(fq_text_token(&t, i), after[i]);

	big = calloc(1, FQ_TEXT_MAX_BYTES + 2);
	assert_non_null(big);
	assert_int_equal(fq_text_tokenize(&t, big, FQ_TEXT_MAX_BYTES + 1), FQ_ETOOBIG);
	assert_int_equal(t.count, 0);
	free(big);
	fq_text_tokens_release(&t);
}

static void assert_similarity(const char *a, const char *b, double want)
{
	struct fq_text_sorted sa, sb;
	double got = fq_text_similarity(a, b);

	if (fabs(got - want) > 1e-12)
		fail_msg("similarity(\"%s\", \"%s\") = %f, want %f", a, b, got, want);
	got = fq_text_similarity(b, a);
	if (fabs(got - want) > 1e-12)
		fail_msg("similarity(\"%s\", \"%s\") = %f, want %f", b, a, got, want);
	/* Tokenised and sorted once each: the same, both ways. */
	assert_int_equal(fq_text_sorted_init(&sa, a), 0);
	assert_int_equal(fq_text_sorted_init(&sb, b), 0);
	for (size_t i = 1; i < sa.count; i++)
		assert_true(strcmp(sa.tokens[i - 1], sa.tokens[i]) <= 0);
	got = fq_text_similarity_sorted(&sa, &sb);
	if (fabs(got - want) > 1e-12)
		fail_msg("sorted similarity(\"%s\", \"%s\") = %f, want %f", a, b, got, want);
	got = fq_text_similarity_sorted(&sb, &sa);
	if (fabs(got - want) > 1e-12)
		fail_msg("sorted similarity(\"%s\", \"%s\") = %f, want %f", b, a, got, want);
	fq_text_sorted_release(&sa);
	fq_text_sorted_release(&sb);
	assert_null(sa.tokens);
}

static void test_similarity(void **state)
{
	(void)state;
	assert_similarity("门口发生打架", "门口发生打架", 1.0);
	/* {门口 口打 打架} vs {门口 口发 发生 生打 打架}: 2 * 2 / 8. */
	assert_similarity("门口打架", "门口发生打架", 0.5);
	/* {abc 警察} vs {abc 民警}: 2 * 1 / 4. */
	assert_similarity("abc 警察", "abc 民警", 0.5);
	/* Multisets: {哈哈 哈哈} vs {哈哈}: 2 * 1 / 3. */
	assert_similarity("哈哈哈", "哈哈", 2.0 / 3.0);
	assert_similarity("盗窃电动车", "邻里纠纷", 0.0);
	assert_similarity("", "", 0.0);
	assert_similarity("", "警察", 0.0);
	assert_similarity("，。", "警察", 0.0);
	/* Words and bigrams mixed, duplicates on both sides: {ab ab 警察 察局} vs {ab 警察 警察}...
	 */
	assert_similarity("ab ab 警察局", "ab 警察 警察", 2.0 * 2 / 7);
}

/* A text over the limit has no tokens: it compares as 0.0, sorted or not. */
static void test_similarity_too_long(void **state)
{
	size_t n = FQ_TEXT_MAX_BYTES + 1;
	char *big = malloc(n + 1);
	struct fq_text_sorted s;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(fq_text_sorted_init(&s, big), FQ_ETOOBIG);
	assert_int_equal(s.count, 0);
	assert_true(fq_text_similarity(big, "aaa") == 0.0);
	fq_text_sorted_release(&s);
	free(big);
}

static void test_similarity_after_normalize(void **state)
{
	const char *a = "臺灣警察局門口發生打架！";
	const char *b = "台湾警察局门口发生打架";
	struct fq_buf na;
	struct fq_buf nb;

	(void)state;
	assert_true(fq_text_similarity(a, b) < 0.5);
	fq_buf_init(&na, 0);
	fq_buf_init(&nb, 0);
	assert_int_equal(fq_text_normalize(a, strlen(a), &na, NULL), 0);
	assert_int_equal(fq_text_normalize(b, strlen(b), &nb, NULL), 0);
	assert_similarity(na.buf, nb.buf, 1.0);
	fq_buf_release(&na);
	fq_buf_release(&nb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_traditional_to_simplified),
	    cmocka_unit_test(test_fullwidth_and_case),
	    cmocka_unit_test(test_punctuation_and_spaces),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_appends_and_keeps_input),
	    cmocka_unit_test(test_idempotent),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_opencc_dict_keys),
	    cmocka_unit_test(test_opencc_skipped_only_when_unchanged),
	    cmocka_unit_test(test_opencc_called_only_when_needed),
	    cmocka_unit_test(test_global_init_cleanup),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_tokenize),
	    cmocka_unit_test(test_tokenize_reuse_and_bad_input),
	    cmocka_unit_test(test_similarity),
	    cmocka_unit_test(test_similarity_too_long),
	    cmocka_unit_test(test_similarity_after_normalize),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
