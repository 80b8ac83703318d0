/// Fields that describe one connection rather than the message (RFC 9110 §7.6.1), plus
/// whatever the Connection field itself names: a proxy never relays them, and nothing a
/// publisher or a backend's JSON supplies may set them, since pushpind frames every message
/// it writes itself.
public enum HopByHop {
    public static let names = ["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]

    /// A hop-by-hop name, or a `Proxy-*` field (Proxy-Authorization, Proxy-Connection …),
    /// which is meant for this hop too.
    /// Runs for every field of every relayed head: only the names of the same length are
    /// compared (walking `names` compared each field with all six).
    public static func isHopByHop(_ name: String) -> Bool {
        let listed: Bool
        switch name.utf8.count {
        case 2: listed = HTTPHeaders.namesEqual(name, "te")
        case 7: listed = HTTPHeaders.namesEqual(name, "trailer") || HTTPHeaders.namesEqual(name, "upgrade")
        case 10: listed = HTTPHeaders.namesEqual(name, "connection") || HTTPHeaders.namesEqual(name, "keep-alive")
        case 17: listed = HTTPHeaders.namesEqual(name, "transfer-encoding")
        default: listed = false
        }
        return listed || isProxyField(name)
    }

    /// A field that frames or routes the message on this connection: hop-by-hop, or
    /// Content-Length. Dropped from responses that pushpind writes from someone else's parts.
    public static func isFraming(_ name: String) -> Bool {
        isHopByHop(name) || HTTPHeaders.namesEqual(name, "Content-Length")
    }

    /// `headers` without hop-by-hop fields and without the extra names in `alsoRemove`.
    /// Runs per request: compares names in place rather than lower-casing or hashing them.
    /// `extraCapacity`: room for the fields the caller adds next, so adding them does not
    /// reallocate.
    public static func stripped(_ headers: HTTPHeaders, alsoRemove: [String] = [], extraCapacity: Int = 0) -> HTTPHeaders {
        var kept = HTTPHeaders(reservingCapacity: headers.count + extraCapacity)
        forEachKept(headers, alsoRemove: alsoRemove) { name, value in kept.add(name, value) }
        return kept
    }

    /// Calls `body` with each field `stripped` would keep, in order, read in place.
    @inline(__always)
    static func forEachKept(_ headers: HTTPHeaders, alsoRemove: [String] = [], _ body: (_ name: String, _ value: String) -> Void) {
        let listed = connectionOptions(headers)
        headers.forEachField { name, value in
            if isHopByHop(name) || matches(name, alsoRemove) || matches(name, listed) { return }
            body(name, value)
        }
    }

    /// The field names the Connection fields list, besides the options `close` and
    /// `keep-alive`. Usually there are none, and then nothing is allocated.
    private static func connectionOptions(_ headers: HTTPHeaders) -> [String] {
        var listed: [String] = []
        var next = headers.firstIndex(of: "Connection")
        while let index = next {
            let value = headers.value(at: index)
            var rest = value.utf8[...]
            while true {
                let end = rest.firstIndex(of: HTTPASCII.comma) ?? rest.endIndex
                let element = HTTPASCII.trimOWS(rest[..<end])
                if !element.isEmpty, !HTTPASCII.elementEquals(element, "close"), !HTTPASCII.elementEquals(element, "keep-alive") {
                    listed.append(String(Substring(element)))
                }
                if end == rest.endIndex { break }
                rest = rest[rest.index(after: end)...]
            }
            next = headers.firstIndex(of: "Connection", from: index + 1)
        }
        return listed
    }

    private static func isProxyField(_ name: String) -> Bool {
        name.utf8.count > 6 && HTTPASCII.hasPrefixIgnoringCase(name, "proxy-")
    }

    @inline(__always)
    private static func matches(_ name: String, _ list: [String]) -> Bool {
        for candidate in list where HTTPHeaders.namesEqual(name, candidate) { return true }
        return false
    }
}
