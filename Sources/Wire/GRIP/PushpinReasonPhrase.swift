/// The reason phrase Pushpin writes when nobody supplied one (a `Grip-Status`
/// without reason, a JSON instruct or published `http-response` with a code and
/// no reason): the IANA phrase, or `Undefined Reason` for unregistered codes.
///
/// Differs on purpose from `HTTPWriter.standardReason` (RFC 9110 wording, empty
/// for unknown codes): clients of a GRIP hold see what Pushpin would have sent,
/// e.g. `299 Undefined Reason` and `413 Request Entity Too Large`.
enum PushpinReasonPhrase {
    static func phrase(for code: Int) -> String {
        switch code {
        case 100...102: return informational[code - 100]
        case 200...208: return success[code - 200]
        case 226: return "IM Used"
        case 300...308: return redirection[code - 300]
        case 400...417: return clientError[code - 400]
        case 500...511: return serverError[code - 500] ?? undefined
        default: return otherClientError(code) ?? undefined
        }
    }

    private static let undefined = "Undefined Reason"

    private static let informational = ["Continue", "Switching Protocols", "Processing"]

    private static let success = [
        "OK", "Created", "Accepted", "Non-Authoritative Information", "No Content",
        "Reset Content", "Partial Content", "Multi-Status", "Already Reported",
    ]

    private static let redirection = [
        "Multiple Choices", "Moved Permanently", "Found", "See Other", "Not Modified",
        "Use Proxy", "Reserved", "Temporary Redirect", "Permanent Redirect",
    ]

    private static let clientError = [
        "Bad Request", "Unauthorized", "Payment Required", "Forbidden", "Not Found",
        "Method Not Allowed", "Not Acceptable", "Proxy Authentication Required",
        "Request Timeout", "Conflict", "Gone", "Length Required", "Precondition Failed",
        "Request Entity Too Large", "Request-URI Too Long", "Unsupported Media Type",
        "Requested Range Not Satisfiable", "Expectation Failed",
    ]

    private static let serverError: [String?] = [
        "Internal Server Error", "Not Implemented", "Bad Gateway", "Service Unavailable",
        "Gateway Timeout", "HTTP Version Not Supported", "Variant Also Negotiates",
        "Insufficient Storage", "Loop Detected", nil, "Not Extended",
        "Network Authentication Required",
    ]

    private static func otherClientError(_ code: Int) -> String? {
        switch code {
        case 422: return "Unprocessable Entity"
        case 423: return "Locked"
        case 424: return "Failed Dependency"
        case 426: return "Upgrade Required"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        default: return nil
        }
    }
}
