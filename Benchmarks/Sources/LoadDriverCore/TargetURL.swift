/// An `http://host[:port][/path][?query]` URL, split the way the driver needs it.
public struct TargetURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Starts with `/`; without the query.
    public var path: String
    /// Without the `?`; empty when there is none.
    public var query: String

    public init(host: String, port: Int, path: String, query: String) {
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    /// Nil for anything but a plain http URL (no https, no user info, no fragment).
    public init?(_ text: String) {
        guard text.hasPrefix("http://") else { return nil }
        let rest = text.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@"), !text.contains("#") else { return nil }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = 80
            } else {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            port = value
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty else { return nil }
        let target = rest[authorityEnd...]
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            query = String(target[target.index(after: question)...])
        } else {
            path = String(target)
            query = ""
        }
        if path.isEmpty { path = "/" }
    }

    /// The Host header value.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    /// The request target with `extra` (already encoded) appended to the query.
    public func requestTarget(addingQuery extra: String) -> String {
        if extra.isEmpty { return query.isEmpty ? path : "\(path)?\(query)" }
        return query.isEmpty ? "\(path)?\(extra)" : "\(path)?\(query)&\(extra)"
    }
}
