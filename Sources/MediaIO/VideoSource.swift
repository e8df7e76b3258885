import CFFmpeg
import Foundation
import LaneCore

public struct VideoInfo: Sendable {
    public var url: String
    public var width: Int
    public var height: Int
    public var frameRate: Double?
    public var duration: Double?
    public var frameCount: Int?
    /// Epoch seconds from the container's `creation_time` tag.
    public var creationTime: Double?
    /// FFmpeg's codec name (`h264`, `hevc`, `mjpeg`, …).
    public var codec: String
    /// Size of `VideoFrame.analysis`.
    public var analysisWidth: Int
    public var analysisHeight: Int
    /// The part of the frame the analysis copy shows (normalized, exactly as
    /// cut after rounding to pixels); nil: the whole frame.
    public var analysisRegion: NormalizedRect?

    public init(url: String, width: Int, height: Int, frameRate: Double?, duration: Double?, frameCount: Int?,
                creationTime: Double?, codec: String, analysisWidth: Int = 0, analysisHeight: Int = 0,
                analysisRegion: NormalizedRect? = nil) {
        self.url = url; self.width = width; self.height = height; self.frameRate = frameRate
        self.duration = duration; self.frameCount = frameCount; self.creationTime = creationTime; self.codec = codec
        self.analysisWidth = analysisWidth; self.analysisHeight = analysisHeight; self.analysisRegion = analysisRegion
    }
}

public struct SourceOptions: Sendable {
    /// Width of the analysis planes; the height keeps the aspect ratio, rounded to even.
    /// 0 or less keeps the source width.
    public var analysisWidth: Int = 320
    /// Analyse only this part of the frame (normalized); nil: all of it. The
    /// analysis copy then has about as many pixels as the whole frame would
    /// have at `analysisWidth`, so a lane that a wide camera shows small is
    /// analysed larger at the same cost.
    public var analysisRegion: NormalizedRect?
    /// The region's copy is at most this many times finer than the whole
    /// frame's: finer still, it keeps the sensor noise and compression
    /// artefacts that scaling down averages away, which the vision's
    /// thresholds were never meant for.
    public var maxRegionZoom = 2.0
    /// Decoder threads; 0 = one per core (frame threading).
    public var decoderThreads: Int = 0
    /// `tcp` or `udp`, for rtsp:// URLs.
    public var rtspTransport: String = "tcp"
    /// Seconds to wait for a network source to open; also the longest a read may stall.
    public var openTimeout: Double = 10
    /// Seconds of packets kept for clips.
    public var packetHistory: Double = 30
    /// swscale's filter for the analysis copy. Fast bilinear measured fastest with no
    /// visible difference at 4× downscale; see docs/media.md.
    public var analysisScaler: AnalysisScaler = .fastBilinear

    public enum AnalysisScaler: Sendable { case fastBilinear, bilinear, area }

    public init() {}
}

public struct VideoFrame: Sendable {
    public let index: Int
    /// Seconds since the first frame, from the stream's timestamps.
    public let time: Double
    /// Y, U, V planes at analysis size, 4:4:4.
    public let analysis: PlanarYUV

    public init(index: Int, time: Double, analysis: PlanarYUV) {
        self.index = index; self.time = time; self.analysis = analysis
    }
}

/// A video file or a live stream (rtsp://, http://), decoded frame by frame. Keeps its
/// FFmpeg objects to itself: use one source from one task; what it returns is Sendable.
///
/// Frame times come from each frame's best-effort timestamp in the stream's time base,
/// minus the first frame's. They never go backwards: a frame without a timestamp, or one
/// not later than the previous frame, gets the previous time plus one nominal frame
/// duration, and later frames keep that shift (a camera that restarts its clock).
/// Forward jumps are kept: on a live stream they are real gaps.
public final class VideoSource {
    public let info: VideoInfo
    public let clips: ClipRecorder

    private let decoder: Decoder
    private let options: SourceOptions
    private let decoded: UnsafeMutablePointer<AVFrame>
    private let last: UnsafeMutablePointer<AVFrame>
    private let scaled: UnsafeMutablePointer<AVFrame>
    /// A reference to the decoded frame with its borders cropped off (no pixels copied).
    private let cropped: UnsafeMutablePointer<AVFrame>
    private var hasLast = false
    private var analysisSws: OpaquePointer?
    private var snapshotSws: OpaquePointer?
    private var frameIndex = 0
    private var originPts: Int64?
    private var shift = 0.0
    private var lastTime: Double?
    private let secondsPerTick: Double
    private let nominalFrameDuration: Double
    private let swsFlags: Int32

