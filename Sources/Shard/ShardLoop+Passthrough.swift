import IOUring
import Wire

/// WebSocket routes without `over_http`: the upgrade goes to the backend as is, and after
/// its 101 the bytes flow unchanged both ways (close frames included) until either side
/// closes.
extension ShardLoop {
    func startPassthrough(_ client: ClientConnection, _ head: HTTPRequestHead, route routeIndex: Int) {
        var headers = HopByHop.stripped(head.headers, alsoRemove: ["content-length", "sec-websocket-extensions"])
        headers = headers.removingGripFields()
        headers.add("Connection", "Upgrade")
        headers.add("Upgrade", "websocket")
        if let signature = gripSignature(route: routeIndex) { headers.add("Grip-Sig", signature) }
        var target = RequestForwarding.originForm(head.target)
        if let rewrite = resolvedRoutes[routeIndex].rewrite {
            rewrite.apply(to: &headers)
            target = rewrite.target(target)
        }
        var bytes: [UInt8] = []
        HTTPWriter.appendRequestHead(HTTPRequestHead(method: head.method, target: target, version: .http11, headers: headers), to: &bytes)
        let candidates = resolvedRoutes[routeIndex].candidates
        client.exchange.candidates = candidates
        client.exchange.proxy = ProxyExchange(
            method: head.method, clientVersion: head.version, clientKeepAlive: client.exchange.keepAlive, handling: .upgrade,
            requestBody: client.exchange.requestComplete ? .none : .asIs, forwardedHead: bytes, candidateCount: candidates.count)
        startExchange(client, .request)
    }

    /// The backend switched protocols: relay its 101, then relay bytes.
    func startTunnel(_ client: ClientConnection, _ head: HTTPResponseHead) {
        var headers = HopByHop.stripped(head.headers, alsoRemove: ["sec-websocket-extensions"]).removingGripFields()
        headers.add("Connection", "Upgrade")
        headers.add("Upgrade", "websocket")
        var bytes: [UInt8] = []
        HTTPWriter.appendResponseHead(HTTPResponseHead(version: .http11, status: 101, reason: head.reason, headers: headers), to: &bytes)
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        stats.countResponse(status: 101)
        stats.webSocketSessionsOpened += 1
        webSocketOpenCount += 1
        client.tunnelOpen = true
        client.phase = .tunnel
        queueClientFlush(client)
        resumeLater(client)  // bytes the client sent right after its handshake
    }

    /// Bytes from a tunnelled backend go to the client unchanged.
    func tunnelFromBackend(_ client: ClientConnection, _ bytes: UnsafeRawBufferPointer) {
        client.socket.sendQueue.append(bytes, pool: chunkPool)
        flushClient(client)
    }
}
