/*
 * Logging to stderr, one line per event. fq_log_json writes a line that is a
 * JSON object (access log, audit-worthy events) so journald and log shippers
 * can parse it. Thread-safe: each line is written with one write(2).
 */
#ifndef FQ_CORE_LOG_H
#define FQ_CORE_LOG_H

#include "core/err.h"

enum fq_log_level { FQ_LOG_DEBUG, FQ_LOG_INFO, FQ_LOG_WARN, FQ_LOG_ERROR };

void fq_log_set_level(enum fq_log_level level);
void fq_log(enum fq_log_level level, const char *fmt, ...) FQ_PRINTF(2, 3);
/* Write a complete line (a newline is appended). */
void fq_log_line(const char *line, size_t len);

#define fq_info(...)  fq_log(FQ_LOG_INFO, __VA_ARGS__)
#define fq_warn(...)  fq_log(FQ_LOG_WARN, __VA_ARGS__)
#define fq_error(...) fq_log(FQ_LOG_ERROR, __VA_ARGS__)

#endif