    public init(url: String, options: SourceOptions = .init()) throws(MediaError) {
        self.options = options
        decoder = try Decoder(url: url, threads: options.decoderThreads, rtspTransport: options.rtspTransport,
                              timeout: options.openTimeout)
        let st = decoder.stream
        let par = st.pointee.codecpar!
        let tb = st.pointee.time_base
        secondsPerTick = tb.den != 0 ? Double(tb.num) / Double(tb.den) : 1.0 / 90_000
        let nopts = lanesight_av_nopts_value()

        let rate = av_guess_frame_rate(decoder.format, st, nil)
        let frameRate: Double? = rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : nil
        nominalFrameDuration = 1.0 / (frameRate.map { min(max($0, 1), 240) } ?? 25)
        var duration: Double? = nil
        if st.pointee.duration != nopts && st.pointee.duration > 0 {
            duration = Double(st.pointee.duration) * secondsPerTick
        } else if decoder.format.pointee.duration != nopts && decoder.format.pointee.duration > 0 {
            duration = Double(decoder.format.pointee.duration) / Double(lanesight_av_time_base())
        }
        let width = Int(par.pointee.width), height = Int(par.pointee.height)
        var aw = options.analysisWidth > 0 ? options.analysisWidth : width
        var ah = max(2, Int((Double(height) * Double(aw) / Double(width) / 2).rounded()) * 2)
        var region: NormalizedRect?
        if let r = options.analysisRegion, let c = Self.crop(r, width: width, height: height), c.w < width || c.h < height {
            region = NormalizedRect(x: Double(c.x) / Double(width), y: Double(c.y) / Double(height),
                                    width: Double(c.w) / Double(width), height: Double(c.h) / Double(height))
            // The same pixel budget, never more pixels than the source has, and
            // at most `maxRegionZoom` times finer than the whole frame would be.
            let whole = Double(aw) / Double(width)
            let s = min(1, options.maxRegionZoom * whole, (Double(aw * ah) / Double(c.w * c.h)).squareRoot())
            aw = max(2, Int((Double(c.w) * s / 2).rounded()) * 2)
            ah = max(2, Int((Double(c.h) * s / 2).rounded()) * 2)
        }
        info = VideoInfo(
            url: url, width: width, height: height, frameRate: frameRate, duration: duration,
            frameCount: st.pointee.nb_frames > 0 ? Int(st.pointee.nb_frames) : nil,
            creationTime: VideoSource.creationTime(decoder.format, st),
            codec: String(cString: avcodec_get_name(par.pointee.codec_id)),
            analysisWidth: aw, analysisHeight: ah, analysisRegion: region)
        switch options.analysisScaler {
        case .fastBilinear: swsFlags = SWS_FAST_BILINEAR
        case .bilinear: swsFlags = SWS_BILINEAR
        case .area: swsFlags = SWS_AREA
        }

        guard let d = av_frame_alloc(), let l = av_frame_alloc(), let s = av_frame_alloc() else {
            fatalError("av_frame_alloc: out of memory")
        }
        decoded = d; last = l; scaled = s
        s.pointee.width = Int32(aw)
        s.pointee.height = Int32(ah)
        s.pointee.format = AV_PIX_FMT_YUV444P.rawValue
        if av_frame_get_buffer(s, 64) < 0 { fatalError("av_frame_get_buffer: out of memory") }
        guard let c = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        cropped = c

        clips = ClipRecorder(parameters: par, timeBase: tb, history: options.packetHistory,
                             frameDuration: nominalFrameDuration, url: url)
        let recorder = clips
        decoder.onPacket = { recorder.ingest($0) }
    }

    deinit {
        var d: UnsafeMutablePointer<AVFrame>? = decoded
        av_frame_free(&d)
        var l: UnsafeMutablePointer<AVFrame>? = last
        av_frame_free(&l)
        var s: UnsafeMutablePointer<AVFrame>? = scaled
        av_frame_free(&s)
        var c: UnsafeMutablePointer<AVFrame>? = cropped
        av_frame_free(&c)
        sws_freeContext(analysisSws)
        sws_freeContext(snapshotSws)
    }

