/// The body of the stub's `/echo` answer: one fact per line, so a test reads what the
/// backend received through the proxy from the client's side of the connection.
///
/// ```
/// stub backend
/// method POST
/// target /echo?a=1
/// version HTTP/1.1
/// body-length 5
/// body-checksum 0123456789abcdef
/// header Host: e2e.test
/// header X-Custom: one
/// ```
struct EchoReport: Sendable {
    var stubName = ""
    var method = ""
    var target = ""
    var version = ""
    var bodyLength = -1
    var bodyChecksum = ""
    var headers: [(name: String, value: String)] = []

    static func render(_ request: RecordedRequest, stubName: String) -> String {
        var lines = [
            "stub \(stubName)",
            "method \(request.method)",
            "target \(request.target)",
            "version \(request.version)",
            "body-length \(request.bodyLength)",
            "body-checksum \(StreamChecksum.hex(request.bodyChecksum))",
        ]
        lines += request.head.headers.map { "header \($0.name): \($0.value)" }
        return lines.joined(separator: "\n") + "\n"
    }

    init(parsing text: String) throws {
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { throw HarnessError.malformed("echo line \(line.debugDescription)") }
            let key = line[..<space]
            let rest = String(line[line.index(after: space)...])
            switch key {
            case "stub": stubName = rest
            case "method": method = rest
            case "target": target = rest
            case "version": version = rest
            case "body-length": bodyLength = Int(rest) ?? -1
            case "body-checksum": bodyChecksum = rest
            case "header":
                guard let colon = rest.firstIndex(of: ":") else { throw HarnessError.malformed("echo header \(rest.debugDescription)") }
                headers.append((String(rest[..<colon]), rest[rest.index(after: colon)...].trimmingSpaces()))
            default: throw HarnessError.malformed("echo key \(key.debugDescription)")
            }
        }
        guard !method.isEmpty else { throw HarnessError.malformed("echo report without method: \(text.debugDescription)") }
    }

    init(_ response: HTTPResponse) throws {
        try self.init(parsing: response.bodyText)
    }

    /// All values of header `name` (case-insensitive) as the backend received them.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The comma-separated elements of every `name` header, trimmed.
    func elements(_ name: String) -> [String] {
        values(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces() }
    }

    func has(_ name: String) -> Bool { !values(name).isEmpty }
}
