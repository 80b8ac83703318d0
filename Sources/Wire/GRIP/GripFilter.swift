/// A GRIP subscription filter (`Grip-Channel: ch; filter=…`, JSON `filters`, WebSocket-over-HTTP
/// `subscribe` `filters`): the five Pushpin 1.36 knows. Unknown names are kept on the channel
/// as given but filter nothing, as in Pushpin.
public enum GripFilter: Sendable, Equatable {
    /// Drop an item whose publish meta `sender` is this subscription's meta `user`.
    case skipSelf
    /// Drop an item whose publish meta `skip_users` (comma list) names this subscription's `user`.
    case skipUsers
    /// Drop an item unless the session is subscribed to the channel in publish meta `require_sub`.
    case requireSub
    /// Render `%I` id templates in the content with the id built from meta `id_format`.
    case buildID
    /// Replace `%(name)s` in the content with this subscription's meta values.
    case varSubst

    public init?(name: String) {
        switch name {
        case "skip-self": self = .skipSelf
        case "skip-users": self = .skipUsers
        case "require-sub": self = .requireSub
        case "build-id": self = .buildID
        case "var-subst": self = .varSubst
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .skipSelf: "skip-self"
        case .skipUsers: "skip-users"
        case .requireSub: "require-sub"
        case .buildID: "build-id"
        case .varSubst: "var-subst"
        }
    }

    /// Filters that rewrite content. A published format's `content-filters` must equal the
    /// subscription's list of these, in order, for the format to be delivered.
    public var rewritesContent: Bool {
        switch self {
        case .buildID, .varSubst: true
        case .skipSelf, .skipUsers, .requireSub: false
        }
    }

    /// The known filters among `names`, in order (unknown names dropped).
    public static func parse(_ names: [String]) -> [GripFilter] {
        names.compactMap(GripFilter.init(name:))
    }

    /// The names of the content-rewriting filters among `filters`, as `content-filters` lists them.
    public static func contentFilterNames(_ filters: [GripFilter]) -> [String] {
        filters.filter(\.rewritesContent).map(\.name)
    }
}

/// Why a filter could not process an item. The item is then skipped for that subscriber
/// (Pushpin ≥ 1.41 outside debug mode; 1.36 ended the stream).
public struct GripFilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
