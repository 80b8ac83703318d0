/// Wraps a whole response for a JSON-P request: a 200 `application/javascript` calling the
/// callback. Basic mode passes the body as the argument (one trailing newline dropped);
/// extended mode passes the status, reason, fields and body as an object. Pushpin writes two
/// styles, and so does this: a response relayed from the backend (`held: false`) keeps only
/// its Cache-Control and spells the object `{"code": …, "reason": …, "headers": …, "body": …}`;
/// a GRIP response (held, timed out, published; `held: true`) keeps its fields and writes the
/// object compact with sorted keys. Pure.
public struct JSONPResponse: Sendable, Equatable {
    public var callback: String
    public var extended: Bool

    public init(callback: String, extended: Bool) {
        self.callback = callback
        self.extended = extended
    }

    /// The wrapped head fields (framing aside) and body.
    public func wrap(status: Int, reason: String, headers: HTTPHeaders, body: [UInt8], held: Bool) -> (headers: HTTPHeaders, body: [UInt8]) {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + callback.utf8.count + 128)
        out += "/**/".utf8
        out += callback.utf8
        out.append(UInt8(ascii: "("))
        if !extended {
            var end = body.count
            if body.last == UInt8(ascii: "\n") {
                end -= 1
                if end > 0 && body[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            }
            out += body[..<end]
        } else if held {
            let object = JSONObject([
                ("body", .string(String(decoding: body, as: UTF8.self))), ("code", .int(status)),
                ("headers", .object(Self.headerObject(headers))), ("reason", .string(reason)),
            ])
            JSONWriter.append(.object(object), to: &out)
        } else {
            out += #"{"code": "#.utf8
            out += String(status).utf8
            out += #", "reason": "#.utf8
            JSONWriter.appendString(reason, to: &out)
            out += #", "headers": "#.utf8
            JSONWriter.append(.object(Self.headerObject(headers)), to: &out)
            out += #", "body": "#.utf8
            JSONWriter.appendString(String(decoding: body, as: UTF8.self), to: &out)
            out += "}".utf8
        }
        out += ");\n".utf8
        var fields = HTTPHeaders()
        if held {
            for (name, value) in headers where !HTTPHeaders.namesEqual(name, "Content-Type") && !HTTPHeaders.namesEqual(name, "Content-Length") {
                fields.add(name, value)
            }
            fields.add("Content-Type", "application/javascript")
        } else {
            fields.add("Content-Type", "application/javascript")
            for value in headers.values("Cache-Control") { fields.add("Cache-Control", value) }
        }
        return (fields, out)
    }

    /// The first value of each field name, names in byte order (Pushpin's map is sorted).
    static func headerObject(_ headers: HTTPHeaders) -> JSONObject {
        var first: [String: String] = [:]
        for (name, value) in headers where first[name] == nil { first[name] = value }
        return JSONObject(first.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { ($0, .string(first[$0]!)) })
    }
}
