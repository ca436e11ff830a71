"""A gRPC client of CompileService that can stop part-way, for the fault tests.

    upload_client.py PROTO_DIR ADDRESS MODEL --send-chunks N --then {cancel,hang}
        sends the header (the whole model's size) and N chunks of 1 MiB, prints "sent", then
        cancels the call when a line arrives on stdin (cancel) or waits to be killed (hang).

PROTO_DIR holds the Python modules protoc generated from proto/ramiel/v1/compile_service.proto.
"""
import argparse
import hashlib
import sys
import threading

import grpc

CHUNK = 1 << 20
METHOD = "/ramiel.v1.CompileService/Compile"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("proto_dir")
    parser.add_argument("address")
    parser.add_argument("model")
    parser.add_argument("--send-chunks", type=int, default=0)
    parser.add_argument("--then", choices=["cancel", "hang"], default="hang")
    args = parser.parse_args()
    sys.path.insert(0, args.proto_dir)
    from ramiel.v1 import compile_service_pb2 as pb  # noqa: E402 (generated at test time)

    with open(args.model, "rb") as f:
        model = f.read()
    header = pb.CompileRequest(header=pb.CompileHeader(
        model_size=len(model), model_sha256=hashlib.sha256(model).hexdigest()))
    channel = grpc.insecure_channel(args.address)
    compile_call = channel.stream_unary(METHOD, request_serializer=pb.CompileRequest.SerializeToString,
                                        response_deserializer=pb.CompileResponse.FromString)
    never = threading.Event()

    def requests():
        yield header
        for n in range(args.send_chunks):
            yield pb.CompileRequest(chunk=model[n * CHUNK:(n + 1) * CHUNK])
        print("sent", flush=True)
        never.wait()  # the stream stays open: the upload is neither finished nor abandoned

    future = compile_call.future(requests())
    if args.then == "cancel":
        sys.stdin.readline()
        future.cancel()
        print("cancelled", flush=True)
        never.set()
        return
    never.wait()


if __name__ == "__main__":
    main()
