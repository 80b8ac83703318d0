/// Pushpin's auto cross-origin (`[proxy] auto_cross_origin`, route `aco`): CORS fields added
/// to every response of a request, each only where the response has none of its own. What
/// they say comes from the request (`Origin`, `Access-Control-Request-*`) and the response's
/// own field names. Pure; kept per exchange only on routes that use it.
public struct CrossOrigin: Sendable, Equatable {
    /// The request's `Origin`; `*` is answered when it has none.
    public var origin: String
    /// The request's `Access-Control-Request-Method`, echoed as the allowed methods.
    public var requestMethod: String?
    /// The request's `Access-Control-Request-Headers` values, echoed as the allowed headers.
    public var requestHeaders: [String]

    public static let defaultMethods = "OPTIONS, HEAD, GET, POST, PUT, DELETE"

    public init(request headers: HTTPHeaders) {
        origin = headers["Origin"].flatMap { $0.isEmpty ? nil : $0 } ?? "*"
        requestMethod = headers["Access-Control-Request-Method"].flatMap { $0.isEmpty ? nil : $0 }
        requestHeaders = headers.values("Access-Control-Request-Headers").filter { !$0.isEmpty }
    }

    /// The CORS fields `response` lacks, in Pushpin's order. Values come from the client's
    /// request, which was parsed off the wire, so they are valid field values already.
    public func missingFields(in response: HTTPHeaders) -> HTTPHeaders {
        var added = HTTPHeaders(reservingCapacity: 6)
        if !response.contains("Access-Control-Allow-Methods") {
            added.add("Access-Control-Allow-Methods", requestMethod ?? Self.defaultMethods)
        }
        if !response.contains("Access-Control-Allow-Headers") && !requestHeaders.isEmpty {
            added.add("Access-Control-Allow-Headers", requestHeaders.joined(separator: ", "))
        }
        if !response.contains("Access-Control-Expose-Headers") {
            let exposed = Self.exposableNames(response)
            if !exposed.isEmpty { added.add("Access-Control-Expose-Headers", exposed.joined(separator: ", ")) }
        }
        if !response.contains("Access-Control-Allow-Credentials") { added.add("Access-Control-Allow-Credentials", "true") }
        if !response.contains("Access-Control-Allow-Origin") { added.add("Access-Control-Allow-Origin", origin) }
        if !response.contains("Access-Control-Max-Age") { added.add("Access-Control-Max-Age", "3600") }
        return added
    }

    /// `response` with the missing CORS fields appended.
    public func applied(to response: HTTPHeaders) -> HTTPHeaders {
        var headers = response
        for (name, value) in missingFields(in: response) { headers.add(name, value) }
        return headers
    }

    /// Names a script could not read without being told: not CORS-safelisted, not
    /// `Access-Control-*`, not `Grip-*`; each once, as first written.
    static func exposableNames(_ response: HTTPHeaders) -> [String] {
        var names: [String] = []
        for (name, _) in response {
            if safelisted.contains(where: { HTTPHeaders.namesEqual($0, name) }) { continue }
            if HTTPASCII.hasPrefixIgnoringCase(name, "access-control-") || HTTPASCII.hasPrefixIgnoringCase(name, "grip-") { continue }
            if names.contains(where: { HTTPHeaders.namesEqual($0, name) }) { continue }
            names.append(name)
        }
        return names
    }

    private static let safelisted = ["Cache-Control", "Content-Language", "Content-Length", "Content-Type", "Expires", "Last-Modified", "Pragma"]
}
