import Contract
import LaneCore

/// The part of the frame worth analysing for a lane: its zones, the customer's
/// reach beside them, a little beyond both ends, and where the lane file says
/// the customer stands (a `customer` zone, as drawn). A wide camera may show
/// the lane as a narrow strip; analysing only that strip at the same pixel
/// budget makes the items in it larger (Frigate-style regions).
public enum AnalysisRegion {
    /// Beyond the zones across the flow, on each side, as a share of the lane's
    /// extent across it: the customer's shoulders and arms (a counter is about
    /// an arm's length deep).
    public static let acrossMargin = 0.5
    /// Beyond the zones along the flow, on each side, as a share of the lane's length.
    public static let alongMargin = 0.1
    /// A region this large a share of the frame, or more, is not worth cutting.
    public static let maxShare = 0.6

    /// The region for these zones (normalized), or nil for the whole frame.
    public static func around(_ zones: [Zone]) -> NormalizedRect? {
        // The lane's own zones, with margins; then where the customer stands, as drawn.
        let pts = zones.filter { $0.role != .ignore && $0.role != .customer }.flatMap(\.polygon)
        guard let x0 = pts.map(\.x).min(), let x1 = pts.map(\.x).max(),
              let y0 = pts.map(\.y).min(), let y1 = pts.map(\.y).max() else { return nil }
        let axis = FlowAxis(zones: zones)
        let horizontal = abs(axis.direction.x) >= abs(axis.direction.y)
        let w = x1 - x0, h = y1 - y0
        let mx = horizontal ? alongMargin * w : acrossMargin * w
        let my = horizontal ? acrossMargin * h : alongMargin * h
        var rx0 = x0 - mx, rx1 = x1 + mx, ry0 = y0 - my, ry1 = y1 + my
        for p in zones.filter({ $0.role == .customer }).flatMap(\.polygon) {
            rx0 = min(rx0, p.x); rx1 = max(rx1, p.x); ry0 = min(ry0, p.y); ry1 = max(ry1, p.y)
        }
        rx0 = max(0, rx0); rx1 = min(1, rx1); ry0 = max(0, ry0); ry1 = min(1, ry1)
        guard rx1 > rx0, ry1 > ry0, (rx1 - rx0) * (ry1 - ry0) < maxShare else { return nil }
        return NormalizedRect(x: rx0, y: ry0, width: rx1 - rx0, height: ry1 - ry0)
    }
}
