/// What a field name, field value or reason phrase may contain when pushpind writes it from
/// parts it did not parse off the wire itself: a publisher's JSON, a backend's JSON
/// instruct, a WebSocket control message. A CR or LF in any of them would let the sender
/// end the head early and write headers or a whole response of its own.
public enum HTTPFieldRules {
    /// RFC 9110 `token`: one or more tchars.
    public static func isToken(_ text: String) -> Bool {
        !text.utf8.isEmpty && text.utf8.allSatisfy(HTTPASCII.isToken)
    }

    /// RFC 9110 field content: no control characters (CR, LF, NUL …) except HTAB. May be empty.
    public static func isFieldValue(_ text: String) -> Bool {
        text.utf8.allSatisfy(HTTPASCII.isFieldContent)
    }

    /// RFC 9112 `reason-phrase`: the same bytes as a field value.
    public static func isReasonPhrase(_ text: String) -> Bool {
        isFieldValue(text)
    }

    /// Why `(name, value)` cannot be written, or nil when it can.
    public static func fieldProblem(name: String, value: String) -> String? {
        if !isToken(name) { return "field name \(quoted(name)) is not a token" }
        if !isFieldValue(value) { return "field \(quoted(name)) has a control character (CR, LF, NUL …) in its value" }
        return nil
    }

    /// Why a final response with these parts cannot be written, or nil when it can.
    /// 1xx is interim and 204 and 304 have no body: with any of them, bytes after the head
    /// would be read by the client as the next response.
    /// `hasBody`: bytes follow the head (a non-empty body, or a stream).
    public static func responseProblem(status: Int, reason: String, headers: HTTPHeaders, hasBody: Bool) -> ResponseProblem? {
        guard (200...599).contains(status) else { return ResponseProblem(field: "code", detail: "status \(status) is not 200–599") }
        guard isReasonPhrase(reason) else { return ResponseProblem(field: "reason", detail: "control character (CR, LF, NUL …) in the reason") }
        var problem: String?
        headers.forEachField { name, value in
            if problem == nil { problem = fieldProblem(name: name, value: value) }
        }
        if let problem { return ResponseProblem(field: "headers", detail: problem) }
        if hasBody && (status == 204 || status == 304) {
            return ResponseProblem(field: "body", detail: "status \(status) has no body")
        }
        return nil
    }

    /// A field name or value quoted for a message, control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars.prefix(64) {
            switch scalar {
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + (text.unicodeScalars.count > 64 ? "…\"" : "\"")
    }
}

/// A part of a response that pushpind refuses to write, and why.
public struct ResponseProblem: Sendable, Equatable {
    /// The JSON member at fault: `code`, `reason`, `headers` or `body`.
    public var field: String
    public var detail: String
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
