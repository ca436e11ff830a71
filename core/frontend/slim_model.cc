#include "core/frontend/slim_model.h"

namespace ramiel::frontend {
namespace {

// Field numbers from onnx.proto.
constexpr uint32_t kModelGraph = 7;        // ModelProto.graph
constexpr uint32_t kGraphInitializer = 5;  // GraphProto.initializer
constexpr uint32_t kTensorName = 8;        // TensorProto.name
constexpr uint32_t kTensorRawData = 9;     // TensorProto.raw_data

constexpr uint32_t kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

enum class Level { kModel, kGraph, kTensor };

class Reader {
 public:
  explicit Reader(std::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())), end_(p_ + bytes.size()) {}
  bool done() const { return p_ == end_; }
  const char* position() const { return reinterpret_cast<const char*>(p_); }

  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const uint8_t byte = *p_++;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool skip(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) return false;
    p_ += n;
    return true;
  }
  // The payload of a length-delimited field whose tag was just read.
  bool bytes(std::string_view& payload) {
    uint64_t length;
    if (!varint(length) || length > static_cast<uint64_t>(end_ - p_)) return false;
    payload = std::string_view(reinterpret_cast<const char*>(p_), length);
    p_ += length;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_field(std::string& out, uint32_t field, std::string_view payload) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | kLengthDelimited);
  put_varint(out, payload.size());
  out.append(payload);
}

// Copies one message, slimming what `level` says; false on malformed input.
bool slim(std::string_view message, Level level, int64_t threshold, std::string& out,
          SlimModel& model) {
  Reader in(message);
  std::string_view name;
  int64_t stripped = -1;
  while (!in.done()) {
    const char* field_start = in.position();
    uint64_t tag;
    if (!in.varint(tag)) return false;
    const auto field = static_cast<uint32_t>(tag >> 3);
    const auto wire_type = static_cast<uint32_t>(tag & 7);
    if (wire_type == kLengthDelimited) {
      std::string_view payload;
      if (!in.bytes(payload)) return false;
      if (level == Level::kModel && field == kModelGraph) {
        std::string graph;
        if (!slim(payload, Level::kGraph, threshold, graph, model)) return false;
        put_field(out, field, graph);
        continue;
      }
      if (level == Level::kGraph && field == kGraphInitializer) {
        std::string tensor;
        if (!slim(payload, Level::kTensor, threshold, tensor, model)) return false;
        put_field(out, field, tensor);
        continue;
      }
      if (level == Level::kTensor && field == kTensorName) name = payload;
      if (level == Level::kTensor && field == kTensorRawData &&
          static_cast<int64_t>(payload.size()) > threshold) {
        stripped = static_cast<int64_t>(payload.size());
        // One placeholder byte: the onnx checker counts an empty raw_data as no data at all.
        put_field(out, field, std::string_view("\0", 1));
        continue;
      }
    } else if (wire_type == kVarint) {
      uint64_t ignored;
      if (!in.varint(ignored)) return false;
    } else if (wire_type == kFixed64) {
      if (!in.skip(8)) return false;
    } else if (wire_type == kFixed32) {
      if (!in.skip(4)) return false;
    } else {
      return false;  // groups never appear in ONNX
    }
    out.append(field_start, in.position());
  }
  if (stripped >= 0) model.stripped_bytes[std::string(name)] = stripped;
  return true;
}

}  // namespace

StatusOr<SlimModel> slim_model(std::string_view model_bytes, int64_t threshold) {
  SlimModel model;
  model.bytes.reserve(std::min<size_t>(model_bytes.size(), 1 << 20));
  if (!slim(model_bytes, Level::kModel, threshold, model.bytes, model)) {
    return invalid_argument(
        "not an ONNX model: the bytes are not a well-formed protobuf message (truncated or "
        "corrupt file?)");
  }
  return model;
}

}  // namespace ramiel::frontend
