import Contract
import LaneCore
import Testing
@testable import Zones

@Suite struct AnalysisRegionTests {
    static func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [NormalizedPoint] {
        [.init(x: x0, y: y0), .init(x: x1, y: y0), .init(x: x1, y: y1), .init(x: x0, y: y1)]
    }

    /// Pickup, scan and bagging zones, each a rectangle (x0, y0, x1, y1).
    typealias Box = (Double, Double, Double, Double)
    static func lane(_ pickup: Box, _ scan: Box, _ bagging: Box) -> [Zone] {
        [Zone(name: "basket", role: .pickup, polygon: rect(pickup.0, pickup.1, pickup.2, pickup.3)),
         Zone(name: "scanner", role: .scan, polygon: rect(scan.0, scan.1, scan.2, scan.3)),
         Zone(name: "bags", role: .bagging, polygon: rect(bagging.0, bagging.1, bagging.2, bagging.3))]
    }

    @Test func aNarrowTopToBottomLaneGetsItsStripAndTheCustomersReach() throws {
        // A wide camera: the lane is a strip 0.2 of the frame wide, items flow downwards.
        let zones = Self.lane((0.40, 0.10, 0.60, 0.30), (0.42, 0.40, 0.58, 0.55), (0.40, 0.65, 0.60, 0.90))
        let r = try #require(AnalysisRegion.around(zones))
        // Across the flow: half the lane's width on each side; along it: a tenth of its length.
        #expect(abs(r.x - 0.30) < 1e-9 && abs(r.width - 0.40) < 1e-9)
        #expect(abs(r.y - 0.02) < 1e-9 && abs(r.height - 0.96) < 1e-9)
    }

    @Test func aLaneFillingTheViewIsAnalysedWhole() {
        let zones = Self.lane((0.02, 0.12, 0.30, 0.68), (0.40, 0.18, 0.60, 0.62), (0.70, 0.12, 0.98, 0.68))
        #expect(AnalysisRegion.around(zones) == nil)
    }

    @Test func ignoredPartsDoNotWidenTheRegionButTheCustomerZoneDoes() throws {
        var zones = Self.lane((0.10, 0.45, 0.30, 0.55), (0.35, 0.45, 0.45, 0.55), (0.50, 0.45, 0.70, 0.55))
        zones.append(Zone(name: "door", role: .ignore, polygon: Self.rect(0.0, 0.0, 1.0, 0.2)))
        let lane = try #require(AnalysisRegion.around(zones))
        #expect(abs(lane.y - 0.40) < 1e-9 && abs(lane.height - 0.20) < 1e-9)
        #expect(abs(lane.x - 0.04) < 1e-9 && abs(lane.width - 0.72) < 1e-9)
        zones.append(Zone(name: "customer", role: .customer, polygon: Self.rect(0.30, 0.55, 0.50, 0.75)))
        let withCustomer = try #require(AnalysisRegion.around(zones))
        #expect(abs(withCustomer.y + withCustomer.height - 0.75) < 1e-9)  // as drawn, no margin
    }
}
