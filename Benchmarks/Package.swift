// swift-tools-version:6.0
import PackageDescription

// Benchmarks live in their own package so their needs never leak into LaneSight's.
//
// A path dependency's identity is its folder's name ("main", "LaneSight", whatever the
// clone is called), so the dependency is given an explicit name and the product is
// looked up by that name: this works from any clone, whatever its folder is named.
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
