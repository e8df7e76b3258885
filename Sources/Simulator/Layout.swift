import Contract
import Foundation

/// The lane's geometry, laid out in a canonical plane (centimetres, items flowing
/// left to right, customer at the bottom) and mapped to the image by `camera`,
/// which mirrors it for right-to-left flow or a customer at the top and tilts
/// it a little, as a real mounting would.
struct LaneLayout: Sendable {
    let width: Int
    let height: Int
    /// Canonical plane size: 160 cm across the image.
    let planeW: Double = 160
    let planeH: Double
    let pxPerCm: Double
    let camera: Affine
    let flipX: Bool
    let flipY: Bool

    let farEdge: Double
    let nearEdge: Double
    /// Where the seams between counter sections are.
    let seamA: Double
    let seamB: Double

    let basketPose: Pose
    let basketSize: V2
    let glassCenter: V2
    let glassSize: V2
    let bezel: Double
    let towerDepth: Double
    let terminalPose: Pose
    let terminalSize: V2
    let rackCenter: V2
    let rackSize: V2
    let bagSlots: [Pose]
    let bagSize: V2
    let monitorCenter: V2

    /// Canonical zone polygons.
    let pickupPoly: [V2]
    let scanPoly: [V2]
    let baggingPoly: [V2]
    /// The same, normalized to the image and clamped to [0, 1]: what lane.json says.
    let pickupNorm: [V2]
    let scanNorm: [V2]
    let baggingNorm: [V2]

    init(config: SimulationConfig) {
        var r = SimRandom(seed: config.seed, stream: "layout")
        width = config.width
        height = config.height
        planeH = 160 * Double(config.height) / Double(config.width)
        let ys = planeH / 90  // vertical layout scales with the aspect ratio
        flipX = config.direction == .rightToLeft
        flipY = config.customerSide == .top

        farEdge = r.uniform(3, 7) * ys
        nearEdge = planeH - r.uniform(19, 23)
        seamA = r.uniform(50, 56)
        seamB = r.uniform(104, 110)

        basketSize = V2(r.uniform(40, 44), r.uniform(28, 32))
        basketPose = Pose(V2(r.uniform(24, 27), r.uniform(34, 39) * ys), r.uniform(-0.07, 0.07))
        glassSize = V2(r.uniform(26, 32), r.uniform(28, 33))
        glassCenter = V2(r.uniform(76, 83), r.uniform(37, 42) * ys)
        bezel = r.uniform(2.2, 3.2)
        towerDepth = r.uniform(8, 10)
        terminalSize = V2(r.uniform(8, 9.5), r.uniform(14, 16.5))
        terminalPose = Pose(V2(glassCenter.x + glassSize.x / 2 + bezel + r.uniform(7, 10), nearEdge - r.uniform(9, 11)),
                            r.uniform(-0.18, 0.18))
        rackCenter = V2(r.uniform(134, 137), (farEdge + nearEdge) / 2 + r.uniform(-2, 1))
        rackSize = V2(r.uniform(40, 44), min(nearEdge - farEdge - 4, r.uniform(52, 58)))
        let twoBags = r.chance(0.6)
        if twoBags {
            bagSize = V2(rackSize.x - 6, rackSize.y / 2 - 3.5)
            bagSlots = [Pose(rackCenter + V2(0, -rackSize.y / 4), r.uniform(-0.04, 0.04)),
                        Pose(rackCenter + V2(0, rackSize.y / 4), r.uniform(-0.04, 0.04))]
        } else {
            bagSize = V2(rackSize.x - 6, rackSize.y * 0.62)
            bagSlots = [Pose(rackCenter + V2(0, r.uniform(-3, 3)), r.uniform(-0.05, 0.05))]
        }
        monitorCenter = V2(r.uniform(56, 64), farEdge + 3)

        let tilt = r.uniform(-0.04, 0.04)
        let zoom = r.uniform(1.0, 1.04)
        let shift = V2(r.uniform(-1.5, 1.5), r.uniform(-1.5, 1.5))
        pxPerCm = Double(config.width) / 160 * zoom
        // canonical → centred → mirrored → tilted → scaled → pixels
        let centre = Affine.translation(V2(-80, -planeH / 2) + shift)
        let mirror = Affine.scale(flipX ? -1 : 1, flipY ? -1 : 1)
        camera = Affine.translation(V2(Double(config.width) / 2, Double(config.height) / 2))
            * Affine.scale(pxPerCm, pxPerCm) * Affine.rotation(tilt) * mirror * centre

        pickupPoly = Polygon.rect(center: basketPose.p, size: basketSize + V2(3, 3), angle: basketPose.angle)
        scanPoly = Polygon.rect(center: glassCenter, size: glassSize + V2(1, 1))
        baggingPoly = Polygon.rect(center: rackCenter, size: rackSize + V2(2, 2))
        let cam = camera, w = Double(config.width), h = Double(config.height)
        func norm(_ poly: [V2]) -> [V2] {
            poly.map { p in
                let q = cam.apply(p)
                // Rounded to what lane.json carries, so truth and the file agree exactly.
                return V2((clamp(q.x / w, 0, 1) * 1e5).rounded() / 1e5, (clamp(q.y / h, 0, 1) * 1e5).rounded() / 1e5)
            }
        }
        pickupNorm = norm(pickupPoly)
        scanNorm = norm(scanPoly)
        baggingNorm = norm(baggingPoly)
    }

    /// Canonical point → normalized image point.
    func normalized(_ p: V2) -> V2 {
        let q = camera.apply(p)
        return V2(q.x / Double(width), q.y / Double(height))
    }

    func pixel(_ p: V2) -> V2 { camera.apply(p) }

    /// Local frame of something at `pose` (cm) → frame pixels, mirrored with the view.
    func toFrame(_ pose: Pose) -> Affine {
        camera * Affine.translation(pose.p) * Affine.rotation(pose.angle) * Affine.scale(pose.scale, pose.scale)
    }

    /// The same without mirroring the picture itself (printed products stay readable
    /// the way their reference picture shows them).
    func toFrameUnmirrored(_ pose: Pose) -> Affine {
        let c = camera.apply(pose.p)
        let axis = camera.applyLinear(V2.polar(pose.angle))
        let k = pxPerCm * pose.scale
        return Affine.translation(c) * Affine.rotation(axis.angle) * Affine.scale(k, k)
    }

    var zones: [Zone] {
        func z(_ name: String, _ role: ZoneRole, _ poly: [V2]) -> Zone {
            Zone(name: name, role: role, polygon: poly.map { NormalizedPoint(x: $0.x, y: $0.y) })
        }
        return [z("basket", .pickup, pickupNorm), z("scanner", .scan, scanNorm), z("bagging", .bagging, baggingNorm)]
    }

    // Zone tests on the image plane, as an analyzer reading lane.json sees them.
    func inPickup(_ p: V2) -> Bool { Polygon.contains(pickupNorm, normalized(p)) }
    func inScan(_ p: V2) -> Bool { Polygon.contains(scanNorm, normalized(p)) }
    func inBagging(_ p: V2) -> Bool { Polygon.contains(baggingNorm, normalized(p)) }

    var glassRect: (lo: V2, hi: V2) { (glassCenter - glassSize * 0.5, glassCenter + glassSize * 0.5) }
}
