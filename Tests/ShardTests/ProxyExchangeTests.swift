import Testing
import Wire

@testable import Shard

/// Drives `ProxyExchange` through its states the way the shard does, with no sockets.
@Suite struct ProxyExchangeTests {
    static let forwarded = Array("GET / HTTP/1.1\r\nHost: b\r\n\r\n".utf8)
    static let gripBodyMax = 100_000

    func exchange(
        candidates: Int = 1, handling: ProxyExchange.Handling = .relay(gripBodyMax: Self.gripBodyMax), body: ProxyExchange.RequestBody = .none,
        method: String = "GET", version: HTTPVersion = .http11, keepAlive: Bool = true
    ) -> ProxyExchange {
        ProxyExchange(
            method: method, clientVersion: version, clientKeepAlive: keepAlive, handling: handling, requestBody: body,
            forwardedHead: Self.forwarded, candidateCount: candidates)
    }

    func head(_ status: Int, _ fields: [(String, String)] = [], version: HTTPVersion = .http11) -> HTTPResponseHead {
        HTTPResponseHead(version: version, status: status, reason: "R", headers: HTTPHeaders(fields))
    }

    /// Feeds `text` as response body; returns what was relayed (chunk-framed pieces marked).
    func body(
        _ exchange: inout ProxyExchange, _ text: String, backendQueueEmpty: Bool = true
    ) -> (relayed: [String], consumed: Int, action: ProxyExchange.Action) {
        var relayed: [String] = []
        let bytes = Array(text.utf8)
        let (consumed, action) = bytes.withUnsafeBytes { input in
            exchange.receiveBody(input, backendQueueEmpty: backendQueueEmpty) { chunk, chunked in
                relayed.append((chunked ? "chunk:" : "") + String(decoding: chunk, as: UTF8.self))
            }
        }
        return (relayed, consumed, action)
    }

    /// Connects (fresh) and sends a request without body: the exchange awaits the head.
    func connected(_ exchange: inout ProxyExchange, reused: Bool = false) {
        #expect(exchange.start() == .connect(candidate: 0, usePool: true))
        #expect(exchange.handle(.connected(reused: reused)) == .sendRequest)
        #expect(exchange.awaitingResponse)
    }

    // MARK: connecting

    @Test func refusedTriesTheNextCandidateThen502WhenNoneIsLeft() {
        var e = exchange(candidates: 3)
        #expect(e.start() == .connect(candidate: 0, usePool: true))
        #expect(e.handle(.connectFailed) == .connect(candidate: 1, usePool: true))
        #expect(e.handle(.connectFailed) == .connect(candidate: 2, usePool: true))
        #expect(e.handle(.connectFailed) == .fail(.connectFailed))
        #expect(e.isDone)
    }

    @Test func aRouteWithoutAddressesFailsAtOnce() {
        var e = exchange(candidates: 0)
        #expect(e.start() == .fail(.connectFailed))
        #expect(e.isDone)
    }

    @Test func aLaterCandidateThatConnectsCarriesTheRequest() {
        var e = exchange(candidates: 2)
        _ = e.start()
        _ = e.handle(.connectFailed)
        #expect(e.handle(.connected(reused: false)) == .sendRequest)
        #expect(e.candidate == 1)
        #expect(e.forwardedHead == Self.forwarded)
    }

    @Test func aStalePooledConnectionIsRetriedOnceOnAFreshOne() {
        var e = exchange(candidates: 2)
        connected(&e, reused: true)
        #expect(e.handle(.backendReset(receivedAny: false)) == .connect(candidate: 0, usePool: false))
        #expect(e.forwardedHead == Self.forwarded)  // sent again as it was
        #expect(e.handle(.connected(reused: false)) == .sendRequest)
        #expect(e.handle(.backendEOF(receivedAny: false)) == .fail(.backendReset))
    }

