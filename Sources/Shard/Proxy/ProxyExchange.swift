import Wire

/// One request's trip through a backend: connect (with failover over the candidate addresses
/// and one retry of a dead pooled connection), send the request, read the response head,
/// then relay the body to the client, collect it (GRIP instructions, WebSocket events) or turn
/// the connection into a tunnel.
///
/// No I/O and no clock: the shard feeds it what happened (`handle(_:)`, `receiveBody`) and
/// carries out the single `Action` each step returns. Each state holds only what that state
/// needs; an event that cannot happen in a state is a bug in the shard, so it asserts.
struct ProxyExchange {
    /// What becomes of the response.
    enum Handling: Equatable {
        /// Relay it to the client. With a `gripBodyMax` (the route does GRIP), a response
        /// carrying GRIP instructions is collected instead, up to that many bytes of body, and
        /// handed over as `.deliver`.
        case relay(gripBodyMax: Int?)
        /// A WebSocket upgrade passed through: a 101 turns the exchange into a tunnel; any
        /// other answer is relayed.
        case upgrade
        /// Collect the whole response (up to `limit` bytes of body) and hand it over.
        case collect(limit: Int)
    }

    /// How the client's request body reaches the backend.
    enum RequestBody: Equatable {
        /// No body (or it is already inside the forwarded head).
        case none
        /// Forwarded as it arrives: the client's framing is kept.
        case asIs
        /// Forwarded as chunks (the length is not known up front).
        case chunked
    }

    enum State {
        /// Waiting for a connection to candidate `candidate`. `usePool` is false once a dead
        /// pooled connection was retried: from then on only fresh connections are used.
        case connecting(Connecting)
        /// Connected, the request body still arriving; the response may start meanwhile.
        case sendingBody(Attempt)
        /// The whole request went out; waiting for the response head.
        case awaitingHead(Attempt)
        /// Relaying the response body to the client.
        case relaying(Relay)
        /// Collecting the response body for the shard (GRIP instructions, WebSocket events).
        case collecting(Collection)
        /// A WebSocket passthrough after the backend's 101: bytes flow unchanged.
        case tunnelling
        case done
    }

    struct Connecting {
        var candidate: Int
        var usePool: Bool
        var requestComplete: Bool
    }

    struct Attempt {
        var candidate: Int
        var usePool: Bool
        /// The connection came from the pool and nothing but the head was sent on it: if it
        /// turns out dead before any answer, the request may go again on a fresh connection.
        var staleRetry: Bool
    }

    struct Relay {
        var decoder: BodyDecoder
        /// Re-frame the body as chunks for this client.
        var chunked: Bool
        /// Close the client after this response (its own wish, or a close-delimited body).
        var closeClient: Bool
        /// The backend connection may carry another request once this response is read.
        var backendKeepAlive: Bool
        var requestComplete: Bool
    }

    struct Collection {
        var head: HTTPResponseHead
        var body: [UInt8]
        var limit: Int
        var decoder: BodyDecoder
        var backendKeepAlive: Bool
        var requestComplete: Bool
    }

    enum Event {
        /// A connection is ready: a pooled one taken (`reused`) or a fresh connect completed.
        case connected(reused: Bool)
        /// No connection to the current candidate: no socket, refused, unreachable.
        case connectFailed
        /// Request body bytes are about to go to the backend.
        case requestBodyBytes
        case requestBodyComplete
        /// A complete response head (interim 1xx included).
        case headParsed(HTTPResponseHead)
        /// The backend's bytes are not an HTTP response head.
        case malformedHead
        /// The backend closed its side. `receivedAny`: some response bytes came first.
        case backendEOF(receivedAny: Bool)
        /// The backend connection broke (reset, send or receive error).
        case backendReset(receivedAny: Bool)
        /// The backend timeout passed before the response head.
        case timedOut
        /// The client went away: the backend connection cannot finish this exchange.
        case clientGone
    }

