/// A parsed HTTP/1.x message head, request or response: the three start-line fields and
/// the header fields in arrival order, names as sent. The harness parses by hand (no Wire)
/// so a bug in pushpind's codec cannot hide behind the same bug in the test's codec.
struct HTTPHead: Sendable {
    /// Request: method, target, version. Response: version, status, reason.
    let startLine: (String, String, String)
    let headers: [(name: String, value: String)]
    /// The head's size on the wire, CRLFCRLF included.
    let byteCount: Int

    /// Parses `bytes` (the head up to and including the empty line).
    init(parsing bytes: [UInt8]) throws {
        byteCount = bytes.count
        let text = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))  // Latin-1: every byte survives
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { throw HarnessError.malformed("empty head") }
        let parts = first.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else { throw HarnessError.malformed("start line \(first.debugDescription)") }
        startLine = (parts[0], parts[1], parts.count > 2 ? parts[2] : "")
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw HarnessError.malformed("header line \(line.debugDescription)") }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers.append((name, value))
        }
        self.headers = headers
    }

    /// All values of header `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// The values of `name` joined with ", ", or nil when absent.
    func value(_ name: String) -> String? {
        let all = values(name)
        return all.isEmpty ? nil : all.joined(separator: ", ")
    }

    /// The comma-separated elements of every `name` header, trimmed and lowercased.
    func tokens(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces().lowercased() }
    }

    func contains(_ name: String) -> Bool { !values(name).isEmpty }

    /// How the body that follows this head is delimited, for a request head.
    func requestFraming() throws -> BodyFraming {
        if tokens("Transfer-Encoding").last == "chunked" { return .chunked }
        return try contentLengthFraming() ?? .none
    }

    /// How the body that follows this head is delimited, for a response head.
    func responseFraming(requestMethod: String) throws -> BodyFraming {
        let status = Int(startLine.1) ?? 0
        if requestMethod == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 {
            return .none
        }
        if tokens("Transfer-Encoding").last == "chunked" { return .chunked }
        return try contentLengthFraming() ?? .untilClose
    }

    private func contentLengthFraming() throws -> BodyFraming? {
        guard let raw = value("Content-Length") else { return nil }
        guard let length = Int(raw), length >= 0 else { throw HarnessError.malformed("Content-Length \(raw.debugDescription)") }
        return .contentLength(length)
    }
}

/// How a message body is delimited on the wire.
enum BodyFraming: Equatable, Sendable {
    case none
    case contentLength(Int)
    case chunked
    case untilClose
}

extension StringProtocol {
    /// Strips spaces and tabs (HTTP's optional whitespace) from both ends.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
