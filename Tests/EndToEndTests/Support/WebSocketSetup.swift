import Foundation
import Testing

/// Fixtures of the WebSocket tests: routes to a WOH backend or a WebSocket backend, the
/// Python echo server, and `ws-message` publishes.
extension PushpindSetup {
    /// Routes everything to a WebSocket-over-HTTP backend (`* 127.0.0.1:PORT,over_http`).
    static func overHTTP(toPort port: UInt16) -> PushpindSetup {
        var setup = PushpindSetup()
        setup.routes = "* 127.0.0.1:\(port),over_http\n"
        return setup
    }
}

/// Runs `body` with a WOH backend (stopped afterwards) and pushpind routing to it over_http.
func withOverHTTPBackend<T>(
    _ handler: @escaping WOHBackend.Handler = WOHBehaviour.echo(),
    configure: (inout PushpindSetup) -> Void = { _ in },
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (WOHBackend, PushpindProcess) throws -> T
) throws -> T {
    let backend = try WOHBackend(handler: handler)
    defer { backend.stop() }
    var setup = PushpindSetup.overHTTP(toPort: backend.port)
    configure(&setup)
    return try withPushpind(setup, sourceLocation: sourceLocation) { pushpind in try body(backend, pushpind) }
}

/// Runs `body` with the Python `websockets` echo server (killed afterwards); its port. The
/// server refuses messages over `messageMaxBytes` (1009).
func withPythonEchoServer<T>(messageMaxBytes: Int = 1 << 20, _ body: (UInt16) throws -> T) throws -> T {
    guard PythonProcess.hasModule("websockets") else {
        throw HarnessError.setup("the Python module websockets is missing (pip install websockets; scripts/setup.sh installs it)")
    }
    let server = try PythonProcess(script: PythonWebSocketScripts.echoServer, arguments: [String(messageMaxBytes)])
    defer { server.stop() }
    let port = try server.waitForReadyPort()
    return try body(port)
}

extension PushpindProcess {
    /// Publishes one `ws-message` item to `channel`: `content` (text), `contentBin`
    /// (base64, binary) or a close action. Throws unless the control API says 200.
    func publishWebSocket(channel: String, content: String? = nil, contentBinary: [UInt8]? = nil, close: (code: UInt16, reason: String)? = nil) throws {
        var format: [String: Any] = [:]
        if let content { format["content"] = content }
        if let contentBinary { format["content-bin"] = Data(contentBinary).base64EncodedString() }
        if let close {
            format["action"] = "close"
            format["code"] = Int(close.code)
            format["reason"] = close.reason
        }
        let item: [String: Any] = ["channel": channel, "formats": ["ws-message": format]]
        let body = try JSONSerialization.data(withJSONObject: ["items": [item]])
        let client = try RawHTTPClient(port: controlPort)
        defer { client.close() }
        let response = try client.request(HTTPRequest(
            "POST", "/publish/", headers: [("Content-Type", "application/json"), ("Connection", "close")], body: Array(body)))
        guard response.status == 200 else {
            throw HarnessError.setup("publish to \(channel) answered \(response.status): \(response.bodyText.prefix(200))")
        }
    }

    /// Waits until the shards report at least `count` subscriptions in total, so that a
    /// publish made next reaches every subscriber.
    func waitForSubscriptions(atLeast count: Int, timeout: Duration = .seconds(10)) throws {
        let reached = try eventually(timeout: timeout, interval: .milliseconds(20)) { () -> Bool? in
            try metrics().total("pushpind_subscriptions") >= Double(count) ? true : nil
        }
        guard reached != nil else {
            let now = (try? metrics().total("pushpind_subscriptions")) ?? -1
            throw HarnessError.timedOut("waiting for \(count) subscriptions (now \(now))")
        }
    }
}
