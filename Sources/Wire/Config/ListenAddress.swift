/// A listening address written `[addr:]port`: `7999`, `127.0.0.1:7999`, `[::]:80`.
/// IPv6 hosts are stored without brackets.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// nil unless the port is decimal 1...65535 and an IPv6 host is bracketed.
    public static func parse(_ text: String, defaultHost: String = "0.0.0.0") -> ListenAddress? {
        let text = ConfigText.trim(text[...])
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard !host.isEmpty, rest.first == ":", let port = RouteHostName.parsePort(rest.dropFirst()) else { return nil }
            return ListenAddress(host: String(host), port: port)
        }
        guard let colon = text.firstIndex(of: ":") else {
            return RouteHostName.parsePort(text[...]).map { ListenAddress(host: defaultHost, port: $0) }
        }
        let host = text[..<colon]
        let rest = text[text.index(after: colon)...]
        guard !host.isEmpty, !rest.contains(":"), let port = RouteHostName.parsePort(rest) else { return nil }
        return ListenAddress(host: String(host), port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