    /// Packets the decoder rejected as corrupt so far (live streams lose some).
    public var corruptPackets: Int { decoder.corruptPackets }

    /// The next frame, or nil at the end of the stream.
    public func next() throws(MediaError) -> VideoFrame? {
        guard try decoder.receive(decoded) else { return nil }
        av_frame_unref(last)
        av_frame_move_ref(last, decoded)
        hasLast = true
        let time = timeOf(last)
        let analysis = try scaleForAnalysis(last)
        defer { frameIndex += 1 }
        return VideoFrame(index: frameIndex, time: time, analysis: analysis)
    }

    private func timeOf(_ frame: UnsafeMutablePointer<AVFrame>) -> Double {
        let raw = frame.pointee.best_effort_timestamp
        var t: Double
        if raw == lanesight_av_nopts_value() {
            t = (lastTime ?? -nominalFrameDuration) + nominalFrameDuration
        } else {
            if originPts == nil {
                originPts = raw
                clips.setOrigin(raw)
            }
            t = Double(raw - originPts!) * secondsPerTick + shift
            if let previous = lastTime, t <= previous {
                let fixed = previous + nominalFrameDuration
                shift += fixed - t
                t = fixed
            }
        }
        lastTime = t
        return t
    }

    /// `region` in pixels of a width × height frame: the left edge on a multiple
    /// of 16 (aligned rows for swscale), sizes even (chroma subsampling).
    static func crop(_ region: NormalizedRect, width: Int, height: Int) -> (x: Int, y: Int, w: Int, h: Int)? {
        let x0 = max(0, min(width - 2, Int((region.x * Double(width)).rounded(.down)) / 16 * 16))
        let y0 = max(0, min(height - 2, Int((region.y * Double(height)).rounded(.down)) / 2 * 2))
        let x1 = min(width, Int(((region.x + region.width) * Double(width)).rounded(.up)))
        let y1 = min(height, Int(((region.y + region.height) * Double(height)).rounded(.up)))
        let w = (x1 - x0) / 2 * 2, h = (y1 - y0) / 2 * 2
        guard w >= 2, h >= 2 else { return nil }
        return (x0, y0, w, h)
    }

    private func scaleForAnalysis(_ decodedFrame: UnsafeMutablePointer<AVFrame>) throws(MediaError) -> PlanarYUV {
        let aw = info.analysisWidth, ah = info.analysisHeight
        var frame = decodedFrame
        if let r = info.analysisRegion {
            // The region in this frame's pixels (a stream may change size on the way).
            let fw = Int(decodedFrame.pointee.width), fh = Int(decodedFrame.pointee.height)
            if let c = Self.crop(r, width: fw, height: fh) {
                av_frame_unref(cropped)
                if av_frame_ref(cropped, decodedFrame) < 0 { throw MediaError(url: info.url, message: "out of memory") }
                cropped.pointee.crop_left = Int(c.x)
                cropped.pointee.crop_top = Int(c.y)
                cropped.pointee.crop_right = Int(fw - c.x - c.w)
                cropped.pointee.crop_bottom = Int(fh - c.y - c.h)
                let e = av_frame_apply_cropping(cropped, Int32(AV_FRAME_CROP_UNALIGNED))
                if e < 0 { throw MediaError(url: info.url, message: "cannot crop the frame for analysis: \(avErrorText(e))") }
                frame = cropped
            }
        }
        defer { if frame == cropped { av_frame_unref(cropped) } }
        analysisSws = sws_getCachedContext(analysisSws, frame.pointee.width, frame.pointee.height,
                                           AVPixelFormat(frame.pointee.format), Int32(aw), Int32(ah),
                                           AV_PIX_FMT_YUV444P, swsFlags, nil, nil, nil)
        guard analysisSws != nil else {
            throw MediaError(url: info.url, message: "cannot convert pixel format \(pixelFormatName(frame.pointee.format)) for analysis")
        }
        let r = sws_scale_frame(analysisSws, scaled, frame)
        if r < 0 { throw MediaError(url: info.url, message: "scaling failed: \(avErrorText(r))") }
        let planes = (0..<3).map { copyPlane(scaled, $0, width: aw, height: ah) }
        return PlanarYUV(width: aw, height: ah, y: planes[0], u: planes[1], v: planes[2])
    }

