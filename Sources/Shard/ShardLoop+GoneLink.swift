import Glibc
import IOUring
import Wire

/// `Grip-Link: <uri>; rel=gone`: when a held client goes away, the backend is told with one
/// empty POST to that link, best effort: one connection to the route's first backend, no
/// retries, the answer read only to know it came.
extension ShardLoop {
    func postGoneLink(_ client: ClientConnection) {
        guard !draining, let recovery = client.recovery, let link = recovery.goneLink, let candidate = recovery.candidates.first
        else { return }
        var headers = recovery.request.headers
        for name in ["Grip-Sig", "Grip-Last", "Content-Length", "Transfer-Encoding", "Connection"] { headers.remove(name) }
        if let signing = recovery.signing { headers.add("Grip-Sig", gripSigner.token(issuer: signing.issuer, key: signing.key)) }
        headers.add("Content-Length", "0")
        headers.add("Connection", "close")
        var bytes: [UInt8] = []
        HTTPWriter.appendRequestHead(HTTPRequestHead(method: "POST", target: link, version: .http11, headers: headers), to: &bytes)
        var tls: TLSStream?
        if let target = candidate.tls {
            let serverName = target.serverName(head: bytes)
            tls = makeBackendTLS(target, serverName: serverName, poolKey: target.poolKey(serverName: serverName))
            if tls == nil { return }
        }
        let fd = Sockets.stream(family: candidate.address.family)
        guard fd >= 0 else {
            stats.backendConnectErrors += 1
            return
        }
        let backend = allocateBackend()
        let generation = (backend.socket.generation &+ 1) & UserData.generationMask
        backend.reset(fd: fd, generation: generation, targetKey: candidate.key, to: candidate.address)
        backend.tls = tls
        backend.state = .notice
        backend.socket.sendQueue.append(bytes, pool: chunkPool)
        backend.socket.inFlight.insert(.connect)
        ring.prepareConnect(
            fd: fd, address: UnsafeRawPointer(backend.address).assumingMemoryBound(to: sockaddr.self),
            length: backend.addressLength, userData: UserData(.backendConnect, generation, backend.slot))
        schedule(.backendIdle, slot: backend.slot, socket: &backend.socket, afterNanos: configuration.backendTimeoutNanos)
        stats.goneLinkPosts += 1
    }

    /// The gone POST's connection is up (or not): send it and wait for any answer.
    func noticeConnected(_ backend: BackendConnection, _ completion: Completion) {
        guard completion.result >= 0 else {
            stats.backendConnectErrors += 1
            closeBackend(backend)
            return
        }
        backend.socket.lifecycle = .open
        if backend.tls != nil { return startBackendHandshake(backend) }  // the POST goes once it is done
        flushBackend(backend)
        updateBackendRecv(backend)
    }
}
