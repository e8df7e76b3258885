/// A horizontal run of set pixels.
public struct Run: Sendable {
    public var y: Int32
    public var x0: Int32
    public var x1: Int32  // inclusive
    public var label: Int32
}

public struct ComponentStats: Sendable {
    public var area = 0
    public var minX = Int.max, maxX = Int.min, minY = Int.max, maxY = Int.min
    public var sumX = 0.0, sumY = 0.0
    public var cx: Double { sumX / Double(max(area, 1)) }
    public var cy: Double { sumY / Double(max(area, 1)) }
    public var width: Int { maxX - minX + 1 }
    public var height: Int { maxY - minY + 1 }

    mutating func add(_ r: Run) {
        let n = Int(r.x1 - r.x0 + 1)
        area += n
        minX = min(minX, Int(r.x0)); maxX = max(maxX, Int(r.x1))
        minY = min(minY, Int(r.y)); maxY = max(maxY, Int(r.y))
        sumX += Double(Int(r.x0) + Int(r.x1)) * 0.5 * Double(n)
        sumY += Double(r.y) * Double(n)
    }
}

/// Run-based 8-connected component labelling: cheap on sparse masks.
public struct ComponentLabeler {
    public private(set) var runs: [Run] = []
    private var parent: [Int32] = []

    public init() {}

    /// Writes each pixel's component (from the last `label`) into `labels`, −1 elsewhere.
    public func paint(into labels: inout [Int32], width: Int) {
        labels.withUnsafeMutableBufferPointer { l in
            l.update(repeating: -1)
            for r in runs {
                let base = Int(r.y) * width
                for x in Int(r.x0)...Int(r.x1) { l[base + x] = r.label }
            }
        }
    }

    /// Labels the non-zero pixels of `mask`; returns one stats entry per component.
    /// Afterwards `runs[i].label` indexes the returned array.
    public mutating func label(_ mask: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> [ComponentStats] {
        runs.removeAll(keepingCapacity: true)
        parent.removeAll(keepingCapacity: true)
        var prevStart = 0, prevEnd = 0
        for y in 0..<height {
            let rowStart = runs.count
            let base = y * width
            var x = 0
            while x < width {
                if mask[base + x] == 0 { x += 1; continue }
                let x0 = x
                while x < width && mask[base + x] != 0 { x += 1 }
                let x1 = x - 1
                var label = Int32(-1)
                // Runs in the previous row that touch this one (8-connected).
                var p = prevStart
                while p < prevEnd {
                    let r = runs[p]
                    if Int(r.x1) >= x0 - 1 && Int(r.x0) <= x1 + 1 {
                        let root = find(r.label)
                        if label < 0 { label = root } else if root != label {
                            let a = min(root, label), b = max(root, label)
                            parent[Int(b)] = a
                            label = a
                        }
                    }
                    p += 1
                }
                if label < 0 {
                    label = Int32(parent.count)
                    parent.append(label)
                }
                runs.append(Run(y: Int32(y), x0: Int32(x0), x1: Int32(x1), label: label))
            }
            prevStart = rowStart
            prevEnd = runs.count
        }
        // Flatten labels to consecutive component indices.
        var remap = [Int32](repeating: -1, count: parent.count)
        var stats: [ComponentStats] = []
        for i in 0..<runs.count {
            let root = Int(find(runs[i].label))
            if remap[root] < 0 {
                remap[root] = Int32(stats.count)
                stats.append(ComponentStats())
            }
            let c = remap[root]
            runs[i].label = c
            stats[Int(c)].add(runs[i])
        }
        return stats
    }

    private mutating func find(_ x: Int32) -> Int32 {
        var r = x
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var c = x
        while parent[Int(c)] != r {
            let next = parent[Int(c)]
            parent[Int(c)] = r
            c = next
        }
        return r
    }
}

/// Binary morphology on 0/1 masks with a 3×3 square, separable.
public enum Morphology {
    /// Opening (erode then dilate) removes specks and one-pixel rims.
    public static func open3(_ mask: inout [UInt8], width: Int, height: Int, scratch: inout [UInt8]) {
        minMax3(&mask, width: width, height: height, scratch: &scratch, isMin: true)
        minMax3(&mask, width: width, height: height, scratch: &scratch, isMin: false)
    }

    /// Closing (dilate then erode) bridges one-pixel gaps.
    public static func close3(_ mask: inout [UInt8], width: Int, height: Int, scratch: inout [UInt8]) {
        minMax3(&mask, width: width, height: height, scratch: &scratch, isMin: false)
        minMax3(&mask, width: width, height: height, scratch: &scratch, isMin: true)
    }

    static func minMax3(_ mask: inout [UInt8], width: Int, height: Int, scratch: inout [UInt8], isMin: Bool) {
        if scratch.count != mask.count { scratch = [UInt8](repeating: 0, count: mask.count) }
        guard width >= 3, height >= 3 else { return }
        // Masks hold 0 or 1, so min is `&` and max is `|`: branch-free and vectorisable.
        mask.withUnsafeMutableBufferPointer { m in
            scratch.withUnsafeMutableBufferPointer { s in
                let mp = m.baseAddress!, sp = s.baseAddress!
                for y in 0..<height {
                    let r = mp + y * width, o = sp + y * width
                    if isMin {
                        o[0] = r[0] & r[1]
                        for x in 1..<(width - 1) { o[x] = r[x - 1] & r[x] & r[x + 1] }
                        o[width - 1] = r[width - 2] & r[width - 1]
                    } else {
                        o[0] = r[0] | r[1]
                        for x in 1..<(width - 1) { o[x] = r[x - 1] | r[x] | r[x + 1] }
                        o[width - 1] = r[width - 2] | r[width - 1]
                    }
                }
                for y in 0..<height {
                    let up = sp + max(0, y - 1) * width, mid = sp + y * width, dn = sp + min(height - 1, y + 1) * width
                    let o = mp + y * width
                    if isMin {
                        for x in 0..<width { o[x] = up[x] & mid[x] & dn[x] }
                    } else {
                        for x in 0..<width { o[x] = up[x] | mid[x] | dn[x] }
                    }
                }
            }
        }
    }
}
