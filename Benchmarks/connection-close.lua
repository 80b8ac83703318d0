-- wrk script for the TLS benchmark: every request asks the server to close, so wrk opens a new
-- connection for each one. wrk keeps each connection slot's TLS session across reconnects and
-- offers it again, so these handshakes are mostly resumed, not full.
wrk.headers["Connection"] = "close"
