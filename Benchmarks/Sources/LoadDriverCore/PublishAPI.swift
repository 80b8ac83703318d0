/// Which publishing interface the server under test speaks.
public enum PublishAPI: String, Sendable, CaseIterable {
    /// Pushpin's control API: `POST /publish/` with a JSON envelope of items, answered 200.
    case grip
    /// Nchan's publisher location: one message per `POST <path>?channel=NAME`, the body is the
    /// message as delivered, answered 201 (subscribers present) or 202 (none).
    case nchan

    /// Items one request can carry.
    public var maximumBatch: Int { self == .grip ? Int.max : 1 }
}
