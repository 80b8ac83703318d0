/// Turns a backend's header fields into the ones a GRIP client may see.
enum GripResponseHeaders {
    /// Framing and connection fields the proxy rewrites itself (RFC 9110 §7.6.1),
    /// plus Content-Length: a held response is re-framed when it is finally written.
    static let hopByHop = [
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
        "Proxy-Connection", "Content-Length",
    ]

    /// Name starts with `Grip-`, any case.
    static func isGripField(_ name: String) -> Bool {
        let prefix = name.utf8.prefix(5)
        return prefix.count == 5 && zip(prefix, "grip-".utf8).allSatisfy { HTTPASCII.lower($0) == $1 }
    }

    static func isHopByHop(_ name: String) -> Bool {
        hopByHop.contains { HTTPHeaders.namesEqual($0, name) }
    }

    /// Backend fields minus every `Grip-*` field and the hop-by-hop ones; when
    /// `Grip-Expose-Headers` is present (even empty elements count), only the
    /// names it lists survive.
    static func clientFields(_ backend: HTTPHeaders) -> HTTPHeaders {
        let exposed = HeaderParameterParser.listElements(backend, "Grip-Expose-Headers")
        var result = HTTPHeaders()
        for field in backend {
            if isGripField(field.name) || isHopByHop(field.name) { continue }
            if !exposed.isEmpty, !exposed.contains(where: { HTTPHeaders.namesEqual($0, field.name) }) {
                continue
            }
            result.add(field.name, field.value)
        }
        return result
    }

    /// JSON instruct `response.headers`: already chosen by the backend, only the
    /// hop-by-hop fields go.
    static func withoutHopByHop(_ headers: HTTPHeaders) -> HTTPHeaders {
        var result = HTTPHeaders()
        for field in headers where !isHopByHop(field.name) {
            result.add(field.name, field.value)
        }
        return result
    }
}
