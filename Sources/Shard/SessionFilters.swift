import Wire

/// The filter state of a held or WebSocket session whose channels have filters; sessions
/// without filters have none (`ClientConnection.filters` is nil), and their deliveries never
/// look here.
final class SessionFilters {
    /// One channel of the session and its filters.
    struct Channel {
        /// As the backend named it (Pushpin's filters see names without the route prefix).
        let name: String
        /// As subscribed in this shard's table (route prefix included).
        let subscribedName: String
        let filters: [GripFilter]
        /// The content-rewriting filters' names: a format with `content-filters` reaches this
        /// channel only when they are equal.
        let contentFilterNames: [String]

        init(name: String, subscribedName: String, filters: [GripFilter]) {
            self.name = name
            self.subscribedName = subscribedName
            self.filters = filters
            contentFilterNames = GripFilter.contentFilterNames(filters)
        }
    }

    /// Hold sessions: the instruction's meta. WebSocket sessions read their own live meta.
    var meta: [(name: String, value: String)]
    var channels: [Channel]

    init(meta: [(name: String, value: String)], channels: [Channel]) {
        self.meta = meta
        self.channels = channels
    }

    /// The filter state of a hold, or nil when none of its channels has a filter pushpind knows.
    /// A function rather than an initializer: an initializer takes its argument owned, which
    /// copies the whole instruction for every hold.
    static func of(_ instruction: GripInstruction, prefix: String) -> SessionFilters? {
        // Almost no subscription names a filter: then nothing is built.
        guard instruction.channels.contains(where: { !$0.filters.isEmpty }) else { return nil }
        let channels = instruction.channels.map {
            Channel(name: $0.name, subscribedName: prefix + $0.name, filters: GripFilter.parse($0.filters))
        }
        guard channels.contains(where: { !$0.filters.isEmpty }) else { return nil }
        return SessionFilters(meta: instruction.meta.map { (name: $0.key, value: $0.value) }, channels: channels)
    }

    func index(of subscribedName: String) -> Int? {
        channels.firstIndex { $0.subscribedName == subscribedName }
    }

    /// The channel has filters: its subscription counts in the channel's `filteredCount`.
    func isFiltered(_ subscribedName: String) -> Bool {
        channels.first { $0.subscribedName == subscribedName }.map { !$0.filters.isEmpty } ?? false
    }

    /// What a hold's filters read. Channel ids (for `build-id`) are the session's positions in
    /// reliable mode (its `prev-id`s, advanced by delivered items), nil otherwise.
    func context(publishMeta: [String: String], positions: ChannelPositions?) -> GripFilterContext {
        GripFilterContext(
            subscriptionMeta: meta, publishMeta: publishMeta,
            channels: channels.map { (name: $0.name, id: positions?.lastID(of: $0.subscribedName)) })
    }
}
