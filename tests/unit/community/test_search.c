/* The bigram tokenizer of community/search.h: units, documents, match expressions. */
#include "unit/fq_test.h"

#include "community/search.h"

static void check_units(const char *in, const char *want)
{
	struct fq_buf b;
	fq_buf_init(&b, 4096);
	assert_int_equal(fq_search_units(in, &b), 0);
	assert_string_equal(b.buf, want);
	fq_buf_release(&b);
}

static void test_units(void **state)
{
	(void)state;
	check_units("东风路 12号", "东 风 路 | 12 号");
	check_units("桃园路12号3栋201", "桃 园 路 12 号 3 栋 201");
	check_units("abc def", "abc | def");
	check_units("", "");
	check_units("张", "张");
	/* Kana and hangul are units too. */
	check_units("カタ한글", "カ タ 한 글");
}

static void doc(const char *raw, struct fq_search_doc *d)
{
	struct fq_err err = FQ_ERR_INIT;
	fq_search_doc_init(d);
	assert_int_equal(fq_search_doc_text(d, raw, &err), 0);
}

static void test_document_bigrams(void **state)
{
	struct fq_search_doc d;
	(void)state;

	doc("欧阳建国", &d);
	assert_string_equal(d.bi.buf, "欧阳 阳建 建国");
	assert_string_equal(d.uni.buf, "欧 阳 建 国");
	fq_search_doc_release(&d);

	/* Traditional is folded to Simplified, full-width digits to ASCII, punctuation to gaps. */
	doc("歐陽：桃園路１２號", &d);
	assert_string_equal(d.bi.buf, "欧阳 桃园 园路 路12 12号");
	fq_search_doc_release(&d);

	/* A second field is separated so that no phrase spans two fields. */
	doc("张三", &d);
	assert_int_equal(fq_search_doc_norm(&d, "三里屯"), 0);
	assert_string_equal(d.bi.buf, "张三 " FQ_SEARCH_FIELD_SEP " 三里 里屯");
	fq_search_doc_release(&d);
}

static void test_document_numbers(void **state)
{
	struct fq_search_doc d;
	(void)state;

	fq_search_doc_init(&d);
	assert_int_equal(fq_search_doc_number(&d, "13812345678"), 0);
	assert_int_equal(fq_search_doc_number(&d, "+639171234567"), 0);
	assert_int_equal(fq_search_doc_number(&d, "110"), 0);
	assert_int_equal(fq_search_doc_number(&d, NULL), 0);
	assert_string_equal(d.num.buf, "13812345678 5678 639171234567 4567 110");
	fq_search_doc_release(&d);
}

static void test_scope_tokens(void **state)
{
	struct fq_search_doc d;
	struct fq_buf b;
	(void)state;

	fq_search_doc_init(&d);
	assert_int_equal(fq_search_doc_scope(&d, "/339900/339902/339902510000/G-a_1/"), 0);
	assert_string_equal(d.scope.buf, "s339900 s339902 s339902510000 sg-a_1");
	fq_search_doc_release(&d);
	fq_buf_init(&b, 256);
	assert_int_equal(fq_search_scope_expr("/339900/339902/339902510000/", &b), 0);
	assert_string_equal(b.buf, " AND scope : \"s339902510000\"");
	fq_buf_release(&b);
	assert_true(fq_search_expr_single_units("(uni : \"王\" OR num : \"王\")"));
	assert_false(fq_search_expr_single_units("bi : \"王伟\""));
}

static void check_expr(const char *q, const char *want)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_buf b;
	fq_buf_init(&b, 4096);
	assert_int_equal(fq_search_match_expr(q, &b, &err), 0);
	assert_string_equal(b.buf, want);
	fq_buf_release(&b);
}

static void test_match_expressions(void **state)
{
	(void)state;
	check_expr("阳建", "bi : \"阳建\"");
	check_expr("歐陽建國", "bi : \"欧阳 阳建 建国\"");
	check_expr("路12号", "bi : \"路12 12号\"");
	check_expr("王", "(uni : \"王\" OR num : \"王\")");
	check_expr("5678", "(uni : \"5678\" OR num : \"5678\" *)");
	check_expr("12", "(uni : \"12\" OR num : \"12\")");
	check_expr("欧阳　桃园", "bi : \"欧阳\" AND bi : \"桃园\"");
	check_expr("ABC", "(uni : \"abc\" OR num : \"abc\" *)");
}

