/// Host-name handling shared by route parsing and matching: the condition's host, the request's
/// Host value, and `host:port` targets.
enum RouteHostName {
    /// Lower-cases a condition host and drops the brackets of an IPv6 literal (`[::1]` → `::1`),
    /// so it compares equal to the host part `hostRange(in:)` finds in a request.
    static func normalized(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]"), host.count >= 2 {
            host = String(host.dropFirst().dropLast())
        }
        return host
    }

    /// True for `name:port` (exactly one colon); bare IPv6 literals have several.
    static func hasPort(_ host: String) -> Bool {
        host.utf8.count(where: { $0 == UInt8(ascii: ":") }) == 1
    }

    /// Parses a target `host:port` or `[v6addr]:port`. The host must be non-empty; the port 1...65535.
    static func splitHostPort(_ value: String) -> Result<(String, Int), RouteLineTokenizer.Failure> {
        let badFormat = RouteLineTokenizer.Failure(message: "target bad format")
        let host: Substring
        let portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return .failure(badFormat) }
            host = value[value.index(after: value.startIndex)..<close]
            let rest = value[value.index(after: close)...]
            guard rest.first == ":" else { return .failure(badFormat) }
            portText = rest.dropFirst()
        } else {
            guard let colon = value.firstIndex(of: ":"), !value[value.index(after: colon)...].contains(":") else {
                return .failure(badFormat)
            }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(badFormat) }
        guard let port = parsePort(portText) else { return .failure(.init(message: "target invalid port")) }
        return .success((String(host), port))
    }

    /// Decimal digits only, 1...65535.
    static func parsePort(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let port = Int(text), (1...65535).contains(port) else { return nil }
        return port
    }

    /// The host part of a request's Host value: `[v6]:port` → `v6`, `name:port` → `name`,
    /// a bare IPv6 literal (several colons) is kept whole. Works on bytes so matching does not allocate.
    static func hostRange(in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        if bytes.first == UInt8(ascii: "[") {
            let close = bytes.firstIndex(of: UInt8(ascii: "]")) ?? bytes.count
            return 1..<close
        }
        var colon: Int?
        for index in bytes.indices where bytes[index] == UInt8(ascii: ":") {
            if colon != nil { return 0..<bytes.count }
            colon = index
        }
        return 0..<(colon ?? bytes.count)
    }

    /// FNV-1a over the ASCII-lower-cased bytes: the host index key, computed without building a String.
    static func hash<Bytes: Sequence<UInt8>>(lowercasing bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(asciiLower(byte))) &* 0x100_0000_01b3
        }
        return hash
    }

    @inline(__always)
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
