/// Builds the request head sent to a backend from the head a client sent. Pure.
public struct RequestForwarding: Sendable {
    public var xForwardedFor: [XForwardedForRule]
    public var setXForwardedProtocol: ForwardedProtocolMode

    public init(xForwardedFor: [XForwardedForRule], setXForwardedProtocol: ForwardedProtocolMode) {
        self.xForwardedFor = xForwardedFor
        self.setXForwardedProtocol = setXForwardedProtocol
    }

    /// Headers the proxy consumes or re-creates: the body is re-framed, Expect is answered
    /// by the proxy itself, and encodings are refused so GRIP bodies stay plain text.
    private static let consumed = ["content-length", "expect", "accept-encoding"]

    /// `Grip-Feature`, sent to GRIP backends so their libraries know what they may ask for:
    /// exactly what pushpind does (Pushpin 1.36 also lists `session`, and has no `link:gone`).
    public static let gripFeatures =
        "status, link:next, link:gone, filter:skip-self, filter:skip-users, filter:require-sub, filter:build-id, filter:var-subst"

    /// `grip`: the route does GRIP, so clients' own Grip-* headers never reach the backend
    /// (they are not trusted to speak for the proxy), and `Grip-Feature` says what pushpind
    /// does; `gripSignature` is added when there is one. `rewrite` is the route's (path, Host, `header=`).
    public func head(
        for request: HTTPRequestHead, framing: BodyFraming, peerHost: String, isTLS: Bool, backendHost: String,
        grip: Bool, gripSignature: String?, rewrite: RequestRewrite? = nil
    ) -> HTTPRequestHead {
        // Room for what is added below (Grip-Sig, Grip-Feature, Host, framing, X-Forwarded-*).
        var headers = HopByHop.stripped(request.headers, alsoRemove: Self.consumed, extraCapacity: 6)
        if grip { headers = headers.removingGripFields() }
        if let gripSignature { headers.add("Grip-Sig", gripSignature) }
        if grip { headers.add("Grip-Feature", Self.gripFeatures) }
        if let authority = Self.authority(of: request.target) {
            // Absolute-form: the target's authority is the host (RFC 9112 §3.2.2).
            headers.remove("Host")
            headers.add("Host", authority)
        }
        rewrite?.apply(to: &headers)
        switch framing {
        case .contentLength(let length): headers.add("Content-Length", String(length))
        case .chunked:
            // Re-chunked, but codings before chunked (gzip, …) still apply to the bytes the
            // backend gets: dropping them would hand it a compressed body as plain.
            let codings = request.headers.values("Transfer-Encoding")
            headers.add("Transfer-Encoding", codings.isEmpty ? "chunked" : codings.joined(separator: ", "))
        case .none, .untilClose: break
        }
        if !headers.contains("Host") { headers.add("Host", backendHost) }
        applyForwardedFor(&headers, peerHost: peerHost)
        applyForwardedProtocol(&headers, isTLS: isTLS)
        let target = Self.originForm(request.target)
        return HTTPRequestHead(method: request.method, target: rewrite?.target(target) ?? target, version: .http11, headers: headers)
    }

    /// `truncate:N` keeps the last N existing entries, `append` adds the peer, in the order
    /// the rules are listed (Pushpin's `x_forwarded_for`).
    private func applyForwardedFor(_ headers: inout HTTPHeaders, peerHost: String) {
        guard !xForwardedFor.isEmpty else { return }
        var entries = headers.values("X-Forwarded-For").flatMap { HTTPASCII.listElements($0).map(String.init) }
        for rule in xForwardedFor {
            switch rule {
            case .truncate(let keep): entries = Array(entries.suffix(max(keep, 0)))
            case .append: entries.append(peerHost)
            }
        }
        headers.remove("X-Forwarded-For")
        if !entries.isEmpty { headers.add("X-Forwarded-For", entries.joined(separator: ", ")) }
    }

    /// A client's own claim of the scheme is never passed on when the proxy sets it.
    private func applyForwardedProtocol(_ headers: inout HTTPHeaders, isTLS: Bool) {
        guard setXForwardedProtocol != .none else { return }
        headers.remove("X-Forwarded-Proto")
        headers.remove("X-Forwarded-Protocol")
        guard isTLS else { return }
        headers.add("X-Forwarded-Proto", "https")
        if setXForwardedProtocol == .both { headers.add("X-Forwarded-Protocol", "https") }
    }

    /// The authority of an absolute-form target (userinfo removed), nil for origin-form.
    public static func authority(of target: String) -> String? {
        guard !target.hasPrefix("/") else { return nil }
        let lower = target.lowercased()
        let schemeLength = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
        guard schemeLength > 0 else { return nil }
        let afterScheme = target.dropFirst(schemeLength)
        var authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return authority.isEmpty ? nil : String(authority)
    }

    /// "http://host/p?q" → "/p?q"; origin-form targets unchanged.
    public static func originForm(_ target: String) -> String {
        guard !target.hasPrefix("/") else { return target }
        let lower = target.lowercased()
        let schemeLength = lower.hasPrefix("http://") ? 7 : lower.hasPrefix("https://") ? 8 : 0
        guard schemeLength > 0 else { return target }
        let afterScheme = target.dropFirst(schemeLength)
        guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let rest = String(afterScheme[slash...])
        return rest.hasPrefix("?") ? "/" + rest : rest
    }
}

extension HTTPHeaders {
    /// Without any `Grip-*` field: a client's never reach a backend (or a WebSocket
    /// backend's event requests), since they would speak for the proxy.
    /// Clients almost never send one, and then the headers are returned as they are.
    public func removingGripFields() -> HTTPHeaders {
        guard containsName(withPrefix: "grip-") else { return self }
        var kept = HTTPHeaders(reservingCapacity: count)
        forEachField { name, value in
            if !GripResponseHeaders.isGripField(name) { kept.add(name, value) }
        }
        return kept
    }
}
