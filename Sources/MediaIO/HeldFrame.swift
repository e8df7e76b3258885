import CFFmpeg
import LaneCore

/// A decoded frame kept for later, by reference: the decoder's buffer stays alive (and is
/// never written again: FFmpeg only reuses a pooled buffer once every reference is gone),
/// so holding one costs a reference, not a copy. Converted to RGB only when asked, which
/// for evidence is a handful of frames out of thousands.
///
/// Sendable: the frame is immutable once held, and each conversion uses its own scaler.
public final class HeldFrame: @unchecked Sendable {
    private let frame: UnsafeMutablePointer<AVFrame>

    init?(referencing source: UnsafeMutablePointer<AVFrame>) {
        guard let f = av_frame_alloc() else { return nil }
        guard av_frame_ref(f, source) >= 0 else {
            var o: UnsafeMutablePointer<AVFrame>? = f
            av_frame_free(&o)
            return nil
        }
        frame = f
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }

    public var width: Int { Int(frame.pointee.width) }
    public var height: Int { Int(frame.pointee.height) }

    /// As RGB, scaled down (aspect kept) only when wider than `maxWidth`; the same
    /// conversion as `VideoSource.snapshot(maxWidth:)`.
    public func rgb(maxWidth: Int) -> RGBImage? {
        let (ow, oh) = snapshotSize(width: width, height: height, maxWidth: maxWidth)
        var context: OpaquePointer? = nil
        defer { sws_freeContext(context) }
        return convertToRGB(frame, width: ow, height: oh, context: &context)
    }
}

/// Only ever scales down, keeping the aspect ratio.
func snapshotSize(width w: Int, height h: Int, maxWidth: Int) -> (Int, Int) {
    guard maxWidth > 0 && w > maxWidth else { return (w, h) }
    return (maxWidth, max(1, Int((Double(h) * Double(maxWidth) / Double(w)).rounded())))
}
