/// Header lists in JSON (`response.headers` in an instruct, `headers` in a published
/// `http-response`): an object of string values, or an array of `[name, value]` pairs.
enum PushpinHeaderList {
    static func read(_ value: JSONValue, parent: String) throws(PushpinFieldError) -> HTTPHeaders {
        var headers = HTTPHeaders()
        switch value {
        case .array(let entries):
            for entry in entries {
                guard case .array(let pair) = entry else {
                    throw PushpinFieldError("headers contains element with wrong type")
                }
                guard pair.count == 2 else {
                    throw PushpinFieldError("headers contains list with wrong number of elements")
                }
                guard case .string(let name) = pair[0] else {
                    throw PushpinFieldError("header contains name element with wrong type")
                }
                guard case .string(let fieldValue) = pair[1] else {
                    throw PushpinFieldError("header contains value element with wrong type")
                }
                headers.add(name, fieldValue)
            }
        case .object(let object):
            let pairs = try PushpinFields.stringPairs(object) { "headers contains '\($0)' with wrong type" }
            for pair in pairs { headers.add(pair.key, pair.value.stringValue ?? "") }
        default:
            throw PushpinFields.wrongType(parent, "headers")
        }
        return headers
    }
}
