import CFFmpeg
import Foundation

public struct ClipResult: Sendable {
    public var path: URL
    /// Source time (seconds since the first frame) of the clip's first and past-last frame.
    public var start: Double
    public var end: Double
    /// True: packets copied, no re-encode.
    public var copied: Bool
    public var startsOnKeyframe: Bool
    /// The `id` given to `request`.
    public var id: String
    public var packets: Int

    public init(path: URL, start: Double, end: Double, copied: Bool, startsOnKeyframe: Bool, id: String = "", packets: Int = 0) {
        self.path = path; self.start = start; self.end = end; self.copied = copied
        self.startsOnKeyframe = startsOnKeyframe; self.id = id; self.packets = packets
    }
}

/// One reference to a demuxed packet; the ring and the pending clips share it.
private final class PacketBox {
    let packet: UnsafeMutablePointer<AVPacket>
    var pts: Int64 { packet.pointee.pts }
    var dts: Int64 { packet.pointee.dts }
    var end: Int64 { packet.pointee.pts + max(packet.pointee.duration, 0) }
    let key: Bool

    init(_ packet: UnsafeMutablePointer<AVPacket>) {
        self.packet = packet
        key = lanesight_pkt_is_key(packet) != 0
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&p)
    }
}

/// Keeps the last `packetHistory` seconds of the video stream's packets (refcounted, not
/// copied) and cuts MP4 clips from them without re-encoding. Fed by its VideoSource on
/// the source's thread; use it from that thread only.
///
/// The ring always reaches back to a keyframe at or before its horizon, so a clip can
/// start on the keyframe at or before `from`. Packet times use the same origin as the
/// frames (the first frame's timestamp) and the same rule for timestamps that jump
/// backwards (continue one frame on), applied in decode order; with B-frames across
/// such a jump the two timelines can differ by a frame or two.
public final class ClipRecorder {
    private struct Request {
        var from: Double
        var to: Double
        var path: URL
        var id: String
        /// nil until `from` has been reached and a start packet chosen.
        var packets: [PacketBox]?
    }

    private let parameters: UnsafeMutablePointer<AVCodecParameters>
    private let timeBase: AVRational
    private let secondsPerTick: Double
    /// Seconds kept behind the newest packet. A reader running ahead adds its lead, so
    /// that the frame its consumer is at still has the full history behind it.
    var history: Double
    private let url: String
    private var ring: [PacketBox] = []
    /// Indices into `ring` of keyframes, ascending.
    private var keyframes: [Int] = []
    private var origin: Int64?
    private var newestPts: Int64?
    private var newestEnd: Int64?
    private var lastDts: Int64?
    private var lastDtsTrusted = false
    /// Ticks added to every packet since the last backward jump of decode times.
    private var shift: Int64 = 0
    private let nominalTicks: Int64
    private var pending: [Request] = []
    private var completed: [Result<ClipResult, MediaError>] = []
    private let nopts = lanesight_av_nopts_value()

    init(parameters source: UnsafePointer<AVCodecParameters>, timeBase: AVRational, history: Double,
         frameDuration: Double, url: String) {
        guard let p = avcodec_parameters_alloc() else { fatalError("avcodec_parameters_alloc: out of memory") }
        avcodec_parameters_copy(p, source)
        parameters = p
        self.timeBase = timeBase
        secondsPerTick = timeBase.den != 0 ? Double(timeBase.num) / Double(timeBase.den) : 1.0 / 90_000
        self.history = max(history, 0)
        nominalTicks = max(1, Int64((frameDuration / secondsPerTick).rounded()))
        self.url = url
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecParameters>? = parameters
        avcodec_parameters_free(&p)
    }

    /// Ask for an MP4 covering [from, to] on the source's timeline (s since first frame). It starts
    /// at the keyframe at or before `from` (if still in the history) and is written once packets past
    /// `to` have been read (or at finish()).
    public func request(from: Double, to: Double, path: URL, id: String) {
        guard to >= from else {
            completed.append(.failure(MediaError(url: path.path, message: "clip \(id): end \(to) is before start \(from)")))
            return
        }
        pending.append(Request(from: from, to: to, path: path, id: id))
        advance(finishing: false)
    }

    /// Clips completed since the last call.
    public func takeCompleted() -> [Result<ClipResult, MediaError>] {
        defer { completed.removeAll() }
        return completed
    }

    /// Writes the pending clips with what there is.
    public func finish() -> [Result<ClipResult, MediaError>] {
        advance(finishing: true)
        return takeCompleted()
    }

    /// Clips asked for and not yet written.
    public var pendingCount: Int { pending.count }

    /// Seconds of packets held now.
    public var heldSeconds: Double {
        guard let first = ring.first, let newestPts else { return 0 }
        return Double(newestPts - first.pts) * secondsPerTick
    }