    @Test func noRetryOnAFreshConnectionOrAfterAnAnswerOrAfterBody() {
        var fresh = exchange()
        connected(&fresh)
        #expect(fresh.handle(.backendReset(receivedAny: false)) == .fail(.backendReset))

        var answered = exchange()
        connected(&answered, reused: true)
        #expect(answered.handle(.backendReset(receivedAny: true)) == .fail(.backendReset))

        var withBody = exchange(body: .asIs)
        _ = withBody.start()
        #expect(withBody.handle(.connected(reused: true)) == .sendRequest)
        #expect(withBody.handle(.requestBodyBytes) == .forwardBody(chunked: false))
        #expect(withBody.handle(.backendReset(receivedAny: false)) == .fail(.backendReset))
    }

    @Test func afterAStaleRetryTheNextCandidateIsNotTakenFromThePool() {
        var e = exchange(candidates: 2)
        connected(&e, reused: true)
        _ = e.handle(.backendReset(receivedAny: false))
        #expect(e.handle(.connectFailed) == .connect(candidate: 1, usePool: false))
    }

    // MARK: failures before the head

    @Test func timeoutBeforeTheHeadIs504() {
        var connecting = exchange()
        _ = connecting.start()
        #expect(connecting.handle(.timedOut) == .fail(.backendTimeout))

        var waiting = exchange()
        connected(&waiting)
        #expect(waiting.handle(.timedOut) == .fail(.backendTimeout))
        #expect(waiting.isDone)
    }

    @Test func resetOrEOFBeforeTheHeadIs502() {
        var reset = exchange()
        connected(&reset)
        #expect(reset.handle(.backendReset(receivedAny: true)) == .fail(.backendReset))
        var eof = exchange()
        connected(&eof)
        #expect(eof.handle(.backendEOF(receivedAny: false)) == .fail(.backendReset))
    }

    @Test func aMalformedHeadOrFramingIs502() {
        var malformed = exchange()
        connected(&malformed)
        #expect(malformed.handle(.malformedHead) == .fail(.badBackendResponse))

        var conflicting = exchange()
        connected(&conflicting)
        let both = head(200, [("Transfer-Encoding", "chunked"), ("Content-Length", "3")])
        #expect(conflicting.handle(.headParsed(both)) == .fail(.badBackendResponse))
    }

    @Test func theClientLeavingClosesTheBackend() {
        var e = exchange()
        connected(&e)
        #expect(e.handle(.clientGone) == .closeBackend)
        #expect(e.isDone)
    }

    // MARK: relaying

    @Test func interimResponsesAreSkipped() {
        var e = exchange()
        connected(&e)
        #expect(e.handle(.headParsed(head(100))) == .none)
        #expect(e.handle(.headParsed(head(103))) == .none)
        #expect(e.awaitingResponse)
        guard case .sendResponseHead(let relayed) = e.handle(.headParsed(head(200, [("Content-Length", "2")]))) else {
            Issue.record("no head relayed")
            return
        }
        #expect(relayed.head.status == 200)
        #expect(e.forwardedHead.isEmpty)
        let result = body(&e, "ok")
        #expect(result.relayed == ["ok"])
        #expect(result.action == .finish(reusable: true, lastChunk: false, closeClient: false))
    }

    @Test func aContentLengthBodyEndsTheExchangeAndLeavesTheConnectionReusable() {
        var e = exchange()
        connected(&e, reused: true)
        _ = e.handle(.headParsed(head(200, [("Content-Length", "5")])))
        let first = body(&e, "hel")
        #expect(first.relayed == ["hel"] && first.action == .none && first.consumed == 3)
        let rest = body(&e, "lo")
        #expect(rest.relayed == ["lo"])
        #expect(rest.action == .finish(reusable: true, lastChunk: false, closeClient: false))
        #expect(e.isDone)
    }

    @Test func extraBytesAfterTheBodyOrAnUnsentRequestMakeTheConnectionUnfitForReuse() {
        var leftover = exchange()
        connected(&leftover)
        _ = leftover.handle(.headParsed(head(200, [("Content-Length", "2")])))
        let result = body(&leftover, "okHTTP/1.1")
        #expect(result.consumed == 2)
        #expect(result.action == .finish(reusable: false, lastChunk: false, closeClient: false))

        var queued = exchange()
        connected(&queued)
        _ = queued.handle(.headParsed(head(200, [("Content-Length", "2")])))
        #expect(body(&queued, "ok", backendQueueEmpty: false).action == .finish(reusable: false, lastChunk: false, closeClient: false))

        var closing = exchange()
        connected(&closing)
        _ = closing.handle(.headParsed(head(200, [("Content-Length", "2"), ("Connection", "close")])))
        #expect(body(&closing, "ok").action == .finish(reusable: false, lastChunk: false, closeClient: false))
    }

