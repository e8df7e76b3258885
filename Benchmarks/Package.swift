// swift-tools-version:6.0
import PackageDescription

// Benchmarks live in their own package so their needs never leak into LaneSight's.
let package = Package(
    name: "LaneSightBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "LaneSight", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "lanesight-bench",
            dependencies: [.product(name: "LaneSightKit", package: "LaneSight")],
            path: "Sources/lanesight-bench"
        ),
    ]
)
