/* The mediation agreement (人民调解协议书) as print-ready HTML (cases/dispute.h). */
#include "cases/dispute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/dispute_internal.h"
#include "core/timeutil.h"
#include "core/banned.h"

int fq_html_escape(struct fq_buf *out, const char *s)
{
	int rc = 0;

	for (; s && *s && !rc; s++) {
		switch (*s) {
		case '&':
			rc = fq_buf_adds(out, "&amp;");
			break;
		case '<':
			rc = fq_buf_adds(out, "&lt;");
			break;
		case '>':
			rc = fq_buf_adds(out, "&gt;");
			break;
		case '"':
			rc = fq_buf_adds(out, "&quot;");
			break;
		case '\'':
			rc = fq_buf_adds(out, "&#39;");
			break;
		default:
			rc = fq_buf_addch(out, *s);
		}
	}
	return rc;
}

static const char style[] =
    "<style>\n"
    "body{font-family:\"SimSun\",\"Songti SC\",\"Noto Serif CJK SC\",serif;font-size:12pt;"
    "line-height:1.8;max-width:170mm;margin:10mm auto;color:#000}\n"
    "h1{text-align:center;font-size:20pt;letter-spacing:.3em;margin:0 0 4mm}\n"
    ".number{text-align:right;margin:0 0 6mm}\n"
    "h2{font-size:13pt;margin:6mm 0 2mm}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{border:1px solid #000;padding:1mm 2mm;text-align:left;vertical-align:top}\n"
    ".text{white-space:pre-wrap}\n"
    ".sign{margin-top:10mm}\n"
    ".sign p{margin:6mm 0}\n"
    ".line{display:inline-block;min-width:45mm;border-bottom:1px solid #000}\n"
    "@page{size:A4;margin:20mm 18mm}\n"
    "@media print{body{margin:0;max-width:none}.noprint{display:none}"
    "h2,table,.sign{page-break-inside:avoid}}\n"
    "</style>\n";

/* Append literal text, or the escaped value of column col (or "—" when NULL). */
static int lit(struct fq_buf *b, const char *s)
{
	return fq_buf_adds(b, s);
}

static int esc_or_dash(struct fq_buf *b, const char *s)
{
	return s && *s ? fq_html_escape(b, s) : fq_buf_adds(b, "—");
}

static void date_cst(int64_t ms, char out[64])
{
	int64_t days = (ms + (int64_t)FQ_CST_OFFSET_S * 1000) / 86400000, y;
	unsigned m, d;

	fq_civil_from_days(days, &y, &m, &d);
	snprintf(out, 64, "%lld年%u月%u日", (long long)y, m, d);
}

struct agreement_head {
	char number[FQ_NUMBER_MAX];
	char station[FQ_UNIT_NAME_MAX * 4 + 1];
	char type[64];
	char occurred[64];
	char decided[64];
};

