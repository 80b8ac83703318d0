@testable import Wire

/// "Name: value" per field, in order: easy to compare and to read in a failure.
func lines(_ headers: HTTPHeaders) -> [String] {
    headers.map { "\($0.name): \($0.value)" }
}
