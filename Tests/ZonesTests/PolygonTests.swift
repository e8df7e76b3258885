import Contract
import Testing
@testable import Zones

func pts(_ xy: [(Double, Double)]) -> [NormalizedPoint] { xy.map { NormalizedPoint(x: $0.0, y: $0.1) } }

/// An L: the unit square's lower-left 0.6 x 0.6 with its upper-right 0.3 x 0.3 cut away.
let lShape = pts([(0.1, 0.1), (0.4, 0.1), (0.4, 0.4), (0.7, 0.4), (0.7, 0.7), (0.1, 0.7)])

@Suite struct PolygonTests {
    let square = pts([(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)])

    @Test func containsInsideAndOutside() {
        #expect(Polygon.contains(square, x: 0.5, y: 0.5))
        #expect(Polygon.contains(square, x: 0.26, y: 0.74))
        #expect(!Polygon.contains(square, x: 0.2, y: 0.5))
        #expect(!Polygon.contains(square, x: 0.5, y: 0.8))
        #expect(!Polygon.contains(square, x: 0.9, y: 0.9))
    }

    @Test func containsRespectsConcavity() {
        #expect(Polygon.contains(lShape, x: 0.2, y: 0.2))
        #expect(Polygon.contains(lShape, x: 0.6, y: 0.6))
        // The cut-away corner is inside the bounding box but not the polygon.
        #expect(!Polygon.contains(lShape, x: 0.6, y: 0.2))
    }

    @Test func containsIgnoresWinding() {
        let reversed = Array(square.reversed())
        #expect(Polygon.contains(reversed, x: 0.5, y: 0.5))
        #expect(!Polygon.contains(reversed, x: 0.1, y: 0.5))
    }

    @Test func area() {
        #expect(abs(Polygon.area(square) - 0.25) < 1e-12)
        #expect(abs(Polygon.area(Array(square.reversed())) - 0.25) < 1e-12)
        #expect(abs(Polygon.area(lShape) - (0.36 - 0.09)) < 1e-12)
        let triangle = pts([(0, 0), (1, 0), (0, 1)])
        #expect(abs(Polygon.area(triangle) - 0.5) < 1e-12)
        // Collinear points and too few points enclose nothing.
        #expect(Polygon.area(pts([(0, 0), (0.5, 0.5), (1, 1)])) == 0)
        #expect(Polygon.area(pts([(0, 0), (1, 1)])) == 0)
    }

    @Test func centroid() {
        let c = Polygon.centroid(square)
        #expect(abs(c.x - 0.5) < 1e-12 && abs(c.y - 0.5) < 1e-12)
        // L = 0.6 square (centre 0.4, 0.4, area 0.36) minus 0.3 square (centre 0.55, 0.25, area 0.09).
        let l = Polygon.centroid(lShape)
        let ex = (0.4 * 0.36 - 0.55 * 0.09) / 0.27, ey = (0.4 * 0.36 - 0.25 * 0.09) / 0.27
        #expect(abs(l.x - ex) < 1e-9 && abs(l.y - ey) < 1e-9)
        // A triangle's area centroid is its vertex mean.
        let t = Polygon.centroid(pts([(0.1, 0.1), (0.7, 0.1), (0.1, 0.4)]))
        #expect(abs(t.x - 0.3) < 1e-12 && abs(t.y - 0.2) < 1e-12)
    }

    @Test func centroidOfDegeneratePolygonIsVertexMean() {
        let c = Polygon.centroid(pts([(0, 0), (0.5, 0.5), (1, 1)]))
        #expect(abs(c.x - 0.5) < 1e-12 && abs(c.y - 0.5) < 1e-12)
    }

    @Test func distance() {
        #expect(Polygon.distance(square, x: 0.5, y: 0.5) == 0)
        #expect(abs(Polygon.distance(square, x: 0.85, y: 0.5) - 0.1) < 1e-12)
        #expect(abs(Polygon.distance(square, x: 0.5, y: 0.05) - 0.2) < 1e-12)
        // Beyond a corner the nearest boundary point is the corner.
        #expect(abs(Polygon.distance(square, x: 0.85, y: 0.85) - (0.02).squareRoot()) < 1e-12)
        // In the L's notch the nearest boundary is the inner edges, not the bounding box.
        #expect(abs(Polygon.distance(lShape, x: 0.6, y: 0.3) - 0.1) < 1e-12)
    }
}
