#!/usr/bin/env python3
"""Serve an MP4 (H.264) file over RTSP on 127.0.0.1, like a lane camera.

    tools/rtsp_serve.py lane.mp4 [--port 8554] [--mount /sco-03] [--loop]

Prints one line `READY rtsp://127.0.0.1:PORT/MOUNT` on stdout once it accepts
connections (with --port 0 the system picks a free port), then serves until killed.
Each client gets its own pipeline from the start of the file (no re-encode: the
H.264 is repacketised as RTP). Needs GStreamer's RTSP server and its Python
bindings (Debian: gstreamer1.0-rtsp python3-gi gir1.2-gst-rtsp-server-1.0
gstreamer1.0-plugins-good gstreamer1.0-plugins-bad); they live in the system
Python, so run it with /usr/bin/python3 when another python3 comes first.
"""
import argparse
import os
import signal
import sys

try:
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtspServer
except (ImportError, ValueError) as error:
    print(f"rtsp_serve: GStreamer RTSP server bindings are missing ({error})", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="an MP4 file with an H.264 video track")
    parser.add_argument("--port", type=int, default=8554, help="0 picks a free port")
    parser.add_argument("--mount", default="/lane")
    parser.add_argument("--loop", action="store_true", help="restart the file at its end")
    args = parser.parse_args()

    path = os.path.abspath(args.file)
    if not os.path.isfile(path):
        print(f"rtsp_serve: {args.file}: no such file", file=sys.stderr)
        return 2
    mount = args.mount if args.mount.startswith("/") else "/" + args.mount

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    location = path.replace("\\", "\\\\").replace('"', '\\"')
    # config-interval=-1: SPS/PPS before every keyframe, so a client may join at any one.
    launch = (f'( filesrc location="{location}" ! qtdemux ! h264parse ! '
              f'rtph264pay name=pay0 pt=96 config-interval=-1 )')
    factory.set_launch(launch)
    factory.set_shared(False)
    if args.loop:
        factory.set_eos_shutdown(False)
        factory.connect("media-configure", _loop_media)
    server.get_mount_points().add_factory(mount, factory)
    if server.attach(None) == 0:
        print(f"rtsp_serve: cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    # Quit on SIGTERM/SIGINT even when started with them blocked or ignored (test runners, shells).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, _quit, loop)
    print(f"READY rtsp://127.0.0.1:{server.get_bound_port()}{mount}", flush=True)
    loop.run()
    return 0


def _quit(loop):
    loop.quit()
    return False


def _loop_media(factory, media):
    pipeline = media.get_element()

    def on_message(bus, message):
        if message.type == Gst.MessageType.EOS or (
                message.type == Gst.MessageType.SEGMENT_DONE):
            pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0)
        return True

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)


if __name__ == "__main__":
    sys.exit(main())
