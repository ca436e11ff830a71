"""A gRPC client that can misbehave: stall mid-upload, lie in headers, hold streams open.

The real ramiel-client never does these things, so the connection-hygiene tests speak the wire API
(proto/ramiel/v1) directly with Debian's python3-grpcio. The message classes are generated from
the project's .proto at import time with protoc, so they always match the server.
"""
import hashlib
import os
import subprocess
import sys
import tempfile
import threading

import grpc

_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
_OUT = tempfile.mkdtemp(prefix="ramiel-pb2-")
subprocess.run(["protoc", f"--proto_path={_ROOT}/proto", f"--python_out={_OUT}",
                "ramiel/v1/compile_service.proto"], check=True)
sys.path.insert(0, _OUT)
from ramiel.v1 import compile_service_pb2 as pb  # noqa: E402

COMPILE = "/ramiel.v1.CompileService/Compile"


def channel(address, **options):
    """A fresh channel (its own connection: gRPC shares subchannels only for equal arguments)."""
    args = [("grpc.max_receive_message_length", -1),
            ("ramiel.test.channel", os.urandom(8).hex())]
    args += list(options.items())
    return grpc.insecure_channel(address, options=args)


def header(model_size, workers=2, model_name="raw", sha256=""):
    return pb.CompileRequest(header=pb.CompileHeader(
        options=pb.CompileOptions(workers=workers, model_name=model_name),
        model_size=model_size, model_sha256=sha256))


def chunk(data):
    return pb.CompileRequest(chunk=data)


class StalledUpload:
    """A Compile call that sends `messages` and then nothing until release() (or forever)."""

    def __init__(self, grpc_channel, messages, timeout=120):
        self._release = threading.Event()
        self.error = None  # grpc.RpcError once the call ends with an error
        self.response = None
        self.done = threading.Event()
        call = grpc_channel.stream_unary(COMPILE, request_serializer=pb.CompileRequest.SerializeToString,
                                         response_deserializer=pb.CompileResponse.FromString)

        def requests():
            yield from messages
            self._release.wait()

        def run():
            try:
                self.response = call(requests(), timeout=timeout)
            except grpc.RpcError as error:
                self.error = error
            finally:
                self.done.set()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def release(self):
        """Half-closes the stream: the server sees the upload end."""
        self._release.set()

    def code(self):
        return self.error.code() if self.error else grpc.StatusCode.OK

    def details(self):
        return self.error.details() if self.error else ""


def upload(grpc_channel, model_bytes, timeout=120, **header_fields):
    """A whole, well-formed Compile call; returns (status code, details, response)."""
    messages = [header(len(model_bytes), sha256=hashlib.sha256(model_bytes).hexdigest(),
                       **header_fields)]
    messages += [chunk(model_bytes[i:i + (1 << 20)]) for i in range(0, len(model_bytes), 1 << 20)]
    call = grpc_channel.stream_unary(COMPILE, request_serializer=pb.CompileRequest.SerializeToString,
                                     response_deserializer=pb.CompileResponse.FromString)
    try:
        return grpc.StatusCode.OK, "", call(iter(messages), timeout=timeout)
    except grpc.RpcError as error:
        return error.code(), error.details(), None


LOOKUP = "/ramiel.v1.CompileService/Lookup"


def lookup(grpc_channel, model_sha256, timeout=60, workers=2):
    """A Lookup call; returns (status code, response or None)."""
    call = grpc_channel.unary_unary(LOOKUP, request_serializer=pb.LookupRequest.SerializeToString,
                                    response_deserializer=pb.CompileResponse.FromString)
    request = pb.LookupRequest(model_sha256=model_sha256,
                               options=pb.CompileOptions(workers=workers))
    try:
        return grpc.StatusCode.OK, call(request, timeout=timeout)
    except grpc.RpcError as error:
        return error.code(), None
