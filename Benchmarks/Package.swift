// swift-tools-version:6.0
import PackageDescription

// The load driver for pushpind's benchmarks. A separate package so the server's own build
// never pulls in the histogram library; it runs on the same io_uring wrapper as the server.
let package = Package(
    name: "pushpind-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loaddriver", targets: ["loaddriver"]),
    ],
    dependencies: [
        .package(name: "pushpind", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // Sans-IO pieces: payloads, publish requests, subscriber readers, WebSocket frames, the ledger.
        .target(
            name: "LoadDriverCore",
            dependencies: [.product(name: "Wire", package: "pushpind")]
        ),
        .executableTarget(
            name: "loaddriver",
            dependencies: [
                "LoadDriverCore",
                .product(name: "IOUring", package: "pushpind"),
                .product(name: "Wire", package: "pushpind"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .testTarget(
            name: "LoadDriverCoreTests",
            dependencies: ["LoadDriverCore", .product(name: "Wire", package: "pushpind")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