    @Test func aResponseBeforeTheRequestBodyEndsLeavesTheConnectionUnfitForReuse() {
        var e = exchange(body: .asIs)
        _ = e.start()
        _ = e.handle(.connected(reused: false))
        #expect(e.handle(.requestBodyBytes) == .forwardBody(chunked: false))
        _ = e.handle(.headParsed(head(413, [("Content-Length", "0")])))
        #expect(body(&e, "").action == .finish(reusable: false, lastChunk: false, closeClient: false))
    }

    @Test func aChunkedRequestBodyIsForwardedAsChunksAndEnded() {
        var e = exchange(body: .chunked)
        _ = e.start()
        _ = e.handle(.connected(reused: true))
        #expect(e.handle(.requestBodyBytes) == .forwardBody(chunked: true))
        #expect(e.handle(.requestBodyComplete) == .sendLastChunk)
        _ = e.handle(.headParsed(head(200, [("Content-Length", "0")])))
        #expect(body(&e, "").action == .finish(reusable: true, lastChunk: false, closeClient: false))
    }

    @Test func backendEOFDelimitsAnUntilCloseBodyReframedAsChunks() {
        var e = exchange()
        connected(&e)
        guard case .sendResponseHead(let relayed) = e.handle(.headParsed(head(200))) else {
            Issue.record("no head relayed")
            return
        }
        #expect(relayed.head.headers["Transfer-Encoding"] == "chunked")
        #expect(body(&e, "abc").relayed == ["chunk:abc"])
        #expect(e.handle(.backendEOF(receivedAny: true)) == .finish(reusable: false, lastChunk: true, closeClient: false))
    }

    @Test func anUntilCloseBodyForAnHTTP10ClientClosesIt() {
        var e = exchange(version: .http10)
        connected(&e)
        _ = e.handle(.headParsed(head(200)))
        #expect(body(&e, "abc").relayed == ["abc"])
        #expect(e.handle(.backendEOF(receivedAny: true)) == .finish(reusable: false, lastChunk: false, closeClient: true))
    }

    @Test func resetOrEOFMidBodyCutsTheClientOff() {
        var reset = exchange()
        connected(&reset)
        _ = reset.handle(.headParsed(head(200, [("Content-Length", "10")])))
        _ = body(&reset, "part")
        #expect(reset.responseStarted)
        #expect(reset.handle(.backendReset(receivedAny: true)) == .abort)

        var eof = exchange()
        connected(&eof)
        _ = eof.handle(.headParsed(head(200, [("Content-Length", "10")])))
        _ = body(&eof, "part")
        #expect(eof.handle(.backendEOF(receivedAny: true)) == .abort)  // truncated, never complete
        #expect(eof.isDone)
    }

    @Test func aBrokenChunkedBodyCutsTheClientOff() {
        var e = exchange()
        connected(&e)
        _ = e.handle(.headParsed(head(200, [("Transfer-Encoding", "chunked")])))
        #expect(body(&e, "zz\r\n").action == .abort)
    }

