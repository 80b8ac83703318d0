@testable import Wire

/// The `%` template language (`GripFilterTemplate`) and the filters over it
/// (`GripFilterStack`: build-id, var-subst). The input's first line is a subscription's
/// `id_format` and a `var-subst` value, the rest is published content.
///
/// Checks: content with every `%` doubled renders back to itself (the escape round trip);
/// content without `%` passes every filter unchanged; a rendered template holds no more
/// bytes than its expansions allow; the delivery filters never look at content.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGripFilters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let newline = input.firstIndex(of: 10) ?? input.count
    let format = String(decoding: input[..<newline], as: UTF8.self)
    let content = Array(input[min(newline + 1, input.count)...])

    var escaped: [UInt8] = []
    for byte in content {
        escaped.append(byte)
        if byte == UInt8(ascii: "%") { escaped.append(byte) }
    }
    let literal = GripFilterTemplate.render(escaped) { _, _ in .failure(GripFilterError("no directive expected")) }
    Fuzz.check((try? literal.get()) == content, "escaped content does not render back to itself")

    // Each directive expands to one byte: the output is never longer than the template.
    if case .success(let out) = GripFilterTemplate.render(content, { _, _ in .success([UInt8(ascii: "x")]) }) {
        Fuzz.check(out.count <= content.count, "rendered \(out.count) bytes from \(content.count)")
    }

    let context = GripFilterContext(
        subscriptionMeta: [("id_format", format), ("user", format), ("v", format)],
        publishMeta: ["sender": format, "skip_users": format, "require_sub": format], channels: [(name: format, id: format)])
    let all: [GripFilter] = [.skipSelf, .skipUsers, .requireSub, .buildID, .varSubst]
    let outcome = GripFilterStack.apply(all, to: content, context)
    if case .drop = outcome {
        Fuzz.check(!GripFilterStack.sends(all, context), "dropped though the delivery filters send")
    }
    let renderedID = GripFilterTemplate.substitute(Array(format.utf8)) { $0 == format ? format : nil }
    if !content.contains(UInt8(ascii: "%")), GripFilterStack.sends(all, context), case .success = renderedID {
        Fuzz.check(outcome == .send(content), "content without % changed: \(outcome)")
    }
    _ = GripFilterStack.applyToResponse([all], to: content, context)
    return 0
}