    /// The last decoded frame, held by reference (no pixels copied, nothing converted):
    /// taking one per evidence request is cheap; `rgb(maxWidth:)` gives the same picture
    /// `snapshot(maxWidth:)` would have given at this frame.
    public func holdCurrentFrame() -> HeldFrame? {
        guard hasLast else { return nil }
        return HeldFrame(referencing: last)
    }

    /// The last decoded frame as RGB, scaled down (aspect kept) only when wider than `maxWidth`.
    public func snapshot(maxWidth: Int) -> RGBImage? {
        guard hasLast else { return nil }
        let (ow, oh) = snapshotSize(width: Int(last.pointee.width), height: Int(last.pointee.height), maxWidth: maxWidth)
        return convertToRGB(last, width: ow, height: oh, context: &snapshotSws)
    }

    static func creationTime(_ fmt: UnsafeMutablePointer<AVFormatContext>, _ st: UnsafeMutablePointer<AVStream>) -> Double? {
        for dict in [fmt.pointee.metadata, st.pointee.metadata] {
            if let entry = av_dict_get(dict, "creation_time", nil, 0), let value = entry.pointee.value,
               let t = ISOTime.parseEpochSeconds(String(cString: value)) {
                return t
            }
        }
        return nil
    }
}

func pixelFormatName(_ format: Int32) -> String {
    av_get_pix_fmt_name(AVPixelFormat(format)).map { String(cString: $0) } ?? "\(format)"
}

/// Copies one plane of `frame` into a tight array (the frame's rows are padded).
@inline(__always)
func copyPlane(_ frame: UnsafeMutablePointer<AVFrame>, _ plane: Int, width: Int, height: Int) -> [UInt8] {
    let stride = Int(withUnsafeBytes(of: frame.pointee.linesize) { $0.load(fromByteOffset: plane * 4, as: Int32.self) })
    let base = withUnsafeBytes(of: frame.pointee.data) { $0.load(fromByteOffset: plane * MemoryLayout<UnsafeMutablePointer<UInt8>?>.stride, as: UnsafeMutablePointer<UInt8>?.self) }!
    return [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
        if stride == width {
            buffer.baseAddress!.update(from: base, count: width * height)
        } else {
            for row in 0..<height {
                (buffer.baseAddress! + row * width).update(from: base + row * stride, count: width)
            }
        }
        count = width * height
    }
}

/// Converts a decoded frame to packed RGB at the given size with the frame's own colour
/// matrix and range (HD video is usually BT.709; swscale assumes BT.601 unless told).
func convertToRGB(_ frame: UnsafeMutablePointer<AVFrame>, width ow: Int, height oh: Int,
                  context: inout OpaquePointer?,
                  flags: Int32 = SWS_BICUBIC | SWS_FULL_CHR_H_INT | SWS_ACCURATE_RND) -> RGBImage? {
    let src = AVPixelFormat(frame.pointee.format)
    context = sws_getCachedContext(context, frame.pointee.width, frame.pointee.height, src, Int32(ow), Int32(oh),
                                   AV_PIX_FMT_RGB24, flags, nil, nil, nil)
    guard let ctx = context else { return nil }
    let isYUV: Bool = {
        guard let d = av_pix_fmt_desc_get(src) else { return false }
        return (d.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB)) == 0 && d.pointee.nb_components >= 3
    }()
    if isYUV {
        let cs = frame.pointee.colorspace
        let matrix = cs == AVCOL_SPC_UNSPECIFIED || cs == AVCOL_SPC_RGB ? SWS_CS_DEFAULT : Int32(cs.rawValue)
        let fullRange: Int32 = frame.pointee.color_range == AVCOL_RANGE_JPEG
            || [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P].contains(src) ? 1 : 0
        _ = sws_setColorspaceDetails(ctx, sws_getCoefficients(matrix), fullRange,
                                     sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
    }
    guard let out = av_frame_alloc() else { return nil }
    var outOpt: UnsafeMutablePointer<AVFrame>? = out
    defer { av_frame_free(&outOpt) }
    out.pointee.width = Int32(ow)
    out.pointee.height = Int32(oh)
    out.pointee.format = AV_PIX_FMT_RGB24.rawValue
    guard av_frame_get_buffer(out, 64) >= 0, sws_scale_frame(ctx, out, frame) >= 0 else { return nil }
    return RGBImage(width: ow, height: oh, pixels: copyPlane(out, 0, width: ow * 3, height: oh))
}
