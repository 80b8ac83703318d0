/// Decides how a backend response is framed for the client and writes the head the client
/// receives. Pure.
public enum ResponseRelay {
    public struct Plan: Equatable, Sendable {
        /// The backend's head, as received.
        public var response: HTTPResponseHead
        /// Re-frame the body as chunks.
        public var chunked: Bool
        /// The body ends when the client connection closes.
        public var untilClose: Bool
        /// Close the client connection after this response.
        public var close: Bool
        /// The client speaks HTTP/1.0: a connection it keeps says so.
        var clientVersion: HTTPVersion

        /// The backend's Content-Length no longer describes the body the client gets.
        private var reframed: Bool { chunked || untilClose }

        /// The Connection field the client gets, if any.
        private var connection: String? {
            if close { return "close" }
            return clientVersion == .http10 ? "keep-alive" : nil
        }

        /// The head the client receives, as a value. The shard writes it with `appendHead`
        /// instead, which builds no copy of the fields.
        public var head: HTTPResponseHead {
            var headers = HopByHop.stripped(response.headers)
            if reframed { headers.remove("Content-Length") }
            if chunked { headers.add("Transfer-Encoding", "chunked") }
            if let connection { headers.add("Connection", connection) }
            return HTTPResponseHead(version: .http11, status: response.status, reason: response.reason, headers: headers)
        }

        /// Writes `head` to `out`: the backend's fields read in place, hop-by-hop ones skipped,
        /// then `extraFields` (the proxy's own, such as CORS fields).
        public func appendHead(to out: inout [UInt8], extraFields: HTTPHeaders? = nil) {
            HTTPWriter.appendStatusLine(version: .http11, status: response.status, reason: response.reason, to: &out)
            let reframed = reframed
            HopByHop.forEachKept(response.headers) { name, value in
                if reframed && HTTPHeaders.namesEqual(name, "Content-Length") { return }
                HTTPWriter.appendField(name, value, to: &out)
            }
            if let extraFields { for (name, value) in extraFields { HTTPWriter.appendField(name, value, to: &out) } }
            if chunked { HTTPWriter.appendField("Transfer-Encoding", "chunked", to: &out) }
            if let connection { HTTPWriter.appendField("Connection", connection, to: &out) }
            HTTPWriter.appendCRLF(to: &out)
        }
    }

    public static func plan(for response: HTTPResponseHead, framing: BodyFraming, clientVersion: HTTPVersion, clientKeepAlive: Bool) -> Plan {
        var chunked = false
        var untilClose = false
        var close = !clientKeepAlive
        switch framing {
        case .chunked, .untilClose:
            if clientVersion == .http11 {
                chunked = true
            } else {
                untilClose = true
                close = true
            }
        case .contentLength, .none:
            break
        }
        return Plan(response: response, chunked: chunked, untilClose: untilClose, close: close, clientVersion: clientVersion)
    }
}
