/// Whether a `Grip-Link` target is a URI Pushpin accepts (it rejects the link with
/// "Grip-Link contains invalid link" otherwise). Pushpin is tolerant about paths
/// (spaces pass) and strict about scheme, host and port; this check follows the cases
/// confirmed against Pushpin 1.36: `http://a:b/`, `http://a b/`, `http://x:99999/`,
/// `1http://x/`, `http://[zz]/` and `http://a%20b/` are invalid, while `/path with space`,
/// `next?x=1`, `#frag`, `a:b:c`, `http:///x` and `http://[::1]/x` are valid.
enum GripLinkURI {
    static func isValid(_ uri: String) -> Bool {
        let bytes = Array(uri.utf8)
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return false }
        var index = 0
        if let end = bytes.firstIndex(where: { $0 == colon || $0 == slash || $0 == question || $0 == hash }),
           bytes[end] == colon {
            guard isScheme(bytes[0..<end]) else { return false }
            index = end + 1
        }
        guard index + 1 < bytes.count, bytes[index] == slash, bytes[index + 1] == slash else { return true }
        let start = index + 2
        let end = bytes[start...].firstIndex { $0 == slash || $0 == question || $0 == hash } ?? bytes.count
        return isAuthority(bytes[start..<end])
    }

    private static let colon = UInt8(ascii: ":")
    private static let slash = UInt8(ascii: "/")
    private static let question = UInt8(ascii: "?")
    private static let hash = UInt8(ascii: "#")

    /// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    private static func isScheme(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, isAlpha(first) else { return false }
        return bytes.allSatisfy {
            isAlpha($0) || HTTPASCII.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: ".")
        }
    }

    /// `[userinfo@]host[:port]` with a bracketed IPv6 host or a plain host.
    private static func isAuthority(_ authority: ArraySlice<UInt8>) -> Bool {
        var hostPort = authority
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            hostPort = authority[(at + 1)...]
        }
        if hostPort.first == UInt8(ascii: "[") {
            guard let close = hostPort.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = hostPort[(hostPort.startIndex + 1)..<close]
            guard !literal.isEmpty, literal.allSatisfy(isIPv6LiteralByte) else { return false }
            let rest = hostPort[(close + 1)...]
            guard let first = rest.first else { return true }
            return first == colon && isPort(rest.dropFirst())
        }
        var host = hostPort
        if let portColon = hostPort.lastIndex(of: colon) {
            guard isPort(hostPort[(portColon + 1)...]) else { return false }
            host = hostPort[..<portColon]
        }
        guard let decoded = percentDecoded(host) else { return false }
        return decoded.allSatisfy(isHostByte)
    }

    private static func isPort(_ digits: ArraySlice<UInt8>) -> Bool {
        guard digits.allSatisfy(HTTPASCII.isDigit) else { return false }
        guard !digits.isEmpty else { return true }
        var value = 0
        for digit in digits {
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            if value > 65535 { return false }
        }
        return true
    }

    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                      let high = HTTPASCII.hexValue(bytes[index + 1]),
                      let low = HTTPASCII.hexValue(bytes[index + 2]) else { return nil }
                out.append(UInt8(high << 4 | low))
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isIPv6LiteralByte(_ byte: UInt8) -> Bool {
        HTTPASCII.hexValue(byte) != nil || byte == colon || byte == UInt8(ascii: ".")
    }

    /// Host bytes after percent-decoding: no controls, spaces or URI delimiters.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte != 0x7F else { return false }
        return !Array("<>\"{}|\\^`[]%@/?#".utf8).contains(byte)
    }
}
