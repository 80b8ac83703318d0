@testable import Wire

/// A request target through the JSON-P decoder (`JSONPRequest.decode`, both modes, with and
/// without a body parameter and default callback), and the result through `JSONPResponse`.
///
/// Checks: whatever is accepted can be written as a request: a token method, a target with
/// no space or control byte, fields that pass `HTTPFieldRules`; the callback is of the
/// allowed characters; a wrapped body starts `/**/callback(` and ends `);\n`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    // Targets reach here as the request parser leaves them: no space or control byte.
    guard !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return 0 }
    let target = "/p?" + String(decoding: bytes, as: UTF8.self)
    let headers = HTTPHeaders([("Host", "example.com"), ("Accept", "text/html"), ("X-Kept", "1")])
    for (mode, bodyParam, defaultCallback) in [(JSONPConfig.Mode.extended, nil, nil), (.basic, "data", "cb")] as [(JSONPConfig.Mode, String?, String?)] {
        var config = JSONPConfig()
        config.mode = mode
        config.bodyParam = bodyParam
        config.defaultCallback = defaultCallback
        guard case .success(let request?) = JSONPRequest.decode(method: "GET", target: target, headers: headers, config: config) else {
            continue
        }
        Fuzz.check(HTTPFieldRules.isToken(request.method), "method \(request.method.debugDescription)")
        Fuzz.check(request.target.hasPrefix("/p"), "target \(request.target.debugDescription)")
        Fuzz.check(!request.target.utf8.contains { $0 <= 0x20 || $0 == 0x7F }, "target \(request.target.debugDescription)")
        for (name, value) in request.headers {
            Fuzz.check(HTTPFieldRules.fieldProblem(name: name, value: value) == nil, "field \(name): \(value.debugDescription)")
        }
        Fuzz.check(request.headers.count(of: "Host") == 1 && request.headers.count(of: "Accept") == 1, "Host/Accept")
        Fuzz.check(JSONPRequest.isCallback(request.callback), "callback \(request.callback.debugDescription)")
        let wrapped = JSONPResponse(callback: request.callback, extended: request.extended)
            .wrap(status: 200, reason: "OK", headers: request.headers, body: request.body, held: request.body.count % 2 == 0)
        Fuzz.check(wrapped.body.starts(with: Array("/**/\(request.callback)(".utf8)), "wrapped start")
        Fuzz.check(wrapped.body.suffix(3).elementsEqual(");\n".utf8), "wrapped end")
    }
    return 0
}
