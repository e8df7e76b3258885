import Foundation
import LaneCore

/// A `VideoSource` running on a thread of its own, up to `depth` frames ahead of its reader,
/// so demuxing, scaling and packet bookkeeping overlap the analysis instead of
/// alternating with it (libavcodec's frame threads only overlap the decoding proper).
///
/// Every FFmpeg object (demuxer, decoder, scalers, the clip recorder's packet ring) lives
/// and dies on the decode thread. What crosses is Sendable: decoded `VideoFrame`s, each
/// with a `HeldFrame` reference to its full-size picture (so `holdCurrentFrame()` is the
/// frame last returned by `next()`, as with `VideoSource`), clip requests going in and
/// clip results coming back. Clip requests are served on the decode thread; since it
/// reads a little ahead, a clip may be written a few frames earlier than by a
/// `VideoSource` read in step, and its packet history is lengthened by that lead so
/// clips reach back at least as far.
///
/// Use one instance from one task, like `VideoSource`.
public final class DecodeAheadSource {
    public let info: VideoInfo
    private let mailbox: Mailbox
    private var current: HeldFrame?
    private var failure: MediaError?
    /// Packets the decoder rejected as corrupt, as of the frame last returned.
    public private(set) var corruptPackets = 0

    /// Opens `url` on a new decode thread; throws what opening it threw.
    public init(url: String, options: SourceOptions = .init(), depth: Int = 8) throws(MediaError) {
        let mailbox = Mailbox(depth: max(1, depth))
        let thread = Thread { DecodeAheadSource.decodeLoop(url: url, options: options, mailbox: mailbox) }
        thread.name = "lanesight-decode"
        thread.start()
        switch mailbox.waitOpened() {
        case .success(let info):
            self.info = info
            self.mailbox = mailbox
        case .failure(let error):
            throw error
        }
    }

    deinit { mailbox.stop() }

    /// The next frame, or nil at the end of the stream. A read or decode error comes after
    /// the frames decoded before it, and again on every later call.
    public func next() throws(MediaError) -> VideoFrame? {
        if let failure { throw failure }
        switch mailbox.take() {
        case .frame(let d):
            current = d.held
            corruptPackets = d.corruptPackets
            return d.frame
        case .end:
            return nil
        case .failed(let e):
            failure = e
            throw e
        }
    }

    /// The frame last returned by `next()`, held by reference.
    public func holdCurrentFrame() -> HeldFrame? { current }

    /// As `ClipRecorder.request`: times on the source's timeline.
    public func requestClip(from: Double, to: Double, path: URL, id: String) {
        mailbox.request(ClipRequest(from: from, to: to, path: path, id: id))
    }

    /// Clips written since the last call.
    public func takeCompletedClips() -> [Result<ClipResult, MediaError>] { mailbox.takeCompleted() }

    /// Stops decoding, writes the pending clips with what has been read and returns
    /// every result not taken yet. Call once, after the last `next()`.
    public func finishClips() -> [Result<ClipResult, MediaError>] { mailbox.finish() }

    // MARK: - The decode thread

    private static func decodeLoop(url: String, options: SourceOptions, mailbox: Mailbox) {
        let source: VideoSource
        do {
            source = try VideoSource(url: url, options: options)
        } catch {
            mailbox.opened(.failure(error))
            return
        }
        mailbox.opened(.success(source.info))
        // This thread reads up to `depth` frames (plus the one being decoded) past the
        // reader's frame: keep that much more, so clips reach back as far as with a
        // VideoSource read in step. 5 fps when the rate is unknown: more, never less.
        let fps = min(max(source.info.frameRate ?? 5, 1), 240)
        source.clips.history += Double(mailbox.depth + 1) / fps
        var ended = false
        while true {
            let work = mailbox.waitForWork(ended: ended)
            for r in work.requests { source.clips.request(from: r.from, to: r.to, path: r.path, id: r.id) }
            if work.stop { return }
            if work.finish {
                mailbox.finished(source.clips.finish())
                return
            }
            if ended {
                mailbox.completed(source.clips.takeCompleted())
                continue
            }
            let item: Mailbox.Item
            do {
                if let frame = try source.next() {
                    item = .frame(Decoded(frame: frame, held: source.holdCurrentFrame(), corruptPackets: source.corruptPackets))
                } else {
                    item = .end
                    ended = true
                }
            } catch {
                item = .failed(error)
                ended = true
            }
            mailbox.push(item, completed: source.clips.takeCompleted())
        }
    }
}

struct ClipRequest: Sendable {
    var from: Double
    var to: Double
    var path: URL
    var id: String
}

struct Decoded: Sendable {
    var frame: VideoFrame
    var held: HeldFrame?
    var corruptPackets: Int
}

/// What the reader and the decode thread share, all of it behind one condition lock.
private final class Mailbox: @unchecked Sendable {
    enum Item: Sendable {
        case frame(Decoded)
        case end
        case failed(MediaError)
    }

    private let condition = NSCondition()
    let depth: Int
    private var openResult: Result<VideoInfo, MediaError>?
    /// At most `depth` frames, then maybe an end or a failure.
    private var items: [Item] = []
    private var requests: [ClipRequest] = []
    private var results: [Result<ClipResult, MediaError>] = []
    private var finishAsked = false
    private var finishDone = false
    private var stopped = false

    init(depth: Int) { self.depth = depth }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private var queued: Int { items.count }

    // Reader side.

    func waitOpened() -> Result<VideoInfo, MediaError> {
        locked {
            while openResult == nil { condition.wait() }
            return openResult!
        }
    }

    func take() -> Item {
        locked {
            while queued == 0 { condition.wait() }
            let item = items[0]
            // An end or a failure stays queued: later calls see it again. A frame goes
            // at once, so that nothing pins the decoder's buffer once the reader moved on.
            if case .frame = item {
                items.removeFirst()
                condition.broadcast()
            }
            return item
        }
    }

    func request(_ r: ClipRequest) {
        locked {
            requests.append(r)
            condition.broadcast()
        }
    }

    func takeCompleted() -> [Result<ClipResult, MediaError>] {
        locked {
            defer { results.removeAll() }
            return results
        }
    }

    func finish() -> [Result<ClipResult, MediaError>] {
        locked {
            finishAsked = true
            condition.broadcast()
            while !finishDone && !stopped { condition.wait() }
            defer { results.removeAll() }
            return results
        }
    }

    func stop() {
        locked {
            stopped = true
            condition.broadcast()
        }
    }

    // Decode thread side.

    func opened(_ r: Result<VideoInfo, MediaError>) {
        locked {
            openResult = r
            condition.broadcast()
        }
    }

    /// Blocks while there is nothing to do: the queue is full (or the stream has ended)
    /// and no request, finish or stop came in.
    func waitForWork(ended: Bool) -> (requests: [ClipRequest], finish: Bool, stop: Bool) {
        locked {
            while !stopped && !finishAsked && requests.isEmpty && (ended || queued >= depth) {
                condition.wait()
            }
            defer { requests.removeAll() }
            return (requests, finishAsked, stopped)
        }
    }

    func push(_ item: Item, completed: [Result<ClipResult, MediaError>]) {
        locked {
            items.append(item)
            results += completed
            condition.broadcast()
        }
    }

    func completed(_ completed: [Result<ClipResult, MediaError>]) {
        guard !completed.isEmpty else { return }
        locked { results += completed }
    }

    func finished(_ completed: [Result<ClipResult, MediaError>]) {
        locked {
            results += completed
            finishDone = true
            condition.broadcast()
        }
    }
}
