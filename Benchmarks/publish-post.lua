-- wrk script for the publish benchmarks: every request is a POST of $WRK_BODY with
-- Content-Type $WRK_CONTENT_TYPE (application/json by default) on a kept-alive connection.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or ""
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"

-- One line for the scripts: requests done, answers that were not 2xx/3xx, socket errors.
function done(summary, latency, requests)
	io.write(string.format("requests %d failures %d socket_errors %d\n", summary.requests,
		summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
