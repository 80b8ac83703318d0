/// Turns a backend's header fields into the ones a GRIP client may see.
enum GripResponseHeaders {
    /// Name starts with `Grip-`, any case.
    static func isGripField(_ name: String) -> Bool {
        let prefix = name.utf8.prefix(5)
        return prefix.count == 5 && zip(prefix, "grip-".utf8).allSatisfy { HTTPASCII.lower($0) == $1 }
    }

    /// Backend fields minus every `Grip-*` field and the framing ones (a held response is
    /// re-framed when it is finally written); when `Grip-Expose-Headers` is present (even
    /// empty elements count), only the names it lists survive.
    static func clientFields(_ backend: HTTPHeaders) -> HTTPHeaders {
        let exposed = HeaderParameterParser.listElements(backend, "Grip-Expose-Headers")
        var result = HTTPHeaders()
        for field in backend {
            if isGripField(field.name) || HopByHop.isFraming(field.name) { continue }
            if !exposed.isEmpty, !exposed.contains(where: { HTTPHeaders.namesEqual($0, field.name) }) {
                continue
            }
            result.add(field.name, field.value)
        }
        return result
    }
}
