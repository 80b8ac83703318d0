import Foundation
import Synchronization
import Testing

/// One answer of a scripted backend: status, headers, text body (sent with Content-Length).
struct ScriptedAnswer: Sendable {
    var status = 200
    var headers: [(String, String)] = []
    var body = ""
}

/// A GRIP origin with an event log, as a reliable application is: every event has an id,
/// each answer names the last one as `prev-id` and points at `/next` for what follows, and
/// the `Grip-Last` headers it gets say where a session is.
///
/// | path | answer |
/// | --- | --- |
/// | `/stream?timeout=S` | a stream hold on `ch` with `prev-id` = the last event id, `Grip-Link: </next>; rel=next; timeout=S` (default 120), body `start\n` |
/// | `/next` | the events after `Grip-Last: ch; last-id=X` as lines, then a stream hold as above |
/// | `/page?n=N` | no hold: line `page N`, and a next link to `/page?n=N+1` up to `n=2`, then a stream hold |
/// | `/poll` | events after `Grip-Last` when there are, else a long-poll hold on `ch` with `prev-id` = the last id |
/// | `/badhold` | a stream hold with `prev-id` and no next link (an error) |
/// | `/gone` | 200, counted |
/// | `/fail-next` | every answer 500 |
///
/// `failNext(n)` makes the next n requests to `/next` fail with 500.
///
/// `gone=1` on `/stream` adds `Grip-Link: </gone>; rel=gone`; `stale=1` on `/stream` and
/// `/poll` answers as if the last event did not exist yet.
final class ScriptedOrigin: Sendable {
    static let channel = "ch"
    private let state = Mutex(State())

    private struct State {
        var events: [(id: String, text: String)] = [("0", "")]
        /// The `Grip-Last` values of each request to `/next` or `/poll`, in arrival order.
        var gripLasts: [String] = []
        var nextRequests = 0
        /// `/next` requests still to answer with 500.
        var failingNexts = 0
        var goneRequests: [RecordedRequest] = []
    }

    /// Appends an event (as the application would before publishing it) and returns its
    /// id and the id before it.
    @discardableResult
    func append(_ text: String) -> (id: String, prevID: String) {
        state.withLock { state in
            let prev = state.events.last!.id
            let id = String(Int(prev)! + 1)
            state.events.append((id, text))
            return (id, prev)
        }
    }

    var gripLasts: [String] { state.withLock { $0.gripLasts } }

    /// The next `count` requests to `/next` fail with 500.
    func failNext(_ count: Int) {
        state.withLock { $0.failingNexts = count }
    }
    var nextRequests: Int { state.withLock { $0.nextRequests } }
    /// The `rel=gone` POSTs received.
    var goneRequests: [RecordedRequest] { state.withLock { $0.goneRequests } }

    /// An `http-stream` item for event `id` (as `append` returned it).
    static func streamItem(_ event: (id: String, prevID: String), _ text: String) -> [String: Any] {
        ["channel": channel, "id": event.id, "prev-id": event.prevID, "no-seq": true, "formats": ["http-stream": ["content": text]]]
    }

    static func responseItem(_ event: (id: String, prevID: String), _ text: String) -> [String: Any] {
        [
            "channel": channel, "id": event.id, "prev-id": event.prevID, "no-seq": true,
            "formats": ["http-response": ["body": text]],
        ]
    }

    func answer(_ request: RecordedRequest) -> ScriptedAnswer? {
        state.withLock { state in
            // `stale=1`: the answer is one event behind, as when an event is published between
            // the backend's answer and the subscription.
            let stale = request.query("stale") == "1" && state.events.count > 1
            let lastID = state.events[state.events.count - (stale ? 2 : 1)].id
            let streamHold = [
                ("Grip-Hold", "stream"), ("Grip-Channel", "\(Self.channel); prev-id=\(lastID)"),
                ("Grip-Link", "</next>; rel=next; timeout=\(request.query("timeout") ?? "120")"),
            ]
            switch request.path {
            case "/stream":
                let gone = request.query("gone") == "1" ? [("Grip-Link", "</gone>; rel=gone")] : []
                return ScriptedAnswer(headers: streamHold + gone, body: "start\n")
            case "/next", "/poll":
                let lasts = request.head.headers.filter { $0.name.lowercased() == "grip-last" }.map(\.value)
                state.gripLasts += lasts
                if request.path == "/next" {
                    state.nextRequests += 1
                    if state.failingNexts > 0 {
                        state.failingNexts -= 1
                        return ScriptedAnswer(status: 500, body: "not now\n")
                    }
                }
                let after = lasts.first.flatMap { $0.components(separatedBy: "last-id=").last } ?? lastID
                let missed = state.events.drop { $0.id != after }.dropFirst().map(\.text).joined()
                if request.path == "/next" { return ScriptedAnswer(headers: streamHold, body: missed) }
                if !missed.isEmpty { return ScriptedAnswer(body: missed) }
                return ScriptedAnswer(headers: [("Grip-Hold", "response"), ("Grip-Channel", "\(Self.channel); prev-id=\(lastID)")], body: "timeout\n")
            case "/page":
                let page = request.queryInt("n") ?? 0
                guard page < 2 else { return ScriptedAnswer(headers: streamHold, body: "page \(page)\n") }
                return ScriptedAnswer(headers: [("Grip-Link", "</page?n=\(page + 1)>; rel=next")], body: "page \(page)\n")
            case "/badhold":
                return ScriptedAnswer(headers: [("Grip-Hold", "stream"), ("Grip-Channel", "\(Self.channel); prev-id=\(lastID)")], body: "start\n")
            case "/gone":
                state.goneRequests.append(request)
                return ScriptedAnswer()
            case "/fail-next":
                return ScriptedAnswer(status: 500, body: "no\n")
            default:
                return nil
            }
        }
    }
}

/// pushpind in front of a `ScriptedOrigin`.
func withScriptedOrigin<T>(
    _ configure: (inout PushpindSetup) -> Void = { _ in },
    _ body: (ScriptedOrigin, BackendStub, PushpindProcess) throws -> T
) throws -> T {
    let origin = ScriptedOrigin()
    let backend = try BackendStub(name: "origin", script: { origin.answer($0) })
    defer { backend.stop() }
    var setup = PushpindSetup.proxying(to: backend)
    configure(&setup)
    return try withPushpind(setup) { pushpind in try body(origin, backend, pushpind) }
}