    @Test func aChunkedBodyIsRelayedChunkByChunkAndEndsWithTheLastChunk() {
        var e = exchange()
        connected(&e)
        _ = e.handle(.headParsed(head(200, [("Transfer-Encoding", "chunked")])))
        let result = body(&e, "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        #expect(result.relayed == ["chunk:abc", "chunk:de"])
        #expect(result.action == .finish(reusable: true, lastChunk: true, closeClient: false))
    }

    // MARK: collecting

    @Test func aGripResponseIsCollectedAndDelivered() {
        var e = exchange()
        connected(&e, reused: true)
        let grip = head(200, [("Content-Type", "application/grip-instruct"), ("Content-Length", "4")])
        #expect(e.handle(.headParsed(grip)) == .none)
        #expect(!e.responseStarted && e.readingBody)
        #expect(body(&e, "{}").action == .none)
        let result = body(&e, "  ")
        #expect(result.relayed.isEmpty)
        #expect(result.action == .deliver(head: grip, body: Array("{}  ".utf8), reusable: true))
    }

    @Test func withoutGripAGripResponseIsRelayed() {
        var e = exchange(handling: .relay(gripBodyMax: nil))
        connected(&e)
        guard case .sendResponseHead = e.handle(.headParsed(head(200, [("Grip-Hold", "response"), ("Content-Length", "0")]))) else {
            Issue.record("not relayed")
            return
        }
    }

    @Test func aGripBodyTooLargeIs502() {
        var e = exchange()
        connected(&e)
        let length = Self.gripBodyMax + 1
        _ = e.handle(.headParsed(head(200, [("Content-Type", "application/grip-instruct"), ("Content-Length", "\(length)")])))
        #expect(body(&e, String(repeating: "x", count: Self.gripBodyMax)).action == .none)
        #expect(body(&e, "x").action == .fail(.badBackendResponse))
        #expect(e.isDone)
    }

    @Test func aCollectedBodyCutShortIs502AndOneEndedByEOFIsDelivered() {
        var cut = exchange(handling: .collect(limit: 100))
        connected(&cut)
        _ = cut.handle(.headParsed(head(200, [("Content-Length", "10")])))
        _ = body(&cut, "abc")
        #expect(cut.handle(.backendEOF(receivedAny: true)) == .fail(.backendReset))

        var untilClose = exchange(handling: .collect(limit: 100))
        connected(&untilClose)
        let answer = head(200)
        _ = untilClose.handle(.headParsed(answer))
        _ = body(&untilClose, "abc")
        #expect(untilClose.handle(.backendEOF(receivedAny: true)) == .deliver(head: answer, body: Array("abc".utf8), reusable: false))
    }

    @Test func aResetWhileCollectingIs502AndATimeoutIs504() {
        var reset = exchange(handling: .collect(limit: 100))
        connected(&reset)
        _ = reset.handle(.headParsed(head(200, [("Content-Length", "10")])))
        #expect(reset.handle(.backendReset(receivedAny: true)) == .fail(.backendReset))

        var slow = exchange(handling: .collect(limit: 100))
        connected(&slow)
        _ = slow.handle(.headParsed(head(200, [("Content-Length", "10")])))
        #expect(slow.handle(.timedOut) == .fail(.backendTimeout))
    }

    @Test func aCollectedResponseIsCollectedWhateverItsStatus() {
        var e = exchange(handling: .collect(limit: 100))
        connected(&e)
        let refusal = head(403, [("Content-Length", "2")])
        #expect(e.handle(.headParsed(refusal)) == .none)
        #expect(body(&e, "no").action == .deliver(head: refusal, body: Array("no".utf8), reusable: true))
    }

    // MARK: tunnelling

    @Test func a101TurnsAnUpgradeIntoATunnel() {
        var e = exchange(handling: .upgrade)
        connected(&e)
        let switching = head(101, [("Upgrade", "websocket"), ("Connection", "Upgrade")])
        #expect(e.handle(.headParsed(switching)) == .startTunnel(switching))
        #expect(e.isTunnel && e.responseStarted)
        #expect(e.handle(.backendEOF(receivedAny: true)) == .endTunnel)
    }

    @Test func anUpgradeAnsweredWithoutA101IsRelayed() {
        var e = exchange(handling: .upgrade)
        connected(&e)
        guard case .sendResponseHead(let relayed) = e.handle(.headParsed(head(404, [("Content-Length", "0")]))) else {
            Issue.record("not relayed")
            return
        }
        #expect(relayed.head.status == 404)
    }

    @Test func aResetTunnelIsAborted() {
        var e = exchange(handling: .upgrade)
        connected(&e)
        _ = e.handle(.headParsed(head(101)))
        #expect(e.handle(.backendReset(receivedAny: true)) == .abort)
    }
}
