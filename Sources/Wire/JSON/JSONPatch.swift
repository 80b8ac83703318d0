/// JSON Patch (RFC 6902) over `JSONValue`, for a published `http-response` `body-patch`: the
/// operations rewrite a long-poll's own timeout body, so each hold gets its own answer.
public enum JSONPatch {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// `body` (a JSON object or array) patched and written compactly, keeping the body's
    /// trailing line break (`\r\n` or `\n`) as Pushpin does.
    public static func patchedBody(_ body: [UInt8], _ operations: [JSONValue]) -> Result<[UInt8], Failure> {
        guard let document = try? JSONValue.parse(body) else { return .failure(Failure("the held body is not JSON")) }
        guard document.objectValue != nil || document.arrayValue != nil else {
            return .failure(Failure("the held body is not a JSON object or array"))
        }
        let patched: JSONValue
        do throws(Failure) {
            patched = try apply(operations, to: document)
        } catch {
            return .failure(error)
        }
        // Written as Pushpin writes it (Qt's JSON objects keep their keys sorted).
        var out = Array(sortedKeys(patched).serialized.utf8)
        if body.count >= 2 && body.suffix(2).elementsEqual([13, 10]) {
            out += [13, 10]
        } else if body.last == 10 {
            out.append(10)
        }
        return .success(out)
    }

    private static func sortedKeys(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var latest: [String: JSONValue] = [:]
            for member in object { latest[member.key] = member.value }
            return .object(JSONObject(latest.keys.sorted().map { ($0, sortedKeys(latest[$0]!)) }))
        case .array(let array):
            return .array(array.map(sortedKeys))
        default:
            return value
        }
    }

    public static func apply(_ operations: [JSONValue], to document: JSONValue) throws(Failure) -> JSONValue {
        var document = document
        for (number, operation) in operations.enumerated() {
            guard let object = operation.objectValue, let op = object["op"]?.stringValue,
                let path = object["path"]?.stringValue
            else { throw Failure("operation \(number): needs 'op' and 'path' strings") }
            let target = try pointer(path)
            switch op {
            case "add":
                guard let value = object["value"] else { throw Failure("operation \(number): add needs 'value'") }
                try add(value, at: target, in: &document)
            case "remove":
                _ = try remove(at: target, in: &document)
            case "replace":
                guard let value = object["value"] else { throw Failure("operation \(number): replace needs 'value'") }
                _ = try remove(at: target, in: &document)
                try add(value, at: target, in: &document)
            case "move", "copy":
                guard let fromPath = object["from"]?.stringValue else { throw Failure("operation \(number): \(op) needs 'from'") }
                let from = try pointer(fromPath)
                let value = op == "move" ? try remove(at: from, in: &document) : try self.value(at: from, in: document)
                try add(value, at: target, in: &document)
            case "test":
                guard let expected = object["value"] else { throw Failure("operation \(number): test needs 'value'") }
                guard try value(at: target, in: document) == expected else { throw Failure("operation \(number): test failed") }
            default:
                throw Failure("operation \(number): unknown op '\(op)'")
            }
        }
        return document
    }

    /// RFC 6901 tokens: `/a/b~1c` is `["a", "b/c"]`; `""` is the whole document.
    private static func pointer(_ text: String) throws(Failure) -> [String] {
        guard !text.isEmpty else { return [] }
        guard text.hasPrefix("/") else { throw Failure("path '\(text)' does not start with '/'") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescapedToken)
    }

    private static func value(at path: [String], in document: JSONValue) throws(Failure) -> JSONValue {
        var current = document
        for token in path {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw Failure("no member '\(token)'") }
                current = next
            case .array(let array):
                guard let index = Int(token), array.indices.contains(index) else { throw Failure("no element '\(token)'") }
                current = array[index]
            default:
                throw Failure("'\(token)' is inside a scalar")
            }
        }
        return current
    }

    private static func add(_ value: JSONValue, at path: [String], in document: inout JSONValue) throws(Failure) {
        guard let last = path.last else {
            document = value
            return
        }
        try modify(Array(path.dropLast()), in: &document) { (parent: inout JSONValue) throws(Failure) in
            switch parent {
            case .object(var object):
                object[last] = value
                parent = .object(object)
            case .array(var array):
                if last == "-" {
                    array.append(value)
                } else {
                    guard let index = Int(last), index >= 0, index <= array.count else { throw Failure("bad array index '\(last)'") }
                    array.insert(value, at: index)
                }
                parent = .array(array)
            default:
                throw Failure("cannot add inside a scalar")
            }
        }
    }

    private static func remove(at path: [String], in document: inout JSONValue) throws(Failure) -> JSONValue {
        guard let last = path.last else { throw Failure("cannot remove the whole document") }
        var removed = JSONValue.null
        try modify(Array(path.dropLast()), in: &document) { (parent: inout JSONValue) throws(Failure) in
            switch parent {
            case .object(var object):
                guard let value = object[last] else { throw Failure("no member '\(last)'") }
                removed = value
                object[last] = nil
                parent = .object(object)
            case .array(var array):
                guard let index = Int(last), array.indices.contains(index) else { throw Failure("no element '\(last)'") }
                removed = array.remove(at: index)
                parent = .array(array)
            default:
                throw Failure("cannot remove inside a scalar")
            }
        }
        return removed
    }

    /// Runs `change` on the value at `path`, writing the result back up the tree.
    private static func modify(
        _ path: [String], in document: inout JSONValue, _ change: (inout JSONValue) throws(Failure) -> Void
    ) throws(Failure) {
        guard let first = path.first else {
            try change(&document)
            return
        }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var object):
            guard var child = object[first] else { throw Failure("no member '\(first)'") }
            try modify(rest, in: &child, change)
            object[first] = child
            document = .object(object)
        case .array(var array):
            guard let index = Int(first), array.indices.contains(index) else { throw Failure("no element '\(first)'") }
            var child = array[index]
            try modify(rest, in: &child, change)
            array[index] = child
            document = .array(array)
        default:
            throw Failure("'\(first)' is inside a scalar")
        }
    }
}

/// A pointer token with `~1` as `/` and `~0` as `~`.
private func unescapedToken(_ token: Substring) -> String {
    var out = ""
    var pendingTilde = false
    for character in token {
        if pendingTilde {
            out.append(character == "1" ? "/" : character == "0" ? "~" : character)
            pendingTilde = false
        } else if character == "~" {
            pendingTilde = true
        } else {
            out.append(character)
        }
    }
    return pendingTilde ? out + "~" : out
}
