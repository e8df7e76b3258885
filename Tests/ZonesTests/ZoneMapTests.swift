import Contract
import Testing
@testable import Zones

/// SplitMix64: the same polygons on every run.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}

func pixelSet(_ poly: [NormalizedPoint], _ w: Int, _ h: Int) -> [Int] {
    var out: [Int] = []
    ZoneMap.rasterize(poly, width: w, height: h) { out.append($0) }
    return out
}

/// Pixels whose centre the even-odd test puts inside: what rasterization must produce.
func centresInside(_ poly: [NormalizedPoint], _ w: Int, _ h: Int) -> [Int] {
    var out: [Int] = []
    for py in 0..<h {
        for px in 0..<w where Polygon.contains(poly, x: (Double(px) + 0.5) / Double(w), y: (Double(py) + 0.5) / Double(h)) {
            out.append(py * w + px)
        }
    }
    return out
}

@Suite struct ZoneMapTests {
    @Test func rectangleCoversExactlyThePixelsWhoseCentresAreInside() {
        // Centres (i + 0.5) / 8 for i = 2…5 lie in [0.25, 0.75].
        let rect = pts([(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)])
        let got = pixelSet(rect, 8, 8)
        let want = (2...5).flatMap { y in (2...5).map { x in y * 8 + x } }
        #expect(got == want)
    }

    @Test func wholeFrameCoversEveryPixel() {
        let all = pts([(0, 0), (1, 0), (1, 1), (0, 1)])
        for (w, h) in [(1, 1), (7, 3), (320, 180)] {
            #expect(pixelSet(all, w, h) == Array(0..<(w * h)))
        }
    }

    @Test func pixelsAreUniqueAndInBounds() {
        let poly = pts([(0, 0.3), (1, 0.0), (1, 1), (0.0, 0.6)])
        let got = pixelSet(poly, 33, 17)
        #expect(Set(got).count == got.count)
        #expect(got.allSatisfy { (0..<(33 * 17)).contains($0) })
    }

    /// A thin slanted band: most rows cross it in less than a pixel, so a row's
    /// first covered pixel lies right of its last one. That used to trap.
    @Test(arguments: [(320, 180), (640, 360), (17, 9), (3, 200), (1, 1)])
    func slantedSliverNarrowerThanAPixel(width: Int, height: Int) {
        let eps = 0.2 / Double(width)
        let band = pts([(0.1, 0.1), (0.1 + eps, 0.1), (0.9 + eps, 0.9), (0.9, 0.9)])
        let got = pixelSet(band, width, height)
        #expect(got == centresInside(band, width, height))
        // Never more than one pixel a row for a band 0.2 px wide.
        #expect(got.count <= height)

        let map = ZoneMap(zones: [Zone(name: "sliver", role: .scan, polygon: band)], width: width, height: height)
        #expect(map.pixelCount(.scan) == got.count)
    }

    @Test func nearlyHorizontalSliverAndTinyTriangle() {
        // Thinner than a row: may cover no pixel at all, and must not trap.
        let flat = pts([(0.05, 0.500), (0.95, 0.501), (0.95, 0.502), (0.05, 0.501)])
        #expect(pixelSet(flat, 320, 180) == centresInside(flat, 320, 180))
        let tiny = pts([(0.5, 0.5), (0.5005, 0.5), (0.5, 0.5005)])
        #expect(pixelSet(tiny, 320, 180) == centresInside(tiny, 320, 180))
    }

    @Test func randomPolygonsMatchThePointTest() {
        var rng = SeededRandom(state: 42)
        for n in 0..<200 {
            let corners = 3 + n % 6
            let poly = (0..<corners).map { _ in NormalizedPoint(x: rng.next(), y: rng.next()) }
            let w = 5 + Int(rng.next() * 120), h = 5 + Int(rng.next() * 90)
            #expect(pixelSet(poly, w, h) == centresInside(poly, w, h), "polygon \(n) at \(w)x\(h)")
        }
    }

    @Test func pixelCountApproximatesArea() {
        let quad = pts([(0.12, 0.2), (0.55, 0.14), (0.61, 0.77), (0.18, 0.83)])
        let (w, h) = (640, 360)
        let count = pixelSet(quad, w, h).count
        let expected = Polygon.area(quad) * Double(w * h)
        #expect(abs(Double(count) - expected) / expected < 0.01)
    }

    @Test func membershipBitsActiveMaskAndRoleQueries() {
        let zones = [
            Zone(name: "basket", role: .pickup, polygon: pts([(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])),
            Zone(name: "scanner", role: .scan, polygon: pts([(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)])),
            Zone(name: "bag", role: .bagging, polygon: pts([(0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)])),
            Zone(name: "screen", role: .ignore, polygon: pts([(0.75, 0.0), (1.0, 0.0), (1.0, 0.25), (0.75, 0.25)])),
        ]
        let map = ZoneMap(zones: zones, width: 8, height: 8)
        #expect(map.bits(.pickup) == 0b0001)
        #expect(map.bits(.scan) == 0b0010)
        #expect(map.bits(.bagging) == 0b0100)
        #expect(map.bits(.cashier) == 0)
        // Pixel (3, 3) is in the basket and the scanner; (4, 3) in the scanner and the bag.
        #expect(map.membership[3 * 8 + 3] == 0b0011)
        #expect(map.membership[3 * 8 + 4] == 0b0110)
        #expect(map.membership[0 * 8 + 7] == 0b1100)
        #expect(map.pixelCount(.pickup) == 32)
        #expect(map.pixelCount(.scan) == 16)
        #expect(map.pixelCount(.ignore) == 4)
        // Only the ignore zone is masked out.
        #expect(map.active.filter { $0 == 0 }.count == 4)
        #expect(map.active[0 * 8 + 7] == 0 && map.active[1 * 8 + 6] == 0 && map.active[2 * 8 + 7] == 1)

        #expect(map.contains(.scan, x: 0.5, y: 0.5))
        #expect(!map.contains(.scan, x: 0.1, y: 0.5))
        #expect(map.distance(to: .scan, x: 0.5, y: 0.5) == 0)
        #expect(abs(map.distance(to: .scan, x: 0.1, y: 0.5) - 0.15) < 1e-12)
        #expect(map.distance(to: .drawer, x: 0.5, y: 0.5) == .infinity)
    }
}
