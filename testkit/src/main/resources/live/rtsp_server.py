#!/usr/bin/python3
"""RTSP (H.264 over RTP) test server on GStreamer: rtsp://127.0.0.1:PORT/test.

usage: /usr/bin/python3 rtsp_server.py PORT FILE|test
'test' is an endless 640x480@25 test pattern; a file plays once per client, in real time.
Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and GStreamer's base/good/ugly/libav plugins.
"""
import sys
import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import Gst, GstRtspServer, GLib

Gst.init(None)
port, src = sys.argv[1], sys.argv[2]
if src == 'test':
    launch = 'videotestsrc is-live=true ! video/x-raw,width=640,height=480,framerate=25/1 ! '
else:
    launch = f'filesrc location={src} ! decodebin ! videoconvert ! '
launch = ('( ' + launch + 'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! '
          'rtph264pay name=pay0 pt=96 config-interval=1 )')
server = GstRtspServer.RTSPServer()
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(launch)
factory.set_shared(True)
server.get_mount_points().add_factory('/test', factory)
server.attach(None)
print(f'rtsp://127.0.0.1:{port}/test', flush=True)
GLib.MainLoop().run()
