import Wire

/// Headers that describe one connection rather than the message, so a proxy never relays
/// them (RFC 9110 §7.6.1), plus whatever the Connection header itself names.
enum HopByHop {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// `headers` without hop-by-hop fields and without the extra names in `alsoRemove`
    /// (lower-case).
    static func stripped(_ headers: HTTPHeaders, alsoRemove: Set<String> = []) -> HTTPHeaders {
        var listed = alsoRemove
        for value in headers.values("Connection") {
            for token in value.split(separator: ",") {
                listed.insert(token.trimmingSpaces.lowercased())
            }
        }
        var kept = HTTPHeaders()
        for (name, value) in headers {
            let lower = name.lowercased()
            if names.contains(lower) || listed.contains(lower) { continue }
            kept.add(name, value)
        }
        return kept
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