    /// FFmpeg's MKTAG: the four characters, first in the lowest byte.
    static func fourCC(_ s: String) -> UInt32 {
        s.utf8.prefix(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    // MARK: - Fed by VideoSource

    func setOrigin(_ pts: Int64) {
        origin = pts
        advance(finishing: false)
    }

    func ingest(_ source: UnsafeMutablePointer<AVPacket>) {
        guard let packet = av_packet_clone(source) else { return }
        let p = packet
        let step = p.pointee.duration > 0 ? p.pointee.duration : nominalTicks
        // The muxer needs both timestamps; raw H.264 over RTP may carry only one.
        let realDts = p.pointee.dts != nopts
        if p.pointee.pts == nopts { p.pointee.pts = p.pointee.dts }
        if p.pointee.dts == nopts { p.pointee.dts = p.pointee.pts }
        if p.pointee.dts == nopts {
            p.pointee.dts = (lastDts.map { $0 - shift } ?? -step) + step
            p.pointee.pts = p.pointee.dts
        }
        p.pointee.pts += shift
        p.pointee.dts += shift
        var trusted = realDts
        if let lastDts, p.pointee.dts <= lastDts {
            trusted = false
            if realDts && lastDtsTrusted {
                // Decode times went backwards: a restarted camera clock or joined
                // segments. Continue the timeline one frame on, as VideoSource does.
                let add = lastDts + step - p.pointee.dts
                shift += add
                p.pointee.pts += add
                p.pointee.dts += add
                trusted = true
            } else {
                // A stand-in dts on either side (RTP gives none until the parser has seen
                // enough; B-frames reorder pts): only keep it increasing.
                p.pointee.dts = lastDts + 1
                p.pointee.pts = max(p.pointee.pts, p.pointee.dts)
            }
        }
        lastDts = packet.pointee.dts
        lastDtsTrusted = trusted
        let box = PacketBox(packet)
        if box.key { keyframes.append(ring.count) }
        ring.append(box)
        newestPts = max(newestPts ?? box.pts, box.pts)
        newestEnd = max(newestEnd ?? box.end, box.end)
        for i in pending.indices where pending[i].packets != nil {
            pending[i].packets!.append(box)
        }
        evict()
        advance(finishing: false)
    }

    private func time(_ pts: Int64) -> Double {
        Double(pts - (origin ?? ring.first?.pts ?? 0)) * secondsPerTick
    }

    private func evict() {
        guard let newestPts else { return }
        let horizon = time(newestPts) - history
        var head = 0
        var k = 0
        // Whole groups of pictures: keep the last keyframe at or before the horizon.
        while k + 1 < keyframes.count, time(ring[keyframes[k + 1]].pts) <= horizon {
            k += 1
            head = keyframes[k]
        }
        // Before the first keyframe (joined mid-GOP) or without keyframes: by time alone.
        let limit = k < keyframes.count ? keyframes[k] : ring.count
        while head < limit, time(ring[head].pts) < horizon { head += 1 }
        guard head > 0 else { return }
        ring.removeFirst(head)
        keyframes = keyframes.compactMap { $0 >= head ? $0 - head : nil }
    }

    private func advance(finishing: Bool) {
        guard !pending.isEmpty else { return }
        // A request may start anywhere up to the end of the newest frame.
        let newest = newestEnd.map(time)
        let lastDecodeTime = ring.last.map { time($0.dts) }
        var remaining: [Request] = []
        for var request in pending {
            if request.packets == nil, let oldest = ring.first.map({ time($0.pts) }), oldest > request.to {
                // Asked for too late: whatever is left would be a clip of another moment.
                let message = String(format: "clip %@: %.3f–%.3f s has left the %.0f s packet history (it holds %.3f s on)",
                                     request.id, request.from, request.to, history, oldest)
                completed.append(.failure(MediaError(url: request.path.path, message: message)))
                continue
            }
            if request.packets == nil, let newest, newest >= request.from {
                request.packets = startPackets(for: request, finishing: finishing)
            }
            if let packets = request.packets, !packets.isEmpty,
               finishing || ((lastDecodeTime.map { $0 > request.to } ?? false) && cut(packets, to: request.to).complete) {
                completed.append(write(request, packets: cut(packets, to: request.to).packets))
            } else if finishing {
                let what = ring.isEmpty ? "no video packets were read" : "the stream ended before \(String(format: "%.3f", request.from)) s"
                completed.append(.failure(MediaError(url: request.path.path, message: "clip \(request.id): \(what)")))
            } else {
                remaining.append(request)
            }
        }
        pending = remaining
    }

    /// Packets from the keyframe at or before `from`; failing that, from the first keyframe
    /// after it; nil while neither is known yet.
    private func startPackets(for request: Request, finishing: Bool) -> [PacketBox]? {
        let epsilon = 1e-3
        if let k = keyframes.last(where: { time(ring[$0].pts) <= request.from + epsilon }) {
            return Array(ring[k...])
        }
        if let k = keyframes.first(where: { time(ring[$0].pts) > request.from }), time(ring[k].pts) <= request.to {
            return Array(ring[k...])
        }
        if finishing || (ring.last.map { time($0.dts) > request.to } ?? false) {
            // No keyframe in reach (a stream that never flags one): the packets in the span,
            // which a player shows from its next recovery point.
            return ring.filter { time($0.pts) >= request.from - epsilon }
        }
        return nil
    }

    /// The packets of a clip from `packets` (which start on the clip's first packet), in
    /// decode order. Leading pictures of an open GOP (shown before the start, referring
    /// to frames before it) are dropped. At the first packet that decodes after `to`, the
    /// largest presentation time so far becomes the limit: frames shown before it are
    /// still taken (B-frames), frames shown after it are not, so the clip has no holes.
    /// Complete once a packet decoding at or after that limit was seen.
    private func cut(_ packets: [PacketBox], to: Double) -> (packets: [PacketBox], complete: Bool) {
        guard let first = packets.first else { return ([], false) }
        var chosen: [PacketBox] = [first]
        var maxPts = first.pts
        var limit: Int64? = nil
        for box in packets.dropFirst() {
            if box.pts < first.pts { continue }
            if limit == nil, time(box.dts) > to { limit = maxPts }
            if let limit {
                if box.dts >= limit { return (chosen, true) }
                if box.pts < limit { chosen.append(box) }
                continue
            }
            chosen.append(box)
            maxPts = max(maxPts, box.pts)
        }
        return (chosen, false)
    }

    private func write(_ request: Request, packets chosen: [PacketBox]) -> Result<ClipResult, MediaError> {
        let path = request.path
        func failure(_ message: String) -> Result<ClipResult, MediaError> {
            try? FileManager.default.removeItem(at: path)
            return .failure(MediaError(url: path.path, message: "clip \(request.id): \(message)"))
        }
        guard let first = chosen.first else { return failure("no packets") }
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            return failure("cannot create the folder: \(error.localizedDescription)")
        }

        var out: UnsafeMutablePointer<AVFormatContext>? = nil
        var r = avformat_alloc_output_context2(&out, nil, "mp4", path.path)
        guard r >= 0, let fmt = out else { return failure("cannot create an MP4 muxer: \(avErrorText(r))") }
        defer {
            if fmt.pointee.pb != nil { avio_closep(&fmt.pointee.pb) }
            avformat_free_context(fmt)
        }
        guard let st = avformat_new_stream(fmt, nil) else { return failure("out of memory") }
        avcodec_parameters_copy(st.pointee.codecpar, parameters)
        st.pointee.codecpar.pointee.codec_tag = 0
        // H.265 (many CCTV cameras record it): FFmpeg's MP4 default is `hev1`, which
        // Apple's players refuse; `hvc1` (parameter sets in the sample entry, known
        // here from the stream's extradata) plays everywhere that plays H.265.
        if parameters.pointee.codec_id == AV_CODEC_ID_HEVC && parameters.pointee.extradata_size > 0 {
            st.pointee.codecpar.pointee.codec_tag = Self.fourCC("hvc1")
        }
        st.pointee.time_base = timeBase
        r = avio_open(&fmt.pointee.pb, path.path, lanesight_avio_flag_write())
        if r < 0 { return failure("cannot write the file: \(avErrorText(r))") }
        var options: OpaquePointer? = nil
        av_dict_set(&options, "movflags", "+faststart", 0)
        r = avformat_write_header(fmt, &options)
        av_dict_free(&options)
        if r < 0 { return failure("cannot start the MP4 (codec \(String(cString: avcodec_get_name(parameters.pointee.codec_id)))): \(avErrorText(r))") }

        guard let temp = av_packet_alloc() else { return failure("out of memory") }
        var tempOpt: UnsafeMutablePointer<AVPacket>? = temp
        defer { av_packet_free(&tempOpt) }
        // Rebased so the first frame shows at 0; earlier dts (B-frames) go negative and
        // the muxer covers that with an edit list.
        let base = first.pts
        var endPts = first.end
        for box in chosen {
            r = av_packet_ref(temp, box.packet)
            if r < 0 { return failure("out of memory") }
            temp.pointee.pts -= base
            temp.pointee.dts -= base
            temp.pointee.stream_index = 0
            temp.pointee.pos = -1
            av_packet_rescale_ts(temp, timeBase, st.pointee.time_base)
            r = av_write_frame(fmt, temp)
            av_packet_unref(temp)
            if r < 0 { return failure("writing a packet failed: \(avErrorText(r))") }
            endPts = max(endPts, box.end)
        }
        r = av_write_trailer(fmt)
        if r < 0 { return failure("finishing the MP4 failed: \(avErrorText(r))") }
        return .success(ClipResult(path: path, start: time(first.pts), end: time(endPts), copied: true,
                                   startsOnKeyframe: first.key, id: request.id, packets: chosen.count))
    }
}
