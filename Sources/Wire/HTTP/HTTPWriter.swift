/// Serializes HTTP/1.1 heads and chunked framing by appending to a byte array.
///
/// Writers never validate: they are given heads that came out of the parsers
/// or were built by pushpind itself, and they write exactly what they are given.
public enum HTTPWriter {
    /// "METHOD target HTTP/1.x\r\n", the fields, "\r\n".
    public static func appendRequestHead(_ head: HTTPRequestHead, to out: inout [UInt8]) {
        out.append(contentsOf: head.method.utf8)
        out.append(HTTPASCII.sp)
        out.append(contentsOf: head.target.utf8)
        out.append(HTTPASCII.sp)
        out.append(contentsOf: head.version.text.utf8)
        appendCRLF(to: &out)
        appendFields(head.headers, to: &out)
    }

    /// "HTTP/1.x status reason\r\n", the fields, "\r\n". The SP before the
    /// reason is written even when the reason is empty (RFC 9112 §4).
    public static func appendResponseHead(_ head: HTTPResponseHead, to out: inout [UInt8]) {
        appendStatusLine(version: head.version, status: head.status, reason: head.reason, to: &out)
        appendFields(head.headers, to: &out)
    }

    /// The head of a response whose body the proxy frames itself (a GRIP stream): `headers`
    /// read in place without Content-Length, then `Transfer-Encoding: chunked`, or for a
    /// client that cannot take chunks `Connection: close` (the body ends with the connection).
    public static func appendStreamHead(status: Int, reason: String, headers: HTTPHeaders, chunked: Bool, to out: inout [UInt8]) {
        appendStatusLine(version: .http11, status: status, reason: reason, to: &out)
        headers.forEachField { name, value in
            if !HTTPHeaders.namesEqual(name, "Content-Length") { appendField(name, value, to: &out) }
        }
        if chunked {
            appendField("Transfer-Encoding", "chunked", to: &out)
        } else {
            appendField("Connection", "close", to: &out)
        }
        appendCRLF(to: &out)
    }

    static func appendStatusLine(version: HTTPVersion, status: Int, reason: String, to out: inout [UInt8]) {
        out.append(contentsOf: version.text.utf8)
        out.append(HTTPASCII.sp)
        appendDecimal(status, to: &out)
        out.append(HTTPASCII.sp)
        out.append(contentsOf: reason.utf8)
        appendCRLF(to: &out)
    }

    /// One chunk: hex size, CRLF, data, CRLF. Nothing for empty data, since an
    /// empty chunk would end the body.
    public static func appendChunk(_ data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard !data.isEmpty else { return }
        appendHex(data.count, to: &out)
        appendCRLF(to: &out)
        out.append(contentsOf: data)
        appendCRLF(to: &out)
    }

    /// The last chunk with no trailers: "0\r\n\r\n".
    public static func appendLastChunk(to out: inout [UInt8]) {
        out.append(contentsOf: [0x30, HTTPASCII.cr, HTTPASCII.lf, HTTPASCII.cr, HTTPASCII.lf])
    }

    /// A complete response with a plain-text body, for errors and short answers.
    /// Content-Type defaults to text/plain unless `extraHeaders` sets one;
    /// Content-Length is always computed here. With `close` it says
    /// "Connection: close"; an HTTP/1.0 response that stays open says keep-alive. With
    /// `headOnly` (the answer to a HEAD request) the body is not written, its length is.
    public static func simpleResponse(
        status: Int, reason: String, body: String, version: HTTPVersion = .http11,
        close: Bool, extraHeaders: HTTPHeaders = HTTPHeaders(), headOnly: Bool = false
    ) -> [UInt8] {
        var headers = HTTPHeaders(reservingCapacity: 3 + extraHeaders.count)
        if !extraHeaders.contains("Content-Type") {
            headers.add("Content-Type", "text/plain; charset=utf-8")
        }
        var length: [UInt8] = []
        appendDecimal(body.utf8.count, to: &length)
        headers.add("Content-Length", String(decoding: length, as: UTF8.self))
        if close {
            headers.add("Connection", "close")
        } else if version == .http10 {
            headers.add("Connection", "keep-alive")
        }
        for field in extraHeaders { headers.add(field.name, field.value) }
        let head = HTTPResponseHead(version: version, status: status, reason: reason, headers: headers)
        var out: [UInt8] = []
        out.reserveCapacity(128 + body.utf8.count)
        appendResponseHead(head, to: &out)
        if !headOnly { out.append(contentsOf: body.utf8) }
        return out
    }

    /// The usual reason phrase, or "" for codes without one (an empty reason is valid).
    public static func standardReason(for status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 426: return "Upgrade Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return ""
        }
    }

    private static func appendFields(_ headers: HTTPHeaders, to out: inout [UInt8]) {
        headers.forEachField { name, value in appendField(name, value, to: &out) }  // in place: no copy per field
        appendCRLF(to: &out)
    }

    /// "name: value\r\n".
    @inline(__always)
    static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        appendUTF8(name, to: &out)
        out.append(HTTPASCII.colon)
        out.append(HTTPASCII.sp)
        appendUTF8(value, to: &out)
        appendCRLF(to: &out)
    }

    /// A string's bytes copied from where they lie; `append(contentsOf: text.utf8)` goes
    /// through the generic sequence copy, which retains and releases the string.
    @inline(__always)
    static func appendUTF8(_ text: String, to out: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
            out.append(contentsOf: text.utf8)
        }
    }

    @inline(__always)
    static func appendCRLF(to out: inout [UInt8]) {
        out.append(HTTPASCII.cr)
        out.append(HTTPASCII.lf)
    }

    /// Non-negative decimal without going through String.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendDigits(value.magnitude, radix: 10, to: &out)
        } else {
            appendDigits(UInt(value), radix: 10, to: &out)
        }
    }

    /// Lower-case hex, as chunk sizes are written.
    static func appendHex(_ value: Int, to out: inout [UInt8]) {
        appendDigits(UInt(max(0, value)), radix: 16, to: &out)
    }

    private static func appendDigits(_ value: UInt, radix: UInt, to out: inout [UInt8]) {
        var divisor: UInt = 1
        while value / divisor >= radix { divisor *= radix }
        var rest = value
        while divisor > 0 {
            let digit = UInt8(truncatingIfNeeded: rest / divisor)
            out.append(digit < 10 ? 0x30 + digit : 0x61 + digit - 10)
            rest %= divisor
            divisor /= radix
        }
    }
}
