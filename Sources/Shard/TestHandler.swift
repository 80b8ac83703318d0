import Wire

/// The built-in `test` route target: what a fresh install answers before any route is set up.
enum TestHandler {
    struct Response {
        var status: Int
        var body: String
    }

    static let welcome = """
        Hello from pushpind!

        pushpind is a Pushpin-compatible realtime reverse proxy: it forwards requests to your
        backend and holds connections open (HTTP streaming, long-polling, WebSocket) when the
        backend answers with GRIP instructions; publishes on the control port (5561) push data
        into those connections.

        This page comes from the built-in test handler, which every request reaches while the
        routes file says `* test` (or when no configuration is given). To proxy to your own
        backend, put a line like this in the routes file and send SIGHUP (or restart):

            * localhost:8080

        Configuration: pushpind --config /etc/pushpin/pushpin.conf (same files as Pushpin).
        Metrics: curl http://127.0.0.1:5561/metrics

        """

    /// `path` has the route's `path_beg` already removed.
    static func respond(method: String, path: String) -> Response {
        switch path {
        case "/", "":
            return Response(status: 200, body: welcome)
        default:
            return Response(status: 404, body: "no such test resource\n")
        }
    }
}
