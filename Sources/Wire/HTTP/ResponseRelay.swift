/// Decides how a backend response is framed for the client and builds the head the client
/// receives. Pure.
public enum ResponseRelay {
    public struct Plan: Equatable, Sendable {
        public var head: HTTPResponseHead
        /// Re-frame the body as chunks.
        public var chunked: Bool
        /// The body ends when the client connection closes.
        public var untilClose: Bool
        /// Close the client connection after this response.
        public var close: Bool
    }

    public static func plan(for response: HTTPResponseHead, framing: BodyFraming, clientVersion: HTTPVersion, clientKeepAlive: Bool) -> Plan {
        var headers = HopByHop.stripped(response.headers)
        var chunked = false
        var untilClose = false
        var close = !clientKeepAlive
        switch framing {
        case .chunked, .untilClose:
            headers.remove("Content-Length")
            if clientVersion == .http11 {
                headers.add("Transfer-Encoding", "chunked")
                chunked = true
            } else {
                untilClose = true
                close = true
            }
        case .contentLength, .none:
            break
        }
        if close {
            headers.add("Connection", "close")
        } else if clientVersion == .http10 {
            headers.add("Connection", "keep-alive")
        }
        let head = HTTPResponseHead(version: .http11, status: response.status, reason: response.reason, headers: headers)
        return Plan(head: head, chunked: chunked, untilClose: untilClose, close: close)
    }
}
