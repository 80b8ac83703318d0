import Wire

/// Builds the request head sent to a backend from the head a client sent. Pure.
struct RequestForwarding {
    var xForwardedFor: [XForwardedForRule]
    var setXForwardedProtocol: ForwardedProtocolMode

    /// Headers the proxy consumes or re-creates: the body is re-framed, Expect is answered
    /// by the proxy itself, and encodings are refused so GRIP bodies stay plain text.
    private static let consumed = ["content-length", "expect", "accept-encoding"]

    /// `gripSignature`: the Grip-Sig token when the route does GRIP; clients' own Grip-*
    /// headers never reach a GRIP backend (they are not trusted to speak for the proxy).
    func head(
        for request: HTTPRequestHead, framing: BodyFraming, peerHost: String, isTLS: Bool, backendHost: String,
        gripSignature: String?
    ) -> HTTPRequestHead {
        var headers = HopByHop.stripped(request.headers, alsoRemove: Self.consumed)
        if let gripSignature {
            headers = headers.removingGripFields()
            headers.add("Grip-Sig", gripSignature)
        }
        switch framing {
        case .contentLength(let length): headers.add("Content-Length", String(length))
        case .chunked: headers.add("Transfer-Encoding", "chunked")
        case .none, .untilClose: break
        }
        if !headers.contains("Host") { headers.add("Host", request.host ?? backendHost) }
        applyForwardedFor(&headers, peerHost: peerHost)
        applyForwardedProtocol(&headers, isTLS: isTLS)
        return HTTPRequestHead(method: request.method, target: Self.originForm(request.target), version: .http11, headers: headers)
    }

    /// `truncate:N` keeps the last N existing entries, `append` adds the peer, in the order
    /// the rules are listed (Pushpin's `x_forwarded_for`).
    private func applyForwardedFor(_ headers: inout HTTPHeaders, peerHost: String) {
        guard !xForwardedFor.isEmpty else { return }
        var entries = headers.values("X-Forwarded-For")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpaces }
            .filter { !$0.isEmpty }
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

    /// "http://host/p?q" → "/p?q"; origin-form targets unchanged.
    static func originForm(_ target: String) -> String {
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
    func removingGripFields() -> HTTPHeaders {
        var kept = HTTPHeaders()
        for (name, value) in self where !(name.utf8.count >= 5 && HTTPHeaders.namesEqual(String(name.prefix(5)), "grip-")) {
            kept.add(name, value)
        }
        return kept
    }
}
