-- Shared by every wrk script here: print one machine-readable line at the end of the run.
-- wrk's summary.errors.status counts answers outside 2xx/3xx.
function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "BENCHJSON {\"requests\":%d,\"seconds\":%.3f,\"rps\":%.2f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"non2xx\":%d,\"connect_err\":%d,\"read_err\":%d,\"write_err\":%d,\"timeouts\":%d}\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      e.status, e.connect, e.read, e.write, e.timeout))
end
