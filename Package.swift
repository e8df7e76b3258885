// swift-tools-version:6.0
import PackageDescription

// One module per pipeline stage. Decisions (Zones, Vision, POS, Rules) are pure
// Swift over value types; FFmpeg (CFFmpeg/MediaIO) and OpenCV (CLaneCV) sit at
// the edges behind small protocols.
let opencvFlags: [String] = ["-I/usr/include/opencv4"]

let package = Package(
    name: "LaneSight",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lanesight", targets: ["lanesight"]),
        .library(name: "LaneSightKit", targets: ["LaneCore", "Contract", "MediaIO", "Vision", "LearnedCounter", "Rules", "Pipeline", "Simulator", "Evaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        // FFmpeg's C API, with the macros Swift cannot import re-exported as functions.
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg"),
        // OpenCV behind a plain C header (opaque handles, no exceptions cross it).
        .target(
            name: "CLaneCV",
            path: "Sources/CLaneCV",
            cxxSettings: [.unsafeFlags(opencvFlags + ["-std=c++17", "-O2"])],
            linkerSettings: [
                .linkedLibrary("opencv_core"), .linkedLibrary("opencv_imgproc"),
                .linkedLibrary("opencv_imgcodecs"), .linkedLibrary("opencv_objdetect"),
                .linkedLibrary("opencv_dnn"),
                .linkedLibrary("stdc++"),
            ]
        ),
        // Shared value types: images, time.
        .target(name: "LaneCore"),
        // The files at our edges: lane, POS events, catalog, incidents, truth.
        .target(name: "Contract", dependencies: ["LaneCore", .product(name: "Yams", package: "Yams")]),
        // Zone geometry and masks at analysis resolution.
        .target(name: "Zones", dependencies: ["LaneCore", "Contract"]),
        // Video in (files, RTSP), video out (simulator), packet ring and clips.
        .target(name: "MediaIO", dependencies: ["CFFmpeg", "LaneCore"]),
        // Frames to motion events per zone.
        .target(name: "Vision", dependencies: ["LaneCore", "Zones"],
                swiftSettings: []),
        // A network that counts the items over the scanner from crops of it (tools/counter trains it).
        .target(name: "LearnedCounter", dependencies: ["LaneCore", "Contract", "MediaIO", "Vision", "CLaneCV"],
                resources: [.copy("Resources/item-counter.onnx"), .copy("Resources/item-counter.json")]),
        // POS event streams and transaction state.
        .target(name: "POS", dependencies: ["LaneCore", "Contract"]),
        // Correlation of passes with scans, and the exception decisions.
        .target(name: "Rules", dependencies: ["LaneCore", "Contract", "Vision", "POS"]),
        // Key frames, clips and incidents.json.
        .target(name: "Evidence", dependencies: ["LaneCore", "Contract", "CLaneCV", "MediaIO"]),
        // The streaming analyzer that wires the stages for one lane.
        .target(name: "Pipeline", dependencies: ["LaneCore", "Contract", "Zones", "MediaIO", "Vision", "LearnedCounter", "POS", "Rules", "Evidence"]),
        // Our synthetic lane.
        .target(name: "Simulator", dependencies: ["LaneCore", "Contract", "MediaIO"],
                swiftSettings: []),
        // Truth vs incidents: precision, recall, false alerts.
        .target(name: "Evaluation", dependencies: ["LaneCore", "Contract"]),
        .executableTarget(
            name: "lanesight",
            dependencies: ["Pipeline", "Zones", "Vision", "MediaIO", "Contract", "Simulator", "Evaluation",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/CLI"
        ),
        .testTarget(name: "ContractTests", dependencies: ["Contract"]),
        .testTarget(name: "ZonesTests", dependencies: ["Zones"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision"]),
        .testTarget(name: "LearnedCounterTests", dependencies: ["LearnedCounter", "MediaIO"]),
        .testTarget(name: "POSTests", dependencies: ["POS"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules"]),
        .testTarget(name: "EvidenceTests", dependencies: ["Evidence"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Pipeline", "Simulator", "Evaluation"]),
        // Runs the built `lanesight` executable as a subprocess.
        .testTarget(name: "CLITests", dependencies: ["Contract", "LaneCore"]),
    ]
)
