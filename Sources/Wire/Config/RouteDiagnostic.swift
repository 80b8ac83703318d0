/// A problem found while loading a routes file, printed the way Pushpin logs it: `routes:3: message`.
public struct RouteDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    /// True when the whole line was dropped; false for warnings about a line that still loaded
    /// (unknown props, duplicate ids).
    public var lineSkipped: Bool

    public init(file: String, line: Int, message: String, lineSkipped: Bool = true) {
        self.file = file
        self.line = line
        self.message = message
        self.lineSkipped = lineSkipped
    }

    public var description: String { "\(file):\(line): \(message)" }
}
