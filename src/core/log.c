#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/banned.h"

static enum fq_log_level min_level = FQ_LOG_INFO;

void fq_log_set_level(enum fq_log_level level)
{
	min_level = level;
}

void fq_log_line(const char *line, size_t len)
{
	char buf[4096];
	if (len < sizeof(buf)) {
		memcpy(buf, line, len);
		buf[len] = '\n';
		if (write(2, buf, len + 1) < 0)
			return;
		return;
	}
	if (write(2, line, len) < 0 || write(2, "\n", 1) < 0)
		return;
}

void fq_log(enum fq_log_level level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char line[2048];
	char ts[FQ_RFC3339_MAX];
	va_list ap;
	int n;

	if (level < min_level)
		return;
	fq_time_format(fq_now_ms(), 0, ts);
	n = snprintf(line, sizeof(line), "%s %s ", ts, names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fq_log_line(line, strlen(line));
}
