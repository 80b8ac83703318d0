import Wire

/// The response body: relayed to the client as it arrives, or collected whole.
extension ProxyExchange {
    /// Decodes the response body bytes at the start of `bytes` and returns how many belong
    /// to it, with what to do next. Relayed body data goes to `relay` as slices of `bytes`
    /// (with whether to frame each as a chunk); nothing is copied here. Bytes after the end
    /// of the body are left over and make the backend connection unfit for reuse.
    /// `backendQueueEmpty`: nothing of the request is still waiting to go to the backend.
    mutating func receiveBody(
        _ bytes: UnsafeRawBufferPointer, backendQueueEmpty: Bool, relay: (UnsafeRawBufferPointer, _ chunked: Bool) -> Void
    ) -> (consumed: Int, action: Action) {
        switch state {
        case .relaying(var current):
            let consumed: Int
            do {
                let chunked = current.chunked
                consumed = try current.decoder.decode(bytes) { if !$0.isEmpty { relay($0, chunked) } }
            } catch {
                state = .done
                return (bytes.count, .abort)
            }
            guard current.decoder.isComplete else {
                state = .relaying(current)
                return (consumed, .none)
            }
            state = .done
            let reusable = Self.reusable(
                backendKeepAlive: current.backendKeepAlive, requestComplete: current.requestComplete,
                leftoverBytes: bytes.count - consumed, backendQueueEmpty: backendQueueEmpty)
            return (consumed, .finish(reusable: reusable, lastChunk: current.chunked, closeClient: current.closeClient))
        case .collecting(var collection):
            state = .done  // the body array is then uniquely referenced: appends do not copy it
            var body = collection.body
            collection.body = []
            var tooLarge = false
            let consumed: Int
            do {
                let limit = collection.limit
                consumed = try collection.decoder.decode(bytes) { chunk in
                    if body.count + chunk.count <= limit {
                        body.append(contentsOf: chunk)
                    } else {
                        tooLarge = true
                    }
                }
            } catch {
                return (bytes.count, .fail(.badBackendResponse))
            }
            if tooLarge { return (bytes.count, .fail(.badBackendResponse)) }
            guard collection.decoder.isComplete else {
                collection.body = body
                state = .collecting(collection)
                return (consumed, .none)
            }
            let reusable = Self.reusable(
                backendKeepAlive: collection.backendKeepAlive, requestComplete: collection.requestComplete,
                leftoverBytes: bytes.count - consumed, backendQueueEmpty: backendQueueEmpty)
            return (consumed, .deliver(head: collection.head, body: body, reusable: reusable))
        case .connecting, .sendingBody, .awaitingHead, .tunnelling, .done:
            assertionFailure("ProxyExchange: body bytes in \(state)")
            return (bytes.count, .none)
        }
    }
}
