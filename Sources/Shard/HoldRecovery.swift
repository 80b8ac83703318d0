import Hub
import Wire

/// What a held session needs to bring itself up to date (GRIP reliable mode): the request
/// it came from, its place in each channel, its `rel=next` link and the fetches of it.
/// Only sessions that use reliability (a next link, a gone link or a `prev-id`) have one.
final class HoldRecovery {
    /// The request as forwarded to the backend: next-link GETs and long-poll re-requests
    /// repeat its headers (and its route's backends and signing) with `Grip-Last` added.
    let request: HTTPRequestHead
    /// The route's `Grip-Sig` issuer and key (nil: the route signs nothing).
    let signing: GripSigning?
    let candidates: [BackendCandidate]
    /// The route's channel prefix (removed from channel names in `Grip-Last`).
    let channelPrefix: String
    var positions: ChannelPositions
    /// `rel=next`, as an origin-form target.
    var nextLink: String?
    /// `rel=gone`, as an origin-form target: POSTed once when the client goes away.
    var goneLink: String?
    /// Not held yet: the responses so far had no hold, only a next link (paging).
    var paging = false
    var requester: NextLinkRequester
    /// The backend connection the fetch in flight uses.
    var backend: ConnectionHandle? = nil
    /// A shared fetch: the session whose fetch this one waits for (same link, same
    /// `Grip-Last`), or the sessions waiting for this one's.
    var leader: ConnectionHandle? = nil
    var followers: [ConnectionHandle] = []
    /// The session's one timer (fetch deadline, retry or idle refresh), told apart from
    /// the client's own timers.
    var timerToken: UInt32 = 0
    /// When the session last got up to date (hold start, applied fetch): idle counts from here.
    var refreshedNanos: Int64 = 0
    /// How long channels may stay idle before the next link is fetched anyway (the link's
    /// `timeout`), and when such refreshes fire: sessions on one link together, links apart.
    var idleRefreshes = IdleRefreshGrid(timeoutNanos: 120_000_000_000, link: "")

    init(
        request: HTTPRequestHead, signing: GripSigning?, candidates: [BackendCandidate], channelPrefix: String,
        positions: ChannelPositions, requester: NextLinkRequester
    ) {
        self.request = request
        self.signing = signing
        self.candidates = candidates
        self.channelPrefix = channelPrefix
        self.positions = positions
        self.requester = requester
    }
}

extension HoldRecovery {
    /// Whether a published item with an id or prev-id goes to this stream (and moves its
    /// position): not after a gap, and not on a tracked channel while a fetch runs or waits
    /// for its retry (that fetch's response covers it). False: fetch instead.
    func accepts(_ message: PublishMessage) -> Bool {
        guard !positions.isGap(channel: message.channel, prevID: message.prevID) else { return false }
        if case .idle = requester.state, leader == nil {
        } else if positions.lastID(of: message.channel) != nil {
            return false
        }
        positions.advance(channel: message.channel, id: message.id)
        return true
    }

    /// A long-poll's published answer does not follow the hold's prev-id: the request goes
    /// again instead.
    func conflicts(_ message: PublishMessage) -> Bool {
        positions.isGap(channel: message.channel, prevID: message.prevID)
    }

    /// Sessions whose next-link fetches are the same request: one GET serves them all.
    var sharedFetchKey: String? {
        guard let nextLink else { return nil }
        let values = positions.gripLastValues(removingPrefix: channelPrefix)
        return ([candidates.first?.key ?? "", nextLink] + values).joined(separator: "\n")
    }
}
