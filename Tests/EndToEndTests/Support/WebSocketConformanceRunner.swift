import Foundation
import Synchronization

/// Runs conformance cases against one route and records a row per case.
///
/// `strict` is for a route where pushpind itself speaks WebSocket (the test handler): every
/// expectation must hold exactly. Through a passthrough route the backend decides, so two
/// RFC-permitted differences are accepted (and marked): failing only at the end of an
/// invalid message instead of at once, and dropping the echoes of messages that came just
/// before a frame that fails the connection.
struct ConformanceRunner {
    struct Row: Sendable {
        let id: String
        let title: String
        let route: String
        let expected: String
        let got: String
        let passed: Bool
    }

    let route: String
    let port: UInt16
    let target: String
    let strict: Bool
    /// How long a server may take to fail a connection after the offending bytes before
    /// the case sends the rest of the message (fail-fast cases).
    static let failFastWindow: Duration = .milliseconds(500)

    func run(_ cases: [ConformanceCase]) -> [Row] {
        cases.map(run)
    }

    func run(_ conformanceCase: ConformanceCase) -> Row {
        let expected = conformanceCase.expect.summary
        func row(_ got: String, _ passed: Bool) -> Row {
            Row(id: conformanceCase.id, title: conformanceCase.title, route: route, expected: expected, got: got, passed: passed)
        }
        do {
            let client = try WebSocketClient.connect(port: port, target)
            defer { client.close() }
            for step in conformanceCase.steps { try perform(step, on: client) }
            let (got, passed) = try check(conformanceCase.expect, on: client)
            return row(got, passed)
        } catch {
            return row("error: \(error)", false)
        }
    }

    private func perform(_ step: ConformanceCase.Step, on client: WebSocketClient) throws {
        switch step {
        case .frames(let frames):
            try client.send(frames, timeout: .seconds(20))
        case let .framewise(frames, pause: gap):
            for (index, frame) in frames.enumerated() {
                if index > 0 { pause(gap) }
                try client.send(frame)
            }
        case let .raw(bytes, chop):
            try client.sendRaw(bytes, chop: chop, timeout: .seconds(20))
        case .pause(let duration):
            pause(duration)
        }
    }

    private func check(_ expectation: ConformanceCase.Expectation, on client: WebSocketClient) throws -> (String, Bool) {
        switch expectation {
        case .replies(let expected):
            var got: [WebSocketMessage] = []
            while got.count < expected.count {
                let message = try client.readMessage(timeout: .seconds(10))
                got.append(message)
                if case .close = message { break }
            }
            let summary = ConformanceCase.Expectation.list(got)
            guard got == expected else { return (summary + Self.firstDifference(got, expected), false) }
            try client.sendClose(code: 1000)
            let (close, before) = try client.readUntilClose()
            let ended = client.peerState(within: .seconds(3))
            let closedCleanly = before.isEmpty && Self.code(of: close) == 1000 && ended.isGone
            return (summary + " + \(close)" + (ended.isGone ? "" : " (TCP \(ended))"), closedCleanly)

        case let .fails(code, after, rest):
            var window: Duration = .seconds(10)
            if rest != nil { window = Self.failFastWindow }
            var slow = false
            var ending: (close: WebSocketMessage, before: [WebSocketMessage])
            do {
                ending = try client.readUntilClose(timeout: window)
            } catch let error as HarnessError where error.kind == .timedOut && rest != nil {
                slow = true
                try? client.sendRaw(rest ?? [])
                ending = try client.readUntilClose(timeout: .seconds(10))
            }
            try? client.sendClose(code: Self.code(of: ending.close) ?? 1000)
            let ended = client.peerState(within: .seconds(3))
            let (prefixOK, note) = accepts(ending.before, after)
            var got = ConformanceCase.Expectation.prefix(ending.before) + "\(ending.close)"
            if slow { got += strict ? " (not fast)" : " (at message end, non-strict)" }
            got += note
            if !ended.isGone { got += " (TCP \(ended))" }
            let passed = Self.code(of: ending.close) == code && prefixOK && ended.isGone && (!slow || !strict)
            return (got, passed)

        case let .closes(codes, after):
            let ending = try client.readUntilClose(timeout: .seconds(10))
            let ended = client.peerState(within: .seconds(3))
            let (prefixOK, note) = accepts(ending.before, after)
            var got = ConformanceCase.Expectation.prefix(ending.before) + "\(ending.close)" + note
            if !ended.isGone { got += " (TCP \(ended))" }
            return (got, codes.contains(Self.code(of: ending.close)) && prefixOK && ended.isGone)

        case let .throughput(count, size):
            return try throughput(count: count, size: size, on: client)
        }
    }

