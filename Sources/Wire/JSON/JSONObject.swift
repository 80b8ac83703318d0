/// A JSON object that keeps its members in the order they were written or added.
///
/// Duplicate keys are kept as written (so a parsed document serializes back the same),
/// and lookup sees the last occurrence, as most JSON readers do.
/// Small objects are searched linearly; larger ones get a key index.
public struct JSONObject: Sendable, Equatable, Sequence {
    public typealias Element = (key: String, value: JSONValue)

    /// Members in order, duplicates included.
    private var members: [Element]
    /// Key → position of its last occurrence; built only for objects above `indexThreshold`.
    private var index: [String: Int]?

    /// Above this many members a dictionary beats a linear scan.
    private static let indexThreshold = 16

    public init(_ pairs: [(String, JSONValue)] = []) {
        members = pairs.map { (key: $0.0, value: $0.1) }
        index = nil
        rebuildIndexIfLarge()
    }

    /// Members as the parser read them, taken over without a copy.
    init(members: [Element]) {
        self.members = members
        index = nil
        rebuildIndexIfLarge()
    }

    /// The value of the last member named `key`. Setting replaces that member's value
    /// in place (or appends a new member); setting nil removes every member named `key`.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return members[position].value
        }
        set {
            if let newValue {
                if let position = position(of: key) {
                    members[position].value = newValue
                } else {
                    members.append((key: key, value: newValue))
                    if index != nil { index?[key] = members.count - 1 } else { rebuildIndexIfLarge() }
                }
            } else if position(of: key) != nil {
                members.removeAll { $0.key == key }
                index = nil
                rebuildIndexIfLarge()
            }
        }
    }

    /// Member keys in stored order, duplicates included.
    public var keys: [String] { members.map(\.key) }

    /// Number of stored members, duplicates included.
    public var count: Int { members.count }

    public var isEmpty: Bool { members.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> {
        members.makeIterator()
    }

    /// Same members with the same values in the same order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (left, right) in zip(lhs.members, rhs.members) where left.key != right.key || left.value != right.value {
            return false
        }
        return true
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.lastIndex { $0.key == key }
    }

    private mutating func rebuildIndexIfLarge() {
        guard members.count > Self.indexThreshold else { return }
        var built: [String: Int] = [:]
        built.reserveCapacity(members.count)
        for (position, member) in members.enumerated() { built[member.key] = position }
        index = built
    }
}