static void test_bad_queries(void **state)
{
	struct fq_err err = FQ_ERR_INIT;
	struct fq_buf b;
	char long_q[FQ_SEARCH_QUERY_MAX + 2];
	(void)state;

	fq_buf_init(&b, 4096);
	assert_int_equal(fq_search_match_expr(" ，。 ", &b, &err), FQ_EINVAL);
	assert_string_equal(err.field, "q");
	assert_int_equal(fq_search_match_expr("\xff\xfe", &b, &err), FQ_EINVAL);
	memset(long_q, 'a', sizeof(long_q) - 1);
	long_q[sizeof(long_q) - 1] = '\0';
	assert_int_equal(fq_search_match_expr(long_q, &b, &err), FQ_EINVAL);
	assert_int_equal(fq_search_match_expr("a b c d e f g h i", &b, &err), FQ_EINVAL);
	fq_buf_release(&b);
}

/* The index and the query agree: a stored record is found by its parts and not by others. */
static void test_index_roundtrip(void **state)
{
	struct fq_test_store *f = fq_test_store_new("search");
	struct fq_err err = FQ_ERR_INIT;
	struct fq_search_doc d;
	(void)state;

	assert_non_null(f);
	fq_test_begin(f->c);
	doc("欧阳建国", &d);
	assert_int_equal(fq_search_doc_text(&d, "枫溪镇桃园路12号3栋", &err), 0);
	assert_int_equal(fq_search_doc_number(&d, "13812345678"), 0);
	assert_int_equal(fq_search_doc_scope(&d, "/339900/339902/339902510000/G1/"), 0);
	assert_int_equal(fq_search_put(f->c, FQ_SEARCH_PERSON, 7, &d, &err), 0);
	/* Putting again replaces the entry. */
	assert_int_equal(fq_search_put(f->c, FQ_SEARCH_PERSON, 7, &d, &err), 0);
	fq_search_doc_release(&d);
	fq_test_commit(f->c);

	static const struct {
		const char *q;
		int hits;
	} cases[] = {{"阳建", 1},     {"歐陽", 1}, {"路12号", 1}, {"桃园路12", 1}, {"5678", 1},
		     {"138", 1},      {"建", 1},   {"阳国", 0},	  {"12号3", 1},	   {"欧阳 3栋", 1},
		     {"欧阳 4栋", 0}, {"1234", 0}, {"三里", 0}};
	/* Scope is part of the match: the record's units and their ancestors only. */
	static const struct {
		const char *path;
		int hits;
	} scopes[] = {{"/339900/", 1},
		      {"/339900/339902/339902510000/G1/", 1},
		      {"/339900/339902/339902510000/G2/", 0},
		      {"/339900/339902/339902520000/", 0}};
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		struct fq_buf b;
		struct fq_stmt *st;
		fq_buf_init(&b, 4096);
		assert_int_equal(fq_search_match_expr("阳建", &b, &err), 0);
		assert_int_equal(fq_search_scope_expr(scopes[i].path, &b), 0);
		assert_int_equal(
		    fq_dbc_query(f->c, &err, &st,
				 "SELECT COUNT(*) FROM person_fts WHERE person_fts MATCH ?", "t",
				 b.buf),
		    0);
		assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
		assert_int_equal(fq_stmt_int(st, 0), scopes[i].hits);
		fq_stmt_done(st);
		fq_buf_release(&b);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fq_buf b;
		struct fq_stmt *st;
		fq_buf_init(&b, 4096);
		assert_int_equal(fq_search_match_expr(cases[i].q, &b, &err), 0);
		assert_int_equal(
		    fq_dbc_query(f->c, &err, &st,
				 "SELECT COUNT(*) FROM person_fts WHERE person_fts MATCH ?", "t",
				 b.buf),
		    0);
		assert_int_equal(fq_stmt_step(st, &err), FQ_DB_ROW);
		if (fq_stmt_int(st, 0) != cases[i].hits)
			fail_msg("query %s (%s): %lld hits, want %d", cases[i].q, b.buf,
				 (long long)fq_stmt_int(st, 0), cases[i].hits);
		fq_stmt_done(st);
		fq_buf_release(&b);
	}
	fq_test_store_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_units),
	    cmocka_unit_test(test_document_bigrams),
	    cmocka_unit_test(test_document_numbers),
	    cmocka_unit_test(test_scope_tokens),
	    cmocka_unit_test(test_match_expressions),
	    cmocka_unit_test(test_bad_queries),
	    cmocka_unit_test(test_index_roundtrip),
	};
	return cmocka_run_group_tests(tests, fq_test_global_setup, fq_test_global_teardown);
}
