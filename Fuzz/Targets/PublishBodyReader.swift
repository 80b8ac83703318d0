@testable import Wire

/// `/publish/` bodies through `PublishBodyReader`, the reader that takes the usual shape
/// straight from the bytes, against the JSON document path it stands in for.
///
/// Checks: whatever the reader accepts, the document path accepts with the same items (so
/// a body it takes gets exactly the answer it got before it existed); it declines every
/// body that is not valid JSON; `parse(body:)` agrees with the document path on every input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPublishBodyReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let fromDocument = PublishRequestParser.parseDocument(body: input)
    Fuzz.check(PublishRequestParser.parse(body: input) == fromDocument, "parse(body:) differs from the document path")
    guard let items = input.withUnsafeBytes(PublishBodyReader.read) else { return 0 }
    Fuzz.check(fromDocument == .success(items), "reader took \(items), document path gives \(fromDocument)")
    Fuzz.check((try? JSONValue.parse(input)) != nil, "reader took invalid JSON")
    return 0
}