static int parties_html(struct fq_dbc *c, const char *id, struct fq_buf *b, int *count,
			struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(
	    c, err, &st,
	    "SELECT name, id_number, phone_norm FROM dispute_party WHERE dispute_id = ?"
	    " ORDER BY seq",
	    "t", id);

	*count = 0;
	if (rc)
		return rc;
	rc = lit(b, "<h2>当事人</h2>\n<table><tr><th>序号</th><th>姓名</th><th>公民身份号码</th>"
		    "<th>联系电话</th></tr>\n");
	while (!rc && (rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		(*count)++;
		rc = fq_buf_addf(b, "<tr><td>%d</td><td>", *count);
		if (!rc)
			rc = fq_html_escape(b, fq_stmt_text(st, 0));
		if (!rc)
			rc = lit(b, "</td><td>");
		if (!rc)
			rc = esc_or_dash(b, fq_stmt_text(st, 1));
		if (!rc)
			rc = lit(b, "</td><td>");
		if (!rc)
			rc = esc_or_dash(b, fq_stmt_text(st, 2));
		if (!rc)
			rc = lit(b, "</td></tr>\n");
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	return lit(b, "</table>\n");
}

static int sessions_html(struct fq_dbc *c, const char *id, struct fq_buf *b, struct fq_err *err)
{
	struct fq_stmt *st;
	int rc = fq_dbc_query(c, err, &st,
			      "SELECT held_at, place, mediators FROM mediation_session"
			      " WHERE dispute_id = ? ORDER BY seq",
			      "t", id);
	int n = 0;

	if (rc)
		return rc;
	while ((rc = fq_stmt_step(st, err)) == FQ_DB_ROW) {
		char when[64];
		json_t *names = json_loads(fq_stmt_text(st, 2), 0, NULL), *v;
		size_t i;
		if (n++ == 0 && (rc = lit(b, "<h2>调解经过</h2>\n<ol>\n")))
			break;
		date_cst(fq_stmt_int(st, 0), when);
		rc = fq_buf_addf(b, "<li>%s，在", when);
		if (!rc)
			rc = fq_html_escape(b, fq_stmt_text(st, 1));
		if (!rc)
			rc = lit(b, "进行调解，调解员：");
		json_array_foreach(names, i, v)
		{
			if (!rc && i)
				rc = lit(b, "、");
			if (!rc)
				rc = fq_html_escape(b, json_string_value(v));
		}
		json_decref(names);
		if (!rc)
			rc = lit(b, "。</li>\n");
		if (rc)
			break;
	}
	fq_stmt_done(st);
	if (rc < 0)
		return rc;
	return n ? lit(b, "</ol>\n") : 0;
}

static int signatures_html(struct fq_buf *b, int parties, const char *station, const char *date)
{
	int rc = lit(b, "<div class=\"sign\">\n");

	for (int i = 1; !rc && i <= parties; i++)
		rc = fq_buf_addf(b,
				 "<p>当事人%d（签名或按指印）：<span class=\"line\"></span>"
				 "　日期：<span class=\"line\"></span></p>\n",
				 i);
	if (!rc)
		rc = lit(b, "<p>调解员（签名）：<span class=\"line\"></span></p>\n"
			    "<p>记录人（签名）：<span class=\"line\"></span></p>\n<p>调解单位：");
	if (!rc)
		rc = fq_html_escape(b, station);
	if (!rc)
		rc = fq_buf_addf(b, "（盖章）</p>\n<p>%s</p>\n</div>\n", date);
	return rc;
}

int fq_dispute_agreement_html(struct fq_dbc *c, const char *id, struct fq_buf *b,
			      struct fq_err *err)
{
	struct agreement_head h;
	struct fq_stmt *st;
	char *description = NULL, *address = NULL, *terms = NULL;
	int parties = 0, rc;

	memset(&h, 0, sizeof(h));
	rc = fq_dbc_query(c, err, &st,
			  "SELECT d.number, s.name, d.type, d.occurred_at, d.outcome_at,"
			  " d.description, d.address, d.agreement_terms, d.outcome"
			  " FROM dispute d JOIN unit s ON s.code = d.unit_code WHERE d.id = ?",
			  "t", id);
	if (rc)
		return rc;
	rc = fq_stmt_step(st, err);
	if (rc == FQ_DB_ROW) {
		const char *outcome = fq_stmt_text(st, 8);
		if (!outcome || strcmp(outcome, "resolved_agreement") != 0) {
			rc = fq_err_set(err, FQ_ECONFLICT, "no_agreement", NULL,
					"该纠纷未以调解协议化解，没有调解协议书");
		} else {
			snprintf(h.number, sizeof(h.number), "%s", fq_stmt_text(st, 0));
			snprintf(h.station, sizeof(h.station), "%s", fq_stmt_text(st, 1));
			snprintf(h.type, sizeof(h.type), "%s",
				 fq_dispute_type_label(fq_stmt_text(st, 2)));
			date_cst(fq_stmt_int(st, 3), h.occurred);
			date_cst(fq_stmt_int(st, 4), h.decided);
			description = strdup(fq_stmt_text(st, 5));
			address = fq_stmt_text(st, 6) ? strdup(fq_stmt_text(st, 6)) : NULL;
			terms = strdup(fq_stmt_text(st, 7));
			rc = 0;
		}
	} else if (rc == FQ_DB_DONE) {
		rc = fq_err_set(err, FQ_ENOTFOUND, "not_found", NULL, "纠纷不存在");
	}
	fq_stmt_done(st);
	if (rc)
		goto out;
	if (!description || !terms) {
		rc = fq_err_set(err, FQ_EINTERNAL, "internal", NULL, "out of memory");
		goto out;
	}
	rc = lit(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<title>人民调解协议书 ");
	if (!rc)
		rc = fq_html_escape(b, h.number);
	if (!rc)
		rc = lit(b, "</title>\n");
	if (!rc)
		rc = lit(b, style);
	if (!rc)
		rc = lit(b, "</head>\n<body>\n<h1>人民调解协议书</h1>\n<p class=\"number\">编号：");
	if (!rc)
		rc = fq_html_escape(b, h.number);
	if (!rc)
		rc = lit(b, "</p>\n<p>调解单位：");
	if (!rc)
		rc = fq_html_escape(b, h.station);
	if (!rc)
		rc = lit(b, "</p>\n");
	if (!rc)
		rc = parties_html(c, id, b, &parties, err);
	if (!rc)
		rc = fq_buf_addf(b, "<h2>纠纷简要情况</h2>\n<p>纠纷类型：%s；发生时间：%s；地点：",
				 h.type, h.occurred);
	if (!rc)
		rc = esc_or_dash(b, address);
	if (!rc)
		rc = lit(b, "。</p>\n<p class=\"text\">");
	if (!rc)
		rc = fq_html_escape(b, description);
	if (!rc)
		rc = lit(b, "</p>\n");
	if (!rc)
		rc = sessions_html(c, id, b, err);
	if (!rc)
		rc = lit(b, "<h2>经调解，双方当事人自愿达成如下协议</h2>\n<p class=\"text\">");
	if (!rc)
		rc = fq_html_escape(b, terms);
	if (!rc)
		rc = fq_buf_addf(
		    b,
		    "</p>\n<h2>履行方式、时限及其他</h2>\n"
		    "<p>本协议自各方当事人签名（按指印）、调解员签名并加盖调解单位印章之日"
		    "起生效，各方应当按照约定履行。本协议一式%d份，当事人各执一份，"
		    "调解单位留存一份。</p>\n",
		    parties + 1);
	if (!rc)
		rc = signatures_html(b, parties, h.station, h.decided);
	if (!rc)
		rc = lit(b, "</body>\n</html>\n");
	if (rc && err && !err->code)
		rc = fq_err_set(err, FQ_ETOOBIG, "too_large", NULL, "协议书过长");
out:
	free(description);
	free(address);
	free(terms);
	return rc;
}
