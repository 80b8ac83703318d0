/// A JSON-P request under auto cross-origin: a GET whose query names a callback (or, with
/// `jsonp_defcb` and `jsonp_body`, carries the body parameter) stands for another request:
/// `_method` its method, `_headers` (a JSON object of strings) its fields, `_body` (or the
/// route's `jsonp_body` parameter) its body. This decodes the stand-in; `JSONPResponse`
/// wraps the answer. Pure; every parameter is checked before any of it reaches a backend.
public struct JSONPRequest: Sendable, Equatable {
    public var callback: String
    public var extended: Bool
    public var method: String
    /// The target without the parameters JSON-P used up (and without `?` when none is left).
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public enum Failure: Error, Equatable {
        case callback, method, headers, body

        /// Pushpin's 400 body for each (the status is 400 for all).
        public var message: String {
            switch self {
            case .callback: return "Invalid callback parameter.\n"
            case .method: return "Invalid _method parameter.\n"
            case .headers: return "Invalid _headers parameter.\n"
            case .body: return "Invalid body parameter.\n"
            }
        }
    }

    /// The JSON-P request `method target` with `headers` stands for; nil when it is not one.
    public static func decode(
        method: String, target: String, headers: HTTPHeaders, config: JSONPConfig
    ) -> Result<JSONPRequest?, Failure> {
        guard method == "GET", let question = target.firstIndex(of: "?") else { return .success(nil) }
        var query = QueryItems(target[target.index(after: question)...])
        let bodyParam = config.bodyParam.flatMap { $0.isEmpty ? nil : $0 }
        let callbackParam = config.callbackParam.isEmpty ? "callback" : config.callbackParam
        let usesDefault = config.defaultCallback?.isEmpty == false && bodyParam.map { query.contains($0) } == true
        guard query.contains(callbackParam) || usesDefault else { return .success(nil) }

        var request = JSONPRequest(
            callback: config.defaultCallback ?? "", extended: config.mode == .extended, method: config.defaultMethod,
            target: "", headers: HTTPHeaders(), body: [])
        if let raw = query.take(callbackParam) {
            guard let callback = percentDecoded(raw).flatMap({ String(validating: $0, as: UTF8.self) }), isCallback(callback) else {
                return .failure(.callback)
            }
            request.callback = callback
        }
        if let raw = query.take("_method") {
            guard let method = percentDecoded(raw).flatMap({ String(validating: $0, as: UTF8.self) }), HTTPFieldRules.isToken(method)
            else { return .failure(.method) }
            request.method = method
        }
        if let raw = query.take("_headers") {
            guard let fields = percentDecoded(raw).flatMap(headerFields) else { return .failure(.headers) }
            request.headers = fields
        }
        if let bodyParam {
            if let raw = query.take(bodyParam) {
                guard let body = percentDecoded(raw) else { return .failure(.body) }
                request.body = body
                request.headers.remove("Content-Type")
                request.headers.add("Content-Type", "application/json")
            }
        } else if let raw = query.take("_body") {
            guard let body = percentDecoded(raw) else { return .failure(.body) }
            request.body = body
        }
        let path = target[..<question]
        let rest = query.remaining
        request.target = rest.isEmpty ? String(path) : String(path) + "?" + rest
        if let host = headers["Host"] { request.headers.add("Host", host) }
        request.headers.add("Accept", "*/*")
        headers.forEachField { name, value in
            if !HTTPHeaders.namesEqual(name, "Host") && !HTTPHeaders.namesEqual(name, "Accept") { request.headers.add(name, value) }
        }
        return .success(request)
    }

    /// A callback a page can name: JavaScript identifier characters, `.` and brackets for
    /// members (pushpind-only: Pushpin takes any non-empty text, script included).
    static func isCallback(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 256 && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "_"), UInt8(ascii: "$"), UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"):
                return true
            default:
                return false
            }
        }
    }

    /// `_headers`: a JSON object whose values are strings; Host and Accept are the proxy's.
    /// Every field must be writable as is (no CR, LF or other control character).
    static func headerFields(_ bytes: [UInt8]) -> HTTPHeaders? {
        guard let document = try? bytes.withUnsafeBytes({ try JSONParser.parseDocument($0) }), let object = document.objectValue
        else { return nil }
        var fields = HTTPHeaders()
        for (name, value) in object {
            guard let text = value.stringValue, HTTPFieldRules.fieldProblem(name: name, value: text) == nil else { return nil }
            if HTTPHeaders.namesEqual(name, "Host") || HTTPHeaders.namesEqual(name, "Accept") { continue }
            fields.add(name, text)
        }
        return fields
    }

    /// `%XX` escapes decoded (`+` stays `+`, as in Pushpin); nil for a broken escape.
    static func percentDecoded(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = text.utf8[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard let high = bytes.popFirst().flatMap(HTTPASCII.hexValue), let low = bytes.popFirst().flatMap(HTTPASCII.hexValue)
            else { return nil }
            out.append(UInt8(high << 4 | low))
        }
        return out
    }
}

/// The `&`-separated items of a query, kept raw so those JSON-P leaves are passed on as sent.
struct QueryItems {
    private var items: [Substring]

    init(_ query: Substring) {
        items = query.split(separator: "&", omittingEmptySubsequences: true)
    }

    func contains(_ name: String) -> Bool {
        items.contains { Self.name(of: $0) == name }
    }

    /// The raw value of the first item named `name` (empty for a bare `name`), removing every such item.
    mutating func take(_ name: String) -> Substring? {
        guard let first = items.first(where: { Self.name(of: $0) == name }) else { return nil }
        items.removeAll { Self.name(of: $0) == name }
        guard let equals = first.firstIndex(of: "=") else { return "" }
        return first[first.index(after: equals)...]
    }

    var remaining: String { items.joined(separator: "&") }

    /// An item's name, percent-decoded (undecodable names compare as written).
    private static func name(of item: Substring) -> String {
        let raw = item.prefix { $0 != "=" }
        return JSONPRequest.percentDecoded(raw).flatMap { String(validating: $0, as: UTF8.self) } ?? String(raw)
    }
}
