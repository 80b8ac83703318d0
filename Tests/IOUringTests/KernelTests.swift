import Testing

/// Every test that opens file descriptors or rings hangs off this suite and runs one at a
/// time, so the descriptor-leak check counts only its own descriptors.
@Suite(.serialized) struct KernelTests {}