    enum Action: Equatable {
        case none
        /// Get a connection to candidate `candidate`: from the pool when `usePool` and one is
        /// idle there, else a fresh connect. Any connection the exchange had is given up.
        case connect(candidate: Int, usePool: Bool)
        /// The connection is up: send `forwardedHead`, then the body as it arrives.
        case sendRequest
        /// Queue the request body bytes at hand for the backend, re-framed as a chunk or not.
        case forwardBody(chunked: Bool)
        /// Queue the terminating chunk for the backend.
        case sendLastChunk
        /// Queue the head of this relay plan for the client; its body follows through `receiveBody`.
        case sendResponseHead(ResponseRelay.Plan)
        /// Queue the client's 101 built from this head, then relay bytes both ways.
        case startTunnel(HTTPResponseHead)
        /// The response is relayed: end the client's chunked body (`lastChunk`), pool the
        /// backend connection when `reusable` (else close it), close the client after its
        /// queue when `closeClient`.
        case finish(reusable: Bool, lastChunk: Bool, closeClient: Bool)
        /// The collected response, whole: pool the backend when `reusable`, then act on it.
        case deliver(head: HTTPResponseHead, body: [UInt8], reusable: Bool)
        /// No response to relay: close the backend connection and answer with `error`.
        case fail(ProxyError)
        /// The response broke after it started: close the backend and the client (a truncated
        /// body must not look complete).
        case abort
        /// Close the backend connection: the client is gone.
        case closeBackend
        /// The backend ended the tunnel: close it, and the client once its queue is sent.
        case endTunnel
    }

    let method: String
    let clientVersion: HTTPVersion
    /// The client lets its connection persist; cleared when the shard starts draining.
    var clientKeepAlive: Bool
    let handling: Handling
    let requestBody: RequestBody
    let candidateCount: Int
    /// Changed only by the transitions in this type's files.
    var state: State
    /// The request head as sent to the backend (with the whole body when `requestBody` is
    /// `.none`); kept until the backend answers, so a failed attempt can be repeated.
    var forwardedHead: [UInt8]

    init(
        method: String, clientVersion: HTTPVersion, clientKeepAlive: Bool, handling: Handling, requestBody: RequestBody,
        forwardedHead: [UInt8], candidateCount: Int
    ) {
        self.method = method
        self.clientVersion = clientVersion
        self.clientKeepAlive = clientKeepAlive
        self.handling = handling
        self.requestBody = requestBody
        self.forwardedHead = forwardedHead
        self.candidateCount = candidateCount
        state = .connecting(Connecting(candidate: 0, usePool: true, requestComplete: requestBody == .none))
    }

    /// The first step: connect to the first candidate, or fail when the route has none.
    mutating func start() -> Action {
        guard case .connecting(let connecting) = state, connecting.candidate == 0 else {
            assertionFailure("ProxyExchange.start in \(state)")
            return .none
        }
        guard candidateCount > 0 else {
            state = .done
            return .fail(.connectFailed)
        }
        return .connect(candidate: 0, usePool: true)
    }

    /// The candidate address in use (or being connected to); nil once the response started.
    var candidate: Int? {
        switch state {
        case .connecting(let connecting): return connecting.candidate
        case .sendingBody(let attempt), .awaitingHead(let attempt): return attempt.candidate
        case .relaying, .collecting, .tunnelling, .done: return nil
        }
    }

    /// The backend has not answered yet: the backend timeout applies, and a failure can
    /// still be answered with an error response.
    var awaitingResponse: Bool {
        switch state {
        case .connecting, .sendingBody, .awaitingHead: return true
        case .relaying, .collecting, .tunnelling, .done: return false
        }
    }

    /// Response bytes went to the client: a failure now can only cut the client off.
    var responseStarted: Bool {
        switch state {
        case .relaying, .tunnelling: return true
        case .connecting, .sendingBody, .awaitingHead, .collecting, .done: return false
        }
    }

    /// A response body is being read (relayed or collected).
    var readingBody: Bool {
        switch state {
        case .relaying, .collecting: return true
        case .connecting, .sendingBody, .awaitingHead, .tunnelling, .done: return false
        }
    }

    var isTunnel: Bool {
        if case .tunnelling = state { return true } else { return false }
    }

    var isDone: Bool {
        if case .done = state { return true } else { return false }
    }

    /// The keep-alive rule, in one place: a backend connection goes back to the pool only
    /// when both sides of the exchange ended cleanly and nothing is left over on it.
    static func reusable(backendKeepAlive: Bool, requestComplete: Bool, leftoverBytes: Int, backendQueueEmpty: Bool) -> Bool {
        backendKeepAlive && requestComplete && leftoverBytes == 0 && backendQueueEmpty
    }
}
