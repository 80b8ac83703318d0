/// Header fields in received order. Duplicates are kept (Set-Cookie, repeated
/// lists) and names keep their original spelling, so a proxy can forward them
/// unchanged; lookups compare names ignoring ASCII case.
public struct HTTPHeaders: Sendable, Sequence, Equatable {
    public typealias Element = (name: String, value: String)

    /// A struct, not a tuple: arrays of tuples go through the runtime's generic
    /// tuple witnesses on every copy and destroy.
    struct Field: Sendable {
        var name: String
        var value: String

        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field]

    public init() {
        fields = []
    }

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field($0.0, $0.1) }
    }

    /// Parsers know the field count up front; one allocation per head.
    init(reservingCapacity capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    public var count: Int { fields.count }

    /// Whether two field names are the same name (ASCII case-insensitive), without allocating.
    public static func namesEqual(_ a: String, _ b: String) -> Bool {
        HTTPASCII.equalsIgnoringCase(a, b)
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// Index of the first field at or after `start` whose name equals `name` (ASCII case
    /// ignored), or nil. Lookups go through here: it reads names in place, where `for field in
    /// fields` would copy every field and retain and release both of its strings.
    @inline(__always)
    func firstIndex(of name: String, from start: Int = 0) -> Int? {
        var index = start
        while index < fields.count {
            if HTTPASCII.equalsIgnoringCase(fields[index].name, name) { return index }
            index += 1
        }
        return nil
    }

    /// The first value of `name`, or nil when absent.
    public subscript(name: String) -> String? {
        firstIndex(of: name).map { fields[$0].value }
    }

    /// The value of the field at `index`, e.g. one that `firstIndex(of:from:)` found.
    func value(at index: Int) -> String {
        fields[index].value
    }

    /// The name of the field at `index`, as received.
    func name(at index: Int) -> String {
        fields[index].name
    }

    /// Calls `body` with every field's name and value in received order. Iterating the
    /// sequence hands out copies instead: a retain and a release of both strings per field.
    /// Always inlined, so that `body` is too and the strings are read where they lie.
    @inline(__always)
    func forEachField(_ body: (_ name: String, _ value: String) throws -> Void) rethrows {
        var index = 0
        while index < fields.count {
            try body(fields[index].name, fields[index].value)
            index += 1
        }
    }

    /// The field at `index` in received order.
    public subscript(position index: Int) -> Element {
        (name: fields[index].name, value: fields[index].value)
    }

    /// Every value of `name`, in received order (from field `start` on: where the first one
    /// is, when that is known).
    public func values(_ name: String, from start: Int = 0) -> [String] {
        var result: [String] = []
        var next = firstIndex(of: name, from: start)
        while let index = next {
            result.append(fields[index].value)
            next = firstIndex(of: name, from: index + 1)
        }
        return result
    }

    /// How many fields are called `name`.
    public func count(of name: String) -> Int {
        var count = 0
        var next = firstIndex(of: name)
        while let index = next {
            count += 1
            next = firstIndex(of: name, from: index + 1)
        }
        return count
    }

    public func contains(_ name: String) -> Bool {
        firstIndex(of: name) != nil
    }

    /// Whether some field's name starts with `prefix` (lower-case) ignoring ASCII case.
    func containsName(withPrefix prefix: String) -> Bool {
        var index = 0
        while index < fields.count {
            if HTTPASCII.hasPrefixIgnoringCase(fields[index].name, prefix) { return true }
            index += 1
        }
        return false
    }

    /// True when any comma-separated element of any `name` field equals `token`
    /// ignoring case, e.g. `containsToken("upgrade", in: "Connection")`.
    public func containsToken(_ token: String, in name: String) -> Bool {
        var next = firstIndex(of: name)
        while let index = next {
            if HTTPASCII.listContains(fields[index].value, token: token) { return true }
            next = firstIndex(of: name, from: index + 1)
        }
        return false
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name, value))
    }

    /// Removes every field called `name`.
    public mutating func remove(_ name: String) {
        guard firstIndex(of: name) != nil else { return }  // the usual case: no copy of a shared array
        fields.removeAll { HTTPASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Removes every field whose name satisfies `shouldRemove`, keeping the others' order.
    public mutating func removeAll(named shouldRemove: (String) -> Bool) {
        fields.removeAll { shouldRemove($0.name) }
    }

    /// Sets `name` to the single value `value`: the first occurrence is replaced in
    /// place (keeping its position), later ones are removed; appended if absent.
    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        guard let first = firstIndex(of: name) else {
            fields.append(Field(name, value))
            return
        }
        fields[first] = Field(name, value)
        var index = fields.index(after: first)
        while index < fields.endIndex {
            if HTTPASCII.equalsIgnoringCase(fields[index].name, name) {
                fields.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    public struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[Field]>

        public mutating func next() -> Element? {
            guard let field = base.next() else { return nil }
            return (name: field.name, value: field.value)
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(base: fields.makeIterator())
    }

    public var underestimatedCount: Int { fields.count }

    /// Same fields in the same order with identical spelling.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

extension HTTPHeaders: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}
