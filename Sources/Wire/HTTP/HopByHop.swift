/// Fields that describe one connection rather than the message (RFC 9110 §7.6.1), plus
/// whatever the Connection field itself names: a proxy never relays them, and nothing a
/// publisher or a backend's JSON supplies may set them, since pushpind frames every message
/// it writes itself.
public enum HopByHop {
    public static let names = ["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]

    /// A hop-by-hop name, or a `Proxy-*` field (Proxy-Authorization, Proxy-Connection …),
    /// which is meant for this hop too.
    public static func isHopByHop(_ name: String) -> Bool {
        matches(name, names) || isProxyField(name)
    }

    /// A field that frames or routes the message on this connection: hop-by-hop, or
    /// Content-Length. Dropped from responses that pushpind writes from someone else's parts.
    public static func isFraming(_ name: String) -> Bool {
        isHopByHop(name) || HTTPHeaders.namesEqual(name, "Content-Length")
    }

    /// `headers` without hop-by-hop fields and without the extra names in `alsoRemove`.
    /// Runs per request: compares names in place rather than lower-casing or hashing them.
    public static func stripped(_ headers: HTTPHeaders, alsoRemove: [String] = []) -> HTTPHeaders {
        var listed: [String] = []
        if headers.contains("Connection") {
            for value in headers.values("Connection") {
                for element in HTTPASCII.listElements(value) {
                    if !HTTPASCII.equalsIgnoringCase(String(element), "close") && !HTTPASCII.equalsIgnoringCase(String(element), "keep-alive") {
                        listed.append(String(element))
                    }
                }
            }
        }
        var kept = HTTPHeaders()
        for (name, value) in headers {
            if isHopByHop(name) || matches(name, alsoRemove) || matches(name, listed) {
                continue
            }
            kept.add(name, value)
        }
        return kept
    }

    private static func isProxyField(_ name: String) -> Bool {
        name.utf8.count > 6 && zip(name.utf8, "proxy-".utf8).allSatisfy { HTTPASCII.lower($0) == $1 }
    }

    @inline(__always)
    private static func matches(_ name: String, _ list: [String]) -> Bool {
        for candidate in list where HTTPHeaders.namesEqual(name, candidate) { return true }
        return false
    }
}
