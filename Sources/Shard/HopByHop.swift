import Wire

/// Headers that describe one connection rather than the message, so a proxy never relays
/// them (RFC 9110 §7.6.1), plus whatever the Connection header itself names.
enum HopByHop {
    static let names = ["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]

    /// `headers` without hop-by-hop fields and without the extra names in `alsoRemove`.
    /// Runs per request: compares names in place rather than lower-casing or hashing them.
    static func stripped(_ headers: HTTPHeaders, alsoRemove: [String] = []) -> HTTPHeaders {
        var listed: [String] = []
        if headers.contains("Connection") {
            for value in headers.values("Connection") {
                for token in value.split(separator: ",") {
                    let name = token.trimmingSpaces
                    if !HTTPHeaders.namesEqual(name, "close") && !HTTPHeaders.namesEqual(name, "keep-alive") {
                        listed.append(name)
                    }
                }
            }
        }
        var kept = HTTPHeaders()
        for (name, value) in headers {
            if matches(name, names) || isProxyField(name) || matches(name, alsoRemove) || matches(name, listed) { continue }
            kept.add(name, value)
        }
        return kept
    }

    /// `Proxy-*` fields (Proxy-Authorization, Proxy-Connection …) are meant for this hop.
    private static func isProxyField(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard utf8.count > 6 else { return false }
        return HTTPHeaders.namesEqual(String(name.prefix(6)), "proxy-")
    }

    @inline(__always)
    private static func matches(_ name: String, _ list: [String]) -> Bool {
        for candidate in list where HTTPHeaders.namesEqual(name, candidate) { return true }
        return false
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
