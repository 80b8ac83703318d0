/// What one subscriber's filters make of a published item.
public enum GripFilterOutcome: Sendable, Equatable {
    /// Deliver these bytes (the content, rewritten by `build-id`/`var-subst` if the channel has them).
    case send([UInt8])
    /// A delivery filter (`skip-self`, `skip-users`, `require-sub`) says this subscriber does not get it.
    case drop
    /// A content filter could not render the item: skip it for this subscriber.
    case failed(GripFilterError)
}

/// What filters read about a subscriber and an item.
public struct GripFilterContext: Sendable {
    /// The session's meta (`Grip-Set-Meta`, JSON `hold.meta`, WebSocket `set-meta`); keys match exactly.
    public var subscriptionMeta: [(name: String, value: String)]
    /// The item's `meta`.
    public var publishMeta: [String: String]
    /// Every channel of the session as the backend named it (no route prefix), with its id:
    /// the `prev-id` it was subscribed with, advanced to each delivered item's `id`.
    public var channels: [(name: String, id: String?)]

    public init(
        subscriptionMeta: [(name: String, value: String)], publishMeta: [String: String] = [:],
        channels: [(name: String, id: String?)]
    ) {
        self.subscriptionMeta = subscriptionMeta
        self.publishMeta = publishMeta
        self.channels = channels
    }

    func meta(_ key: String) -> String? {
        subscriptionMeta.first { $0.name == key }?.value
    }
}

/// Runs a channel's filters over one item, as Pushpin does: the delivery filters first (any
/// one can drop the item), then the content filters in order over the bytes.
public enum GripFilterStack {
    public static func apply(_ filters: [GripFilter], to content: [UInt8], _ context: GripFilterContext) -> GripFilterOutcome {
        guard sends(filters, context) else { return .drop }
        var bytes = content
        for filter in filters {
            let result: Result<[UInt8], GripFilterError>
            switch filter {
            case .buildID: result = buildID(bytes, context)
            case .varSubst: result = GripFilterTemplate.substitute(bytes) { context.meta($0) }
            case .skipSelf, .skipUsers, .requireSub: continue
            }
            switch result {
            case .success(let rendered): bytes = rendered
            case .failure(let error): return .failed(GripFilterError("\(filter.name): \(error.message)"))
            }
        }
        return .send(bytes)
    }

    /// The body of a hold's initial response (stream) goes through the response-content filters
    /// of all its channels, each once (`build-id` is the only one): ids in it are rendered, `%%`
    /// unescaped. nil when no channel has such a filter: the body is sent as it is.
    public static func applyToResponse(
        _ channelFilters: [[GripFilter]], to body: [UInt8], _ context: GripFilterContext
    ) -> Result<[UInt8], GripFilterError>? {
        guard channelFilters.contains(where: { $0.contains(.buildID) }) else { return nil }
        return buildID(body, context).mapError { GripFilterError("build-id: \($0.message)") }
    }

    /// The delivery filters alone, for items without content (`close`): whether this
    /// subscriber gets the item at all.
    public static func sends(_ filters: [GripFilter], _ context: GripFilterContext) -> Bool {
        filters.allSatisfy { sends($0, context) }
    }

    private static func sends(_ filter: GripFilter, _ context: GripFilterContext) -> Bool {
        switch filter {
        case .skipSelf:
            guard let user = context.meta("user"), !user.isEmpty, let sender = context.publishMeta["sender"] else { return true }
            return sender != user
        case .skipUsers:
            guard let user = context.meta("user"), !user.isEmpty, let list = context.publishMeta["skip_users"] else { return true }
            return !skipUsers(list).contains(user)
        case .requireSub:
            guard let required = context.publishMeta["require_sub"], !required.isEmpty else { return true }
            return context.channels.contains { $0.name == required }
        case .buildID, .varSubst:
            return true
        }
    }

    /// `%I` becomes the id rendered from meta `id_format` (its `%(channel)s` are the channels'
    /// ids), `%(text)I` becomes `text`; with meta `id_encoding=hex` both are hex-encoded.
    private static func buildID(_ content: [UInt8], _ context: GripFilterContext) -> Result<[UInt8], GripFilterError> {
        guard let format = context.meta("id_format") else { return .failure(GripFilterError("no sub meta 'id_format'")) }
        let hex: Bool
        switch context.meta("id_encoding") {
        case nil: hex = false
        case "hex"?: hex = true
        case let other?: return .failure(GripFilterError("unsupported id_encoding '\(other)'"))
        }
        let id: [UInt8]
        switch GripFilterTemplate.substitute(Array(format.utf8), { name in context.channels.first { $0.name == name }?.id }) {
        case .success(let rendered): id = rendered
        case .failure(let error): return .failure(GripFilterError("id_format: \(error.message)"))
        }
        return GripFilterTemplate.render(content) { directive, argument in
            guard directive == UInt8(ascii: "I") else {
                return .failure(GripFilterError("unknown directive '\(Character(Unicode.Scalar(directive)))'"))
            }
            let value = argument ?? id
            return .success(hex ? hexDigits(value) : value)
        }
    }

    /// The `skip_users` entries, each trimmed of whitespace, empty ones left out.
    private static func skipUsers(_ list: String) -> [String] {
        let bytes = Array(list.utf8)
        var users: [String] = []
        var start = 0
        for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: ",") {
            let user = HeaderParameterParser.trimmedString(bytes, start, end)
            if !user.isEmpty { users.append(user) }
            start = end + 1
        }
        return users
    }

    private static func hexDigits(_ bytes: [UInt8]) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return out
    }
}
