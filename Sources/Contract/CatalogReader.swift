import Foundation

/// Reads `catalog.json` (YAML with the same keys also works). Unknown keys are
/// ignored; image paths are resolved against the catalog file's folder and must exist.
public enum CatalogReader {
    public static func read(url: URL) throws(InputError) -> Catalog {
        let data = try DocumentParser.readFile(url)
        return try parse(data: data, fileName: DocumentParser.displayName(url),
                         isYAML: DocumentParser.looksLikeYAML(url: url, data: data),
                         baseURL: url.standardizedFileURL.deletingLastPathComponent())
    }

    /// `baseURL` is the folder images are relative to; nil skips the existence check
    /// and keeps relative images relative to the working directory.
    public static func parse(data: Data, fileName: String, isYAML: Bool = false, baseURL: URL?) throws(InputError) -> Catalog {
        let root = Field(node: try DocumentParser.parse(data: data, fileName: fileName, isYAML: isYAML), path: "", file: fileName)
        let obj = try root.object()
        let itemFields = try obj.required("items").array()
        var items: [CatalogItem] = []
        var firstUse: [String: Int] = [:]
        for (index, f) in itemFields.enumerated() {
            let o = try f.object()
            let skuField = try o.required("sku")
            let sku = try code(skuField)
            if let earlier = firstUse[sku] {
                throw skuField.fail("sku '\(sku)' is already used by items[\(earlier)]; skus must be unique")
            }
            firstUse[sku] = index
            var item = CatalogItem(sku: sku)
            if let bf = o.optional("barcode") { item.barcode = try code(bf) }
            item.description = try o.optionalString("description")
            if let pf = o.optional("unit_price") { item.unitPrice = try pf.number(in: 0...Double.greatestFiniteMagnitude) }
            if let wf = o.optional("weight_g") { item.weightGrams = try wf.number(in: 0...Double.greatestFiniteMagnitude) }
            if let imf = o.optional("images") {
                for pf in try imf.array() {
                    let path = try pf.nonEmptyString()
                    let url: URL
                    if path.hasPrefix("/") {
                        url = URL(fileURLWithPath: path)
                    } else if let baseURL {
                        url = baseURL.appendingPathComponent(path).standardizedFileURL
                    } else {
                        url = URL(fileURLWithPath: path)
                    }
                    if baseURL != nil {
                        var isDir: ObjCBool = false
                        if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) || isDir.boolValue {
                            throw pf.fail("image file '\(path)' not found (looked for \(url.path))")
                        }
                    }
                    item.images.append(url)
                }
            }
            items.append(item)
        }
        return Catalog(items: items)
    }

    private static func code(_ f: Field) throws(InputError) -> String {
        if case .number = f.node.value, f.node.plainText == nil {
            throw f.fail("expected a string (write codes in quotes: as a number a code loses its leading zeros)")
        }
        return try f.nonEmptyString()
    }
}
