/// What a route changes in a request on its way to a backend: the Host (`as_host`, or the
/// target's `host=`, which wins as in Pushpin), the path (`path_rem` / `replace_beg`) and
/// fields (`header=`). Pure; built once per route when the routes are installed, and nil for
/// a route that sets none of these, so its requests pay nothing.
public struct RequestRewrite: Sendable, Equatable {
    /// Replaces the Host field (and the authority of an absolute-form target).
    public var host: String?
    /// Leading bytes of the path to drop; the query is kept.
    public var pathRemove: Int
    /// Put in front of what remains of the path.
    public var pathPrepend: String
    /// Each replaces every field of its name; an empty value only removes.
    public var headers: [RouteHeader]

    public init(host: String? = nil, pathRemove: Int = 0, pathPrepend: String = "", headers: [RouteHeader] = []) {
        self.host = host
        self.pathRemove = pathRemove
        self.pathPrepend = pathPrepend
        self.headers = headers
    }

    /// The rewrite for requests on `route` sent to `target`; nil when there is nothing to change.
    public init?(route: Route, target: RouteTarget?) {
        self.init(
            host: [target?.hostHeader, route.asHost].lazy.compactMap { $0 }.first { !$0.isEmpty },
            pathRemove: route.pathRemove ?? 0,
            pathPrepend: route.replaceBeg ?? "", headers: route.headers)
        if host == nil && pathRemove == 0 && pathPrepend.isEmpty && headers.isEmpty { return nil }
    }

    /// `target` (origin-form) with the path rewritten. A path rewritten to nothing becomes `/`.
    public func target(_ target: String) -> String {
        guard pathRemove > 0 || !pathPrepend.isEmpty, target.hasPrefix("/") else { return target }
        let queryStart = target.firstIndex(of: "?") ?? target.endIndex
        let path = target[..<queryStart]
        let cut = path.utf8.index(path.startIndex, offsetBy: min(pathRemove, path.utf8.count))
        var rewritten = pathPrepend + path[cut...]
        if !rewritten.hasPrefix("/") { rewritten = "/" + rewritten }
        return rewritten + target[queryStart...]
    }

    /// Applies `header=` fields and the Host to fields already stripped for forwarding.
    public func apply(to fields: inout HTTPHeaders) {
        for header in headers {
            fields.remove(header.name)
            if !header.value.isEmpty { fields.add(header.name, header.value) }
        }
        if let host { fields.replaceOrAdd("Host", host) }
    }

    // MARK: - Validation (routes file)

    /// Why `header=` may not set `name: value`, or nil when it may. Framing and connection
    /// fields are the proxy's own, Host has `as_host`, and `Grip-*` fields speak for the proxy.
    public static func headerProblem(name: String, value: String) -> String? {
        if let problem = HTTPFieldRules.fieldProblem(name: name, value: value) { return problem }
        if HopByHop.isFraming(name) || HTTPHeaders.namesEqual(name, "Expect") {
            return "header '\(name)' frames the request; pushpind sets it itself"
        }
        if HTTPHeaders.namesEqual(name, "Host") { return "header 'Host' cannot be set with header=; use as_host" }
        if HTTPASCII.hasPrefixIgnoringCase(name, "grip-") { return "header '\(name)': Grip-* fields are the proxy's own" }
        return nil
    }

    /// Why `value` cannot be a Host (`as_host=`, target `host=`), or nil: `host[:port]` with
    /// no space, control character, `/`, `?`, `#` or `@`. Empty is allowed and means none.
    public static func hostProblem(_ value: String) -> String? {
        let forbidden: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@")]
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || forbidden.contains($0) }) {
            return "host '\(value)' must be host[:port]"
        }
        return nil
    }

    /// Why `value` cannot start a request path (`replace_beg=`), or nil: no space, control
    /// character, `?` or `#`.
    public static func pathProblem(_ value: String) -> String? {
        let forbidden: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "?"), UInt8(ascii: "#")]
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || forbidden.contains($0) }) {
            return "replace_beg '\(value)' must be a path without spaces, ? or #"
        }
        return nil
    }
}
