import Contract
import Testing
@testable import Zones

/// A lane along one direction: pickup, scanner and bagging boxes in that order.
func lane(pickup: (Double, Double), scan: (Double, Double), bagging: (Double, Double), half: Double = 0.1) -> [Zone] {
    func box(_ c: (Double, Double)) -> [NormalizedPoint] {
        pts([(c.0 - half, c.1 - half), (c.0 + half, c.1 - half), (c.0 + half, c.1 + half), (c.0 - half, c.1 + half)])
    }
    return [Zone(name: "basket", role: .pickup, polygon: box(pickup)),
            Zone(name: "scanner", role: .scan, polygon: box(scan)),
            Zone(name: "bag", role: .bagging, polygon: box(bagging))]
}

func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

@Suite struct FlowAxisTests {
    @Test func leftToRight() {
        let axis = FlowAxis(zones: lane(pickup: (0.2, 0.5), scan: (0.5, 0.5), bagging: (0.8, 0.5)))
        #expect(near(axis.direction.x, 1) && near(axis.direction.y, 0))
        #expect(near(axis.length, 0.6))
        #expect(near(axis.progress(x: 0.2, y: 0.5), 0))
        #expect(near(axis.progress(x: 0.8, y: 0.5), 1))
        #expect(near(axis.progress(x: 0.5, y: 0.9), 0.5))
        #expect(axis.progress(x: 0.05, y: 0.5) < 0)
        #expect(axis.progress(x: 0.95, y: 0.5) > 1)
    }

    @Test func rightToLeft() {
        let axis = FlowAxis(zones: lane(pickup: (0.8, 0.5), scan: (0.5, 0.5), bagging: (0.2, 0.5)))
        #expect(near(axis.direction.x, -1) && near(axis.direction.y, 0))
        #expect(near(axis.progress(x: 0.8, y: 0.5), 0))
        #expect(near(axis.progress(x: 0.2, y: 0.5), 1))
        // Moving left is moving forward.
        #expect(axis.progress(x: 0.4, y: 0.5) > axis.progress(x: 0.6, y: 0.5))
    }

    @Test func lengthInPixelsUsesTheHeightForATopToBottomLane() {
        let down = FlowAxis(zones: lane(pickup: (0.5, 0.15), scan: (0.5, 0.5), bagging: (0.5, 0.85)))
        #expect(near(down.pixelLength(width: 320, height: 180), 0.7 * 180))
        let across = FlowAxis(zones: lane(pickup: (0.2, 0.5), scan: (0.5, 0.5), bagging: (0.8, 0.5)))
        #expect(near(across.pixelLength(width: 320, height: 180), 0.6 * 320))
        let diagonal = FlowAxis(zones: lane(pickup: (0.2, 0.2), scan: (0.5, 0.5), bagging: (0.8, 0.8)))
        #expect(near(diagonal.pixelLength(width: 320, height: 180), (192.0 * 192 + 108 * 108).squareRoot()))
    }

    @Test func verticalLanes() {
        let down = FlowAxis(zones: lane(pickup: (0.5, 0.15), scan: (0.5, 0.5), bagging: (0.5, 0.85)))
        #expect(near(down.direction.x, 0) && near(down.direction.y, 1))
        #expect(near(down.progress(x: 0.5, y: 0.15), 0))
        #expect(near(down.progress(x: 0.9, y: 0.85), 1))
        #expect(near(down.progress(x: 0.1, y: 0.5), 0.5))

        let up = FlowAxis(zones: lane(pickup: (0.5, 0.85), scan: (0.5, 0.5), bagging: (0.5, 0.15)))
        #expect(near(up.direction.y, -1))
        #expect(near(up.progress(x: 0.5, y: 0.15), 1))
        #expect(up.progress(x: 0.5, y: 0.3) > up.progress(x: 0.5, y: 0.7))
    }

    @Test func diagonalLaneProjectsOntoTheAxis() {
        let axis = FlowAxis(zones: lane(pickup: (0.2, 0.2), scan: (0.5, 0.5), bagging: (0.8, 0.8)))
        #expect(near(axis.length, (0.72).squareRoot()))
        // A point off the axis progresses by its projection only.
        #expect(near(axis.progress(x: 0.3, y: 0.7), 0.5))
        #expect(near(axis.across(x: 0.5, y: 0.5), 0))
        // Across is the perpendicular distance, opposite signs on the two sides.
        let a = axis.across(x: 0.3, y: 0.7), b = axis.across(x: 0.7, y: 0.3)
        #expect(near(abs(a), (0.08).squareRoot()) && near(a, -b))
    }

    @Test func severalPickupZonesWeighByArea() {
        var zones = lane(pickup: (0.2, 0.5), scan: (0.5, 0.5), bagging: (0.8, 0.5))
        // A second, quarter-size pickup (a belt end) above the basket.
        zones.append(Zone(name: "belt", role: .pickup, polygon: pts([(0.15, 0.1), (0.25, 0.1), (0.25, 0.2), (0.15, 0.2)])))
        let axis = FlowAxis(zones: zones)
        // Basket area 0.04 at y 0.5, belt area 0.01 at y 0.15.
        #expect(near(axis.origin.x, 0.2) && near(axis.origin.y, (0.5 * 0.04 + 0.15 * 0.01) / 0.05))
    }

    @Test func missingZonesFallBackToLeftToRight() {
        let axis = FlowAxis(zones: [Zone(name: "scanner", role: .scan, polygon: pts([(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)]))])
        #expect(near(axis.progress(x: 0.2, y: 0.5), 0) && near(axis.progress(x: 0.8, y: 0.5), 1))
    }

    @Test func zoneMapCarriesTheAxis() {
        let map = ZoneMap(zones: lane(pickup: (0.8, 0.5), scan: (0.5, 0.5), bagging: (0.2, 0.5)), width: 64, height: 36)
        #expect(near(map.axis.direction.x, -1))
    }
}
