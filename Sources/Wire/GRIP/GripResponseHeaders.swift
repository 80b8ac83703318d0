/// Turns a backend's header fields into the ones a GRIP client may see.
enum GripResponseHeaders {
    /// Name starts with `Grip-`, any case (`HTTPHeaders.containsName(withPrefix: "grip-")` for a whole head).
    static func isGripField(_ name: String) -> Bool {
        HTTPASCII.hasPrefixIgnoringCase(name, "grip-")
    }

    /// Backend fields minus every `Grip-*` field and the framing ones (a held response is
    /// re-framed when it is finally written); when `Grip-Expose-Headers` is present (even
    /// empty elements count), only the names it lists survive. `exposeHeadersAt` is where the
    /// first Grip-Expose-Headers field is (nil: there is none).
    static func clientFields(_ backend: HTTPHeaders, exposeHeadersAt first: Int?) -> HTTPHeaders {
        let exposed = first.map { HeaderParameterParser.listElements(backend, "Grip-Expose-Headers", from: $0) } ?? []
        var result = HTTPHeaders(reservingCapacity: backend.count)
        backend.forEachField { name, value in
            if isGripField(name) || HopByHop.isFraming(name) { return }
            if !exposed.isEmpty, !exposed.contains(where: { HTTPHeaders.namesEqual($0, name) }) { return }
            result.add(name, value)
        }
        return result
    }
}
