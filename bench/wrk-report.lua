-- wrk reporter for bench/http.sh: after a run, prints one line of figures that the script reads.
-- Latencies from wrk are in microseconds and are printed in milliseconds. errors.status counts
-- answers with a status of 400 or above: a benchmark of error pages is no benchmark, so the
-- script refuses a run that has any.

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "FQ_RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "bytes_per_answer=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d http_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    math.floor(summary.bytes / math.max(summary.requests, 1)),
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
