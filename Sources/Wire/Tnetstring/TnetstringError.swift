/// Why bytes are not one tnetstring: `offset` is where the fault was found.
public struct TnetstringError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid tnetstring at byte \(offset): \(message)" }
}
