import Wire

/// Where a `Grip-Link` points, as an origin-form request target: relative references are
/// resolved against the request they came with (RFC 3986 §5.2, dot segments removed), an
/// absolute URI keeps its path and query (it goes to the same route's backends), and the
/// fragment is dropped.
enum NextLinkTarget {
    static func resolve(_ link: String, against base: String) -> String {
        let reference = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let basePath = RequestForwarding.originForm(base)
        if hasScheme(reference) {
            return RequestForwarding.originForm(reference)
        }
        if reference.hasPrefix("//") {
            let rest = reference.dropFirst(2)
            guard let start = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            let path = String(rest[start...])
            return path.hasPrefix("?") ? "/" + path : path
        }
        if reference.hasPrefix("/") { return removingDotSegments(reference) }
        let baseWithoutQuery = basePath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        if reference.isEmpty { return basePath }
        if reference.hasPrefix("?") { return baseWithoutQuery + reference }
        let directory = baseWithoutQuery.lastIndex(of: "/").map { String(baseWithoutQuery[...$0]) } ?? "/"
        return removingDotSegments(directory + reference)
    }

    /// RFC 3986 §5.2.4 on the path part (the query is kept as it is): `.` segments go, `..`
    /// takes the segment before it with it, never above the root.
    static func removingDotSegments(_ target: String) -> String {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0]
        guard path.contains(".") else { return target }
        var output: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()  // the root's empty segment
        for (index, segment) in segments.enumerated() {
            let last = index == segments.count - 1
            switch segment {
            case ".":
                if last { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            default:
                output.append(segment)
            }
        }
        let query = parts.count > 1 ? "?" + parts[1] : ""
        return "/" + output.joined(separator: "/") + query
    }

    /// `scheme:` before any `/`, `?` or `#` (a relative path may hold a colon only later).
    private static func hasScheme(_ reference: String) -> Bool {
        guard let colon = reference.firstIndex(of: ":") else { return false }
        let scheme = reference[..<colon]
        guard let first = scheme.first, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }
    }
}
