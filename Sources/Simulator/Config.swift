import Foundation

/// Which way items travel across the image: from the pickup area to the bagging area.
public enum FlowDirection: String, Sendable, CaseIterable {
    case leftToRight = "ltr"
    case rightToLeft = "rtl"
}

/// The long side of the image the customer stands on.
public enum CustomerSide: String, Sendable, CaseIterable {
    case bottom, top
}

/// Everything that shapes one synthetic session. Same config, same files.
public struct SimulationConfig: Sendable {
    public var seed: UInt64 = 1
    public var minutes: Double = 5
    public var width = 1280
    public var height = 720
    public var fps = 15
    public var direction: FlowDirection = .leftToRight
    public var customerSide: CustomerSide = .bottom
    /// POS clock − camera clock, seconds; nil draws one in −3…3.
    public var clockOffset: Double? = nil
    /// Share of item passes that are exceptions (occlusions come on top, about a quarter as many).
    public var exceptionRate = 0.3
    public var store = "0042"
    public var lane = "sco-03"
    /// Wall-clock time of the first frame, seconds since 1970 (default 2026-11-02T09:00:00Z).
    public var videoStart: Double = 1_793_610_000
    /// Scales sensor noise, flicker and motion blur (0 = a clean render).
    public var noise = 1.0

    public init() {}

    var duration: Double { minutes * 60 }
    var frameCount: Int { max(1, Int((duration * Double(fps)).rounded())) }
}

public struct SimulationSummary: Sendable {
    public var frames: Int
    public var passes: Int
    public var transactions: Int
    /// Truth incidents by type (`missed_scan`, …).
    public var incidents: [String: Int]
}

/// A bad configuration or an output that could not be written.
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