    /// Whether the messages before the close are acceptable: exactly `expected`, or (not
    /// strict) a prefix of it.
    private func accepts(_ got: [WebSocketMessage], _ expected: [WebSocketMessage]) -> (Bool, String) {
        if got == expected { return (true, "") }
        if !strict && got.count < expected.count && Array(expected.prefix(got.count)) == got {
            return (true, " (\(expected.count - got.count) echo dropped by the backend, non-strict)")
        }
        return (false, Self.firstDifference(got, expected))
    }

    /// Writes `count` binary messages from a second thread while this one reads the echoes.
    private func throughput(count: Int, size: Int, on client: WebSocketClient) throws -> (String, Bool) {
        let payloads = (0..<count).map { index in (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ index) } }
        let frames = payloads.map { WebSocketFrame.client(WebSocketFrame.Opcode.binary, $0).encoded() }
        let socket = client.socket
        let writer = WriterResult()
        let start = ContinuousClock.now
        Thread.detachNewThread {
            do {
                for frame in frames { try socket.send(frame, deadline: Deadline(in: .seconds(30))) }
                writer.finish(nil)
            } catch {
                writer.finish(String(describing: error))
            }
        }
        var mismatches = 0
        for payload in payloads {
            if try client.readMessage(timeout: .seconds(20)) != .binary(payload) { mismatches += 1 }
        }
        let elapsed = ContinuousClock.now - start
        let writeError = writer.wait()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(count * size) / 1_048_576
        let rate = String(format: "%.1f MiB/s each way (%.2f s)", megabytes / max(seconds, 1e-9), seconds)
        print("WebSocket throughput via \(route): \(count) × \(size) B echoed, \(rate)")
        let passed = mismatches == 0 && writeError == nil
        return ("\(count - mismatches)×\(size) B echoed, \(rate)" + (writeError.map { " (write: \($0))" } ?? ""), passed)
    }

    static func code(of message: WebSocketMessage) -> UInt16? {
        if case .close(let code, _) = message { return code }
        return nil
    }

    private static func firstDifference(_ got: [WebSocketMessage], _ expected: [WebSocketMessage]) -> String {
        for index in 0..<max(got.count, expected.count) {
            let left = index < got.count ? got[index].description : "nothing"
            let right = index < expected.count ? expected[index].description : "nothing"
            if left != right || (index < got.count && index < expected.count && got[index] != expected[index]) {
                return " [#\(index): got \(left), expected \(right)]"
            }
        }
        return ""
    }

    // MARK: - Table

    /// The rows as a fixed-width table.
    static func table(_ rows: [Row]) -> String {
        let header = ["case", "route", "expected", "got", "pass"]
        let cells = rows.map { ["\($0.id) \($0.title)", $0.route, $0.expected, $0.got, $0.passed ? "ok" : "FAIL"] }
        let widths = (0..<header.count).map { column in
            min(column == 3 ? 90 : 70, (cells + [header]).map { $0[column].count }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { value, width in
                value.count > width ? String(value.prefix(width - 1)) + "…" : value.padding(toLength: width, withPad: " ", startingAt: 0)
            }.joined(separator: " | ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")] + cells.map(line)).joined(separator: "\n")
    }
}

/// The writer thread's outcome, polled by the reader.
private final class WriterResult: Sendable {
    private let state = Mutex<(done: Bool, error: String?)>((false, nil))

    func finish(_ error: String?) {
        state.withLock { $0 = (true, error) }
    }

    func wait() -> String? {
        let outcome = eventually(timeout: .seconds(30), interval: .milliseconds(5)) { () -> String?? in
            state.withLock { $0.done ? .some($0.error) : nil }
        }
        return outcome ?? "writer did not finish"
    }
}
