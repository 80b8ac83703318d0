@testable import Wire

/// `body-patch`: the input's first line is a held body, the rest a JSON Patch document.
///
/// Checks: a patched body is JSON again, an object or array, with the held body's line break;
/// an empty patch only sorts keys (patching its own output changes nothing).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let newline = input.firstIndex(of: 10) ?? input.count
    let body = Array(input[..<min(newline + 1, input.count)])
    let operations = (try? JSONValue.parse(Array(input[min(newline + 1, input.count)...])))?.arrayValue ?? []
    for ops in [operations, []] {
        guard case .success(let patched) = JSONPatch.patchedBody(body, ops) else { continue }
        var text = patched
        if text.last == 10 { text.removeLast() }
        if text.last == 13 { text.removeLast() }
        let value = try? JSONValue.parse(text)
        Fuzz.check(value?.objectValue != nil || value?.arrayValue != nil, "patched body is not a JSON object or array")
        Fuzz.check((body.last == 10) == (patched.last == 10), "line break not kept")
        if ops.isEmpty {
            Fuzz.check((try? JSONPatch.patchedBody(patched, []).get()) == patched, "sorting is not stable")
        }
    }
    return 0
}
