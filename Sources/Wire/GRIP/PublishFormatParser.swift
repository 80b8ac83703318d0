/// The three publish formats (publish.md §3.1–3.3), with Pushpin's messages.
///
/// Only what the action needs is read: a `hint` or `close` http-stream ignores a
/// malformed `content`, exactly as Pushpin does, and so is accepted.
enum PublishFormatParser {
    static func httpResponse(_ value: JSONValue) throws(PushpinFieldError) -> PublishHTTPResponse {
        let name = "'http-response'"
        let (object, action) = try header(value, name)
        guard action == .send else { return PublishHTTPResponse(action: action) }
        var format = PublishHTTPResponse()
        if let code = try PushpinFields.int(object, name, "code") {
            guard (0...999).contains(code) else { throw PushpinFields.invalidValue(name, "code") }
            format.code = code
        }
        let reason = try PushpinFields.string(object, name, "reason") ?? ""
        format.reason = reason.isEmpty ? PushpinReasonPhrase.phrase(for: format.code) : reason
        if let headers = object["headers"] {
            format.headers = try PushpinHeaderList.read(headers, parent: name)
            format.headers.removeAll(named: HopByHop.isFraming)
        }
        format.contentFilters = try contentFilters(object, name)
        if let body = try PushpinFields.base64(object, name, "body-bin") {
            format.body = body
        } else if let body = object["body"] {
            guard case .string(let text) = body else { throw PushpinFields.wrongType(name, "body") }
            format.body = Array(text.utf8)
        } else if let patch = try PushpinFields.list(object, name, "body-patch") {
            format.bodyPatch = patch
        } else {
            throw PushpinFieldError("\(name) does not contain 'body', 'body-bin', or 'body-patch'")
        }
        if let problem = HTTPFieldRules.responseProblem(
            status: format.code, reason: format.reason, headers: format.headers, hasBody: !format.body.isEmpty)
        {
            throw PushpinFields.invalidValue(name, problem.field, because: problem.detail)
        }
        return format
    }

    static func httpStream(_ value: JSONValue) throws(PushpinFieldError) -> PublishHTTPStream {
        let name = "'http-stream'"
        let (object, action) = try header(value, name)
        switch action {
        case .send: break
        case .close: return PublishHTTPStream(action: .close)
        case .hint: return PublishHTTPStream(action: .hint)
        case .refresh: throw unknownAction
        }
        let filters = try contentFilters(object, name)
        let content: [UInt8]
        if let bytes = try PushpinFields.base64(object, name, "content-bin") {
            content = bytes
        } else if let text = object["content"] {
            guard case .string(let string) = text else { throw PushpinFields.wrongType(name, "content") }
            content = Array(string.utf8)
        } else {
            throw PushpinFieldError("\(name) does not contain 'content' or 'content-bin'")
        }
        return PublishHTTPStream(action: .send, content: content, contentFilters: filters)
    }

    static func wsMessage(_ value: JSONValue) throws(PushpinFieldError) -> PublishWSMessage {
        let name = "'ws-message'"
        let (object, action) = try header(value, name)
        switch action {
        case .send: return try wsSend(object, name)
        case .close: return try wsClose(object, name)
        case .hint, .refresh: return PublishWSMessage(action: action)
        }
    }

    private static func wsSend(_ object: JSONObject, _ name: String) throws(PushpinFieldError) -> PublishWSMessage {
        var type: PublishWSMessageType?
        switch try PushpinFields.string(object, name, "type") {
        case nil: type = nil
        case "text": type = .text
        case "binary": type = .binary
        case "ping": type = .ping
        case "pong": type = .pong
        default: throw PushpinFieldError("\(name) contains 'type' with unknown value")
        }
        var message = PublishWSMessage(action: .send, contentFilters: try contentFilters(object, name))
        if let bytes = try PushpinFields.base64(object, name, "content-bin") {
            message.content = bytes
            message.type = type ?? .binary
        } else if let text = object["content"] {
            guard case .string(let string) = text else { throw PushpinFields.wrongType(name, "content") }
            message.content = Array(string.utf8)
            message.type = type ?? .text
        } else if let type, type == .ping || type == .pong {
            message.type = type
        } else {
            throw PushpinFieldError("\(name) does not contain 'content' or 'content-bin'")
        }
        return message
    }

    private static func wsClose(_ object: JSONObject, _ name: String) throws(PushpinFieldError) -> PublishWSMessage {
        var message = PublishWSMessage(action: .close)
        if let code = try PushpinFields.int(object, name, "code") {
            guard code >= 0 else { throw PushpinFields.invalidValue(name, "code") }
            message.code = code
        }
        if let reason = try PushpinFields.string(object, name, "reason"), !reason.isEmpty {
            message.reason = reason
        }
        return message
    }

    /// Pushpin rejects an unknown action with an empty reason: its whole answer is
    /// then `Invalid format: `.
    private static let unknownAction = PushpinFieldError("")

    /// The format object and its `action`.
    private static func header(_ value: JSONValue, _ name: String) throws(PushpinFieldError) -> (JSONObject, PublishAction) {
        guard case .object(let object) = value else { throw PushpinFieldError("\(name) is not an object") }
        switch try PushpinFields.string(object, name, "action") {
        case nil, "send": return (object, .send)
        case "hint": return (object, .hint)
        case "close": return (object, .close)
        case "refresh": return (object, .refresh)
        default: throw unknownAction
        }
    }

    private static func contentFilters(_ object: JSONObject, _ name: String) throws(PushpinFieldError) -> [String]? {
        guard let filters = try PushpinFields.list(object, name, "content-filters") else { return nil }
        return try PushpinFields.strings(filters, elementError: "content-filters contains element with wrong type")
    }
}
